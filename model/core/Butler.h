#pragma once

#include "DimensionUniverse.h"
#include "Queries.h"
#include "TrashEntry.h"

namespace butler {

// The one interface the CLI and the desktop app program against. DirectButler (service/)
// works on a local repository; RemoteButler (model/client) talks to butler-server. Calls are
// blocking; the desktop app runs them off the UI thread.
class Butler
{
public:
    virtual ~Butler() = default;

    virtual const DimensionUniverse& universe() const = 0;
    // "path" for local repositories, the server URL for remote ones.
    virtual QString location() const = 0;

    // Dimension records.
    virtual Status insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                          bool skipExisting = false) = 0;
    virtual Result<DimensionRecordPage> queryDimensionRecords(const DimensionRecordQuery& query) = 0;

    // Dataset types.
    virtual Status registerDatasetType(const DatasetType& type) = 0;
    virtual Result<DatasetType> getDatasetType(const QString& name) = 0;
    // Types matching any glob; with collections, only types that have datasets there.
    virtual Result<QList<DatasetType>> queryDatasetTypes(const QStringList& globs,
                                                         const QStringList& collections = {}) = 0;
    // Removes the matching types; refuses a type that still has datasets. Returns the names.
    virtual Result<QStringList> removeDatasetTypes(const QStringList& globs) = 0;

    // Collections.
    virtual Status registerCollection(const QString& name, CollectionType type, const QString& doc = {}) = 0;
    virtual Result<CollectionInfo> getCollection(const QString& name) = 0;
    virtual Result<QList<CollectionInfo>> queryCollections(const CollectionQuery& query) = 0;
    // Creates the chain when it does not exist (redefine, extend, prepend).
    virtual Status setCollectionChain(const QString& parent, const QStringList& children, ChainMode mode,
                                      bool flatten = false, const QString& doc = {}) = 0;
    // The RUN and TAGGED/CALIBRATION collections a search over these names reaches, in order.
    virtual Result<QStringList> flattenCollections(const QStringList& namesOrGlobs) = 0;
    // Moves non-RUN collections to the trash (their datasets stay in their runs). A collection
    // that holds nothing and is in no chain is removed at once: there is nothing to restore.
    virtual Status removeCollections(const QStringList& names) = 0;
    // Moves runs with their datasets to the trash; the files go when the entry is purged. An
    // empty run in no chain is removed at once.
    virtual Status removeRuns(const QStringList& names) = 0;

    // Datasets.
    virtual Result<DatasetPage> queryDatasets(const DatasetQuery& query) = 0;
    virtual Result<QList<DataCoordinate>> queryDataIds(const DataIdQuery& query) = 0;
    // The dataset of this type and data ID in the first collection that has one; CALIBRATION
    // collections need a time (or a data ID with an exposure or visit to take it from).
    virtual Result<std::optional<DatasetRef>> findDataset(const QString& datasetType,
                                                          const QVariantMap& dataId,
                                                          const QStringList& collections,
                                                          std::optional<qint64> time = {}) = 0;
    virtual Result<DatasetRef> getDataset(const QUuid& id) = 0;
    virtual Result<QList<FileInfo>> fileInfo(const QList<QUuid>& ids) = 0;

    virtual Result<DatasetRef> put(const QByteArray& bytes, const QString& formatter,
                                   const QString& datasetType, const QVariantMap& dataId,
                                   const QString& run) = 0;
    // The file's bytes, checked against the recorded size and checksum; formatter is set to
    // the stored label.
    virtual Result<QByteArray> get(const QUuid& id, QString* formatter = nullptr) = 0;
    virtual Result<QList<DatasetRef>> ingest(const QString& run, const QList<IngestFile>& files,
                                             TransferMode mode,
                                             DatasetIdMode idMode = DatasetIdMode::Unique) = 0;

    // Registers datasets without files (imports of exports whose files are absent); IDs given
    // in the entries are kept.
    virtual Result<QList<DatasetRef>> registerDatasets(const QString& run, const QList<IngestFile>& datasets,
                                                       DatasetIdMode idMode = DatasetIdMode::Unique) = 0;

    virtual Status associate(const QString& tagged, const QList<QUuid>& ids) = 0;
    virtual Status disassociate(const QString& tagged, const QList<QUuid>& ids) = 0;
    virtual Status certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity) = 0;
    // Clears [validity) for these datasets of the type (all data IDs when dataIds is empty),
    // splitting ranges that stick out on either side.
    virtual Status decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                             const QList<DataCoordinate>& dataIds = {}) = 0;
    // purge: moves the datasets, with their TAGGED and CALIBRATION memberships, to the trash
    // (one entry per RUN). unstore alone: deletes their files at once, keeping the datasets.
    virtual Status pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore) = 0;

    // The trash (see TrashEntry).
    // Entries that can still be restored, oldest first; a server lists those the caller may read.
    virtual Result<QList<TrashEntry>> trashEntries() = 0;
    // Brings entries back where they were, by name (TrashEntry::select); returns them.
    virtual Result<QList<TrashEntry>> restoreFromTrash(const QStringList& names) = 0;
    // Deletes entries with their files for good: the named ones, or with no names every one the
    // caller may empty; with expiredOnly, only those past their date. Returns what went.
    virtual Result<QList<TrashEntry>> emptyTrash(const QStringList& names, bool expiredOnly = false) = 0;
};

} // namespace butler
