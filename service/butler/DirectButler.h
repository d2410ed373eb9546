#pragma once

#include "Butler.h"

#include <memory>

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
class DirectButler : public Butler
{
public:
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

private:
    DirectButler(QString path, std::unique_ptr<Registry> registry, std::unique_ptr<FileDatastore> datastore);

    QString m_path;
    std::unique_ptr<Registry> m_registry;
    std::unique_ptr<FileDatastore> m_datastore;
};

} // namespace butler
