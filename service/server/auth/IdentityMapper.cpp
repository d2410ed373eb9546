#include "IdentityMapper.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace butler {

IdentityMapper::IdentityMapper(Options options)
    : m_options(std::move(options))
{
}

bool IdentityMapper::isValidUserName(const QString& user)
{
    if (user.isEmpty() || user.size() > 256 || user.trimmed() != user)
        return false;
    return std::none_of(user.begin(), user.end(), [](QChar c) {
        return c == QLatin1Char('/') || c.category() == QChar::Other_Control;
    });
}

Identity IdentityMapper::make(QString user, QStringList groups, qint64 expiresAt) const
{
    groups.removeAll(QString());
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    Identity identity;
    identity.user = std::move(user);
    identity.groups = std::move(groups);
    identity.admin = !m_options.adminGroup.isEmpty() && identity.inGroup(m_options.adminGroup);
    identity.dataRights = !m_options.dataRightsGroup.isEmpty() && identity.inGroup(m_options.dataRightsGroup);
    identity.expiresAt = expiresAt;
    return identity;
}

Result<Identity> IdentityMapper::fromClaims(const QJsonObject& claims) const
{
    const QJsonValue user = claims.value(m_options.usernameClaim);
    if (!user.isString())
        return Error(
            ErrorKind::Unauthenticated,
            QStringLiteral("token has no \"%1\" claim to name the user").arg(m_options.usernameClaim));
    if (!isValidUserName(user.toString()))
        return Error(
            ErrorKind::Unauthenticated,
            QStringLiteral("token's \"%1\" claim is not a usable user name").arg(m_options.usernameClaim));

    QStringList groups;
    const QJsonValue groupsValue = claims.value(m_options.groupsClaim);
    if (groupsValue.isArray()) {
        for (const QJsonValue& group : groupsValue.toArray()) {
            if (!group.isString())
                return Error(ErrorKind::Unauthenticated,
                             QStringLiteral("token's \"%1\" claim is not a list of strings")
                                 .arg(m_options.groupsClaim));
            groups.append(group.toString());
        }
    } else if (groupsValue.isString()) {
        groups.append(groupsValue.toString());
    } else if (!groupsValue.isUndefined() && !groupsValue.isNull()) {
        return Error(
            ErrorKind::Unauthenticated,
            QStringLiteral("token's \"%1\" claim is not a list of strings").arg(m_options.groupsClaim));
    }

    const QJsonValue exp = claims.value(QLatin1String("exp"));
    // Clamped so that an absurd exp cannot overflow; 0 (never) is kept for tokens without one.
    const qint64 expiresAt = exp.isDouble() ? qint64(std::clamp(std::floor(exp.toDouble()), 1.0, 9.0e15)) : 0;
    return make(user.toString(), std::move(groups), expiresAt);
}

} // namespace butler
