#pragma once

#include "Butler.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

namespace butler {

class Registry;
class FileDatastore;

struct RepositoryOptions
{
    QString postgres;      // conninfo; empty: SQLite inside the repository
    QString datastoreRoot; // empty: <repo>/datastore
    QString fileTemplate;  // empty: the default template
};

// The Butler on a local repository: a Registry plus a FileDatastore, with every write
// transactional across both (a failed put or ingest leaves neither rows nor files).
//
// Removals go to the trash (Registry's trash) for trashRetention(); files are deleted only when
// an entry is purged: when it has expired and a removal runs, or when the trash is emptied.
class DirectButler : public Butler
{
public:
    using Clock = std::function<qint64()>; // unix seconds
    // 30 days; a repository's butler.yaml may set trash: {retention_days: N}.
    static constexpr qint64 DefaultTrashRetentionSeconds = 30 * 86400;

    // Creates an empty repository at path (butler.yaml, registry, datastore root).
    static Status create(const QString& path, const RepositoryOptions& options = {});
    static Result<std::unique_ptr<DirectButler>> open(const QString& path);
    ~DirectButler() override;

    Registry& registry();
    FileDatastore& datastore();

    const DimensionUniverse& universe() const override;
    QString location() const override;

    Status insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                  bool skipExisting = false) override;
    Result<DimensionRecordPage> queryDimensionRecords(const DimensionRecordQuery& query) override;
    Status registerDatasetType(const DatasetType& type) override;
    Result<DatasetType> getDatasetType(const QString& name) override;
    Result<QList<DatasetType>> queryDatasetTypes(const QStringList& globs,
                                                 const QStringList& collections = {}) override;
    Result<QStringList> removeDatasetTypes(const QStringList& globs) override;
    Status registerCollection(const QString& name, CollectionType type, const QString& doc = {}) override;
    Result<CollectionInfo> getCollection(const QString& name) override;
    Result<QList<CollectionInfo>> queryCollections(const CollectionQuery& query) override;
    Status setCollectionChain(const QString& parent, const QStringList& children, ChainMode mode,
                              bool flatten = false, const QString& doc = {}) override;
    Result<QStringList> flattenCollections(const QStringList& namesOrGlobs) override;
    Status removeCollections(const QStringList& names) override;
    Status removeRuns(const QStringList& names) override;
    Result<DatasetPage> queryDatasets(const DatasetQuery& query) override;
    Result<QList<DataCoordinate>> queryDataIds(const DataIdQuery& query) override;
    Result<std::optional<DatasetRef>> findDataset(const QString& datasetType, const QVariantMap& dataId,
                                                  const QStringList& collections,
                                                  std::optional<qint64> time = {}) override;
    Result<DatasetRef> getDataset(const QUuid& id) override;
    Result<QList<FileInfo>> fileInfo(const QList<QUuid>& ids) override;
    Result<DatasetRef> put(const QByteArray& bytes, const QString& formatter, const QString& datasetType,
                           const QVariantMap& dataId, const QString& run) override;
    Result<QByteArray> get(const QUuid& id, QString* formatter = nullptr) override;
    Result<QList<DatasetRef>> ingest(const QString& run, const QList<IngestFile>& files, TransferMode mode,
                                     DatasetIdMode idMode = DatasetIdMode::Unique) override;
    Result<QList<DatasetRef>> registerDatasets(const QString& run, const QList<IngestFile>& datasets,
                                               DatasetIdMode idMode = DatasetIdMode::Unique) override;
    Status associate(const QString& tagged, const QList<QUuid>& ids) override;
    Status disassociate(const QString& tagged, const QList<QUuid>& ids) override;
    Status certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity) override;
    Status decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                     const QList<DataCoordinate>& dataIds = {}) override;
    Status pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore) override;
    Result<QList<TrashEntry>> trashEntries() override;
    Result<QList<TrashEntry>> restoreFromTrash(const QStringList& names) override;
    Result<QList<TrashEntry>> emptyTrash(const QStringList& names, bool expiredOnly = false) override;

    // How long removals stay restorable, in seconds; the server sets its configured period.
    qint64 trashRetention() const { return m_trashRetention; }
    void setTrashRetention(qint64 seconds) { m_trashRetention = seconds; }
    // Tests move time with their own clock.
    void setClock(Clock clock) { m_clock = std::move(clock); }
    qint64 now() const;
    // Who local removals are recorded as: the login name.
    static QString localUser();

    // The steps under the Butler calls, naming who acts (the server passes its caller).
    // Removes a RUN (run) or another collection (!run): to the trash, or at once when it holds
    // nothing and no chain holds it (then the answer is empty).
    Result<std::optional<TrashEntry>> removeCollectionAs(const QString& name, bool run, const QString& user);
    // Moves visible datasets to the trash, one entry per RUN.
    Result<QList<TrashEntry>> trashDatasetsAs(const QList<QUuid>& ids, const QString& user);
    // Every entry, expired ones included, oldest first.
    Result<QList<TrashEntry>> allTrashEntries();
    // Restores the entries, all or none; an expired entry cannot come back.
    Status restoreTrashEntries(const QList<TrashEntry>& entries);
    // Deletes the entries' rows and then, once their transaction has committed, their files (a
    // crash in between leaves orphan files, which verify-quotas reports, never rows without
    // files). Outside a caller's transaction, the entries first expire (no restore can take
    // them back half deleted) and their datasets go purgeChunk() at a time, each part in a
    // transaction of its own, so that other writers wait for a part, not for all of it; the
    // rest goes in one last transaction.
    Result<QList<TrashEntry>> purgeTrashEntries(const QList<TrashEntry>& entries);
    qsizetype purgeChunk() const { return m_purgeChunk; }
    // Tests make it small; at most 999 (Registry::purgeTrashDatasets).
    void setPurgeChunk(qsizetype datasets) { m_purgeChunk = std::clamp<qsizetype>(datasets, 1, 999); }
    Result<QList<TrashEntry>> purgeExpiredTrash();

private:
    // Writes of fewer datasets than this do not check the planner statistics.
    static constexpr qint64 StatisticsCheckRows = 1000;

    DirectButler(QString path, std::unique_ptr<Registry> registry, std::unique_ptr<FileDatastore> datastore);
    // After a write of rows datasets: refreshes the registry's planner statistics when the
    // repository grew enough since they were made (Registry::refreshStatisticsIfStale()).
    void refreshStatisticsAfter(qint64 rows);
    // Removals first purge what has expired; a failure there does not stop them.
    void purgeExpiredQuietly();

    QString m_path;
    std::unique_ptr<Registry> m_registry;
    std::unique_ptr<FileDatastore> m_datastore;
    qint64 m_trashRetention = DefaultTrashRetentionSeconds;
    Clock m_clock;
    // About 30 ms of the write lock a part (60 µs a dataset).
    qsizetype m_purgeChunk = 500;
};

} // namespace butler
