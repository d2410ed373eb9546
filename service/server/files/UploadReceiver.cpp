#include "UploadReceiver.h"

#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcUpload, "butler.files.upload")

namespace butler {

struct UploadReceiver::Digest
{
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~Digest() { EVP_MD_CTX_free(context); }
};

QString UploadReceiver::temporaryMarker()
{
    return QStringLiteral(".upload-");
}

UploadReceiver::UploadReceiver(QString finalPath, QString relativePath, qint64 size, QString expectedSha256)
    : m_finalPath(std::move(finalPath))
    , m_relativePath(std::move(relativePath))
    , m_size(size)
    , m_expectedSha256(std::move(expectedSha256).toLower())
    , m_digest(std::make_unique<Digest>())
{
}

Result<std::shared_ptr<UploadReceiver>> UploadReceiver::create(QString finalPath, QString relativePath,
                                                               qint64 size, QString expectedSha256)
{
    std::shared_ptr<UploadReceiver> receiver(
        new UploadReceiver(std::move(finalPath), std::move(relativePath), size, std::move(expectedSha256)));
    if (!receiver->m_digest->context ||
        EVP_DigestInit_ex(receiver->m_digest->context, EVP_sha256(), nullptr) != 1)
        return internalError(QStringLiteral("SHA-256 is not available"));
    // A random name per request: two uploads of one slot never share a temporary file.
    const QString suffix = QString::number(QRandomGenerator::system()->generate64(), 16);
    receiver->m_tempPath = receiver->m_finalPath + temporaryMarker() + suffix;
    const QByteArray name = QFile::encodeName(receiver->m_tempPath);
    receiver->m_fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (receiver->m_fd < 0)
        return ioError(QStringLiteral("cannot store the upload of '%1': %2")
                           .arg(receiver->m_relativePath, QString::fromLocal8Bit(std::strerror(errno))));
    return receiver;
}

UploadReceiver::~UploadReceiver()
{
    discard();
}

void UploadReceiver::discard()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_placed && !m_tempPath.isEmpty()) {
        ::unlink(QFile::encodeName(m_tempPath).constData());
        m_tempPath.clear();
    }
}

bool UploadReceiver::fail(int status, const QByteArray& type, const QString& message)
{
    m_failure = Failure{status, type, message};
    qCInfo(lcUpload).noquote() << "upload of" << m_relativePath << "refused:" << message;
    discard();
    return false;
}

bool UploadReceiver::write(const char* data, qsizetype size)
{
    if (m_fd < 0)
        return false;
    if (m_received + size > m_size)
        return fail(400, "invalid_input",
                    QStringLiteral("the upload is larger than the %1 bytes it was signed for").arg(m_size));
    if (EVP_DigestUpdate(m_digest->context, data, size_t(size)) != 1)
        return fail(500, "internal", QStringLiteral("SHA-256 failed"));
    qsizetype done = 0;
    while (done < size) {
        const ssize_t n = ::write(m_fd, data + done, size_t(size - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const bool full = errno == ENOSPC || errno == EDQUOT;
            return fail(full ? 507 : 500, full ? "unavailable" : "io",
                        QStringLiteral("cannot store the upload of '%1': %2")
                            .arg(m_relativePath, QString::fromLocal8Bit(std::strerror(errno))));
        }
        done += n;
    }
    m_received += size;
    return true;
}

bool UploadReceiver::finish()
{
    if (m_fd < 0)
        return false;
    if (m_received != m_size)
        return fail(400, "invalid_input",
                    QStringLiteral("the upload has %1 bytes, not the %2 it was signed for")
                        .arg(m_received)
                        .arg(m_size));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(m_digest->context, digest, &length) != 1)
        return fail(500, "internal", QStringLiteral("SHA-256 failed"));
    const QString hex =
        QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(digest), int(length)).toHex());
    if (!m_expectedSha256.isEmpty() && hex != m_expectedSha256)
        return fail(400, "invalid_input",
                    QStringLiteral("the upload of '%1' does not have the sha256 announced for it "
                                   "(got %2); the file changed or was damaged on the way")
                        .arg(m_relativePath, hex));
    if (::close(m_fd) != 0) {
        m_fd = -1;
        return fail(500, "io", QStringLiteral("cannot store the upload of '%1'").arg(m_relativePath));
    }
    m_fd = -1;
    m_checksum = QStringLiteral("sha256:") + hex;
    m_complete = true;
    return true;
}

Status UploadReceiver::place()
{
    if (!m_complete)
        return internalError(QStringLiteral("the upload of '%1' is not complete").arg(m_relativePath));
    if (m_placed)
        return {};
    if (::rename(QFile::encodeName(m_tempPath).constData(), QFile::encodeName(m_finalPath).constData()) != 0)
        return ioError(QStringLiteral("cannot place the upload of '%1': %2")
                           .arg(m_relativePath, QString::fromLocal8Bit(std::strerror(errno))));
    m_placed = true;
    return {};
}

} // namespace butler
