#include "DirectButler.h"
#include "ExportImporter.h"
#include "Registry.h"
#include "TaiTime.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace butler;

Q_DECLARE_METATYPE(butler::TransferMode)
Q_DECLARE_METATYPE(butler::ErrorKind)

namespace {

QString exportPath(const QString& name)
{
    return QStringLiteral(BUTLER_SHARED_DATA "/daf_butler-exports/") + name;
}

qint64 tai(const QString& text)
{
    const Result<qint64> ns = TaiTime::fromIsoTai(text);
    return ns.ok() ? ns.value() : -1;
}

QUuid uuid(const char* text)
{
    return QUuid(QString::fromLatin1(text));
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// The header of a hand-written export; `universe` replaces the universe lines.
QByteArray exportHeader(const QByteArray& universe = "universe_version: 7\nuniverse_namespace: daf_butler\n")
{
    return "description: Butler Data Repository Export\nversion: 1.0.2\n" + universe + "data:\n";
}

} // namespace

// Evaluates the expression once, then fails with its error message.
#define VERIFY_RESULT(expr)                                                                                  \
    do {                                                                                                     \
        const auto& verifiedResult_ = (expr);                                                                \
        QVERIFY2(verifiedResult_.ok(),                                                                       \
                 verifiedResult_.ok() ? "" : qPrintable(verifiedResult_.error().message()));                 \
    } while (false)

class TestExportImporter : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void baseThenDatasets();
    void findFirstThroughChain();
    void reimportChangesNothing();
    void sharedExports_data();
    void sharedExports();
    void ciHscQueries();
    void recordsInAnyFileOrder();
    void calibrationsByTime();
    void taggedAndChainedFromExport();
    void filesAreIngested_data();
    void filesAreIngested();
    void filesRelativeToExportFolder();
    void skipDimensions();
    void formatterLabel_data();
    void formatterLabel();
    void badExportLeavesRepositoryUnchanged_data();
    void badExportLeavesRepositoryUnchanged();
    void statisticsAfterImport_data();
    void statisticsAfterImport();

private:
    // Imports a file of the shared exports; fails the test on error.
    bool importShared(const QString& name, ImportSummary* summary = nullptr);
    Result<ImportSummary> importText(const QByteArray& yaml, const ImportOptions& options = {});
    qsizetype recordCount(const QString& element);
    QList<QUuid> datasetIds(const QString& collection, const QString& where = {},
                            const QVariantMap& bind = {}, const QString& datasetType = {});
    // Everything a query can see, one line per item, for before/after comparisons.
    QStringList snapshot();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DirectButler> m_butler;
};

void TestExportImporter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const QString repo = m_dir->filePath(QStringLiteral("repo"));
    const Status created = DirectButler::create(repo);
    VERIFY_RESULT(created);
    Result<std::unique_ptr<DirectButler>> opened = DirectButler::open(repo);
    VERIFY_RESULT(opened);
    m_butler = std::move(opened).value();
}

void TestExportImporter::cleanup()
{
    m_butler.reset();
    m_dir.reset();
}

bool TestExportImporter::importShared(const QString& name, ImportSummary* summary)
{
    const Result<ImportSummary> result = ExportImporter::importFile(*m_butler, exportPath(name), {});
    if (!result.ok()) {
        qWarning("%s", qPrintable(result.error().message()));
        return false;
    }
    if (summary)
        *summary = result.value();
    return true;
}

Result<ImportSummary> TestExportImporter::importText(const QByteArray& yaml, const ImportOptions& options)
{
    static int counter = 0;
    const QString path = m_dir->filePath(QStringLiteral("export%1.yaml").arg(++counter));
    if (!writeFile(path, yaml))
        return ioError(QStringLiteral("cannot write %1").arg(path));
    return ExportImporter::importFile(*m_butler, path, options);
}

qsizetype TestExportImporter::recordCount(const QString& element)
{
    DimensionRecordQuery query;
    query.element = element;
    const Result<DimensionRecordPage> page = m_butler->queryDimensionRecords(query);
    return page.ok() ? page->records.size() : -1;
}

QList<QUuid> TestExportImporter::datasetIds(const QString& collection, const QString& where,
                                            const QVariantMap& bind, const QString& datasetType)
{
    DatasetQuery query;
    if (!datasetType.isEmpty())
        query.datasetTypes = {datasetType};
    query.collections = {collection};
    query.where = where;
    query.bind = bind;
    const Result<DatasetPage> page = m_butler->queryDatasets(query);
    if (!page.ok()) {
        qWarning("%s", qPrintable(page.error().message()));
        return {};
    }
    QList<QUuid> ids;
    for (const DatasetRef& ref : page->refs)
        ids << ref.id();
    std::sort(ids.begin(), ids.end());
    return ids;
}

QStringList TestExportImporter::snapshot()
{
    QStringList lines;
    const auto json = [](const QJsonObject& object) {
        return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    };
    const Result<QList<CollectionInfo>> collections = m_butler->queryCollections(CollectionQuery());
    if (!collections.ok())
        return {QStringLiteral("error: ") + collections.error().message()};
    QStringList runs;
    for (const CollectionInfo& info : collections.value()) {
        lines << json(info.toJson());
        if (info.type != CollectionType::Chained)
            runs << info.name;
    }
    const Result<QList<DatasetType>> types = m_butler->queryDatasetTypes({});
    if (!types.ok())
        return {QStringLiteral("error: ") + types.error().message()};
    for (const DatasetType& type : types.value())
        lines << json(type.toJson());
    for (const DimensionElement& element : m_butler->universe().elements()) {
        DimensionRecordQuery query;
        query.element = element.name;
        const Result<DimensionRecordPage> page = m_butler->queryDimensionRecords(query);
        if (!page.ok())
            return {QStringLiteral("error: ") + page.error().message()};
        for (const DimensionRecord& record : page->records)
            lines << json(record.toJson());
    }
    for (const QString& collection : std::as_const(runs)) {
        DatasetQuery query;
        query.collections = {collection};
        const Result<DatasetPage> page = m_butler->queryDatasets(query);
        if (!page.ok())
            return {QStringLiteral("error: ") + page.error().message()};
        for (const DatasetRef& ref : page->refs)
            lines << collection + QLatin1Char(' ') + json(ref.toJson());
    }
    lines.sort();
    return lines;
}

void TestExportImporter::baseThenDatasets()
{
    ImportSummary base;
    QVERIFY(importShared(QStringLiteral("base.yaml"), &base));
    QCOMPARE(base.records, 8);
    QCOMPARE(base.datasetTypes, 2);
    QCOMPARE(base.datasets, 0);
    ImportSummary datasets;
    QVERIFY(importShared(QStringLiteral("datasets.yaml"), &datasets));
    QCOMPARE(datasets.collections, 2);
    QCOMPARE(datasets.datasets, 13);
    QCOMPARE(datasets.files, 0); // the paths are placeholders

    QCOMPARE(recordCount(QStringLiteral("instrument")), 1);
    QCOMPARE(recordCount(QStringLiteral("detector")), 4);
    QCOMPARE(recordCount(QStringLiteral("physical_filter")), 3);
    DimensionRecordQuery bands;
    bands.element = QStringLiteral("band");
    const Result<DimensionRecordPage> bandPage = m_butler->queryDimensionRecords(bands);
    VERIFY_RESULT(bandPage);
    QStringList bandNames;
    for (const DimensionRecord& record : bandPage->records)
        bandNames << record.value(QStringLiteral("name")).toString();
    bandNames.sort();
    QCOMPARE(bandNames, QStringList({"g", "r"}));

    DimensionRecordQuery detector;
    detector.element = QStringLiteral("detector");
    detector.where = QStringLiteral("detector = 4");
    const Result<DimensionRecordPage> detectorPage = m_butler->queryDimensionRecords(detector);
    VERIFY_RESULT(detectorPage);
    QCOMPARE(detectorPage->records.size(), 1);
    QCOMPARE(detectorPage->records.first().value(QStringLiteral("full_name")).toString(),
             QStringLiteral("Bb"));
    QCOMPARE(detectorPage->records.first().value(QStringLiteral("purpose")).toString(),
             QStringLiteral("WAVEFRONT"));

    for (const QString& name : {QStringLiteral("bias"), QStringLiteral("flat")}) {
        const Result<DatasetType> type = m_butler->getDatasetType(name);
        VERIFY_RESULT(type);
        QVERIFY(type->isCalibration());
        QCOMPARE(type->storageClass(), QStringLiteral("Exposure"));
    }
    QCOMPARE(m_butler->getDatasetType(QStringLiteral("flat"))->dimensions().required(),
             QStringList({"instrument", "physical_filter", "detector"}));

    for (const QString& run : {QStringLiteral("imported_g"), QStringLiteral("imported_r")}) {
        const Result<CollectionInfo> info = m_butler->getCollection(run);
        VERIFY_RESULT(info);
        QCOMPARE(info->type, CollectionType::Run);
    }
    QList<QUuid> expectedG{
        uuid("e15ab039-bc8b-4135-87c5-90902a7c0b22"), uuid("51352db4-a47a-447c-b12d-a50b206b17cd"),
        uuid("e06b6f3c-5b3e-46d0-bdde-4ef972301116"), uuid("60c8a65c-7290-4c38-b1de-e3b1cdcf872d"),
        uuid("84239e7f-c41f-46d5-97b9-a27976b98ceb"), uuid("fd51bce1-2848-49d6-a378-f8a122f5139a")};
    QList<QUuid> expectedR{
        uuid("87f3e68d-258d-41b7-8ea5-edf3557ccb30"), uuid("dc0ef017-dc94-4118-b431-d65b1ef89a5f"),
        uuid("e255067d-dcc5-4f39-9824-0baa5817d3e5"), uuid("d0bb04cd-d697-4a83-ba53-cdfcd58e3a0c"),
        uuid("c1296796-56c5-4acf-9b49-40d920c6f840"), uuid("393972aa-57ab-41c2-b3bc-03541ca6bc6e"),
        uuid("37185f04-1cea-4ddd-a065-a5e0be9e19de")};
    std::sort(expectedG.begin(), expectedG.end());
    std::sort(expectedR.begin(), expectedR.end());
    QCOMPARE(datasetIds(QStringLiteral("imported_g")), expectedG);
    QCOMPARE(datasetIds(QStringLiteral("imported_r")), expectedR);

    // A data ID that gave implied values (band) keeps them consistent with the records.
    const Result<DatasetRef> flat = m_butler->getDataset(uuid("393972aa-57ab-41c2-b3bc-03541ca6bc6e"));
    VERIFY_RESULT(flat);
    QCOMPARE(flat->datasetType().name(), QStringLiteral("flat"));
    QCOMPARE(flat->run(), QStringLiteral("imported_r"));
    QCOMPARE(flat->dataId().value(QStringLiteral("physical_filter")).toString(), QStringLiteral("Cam1-R2"));
    QCOMPARE(flat->dataId().value(QStringLiteral("band")).toString(), QStringLiteral("r"));
    QCOMPARE(flat->dataId().value(QStringLiteral("detector")).toLongLong(), 3);
}

void TestExportImporter::findFirstThroughChain()
{
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    QVERIFY(importShared(QStringLiteral("datasets.yaml")));
    const QVariantMap dataId{{"instrument", QStringLiteral("Cam1")}, {"detector", 2}};

    const auto find = [&](const QStringList& collections) -> QUuid {
        const Result<std::optional<DatasetRef>> ref =
            m_butler->findDataset(QStringLiteral("bias"), dataId, collections);
        if (!ref.ok()) {
            qWarning("%s", qPrintable(ref.error().message()));
            return {};
        }
        return ref.value() ? ref.value()->id() : QUuid();
    };
    QCOMPARE(find({"imported_g"}), uuid("51352db4-a47a-447c-b12d-a50b206b17cd"));
    QCOMPARE(find({"imported_r", "imported_g"}), uuid("87f3e68d-258d-41b7-8ea5-edf3557ccb30"));
    QCOMPARE(find({"imported_g", "imported_r"}), uuid("51352db4-a47a-447c-b12d-a50b206b17cd"));

    VERIFY_RESULT(m_butler->setCollectionChain(QStringLiteral("Cam1/defaults"), {"imported_r", "imported_g"},
                                               ChainMode::Redefine));
    const Result<CollectionInfo> chain = m_butler->getCollection(QStringLiteral("Cam1/defaults"));
    VERIFY_RESULT(chain);
    QCOMPARE(chain->type, CollectionType::Chained);
    QCOMPARE(chain->children, QStringList({"imported_r", "imported_g"}));
    QCOMPARE(find({"Cam1/defaults"}), uuid("87f3e68d-258d-41b7-8ea5-edf3557ccb30"));
    // Detector 1 has a bias only in imported_g: the search falls through to it.
    const Result<std::optional<DatasetRef>> fallThrough = m_butler->findDataset(
        QStringLiteral("bias"), {{"instrument", QStringLiteral("Cam1")}, {"detector", 1}}, {"Cam1/defaults"});
    VERIFY_RESULT(fallThrough);
    QVERIFY(fallThrough.value().has_value());
    QCOMPARE(fallThrough.value()->id(), uuid("e15ab039-bc8b-4135-87c5-90902a7c0b22"));
}

void TestExportImporter::reimportChangesNothing()
{
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    QVERIFY(importShared(QStringLiteral("datasets.yaml")));
    const QStringList before = snapshot();
    ImportSummary again;
    QVERIFY(importShared(QStringLiteral("base.yaml"), &again));
    QVERIFY(importShared(QStringLiteral("datasets.yaml"), &again));
    QCOMPARE(again.datasets, 0);
    QCOMPARE(snapshot(), before);
}

void TestExportImporter::sharedExports_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QVariantMap>("records");  // element -> count
    QTest::addColumn<qint64>("datasets");      // in the last file
    QTest::addColumn<QString>("timedElement"); // a record with a known timespan
    QTest::addColumn<QString>("timedWhere");
    QTest::addColumn<QString>("begin"); // TAI
    QTest::addColumn<QString>("end");

    QTest::newRow("ci_hsc-subset") << QStringList{"ci_hsc-subset.yaml"}
                                   << QVariantMap{{"instrument", 1},
                                                  {"day_obs", 2},
                                                  {"detector", 16},
                                                  {"physical_filter", 2},
                                                  {"visit", 11},
                                                  {"band", 2},
                                                  {"visit_detector_region", 33}}
                                   << qint64(33) << "visit"
                                   << "visit = 903334"
                                   << "2013-06-17 13:29:11.039000000"
                                   << "2013-06-17 13:29:43.495000000";
    QTest::newRow("ci_hsc-subset-skymap")
        << QStringList{"ci_hsc-subset.yaml", "ci_hsc-subset-skymap.yaml"}
        << QVariantMap{{"skymap", 1}, {"tract", 1}, {"visit", 11}} << qint64(1) << "day_obs"
        << "day_obs = 20131102"
        << "2013-11-02 00:00:00.000000000"
        << "2013-11-03 00:00:00.000000000";
    QTest::newRow("lsstcam-subset") << QStringList{"lsstcam-subset.yaml"}
                                    << QVariantMap{{"instrument", 1},
                                                   {"day_obs", 1},
                                                   {"detector", 2},
                                                   {"group", 2},
                                                   {"physical_filter", 1},
                                                   {"visit_system", 2},
                                                   {"exposure", 2},
                                                   {"visit", 2},
                                                   {"visit_definition", 2},
                                                   {"visit_detector_region", 4},
                                                   {"visit_system_membership", 4}}
                                    << qint64(0) << "exposure"
                                    << "exposure = 2025120200439"
                                    << "2025-12-03 07:59:07.425363958"
                                    << "2025-12-03 07:59:38.355000000";
    // spatial.yaml uses Cam1 and its filters and detectors from base.yaml.
    QTest::newRow("spatial") << QStringList{"base.yaml", "spatial.yaml"}
                             << QVariantMap{{"instrument", 1},
                                            {"detector", 4},
                                            {"day_obs", 1},
                                            {"visit", 2},
                                            {"visit_detector_region", 8},
                                            {"skymap", 1},
                                            {"tract", 2},
                                            {"patch", 12}}
                             << qint64(0) << "visit"
                             << "visit = 2"
                             << "2021-09-09 03:02:00.000000000"
                             << "2021-09-09 03:03:00.000000000";
}

void TestExportImporter::sharedExports()
{
    QFETCH(QStringList, files);
    QFETCH(QVariantMap, records);
    QFETCH(qint64, datasets);
    QFETCH(QString, timedElement);
    QFETCH(QString, timedWhere);
    QFETCH(QString, begin);
    QFETCH(QString, end);

    ImportSummary summary;
    for (const QString& file : std::as_const(files))
        QVERIFY(importShared(file, &summary));
    QCOMPARE(summary.datasets, datasets);
    for (auto it = records.constBegin(); it != records.constEnd(); ++it)
        QVERIFY2(recordCount(it.key()) == it.value().toLongLong(),
                 qPrintable(QStringLiteral("%1: %2 records, expected %3")
                                .arg(it.key())
                                .arg(recordCount(it.key()))
                                .arg(it.value().toLongLong())));

    DimensionRecordQuery query;
    query.element = timedElement;
    query.where = timedWhere;
    const Result<DimensionRecordPage> page = m_butler->queryDimensionRecords(query);
    VERIFY_RESULT(page);
    QCOMPARE(page->records.size(), 1);
    const std::optional<Timespan> timespan = page->records.first().timespan();
    QVERIFY(timespan.has_value());
    QCOMPARE(*timespan, Timespan(tai(begin), tai(end)));
}

void TestExportImporter::ciHscQueries()
{
    QVERIFY(importShared(QStringLiteral("ci_hsc-subset.yaml")));
    QVERIFY(importShared(QStringLiteral("ci_hsc-subset-skymap.yaml")));
    const QString run = QStringLiteral("HSC/runs/ci_hsc/20240806T180642Z");
    QCOMPARE(datasetIds(run).size(), 33);

    QList<QUuid> expected{uuid("1b3a4c19-dffa-4942-af1d-b123a1497a00"),
                          uuid("ae4cae3d-780e-422c-bf12-b21627f38f47")};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(datasetIds(run, QStringLiteral("visit = 903334 AND detector IN (22, 23)"), {},
                        QStringLiteral("calexp")),
             expected);

    expected = {uuid("5633a452-5bd6-4feb-8672-399afe8d2d8a"), uuid("585fe50e-14f4-4df0-b75c-ab5c7c8fbd9c"),
                uuid("240c31ea-001b-497d-8673-1166b149981f")};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(datasetIds(run, QStringLiteral("visit = :visit"), {{"visit", 904014}}, QStringLiteral("calexp")),
             expected);
    QCOMPARE(
        datasetIds(run, QStringLiteral("band = 'i' AND detector = 100"), {}, QStringLiteral("calexp")).size(),
        2); // visits 903986, 904010

    // The data ID's implied values come from the imported visit record.
    const Result<DatasetRef> ref = m_butler->getDataset(uuid("240c31ea-001b-497d-8673-1166b149981f"));
    VERIFY_RESULT(ref);
    QCOMPARE(ref->dataId().value(QStringLiteral("physical_filter")).toString(), QStringLiteral("HSC-I"));
    QCOMPARE(ref->dataId().value(QStringLiteral("day_obs")).toLongLong(), 20131102);

    const Result<std::optional<DatasetRef>> skyMap = m_butler->findDataset(
        QStringLiteral("skyMap"), {{"skymap", QStringLiteral("discrete/ci_hsc")}}, {"skymaps"});
    VERIFY_RESULT(skyMap);
    QVERIFY(skyMap.value().has_value());
    QCOMPARE(skyMap.value()->id(), uuid("557e15c6-0529-4fc9-998b-b90a4750315e"));
    DimensionRecordQuery tract;
    tract.element = QStringLiteral("tract");
    const Result<DimensionRecordPage> tracts = m_butler->queryDimensionRecords(tract);
    VERIFY_RESULT(tracts);
    QCOMPARE(tracts->records.size(), 1);
    QVERIFY(!tracts->records.first().region().isEmpty());
}

void TestExportImporter::recordsInAnyFileOrder()
{
    // Visits before the instrument, filter and day they refer to.
    const QByteArray yaml = exportHeader() + R"(- type: dimension
  element: visit
  records:
  - instrument: Tiny
    id: 7
    day_obs: 20240101
    physical_filter: Tiny-V
    name: v7
    datetime_begin: !butler_time/tai/iso '2024-01-01 01:00:00.000000000'
    datetime_end: !butler_time/tai/iso '2024-01-01 01:00:30.000000000'
- type: dimension
  element: day_obs
  records:
  - instrument: Tiny
    id: 20240101
- type: dimension
  element: physical_filter
  records:
  - instrument: Tiny
    name: Tiny-V
    band: V
- type: dimension
  element: instrument
  records:
  - name: Tiny
    detector_max: 2
)";
    const Result<ImportSummary> summary = importText(yaml);
    VERIFY_RESULT(summary);
    QCOMPARE(summary->records, 4);
    QCOMPARE(recordCount(QStringLiteral("visit")), 1);
    DimensionRecordQuery query;
    query.element = QStringLiteral("visit");
    const Result<DimensionRecordPage> page = m_butler->queryDimensionRecords(query);
    VERIFY_RESULT(page);
    const DimensionRecord& visit = page->records.first();
    QCOMPARE(visit.value(QStringLiteral("name")).toString(), QStringLiteral("v7"));
    // Fields the export leaves out are null.
    QVERIFY(visit.value(QStringLiteral("exposure_time")).isNull());
    QCOMPARE(visit.timespan(), std::optional<Timespan>(Timespan(tai(QStringLiteral("2024-01-01 01:00:00")),
                                                                tai(QStringLiteral("2024-01-01 01:00:30")))));
}

void TestExportImporter::calibrationsByTime()
{
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    QVERIFY(importShared(QStringLiteral("datasets.yaml")));
    const QByteArray yaml = exportHeader() + R"(- type: collection
  collection_type: CALIBRATION
  name: Cam1/calib
  doc: Biases certified from the imported runs.
- type: associations
  collection: Cam1/calib
  collection_type: CALIBRATION
  validity_ranges:
  - timespan: !lsst.daf.butler.Timespan
      begin: !butler_time/tai/iso '2020-01-01 00:00:00.000000000'
      end: !butler_time/tai/iso '2021-01-01 00:00:00.000000000'
    dataset_ids:
    - !uuid e15ab039-bc8b-4135-87c5-90902a7c0b22
    - !uuid 51352db4-a47a-447c-b12d-a50b206b17cd
    - !uuid e06b6f3c-5b3e-46d0-bdde-4ef972301116
  - begin: !butler_time/tai/iso '2021-01-01 00:00:00.000000000'
    end: null
    dataset_ids:
    - !uuid 87f3e68d-258d-41b7-8ea5-edf3557ccb30
    - !uuid dc0ef017-dc94-4118-b431-d65b1ef89a5f
    - !uuid e255067d-dcc5-4f39-9824-0baa5817d3e5
)";
    const Result<ImportSummary> summary = importText(yaml);
    VERIFY_RESULT(summary);
    QCOMPARE(summary->associations, 6);
    const Result<CollectionInfo> calib = m_butler->getCollection(QStringLiteral("Cam1/calib"));
    VERIFY_RESULT(calib);
    QCOMPARE(calib->type, CollectionType::Calibration);
    QCOMPARE(calib->doc, QStringLiteral("Biases certified from the imported runs."));

    const auto find = [&](int detector, const QString& when) -> QUuid {
        const Result<std::optional<DatasetRef>> ref = m_butler->findDataset(
            QStringLiteral("bias"), {{"instrument", QStringLiteral("Cam1")}, {"detector", detector}},
            {"Cam1/calib"}, tai(when));
        if (!ref.ok()) {
            qWarning("%s", qPrintable(ref.error().message()));
            return uuid("00000000-0000-0000-0000-0000000000ff");
        }
        return ref.value() ? ref.value()->id() : QUuid();
    };
    QCOMPARE(find(2, QStringLiteral("2020-06-01 00:00:00")), uuid("51352db4-a47a-447c-b12d-a50b206b17cd"));
    QCOMPARE(find(2, QStringLiteral("2023-06-01 00:00:00")), uuid("87f3e68d-258d-41b7-8ea5-edf3557ccb30"));
    QCOMPARE(find(2, QStringLiteral("2021-01-01 00:00:00")), uuid("87f3e68d-258d-41b7-8ea5-edf3557ccb30"));
    QCOMPARE(find(2, QStringLiteral("2020-12-31 23:59:59")), uuid("51352db4-a47a-447c-b12d-a50b206b17cd"));
    QCOMPARE(find(2, QStringLiteral("2019-06-01 00:00:00")), QUuid());
    QCOMPARE(find(1, QStringLiteral("2023-06-01 00:00:00")), QUuid()); // imported_r has no detector 1 bias
    QCOMPARE(find(4, QStringLiteral("2023-06-01 00:00:00")), uuid("e255067d-dcc5-4f39-9824-0baa5817d3e5"));
}

void TestExportImporter::taggedAndChainedFromExport()
{
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    QVERIFY(importShared(QStringLiteral("datasets.yaml")));
    // The outer chain comes first in the file but refers to the inner one.
    const QByteArray yaml = exportHeader() + R"(- type: collection
  collection_type: CHAINED
  name: outer
  children: [inner]
- type: collection
  collection_type: CHAINED
  name: inner
  children: [best, imported_r, imported_g]
  doc: best first
- type: collection
  collection_type: TAGGED
  name: best
- type: associations
  collection: best
  collection_type: TAGGED
  dataset_ids:
  - !uuid 51352db4-a47a-447c-b12d-a50b206b17cd
  - !uuid e255067d-dcc5-4f39-9824-0baa5817d3e5
)";
    const Result<ImportSummary> summary = importText(yaml);
    VERIFY_RESULT(summary);
    QCOMPARE(summary->collections, 3);
    QCOMPARE(summary->associations, 2);
    const Result<CollectionInfo> inner = m_butler->getCollection(QStringLiteral("inner"));
    VERIFY_RESULT(inner);
    QCOMPARE(inner->children, QStringList({"best", "imported_r", "imported_g"}));
    QCOMPARE(inner->doc, QStringLiteral("best first"));
    QCOMPARE(m_butler->getCollection(QStringLiteral("outer"))->children, QStringList({"inner"}));

    QList<QUuid> tagged{uuid("51352db4-a47a-447c-b12d-a50b206b17cd"),
                        uuid("e255067d-dcc5-4f39-9824-0baa5817d3e5")};
    std::sort(tagged.begin(), tagged.end());
    QCOMPARE(datasetIds(QStringLiteral("best")), tagged);
    const Result<std::optional<DatasetRef>> ref = m_butler->findDataset(
        QStringLiteral("bias"), {{"instrument", QStringLiteral("Cam1")}, {"detector", 2}}, {"outer"});
    VERIFY_RESULT(ref);
    QVERIFY(ref.value().has_value());
    QCOMPARE(ref.value()->id(), uuid("51352db4-a47a-447c-b12d-a50b206b17cd"));
}

void TestExportImporter::filesAreIngested_data()
{
    QTest::addColumn<TransferMode>("mode");
    QTest::newRow("copy") << TransferMode::Copy;
    QTest::newRow("symlink") << TransferMode::Symlink;
    QTest::newRow("direct") << TransferMode::Direct;
}

void TestExportImporter::filesAreIngested()
{
    QFETCH(TransferMode, mode);
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    const QString source = m_dir->filePath(QStringLiteral("exported"));
    const QByteArray json = R"({"value": 42})";
    const QByteArray fits = QByteArray("SIMPLE  =                    T") + QByteArray(2850, ' ');
    QVERIFY(writeFile(source + QStringLiteral("/run1/bias/bias_1.fits"), fits));
    QVERIFY(writeFile(source + QStringLiteral("/run1/summary/summary_2.json"), json));
    const QByteArray yaml = exportHeader() + R"(- type: collection
  collection_type: RUN
  name: run1
- type: dataset_type
  name: summary
  dimensions: [instrument, detector]
  storage_class: StructuredDataDict
  is_calibration: false
- type: dataset
  dataset_type: bias
  run: run1
  records:
  - dataset_id: [!uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c000001]
    data_id: [{instrument: Cam1, detector: 1}]
    path: run1/bias/bias_1.fits
    formatter: lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter
  - dataset_id: [!uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c000003]
    data_id: [{instrument: Cam1, detector: 3}]
    path: run1/bias/missing.fits
- type: dataset
  dataset_type: summary
  run: run1
  records:
  - dataset_id: [!uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c000002]
    data_id: [{instrument: Cam1, detector: 2}]
    path: run1/summary/summary_2.json
    formatter: lsst.daf.butler.formatters.json.JsonFormatter
)";
    QList<std::pair<qint64, qint64>> progress;
    ImportOptions options;
    options.directory = source;
    options.transfer = mode;
    options.progress = [&](qint64 done, qint64 total) { progress.append({done, total}); };
    const Result<ImportSummary> summary = importText(yaml, options);
    VERIFY_RESULT(summary);
    QCOMPARE(summary->datasets, 3);
    QCOMPARE(summary->files, 2);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.first(), std::make_pair(qint64(0), qint64(3)));
    QCOMPARE(progress.last(), std::make_pair(qint64(3), qint64(3)));
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress[i].first >= progress[i - 1].first);

    QString formatter;
    const Result<QByteArray> fitsBytes =
        m_butler->get(uuid("0b5f7a39-2a56-4d3c-9a3e-6f1a2c000001"), &formatter);
    VERIFY_RESULT(fitsBytes);
    QCOMPARE(fitsBytes.value(), fits);
    QCOMPARE(formatter, QStringLiteral("fits"));
    const Result<QByteArray> jsonBytes =
        m_butler->get(uuid("0b5f7a39-2a56-4d3c-9a3e-6f1a2c000002"), &formatter);
    VERIFY_RESULT(jsonBytes);
    QCOMPARE(jsonBytes.value(), json);
    QCOMPARE(formatter, QStringLiteral("json"));
    // The dataset whose file was absent is registered without one.
    VERIFY_RESULT(m_butler->getDataset(uuid("0b5f7a39-2a56-4d3c-9a3e-6f1a2c000003")));
    QVERIFY(!m_butler->get(uuid("0b5f7a39-2a56-4d3c-9a3e-6f1a2c000003")).ok());
    // Copy, symlink and direct leave the exported files where they were.
    QVERIFY(QFileInfo::exists(source + QStringLiteral("/run1/bias/bias_1.fits")));
}

void TestExportImporter::filesRelativeToExportFolder()
{
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    const QString folder = m_dir->filePath(QStringLiteral("bundle"));
    QVERIFY(writeFile(folder + QStringLiteral("/files/raw_4.dat"), "raw bytes"));
    const QByteArray yaml = exportHeader() + R"(- type: run
  name: raws
- type: dataset_type
  name: rawish
  dimensions: [instrument, detector]
  storage_class: Blob
  is_calibration: false
- type: dataset
  dataset_type: rawish
  run: raws
  records:
  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c000004
    data_id: {instrument: Cam1, detector: 4}
    path: files/raw_4.dat
)";
    const QString path = folder + QStringLiteral("/export.yaml");
    QVERIFY(writeFile(path, yaml));
    const Result<ImportSummary> summary = ExportImporter::importFile(*m_butler, path, {});
    VERIFY_RESULT(summary);
    QCOMPARE(summary->files, 1);
    QString formatter;
    const Result<QByteArray> bytes = m_butler->get(uuid("0b5f7a39-2a56-4d3c-9a3e-6f1a2c000004"), &formatter);
    VERIFY_RESULT(bytes);
    QCOMPARE(bytes.value(), QByteArray("raw bytes"));
    QCOMPARE(formatter, QStringLiteral("bytes"));
}

void TestExportImporter::skipDimensions()
{
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    ImportOptions options;
    options.skipDimensions = true;
    // spatial.yaml's visits are not in the repository, so without its records nothing refers to
    // them; its records are simply left out.
    Result<ImportSummary> summary =
        ExportImporter::importFile(*m_butler, exportPath(QStringLiteral("spatial.yaml")), options);
    VERIFY_RESULT(summary);
    QCOMPARE(summary->records, 0);
    QCOMPARE(recordCount(QStringLiteral("visit")), 0);

    // A dataset needing a record that only the skipped part of the export has.
    const QByteArray yaml = exportHeader() + R"(- type: dimension
  element: detector
  records:
  - {instrument: Cam1, id: 9, full_name: Cc}
- type: run
  name: r
- type: dataset
  dataset_type: bias
  run: r
  records:
  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c000009
    data_id: {instrument: Cam1, detector: 9}
)";
    const QStringList before = snapshot();
    summary = importText(yaml, options);
    QVERIFY(!summary.ok());
    QCOMPARE(summary.error().kind(), ErrorKind::NotFound);
    QVERIFY2(summary.error().message().contains(QLatin1String("detector {instrument: 'Cam1', detector: 9}")),
             qPrintable(summary.error().message()));
    QVERIFY2(summary.error().message().contains(QLatin1String("skipped")),
             qPrintable(summary.error().message()));
    QCOMPARE(snapshot(), before);
    // Without skipping, the same export imports.
    summary = importText(yaml);
    VERIFY_RESULT(summary);
    QCOMPARE(summary->datasets, 1);
}

void TestExportImporter::formatterLabel_data()
{
    QTest::addColumn<QString>("formatterClass");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("label");
    QTest::newRow("fits class") << "lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter"
                                << "a/b.dat"
                                << "fits";
    QTest::newRow("fits generic") << "lsst.obs.base.formatters.fitsGeneric.FitsGenericFormatter"
                                  << "x"
                                  << "fits";
    QTest::newRow("json class") << "lsst.daf.butler.formatters.json.JsonFormatter"
                                << "a/b"
                                << "json";
    QTest::newRow("yaml class") << "lsst.daf.butler.formatters.yaml.YamlFormatter"
                                << "a/b"
                                << "yaml";
    QTest::newRow("parquet class") << "lsst.daf.butler.formatters.parquet.ParquetFormatter"
                                   << "a/b"
                                   << "parquet";
    QTest::newRow("pickle class") << "lsst.daf.butler.formatters.pickle.PickleFormatter"
                                  << "a/b"
                                  << "pickle";
    // The package path says "formatters.fitsExposure" but only the class name counts.
    QTest::newRow("class over package") << "lsst.fits.things.PexConfigFormatter"
                                        << "config.py"
                                        << "bytes";
    QTest::newRow("fz extension") << ""
                                  << "raw/x.fits.fz"
                                  << "fits";
    QTest::newRow("fits extension") << "lsst.obs.base.SomethingFormatter"
                                    << "x.fits"
                                    << "fits";
    QTest::newRow("json extension") << ""
                                    << "x.json"
                                    << "json";
    QTest::newRow("yaml extension") << ""
                                    << "x.yaml"
                                    << "yaml";
    QTest::newRow("parq extension") << ""
                                    << "x.parq"
                                    << "parquet";
    QTest::newRow("parquet extension") << ""
                                       << "x.parquet"
                                       << "parquet";
    QTest::newRow("csv extension") << ""
                                   << "x.csv"
                                   << "csv";
    QTest::newRow("png extension") << "lsst.daf.butler.formatters.matplotlib.MatplotlibFormatter"
                                   << "plot.png"
                                   << "png";
    QTest::newRow("pickle extension") << ""
                                      << "x.pickle"
                                      << "pickle";
    QTest::newRow("other") << ""
                           << "x.bin"
                           << "bytes";
}

void TestExportImporter::formatterLabel()
{
    QFETCH(QString, formatterClass);
    QFETCH(QString, path);
    QFETCH(QString, label);
    QCOMPARE(ExportImporter::formatterLabel(formatterClass, path), label);
}

void TestExportImporter::badExportLeavesRepositoryUnchanged_data()
{
    QTest::addColumn<QByteArray>("universe");
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<ErrorKind>("kind");
    QTest::addColumn<QString>("message");

    const QByteArray v7 = "universe_version: 7\nuniverse_namespace: daf_butler\n";
    QTest::newRow("bad YAML") << v7 << QByteArray("- type: dimension\n  element: [detector\n")
                              << ErrorKind::InvalidInput << "";
    QTest::newRow("unknown element")
        << v7 << QByteArray("- type: dimension\n  element: flavour\n  records:\n  - {name: x}\n")
        << ErrorKind::InvalidInput << "unknown dimension element 'flavour'";
    QTest::newRow("field the universe lacks")
        << QByteArray("universe_version: 8\n")
        << QByteArray("- type: dimension\n  element: detector\n  records:\n"
                      "  - {instrument: Cam1, id: 6, full_name: Cb, colour: blue}\n")
        << ErrorKind::InvalidInput << "has no field 'colour'";
    QTest::newRow("wrong namespace") << QByteArray(
                                            "universe_version: 7\nuniverse_namespace: other_universe\n")
                                     << QByteArray() << ErrorKind::InvalidInput << "'other_universe'";
    QTest::newRow("incompatible version")
        << QByteArray("universe_version: 3\nuniverse_namespace: daf_butler\n") << QByteArray()
        << ErrorKind::InvalidInput << "version 3";
    QTest::newRow("newer version") << QByteArray("universe_version: 9\n") << QByteArray()
                                   << ErrorKind::InvalidInput << "versions 6, 7, 8";
    QTest::newRow("dataset of unregistered type")
        << v7
        << QByteArray("- type: dataset\n  dataset_type: dark\n  run: newrun\n  records:\n"
                      "  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000d1\n"
                      "    data_id: {instrument: Cam1, detector: 1}\n")
        << ErrorKind::NotFound << "dataset type 'dark' is neither defined in the export nor registered";
    QTest::newRow("dataset type with unknown dimension")
        << v7
        << QByteArray("- type: dataset_type\n  name: odd\n  dimensions: [instrument, flavour]\n"
                      "  storage_class: X\n")
        << ErrorKind::InvalidInput << "flavour";
    QTest::newRow("dataset type differs from registered")
        << v7
        << QByteArray(
               "- type: dataset_type\n  name: bias\n  dimensions: [instrument]\n  storage_class: Exposure\n")
        << ErrorKind::Conflict << "dataset type 'bias' is registered with";
    QTest::newRow("run nowhere") << v7
                                 << QByteArray(
                                        "- type: dataset\n  dataset_type: bias\n  run: nowhere\n  records:\n"
                                        "  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000d2\n"
                                        "    data_id: {instrument: Cam1, detector: 1}\n")
                                 << ErrorKind::NotFound
                                 << "run 'nowhere' is neither in the export nor in the repository";
    QTest::newRow("missing detector")
        << v7
        << QByteArray("- type: dataset\n  dataset_type: bias\n  run: newrun\n  records:\n"
                      "  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000d3\n"
                      "    data_id: {instrument: Cam1, detector: 42}\n")
        << ErrorKind::NotFound << "detector {instrument: 'Cam1', detector: 42}";
    QTest::newRow("record of missing instrument")
        << v7
        << QByteArray("- type: dimension\n  element: physical_filter\n  records:\n"
                      "  - {instrument: Nope, name: Nope-G, band: g}\n")
        << ErrorKind::NotFound << "instrument {instrument: 'Nope'}";
    QTest::newRow("incomplete data ID")
        << v7
        << QByteArray("- type: dataset\n  dataset_type: bias\n  run: newrun\n  records:\n"
                      "  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000d4\n"
                      "    data_id: {instrument: Cam1}\n")
        << ErrorKind::InvalidInput << "detector";
    QTest::newRow("same data ID twice")
        << v7
        << QByteArray("- type: dataset\n  dataset_type: bias\n  run: newrun\n  records:\n"
                      "  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000d5\n"
                      "    data_id: {instrument: Cam1, detector: 5}\n")
        << ErrorKind::Conflict << "two bias datasets";
    QTest::newRow("chain over unknown child")
        << v7
        << QByteArray(
               "- type: collection\n  collection_type: CHAINED\n  name: c\n  children: [newrun, ghost]\n")
        << ErrorKind::NotFound << "'ghost'";
    QTest::newRow("chain cycle")
        << v7
        << QByteArray("- type: collection\n  collection_type: CHAINED\n  name: c1\n  children: [c2]\n"
                      "- type: collection\n  collection_type: CHAINED\n  name: c2\n  children: [c1]\n")
        << ErrorKind::InvalidInput << "includes itself";
    QTest::newRow("collection type clash")
        << v7 << QByteArray("- type: collection\n  collection_type: TAGGED\n  name: imported_g\n")
        << ErrorKind::Conflict << "already exists as a RUN collection";
    QTest::newRow("certify a non-calibration")
        << v7
        << QByteArray(
               "- type: collection\n  collection_type: CALIBRATION\n  name: cal\n"
               "- type: associations\n  collection: cal\n  collection_type: CALIBRATION\n  validity_ranges:\n"
               "  - begin: null\n    end: null\n    dataset_ids: [!uuid "
               "0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000c1]\n")
        << ErrorKind::InvalidInput << "not a calibration dataset type";
    QTest::newRow("overlapping certifications")
        << v7
        << QByteArray(
               "- type: collection\n  collection_type: CALIBRATION\n  name: cal\n"
               "- type: associations\n  collection: cal\n  collection_type: CALIBRATION\n  validity_ranges:\n"
               "  - begin: !butler_time/tai/iso '2020-01-01 00:00:00'\n    end: null\n"
               "    dataset_ids: [!uuid 51352db4-a47a-447c-b12d-a50b206b17cd]\n"
               "  - begin: !butler_time/tai/iso '2021-01-01 00:00:00'\n    end: null\n"
               "    dataset_ids: [!uuid 87f3e68d-258d-41b7-8ea5-edf3557ccb30]\n")
        << ErrorKind::Conflict << "overlap";
    QTest::newRow("association of unknown dataset")
        << v7
        << QByteArray("- type: collection\n  collection_type: TAGGED\n  name: t\n"
                      "- type: associations\n  collection: t\n  collection_type: TAGGED\n"
                      "  dataset_ids: [!uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000ee]\n")
        << ErrorKind::NotFound << "0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000ee";
    QTest::newRow("dataset changed since export")
        << v7
        << QByteArray("- type: dataset\n  dataset_type: bias\n  run: imported_g\n  records:\n"
                      "  - dataset_id: !uuid e15ab039-bc8b-4135-87c5-90902a7c0b22\n"
                      "    data_id: {instrument: Cam1, detector: 4}\n")
        << ErrorKind::Conflict << "already exists in 'imported_g'";
}

void TestExportImporter::badExportLeavesRepositoryUnchanged()
{
    QFETCH(QByteArray, universe);
    QFETCH(QByteArray, tail);
    QFETCH(ErrorKind, kind);
    QFETCH(QString, message);

    QVERIFY(importShared(QStringLiteral("base.yaml")));
    QVERIFY(importShared(QStringLiteral("datasets.yaml")));
    const QStringList before = snapshot();
    QVERIFY(!before.isEmpty());
    QVERIFY(!before.first().startsWith(QLatin1String("error: ")));

    // Valid content of every kind ahead of the fault: none of it may be written.
    const QByteArray valid = R"(- type: dimension
  element: detector
  records:
  - {instrument: Cam1, id: 5, full_name: Ca, purpose: SCIENCE}
- type: dimension
  element: physical_filter
  records:
  - {instrument: Cam1, name: Cam1-I, band: i}
- type: dataset_type
  name: summary
  dimensions: [instrument, detector]
  storage_class: StructuredDataDict
  is_calibration: false
- type: collection
  collection_type: RUN
  name: newrun
- type: collection
  collection_type: TAGGED
  name: newtag
- type: dataset
  dataset_type: bias
  run: newrun
  records:
  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000a1
    data_id: {instrument: Cam1, detector: 5}
- type: dataset
  dataset_type: summary
  run: newrun
  records:
  - dataset_id: !uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000c1
    data_id: {instrument: Cam1, detector: 1}
- type: associations
  collection: newtag
  collection_type: TAGGED
  dataset_ids: [!uuid 0b5f7a39-2a56-4d3c-9a3e-6f1a2c0000a1]
)";
    const Result<ImportSummary> result = importText(exportHeader(universe) + valid + tail);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind(), kind);
    QVERIFY2(result.error().message().contains(message), qPrintable(result.error().message()));
    QCOMPARE(snapshot(), before);

    // The same valid content alone imports, so the fault above was what stopped it.
    if (!tail.isEmpty() && universe.contains("universe_namespace: daf_butler")) {
        const Result<ImportSummary> alone = importText(exportHeader(universe) + valid);
        VERIFY_RESULT(alone);
        QCOMPARE(alone->datasets, 2);
    }
}

void TestExportImporter::statisticsAfterImport_data()
{
    QTest::addColumn<qint64>("minRows"); // 0: the default
    QTest::addColumn<bool>("refreshed");
    // 13 datasets are far below the default minimum: statistics would not be worth their time.
    QTest::newRow("small repository") << qint64(0) << false;
    QTest::newRow("past the minimum") << qint64(2) << true;
}

void TestExportImporter::statisticsAfterImport()
{
    QFETCH(qint64, minRows);
    QFETCH(bool, refreshed);
    if (minRows > 0)
        m_butler->registry().setStatisticsMinRows(minRows);
    QVERIFY(importShared(QStringLiteral("base.yaml")));
    QVERIFY(importShared(QStringLiteral("datasets.yaml")));
    Database& db = m_butler->registry().database();
    const Result<std::optional<qint64>> analyzed = db.analyzedRows(QStringLiteral("dataset"));
    VERIFY_RESULT(analyzed);
    QCOMPARE(analyzed->has_value(), refreshed);
    if (!refreshed)
        return;
    QVERIFY(**analyzed > 0);
    // sqlite_stat1 describes the datasets' tables and indexes, the tags tables' among them.
    const Result<QSqlQuery*> rows = db.exec(QStringLiteral(
        "SELECT COUNT(*), SUM(tbl = 'dataset'), SUM(tbl LIKE 'dataset_tags_%') FROM sqlite_stat1"));
    VERIFY_RESULT(rows);
    QVERIFY((*rows)->next());
    QVERIFY((*rows)->value(0).toInt() > 0);
    QVERIFY((*rows)->value(1).toInt() > 0);
    QVERIFY((*rows)->value(2).toInt() > 0);
    (*rows)->finish();
}

QTEST_GUILESS_MAIN(TestExportImporter)
#include "tst_exportimporter.moc"
