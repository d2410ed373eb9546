#pragma once

#include "ApiAnswer.h"

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace butler {

struct ServerConfig;

// OAuth 2.0 protected resource metadata (RFC 9728): the OpenID Connect provider that issues the
// server's tokens, and the client and scopes to ask it for, so that `butler login URL` and the
// desktop app's sign-in need no issuer (OidcLogin::advertisedProviderAsync reads it). Public
// metadata, served without a token at
//   /.well-known/oauth-protected-resource                             the server
//   /.well-known/oauth-protected-resource/api/butler/repo/<label>     one repository
// RFC 9728 §3.1 puts the well-known segment between the host and the resource's path, so when
// public_url has a path (a reverse proxy's prefix) that path may follow the segment as well.
// Nothing is published without a provider (ServerConfig::advertisedIssuer()).
class ResourceMetadata
{
public:
    static const QString Prefix; // "/.well-known/oauth-protected-resource"

    explicit ResourceMetadata(const ServerConfig& config);

    bool enabled() const { return !m_issuer.isEmpty(); }
    const QString& issuer() const { return m_issuer; }
    // The server's base URL: the resource the documents describe. Set again when the port the
    // config asked for was 0.
    void setPublicUrl(const QString& publicUrl);

    // What a request path names: an empty string for the server, the label for a repository
    // (known or not); nullopt when it is no metadata route.
    std::optional<QString> resourceOf(QStringView path) const;
    // The route's name in metrics: one per form, not per label.
    static QString routeLabel(const QString& label);

    // The document of the server (empty label) or of a repository that exists.
    ApiAnswer document(const QString& label) const;
    // The WWW-Authenticate value of a 401 (RFC 6750 §3), with resource_metadata (RFC 9728 §5.1)
    // naming the document of this repository, or of the server for an empty label, when a
    // provider is advertised.
    QByteArray challenge(const QString& label) const;

private:
    QString resourceUrl(const QString& label) const;

    QString m_issuer;
    QString m_clientId;
    QStringList m_scopes;
    QString m_publicUrl; // no trailing slash
    QString m_origin;    // scheme://host[:port] of m_publicUrl
    QString m_basePath;  // the path of m_publicUrl, "" or "/prefix"
};

} // namespace butler
