#include "ExportFile.h"
#include "TaiTime.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace butler;

namespace {

QString exportPath(const QString& name)
{
    return QStringLiteral(BUTLER_SHARED_DATA "/daf_butler-exports/") + name;
}

ExportFile::DatasetEntry findDataset(const ExportFile& file, const QString& id)
{
    for (const ExportFile::DatasetEntry& entry : file.datasets()) {
        if (entry.id == QUuid(id))
            return entry;
    }
    return {};
}

const ExportFile::DimensionRecords* findElement(const ExportFile& file, const QString& element)
{
    for (const ExportFile::DimensionRecords& records : file.dimensions()) {
        if (records.element == element)
            return &records;
    }
    return nullptr;
}

qint64 tai(const QString& text)
{
    const Result<qint64> ns = TaiTime::fromIsoTai(text);
    return ns.ok() ? ns.value() : -1;
}

// Wraps one dimension record field in a minimal export.
QByteArray recordWithField(const QByteArray& field)
{
    return "version: 1.0.2\ndata:\n- type: dimension\n  element: e\n  records:\n  - " + field + "\n";
}

} // namespace

#define VERIFY_RESULT(r) QVERIFY2((r).ok(), (r).ok() ? "" : qPrintable((r).error().message()))

class TestExportFile : public QObject
{
    Q_OBJECT

private slots:
    void everySharedFileParses_data();
    void everySharedFileParses();
    void base();
    void datasets();
    void ciHscListFormIsZipped();
    void ciHscSkymap();
    void lsstcam();
    void spatial();
    void plainScalarTypes_data();
    void plainScalarTypes();
    void collectionsAndAssociations();
    void legacyIntegerIdsMapLikeDafButler();
    void malformed_data();
    void malformed();
    void aliasExpansionIsBounded();
    void readErrors();
};

void TestExportFile::everySharedFileParses_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("dimensionItems");
    QTest::addColumn<int>("datasets");
    QTest::newRow("base") << "base.yaml" << 3 << 0;
    QTest::newRow("datasets") << "datasets.yaml" << 0 << 13;
    QTest::newRow("ci_hsc-subset") << "ci_hsc-subset.yaml" << 6 << 33;
    QTest::newRow("ci_hsc-subset-skymap") << "ci_hsc-subset-skymap.yaml" << 2 << 1;
    QTest::newRow("lsstcam-subset") << "lsstcam-subset.yaml" << 11 << 0;
    QTest::newRow("spatial") << "spatial.yaml" << 6 << 0;
}

void TestExportFile::everySharedFileParses()
{
    QFETCH(QString, name);
    QFETCH(int, dimensionItems);
    QFETCH(int, datasets);
    const Result<ExportFile> file = ExportFile::read(exportPath(name));
    VERIFY_RESULT(file);
    QCOMPARE(file->fileName(), name);
    QCOMPARE(file->dimensions().size(), dimensionItems);
    QCOMPARE(file->datasets().size(), datasets);
}

void TestExportFile::base()
{
    const Result<ExportFile> file = ExportFile::read(exportPath(QStringLiteral("base.yaml")));
    VERIFY_RESULT(file);
    QCOMPARE(file->formatVersion(), QStringLiteral("1.0.0"));
    QCOMPARE(file->universeVersion(), 6);
    QCOMPARE(file->universeNamespace(), QStringLiteral("daf_butler"));
    QCOMPARE(file->description(), QStringLiteral("Butler Data Repository Export"));

    const auto* instrument = findElement(*file, QStringLiteral("instrument"));
    QVERIFY(instrument);
    QCOMPARE(instrument->records.size(), 1);
    const ExportFile::Record& cam1 = instrument->records.first();
    QCOMPARE(cam1.values.value(QStringLiteral("name")), QVariant(QStringLiteral("Cam1")));
    QCOMPARE(cam1.values.value(QStringLiteral("detector_max")), QVariant(qint64(4)));
    QCOMPARE(cam1.values.value(QStringLiteral("class_name")),
             QVariant(QStringLiteral("lsst.pipe.base.Instrument")));
    QCOMPARE(cam1.values.size(), 6);
    QVERIFY(!cam1.timespan);
    QVERIFY(cam1.region.isEmpty());
    QCOMPARE(cam1.line, 16);
    QCOMPARE(file->location(cam1.line), QStringLiteral("base.yaml:16"));

    QCOMPARE(findElement(*file, QStringLiteral("physical_filter"))->records.size(), 3);
    const auto* detectors = findElement(*file, QStringLiteral("detector"));
    QCOMPARE(detectors->records.size(), 4);
    QCOMPARE(detectors->records[3].values.value(QStringLiteral("id")), QVariant(qint64(4)));
    QCOMPARE(detectors->records[3].values.value(QStringLiteral("purpose")),
             QVariant(QStringLiteral("WAVEFRONT")));

    QCOMPARE(file->datasetTypes().size(), 2);
    const ExportFile::DatasetTypeEntry& flat = file->datasetTypes()[0];
    QCOMPARE(flat.name, QStringLiteral("flat"));
    QCOMPARE(flat.dimensions, QStringList({"instrument", "detector", "physical_filter", "band"}));
    QCOMPARE(flat.storageClass, QStringLiteral("Exposure"));
    QVERIFY(flat.isCalibration);
    QCOMPARE(file->datasetTypes()[1].name, QStringLiteral("bias"));
    QVERIFY(file->datasetTypes()[1].isCalibration);
    QVERIFY(file->collections().isEmpty());
    QVERIFY(file->associations().isEmpty());
}

void TestExportFile::datasets()
{
    const Result<ExportFile> file = ExportFile::read(exportPath(QStringLiteral("datasets.yaml")));
    VERIFY_RESULT(file);
    QCOMPARE(file->universeVersion(), 0);
    QCOMPARE(file->universeNamespace(), QStringLiteral("daf_butler"));
    QCOMPARE(file->collections().size(), 2);
    QCOMPARE(file->collections()[0].name, QStringLiteral("imported_g"));
    QCOMPARE(file->collections()[0].type, QStringLiteral("RUN"));
    QCOMPARE(file->collections()[1].name, QStringLiteral("imported_r"));
    QVERIFY(!file->collections()[1].timespan);

    QCOMPARE(file->datasets().size(), 13);
    const ExportFile::DatasetEntry& first = file->datasets().first();
    QCOMPARE(first.id, QUuid(QStringLiteral("e15ab039-bc8b-4135-87c5-90902a7c0b22")));
    QCOMPARE(first.datasetType, QStringLiteral("bias"));
    QCOMPARE(first.run, QStringLiteral("imported_g"));
    const QVariantMap expected{{"instrument", QStringLiteral("Cam1")}, {"detector", qint64(1)}};
    QCOMPARE(first.dataId, expected);
    QCOMPARE(first.path, QStringLiteral("placeholder"));
    QVERIFY(first.formatter.isEmpty());

    const ExportFile::DatasetEntry last =
        findDataset(*file, QStringLiteral("37185f04-1cea-4ddd-a065-a5e0be9e19de"));
    QCOMPARE(last.datasetType, QStringLiteral("flat"));
    QCOMPARE(last.run, QStringLiteral("imported_r"));
    QCOMPARE(last.dataId.value(QStringLiteral("physical_filter")), QVariant(QStringLiteral("Cam1-R2")));
    QCOMPARE(last.dataId.value(QStringLiteral("detector")), QVariant(qint64(4)));

    const auto runCount = [&](const QString& run) {
        return std::count_if(file->datasets().begin(), file->datasets().end(),
                             [&](const ExportFile::DatasetEntry& d) { return d.run == run; });
    };
    QCOMPARE(runCount(QStringLiteral("imported_g")), 6);
    QCOMPARE(runCount(QStringLiteral("imported_r")), 7);
}

void TestExportFile::ciHscListFormIsZipped()
{
    const Result<ExportFile> file = ExportFile::read(exportPath(QStringLiteral("ci_hsc-subset.yaml")));
    VERIFY_RESULT(file);
    QCOMPARE(file->datasets().size(), 33);
    const ExportFile::DatasetEntry entry =
        findDataset(*file, QStringLiteral("ae4cae3d-780e-422c-bf12-b21627f38f47"));
    QCOMPARE(entry.datasetType, QStringLiteral("calexp"));
    QCOMPARE(entry.run, QStringLiteral("HSC/runs/ci_hsc/20240806T180642Z"));
    const QVariantMap expected{
        {"instrument", QStringLiteral("HSC")}, {"detector", qint64(22)}, {"visit", qint64(903334)}};
    QCOMPARE(entry.dataId, expected);
    QVERIFY(entry.path.endsWith(
        QLatin1String("calexp_HSC_r_HSC-R_903334_0_27_HSC_runs_ci_hsc_20240806T180642Z.fits")));

    // Quoted numeric-looking names stay strings.
    const auto* detectors = findElement(*file, QStringLiteral("detector"));
    QVERIFY(detectors);
    QCOMPARE(detectors->records.first().values.value(QStringLiteral("full_name")),
             QVariant(QStringLiteral("1_53")));
    QCOMPARE(detectors->records.first().values.value(QStringLiteral("raft")), QVariant(QStringLiteral("1")));

    const auto* dayObs = findElement(*file, QStringLiteral("day_obs"));
    QVERIFY(dayObs->records.first().timespan);
    QCOMPARE(dayObs->records.first().timespan->begin(), tai(QStringLiteral("2013-06-17 00:00:00.000000000")));
    QCOMPARE(dayObs->records.first().timespan->end(), tai(QStringLiteral("2013-06-18 00:00:00.000000000")));
    QVERIFY(!dayObs->records.first().values.contains(QStringLiteral("datetime_begin")));

    QCOMPARE(file->collections().size(), 1);
    QCOMPARE(file->collections()[0].type, QStringLiteral("RUN"));
    QVERIFY(file->collections()[0].host.isEmpty());
    QVERIFY(!file->collections()[0].timespan);
}

void TestExportFile::ciHscSkymap()
{
    const Result<ExportFile> file = ExportFile::read(exportPath(QStringLiteral("ci_hsc-subset-skymap.yaml")));
    VERIFY_RESULT(file);
    const auto* skymap = findElement(*file, QStringLiteral("skymap"));
    QVERIFY(skymap);
    const QVariant hash = skymap->records.first().values.value(QStringLiteral("hash"));
    QCOMPARE(hash.typeId(), int(QMetaType::QByteArray));
    QCOMPARE(hash.toByteArray(), QByteArray::fromBase64("Kt7swQ9e5zUif7fo1Onj3ezH+Ts="));
    QCOMPARE(hash.toByteArray().size(), 20);
    QCOMPARE(skymap->records.first().values.value(QStringLiteral("name")),
             QVariant(QStringLiteral("discrete/ci_hsc")));

    const auto* tract = findElement(*file, QStringLiteral("tract"));
    QVERIFY(tract);
    QVERIFY(!tract->records.first().region.isEmpty());
    QVERIFY(!tract->records.first().values.contains(QStringLiteral("region")));

    QCOMPARE(file->datasets().size(), 1);
    const ExportFile::DatasetEntry& skyMap = file->datasets().first();
    QCOMPARE(skyMap.id, QUuid(QStringLiteral("557e15c6-0529-4fc9-998b-b90a4750315e")));
    QCOMPARE(skyMap.dataId, QVariantMap({{"skymap", QStringLiteral("discrete/ci_hsc")}}));
    QCOMPARE(skyMap.formatter, QStringLiteral("lsst.daf.butler.formatters.pickle.PickleFormatter"));
    QCOMPARE(file->datasetTypes().size(), 1);
    QVERIFY(!file->datasetTypes().first().isCalibration);
}

void TestExportFile::lsstcam()
{
    const Result<ExportFile> file = ExportFile::read(exportPath(QStringLiteral("lsstcam-subset.yaml")));
    VERIFY_RESULT(file);
    QCOMPARE(file->universeVersion(), 7);

    const auto* exposures = findElement(*file, QStringLiteral("exposure"));
    QVERIFY(exposures);
    QCOMPARE(exposures->records.size(), 2);
    const ExportFile::Record& exposure = exposures->records.first();
    QVERIFY(exposure.timespan);
    QCOMPARE(exposure.timespan->begin(), tai(QStringLiteral("2025-12-03 07:59:07.425363958")));
    QCOMPARE(exposure.timespan->end(), tai(QStringLiteral("2025-12-03 07:59:38.355000000")));
    QCOMPARE(exposure.values.value(QStringLiteral("id")), QVariant(qint64(2025120200439)));
    QCOMPARE(exposure.values.value(QStringLiteral("group")),
             QVariant(QStringLiteral("2025-12-03T07:58:10.858")));
    QCOMPARE(exposure.values.value(QStringLiteral("exposure_time")), QVariant(30.0));
    QCOMPARE(exposure.values.value(QStringLiteral("dark_time")), QVariant(30.9296));
    QCOMPARE(exposure.values.value(QStringLiteral("has_simulated")), QVariant(false));
    QCOMPARE(exposure.values.value(QStringLiteral("can_see_sky")), QVariant(true));
    QCOMPARE(exposure.values.value(QStringLiteral("obs_id")),
             QVariant(QStringLiteral("MC_O_20251202_000439")));

    const auto* groups = findElement(*file, QStringLiteral("group"));
    QVERIFY(groups);
    for (const ExportFile::Record& group : groups->records)
        QCOMPARE(group.values.value(QStringLiteral("name")).typeId(), int(QMetaType::QString));
    QCOMPARE(groups->records[1].values.value(QStringLiteral("name")),
             QVariant(QStringLiteral("2025-12-03T07:58:25.583")));

    const auto* instrument = findElement(*file, QStringLiteral("instrument"));
    QCOMPARE(instrument->records.first().values.value(QStringLiteral("visit_max")),
             QVariant(qint64(6050123199999)));
}

void TestExportFile::spatial()
{
    const Result<ExportFile> file = ExportFile::read(exportPath(QStringLiteral("spatial.yaml")));
    VERIFY_RESULT(file);
    int regions = 0;
    for (const QString element : {"visit", "visit_detector_region", "tract", "patch"}) {
        const auto* records = findElement(*file, element);
        QVERIFY2(records, qPrintable(element));
        for (const ExportFile::Record& record : records->records) {
            QVERIFY2(!record.region.isEmpty(), qPrintable(element));
            ++regions;
        }
    }
    QCOMPARE(regions, 2 + 8 + 2 + 12);
    // ConvexPolygon encodings start with their type byte 'p' followed by 3-vectors of doubles.
    const QByteArray region = findElement(*file, QStringLiteral("visit"))->records.first().region;
    QCOMPARE(region.at(0), 'p');
    QCOMPARE((region.size() - 1) % 24, 0);

    const auto* skymap = findElement(*file, QStringLiteral("skymap"));
    QCOMPARE(skymap->records.first().values.value(QStringLiteral("hash")),
             QVariant(QByteArray("notreallyahashofanything!")));

    const ExportFile::Record& visit = findElement(*file, QStringLiteral("visit"))->records.first();
    QCOMPARE(visit.values.value(QStringLiteral("name")), QVariant(QStringLiteral("1")));
    QCOMPARE(visit.values.value(QStringLiteral("id")), QVariant(qint64(1)));
    QCOMPARE(visit.timespan, Timespan(tai(QStringLiteral("2021-09-09 03:00:00")),
                                      tai(QStringLiteral("2021-09-09 03:01:00"))));
}

void TestExportFile::plainScalarTypes_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QVariant>("expected");
    QTest::newRow("int") << QByteArray("42") << QVariant(qint64(42));
    QTest::newRow("negative int") << QByteArray("-7") << QVariant(qint64(-7));
    QTest::newRow("quoted int") << QByteArray("'42'") << QVariant(QStringLiteral("42"));
    QTest::newRow("double-quoted int") << QByteArray("\"42\"") << QVariant(QStringLiteral("42"));
    QTest::newRow("hex") << QByteArray("0x1F") << QVariant(qint64(31));
    QTest::newRow("leading zero is octal") << QByteArray("0123") << QVariant(qint64(83));
    QTest::newRow("binary") << QByteArray("0b101") << QVariant(qint64(5));
    QTest::newRow("plus sign") << QByteArray("+12") << QVariant(qint64(12));
    QTest::newRow("leading dot") << QByteArray(".5") << QVariant(0.5);
    QTest::newRow("ON") << QByteArray("ON") << QVariant(true);
    QTest::newRow("underscores") << QByteArray("1_000") << QVariant(qint64(1000));
    QTest::newRow("float") << QByteArray("30.0") << QVariant(30.0);
    QTest::newRow("float exponent") << QByteArray("1.5e+3") << QVariant(1500.0);
    QTest::newRow("exponent without dot is a string in YAML 1.1")
        << QByteArray("1e5") << QVariant(QStringLiteral("1e5"));
    QTest::newRow("true") << QByteArray("true") << QVariant(true);
    QTest::newRow("False") << QByteArray("False") << QVariant(false);
    QTest::newRow("yes") << QByteArray("yes") << QVariant(true);
    QTest::newRow("odd casing is a string") << QByteArray("tRUE") << QVariant(QStringLiteral("tRUE"));
    QTest::newRow("quoted true") << QByteArray("'true'") << QVariant(QStringLiteral("true"));
    QTest::newRow("null") << QByteArray("null") << QVariant();
    QTest::newRow("tilde") << QByteArray("~") << QVariant();
    QTest::newRow("empty") << QByteArray("") << QVariant();
    QTest::newRow("quoted null") << QByteArray("'null'") << QVariant(QStringLiteral("null"));
    QTest::newRow("timestamp-like") << QByteArray("2025-12-03T07:58:10.858")
                                    << QVariant(QStringLiteral("2025-12-03T07:58:10.858"));
    QTest::newRow("word") << QByteArray("R02_S01") << QVariant(QStringLiteral("R02_S01"));
    QTest::newRow("!!str") << QByteArray("!!str 12") << QVariant(QStringLiteral("12"));
    QTest::newRow("!!int") << QByteArray("!!int '12'") << QVariant(qint64(12));
    QTest::newRow("!!binary") << QByteArray("!!binary aGk=") << QVariant(QByteArray("hi"));
}

void TestExportFile::plainScalarTypes()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QVariant, expected);
    const Result<ExportFile> file =
        ExportFile::parse(recordWithField("v: " + yaml), QStringLiteral("t.yaml"));
    VERIFY_RESULT(file);
    const QVariant value = file->dimensions().first().records.first().values.value(QStringLiteral("v"));
    QVERIFY(file->dimensions().first().records.first().values.contains(QStringLiteral("v")));
    QCOMPARE(value.typeId(), expected.typeId());
    QCOMPARE(value, expected);
}

void TestExportFile::collectionsAndAssociations()
{
    const QByteArray yaml = R"(description: hand-written
version: 1.0.2
data:
- type: collection
  collection_type: RUN
  name: run1
  host: example.org
  timespan_begin: !butler_time/tai/iso '2020-01-01 00:00:00.000000000'
  timespan_end: null
- type: collection
  collection_type: TAGGED
  name: tagged
  doc: |
    Some notes.
- type: collection
  collection_type: CHAINED
  name: chain
  children:
  - tagged
  - [run1, null]
- type: collection
  collection_type: CALIBRATION
  name: calib
- type: associations
  collection: tagged
  collection_type: TAGGED
  dataset_ids:
  - !uuid 'e15ab039-bc8b-4135-87c5-90902a7c0b22'
  - !uuid 51352db4-a47a-447c-b12d-a50b206b17cd
- type: associations
  collection: calib
  collection_type: CALIBRATION
  validity_ranges:
  - timespan: !lsst.daf.butler.Timespan
      begin: !butler_time/tai/iso '2020-01-01 00:00:00.000000000'
      end: null
    dataset_ids: [!uuid e15ab039-bc8b-4135-87c5-90902a7c0b22]
  - begin: !butler_time/tai/iso '2019-01-01 00:00:00.000000000'
    end: !butler_time/tai/iso '2020-01-01 00:00:00.000000000'
    dataset_ids: [!uuid 51352db4-a47a-447c-b12d-a50b206b17cd]
  - timespan: !lsst.daf.butler.Timespan EMPTY
    dataset_ids: []
)";
    const Result<ExportFile> file = ExportFile::parse(yaml, QStringLiteral("hand.yaml"));
    VERIFY_RESULT(file);
    QCOMPARE(file->collections().size(), 4);
    const ExportFile::CollectionEntry& run = file->collections()[0];
    QCOMPARE(run.host, QStringLiteral("example.org"));
    QCOMPARE(run.timespan, Timespan(tai(QStringLiteral("2020-01-01 00:00:00")), Timespan::Unbounded));
    QCOMPARE(file->collections()[1].type, QStringLiteral("TAGGED"));
    QCOMPARE(file->collections()[1].doc, QStringLiteral("Some notes.\n"));
    QCOMPARE(file->collections()[2].children, QStringList({"tagged", "run1"}));
    QCOMPARE(file->collections()[3].type, QStringLiteral("CALIBRATION"));

    QCOMPARE(file->associations().size(), 4);
    const ExportFile::AssociationEntry& tagged = file->associations()[0];
    QCOMPARE(tagged.collection, QStringLiteral("tagged"));
    QCOMPARE(tagged.collectionType, QStringLiteral("TAGGED"));
    QCOMPARE(tagged.datasetIds.size(), 2);
    QCOMPARE(tagged.datasetIds[1], QUuid(QStringLiteral("51352db4-a47a-447c-b12d-a50b206b17cd")));
    QVERIFY(!tagged.timespan);

    const ExportFile::AssociationEntry& open = file->associations()[1];
    QCOMPARE(open.collectionType, QStringLiteral("CALIBRATION"));
    QCOMPARE(open.timespan, Timespan(tai(QStringLiteral("2020-01-01 00:00:00")), Timespan::Unbounded));
    QCOMPARE(open.datasetIds, QList<QUuid>{QUuid(QStringLiteral("e15ab039-bc8b-4135-87c5-90902a7c0b22"))});
    const ExportFile::AssociationEntry& legacy = file->associations()[2];
    QCOMPARE(legacy.timespan, Timespan(tai(QStringLiteral("2019-01-01 00:00:00")),
                                       tai(QStringLiteral("2020-01-01 00:00:00"))));
    QVERIFY(file->associations()[3].timespan->isEmpty());
    QVERIFY(file->associations()[3].datasetIds.isEmpty());
}

void TestExportFile::legacyIntegerIdsMapLikeDafButler()
{
    const QByteArray yaml = R"(version: 0
data:
- type: dataset
  dataset_type: bias
  run: r
  records:
  - dataset_id: 42
    data_id: {instrument: Cam1, detector: 1}
)";
    const Result<ExportFile> file = ExportFile::parse(yaml, QStringLiteral("old.yaml"));
    VERIFY_RESULT(file);
    // uuid.uuid3(uuid.UUID("4d4851f4-2890-4d41-8779-5f38a3f5062b"), "42") in Python.
    QCOMPARE(file->datasets().first().id, QUuid(QStringLiteral("45ee6266-703a-302c-831c-39c1f9d70786")));
}

void TestExportFile::malformed_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");

    const QByteArray head = "version: 1.0.2\ndata:\n";
    QTest::newRow("syntax error") << QByteArray("version: 0\ndata: [\n  - type: run\n") << 3
                                  << "invalid YAML";
    QTest::newRow("nested too deeply")
        << "version: 0\ndata: " + QByteArray(600, '[') + QByteArray(600, ']') << 2 << "nested too deeply";
    QTest::newRow("not a mapping") << QByteArray("- a\n- b\n") << 1 << "must be a mapping";
    QTest::newRow("empty") << QByteArray("# nothing\n") << 0 << "no YAML document";
    QTest::newRow("no version") << QByteArray("data: []\n") << 1 << "no 'version'";
    QTest::newRow("future version") << QByteArray("version: 2.0.0\ndata: []\n") << 1 << "not supported";
    QTest::newRow("no data") << QByteArray("version: 0\n") << 1 << "no 'data'";
    QTest::newRow("data not a list") << QByteArray("version: 0\ndata:\n  type: run\n") << 3
                                     << "'data' must be a list";
    QTest::newRow("item not a mapping") << head + "- run\n" << 3 << "must be a mapping";
    QTest::newRow("unknown item type") << head + "- type: frobnicate\n  name: x\n"
                                       << 3 << "unknown item type 'frobnicate'";
    QTest::newRow("no type") << head + "- name: x\n" << 3 << "no 'type'";
    QTest::newRow("dataset without run") << head + "- type: dataset\n  dataset_type: bias\n  records: []\n"
                                         << 3 << "no 'run'";
    QTest::newRow("bad uuid") << head + "- type: dataset\n  dataset_type: bias\n  run: r\n  records:\n"
                                        "  - dataset_id: !uuid 'e15ab039-zzzz-4135-87c5-90902a7c0b22'\n"
                                        "    data_id: {detector: 1}\n"
                              << 7 << "not a valid UUID";
    QTest::newRow("duplicate dataset id")
        << head + "- type: dataset\n  dataset_type: bias\n  run: r\n  records:\n"
                  "  - dataset_id: !uuid e15ab039-bc8b-4135-87c5-90902a7c0b22\n    data_id: {detector: 1}\n"
                  "  - dataset_id: !uuid e15ab039-bc8b-4135-87c5-90902a7c0b22\n    data_id: {detector: 2}\n"
        << 9 << "already used on line 7";
    QTest::newRow("ids and data IDs differ")
        << head + "- type: dataset\n  dataset_type: bias\n  run: r\n  records:\n"
                  "  - dataset_id: [!uuid e15ab039-bc8b-4135-87c5-90902a7c0b22]\n    data_id: []\n"
        << 7 << "1 dataset IDs but 0 data IDs";
    QTest::newRow("null data ID value")
        << head +
               "- type: dataset\n  dataset_type: bias\n  run: r\n  records:\n"
               "  - dataset_id: !uuid e15ab039-bc8b-4135-87c5-90902a7c0b22\n    data_id: {detector: null}\n"
        << 8 << "data ID value 'detector'";
    QTest::newRow("bad time") << recordWithField(
                                     "datetime_begin: !butler_time/tai/iso '2021-13-45 99:00:00'\n"
                                     "    datetime_end: null")
                              << 6 << "not a valid time";
    QTest::newRow("half timespan") << recordWithField("datetime_begin: null") << 6
                                   << "without 'datetime_end'";
    QTest::newRow("reversed timespan")
        << recordWithField("datetime_begin: !butler_time/tai/iso '2021-01-02 00:00:00'\n"
                           "    datetime_end: !butler_time/tai/iso '2021-01-01 00:00:00'")
        << 6 << "begins after it ends";
    QTest::newRow("bad region hex") << recordWithField(
                                           "region: !<lsst.sphgeom.ConvexPolygon>\n      encoded: 7g")
                                    << 7 << "hexadecimal";
    QTest::newRow("untagged region") << recordWithField("region: abc") << 6 << "lsst.sphgeom region";
    QTest::newRow("bad base64") << recordWithField("hash: !!binary '@@@'") << 6 << "base64";
    QTest::newRow("unknown tag") << recordWithField("v: !python/object 3") << 6 << "unsupported tag";
    QTest::newRow("nested value") << recordWithField("v: [1, 2]") << 6 << "'v' must be a single value";
    QTest::newRow("int out of range") << recordWithField("v: 99999999999999999999") << 6 << "out of range";
    QTest::newRow("duplicate key") << recordWithField("v: 1\n    v: 2") << 7 << "key 'v' twice";
    QTest::newRow("bad collection type") << head + "- type: collection\n  collection_type: SHELF\n  name: x\n"
                                         << 4 << "unknown collection type";
    QTest::newRow("chain without children")
        << head + "- type: collection\n  collection_type: CHAINED\n  name: x\n"
        << 3 << "no 'children'";
    QTest::newRow("run association")
        << head + "- type: associations\n  collection: x\n  collection_type: RUN\n  dataset_ids: []\n"
        << 5 << "TAGGED or CALIBRATION";
    QTest::newRow("is_calibration not a bool") << head + "- type: dataset_type\n  name: x\n  dimensions: "
                                                         "[]\n  storage_class: S\n  is_calibration: maybe\n"
                                               << 7 << "true or false";
}

void TestExportFile::malformed()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    QFETCH(QString, message);
    const Result<ExportFile> file = ExportFile::parse(yaml, QStringLiteral("bad.yaml"));
    QVERIFY(!file.ok());
    QCOMPARE(file.error().kind(), ErrorKind::InvalidInput);
    const QString text = file.error().message();
    const QString where = line > 0 ? QStringLiteral("bad.yaml:%1:").arg(line) : QStringLiteral("bad.yaml: ");
    QVERIFY2(text.startsWith(where), qPrintable(text));
    QVERIFY2(text.contains(message), qPrintable(text));
}

void TestExportFile::aliasExpansionIsBounded()
{
    // Aliases are fine in moderation (PyYAML writes them for shared objects)...
    QByteArray yaml = "version: 0\nshared: &id {instrument: Cam1, detector: 1}\ndata:\n"
                      "- {type: dataset, dataset_type: bias, run: r, records: [\n"
                      "  {dataset_id: 1, data_id: *id}, {dataset_id: 2, data_id: *id}]}\n";
    const Result<ExportFile> small = ExportFile::parse(yaml, QStringLiteral("aliases.yaml"));
    VERIFY_RESULT(small);
    QCOMPARE(small->datasets().size(), 2);
    QCOMPARE(small->datasets()[1].dataId, small->datasets()[0].dataId);

    // ...but 1000 items sharing one list of 1000 records would expand to a million records.
    yaml = "version: 0\nrecords: &r [";
    for (int i = 0; i < 1000; ++i)
        yaml += "{a: 1},";
    yaml += "]\nitem: &d {type: dimension, element: e, records: *r}\ndata: [";
    for (int i = 0; i < 1000; ++i)
        yaml += "*d,";
    yaml += "]\n";
    const Result<ExportFile> bomb = ExportFile::parse(yaml, QStringLiteral("bomb.yaml"));
    QVERIFY(!bomb.ok());
    QCOMPARE(bomb.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(bomb.error().message().startsWith(QLatin1String("bomb.yaml:")),
             qPrintable(bomb.error().message()));
    QVERIFY2(bomb.error().message().contains(QLatin1String("aliases")), qPrintable(bomb.error().message()));
}

void TestExportFile::readErrors()
{
    const Result<ExportFile> missing = ExportFile::read(QStringLiteral("/nonexistent/export.yaml"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind(), ErrorKind::Io);
    QVERIFY(missing.error().message().contains(QLatin1String("/nonexistent/export.yaml")));

    // A sparse file: refused by size, never read.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile big(dir.filePath(QStringLiteral("big.yaml")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    QVERIFY(big.resize(ExportFile::MaxInputSize + 1));
    big.close();
    const Result<ExportFile> tooBig = ExportFile::read(big.fileName());
    QVERIFY(!tooBig.ok());
    QCOMPARE(tooBig.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(tooBig.error().message().startsWith(QLatin1String("big.yaml: ")),
             qPrintable(tooBig.error().message()));
    QVERIFY(tooBig.error().message().contains(QLatin1String("larger than")));
}

QTEST_GUILESS_MAIN(TestExportFile)
#include "tst_exportfile.moc"
