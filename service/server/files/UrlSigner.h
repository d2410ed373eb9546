#pragma once

#include "HmacSha256.h"
#include "PathSealer.h"
#include "Result.h"

#include <QByteArray>
#include <QString>

#include <optional>

class QUrlQuery;

namespace butler {

// Signs and checks the expiring URLs of the file endpoint
// (`/files/<label>/<path>?method=GET&expires=<unix s>&signature=<b64url>`).
// The signature is HMAC-SHA256 over the method, the decoded path and the expiry, with a
// server-side key read from a file. A signature binds one method and one path; HEAD may use a
// GET signature, and DELETE is never signed nor accepted. URLs that must not name their file
// carry `o/<token>` as their path, the datastore path sealed by sealer() (see FileRequest).
class UrlSigner
{
public:
    static constexpr qint64 kDefaultTtlSeconds = 3600;
    static constexpr qint64 kMaxTtlSeconds = 604800; // 7 days, the hard ceiling
    static constexpr int kMinKeyBytes = 32;

    struct Options
    {
        qint64 defaultTtlSeconds = kDefaultTtlSeconds;
        qint64 maxTtlSeconds = kMaxTtlSeconds; // may be lowered, never raised above 7 days
    };

    struct Signed
    {
        QString query;      // "method=GET&expires=...&signature=...", ready to append after '?'
        qint64 expires = 0; // unix seconds
    };

    // Loads the key from `signed_urls.secret_file`: its bytes without trailing whitespace,
    // at least kMinKeyBytes long.
    static Result<UrlSigner> fromKeyFile(const QString& path, Options options);
    static Result<UrlSigner> fromKeyFile(const QString& path) { return fromKeyFile(path, Options()); }
    static Result<UrlSigner> fromKey(const QByteArray& key, Options options);
    static Result<UrlSigner> fromKey(const QByteArray& key) { return fromKey(key, Options()); }
    // Writes a new random key (48 bytes, base64url text) to a file that must not exist yet,
    // readable by its owner only.
    static Status generateKeyFile(const QString& path);

    // Signs `path` (decoded, "/files/<label>/<path>") for `method` (GET, HEAD or PUT).
    // A TTL above the maximum is clamped to it; the answer carries the real expiry.
    // Without a TTL the default applies; a TTL below 1 s is refused.
    Result<Signed> sign(const QByteArray& method, const QString& path,
                        std::optional<qint64> ttlSeconds = std::nullopt) const;
    Result<Signed> sign(const QByteArray& method, const QString& path, std::optional<qint64> ttlSeconds,
                        qint64 nowUnix) const;

    // An upload URL: PUT of exactly `size` bytes to `path`. The query carries "size=" too.
    Result<Signed> signPut(const QString& path, qint64 size,
                           std::optional<qint64> ttlSeconds = std::nullopt) const;
    Result<Signed> signPut(const QString& path, qint64 size, std::optional<qint64> ttlSeconds,
                           qint64 nowUnix) const;
    // Checks an upload request (method PUT) and returns the size it was signed for. A URL
    // signed by sign() for any method, or with another size, path or expiry, fails.
    Result<qint64> verifyPut(const QString& path, const QUrlQuery& query) const;
    Result<qint64> verifyPut(const QString& path, const QUrlQuery& query, qint64 nowUnix) const;

    // Checks a request: `method` as received, `path` decoded, the query as received. Errors
    // are PermissionDenied with a message that says which check failed.
    Status verify(const QByteArray& method, const QString& path, const QUrlQuery& query) const;
    Status verify(const QByteArray& method, const QString& path, const QUrlQuery& query,
                  qint64 nowUnix) const;

    const Options& options() const { return m_options; }
    // Seals and opens the paths of opaque file URLs, with a key derived from the signing key.
    const PathSealer& sealer() const { return m_sealer; }

    // Constant-time equality of two byte strings (CRYPTO_memcmp); false when sizes differ.
    static bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

private:
    UrlSigner(QByteArray key, Options options);
    // size < 0: a URL without a size binding.
    QByteArray mac(const QByteArray& method, const QString& path, qint64 expires, qint64 size = -1) const;
    Result<Signed> signWithSize(const QByteArray& method, const QString& path, qint64 size,
                                std::optional<qint64> ttlSeconds, qint64 nowUnix) const;
    Status verifyWithSize(const QByteArray& method, const QString& path, const QUrlQuery& query,
                          qint64 nowUnix, qint64* size) const;

    QByteArray m_key;
    HmacSha256 m_hmac; // under m_key
    Options m_options;
    PathSealer m_sealer;
};

} // namespace butler
