#include "RegistryFixture.h"
#include "RegistrySchema.h"

#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace butler;

namespace {

// The values of the first column of a query run on this thread's connection.
Result<QVariantList> firstColumn(Database& db, const QString& sql)
{
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, db.exec(sql));
    QVariantList values;
    while (q->next())
        values << q->value(0);
    q->finish();
    return values;
}

QList<qint64> integers(const QVariantList& values)
{
    QList<qint64> result;
    for (const QVariant& v : values)
        result << v.toLongLong();
    return result;
}

DatasetQuery rawsIn(const QString& collection)
{
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("raw")};
    query.collections = {collection};
    return query;
}

} // namespace

class TestRegistryBasics : public QObject
{
    Q_OBJECT

private slots:
    // Database and transactions.
    void walModeIsOn();
    void foreignKeysAreOn();
    void reopenedRegistrySeesCommittedData();
    void datasetLookupsUseCoveringIndexes();
    void version2RegistryGetsLookupIndexes();
    void failedBatchInsertsNothing_data();
    void failedBatchInsertsNothing();
    void nestedTransactionInnerRollback();
    void nestedTransactionOuterRollback();
    void nestedTransactionWithRegistryCalls();
    void cacheIsNotFooledByRolledBackGeneration();
    void findDatasetSeesAnotherRegistrysChain();
    void statisticsRefreshWhenGrown();

    // Dataset types.
    void datasetTypeReRegistration_data();
    void datasetTypeReRegistration();
    void datasetTypeNames_data();
    void datasetTypeNames();

    // Dimension records.
    void dimensionRecordValidation_data();
    void dimensionRecordValidation();
    void dimensionRecordTimespanOnElementWithout();
    void dimensionRecordMissingInstrument();
    void dimensionRecordImpliedRecordMustExist_data();
    void dimensionRecordImpliedRecordMustExist();
    void duplicateDimensionRecord();
    void bandRecordsComeFromPhysicalFilters();

    // Data IDs.
    void expandDataIdFillsImplied_data();
    void expandDataIdFillsImplied();
    void expandDataIdCoercesValues();
    void expandDataIdRejectsInconsistentImplied_data();
    void expandDataIdRejectsInconsistentImplied();
    void expandDataIdMissingRecord_data();
    void expandDataIdMissingRecord();
    void expandDataIdAfterRolledBackRecord();

    // Dataset IDs.
    void deterministicIds();
    void deterministicIdsMatchDafButler_data();
    void deterministicIdsMatchDafButler();

    // Threads.
    void concurrentReadersAndWriter();
};

void TestRegistryBasics::walModeIsOn()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.create());
    auto mode = firstColumn(f.registry().database(), QStringLiteral("PRAGMA journal_mode"));
    BUTLER_VERIFY_OK(mode);
    QCOMPARE(mode->value(0).toString().toLower(), QStringLiteral("wal"));

    // WAL is a property of the file: a second, independent connection sees it too.
    auto second = SqliteDatabase::open(f.databasePath());
    BUTLER_VERIFY_OK(second);
    auto secondMode = firstColumn(**second, QStringLiteral("PRAGMA journal_mode"));
    BUTLER_VERIFY_OK(secondMode);
    QCOMPARE(secondMode->value(0).toString().toLower(), QStringLiteral("wal"));
}

void TestRegistryBasics::foreignKeysAreOn()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.create());
    auto fk = firstColumn(f.registry().database(), QStringLiteral("PRAGMA foreign_keys"));
    BUTLER_VERIFY_OK(fk);
    QCOMPARE(fk->value(0).toInt(), 1);
}

void TestRegistryBasics::reopenedRegistrySeesCommittedData()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("reopen/run")}));
    auto inserted = f.insertRaws(QStringLiteral("reopen/run"), {101, 102}, {0, 1});
    BUTLER_VERIFY_OK(inserted);

    auto db = SqliteDatabase::open(f.databasePath());
    BUTLER_VERIFY_OK(db);
    auto reopened = Registry::open(std::move(db).value());
    BUTLER_VERIFY_OK(reopened);
    auto type = (*reopened)->getDatasetType(QStringLiteral("raw"));
    BUTLER_VERIFY_OK(type);
    QVERIFY(*type == RegistryFixture::rawType());
    auto page = (*reopened)->queryDatasets(rawsIn(QStringLiteral("reopen/run")));
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::sorted(RegistryFixture::rawKeys(page->refs)),
             RegistryFixture::sorted(RegistryFixture::rawKeys({101, 102}, {0, 1})));
}

void TestRegistryBasics::datasetLookupsUseCoveringIndexes()
{
    // A page's per-row lookups by dataset ID (run and ingest date; file size) read one narrow
    // index each instead of an index and then the table.
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("lookup/run")}));
    BUTLER_VERIFY_OK(f.insertRaws(QStringLiteral("lookup/run"), {101, 102}, {0, 1}));
    Database& db = f.registry().database();
    auto sql = f.registry().explainDatasetQuery(rawsIn(QStringLiteral("lookup/run")));
    BUTLER_VERIFY_OK(sql);
    // The plan's steps, from EXPLAIN QUERY PLAN's detail column.
    auto planOf = [&db](const QString& query) -> QString {
        QSqlQuery q(db.connection().value());
        if (!q.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + query))
            return q.lastError().text();
        QStringList details;
        while (q.next())
            details << q.value(3).toString();
        return details.join(QLatin1Char('|'));
    };
    const QString datasetPlan = planOf(*sql);
    QVERIFY2(datasetPlan.contains(QStringLiteral("COVERING INDEX dataset_lookup")), qPrintable(datasetPlan));
    // The shape of Registry's size lookup for a page (fillSizes).
    const QString sizePlan = planOf(
        QStringLiteral(
            "SELECT dataset_id, file_size FROM file_datastore_records%1 WHERE dataset_id IN ('a', 'b')")
            .arg(db.indexedBy(RegistrySchema::fileSizeIndex())));
    QVERIFY2(sizePlan.contains(QStringLiteral("COVERING INDEX file_datastore_records_size")),
             qPrintable(sizePlan));
}

void TestRegistryBasics::version2RegistryGetsLookupIndexes()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("old/run")}));
    BUTLER_VERIFY_OK(f.insertRaws(QStringLiteral("old/run"), {101, 102}, {0, 1}));
    const QString indexes =
        QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('dataset_lookup', "
                       "'file_datastore_records_size') ORDER BY name");
    Database& db = f.registry().database();
    QCOMPARE(firstColumn(db, indexes)->size(), 2);
    // Back to version 2, as a repository made before the indexes.
    for (const QString& statement :
         {QStringLiteral("DROP INDEX dataset_lookup"),
          QStringLiteral("DROP INDEX file_datastore_records_size"),
          QStringLiteral("UPDATE butler_attributes SET value = '2' WHERE name = 'schema_version'")})
        BUTLER_VERIFY_OK(db.execDirect(statement));
    QCOMPARE(firstColumn(db, indexes)->size(), 0);

    auto opened = SqliteDatabase::open(f.databasePath());
    BUTLER_VERIFY_OK(opened);
    auto reopened = Registry::open(std::move(opened).value());
    BUTLER_VERIFY_OK(reopened);
    Database& upgraded = (*reopened)->database();
    QCOMPARE(firstColumn(upgraded, indexes)->size(), 2);
    QCOMPARE(firstColumn(upgraded, QStringLiteral("SELECT value FROM butler_attributes WHERE name = "
                                                  "'schema_version'"))
                 ->value(0)
                 .toInt(),
             RegistrySchema::SchemaVersion);
    auto page = (*reopened)->queryDatasets(rawsIn(QStringLiteral("old/run")));
    BUTLER_VERIFY_OK(page);
    QCOMPARE(page->refs.size(), 4);
}

void TestRegistryBasics::failedBatchInsertsNothing_data()
{
    QTest::addColumn<int>("badIndex");
    QTest::addColumn<QVariantMap>("badDataId");
    QTest::addColumn<QString>("kind");

    QTest::newRow("missing exposure record")
        << 6 << RegistryFixture::rawDataId(999, 0) << errorKindName(ErrorKind::NotFound);
    QTest::newRow("missing detector record")
        << 9 << RegistryFixture::rawDataId(101, 42) << errorKindName(ErrorKind::NotFound);
    QVariantMap extraKey = RegistryFixture::rawDataId(101, 3);
    extraKey.insert(QStringLiteral("tract"), 7);
    QTest::newRow("key outside the dataset type") << 3 << extraKey << errorKindName(ErrorKind::InvalidInput);
    QVariantMap textDetector = RegistryFixture::rawDataId(101, 0);
    textDetector.insert(QStringLiteral("detector"), QStringLiteral("abc"));
    QTest::newRow("detector is not an integer")
        << 5 << textDetector << errorKindName(ErrorKind::InvalidInput);
    // Position 0 of the batch is exposure 101, detector 0: the last entry repeats it.
    QTest::newRow("same data ID twice in the batch")
        << 9 << RegistryFixture::rawDataId(101, 0) << errorKindName(ErrorKind::Conflict);
}

void TestRegistryBasics::failedBatchInsertsNothing()
{
    QFETCH(int, badIndex);
    QFETCH(QVariantMap, badDataId);
    QFETCH(QString, kind);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const QString run = QStringLiteral("batch/run");
    BUTLER_VERIFY_OK(f.registerRuns({run}));
    QList<Registry::NewDataset> batch;
    for (qint64 e : RegistryFixture::camExposureIds())
        batch << Registry::NewDataset{QStringLiteral("raw"), RegistryFixture::rawDataId(e, 0), {}};
    QCOMPARE(batch.size(), 10);
    batch[badIndex].dataId = badDataId;

    auto result = f.registry().insertDatasets(run, batch, DatasetIdMode::Unique);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kindName(), kind);

    auto inRun = f.registry().datasetsInRun(run);
    BUTLER_VERIFY_OK(inRun);
    QCOMPARE(inRun->size(), 0);
    auto page = f.registry().queryDatasets(rawsIn(run));
    BUTLER_VERIFY_OK(page);
    QCOMPARE(page->refs.size(), 0);

    // The registry stays usable: the same batch without the bad entry goes in whole.
    batch.removeAt(badIndex);
    auto retry = f.registry().insertDatasets(run, batch, DatasetIdMode::Unique);
    BUTLER_VERIFY_OK(retry);
    QCOMPARE(retry->size(), 9);
}

void TestRegistryBasics::nestedTransactionInnerRollback()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.create());
    Database& db = f.registry().database();
    BUTLER_VERIFY_OK(db.execDirect(QStringLiteral("CREATE TABLE tx_probe (x INTEGER)")));
    const QString insert = QStringLiteral("INSERT INTO tx_probe (x) VALUES (?)");
    {
        Transaction outer(db);
        BUTLER_VERIFY_OK(outer.begin());
        QVERIFY(outer.isOuter());
        BUTLER_VERIFY_OK(db.exec(insert, {1}));
        {
            Transaction inner(db);
            BUTLER_VERIFY_OK(inner.begin());
            QVERIFY(!inner.isOuter());
            BUTLER_VERIFY_OK(db.exec(insert, {2}));
            {
                Transaction innermost(db);
                BUTLER_VERIFY_OK(innermost.begin());
                BUTLER_VERIFY_OK(db.exec(insert, {20}));
                BUTLER_VERIFY_OK(innermost.commit());
            }
            // Not committed: 2 and the committed 20 inside it go.
        }
        BUTLER_VERIFY_OK(db.exec(insert, {3}));
        {
            Transaction inner(db);
            BUTLER_VERIFY_OK(inner.begin());
            BUTLER_VERIFY_OK(db.exec(insert, {4}));
            BUTLER_VERIFY_OK(inner.commit());
        }
        BUTLER_VERIFY_OK(outer.commit());
    }
    auto rows = firstColumn(db, QStringLiteral("SELECT x FROM tx_probe ORDER BY x"));
    BUTLER_VERIFY_OK(rows);
    QCOMPARE(integers(*rows), (QList<qint64>{1, 3, 4}));

    // A second commit is an error, not a silent no-op.
    Transaction again(db);
    BUTLER_VERIFY_OK(again.begin());
    BUTLER_VERIFY_OK(again.commit());
    QVERIFY(!again.commit().ok());
}

void TestRegistryBasics::nestedTransactionOuterRollback()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.create());
    Database& db = f.registry().database();
    BUTLER_VERIFY_OK(db.execDirect(QStringLiteral("CREATE TABLE tx_probe (x INTEGER)")));
    {
        Transaction outer(db);
        BUTLER_VERIFY_OK(outer.begin());
        BUTLER_VERIFY_OK(db.exec(QStringLiteral("INSERT INTO tx_probe (x) VALUES (5)")));
        Transaction inner(db);
        BUTLER_VERIFY_OK(inner.begin());
        BUTLER_VERIFY_OK(db.exec(QStringLiteral("INSERT INTO tx_probe (x) VALUES (6)")));
        BUTLER_VERIFY_OK(inner.commit());
        // The outer one is never committed: everything goes, the inner commit included.
    }
    auto rows = firstColumn(db, QStringLiteral("SELECT x FROM tx_probe"));
    BUTLER_VERIFY_OK(rows);
    QVERIFY(rows->isEmpty());

    // The nesting depth is back to zero: the next transaction is an outer one again.
    Transaction next(db);
    BUTLER_VERIFY_OK(next.begin());
    QVERIFY(next.isOuter());
    BUTLER_VERIFY_OK(db.exec(QStringLiteral("INSERT INTO tx_probe (x) VALUES (7)")));
    BUTLER_VERIFY_OK(next.commit());
    rows = firstColumn(db, QStringLiteral("SELECT x FROM tx_probe"));
    BUTLER_VERIFY_OK(rows);
    QCOMPARE(integers(*rows), QList<qint64>{7});
}

void TestRegistryBasics::nestedTransactionWithRegistryCalls()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    Database& db = f.registry().database();
    const QString kept = QStringLiteral("tx/kept");
    const QString dropped = QStringLiteral("tx/dropped");

    // Registry calls join an outer transaction: a failed call undoes only its own part.
    {
        Transaction outer(db);
        BUTLER_VERIFY_OK(outer.begin());
        BUTLER_VERIFY_OK(f.registry().registerCollection(kept, CollectionType::Run, {}));
        BUTLER_VERIFY_OK(f.insertRaws(kept, {101}, {0, 1, 2}));
        BUTLER_VERIFY_ERROR(f.insertRaws(kept, {102, 999}, {0}), ErrorKind::NotFound);
        BUTLER_VERIFY_OK(outer.commit());
    }
    auto keptIds = f.registry().datasetsInRun(kept);
    BUTLER_VERIFY_OK(keptIds);
    QCOMPARE(keptIds->size(), 3);

    // And an outer rollback undoes calls that committed their own (inner) transactions.
    {
        Transaction outer(db);
        BUTLER_VERIFY_OK(outer.begin());
        BUTLER_VERIFY_OK(f.registry().registerCollection(dropped, CollectionType::Run, {}));
        BUTLER_VERIFY_OK(f.insertRaws(dropped, {101}, {0}));
        BUTLER_VERIFY_OK(f.registry().getCollection(dropped));
    }
    BUTLER_VERIFY_ERROR(f.registry().getCollection(dropped), ErrorKind::NotFound);
    auto all = f.registry().queryDatasets(rawsIn(QStringLiteral("tx/*")));
    BUTLER_VERIFY_OK(all);
    QCOMPARE(all->refs.size(), 3);
}

void TestRegistryBasics::cacheIsNotFooledByRolledBackGeneration()
{
    // Two registries on one file, as two processes would have. A's cache is filled inside a
    // transaction that is rolled back; B then commits a change of its own.
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    Registry& a = f.registry();
    auto db = SqliteDatabase::open(f.databasePath());
    BUTLER_VERIFY_OK(db);
    auto openedB = Registry::open(std::move(db).value());
    BUTLER_VERIFY_OK(openedB);
    Registry& b = **openedB;

    {
        Transaction tx(a.database());
        BUTLER_VERIFY_OK(tx.begin());
        BUTLER_VERIFY_OK(a.registerCollection(QStringLiteral("ghost"), CollectionType::Tagged, {}));
        BUTLER_VERIFY_OK(a.getCollection(QStringLiteral("ghost")));
    }
    BUTLER_VERIFY_OK(b.registerCollection(QStringLiteral("real"), CollectionType::Run, {}));

    BUTLER_VERIFY_ERROR(a.getCollection(QStringLiteral("ghost")), ErrorKind::NotFound);
    auto real = a.getCollection(QStringLiteral("real"));
    BUTLER_VERIFY_OK(real);
    QCOMPARE(real->type, CollectionType::Run);
}

void TestRegistryBasics::findDatasetSeesAnotherRegistrysChain()
{
    // A's lookups check its cache in the query itself: B's changes to a chain and its new
    // collections show at once.
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    Registry& a = f.registry();
    auto db = SqliteDatabase::open(f.databasePath());
    BUTLER_VERIFY_OK(db);
    auto openedB = Registry::open(std::move(db).value());
    BUTLER_VERIFY_OK(openedB);
    Registry& b = **openedB;
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("seen/r1"), QStringLiteral("seen/r2")}));
    auto inR1 = f.insertRaws(QStringLiteral("seen/r1"), {101}, {0});
    BUTLER_VERIFY_OK(inR1);
    auto inR2 = f.insertRaws(QStringLiteral("seen/r2"), {101}, {0});
    BUTLER_VERIFY_OK(inR2);
    const QVariantMap dataId = RegistryFixture::rawDataId(101, 0);
    const auto findIn = [&](const QString& collection) -> QUuid {
        auto found = a.findDataset(QStringLiteral("raw"), dataId, {collection}, {});
        if (!found || !found->has_value())
            return {};
        return (*found)->id();
    };
    BUTLER_VERIFY_OK(b.setCollectionChain(QStringLiteral("seen/chain"), {QStringLiteral("seen/r1")},
                                          ChainMode::Redefine, false, {}));
    QCOMPARE(findIn(QStringLiteral("seen/chain")), inR1->first().id());
    BUTLER_VERIFY_OK(b.setCollectionChain(QStringLiteral("seen/chain"), {QStringLiteral("seen/r2")},
                                          ChainMode::Redefine, false, {}));
    QCOMPARE(findIn(QStringLiteral("seen/chain")), inR2->first().id());
    BUTLER_VERIFY_OK(b.setCollectionChain(QStringLiteral("seen/chain"),
                                          {QStringLiteral("seen/r1"), QStringLiteral("seen/r2")},
                                          ChainMode::Redefine, false, {}));
    QCOMPARE(findIn(QStringLiteral("seen/chain")), inR1->first().id());

    // A's own cache filled inside a rolled-back transaction does not answer afterwards.
    {
        Transaction tx(a.database());
        BUTLER_VERIFY_OK(tx.begin());
        BUTLER_VERIFY_OK(a.setCollectionChain(QStringLiteral("seen/ghost"), {QStringLiteral("seen/r2")},
                                              ChainMode::Redefine, false, {}));
        QCOMPARE(findIn(QStringLiteral("seen/ghost")), inR2->first().id());
    }
    BUTLER_VERIFY_ERROR(a.findDataset(QStringLiteral("raw"), dataId, {QStringLiteral("seen/ghost")}, {}),
                        ErrorKind::NotFound);
}

void TestRegistryBasics::statisticsRefreshWhenGrown()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    Registry& r = f.registry();
    BUTLER_VERIFY_OK(
        f.registerRuns({QStringLiteral("stats/a"), QStringLiteral("stats/b"), QStringLiteral("stats/c")}));
    const auto analyzed = [&]() { return r.database().analyzedRows(QStringLiteral("dataset")); };
    r.setStatisticsMinRows(10);

    // Below the minimum size nothing is gathered.
    BUTLER_VERIFY_OK(f.insertRaws(QStringLiteral("stats/a"), {101}, {0, 1, 2, 3, 4}));
    auto ran = r.refreshStatisticsIfStale();
    BUTLER_VERIFY_OK(ran);
    QVERIFY(!*ran);
    auto rows = analyzed();
    BUTLER_VERIFY_OK(rows);
    QVERIFY(!rows->has_value());

    // At it, the first refresh.
    BUTLER_VERIFY_OK(f.insertRaws(QStringLiteral("stats/a"), {102}, {0, 1, 2, 3, 4}));
    ran = r.refreshStatisticsIfStale();
    BUTLER_VERIFY_OK(ran);
    QVERIFY(*ran);
    rows = analyzed();
    BUTLER_VERIFY_OK(rows);
    QCOMPARE(rows->value_or(-1), qint64(10));
    auto tags = firstColumn(
        r.database(), QStringLiteral("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl LIKE 'dataset_tags_%'"));
    BUTLER_VERIFY_OK(tags);
    QVERIFY(tags->value(0).toInt() > 0);

    // Then only once the table has doubled.
    ran = r.refreshStatisticsIfStale();
    BUTLER_VERIFY_OK(ran);
    QVERIFY(!*ran);
    BUTLER_VERIFY_OK(f.insertRaws(QStringLiteral("stats/b"), {101, 102}, {0, 1, 2, 3}));
    ran = r.refreshStatisticsIfStale();
    BUTLER_VERIFY_OK(ran);
    QVERIFY(!*ran);
    BUTLER_VERIFY_OK(f.insertRaws(QStringLiteral("stats/c"), {101}, {0, 1}));
    ran = r.refreshStatisticsIfStale();
    BUTLER_VERIFY_OK(ran);
    QVERIFY(*ran);
    rows = analyzed();
    BUTLER_VERIFY_OK(rows);
    QCOMPARE(rows->value_or(-1), qint64(20));
}

void TestRegistryBasics::datasetTypeReRegistration_data()
{
    QTest::addColumn<QStringList>("dimensions");
    QTest::addColumn<QString>("storageClass");
    QTest::addColumn<bool>("isCalibration");
    QTest::addColumn<bool>("accepted");

    const QStringList dims{QStringLiteral("instrument"), QStringLiteral("detector"), QStringLiteral("visit")};
    QTest::newRow("identical") << dims << QStringLiteral("ExposureF") << false << true;
    QTest::newRow("same dimensions in another order")
        << QStringList{QStringLiteral("visit"), QStringLiteral("detector")} << QStringLiteral("ExposureF")
        << false << true;
    QTest::newRow("other storage class") << dims << QStringLiteral("ExposureD") << false << false;
    QTest::newRow("other dimensions") << QStringList{QStringLiteral("instrument"), QStringLiteral("visit")}
                                      << QStringLiteral("ExposureF") << false << false;
    QTest::newRow("now a calibration") << dims << QStringLiteral("ExposureF") << true << false;
}

void TestRegistryBasics::datasetTypeReRegistration()
{
    QFETCH(QStringList, dimensions);
    QFETCH(QString, storageClass);
    QFETCH(bool, isCalibration);
    QFETCH(bool, accepted);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    auto type =
        DatasetType::make(f.universe(), QStringLiteral("calexp"), dimensions, storageClass, isCalibration);
    BUTLER_VERIFY_OK(type);
    const Status status = f.registry().registerDatasetType(*type);
    if (accepted)
        BUTLER_VERIFY_OK(status);
    else
        BUTLER_VERIFY_ERROR(status, ErrorKind::Conflict);
    // Whatever happened, the registered definition is the original one.
    auto stored = f.registry().getDatasetType(QStringLiteral("calexp"));
    BUTLER_VERIFY_OK(stored);
    QVERIFY(*stored == RegistryFixture::calexpType());
}

void TestRegistryBasics::datasetTypeNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain") << QStringLiteral("calexp") << true;
    QTest::newRow("underscore and digits") << QStringLiteral("deep_Coadd2") << true;
    QTest::newRow("component") << QStringLiteral("calexp.wcs") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("leading digit") << QStringLiteral("1raw") << false;
    QTest::newRow("dash") << QStringLiteral("raw-1") << false;
    QTest::newRow("space") << QStringLiteral("raw name") << false;
    QTest::newRow("trailing dot") << QStringLiteral("raw.") << false;
    QTest::newRow("leading dot") << QStringLiteral(".raw") << false;
    QTest::newRow("glob") << QStringLiteral("ra*") << false;
    QTest::newRow("sql") << QStringLiteral("raw;DROP TABLE dataset") << false;
}

void TestRegistryBasics::datasetTypeNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.create());
    auto group = f.universe().group({QStringLiteral("instrument"), QStringLiteral("detector")});
    BUTLER_VERIFY_OK(group);
    // The constructor does not validate: the registry must.
    const Status status =
        f.registry().registerDatasetType(DatasetType(name, *group, QStringLiteral("Thing")));
    if (valid) {
        BUTLER_VERIFY_OK(status);
        BUTLER_VERIFY_OK(f.registry().getDatasetType(name));
    } else {
        BUTLER_VERIFY_ERROR(status, ErrorKind::InvalidInput);
        auto types = f.registry().queryDatasetTypes({});
        BUTLER_VERIFY_OK(types);
        QVERIFY(types->isEmpty());
    }
}

void TestRegistryBasics::dimensionRecordValidation_data()
{
    QTest::addColumn<QString>("element");
    QTest::addColumn<QVariantMap>("values");

    const auto s = [](const char* text) { return QString::fromLatin1(text); };
    QTest::newRow("unknown field") << s("detector")
                                   << QVariantMap{
                                          {s("instrument"), s("Cam")}, {s("id"), 9}, {s("colour"), s("red")}};
    QTest::newRow("int key given text")
        << s("detector") << QVariantMap{{s("instrument"), s("Cam")}, {s("id"), s("nine")}};
    QTest::newRow("float field given text") << s("exposure")
                                            << QVariantMap{{s("instrument"), s("Cam")},
                                                           {s("id"), 300},
                                                           {s("obs_id"), s("o300")},
                                                           {s("exposure_time"), s("long")}};
    QTest::newRow("bool field given text") << s("exposure")
                                           << QVariantMap{{s("instrument"), s("Cam")},
                                                          {s("id"), 300},
                                                          {s("obs_id"), s("o300")},
                                                          {s("can_see_sky"), s("maybe")}};
    QTest::newRow("missing primary key")
        << s("detector") << QVariantMap{{s("instrument"), s("Cam")}, {s("full_name"), s("x")}};
    QTest::newRow("missing alternate key")
        << s("detector") << QVariantMap{{s("instrument"), s("Cam")}, {s("id"), 9}};
    QTest::newRow("missing required dimension")
        << s("detector") << QVariantMap{{s("id"), 9}, {s("full_name"), s("x")}};
    QTest::newRow("string too long") << s("detector")
                                     << QVariantMap{{s("instrument"), s("Cam")},
                                                    {s("id"), 9},
                                                    {s("full_name"), QString(40, QLatin1Char('x'))}};
    QTest::newRow("unknown element") << s("nonsense") << QVariantMap{{s("id"), 1}};
}

void TestRegistryBasics::dimensionRecordValidation()
{
    QFETCH(QString, element);
    QFETCH(QVariantMap, values);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_ERROR(
        f.registry().insertDimensionRecords(element, {DimensionRecord(element, values)}, false),
        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(
        f.registry().insertDimensionRecords(element, {DimensionRecord(element, values)}, true),
        ErrorKind::InvalidInput);
    if (f.universe().element(element)) {
        DimensionRecordQuery query;
        query.element = element;
        auto page = f.registry().queryDimensionRecords(query);
        BUTLER_VERIFY_OK(page);
        const int before = element == QLatin1String("detector") ? 6 : 11;
        QCOMPARE(page->records.size(), before);
    }
}

void TestRegistryBasics::dimensionRecordTimespanOnElementWithout()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const DimensionRecord record(QStringLiteral("detector"),
                                 {{QStringLiteral("instrument"), QStringLiteral("Cam")},
                                  {QStringLiteral("id"), 9},
                                  {QStringLiteral("full_name"), QStringLiteral("x")}},
                                 Timespan(0, 10));
    BUTLER_VERIFY_ERROR(f.registry().insertDimensionRecords(QStringLiteral("detector"), {record}, false),
                        ErrorKind::InvalidInput);
}

void TestRegistryBasics::dimensionRecordMissingInstrument()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const DimensionRecord record(QStringLiteral("detector"),
                                 {{QStringLiteral("instrument"), QStringLiteral("NoSuchCam")},
                                  {QStringLiteral("id"), 1},
                                  {QStringLiteral("full_name"), QStringLiteral("d1")}});
    const Status status = f.registry().insertDimensionRecords(QStringLiteral("detector"), {record}, false);
    QVERIFY(!status.ok());
    QVERIFY2(status.error().kind() == ErrorKind::NotFound || status.error().kind() == ErrorKind::Conflict,
             qPrintable(status.error().kindName()));
    // The message must say what is missing, so that the user knows what to insert first.
    QVERIFY2(status.error().message().contains(QLatin1String("NoSuchCam")),
             qPrintable(status.error().message()));
    // skip-existing does not turn a dangling reference into success.
    QVERIFY(!f.registry().insertDimensionRecords(QStringLiteral("detector"), {record}, true).ok());
}

void TestRegistryBasics::dimensionRecordImpliedRecordMustExist_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QVariant>("value");

    QTest::newRow("physical_filter") << QStringLiteral("physical_filter") << QVariant(QStringLiteral("nope"));
    QTest::newRow("day_obs") << QStringLiteral("day_obs") << QVariant(19990101);
    QTest::newRow("group") << QStringLiteral("group") << QVariant(QStringLiteral("nope"));
}

void TestRegistryBasics::dimensionRecordImpliedRecordMustExist()
{
    QFETCH(QString, field);
    QFETCH(QVariant, value);

    // An exposure whose implied records are missing could never be used in a data ID; daf_butler
    // refuses it with a foreign key.
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    QVariantMap values{{QStringLiteral("instrument"), QStringLiteral("Cam")},
                       {QStringLiteral("id"), 300},
                       {QStringLiteral("obs_id"), QStringLiteral("o300")},
                       {QStringLiteral("physical_filter"), QStringLiteral("g_01")},
                       {QStringLiteral("day_obs"), 20250615},
                       {QStringLiteral("group"), QStringLiteral("grpA")}};
    values.insert(field, value);
    const Status status = f.registry().insertDimensionRecords(
        QStringLiteral("exposure"), {DimensionRecord(QStringLiteral("exposure"), values)}, false);
    QVERIFY2(!status.ok(), "an exposure referring to a missing implied record was accepted");
}

void TestRegistryBasics::duplicateDimensionRecord()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const DimensionRecord again(QStringLiteral("detector"),
                                {{QStringLiteral("instrument"), QStringLiteral("Cam")},
                                 {QStringLiteral("id"), 0},
                                 {QStringLiteral("full_name"), QStringLiteral("R0_S0")},
                                 {QStringLiteral("purpose"), QStringLiteral("GUIDE")}});
    BUTLER_VERIFY_ERROR(f.registry().insertDimensionRecords(QStringLiteral("detector"), {again}, false),
                        ErrorKind::Conflict);
    BUTLER_VERIFY_OK(f.registry().insertDimensionRecords(QStringLiteral("detector"), {again}, true));

    DimensionRecordQuery query;
    query.element = QStringLiteral("detector");
    query.where = QStringLiteral("instrument = 'Cam' AND detector = 0");
    auto page = f.registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(page->records.size(), 1);
    QCOMPARE(page->records.first().value(QStringLiteral("purpose")).toString(), QStringLiteral("SCIENCE"));
}

void TestRegistryBasics::bandRecordsComeFromPhysicalFilters()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    DimensionRecordQuery query;
    query.element = QStringLiteral("band");
    auto page = f.registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(page);
    QStringList bands;
    for (const DimensionRecord& r : page->records)
        bands << r.value(QStringLiteral("name")).toString();
    QCOMPARE(bands, (QStringList{QStringLiteral("g"), QStringLiteral("i"), QStringLiteral("r")}));
}

void TestRegistryBasics::expandDataIdFillsImplied_data()
{
    QTest::addColumn<qint64>("exposure");
    for (qint64 e : RegistryFixture::camExposureIds())
        QTest::addRow("exposure %lld", e) << e;
}

void TestRegistryBasics::expandDataIdFillsImplied()
{
    QFETCH(qint64, exposure);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const RegistryFixture::Exposure expected = RegistryFixture::camExposure(exposure);
    auto dataId = f.registry().expandDataId(RegistryFixture::rawType().dimensions(),
                                            RegistryFixture::rawDataId(exposure, 2));
    BUTLER_VERIFY_OK(dataId);
    QVERIFY(dataId->hasFull());
    QCOMPARE(dataId->value(QStringLiteral("physical_filter")).toString(), expected.physicalFilter);
    QCOMPARE(dataId->value(QStringLiteral("band")).toString(),
             RegistryFixture::bandOf(expected.physicalFilter));
    QCOMPARE(dataId->value(QStringLiteral("day_obs")).toLongLong(), expected.dayObs);
    QCOMPARE(dataId->value(QStringLiteral("group")).toString(), expected.group);
    QCOMPARE(dataId->value(QStringLiteral("exposure")).toLongLong(), exposure);
    QCOMPARE(dataId->value(QStringLiteral("detector")).toLongLong(), 2);

    // The visit of the same exposure implies the same filter, band and day.
    auto visitId = f.registry().expandDataId(RegistryFixture::calexpType().dimensions(),
                                             RegistryFixture::calexpDataId(1000 + exposure, 2));
    BUTLER_VERIFY_OK(visitId);
    QVERIFY(visitId->hasFull());
    QCOMPARE(visitId->value(QStringLiteral("physical_filter")).toString(), expected.physicalFilter);
    QCOMPARE(visitId->value(QStringLiteral("band")).toString(),
             RegistryFixture::bandOf(expected.physicalFilter));
    QCOMPARE(visitId->value(QStringLiteral("day_obs")).toLongLong(), expected.dayObs);
}

void TestRegistryBasics::expandDataIdCoercesValues()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const QVariantMap values{{QStringLiteral("instrument"), QStringLiteral("Cam")},
                             {QStringLiteral("exposure"), QStringLiteral("104")},
                             {QStringLiteral("detector"), 3.0}};
    auto dataId = f.registry().expandDataId(RegistryFixture::rawType().dimensions(), values);
    BUTLER_VERIFY_OK(dataId);
    QCOMPARE(dataId->value(QStringLiteral("exposure")).typeId(), int(QMetaType::LongLong));
    QCOMPARE(dataId->value(QStringLiteral("exposure")).toLongLong(), 104);
    QCOMPARE(dataId->value(QStringLiteral("detector")).toLongLong(), 3);
    QCOMPARE(dataId->value(QStringLiteral("physical_filter")).toString(), QStringLiteral("g_01"));
}

void TestRegistryBasics::expandDataIdRejectsInconsistentImplied_data()
{
    QTest::addColumn<QVariantMap>("implied");
    QTest::addColumn<bool>("consistent");

    const auto s = [](const char* text) { return QString::fromLatin1(text); };
    // Exposure 104: g_01, band g, day_obs 20250615, group grpB.
    QTest::newRow("all given, all right") << QVariantMap{{s("physical_filter"), s("g_01")},
                                                         {s("band"), s("g")},
                                                         {s("day_obs"), 20250615},
                                                         {s("group"), s("grpB")}}
                                          << true;
    QTest::newRow("one given, right") << QVariantMap{{s("physical_filter"), s("g_01")}} << true;
    QTest::newRow("all given, band wrong") << QVariantMap{{s("physical_filter"), s("g_01")},
                                                          {s("band"), s("r")},
                                                          {s("day_obs"), 20250615},
                                                          {s("group"), s("grpB")}}
                                           << false;
    QTest::newRow("all given, physical_filter wrong") << QVariantMap{{s("physical_filter"), s("r_03")},
                                                                     {s("band"), s("g")},
                                                                     {s("day_obs"), 20250615},
                                                                     {s("group"), s("grpB")}}
                                                      << false;
    QTest::newRow("only physical_filter given, wrong")
        << QVariantMap{{s("physical_filter"), s("r_03")}} << false;
    QTest::newRow("only day_obs given, wrong") << QVariantMap{{s("day_obs"), 20250616}} << false;
    QTest::newRow("only band given, wrong") << QVariantMap{{s("band"), s("i")}} << false;
}

void TestRegistryBasics::expandDataIdRejectsInconsistentImplied()
{
    QFETCH(QVariantMap, implied);
    QFETCH(bool, consistent);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    QVariantMap values = RegistryFixture::rawDataId(104, 1);
    values.insert(implied);
    auto dataId = f.registry().expandDataId(RegistryFixture::rawType().dimensions(), values);
    if (!consistent) {
        BUTLER_VERIFY_ERROR(dataId, ErrorKind::InvalidInput);
        return;
    }
    BUTLER_VERIFY_OK(dataId);
    QVERIFY(dataId->hasFull());
    QCOMPARE(dataId->value(QStringLiteral("band")).toString(), QStringLiteral("g"));
    QCOMPARE(dataId->value(QStringLiteral("group")).toString(), QStringLiteral("grpB"));
}

void TestRegistryBasics::expandDataIdMissingRecord_data()
{
    QTest::addColumn<QVariantMap>("values");
    QTest::newRow("exposure") << RegistryFixture::rawDataId(999, 1);
    QTest::newRow("detector") << RegistryFixture::rawDataId(101, 99);
    QTest::newRow("instrument") << RegistryFixture::rawDataId(101, 0, QStringLiteral("Nope"));
    // Other has exposure 101 but no detector 1.
    QTest::newRow("detector of the other instrument")
        << RegistryFixture::rawDataId(101, 1, QStringLiteral("Other"));
}

void TestRegistryBasics::expandDataIdMissingRecord()
{
    QFETCH(QVariantMap, values);
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_ERROR(f.registry().expandDataId(RegistryFixture::rawType().dimensions(), values),
                        ErrorKind::NotFound);
}

void TestRegistryBasics::expandDataIdAfterRolledBackRecord()
{
    // A record seen inside a transaction that is rolled back does not exist afterwards, and a
    // record inserted later under the same key brings its own implied values.
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const auto exposureRecord = [](const QString& physicalFilter) {
        return DimensionRecord(QStringLiteral("exposure"),
                               {{QStringLiteral("instrument"), QStringLiteral("Cam")},
                                {QStringLiteral("id"), 300},
                                {QStringLiteral("obs_id"), QStringLiteral("o300")},
                                {QStringLiteral("physical_filter"), physicalFilter},
                                {QStringLiteral("day_obs"), 20250615},
                                {QStringLiteral("group"), QStringLiteral("grpA")}});
    };
    const DimensionGroup group = RegistryFixture::rawType().dimensions();
    {
        Transaction tx(f.registry().database());
        BUTLER_VERIFY_OK(tx.begin());
        BUTLER_VERIFY_OK(f.registry().insertDimensionRecords(
            QStringLiteral("exposure"), {exposureRecord(QStringLiteral("g_01"))}, false));
        auto inside = f.registry().expandDataId(group, RegistryFixture::rawDataId(300, 0));
        BUTLER_VERIFY_OK(inside);
        QCOMPARE(inside->value(QStringLiteral("physical_filter")).toString(), QStringLiteral("g_01"));
    }
    BUTLER_VERIFY_ERROR(f.registry().expandDataId(group, RegistryFixture::rawDataId(300, 0)),
                        ErrorKind::NotFound);

    BUTLER_VERIFY_OK(f.registry().insertDimensionRecords(QStringLiteral("exposure"),
                                                         {exposureRecord(QStringLiteral("r_03"))}, false));
    auto after = f.registry().expandDataId(group, RegistryFixture::rawDataId(300, 0));
    BUTLER_VERIFY_OK(after);
    QCOMPARE(after->value(QStringLiteral("physical_filter")).toString(), QStringLiteral("r_03"));
    QCOMPARE(after->value(QStringLiteral("band")).toString(), QStringLiteral("r"));
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("late/run")}));
    auto refs = f.insertRaws(QStringLiteral("late/run"), {300}, {0});
    BUTLER_VERIFY_OK(refs);
    QCOMPARE(refs->first().dataId().value(QStringLiteral("physical_filter")).toString(),
             QStringLiteral("r_03"));
}

void TestRegistryBasics::deterministicIds()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("det/a"), QStringLiteral("det/b"),
                                     QStringLiteral("det/c"), QStringLiteral("det/d")}));

    auto first = f.insertRaws(QStringLiteral("det/a"), {101}, {1}, DatasetIdMode::DataIdTypeRun);
    BUTLER_VERIFY_OK(first);
    QCOMPARE(first->first().id().version(), QUuid::Sha1);

    // The same type, data ID and run in another repository give the same ID.
    RegistryFixture g;
    BUTLER_VERIFY_OK(g.createStandard());
    BUTLER_VERIFY_OK(g.registerRuns({QStringLiteral("det/a")}));
    auto elsewhere = g.insertRaws(QStringLiteral("det/a"), {101}, {1}, DatasetIdMode::DataIdTypeRun);
    BUTLER_VERIFY_OK(elsewhere);
    QCOMPARE(elsewhere->first().id(), first->first().id());

    // In the same repository the ID is taken.
    BUTLER_VERIFY_ERROR(f.insertRaws(QStringLiteral("det/a"), {101}, {1}, DatasetIdMode::DataIdTypeRun),
                        ErrorKind::Conflict);

    // Another run, another ID; another data ID, another ID.
    auto otherRun = f.insertRaws(QStringLiteral("det/b"), {101}, {1}, DatasetIdMode::DataIdTypeRun);
    BUTLER_VERIFY_OK(otherRun);
    QVERIFY(otherRun->first().id() != first->first().id());
    auto otherDataId = f.insertRaws(QStringLiteral("det/b"), {101}, {2}, DatasetIdMode::DataIdTypeRun);
    BUTLER_VERIFY_OK(otherDataId);
    QVERIFY(otherDataId->first().id() != otherRun->first().id());

    // DataIdType ignores the run: the second run cannot hold the same dataset again.
    auto typeOnly = f.insertRaws(QStringLiteral("det/c"), {102}, {1}, DatasetIdMode::DataIdType);
    BUTLER_VERIFY_OK(typeOnly);
    BUTLER_VERIFY_ERROR(f.insertRaws(QStringLiteral("det/d"), {102}, {1}, DatasetIdMode::DataIdType),
                        ErrorKind::Conflict);

    // Unique mode never repeats.
    auto u1 = f.insertRaws(QStringLiteral("det/c"), {103}, {1}, DatasetIdMode::Unique);
    auto u2 = f.insertRaws(QStringLiteral("det/d"), {103}, {1}, DatasetIdMode::Unique);
    BUTLER_VERIFY_OK(u1);
    BUTLER_VERIFY_OK(u2);
    QVERIFY(u1->first().id() != u2->first().id());
    // Time-ordered (version 7): later datasets sort after earlier ones, in one insert too.
    QCOMPARE(u1->first().id().data3 >> 12, 7);
    QVERIFY(u1->first().id() < u2->first().id());
    auto many = f.insertRaws(QStringLiteral("det/c"), {104, 105}, {1, 2}, DatasetIdMode::Unique);
    BUTLER_VERIFY_OK(many);
    QCOMPARE(many->size(), 4);
    for (qsizetype i = 1; i < many->size(); ++i)
        QVERIFY2(many->at(i - 1).id().toString() < many->at(i).id().toString(),
                 qPrintable(many->at(i).id().toString()));
}

void TestRegistryBasics::deterministicIdsMatchDafButler_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("name");

    // daf_butler (DatasetIdFactory): uuid5(NS_UUID, ",".join("key=value")) with the dataset
    // type first, then the run (DATAID_TYPE_RUN only), then the required data ID values sorted
    // by dimension name.
    QTest::newRow("DataIdType") << int(DatasetIdMode::DataIdType)
                                << QStringLiteral("dataset_type=raw,detector=1,exposure=101,instrument=Cam");
    QTest::newRow("DataIdTypeRun")
        << int(DatasetIdMode::DataIdTypeRun)
        << QStringLiteral("dataset_type=raw,run=det/a,detector=1,exposure=101,instrument=Cam");
}

void TestRegistryBasics::deterministicIdsMatchDafButler()
{
    QFETCH(int, mode);
    QFETCH(QString, name);

    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    BUTLER_VERIFY_OK(f.registerRuns({QStringLiteral("det/a")}));
    auto refs = f.insertRaws(QStringLiteral("det/a"), {101}, {1}, DatasetIdMode(mode));
    BUTLER_VERIFY_OK(refs);
    const QUuid expected =
        QUuid::createUuidV5(QUuid(QStringLiteral("840b31d9-05cd-5161-b2c8-00d32b280d0f")), name);
    QCOMPARE(refs->first().id(), expected);
}

void TestRegistryBasics::concurrentReadersAndWriter()
{
    RegistryFixture f;
    BUTLER_VERIFY_OK(f.createStandard());
    const QString run = QStringLiteral("concurrent/run");
    BUTLER_VERIFY_OK(f.registerRuns({run}));
    Registry& registry = f.registry();

    QMutex mutex;
    QStringList errors;
    QStringList connections;
    auto report = [&](const QString& text) {
        QMutexLocker lock(&mutex);
        errors << text;
    };
    auto noteConnection = [&]() {
        auto db = registry.database().connection();
        QMutexLocker lock(&mutex);
        connections << (db.ok() ? db->connectionName() : QString());
    };

    std::atomic<bool> writerDone{false};
    const QList<qint64> exposures = RegistryFixture::camExposureIds();
    const QList<qint64> detectors = RegistryFixture::camDetectors();
    const int total = int(exposures.size() * detectors.size());

    std::atomic<int> readersReady{0};
    std::unique_ptr<QThread> writer(QThread::create([&] {
        noteConnection();
        // Start writing only when every reader has read once, so that reads and writes overlap.
        while (readersReady.load() < 4)
            QThread::yieldCurrentThread();
        for (qint64 e : exposures) {
            for (qint64 d : detectors) {
                auto r = registry.insertDatasets(
                    run, {Registry::NewDataset{QStringLiteral("raw"), RegistryFixture::rawDataId(e, d), {}}},
                    DatasetIdMode::Unique);
                if (!r)
                    report(QStringLiteral("writer: ") + r.error().message());
            }
        }
        writerDone = true;
    }));

    // One slot per reader thread; std::vector never detaches behind their backs.
    std::vector<int> finalCounts(4, -1);
    std::vector<int> iterations(4, 0);
    std::vector<std::unique_ptr<QThread>> readers;
    for (int i = 0; i < 4; ++i) {
        readers.emplace_back(QThread::create([&, i] {
            noteConnection();
            int last = 0;
            bool finished = false;
            while (!finished) {
                // Read once more after the writer is done, to see the final state.
                finished = writerDone.load();
                auto page = registry.queryDatasets(rawsIn(run));
                if (!page) {
                    report(QStringLiteral("reader %1: %2").arg(i).arg(page.error().message()));
                    readersReady += 1; // never leave the writer waiting
                    return;
                }
                const int n = int(page->refs.size());
                if (n < last)
                    report(QStringLiteral("reader %1 saw %2 datasets after %3").arg(i).arg(n).arg(last));
                for (const DatasetRef& ref : page->refs)
                    if (!ref.dataId().hasFull())
                        report(QStringLiteral("reader %1 got a data ID without implied values").arg(i));
                last = n;
                if (iterations[i]++ == 0)
                    readersReady += 1;
                auto info = registry.getCollection(run);
                if (!info)
                    report(QStringLiteral("reader %1: %2").arg(i).arg(info.error().message()));
            }
            finalCounts[i] = last;
        }));
    }

    writer->start();
    for (auto& reader : readers)
        reader->start();
    QVERIFY(writer->wait(QDeadlineTimer(240'000)));
    for (auto& reader : readers)
        QVERIFY(reader->wait(QDeadlineTimer(240'000)));

    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QCOMPARE(QList<int>(finalCounts.begin(), finalCounts.end()), QList<int>(4, total));
    for (int n : std::as_const(iterations))
        QVERIFY(n >= 1);
    // Five threads, five connections, none of them the main thread's.
    auto mainConnection = registry.database().connection();
    BUTLER_VERIFY_OK(mainConnection);
    connections << mainConnection->connectionName();
    QCOMPARE(QSet<QString>(connections.begin(), connections.end()).size(), 6);
    auto inRun = registry.datasetsInRun(run);
    BUTLER_VERIFY_OK(inRun);
    QCOMPARE(inRun->size(), total);
}

QTEST_GUILESS_MAIN(TestRegistryBasics)
#include "tst_registrybasics.moc"
