#include "RemoteLocation.h"

namespace butler {

namespace {

const QString kRepoPath = QStringLiteral("/api/butler/repo/");

Error badUrl(const QString& text, const QString& why)
{
    return invalidInput(
        QStringLiteral("'%1' is not a repository URL (%2); use http(s)://HOST:PORT/api/butler/repo/LABEL")
            .arg(text, why));
}

} // namespace

Result<RemoteLocation> RemoteLocation::parse(const QString& text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid())
        return badUrl(text, url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return badUrl(text, QStringLiteral("the scheme must be http or https"));
    if (url.host().isEmpty())
        return badUrl(text, QStringLiteral("no host"));
    if (!url.userInfo().isEmpty())
        return badUrl(text, QStringLiteral("credentials do not belong in the URL; use --token-file"));
    if (url.hasQuery() || url.hasFragment())
        return badUrl(text, QStringLiteral("no query or fragment is allowed"));

    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    // ".../repo/LABEL/v1" names the API version; ".../repo/v1" a repository called v1.
    if (path.endsWith(QLatin1String("/v1")) && !path.endsWith(kRepoPath + QLatin1String("v1")))
        path.chop(3);
    const qsizetype at = path.lastIndexOf(kRepoPath);
    if (at < 0)
        return badUrl(text, QStringLiteral("the path does not contain /api/butler/repo/LABEL"));
    const QString label = path.mid(at + kRepoPath.size());
    if (label.isEmpty() || label.contains(QLatin1Char('/')))
        return badUrl(text, QStringLiteral("no single repository label after /api/butler/repo/"));

    RemoteLocation location;
    location.m_label = label;
    QUrl base;
    base.setScheme(scheme);
    base.setHost(url.host().toLower());
    base.setPort(url.port());
    base.setPath(path.left(at));
    location.m_base = base;
    location.m_serverBase = base.toString(QUrl::FullyEncoded);
    return location;
}

QString RemoteLocation::repoUrl() const
{
    return m_serverBase + kRepoPath + QString::fromLatin1(QUrl::toPercentEncoding(m_label));
}

QUrl RemoteLocation::apiUrl(const QString& route) const
{
    QUrl url = m_base;
    url.setPath(m_base.path() + kRepoPath + m_label + QStringLiteral("/v1") + route);
    return url;
}

QUrl RemoteLocation::serverUrl(const QString& route) const
{
    QUrl url = m_base;
    url.setPath(m_base.path() + route);
    return url;
}

QString RemoteLocation::hostAndPort() const
{
    const int port = m_base.port(m_base.scheme() == QLatin1String("https") ? 443 : 80);
    const QString host = m_base.host().contains(QLatin1Char(':'))
                             ? QLatin1Char('[') + m_base.host() + QLatin1Char(']')
                             : m_base.host();
    return host + QLatin1Char(':') + QString::number(port);
}

} // namespace butler
