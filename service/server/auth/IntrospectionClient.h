#pragma once

#include "AuthClock.h"
#include "Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <QCoroTask>

#include <chrono>
#include <memory>

namespace butler {

class HttpFetcher;

// Asks an RFC 7662 introspection endpoint about opaque tokens: POST token=..., the server's
// client id and secret in HTTP Basic. Active answers are cached briefly (cacheTtl, never past
// the token's exp) so a busy client costs one request per token and minute; a revocation is
// therefore noticed within cacheTtl. Thread-safe.
class IntrospectionClient
{
public:
    struct Options
    {
        QUrl url;
        QString clientId;
        QString clientSecret;
        QString issuer;   // when set, an answer naming another iss is refused
        QString audience; // when set, an answer with an aud must contain it
        std::chrono::seconds cacheTtl{60};
        qint64 clockSkewSeconds = 60;
        qsizetype maxCacheEntries = 10000;
    };

    static Result<std::unique_ptr<IntrospectionClient>>
    create(Options options, std::shared_ptr<HttpFetcher> fetcher, AuthClock clock = systemAuthClock());
    ~IntrospectionClient();

    // The answer's claims when the token is active. Unauthenticated when it is not, Unavailable
    // when the endpoint cannot be asked or answers nonsense.
    QCoro::Task<Result<QJsonObject>> introspect(QByteArray token);

    // Requests sent so far (for tests and metrics).
    int requestCount() const;

private:
    struct Cache;

    IntrospectionClient(Options options, std::shared_ptr<HttpFetcher> fetcher, AuthClock clock);
    Result<QJsonObject> judge(const QByteArray& tokenHash, int status, const QByteArray& body);

    Options m_options;
    std::shared_ptr<HttpFetcher> m_fetcher;
    AuthClock m_clock;
    QByteArray m_basicAuth;
    std::unique_ptr<Cache> m_cache;
};

} // namespace butler
