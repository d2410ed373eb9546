#include "ServerConfig.h"

#include "HttpLimits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <vector>

Q_LOGGING_CATEGORY(lcConfig, "butler.server.config")

namespace butler {

namespace {

constexpr int MaxSignedUrlTtl = 604800; // 7 days (DESIGN §5)

// Edit distance with adjacent transpositions counted as one edit, so "auht" is one step from
// "auth".
int editDistance(const QString& a, const QString& b)
{
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
    for (qsizetype i = 0; i <= n; ++i)
        d[i][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][j] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1].toLower() == b[j - 2].toLower() &&
                a[i - 2].toLower() == b[j - 1].toLower())
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

QString closestKey(const QString& key, const QStringList& allowed)
{
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QString& candidate : allowed) {
        const int distance = editDistance(key, candidate);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    const int tolerance = std::min<int>(3, std::max<int>(1, int(key.size()) / 3));
    return bestDistance <= tolerance ? best : QString();
}

QString join(const QString& path, const QString& key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Scalar:
        return QStringLiteral("'%1'").arg(QString::fromStdString(node.Scalar()));
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

bool isHttpUrl(const QUrl& url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == QLatin1String("http") || scheme == QLatin1String("https")) &&
           !url.host().isEmpty();
}

bool isValidHost(const QString& host)
{
    if (host.isEmpty())
        return false;
    if (QHostAddress address; address.setAddress(host))
        return true;
    static const QRegularExpression name(QStringLiteral(
        "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
    return name.match(host).hasMatch();
}

// Splits HOST:PORT; IPv6 hosts go in brackets ([::1]:8080).
bool parseListen(const QString& text, QString* host, quint16* port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString h = text.left(colon);
    const QString p = text.mid(colon + 1);
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    else if (h.contains(QLatin1Char(':')))
        return false;
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,5}$"));
    if (!digits.match(p).hasMatch())
        return false;
    const int number = p.toInt();
    if (number > 65535 || !isValidHost(h))
        return false;
    *host = h;
    *port = quint16(number);
    return true;
}

QString hostForUrl(const QString& host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}

QString resolvePath(const QString& baseDir, const QString& path)
{
    const QDir base(baseDir.isEmpty() ? QDir::currentPath() : baseDir);
    return QDir::cleanPath(base.absoluteFilePath(path));
}

// Problems found so far, each with its key path and, where known, its line. Paths whose value
// was already reported are not checked again, so one mistake gives one message.
class Problems
{
public:
    void setLine(const QString& path, int line) { m_lines.insert(path, line); }

    void add(const QString& path, const QString& message)
    {
        m_failed.insert(path);
        const int line = lineOf(path);
        m_messages.append(
            {line, line > 0 ? QStringLiteral("%1 at line %2: %3").arg(path, QString::number(line), message)
                            : QStringLiteral("%1: %2").arg(path, message)});
    }

    void addRaw(const QString& path, int line, const QString& message)
    {
        m_failed.insert(path);
        m_messages.append({line, message});
    }

    // Suppresses later checks of a path whose cause was reported under another name.
    void markReported(const QString& path) { m_failed.insert(path); }

    bool anyFailedUnder(const QString& path) const
    {
        const QString prefix = path + QLatin1Char('.');
        return std::any_of(m_failed.cbegin(), m_failed.cend(),
                           [&](const QString& p) { return p == path || p.startsWith(prefix); });
    }

    // Adds the message unless the path (or a parent of it) was already reported.
    void check(bool ok, const QString& path, const QString& message)
    {
        if (!ok && !failed(path))
            add(path, message);
    }

    bool failed(const QString& path) const
    {
        for (QString p = path;;) {
            if (m_failed.contains(p))
                return true;
            const qsizetype dot = p.lastIndexOf(QLatin1Char('.'));
            if (dot < 0)
                return false;
            p.truncate(dot);
        }
    }

    // The line of the key, or of the closest parent that has one.
    int lineOf(const QString& path) const
    {
        for (QString p = path;;) {
            if (const auto it = m_lines.constFind(p); it != m_lines.cend())
                return *it;
            const qsizetype dot = p.lastIndexOf(QLatin1Char('.'));
            if (dot < 0)
                return 0;
            p.truncate(dot);
        }
    }

    // In file order; problems without a line last.
    QStringList messages() const
    {
        QList<std::pair<int, QString>> sorted = m_messages;
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
            return (a.first > 0 ? a.first : INT_MAX) < (b.first > 0 ? b.first : INT_MAX);
        });
        QStringList result;
        for (const auto& [line, message] : std::as_const(sorted))
            result.append(message);
        return result;
    }

private:
    QHash<QString, int> m_lines;
    QSet<QString> m_failed;
    QList<std::pair<int, QString>> m_messages;
};

void checkFile(Problems& problems, const QString& path, const QString& file)
{
    if (file.isEmpty())
        return;
    const QFileInfo info(file);
    if (!info.exists())
        problems.check(false, path, QStringLiteral("file %1 does not exist").arg(file));
    else if (!info.isFile())
        problems.check(false, path, QStringLiteral("%1 is not a file").arg(file));
    else if (!info.isReadable())
        problems.check(false, path, QStringLiteral("file %1 is not readable").arg(file));
}

void checkPositive(Problems& problems, const QString& path, qint64 value)
{
    problems.check(value > 0, path, QStringLiteral("must be positive, got %1").arg(value));
}

// Which auth sections the file has, even when their keys are missing or wrong.
struct AuthSections
{
    bool jwt = false;
    bool introspection = false;
    bool login = false;
};

// An OAuth scope token (RFC 6749 §3.3): printable ASCII without spaces, quotes or backslashes.
bool isScopeToken(const QString& scope)
{
    if (scope.isEmpty())
        return false;
    for (const QChar c : scope) {
        const char16_t u = c.unicode();
        if (u < 0x21 || u > 0x7e || u == u'"' || u == u'\\')
            return false;
    }
    return true;
}

bool isIssuerUrl(const QString& text)
{
    const QUrl url(text, QUrl::StrictMode);
    return isHttpUrl(url) && !url.hasQuery() && !url.hasFragment();
}

void validateInto(const ServerConfig& config, Problems& problems, AuthSections sections = {})
{
    problems.check(isValidHost(config.listenHost), QStringLiteral("listen"),
                   QStringLiteral("'%1' is not a valid host; use HOST:PORT, e.g. 127.0.0.1:8080")
                       .arg(config.listenHost));
    problems.check(config.publicUrl.isEmpty() || isHttpUrl(QUrl(config.publicUrl, QUrl::StrictMode)),
                   QStringLiteral("public_url"),
                   QStringLiteral("'%1' is not an http:// or https:// URL").arg(config.publicUrl));

    problems.check(
        !config.repositories.isEmpty() || problems.anyFailedUnder(QStringLiteral("repositories")),
        QStringLiteral("repositories"),
        QStringLiteral(
            "no repository configured; add one, e.g. repositories: {main: {path: /srv/butler/main}}"));
    static const QRegularExpression labelPattern(QStringLiteral("^[A-Za-z0-9_-]+$"));
    QSet<QString> labels;
    for (const RepositoryConfig& repository : config.repositories) {
        const QString path = QStringLiteral("repositories.") + repository.label;
        if (!labelPattern.match(repository.label).hasMatch()) {
            problems.check(false, path,
                           QStringLiteral("label '%1' may only contain letters, digits, '_' and '-'")
                               .arg(repository.label));
            continue;
        }
        problems.check(!labels.contains(repository.label), path, QStringLiteral("label is used twice"));
        labels.insert(repository.label);
        const QString pathKey = path + QStringLiteral(".path");
        const QFileInfo info(repository.path);
        if (repository.path.isEmpty())
            problems.check(false, pathKey, QStringLiteral("is required"));
        else if (!info.exists())
            problems.check(false, pathKey, QStringLiteral("%1 does not exist").arg(repository.path));
        else if (!info.isDir() ||
                 !QFileInfo::exists(QDir(repository.path).filePath(QStringLiteral("butler.yaml"))))
            problems.check(false, pathKey,
                           QStringLiteral("%1 is not a butler repository (no butler.yaml); create one with "
                                          "'butler create'")
                               .arg(repository.path));
    }

    const AuthConfig& auth = config.auth;
    const bool jwt = sections.jwt || auth.jwtEnabled() || !auth.issuer.isEmpty() || !auth.audience.isEmpty();
    const bool introspection = sections.introspection || auth.introspectionEnabled() ||
                               !auth.introspectionClientId.isEmpty() ||
                               !auth.introspectionClientSecretFile.isEmpty();
    problems.check(jwt || introspection || auth.staticTokensEnabled() ||
                       problems.anyFailedUnder(QStringLiteral("auth")),
                   QStringLiteral("auth"),
                   QStringLiteral("no authentication configured; set auth.jwt, auth.introspection or "
                                  "auth.static_tokens_file"));
    if (jwt) {
        problems.check(!auth.issuer.isEmpty(), QStringLiteral("auth.jwt.issuer"),
                       QStringLiteral("is required"));
        problems.check(!auth.audience.isEmpty(), QStringLiteral("auth.jwt.audience"),
                       QStringLiteral("is required"));
        if (auth.jwksUrl.isEmpty() && auth.jwksFile.isEmpty())
            problems.check(false, QStringLiteral("auth.jwt"), QStringLiteral("needs jwks_url or jwks_file"));
        else if (!auth.jwksUrl.isEmpty() && !auth.jwksFile.isEmpty())
            problems.check(false, QStringLiteral("auth.jwt"),
                           QStringLiteral("give only one of jwks_url and jwks_file"));
        if (!auth.jwksUrl.isEmpty())
            problems.check(
                isHttpUrl(auth.jwksUrl), QStringLiteral("auth.jwt.jwks_url"),
                QStringLiteral("'%1' is not an http:// or https:// URL").arg(auth.jwksUrl.toString()));
        checkFile(problems, QStringLiteral("auth.jwt.jwks_file"), auth.jwksFile);
        problems.check(!auth.usernameClaim.isEmpty(), QStringLiteral("auth.jwt.username_claim"),
                       QStringLiteral("must not be empty"));
        problems.check(!auth.groupsClaim.isEmpty(), QStringLiteral("auth.jwt.groups_claim"),
                       QStringLiteral("must not be empty"));
    }
    if (introspection) {
        if (auth.introspectionUrl.isEmpty())
            problems.check(false, QStringLiteral("auth.introspection.url"), QStringLiteral("is required"));
        else
            problems.check(isHttpUrl(auth.introspectionUrl), QStringLiteral("auth.introspection.url"),
                           QStringLiteral("'%1' is not an http:// or https:// URL")
                               .arg(auth.introspectionUrl.toString()));
        problems.check(!auth.introspectionClientId.isEmpty(), QStringLiteral("auth.introspection.client_id"),
                       QStringLiteral("is required"));
        problems.check(!auth.introspectionClientSecretFile.isEmpty(),
                       QStringLiteral("auth.introspection.client_secret_file"),
                       QStringLiteral("is required"));
        checkFile(problems, QStringLiteral("auth.introspection.client_secret_file"),
                  auth.introspectionClientSecretFile);
    }
    checkFile(problems, QStringLiteral("auth.static_tokens_file"), auth.staticTokensFile);

    const LoginConfig& login = config.login;
    if (!login.issuer.isEmpty())
        problems.check(isIssuerUrl(login.issuer), QStringLiteral("auth.login.issuer"),
                       QStringLiteral("'%1' is not an issuer: use http(s)://HOST[/PATH], without query or "
                                      "fragment")
                           .arg(login.issuer));
    else if (sections.login && login.advertise && !problems.failed(QStringLiteral("auth.jwt.issuer")) &&
             !problems.failed(QStringLiteral("auth.login.advertise")))
        problems.check(isIssuerUrl(auth.issuer), QStringLiteral("auth.login.issuer"),
                       auth.issuer.isEmpty()
                           ? QStringLiteral("is required without auth.jwt: name the OpenID Connect provider "
                                            "that clients sign in at")
                           : QStringLiteral("is required, since auth.jwt.issuer '%1' is not an http(s) URL")
                                 .arg(auth.issuer));
    problems.check(!login.clientId.trimmed().isEmpty(), QStringLiteral("auth.login.client_id"),
                   QStringLiteral("must not be empty"));
    for (const QString& scope : login.scopes)
        problems.check(isScopeToken(scope), QStringLiteral("auth.login.scopes"),
                       QStringLiteral("'%1' is not a scope: one word of printable ASCII, without quotes or "
                                      "backslashes")
                           .arg(scope));

    problems.check(!config.policy.dataRightsGroup.isEmpty(), QStringLiteral("policy.data_rights_group"),
                   QStringLiteral("must not be empty"));
    problems.check(!config.policy.adminGroup.isEmpty(), QStringLiteral("policy.admin_group"),
                   QStringLiteral("must not be empty"));
    problems.check(config.policy.proprietaryPeriodDays >= 0, QStringLiteral("policy.proprietary_period_days"),
                   QStringLiteral("must not be negative"));
    problems.check(config.quotas.defaultBytes >= 0, QStringLiteral("quotas.default_bytes"),
                   QStringLiteral("must not be negative"));
    checkPositive(problems, QStringLiteral("quotas.upload_ttl_seconds"), config.quotas.uploadTtlSeconds);
    checkPositive(problems, QStringLiteral("quotas.cleanup_interval_seconds"),
                  config.quotas.cleanupIntervalSeconds);
    checkPositive(problems, QStringLiteral("quotas.max_file_bytes"), config.quotas.maxFileBytes);
    checkPositive(problems, QStringLiteral("quotas.max_batch_files"), config.quotas.maxBatchFiles);

    const SignedUrlConfig& signedUrls = config.signedUrls;
    checkPositive(problems, QStringLiteral("signed_urls.ttl_seconds"), signedUrls.ttlSeconds);
    checkPositive(problems, QStringLiteral("signed_urls.max_ttl_seconds"), signedUrls.maxTtlSeconds);
    problems.check(signedUrls.maxTtlSeconds <= MaxSignedUrlTtl, QStringLiteral("signed_urls.max_ttl_seconds"),
                   QStringLiteral("%1 is more than the allowed %2 (7 days)")
                       .arg(signedUrls.maxTtlSeconds)
                       .arg(MaxSignedUrlTtl));
    if (!problems.failed(QStringLiteral("signed_urls.max_ttl_seconds")))
        problems.check(signedUrls.ttlSeconds <= signedUrls.maxTtlSeconds,
                       QStringLiteral("signed_urls.ttl_seconds"),
                       QStringLiteral("%1 is more than max_ttl_seconds (%2)")
                           .arg(signedUrls.ttlSeconds)
                           .arg(signedUrls.maxTtlSeconds));
    checkFile(problems, QStringLiteral("signed_urls.secret_file"), signedUrls.secretFile);
    if (!problems.failed(QStringLiteral("signed_urls.max_ttl_seconds")))
        problems.check(config.quotas.uploadTtlSeconds <= signedUrls.maxTtlSeconds,
                       QStringLiteral("quotas.upload_ttl_seconds"),
                       QStringLiteral("%1 is more than signed_urls.max_ttl_seconds (%2)")
                           .arg(config.quotas.uploadTtlSeconds)
                           .arg(signedUrls.maxTtlSeconds));

    const double rps = config.limits.requestsPerSecondPerUser;
    problems.check(std::isfinite(rps) && rps > 0, QStringLiteral("limits.requests_per_second_per_user"),
                   QStringLiteral("must be positive, got %1").arg(rps));
    const double burst = config.limits.burstPerUser;
    problems.check(std::isfinite(burst) && (burst == 0 || burst >= 1),
                   QStringLiteral("limits.burst_per_user"),
                   QStringLiteral("must be at least 1 (or 0 for twice requests_per_second_per_user), got %1")
                       .arg(burst));
    checkPositive(problems, QStringLiteral("limits.concurrent_queries_per_user"),
                  config.limits.concurrentQueriesPerUser);
    checkPositive(problems, QStringLiteral("limits.max_queued_per_user"), config.limits.maxQueuedPerUser);

    const HttpLimitsConfig& http = config.http;
    checkPositive(problems, QStringLiteral("http.max_header_bytes"), http.maxHeaderBytes);
    checkPositive(problems, QStringLiteral("http.max_body_bytes"), http.maxBodyBytes);
    checkPositive(problems, QStringLiteral("http.header_timeout_ms"), http.headerTimeoutMs);
    checkPositive(problems, QStringLiteral("http.body_timeout_ms"), http.bodyTimeoutMs);
    checkPositive(problems, QStringLiteral("http.idle_timeout_ms"), http.idleTimeoutMs);
    checkPositive(problems, QStringLiteral("http.max_connections"), http.maxConnections);
    checkPositive(problems, QStringLiteral("http.listen_backlog"), http.listenBacklog);
    problems.check(http.threads >= 0, QStringLiteral("http.threads"),
                   QStringLiteral("must be positive, or 0 for one per core; got %1").arg(http.threads));
    checkPositive(problems, QStringLiteral("workers"), config.workers);
    problems.check(config.workerNice >= 0 && config.workerNice <= 19, QStringLiteral("worker_nice"),
                   QStringLiteral("must be from 0 to 19; got %1").arg(config.workerNice));
    problems.check(config.backgroundBacklog >= 0, QStringLiteral("background_backlog"),
                   QStringLiteral("must be 0 (never) or more; got %1").arg(config.backgroundBacklog));
    const double retention = config.policy.trashRetentionDays;
    problems.check(
        retention > 0 && retention <= 36500, QStringLiteral("trash.retention_days"),
        QStringLiteral("must be a number of days above 0 and at most 36500, got %1").arg(retention));
    checkPositive(problems, QStringLiteral("trash.purge_interval_seconds"),
                  config.policy.trashPurgeIntervalSeconds);
}

// Reads the YAML tree into a ServerConfig, reporting unknown keys and wrong types.
class YamlReader
{
public:
    YamlReader(Problems& problems, QString baseDir)
        : m_problems(problems)
        , m_baseDir(std::move(baseDir))
    {
    }

    void read(const YAML::Node& root, ServerConfig& config)
    {
        const auto top =
            entries(root, QString(),
                    {"listen", "public_url", "repositories", "auth", "policy", "quotas", "signed_urls",
                     "limits", "http", "workers", "trash", "worker_nice", "background_backlog"});
        if (!top)
            return;
        const Entries& e = *top;
        if (const auto listen = string(e, QStringLiteral("listen"))) {
            if (!parseListen(*listen, &config.listenHost, &config.listenPort))
                m_problems.add(
                    QStringLiteral("listen"),
                    QStringLiteral("'%1' is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080)").arg(*listen));
        }
        if (const auto publicUrl = url(e, QStringLiteral("public_url")))
            config.publicUrl = publicUrl->toString();

        readRepositories(e, config);
        readAuth(e, config.auth, config.login);

        if (const auto policy = section(e, QStringLiteral("policy"),
                                        {"data_rights_group", "admin_group", "proprietary_period_days"})) {
            assign(config.policy.dataRightsGroup,
                   string(*policy, QStringLiteral("policy.data_rights_group")));
            assign(config.policy.adminGroup, string(*policy, QStringLiteral("policy.admin_group")));
            assign(config.policy.proprietaryPeriodDays,
                   integer(*policy, QStringLiteral("policy.proprietary_period_days"), 0, 1000000));
        }
        if (const auto quotas = section(e, QStringLiteral("quotas"),
                                        {"default_bytes", "upload_ttl_seconds", "cleanup_interval_seconds",
                                         "max_file_bytes", "max_batch_files", "sync_on_commit"})) {
            QuotaConfig& q = config.quotas;
            assign(q.defaultBytes, integer(*quotas, QStringLiteral("quotas.default_bytes"), 0,
                                           std::numeric_limits<qint64>::max()));
            assign(q.uploadTtlSeconds, integer(*quotas, QStringLiteral("quotas.upload_ttl_seconds")));
            assign(q.cleanupIntervalSeconds,
                   integer(*quotas, QStringLiteral("quotas.cleanup_interval_seconds")));
            assign(q.maxFileBytes, integer(*quotas, QStringLiteral("quotas.max_file_bytes"), 0,
                                           std::numeric_limits<qint64>::max()));
            assign(q.maxBatchFiles, integer(*quotas, QStringLiteral("quotas.max_batch_files"), 0, 1000000));
            assign(q.syncOnCommit, boolean(*quotas, QStringLiteral("quotas.sync_on_commit")));
        }
        if (const auto urls = section(e, QStringLiteral("signed_urls"),
                                      {"ttl_seconds", "max_ttl_seconds", "secret_file"})) {
            assign(config.signedUrls.ttlSeconds, integer(*urls, QStringLiteral("signed_urls.ttl_seconds")));
            assign(config.signedUrls.maxTtlSeconds,
                   integer(*urls, QStringLiteral("signed_urls.max_ttl_seconds")));
            assign(config.signedUrls.secretFile, file(*urls, QStringLiteral("signed_urls.secret_file")));
        }
        if (const auto limits =
                section(e, QStringLiteral("limits"),
                        {"requests_per_second_per_user", "burst_per_user", "concurrent_queries_per_user",
                         "max_queued_per_user", "exempt_admins"})) {
            assign(config.limits.requestsPerSecondPerUser,
                   number(*limits, QStringLiteral("limits.requests_per_second_per_user")));
            assign(config.limits.burstPerUser, number(*limits, QStringLiteral("limits.burst_per_user")));
            assign(config.limits.concurrentQueriesPerUser,
                   integer(*limits, QStringLiteral("limits.concurrent_queries_per_user")));
            assign(config.limits.maxQueuedPerUser,
                   integer(*limits, QStringLiteral("limits.max_queued_per_user")));
            assign(config.limits.exemptAdmins, boolean(*limits, QStringLiteral("limits.exempt_admins")));
        }
        if (const auto http =
                section(e, QStringLiteral("http"),
                        {"max_header_bytes", "max_body_bytes", "header_timeout_ms", "body_timeout_ms",
                         "idle_timeout_ms", "max_connections", "listen_backlog", "threads"})) {
            HttpLimitsConfig& h = config.http;
            assign(h.maxHeaderBytes, integer(*http, QStringLiteral("http.max_header_bytes")));
            assign(h.maxBodyBytes,
                   integer(*http, QStringLiteral("http.max_body_bytes"), std::numeric_limits<qint64>::min(),
                           std::numeric_limits<qint64>::max()));
            assign(h.headerTimeoutMs, integer(*http, QStringLiteral("http.header_timeout_ms")));
            assign(h.bodyTimeoutMs, integer(*http, QStringLiteral("http.body_timeout_ms")));
            assign(h.idleTimeoutMs, integer(*http, QStringLiteral("http.idle_timeout_ms")));
            assign(h.maxConnections, integer(*http, QStringLiteral("http.max_connections")));
            assign(h.listenBacklog, integer(*http, QStringLiteral("http.listen_backlog")));
            assign(h.threads, integer(*http, QStringLiteral("http.threads")));
        }
        assign(config.workers, integer(e, QStringLiteral("workers")));
        assign(config.workerNice, integer(e, QStringLiteral("worker_nice")));
        assign(config.backgroundBacklog, integer(e, QStringLiteral("background_backlog")));
        if (const auto trash =
                section(e, QStringLiteral("trash"), {"retention_days", "purge_interval_seconds"})) {
            assign(config.policy.trashRetentionDays, number(*trash, QStringLiteral("trash.retention_days")));
            assign(config.policy.trashPurgeIntervalSeconds,
                   integer(*trash, QStringLiteral("trash.purge_interval_seconds")));
        }
    }

private:
    // Known keys of one mapping, by full key path, in file order.
    using Entries = QList<std::pair<QString, YAML::Node>>;

    static int lineOf(const YAML::Node& node)
    {
        const YAML::Mark mark = node.Mark();
        return mark.is_null() ? 0 : mark.line + 1;
    }

    std::optional<Entries> entries(const YAML::Node& node, const QString& path,
                                   std::initializer_list<const char*> allowed)
    {
        if (node.IsNull())
            return Entries();
        if (!node.IsMap()) {
            m_problems.add(path.isEmpty() ? QStringLiteral("(top level)") : path,
                           QStringLiteral("expected a mapping of keys, got %1").arg(describe(node)));
            return std::nullopt;
        }
        QStringList allowedKeys;
        for (const char* key : allowed)
            allowedKeys.append(QString::fromLatin1(key));
        Entries result;
        QSet<QString> seen;
        QStringList suggested;
        for (const auto& entry : node) {
            const YAML::Node keyNode = entry.first;
            const QString key =
                keyNode.IsScalar() ? QString::fromStdString(keyNode.Scalar()) : describe(keyNode);
            const QString keyPath = join(path, key);
            const int line = lineOf(keyNode);
            if (seen.contains(key)) {
                addAt(keyPath, line, QStringLiteral("key appears twice"));
                continue;
            }
            seen.insert(key);
            // With allowed empty, every key is a name chosen by the user (repository labels).
            if (allowed.size() > 0 && !allowedKeys.contains(key)) {
                const QString suggestion = closestKey(key, allowedKeys);
                m_problems.addRaw(
                    keyPath, line,
                    QStringLiteral("unknown key '%1'%2%3")
                        .arg(keyPath, line > 0 ? QStringLiteral(" at line %1").arg(line) : QString(),
                             suggestion.isEmpty() ? QStringLiteral(" (known keys here: %1)")
                                                        .arg(allowedKeys.join(QStringLiteral(", ")))
                                                  : QStringLiteral(" (did you mean '%1'?)").arg(suggestion)));
                suggested.append(suggestion);
                continue;
            }
            m_problems.setLine(keyPath, line);
            result.append({keyPath, entry.second});
        }
        // A misspelt "auth" should not also give "no authentication configured".
        for (const QString& key : std::as_const(suggested)) {
            if (!key.isEmpty() && !seen.contains(key))
                m_problems.markReported(join(path, key));
        }
        return result;
    }

    static const YAML::Node* find(const Entries& entries, const QString& path)
    {
        for (const auto& [key, value] : entries) {
            if (key == path)
                return &value;
        }
        return nullptr;
    }

    std::optional<Entries> section(const Entries& parent, const QString& path,
                                   std::initializer_list<const char*> allowed)
    {
        const YAML::Node* node = find(parent, path);
        if (!node)
            return std::nullopt;
        return entries(*node, path, allowed);
    }

    void addAt(const QString& path, int line, const QString& message)
    {
        m_problems.setLine(path, line);
        m_problems.add(path, message);
    }

    std::optional<QString> string(const Entries& parent, const QString& path)
    {
        const YAML::Node* node = find(parent, path);
        if (!node)
            return std::nullopt;
        if (!node->IsScalar()) {
            m_problems.add(path, QStringLiteral("expected a string, got %1").arg(describe(*node)));
            return std::nullopt;
        }
        return QString::fromStdString(node->Scalar());
    }

    // A list of strings; nothing (a key without value) is an empty list.
    std::optional<QStringList> strings(const Entries& parent, const QString& path)
    {
        const YAML::Node* node = find(parent, path);
        if (!node)
            return std::nullopt;
        if (node->IsNull())
            return QStringList();
        if (!node->IsSequence()) {
            m_problems.add(path,
                           QStringLiteral("expected a list such as [a, b], got %1").arg(describe(*node)));
            return std::nullopt;
        }
        QStringList result;
        for (const YAML::Node& item : *node) {
            if (!item.IsScalar()) {
                m_problems.add(
                    path, QStringLiteral("expected a list of strings, got %1 in it").arg(describe(item)));
                return std::nullopt;
            }
            result.append(QString::fromStdString(item.Scalar()));
        }
        return result;
    }

    std::optional<QString> file(const Entries& parent, const QString& path)
    {
        const auto value = string(parent, path);
        if (!value)
            return std::nullopt;
        if (value->isEmpty()) {
            m_problems.add(path, QStringLiteral("expected a file path, got an empty string"));
            return std::nullopt;
        }
        return resolvePath(m_baseDir, *value);
    }

    std::optional<QUrl> url(const Entries& parent, const QString& path)
    {
        const auto value = string(parent, path);
        if (!value)
            return std::nullopt;
        const QUrl result(*value, QUrl::StrictMode);
        if (!isHttpUrl(result)) {
            m_problems.add(path, QStringLiteral("'%1' is not an http:// or https:// URL").arg(*value));
            return std::nullopt;
        }
        return result;
    }

    std::optional<qint64> integer(const Entries& parent, const QString& path,
                                  qint64 min = std::numeric_limits<int>::min(),
                                  qint64 max = std::numeric_limits<int>::max())
    {
        const YAML::Node* node = find(parent, path);
        if (!node)
            return std::nullopt;
        static const QRegularExpression pattern(QStringLiteral("^[-+]?[0-9]+$"));
        const QString text = node->IsScalar() ? QString::fromStdString(node->Scalar()).trimmed() : QString();
        bool ok = false;
        const qint64 value = pattern.match(text).hasMatch() ? text.toLongLong(&ok) : 0;
        if (!node->IsScalar() || !ok) {
            m_problems.add(path, QStringLiteral("expected an integer, got %1").arg(describe(*node)));
            return std::nullopt;
        }
        if (value < min || value > max) {
            m_problems.add(path, QStringLiteral("%1 is out of range [%2, %3]").arg(value).arg(min).arg(max));
            return std::nullopt;
        }
        return value;
    }

    std::optional<double> number(const Entries& parent, const QString& path)
    {
        const YAML::Node* node = find(parent, path);
        if (!node)
            return std::nullopt;
        bool ok = false;
        const double value =
            node->IsScalar() ? QString::fromStdString(node->Scalar()).trimmed().toDouble(&ok) : 0;
        if (!ok || !std::isfinite(value)) {
            m_problems.add(path, QStringLiteral("expected a number, got %1").arg(describe(*node)));
            return std::nullopt;
        }
        return value;
    }

    std::optional<bool> boolean(const Entries& parent, const QString& path)
    {
        const YAML::Node* node = find(parent, path);
        if (!node)
            return std::nullopt;
        bool value = false;
        if (!node->IsScalar() || !YAML::convert<bool>::decode(*node, value)) {
            m_problems.add(path, QStringLiteral("expected true or false, got %1").arg(describe(*node)));
            return std::nullopt;
        }
        return value;
    }

    template <typename T, typename U> static void assign(T& target, const std::optional<U>& value)
    {
        if (value)
            target = T(*value);
    }

    void readRepositories(const Entries& top, ServerConfig& config)
    {
        const auto repositories = section(top, QStringLiteral("repositories"), {});
        if (!repositories)
            return;
        const qsizetype prefix = QStringLiteral("repositories.").size();
        for (const auto& [path, node] : *repositories) {
            RepositoryConfig repository;
            repository.label = path.mid(prefix);
            const auto keys = entries(node, path, {"path"});
            if (!keys)
                continue;
            const QString pathKey = path + QStringLiteral(".path");
            if (!find(*keys, pathKey)) {
                m_problems.add(pathKey, QStringLiteral("is required (the folder of a repository made by "
                                                       "'butler create')"));
                continue;
            }
            const auto folder = file(*keys, pathKey);
            if (!folder)
                continue;
            repository.path = *folder;
            config.repositories.append(repository);
        }
    }

    void readAuth(const Entries& top, AuthConfig& auth, LoginConfig& login)
    {
        const auto section = this->section(top, QStringLiteral("auth"),
                                           {"jwt", "introspection", "static_tokens_file", "login"});
        if (!section)
            return;
        if (const YAML::Node* node = find(*section, QStringLiteral("auth.jwt"))) {
            m_sections.jwt = true;
            if (const auto jwt = entries(
                    *node, QStringLiteral("auth.jwt"),
                    {"issuer", "audience", "jwks_url", "jwks_file", "username_claim", "groups_claim"})) {
                assign(auth.issuer, string(*jwt, QStringLiteral("auth.jwt.issuer")));
                assign(auth.audience, string(*jwt, QStringLiteral("auth.jwt.audience")));
                assign(auth.jwksUrl, url(*jwt, QStringLiteral("auth.jwt.jwks_url")));
                assign(auth.jwksFile, file(*jwt, QStringLiteral("auth.jwt.jwks_file")));
                assign(auth.usernameClaim, string(*jwt, QStringLiteral("auth.jwt.username_claim")));
                assign(auth.groupsClaim, string(*jwt, QStringLiteral("auth.jwt.groups_claim")));
            }
        }
        if (const YAML::Node* node = find(*section, QStringLiteral("auth.introspection"))) {
            m_sections.introspection = true;
            if (const auto introspection = entries(*node, QStringLiteral("auth.introspection"),
                                                   {"url", "client_id", "client_secret_file"})) {
                assign(auth.introspectionUrl, url(*introspection, QStringLiteral("auth.introspection.url")));
                assign(auth.introspectionClientId,
                       string(*introspection, QStringLiteral("auth.introspection.client_id")));
                assign(auth.introspectionClientSecretFile,
                       file(*introspection, QStringLiteral("auth.introspection.client_secret_file")));
            }
        }
        assign(auth.staticTokensFile, file(*section, QStringLiteral("auth.static_tokens_file")));
        if (const YAML::Node* node = find(*section, QStringLiteral("auth.login"))) {
            m_sections.login = true;
            if (const auto keys = entries(*node, QStringLiteral("auth.login"),
                                          {"advertise", "issuer", "client_id", "scopes"})) {
                assign(login.advertise, boolean(*keys, QStringLiteral("auth.login.advertise")));
                assign(login.issuer, string(*keys, QStringLiteral("auth.login.issuer")));
                assign(login.clientId, string(*keys, QStringLiteral("auth.login.client_id")));
                assign(login.scopes, strings(*keys, QStringLiteral("auth.login.scopes")));
            }
        }
    }

public:
    AuthSections sections() const { return m_sections; }

private:
    Problems& m_problems;
    QString m_baseDir;
    AuthSections m_sections;
};

Result<ServerConfig> parse(const QByteArray& text, const QString& baseDir, const QString& origin)
{
    const QString where = origin.isEmpty() ? QStringLiteral("invalid configuration")
                                           : QStringLiteral("invalid configuration %1").arg(origin);
    YAML::Node root;
    try {
        root = YAML::Load(text.toStdString());
    } catch (const YAML::ParserException& e) {
        return invalidInput(QStringLiteral("%1: not valid YAML at line %2, column %3: %4")
                                .arg(where, QString::number(e.mark.line + 1),
                                     QString::number(e.mark.column + 1), QString::fromStdString(e.msg)));
    } catch (const YAML::Exception& e) {
        return invalidInput(
            QStringLiteral("%1: not valid YAML: %2").arg(where, QString::fromStdString(e.what())));
    }
    if (root.IsNull())
        return invalidInput(
            QStringLiteral("%1: the file is empty; it needs at least 'repositories:' and 'auth:'")
                .arg(where));
    if (!root.IsMap())
        return invalidInput(
            QStringLiteral("%1: expected a mapping of keys (listen:, repositories:, auth:, ...) at "
                           "the top level, got %2")
                .arg(where, describe(root)));

    ServerConfig config;
    Problems problems;
    YamlReader reader(problems, baseDir);
    reader.read(root, config);
    validateInto(config, problems, reader.sections());

    const QStringList messages = problems.messages();
    if (!messages.isEmpty()) {
        if (messages.size() == 1)
            return invalidInput(QStringLiteral("%1: %2").arg(where, messages.first()));
        return invalidInput(
            QStringLiteral("%1 (%2 problems):\n  %3")
                .arg(where, QString::number(messages.size()), messages.join(QStringLiteral("\n  "))));
    }
    if (config.publicUrl.isEmpty()) {
        config.publicUrl =
            QStringLiteral("http://%1:%2").arg(hostForUrl(config.listenHost)).arg(config.listenPort);
        if (QHostAddress(config.listenHost).isEqual(QHostAddress::AnyIPv4) ||
            QHostAddress(config.listenHost).isEqual(QHostAddress::AnyIPv6))
            qCWarning(lcConfig) << "public_url is not set; signed URLs and links will use" << config.publicUrl
                                << "which clients cannot reach; set public_url";
    }
    config.auth.adminGroup = config.policy.adminGroup;
    config.auth.dataRightsGroup = config.policy.dataRightsGroup;
    while (config.publicUrl.endsWith(QLatin1Char('/')))
        config.publicUrl.chop(1);
    return config;
}

} // namespace

Result<ServerConfig> ServerConfig::load(const QString& file)
{
    QFile input(file);
    if (!input.open(QIODevice::ReadOnly)) {
        if (!input.exists())
            return notFound(QStringLiteral("config file %1 does not exist").arg(file));
        return ioError(QStringLiteral("cannot read config file %1: %2").arg(file, input.errorString()));
    }
    return parse(input.readAll(), QFileInfo(file).absolutePath(), file);
}

Result<ServerConfig> ServerConfig::fromYaml(const QByteArray& text, const QString& baseDir)
{
    return parse(text, baseDir, QString());
}

ServerConfig ServerConfig::quickStart(const QString& repoPath, const QString& listen,
                                      const QString& tokenFile)
{
    ServerConfig config;
    if (!listen.isEmpty() && !parseListen(listen, &config.listenHost, &config.listenPort)) {
        // Kept as given so that validate() names it.
        config.listenHost = listen;
    }
    config.publicUrl =
        QStringLiteral("http://%1:%2").arg(hostForUrl(config.listenHost)).arg(config.listenPort);
    config.repositories.append({QStringLiteral("main"), resolvePath(QString(), repoPath)});
    if (!tokenFile.isEmpty())
        config.auth.staticTokensFile = resolvePath(QString(), tokenFile);
    return config;
}

Status ServerConfig::validate() const
{
    Problems problems;
    validateInto(*this, problems);
    const QStringList messages = problems.messages();
    if (messages.isEmpty())
        return {};
    return invalidInput(QStringLiteral("invalid configuration: %1").arg(messages.join(QStringLiteral("; "))));
}

AuthConfig ServerConfig::authConfig() const
{
    AuthConfig result = auth;
    result.adminGroup = policy.adminGroup;
    result.dataRightsGroup = policy.dataRightsGroup;
    return result;
}

HttpLimits ServerConfig::httpLimits() const
{
    HttpLimits limits;
    limits.maxHeaderBytes = http.maxHeaderBytes;
    limits.maxBodyBytes = http.maxBodyBytes;
    limits.headerTimeoutMs = http.headerTimeoutMs;
    limits.bodyTimeoutMs = http.bodyTimeoutMs;
    limits.idleTimeoutMs = http.idleTimeoutMs;
    limits.maxConnections = http.maxConnections;
    limits.listenBacklog = http.listenBacklog;
    limits.threads = http.threads;
    return limits;
}

QString ServerConfig::advertisedIssuer() const
{
    if (!login.advertise)
        return {};
    if (!login.issuer.isEmpty())
        return login.issuer;
    return isIssuerUrl(auth.issuer) ? auth.issuer : QString();
}

QHostAddress ServerConfig::listenAddress() const
{
    if (QHostAddress address; address.setAddress(listenHost))
        return address;
    if (listenHost.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    const QHostInfo info = QHostInfo::fromName(listenHost);
    return info.addresses().isEmpty() ? QHostAddress() : info.addresses().constFirst();
}

const RepositoryConfig* ServerConfig::repository(const QString& label) const
{
    for (const RepositoryConfig& repository : repositories) {
        if (repository.label == label)
            return &repository;
    }
    return nullptr;
}

} // namespace butler
