#include "RegistryFixture.h"

#include <algorithm>
#include <functional>
#include <memory>

using namespace butler;

namespace {

using Exposure = RegistryFixture::Exposure;
using ExposurePredicate = std::function<bool(const Exposure&)>;

const QString Cam = QStringLiteral("Cam");

// Sorted raw keys ("Cam:104/2") of Cam exposures matching a predicate, times detectors.
QStringList raws(const ExposurePredicate& predicate,
                 const QList<qint64>& detectors = RegistryFixture::camDetectors())
{
    return RegistryFixture::sorted(
        RegistryFixture::rawKeys(RegistryFixture::camExposuresWhere(predicate), detectors));
}

QStringList raws(const QList<qint64>& exposures,
                 const QList<qint64>& detectors = RegistryFixture::camDetectors())
{
    return RegistryFixture::sorted(RegistryFixture::rawKeys(exposures, detectors));
}

// The exposures of these visits, each once.
QList<qint64> exposuresOfVisits(const QList<qint64>& visitIds)
{
    QList<qint64> result;
    for (const RegistryFixture::Visit& v : RegistryFixture::visits())
        if (visitIds.contains(v.id))
            for (qint64 e : v.exposures)
                if (!result.contains(e))
                    result << e;
    std::sort(result.begin(), result.end());
    return result;
}

qint64 at(const char* iso)
{
    return RegistryFixture::utc(iso);
}

DatasetQuery datasetQuery(const QStringList& types, const QStringList& collections, const QString& where = {})
{
    DatasetQuery query;
    query.datasetTypes = types;
    query.collections = collections;
    query.where = where;
    return query;
}

QStringList dataIdKeys(const QList<DataCoordinate>& dataIds)
{
    QStringList keys;
    for (const DataCoordinate& d : dataIds)
        keys << d.toString();
    return keys;
}

QStringList recordKeys(const QList<DimensionRecord>& records)
{
    QStringList keys;
    for (const DimensionRecord& r : records)
        keys << QStringLiteral("%1:%2")
                    .arg(r.value(QStringLiteral("instrument")).toString())
                    .arg(r.value(QStringLiteral("id")).toLongLong());
    return keys;
}

// Order-by rows: raws of detectors 0 and 1 of exposures 101..109, sorted with a comparator.
using RawLess = std::function<bool(const Exposure&, qint64, const Exposure&, qint64)>;
QStringList orderedRaws(const RawLess& less)
{
    QList<std::pair<Exposure, qint64>> rows;
    for (const Exposure& e : RegistryFixture::exposures())
        if (e.instrument == Cam && e.id != 110)
            for (qint64 d : {0, 1})
                rows << std::make_pair(e, d);
    std::sort(rows.begin(), rows.end(),
              [&](const auto& a, const auto& b) { return less(a.first, a.second, b.first, b.second); });
    QStringList keys;
    for (const auto& [e, d] : rows)
        keys << QStringLiteral("Cam:%1/%2").arg(e.id).arg(d);
    return keys;
}

} // namespace

class TestRegistryQueries : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    // Find-first and calibrations.
    void findFirstNestedChain_data();
    void findFirstNestedChain();
    void findFirstQueryDatasets();
    void findFirstDedupesRelationshipRows_data();
    void findFirstDedupesRelationshipRows();
    void findFirstThreeCollections_data();
    void findFirstThreeCollections();
    void calibrationByTime_data();
    void calibrationByTime();
    void calibrationByDataId_data();
    void calibrationByDataId();
    void calibrationLookupInfersFilterFromExposure();
    void calibrationNeedsTime();
    void calibrationQueryDatasetsFindFirst();

    // Where-expressions.
    void whereExpressions_data();
    void whereExpressions();
    void joinsKeepInstrumentsApart_data();
    void joinsKeepInstrumentsApart();
    void whereErrors_data();
    void whereErrors();
    void unknownNames();

    // Order, limit, paging.
    void orderBy_data();
    void orderBy();
    void orderByErrors();
    void limit();
    void paging_data();
    void paging();
    void pagingWithInsertsBetweenPages();
    void pageTokenFromAnotherQuery();

    // Data IDs and records.
    void queryDataIds_data();
    void queryDataIds();
    void queryDataIdsImpliedValues();
    void queryDataIdsOrderAndLimit();
    void queryDataIdsErrors();
    void queryDimensionRecords_data();
    void queryDimensionRecords();
    void queryDimensionRecordsValues();
    void queryDimensionRecordsOrder();
    void queryDimensionRecordsPaging_data();
    void queryDimensionRecordsPaging();

private:
    Registry& registry() { return m_f->registry(); }
    Status buildRepository();
    QString findRun(const QString& type, const QVariantMap& dataId, const QStringList& collections,
                    std::optional<qint64> time = {});

    std::unique_ptr<RegistryFixture> m_f;
    QList<DatasetRef> m_allRaws;
    QHash<QString, QUuid> m_calibIds; // "A", "B", "C", "flat_g", "flat_r"
};

Status TestRegistryQueries::buildRepository()
{
    BUTLER_TRY(m_f->createStandard());
    const QList<qint64> exposures = RegistryFixture::camExposureIds();
    const QList<qint64> detectors = RegistryFixture::camDetectors();
    BUTLER_TRY(m_f->registerRuns(
        {QStringLiteral("raw/all"), QStringLiteral("raw/partial"), QStringLiteral("other/raw"),
         QStringLiteral("calexp/all"), QStringLiteral("ff/a"), QStringLiteral("ff/b"), QStringLiteral("ff/c"),
         QStringLiteral("calib/r1"), QStringLiteral("calib/r2"), QStringLiteral("ff3/x"),
         QStringLiteral("ff3/y"), QStringLiteral("ff3/z")}));
    BUTLER_ASSIGN_OR_RETURN(m_allRaws, m_f->insertRaws(QStringLiteral("raw/all"), exposures, detectors));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("raw/partial"), {102, 105}, {0, 1}));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("other/raw"), {101}, {0}, DatasetIdMode::Unique,
                               RegistryFixture::other()));
    QList<qint64> visitIds;
    for (const RegistryFixture::Visit& v : RegistryFixture::visits())
        visitIds << v.id;
    BUTLER_TRY(m_f->insertCalexps(QStringLiteral("calexp/all"), visitIds, {0, 1}));

    // Find-first: ff/top = [ff/mid, ff/c], ff/mid = [ff/inner, ff/b], ff/inner = [ff/a].
    // calexp of visit 1101: ff/a has detector 0, ff/b detectors 0-1, ff/c detectors 0-2.
    BUTLER_TRY(m_f->insertCalexps(QStringLiteral("ff/a"), {1101}, {0}));
    BUTLER_TRY(m_f->insertCalexps(QStringLiteral("ff/b"), {1101}, {0, 1}));
    BUTLER_ASSIGN_OR_RETURN(QList<DatasetRef> inC,
                            m_f->insertCalexps(QStringLiteral("ff/c"), {1101}, {0, 1, 2}));
    const auto chain = [&](const QString& parent, const QStringList& children) {
        return registry().setCollectionChain(parent, children, ChainMode::Redefine, false, {});
    };
    BUTLER_TRY(chain(QStringLiteral("ff/inner"), {QStringLiteral("ff/a")}));
    BUTLER_TRY(chain(QStringLiteral("ff/mid"), {QStringLiteral("ff/inner"), QStringLiteral("ff/b")}));
    BUTLER_TRY(chain(QStringLiteral("ff/top"), {QStringLiteral("ff/mid"), QStringLiteral("ff/c")}));
    BUTLER_TRY(chain(QStringLiteral("ff/reversed"), {QStringLiteral("ff/c"), QStringLiteral("ff/mid")}));
    // A TAGGED collection holding ff/c's detector 0, searched before ff/top.
    BUTLER_TRY(registry().registerCollection(QStringLiteral("ff/tag"), CollectionType::Tagged, {}));
    BUTLER_TRY(registry().associate(QStringLiteral("ff/tag"), {inC.first().id()}));
    BUTLER_TRY(chain(QStringLiteral("ff/tagfirst"), {QStringLiteral("ff/tag"), QStringLiteral("ff/top")}));

    // Find-first over three runs of raws: x has 101/0; y 101/0-1 and 102/0; z 101/0-2,
    // 102/0-1 and 103/0. Searched as x, y, z each run is the first for some data ID.
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("ff3/x"), {101}, {0}));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("ff3/y"), {101}, {0, 1}));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("ff3/y"), {102}, {0}));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("ff3/z"), {101}, {0, 1, 2}));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("ff3/z"), {102}, {0, 1}));
    BUTLER_TRY(m_f->insertRaws(QStringLiteral("ff3/z"), {103}, {0}));
    BUTLER_TRY(chain(QStringLiteral("ff3/chain"),
                     {QStringLiteral("ff3/x"), QStringLiteral("ff3/y"), QStringLiteral("ff3/z")}));

    // Calibrations: bias A (detector 0) valid until exposure 103 begins, B (detector 0) from
    // then on, C (detector 1) always; flats for g_01 and r_03 on detector 0, always.
    BUTLER_TRY(registry().registerCollection(QStringLiteral("calib/cal"), CollectionType::Calibration, {}));
    const qint64 switchTime = RegistryFixture::camExposure(103).begin;
    BUTLER_ASSIGN_OR_RETURN(DatasetRef a, m_f->insertOne(QStringLiteral("calib/r1"), QStringLiteral("bias"),
                                                         RegistryFixture::detectorDataId(0)));
    BUTLER_ASSIGN_OR_RETURN(DatasetRef b, m_f->insertOne(QStringLiteral("calib/r2"), QStringLiteral("bias"),
                                                         RegistryFixture::detectorDataId(0)));
    BUTLER_ASSIGN_OR_RETURN(DatasetRef c, m_f->insertOne(QStringLiteral("calib/r1"), QStringLiteral("bias"),
                                                         RegistryFixture::detectorDataId(1)));
    QVariantMap gFlat = RegistryFixture::detectorDataId(0);
    gFlat.insert(QStringLiteral("physical_filter"), QStringLiteral("g_01"));
    QVariantMap rFlat = RegistryFixture::detectorDataId(0);
    rFlat.insert(QStringLiteral("physical_filter"), QStringLiteral("r_03"));
    BUTLER_ASSIGN_OR_RETURN(DatasetRef fg,
                            m_f->insertOne(QStringLiteral("calib/r1"), QStringLiteral("flat"), gFlat));
    BUTLER_ASSIGN_OR_RETURN(DatasetRef fr,
                            m_f->insertOne(QStringLiteral("calib/r1"), QStringLiteral("flat"), rFlat));
    BUTLER_TRY(registry().certify(QStringLiteral("calib/cal"), {a.id()},
                                  Timespan(Timespan::UnboundedBegin, switchTime)));
    BUTLER_TRY(
        registry().certify(QStringLiteral("calib/cal"), {b.id()}, Timespan(switchTime, Timespan::Unbounded)));
    BUTLER_TRY(registry().certify(QStringLiteral("calib/cal"), {c.id(), fg.id(), fr.id()}, Timespan()));
    BUTLER_TRY(
        chain(QStringLiteral("calib/chain"), {QStringLiteral("calib/cal"), QStringLiteral("raw/all")}));
    m_calibIds = {{QStringLiteral("A"), a.id()},
                  {QStringLiteral("B"), b.id()},
                  {QStringLiteral("C"), c.id()},
                  {QStringLiteral("flat_g"), fg.id()},
                  {QStringLiteral("flat_r"), fr.id()}};
    return {};
}

void TestRegistryQueries::initTestCase()
{
    m_f = std::make_unique<RegistryFixture>();
    BUTLER_VERIFY_OK(buildRepository());
}

void TestRegistryQueries::cleanupTestCase()
{
    m_f.reset();
}

QString TestRegistryQueries::findRun(const QString& type, const QVariantMap& dataId,
                                     const QStringList& collections, std::optional<qint64> time)
{
    auto found = registry().findDataset(type, dataId, collections, time);
    if (!found)
        return QStringLiteral("<error: %1>").arg(found.error().message());
    return found->has_value() ? (*found)->run() : QString();
}

void TestRegistryQueries::findFirstNestedChain_data()
{
    QTest::addColumn<QString>("collection");
    QTest::addColumn<QStringList>("expectedRuns"); // for detectors 0, 1, 2, 3; empty: none

    QTest::newRow("three deep") << QStringLiteral("ff/top")
                                << QStringList{QStringLiteral("ff/a"),
                                               QStringLiteral("ff/b"),
                                               QStringLiteral("ff/c"),
                                               {}};
    QTest::newRow("middle chain") << QStringLiteral("ff/mid")
                                  << QStringList{QStringLiteral("ff/a"), QStringLiteral("ff/b"), {}, {}};
    QTest::newRow("innermost chain") << QStringLiteral("ff/inner")
                                     << QStringList{QStringLiteral("ff/a"), {}, {}, {}};
    QTest::newRow("reversed") << QStringLiteral("ff/reversed")
                              << QStringList{QStringLiteral("ff/c"),
                                             QStringLiteral("ff/c"),
                                             QStringLiteral("ff/c"),
                                             {}};
    QTest::newRow("tagged first") << QStringLiteral("ff/tagfirst")
                                  << QStringList{QStringLiteral("ff/c"),
                                                 QStringLiteral("ff/b"),
                                                 QStringLiteral("ff/c"),
                                                 {}};
}

void TestRegistryQueries::findFirstNestedChain()
{
    QFETCH(QString, collection);
    QFETCH(QStringList, expectedRuns);

    for (int detector = 0; detector < expectedRuns.size(); ++detector)
        QCOMPARE(
            findRun(QStringLiteral("calexp"), RegistryFixture::calexpDataId(1101, detector), {collection}),
            expectedRuns[detector]);

    // queryDatasets --find-first gives the same answer.
    DatasetQuery query =
        datasetQuery({QStringLiteral("calexp")}, {collection}, QStringLiteral("visit = 1101"));
    query.findFirst = true;
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QStringList got;
    for (const DatasetRef& ref : page->refs)
        got << QStringLiteral("%1:%2")
                   .arg(ref.dataId().value(QStringLiteral("detector")).toLongLong())
                   .arg(ref.run());
    QStringList expected;
    for (int detector = 0; detector < expectedRuns.size(); ++detector)
        if (!expectedRuns[detector].isEmpty())
            expected << QStringLiteral("%1:%2").arg(detector).arg(expectedRuns[detector]);
    QCOMPARE(RegistryFixture::sorted(got), expected);
}

void TestRegistryQueries::findFirstQueryDatasets()
{
    // Without find-first, every dataset the chain reaches, each once.
    auto all =
        registry().queryDatasets(datasetQuery({QStringLiteral("calexp")}, {QStringLiteral("ff/tagfirst")}));
    BUTLER_VERIFY_OK(all);
    QCOMPARE(all->refs.size(), 6);
    QCOMPARE(RegistryFixture::distinctCount(RegistryFixture::ids(all->refs)), 6);

    // A plain list of collections is searched in the order given.
    DatasetQuery query =
        datasetQuery({QStringLiteral("calexp")}, {QStringLiteral("ff/c"), QStringLiteral("ff/a")});
    query.findFirst = true;
    auto first = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(first);
    QCOMPARE(first->refs.size(), 3);
    for (const DatasetRef& ref : first->refs)
        QCOMPARE(ref.run(), QStringLiteral("ff/c"));
    query.collections = {QStringLiteral("ff/a"), QStringLiteral("ff/c")};
    first = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(first);
    QStringList runs;
    for (const DatasetRef& ref : first->refs)
        runs << ref.run();
    QCOMPARE(RegistryFixture::sorted(runs),
             (QStringList{QStringLiteral("ff/a"), QStringLiteral("ff/c"), QStringLiteral("ff/c")}));
}

void TestRegistryQueries::findFirstDedupesRelationshipRows_data()
{
    QTest::addColumn<bool>("findFirst");
    QTest::newRow("all") << false;
    QTest::newRow("find-first") << true;
}

void TestRegistryQueries::findFirstDedupesRelationshipRows()
{
    QFETCH(bool, findFirst);
    // Visit 1101 is in visit systems 0 and 1: joining visit_system_membership repeats its rows.
    DatasetQuery query = datasetQuery({QStringLiteral("calexp")}, {QStringLiteral("calexp/all")},
                                      QStringLiteral("visit_system IN (0, 1)"));
    query.findFirst = findFirst;
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(page->refs.size(), RegistryFixture::visits().size() * 2);
    QCOMPARE(RegistryFixture::distinctCount(RegistryFixture::ids(page->refs)), page->refs.size());
}

void TestRegistryQueries::findFirstThreeCollections_data()
{
    QTest::addColumn<QStringList>("collections");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QStringList>("expected"); // "exposure/detector:run", sorted

    const QStringList all{QStringLiteral("101/0:ff3/x"), QStringLiteral("101/1:ff3/y"),
                          QStringLiteral("101/2:ff3/z"), QStringLiteral("102/0:ff3/y"),
                          QStringLiteral("102/1:ff3/z"), QStringLiteral("103/0:ff3/z")};
    QTest::newRow("x, y, z") << QStringList{"ff3/x", "ff3/y", "ff3/z"} << QString() << all;
    QTest::newRow("the chain of them") << QStringList{"ff3/chain"} << QString() << all;
    QTest::newRow("z, y, x") << QStringList{"ff3/z", "ff3/y", "ff3/x"} << QString()
                             << QStringList{"101/0:ff3/z", "101/1:ff3/z", "101/2:ff3/z",
                                            "102/0:ff3/z", "102/1:ff3/z", "103/0:ff3/z"};
    QTest::newRow("y, x, z") << QStringList{"ff3/y", "ff3/x", "ff3/z"} << QString()
                             << QStringList{"101/0:ff3/y", "101/1:ff3/y", "101/2:ff3/z",
                                            "102/0:ff3/y", "102/1:ff3/z", "103/0:ff3/z"};
    // The where-expression picks data IDs; each still comes from its first collection.
    QTest::newRow("where detector = 0")
        << QStringList{"ff3/x", "ff3/y", "ff3/z"} << QStringLiteral("detector = 0")
        << QStringList{"101/0:ff3/x", "102/0:ff3/y", "103/0:ff3/z"};
    QTest::newRow("where exposure = 102")
        << QStringList{"ff3/x", "ff3/y", "ff3/z"} << QStringLiteral("exposure = 102")
        << QStringList{"102/0:ff3/y", "102/1:ff3/z"};
}

void TestRegistryQueries::findFirstThreeCollections()
{
    QFETCH(QStringList, collections);
    QFETCH(QString, where);
    QFETCH(QStringList, expected);

    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, collections, where);
    query.findFirst = true;
    const auto keyOf = [](const DatasetRef& ref) {
        return QStringLiteral("%1/%2:%3")
            .arg(ref.dataId().value(QStringLiteral("exposure")).toLongLong())
            .arg(ref.dataId().value(QStringLiteral("detector")).toLongLong())
            .arg(ref.run());
    };
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QStringList got;
    for (const DatasetRef& ref : page->refs) {
        got << keyOf(ref);
        // The same dataset that a lookup of its data ID finds, implied values and all.
        auto found = registry().findDataset(QStringLiteral("raw"), ref.dataId().toMap(), collections, {});
        BUTLER_VERIFY_OK(found);
        QVERIFY(found->has_value());
        QCOMPARE(**found, ref);
    }
    QCOMPARE(RegistryFixture::sorted(got), expected);

    // Page by page, two at a time: the same rows, in the same order.
    query.limit = 2;
    auto paged = m_f->allPages(query);
    BUTLER_VERIFY_OK(paged);
    QStringList gotPaged;
    for (const DatasetRef& ref : *paged)
        gotPaged << keyOf(ref);
    QCOMPARE(gotPaged, got);

    query.limit = 0;
    auto count = registry().countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(expected.size()));

    // Rows are kept by an anti-join against the collections before theirs, not numbered by a
    // window over every matching row.
    auto sql = registry().explainDatasetQuery(query);
    BUTLER_VERIFY_OK(sql);
    QVERIFY2(!sql->contains(QLatin1String("ROW_NUMBER")), qPrintable(*sql));
    QVERIFY2(sql->contains(QLatin1String("NOT EXISTS")), qPrintable(*sql));
}

void TestRegistryQueries::calibrationByTime_data()
{
    QTest::addColumn<qint64>("detector");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<QString>("expected"); // "A", "B", "C" or empty

    const qint64 switchTime = RegistryFixture::camExposure(103).begin;
    QTest::newRow("long before") << qint64(0) << at("2000-01-01T00:00:00") << QStringLiteral("A");
    QTest::newRow("just before the switch") << qint64(0) << switchTime - 1 << QStringLiteral("A");
    QTest::newRow("at the switch") << qint64(0) << switchTime << QStringLiteral("B");
    QTest::newRow("long after") << qint64(0) << at("2100-01-01T00:00:00") << QStringLiteral("B");
    QTest::newRow("other detector") << qint64(1) << switchTime << QStringLiteral("C");
    QTest::newRow("no bias for the detector") << qint64(2) << switchTime << QString();
}

void TestRegistryQueries::calibrationByTime()
{
    QFETCH(qint64, detector);
    QFETCH(qint64, time);
    QFETCH(QString, expected);

    for (const QString& collection : {QStringLiteral("calib/cal"), QStringLiteral("calib/chain")}) {
        auto found = registry().findDataset(QStringLiteral("bias"), RegistryFixture::detectorDataId(detector),
                                            {collection}, time);
        BUTLER_VERIFY_OK(found);
        if (expected.isEmpty()) {
            QVERIFY(!found->has_value());
            continue;
        }
        QVERIFY(found->has_value());
        QCOMPARE((*found)->id(), m_calibIds.value(expected));
        QCOMPARE((*found)->dataId().value(QStringLiteral("detector")).toLongLong(), detector);
    }
}

void TestRegistryQueries::calibrationByDataId_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("expected");

    // Exposure 103 begins exactly at the switch; visit 1199 begins with exposure 101.
    QTest::newRow("exposure 101") << QStringLiteral("exposure") << qint64(101) << QStringLiteral("A");
    QTest::newRow("exposure 102") << QStringLiteral("exposure") << qint64(102) << QStringLiteral("A");
    QTest::newRow("exposure 103") << QStringLiteral("exposure") << qint64(103) << QStringLiteral("B");
    QTest::newRow("exposure 110") << QStringLiteral("exposure") << qint64(110) << QStringLiteral("B");
    QTest::newRow("visit 1102") << QStringLiteral("visit") << qint64(1102) << QStringLiteral("A");
    QTest::newRow("visit 1104") << QStringLiteral("visit") << qint64(1104) << QStringLiteral("B");
    QTest::newRow("visit 1199") << QStringLiteral("visit") << qint64(1199) << QStringLiteral("A");
}

void TestRegistryQueries::calibrationByDataId()
{
    QFETCH(QString, key);
    QFETCH(qint64, value);
    QFETCH(QString, expected);

    QVariantMap dataId = RegistryFixture::detectorDataId(0);
    dataId.insert(key, value);
    for (const QString& collection : {QStringLiteral("calib/cal"), QStringLiteral("calib/chain")}) {
        auto found = registry().findDataset(QStringLiteral("bias"), dataId, {collection}, {});
        BUTLER_VERIFY_OK(found);
        QVERIFY(found->has_value());
        QCOMPARE((*found)->id(), m_calibIds.value(expected));
        QCOMPARE((*found)->run(),
                 expected == QLatin1String("A") ? QStringLiteral("calib/r1") : QStringLiteral("calib/r2"));
    }
}

void TestRegistryQueries::calibrationLookupInfersFilterFromExposure()
{
    // The flat's data ID needs a physical_filter; the exposure determines it (daf_butler
    // expands the data ID before the lookup).
    QVariantMap dataId = RegistryFixture::detectorDataId(0);
    dataId.insert(QStringLiteral("exposure"), 102);
    auto found = registry().findDataset(QStringLiteral("flat"), dataId, {QStringLiteral("calib/cal")}, {});
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), m_calibIds.value(QStringLiteral("flat_r")));

    // Given explicitly, the filter picks the flat directly.
    dataId.insert(QStringLiteral("physical_filter"), QStringLiteral("g_01"));
    dataId.remove(QStringLiteral("exposure"));
    found = registry().findDataset(QStringLiteral("flat"), dataId, {QStringLiteral("calib/cal")},
                                   at("2025-06-15T00:00:00"));
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), m_calibIds.value(QStringLiteral("flat_g")));
}

void TestRegistryQueries::calibrationNeedsTime()
{
    BUTLER_VERIFY_ERROR(registry().findDataset(QStringLiteral("bias"), RegistryFixture::detectorDataId(0),
                                               {QStringLiteral("calib/cal")}, {}),
                        ErrorKind::InvalidInput);
    // A non-calibration type skips CALIBRATION collections and needs no time.
    auto raw = registry().findDataset(QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0),
                                      {QStringLiteral("calib/chain")}, {});
    BUTLER_VERIFY_OK(raw);
    QVERIFY(raw->has_value());
    QCOMPARE((*raw)->run(), QStringLiteral("raw/all"));
}

void TestRegistryQueries::calibrationQueryDatasetsFindFirst()
{
    DatasetQuery query = datasetQuery({QStringLiteral("bias")}, {QStringLiteral("calib/cal")});
    query.findFirst = true;
    BUTLER_VERIFY_ERROR(registry().queryDatasets(query), ErrorKind::InvalidInput);

    query.calibrationTime = RegistryFixture::camExposure(104).begin;
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QList<QUuid> got = RegistryFixture::ids(page->refs);
    std::sort(got.begin(), got.end());
    QList<QUuid> expected{m_calibIds.value(QStringLiteral("B")), m_calibIds.value(QStringLiteral("C"))};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(got, expected);

    query.calibrationTime = RegistryFixture::camExposure(101).begin;
    page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    got = RegistryFixture::ids(page->refs);
    std::sort(got.begin(), got.end());
    expected = {m_calibIds.value(QStringLiteral("A")), m_calibIds.value(QStringLiteral("C"))};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(got, expected);
}

void TestRegistryQueries::whereExpressions_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QVariantMap>("bind");
    QTest::addColumn<QStringList>("expected");

    const QVariantMap none;
    const QList<qint64> all = RegistryFixture::camExposureIds();
    const auto s = [](const char* text) { return QString::fromLatin1(text); };
    const auto time = [](const Exposure& e) { return e.exposureTime.value_or(-1); };

    QTest::newRow("no constraint") << QString() << none << raws(all);
    QTest::newRow("dimension equality") << s("exposure = 104") << none << raws({104});
    QTest::newRow("reversed equality") << s("104 = exposure") << none << raws({104});
    QTest::newRow("all required dimensions")
        << s("instrument = 'Cam' AND detector = 2 AND exposure = 104") << none << raws({104}, {2});
    QTest::newRow("inequality") << s("exposure != 104 AND detector = 0") << none
                                << raws([](const Exposure& e) { return e.id != 104; }, {0});
    QTest::newRow("IN list") << s("detector IN (0, 2)") << none << raws(all, {0, 2});
    QTest::newRow("IN range") << s("exposure IN (103..106)") << none << raws({103, 104, 105, 106});
    QTest::newRow("IN range with stride")
        << s("exposure IN (101..109:2)") << none << raws({101, 103, 105, 107, 109});
    QTest::newRow("IN stride not hitting the end")
        << s("exposure IN (102..110:3)") << none << raws({102, 105, 108});
    QTest::newRow("IN values and ranges")
        << s("exposure IN (101, 105..109:4, 110)") << none << raws({101, 105, 109, 110});
    QTest::newRow("NOT IN range") << s("exposure NOT IN (101..105)") << none
                                  << raws({106, 107, 108, 109, 110});
    QTest::newRow("NOT IN list") << s("detector NOT IN (0, 1, 2)") << none << raws(all, {3, 4});
    QTest::newRow("NOT") << s("NOT (detector = 0)") << none << raws(all, {1, 2, 3, 4});
    QTest::newRow("OR") << s("exposure = 101 OR detector = 4") << none
                        << RegistryFixture::sorted(raws({101}, {0, 1, 2, 3}) + raws(all, {4}));
    QTest::newRow("float field") << s("exposure.exposure_time > 20") << none
                                 << raws([&](const Exposure& e) { return time(e) > 20; });
    QTest::newRow("float field, at most")
        << s("exposure.exposure_time <= 20.0") << none
        << raws([&](const Exposure& e) { return e.exposureTime && time(e) <= 20; });
    QTest::newRow("string field") << s("detector.purpose = 'SCIENCE'") << none << raws(all, {0, 1, 2, 3});
    QTest::newRow("fields of two elements")
        << s("detector.purpose = 'WAVEFRONT' AND exposure.exposure_time < 35") << none
        << raws([&](const Exposure& e) { return e.exposureTime && time(e) < 35; }, {4});
    QTest::newRow("band through physical_filter")
        << s("band = 'g'") << none << raws([](const Exposure& e) { return e.physicalFilter == "g_01"; });
    QTest::newRow("band IN") << s("band IN ('r', 'i')") << none
                             << raws([](const Exposure& e) { return e.physicalFilter != "g_01"; });
    QTest::newRow("physical_filter") << s("physical_filter = 'r_03'") << none
                                     << raws([](const Exposure& e) { return e.physicalFilter == "r_03"; });
    QTest::newRow("physical_filter field")
        << s("physical_filter.band = 'i'") << none
        << raws([](const Exposure& e) { return e.physicalFilter == "i_06"; });
    QTest::newRow("day_obs") << s("day_obs = 20250616") << none
                             << raws([](const Exposure& e) { return e.dayObs == 20250616; });
    QTest::newRow("group") << s("group = 'grpA'") << none
                           << raws([](const Exposure& e) { return e.group == "grpA"; });
    QTest::newRow("visit through visit_definition")
        << s("visit = 1199") << none << raws(exposuresOfVisits({1199}));
    QTest::newRow("visit IN: overlapping visits")
        << s("visit IN (1101, 1199)") << none << raws(exposuresOfVisits({1101, 1199}));
    QTest::newRow("visit range") << s("visit IN (1105..1107)") << none << raws({105, 106, 107});
    QTest::newRow("OVERLAPS a pair")
        << s("exposure.timespan OVERLAPS (T'2025-06-15T20:30:00', T'2025-06-15T22:30:00')") << none
        << raws({102, 103});
    QTest::newRow("OVERLAPS is half-open at both ends")
        << s("exposure.timespan OVERLAPS (T'2025-06-15T20:00:30', T'2025-06-15T21:00:00')") << none
        << QStringList{};
    QTest::newRow("OVERLAPS, pair first")
        << s("(T'2025-06-15T20:00:29', T'2025-06-15T21:00:01') OVERLAPS exposure.timespan") << none
        << raws({101, 102});
    QTest::newRow("OVERLAPS an instant")
        << s("exposure.timespan OVERLAPS T'2025-06-15T21:00:10'") << none << raws({102});
    QTest::newRow("OVERLAPS another element's timespan")
        << s("day_obs.timespan OVERLAPS T'2025-06-17T00:00:00'") << none
        << raws([](const Exposure& e) { return e.dayObs == 20250616; });
    QTest::newRow("timespan begin after")
        << s("exposure.timespan.begin > T'2025-06-16T00:00:00'") << none << raws({106, 107, 108, 109, 110});
    QTest::newRow("timespan begin at or after") << s("exposure.timespan.begin >= T'2025-06-16T00:00:00'")
                                                << none << raws({105, 106, 107, 108, 109, 110});
    QTest::newRow("timespan end before")
        << s("exposure.timespan.end < T'2025-06-15T21:00:31'") << none << raws({101, 102});
    QTest::newRow("bind integer") << s("exposure = :e") << QVariantMap{{s("e"), 103}} << raws({103});
    QTest::newRow("bind strings") << s("instrument = :i AND detector = :d")
                                  << QVariantMap{{s("i"), Cam}, {s("d"), 1}} << raws(all, {1});
    QTest::newRow("bind list") << s("exposure IN (:es)") << QVariantMap{{s("es"), QVariantList{101, 110}}}
                               << raws({101, 110});
    QTest::newRow("bind string list")
        << s("band IN (:bands)") << QVariantMap{{s("bands"), QStringList{s("r")}}}
        << raws([](const Exposure& e) { return e.physicalFilter == "r_03"; });
    QTest::newRow("bind list with values")
        << s("exposure IN (:es, 105)") << QVariantMap{{s("es"), QVariantList{101}}} << raws({101, 105});
    QTest::newRow("NOT IN bind list")
        << s("detector NOT IN (:ds)") << QVariantMap{{s("ds"), QVariantList{0, 1, 2, 3}}} << raws(all, {4});
    QTest::newRow("bind float") << s("exposure.exposure_time > :t") << QVariantMap{{s("t"), 85.5}}
                                << raws({109});
    QTest::newRow("arithmetic") << s("exposure.exposure_time * 2 > 150") << none << raws({108, 109});
    QTest::newRow("arithmetic IN range") << s("exposure - 100 IN (2..4)") << none << raws({102, 103, 104});
    QTest::newRow("arithmetic IN range with stride")
        << s("exposure - 100 IN (1..9:4)") << none << raws({101, 105, 109});
    QTest::newRow("arithmetic IN values and range")
        << s("exposure - 100 IN (2, 5..6)") << none << raws({102, 105, 106});
    QTest::newRow("modulo") << s("exposure % 2 = 0 AND detector = 0") << none
                            << raws({102, 104, 106, 108, 110}, {0});
    QTest::newRow("injection in a literal") << s("instrument = \"x' OR '1'='1\"") << none << QStringList{};
    QTest::newRow("injection in an escaped literal")
        << s("instrument = 'x\\' OR \\'1\\'=\\'1'") << none << QStringList{};
    QTest::newRow("injection in a bind")
        << s("instrument = :i") << QVariantMap{{s("i"), s("x' OR '1'='1")}} << QStringList{};
    QTest::newRow("injection in a bind list")
        << s("band IN (:b)") << QVariantMap{{s("b"), QStringList{s("x') OR ('1'='1"), s("'; --")}}}
        << QStringList{};
}

void TestRegistryQueries::whereExpressions()
{
    QFETCH(QString, where);
    QFETCH(QVariantMap, bind);
    QFETCH(QStringList, expected);

    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {QStringLiteral("raw/all")}, where);
    query.bind = bind;
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::sorted(RegistryFixture::rawKeys(page->refs)), expected);
    QCOMPARE(RegistryFixture::distinctCount(RegistryFixture::ids(page->refs)), page->refs.size());
    QCOMPARE(page->ingestDates.size(), page->refs.size());
    // Refs come back with full, correct data IDs.
    for (const DatasetRef& ref : page->refs) {
        QVERIFY(ref.dataId().hasFull());
        const Exposure e =
            RegistryFixture::camExposure(ref.dataId().value(QStringLiteral("exposure")).toLongLong());
        QCOMPARE(ref.dataId().value(QStringLiteral("physical_filter")).toString(), e.physicalFilter);
        QCOMPARE(ref.dataId().value(QStringLiteral("band")).toString(),
                 RegistryFixture::bandOf(e.physicalFilter));
        QCOMPARE(ref.dataId().value(QStringLiteral("day_obs")).toLongLong(), e.dayObs);
        QCOMPARE(ref.run(), QStringLiteral("raw/all"));
    }
}

void TestRegistryQueries::joinsKeepInstrumentsApart_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QStringList>("expected");

    const QStringList other{QStringLiteral("Other:101/0")};
    QTest::newRow("band") << QStringLiteral("band = 'g'")
                          << RegistryFixture::sorted(raws({101, 104, 107, 110}) + other);
    QTest::newRow("physical_filter of one instrument")
        << QStringLiteral("physical_filter = 'g_01' AND instrument = 'Other'") << other;
    QTest::newRow("same exposure number")
        << QStringLiteral("exposure = 101") << RegistryFixture::sorted(raws({101}) + other);
    QTest::newRow("exposure field") << QStringLiteral("exposure.exposure_time = 15") << other;
    QTest::newRow("detector field") << QStringLiteral("detector.full_name = 'only'") << other;
}

void TestRegistryQueries::joinsKeepInstrumentsApart()
{
    QFETCH(QString, where);
    QFETCH(QStringList, expected);

    // Cam and Other both have exposure 101, detector 0 and a physical_filter g_01.
    auto page = registry().queryDatasets(datasetQuery(
        {QStringLiteral("raw")}, {QStringLiteral("raw/all"), QStringLiteral("other/raw")}, where));
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::sorted(RegistryFixture::rawKeys(page->refs)), expected);
}

void TestRegistryQueries::whereErrors_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QVariantMap>("bind");
    QTest::addColumn<QStringList>("fragments"); // each must appear in the message

    const QVariantMap none;
    const auto s = [](const char* text) { return QString::fromLatin1(text); };
    QTest::newRow("syntax") << s("exposure = 101 AND AND detector = 1") << none
                            << QStringList{s("column 20")};
    QTest::newRow("unclosed parenthesis") << s("(exposure = 101") << none << QStringList{s("column")};
    QTest::newRow("unknown dimension") << s("foo = 1") << none << QStringList{s("foo"), s("column 1")};
    QTest::newRow("unknown field") << s("exposure.foo > 1") << none << QStringList{s("foo"), s("column 1")};
    QTest::newRow("unknown field later")
        << s("detector = 1 AND exposure.foo > 1") << none << QStringList{s("foo"), s("column 18")};
    QTest::newRow("string dimension with an integer")
        << s("instrument = 5") << none << QStringList{s("instrument"), s("column 12")};
    QTest::newRow("integer dimension with a string")
        << s("exposure = 'abc'") << none << QStringList{s("exposure")};
    QTest::newRow("float field with a string")
        << s("exposure.exposure_time > 'long'") << none << QStringList{s("exposure_time"), s("column 24")};
    QTest::newRow("string list for an integer")
        << s("detector IN ('a', 'b')") << none << QStringList{s("detector")};
    QTest::newRow("timespan with an integer")
        << s("exposure.timespan > 5") << none << QStringList{s("timespan")};
    QTest::newRow("missing bind") << s("exposure = :nope") << none << QStringList{s("nope")};
    QTest::newRow("list bind outside IN")
        << s("exposure = :es") << QVariantMap{{s("es"), QVariantList{1, 2}}} << QStringList{s("es")};
    QTest::newRow("bind of the wrong type")
        << s("instrument = :i") << QVariantMap{{s("i"), 7}} << QStringList{s("instrument")};
    QTest::newRow("unrelated dimension") << s("tract = 5") << none << QStringList{s("tract")};
    QTest::newRow("not a condition") << s("exposure") << none << QStringList{s("column")};
    QTest::newRow("element without fields named")
        << s("visit_definition = 3") << none << QStringList{s("visit_definition")};
}

void TestRegistryQueries::whereErrors()
{
    QFETCH(QString, where);
    QFETCH(QVariantMap, bind);
    QFETCH(QStringList, fragments);

    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {QStringLiteral("raw/all")}, where);
    query.bind = bind;
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_ERROR(page, ErrorKind::InvalidInput);
    for (const QString& fragment : std::as_const(fragments))
        QVERIFY2(page.error().message().contains(fragment), qPrintable(page.error().message()));

    // The same expression fails the same way in data-ID queries.
    DataIdQuery dataIds;
    dataIds.dimensions = {QStringLiteral("exposure"), QStringLiteral("detector")};
    dataIds.where = where;
    dataIds.bind = bind;
    BUTLER_VERIFY_ERROR(registry().queryDataIds(dataIds), ErrorKind::InvalidInput);
}

void TestRegistryQueries::unknownNames()
{
    BUTLER_VERIFY_ERROR(
        registry().queryDatasets(datasetQuery({QStringLiteral("nope")}, {QStringLiteral("raw/all")})),
        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(
        registry().queryDatasets(datasetQuery({QStringLiteral("raw")}, {QStringLiteral("nope")})),
        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().queryDatasets(datasetQuery(
                            {QStringLiteral("raw")}, {QStringLiteral("raw/all"), QStringLiteral("nope")})),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().queryDatasets(datasetQuery({QStringLiteral("raw")}, {})),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().findDataset(QStringLiteral("nope"), RegistryFixture::rawDataId(101, 0),
                                               {QStringLiteral("raw/all")}, {}),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().findDataset(QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0),
                                               {QStringLiteral("nope")}, {}),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().getDataset(QUuid::createUuid()), ErrorKind::NotFound);

    // A type glob that matches nothing is an empty answer, not an error.
    auto empty =
        registry().queryDatasets(datasetQuery({QStringLiteral("nothing*")}, {QStringLiteral("raw/all")}));
    BUTLER_VERIFY_OK(empty);
    QVERIFY(empty->refs.isEmpty());
    // A type glob picks every matching type.
    auto globbed =
        registry().queryDatasets(datasetQuery({QStringLiteral("r?w"), QStringLiteral("calex*")},
                                              {QStringLiteral("raw/partial"), QStringLiteral("calexp/all")}));
    BUTLER_VERIFY_OK(globbed);
    QCOMPARE(globbed->refs.size(), 4 + RegistryFixture::visits().size() * 2);
}

void TestRegistryQueries::orderBy_data()
{
    QTest::addColumn<QStringList>("orderBy");
    QTest::addColumn<QStringList>("expected");

    using E = Exposure;
    QTest::newRow("exposure, detector") << QStringList{QStringLiteral("exposure"), QStringLiteral("detector")}
                                        << orderedRaws([](const E& a, qint64 da, const E& b, qint64 db) {
                                               return std::tie(a.id, da) < std::tie(b.id, db);
                                           });
    QTest::newRow("descending exposure")
        << QStringList{QStringLiteral("-exposure"), QStringLiteral("detector")}
        << orderedRaws([](const E& a, qint64 da, const E& b, qint64 db) {
               return a.id != b.id ? a.id > b.id : da < db;
           });
    QTest::newRow("detector, descending exposure")
        << QStringList{QStringLiteral("detector"), QStringLiteral("-exposure")}
        << orderedRaws(
               [](const E& a, qint64 da, const E& b, qint64 db) { return da != db ? da < db : a.id > b.id; });
    QTest::newRow("descending element field")
        << QStringList{QStringLiteral("-exposure.exposure_time"), QStringLiteral("-detector")}
        << orderedRaws([](const E& a, qint64 da, const E& b, qint64 db) {
               return a.exposureTime != b.exposureTime ? a.exposureTime > b.exposureTime : da > db;
           });
    QTest::newRow("implied dimension")
        << QStringList{QStringLiteral("band"), QStringLiteral("exposure"), QStringLiteral("detector")}
        << orderedRaws([](const E& a, qint64 da, const E& b, qint64 db) {
               const QString ba = RegistryFixture::bandOf(a.physicalFilter);
               const QString bb = RegistryFixture::bandOf(b.physicalFilter);
               return std::tie(ba, a.id, da) < std::tie(bb, b.id, db);
           });
    QTest::newRow("timespan begin, descending")
        << QStringList{QStringLiteral("-exposure.timespan.begin"), QStringLiteral("detector")}
        << orderedRaws([](const E& a, qint64 da, const E& b, qint64 db) {
               return a.begin != b.begin ? a.begin > b.begin : da < db;
           });
    QTest::newRow("day_obs, then descending exposure")
        << QStringList{QStringLiteral("-day_obs"), QStringLiteral("-exposure"), QStringLiteral("-detector")}
        << orderedRaws([](const E& a, qint64 da, const E& b, qint64 db) {
               return std::tie(b.dayObs, b.id, db) < std::tie(a.dayObs, a.id, da);
           });
}

void TestRegistryQueries::orderBy()
{
    QFETCH(QStringList, orderBy);
    QFETCH(QStringList, expected);

    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {QStringLiteral("raw/all")},
                                      QStringLiteral("detector IN (0, 1) AND exposure < 110"));
    query.orderBy = orderBy;
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::rawKeys(page->refs), expected);

    // The order holds with a limit too: the first rows, in the same order.
    query.limit = 3;
    page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::rawKeys(page->refs), expected.mid(0, 3));
    QVERIFY(!page->nextPageToken.isEmpty());
}

void TestRegistryQueries::orderByErrors()
{
    for (const char* spec : {"nope", "exposure.nope", "-", "exposure.timespan.middle"}) {
        DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {QStringLiteral("raw/all")});
        query.orderBy = {QString::fromLatin1(spec)};
        auto page = registry().queryDatasets(query);
        QVERIFY2(!page.ok(), spec);
        QCOMPARE(page.error().kind(), ErrorKind::InvalidInput);
    }
}

void TestRegistryQueries::limit()
{
    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {QStringLiteral("raw/all")});
    auto all = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(all);
    QCOMPARE(all->refs.size(), 50);
    QVERIFY(all->nextPageToken.isEmpty());

    query.limit = 5;
    auto first = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(first);
    QCOMPARE(RegistryFixture::ids(first->refs), RegistryFixture::ids(all->refs.mid(0, 5)));
    QVERIFY(!first->nextPageToken.isEmpty());

    // A limit of exactly the number of rows has no next page.
    query.limit = 50;
    auto exact = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(exact);
    QCOMPARE(exact->refs.size(), 50);
    QVERIFY(exact->nextPageToken.isEmpty());
}

void TestRegistryQueries::paging_data()
{
    QTest::addColumn<QStringList>("types");
    QTest::addColumn<QStringList>("collections");
    QTest::addColumn<QStringList>("orderBy");
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("total");

    const QStringList raw{QStringLiteral("raw")};
    const QStringList rawAll{QStringLiteral("raw/all")};
    QTest::newRow("default order") << raw << rawAll << QStringList{} << 7 << 50;
    QTest::newRow("descending exposure, ties broken by ID")
        << raw << rawAll << QStringList{QStringLiteral("-exposure")} << 7 << 50;
    QTest::newRow("two keys") << raw << rawAll
                              << QStringList{QStringLiteral("-detector"), QStringLiteral("exposure")} << 7
                              << 50;
    QTest::newRow("implied dimension") << raw << rawAll << QStringList{QStringLiteral("band")} << 7 << 50;
    QTest::newRow("string field") << raw << rawAll << QStringList{QStringLiteral("detector.purpose")} << 7
                                  << 50;
    QTest::newRow("by run") << raw << QStringList{QStringLiteral("raw/*")}
                            << QStringList{QStringLiteral("run")} << 7 << 54;
    QTest::newRow("page size 1") << raw << QStringList{QStringLiteral("raw/partial")} << QStringList{} << 1
                                 << 4;
    QTest::newRow("exact pages") << raw << rawAll << QStringList{} << 10 << 50;
    QTest::newRow("two dataset types")
        << QStringList{QStringLiteral("raw"), QStringLiteral("calexp")}
        << QStringList{QStringLiteral("raw/all"), QStringLiteral("calexp/all")} << QStringList{} << 7
        << int(50 + RegistryFixture::visits().size() * 2);
    QTest::newRow("two dataset types, page ends at the boundary")
        << QStringList{QStringLiteral("raw"), QStringLiteral("calexp")}
        << QStringList{QStringLiteral("raw/all"), QStringLiteral("calexp/all")} << QStringList{} << 11
        << int(50 + RegistryFixture::visits().size() * 2);
    // Exposures 106..110 begin 1 us after the second: TAI nanoseconds past 2^53.
    QTest::newRow("timespan begin (large integers)")
        << raw << rawAll << QStringList{QStringLiteral("exposure.timespan.begin")} << 7 << 50;
    // Exposure 110 has no exposure_time: its raws sort last, across a page boundary.
    QTest::newRow("nullable field, descending")
        << raw << rawAll << QStringList{QStringLiteral("-exposure.exposure_time")} << 7 << 50;
    QTest::newRow("nullable field, ascending")
        << raw << rawAll << QStringList{QStringLiteral("exposure.exposure_time")} << 3 << 50;
    // Pages that end on a NULL key, then on values: both forms of the "after the last row" test.
    QTest::newRow("nullable field, ascending, page size 1")
        << raw << rawAll << QStringList{QStringLiteral("exposure.exposure_time"), QStringLiteral("detector")}
        << 1 << 50;
}

void TestRegistryQueries::paging()
{
    QFETCH(QStringList, types);
    QFETCH(QStringList, collections);
    QFETCH(QStringList, orderBy);
    QFETCH(int, pageSize);
    QFETCH(int, total);

    DatasetQuery query = datasetQuery(types, collections);
    query.orderBy = orderBy;
    auto full = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(full);
    QCOMPARE(full->refs.size(), total);

    query.limit = pageSize;
    QList<DatasetRef> paged;
    int pages = 0;
    while (pages < total + 2) {
        auto page = registry().queryDatasets(query);
        BUTLER_VERIFY_OK(page);
        ++pages;
        paged << page->refs;
        QVERIFY(page->refs.size() <= pageSize);
        if (page->nextPageToken.isEmpty())
            break;
        QCOMPARE(page->refs.size(), pageSize);
        query.pageToken = page->nextPageToken;
    }
    const QList<QUuid> pagedIds = RegistryFixture::ids(paged);
    QCOMPARE(RegistryFixture::distinctCount(pagedIds), pagedIds.size());
    QCOMPARE(pagedIds.size(), total);
    QCOMPARE(pagedIds, RegistryFixture::ids(full->refs));
    QVERIFY(pages <= (total + pageSize - 1) / pageSize + 1);
}

void TestRegistryQueries::pagingWithInsertsBetweenPages()
{
    // Raws of every exposure but 103 and 108; those arrive after the second page. Default
    // order: instrument, detector, exposure.
    const QString run = QStringLiteral("live/run");
    BUTLER_VERIFY_OK(m_f->registerRuns({run}));
    const QList<qint64> before{101, 102, 104, 105, 106, 107, 109, 110};
    auto initial = m_f->insertRaws(run, before, RegistryFixture::camDetectors());
    BUTLER_VERIFY_OK(initial);
    QCOMPARE(initial->size(), 40);

    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {run});
    query.limit = 7;
    QList<DatasetRef> seen;
    for (int i = 0; i < 2; ++i) {
        auto page = registry().queryDatasets(query);
        BUTLER_VERIFY_OK(page);
        seen << page->refs;
        query.pageToken = page->nextPageToken;
    }
    QCOMPARE(seen.size(), 14);
    const auto keyOf = [](const DatasetRef& ref) {
        return std::make_pair(ref.dataId().value(QStringLiteral("detector")).toLongLong(),
                              ref.dataId().value(QStringLiteral("exposure")).toLongLong());
    };
    const auto cursor = keyOf(seen.last());

    auto late = m_f->insertRaws(run, {103, 108}, RegistryFixture::camDetectors());
    BUTLER_VERIFY_OK(late);

    for (int pages = 0; !query.pageToken.isEmpty() && pages < 100; ++pages) {
        auto page = registry().queryDatasets(query);
        BUTLER_VERIFY_OK(page);
        seen << page->refs;
        query.pageToken = page->nextPageToken;
    }
    QVERIFY(query.pageToken.isEmpty());

    // No duplicates, every earlier dataset exactly once, in order.
    const QList<QUuid> seenIds = RegistryFixture::ids(seen);
    QCOMPARE(RegistryFixture::distinctCount(seenIds), seenIds.size());
    for (const DatasetRef& ref : *initial)
        QCOMPARE(seenIds.count(ref.id()), 1);
    for (int i = 1; i < seen.size(); ++i)
        QVERIFY(keyOf(seen[i - 1]) < keyOf(seen[i]));
    // Late datasets appear exactly when they sort after the cursor.
    for (const DatasetRef& ref : *late)
        QCOMPARE(seenIds.contains(ref.id()), keyOf(ref) > cursor);
}

void TestRegistryQueries::pageTokenFromAnotherQuery()
{
    DatasetQuery query = datasetQuery({QStringLiteral("raw")}, {QStringLiteral("raw/all")});
    query.pageToken = QStringLiteral("not a token");
    BUTLER_VERIFY_ERROR(registry().queryDatasets(query), ErrorKind::InvalidInput);

    DimensionRecordQuery records;
    records.element = QStringLiteral("exposure");
    records.limit = 2;
    auto page = registry().queryDimensionRecords(records);
    BUTLER_VERIFY_OK(page);
    QVERIFY(!page->nextPageToken.isEmpty());
    records.element = QStringLiteral("detector");
    records.pageToken = page->nextPageToken;
    BUTLER_VERIFY_ERROR(registry().queryDimensionRecords(records), ErrorKind::InvalidInput);
}

void TestRegistryQueries::queryDataIds_data()
{
    QTest::addColumn<QStringList>("dimensions");
    QTest::addColumn<QStringList>("datasets");
    QTest::addColumn<QStringList>("collections");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QStringList>("expected"); // DataCoordinate::toString() of the required values, sorted

    const auto s = [](const char* text) { return QString::fromLatin1(text); };
    const auto exposureIds = [](const QList<qint64>& ids, const QString& instrument = QStringLiteral("Cam")) {
        QStringList keys;
        for (qint64 id : ids)
            keys << QStringLiteral("{instrument: '%1', exposure: %2}").arg(instrument).arg(id);
        return keys;
    };
    QStringList allExposures =
        exposureIds(RegistryFixture::camExposureIds()) + exposureIds({101}, s("Other"));
    allExposures.sort();

    QTest::newRow("exposures") << QStringList{s("exposure")} << QStringList{} << QStringList{} << QString()
                               << allExposures;
    QTest::newRow("exposures of a band") << QStringList{s("exposure")} << QStringList{} << QStringList{}
                                         << s("band = 'r'") << exposureIds({102, 105, 108});
    QTest::newRow("exposures of a visit") << QStringList{s("exposure")} << QStringList{} << QStringList{}
                                          << s("visit = 1199") << exposureIds({101, 104});
    QTest::newRow("detectors by purpose")
        << QStringList{s("detector")} << QStringList{} << QStringList{} << s("detector.purpose = 'WAVEFRONT'")
        << QStringList{s("{instrument: 'Cam', detector: 4}")};
    QTest::newRow("bands") << QStringList{s("band")} << QStringList{} << QStringList{} << QString()
                           << QStringList{s("{band: 'g'}"), s("{band: 'i'}"), s("{band: 'r'}")};
    QTest::newRow("filters of a band")
        << QStringList{s("physical_filter")} << QStringList{} << QStringList{} << s("band = 'g'")
        << QStringList{s("{instrument: 'Cam', physical_filter: 'g_01'}"),
                       s("{instrument: 'Other', physical_filter: 'g_01'}")};
    QTest::newRow("exposures with raws")
        << QStringList{s("exposure")} << QStringList{s("raw")} << QStringList{s("raw/partial")} << QString()
        << exposureIds({102, 105});
    QTest::newRow("exposure and detector with raws")
        << QStringList{s("exposure"), s("detector")} << QStringList{s("raw")} << QStringList{s("raw/partial")}
        << s("detector = 1")
        << QStringList{s("{instrument: 'Cam', detector: 1, exposure: 102}"),
                       s("{instrument: 'Cam', detector: 1, exposure: 105}")};
    QTest::newRow("visits of raws") << QStringList{s("visit")} << QStringList{s("raw")}
                                    << QStringList{s("raw/partial")} << QString()
                                    << QStringList{s("{instrument: 'Cam', visit: 1102}"),
                                                   s("{instrument: 'Cam', visit: 1105}")};
    QTest::newRow("exposures with raws and calexps")
        << QStringList{s("exposure")} << QStringList{s("raw"), s("calexp")}
        << QStringList{s("raw/partial"), s("calexp/all")} << QString() << exposureIds({102, 105});
    QStringList pairs;
    for (const RegistryFixture::Visit& v : RegistryFixture::visits())
        for (qint64 e : v.exposures)
            pairs << QStringLiteral("{instrument: 'Cam', visit: %1, exposure: %2}").arg(v.id).arg(e);
    pairs.sort();
    QTest::newRow("exposure and visit pairs")
        << QStringList{s("exposure"), s("visit")} << QStringList{} << QStringList{} << QString() << pairs;
    QTest::newRow("injection") << QStringList{s("exposure")} << QStringList{} << QStringList{}
                               << s("instrument = \"x' OR '1'='1\"") << QStringList{};
}

void TestRegistryQueries::queryDataIds()
{
    QFETCH(QStringList, dimensions);
    QFETCH(QStringList, datasets);
    QFETCH(QStringList, collections);
    QFETCH(QString, where);
    QFETCH(QStringList, expected);

    DataIdQuery query;
    query.dimensions = dimensions;
    query.datasetTypes = datasets;
    query.collections = collections;
    query.where = where;
    auto result = registry().queryDataIds(query);
    BUTLER_VERIFY_OK(result);
    QStringList got;
    for (const DataCoordinate& d : *result)
        got << d.requiredOnly().toString();
    QCOMPARE(got.size(), QSet<QString>(got.begin(), got.end()).size());
    got.sort();
    expected.sort();
    QCOMPARE(got, expected);
}

void TestRegistryQueries::queryDataIdsImpliedValues()
{
    DataIdQuery query;
    query.dimensions = {QStringLiteral("exposure")};
    query.where = QStringLiteral("instrument = 'Cam'");
    auto result = registry().queryDataIds(query);
    BUTLER_VERIFY_OK(result);
    QCOMPARE(result->size(), 10);
    for (const DataCoordinate& d : *result) {
        QVERIFY(d.hasFull());
        const Exposure e = RegistryFixture::camExposure(d.value(QStringLiteral("exposure")).toLongLong());
        QCOMPARE(d.value(QStringLiteral("physical_filter")).toString(), e.physicalFilter);
        QCOMPARE(d.value(QStringLiteral("band")).toString(), RegistryFixture::bandOf(e.physicalFilter));
        QCOMPARE(d.value(QStringLiteral("day_obs")).toLongLong(), e.dayObs);
        QCOMPARE(d.value(QStringLiteral("group")).toString(), e.group);
    }
}

void TestRegistryQueries::queryDataIdsOrderAndLimit()
{
    DataIdQuery query;
    query.dimensions = {QStringLiteral("exposure")};
    query.where = QStringLiteral("instrument = 'Cam'");
    query.orderBy = {QStringLiteral("-exposure")};
    query.limit = 3;
    auto result = registry().queryDataIds(query);
    BUTLER_VERIFY_OK(result);
    QCOMPARE(dataIdKeys(*result),
             (QStringList{
                 QStringLiteral("{instrument: 'Cam', exposure: 110, band: 'g', physical_filter: 'g_01', "
                                "group: 'grpB', day_obs: 20250616}"),
                 QStringLiteral("{instrument: 'Cam', exposure: 109, band: 'i', physical_filter: 'i_06', "
                                "group: 'grpA', day_obs: 20250616}"),
                 QStringLiteral("{instrument: 'Cam', exposure: 108, band: 'r', physical_filter: 'r_03', "
                                "group: 'grpB', day_obs: 20250616}"),
             }));

    query.orderBy = {QStringLiteral("exposure.exposure_time")};
    query.where = QStringLiteral("instrument = 'Cam' AND exposure.exposure_time > 0");
    query.limit = 0;
    result = registry().queryDataIds(query);
    BUTLER_VERIFY_OK(result);
    QList<qint64> order;
    for (const DataCoordinate& d : *result)
        order << d.value(QStringLiteral("exposure")).toLongLong();
    QCOMPARE(order, (QList<qint64>{101, 102, 103, 104, 105, 106, 107, 108, 109}));
}

void TestRegistryQueries::queryDataIdsErrors()
{
    DataIdQuery query;
    BUTLER_VERIFY_ERROR(registry().queryDataIds(query), ErrorKind::InvalidInput);
    query.dimensions = {QStringLiteral("nope")};
    BUTLER_VERIFY_ERROR(registry().queryDataIds(query), ErrorKind::InvalidInput);
    query.dimensions = {QStringLiteral("exposure")};
    query.datasetTypes = {QStringLiteral("raw")};
    BUTLER_VERIFY_ERROR(registry().queryDataIds(query), ErrorKind::InvalidInput);
    query.collections = {QStringLiteral("nope")};
    BUTLER_VERIFY_ERROR(registry().queryDataIds(query), ErrorKind::NotFound);
    query.collections = {QStringLiteral("raw/all")};
    query.datasetTypes = {QStringLiteral("nope")};
    BUTLER_VERIFY_ERROR(registry().queryDataIds(query), ErrorKind::NotFound);
}

void TestRegistryQueries::queryDimensionRecords_data()
{
    QTest::addColumn<QString>("element");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QVariantMap>("bind");
    QTest::addColumn<QStringList>("expected"); // "instrument:id", sorted

    const auto s = [](const char* text) { return QString::fromLatin1(text); };
    const auto cam = [](const QList<qint64>& ids) {
        QStringList keys;
        for (qint64 id : ids)
            keys << QStringLiteral("Cam:%1").arg(id);
        return keys;
    };
    QTest::newRow("float field") << s("exposure") << s("exposure.exposure_time > 50") << QVariantMap{}
                                 << cam({106, 107, 108, 109});
    QTest::newRow("bare dimension") << s("exposure") << s("exposure IN (101..103) AND instrument = 'Cam'")
                                    << QVariantMap{} << cam({101, 102, 103});
    QTest::newRow("band of exposures")
        << s("exposure") << s("band = 'g'") << QVariantMap{}
        << RegistryFixture::sorted(cam({101, 104, 107, 110}) + QStringList{s("Other:101")});
    QTest::newRow("exposures of overlapping visits")
        << s("exposure") << s("visit IN (1101, 1199)") << QVariantMap{} << cam({101, 104});
    QTest::newRow("detectors by purpose")
        << s("detector") << s("detector.purpose = 'SCIENCE' AND instrument = 'Cam'") << QVariantMap{}
        << cam({0, 1, 2, 3});
    QTest::newRow("bind") << s("detector") << s("detector.full_name = :n")
                          << QVariantMap{{s("n"), s("R0_S3")}} << cam({3});
    QTest::newRow("timespan") << s("exposure") << s("exposure.timespan OVERLAPS T'2025-06-15T21:00:10'")
                              << QVariantMap{} << cam({102});
    QTest::newRow("injection") << s("detector") << s("instrument = :i")
                               << QVariantMap{{s("i"), s("x' OR '1'='1")}} << QStringList{};
}

void TestRegistryQueries::queryDimensionRecords()
{
    QFETCH(QString, element);
    QFETCH(QString, where);
    QFETCH(QVariantMap, bind);
    QFETCH(QStringList, expected);

    DimensionRecordQuery query;
    query.element = element;
    query.where = where;
    query.bind = bind;
    auto page = registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::sorted(recordKeys(page->records)), expected);
}

void TestRegistryQueries::queryDimensionRecordsValues()
{
    DimensionRecordQuery query;
    query.element = QStringLiteral("exposure");
    query.where = QStringLiteral("instrument = 'Cam' AND exposure = 106");
    auto page = registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(page->records.size(), 1);
    const DimensionRecord& r = page->records.first();
    const Exposure e = RegistryFixture::camExposure(106);
    QCOMPARE(r.element(), QStringLiteral("exposure"));
    QCOMPARE(r.value(QStringLiteral("id")).toLongLong(), 106);
    QCOMPARE(r.value(QStringLiteral("obs_id")).toString(), QStringLiteral("Cam_106"));
    QCOMPARE(r.value(QStringLiteral("physical_filter")).toString(), e.physicalFilter);
    QCOMPARE(r.value(QStringLiteral("day_obs")).toLongLong(), e.dayObs);
    QCOMPARE(r.value(QStringLiteral("exposure_time")).toDouble(), *e.exposureTime);
    QVERIFY(r.timespan().has_value());
    QCOMPARE(*r.timespan(), Timespan(e.begin, e.end));

    query.element = QStringLiteral("nope");
    BUTLER_VERIFY_ERROR(registry().queryDimensionRecords(query), ErrorKind::NotFound);
    query.element = QStringLiteral("exposure");
    query.where = QStringLiteral("exposure.nope = 1");
    BUTLER_VERIFY_ERROR(registry().queryDimensionRecords(query), ErrorKind::InvalidInput);
}

void TestRegistryQueries::queryDimensionRecordsOrder()
{
    DimensionRecordQuery query;
    query.element = QStringLiteral("exposure");
    query.where = QStringLiteral("instrument = 'Cam' AND exposure.exposure_time > 0");
    query.orderBy = {QStringLiteral("-exposure.exposure_time")};
    auto page = registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(recordKeys(page->records),
             (QStringList{QStringLiteral("Cam:109"), QStringLiteral("Cam:108"), QStringLiteral("Cam:107"),
                          QStringLiteral("Cam:106"), QStringLiteral("Cam:105"), QStringLiteral("Cam:104"),
                          QStringLiteral("Cam:103"), QStringLiteral("Cam:102"), QStringLiteral("Cam:101")}));
    query.orderBy = {QStringLiteral("band"), QStringLiteral("-exposure")};
    query.where = QStringLiteral("instrument = 'Cam'");
    page = registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(recordKeys(page->records),
             (QStringList{QStringLiteral("Cam:110"), QStringLiteral("Cam:107"), QStringLiteral("Cam:104"),
                          QStringLiteral("Cam:101"), QStringLiteral("Cam:109"), QStringLiteral("Cam:106"),
                          QStringLiteral("Cam:103"), QStringLiteral("Cam:108"), QStringLiteral("Cam:105"),
                          QStringLiteral("Cam:102")}));
}

void TestRegistryQueries::queryDimensionRecordsPaging_data()
{
    QTest::addColumn<QString>("element");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QStringList>("orderBy");
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("total");

    QTest::newRow("exposures by key") << QStringLiteral("exposure") << QString() << QStringList{} << 3 << 11;
    QTest::newRow("exposures, descending id")
        << QStringLiteral("exposure") << QString() << QStringList{QStringLiteral("-exposure")} << 4 << 11;
    QTest::newRow("detectors with a where")
        << QStringLiteral("detector") << QStringLiteral("detector.purpose = 'SCIENCE'") << QStringList{} << 2
        << 5;
    QTest::newRow("visits by timespan") << QStringLiteral("visit") << QString()
                                        << QStringList{QStringLiteral("visit.timespan.begin")} << 2 << 11;
    // Exposure 110 has no exposure_time and sorts first.
    QTest::newRow("nullable order field") << QStringLiteral("exposure") << QString()
                                          << QStringList{QStringLiteral("exposure.exposure_time")} << 1 << 11;
}

void TestRegistryQueries::queryDimensionRecordsPaging()
{
    QFETCH(QString, element);
    QFETCH(QString, where);
    QFETCH(QStringList, orderBy);
    QFETCH(int, pageSize);
    QFETCH(int, total);

    DimensionRecordQuery query;
    query.element = element;
    query.where = where;
    query.orderBy = orderBy;
    auto full = registry().queryDimensionRecords(query);
    BUTLER_VERIFY_OK(full);
    QCOMPARE(full->records.size(), total);

    query.limit = pageSize;
    QStringList paged;
    for (int pages = 0; pages < total + 2; ++pages) {
        auto page = registry().queryDimensionRecords(query);
        BUTLER_VERIFY_OK(page);
        QVERIFY(page->records.size() <= pageSize);
        paged << recordKeys(page->records);
        if (page->nextPageToken.isEmpty())
            break;
        query.pageToken = page->nextPageToken;
    }
    QCOMPARE(paged, recordKeys(full->records));
}

QTEST_GUILESS_MAIN(TestRegistryQueries)
#include "tst_registryqueries.moc"
