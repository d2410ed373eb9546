#include "CollectionInfo.h"

#include <QJsonArray>

namespace butler {

QString collectionTypeName(CollectionType type)
{
    switch (type) {
    case CollectionType::Run:
        return QStringLiteral("RUN");
    case CollectionType::Tagged:
        return QStringLiteral("TAGGED");
    case CollectionType::Chained:
        return QStringLiteral("CHAINED");
    case CollectionType::Calibration:
        return QStringLiteral("CALIBRATION");
    }
    return QStringLiteral("RUN");
}

Result<CollectionType> parseCollectionType(const QString& text)
{
    const QString upper = text.trimmed().toUpper();
    if (upper == QLatin1String("RUN"))
        return CollectionType::Run;
    if (upper == QLatin1String("TAGGED"))
        return CollectionType::Tagged;
    if (upper == QLatin1String("CHAINED"))
        return CollectionType::Chained;
    if (upper == QLatin1String("CALIBRATION"))
        return CollectionType::Calibration;
    return invalidInput(
        QStringLiteral("unknown collection type '%1' (use RUN, TAGGED, CHAINED or CALIBRATION)").arg(text));
}

Status CollectionInfo::validateName(const QString& name)
{
    auto bad = [&](const QString& why) {
        return invalidInput(QStringLiteral("invalid collection name '%1': %2").arg(name, why));
    };
    if (name.isEmpty())
        return invalidInput(QStringLiteral("a collection name may not be empty"));
    if (name.size() > 256)
        return bad(QStringLiteral("longer than 256 characters"));
    for (QChar c : name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return bad(QStringLiteral("control characters are not allowed"));
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') ||
            c == QLatin1Char(']') || c == QLatin1Char('\\') || c == QLatin1Char(',') || c.isSpace())
            return bad(QStringLiteral("'%1' is not allowed").arg(c));
    }
    const QStringList segments = name.split(QLatin1Char('/'));
    for (const QString& segment : segments) {
        if (segment.isEmpty())
            return bad(QStringLiteral("empty path segment (leading, trailing or doubled '/')"));
        if (segment == QLatin1String(".") || segment == QLatin1String(".."))
            return bad(QStringLiteral("'.' and '..' segments are not allowed"));
    }
    return {};
}

QJsonObject CollectionInfo::toJson() const
{
    QJsonObject object;
    object.insert(QLatin1String("name"), name);
    object.insert(QLatin1String("type"), collectionTypeName(type));
    object.insert(QLatin1String("doc"), doc);
    if (type == CollectionType::Chained)
        object.insert(QLatin1String("children"), QJsonArray::fromStringList(children));
    return object;
}

Result<CollectionInfo> CollectionInfo::fromJson(const QJsonObject& json)
{
    CollectionInfo info;
    info.name = json.value(QLatin1String("name")).toString();
    BUTLER_TRY(validateName(info.name));
    BUTLER_ASSIGN_OR_RETURN(info.type, parseCollectionType(json.value(QLatin1String("type")).toString()));
    info.doc = json.value(QLatin1String("doc")).toString();
    for (const QJsonValue& v : json.value(QLatin1String("children")).toArray())
        info.children.append(v.toString());
    return info;
}

} // namespace butler
