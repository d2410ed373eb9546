#include "JwksSource.h"

#include "HttpFetcher.h"

#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QPromise>

#include <QCoroFuture>

#include <optional>

Q_LOGGING_CATEGORY(lcJwksSource, "butler.auth.jwks")

namespace butler {

namespace {

constexpr qint64 MaxJwksFileBytes = 1 << 20;

Result<QByteArray> readJwksFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read JWKS file %1: %2").arg(path, file.errorString()));
    if (file.size() > MaxJwksFileBytes)
        return invalidInput(
            QStringLiteral("JWKS file %1 is larger than %2 bytes").arg(path).arg(MaxJwksFileBytes));
    return file.readAll();
}

} // namespace

struct JwksSource::State
{
    mutable QMutex mutex;
    std::shared_ptr<const Jwks> keys;
    qint64 loadedAtMs = 0;
    std::optional<qint64> lastStartMs;
    std::optional<QFuture<Status>> inflight;
    QString lastError;
    int fetchCount = 0;

    // Installs a loaded document (or records why there is none) and ends the refresh in flight.
    Status finish(const QString& origin, Result<QByteArray> document, qint64 nowMs)
    {
        Status status;
        std::shared_ptr<const Jwks> parsed;
        if (!document) {
            status = document.error();
        } else if (auto jwks = Jwks::parse(*document); !jwks) {
            status = Error(ErrorKind::Unavailable, jwks.error().message());
        } else if (jwks->size() == 0) {
            status = Error(ErrorKind::Unavailable,
                           QStringLiteral("JWKS has no usable RS256 or ES256 signing key"));
        } else {
            parsed = std::make_shared<const Jwks>(std::move(*jwks));
        }
        QMutexLocker lock(&mutex);
        inflight.reset();
        if (parsed) {
            qCInfo(lcJwksSource).noquote() << QStringLiteral("loaded %1 signing key(s) from %2: %3")
                                                  .arg(parsed->size())
                                                  .arg(origin, parsed->keyIds().join(QStringLiteral(", ")));
            keys = std::move(parsed);
            loadedAtMs = nowMs;
            lastError.clear();
            return {};
        }
        lastError = status.error().message();
        qCWarning(lcJwksSource).noquote()
            << QStringLiteral("cannot load signing keys from %1: %2").arg(origin, lastError);
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("the issuer's signing keys are unavailable: %1").arg(lastError));
    }
};

JwksSource::JwksSource(Options options, std::shared_ptr<HttpFetcher> fetcher, AuthClock clock)
    : m_options(std::move(options))
    , m_fetcher(std::move(fetcher))
    , m_clock(std::move(clock))
    , m_state(std::make_shared<State>())
{
}

JwksSource::~JwksSource() = default;

Result<std::unique_ptr<JwksSource>> JwksSource::create(Options options, std::shared_ptr<HttpFetcher> fetcher,
                                                       AuthClock clock)
{
    if (options.file.isEmpty() == options.url.isEmpty())
        return invalidInput(QStringLiteral("set exactly one of jwks_file and jwks_url"));
    if (!options.url.isEmpty()) {
        const QString scheme = options.url.scheme();
        if (!options.url.isValid() || (scheme != QLatin1String("https") && scheme != QLatin1String("http")) ||
            options.url.host().isEmpty())
            return invalidInput(QStringLiteral("jwks_url must be an http(s) URL, not \"%1\"")
                                    .arg(options.url.toDisplayString()));
        if (!fetcher)
            return internalError(QStringLiteral("jwks_url needs an HTTP client"));
    }
    std::unique_ptr<JwksSource> source(
        new JwksSource(std::move(options), std::move(fetcher), std::move(clock)));
    const QFuture<Status> first = *source->startRefresh(false);
    if (!source->m_options.file.isEmpty()) {
        const Status loaded = first.result(); // a file loads synchronously
        if (!loaded)
            return Error(ErrorKind::InvalidInput, loaded.error().message());
    }
    return source;
}

std::shared_ptr<const Jwks> JwksSource::keys() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->keys;
}

int JwksSource::fetchCount() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->fetchCount;
}

QFuture<Status> JwksSource::refresh()
{
    return *startRefresh(false);
}

std::optional<QFuture<Status>> JwksSource::startRefresh(bool rateLimited)
{
    const qint64 nowMs = m_clock();
    std::shared_ptr<QPromise<Status>> promise;
    {
        QMutexLocker lock(&m_state->mutex);
        if (m_state->inflight)
            return *m_state->inflight;
        const qint64 minIntervalMs = qint64(m_options.minRefreshInterval.count()) * 1000;
        if (rateLimited && m_state->lastStartMs && nowMs - *m_state->lastStartMs < minIntervalMs)
            return std::nullopt; // not started: the caller keeps the keys it has
        promise = std::make_shared<QPromise<Status>>();
        promise->start();
        m_state->inflight = promise->future();
        m_state->lastStartMs = nowMs;
        ++m_state->fetchCount;
    }
    QFuture<Status> future = promise->future();

    if (!m_options.file.isEmpty()) {
        promise->addResult(m_state->finish(m_options.file, readJwksFile(m_options.file), nowMs));
        promise->finish();
        return future;
    }

    const QString origin = m_options.url.toDisplayString();
    m_fetcher->get(
        m_options.url, [state = m_state, promise, origin, clock = m_clock](const HttpAnswer& answer) {
            Result<QByteArray> document = QByteArray();
            if (!answer.ok())
                document = Error(ErrorKind::Unavailable, answer.error);
            else if (answer.status != 200)
                document = Error(ErrorKind::Unavailable, QStringLiteral("HTTP status %1").arg(answer.status));
            else
                document = answer.body;
            promise->addResult(state->finish(origin, std::move(document), clock()));
            promise->finish();
        });
    return future;
}

QCoro::Task<Result<std::shared_ptr<const Jwks>>> JwksSource::keysFor(QString kid)
{
    std::shared_ptr<const Jwks> current;
    bool stale = false;
    {
        QMutexLocker lock(&m_state->mutex);
        current = m_state->keys;
        stale = current && m_clock() - m_state->loadedAtMs > qint64(m_options.refreshPeriod.count()) * 1000;
    }
    if (current && current->contains(kid)) {
        if (stale)
            startRefresh(true); // in the background: the current keys still answer this one
        co_return current;
    }

    // A load in flight (the first one, say) is joined whatever the rate limit says.
    const std::optional<QFuture<Status>> pending = startRefresh(true);
    if (!pending) {
        // Not started (rate limit): the keys as they are now. A load that finished after they
        // were read above (the first one, under concurrent first requests) has brought them.
        QMutexLocker lock(&m_state->mutex);
        // A copy first: QCoro's co_return moves from an lvalue of another type than the
        // task's, which would take the keys from every later caller.
        std::shared_ptr<const Jwks> now = m_state->keys;
        if (now)
            co_return now;
        co_return Error(
            ErrorKind::Unavailable,
            QStringLiteral("the issuer's signing keys are unavailable: %1").arg(m_state->lastError));
    }
    QFuture<Status> loading = *pending;
    const Status refreshed = co_await loading;
    if (!refreshed)
        co_return refreshed.error();
    co_return keys();
}

} // namespace butler
