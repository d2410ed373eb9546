#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

namespace butler {

// Digests of file contents, as lower-case hex.
// - SHA-256 as the server records it, computed with OpenSSL (several times faster than
//   QCryptographicHash here).
// - XXH3-128 (libxxhash; the hex of xxh128sum), the server's word on what a PUT brought, which
//   an upload compares with its file: about ten times cheaper than SHA-256, so checking a
//   large upload costs the client next to nothing.
class ContentHash
{
public:
    enum class Kind
    {
        Sha256,
        Xxh128
    };

    static QString sha256(const QByteArray& bytes);
    static QString xxh128(const QByteArray& bytes);
    // Reads the file in pieces; never holds it whole.
    static Result<QString> ofFile(Kind kind, const QString& path, qint64* size = nullptr);
};

} // namespace butler
