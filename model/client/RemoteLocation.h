#pragma once

#include "Result.h"

#include <QUrl>

namespace butler {

// A repository on butler-server, named by http(s)://HOST:PORT[/PREFIX]/api/butler/repo/LABEL.
class RemoteLocation
{
public:
    // Accepts a trailing '/' and a trailing "/v1"; refuses other schemes, user info, queries
    // and fragments (a token in a URL would end up in shell histories and logs).
    static Result<RemoteLocation> parse(const QString& text);

    // "http://host:port[/prefix]": what tokens are stored under.
    QString serverBase() const { return m_serverBase; }
    const QString& label() const { return m_label; }
    // The repository URL as users write it.
    QString repoUrl() const;
    // A route under the repository's API: apiUrl("/collections") is .../repo/LABEL/v1/collections.
    QUrl apiUrl(const QString& route) const;
    // A server-wide route: serverUrl("/api/butler/repos").
    QUrl serverUrl(const QString& route) const;
    // "host:port", for messages.
    QString hostAndPort() const;

private:
    QUrl m_base; // scheme://host:port/prefix without the trailing '/'
    QString m_serverBase;
    QString m_label;
};

} // namespace butler
