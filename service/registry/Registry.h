#pragma once

#include "Database.h"
#include "DimensionUniverse.h"
#include "MemberFilter.h"
#include "Queries.h"
#include "StoredFileRecord.h"
#include "TrashEntry.h"
#include "WhereNode.h"

#include <QMutex>
#include <QVarLengthArray>
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
    // The dataset type name of each dataset; unknown and trashed IDs are absent from the answer.
    Result<QHash<QUuid, QString>> datasetTypeNames(const QList<QUuid>& ids);
    Status associate(const QString& tagged, const QList<QUuid>& ids);
    Status disassociate(const QString& tagged, const QList<QUuid>& ids);
    Status certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity);
    Status decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                     const QList<DataCoordinate>& dataIds);
    Status removeDatasets(const QList<QUuid>& ids);

    // Datastore records. fileRecords leaves out datasets in the trash.
    Status insertFileRecords(const QList<StoredFileRecord>& records);
    Result<QList<StoredFileRecord>> fileRecords(const QList<QUuid>& ids);
    Status removeFileRecords(const QList<QUuid>& ids);

    // The trash (TrashEntry). Trashing hides rows without deleting them: a trashed collection
    // is left out of the cache, so of every lookup, search, glob and chain, but keeps its name;
    // trashed datasets are marked and their RUN, TAGGED and CALIBRATION rows move to
    // dataset_trash_<group>, so that no query, uniqueness or overlap check meets them. A trashed
    // TAGGED or CALIBRATION collection keeps its rows, as no search reaches them. Restoring puts
    // everything back where it was; purging deletes it.
    struct TrashStamp
    {
        QString user;
        qint64 removedAt = 0; // unix seconds
        qint64 expiresAt = 0;
    };
    // Whether removing the collection loses nothing: no chain holds it and it holds no datasets
    // (RUN, trashed ones included), members (TAGGED, CALIBRATION) or children (CHAINED).
    Result<bool> holdsNothing(const QString& name);
    // Moves a collection of any type to the trash; a RUN takes its datasets along. Chains that
    // hold it skip it until it comes back.
    Result<TrashEntry> trashCollection(const QString& name, const TrashStamp& stamp);
    // Moves datasets to the trash with their memberships, one entry per RUN, in the order the
    // runs first appear. Unknown and trashed IDs are NotFound.
    Result<QList<TrashEntry>> trashDatasets(const QList<QUuid>& ids, const TrashStamp& stamp);
    // Every entry, expired ones included, oldest first.
    Result<QList<TrashEntry>> trashEntries();
    // Puts an entry back. Conflict when its run is in the trash too, or when a collection now
    // holds another dataset in a place one of it held; nothing changes then.
    Status restoreTrash(qint64 id);
    // Deletes entries for good (cascades and the file records' triggers follow) and returns the
    // datastore paths of their files, to delete once the caller's transaction has committed.
    Result<QStringList> purgeTrash(const QList<qint64>& ids);
    // Deletes at most `limit` (at most 999) datasets of an entry (a trashed RUN's, or pruned
    // datasets) with their memberships, file records and trash rows, appending their files'
    // paths to paths; of a TAGGED or CALIBRATION collection, its memberships. The entry stays.
    // Returns how many rows went: 0 once none are left. A large entry goes this way a part per
    // transaction, so that writers are not held up for its whole deletion (about 60 µs a
    // dataset), before purgeTrash takes the rest.
    Result<qsizetype> purgeTrashDatasets(qint64 id, qsizetype limit, QStringList* paths);
    // Dates entries to expire at `when` at the latest: they can no longer be restored, and a
    // purge cut short finishes with the next purge of expired entries.
    Status expireTrash(const QList<qint64>& ids, qint64 when);

    // The SQL that queryDatasets runs for one dataset type, for benchmarks and --explain.
    Result<QString> explainDatasetQuery(const DatasetQuery& query);

    // Query planner statistics. Without them SQLite guesses, and on a million datasets some
    // searches (a where-clause on one detector) take a hundred times longer than they need.
    // Refreshing reads every table, about 0.6 s per million datasets, taking the write lock for
    // one index at a time (at most about 0.1 s per million datasets).
    Status refreshStatistics();
    // Refreshes them when the dataset table holds at least statisticsMinRows() rows and has
    // grown StatisticsGrowth times since the last refresh (or never had one). Cheap
    // otherwise: two indexed reads. For server start and after bulk writes; true when it ran.
    Result<bool> refreshStatisticsIfStale();
    static constexpr qint64 DefaultStatisticsMinRows = 50000;
    static constexpr double StatisticsGrowth = 2.0;
    qint64 statisticsMinRows() const { return m_statisticsMinRows.load(std::memory_order_relaxed); }
    // Tests lower it to exercise the refresh on small repositories.
    void setStatisticsMinRows(qint64 rows) { m_statisticsMinRows.store(rows, std::memory_order_relaxed); }

    // Moves each time this process commits a change to collections or dataset types, with no
    // I/O; changes by other processes show only in the database. For caches above the registry.
    quint64 localChangeCount() const { return m_localChanges.load(std::memory_order_acquire); }

private:
    // DatasetQuery::withSizes: the file sizes of a page, -1 for datasets without a file.
    Status fillSizes(DatasetPage& page);
    struct Cache;
    struct TypeEntry;
    struct CollectionEntry;
    struct TrashedCollection;
    struct ExpansionPlan;
    struct FindPlan;

    // A dimension record's key: the element's index in the universe and its key values
    // (qint64 or QString, as coerced), hashed without building strings.
    struct RecordKey
    {
        int element = -1;
        QVarLengthArray<QVariant, 3> values;

        bool operator==(const RecordKey& other) const
        {
            return element == other.element && values == other.values;
        }
        friend size_t qHash(const RecordKey& key, size_t seed = 0) noexcept
        {
            size_t h = ::qHash(key.element, seed);
            for (const QVariant& v : key.values) {
                const size_t vh = v.typeId() == QMetaType::QString
                                      ? ::qHash(*static_cast<const QString*>(v.constData()), seed)
                                      : ::qHash(v.toLongLong(), seed);
                h ^= vh + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
            }
            return h;
        }
    };
    // Implied values of dimension records by element and key.
    using ImpliedCache = QHash<RecordKey, QList<QVariant>>;

    Registry(std::unique_ptr<Database> db, DimensionUniverse universe);
    // As expandDataId(); records read inside a transaction go to local (when given) and reach
    // the shared cache only once the transaction commits.
    Result<DataCoordinate> expandDataId(const DimensionGroup& group, const QVariantMap& values,
                                        ImpliedCache* local);
    // The same for a data ID already validated: required values only, no given implied values
    // to check.
    Result<DataCoordinate> expandValidated(const DataCoordinate& dataId, ImpliedCache* local);
    // given: implied values given with the data ID, by slot (invalid where none), or nullptr.
    Result<DataCoordinate> expandWithPlan(const ExpansionPlan& plan, const DataCoordinate& dataId,
                                          const QList<QVariant>* given, ImpliedCache* local);
    // Where each dimension of a group comes from, made once per group.
    std::shared_ptr<const ExpansionPlan> expansionPlan(const DimensionGroup& group);
    // Writes the dataset and tags rows of refs[from, to) with multi-row statements; on a
    // conflict it writes them one by one instead, for the error of the first row that fails.
    Status writeDatasetRows(const Cache& cache, const CollectionEntry& run, const QList<DatasetRef>& refs,
                            const QList<const TypeEntry*>& types, qsizetype from, qsizetype to, qint64 now);
    Status writeDatasetRow(const CollectionEntry& run, const DatasetRef& ref, const TypeEntry& type,
                           qint64 now);
    Result<std::shared_ptr<const Cache>> cache();
    Status bumpGeneration();
    Result<const TypeEntry*> typeEntry(const Cache& cache, const QString& name) const;
    Result<const CollectionEntry*> collectionEntry(const Cache& cache, const QString& name) const;
    Result<int> groupIdFor(const DimensionGroup& group);
    Result<QList<const CollectionEntry*>> resolveSearch(const Cache& cache,
                                                        const QStringList& namesOrGlobs) const;
    Result<std::shared_ptr<const FindPlan>> findPlan(const Cache& cache, const QString& datasetType,
                                                     const QStringList& collections) const;
    // findDataset() against a cache. With verified, the cache has not been compared with the
    // database: the search's query does that and sets *verified when it is current; an answer
    // without *verified set means nothing and the caller asks again with cache().
    Result<std::optional<DatasetRef>> findDatasetIn(const Cache& cache, bool* verified,
                                                    const QString& datasetType, const QVariantMap& dataId,
                                                    const QStringList& collections,
                                                    std::optional<qint64> time, const MemberFilter& filter);
    // resolveSearch(), remembered in the cache for searches repeated with the same names.
    Result<QList<const CollectionEntry*>> resolveSearchCached(const Cache& cache,
                                                              const QStringList& namesOrGlobs) const;
    // With countOut, counts the matching rows instead of reading a page.
    Result<DatasetPage> queryDatasetsOfType(const Cache& cache, const TypeEntry& type,
                                            const QList<const CollectionEntry*>& leaves,
                                            const DatasetQuery& query, const WhereNodePtr& where,
                                            const QVariantList& after, int limit, QString* sqlOut,
                                            const MemberFilter& filter = {}, qint64* countOut = nullptr,
                                            bool* unrelated = nullptr);
    // The SQL condition a filter puts on rows aliased t (collection) and d (dataset), or on
    // other aliases of them; empty when no restricted collection is among the leaves.
    QString memberCondition(const Cache& cache, const QList<const CollectionEntry*>& leaves,
                            const MemberFilter& filter, const QString& rowAlias = QStringLiteral("t"),
                            const QString& datasetAlias = QStringLiteral("d")) const;
    Result<QList<const TypeEntry*>> typesMatching(const Cache& cache, const QStringList& patterns) const;
    // Whether a search over these patterns may skip types the where-expression does not apply to:
    // every type, or globs, rather than types named one by one.
    static bool skipsUnrelatedTypes(const QStringList& patterns);
    Result<QList<DatasetRef>> refsByIds(const Cache& cache, const QList<QUuid>& ids);
    // A collection's name whether it is in use or in the trash.
    static QString anyCollectionName(const Cache& cache, qint64 id);
    // Refuses a name that a collection in the trash still holds.
    Status checkNameFree(const Cache& cache, const QString& name) const;
    Result<TrashEntry> trashEntry(qint64 id);
    qint64 insertTrashEntry(TrashEntry::Kind kind, const CollectionEntry& collection, const TrashStamp& stamp,
                            Status* status);
    // Counts the datasets, files and bytes of an entry's datasets into the entry's row.
    Status countTrashedDatasets(qint64 trashId);
    // Moves the tags and calibs rows of the datasets marked with trashId to the trash tables.
    Status moveMembershipsOut(const Cache& cache, qint64 trashId);
    // Moves them back, first refusing any that would clash with rows added since.
    Status moveMembershipsBack(const Cache& cache, qint64 trashId, const QString& entryName);
    // Deletes a collection's rows and what hangs on it; for a RUN, its datasets (trashed or not)
    // with their paths appended to paths.
    Status deleteCollectionRows(const Cache& cache, qint64 collectionId, CollectionType type,
                                QStringList* paths);

    std::unique_ptr<Database> m_db;
    DimensionUniverse m_universe;
    QMutex m_cacheMutex;
    std::shared_ptr<const Cache> m_cache;
    // Implied values of committed dimension records. Records are never updated or deleted
    // through the registry, so entries stay valid; the size is bounded.
    QMutex m_recordMutex;
    ImpliedCache m_impliedByRecord;
    QMutex m_planMutex;
    QList<std::shared_ptr<const ExpansionPlan>> m_plans;
    std::atomic<quint64> m_localChanges{0};
    std::atomic<qint64> m_statisticsMinRows{DefaultStatisticsMinRows};
};

} // namespace butler
