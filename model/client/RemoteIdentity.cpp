#include "RemoteIdentity.h"

#include <QJsonArray>

namespace butler {

QJsonObject RemoteIdentity::toJson() const
{
    return QJsonObject{{QStringLiteral("user"), user},
                       {QStringLiteral("groups"), QJsonArray::fromStringList(groups)},
                       {QStringLiteral("admin"), admin},
                       {QStringLiteral("data_rights"), dataRights}};
}

Result<RemoteIdentity> RemoteIdentity::fromJson(const QJsonObject& json)
{
    RemoteIdentity identity;
    const QJsonValue user = json.value(QLatin1String("user"));
    if (!user.isString() || user.toString().isEmpty())
        return invalidInput(QStringLiteral("field 'user' must be a non-empty string"));
    identity.user = user.toString();
    const QJsonValue groups = json.value(QLatin1String("groups"));
    if (!groups.isUndefined() && !groups.isNull()) {
        if (!groups.isArray())
            return invalidInput(QStringLiteral("field 'groups' must be a list of strings"));
        for (const QJsonValue& group : groups.toArray()) {
            if (!group.isString())
                return invalidInput(QStringLiteral("field 'groups' must be a list of strings"));
            identity.groups.append(group.toString());
        }
    }
    for (const auto& [key, target] : {std::pair{QStringLiteral("admin"), &identity.admin},
                                      std::pair{QStringLiteral("data_rights"), &identity.dataRights}}) {
        const QJsonValue value = json.value(key);
        if (value.isUndefined() || value.isNull())
            continue;
        if (!value.isBool())
            return invalidInput(QStringLiteral("field '%1' must be true or false").arg(key));
        *target = value.toBool();
    }
    return identity;
}

} // namespace butler
