#pragma once

#include "AccessPolicy.h"
#include "AclStore.h"
#include "Butler.h"
#include "MemberFilter.h"
#include "UploadSlot.h"

namespace butler {

class DirectButler;

// The Butler as one authenticated user may use it: every call of the Butler interface goes
// through the access policy before it reaches the DirectButler. Made per request; cheap.
//
// Hiding: a collection the user may not read does not exist for them. It is left out of every
// listing, glob and chain expansion, and naming it fails exactly as an unregistered name does.
// Datasets are visible when the user may read their RUN, or a release-space TAGGED or
// CALIBRATION collection (curated by admins) that holds them. A user's or group's TAGGED and
// CALIBRATION collections organise datasets but pass on none: their readers see only the
// members whose runs they may read, so tagging cannot re-share proprietary data and a revoked
// grant takes effect everywhere. Any other ID fails as an unknown one. Reading names first and writing
// second: readable but not writable is PermissionDenied, not readable is the NotFound above.
//
// A ref names its RUN only to readers of that run: a dataset seen through a release TAGGED or
// CALIBRATION collection comes with an empty run (null on the wire), so the name of a run the
// user may not read appears nowhere. Nor does its file's datastore path, which starts with the
// run: servedFiles() gives such files a run-free path and asks for URLs that do not name them.
//
// Deterministic IDs: non-admins may not use DatasetIdMode::DataIdType, nor name IDs derived
// from another run's data, since the ID of a hidden dataset could be computed and tried.
//
// Trash: removals go there in the caller's name. An entry is visible to those who may read its
// collection (for pruned datasets, their RUN), under the same hiding rule; owners of the
// namespace and admins restore and empty it.
class AuthorizedButler : public Butler
{
public:
    AuthorizedButler(DirectButler& butler, AclStore& acls, const AccessPolicy& policy, Identity identity);

    const Identity& identity() const { return m_identity; }

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
    // Counted by the database, with the same visibility as queryDatasets.
    Result<qint64> countDatasets(const DatasetQuery& query);
    Result<QList<DataCoordinate>> queryDataIds(const DataIdQuery& query) override;
    Result<std::optional<DatasetRef>> findDataset(const QString& datasetType, const QVariantMap& dataId,
                                                  const QStringList& collections,
                                                  std::optional<qint64> time = {}) override;
    Result<DatasetRef> getDataset(const QUuid& id) override;
    // The infos of servedFiles(), without the datastore paths of hidden runs.
    Result<QList<FileInfo>> fileInfo(const QList<QUuid>& ids) override;

    // A stored file as the caller may learn of it.
    struct ServedFile
    {
        // For a dataset whose RUN the caller may not read: path "<dataset type>/<id>.<ext>" (ext
        // from the formatter) and no uri. Otherwise as the datastore has it.
        FileInfo info;
        // Where the file is, relative to the datastore root: for the server to serve it, never
        // to be shown to the caller when hidePath is set.
        QString datastorePath;
        // The caller may not read the RUN: a URL for the file must not name datastorePath.
        bool hidePath = false;
    };
    // The files of visible datasets (an ID that is not visible fails as in fileInfo()), with the
    // one decision on what their URLs may name.
    Result<QList<ServedFile>> servedFiles(const QList<QUuid>& ids);
    Result<DatasetRef> put(const QByteArray& bytes, const QString& formatter, const QString& datasetType,
                           const QVariantMap& dataId, const QString& run) override;
    Result<QByteArray> get(const QUuid& id, QString* formatter = nullptr) override;
    // For uploads: the checks of put() alone; run must be a RUN the caller may write.
    Status checkPutInto(const QString& run);
    // Ingest reads files from the server's own file system: admins only.
    Result<QList<DatasetRef>> ingest(const QString& run, const QList<IngestFile>& files, TransferMode mode,
                                     DatasetIdMode idMode = DatasetIdMode::Unique) override;
    // Non-admins: random IDs (DatasetIdMode::Unique, explicit IDs of version 4 or 7) or the IDs of
    // DatasetIdMode::DataIdTypeRun only; an explicit ID that is taken answers the same conflict
    // whether its dataset is visible, hidden or in the trash.
    Result<QList<DatasetRef>> registerDatasets(const QString& run, const QList<IngestFile>& datasets,
                                               DatasetIdMode idMode = DatasetIdMode::Unique) override;
    // Undoing an upload: deletes for good, without the trash, the datasets that the caller's own
    // committed upload batch made (those still there), files included; their bytes go back to
    // the quota. Only the user who committed the batch, while they may still write its run.
    // Returns the IDs removed.
    Result<QList<QUuid>> discardUploadedDatasets(const UploadBatch& batch, const QList<QUuid>& ids);
    Status associate(const QString& tagged, const QList<QUuid>& ids) override;
    Status disassociate(const QString& tagged, const QList<QUuid>& ids) override;
    Status certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity) override;
    Status decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                     const QList<DataCoordinate>& dataIds = {}) override;
    Status pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore) override;
    Result<QList<TrashEntry>> trashEntries() override;
    Result<QList<TrashEntry>> restoreFromTrash(const QStringList& names) override;
    Result<QList<TrashEntry>> emptyTrash(const QStringList& names, bool expiredOnly = false) override;

    // The ACL of a readable collection.
    Result<CollectionAcl> acl(const QString& collection);
    // Grants and revokes read for groups on a user or group collection (owner or admin).
    Result<CollectionAcl> editAcl(const QString& collection, const QStringList& grant,
                                  const QStringList& revoke);
    // Admins: the release date and the explicit proprietary date (none: release date plus the
    // default period) of a release collection, unix seconds.
    Result<CollectionAcl> setReleaseDates(const QString& collection, qint64 releaseDate,
                                          std::optional<qint64> proprietaryUntil);

private:
    using Snapshot = AclStore::Snapshot;
    using Entry = AclStore::Entry;

    Result<std::shared_ptr<const Snapshot>> snapshot();
    bool canRead(const Entry& entry) const;
    // Whether holding a dataset makes it visible: a readable RUN, or a readable release-space
    // TAGGED/CALIBRATION collection.
    bool confersVisibility(const Entry& entry) const;
    // Restricts the user's and groups' TAGGED/CALIBRATION collections to members of readable
    // runs; empty for admins.
    MemberFilter memberFilter(const Snapshot& s) const;
    // Whether the user may learn the name of `run` (and paths that start with it): admins and
    // readers of the run. The one rule behind redactRun(s) and servedFiles().
    bool namesRun(const Snapshot& s, const QString& run) const;
    // The one place refs leave the policy: the run's name is blanked unless the user reads it.
    void redactRuns(const Snapshot& s, QList<DatasetRef>& refs) const;
    DatasetRef redactRun(const Snapshot& s, DatasetRef ref) const;
    // queryDataIds() for non-admins: user and group TAGGED collections count only through
    // members of runs the user reads (see the .cpp for how, without a registry filter).
    Result<QList<DataCoordinate>> queryDataIdsFiltered(const Snapshot& s, const DataIdQuery& query);
    // Non-admins' explicit and deterministic dataset IDs (see registerDatasets()).
    Status checkIdChoice(const QString& run, const QList<IngestFile>& datasets, DatasetIdMode idMode);
    // The entry when it exists and is readable; otherwise the error of an unknown name.
    Result<const Entry*> readable(const Snapshot& s, const QString& name) const;
    // As readable(), then PermissionDenied unless writable.
    Result<const Entry*> writable(const Snapshot& s, const QString& name, const char* operation) const;
    Status checkWrite(const QString& name, const char* operation) const;
    // Names and globs to the readable RUN/TAGGED/CALIBRATION collections they reach, in search
    // order, each once; hidden chain children are skipped.
    Result<QStringList> expand(const Snapshot& s, const QStringList& namesOrGlobs) const;
    Status visit(const Snapshot& s, const Entry& entry, int depth, QStringList& leaves) const;
    // The info with hidden chain children left out.
    CollectionInfo visibleInfo(const Snapshot& s, const CollectionInfo& info) const;
    // Every ID must name a visible dataset; containing (when given) gets for each its RUN
    // first, then, when the RUN is hidden, the collections searched up to a readable one.
    Status checkVisible(const Snapshot& s, const QList<QUuid>& ids,
                        QHash<QUuid, QStringList>* containing = nullptr) const;
    // Removes runs (run) or other collections; an ACL goes only with a collection removed at once.
    Status removeAll(const QStringList& names, bool run);
    // The trash entries whose collection the user may read (expired ones too, when asked).
    Result<QList<TrashEntry>> visibleTrash(bool withExpired);
    // PermissionDenied unless the user owns the entry's namespace or is an admin.
    Status checkMayEmpty(const TrashEntry& entry, const char* operation) const;
    Status checkGroups(const QStringList& groups) const;

    static Error unknownCollection(const QString& name);
    static Error unknownDataset(const QUuid& id);
    Error denied(Error error, const char* operation, const QString& target) const;

    DirectButler& m_butler;
    AclStore& m_acls;
    const AccessPolicy& m_policy;
    Identity m_identity;
    qint64 m_now; // one instant for every decision of the request
};

} // namespace butler
