#include "UrlSigner.h"

#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QUrlQuery>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

Q_LOGGING_CATEGORY(lcSign, "butler.files.sign")

namespace butler {

namespace {

// Bumping the prefix invalidates every URL signed with an older layout.
constexpr char kMessagePrefix[] = "butler-files-v1\n";
constexpr int kMacBytes = 32;
constexpr qint64 kMaxKeyFileBytes = 4096;

Error denied(const QString& message)
{
    return Error(ErrorKind::PermissionDenied, QStringLiteral("signed URL refused: ") + message);
}

bool signableMethod(const QByteArray& method)
{
    return method == "GET" || method == "HEAD" || method == "PUT";
}

QByteArray::Base64Options b64Options()
{
    return QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
}

} // namespace

UrlSigner::UrlSigner(QByteArray key, Options options)
    : m_key(std::move(key))
    , m_hmac(m_key)
    , m_options(options)
    , m_sealer(m_key)
{
}

Result<UrlSigner> UrlSigner::fromKey(const QByteArray& key, Options options)
{
    if (key.size() < kMinKeyBytes)
        return invalidInput(
            QStringLiteral("the URL signing key has %1 bytes; at least %2 are needed "
                           "(make one with `head -c 48 /dev/urandom | base64 > FILE; chmod 600 FILE`)")
                .arg(key.size())
                .arg(kMinKeyBytes));
    if (options.maxTtlSeconds < 1 || options.maxTtlSeconds > kMaxTtlSeconds)
        return invalidInput(QStringLiteral("signed_urls.max_ttl_seconds must be between 1 and %1, not %2")
                                .arg(kMaxTtlSeconds)
                                .arg(options.maxTtlSeconds));
    if (options.defaultTtlSeconds < 1 || options.defaultTtlSeconds > options.maxTtlSeconds)
        return invalidInput(QStringLiteral("signed_urls.ttl_seconds must be between 1 and "
                                           "signed_urls.max_ttl_seconds (%1), not %2")
                                .arg(options.maxTtlSeconds)
                                .arg(options.defaultTtlSeconds));
    return UrlSigner(key, options);
}

Result<UrlSigner> UrlSigner::fromKeyFile(const QString& path, Options options)
{
    const QString where = QStringLiteral("signed_urls.secret_file '%1'").arg(path);
    if (path.isEmpty())
        return invalidInput(QStringLiteral("signed_urls.secret_file is not set"));
    QFile file(path);
    if (!file.exists())
        return invalidInput(where +
                            QStringLiteral(" does not exist (make one with "
                                           "`head -c 48 /dev/urandom | base64 > FILE; chmod 600 FILE`)"));
    if (!file.open(QIODevice::ReadOnly))
        return invalidInput(where + QStringLiteral(" cannot be read: ") + file.errorString());
    if (file.size() > kMaxKeyFileBytes)
        return invalidInput(
            where +
            QStringLiteral(" is larger than %1 bytes; is it really a key file?").arg(kMaxKeyFileBytes));
    QByteArray key = file.readAll();
    while (!key.isEmpty() && std::isspace(static_cast<unsigned char>(key.back())))
        key.chop(1);
    if (key.isEmpty())
        return invalidInput(where + QStringLiteral(" is empty"));
    if (key.size() < kMinKeyBytes)
        return invalidInput(where + QStringLiteral(" holds a %1-byte key; at least %2 bytes are needed")
                                        .arg(key.size())
                                        .arg(kMinKeyBytes));
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        qCWarning(lcSign) << where << "is readable by other users; chmod 600 it";
    return fromKey(key, options);
}

Status UrlSigner::generateKeyFile(const QString& path)
{
    unsigned char raw[48];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return internalError(QStringLiteral("no random bytes for a signing key"));
    QByteArray text = QByteArray(reinterpret_cast<const char*>(raw), sizeof raw).toBase64(b64Options());
    OPENSSL_cleanse(raw, sizeof raw);
    text.append('\n');
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ioError(QStringLiteral("cannot create key file '%1': %2")
                           .arg(path, QString::fromLocal8Bit(strerror(errno))));
    qint64 done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.constData() + done, size_t(text.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const QString reason = QString::fromLocal8Bit(strerror(errno));
            ::close(fd);
            ::unlink(name.constData());
            return ioError(QStringLiteral("cannot write key file '%1': %2").arg(path, reason));
        }
        done += n;
    }
    if (::close(fd) != 0)
        return ioError(QStringLiteral("cannot write key file '%1'").arg(path));
    return {};
}

QByteArray UrlSigner::mac(const QByteArray& method, const QString& path, qint64 expires, qint64 size) const
{
    QByteArray message = kMessagePrefix;
    message += method;
    message += '\n';
    message += path.toUtf8();
    message += '\n';
    message += QByteArray::number(expires);
    if (size >= 0) {
        message += "\nsize=";
        message += QByteArray::number(size);
    }
    return m_hmac.mac(message);
}

bool UrlSigner::constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

Result<UrlSigner::Signed> UrlSigner::sign(const QByteArray& method, const QString& path,
                                          std::optional<qint64> ttlSeconds) const
{
    return sign(method, path, ttlSeconds, QDateTime::currentSecsSinceEpoch());
}

Result<UrlSigner::Signed> UrlSigner::sign(const QByteArray& method, const QString& path,
                                          std::optional<qint64> ttlSeconds, qint64 nowUnix) const
{
    return signWithSize(method, path, -1, ttlSeconds, nowUnix);
}

Result<UrlSigner::Signed> UrlSigner::signPut(const QString& path, qint64 size,
                                             std::optional<qint64> ttlSeconds) const
{
    return signPut(path, size, ttlSeconds, QDateTime::currentSecsSinceEpoch());
}

Result<UrlSigner::Signed> UrlSigner::signPut(const QString& path, qint64 size,
                                             std::optional<qint64> ttlSeconds, qint64 nowUnix) const
{
    if (size < 0)
        return invalidInput(
            QStringLiteral("an upload URL needs a size of 0 or more bytes, not %1").arg(size));
    return signWithSize(QByteArrayLiteral("PUT"), path, size, ttlSeconds, nowUnix);
}

Result<UrlSigner::Signed> UrlSigner::signWithSize(const QByteArray& method, const QString& path, qint64 size,
                                                  std::optional<qint64> ttlSeconds, qint64 nowUnix) const
{
    if (method == "DELETE")
        return Error(ErrorKind::PermissionDenied, QStringLiteral("DELETE is never signed"));
    if (!signableMethod(method))
        return invalidInput(QStringLiteral("cannot sign method '%1'; only GET, HEAD and PUT")
                                .arg(QString::fromLatin1(method)));
    if (!path.startsWith(QLatin1String("/files/")))
        return invalidInput(QStringLiteral("cannot sign path '%1': not under /files/").arg(path));
    qint64 ttl = ttlSeconds.value_or(m_options.defaultTtlSeconds);
    if (ttl < 1)
        return invalidInput(QStringLiteral("a signed URL needs a lifetime of at least 1 s, not %1").arg(ttl));
    ttl = std::min(ttl, m_options.maxTtlSeconds);
    const qint64 expires = nowUnix + ttl;
    const QByteArray signature = mac(method, path, expires, size);
    if (signature.size() != kMacBytes)
        return internalError(QStringLiteral("HMAC-SHA256 failed"));
    Signed out;
    out.expires = expires;
    out.query =
        QStringLiteral("method=%1&expires=%2").arg(QString::fromLatin1(method), QString::number(expires));
    if (size >= 0)
        out.query += QStringLiteral("&size=") + QString::number(size);
    out.query += QStringLiteral("&signature=") + QString::fromLatin1(signature.toBase64(b64Options()));
    return out;
}

Status UrlSigner::verify(const QByteArray& method, const QString& path, const QUrlQuery& query) const
{
    return verify(method, path, query, QDateTime::currentSecsSinceEpoch());
}

Status UrlSigner::verify(const QByteArray& method, const QString& path, const QUrlQuery& query,
                         qint64 nowUnix) const
{
    return verifyWithSize(method, path, query, nowUnix, nullptr);
}

Result<qint64> UrlSigner::verifyPut(const QString& path, const QUrlQuery& query) const
{
    return verifyPut(path, query, QDateTime::currentSecsSinceEpoch());
}

Result<qint64> UrlSigner::verifyPut(const QString& path, const QUrlQuery& query, qint64 nowUnix) const
{
    qint64 size = -1;
    BUTLER_TRY(verifyWithSize(QByteArrayLiteral("PUT"), path, query, nowUnix, &size));
    return size;
}

Status UrlSigner::verifyWithSize(const QByteArray& method, const QString& path, const QUrlQuery& query,
                                 qint64 nowUnix, qint64* size) const
{
    if (method == "DELETE")
        return denied(QStringLiteral("DELETE is never allowed"));
    const QString names[] = {QStringLiteral("method"), QStringLiteral("expires"),
                             QStringLiteral("signature")};
    for (const QString& name : names) {
        const qsizetype count = query.allQueryItemValues(name).size();
        if (count != 1)
            return denied(count == 0 ? QStringLiteral("'%1' is missing").arg(name)
                                     : QStringLiteral("'%1' is given more than once").arg(name));
    }
    const QByteArray signedMethod = query.queryItemValue(names[0], QUrl::FullyDecoded).toLatin1();
    const QString expiresText = query.queryItemValue(names[1], QUrl::FullyDecoded);
    const QByteArray signatureText = query.queryItemValue(names[2], QUrl::FullyDecoded).toLatin1();

    if (!signableMethod(signedMethod))
        return denied(QStringLiteral("method '%1' cannot be signed").arg(QString::fromLatin1(signedMethod)));
    if (method != signedMethod && !(method == "HEAD" && signedMethod == "GET"))
        return denied(QStringLiteral("signed for %1, used for %2")
                          .arg(QString::fromLatin1(signedMethod), QString::fromLatin1(method)));

    bool ok = expiresText.size() <= 12 && !expiresText.isEmpty();
    for (QChar c : expiresText)
        ok = ok && c >= QLatin1Char('0') && c <= QLatin1Char('9');
    const qint64 expires = ok ? expiresText.toLongLong(&ok) : 0;
    if (!ok)
        return denied(QStringLiteral("'expires' is not a unix time"));

    const auto decoded =
        QByteArray::fromBase64Encoding(signatureText, b64Options() | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != kMacBytes ||
        decoded.decoded.toBase64(b64Options()) != signatureText)
        return denied(QStringLiteral("'signature' is malformed"));
    // Upload URLs bind a size, other URLs none: a URL of one kind never passes as the other.
    const qsizetype sizeCount = query.allQueryItemValues(QStringLiteral("size")).size();
    if (size && sizeCount != 1)
        return denied(sizeCount == 0 ? QStringLiteral("'size' is missing")
                                     : QStringLiteral("'size' is given more than once"));
    if (!size && sizeCount != 0)
        return denied(QStringLiteral("an upload URL is not a download URL"));
    qint64 signedSize = -1;
    if (size) {
        const QString sizeText = query.queryItemValue(QStringLiteral("size"), QUrl::FullyDecoded);
        bool sizeOk = !sizeText.isEmpty() && sizeText.size() <= 18;
        for (QChar c : sizeText)
            sizeOk = sizeOk && c >= QLatin1Char('0') && c <= QLatin1Char('9');
        signedSize = sizeOk ? sizeText.toLongLong(&sizeOk) : -1;
        if (!sizeOk)
            return denied(QStringLiteral("'size' is not a number of bytes"));
    }
    const QByteArray expected = mac(signedMethod, path, expires, signedSize);
    if (!constantTimeEquals(expected, decoded.decoded))
        return denied(QStringLiteral("the signature does not match this method, path and expiry"));

    if (nowUnix > expires)
        return denied(QStringLiteral("expired %1 s ago").arg(nowUnix - expires));
    if (expires - nowUnix > m_options.maxTtlSeconds)
        return denied(QStringLiteral("expiry is further away than the maximum lifetime of %1 s")
                          .arg(m_options.maxTtlSeconds));
    if (size)
        *size = signedSize;
    return {};
}

} // namespace butler
