#include "PathSealer.h"

#include <QStringDecoder>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

namespace butler {

namespace {

// Bumping either label invalidates every token sealed before.
constexpr char kKeyLabel[] = "butler-files-opaque-path-key-v1";
constexpr char kAadPrefix[] = "butler-files-opaque-path-v1\n";
constexpr int kKeyBytes = 32;

Error refused()
{
    // The same words whatever failed: a token either opens or it does not.
    return Error(ErrorKind::PermissionDenied,
                 QStringLiteral("signed URL refused: the file token is not valid"));
}

QByteArray::Base64Options b64Options()
{
    return QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
}

struct CipherFree
{
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

const unsigned char* bytes(const QByteArray& data)
{
    return reinterpret_cast<const unsigned char*>(data.constData());
}

unsigned char* bytes(QByteArray& data)
{
    return reinterpret_cast<unsigned char*>(data.data());
}

QByteArray aad(const QString& label)
{
    return QByteArray(kAadPrefix) + label.toUtf8();
}

// One AES-256-GCM pass of `size` bytes from `in` to `out`. Encrypting writes the tag, decrypting
// checks it: false when anything failed, the tag included.
bool gcm(bool encrypt, const QByteArray& key, const unsigned char* nonce, const QByteArray& associated,
         const unsigned char* in, int size, unsigned char* out, unsigned char* tag)
{
    CipherContext ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, PathSealer::kNonceBytes, nullptr) != 1 ||
        EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, bytes(key), nonce, encrypt) != 1)
        return false;
    int len = 0;
    if (EVP_CipherUpdate(ctx.get(), nullptr, &len, bytes(associated), int(associated.size())) != 1 ||
        EVP_CipherUpdate(ctx.get(), out, &len, in, size) != 1)
        return false;
    const int done = len;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, PathSealer::kTagBytes, tag) != 1)
        return false;
    if (EVP_CipherFinal_ex(ctx.get(), out + done, &len) != 1 || done + len != size)
        return false;
    return !encrypt || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, PathSealer::kTagBytes, tag) == 1;
}

} // namespace

PathSealer::PathSealer(const QByteArray& signingKey)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outLen = 0;
    if (HMAC(EVP_sha256(), signingKey.constData(), int(signingKey.size()),
             reinterpret_cast<const unsigned char*>(kKeyLabel), sizeof kKeyLabel - 1, out, &outLen) &&
        outLen == kKeyBytes)
        m_key = QByteArray(reinterpret_cast<const char*>(out), kKeyBytes);
    // Without a key seal() fails and open() refuses: no token is ever made with a weak one.
}

bool PathSealer::looksLikeToken(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (QChar c : text) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                        u == u'-' || u == u'_';
        if (!ok)
            return false;
    }
    return true;
}

Result<QString> PathSealer::seal(const QString& label, const QString& path) const
{
    if (m_key.size() != kKeyBytes)
        return internalError(QStringLiteral("no key for sealing file paths"));
    QByteArray plain = path.toUtf8();
    if (plain.isEmpty() || plain.contains('\0'))
        return invalidInput(QStringLiteral("a sealed file path must be non-empty and have no NUL"));
    plain.append(QByteArray((kPadBytes - plain.size() % kPadBytes) % kPadBytes, '\0'));

    QByteArray out(kNonceBytes + plain.size() + kTagBytes, Qt::Uninitialized);
    unsigned char* nonce = bytes(out);
    unsigned char* cipher = nonce + kNonceBytes;
    unsigned char* tag = cipher + plain.size();
    if (RAND_bytes(nonce, kNonceBytes) != 1)
        return internalError(QStringLiteral("no random bytes for a file token"));
    if (!gcm(true, m_key, nonce, aad(label), bytes(plain), int(plain.size()), cipher, tag))
        return internalError(QStringLiteral("AES-256-GCM failed"));
    return QString::fromLatin1(out.toBase64(b64Options()));
}

Result<QString> PathSealer::open(const QString& label, const QString& token) const
{
    if (m_key.size() != kKeyBytes || !looksLikeToken(token))
        return refused();
    const QByteArray text = token.toLatin1();
    const auto decoded =
        QByteArray::fromBase64Encoding(text, b64Options() | QByteArray::AbortOnBase64DecodingErrors);
    // One spelling per token: no trailing bits or alternative encodings.
    if (!decoded || decoded.decoded.toBase64(b64Options()) != text)
        return refused();
    const QByteArray& raw = decoded.decoded;
    const qsizetype cipherSize = raw.size() - kNonceBytes - kTagBytes;
    if (cipherSize < kPadBytes || cipherSize % kPadBytes != 0)
        return refused();
    const unsigned char* nonce = bytes(raw);
    const unsigned char* cipher = nonce + kNonceBytes;
    QByteArray tag = raw.right(kTagBytes);
    QByteArray plain(cipherSize, Qt::Uninitialized);
    if (!gcm(false, m_key, nonce, aad(label), cipher, int(cipherSize), bytes(plain), bytes(tag)))
        return refused();
    // Authentic, so the padding is ours: NULs after the path, none inside it.
    const qsizetype end = plain.indexOf('\0');
    if (end == 0)
        return refused();
    if (end > 0) {
        for (qsizetype i = end; i < plain.size(); ++i)
            if (plain[i] != '\0')
                return refused();
        plain.truncate(end);
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString path = decoder.decode(plain);
    if (decoder.hasError())
        return refused();
    return path;
}

} // namespace butler
