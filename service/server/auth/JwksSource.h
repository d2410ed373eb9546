#pragma once

#include "AuthClock.h"
#include "Jwks.h"
#include "Result.h"

#include <QFuture>
#include <QString>
#include <QUrl>

#include <QCoroTask>

#include <chrono>
#include <memory>
#include <optional>

namespace butler {

class HttpFetcher;

// Where the issuer's signing keys come from: a JWKS file or URL, refreshed when a token names
// a key id the current set lacks (at most once per minRefreshInterval, so a flood of made-up
// kids costs one fetch) and, lazily, once the set is older than refreshPeriod. Thread-safe:
// any listener thread may ask, concurrent askers share one fetch, and a caller that needs a
// fetch awaits it without blocking its event loop.
class JwksSource
{
public:
    struct Options
    {
        QString file; // exactly one of file and url
        QUrl url;
        std::chrono::seconds minRefreshInterval{30};
        std::chrono::seconds refreshPeriod{3600};
    };

    // A file is read now, and a bad one is an error. A URL's first fetch starts now; until it
    // answers, askers wait for it.
    static Result<std::unique_ptr<JwksSource>> create(Options options, std::shared_ptr<HttpFetcher> fetcher,
                                                      AuthClock clock = systemAuthClock());
    ~JwksSource();

    // The current keys; null before the first successful load.
    std::shared_ptr<const Jwks> keys() const;

    // Keys to verify a token signed with kid. When the current set lacks kid, a refresh is made
    // or joined first if the rate limit allows. Errors (Unavailable) only when no keys could be
    // had at all; a set without kid is not an error here.
    QCoro::Task<Result<std::shared_ptr<const Jwks>>> keysFor(QString kid);

    // Starts a refresh now, or joins the one in flight, ignoring the rate limit.
    QFuture<Status> refresh();

    // Loads made so far, successful or not (for tests and metrics).
    int fetchCount() const;

private:
    struct State;

    JwksSource(Options options, std::shared_ptr<HttpFetcher> fetcher, AuthClock clock);
    // Starts a load, or joins the one in flight; nullopt when rate-limited.
    std::optional<QFuture<Status>> startRefresh(bool rateLimited);

    Options m_options;
    std::shared_ptr<HttpFetcher> m_fetcher;
    AuthClock m_clock;
    std::shared_ptr<State> m_state; // shared with fetches in flight
};

} // namespace butler
