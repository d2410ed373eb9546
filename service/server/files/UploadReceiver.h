#pragma once

#include "HttpBodySink.h"
#include "Result.h"

#include <QString>

#include <memory>

namespace butler {

// The body of one signed upload (PUT), written as it arrives to a temporary file and hashed on
// the way, so a file of any size passes through a few hundred KiB of memory. The body must be
// exactly the signed size and, when the slot knows the client's sha256, have that hash. Its
// XXH3-128 is taken on the way too: the client compares it with its file, which costs it far
// less than a sha256 of its own. place()
// then gives the file its final path; a receiver destroyed before that leaves nothing.
// The temporary file is an unnamed one (O_TMPFILE) in the final folder, which the kernel
// removes even when the server is killed; where the file system has no such files, it is a
// named file in the upload folder (see UploadService::recover, which empties it on start).
class UploadReceiver : public HttpBodySink
{
public:
    // finalPath is absolute (FileRequest::resolveForWrite); relativePath names it to the
    // repository; temporaryFolder (absolute, on the file system of finalPath) takes the file
    // while it arrives; expectedSha256 is hex or empty.
    static Result<std::shared_ptr<UploadReceiver>> create(QString finalPath, QString relativePath,
                                                          const QString& temporaryFolder, qint64 size,
                                                          QString expectedSha256);
    ~UploadReceiver() override;
    UploadReceiver(const UploadReceiver&) = delete;
    UploadReceiver& operator=(const UploadReceiver&) = delete;

    // With it on, finish() starts the kernel's write-back of the body at once (sync_file_range),
    // so a later flush of the file system (quotas.sync_on_commit) finds little left to write.
    void setEarlyWriteBack(bool on) { m_earlyWriteBack = on; }

    bool write(const char* data, qsizetype size) override;
    bool finish() override;
    Failure failure() const override { return m_failure; }

    const QString& relativePath() const { return m_relativePath; }
    const QString& finalPath() const { return m_finalPath; }
    qint64 size() const { return m_size; }
    // "sha256:<hex>", once finish() succeeded.
    const QString& checksum() const { return m_checksum; }
    // The body's XXH3-128 (xxh128sum's hex), once finish() succeeded.
    const QString& xxh128() const { return m_xxh128; }
    bool isComplete() const { return m_complete; }

    // Renames the received file to its final path, replacing an earlier upload of the same slot.
    Status place();
    // Part of every temporary upload file's name, so that scans can tell them apart.
    static QString temporaryMarker();

private:
    UploadReceiver(QString finalPath, QString relativePath, qint64 size, QString expectedSha256);
    bool fail(int status, const QByteArray& type, const QString& message);
    void discard();

    QString m_finalPath;
    QString m_relativePath;
    QString m_temporaryFolder;
    QString m_tempPath;       // a named temporary file, if any
    bool m_anonymous = false; // the body is an unnamed file (O_TMPFILE) until place()
    bool m_earlyWriteBack = false;
    qint64 m_size = 0;
    qint64 m_received = 0;
    QString m_expectedSha256;
    QString m_checksum;
    QString m_xxh128;
    int m_fd = -1;
    struct Digest;
    std::unique_ptr<Digest> m_digest;
    bool m_complete = false;
    bool m_placed = false;
    Failure m_failure;
};

} // namespace butler
