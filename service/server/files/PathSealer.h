#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace butler {

// Turns a datastore path into an opaque token, for file URLs that must not name the path (the
// caller may not read the dataset's RUN, and paths start with the run). AES-256-GCM under a key
// derived from the URL signing key (HMAC-SHA256 with its own label, so the two keys never
// coincide), a random 96-bit nonce per token and the repository label as associated data. The
// path is padded with NULs to a multiple of kPadBytes so a token's length tells little about
// it. Token: base64url(nonce || ciphertext || tag), no padding.
//
// Stateless: the file endpoint opens a token on its own thread, without a lookup.
class PathSealer
{
public:
    static constexpr int kNonceBytes = 12;
    static constexpr int kTagBytes = 16;
    static constexpr int kPadBytes = 64;

    explicit PathSealer(const QByteArray& signingKey);

    // A token for `path` in repository `label`. A path with a NUL is refused (padding).
    Result<QString> seal(const QString& label, const QString& path) const;
    // The path a token stands for. Anything this key did not seal for this label (tampered,
    // truncated, another server's key, another repository) is PermissionDenied.
    Result<QString> open(const QString& label, const QString& token) const;

    // Whether text has the alphabet of a token (base64url, at least one character); says
    // nothing about whether it opens.
    static bool looksLikeToken(QStringView text);

private:
    QByteArray m_key; // 32 bytes
};

} // namespace butler
