#include "ContentHash.h"

#include <QFile>

#include <openssl/evp.h>

#include <memory>

namespace butler {

namespace {

struct Context
{
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(md); }
};

QString finish(EVP_MD_CTX* md)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(md, digest, &length) != 1)
        return {};
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(digest), int(length)).toHex());
}

} // namespace

QString ContentHash::sha256(const QByteArray& bytes)
{
    Context context;
    if (!context.md || EVP_DigestInit_ex(context.md, EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(context.md, bytes.constData(), size_t(bytes.size())) != 1)
        return {};
    return finish(context.md);
}

Result<QString> ContentHash::sha256OfFile(const QString& path, qint64* size)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    Context context;
    if (!context.md || EVP_DigestInit_ex(context.md, EVP_sha256(), nullptr) != 1)
        return internalError(QStringLiteral("SHA-256 is not available"));
    constexpr qint64 kPiece = 1 << 20;
    const std::unique_ptr<char[]> buffer(new char[kPiece]);
    qint64 total = 0;
    for (;;) {
        const qint64 n = file.read(buffer.get(), kPiece);
        if (n < 0)
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        if (n == 0)
            break;
        EVP_DigestUpdate(context.md, buffer.get(), size_t(n));
        total += n;
    }
    if (size)
        *size = total;
    const QString hex = finish(context.md);
    if (hex.isEmpty())
        return internalError(QStringLiteral("SHA-256 failed"));
    return hex;
}

} // namespace butler
