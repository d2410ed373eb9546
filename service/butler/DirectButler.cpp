#include "DirectButler.h"

#include "FileDatastore.h"
#include "Glob.h"
#include "Registry.h"
#include "SqliteDatabase.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSet>

#include <chrono>
#include <thread>

#include <yaml-cpp/yaml.h>

Q_LOGGING_CATEGORY(lcDirect, "butler.service.direct")

namespace butler {

namespace {

const char* const ConfigName = "butler.yaml";
const char* const RegistryName = "gen3.sqlite3";

// Files written so far by an operation, deleted again unless the operation commits.
class FileRollback
{
public:
    explicit FileRollback(FileDatastore& store)
        : m_store(store)
    {
    }
    ~FileRollback()
    {
        if (m_committed)
            return;
        for (const QString& path : std::as_const(m_paths))
            (void)m_store.remove(path);
    }
    void add(const QString& path) { m_paths << path; }
    void commit() { m_committed = true; }

private:
    FileDatastore& m_store;
    QStringList m_paths;
    bool m_committed = false;
};

} // namespace

DirectButler::DirectButler(QString path, std::unique_ptr<Registry> registry,
                           std::unique_ptr<FileDatastore> datastore)
    : m_path(std::move(path))
    , m_registry(std::move(registry))
    , m_datastore(std::move(datastore))
{
}

DirectButler::~DirectButler() = default;

Status DirectButler::create(const QString& path, const RepositoryOptions& options)
{
    if (!options.postgres.isEmpty())
        return invalidInput(
            QStringLiteral("PostgreSQL registries are not available in this build yet; omit --postgres "
                           "to use SQLite"));
    if (options.datastoreRoot.startsWith(QLatin1String("s3://")))
        return invalidInput(QStringLiteral("S3 datastores are not available in this build yet"));
    QDir dir(path);
    if (dir.exists() && QFileInfo::exists(dir.filePath(QString::fromLatin1(ConfigName))))
        return conflict(QStringLiteral("a repository already exists at %1").arg(path));
    if (dir.exists() && !dir.isEmpty())
        return conflict(QStringLiteral("%1 exists and is not empty; choose a new folder").arg(path));
    if (!QDir().mkpath(path))
        return ioError(QStringLiteral("cannot create %1").arg(path));
    const QString root =
        options.datastoreRoot.isEmpty() ? QStringLiteral("datastore") : options.datastoreRoot;
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "registry" << YAML::Value << YAML::BeginMap << YAML::Key << "db" << YAML::Value
        << (QStringLiteral("sqlite:///") + QString::fromLatin1(RegistryName)).toStdString() << YAML::EndMap;
    out << YAML::Key << "datastore" << YAML::Value << YAML::BeginMap << YAML::Key << "root" << YAML::Value
        << root.toStdString() << YAML::Key << "template" << YAML::Value
        << (options.fileTemplate.isEmpty() ? FileDatastore::defaultTemplate() : options.fileTemplate)
               .toStdString()
        << YAML::EndMap;
    out << YAML::EndMap;
    const QString dbPath = QDir(path).filePath(QString::fromLatin1(RegistryName));
    auto db = SqliteDatabase::open(dbPath);
    if (!db)
        return db.error();
    auto registry = Registry::create(std::move(db).value(), DimensionUniverse::defaultUniverse());
    if (!registry) {
        QFile::remove(dbPath);
        return registry.error();
    }
    const QString rootPath = QDir::isAbsolutePath(root) ? root : QDir(path).filePath(root);
    if (!QDir().mkpath(rootPath))
        return ioError(QStringLiteral("cannot create datastore root %1").arg(rootPath));
    QFile config(QDir(path).filePath(QString::fromLatin1(ConfigName)));
    if (!config.open(QIODevice::WriteOnly) || config.write(out.c_str()) < 0)
        return ioError(QStringLiteral("cannot write %1").arg(config.fileName()));
    return {};
}

Result<std::unique_ptr<DirectButler>> DirectButler::open(const QString& path)
{
    const QString configPath = QDir(path).filePath(QString::fromLatin1(ConfigName));
    if (!QFileInfo::exists(configPath))
        return notFound(QStringLiteral("no butler repository at %1 (no %2); create one with 'butler create'")
                            .arg(path, QString::fromLatin1(ConfigName)));
    QString dbUri;
    QString root;
    QString fileTemplate;
    double retentionDays = double(DefaultTrashRetentionSeconds) / 86400;
    try {
        const YAML::Node config = YAML::LoadFile(configPath.toStdString());
        dbUri = QString::fromStdString(config["registry"]["db"].as<std::string>(""));
        root = QString::fromStdString(config["datastore"]["root"].as<std::string>("datastore"));
        fileTemplate = QString::fromStdString(config["datastore"]["template"].as<std::string>(""));
        if (config["trash"] && config["trash"]["retention_days"])
            retentionDays = config["trash"]["retention_days"].as<double>();
    } catch (const YAML::Exception& e) {
        return invalidInput(QStringLiteral("%1: %2").arg(configPath, QString::fromStdString(e.what())));
    }
    if (!(retentionDays > 0) || retentionDays > 36500)
        return invalidInput(
            QStringLiteral("%1: trash.retention_days must be a number of days above 0, got %2")
                .arg(configPath)
                .arg(retentionDays));
    if (!dbUri.startsWith(QLatin1String("sqlite:///")))
        return invalidInput(QStringLiteral("%1: registry.db '%2' is not supported (use sqlite:///FILE)")
                                .arg(configPath, dbUri));
    QString dbPath = dbUri.mid(10);
    if (!QDir::isAbsolutePath(dbPath))
        dbPath = QDir(path).filePath(dbPath);
    if (!QFileInfo::exists(dbPath))
        return notFound(QStringLiteral("registry database %1 is missing").arg(dbPath));
    auto db = SqliteDatabase::open(dbPath);
    if (!db)
        return db.error();
    auto registry = Registry::open(std::move(db).value());
    if (!registry)
        return registry.error().withContext(dbPath);
    const QString rootPath = QDir::isAbsolutePath(root) ? root : QDir(path).filePath(root);
    auto datastore = std::make_unique<FileDatastore>(rootPath, fileTemplate);
    std::unique_ptr<DirectButler> butler(new DirectButler(QFileInfo(path).absoluteFilePath(),
                                                          std::move(registry).value(), std::move(datastore)));
    butler->setTrashRetention(std::max<qint64>(1, qint64(retentionDays * 86400)));
    return butler;
}

Registry& DirectButler::registry()
{
    return *m_registry;
}
FileDatastore& DirectButler::datastore()
{
    return *m_datastore;
}
const DimensionUniverse& DirectButler::universe() const
{
    return m_registry->universe();
}
QString DirectButler::location() const
{
    return m_path;
}

Status DirectButler::insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                            bool skipExisting)
{
    return m_registry->insertDimensionRecords(element, records, skipExisting);
}

Result<DimensionRecordPage> DirectButler::queryDimensionRecords(const DimensionRecordQuery& query)
{
    return m_registry->queryDimensionRecords(query);
}

Status DirectButler::registerDatasetType(const DatasetType& type)
{
    return m_registry->registerDatasetType(type);
}
Result<DatasetType> DirectButler::getDatasetType(const QString& name)
{
    return m_registry->getDatasetType(name);
}

Result<QList<DatasetType>> DirectButler::queryDatasetTypes(const QStringList& globs,
                                                           const QStringList& collections)
{
    return m_registry->queryDatasetTypes(globs, collections);
}

Result<QStringList> DirectButler::removeDatasetTypes(const QStringList& globs)
{
    BUTLER_ASSIGN_OR_RETURN(auto types, m_registry->queryDatasetTypes(globs));
    QStringList removed;
    for (const DatasetType& t : std::as_const(types)) {
        BUTLER_TRY(m_registry->removeDatasetType(t.name()));
        removed << t.name();
    }
    return removed;
}

Status DirectButler::registerCollection(const QString& name, CollectionType type, const QString& doc)
{
    if (type == CollectionType::Chained) {
        // Registering is idempotent, as for the other types: an existing chain keeps its children.
        const Result<CollectionInfo> existing = m_registry->getCollection(name);
        if (existing.ok()) {
            if (existing->type == CollectionType::Chained)
                return {};
            return conflict(QStringLiteral("collection '%1' already exists as a %2 collection")
                                .arg(name, collectionTypeName(existing->type)));
        }
        return setCollectionChain(name, {}, ChainMode::Redefine, false, doc);
    }
    return m_registry->registerCollection(name, type, doc);
}

Result<CollectionInfo> DirectButler::getCollection(const QString& name)
{
    return m_registry->getCollection(name);
}

Result<QList<CollectionInfo>> DirectButler::queryCollections(const CollectionQuery& query)
{
    return m_registry->queryCollections(query);
}

Status DirectButler::setCollectionChain(const QString& parent, const QStringList& children, ChainMode mode,
                                        bool flatten, const QString& doc)
{
    return m_registry->setCollectionChain(parent, children, mode, flatten, doc);
}

Result<QStringList> DirectButler::flattenCollections(const QStringList& namesOrGlobs)
{
    return m_registry->flattenCollections(namesOrGlobs);
}

Status DirectButler::removeCollections(const QStringList& names)
{
    purgeExpiredQuietly();
    for (const QString& name : names)
        BUTLER_TRY(removeCollectionAs(name, false, localUser()));
    return {};
}

Status DirectButler::removeRuns(const QStringList& names)
{
    purgeExpiredQuietly();
    for (const QString& name : names)
        BUTLER_TRY(removeCollectionAs(name, true, localUser()));
    return {};
}

Result<DatasetPage> DirectButler::queryDatasets(const DatasetQuery& query)
{
    return m_registry->queryDatasets(query);
}
Result<QList<DataCoordinate>> DirectButler::queryDataIds(const DataIdQuery& query)
{
    return m_registry->queryDataIds(query);
}

Result<std::optional<DatasetRef>> DirectButler::findDataset(const QString& datasetType,
                                                            const QVariantMap& dataId,
                                                            const QStringList& collections,
                                                            std::optional<qint64> time)
{
    return m_registry->findDataset(datasetType, dataId, collections, time);
}

Result<DatasetRef> DirectButler::getDataset(const QUuid& id)
{
    return m_registry->getDataset(id);
}

Result<QList<FileInfo>> DirectButler::fileInfo(const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(QList<StoredFileRecord> records, m_registry->fileRecords(ids));
    QList<FileInfo> result;
    for (const StoredFileRecord& r : std::as_const(records)) {
        BUTLER_ASSIGN_OR_RETURN(QString full, m_datastore->absolutePath(r.path));
        result << FileInfo{r.id,      QUrl::fromLocalFile(full).toString(), r.path, r.formatter, r.size,
                           r.checksum};
    }
    return result;
}

Result<DatasetRef> DirectButler::put(const QByteArray& bytes, const QString& formatter,
                                     const QString& datasetType, const QVariantMap& dataId,
                                     const QString& run)
{
    Transaction tx(m_registry->database());
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(
        QList<DatasetRef> refs,
        m_registry->insertDatasets(run, {{datasetType, dataId, {}}}, DatasetIdMode::Unique));
    const DatasetRef& ref = refs.first();
    const QString label = formatter.isEmpty() ? QStringLiteral("bytes") : formatter;
    BUTLER_ASSIGN_OR_RETURN(QString path, m_datastore->pathFor(ref, FileDatastore::extensionFor(label)));
    FileRollback rollback(*m_datastore);
    BUTLER_ASSIGN_OR_RETURN(FileDatastore::Written written, m_datastore->write(path, bytes));
    rollback.add(written.path);
    BUTLER_TRY(m_registry->insertFileRecords(
        {{ref.id(), written.path, label, ref.datasetType().storageClass(), written.size, written.checksum}}));
    BUTLER_TRY(tx.commit());
    rollback.commit();
    return ref;
}

Result<QByteArray> DirectButler::get(const QUuid& id, QString* formatter)
{
    BUTLER_ASSIGN_OR_RETURN(QList<StoredFileRecord> records, m_registry->fileRecords({id}));
    if (records.isEmpty()) {
        BUTLER_TRY(m_registry->getDataset(id));
        return notFound(
            QStringLiteral("dataset %1 has no stored file").arg(id.toString(QUuid::WithoutBraces)));
    }
    const StoredFileRecord& r = records.first();
    if (formatter)
        *formatter = r.formatter;
    return m_datastore->read(r.path, r.size, r.checksum);
}

Result<QList<DatasetRef>> DirectButler::ingest(const QString& run, const QList<IngestFile>& files,
                                               TransferMode mode, DatasetIdMode idMode)
{
    QList<Registry::NewDataset> entries;
    entries.reserve(files.size());
    for (const IngestFile& f : files) {
        if (!QFileInfo(f.path).isFile())
            return notFound(QStringLiteral("file to ingest %1 does not exist").arg(f.path));
        entries << Registry::NewDataset{f.datasetType, f.dataId, f.id};
    }
    Transaction tx(m_registry->database());
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(QList<DatasetRef> refs, m_registry->insertDatasets(run, entries, idMode));
    FileRollback rollback(*m_datastore);
    QList<StoredFileRecord> records;
    records.reserve(refs.size());
    QList<std::pair<QString, QString>> moved; // for undoing moves: (datastore path, original)
    for (int i = 0; i < refs.size(); ++i) {
        const IngestFile& f = files[i];
        const QString label = f.formatter.isEmpty() ? FileDatastore::formatterForPath(f.path) : f.formatter;
        BUTLER_ASSIGN_OR_RETURN(QString path,
                                m_datastore->pathFor(refs[i], FileDatastore::extensionFor(label)));
        // A move is done as a copy until the registry commits, so a failure loses nothing.
        const TransferMode step = mode == TransferMode::Move ? TransferMode::Copy : mode;
        BUTLER_ASSIGN_OR_RETURN(FileDatastore::Written w, m_datastore->transfer(f.path, path, step));
        if (w.created)
            rollback.add(w.path);
        records << StoredFileRecord{refs[i].id(), w.path,    label, refs[i].datasetType().storageClass(),
                                    w.size,       w.checksum};
    }
    BUTLER_TRY(m_registry->insertFileRecords(records));
    BUTLER_TRY(tx.commit());
    rollback.commit();
    if (mode == TransferMode::Move)
        for (const IngestFile& f : files)
            QFile::remove(f.path);
    refreshStatisticsAfter(refs.size());
    return refs;
}

Result<QList<DatasetRef>>
DirectButler::registerDatasets(const QString& run, const QList<IngestFile>& datasets, DatasetIdMode idMode)
{
    QList<Registry::NewDataset> entries;
    entries.reserve(datasets.size());
    for (const IngestFile& f : datasets)
        entries << Registry::NewDataset{f.datasetType, f.dataId, f.id};
    BUTLER_ASSIGN_OR_RETURN(QList<DatasetRef> refs, m_registry->insertDatasets(run, entries, idMode));
    refreshStatisticsAfter(refs.size());
    return refs;
}

void DirectButler::refreshStatisticsAfter(qint64 rows)
{
    // A batch that alone could not reach the minimum size is not worth the check (a put).
    if (rows < std::min(StatisticsCheckRows, m_registry->statisticsMinRows()))
        return;
    Registry* registry = m_registry.get();
    // Once the caller's transaction, if any, has committed: statistics of rows that may still
    // roll back would mislead the planner.
    registry->database().onCommit([registry] {
        const Result<bool> refreshed = registry->refreshStatisticsIfStale();
        if (!refreshed)
            qCWarning(lcDirect).noquote()
                << "could not refresh the query planner's statistics:" << refreshed.error().message();
    });
}

Status DirectButler::associate(const QString& tagged, const QList<QUuid>& ids)
{
    return m_registry->associate(tagged, ids);
}

Status DirectButler::disassociate(const QString& tagged, const QList<QUuid>& ids)
{
    return m_registry->disassociate(tagged, ids);
}

Status DirectButler::certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity)
{
    return m_registry->certify(calibration, ids, validity);
}

Status DirectButler::decertify(const QString& calibration, const QString& datasetType,
                               const Timespan& validity, const QList<DataCoordinate>& dataIds)
{
    return m_registry->decertify(calibration, datasetType, validity, dataIds);
}

Status DirectButler::pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore)
{
    if (!purge && !unstore)
        return invalidInput(
            QStringLiteral("choose --purge (remove datasets) or --unstore (remove only their files)"));
    if (purge) {
        purgeExpiredQuietly();
        BUTLER_TRY(trashDatasetsAs(ids, localUser()));
        return {};
    }
    // Unstoring asks for the space now: the files go at once, the datasets stay registered.
    for (const QUuid& id : ids)
        BUTLER_TRY(m_registry->getDataset(id));
    BUTLER_ASSIGN_OR_RETURN(QList<StoredFileRecord> files, m_registry->fileRecords(ids));
    BUTLER_TRY(m_registry->removeFileRecords(ids));
    for (const StoredFileRecord& f : std::as_const(files))
        if (auto s = m_datastore->remove(f.path); !s.ok())
            qCWarning(lcDirect) << "could not remove" << f.path << s.error().message();
    return {};
}

// ---------------------------------------------------------------- trash

qint64 DirectButler::now() const
{
    return m_clock ? m_clock() : QDateTime::currentSecsSinceEpoch();
}

QString DirectButler::localUser()
{
    for (const char* variable : {"USER", "LOGNAME", "USERNAME"}) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
    return QStringLiteral("unknown");
}

void DirectButler::purgeExpiredQuietly()
{
    const Result<QList<TrashEntry>> purged = purgeExpiredTrash();
    if (!purged)
        qCWarning(lcDirect).noquote() << "could not purge expired trash entries:" << purged.error().message();
}

Result<std::optional<TrashEntry>> DirectButler::removeCollectionAs(const QString& name, bool run,
                                                                   const QString& user)
{
    BUTLER_ASSIGN_OR_RETURN(const CollectionInfo info, m_registry->getCollection(name));
    if (run && info.type != CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a %2 collection, not a RUN: use remove-collections")
                                .arg(name, collectionTypeName(info.type)));
    if (!run && info.type == CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a RUN collection: remove it with remove-runs").arg(name));
    Transaction tx(m_registry->database());
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(const bool nothing, m_registry->holdsNothing(name));
    if (nothing) {
        // Nothing to restore: the name is free again at once (and a command that made the
        // collection and failed leaves no trace).
        BUTLER_TRY(run ? m_registry->removeRun(name) : m_registry->removeCollection(name));
        BUTLER_TRY(tx.commit());
        return std::optional<TrashEntry>();
    }
    const qint64 when = now();
    BUTLER_ASSIGN_OR_RETURN(TrashEntry entry,
                            m_registry->trashCollection(name, {user, when, when + m_trashRetention}));
    BUTLER_TRY(tx.commit());
    return std::optional<TrashEntry>(std::move(entry));
}

Result<QList<TrashEntry>> DirectButler::trashDatasetsAs(const QList<QUuid>& ids, const QString& user)
{
    const qint64 when = now();
    return m_registry->trashDatasets(ids, {user, when, when + m_trashRetention});
}

Result<QList<TrashEntry>> DirectButler::allTrashEntries()
{
    return m_registry->trashEntries();
}

Status DirectButler::restoreTrashEntries(const QList<TrashEntry>& entries)
{
    const qint64 when = now();
    for (const TrashEntry& entry : entries) {
        if (entry.isExpired(when))
            return conflict(
                QStringLiteral("'%1' stayed in the trash past %2 and waits to be purged; it can no "
                               "longer be restored")
                    .arg(entry.name(),
                         QDateTime::fromSecsSinceEpoch(entry.expiresAt, Qt::UTC).toString(Qt::ISODate)));
    }
    Transaction tx(m_registry->database());
    BUTLER_TRY(tx.begin());
    for (const TrashEntry& entry : entries)
        BUTLER_TRY(m_registry->restoreTrash(entry.id));
    return tx.commit();
}

Result<QList<TrashEntry>> DirectButler::purgeTrashEntries(const QList<TrashEntry>& entries)
{
    if (entries.isEmpty())
        return entries;
    QList<qint64> ids;
    for (const TrashEntry& entry : entries)
        ids << entry.id;
    Database& db = m_registry->database();
    FileDatastore* datastore = m_datastore.get();
    // Files go once the rows are gone for good: a rollback must not leave rows without files.
    const auto removeOnCommit = [&db, datastore](const QStringList& paths) {
        db.onCommit([datastore, paths] {
            for (const QString& path : paths)
                if (auto s = datastore->remove(path); !s.ok())
                    qCWarning(lcDirect) << "could not remove" << path << s.error().message();
        });
    };
    qsizetype files = 0;
    if (!db.inTransaction()) {
        BUTLER_TRY(m_registry->expireTrash(ids, now()));
        for (const TrashEntry& entry : entries) {
            for (bool first = true;; first = false) {
                // Writers that waited meanwhile (they try every millisecond) go first.
                if (!first)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                QStringList paths;
                Transaction part(db);
                BUTLER_TRY(part.begin());
                BUTLER_ASSIGN_OR_RETURN(const qsizetype purged,
                                        m_registry->purgeTrashDatasets(entry.id, m_purgeChunk, &paths));
                removeOnCommit(paths);
                BUTLER_TRY(part.commit());
                files += paths.size();
                if (purged > 0)
                    qCDebug(lcDirect).noquote()
                        << "purged" << purged << "datasets or memberships of trash entry" << entry.name();
                if (purged < m_purgeChunk)
                    break; // that was the last part
            }
        }
    }
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(const QStringList paths, m_registry->purgeTrash(ids));
    removeOnCommit(paths);
    BUTLER_TRY(tx.commit());
    files += paths.size();
    qCInfo(lcDirect) << "purged" << entries.size() << "trash entries and" << files << "files";
    return entries;
}

Result<QList<TrashEntry>> DirectButler::purgeExpiredTrash()
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> all, allTrashEntries());
    const qint64 when = now();
    QList<TrashEntry> expired;
    for (const TrashEntry& entry : all)
        if (entry.isExpired(when))
            expired << entry;
    return purgeTrashEntries(expired);
}

Result<QList<TrashEntry>> DirectButler::trashEntries()
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> all, allTrashEntries());
    const qint64 when = now();
    QList<TrashEntry> restorable;
    for (const TrashEntry& entry : all)
        if (!entry.isExpired(when))
            restorable << entry;
    return restorable;
}

Result<QList<TrashEntry>> DirectButler::restoreFromTrash(const QStringList& names)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> all, allTrashEntries());
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> chosen, TrashEntry::select(all, names));
    BUTLER_TRY(restoreTrashEntries(chosen));
    return chosen;
}

Result<QList<TrashEntry>> DirectButler::emptyTrash(const QStringList& names, bool expiredOnly)
{
    BUTLER_ASSIGN_OR_RETURN(QList<TrashEntry> chosen, allTrashEntries());
    if (!names.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(chosen, TrashEntry::select(chosen, names));
    }
    if (expiredOnly) {
        const qint64 when = now();
        chosen.removeIf([when](const TrashEntry& entry) { return !entry.isExpired(when); });
    }
    return purgeTrashEntries(chosen);
}

} // namespace butler
