#pragma once

#include "AuthConfig.h"
#include "PolicyConfig.h"
#include "Result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace butler {

// One served repository: /api/butler/repo/<label>/... maps to the repository at path.
struct RepositoryConfig
{
    QString label; // [A-Za-z0-9_-]+
    QString path;  // absolute; holds butler.yaml
};

// The `quotas:` section: per-user storage limits and the uploads that spend them.
struct QuotaConfig
{
    qint64 defaultBytes = 10737418240; // 10 GiB, for users without an override
    int uploadTtlSeconds = 3600;       // life of an upload slot and its PUT URL
    int cleanupIntervalSeconds = 60;   // how often expired slots are cleaned up
    qint64 maxFileBytes = 53687091200; // 50 GiB, one uploaded file
    int maxBatchFiles = 10000;         // files in one upload request
    bool syncOnCommit = false;         // flush the datastore's file system before a commit records files
};

struct SignedUrlConfig
{
    int ttlSeconds = 3600;
    int maxTtlSeconds = 604800; // 7 days, also the hard ceiling
    QString secretFile;         // absolute; empty: a random key per process (URLs die on restart)
};

// The `limits:` section: per-user fairness. Every authenticated API request spends a token of
// its user's bucket (refused with 429 and Retry-After when empty); a user's registry queries
// run at most concurrentQueriesPerUser at once, the rest wait in the user's queue, and the
// worker threads serve the users' queues round-robin.
struct LimitsConfig
{
    double requestsPerSecondPerUser = 50;
    double burstPerUser = 0; // the bucket's size; 0: twice requestsPerSecondPerUser
    int concurrentQueriesPerUser = 2;
    int maxQueuedPerUser = 1000; // requests of one user waiting for a worker; more get 429
    bool exemptAdmins = false;   // admins skip the rate limit and the query cap

    double effectiveBurst() const { return burstPerUser > 0 ? burstPerUser : 2 * requestsPerSecondPerUser; }
};

// The `http:` section: limits of the HTTP front, as plain numbers (see HttpLimits).
struct HttpLimitsConfig
{
    int maxHeaderBytes = 16 * 1024;
    qint64 maxBodyBytes = 64LL << 20; // bodies are held in memory
    int headerTimeoutMs = 10000;      // to receive the request line and headers
    int bodyTimeoutMs = 60000;        // the body must keep arriving
    int idleTimeoutMs = 60000;        // keep-alive connection without a request
    int maxConnections = 10000;
    int listenBacklog = 1024;
    int threads = 0; // listener threads; 0: one per core
};

// The `auth.login:` section: the OpenID Connect provider that `butler login` and the desktop
// app sign in at, published as OAuth 2.0 protected resource metadata (RFC 9728; see
// ResourceMetadata), so that clients need not be told the issuer.
struct LoginConfig
{
    bool advertise = true;                           // false: publish no metadata
    QString issuer;                                  // empty: auth.jwt.issuer
    QString clientId = QStringLiteral("butler-cli"); // the public client they sign in as
    QStringList scopes;                              // what a token for this server needs besides openid
};

struct HttpLimits;

// The butler-server configuration: the YAML file of `butler-server --config FILE`, or the
// quick-start options. Relative file paths are resolved against the config file's folder, so
// every path here is absolute.
struct ServerConfig
{
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8080; // 0: any free port
    QString publicUrl;         // http(s)://..., no trailing slash; default http://<listen>
    QList<RepositoryConfig> repositories;
    // auth: section. Its group names are not read from here: authConfig() takes policy's.
    AuthConfig auth;
    LoginConfig login; // auth.login:
    PolicyConfig policy{QStringLiteral("data-rights"), QStringLiteral("butler-admins"), 730};
    QuotaConfig quotas;
    SignedUrlConfig signedUrls;
    LimitsConfig limits;
    HttpLimitsConfig http;
    int workers = 4; // registry worker threads
    // Nice levels the primary workers run below the listener threads (FairDispatcher::Options).
    int workerNice = 5;
    // Queries a user must have waiting, while others use the server, for theirs to run on the
    // SCHED_IDLE background threads (FairDispatcher::Options); 0: never.
    int backgroundBacklog = 4;

    // Reads and validates a config file. On failure the error lists every problem found, one
    // per line, each naming its key path and line.
    static Result<ServerConfig> load(const QString& file);
    static Result<ServerConfig> fromYaml(const QByteArray& text, const QString& baseDir);

    // `butler-server --repo PATH [--listen HOST:PORT] [--token-file FILE]`: one repository
    // labelled "main". An empty listen means 127.0.0.1:8080. Call validate() on the result.
    static ServerConfig quickStart(const QString& repoPath, const QString& listen, const QString& tokenFile);

    // The checks that do not need the YAML text: repositories, files, bounds, auth. load() and
    // fromYaml() run them already.
    Status validate() const;

    const RepositoryConfig* repository(const QString& label) const;

    // The parts as the server's libraries take them.
    AuthConfig authConfig() const; // auth plus the policy's group names
    PolicyConfig policyConfig() const { return policy; }
    HttpLimits httpLimits() const;
    // The provider the metadata names: login.issuer, else auth.jwt.issuer when that is an
    // http(s) URL; empty when nothing is advertised (login.advertise false, or no issuer).
    QString advertisedIssuer() const;
    // listenHost as an address; a host name is looked up (blocking). Null if it does not resolve.
    QHostAddress listenAddress() const;
};

} // namespace butler
