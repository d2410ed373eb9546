#include "ContentHash.h"

#include <QFile>

#include <openssl/evp.h>
#include <xxhash.h>

#include <memory>

namespace butler {

namespace {

QString hex(const unsigned char* bytes, int length)
{
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(bytes), length).toHex());
}

// One digest in progress; false from a step means the library failed.
class Digest
{
public:
    explicit Digest(ContentHash::Kind kind)
        : m_kind(kind)
    {
        if (m_kind == ContentHash::Kind::Sha256) {
            m_md = EVP_MD_CTX_new();
            m_ok = m_md && EVP_DigestInit_ex(m_md, EVP_sha256(), nullptr) == 1;
        } else {
            m_xxh = XXH3_createState();
            m_ok = m_xxh && XXH3_128bits_reset(m_xxh) == XXH_OK;
        }
    }
    ~Digest()
    {
        EVP_MD_CTX_free(m_md);
        XXH3_freeState(m_xxh);
    }
    Digest(const Digest&) = delete;
    Digest& operator=(const Digest&) = delete;

    bool ok() const { return m_ok; }
    void update(const char* data, size_t size)
    {
        if (m_kind == ContentHash::Kind::Sha256)
            m_ok = m_ok && EVP_DigestUpdate(m_md, data, size) == 1;
        else
            m_ok = m_ok && XXH3_128bits_update(m_xxh, data, size) == XXH_OK;
    }
    // Empty when a step failed.
    QString finish()
    {
        if (!m_ok)
            return {};
        if (m_kind == ContentHash::Kind::Sha256) {
            unsigned char digest[EVP_MAX_MD_SIZE];
            unsigned int length = 0;
            if (EVP_DigestFinal_ex(m_md, digest, &length) != 1)
                return {};
            return hex(digest, int(length));
        }
        XXH128_canonical_t canonical;
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(m_xxh));
        return hex(canonical.digest, int(sizeof canonical.digest));
    }

private:
    ContentHash::Kind m_kind;
    EVP_MD_CTX* m_md = nullptr;
    XXH3_state_t* m_xxh = nullptr;
    bool m_ok = false;
};

QString name(ContentHash::Kind kind)
{
    return kind == ContentHash::Kind::Sha256 ? QStringLiteral("SHA-256") : QStringLiteral("XXH3-128");
}

QString ofBytes(ContentHash::Kind kind, const QByteArray& bytes)
{
    Digest digest(kind);
    digest.update(bytes.constData(), size_t(bytes.size()));
    return digest.finish();
}

} // namespace

QString ContentHash::sha256(const QByteArray& bytes)
{
    return ofBytes(Kind::Sha256, bytes);
}

QString ContentHash::xxh128(const QByteArray& bytes)
{
    return ofBytes(Kind::Xxh128, bytes);
}

Result<QString> ContentHash::ofFile(Kind kind, const QString& path, qint64* size)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    Digest digest(kind);
    if (!digest.ok())
        return internalError(QStringLiteral("%1 is not available").arg(name(kind)));
    // Small enough to stay in the cache between the read and the digest.
    constexpr qint64 kPiece = 256 * 1024;
    const std::unique_ptr<char[]> buffer(new char[kPiece]);
    qint64 total = 0;
    for (;;) {
        const qint64 n = file.read(buffer.get(), kPiece);
        if (n < 0)
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        if (n == 0)
            break;
        digest.update(buffer.get(), size_t(n));
        total += n;
    }
    if (size)
        *size = total;
    const QString hex = digest.finish();
    if (hex.isEmpty())
        return internalError(QStringLiteral("%1 failed").arg(name(kind)));
    return hex;
}

} // namespace butler
