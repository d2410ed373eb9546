#include "DimensionElement.h"

namespace butler {

QString fieldTypeName(FieldType type)
{
    switch (type) {
    case FieldType::Int:
        return QStringLiteral("int");
    case FieldType::String:
        return QStringLiteral("string");
    case FieldType::Float:
        return QStringLiteral("float");
    case FieldType::Bool:
        return QStringLiteral("bool");
    case FieldType::Hash:
        return QStringLiteral("hash");
    }
    return QStringLiteral("string");
}

QStringList DimensionElement::requiredDimensions() const
{
    QStringList result = required;
    if (isDimension())
        result.append(name);
    return result;
}

const FieldSpec* DimensionElement::field(const QString& fieldName) const
{
    for (const FieldSpec& spec : keys)
        if (spec.name == fieldName)
            return &spec;
    for (const FieldSpec& spec : metadata)
        if (spec.name == fieldName)
            return &spec;
    return nullptr;
}

} // namespace butler
