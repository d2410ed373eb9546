#pragma once

#include "DatasetRef.h"
#include "Result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QVariantMap>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace butler {

class AuthorizedButler;
class FileRequest;
class RepositoryService;
class UploadReceiver;

// Signed uploads of one repository (docs/server-api.md, "Uploads"):
//   reserve  checks write permission, dataset types, data IDs, uniqueness and quota, reserves
//            the bytes, chooses each file's path from the datastore template and hands out one
//            signed PUT URL per file;
//   receive  (the file endpoint) stores a PUT body that matches its slot;
//   commit   checks that every file arrived, inserts datasets and file records in one
//            transaction and turns the reservation into usage; a repeated commit answers the
//            same refs;
//   abort    frees the reservation and deletes what arrived; expire does the same for slots
//            whose time ran out.
// The user who commits is charged for the files. Resuming: a reservation that names datasets
// the same user already has open slots for takes those slots over (files already received are
// not asked for again), and with `resume` datasets already in the run with the same size and
// sha256 are reported as existing instead of refused.
class UploadService
{
public:
    struct Options
    {
        qint64 ttlSeconds = 3600;
        qint64 maxFileBytes = 53687091200;
        int maxBatchFiles = 10000;
        // How long a committed batch is remembered for repeated commits.
        qint64 committedRetentionSeconds = 86400;
    };

    // One file of a reservation.
    struct File
    {
        QString datasetType;
        QVariantMap dataId;
        qint64 size = -1;
        QString sha256; // hex, optional
        QString formatter;
    };

    struct Request
    {
        QString run;
        QList<File> files;
        // A rerun: a dataset already in the run with the same size and sha256 is reported as
        // "exists" instead of refused.
        bool resume = false;
    };

    // What became of one file of a reservation.
    struct Slot
    {
        QUuid datasetId;
        QString status; // "upload" (PUT it to url), "uploaded" (received already), "exists" (in the run)
        QString url;
        qint64 expires = 0;
        QString path;
        std::optional<DatasetRef> ref; // for "exists"
        QJsonObject toJson() const;
    };

    struct Grant
    {
        QString uploadId; // empty when nothing is left to upload or commit
        qint64 expires = 0;
        qint64 reservedBytes = 0;
        QList<Slot> files; // in request order
        QJsonObject toJson() const;
    };

    UploadService(RepositoryService& repository, Options options);

    const Options& options() const { return m_options; }

    Result<Grant> reserve(AuthorizedButler& butler, const Request& request);
    Result<QList<DatasetRef>> commit(AuthorizedButler& butler, const QString& uploadId);
    // Returns the bytes given back.
    Result<qint64> abort(AuthorizedButler& butler, const QString& uploadId);
    // POST /datasets/put: one dataset from bytes in memory, charged like an upload.
    Result<DatasetRef> put(AuthorizedButler& butler, const QByteArray& bytes, const QString& formatter,
                           const QString& datasetType, const QVariantMap& dataId, const QString& run);

    // The file endpoint, once a PUT's signature was checked and before its body is read: the
    // receiver for the body, if the URL's slot is open and still the signed size.
    Result<std::shared_ptr<UploadReceiver>> openReceiver(const FileRequest& file, qint64 size);
    // The body arrived whole: moves it into place and marks its slot uploaded. Concurrent
    // arrivals are stored in one transaction (group commit): the first caller writes for every
    // caller that arrives meanwhile, so many small uploads do not queue for the write lock.
    Result<QJsonObject> receive(UploadReceiver& receiver);

    // Frees the slots whose time ran out, files included, and forgets old committed batches.
    // Returns the number of slots freed.
    Result<int> expire(qint64 now);

private:
    struct Arrival
    {
        UploadReceiver* receiver = nullptr;
        std::optional<Result<QJsonObject>> result;
    };

    // Inside the group's transaction.
    Result<QJsonObject> storeArrival(UploadReceiver& receiver);
    void storeGroup(const QList<Arrival*>& group);
    Result<QList<DatasetRef>> committedRefs(const QString& uploadId);
    void deleteFiles(const QStringList& relativePaths);

    RepositoryService& m_repository;
    Options m_options;
    std::mutex m_arrivalMutex; // guards the members below
    std::condition_variable m_arrivalStored;
    QList<Arrival*> m_arrivals;
    bool m_storing = false;
};

} // namespace butler
