#include "UploadReceiver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <openssl/evp.h>
#include <xxhash.h>

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
    XXH3_state_t* xxh = XXH3_createState();
    ~Digest()
    {
        EVP_MD_CTX_free(context);
        XXH3_freeState(xxh);
    }
};

QString UploadReceiver::temporaryMarker()
{
    return QStringLiteral(".upload-");
}

namespace {

// A random name per request: two uploads of one slot never share a temporary file.
QString temporaryName(const QString& folder)
{
    return folder + QLatin1Char('/') + QString::number(QRandomGenerator::system()->generate64(), 16) +
           UploadReceiver::temporaryMarker() + QStringLiteral("part");
}

int openNew(const QString& path, const QString& folder)
{
    const QByteArray encoded = QFile::encodeName(path);
    int fd = ::open(encoded.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT && QDir().mkpath(folder))
        fd = ::open(encoded.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    return fd;
}

// Gives the unnamed file open as fd the name path.
int linkOpenFile(int fd, const QString& path)
{
    const QByteArray self = "/proc/self/fd/" + QByteArray::number(fd);
    return ::linkat(AT_FDCWD, self.constData(), AT_FDCWD, QFile::encodeName(path).constData(),
                    AT_SYMLINK_FOLLOW);
}

} // namespace

UploadReceiver::UploadReceiver(QString finalPath, QString relativePath, qint64 size, QString expectedSha256)
    : m_finalPath(std::move(finalPath))
    , m_relativePath(std::move(relativePath))
    , m_size(size)
    , m_expectedSha256(std::move(expectedSha256).toLower())
    , m_digest(std::make_unique<Digest>())
{
}

Result<std::shared_ptr<UploadReceiver>> UploadReceiver::create(QString finalPath, QString relativePath,
                                                               const QString& temporaryFolder, qint64 size,
                                                               QString expectedSha256)
{
    std::shared_ptr<UploadReceiver> receiver(
        new UploadReceiver(std::move(finalPath), std::move(relativePath), size, std::move(expectedSha256)));
    if (!receiver->m_digest->context ||
        EVP_DigestInit_ex(receiver->m_digest->context, EVP_sha256(), nullptr) != 1)
        return internalError(QStringLiteral("SHA-256 is not available"));
    if (!receiver->m_digest->xxh || XXH3_128bits_reset(receiver->m_digest->xxh) != XXH_OK)
        return internalError(QStringLiteral("XXH3-128 is not available"));
    receiver->m_temporaryFolder = temporaryFolder;
    // An unnamed file in the final folder (made by resolveForWrite): nothing to clean up after
    // a crash, and creating it takes no lock on the folder.
    const QByteArray folder = QFile::encodeName(QFileInfo(receiver->m_finalPath).absolutePath());
    receiver->m_fd = ::open(folder.constData(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    // Naming it later goes through /proc/self/fd.
    static const bool procMounted = ::access("/proc/self/fd", X_OK) == 0;
    if (receiver->m_fd >= 0 && procMounted) {
        receiver->m_anonymous = true;
        return receiver;
    }
    if (receiver->m_fd >= 0) {
        ::close(receiver->m_fd);
        receiver->m_fd = -1;
    }
    // A file system without O_TMPFILE: a named file in the upload folder.
    receiver->m_tempPath = temporaryName(temporaryFolder);
    receiver->m_fd = openNew(receiver->m_tempPath, temporaryFolder);
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
    if (EVP_DigestUpdate(m_digest->context, data, size_t(size)) != 1 ||
        XXH3_128bits_update(m_digest->xxh, data, size_t(size)) != XXH_OK)
        return fail(500, "internal", QStringLiteral("hashing the upload failed"));
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
    // Only a start: the pages go to the disk while more uploads arrive. A failure here shows
    // again in the flush that needs the pages on the disk.
    if (m_earlyWriteBack)
        ::sync_file_range(m_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    // An unnamed file stays open until place() names it.
    if (!m_anonymous) {
        if (::close(m_fd) != 0) {
            m_fd = -1;
            return fail(500, "io", QStringLiteral("cannot store the upload of '%1'").arg(m_relativePath));
        }
        m_fd = -1;
    }
    m_checksum = QStringLiteral("sha256:") + hex;
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(m_digest->xxh));
    m_xxh128 = QString::fromLatin1(
        QByteArray(reinterpret_cast<const char*>(canonical.digest), int(sizeof canonical.digest)).toHex());
    m_complete = true;
    return true;
}

Status UploadReceiver::place()
{
    if (!m_complete)
        return internalError(QStringLiteral("the upload of '%1' is not complete").arg(m_relativePath));
    if (m_placed)
        return {};
    const QString folder = QFileInfo(m_finalPath).absolutePath();
    const auto failed = [this](int error) {
        return ioError(QStringLiteral("cannot place the upload of '%1': %2")
                           .arg(m_relativePath, QString::fromLocal8Bit(std::strerror(error))));
    };
    if (m_anonymous) {
        int linked = linkOpenFile(m_fd, m_finalPath);
        // The folder went since the request's head came (an abort or expiry in the same folder
        // removed it once empty): make it again.
        if (linked != 0 && errno == ENOENT && QDir().mkpath(folder))
            linked = linkOpenFile(m_fd, m_finalPath);
        if (linked != 0 && errno == EEXIST) {
            // An earlier upload of the slot: replaced at once, through a name in the upload folder.
            m_tempPath = temporaryName(m_temporaryFolder);
            linked = linkOpenFile(m_fd, m_tempPath);
            if (linked != 0 && errno == ENOENT && QDir().mkpath(m_temporaryFolder))
                linked = linkOpenFile(m_fd, m_tempPath);
            if (linked != 0) {
                m_tempPath.clear();
                return failed(errno);
            }
            linked = ::rename(QFile::encodeName(m_tempPath).constData(),
                              QFile::encodeName(m_finalPath).constData());
        }
        if (linked != 0)
            return failed(errno);
        m_placed = true;
        ::close(m_fd);
        m_fd = -1;
        return {};
    }
    const QByteArray from = QFile::encodeName(m_tempPath);
    const QByteArray to = QFile::encodeName(m_finalPath);
    int renamed = ::rename(from.constData(), to.constData());
    if (renamed != 0 && errno == ENOENT && QDir().mkpath(folder))
        renamed = ::rename(from.constData(), to.constData());
    if (renamed != 0)
        return failed(errno);
    m_placed = true;
    return {};
}

} // namespace butler
