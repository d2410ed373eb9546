#include "ResourceMetadata.h"

#include "ApiErrors.h"
#include "ServerConfig.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

namespace butler {

namespace {

const QString kRepoPath = QStringLiteral("/api/butler/repo/");
const QByteArray kBaseChallenge = QByteArrayLiteral("Bearer realm=\"butler\", error=\"invalid_token\"");

} // namespace

const QString ResourceMetadata::Prefix = QStringLiteral("/.well-known/oauth-protected-resource");

ResourceMetadata::ResourceMetadata(const ServerConfig& config)
    : m_issuer(config.advertisedIssuer())
    , m_clientId(config.login.clientId.trimmed())
    , m_scopes(config.login.scopes)
{
    setPublicUrl(config.publicUrl);
}

void ResourceMetadata::setPublicUrl(const QString& publicUrl)
{
    m_publicUrl = publicUrl;
    while (m_publicUrl.endsWith(u'/'))
        m_publicUrl.chop(1);
    const QUrl url(m_publicUrl);
    m_basePath = url.path(QUrl::FullyEncoded);
    m_origin = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment)
                   .toString(QUrl::FullyEncoded);
}

std::optional<QString> ResourceMetadata::resourceOf(QStringView path) const
{
    if (!path.startsWith(Prefix))
        return std::nullopt;
    QStringView rest = path.mid(Prefix.size());
    if (!m_basePath.isEmpty() && rest.startsWith(m_basePath) &&
        (rest.size() == m_basePath.size() || rest.at(m_basePath.size()) == u'/'))
        rest = rest.mid(m_basePath.size());
    if (rest.isEmpty())
        return QString();
    if (!rest.startsWith(kRepoPath))
        return std::nullopt;
    const QStringView label = rest.mid(kRepoPath.size());
    if (label.isEmpty() || label.contains(u'/'))
        return std::nullopt;
    return label.toString();
}

QString ResourceMetadata::routeLabel(const QString& label)
{
    return label.isEmpty() ? Prefix : Prefix + kRepoPath + QStringLiteral("{label}");
}

QString ResourceMetadata::resourceUrl(const QString& label) const
{
    return label.isEmpty() ? m_publicUrl : m_publicUrl + kRepoPath + label;
}

ApiAnswer ResourceMetadata::document(const QString& label) const
{
    if (!enabled())
        return ApiErrors::answer(notFound(
            QStringLiteral("this server names no identity provider (its configuration has no auth.login "
                           "issuer or http(s) auth.jwt.issuer, or auth.login.advertise is false)")));
    return ApiAnswer::json(
        QJsonObject{{QStringLiteral("resource"), resourceUrl(label)},
                    {QStringLiteral("authorization_servers"), QJsonArray{m_issuer}},
                    {QStringLiteral("scopes_supported"), QJsonArray::fromStringList(m_scopes)},
                    {QStringLiteral("bearer_methods_supported"), QJsonArray{QStringLiteral("header")}},
                    // Not in RFC 9728: the public client the command line and the desktop app use.
                    {QStringLiteral("butler_client_id"), m_clientId}});
}

QByteArray ResourceMetadata::challenge(const QString& label) const
{
    if (!enabled())
        return kBaseChallenge;
    const QString url = m_origin + Prefix + m_basePath + (label.isEmpty() ? QString() : kRepoPath + label);
    return kBaseChallenge + ", resource_metadata=\"" + url.toUtf8() + '"';
}

} // namespace butler
