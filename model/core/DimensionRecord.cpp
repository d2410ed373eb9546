#include "DimensionRecord.h"

#include "DataCoordinate.h"
#include "DimensionUniverse.h"

#include <QJsonValue>

namespace butler {

namespace {

Result<QVariant> coerceField(const FieldSpec& spec, const QString& element, const QVariant& value)
{
    if (!value.isValid() || value.isNull()) {
        if (!spec.nullable)
            return invalidInput(QStringLiteral("%1.%2 may not be null").arg(element, spec.name));
        return QVariant();
    }
    const QString where = element + QLatin1Char('.') + spec.name;
    switch (spec.type) {
    case FieldType::Int: {
        bool ok = false;
        qint64 v = 0;
        if (value.typeId() == QMetaType::Double) {
            const double d = value.toDouble();
            ok = d == double(qint64(d));
            v = qint64(d);
        } else if (value.typeId() == QMetaType::Bool) {
            ok = false;
        } else {
            v = value.toLongLong(&ok);
        }
        if (!ok)
            return invalidInput(QStringLiteral("%1 takes an integer, not '%2'").arg(where, value.toString()));
        return QVariant(v);
    }
    case FieldType::Float: {
        bool ok = false;
        const double v = value.toDouble(&ok);
        if (!ok || value.typeId() == QMetaType::Bool)
            return invalidInput(QStringLiteral("%1 takes a number, not '%2'").arg(where, value.toString()));
        return QVariant(v);
    }
    case FieldType::Bool: {
        if (value.typeId() == QMetaType::Bool)
            return value;
        const QString s = value.toString().toLower();
        if (s == QLatin1String("true") || s == QLatin1String("1"))
            return QVariant(true);
        if (s == QLatin1String("false") || s == QLatin1String("0"))
            return QVariant(false);
        return invalidInput(QStringLiteral("%1 takes true or false, not '%2'").arg(where, value.toString()));
    }
    case FieldType::Hash: {
        if (value.typeId() == QMetaType::QByteArray)
            return value;
        const QByteArray bytes = QByteArray::fromHex(value.toString().toLatin1());
        if (bytes.isEmpty())
            return invalidInput(QStringLiteral("%1 takes hex bytes").arg(where));
        return QVariant(bytes);
    }
    case FieldType::String: {
        if (value.typeId() == QMetaType::QVariantMap || value.typeId() == QMetaType::QVariantList)
            return invalidInput(QStringLiteral("%1 takes a string").arg(where));
        const QString s = value.toString();
        if (spec.length > 0 && s.size() > spec.length)
            return invalidInput(
                QStringLiteral("%1 is longer than %2 characters").arg(where).arg(spec.length));
        return QVariant(s);
    }
    }
    return value;
}

} // namespace

DimensionRecord::DimensionRecord(QString element, QVariantMap values, std::optional<Timespan> timespan,
                                 QByteArray region)
    : m_element(std::move(element))
    , m_values(std::move(values))
    , m_timespan(timespan)
    , m_region(std::move(region))
{
}

Result<DimensionRecord> DimensionRecord::validated(const DimensionUniverse& universe,
                                                   const QString& elementName, const QVariantMap& input,
                                                   std::optional<Timespan> timespan, QByteArray region)
{
    const DimensionElement* element = universe.element(elementName);
    if (!element)
        return invalidInput(QStringLiteral("unknown dimension element '%1'").arg(elementName));
    QVariantMap values;
    for (auto it = input.begin(); it != input.end(); ++it) {
        const QString& key = it.key();
        if (element->required.contains(key) || element->implies.contains(key)) {
            if (it->isNull() && element->implies.contains(key)) {
                values.insert(key, QVariant());
                continue;
            }
            BUTLER_ASSIGN_OR_RETURN(QVariant v, coerceDimensionValue(universe, key, *it));
            values.insert(key, v);
            continue;
        }
        QString field = key;
        if (element->isDimension() && key == element->name)
            field = element->primaryKey().name;
        const FieldSpec* spec = element->field(field);
        if (!spec)
            return invalidInput(QStringLiteral("element '%1' has no field '%2'").arg(elementName, key));
        BUTLER_ASSIGN_OR_RETURN(QVariant v, coerceField(*spec, elementName, *it));
        values.insert(field, v);
    }
    for (const QString& dim : element->required)
        if (!values.contains(dim))
            return invalidInput(
                QStringLiteral("%1 record lacks required dimension '%2'").arg(elementName, dim));
    for (const FieldSpec& key : element->keys)
        if (!values.value(key.name).isValid())
            return invalidInput(QStringLiteral("%1 record lacks key '%2'").arg(elementName, key.name));
    for (const FieldSpec& spec : element->metadata)
        if (!spec.nullable && !values.value(spec.name).isValid())
            return invalidInput(
                QStringLiteral("%1 record lacks '%2', which may not be null").arg(elementName, spec.name));
    if (timespan && !element->hasTimespan)
        return invalidInput(QStringLiteral("element '%1' has no timespan").arg(elementName));
    if (timespan && timespan->begin() > timespan->end())
        return invalidInput(QStringLiteral("%1 record timespan begins after it ends").arg(elementName));
    if (!region.isEmpty() && !element->hasRegion)
        return invalidInput(QStringLiteral("element '%1' has no region").arg(elementName));
    return DimensionRecord(elementName, values, timespan, region);
}

QJsonObject DimensionRecord::toJson() const
{
    QJsonObject values;
    for (auto it = m_values.begin(); it != m_values.end(); ++it) {
        if (it->typeId() == QMetaType::QByteArray)
            values.insert(it.key(), QString::fromLatin1(it->toByteArray().toHex()));
        else
            values.insert(it.key(), QJsonValue::fromVariant(*it));
    }
    QJsonObject object;
    object.insert(QLatin1String("element"), m_element);
    object.insert(QLatin1String("values"), values);
    object.insert(QLatin1String("timespan"), m_timespan ? m_timespan->toJson() : QJsonValue());
    object.insert(QLatin1String("region"),
                  m_region.isEmpty() ? QJsonValue() : QJsonValue(QString::fromLatin1(m_region.toHex())));
    return object;
}

Result<DimensionRecord> DimensionRecord::fromJson(const DimensionUniverse& universe, const QJsonObject& json)
{
    const QString element = json.value(QLatin1String("element")).toString();
    if (!json.value(QLatin1String("values")).isObject())
        return invalidInput(QStringLiteral("a dimension record needs a 'values' object"));
    std::optional<Timespan> timespan;
    const QJsonValue ts = json.value(QLatin1String("timespan"));
    if (ts.isObject()) {
        BUTLER_ASSIGN_OR_RETURN(timespan, Timespan::fromJson(ts));
    }
    const QByteArray region = QByteArray::fromHex(json.value(QLatin1String("region")).toString().toLatin1());
    return validated(universe, element, json.value(QLatin1String("values")).toObject().toVariantMap(),
                     timespan, region);
}

} // namespace butler
