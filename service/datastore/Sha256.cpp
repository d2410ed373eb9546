#include "Sha256.h"

#include <QIODevice>

#include <openssl/evp.h>

namespace butler {

namespace {
// Fetched once: EVP_sha256() makes OpenSSL 3 look the implementation up on every init, which
// costs more than hashing a short input.
const EVP_MD* algorithm()
{
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}
} // namespace

struct Sha256::Context
{
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256()
    : m_context(std::make_unique<Context>())
{
    // Without a context or the algorithm OpenSSL is unusable; result() then gives an empty
    // digest, which never matches a recorded checksum.
    if (m_context->md && algorithm())
        EVP_DigestInit_ex(m_context->md, algorithm(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::addData(QByteArrayView data)
{
    if (m_context->md)
        EVP_DigestUpdate(m_context->md, data.data(), size_t(data.size()));
}

bool Sha256::addData(QIODevice* device)
{
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device->read(buffer.data(), buffer.size());
        if (n < 0)
            return false;
        if (n == 0)
            return device->atEnd();
        addData(QByteArrayView(buffer.constData(), n));
    }
}

QByteArray Sha256::result()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!m_context->md || EVP_DigestFinal_ex(m_context->md, digest, &length) != 1)
        return {};
    EVP_DigestInit_ex(m_context->md, algorithm(), nullptr);
    return QByteArray(reinterpret_cast<const char*>(digest), int(length));
}

QByteArray Sha256::hash(QByteArrayView data)
{
    Sha256 sha;
    sha.addData(data);
    return sha.result();
}

} // namespace butler
