#pragma once

#include <QString>
#include <QUrl>

namespace butler {

// The `auth:` and policy group settings of butler-server (see the CLI contract), flattened.
// Any of the three mechanisms may be configured: JWT (issuer + audience + jwksUrl or jwksFile),
// introspection (url + client id + secret file) and a static token file.
struct AuthConfig
{
    // auth.jwt
    QString issuer;
    QString audience;
    QUrl jwksUrl;
    QString jwksFile;
    QString usernameClaim = QStringLiteral("preferred_username");
    QString groupsClaim = QStringLiteral("groups");

    // auth.introspection
    QUrl introspectionUrl;
    QString introspectionClientId;
    QString introspectionClientSecretFile;
    QString introspectionAudience; // when set, an answer's aud must contain it (the issuer is checked too)

    // auth.static_tokens_file
    QString staticTokensFile;

    // policy
    QString adminGroup = QStringLiteral("butler-admins");
    QString dataRightsGroup = QStringLiteral("data-rights");

    qint64 clockSkewSeconds = 60;

    // Tuning; the defaults suit deployments.
    qint64 jwksMinRefreshSeconds = 30; // unknown kids refresh the keys at most this often
    qint64 jwksRefreshPeriodSeconds = 3600;
    qint64 introspectionCacheSeconds = 60; // how late a revocation may be noticed
    qint64 httpTimeoutSeconds = 10;
    qsizetype maxTokenBytes = 16 * 1024;
    qsizetype cacheEntries = 10000;

    bool jwtEnabled() const { return !jwksUrl.isEmpty() || !jwksFile.isEmpty(); }
    bool introspectionEnabled() const { return !introspectionUrl.isEmpty(); }
    bool staticTokensEnabled() const { return !staticTokensFile.isEmpty(); }
};

} // namespace butler
