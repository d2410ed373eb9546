// The trash of a local repository: removals hide runs, collections and datasets from every
// query, keep their names and files, and come back exactly; purging deletes rows and files.
#include "DirectButler.h"
#include "FileDatastore.h"
#include "Registry.h"
#include "RegistryFixture.h"
#include "RegistrySchema.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

const qint64 Day = 86400;
const qint64 Start = 1767225600; // 2026-01-01T00:00:00Z

QString s(const char* text)
{
    return QString::fromLatin1(text);
}

QVariantMap detectorId(qint64 detector)
{
    return {{s("instrument"), s("Cam")}, {s("detector"), detector}};
}

// A local repository with instrument Cam and detectors 0..3, a "note" type and a "bias"
// calibration type (both per detector), and a clock the test moves.
struct Repo
{
    QTemporaryDir dir;
    std::unique_ptr<DirectButler> butler;
    qint64 now = Start;

    Status open()
    {
        const QString path = dir.filePath(s("repo"));
        BUTLER_TRY(DirectButler::create(path));
        BUTLER_ASSIGN_OR_RETURN(butler, DirectButler::open(path));
        butler->setClock([this] { return now; });
        BUTLER_TRY(butler->insertDimensionRecords(
            s("instrument"),
            {DimensionRecord(s("instrument"), {{s("name"), s("Cam")}, {s("detector_max"), 4}})}));
        QList<DimensionRecord> detectors;
        for (qint64 d = 0; d < 4; ++d)
            detectors << DimensionRecord(
                s("detector"),
                {{s("instrument"), s("Cam")}, {s("id"), d}, {s("full_name"), QStringLiteral("D%1").arg(d)}});
        BUTLER_TRY(butler->insertDimensionRecords(s("detector"), detectors));
        const QStringList dims{s("instrument"), s("detector")};
        BUTLER_ASSIGN_OR_RETURN(DatasetType note, DatasetType::make(butler->universe(), s("note"), dims,
                                                                    s("StructuredDataDict")));
        BUTLER_ASSIGN_OR_RETURN(DatasetType bias,
                                DatasetType::make(butler->universe(), s("bias"), dims, s("ExposureF"), true));
        BUTLER_TRY(butler->registerDatasetType(note));
        return butler->registerDatasetType(bias);
    }

    Result<DatasetRef> put(const QString& run, const QString& type, qint64 detector)
    {
        const QByteArray bytes =
            QStringLiteral("{\"run\": \"%1\", \"detector\": %2}").arg(run).arg(detector).toUtf8();
        return butler->put(bytes, s("json"), type, detectorId(detector), run);
    }

    QStringList ids(const QString& type, const QStringList& collections)
    {
        DatasetQuery query;
        query.datasetTypes = {type};
        query.collections = collections;
        auto page = butler->queryDatasets(query);
        if (!page)
            return {page.error().message()};
        QStringList result;
        for (const DatasetRef& ref : page->refs)
            result << ref.idString();
        result.sort();
        return result;
    }

    // A note and a bias per detector (0..3) into run: 8 datasets, notes first.
    Result<QList<QUuid>> putEightInto(const QString& run)
    {
        QList<QUuid> ids;
        for (const char* type : {"note", "bias"}) {
            for (qint64 d = 0; d < 4; ++d) {
                BUTLER_ASSIGN_OR_RETURN(const DatasetRef ref, put(run, s(type), d));
                ids << ref.id();
            }
        }
        return ids;
    }

    // The registry's tables whose names match any of the LIKE patterns.
    QStringList tables(const QStringList& patterns)
    {
        QStringList conditions;
        for (qsizetype i = 0; i < patterns.size(); ++i)
            conditions << s("name LIKE ?");
        QVariantList binds(patterns.cbegin(), patterns.cend());
        QSqlQuery* q = butler->registry()
                           .database()
                           .exec(s("SELECT name FROM sqlite_master WHERE type = 'table' AND (") +
                                     conditions.join(s(" OR ")) + u')',
                                 binds)
                           .valueOr(nullptr);
        QStringList names;
        while (q && q->next())
            names << q->value(0).toString();
        if (q)
            q->finish();
        return names;
    }

    QString filePath(const QUuid& id)
    {
        // The file records of trashed datasets are hidden; read the path from the table.
        QSqlQuery* q = butler->registry()
                           .database()
                           .exec(s("SELECT path FROM file_datastore_records WHERE dataset_id = ?"),
                                 {id.toString(QUuid::WithoutBraces)})
                           .valueOr(nullptr);
        if (!q || !q->next())
            return {};
        const QString path = q->value(0).toString();
        q->finish();
        return butler->datastore().absolutePath(path).valueOr(QString());
    }

    qint64 rowCount(const QString& table)
    {
        QSqlQuery* q = butler->registry()
                           .database()
                           .exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table))
                           .valueOr(nullptr);
        if (!q || !q->next())
            return -1;
        const qint64 n = q->value(0).toLongLong();
        q->finish();
        return n;
    }
};

DatasetQuery query(const QString& type, const QString& collection)
{
    DatasetQuery q;
    q.datasetTypes = {type};
    q.collections = {collection};
    return q;
}

QStringList idTexts(const QList<DatasetRef>& refs)
{
    QStringList result;
    for (const DatasetRef& ref : refs)
        result << ref.idString();
    result.sort();
    return result;
}

QStringList names(const QList<TrashEntry>& entries)
{
    QStringList result;
    for (const TrashEntry& entry : entries)
        result << entry.name();
    return result;
}

} // namespace

class TestTrash : public QObject
{
    Q_OBJECT

private slots:
    void trashedRunIsInvisible();
    void collectionNameStaysReserved();
    void restoreIsExact();
    void prunedDatasetsKeepTheirMemberships();
    void datasetsWaitForTheirRun();
    void trashedTaggedAndChainedCollections();
    void collectionsHoldingNothingGoAtOnce();
    void expiredEntriesArePurged();
    void emptyingNamedEntries();
    void largeEntriesGoInParts();
    void largeTaggedCollectionsGoInParts();
    void purgeCutShortFinishesLater();
    void unstoreIsImmediate();
    void datasetTypeRemovalMentionsTheTrash();
    void olderRepositoriesAreUpgraded();
};

void TestTrash::trashedRunIsInvisible()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("keep"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    auto a = repo.put(s("r"), s("note"), 0);
    auto c = repo.put(s("r"), s("note"), 1);
    auto k = repo.put(s("keep"), s("note"), 0);
    BUTLER_VERIFY_OK(a);
    BUTLER_VERIFY_OK(c);
    BUTLER_VERIFY_OK(k);
    BUTLER_VERIFY_OK(b.associate(s("t"), {a->id()}));
    BUTLER_VERIFY_OK(b.setCollectionChain(s("chain"), {s("r"), s("keep")}, ChainMode::Redefine));
    const QString fileA = repo.filePath(a->id());
    QVERIFY(QFileInfo::exists(fileA));

    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));

    BUTLER_VERIFY_ERROR(b.getCollection(s("r")), ErrorKind::NotFound);
    CollectionQuery all;
    auto collections = b.queryCollections(all);
    BUTLER_VERIFY_OK(collections);
    for (const CollectionInfo& info : *collections)
        QVERIFY2(info.name != QLatin1String("r"), "a trashed run is listed");
    CollectionQuery glob;
    glob.globs = {s("r*")};
    auto globbed = b.queryCollections(glob);
    BUTLER_VERIFY_OK(globbed);
    QVERIFY(globbed->isEmpty());
    // The chain skips it; the tagged collection no longer passes its dataset on.
    auto chain = b.getCollection(s("chain"));
    BUTLER_VERIFY_OK(chain);
    QCOMPARE(chain->children, QStringList{s("keep")});
    QCOMPARE(repo.ids(s("note"), {s("chain")}), QStringList{k->idString()});
    QCOMPARE(repo.ids(s("note"), {s("t")}), QStringList());
    BUTLER_VERIFY_ERROR(b.queryDatasets(query(s("note"), s("r"))), ErrorKind::NotFound);
    auto flat = b.flattenCollections({s("*")});
    BUTLER_VERIFY_OK(flat);
    QVERIFY(!flat->contains(s("r")));
    auto found = b.findDataset(s("note"), detectorId(1), {s("chain")});
    BUTLER_VERIFY_OK(found);
    QVERIFY(!found->has_value());
    BUTLER_VERIFY_ERROR(b.getDataset(a->id()), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(b.get(a->id()), ErrorKind::NotFound);
    auto infos = b.fileInfo({a->id(), c->id()});
    BUTLER_VERIFY_OK(infos);
    QVERIFY(infos->isEmpty());
    auto types = b.queryDatasetTypes({}, {s("t")});
    BUTLER_VERIFY_OK(types);
    QVERIFY(types->isEmpty());
    BUTLER_VERIFY_ERROR(b.associate(s("t"), {c->id()}), ErrorKind::NotFound);
    auto counted = b.registry().countDatasets(query(s("note"), s("*")));
    BUTLER_VERIFY_OK(counted);
    QCOMPARE(*counted, qint64(1));

    // The files stay until the entry is purged; the entry says what it holds.
    QVERIFY(QFileInfo::exists(fileA));
    auto entries = b.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 1);
    const TrashEntry& entry = entries->first();
    QCOMPARE(entry.kind, TrashEntry::Kind::Run);
    QCOMPARE(entry.name(), s("r"));
    QCOMPARE(entry.typeText(), s("RUN"));
    QCOMPARE(entry.datasets, qint64(2));
    QCOMPARE(entry.files, qint64(2));
    QCOMPARE(entry.bytes, QFileInfo(fileA).size() + QFileInfo(repo.filePath(c->id())).size());
    QCOMPARE(entry.removedBy, DirectButler::localUser());
    QCOMPARE(entry.removedAt, Start);
    QCOMPARE(entry.expiresAt, Start + 30 * Day);
}

void TestTrash::collectionNameStaysReserved()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(repo.put(s("r"), s("note"), 0));
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));

    for (const CollectionType type : {CollectionType::Run, CollectionType::Tagged, CollectionType::Chained}) {
        const Status again = b.registerCollection(s("r"), type);
        BUTLER_VERIFY_ERROR(again, ErrorKind::Conflict);
        QVERIFY2(again.error().message().contains(s("is in the trash until 2026-01-31T00:00:00Z")),
                 qPrintable(again.error().message()));
        QVERIFY(again.error().message().contains(s("restore")));
    }
    BUTLER_VERIFY_ERROR(b.setCollectionChain(s("r"), {}, ChainMode::Redefine), ErrorKind::Conflict);
    // Unknown names stay unknown everywhere else.
    BUTLER_VERIFY_ERROR(b.removeRuns({s("r")}), ErrorKind::NotFound);
}

void TestTrash::restoreIsExact()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    for (const char* run : {"first", "r", "last"})
        BUTLER_VERIFY_OK(b.registerCollection(s(run), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(b.registerCollection(s("cal"), CollectionType::Calibration));
    QList<DatasetRef> notes;
    for (qint64 d = 0; d < 3; ++d) {
        auto ref = repo.put(s("r"), s("note"), d);
        BUTLER_VERIFY_OK(ref);
        notes << *ref;
    }
    auto bias = repo.put(s("r"), s("bias"), 0);
    BUTLER_VERIFY_OK(bias);
    BUTLER_VERIFY_OK(b.associate(s("t"), {notes[0].id(), notes[2].id()}));
    const Timespan validity(1000, 2000);
    BUTLER_VERIFY_OK(b.certify(s("cal"), {bias->id()}, validity));
    BUTLER_VERIFY_OK(b.setCollectionChain(s("chain"), {s("first"), s("r"), s("last")}, ChainMode::Redefine));
    const QStringList before = repo.ids(s("note"), {s("r")});

    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    // The chain changes meanwhile; the trashed child keeps its place.
    BUTLER_VERIFY_OK(b.registerCollection(s("extra"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.setCollectionChain(s("chain"), {s("extra")}, ChainMode::Extend));
    QCOMPARE(b.getCollection(s("chain"))->children, (QStringList{s("first"), s("last"), s("extra")}));

    auto restored = b.restoreFromTrash({s("r")});
    BUTLER_VERIFY_OK(restored);
    QCOMPARE(names(*restored), QStringList{s("r")});
    QCOMPARE(repo.ids(s("note"), {s("r")}), before);
    QCOMPARE(repo.ids(s("note"), {s("t")}), idTexts({notes[0], notes[2]}));
    QCOMPARE(b.getCollection(s("chain"))->children, (QStringList{s("first"), s("r"), s("last"), s("extra")}));
    // The calibration comes back with its validity range.
    auto inside = b.findDataset(s("bias"), detectorId(0), {s("cal")}, 1500);
    BUTLER_VERIFY_OK(inside);
    QVERIFY(inside->has_value());
    QCOMPARE(inside->value().id(), bias->id());
    auto outside = b.findDataset(s("bias"), detectorId(0), {s("cal")}, 2500);
    BUTLER_VERIFY_OK(outside);
    QVERIFY(!outside->has_value());
    auto bytes = b.get(notes[1].id());
    BUTLER_VERIFY_OK(bytes);
    QVERIFY(bytes->contains("\"detector\": 1"));
    auto entries = b.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QVERIFY(entries->isEmpty());
    // note and bias share one dimension group, so one trash table.
    QCOMPARE(repo.rowCount(RegistrySchema::trashTable(1)), qint64(0));
    // Restoring what is not there is an unknown name.
    BUTLER_VERIFY_ERROR(b.restoreFromTrash({s("r")}), ErrorKind::NotFound);
}

void TestTrash::prunedDatasetsKeepTheirMemberships()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(b.registerCollection(s("cal"), CollectionType::Calibration));
    auto note = repo.put(s("r"), s("note"), 0);
    auto other = repo.put(s("r"), s("note"), 1);
    auto bias = repo.put(s("r"), s("bias"), 0);
    BUTLER_VERIFY_OK(note);
    BUTLER_VERIFY_OK(other);
    BUTLER_VERIFY_OK(bias);
    BUTLER_VERIFY_OK(b.associate(s("t"), {note->id()}));
    BUTLER_VERIFY_OK(b.certify(s("cal"), {bias->id()}, Timespan(1000, 2000)));

    BUTLER_VERIFY_OK(b.pruneDatasets({note->id(), bias->id()}, true, true));
    QCOMPARE(repo.ids(s("note"), {s("r")}), QStringList{other->idString()});
    QCOMPARE(repo.ids(s("note"), {s("t")}), QStringList());
    auto calib = b.findDataset(s("bias"), detectorId(0), {s("cal")}, 1500);
    BUTLER_VERIFY_OK(calib);
    QVERIFY(!calib->has_value());
    QVERIFY(QFileInfo::exists(repo.filePath(note->id())));
    auto entries = b.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 1);
    const TrashEntry pruned = entries->first();
    QCOMPARE(pruned.kind, TrashEntry::Kind::Datasets);
    QCOMPARE(pruned.name(), QStringLiteral("r#%1").arg(pruned.id));
    QCOMPARE(pruned.typeText(), s("DATASETS"));
    QCOMPARE(pruned.datasets, qint64(2));

    // Their places are free: a new dataset with the same data ID can be made, tagged and
    // certified...
    auto again = repo.put(s("r"), s("note"), 0);
    BUTLER_VERIFY_OK(again);
    BUTLER_VERIFY_OK(b.associate(s("t"), {again->id()}));
    // ...and then the old one cannot come back over it: nothing changes.
    const auto clash = b.restoreFromTrash({pruned.name()});
    BUTLER_VERIFY_ERROR(clash, ErrorKind::Conflict);
    QVERIFY2(clash.error().message().contains(s("now holds another note dataset")),
             qPrintable(clash.error().message()));
    QCOMPARE(b.trashEntries()->size(), 1);
    QCOMPARE(repo.ids(s("note"), {s("t")}), QStringList{again->idString()});

    BUTLER_VERIFY_OK(b.pruneDatasets({again->id()}, true, true));
    // By its ID, too.
    auto restored = b.restoreFromTrash({QStringLiteral("#%1").arg(pruned.id)});
    BUTLER_VERIFY_OK(restored);
    QCOMPARE(repo.ids(s("note"), {s("r")}), idTexts({*note, *other}));
    QCOMPARE(repo.ids(s("note"), {s("t")}), QStringList{note->idString()});
    auto certified = b.findDataset(s("bias"), detectorId(0), {s("cal")}, 1500);
    BUTLER_VERIFY_OK(certified);
    QVERIFY(certified->has_value());
    QCOMPARE(certified->value().id(), bias->id());
}

void TestTrash::datasetsWaitForTheirRun()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    auto first = repo.put(s("r"), s("note"), 0);
    auto second = repo.put(s("r"), s("note"), 1);
    BUTLER_VERIFY_OK(first);
    BUTLER_VERIFY_OK(second);
    BUTLER_VERIFY_OK(b.pruneDatasets({first->id()}, true, true));
    const QString prunedName = b.trashEntries()->first().name();
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    QCOMPARE(names(*b.trashEntries()), (QStringList{prunedName, s("r")}));
    QCOMPARE(b.trashEntries()->last().datasets, qint64(1)); // the run took only what was left

    const auto early = b.restoreFromTrash({prunedName});
    BUTLER_VERIFY_ERROR(early, ErrorKind::Conflict);
    QVERIFY(early.error().message().contains(s("restore the run first")));
    BUTLER_VERIFY_OK(b.restoreFromTrash({s("r")}));
    QCOMPARE(repo.ids(s("note"), {s("r")}), QStringList{second->idString()});
    BUTLER_VERIFY_OK(b.restoreFromTrash({prunedName}));
    QCOMPARE(repo.ids(s("note"), {s("r")}), idTexts({*first, *second}));

    // Purging a run takes the datasets pruned from it along, files and all.
    BUTLER_VERIFY_OK(b.pruneDatasets({first->id()}, true, true));
    const QString firstFile = repo.filePath(first->id());
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    auto purged = b.emptyTrash({s("r")});
    BUTLER_VERIFY_OK(purged);
    QCOMPARE(names(*purged), QStringList{s("r")});
    QVERIFY(b.trashEntries()->isEmpty());
    QVERIFY(!QFileInfo::exists(firstFile));
    QCOMPARE(repo.rowCount(s("dataset")), qint64(0));
}

void TestTrash::trashedTaggedAndChainedCollections()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    auto note = repo.put(s("r"), s("note"), 0);
    BUTLER_VERIFY_OK(note);
    BUTLER_VERIFY_OK(b.associate(s("t"), {note->id()}));
    BUTLER_VERIFY_OK(b.setCollectionChain(s("inner"), {s("t")}, ChainMode::Redefine));
    BUTLER_VERIFY_OK(b.setCollectionChain(s("outer"), {s("inner"), s("r")}, ChainMode::Redefine));

    // A TAGGED collection in a chain may go: the chain skips it.
    BUTLER_VERIFY_OK(b.removeCollections({s("t")}));
    QCOMPARE(b.getCollection(s("inner"))->children, QStringList());
    BUTLER_VERIFY_ERROR(b.queryDatasets(query(s("note"), s("t"))), ErrorKind::NotFound);
    QCOMPARE(b.trashEntries()->first().datasets, qint64(1));
    // The dataset itself stays in its run.
    QCOMPARE(repo.ids(s("note"), {s("r")}), QStringList{note->idString()});

    BUTLER_VERIFY_OK(b.removeCollections({s("outer")}));
    BUTLER_VERIFY_ERROR(b.getCollection(s("outer")), ErrorKind::NotFound);
    BUTLER_VERIFY_OK(b.getCollection(s("inner"))); // a chain's children stay

    BUTLER_VERIFY_OK(b.restoreFromTrash({s("outer"), s("t")}));
    QCOMPARE(b.getCollection(s("outer"))->children, (QStringList{s("inner"), s("r")}));
    QCOMPARE(b.getCollection(s("inner"))->children, QStringList{s("t")});
    QCOMPARE(repo.ids(s("note"), {s("outer")}), QStringList{note->idString()});

    // Purging a collection drops it from the chains that held it.
    BUTLER_VERIFY_OK(b.removeCollections({s("t")}));
    BUTLER_VERIFY_OK(b.emptyTrash({s("t")}));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    QCOMPARE(b.getCollection(s("inner"))->children, QStringList());
    QCOMPARE(repo.ids(s("note"), {s("t")}), QStringList());
}

void TestTrash::collectionsHoldingNothingGoAtOnce()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("empty-run"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("empty-tags"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(b.registerCollection(s("empty-chain"), CollectionType::Chained));
    BUTLER_VERIFY_OK(b.removeRuns({s("empty-run")}));
    BUTLER_VERIFY_OK(b.removeCollections({s("empty-tags"), s("empty-chain")}));
    auto entries = b.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QVERIFY(entries->isEmpty());
    // The names are free again at once.
    BUTLER_VERIFY_OK(b.registerCollection(s("empty-run"), CollectionType::Tagged));

    // An empty run that a chain holds goes to the trash, so that it can come back in place.
    BUTLER_VERIFY_OK(b.registerCollection(s("held"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.setCollectionChain(s("c"), {s("held")}, ChainMode::Redefine));
    BUTLER_VERIFY_OK(b.removeRuns({s("held")}));
    QCOMPARE(names(*b.trashEntries()), QStringList{s("held")});
    // Wrong kinds are refused as before.
    BUTLER_VERIFY_ERROR(b.removeRuns({s("c")}), ErrorKind::InvalidInput);
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_ERROR(b.removeCollections({s("r")}), ErrorKind::InvalidInput);
}

void TestTrash::expiredEntriesArePurged()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("old"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("young"), CollectionType::Run));
    auto old = repo.put(s("old"), s("note"), 0);
    auto young = repo.put(s("young"), s("note"), 0);
    BUTLER_VERIFY_OK(old);
    BUTLER_VERIFY_OK(young);
    const QString oldFile = repo.filePath(old->id());
    const QString youngFile = repo.filePath(young->id());
    BUTLER_VERIFY_OK(b.removeRuns({s("old")}));
    repo.now += 20 * Day;
    BUTLER_VERIFY_OK(b.removeRuns({s("young")}));
    repo.now += 11 * Day; // "old" is past its 30 days, "young" is not

    QCOMPARE(names(*b.trashEntries()), QStringList{s("young")}); // expired ones are not restorable
    const auto late = b.restoreFromTrash({s("old")});
    BUTLER_VERIFY_ERROR(late, ErrorKind::Conflict);
    QVERIFY(late.error().message().contains(s("can no longer be restored")));
    QVERIFY(QFileInfo::exists(oldFile)); // not yet purged

    auto purged = b.emptyTrash({}, true);
    BUTLER_VERIFY_OK(purged);
    QCOMPARE(names(*purged), QStringList{s("old")});
    QVERIFY(!QFileInfo::exists(oldFile));
    QVERIFY(QFileInfo::exists(youngFile));
    QCOMPARE(repo.rowCount(s("file_datastore_records")), qint64(1));
    QCOMPARE(repo.rowCount(s("trash_entry")), qint64(1));
    BUTLER_VERIFY_OK(b.registerCollection(s("old"), CollectionType::Run));

    // A removal purges what has expired by then.
    repo.now += 30 * Day;
    BUTLER_VERIFY_OK(repo.put(s("old"), s("note"), 1));
    BUTLER_VERIFY_OK(b.removeRuns({s("old")}));
    QVERIFY(!QFileInfo::exists(youngFile));
    QCOMPARE(names(*b.trashEntries()), QStringList{s("old")});
    BUTLER_VERIFY_OK(b.registerCollection(s("young"), CollectionType::Run));
}

void TestTrash::emptyingNamedEntries()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("a"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("b"), CollectionType::Run));
    auto a = repo.put(s("a"), s("note"), 0);
    auto other = repo.put(s("b"), s("note"), 0);
    BUTLER_VERIFY_OK(a);
    BUTLER_VERIFY_OK(other);
    const QString aFile = repo.filePath(a->id());
    BUTLER_VERIFY_OK(b.removeRuns({s("a"), s("b")}));
    BUTLER_VERIFY_ERROR(b.emptyTrash({s("nothing-like-it")}), ErrorKind::NotFound);
    QCOMPARE(b.trashEntries()->size(), 2);
    // --expired with names empties only those of them that have expired: none here.
    auto none = b.emptyTrash({s("a")}, true);
    BUTLER_VERIFY_OK(none);
    QVERIFY(none->isEmpty());
    auto emptied = b.emptyTrash({s("a")});
    BUTLER_VERIFY_OK(emptied);
    QCOMPARE(names(*emptied), QStringList{s("a")});
    QVERIFY(!QFileInfo::exists(aFile));
    QCOMPARE(names(*b.trashEntries()), QStringList{s("b")});
    auto rest = b.emptyTrash({});
    BUTLER_VERIFY_OK(rest);
    QCOMPARE(names(*rest), QStringList{s("b")});
    QCOMPARE(repo.rowCount(s("dataset")), qint64(0));
    QCOMPARE(repo.rowCount(s("collection")), qint64(0));
}

// An entry's datasets go purgeChunk() at a time, each part in its own transaction, with their
// memberships (those held in the trash too), file records and files; the rest of the entry goes
// last.
void TestTrash::largeEntriesGoInParts()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    b.setPurgeChunk(3);
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("keep"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    const auto put = repo.putEightInto(s("r"));
    BUTLER_VERIFY_OK(put);
    const QList<QUuid>& ids = *put;
    QStringList files;
    for (const QUuid& id : ids)
        files << repo.filePath(id);
    auto kept = repo.put(s("keep"), s("note"), 3);
    BUTLER_VERIFY_OK(kept);
    BUTLER_VERIFY_OK(b.associate(s("t"), {ids[0], ids[1], kept->id()}));
    // One tagged dataset was pruned before its run went: its membership waits in the trash.
    BUTLER_VERIFY_OK(b.pruneDatasets({ids[0]}, true, false));
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    QCOMPARE(b.trashEntries()->size(), 2);
    for (const char* part : {"purged 3 datasets or memberships of trash entry r",
                             "purged 3 datasets or memberships of trash entry r",
                             "purged 2 datasets or memberships of trash entry r"})
        QTest::ignoreMessage(QtDebugMsg, part);
    auto emptied = b.emptyTrash({s("r")});
    BUTLER_VERIFY_OK(emptied);
    QCOMPARE(names(*emptied), QStringList{s("r")});
    QCOMPARE(repo.rowCount(s("dataset")), qint64(1));
    QCOMPARE(repo.rowCount(s("file_datastore_records")), qint64(1));
    QCOMPARE(repo.ids(s("note"), {s("t")}), QStringList{kept->idString()});
    for (const QString& file : std::as_const(files))
        QVERIFY2(!QFileInfo::exists(file), qPrintable(file));
    QVERIFY(QFileInfo::exists(repo.filePath(kept->id())));
    // The pruned dataset's entry went with its run, and so did its membership in the trash.
    QVERIFY(b.allTrashEntries()->isEmpty());
    const QStringList trashTables = repo.tables({s("dataset_trash_%")});
    QVERIFY(!trashTables.isEmpty());
    for (const QString& table : std::as_const(trashTables))
        QCOMPARE(repo.rowCount(table), qint64(0));
}

// A TAGGED collection's memberships go in parts too (those held in the trash with them); its
// datasets stay.
void TestTrash::largeTaggedCollectionsGoInParts()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    b.setPurgeChunk(3);
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(b.registerCollection(s("t"), CollectionType::Tagged));
    const auto put = repo.putEightInto(s("r"));
    BUTLER_VERIFY_OK(put);
    const QList<QUuid>& ids = *put;
    BUTLER_VERIFY_OK(b.associate(s("t"), ids));
    QSqlQuery* q = b.registry()
                       .database()
                       .exec(s("SELECT collection_id FROM collection WHERE name = 't'"))
                       .valueOr(nullptr);
    QVERIFY(q && q->next());
    const qint64 tagged = q->value(0).toLongLong();
    q->finish();
    // One member was pruned: its membership of t waits in the trash.
    BUTLER_VERIFY_OK(b.pruneDatasets({ids[7]}, true, false));
    BUTLER_VERIFY_OK(b.removeCollections({s("t")}));
    // 7 memberships and 1 in the trash.
    for (const char* part : {"purged 3 datasets or memberships of trash entry t",
                             "purged 3 datasets or memberships of trash entry t",
                             "purged 2 datasets or memberships of trash entry t"})
        QTest::ignoreMessage(QtDebugMsg, part);
    auto emptied = b.emptyTrash({s("t")});
    BUTLER_VERIFY_OK(emptied);
    QCOMPARE(names(*emptied), QStringList{s("t")});
    QCOMPARE(repo.rowCount(s("dataset")), qint64(8));
    QCOMPARE(repo.ids(s("note"), {s("r")}).size(), 4);
    const QStringList memberTables = repo.tables({s("dataset_tags_%"), s("dataset_trash_%")});
    QCOMPARE(memberTables.size(), 2);
    for (const QString& table : std::as_const(memberTables)) {
        QSqlQuery* left =
            b.registry()
                .database()
                .exec(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE collection_id = ?").arg(table), {tagged})
                .valueOr(nullptr);
        QVERIFY(left && left->next());
        QCOMPARE(left->value(0).toLongLong(), qint64(0));
        left->finish();
    }
    QCOMPARE(names(*b.trashEntries()).size(), 1); // the pruned dataset's entry
}

// A purge cut short (a crash between two parts) leaves an entry that is past its date: no
// restore takes it back half deleted, and the next purge of expired entries finishes it.
void TestTrash::purgeCutShortFinishesLater()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    QStringList files;
    for (qint64 d = 0; d < 4; ++d) {
        auto ref = repo.put(s("r"), s("note"), d);
        BUTLER_VERIFY_OK(ref);
        files << repo.filePath(ref->id());
    }
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    auto entries = b.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 1);
    const qint64 id = entries->first().id;
    Registry& registry = b.registry();
    BUTLER_VERIFY_OK(registry.expireTrash({id}, repo.now));
    QStringList paths;
    auto part = registry.purgeTrashDatasets(id, 3, &paths);
    BUTLER_VERIFY_OK(part);
    QCOMPARE(*part, qsizetype(3));
    QCOMPARE(paths.size(), 3);
    QCOMPARE(repo.rowCount(s("dataset")), qint64(1));
    // Here the process ends.
    QVERIFY(b.trashEntries()->isEmpty()); // nothing restorable
    QVERIFY(!b.restoreFromTrash({s("r")}).ok());
    QCOMPARE(repo.rowCount(s("dataset")), qint64(1));
    auto purged = b.purgeExpiredTrash();
    BUTLER_VERIFY_OK(purged);
    QCOMPARE(names(*purged), QStringList{s("r")});
    QCOMPARE(repo.rowCount(s("dataset")), qint64(0));
    QCOMPARE(repo.rowCount(s("collection")), qint64(0));
    QVERIFY(b.allTrashEntries()->isEmpty());
    // The last dataset's file went with it; the three of the cut-short part stay as orphans for
    // verify-quotas, as after any crash between rows and files.
    int left = 0;
    for (const QString& file : std::as_const(files))
        left += QFileInfo::exists(file) ? 1 : 0;
    QCOMPARE(left, 3);
}

void TestTrash::unstoreIsImmediate()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    auto note = repo.put(s("r"), s("note"), 0);
    BUTLER_VERIFY_OK(note);
    const QString file = repo.filePath(note->id());
    BUTLER_VERIFY_OK(b.pruneDatasets({note->id()}, false, true));
    QVERIFY(!QFileInfo::exists(file));
    QCOMPARE(repo.ids(s("note"), {s("r")}), QStringList{note->idString()});
    QVERIFY(b.trashEntries()->isEmpty());
}

void TestTrash::datasetTypeRemovalMentionsTheTrash()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.open());
    DirectButler& b = *repo.butler;
    BUTLER_VERIFY_OK(b.registerCollection(s("r"), CollectionType::Run));
    BUTLER_VERIFY_OK(repo.put(s("r"), s("note"), 0));
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    const auto refused = b.removeDatasetTypes({s("note")});
    BUTLER_VERIFY_ERROR(refused, ErrorKind::Conflict);
    QVERIFY2(refused.error().message().contains(s("in the trash")), qPrintable(refused.error().message()));
    BUTLER_VERIFY_OK(b.emptyTrash({}));
    BUTLER_VERIFY_OK(b.removeDatasetTypes({s("note")}));
}

void TestTrash::olderRepositoriesAreUpgraded()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(s("repo"));
    {
        Repo repo;
        BUTLER_VERIFY_OK(repo.open());
        BUTLER_VERIFY_OK(repo.butler->registerCollection(s("r"), CollectionType::Run));
        BUTLER_VERIFY_OK(repo.put(s("r"), s("note"), 0));
        // Back to the first schema: no trash tables or columns.
        Database& db = repo.butler->registry().database();
        for (const QString& sql :
             {s("DROP INDEX dataset_trash"), s("ALTER TABLE dataset DROP COLUMN trash_id"),
              s("ALTER TABLE collection DROP COLUMN trash_id"), s("DROP TABLE trash_entry"),
              s("DROP TABLE dataset_trash_1"),
              s("UPDATE butler_attributes SET value = '1' WHERE name = 'schema_version'")})
            BUTLER_VERIFY_OK(db.execDirect(sql));
        repo.butler.reset();
        QVERIFY(QDir().rename(repo.dir.filePath(s("repo")), path));
    }
    auto opened = DirectButler::open(path);
    BUTLER_VERIFY_OK(opened);
    DirectButler& b = **opened;
    QCOMPARE(b.queryDatasets(query(s("note"), s("r")))->refs.size(), 1);
    BUTLER_VERIFY_OK(b.removeRuns({s("r")}));
    QCOMPARE(names(*b.trashEntries()), QStringList{s("r")});
    BUTLER_VERIFY_OK(b.restoreFromTrash({s("r")}));
    QCOMPARE(b.queryDatasets(query(s("note"), s("r")))->refs.size(), 1);
}

QTEST_GUILESS_MAIN(TestTrash)
#include "tst_trash.moc"
