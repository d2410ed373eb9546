#include "RemoteQuota.h"

namespace butler {

Result<RemoteQuota> RemoteQuota::fromJson(const QJsonObject& json)
{
    RemoteQuota quota;
    const QJsonValue user = json.value(QLatin1String("user"));
    if (!user.isString() || user.toString().isEmpty())
        return invalidInput(QStringLiteral("field 'user' must be a non-empty string"));
    quota.user = user.toString();
    for (const auto& [key, target] : {std::pair{QStringLiteral("limit_bytes"), &quota.limitBytes},
                                      std::pair{QStringLiteral("used_bytes"), &quota.usedBytes},
                                      std::pair{QStringLiteral("reserved_bytes"), &quota.reservedBytes},
                                      std::pair{QStringLiteral("available_bytes"), &quota.availableBytes}}) {
        const QJsonValue value = json.value(key);
        if (!value.isDouble())
            return invalidInput(QStringLiteral("field '%1' must be a number of bytes").arg(key));
        *target = value.toInteger();
    }
    const QJsonValue defaultLimit = json.value(QLatin1String("default_limit"));
    if (!defaultLimit.isUndefined() && !defaultLimit.isBool())
        return invalidInput(QStringLiteral("field 'default_limit' must be true or false"));
    quota.defaultLimit = defaultLimit.toBool(true);
    return quota;
}

} // namespace butler
