// DimensionRecordModel against the real butler-server: columns from the universe, paging,
// filters, and whereForRow() selecting exactly the datasets of a record.
#include "DatasetTableModel.h"
#include "DimensionRecordModel.h"
#include "DimensionUniverse.h"
#include "ModelTestSupport.h"
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QAbstractItemModelTester>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

using namespace butler;
using butler::test::Settle;
using butler::test::waitForRequests;

namespace {

constexpr int kTimeout = 30000;
const QString kRaws = QStringLiteral("LSSTCam/raw/all");

// A record's own key: records hold it under the key's name ("id", "name").
QVariant ownKey(const DimensionUniverse& universe, const DimensionRecord& record)
{
    return record.value(universe.element(record.element())->primaryKey().name);
}

template <typename Model> bool loadAll(Model& model)
{
    for (;;) {
        if (!QTest::qWaitFor([&] { return !model.isLoading(); }, kTimeout))
            return false;
        if (!model.canFetchMore({}))
            return model.lastError().isEmpty();
        model.fetchMore({});
    }
}

} // namespace

class TestDimensionRecordModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void columnsFollowTheUniverse_data();
    void columnsFollowTheUniverse();
    void pagingThroughAllRecords_data();
    void pagingThroughAllRecords();
    void filterQueriesAgain();
    void whereForRowSelectsTheRecordsDatasets();
    void staleElementDropped();
    void unknownElementReported();

private:
    QList<DimensionRecord> serverRecords(const QString& element, const QString& where = {});

    ServerFixture m_fixture;
    std::unique_ptr<RemoteButler> m_butler;
    std::unique_ptr<DimensionRecordModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestDimensionRecordModel::initTestCase()
{
    QVERIFY2(m_fixture.prepare(), qPrintable(m_fixture.lastError()));
    QVERIFY2(m_fixture.start(), qPrintable(m_fixture.lastError()));
    auto butler = RemoteButler::connect(m_fixture.repoUrl(), m_fixture.token(QStringLiteral("carol")));
    QVERIFY2(butler.ok(), qPrintable(butler.ok() ? QString() : butler.error().message()));
    m_butler = std::move(butler).value();
}

void TestDimensionRecordModel::cleanupTestCase()
{
    m_butler.reset();
    m_fixture.stop();
}

void TestDimensionRecordModel::init()
{
    m_model = std::make_unique<DimensionRecordModel>(m_butler.get());
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestDimensionRecordModel::cleanup()
{
    QVERIFY(waitForRequests(*m_model));
    m_tester.reset();
    m_model.reset();
}

QList<DimensionRecord> TestDimensionRecordModel::serverRecords(const QString& element, const QString& where)
{
    DimensionRecordQuery query;
    query.element = element;
    query.where = where;
    const auto page = m_butler->queryDimensionRecords(query);
    return page.ok() ? page->records : QList<DimensionRecord>();
}

void TestDimensionRecordModel::columnsFollowTheUniverse_data()
{
    QTest::addColumn<QString>("element");
    QTest::addColumn<QStringList>("leading");
    QTest::newRow("exposure") << QStringLiteral("exposure")
                              << QStringList{QStringLiteral("instrument"), QStringLiteral("exposure"),
                                             QStringLiteral("obs_id"), QStringLiteral("physical_filter")};
    QTest::newRow("detector") << QStringLiteral("detector")
                              << QStringList{QStringLiteral("instrument"), QStringLiteral("detector"),
                                             QStringLiteral("full_name")};
    QTest::newRow("instrument") << QStringLiteral("instrument") << QStringList{QStringLiteral("instrument")};
}

void TestDimensionRecordModel::columnsFollowTheUniverse()
{
    QFETCH(QString, element);
    QFETCH(QStringList, leading);
    DimensionRecordModel& model = *m_model;
    model.setElement(element);
    QVERIFY(loadAll(model));
    const DimensionElement* spec = m_butler->universe().element(element);
    QVERIFY(spec);
    QStringList expected = spec->requiredDimensions();
    for (const FieldSpec& key : spec->alternateKeys())
        if (key.type != FieldType::Hash)
            expected << key.name;
    expected << spec->implies;
    for (const FieldSpec& field : spec->metadata)
        if (field.type != FieldType::Hash)
            expected << field.name;
    if (spec->hasTimespan)
        expected << QStringLiteral("timespan_begin") << QStringLiteral("timespan_end");
    QCOMPARE(model.fields(), expected);
    QCOMPARE(model.fields().mid(0, leading.size()), leading);
    QCOMPARE(model.columnCount(), expected.size());
    for (int column = 0; column < model.columnCount(); ++column)
        QCOMPARE(model.headerData(column, Qt::Horizontal).toString(), expected[column]);

    QVERIFY(model.rowCount() > 0);
    const DimensionRecord first = model.recordAt(0);
    QCOMPARE(first.element(), element);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("LSSTCam"));
    const int own = int(expected.indexOf(element));
    QCOMPARE(model.index(0, own).data(DimensionRecordModel::ValueRole), ownKey(m_butler->universe(), first));
    QVERIFY(model.index(0, own).data().isValid());
    if (spec->hasTimespan) {
        const int begin = int(expected.indexOf(QStringLiteral("timespan_begin")));
        const QString text = model.index(0, begin).data().toString();
        QVERIFY2(QDateTime::fromString(text, Qt::ISODate).isValid(), qPrintable(text));
        QCOMPARE(model.index(0, begin).data(DimensionRecordModel::ValueRole).toLongLong(),
                 first.timespan()->begin());
    }
}

void TestDimensionRecordModel::pagingThroughAllRecords_data()
{
    QTest::addColumn<QString>("element");
    QTest::addColumn<int>("pageSize");
    QTest::newRow("exposures by 3") << QStringLiteral("exposure") << 3;
    QTest::newRow("detectors by 50") << QStringLiteral("detector") << 50;
    QTest::newRow("detectors in one page") << QStringLiteral("detector") << 1000;
}

void TestDimensionRecordModel::pagingThroughAllRecords()
{
    QFETCH(QString, element);
    QFETCH(int, pageSize);
    DimensionRecordModel& model = *m_model;
    model.setPageSize(pageSize);
    QSignalSpy pages(&model, &DimensionRecordModel::queryFinished);
    model.setElement(element);
    QVERIFY(loadAll(model));
    const QList<DimensionRecord> all = serverRecords(element);
    QVERIFY(all.size() > 1);
    QCOMPARE(model.rowCount(), all.size());
    QCOMPARE(pages.count(), (int(all.size()) + pageSize - 1) / pageSize);
    QSet<QString> keys;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QVariant key = model.index(row, 1).data(DimensionRecordModel::ValueRole);
        keys.insert(key.toString());
        QCOMPARE(key, ownKey(m_butler->universe(), all[row])); // the server's order, continued across pages
    }
    QCOMPARE(keys.size(), all.size());
}

void TestDimensionRecordModel::filterQueriesAgain()
{
    DimensionRecordModel& model = *m_model;
    model.setPageSize(4);
    model.setElement(QStringLiteral("detector"));
    QVERIFY(loadAll(model));
    const int all = model.rowCount();
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    const QString where = QStringLiteral("detector.full_name = 'R22_S11' OR detector < 3");
    model.setFilter(where);
    QCOMPARE(model.filter(), where);
    QCOMPARE(resets.count(), 1);
    QVERIFY(loadAll(model));
    const QList<DimensionRecord> expected = serverRecords(QStringLiteral("detector"), where);
    QVERIFY(!expected.isEmpty());
    QVERIFY(expected.size() < all);
    QCOMPARE(model.rowCount(), expected.size());
    const int fullName = int(model.fields().indexOf(QStringLiteral("full_name")));
    bool sawR22S11 = false;
    for (int row = 0; row < model.rowCount(); ++row) {
        const bool named = model.index(row, fullName).data().toString() == QLatin1String("R22_S11");
        sawR22S11 |= named;
        QVERIFY(named || model.index(row, 1).data().toLongLong() < 3);
    }
    QVERIFY(sawR22S11);
    model.setFilter({});
    QVERIFY(loadAll(model));
    QCOMPARE(model.rowCount(), all);
}

void TestDimensionRecordModel::whereForRowSelectsTheRecordsDatasets()
{
    DimensionRecordModel& model = *m_model;
    model.setElement(QStringLiteral("exposure"));
    QVERIFY(loadAll(model));
    QVERIFY(model.rowCount() >= 2);
    const DimensionRecord record = model.recordAt(1);
    const qint64 exposure = ownKey(m_butler->universe(), record).toLongLong();
    QVERIFY(exposure > 0);
    const QString where = model.whereForRow(1);
    QCOMPARE(where, QStringLiteral("instrument = 'LSSTCam' AND exposure = %1").arg(exposure));
    QCOMPARE(model.whereForRow(model.rowCount()), QString());

    DatasetTableModel datasets(m_butler.get());
    Settle<DatasetTableModel> settle{datasets};
    QAbstractItemModelTester tester(&datasets, QAbstractItemModelTester::FailureReportingMode::QtTest);
    datasets.setPageSize(4);
    datasets.setQuery({kRaws}, {QStringLiteral("raw")}, where);
    QVERIFY(loadAll(datasets));
    DatasetQuery all;
    all.collections = {kRaws};
    all.datasetTypes = {QStringLiteral("raw")};
    const auto total = m_butler->countDatasets(all);
    DatasetQuery matching = all;
    matching.where = where;
    const auto expected = m_butler->countDatasets(matching);
    QVERIFY(total.ok() && expected.ok());
    QVERIFY(expected.value() > 0);
    QVERIFY(expected.value() < total.value());
    QCOMPARE(qint64(datasets.rowCount()), expected.value());
    const int column = datasets.dimensionColumn(QStringLiteral("exposure"));
    for (int row = 0; row < datasets.rowCount(); ++row)
        QCOMPARE(datasets.index(row, column).data().toLongLong(), exposure);

    // String keys are quoted.
    model.setElement(QStringLiteral("physical_filter"));
    QVERIFY(loadAll(model));
    QVERIFY(model.rowCount() > 0);
    QCOMPARE(model.whereForRow(0), QStringLiteral("instrument = 'LSSTCam' AND physical_filter = '%1'")
                                       .arg(ownKey(m_butler->universe(), model.recordAt(0)).toString()));
}

void TestDimensionRecordModel::staleElementDropped()
{
    DimensionRecordModel& model = *m_model;
    butler::test::CategoryRecorder recorder("butler.items.records");
    QStringList elements;
    connect(&model, &QAbstractItemModel::rowsInserted, this, [&](const QModelIndex&, int first, int last) {
        for (int row = first; row <= last; ++row)
            elements << model.recordAt(row).element();
    });
    model.setElement(QStringLiteral("exposure"));
    model.setElement(QStringLiteral("detector"));
    QVERIFY(loadAll(model));
    // The exposure page still arrives; wait until it has been seen and dropped.
    QTRY_VERIFY_WITH_TIMEOUT(recorder.messages().filter(QStringLiteral("dropping a page")).size() == 1,
                             kTimeout);
    QCOMPARE(model.rowCount(), serverRecords(QStringLiteral("detector")).size());
    QCOMPARE(elements, QStringList(model.rowCount(), QStringLiteral("detector")));
    QCOMPARE(model.fields().at(1), QStringLiteral("detector"));
}

void TestDimensionRecordModel::unknownElementReported()
{
    DimensionRecordModel& model = *m_model;
    QSignalSpy errors(&model, &DimensionRecordModel::errorOccurred);
    model.setElement(QStringLiteral("no_such_element"));
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.first().first().toString().contains(QStringLiteral("no_such_element")));
    QCOMPARE(model.columnCount(), 0);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.canFetchMore({}));
    QVERIFY(!model.isLoading());
}

QTEST_MAIN(TestDimensionRecordModel)
#include "tst_dimensionrecordmodel.moc"
