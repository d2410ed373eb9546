#include "RemoteAcl.h"

#include <QJsonArray>

namespace butler {

namespace {

Result<QDateTime> dateField(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull())
        return QDateTime();
    const QDateTime date = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!value.isString() || !date.isValid())
        return invalidInput(QStringLiteral("field '%1' must be an ISO 8601 date").arg(key));
    return date.toUTC();
}

} // namespace

QJsonObject RemoteAcl::toJson() const
{
    QJsonObject json{{QStringLiteral("collection"), collection},
                     {QStringLiteral("owner"), owner},
                     {QStringLiteral("readers"), QJsonArray::fromStringList(readers)}};
    if (releaseDate.isValid())
        json.insert(QStringLiteral("release_date"), releaseDate.toUTC().toString(Qt::ISODate));
    if (proprietaryUntil.isValid())
        json.insert(QStringLiteral("proprietary_until"), proprietaryUntil.toUTC().toString(Qt::ISODate));
    return json;
}

Result<RemoteAcl> RemoteAcl::fromJson(const QJsonObject& json)
{
    RemoteAcl acl;
    const QJsonValue collection = json.value(QLatin1String("collection"));
    if (!collection.isString() || collection.toString().isEmpty())
        return invalidInput(QStringLiteral("field 'collection' must be a non-empty string"));
    acl.collection = collection.toString();
    const QJsonValue owner = json.value(QLatin1String("owner"));
    if (!owner.isString())
        return invalidInput(QStringLiteral("field 'owner' must be a string"));
    acl.owner = owner.toString();
    const QJsonValue readers = json.value(QLatin1String("readers"));
    if (!readers.isUndefined() && !readers.isNull()) {
        if (!readers.isArray())
            return invalidInput(QStringLiteral("field 'readers' must be a list of strings"));
        for (const QJsonValue& reader : readers.toArray()) {
            if (!reader.isString())
                return invalidInput(QStringLiteral("field 'readers' must be a list of strings"));
            acl.readers.append(reader.toString());
        }
    }
    BUTLER_ASSIGN_OR_RETURN(acl.releaseDate, dateField(json, QStringLiteral("release_date")));
    BUTLER_ASSIGN_OR_RETURN(acl.proprietaryUntil, dateField(json, QStringLiteral("proprietary_until")));
    return acl;
}

} // namespace butler
