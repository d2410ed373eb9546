#include "ButlerServer.h"

#include "AccessLog.h"
#include "AclStore.h"
#include "ApiAnswer.h"
#include "ApiCall.h"
#include "ApiErrors.h"
#include "ApiRequest.h"
#include "ApiRoutes.h"
#include "Authenticator.h"
#include "AuthorizedButler.h"
#include "DirectButler.h"
#include "FairDispatcher.h"
#include "FileRequest.h"
#include "FileResponder.h"
#include "HttpBodyPlan.h"
#include "HttpReply.h"
#include "HttpRequest.h"
#include "HttpServerHost.h"
#include "Metrics.h"
#include "OpenApiDocument.h"
#include "RateLimiter.h"
#include "Registry.h"
#include "RepositoryService.h"
#include "ResourceMetadata.h"
#include "SqliteDatabase.h"
#include "SteadyClock.h"
#include "UploadReceiver.h"
#include "UploadService.h"
#include "UrlSigner.h"

#include <QCoroTask>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUuid>

Q_LOGGING_CATEGORY(lcServerMain, "butler.server.main")

namespace butler {

namespace {

const QString kRepoPrefix = QStringLiteral("/api/butler/repo/");
const QString kFilesPrefix = QStringLiteral("/files/");
const QString kRepoRouteLabel = QStringLiteral("/api/butler/repo/{label}/v1");

// Answers from this size on are written by the worker that made them (see runOnWorker).
constexpr qsizetype kDirectAnswerBytes = 8 * 1024;

// Client request IDs go into logs: keep them short and printable.
QByteArray cleanRequestId(const QByteArray& raw)
{
    if (raw.isEmpty() || raw.size() > 128)
        return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    for (const char c : raw) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok)
            return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    }
    return raw;
}

QByteArray headerValue(const HttpRequest& request, const char* name)
{
    return request.value(QByteArray::fromRawData(name, qstrlen(name)));
}

// 429 rate_limited: nothing was done, the client may send the same request again after
// retryAfter seconds.
ApiAnswer tooManyRequests(const QString& message, qint64 retryAfter)
{
    ApiAnswer answer = ApiErrors::answer(429, QStringLiteral("rate_limited"), message);
    answer.headers.append({QByteArrayLiteral("Retry-After"), QByteArray::number(retryAfter)});
    return answer;
}

ApiAnswer stopping()
{
    return ApiErrors::answer(Error(ErrorKind::Unavailable, QStringLiteral("the server is stopping")));
}

// An error about the file of an opaque URL, in words that name no path: the kind is kept.
Error withoutPath(const Error& error)
{
    switch (error.kind()) {
    case ErrorKind::NotFound:
        return notFound(QStringLiteral("the file of this URL does not exist"));
    case ErrorKind::PermissionDenied:
        return Error(ErrorKind::PermissionDenied, QStringLiteral("the file of this URL cannot be served"));
    default:
        qCWarning(lcServerMain).noquote() << "serving an opaque file URL failed:" << error.message();
        return Error(error.kind(), QStringLiteral("the file of this URL cannot be read"));
    }
}

// A QObject per listener thread, for QCoro continuations that must come back to that thread.
QObject* threadContext()
{
    thread_local QObject context;
    return &context;
}

} // namespace

Result<std::unique_ptr<ButlerServer>> ButlerServer::create(const ServerConfig& config)
{
    std::unique_ptr<ButlerServer> server(new ButlerServer(config));

    UrlSigner::Options signing;
    signing.defaultTtlSeconds = config.signedUrls.ttlSeconds;
    signing.maxTtlSeconds = config.signedUrls.maxTtlSeconds;
    Result<UrlSigner> signer = invalidInput(QString());
    if (config.signedUrls.secretFile.isEmpty()) {
        // No key file: a random key for this process; its URLs stop working on restart.
        QByteArray key(48, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(key.data()), key.size() / 4);
        signer = UrlSigner::fromKey(key, signing);
    } else {
        signer = UrlSigner::fromKeyFile(config.signedUrls.secretFile, signing);
    }
    if (!signer)
        return signer.error();
    server->m_signer = std::make_unique<UrlSigner>(std::move(signer).value());
    BUTLER_ASSIGN_OR_RETURN(server->m_authenticator, Authenticator::create(config.authConfig()));
    // A server opens its registries to query them: pages read ahead now are not each waited for
    // by the first queries.
    SqliteDatabase::setWarmFileCache(true);
    for (const auto& repo : config.repositories) {
        BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RepositoryService> service,
                                RepositoryService::open(repo.label, repo.path, config.policyConfig(),
                                                        config.quotas, server->m_signer.get(),
                                                        config.publicUrl));
        server->m_repositories.insert(repo.label, service.get());
        server->m_ownedRepositories.push_back(std::move(service));
    }
    const LimitsConfig& limits = config.limits;
    server->m_limiter =
        std::make_unique<RateLimiter>(limits.requestsPerSecondPerUser, limits.effectiveBurst());
    FairDispatcher::Options dispatch;
    dispatch.threads = std::max(1, config.workers);
    dispatch.nice = config.workerNice;
    dispatch.backgroundBacklog = config.backgroundBacklog;
    dispatch.maxRunningPerUser = limits.concurrentQueriesPerUser;
    dispatch.maxQueuedPerUser = limits.maxQueuedPerUser;
    server->m_dispatcher = std::make_unique<FairDispatcher>(dispatch);
    server->m_openApi = OpenApiDocument::build(ApiRoutes::repositoryRoutes());

    Metrics& metrics = *server->m_metrics;
    ButlerServer* self = server.get();
    FairDispatcher* dispatcher = server->m_dispatcher.get();
    RateLimiter* limiter = server->m_limiter.get();
    metrics.addGauge("butler_worker_queue_depth", "Requests waiting for a worker thread",
                     [dispatcher] { return double(dispatcher->queued()); });
    metrics.addGauge("butler_worker_threads_busy", "Worker threads running a request",
                     [dispatcher] { return double(dispatcher->busyThreads()); });
    metrics.addGauge("butler_worker_queue_users", "Users with requests waiting for a worker thread",
                     [dispatcher] { return double(dispatcher->waitingUsers()); });
    metrics.addGauge("butler_queries_running_max_per_user",
                     "The most queries one user has running right now (capped by "
                     "limits.concurrent_queries_per_user)",
                     [dispatcher] { return double(dispatcher->maxRunningPerUser()); });
    metrics.addGauge("butler_queries_running_peak_per_user",
                     "The most queries one user ever had running at once since the start",
                     [dispatcher] { return double(dispatcher->peakRunningPerUser()); });
    metrics.addCounter("butler_queries_background_total",
                       "Queries run on the SCHED_IDLE background threads: those of a user with "
                       "background_backlog waiting while others used the server",
                       [dispatcher] { return double(dispatcher->backgroundRuns()); });
    metrics.addGauge("butler_rate_limit_buckets", "Users with a rate-limit bucket in memory",
                     [limiter] { return double(limiter->bucketCount()); });
    metrics.addCounter("butler_requests_rate_limited_total",
                       "Requests refused with 429: the user's rate limit was spent",
                       [self] { return double(self->m_rateLimited.load(std::memory_order_relaxed)); });
    metrics.addCounter("butler_requests_queue_full_total",
                       "Requests refused with 429: the user had limits.max_queued_per_user waiting",
                       [self] { return double(self->m_queueFull.load(std::memory_order_relaxed)); });
    return server;
}

ButlerServer::ButlerServer(ServerConfig config)
    : m_config(std::move(config))
    , m_metrics(std::make_unique<Metrics>())
    , m_metadata(std::make_unique<ResourceMetadata>(m_config))
{
}

ButlerServer::~ButlerServer()
{
    stop(0);
}

Result<quint16> ButlerServer::start()
{
    HttpLimits limits = m_config.httpLimits();
    limits.bodyPlanner = [this](const HttpRequestHead& head) { return planBody(head); };
    m_host = std::make_unique<HttpServerHost>(
        limits, [this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            handle(request, reply);
        });
    BUTLER_ASSIGN_OR_RETURN(m_port, m_host->listen(m_config.listenAddress(), m_config.listenPort));
    HttpServerHost* host = m_host.get();
    m_metrics->addGauge("butler_http_open_connections", "Open client connections",
                        [host] { return double(host->stats().openConnections); });
    m_metrics->addGauge("butler_http_requests_in_flight", "Requests being answered",
                        [host] { return double(host->stats().inFlight); });
    if (m_config.publicUrl.endsWith(QLatin1String(":0"))) {
        // Port 0 in the config: links must carry the port the kernel chose.
        m_config.publicUrl.chop(1);
        m_config.publicUrl += QString::number(m_port);
        for (RepositoryService* repository : std::as_const(m_repositories))
            repository->setPublicUrl(m_config.publicUrl);
        m_metadata->setPublicUrl(m_config.publicUrl);
    }
    m_expiryTimer.setInterval(std::chrono::seconds(m_config.quotas.cleanupIntervalSeconds));
    connect(&m_expiryTimer, &QTimer::timeout, this, &ButlerServer::expireUploads);
    m_expiryTimer.start();
    expireUploads(); // what a previous run left behind
    refreshStatistics();
    m_ready.storeRelease(1);
    qCInfo(lcServerMain).noquote() << "listening on" << m_config.listenHost << "port" << m_port << "with"
                                   << m_repositories.size() << "repositories";
    if (m_metadata->enabled())
        qCInfo(lcServerMain).noquote() << "clients are told to sign in at" << m_metadata->issuer()
                                       << "(" + ResourceMetadata::Prefix + ")";
    return m_port;
}

void ButlerServer::beginShutdown()
{
    m_ready.storeRelease(0);
    m_expiryTimer.stop();
    if (m_host)
        m_host->stopAccepting();
}

void ButlerServer::stop(int graceMs)
{
    if (!m_host)
        return;
    beginShutdown();
    if (graceMs > 0 && !m_host->waitForIdle(graceMs))
        qCWarning(lcServerMain) << "stopping with requests still in flight after" << graceMs << "ms";
    if (!m_dispatcher->waitForIdle(graceMs > 0 ? graceMs : 5000))
        qCWarning(lcServerMain) << "stopping with" << m_dispatcher->queued() << "requests still waiting";
    m_dispatcher->shutdown(); // waits for the requests running
    m_host->stop();
    m_host.reset();
}

void ButlerServer::handle(const HttpRequest& httpRequest, const std::shared_ptr<HttpReply>& reply)
{
    auto request = std::make_shared<ApiRequest>();
    request->method = reply->method();
    request->path = httpRequest.path();
    request->requestId = cleanRequestId(headerValue(httpRequest, "x-butler-client-request-id"));
    reply->addHeader(QByteArrayLiteral("X-Butler-Client-Request-Id"), request->requestId);

    // Route label for metrics: templates only, so label values stay a small fixed set.
    QElapsedTimer timer;
    timer.start();
    Metrics* metrics = m_metrics.get();
    const auto logLine = [metrics, request, timer](const QString& routeLabel) {
        return [metrics, request, timer, routeLabel](int status, qint64 bytes) {
            const qint64 elapsed = timer.nsecsElapsed();
            metrics->observeRequest(routeLabel, request->method, status, double(elapsed) / 1e9);
            if (!AccessLog::enabled())
                return;
            QByteArray line;
            line.reserve(160);
            line.append(request->method).append(' ').append(request->path.toUtf8()).append(' ');
            AccessLog::appendInteger(line, status);
            line.append(' ');
            AccessLog::appendInteger(line, bytes);
            line.append(' ');
            AccessLog::appendMilliseconds(line, elapsed);
            line.append(' ');
            line.append(request->identity.user.isEmpty() ? QByteArray("-") : request->identity.user.toUtf8());
            line.append(' ').append(request->requestId);
            // Time waiting for a worker and running on it: a slow answer's wait says the
            // server was busy (or the user at the limit), its run what the request cost.
            const qint64 queued = request->queuedAt.load(std::memory_order_relaxed);
            const qint64 started = request->startedAt.load(std::memory_order_relaxed);
            const qint64 answered = request->answeredAt.load(std::memory_order_relaxed);
            if (queued && started) {
                line.append(" wait=");
                AccessLog::appendMilliseconds(line, started - queued);
            }
            if (started && answered) {
                line.append(" run=");
                AccessLog::appendMilliseconds(line, answered - started);
            }
            AccessLog::write(line);
        };
    };

    if (request->path.startsWith(kFilesPrefix)) {
        reply->onFinished(logLine(QStringLiteral("/files")));
        handleFile(httpRequest, reply);
        return;
    }

    request->query = httpRequest.query();
    request->accept = headerValue(httpRequest, "accept");
    request->body = httpRequest.body();

    if (request->path.startsWith(kRepoPrefix)) {
        // /api/butler/repo/<label>/v1/<route>
        const QStringView rest = QStringView(request->path).mid(kRepoPrefix.size());
        const qsizetype slash = rest.indexOf(u'/');
        const QStringView label = slash < 0 ? rest : rest.left(slash);
        const QStringView tail = slash < 0 ? QStringView() : rest.mid(slash);
        request->label = label.toString();
        QString routeLabel = QStringLiteral("other");
        if (tail.startsWith(u"/v1/")) {
            QByteArrayList allowed;
            if (ApiRoutes::find(tail.mid(3), request->method, &allowed) || !allowed.isEmpty())
                routeLabel = kRepoRouteLabel + tail.mid(3).toString();
        }
        reply->onFinished(logLine(routeLabel));
        const QByteArray authorization = headerValue(httpRequest, "authorization");
        authenticate(request, reply, authorization,
                     [this, request, reply] { handleRepositoryRoute(request, reply); });
        return;
    }

    static const QStringList serverRoutes{
        QStringLiteral("/healthz"), QStringLiteral("/readyz"), QStringLiteral("/metrics"),
        QStringLiteral("/api/butler/openapi.json"), QStringLiteral("/api/butler/repos")};
    QString routeLabel = QStringLiteral("other");
    if (serverRoutes.contains(request->path))
        routeLabel = request->path;
    else if (const std::optional<QString> resource = m_metadata->resourceOf(request->path))
        routeLabel = ResourceMetadata::routeLabel(*resource);
    reply->onFinished(logLine(routeLabel));
    if (request->path == QLatin1String("/api/butler/repos")) {
        const QByteArray authorization = headerValue(httpRequest, "authorization");
        authenticate(request, reply, authorization,
                     [this, request, reply] { handleServerRoute(request, reply); });
        return;
    }
    handleServerRoute(request, reply);
}

void ButlerServer::authenticate(const std::shared_ptr<ApiRequest>& request,
                                const std::shared_ptr<HttpReply>& reply, const QByteArray& authorization,
                                std::function<void()> next)
{
    if (authorization.isEmpty()) {
        send(*reply, refusal(*request, Error(ErrorKind::Unauthenticated,
                                             QStringLiteral("this server needs a bearer token: send "
                                                            "'Authorization: Bearer <token>'"))));
        return;
    }
    if (std::optional<Result<Identity>> cached = m_authenticator->cached(authorization)) {
        m_metrics->countCache("token", true);
        if (!cached->ok()) {
            send(*reply, refusal(*request, cached->error()));
            return;
        }
        request->identity = std::move(*cached).value();
        if (admit(*request, *reply))
            next();
        return;
    }
    m_metrics->countCache("token", false);
    QCoro::connect(m_authenticator->authenticate(authorization), threadContext(),
                   [this, request, reply, next = std::move(next)](Result<Identity> identity) {
                       if (!identity.ok()) {
                           send(*reply, refusal(*request, identity.error()));
                           return;
                       }
                       request->identity = std::move(identity).value();
                       if (admit(*request, *reply))
                           next();
                   });
}

ApiAnswer ButlerServer::refusal(const ApiRequest& request, const Error& error) const
{
    ApiAnswer answer = ApiErrors::answer(error);
    if (answer.status != 401 || !m_metadata->enabled())
        return answer;
    // RFC 9728 §5.1: where to learn which provider the token should come from.
    const QString label = m_repositories.contains(request.label) ? request.label : QString();
    for (auto& header : answer.headers) {
        if (header.first == "WWW-Authenticate")
            header.second = m_metadata->challenge(label);
    }
    return answer;
}

bool ButlerServer::exempt(const ApiRequest& request) const
{
    return m_config.limits.exemptAdmins && request.identity.admin;
}

bool ButlerServer::admit(const ApiRequest& request, HttpReply& reply)
{
    if (exempt(request))
        return true;
    const RateLimiter::Decision decision = m_limiter->take(request.identity.user);
    if (decision.allowed)
        return true;
    m_rateLimited.fetch_add(1, std::memory_order_relaxed);
    const qint64 retryAfter = decision.retryAfterSeconds();
    send(reply, tooManyRequests(QStringLiteral("%1 sent more than %2 requests per second (bursts of %3; "
                                               "limits.requests_per_second_per_user): retry in %4 s")
                                    .arg(request.identity.user.left(100))
                                    .arg(m_limiter->rate())
                                    .arg(m_limiter->burst())
                                    .arg(retryAfter),
                                retryAfter));
    return false;
}

void ButlerServer::handleServerRoute(const std::shared_ptr<ApiRequest>& request,
                                     const std::shared_ptr<HttpReply>& reply)
{
    const QString& path = request->path;
    // Public metadata (RFC 9728) of the server or a repository, label known or not.
    const std::optional<QString> resource = m_metadata->resourceOf(path);
    const bool known = path == QLatin1String("/healthz") || path == QLatin1String("/readyz") ||
                       path == QLatin1String("/metrics") ||
                       path == QLatin1String("/api/butler/openapi.json") ||
                       path == QLatin1String("/api/butler/repos") || resource.has_value();
    if (!known) {
        send(*reply, ApiErrors::answer(404, QStringLiteral("not_found"),
                                       QStringLiteral("no such route: %1").arg(path.left(200))));
        return;
    }
    if (request->method != "GET" && request->method != "HEAD") {
        ApiAnswer answer = ApiErrors::answer(405, QStringLiteral("method_not_allowed"),
                                             QStringLiteral("%1 takes GET or HEAD").arg(path));
        answer.headers.append({QByteArrayLiteral("Allow"), QByteArrayLiteral("GET, HEAD")});
        send(*reply, answer);
        return;
    }
    if (resource) {
        if (!resource->isEmpty() && m_metadata->enabled() && !m_repositories.contains(*resource))
            send(*reply, ApiErrors::answer(notFound(
                             QStringLiteral("no repository '%1' on this server").arg(resource->left(100)))));
        else
            send(*reply, m_metadata->document(*resource));
    } else if (path == QLatin1String("/healthz")) {
        send(*reply, ApiAnswer::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}));
    } else if (path == QLatin1String("/readyz")) {
        const bool ready = m_ready.loadAcquire() != 0;
        send(*reply,
             ApiAnswer::json(QJsonObject{{QStringLiteral("status"),
                                          ready ? QStringLiteral("ready") : QStringLiteral("stopping")}},
                             ready ? 200 : 503));
    } else if (path == QLatin1String("/metrics")) {
        ApiAnswer answer;
        answer.contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
        answer.body = m_metrics->render();
        send(*reply, answer);
    } else if (path == QLatin1String("/api/butler/openapi.json")) {
        ApiAnswer answer;
        answer.body = m_openApi;
        send(*reply, answer);
    } else {
        QStringList labels = m_repositories.keys();
        labels.sort();
        send(*reply, ApiAnswer::json(
                         QJsonObject{{QStringLiteral("repositories"), QJsonArray::fromStringList(labels)}}));
    }
}

void ButlerServer::handleRepositoryRoute(const std::shared_ptr<ApiRequest>& request,
                                         const std::shared_ptr<HttpReply>& reply)
{
    RepositoryService* repository = m_repositories.value(request->label);
    if (!repository) {
        send(*reply, ApiErrors::answer(notFound(
                         QStringLiteral("no repository '%1' on this server").arg(request->label.left(100)))));
        return;
    }
    const QString base = kRepoPrefix + request->label + QStringLiteral("/v1");
    if (!request->path.startsWith(base + u'/')) {
        send(*reply, ApiErrors::answer(404, QStringLiteral("not_found"),
                                       QStringLiteral("no such route: %1 (this server speaks API v1)")
                                           .arg(request->path.left(200))));
        return;
    }
    QByteArrayList allowed;
    const ApiRoute* route =
        ApiRoutes::find(QStringView(request->path).mid(base.size()), request->method, &allowed);
    if (!route) {
        if (!allowed.isEmpty()) {
            ApiAnswer answer = ApiErrors::answer(
                405, QStringLiteral("method_not_allowed"),
                QStringLiteral("%1 takes %2").arg(request->path, QString::fromLatin1(allowed.join(", "))));
            answer.headers.append({QByteArrayLiteral("Allow"), allowed.join(", ")});
            send(*reply, answer);
        } else {
            send(*reply, ApiErrors::answer(404, QStringLiteral("not_found"),
                                           QStringLiteral("no such route: %1").arg(request->path.left(200))));
        }
        return;
    }
    runOnWorker(route, repository, request, reply);
}

void ButlerServer::refreshStatistics()
{
    // ANALYZE reads every table (about 0.6 s per million datasets), taking the write lock for one
    // index at a time: on a worker, one repository after another, while the server answers.
    const QList<RepositoryService*> repositories = m_repositories.values();
    runInternal([repositories] {
        for (RepositoryService* repository : repositories) {
            const QString name = QStringLiteral("repository %1:").arg(repository->label());
            QElapsedTimer timer;
            timer.start();
            const Result<bool> refreshed = repository->butler().registry().refreshStatisticsIfStale();
            if (!refreshed)
                qCWarning(lcServerMain).noquote()
                    << name
                    << "could not refresh the query planner's statistics:" << refreshed.error().message();
            else if (*refreshed)
                qCInfo(lcServerMain).noquote()
                    << name << "refreshed the query planner's statistics in" << timer.elapsed() << "ms";
            else
                qCInfo(lcServerMain).noquote() << name << "the query planner's statistics are current";
        }
    });
}

void ButlerServer::runOnWorker(const ApiRoute* route, RepositoryService* repository,
                               const std::shared_ptr<ApiRequest>& request,
                               const std::shared_ptr<HttpReply>& reply)
{
    FairQueue::Job job;
    job.user = request->identity.user;
    job.capped = route->query && !exempt(*request);
    job.drop = [reply] { reply->post([reply] { send(*reply, stopping()); }); };
    job.run = [dispatcher = m_dispatcher.get(), route, repository, request, reply] {
        request->startedAt.store(steadyNanoseconds(), std::memory_order_relaxed);
        if (!reply->isConnected())
            return; // the client gave up while the request waited
        AuthorizedButler butler(repository->butler(), repository->acls(), repository->policy(),
                                request->identity);
        auto started = std::make_shared<bool>(false);
        ApiCall call{*request, butler, *repository, [reply, started](const QByteArray& chunk, bool last) {
                         const bool first = !*started;
                         *started = true;
                         reply->post([reply, chunk, last, first] {
                             if (first)
                                 reply->beginChunked(200, QByteArrayLiteral("application/x-ndjson"));
                             reply->writeChunk(chunk);
                             if (last)
                                 reply->endChunked();
                         });
                     }};
        Result<ApiAnswer> answer = route->handler(call);
        request->answeredAt.store(steadyNanoseconds(), std::memory_order_relaxed);
        if (answer.ok() && answer->status == 0)
            return; // streamed
        ApiAnswer out = answer.ok() ? std::move(answer).value() : ApiErrors::answer(answer.error());
        if (!answer.ok() && out.status >= 500)
            qCWarning(lcServerMain).noquote()
                << "request" << request->requestId << "failed:" << answer.error().message();
        // Written from here at once: an answer nothing else of its user waits behind, and a
        // large one, whose writing costs the listener thread more than the wake-up it saves
        // and would keep other users' requests waiting there. Small answers of a user with
        // more requests waiting go to the listener thread, which writes many at one wake-up
        // (find's throughput under load is a fifth higher that way).
        if (out.body.size() >= kDirectAnswerBytes || dispatcher->queued(request->identity.user) == 0)
            send(*reply, out);
        else
            reply->post([reply, out = std::move(out)] { send(*reply, out); });
    };
    request->queuedAt.store(steadyNanoseconds(), std::memory_order_relaxed);
    switch (m_dispatcher->submit(std::move(job))) {
    case FairDispatcher::Submit::Queued:
        return;
    case FairDispatcher::Submit::Full:
        // Nothing was done: a client that waits and sends it again loses nothing.
        m_queueFull.fetch_add(1, std::memory_order_relaxed);
        send(*reply, tooManyRequests(
                         QStringLiteral("%1 has %2 requests waiting already (limits.max_queued_per_user): "
                                        "retry in 1 s")
                             .arg(request->identity.user.left(100))
                             .arg(m_config.limits.maxQueuedPerUser),
                         1));
        return;
    case FairDispatcher::Submit::Stopped:
        send(*reply, stopping());
        return;
    }
}

bool ButlerServer::runInternal(std::function<void()> work, std::function<void()> dropped)
{
    FairQueue::Job job;
    job.run = std::move(work);
    job.drop = std::move(dropped);
    return m_dispatcher->submit(std::move(job), false) == FairDispatcher::Submit::Queued;
}

void ButlerServer::handleFile(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply)
{
    const QByteArray method = reply->method();
    if (method == "PUT") {
        handleUpload(request, reply);
        return;
    }
    if (method != "GET" && method != "HEAD") {
        ApiAnswer answer = ApiErrors::answer(405, QStringLiteral("method_not_allowed"),
                                             QStringLiteral("signed file URLs take GET, HEAD or PUT"));
        answer.headers.append({QByteArrayLiteral("Allow"), QByteArrayLiteral("GET, HEAD, PUT")});
        send(*reply, answer);
        return;
    }
    // /files/<label>/<path>: the signature covers the decoded path, so every spelling of the
    // same file checks against the one string that was signed.
    const Result<FileRequest> parsed = FileRequest::parse(request.encodedPath());
    if (!parsed) {
        send(*reply, ApiErrors::answer(parsed.error()));
        return;
    }
    RepositoryService* repository = m_repositories.value(parsed->label());
    const Status signature = m_signer->verify(method, parsed->signedPath(), request.query());
    if (!signature.ok() || !repository) {
        send(*reply, ApiErrors::answer(403, QStringLiteral("permission_denied"),
                                       signature.ok() ? QStringLiteral("this URL names no repository")
                                                      : signature.error().message()));
        return;
    }
    // The opaque form (o/<token>) stands for a datastore path that its URL must not name: a
    // token that does not open is refused as a bad signature is, and no error names the path.
    const bool opaque = parsed->isOpaque();
    const Result<FileRequest> target = parsed->unsealed(m_signer->sealer());
    if (!target) {
        send(*reply, ApiErrors::answer(403, QStringLiteral("permission_denied"), target.error().message()));
        return;
    }
    const Result<QString> absolute = target->resolve(repository->datastoreRoot());
    if (!absolute.ok()) {
        send(*reply, ApiErrors::answer(opaque ? withoutPath(absolute.error()) : absolute.error()));
        return;
    }
    std::function<void(const Error&)> fail;
    if (opaque)
        fail = [reply](const Error& error) { send(*reply, ApiErrors::answer(withoutPath(error))); };
    FileResponder::serve(reply, request, absolute.value(), QString(), std::move(fail));
}

HttpBodyPlan ButlerServer::planBody(const HttpRequestHead& head)
{
    if (head.method != "PUT" || !head.target.startsWith("/files/"))
        return HttpBodyPlan::buffer();
    const auto refuse = [&head](const Error& error) {
        qCInfo(lcServerMain).noquote()
            << "upload refused:" << error.message() << "("
            << QString::fromLatin1(head.target.left(head.target.indexOf('?'))) << ")";
        return HttpBodyPlan::refuse(ApiErrors::httpStatus(error.kind()), error.kindName().toLatin1(),
                                    error.message());
    };
    const qsizetype mark = head.target.indexOf('?');
    const QByteArray path = mark < 0 ? head.target : head.target.left(mark);
    const QUrlQuery query(QString::fromLatin1(mark < 0 ? QByteArray() : head.target.mid(mark + 1)));
    const Result<FileRequest> parsed = FileRequest::parse(path);
    if (!parsed)
        return refuse(parsed.error());
    const Result<qint64> size = m_signer->verifyPut(parsed->signedPath(), query);
    if (!size)
        return refuse(size.error());
    RepositoryService* repository = m_repositories.value(parsed->label());
    if (!repository)
        return refuse(Error(ErrorKind::PermissionDenied, QStringLiteral("this URL names no repository")));
    if (head.contentLength < 0)
        return HttpBodyPlan::refuse(
            411, QByteArrayLiteral("length_required"),
            QStringLiteral("an upload needs a Content-Length of exactly %1").arg(*size));
    if (head.contentLength != *size)
        return refuse(
            invalidInput(QStringLiteral("Content-Length %1 is not the %2 bytes this URL was signed for")
                             .arg(head.contentLength)
                             .arg(*size)));
    Result<std::shared_ptr<UploadReceiver>> receiver =
        repository->uploadService().openReceiver(*parsed, *size);
    if (!receiver)
        return refuse(receiver.error());
    return HttpBodyPlan::stream(std::move(receiver).value());
}

void ButlerServer::handleUpload(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply)
{
    auto receiver = std::dynamic_pointer_cast<UploadReceiver>(reply->bodySink());
    const Result<FileRequest> parsed = FileRequest::parse(request.encodedPath());
    RepositoryService* repository = parsed ? m_repositories.value(parsed->label()) : nullptr;
    if (!receiver || !receiver->isComplete() || !repository) {
        send(*reply, ApiErrors::answer(400, QStringLiteral("invalid_input"),
                                       QStringLiteral("this upload was not accepted")));
        return;
    }
    // Here, not on a worker: placing an upload is a rename and a lookup in memory (the
    // database is asked only after a restart), cheaper than the hand-over.
    Result<QJsonObject> stored = repository->uploadService().receive(*receiver);
    ApiAnswer answer = stored ? ApiAnswer::json(stored.value(), 201) : ApiErrors::answer(stored.error());
    if (!stored && answer.status >= 500)
        qCWarning(lcServerMain).noquote() << "upload failed:" << stored.error().message();
    send(*reply, answer);
}

void ButlerServer::expireUploads()
{
    if (!m_expiring.testAndSetAcquire(0, 1))
        return; // the previous round is still running
    QList<RepositoryService*> repositories = m_repositories.values();
    const auto done = [this] { m_expiring.storeRelease(0); };
    if (!runInternal(
            [repositories, done] {
                const qint64 now = QDateTime::currentSecsSinceEpoch();
                for (RepositoryService* repository : repositories) {
                    const Result<int> freed = repository->uploadService().expire(now);
                    if (!freed)
                        qCWarning(lcServerMain).noquote()
                            << "cleaning up expired uploads of" << repository->label()
                            << "failed:" << freed.error().message();
                }
                done();
            },
            done))
        done();
}

void ButlerServer::send(HttpReply& reply, const ApiAnswer& answer)
{
    for (const auto& header : answer.headers)
        reply.addHeader(header.first, header.second);
    reply.send(answer.status, answer.contentType, answer.body);
}

} // namespace butler
