#pragma once

#include "Identity.h"
#include "Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace butler {

// Turns verified token claims (or a static token's entry) into an Identity: the user from the
// configured claim, groups sorted and unique, admin and data-rights from the configured group
// names.
class IdentityMapper
{
public:
    struct Options
    {
        QString usernameClaim = QStringLiteral("preferred_username");
        QString groupsClaim = QStringLiteral("groups");
        QString adminGroup = QStringLiteral("butler-admins");
        QString dataRightsGroup = QStringLiteral("data-rights");
    };

    explicit IdentityMapper(Options options);

    // Errors are Unauthenticated: a token without a usable user name identifies nobody.
    Result<Identity> fromClaims(const QJsonObject& claims) const;
    Identity make(QString user, QStringList groups, qint64 expiresAt) const;

    // A user name names a u/<user>/ namespace: not empty, no '/', no control characters.
    static bool isValidUserName(const QString& user);

private:
    Options m_options;
};

} // namespace butler
