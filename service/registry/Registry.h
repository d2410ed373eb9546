#pragma once

#include "Database.h"
#include "DimensionUniverse.h"
#include "MemberFilter.h"
#include "Queries.h"
#include "StoredFileRecord.h"
#include "WhereNode.h"

#include <QMutex>
#include <atomic>
#include <functional>
#include <memory>

namespace butler {

class QueryBuilder;

// The registry: dimension records, dataset types, collections and datasets in SQL. It speaks
// only through Database, so SQLite and PostgreSQL backends share all of this code.
class Registry
{
public:
    // A dataset to insert: the type, a data ID and, optionally, its UUID.
    struct NewDataset
    {
        QString datasetType;
        QVariantMap dataId;
        QUuid id;
    };

    // Creates the schema in an empty database.
    static Result<std::unique_ptr<Registry>> create(std::unique_ptr<Database> db,
                                                    const DimensionUniverse& universe);
    // Opens an existing registry, checking its schema and universe versions.
    static Result<std::unique_ptr<Registry>> open(std::unique_ptr<Database> db);
    ~Registry();

    Database& database() { return *m_db; }
    const DimensionUniverse& universe() const { return m_universe; }

    // Dimension records.
    Status insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                  bool skipExisting);
    Result<DimensionRecordPage> queryDimensionRecords(const DimensionRecordQuery& query);
    // Validates a data ID against the stored records and fills its implied values.
    Result<DataCoordinate> expandDataId(const DimensionGroup& group, const QVariantMap& values);

    // Dataset types.
    Status registerDatasetType(const DatasetType& type);
    Result<DatasetType> getDatasetType(const QString& name);
    Result<QList<DatasetType>> queryDatasetTypes(const QStringList& globs,
                                                 const QStringList& collections = {});
    Status removeDatasetType(const QString& name);

    // Collections.
    Status registerCollection(const QString& name, CollectionType type, const QString& doc);
    Result<CollectionInfo> getCollection(const QString& name);
    Result<QList<CollectionInfo>> queryCollections(const CollectionQuery& query);
    Status setCollectionChain(const QString& parent, const QStringList& children, ChainMode mode,
                              bool flatten, const QString& doc);
    // Names or globs to the non-chain collections they reach, in search order, each once.
    Result<QStringList> flattenCollections(const QStringList& namesOrGlobs);
    Status removeCollection(const QString& name);
    Result<QList<QUuid>> datasetsInRun(const QString& run);
    Status removeRun(const QString& name);

    // Datasets.
    Result<QList<DatasetRef>> insertDatasets(const QString& run, const QList<NewDataset>& datasets,
                                             DatasetIdMode idMode);
    // With a filter, restricted collections yield only members of allowed runs (see MemberFilter).
    Result<std::optional<DatasetRef>> findDataset(const QString& datasetType, const QVariantMap& dataId,
                                                  const QStringList& collections, std::optional<qint64> time,
                                                  const MemberFilter& filter = {});
    Result<DatasetPage> queryDatasets(const DatasetQuery& query, const MemberFilter& filter = {});
    // How many datasets queryDatasets would return without a limit, counted by the database.
    Result<qint64> countDatasets(const DatasetQuery& query, const MemberFilter& filter = {});
    Result<QList<DataCoordinate>> queryDataIds(const DataIdQuery& query);
    Result<DatasetRef> getDataset(const QUuid& id);
    // The collections that hold each dataset: its RUN first, then the TAGGED and CALIBRATION
    // collections it is in. Unknown IDs are absent from the answer. For access checks: with
    // enough, the search for a dataset stops at the first collection that satisfies it.
    Result<QHash<QUuid, QStringList>>
    collectionsContaining(const QList<QUuid>& ids, const std::function<bool(const QString&)>& enough = {});
    Status associate(const QString& tagged, const QList<QUuid>& ids);
    Status disassociate(const QString& tagged, const QList<QUuid>& ids);
    Status certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity);
    Status decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                     const QList<DataCoordinate>& dataIds);
    Status removeDatasets(const QList<QUuid>& ids);

    // Datastore records.
    Status insertFileRecords(const QList<StoredFileRecord>& records);
    Result<QList<StoredFileRecord>> fileRecords(const QList<QUuid>& ids);
    Status removeFileRecords(const QList<QUuid>& ids);

    // The SQL that queryDatasets runs for one dataset type, for benchmarks and --explain.
    Result<QString> explainDatasetQuery(const DatasetQuery& query);

    // Moves each time this process commits a change to collections or dataset types, with no
    // I/O; changes by other processes show only in the database. For caches above the registry.
    quint64 localChangeCount() const { return m_localChanges.load(std::memory_order_acquire); }

private:
    struct Cache;
    struct TypeEntry;
    struct CollectionEntry;

    // Implied values of dimension records by element and key.
    using ImpliedCache = QHash<QString, QList<QVariant>>;

    Registry(std::unique_ptr<Database> db, DimensionUniverse universe);
    // As expandDataId(); records read inside a transaction go to local (when given) and reach
    // the shared cache only once the transaction commits.
    Result<DataCoordinate> expandDataId(const DimensionGroup& group, const QVariantMap& values,
                                        ImpliedCache* local);
    Result<std::shared_ptr<const Cache>> cache();
    Status bumpGeneration();
    Result<const TypeEntry*> typeEntry(const Cache& cache, const QString& name) const;
    Result<const CollectionEntry*> collectionEntry(const Cache& cache, const QString& name) const;
    Result<int> groupIdFor(const DimensionGroup& group);
    Result<QList<const CollectionEntry*>> resolveSearch(const Cache& cache,
                                                        const QStringList& namesOrGlobs) const;
    // With countOut, counts the matching rows instead of reading a page.
    Result<DatasetPage> queryDatasetsOfType(const Cache& cache, const TypeEntry& type,
                                            const QList<const CollectionEntry*>& leaves,
                                            const DatasetQuery& query, const WhereNodePtr& where,
                                            const QVariantList& after, int limit, QString* sqlOut,
                                            const MemberFilter& filter = {}, qint64* countOut = nullptr,
                                            bool* unrelated = nullptr);
    // The SQL condition a filter puts on rows aliased t (collection) and d (dataset), or on
    // another alias of the collection rows; empty when no restricted collection is among the leaves.
    QString memberCondition(const Cache& cache, const QList<const CollectionEntry*>& leaves,
                            const MemberFilter& filter, const QString& rowAlias = QStringLiteral("t")) const;
    Result<QList<const TypeEntry*>> typesMatching(const Cache& cache, const QStringList& patterns) const;
    // Whether a search over these patterns may skip types the where-expression does not apply to:
    // every type, or globs, rather than types named one by one.
    static bool skipsUnrelatedTypes(const QStringList& patterns);
    Result<QList<DatasetRef>> refsByIds(const Cache& cache, const QList<QUuid>& ids);

    std::unique_ptr<Database> m_db;
    DimensionUniverse m_universe;
    QMutex m_cacheMutex;
    std::shared_ptr<const Cache> m_cache;
    // Implied values of committed dimension records. Records are never updated or deleted
    // through the registry, so entries stay valid; the size is bounded.
    QMutex m_recordMutex;
    ImpliedCache m_impliedByRecord;
    std::atomic<quint64> m_localChanges{0};
};

} // namespace butler
