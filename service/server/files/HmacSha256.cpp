#include "HmacSha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

namespace butler {

namespace {

constexpr int kBlockBytes = 64; // SHA-256's block

struct DigestContext
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    DigestContext() = default;
    DigestContext(const DigestContext&) = delete;
    DigestContext& operator=(const DigestContext&) = delete;
    ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

} // namespace

// The SHA-256 states after the key XOR ipad and the key XOR opad (RFC 2104): read-only once
// made, so copying from them needs no lock.
struct HmacSha256::State
{
    DigestContext inner;
    DigestContext outer;
    bool ok = false;
};

HmacSha256::HmacSha256(const QByteArray& key)
{
    auto state = std::make_shared<State>();
    const EVP_MD* sha256 = EVP_sha256();
    unsigned char block[kBlockBytes] = {};
    bool ok = state->inner.ctx && state->outer.ctx;
    if (ok && key.size() > kBlockBytes) {
        unsigned int length = 0;
        ok = EVP_Digest(key.constData(), size_t(key.size()), block, &length, sha256, nullptr) == 1;
    } else if (ok) {
        std::copy(key.cbegin(), key.cend(), reinterpret_cast<char*>(block));
    }
    unsigned char pad[kBlockBytes];
    for (int i = 0; ok && i < kBlockBytes; ++i)
        pad[i] = block[i] ^ 0x36;
    ok = ok && EVP_DigestInit_ex(state->inner.ctx, sha256, nullptr) == 1 &&
         EVP_DigestUpdate(state->inner.ctx, pad, sizeof pad) == 1;
    for (int i = 0; ok && i < kBlockBytes; ++i)
        pad[i] = block[i] ^ 0x5c;
    ok = ok && EVP_DigestInit_ex(state->outer.ctx, sha256, nullptr) == 1 &&
         EVP_DigestUpdate(state->outer.ctx, pad, sizeof pad) == 1;
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    state->ok = ok;
    m_state = std::move(state);
}

QByteArray HmacSha256::mac(QByteArrayView message) const
{
    if (!m_state->ok)
        return {};
    DigestContext context;
    unsigned char inner[EVP_MAX_MD_SIZE];
    unsigned int innerLength = 0;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outLength = 0;
    if (!context.ctx || EVP_MD_CTX_copy_ex(context.ctx, m_state->inner.ctx) != 1 ||
        EVP_DigestUpdate(context.ctx, message.data(), size_t(message.size())) != 1 ||
        EVP_DigestFinal_ex(context.ctx, inner, &innerLength) != 1 ||
        EVP_MD_CTX_copy_ex(context.ctx, m_state->outer.ctx) != 1 ||
        EVP_DigestUpdate(context.ctx, inner, innerLength) != 1 ||
        EVP_DigestFinal_ex(context.ctx, out, &outLength) != 1)
        return {};
    return QByteArray(reinterpret_cast<const char*>(out), int(outLength));
}

} // namespace butler
