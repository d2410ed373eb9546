#pragma once

#include "Result.h"
#include "UploadSlot.h"

#include <QHash>
#include <QList>

#include <memory>
#include <optional>

namespace butler {

class Database;
class Registry;

// Upload batches and their slots, in the registry database (tables butler_upload and
// butler_upload_slot, created when missing), so that a reservation, the quota it takes and
// the commit that turns it into datasets change together. While a slot is open no second
// slot may name the same run, dataset type and data ID. Calls join the caller's transaction.
class UploadStore
{
public:
    static Result<std::unique_ptr<UploadStore>> open(Registry& registry);
    // Where uploads in flight are written as named files (on file systems without O_TMPFILE,
    // and briefly when an upload replaces an earlier one), relative to the datastore root. The
    // '@' is a character the datastore's file template never produces, so no dataset's file
    // lands there.
    static QString temporaryFolder();

    Result<std::optional<UploadBatch>> batch(const QString& uploadId);
    Result<QList<UploadSlot>> slotsOf(const QString& uploadId);
    Result<qsizetype> slotCount(const QString& uploadId);
    Result<std::optional<UploadSlot>> slotByPath(const QString& path);
    // Every open slot (verification).
    Result<QList<UploadSlot>> openSlots();
    // The open slots of one run.
    Result<QList<UploadSlot>> openSlotsIn(const QString& run);
    // Open slots whose time ran out.
    Result<QList<UploadSlot>> expiredSlots(qint64 now);

    Status insertBatch(const UploadBatch& batch);
    Status insertSlot(const UploadSlot& slot);
    // Many at once, in multi-row statements.
    Status insertSlots(const QList<UploadSlot>& newSlots);
    // An open slot joins another batch of the same user with a new expiry (a resumed upload).
    Status adoptSlot(const QUuid& datasetId, const QString& uploadId, qint64 expires, int ordinal);
    // At commit, the checksums of what arrived for slots that announced no sha256 (markCommitted
    // records the announced ones: an upload with another hash was refused).
    Status setChecksums(const QHash<QUuid, QString>& unannounced);
    // The datastore's file records (the registry's file_datastore_records, as
    // Registry::insertFileRecords writes them) for every slot of an upload, one statement per
    // dataset type: a commit of thousands of files costs no round trip per file.
    Status insertFileRecords(const QString& uploadId, const QHash<QString, QString>& storageClassByType);
    // The batch and its slots become committed; their data IDs no longer block new slots. A slot
    // that announced a sha256 gets it as its checksum.
    Status markCommitted(const QString& uploadId, qint64 now);
    Status removeSlots(const QList<QUuid>& datasetIds);
    Status removeBatch(const QString& uploadId);
    // Drops open batches left without slots and committed batches (with their slots) committed
    // before `before`; returns how many batches went.
    Result<int> removeStaleBatches(qint64 before);

private:
    explicit UploadStore(Database& db);
    Result<QList<UploadSlot>> selectSlots(const QString& where, const QVariantList& binds);

    Database& m_db;
};

} // namespace butler
