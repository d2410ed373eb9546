#include "DemoRepoBuilder.h"
#include "DirectButler.h"
#include "FitsImageWriter.h"
#include "Registry.h"

#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

using namespace butler;

namespace {

#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto& verifyOkResult_ = (expr);                                                                \
        QVERIFY2(verifyOkResult_.ok(),                                                                       \
                 qPrintable(verifyOkResult_.ok() ? QString() : verifyOkResult_.error().message()));          \
    } while (false)

const QString kInstrument = QStringLiteral("LSSTCam");

struct Repo
{
    std::unique_ptr<DirectButler> butler;
    DemoRepoSummary summary;
};

Result<Repo> makeRepo(const QString& path, quint64 seed, const DemoRepoOptions::ProgressFn& progress = {})
{
    BUTLER_TRY(DirectButler::create(path));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<DirectButler> butler, DirectButler::open(path));
    DemoRepoOptions options;
    options.small = true;
    options.seed = seed;
    options.progress = progress;
    BUTLER_ASSIGN_OR_RETURN(DemoRepoSummary summary, DemoRepoBuilder::build(*butler, options));
    return Repo{std::move(butler), summary};
}

Result<QList<DimensionRecord>> records(Butler& butler, const QString& element, const QString& where = {})
{
    DimensionRecordQuery query;
    query.element = element;
    query.where = where;
    query.orderBy = {};
    BUTLER_ASSIGN_OR_RETURN(const DimensionRecordPage page, butler.queryDimensionRecords(query));
    return page.records;
}

Result<QList<DatasetRef>> datasets(Butler& butler, const QStringList& types, const QStringList& collections,
                                   bool findFirst = false)
{
    DatasetQuery query;
    query.datasetTypes = types;
    query.collections = collections;
    query.findFirst = findFirst;
    BUTLER_ASSIGN_OR_RETURN(const DatasetPage page, butler.queryDatasets(query));
    return page.refs;
}

QStringList sortedIds(const QList<DatasetRef>& refs)
{
    QStringList ids;
    for (const DatasetRef& ref : refs)
        ids << ref.idString();
    ids.sort();
    return ids;
}

const FitsImageWriter::Card* findCard(const QList<FitsImageWriter::Card>& cards, const QString& key)
{
    for (const FitsImageWriter::Card& card : cards) {
        if (card.key == key)
            return &card;
    }
    return nullptr;
}

// The vertices of an lsst.sphgeom ConvexPolygon encoding, or none when it is not one.
QList<std::array<double, 3>> polygonVertices(const QByteArray& region)
{
    QList<std::array<double, 3>> vertices;
    if (region.size() < 1 + 3 * 24 || region[0] != 'p' || (region.size() - 1) % 24 != 0)
        return vertices;
    for (qsizetype offset = 1; offset < region.size(); offset += 24) {
        std::array<double, 3> v{};
        for (int c = 0; c < 3; ++c)
            v[c] = qFromLittleEndian<double>(region.constData() + offset + 8 * c);
        vertices.append(v);
    }
    return vertices;
}

} // namespace

class TestDemoRepoBuilder : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void reportsProgress();
    void counts();
    void exposuresLookLikeLsstCam();
    void visitsHaveRegions();
    void rawIsSmallFits();
    void findsRawThroughDefaults();
    void typeGlobsSkipTypesTheWhereDoesNotApplyTo();
    void biasDependsOnNight();
    void flatFoundOnEveryNight();
    void collections();
    void sameSeedSameRepository();
    void otherSeedOtherPointings();
    void refusesFilledRepository();
    void rejectsBadNights_data();
    void rejectsBadNights();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DirectButler> m_butler;
    DemoRepoSummary m_summary;
    QList<std::tuple<QString, qint64, qint64>> m_progress;
    QList<DimensionRecord> m_exposures;
};

void TestDemoRepoBuilder::typeGlobsSkipTypesTheWhereDoesNotApplyTo()
{
    // LSSTCam/defaults holds raws (detector), biases and flats (detector) and the skyMap (no
    // detector). A search over every type, or a glob, applies the expression where it can.
    DatasetQuery query;
    query.collections = {QStringLiteral("LSSTCam/defaults")};
    query.where = QStringLiteral("detector = 94");
    auto page = m_butler->queryDatasets(query);
    VERIFY_OK(page);
    QVERIFY(!page->refs.isEmpty());
    for (const DatasetRef& ref : page->refs)
        QCOMPARE(ref.dataId().value(QStringLiteral("detector")).toInt(), 94);
    auto count = m_butler->registry().countDatasets(query);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(page->refs.size()));
    query.datasetTypes = {QStringLiteral("*")};
    auto globbed = m_butler->queryDatasets(query);
    VERIFY_OK(globbed);
    QCOMPARE(globbed->refs.size(), page->refs.size());
    // Naming a type it cannot apply to is still an error, and so is a glob matching only such.
    query.datasetTypes = {QStringLiteral("skyMap")};
    auto named = m_butler->queryDatasets(query);
    QVERIFY(!named.ok());
    QVERIFY(named.error().message().contains(QLatin1String("not related")));
    query.datasetTypes = {QStringLiteral("sky*")};
    QVERIFY(!m_butler->queryDatasets(query).ok());
    QVERIFY(!m_butler->registry().countDatasets(query).ok());
}

void TestDemoRepoBuilder::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto repo = makeRepo(m_dir.filePath(QStringLiteral("seed1")), 1,
                         [this](const QString& stage, qint64 done, qint64 total) {
                             m_progress.append({stage, done, total});
                         });
    VERIFY_OK(repo);
    m_butler = std::move(repo->butler);
    m_summary = repo->summary;
    auto exposures = records(*m_butler, QStringLiteral("exposure"));
    VERIFY_OK(exposures);
    m_exposures = *exposures;
    std::sort(m_exposures.begin(), m_exposures.end(), [](const DimensionRecord& a, const DimensionRecord& b) {
        return a.value(QStringLiteral("id")).toLongLong() < b.value(QStringLiteral("id")).toLongLong();
    });
}

void TestDemoRepoBuilder::reportsProgress()
{
    const QStringList expected = {QStringLiteral("records"),    QStringLiteral("raw"),
                                  QStringLiteral("calexp"),     QStringLiteral("sourceTable_visit"),
                                  QStringLiteral("deepCoadd"),  QStringLiteral("calibrations"),
                                  QStringLiteral("collections")};
    QStringList stages;
    for (const auto& [stage, done, total] : std::as_const(m_progress)) {
        if (stages.isEmpty() || stages.last() != stage)
            stages << stage;
        QVERIFY2(done >= 0 && done <= total, qPrintable(stage));
    }
    QCOMPARE(stages, expected);
    // Every stage ends complete.
    for (const QString& stage : expected) {
        auto last = std::find_if(m_progress.crbegin(), m_progress.crend(),
                                 [&](const auto& p) { return std::get<0>(p) == stage; });
        QCOMPARE(std::get<1>(*last), std::get<2>(*last));
    }
}

void TestDemoRepoBuilder::counts()
{
    auto detectors = records(*m_butler, QStringLiteral("detector"));
    VERIFY_OK(detectors);
    QCOMPARE(detectors->size(), 9);
    QCOMPARE(m_summary.detectors, 9);
    for (const DimensionRecord& d : std::as_const(*detectors)) {
        QCOMPARE(d.value(QStringLiteral("raft")).toString(), QStringLiteral("R22"));
        QCOMPARE(d.value(QStringLiteral("purpose")).toString(), QStringLiteral("SCIENCE"));
    }
    QCOMPARE(m_exposures.size(), 12); // 3 nights x 4
    QCOMPARE(m_summary.exposures, 12);
    auto visits = records(*m_butler, QStringLiteral("visit"));
    VERIFY_OK(visits);
    QCOMPARE(visits->size(), 12);
    auto definitions = records(*m_butler, QStringLiteral("visit_definition"));
    VERIFY_OK(definitions);
    QCOMPARE(definitions->size(), 12);
    auto days = records(*m_butler, QStringLiteral("day_obs"));
    VERIFY_OK(days);
    QCOMPARE(days->size(), 3);

    auto raws = datasets(*m_butler, {QStringLiteral("raw")}, {QStringLiteral("LSSTCam/raw/all")});
    VERIFY_OK(raws);
    QCOMPARE(raws->size(), 12 * 9);
    QCOMPARE(m_summary.raws, 12 * 9);
    auto calexps = datasets(*m_butler, {QStringLiteral("calexp")}, {QStringLiteral("LSSTCam/runs/DM-00001")});
    VERIFY_OK(calexps);
    QCOMPARE(calexps->size(), m_summary.calexps);
    QVERIFY(m_summary.calexps > 0);
    auto tables =
        datasets(*m_butler, {QStringLiteral("sourceTable_visit")}, {QStringLiteral("LSSTCam/runs/DM-00001")});
    VERIFY_OK(tables);
    QCOMPARE(tables->size(), 12);
    auto coadds =
        datasets(*m_butler, {QStringLiteral("deepCoadd")}, {QStringLiteral("LSSTCam/runs/DM-00001")});
    VERIFY_OK(coadds);
    QCOMPARE(coadds->size(), m_summary.coadds);
    QVERIFY(m_summary.coadds >= 6);
    auto biases = datasets(*m_butler, {QStringLiteral("bias")}, {QStringLiteral("LSSTCam/calib/bias/*")});
    VERIFY_OK(biases);
    QCOMPARE(biases->size(), 2 * 9);
    auto flats = datasets(*m_butler, {QStringLiteral("flat")}, {QStringLiteral("LSSTCam/calib/flat/*")});
    VERIFY_OK(flats);
    QCOMPARE(flats->size(), 6 * 9);
}

void TestDemoRepoBuilder::exposuresLookLikeLsstCam()
{
    auto days = records(*m_butler, QStringLiteral("day_obs"));
    VERIFY_OK(days);
    QHash<qint64, Timespan> daySpans;
    for (const DimensionRecord& d : std::as_const(*days))
        daySpans.insert(d.value(QStringLiteral("id")).toLongLong(), *d.timespan());
    const QStringList filters = {QStringLiteral("u_24"), QStringLiteral("g_6"),  QStringLiteral("r_57"),
                                 QStringLiteral("i_39"), QStringLiteral("z_20"), QStringLiteral("y_10")};
    for (const DimensionRecord& e : std::as_const(m_exposures)) {
        const qint64 id = e.value(QStringLiteral("id")).toLongLong();
        const qint64 dayObs = e.value(QStringLiteral("day_obs")).toLongLong();
        const qint64 seqNum = e.value(QStringLiteral("seq_num")).toLongLong();
        QCOMPARE(id, dayObs * 100000 + seqNum);
        QCOMPARE(e.value(QStringLiteral("obs_id")).toString(),
                 QStringLiteral("MC_O_%1_%2").arg(dayObs).arg(seqNum, 6, 10, QLatin1Char('0')));
        QVERIFY(filters.contains(e.value(QStringLiteral("physical_filter")).toString()));
        QCOMPARE(e.value(QStringLiteral("observation_type")).toString(), QStringLiteral("science"));
        QVERIFY(e.value(QStringLiteral("tracking_dec")).toDouble() < 0.0);
        const double zenith = e.value(QStringLiteral("zenith_angle")).toDouble();
        QVERIFY2(zenith >= 0.0 && zenith < 70.0, qPrintable(QString::number(zenith)));
        QVERIFY(e.timespan().has_value());
        const Timespan span = *e.timespan();
        QVERIFY(daySpans.value(dayObs).contains(span.begin()));
        const double seconds = double(span.end() - span.begin()) / 1e9;
        QVERIFY2(seconds > e.value(QStringLiteral("exposure_time")).toDouble() && seconds < 40.0,
                 qPrintable(QString::number(seconds)));
    }
    QCOMPARE(daySpans.keys().size(), 3);
    QVERIFY(daySpans.contains(20250615) && daySpans.contains(20250617));
}

void TestDemoRepoBuilder::visitsHaveRegions()
{
    auto visits = records(*m_butler, QStringLiteral("visit"));
    VERIFY_OK(visits);
    for (const DimensionRecord& v : std::as_const(*visits)) {
        const QList<std::array<double, 3>> vertices = polygonVertices(v.region());
        QCOMPARE(vertices.size(), 8);
        for (qsizetype i = 0; i < vertices.size(); ++i) {
            const auto& a = vertices[i];
            const auto& b = vertices[(i + 1) % vertices.size()];
            const auto& c = vertices[(i + 2) % vertices.size()];
            QVERIFY(std::fabs(a[0] * a[0] + a[1] * a[1] + a[2] * a[2] - 1.0) < 1e-12);
            // Counter-clockwise, as sphgeom requires: (a x b) . c > 0.
            const double turn = (a[1] * b[2] - a[2] * b[1]) * c[0] + (a[2] * b[0] - a[0] * b[2]) * c[1] +
                                (a[0] * b[1] - a[1] * b[0]) * c[2];
            QVERIFY(turn > 0.0);
        }
    }
    auto detectorRegions = records(*m_butler, QStringLiteral("visit_detector_region"));
    VERIFY_OK(detectorRegions);
    QCOMPARE(detectorRegions->size(), 12 * 9);
    QCOMPARE(polygonVertices(detectorRegions->first().region()).size(), 4);
}

void TestDemoRepoBuilder::rawIsSmallFits()
{
    const DimensionRecord& exposure = m_exposures.first();
    const qint64 exposureId = exposure.value(QStringLiteral("id")).toLongLong();
    auto ref = m_butler->findDataset(QStringLiteral("raw"),
                                     {{QStringLiteral("instrument"), kInstrument},
                                      {QStringLiteral("exposure"), exposureId},
                                      {QStringLiteral("detector"), 94}},
                                     {QStringLiteral("LSSTCam/raw/all")});
    VERIFY_OK(ref);
    QVERIFY(ref->has_value());
    QString formatter;
    auto bytes = m_butler->get((*ref)->id(), &formatter);
    VERIFY_OK(bytes);
    QCOMPARE(formatter, QStringLiteral("fits"));
    QVERIFY(bytes->startsWith("SIMPLE  ="));
    // One header block and one data block: what keeps the default repository small.
    QCOMPARE(bytes->size(), 2 * 2880);
    auto cards = FitsImageWriter::readHeader(*bytes);
    VERIFY_OK(cards);
    QVERIFY(findCard(*cards, QStringLiteral("DETECTOR")));
    QCOMPARE(findCard(*cards, QStringLiteral("DETECTOR"))->value.toLongLong(), 94);
    QCOMPARE(findCard(*cards, QStringLiteral("DETNAME"))->value.toString(), QStringLiteral("R22_S11"));
    QCOMPARE(findCard(*cards, QStringLiteral("EXPTIME"))->value.toDouble(),
             exposure.value(QStringLiteral("exposure_time")).toDouble());
    QCOMPARE(findCard(*cards, QStringLiteral("INSTRUME"))->value.toString(), kInstrument);
    QCOMPARE(findCard(*cards, QStringLiteral("FILTER"))->value.toString(),
             exposure.value(QStringLiteral("physical_filter")).toString());
    QCOMPARE(findCard(*cards, QStringLiteral("OBSID"))->value.toString(),
             exposure.value(QStringLiteral("obs_id")).toString());
    QCOMPARE(findCard(*cards, QStringLiteral("RA"))->value.toDouble(),
             exposure.value(QStringLiteral("tracking_ra")).toDouble());
    QVERIFY(findCard(*cards, QStringLiteral("DATE-OBS"))
                ->value.toString()
                .startsWith(QStringLiteral("2025-06-1")));
    int width = 0;
    int height = 0;
    auto pixels = FitsImageWriter::readImage(*bytes, &width, &height);
    VERIFY_OK(pixels);
    QCOMPARE(width, 24);
    QCOMPARE(height, 24);
    // Bias level plus sky: raw counts, not zeros.
    QVERIFY(*std::min_element(pixels->begin(), pixels->end()) > 10000.0f);
}

void TestDemoRepoBuilder::findsRawThroughDefaults()
{
    const qint64 exposureId = m_exposures.last().value(QStringLiteral("id")).toLongLong();
    auto ref = m_butler->findDataset(QStringLiteral("raw"),
                                     {{QStringLiteral("instrument"), kInstrument},
                                      {QStringLiteral("exposure"), exposureId},
                                      {QStringLiteral("detector"), 90}},
                                     {QStringLiteral("LSSTCam/defaults")});
    VERIFY_OK(ref);
    QVERIFY(ref->has_value());
    QCOMPARE((*ref)->run(), QStringLiteral("LSSTCam/raw/all"));
    auto all = datasets(*m_butler, {QStringLiteral("raw")}, {QStringLiteral("LSSTCam/defaults")}, true);
    VERIFY_OK(all);
    QCOMPARE(all->size(), 12 * 9);
}

void TestDemoRepoBuilder::biasDependsOnNight()
{
    auto firstNight = std::find_if(m_exposures.cbegin(), m_exposures.cend(), [](const DimensionRecord& e) {
        return e.value(QStringLiteral("day_obs")).toLongLong() == 20250615;
    });
    auto lastNight = std::find_if(m_exposures.cbegin(), m_exposures.cend(), [](const DimensionRecord& e) {
        return e.value(QStringLiteral("day_obs")).toLongLong() == 20250617;
    });
    QVERIFY(firstNight != m_exposures.cend() && lastNight != m_exposures.cend());
    auto lookup = [&](const DimensionRecord& exposure) {
        return m_butler->findDataset(QStringLiteral("bias"),
                                     {{QStringLiteral("instrument"), kInstrument},
                                      {QStringLiteral("detector"), 94},
                                      {QStringLiteral("exposure"), exposure.value(QStringLiteral("id"))}},
                                     {QStringLiteral("LSSTCam/defaults")});
    };
    auto early = lookup(*firstNight);
    VERIFY_OK(early);
    QVERIFY(early->has_value());
    auto late = lookup(*lastNight);
    VERIFY_OK(late);
    QVERIFY(late->has_value());
    QVERIFY((*early)->id() != (*late)->id());
    QCOMPARE((*early)->run(), QStringLiteral("LSSTCam/calib/bias/20250601"));
    QCOMPARE((*late)->run(), QStringLiteral("LSSTCam/calib/bias/20250616"));
    QCOMPARE((*late)->dataId().value(QStringLiteral("detector")).toLongLong(), 94);
}

void TestDemoRepoBuilder::flatFoundOnEveryNight()
{
    for (const DimensionRecord& exposure : std::as_const(m_exposures)) {
        auto flat = m_butler->findDataset(
            QStringLiteral("flat"),
            {{QStringLiteral("instrument"), kInstrument},
             {QStringLiteral("detector"), 90},
             {QStringLiteral("physical_filter"), exposure.value(QStringLiteral("physical_filter"))},
             {QStringLiteral("exposure"), exposure.value(QStringLiteral("id"))}},
            {QStringLiteral("LSSTCam/calib")});
        VERIFY_OK(flat);
        QVERIFY(flat->has_value());
        QCOMPARE((*flat)->run(), QStringLiteral("LSSTCam/calib/flat/20250601"));
    }
}

void TestDemoRepoBuilder::collections()
{
    struct Expected
    {
        QString name;
        CollectionType type;
        QStringList children;
    };
    const QList<Expected> expected = {
        {QStringLiteral("LSSTCam/defaults"),
         CollectionType::Chained,
         {QStringLiteral("LSSTCam/raw/all"), QStringLiteral("LSSTCam/calib"), QStringLiteral("skymaps")}},
        {QStringLiteral("LSSTCam/runs/DM-00001"),
         CollectionType::Chained,
         {QStringLiteral("LSSTCam/runs/DM-00001/calexp"), QStringLiteral("LSSTCam/runs/DM-00001/coadd")}},
        {QStringLiteral("LSSTCam/calib"), CollectionType::Calibration, {}},
        {QStringLiteral("LSSTCam/tagged/best-seeing"), CollectionType::Tagged, {}},
        {QStringLiteral("LSSTCam/raw/all"), CollectionType::Run, {}},
        {QStringLiteral("skymaps"), CollectionType::Run, {}},
    };
    for (const Expected& e : expected) {
        auto info = m_butler->getCollection(e.name);
        VERIFY_OK(info);
        QCOMPARE(int(info->type), int(e.type));
        QCOMPARE(info->children, e.children);
        QVERIFY2(!info->doc.isEmpty(), qPrintable(e.name));
    }
    auto tagged = datasets(*m_butler, {}, {QStringLiteral("LSSTCam/tagged/best-seeing")});
    VERIFY_OK(tagged);
    QCOMPARE(tagged->size(), m_summary.tagged);
    QVERIFY(!tagged->isEmpty());
    for (const DatasetRef& ref : std::as_const(*tagged)) {
        QCOMPARE(ref.datasetType().name(), QStringLiteral("calexp"));
        QCOMPARE(ref.run(), QStringLiteral("LSSTCam/runs/DM-00001/calexp"));
    }
    auto skyMap = m_butler->findDataset(QStringLiteral("skyMap"),
                                        {{QStringLiteral("skymap"), QStringLiteral("lsst_cells_v1")}},
                                        {QStringLiteral("LSSTCam/defaults")});
    VERIFY_OK(skyMap);
    QVERIFY(skyMap->has_value());
}

void TestDemoRepoBuilder::sameSeedSameRepository()
{
    auto again = makeRepo(m_dir.filePath(QStringLiteral("seed1-again")), 1);
    VERIFY_OK(again);
    auto first = datasets(*m_butler, {}, {QStringLiteral("*")});
    VERIFY_OK(first);
    auto second = datasets(*again->butler, {}, {QStringLiteral("*")});
    VERIFY_OK(second);
    QVERIFY(!first->isEmpty());
    QCOMPARE(sortedIds(*second), sortedIds(*first));

    auto exposures = records(*again->butler, QStringLiteral("exposure"));
    VERIFY_OK(exposures);
    QCOMPARE(exposures->size(), m_exposures.size());
    for (const DimensionRecord& e : std::as_const(*exposures)) {
        auto same = std::find_if(m_exposures.cbegin(), m_exposures.cend(), [&](const DimensionRecord& other) {
            return other.value(QStringLiteral("id")) == e.value(QStringLiteral("id"));
        });
        QVERIFY(same != m_exposures.cend());
        QCOMPARE(e.values(), same->values());
        QCOMPARE(e.timespan(), same->timespan());
    }
    // The same bytes too.
    const DatasetRef& ref = first->first();
    auto bytesFirst = m_butler->get(ref.id());
    VERIFY_OK(bytesFirst);
    auto bytesSecond = again->butler->get(ref.id());
    VERIFY_OK(bytesSecond);
    QCOMPARE(*bytesSecond, *bytesFirst);
}

void TestDemoRepoBuilder::otherSeedOtherPointings()
{
    auto other = makeRepo(m_dir.filePath(QStringLiteral("seed2")), 2);
    VERIFY_OK(other);
    auto exposures = records(*other->butler, QStringLiteral("exposure"));
    VERIFY_OK(exposures);
    QCOMPARE(exposures->size(), m_exposures.size());
    QList<double> mine;
    for (const DimensionRecord& e : std::as_const(m_exposures))
        mine << e.value(QStringLiteral("tracking_ra")).toDouble();
    QList<double> theirs;
    for (const DimensionRecord& e : std::as_const(*exposures))
        theirs << e.value(QStringLiteral("tracking_ra")).toDouble();
    std::sort(mine.begin(), mine.end());
    std::sort(theirs.begin(), theirs.end());
    QVERIFY(mine != theirs);
}

void TestDemoRepoBuilder::refusesFilledRepository()
{
    DemoRepoOptions options;
    options.small = true;
    auto result = DemoRepoBuilder::build(*m_butler, options);
    QVERIFY(!result.ok());
    QCOMPARE(int(result.error().kind()), int(ErrorKind::Conflict));
}

void TestDemoRepoBuilder::rejectsBadNights_data()
{
    QTest::addColumn<int>("nights");
    QTest::newRow("zero") << 0;
    QTest::newRow("negative") << -3;
    QTest::newRow("too many") << 32;
}

void TestDemoRepoBuilder::rejectsBadNights()
{
    QFETCH(int, nights);
    const QString path =
        m_dir.filePath(QStringLiteral("bad-nights-%1").arg(QTest::currentDataTag()).replace(' ', '-'));
    VERIFY_OK(DirectButler::create(path));
    auto butler = DirectButler::open(path);
    VERIFY_OK(butler);
    DemoRepoOptions options;
    options.small = true;
    options.nights = nights;
    auto result = DemoRepoBuilder::build(**butler, options);
    QVERIFY(!result.ok());
    QCOMPARE(int(result.error().kind()), int(ErrorKind::InvalidInput));
    auto collections = (*butler)->queryCollections({});
    VERIFY_OK(collections);
    QVERIFY(collections->isEmpty());
}

QTEST_GUILESS_MAIN(TestDemoRepoBuilder)
#include "tst_demorepobuilder.moc"
