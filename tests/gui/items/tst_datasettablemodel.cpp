// DatasetTableModel against the real butler-server: columns from the loaded types, paging,
// server-side sorting, stale answers dropped, drag payloads and where-expression validation.
#include "DatasetTableModel.h"
#include "DimensionUniverse.h"
#include "ModelTestSupport.h"
#include "RemoteButler.h"
#include "ServerFixture.h"
#include "WhereValidation.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>

using namespace butler;
using butler::test::Settle;
using butler::test::waitForRequests;

namespace {

constexpr int kTimeout = 30000;
const QString kRaws = QStringLiteral("LSSTCam/raw/all");

QList<QVariant> columnValues(const QAbstractItemModel& model, int column, int role = Qt::DisplayRole)
{
    QList<QVariant> values;
    for (int row = 0; row < model.rowCount(); ++row)
        values << model.index(row, column).data(role);
    return values;
}

QStringList headers(const QAbstractItemModel& model)
{
    QStringList names;
    for (int column = 0; column < model.columnCount(); ++column)
        names << model.headerData(column, Qt::Horizontal).toString();
    return names;
}

} // namespace

class TestDatasetTableModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void firstPageColumnsAndRoles();
    void columnsGrowWithNewTypes();
    void rowsRebuildTheServersRefs();
    void pagingThroughAllRaws_data();
    void pagingThroughAllRaws();
    void readAheadShowsTheNextPageAtOnce();
    void withoutReadAheadTheNextPageWaits();
    void readAheadOfAReplacedQueryDropped();
    void serverSideSortChangesOrder();
    void staleQueryDropped();
    void queryErrorReported();
    void mimeDataRoundTrip();
    void whereValidation_data();
    void whereValidation();

private:
    // Fetches every remaining page.
    bool loadAll(DatasetTableModel& model);
    qint64 count(const QStringList& collections, const QStringList& types, const QString& where = {});

    ServerFixture m_fixture;
    std::unique_ptr<RemoteButler> m_butler; // carol: reads the proprietary LSSTCam collections
    std::unique_ptr<DatasetTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestDatasetTableModel::initTestCase()
{
    QVERIFY2(m_fixture.prepare(), qPrintable(m_fixture.lastError()));
    QVERIFY2(m_fixture.start(), qPrintable(m_fixture.lastError()));
    auto butler = RemoteButler::connect(m_fixture.repoUrl(), m_fixture.token(QStringLiteral("carol")));
    QVERIFY2(butler.ok(), qPrintable(butler.ok() ? QString() : butler.error().message()));
    m_butler = std::move(butler).value();
    qRegisterMetaType<DatasetRef>();
}

void TestDatasetTableModel::cleanupTestCase()
{
    m_butler.reset();
    m_fixture.stop();
}

void TestDatasetTableModel::init()
{
    m_model = std::make_unique<DatasetTableModel>(m_butler.get());
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestDatasetTableModel::cleanup()
{
    QVERIFY(waitForRequests(*m_model));
    m_tester.reset();
    m_model.reset();
}

bool TestDatasetTableModel::loadAll(DatasetTableModel& model)
{
    for (;;) {
        if (!QTest::qWaitFor([&] { return !model.isLoading(); }, kTimeout))
            return false;
        if (!model.canFetchMore({}))
            return model.lastError().isEmpty();
        model.fetchMore({});
    }
}

qint64 TestDatasetTableModel::count(const QStringList& collections, const QStringList& types,
                                    const QString& where)
{
    DatasetQuery query;
    query.collections = collections;
    query.datasetTypes = types;
    query.where = where;
    const auto counted = m_butler->countDatasets(query);
    return counted.ok() ? counted.value() : -1;
}

void TestDatasetTableModel::firstPageColumnsAndRoles()
{
    DatasetTableModel& model = *m_model;
    QSignalSpy loading(&model, &DatasetTableModel::loadingChanged);
    // Sizes come with the page: valid already when the rows are inserted.
    int rowsWithSizeAtInsert = -1;
    const QMetaObject::Connection inserted = connect(
        &model, &QAbstractItemModel::rowsInserted, this, [&](const QModelIndex&, int first, int last) {
            const int column = model.column(DatasetTableModel::ColumnKind::Size);
            rowsWithSizeAtInsert = 0;
            for (int row = first; row <= last; ++row)
                rowsWithSizeAtInsert += model.index(row, column).data(DatasetTableModel::SizeRole).isValid();
        });
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QVERIFY(model.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    QCOMPARE(loading.count(), 2);
    QCOMPARE(loading.at(0).at(0).toBool(), true);
    QCOMPARE(loading.at(1).at(0).toBool(), false);
    QVERIFY(model.rowCount() > 0);

    // The raw type's required dimensions, in universe order, between run and UUID.
    const auto rawType = m_butler->getDatasetType(QStringLiteral("raw"));
    QVERIFY(rawType.ok());
    QStringList dims = rawType->dimensions().required();
    const DimensionUniverse& universe = m_butler->universe();
    std::sort(dims.begin(), dims.end(),
              [&](const QString& a, const QString& b) { return universe.index(a) < universe.index(b); });
    QCOMPARE(model.dimensionColumns(), dims);
    QStringList expected{QStringLiteral("Dataset type"), QStringLiteral("Run")};
    expected << dims << QStringLiteral("UUID") << QStringLiteral("Size")
             << QStringLiteral("Ingest date (UTC)");
    QCOMPARE(headers(model), expected);

    const int idColumn = model.column(DatasetTableModel::ColumnKind::Id);
    const int sizeColumn = model.column(DatasetTableModel::ColumnKind::Size);
    const int dateColumn = model.column(DatasetTableModel::ColumnKind::IngestDate);
    const QModelIndex first = model.index(0, 0);
    QCOMPARE(first.data().toString(), QStringLiteral("raw"));
    QCOMPARE(model.index(0, 1).data().toString(), kRaws);
    const QUuid id = first.data(DatasetTableModel::IdRole).toUuid();
    QVERIFY(!id.isNull());
    QCOMPARE(model.index(0, idColumn).data().toString(), id.toString(QUuid::WithoutBraces));
    const DatasetRef ref = first.data(DatasetTableModel::DatasetRefRole).value<DatasetRef>();
    QCOMPARE(ref.id(), id);
    QCOMPARE(ref.run(), kRaws);
    QCOMPARE(model.index(0, model.dimensionColumn(QStringLiteral("detector"))).data(),
             ref.dataId().value(QStringLiteral("detector")));
    QCOMPARE(model.index(0, model.dimensionColumn(QStringLiteral("instrument"))).data().toString(),
             QStringLiteral("LSSTCam"));

    const QDateTime ingested =
        QDateTime::fromString(model.index(0, dateColumn).data().toString(), Qt::ISODate);
    QVERIFY(ingested.isValid());
    QCOMPARE(ingested.timeSpec(), Qt::UTC);
    QVERIFY(qAbs(ingested.secsTo(QDateTime::currentDateTimeUtc())) < 24 * 3600); // built today
    QVERIFY(model.index(0, dateColumn).data(Qt::ToolTipRole).toString().endsWith(QLatin1Char('Z')));

    disconnect(inserted);
    QCOMPARE(rowsWithSizeAtInsert, model.rowCount());
    const auto files = m_butler->fileInfo({id});
    QVERIFY(files.ok());
    QCOMPARE(files->size(), 1);
    QCOMPARE(model.index(0, sizeColumn).data(DatasetTableModel::SizeRole).toLongLong(), files->first().size);
    QVERIFY(!model.index(0, sizeColumn).data().toString().isEmpty());
    QVERIFY(model.flags(first).testFlag(Qt::ItemIsDragEnabled));
}

void TestDatasetTableModel::rowsRebuildTheServersRefs()
{
    // Rows are stored compactly (interned types, runs and strings; pooled values): every ref
    // read back must equal the server's, for several types, runs and key kinds.
    DatasetTableModel& model = *m_model;
    model.setPageSize(13);
    const QStringList collections{kRaws, QStringLiteral("DR1/public")};
    model.setQuery(collections, {}, {});
    QVERIFY(loadAll(model));
    DatasetQuery query;
    query.collections = collections;
    const auto all = m_butler->queryDatasets(query);
    QVERIFY(all.ok());
    QCOMPARE(model.rowCount(), int(all->refs.size()));
    QSet<QString> types;
    for (int row = 0; row < model.rowCount(); ++row) {
        const DatasetRef expected = all->refs[row];
        QCOMPARE(model.refAt(row), expected);
        QCOMPARE(model.index(row, 0).data(DatasetTableModel::DatasetRefRole).value<DatasetRef>(), expected);
        QCOMPARE(model.refAt(row).dataId().values(), expected.dataId().values());
        for (const QString& dim : model.dimensionColumns())
            QCOMPARE(model.index(row, model.dimensionColumn(dim)).data(), expected.dataId().value(dim));
        QCOMPARE(model.index(row, 1).data().toString(), expected.run());
        types << expected.datasetType().name();
    }
    QVERIFY2(types.size() >= 2, "the query spans several dataset types");
    model.setPageSize(DatasetTableModel::kDefaultPageSize);
}

void TestDatasetTableModel::columnsGrowWithNewTypes()
{
    DatasetTableModel& model = *m_model;
    model.setPageSize(1);
    QSignalSpy inserted(&model, &QAbstractItemModel::columnsInserted);
    QList<QStringList> columnsAfterPage;
    connect(&model, &DatasetTableModel::queryFinished, this,
            [&] { columnsAfterPage << model.dimensionColumns(); });
    // note {instrument} comes first (types are returned in name order), raw adds its dimensions later.
    model.setQuery({QStringLiteral("DR1/public"), kRaws}, {QStringLiteral("note"), QStringLiteral("raw")},
                   {});
    QVERIFY(loadAll(model));
    QVERIFY(model.rowCount() > 2);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("note"));
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("raw"));
    QCOMPARE(columnsAfterPage.first(), QStringList{QStringLiteral("instrument")});
    QVERIFY(inserted.count() >= 2); // instrument with the first page, the raw dimensions later
    const QStringList dims = model.dimensionColumns();
    QCOMPARE(columnsAfterPage.last(), dims);
    QVERIFY(dims.contains(QStringLiteral("detector")));
    QVERIFY(dims.contains(QStringLiteral("exposure")));
    const DimensionUniverse& universe = m_butler->universe();
    for (int i = 1; i < dims.size(); ++i)
        QVERIFY(universe.index(dims[i - 1]) < universe.index(dims[i]));
    // The note row has no detector: its cell stays empty.
    QVERIFY(!model.index(0, model.dimensionColumn(QStringLiteral("detector"))).data().isValid());
    QVERIFY(model.index(1, model.dimensionColumn(QStringLiteral("detector"))).data().isValid());
    QCOMPARE(model.index(1, model.dimensionColumn(QStringLiteral("instrument"))).data().toString(),
             QStringLiteral("LSSTCam"));
}

void TestDatasetTableModel::pagingThroughAllRaws_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<bool>("readAhead");
    QTest::newRow("7 a page") << 7 << true;
    QTest::newRow("7 a page, no read-ahead") << 7 << false;
    QTest::newRow("one page") << 1000 << true;
}

void TestDatasetTableModel::pagingThroughAllRaws()
{
    QFETCH(int, pageSize);
    QFETCH(bool, readAhead);
    DatasetTableModel& model = *m_model;
    model.setPageSize(pageSize);
    model.setReadAhead(readAhead);
    QSignalSpy pages(&model, &DatasetTableModel::queryFinished);
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QVERIFY(loadAll(model));
    const qint64 expected = count({kRaws}, {QStringLiteral("raw")});
    QVERIFY(expected > 20);
    QCOMPARE(qint64(model.rowCount()), expected);
    QCOMPARE(qint64(pages.count()), (expected + pageSize - 1) / pageSize);
    QSet<QUuid> ids;
    for (const QVariant& id : columnValues(model, 0, DatasetTableModel::IdRole))
        ids.insert(id.toUuid());
    QCOMPARE(qint64(ids.size()), expected);
    QVERIFY(!model.canFetchMore({}));
}

void TestDatasetTableModel::readAheadShowsTheNextPageAtOnce()
{
    DatasetTableModel& model = *m_model;
    model.setPageSize(5);
    QSignalSpy loading(&model, &DatasetTableModel::loadingChanged);
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    QCOMPARE(model.rowCount(), 5);
    // A first page alone is not read past: the user may only glance at the collection.
    QVERIFY(!model.hasPendingRequests());
    model.fetchMore({});
    QVERIFY(model.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    QCOMPARE(model.rowCount(), 10);
    // The third page is asked for as the second arrives and kept once it is in.
    QTRY_VERIFY_WITH_TIMEOUT(!model.hasPendingRequests(), kTimeout);
    QCOMPARE(model.rowCount(), 10);
    QVERIFY(model.canFetchMore({}));
    const QUuid lastOfSecond = model.index(9, 0).data(DatasetTableModel::IdRole).toUuid();
    loading.clear();
    model.fetchMore({});
    // In at once: no loading state, no wait.
    QCOMPARE(model.rowCount(), 15);
    QVERIFY(!model.isLoading());
    QCOMPARE(loading.count(), 0);
    QVERIFY(model.index(10, 0).data(DatasetTableModel::IdRole).toUuid() != lastOfSecond);
    // And the fourth is on its way.
    QVERIFY(model.hasPendingRequests());
    // fetchMore() while the read-ahead is in flight: loading until it arrives, then shown.
    model.fetchMore({});
    QVERIFY(model.isLoading());
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    QCOMPARE(model.rowCount(), 20);
    // The pages continue one another in the server's order.
    QSet<QUuid> ids;
    for (const QVariant& id : columnValues(model, 0, DatasetTableModel::IdRole))
        ids.insert(id.toUuid());
    QCOMPARE(ids.size(), 20);
}

void TestDatasetTableModel::withoutReadAheadTheNextPageWaits()
{
    DatasetTableModel& model = *m_model;
    model.setPageSize(5);
    model.setReadAhead(false);
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    for (int rows = 5; rows <= 10; rows += 5) {
        QVERIFY(!model.hasPendingRequests());
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), rows);
        QVERIFY(model.isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
        QCOMPARE(model.rowCount(), rows + 5);
    }
}

void TestDatasetTableModel::readAheadOfAReplacedQueryDropped()
{
    DatasetTableModel& model = *m_model;
    butler::test::CategoryRecorder recorder("butler.items.datasets");
    model.setPageSize(5);
    // The new query comes as the second page of the old one lands: its read-ahead is in flight.
    bool replaced = false;
    connect(&model, &DatasetTableModel::queryFinished, this, [&] {
        if (replaced || model.rowCount() < 10)
            return;
        replaced = true;
        QVERIFY(model.hasPendingRequests());
        model.setQuery({QStringLiteral("DR1/public")}, {QStringLiteral("note")}, {});
    });
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    model.fetchMore({});
    QTRY_VERIFY_WITH_TIMEOUT(replaced && !model.isLoading() && !model.hasPendingRequests(), kTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(recorder.messages().filter(QStringLiteral("dropping a read-ahead")).size() == 1,
                             kTimeout);
    QVERIFY(loadAll(model));
    QCOMPARE(qint64(model.rowCount()), count({QStringLiteral("DR1/public")}, {QStringLiteral("note")}));
    QCOMPARE(columnValues(model, 0), QList<QVariant>(model.rowCount(), QStringLiteral("note")));
}

void TestDatasetTableModel::serverSideSortChangesOrder()
{
    DatasetTableModel& model = *m_model;
    model.setPageSize(10);
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QVERIFY(loadAll(model));
    const int total = model.rowCount();
    const int detector = model.dimensionColumn(QStringLiteral("detector"));
    QVERIFY(detector >= 0);
    QCOMPARE(model.headerData(detector, Qt::Horizontal, DatasetTableModel::SortKeyRole).toString(),
             QStringLiteral("detector"));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.sort(detector, Qt::DescendingOrder);
    QCOMPARE(resets.count(), 1);
    QVERIFY(loadAll(model));
    QCOMPARE(model.rowCount(), total);
    QList<qint64> descending;
    for (const QVariant& value : columnValues(model, detector))
        descending << value.toLongLong();
    QVERIFY(descending.first() > descending.last());
    QVERIFY(std::is_sorted(descending.rbegin(), descending.rend()));

    model.sort(detector, Qt::AscendingOrder);
    QVERIFY(loadAll(model));
    QList<qint64> ascending;
    for (const QVariant& value : columnValues(model, detector))
        ascending << value.toLongLong();
    QVERIFY(std::is_sorted(ascending.begin(), ascending.end()));
    QCOMPARE(ascending.first(), descending.last());

    // Exposure, descending: the pages continue the order across page boundaries.
    const int exposure = model.dimensionColumn(QStringLiteral("exposure"));
    model.sort(exposure, Qt::DescendingOrder);
    QVERIFY(loadAll(model));
    QList<qint64> exposures;
    for (const QVariant& value : columnValues(model, exposure))
        exposures << value.toLongLong();
    QCOMPARE(exposures.size(), total);
    QVERIFY(std::is_sorted(exposures.rbegin(), exposures.rend()));
    QVERIFY(exposures.first() > exposures.last());

    // The size column has no server-side order: nothing is asked again.
    const int resetsBefore = resets.count();
    model.sort(model.column(DatasetTableModel::ColumnKind::Size), Qt::AscendingOrder);
    QCOMPARE(resets.count(), resetsBefore);
    QVERIFY(!model.isLoading());
}

void TestDatasetTableModel::staleQueryDropped()
{
    DatasetTableModel& model = *m_model;
    butler::test::CategoryRecorder recorder("butler.items.datasets");
    QStringList insertedTypes;
    connect(&model, &QAbstractItemModel::rowsInserted, this, [&](const QModelIndex&, int first, int last) {
        for (int row = first; row <= last; ++row)
            insertedTypes << model.index(row, 0).data().toString();
    });
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    model.setQuery({QStringLiteral("DR1/public")}, {QStringLiteral("note")}, {});
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeout);
    // The raw page still arrives; wait until it has been seen and dropped.
    QTRY_VERIFY_WITH_TIMEOUT(recorder.messages().filter(QStringLiteral("dropping a page")).size() == 1,
                             kTimeout);

    QCOMPARE(qint64(model.rowCount()), count({QStringLiteral("DR1/public")}, {QStringLiteral("note")}));
    QVERIFY(model.rowCount() > 0);
    QCOMPARE(insertedTypes, QStringList(model.rowCount(), QStringLiteral("note")));
    QCOMPARE(model.dimensionColumns(), QStringList{QStringLiteral("instrument")});
}

void TestDatasetTableModel::queryErrorReported()
{
    DatasetTableModel& model = *m_model;
    QSignalSpy errors(&model, &DatasetTableModel::errorOccurred);
    model.setQuery({kRaws}, {QStringLiteral("raw")}, QStringLiteral("bogus = 1"));
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeout);
    QVERIFY(errors.first().first().toString().contains(QStringLiteral("bogus")));
    QCOMPARE(model.lastError(), errors.first().first().toString());
    QVERIFY(!model.isLoading());
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.canFetchMore({}));
}

void TestDatasetTableModel::mimeDataRoundTrip()
{
    DatasetTableModel& model = *m_model;
    model.setPageSize(5);
    model.setQuery({kRaws}, {QStringLiteral("raw")}, {});
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading() && model.rowCount() >= 3, kTimeout);
    QCOMPARE(model.mimeTypes(),
             (QStringList{QStringLiteral("application/x-butler-dataset-ids"), QStringLiteral("text/plain")}));
    const QUuid id0 = model.index(0, 0).data(DatasetTableModel::IdRole).toUuid();
    const QUuid id2 = model.index(2, 0).data(DatasetTableModel::IdRole).toUuid();
    // A row selected in several columns travels once, in row order.
    std::unique_ptr<QMimeData> mime(
        model.mimeData({model.index(2, 0), model.index(0, 1), model.index(2, 3)}));
    QVERIFY(mime);
    QVERIFY(mime->hasFormat(QStringLiteral("application/x-butler-dataset-ids")));
    const QJsonArray array =
        QJsonDocument::fromJson(mime->data(QStringLiteral("application/x-butler-dataset-ids"))).array();
    QCOMPARE(array.size(), 2);
    QCOMPARE(array.at(0).toString(), id0.toString(QUuid::WithoutBraces));
    QCOMPARE(array.at(1).toString(), id2.toString(QUuid::WithoutBraces));
    QCOMPARE(mime->text(),
             id0.toString(QUuid::WithoutBraces) + QLatin1Char('\n') + id2.toString(QUuid::WithoutBraces));
    QCOMPARE(DatasetTableModel::idsFromMimeData(mime.get()), (QList<QUuid>{id0, id2}));

    // Plain text alone (a drop from a text editor) reads too.
    QMimeData text;
    text.setText(id2.toString() + QStringLiteral("\n\nnot-a-uuid\n") + id0.toString(QUuid::WithoutBraces));
    QCOMPARE(DatasetTableModel::idsFromMimeData(&text), (QList<QUuid>{id2, id0}));
    // The UUIDs name real datasets.
    const auto ref = m_butler->getDataset(DatasetTableModel::idsFromMimeData(mime.get()).first());
    QVERIFY(ref.ok());
    QCOMPARE(ref->id(), id0);
    QVERIFY(!model.mimeData({}));
}

void TestDatasetTableModel::whereValidation_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("position");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << QString() << true << -1 << QString();
    QTest::newRow("blank") << QStringLiteral("   ") << true << -1 << QString();
    QTest::newRow("simple") << QStringLiteral("instrument = 'LSSTCam' AND detector IN (1..9)") << true << -1
                            << QString();
    QTest::newRow("field") << QStringLiteral("exposure.day_obs = 20250615 AND exposure.obs_id != 'x'") << true
                           << -1 << QString();
    QTest::newRow("implied") << QStringLiteral("exposure.physical_filter = 'r_57'") << true << -1
                             << QString();
    QTest::newRow("timespan") << QStringLiteral("visit.timespan OVERLAPS T'2025-06-15T03:00:00'") << true
                              << -1 << QString();
    QTest::newRow("bind") << QStringLiteral("exposure = :e") << true << -1 << QString();
    QTest::newRow("missing operand") << QStringLiteral("instrument = ") << false << 13
                                     << QStringLiteral("expected");
    QTest::newRow("unknown name") << QStringLiteral("visit = 1 AND bogus = 2") << false << 14
                                  << QStringLiteral("unknown dimension or element 'bogus'");
    QTest::newRow("unknown field") << QStringLiteral("detector = 1 OR exposure.nothing > 3") << false << 16
                                   << QStringLiteral("'exposure' has no field 'nothing'");
    QTest::newRow("element without key") << QStringLiteral("visit_detector_region = 3") << false << 0
                                         << QStringLiteral("is a dimension element");
    QTest::newRow("no timespan") << QStringLiteral("detector.timespan OVERLAPS T'2025-06-15T03:00:00'")
                                 << false << 0 << QStringLiteral("has no timespan");
    QTest::newRow("hash field") << QStringLiteral("skymap.hash = 'x'") << false << 0
                                << QStringLiteral("has no field 'hash'");
    QTest::newRow("unterminated string") << QStringLiteral("detector = 'R22") << false << 11 << QString();
    QTest::newRow("stray token") << QStringLiteral("detector = 1 )") << false << 13 << QString();
}

void TestDatasetTableModel::whereValidation()
{
    QFETCH(QString, expression);
    QFETCH(bool, ok);
    QFETCH(int, position);
    QFETCH(QString, says);
    const WhereValidation verdict = validateWhere(m_butler->universe(), expression);
    QCOMPARE(verdict.ok, ok);
    QCOMPARE(verdict.position, position);
    QVERIFY2(verdict.message.contains(says), qPrintable(verdict.message));
    if (!ok) {
        QVERIFY(!verdict.message.isEmpty());
        // The message names the same place, 1-based.
        QVERIFY2(verdict.message.contains(QStringLiteral("column %1").arg(position + 1)),
                 qPrintable(verdict.message));
    }
}

QTEST_MAIN(TestDatasetTableModel)
#include "tst_datasettablemodel.moc"
