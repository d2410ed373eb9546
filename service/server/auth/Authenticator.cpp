#include "Authenticator.h"

#include "HttpFetcher.h"
#include "IdentityMapper.h"
#include "IntrospectionClient.h"
#include "JwksSource.h"
#include "JwtVerifier.h"
#include "StaticTokenStore.h"

#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QReadWriteLock>

#include <openssl/evp.h>

#include <algorithm>
#include <limits>

Q_LOGGING_CATEGORY(lcAuth, "butler.auth.token")

namespace butler {

namespace {

constexpr qint64 Never = std::numeric_limits<qint64>::max();

Error unauthenticated(const QString& message)
{
    return Error(ErrorKind::Unauthenticated, message);
}

bool isTokenChar(char c)
{
    // RFC 6750 b64token, which covers JWS compact form and opaque tokens alike.
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

Result<QString> readSecretFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return invalidInput(QStringLiteral("cannot read introspection client_secret_file %1: %2")
                                .arg(path, file.errorString()));
    const QString secret = QString::fromUtf8(file.read(4096)).trimmed();
    if (secret.isEmpty())
        return invalidInput(QStringLiteral("introspection client_secret_file %1 is empty").arg(path));
    return secret;
}

} // namespace

struct Authenticator::Cache
{
    struct Entry
    {
        Identity identity;
        qint64 cacheUntilMs = 0; // after this, ask again
        qint64 expiredAtMs = 0;  // after this, the token itself is no longer valid
    };
    mutable QReadWriteLock lock;
    QHash<QByteArray, Entry> entries;
};

Authenticator::Authenticator(const AuthConfig& config, AuthClock clock)
    : m_config(config)
    , m_clock(std::move(clock))
    , m_cache(std::make_unique<Cache>())
{
}

Authenticator::~Authenticator() = default;

Result<std::unique_ptr<Authenticator>> Authenticator::create(const AuthConfig& config, AuthClock clock)
{
    if (!config.jwtEnabled() && !config.introspectionEnabled() && !config.staticTokensEnabled())
        return invalidInput(
            QStringLiteral("auth: configure at least one of jwt, introspection and static_tokens_file"));
    if (config.clockSkewSeconds < 0 || config.clockSkewSeconds > 3600)
        return invalidInput(QStringLiteral("auth: the clock skew must be 0 to 3600 seconds"));
    if (config.maxTokenBytes < 64 || config.cacheEntries < 1)
        return invalidInput(QStringLiteral("auth: token size limit or cache size too small"));

    std::unique_ptr<Authenticator> auth(new Authenticator(config, std::move(clock)));
    auth->m_mapper = std::make_unique<IdentityMapper>(IdentityMapper::Options{
        config.usernameClaim, config.groupsClaim, config.adminGroup, config.dataRightsGroup});
    if (config.jwtEnabled() || config.introspectionEnabled())
        auth->m_fetcher = std::make_shared<HttpFetcher>(std::chrono::seconds(config.httpTimeoutSeconds));

    if (config.staticTokensEnabled()) {
        auto store = StaticTokenStore::load(config.staticTokensFile);
        if (!store)
            return Error(ErrorKind::InvalidInput, store.error().message());
        auth->m_static = std::make_unique<StaticTokenStore>(std::move(*store));
    }

    if (config.jwtEnabled()) {
        if (config.issuer.isEmpty() || config.audience.isEmpty())
            return invalidInput(QStringLiteral("auth.jwt: issuer and audience are required"));
        if (config.usernameClaim.isEmpty())
            return invalidInput(QStringLiteral("auth.jwt: username_claim must not be empty"));
        auth->m_jwt =
            std::make_unique<JwtVerifier>(JwtVerifier::Options{config.issuer, config.audience,
                                                               config.clockSkewSeconds, config.maxTokenBytes},
                                          auth->m_clock);
        JwksSource::Options options;
        options.file = config.jwksFile;
        options.url = config.jwksUrl;
        options.minRefreshInterval = std::chrono::seconds(config.jwksMinRefreshSeconds);
        options.refreshPeriod = std::chrono::seconds(config.jwksRefreshPeriodSeconds);
        auto source = JwksSource::create(std::move(options), auth->m_fetcher, auth->m_clock);
        if (!source)
            return Error(ErrorKind::InvalidInput, QStringLiteral("auth.jwt: ") + source.error().message());
        auth->m_jwks = std::move(*source);
    }

    if (config.introspectionEnabled()) {
        if (config.introspectionClientSecretFile.isEmpty())
            return invalidInput(QStringLiteral("auth.introspection: client_secret_file is required"));
        BUTLER_ASSIGN_OR_RETURN(QString secret, readSecretFile(config.introspectionClientSecretFile));
        IntrospectionClient::Options options;
        options.url = config.introspectionUrl;
        options.clientId = config.introspectionClientId;
        options.clientSecret = std::move(secret);
        options.issuer = config.issuer;
        options.audience = config.introspectionAudience;
        options.cacheTtl = std::chrono::seconds(config.introspectionCacheSeconds);
        options.clockSkewSeconds = config.clockSkewSeconds;
        options.maxCacheEntries = config.cacheEntries;
        auto client = IntrospectionClient::create(std::move(options), auth->m_fetcher, auth->m_clock);
        if (!client)
            return Error(ErrorKind::InvalidInput,
                         QStringLiteral("auth.introspection: ") + client.error().message());
        auth->m_introspection = std::move(*client);
    }
    return auth;
}

Result<QByteArray> Authenticator::bearerToken(const QByteArray& authorization, qsizetype maxTokenBytes)
{
    const QByteArray header = authorization.trimmed();
    if (header.isEmpty())
        return unauthenticated(QStringLiteral("no credentials: send Authorization: Bearer <token>"));
    const qsizetype space = header.indexOf(' ');
    if (space < 0 || header.first(space).compare("Bearer", Qt::CaseInsensitive) != 0)
        return unauthenticated(
            QStringLiteral("unsupported authorization scheme: send Authorization: Bearer <token>"));
    const QByteArray token = header.sliced(space + 1).trimmed();
    if (token.isEmpty())
        return unauthenticated(QStringLiteral("empty bearer token"));
    if (token.size() > maxTokenBytes)
        return unauthenticated(
            QStringLiteral("token too long (%1 bytes, at most %2)").arg(token.size()).arg(maxTokenBytes));
    qsizetype end = token.size();
    while (end > 0 && token.at(end - 1) == '=')
        --end;
    if (end == 0 || !std::all_of(token.begin(), token.begin() + end, isTokenChar))
        return unauthenticated(QStringLiteral("malformed bearer token"));
    return token;
}

std::optional<Result<Identity>> Authenticator::lookup(const QByteArray& tokenHash) const
{
    if (tokenHash.isEmpty())
        return std::nullopt; // no digest (OpenSSL failed): nothing is known of the token
    if (m_static) {
        if (const StaticToken* entry = m_static->find(tokenHash))
            return Result<Identity>(m_mapper->make(entry->user, entry->groups, 0));
    }
    QReadLocker lock(&m_cache->lock);
    const auto it = m_cache->entries.constFind(tokenHash);
    if (it == m_cache->entries.cend())
        return std::nullopt;
    const qint64 nowMs = m_clock();
    if (nowMs >= it->expiredAtMs)
        return Result<Identity>(unauthenticated(QStringLiteral("token expired")));
    if (nowMs >= it->cacheUntilMs)
        return std::nullopt;
    return Result<Identity>(it->identity);
}

namespace {

// The cache key of a token: its SHA-256, computed on every authenticated request. Through
// OpenSSL with the algorithm fetched once and a context per thread: the one-shot SHA256() of
// OpenSSL 3 looks the algorithm up each time, which costs more than hashing a token.
QByteArray tokenDigest(const QByteArray& token)
{
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    struct Context
    {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Context() { EVP_MD_CTX_free(ctx); }
    };
    thread_local Context context;
    QByteArray digest(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    if (!md || !context.ctx || EVP_DigestInit_ex(context.ctx, md, nullptr) != 1 ||
        EVP_DigestUpdate(context.ctx, token.constData(), size_t(token.size())) != 1 ||
        EVP_DigestFinal_ex(context.ctx, reinterpret_cast<unsigned char*>(digest.data()), &length) != 1)
        return QByteArray(); // never equal to a cached digest: the token is verified afresh
    digest.truncate(int(length));
    return digest;
}

} // namespace

std::optional<Result<Identity>> Authenticator::cached(const QByteArray& authorization) const
{
    auto token = bearerToken(authorization, m_config.maxTokenBytes);
    if (!token)
        return Result<Identity>(token.error());
    return lookup(tokenDigest(*token));
}

void Authenticator::remember(const QByteArray& tokenHash, const Identity& identity, qint64 cacheUntilMs)
{
    if (tokenHash.isEmpty())
        return;
    const qint64 nowMs = m_clock();
    const qint64 expiredAtMs =
        identity.expiresAt > 0 ? (identity.expiresAt + m_config.clockSkewSeconds) * 1000 : Never;
    cacheUntilMs = std::min(cacheUntilMs, expiredAtMs);
    if (cacheUntilMs <= nowMs)
        return;
    QWriteLocker lock(&m_cache->lock);
    if (m_cache->entries.size() >= m_config.cacheEntries) {
        m_cache->entries.removeIf([nowMs](const auto& it) { return it.value().cacheUntilMs <= nowMs; });
        // Still full: start over rather than scan for the least useful entry on every insert.
        if (m_cache->entries.size() >= m_config.cacheEntries)
            m_cache->entries.clear();
    }
    m_cache->entries.insert(tokenHash, Cache::Entry{identity, cacheUntilMs, expiredAtMs});
}

QCoro::Task<Result<Identity>> Authenticator::authenticate(QByteArray authorization)
{
    auto token = bearerToken(authorization, m_config.maxTokenBytes);
    if (!token)
        co_return token.error();
    const QByteArray tokenHash = tokenDigest(*token);
    if (auto known = lookup(tokenHash))
        co_return std::move(*known);

    if (m_jwt && JwtVerifier::looksLikeJwt(*token)) {
        auto claims = co_await m_jwt->verify(*token, *m_jwks);
        if (!claims) {
            qCDebug(lcAuth).noquote() << "token rejected:" << claims.error().message();
            co_return claims.error();
        }
        auto identity = m_mapper->fromClaims(*claims);
        if (!identity) {
            qCDebug(lcAuth).noquote() << "token rejected:" << identity.error().message();
            co_return identity.error();
        }
        remember(tokenHash, *identity, Never);
        co_return identity;
    }

    if (m_introspection) {
        auto claims = co_await m_introspection->introspect(*token);
        if (!claims) {
            qCDebug(lcAuth).noquote() << "token rejected:" << claims.error().message();
            co_return claims.error();
        }
        auto identity = m_mapper->fromClaims(*claims);
        if (!identity)
            co_return identity.error();
        // Asked again after the cache time, and never trusted past the token's own exp.
        qint64 askAgainMs = m_clock() + m_config.introspectionCacheSeconds * 1000;
        if (identity->expiresAt > 0)
            askAgainMs = std::min(askAgainMs, identity->expiresAt * 1000);
        remember(tokenHash, *identity, askAgainMs);
        co_return identity;
    }

    co_return unauthenticated(m_jwt ? QStringLiteral("token is not a JWT") : QStringLiteral("unknown token"));
}

} // namespace butler
