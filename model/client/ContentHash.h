#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

namespace butler {

// SHA-256 as the server records it, computed with OpenSSL (several times faster than
// QCryptographicHash here), so that hashing files before an upload costs little next to
// sending them. Hex digests, lower case.
class ContentHash
{
public:
    static QString sha256(const QByteArray& bytes);
    // Reads the file in pieces; never holds it whole.
    static Result<QString> sha256OfFile(const QString& path, qint64* size = nullptr);
};

} // namespace butler
