#pragma once

#include "DatasetRef.h"
#include "Result.h"
#include "UploadSlot.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUuid>
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
//            whose time ran out. With undoCommitted, a batch already committed is undone:
//            its datasets are deleted for good (no trash), as if it never happened.
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
        // Files are never fsync'ed one by one: a killed server loses nothing that reached the
        // page cache. With this, a commit flushes the datastore's file system once (syncfs)
        // before it records the files, so that a power cut cannot leave records naming data that
        // never reached the disk; it costs the write-back of everything uploaded since.
        bool syncOnCommit = false;
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
    // Returns the bytes given back. A committed batch is a conflict unless undoCommitted: then
    // the datasets it made (those still there) go for good, with their files.
    Result<qint64> abort(AuthorizedButler& butler, const QString& uploadId, bool undoCommitted = false);
    // POST /datasets/put: one dataset from bytes in memory, charged like an upload.
    Result<DatasetRef> put(AuthorizedButler& butler, const QByteArray& bytes, const QString& formatter,
                           const QString& datasetType, const QVariantMap& dataId, const QString& run);

    // The file endpoint, once a PUT's signature was checked and before its body is read: the
    // receiver for the body, if the URL's slot is open and still the signed size.
    Result<std::shared_ptr<UploadReceiver>> openReceiver(const FileRequest& file, qint64 size);
    // The body arrived whole: renames it into place, if its slot is still open and no commit,
    // abort or expiry is deciding about it. No database work: what arrived is the file at the
    // slot's path (only a complete body, with the announced sha256, is renamed there), and its
    // checksum is kept in memory until the commit records it.
    Result<QJsonObject> receive(UploadReceiver& receiver);

    // Frees the slots whose time ran out, files included, and forgets old committed batches.
    // Returns the number of slots freed.
    Result<int> expire(qint64 now);

    // Before the server takes requests: removes what a killed server left half-written (every
    // temporary upload file: none is in flight yet) and recounts reserved bytes from the open
    // slots. Open reservations stay: their clients may carry on until they expire.
    Status recover();
    // Absolute: where bodies are written while they arrive (UploadStore::temporaryFolder()).
    QString temporaryFolderPath() const;

private:
    // What a PUT needs to know of an open slot, kept so that uploads ask the database nothing:
    // filled by reserve (or, after a restart, from the database on first use) and dropped when
    // the slot is committed, aborted or expired. The database stays the authority: a path
    // missing here is looked up there.
    struct SlotState
    {
        QUuid datasetId;
        qint64 size = 0;
        QString expectedSha256;
        qint64 expires = 0;
        QString checksum;     // "sha256:<hex>" of the file at the slot's path, once known
        bool closing = false; // a commit, abort, expiry or replacement is deciding its fate
    };
    enum class Lookup
    {
        Open,
        Committed,
        Missing,
    };

    // Under m_slotMutex: the state of path, from memory or the database.
    Result<Lookup> lookupLocked(const QString& path, SlotState** state);
    // Marks the paths closing, waiting while another operation has one of them: from then on
    // no PUT places a file there. Returns the checksums known for them. Never call it inside a
    // database transaction (the other operation may wait for the write lock).
    QHash<QString, QString> closeSlots(const QStringList& paths);
    // The same without waiting, for use inside a transaction: false if one is closing already.
    bool tryCloseSlots(const QStringList& paths);
    // Forgets the paths (after closeSlots, whatever the outcome): the database decides next.
    void forgetSlots(const QStringList& paths);
    void rememberSlot(const QString& path, const SlotState& state);
    Result<QList<DatasetRef>> committedRefs(const QString& uploadId);
    Result<qint64> undoCommitted(AuthorizedButler& butler, const UploadBatch& batch);
    // Called inside the transaction that drops the rows naming the files, before it commits:
    // a crash in between leaves a slot without its file (asked for again at commit), never a
    // file that nothing names.
    void deleteFiles(const QStringList& relativePaths);

    RepositoryService& m_repository;
    Options m_options;
    std::mutex m_slotMutex; // guards m_slots
    std::condition_variable m_slotsReopened;
    QHash<QString, SlotState> m_slots; // by datastore-relative path
};

} // namespace butler
