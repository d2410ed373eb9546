#pragma once

#include "AuthClock.h"
#include "AuthConfig.h"
#include "Identity.h"
#include "Result.h"

#include <QByteArray>

#include <QCoroTask>

#include <memory>
#include <optional>

namespace butler {

class HttpFetcher;
class IdentityMapper;
class IntrospectionClient;
class JwksSource;
class JwtVerifier;
class StaticTokenStore;

// Turns an Authorization header into an Identity. Static tokens are looked up first; a token
// shaped like a JWT goes to the JWT verifier when JWT is configured; anything else to the
// introspection endpoint. Verified identities are cached by the token's SHA-256 until the token
// expires (introspected ones at most introspectionCacheSeconds), so most requests are answered
// by cached() in microseconds. Every failure is ErrorKind::Unauthenticated (401) except an
// unreachable key or introspection endpoint (Unavailable). Thread-safe: one instance serves all
// listener threads.
class Authenticator
{
public:
    // Reads the files the config names and checks it; a bad config is an InvalidInput error.
    static Result<std::unique_ptr<Authenticator>> create(const AuthConfig& config,
                                                         AuthClock clock = systemAuthClock());
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    // The answer when it needs no network: a cached identity, a static token, or an error about
    // the header itself. nullopt: call authenticate().
    std::optional<Result<Identity>> cached(const QByteArray& authorization) const;

    // The full path; awaits key fetches and introspection without blocking the event loop.
    // The Authenticator must outlive the tasks it hands out.
    QCoro::Task<Result<Identity>> authenticate(QByteArray authorization);

    // The token of "Bearer <token>", or why the header is not one.
    static Result<QByteArray> bearerToken(const QByteArray& authorization, qsizetype maxTokenBytes);

    const AuthConfig& config() const { return m_config; }
    // Components, for tests and metrics; null when that mechanism is not configured.
    JwksSource* jwksSource() const { return m_jwks.get(); }
    IntrospectionClient* introspectionClient() const { return m_introspection.get(); }

private:
    struct Cache;

    Authenticator(const AuthConfig& config, AuthClock clock);
    std::optional<Result<Identity>> lookup(const QByteArray& tokenHash) const;
    void remember(const QByteArray& tokenHash, const Identity& identity, qint64 cacheUntilMs);

    AuthConfig m_config;
    AuthClock m_clock;
    std::unique_ptr<IdentityMapper> m_mapper;
    std::unique_ptr<StaticTokenStore> m_static;
    std::unique_ptr<JwtVerifier> m_jwt;
    std::unique_ptr<JwksSource> m_jwks;
    std::unique_ptr<IntrospectionClient> m_introspection;
    std::unique_ptr<Cache> m_cache;
    std::shared_ptr<HttpFetcher> m_fetcher; // shared with the JWKS source and introspection
};

} // namespace butler
