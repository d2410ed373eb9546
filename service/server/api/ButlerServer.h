#pragma once

#include "Result.h"
#include "ServerConfig.h"

#include <QAtomicInt>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

namespace butler {

class Authenticator;
class FairDispatcher;
class HttpReply;
class HttpRequest;
class HttpServerHost;
class Metrics;
class RateLimiter;
class RepositoryService;
class ResourceMetadata;
class UrlSigner;
struct ApiAnswer;
struct ApiRequest;
struct ApiRoute;
struct HttpBodyPlan;
struct HttpRequestHead;

// butler-server: every request passes through handle(), which authenticates it, applies the
// caller's rate limit, finds its route and repository, and queues the handler for a worker
// thread (FairDispatcher: round-robin over users, queries capped per user), where it runs
// against the caller's AuthorizedButler (the policy). Nothing else decides who may do what.
class ButlerServer : public QObject
{
    Q_OBJECT

public:
    static Result<std::unique_ptr<ButlerServer>> create(const ServerConfig& config);
    ~ButlerServer() override;

    // Opens the listeners; returns the port (useful when the config asks for port 0).
    Result<quint16> start();
    quint16 port() const { return m_port; }
    // The first half of a graceful stop: /readyz turns 503 and no new connections are taken.
    void beginShutdown();
    // Waits up to graceMs for requests in flight, then closes everything.
    void stop(int graceMs);

    const ServerConfig& config() const { return m_config; }
    Metrics& metrics() { return *m_metrics; }

private:
    explicit ButlerServer(ServerConfig config);

    void handle(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply);
    void handleServerRoute(const std::shared_ptr<ApiRequest>& request,
                           const std::shared_ptr<HttpReply>& reply);
    void handleRepositoryRoute(const std::shared_ptr<ApiRequest>& request,
                               const std::shared_ptr<HttpReply>& reply);
    void handleFile(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply);
    // Signed uploads: the header of a PUT to /files/ is checked (signature, size, open slot)
    // before any of its body is read, and the body streams to disk (UploadReceiver).
    HttpBodyPlan planBody(const HttpRequestHead& head);
    void handleUpload(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply);
    // Frees expired upload slots of every repository, on a worker thread.
    void expireUploads();
    // Runs next with the caller's identity, or answers 401 (or 429 past the caller's rate limit).
    void authenticate(const std::shared_ptr<ApiRequest>& request, const std::shared_ptr<HttpReply>& reply,
                      const QByteArray& authorization, std::function<void()> next);
    // The caller's token bucket (limits:); false when it answered 429.
    bool admit(const ApiRequest& request, HttpReply& reply);
    bool exempt(const ApiRequest& request) const;
    // The answer to a request whose token was refused; its challenge names the resource
    // metadata when a provider is advertised.
    ApiAnswer refusal(const ApiRequest& request, const Error& error) const;
    // Refreshes stale query planner statistics of every repository, on a worker thread.
    void refreshStatistics();
    void runOnWorker(const ApiRoute* route, RepositoryService* repository,
                     const std::shared_ptr<ApiRequest>& request, const std::shared_ptr<HttpReply>& reply);
    // The server's own work (uploads arrived, cleanup): never refused while running.
    bool runInternal(std::function<void()> work, std::function<void()> dropped = {});

    static void send(HttpReply& reply, const ApiAnswer& answer);

    ServerConfig m_config;
    std::unique_ptr<UrlSigner> m_signer;
    std::unique_ptr<Authenticator> m_authenticator;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<ResourceMetadata> m_metadata;
    QHash<QString, RepositoryService*> m_repositories;
    std::vector<std::unique_ptr<RepositoryService>> m_ownedRepositories;
    std::unique_ptr<RateLimiter> m_limiter;
    // After the repositories: its threads end before what their jobs use goes.
    std::unique_ptr<FairDispatcher> m_dispatcher;
    std::unique_ptr<HttpServerHost> m_host;
    std::atomic<quint64> m_rateLimited{0};
    std::atomic<quint64> m_queueFull{0};
    QAtomicInt m_ready = 0;
    QAtomicInt m_expiring = 0;
    QTimer m_expiryTimer;
    QByteArray m_openApi;
    quint16 m_port = 0;
};

} // namespace butler
