#include "IntrospectionClient.h"

#include "HttpFetcher.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>

#include <QCoroFuture>

#include <atomic>

Q_LOGGING_CATEGORY(lcIntrospection, "butler.auth.introspection")

namespace butler {

namespace {

// RFC 6749 §2.3.1: client id and secret are form-encoded before they go into HTTP Basic.
QByteArray formEncoded(const QString& text)
{
    return QUrl::toPercentEncoding(text).replace("%20", "+");
}

} // namespace

struct IntrospectionClient::Cache
{
    struct Entry
    {
        QJsonObject claims;
        qint64 untilMs = 0;
    };
    QMutex mutex;
    QHash<QByteArray, Entry> entries;
    std::atomic<int> requests{0};
};

IntrospectionClient::IntrospectionClient(Options options, std::shared_ptr<HttpFetcher> fetcher,
                                         AuthClock clock)
    : m_options(std::move(options))
    , m_fetcher(std::move(fetcher))
    , m_clock(std::move(clock))
    , m_cache(std::make_unique<Cache>())
{
    m_basicAuth =
        "Basic " + (formEncoded(m_options.clientId) + ':' + formEncoded(m_options.clientSecret)).toBase64();
}

IntrospectionClient::~IntrospectionClient() = default;

Result<std::unique_ptr<IntrospectionClient>>
IntrospectionClient::create(Options options, std::shared_ptr<HttpFetcher> fetcher, AuthClock clock)
{
    const QString scheme = options.url.scheme();
    if (!options.url.isValid() || (scheme != QLatin1String("https") && scheme != QLatin1String("http")) ||
        options.url.host().isEmpty())
        return invalidInput(QStringLiteral("introspection url must be an http(s) URL, not \"%1\"")
                                .arg(options.url.toDisplayString()));
    if (options.clientId.isEmpty() || options.clientSecret.isEmpty())
        return invalidInput(QStringLiteral("introspection needs client_id and client_secret_file"));
    if (!fetcher)
        return internalError(QStringLiteral("introspection needs an HTTP client"));
    return std::unique_ptr<IntrospectionClient>(
        new IntrospectionClient(std::move(options), std::move(fetcher), std::move(clock)));
}

int IntrospectionClient::requestCount() const
{
    return m_cache->requests.load();
}

QCoro::Task<Result<QJsonObject>> IntrospectionClient::introspect(QByteArray token)
{
    const QByteArray tokenHash = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    {
        QMutexLocker lock(&m_cache->mutex);
        const auto it = m_cache->entries.constFind(tokenHash);
        if (it != m_cache->entries.cend()) {
            if (m_clock() < it->untilMs)
                co_return it->claims;
            m_cache->entries.erase(it);
        }
    }

    // Percent-encoded by hand: QUrlQuery leaves '+' alone, which a form decoder reads as a space.
    const QByteArray form =
        "token=" + QUrl::toPercentEncoding(QString::fromLatin1(token)) + "&token_type_hint=access_token";
    const HttpFetcher::Headers headers{
        {"Authorization", m_basicAuth},
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Accept", "application/json"},
    };
    ++m_cache->requests;
    QFuture<HttpAnswer> reply = m_fetcher->post(m_options.url, form, headers);
    const HttpAnswer answer = co_await reply;
    if (!answer.ok()) {
        qCWarning(lcIntrospection).noquote()
            << QStringLiteral("cannot reach %1: %2").arg(m_options.url.toDisplayString(), answer.error);
        co_return Error(ErrorKind::Unavailable,
                        QStringLiteral("the introspection endpoint is unreachable: %1").arg(answer.error));
    }
    co_return judge(tokenHash, answer.status, answer.body);
}

Result<QJsonObject> IntrospectionClient::judge(const QByteArray& tokenHash, int status,
                                               const QByteArray& body)
{
    if (status != 200) {
        qCWarning(lcIntrospection).noquote()
            << QStringLiteral("%1 answered HTTP %2").arg(m_options.url.toDisplayString()).arg(status);
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("the introspection endpoint answered HTTP %1").arg(status));
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Error(ErrorKind::Unavailable, QStringLiteral("the introspection answer is not a JSON object"));
    const QJsonObject claims = doc.object();
    if (claims.value(QLatin1String("active")) != QJsonValue(true))
        return Error(ErrorKind::Unauthenticated,
                     QStringLiteral("token is not active (expired, revoked or unknown)"));

    const qint64 nowMs = m_clock();
    const QJsonValue exp = claims.value(QLatin1String("exp"));
    if (!exp.isUndefined() && !exp.isDouble())
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("the introspection answer has a non-numeric exp"));
    if (exp.isDouble() && double(nowMs) / 1000.0 >= exp.toDouble() + double(m_options.clockSkewSeconds))
        return Error(ErrorKind::Unauthenticated, QStringLiteral("token expired"));
    if (!m_options.issuer.isEmpty() && claims.contains(QLatin1String("iss")) &&
        claims.value(QLatin1String("iss")).toString() != m_options.issuer)
        return Error(ErrorKind::Unauthenticated, QStringLiteral("issuer mismatch"));
    if (!m_options.audience.isEmpty() && claims.contains(QLatin1String("aud"))) {
        const QJsonValue aud = claims.value(QLatin1String("aud"));
        const bool ok = aud.isArray() ? aud.toArray().contains(QJsonValue(m_options.audience))
                                      : aud.toString() == m_options.audience;
        if (!ok)
            return Error(ErrorKind::Unauthenticated, QStringLiteral("audience mismatch"));
    }

    qint64 untilMs = nowMs + qint64(m_options.cacheTtl.count()) * 1000;
    if (exp.isDouble())
        untilMs = std::min(untilMs, qint64(std::min(exp.toDouble(), 9.0e15) * 1000.0));
    if (untilMs > nowMs) {
        QMutexLocker lock(&m_cache->mutex);
        if (m_cache->entries.size() >= m_options.maxCacheEntries) {
            m_cache->entries.removeIf([nowMs](const auto& it) { return it.value().untilMs <= nowMs; });
            if (m_cache->entries.size() >= m_options.maxCacheEntries)
                m_cache->entries.clear();
        }
        m_cache->entries.insert(tokenHash, Cache::Entry{claims, untilMs});
    }
    return claims;
}

} // namespace butler
