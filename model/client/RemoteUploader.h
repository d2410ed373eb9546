#pragma once

#include "Butler.h"
#include "SignedPutSender.h"
#include "UploadGrant.h"
#include "UploadOptions.h"
#include "UploadSpec.h"

#include <QCoroTask>

#include <memory>
#include <optional>

namespace butler {

class FileHasher;
class RemoteButler;

// Sends files to a server repository through signed upload URLs, in batches: each batch is
// hashed (on a few threads), reserved (POST /uploads), PUT straight to its URLs with several
// transfers at once (plain http through SignedPutSender, https through QNetworkAccessManager),
// and committed. Into a new run (UploadOptions::newRun) the hashing goes on while the batch is
// reserved and sent, and is checked against what the server received before the commit; there
// the batches also overlap: the next one is reserved, and the one before committed, while a
// batch's files are sent, so that the server's work on slots and datasets hides behind transfers.
// Files the server already holds (an interrupted earlier run, or datasets with the same
// content with `resume`) are not sent again. The RemoteButler must outlive it.
class RemoteUploader
{
public:
    RemoteUploader(RemoteButler& butler, UploadOptions options);

    // The refs in the order of files. Only Copy-style uploads: each file's path is read, its
    // id must be null (the server makes the IDs), its formatter is guessed when empty.
    QCoro::Task<Result<QList<DatasetRef>>> uploadAsync(QString run, QList<IngestFile> files);
    // Of the last call, also after a failure.
    const UploadReport& report() const { return m_report; }

private:
    struct Pending
    {
        QString url;
        QString path;
        qint64 size = 0;
        qsizetype index = 0; // in its batch
    };
    // A batch this call committed, and the datasets it made.
    struct Committed
    {
        QString uploadId;
        QList<QUuid> ids;
    };
    // One batch on its way: what was asked for, its hashes, and the server's grant.
    struct Batch
    {
        QList<UploadSpec> specs;
        QList<QString> paths;
        std::unique_ptr<FileHasher> hasher;
        std::optional<UploadGrant> grant;
        bool checkAfterSending = false;
    };

    // How many files each batch takes: batchFiles at most. When batches overlap (pipelined), the
    // first and the last take an eighth of that, so that reserving the second and committing the
    // one before the last happen while files are on their way.
    static QList<qsizetype> batchSizes(qsizetype total, int batchFiles, bool pipelined);
    std::unique_ptr<Batch> prepare(const QList<IngestFile>& files, const QList<qint64>& sizes,
                                   qsizetype start, qsizetype count, bool hashWhileSending) const;
    // Reserves the batch's slots (before its hashes are known when hashWhileSending allows);
    // an upload it opens goes into openUploads.
    QCoro::Task<Status> reserveBatch(QString run, Batch* batch, bool hashWhileSending,
                                     QStringList* openUploads);
    // PUTs what the grant asks for, and checks what arrived when that was left for afterwards.
    QCoro::Task<Status> sendBatch(Batch* batch);
    // Commits the batch and appends its refs, in the order of its files, to refs.
    QCoro::Task<Status> commitBatch(Batch* batch, QStringList* openUploads, QList<Committed>* committed,
                                    QList<DatasetRef>* refs);
    // The sha256s of paths, on up to four threads.
    static std::unique_ptr<FileHasher> sha256Hasher(const QList<QString>& paths);
    // A grant of fileCount "upload" slots with plain-http URLs: what can be checked after sending.
    static bool isPlainUploadGrant(const UploadGrant& grant, qsizetype fileCount);
    static QCoro::Task<Status> waitForHashes(FileHasher& hasher);
    // Every file the server received (received: its answers, in the order of pending) has the
    // digest the hasher (XXH3-128) found, else a conflict. A server that names only the sha256
    // of what arrived gets the files' sha256s compared instead.
    static QCoro::Task<Status> checkReceived(FileHasher& hasher, QList<Pending> pending,
                                             QList<SignedPutSender::Received> received);
    // received, if given, takes what the server answered for each file (plain http only).
    QCoro::Task<Status> sendAll(QList<Pending> pending, QList<SignedPutSender::Received>* received = nullptr);
    // Plain-http URLs: SignedPutSender on its own threads.
    QCoro::Task<Status> sendPlain(QList<SignedPutSender::File> files,
                                  QList<SignedPutSender::Received>* received);
    void advance(qint64 bytes);
    // Undoes what this call did (when undoOnFailure): aborts the open batches and removes the
    // committed ones for good, then answers error.
    QCoro::Task<Error> fail(Error error, QStringList openUploads, QList<Committed> committed);

    RemoteButler& m_butler;
    UploadOptions m_options;
    UploadReport m_report;
    qint64 m_done = 0;
    qint64 m_total = 0;
};

} // namespace butler
