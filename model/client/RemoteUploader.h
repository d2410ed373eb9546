#pragma once

#include "Butler.h"
#include "SignedPutSender.h"
#include "UploadOptions.h"
#include "UploadSpec.h"

#include <QCoroTask>

namespace butler {

class RemoteButler;

// Sends files to a server repository through signed upload URLs, in batches: each batch is
// hashed (on a few threads), reserved (POST /uploads), PUT straight to its URLs with several
// transfers at once (plain http through SignedPutSender, https through QNetworkAccessManager),
// and committed. Files the server already holds (an interrupted earlier run, or datasets with
// the same content with `resume`) are not sent again. The RemoteButler must outlive it.
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
    };
    // A batch this call committed, and the datasets it made.
    struct Committed
    {
        QString uploadId;
        QList<QUuid> ids;
    };

    // The sha256 and size of each file into specs (same order), on a few threads.
    static Status hashAll(const QList<IngestFile>& files, QList<UploadSpec>& specs);
    QCoro::Task<Status> sendAll(QList<Pending> pending);
    // Plain-http URLs: SignedPutSender on its own threads.
    QCoro::Task<Status> sendPlain(QList<SignedPutSender::File> files);
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
