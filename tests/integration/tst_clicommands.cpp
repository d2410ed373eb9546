#include "ButlerCli.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

// Runs the real `butler` executable on temporary repositories: each command as a user would
// type it, its exit status, its output in every format, and, for bad input, that it fails with
// one `error: ` line and leaves the repository exactly as it was.

using butler::CliResult;
using butler::runButler;

namespace {

const QString kRawRun = QStringLiteral("LSSTCam/raw/all");
const QString kCalibRun = QStringLiteral("calib/run");
const qint64 kExposure1 = 2025061600001;
const qint64 kExposure2 = 2025061600002;

QString describe(const QStringList& args, const CliResult& result)
{
    return QStringLiteral("butler %1\nexit %2\nstdout: %3\nstderr: %4")
        .arg(args.join(' '))
        .arg(result.status)
        .arg(result.out, result.err);
}

QStringList lines(const QString& text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QJsonArray parseJsonArray(const QString& text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    return error.error == QJsonParseError::NoError && document.isArray() ? document.array() : QJsonArray();
}

QString writeFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(content);
    return path;
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray rawContent(int detector, qint64 exposure)
{
    return QStringLiteral("{\"detector\": %1, \"exposure\": %2, \"pixels\": [1, 2, 3]}\n")
        .arg(detector)
        .arg(exposure)
        .toUtf8();
}

} // namespace

// Runs butler and fails the current test when it does not succeed.
#define BUTLER_OK(...)                                                                                       \
    do {                                                                                                     \
        const QStringList args_ = QStringList{__VA_ARGS__};                                                  \
        const CliResult result_ = runButler(args_);                                                          \
        QVERIFY2(result_.status == 0, qPrintable(describe(args_, result_)));                                 \
    } while (false)

class TestCliCommands : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void createRefusesExisting();
    void dimensionRecordsRoundTrip();
    void queryDatasetsJson();
    void queryDatasetsCsvAndTable();
    void queryDatasetsWhere_data();
    void queryDatasetsWhere();
    void queryDataIds();
    void queryDimensionRecordsWhere();
    void queryDatasetTypes();
    void chainsAndTree();
    void associateDisassociate();
    void certifyDecertify();
    void pruneDatasetsPurge();
    void trashLocal();
    void removeRunsForce();
    void retrieveArtifacts();
    void badInput_data();
    void badInput();

private:
    // A new repository with instrument, detectors, a night of two exposures, six raws in
    // kRawRun, three biases in kCalibRun, a CALIBRATION "calib", a TAGGED "tagged" and chains
    // cycB -> cycA -> kRawRun. Fails the current test when a step fails.
    void populate(const QString& repo);
    QString freshRepo();
    // Everything a command could change, as text: collections, dataset types, datasets,
    // dimension records and the datastore's files.
    QString snapshot(const QString& repo);

    QTemporaryDir m_root;
    QString m_repo;    // shared, populated once; tests that change things use freshRepo()
    QString m_sources; // the files ingested, by name
    QString m_rawTable;
    QString m_biasTable;
    int m_repoCount = 0;
};

void TestCliCommands::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(BUTLER_BIN_DIR "/butler")).isExecutable());
    QVERIFY(m_root.isValid());
    m_sources = m_root.filePath(QStringLiteral("sources"));
    QStringList rawRows{QStringLiteral("file,detector,exposure")};
    for (qint64 exposure : {kExposure1, kExposure2}) {
        for (int detector = 0; detector < 3; ++detector) {
            const QString name = QStringLiteral("raw_%1_%2.json").arg(exposure).arg(detector);
            writeFile(m_sources + '/' + name, rawContent(detector, exposure));
            rawRows.append(QStringLiteral("%1,%2,%3").arg(name).arg(detector).arg(exposure));
        }
    }
    m_rawTable = writeFile(m_root.filePath(QStringLiteral("raw.csv")), rawRows.join('\n').toUtf8() + '\n');
    QStringList biasRows{QStringLiteral("file,instrument,detector")};
    for (int detector = 0; detector < 3; ++detector) {
        const QString path = writeFile(m_sources + QStringLiteral("/bias_%1.json").arg(detector),
                                       QStringLiteral("{\"bias\": %1}\n").arg(detector).toUtf8());
        biasRows.append(QStringLiteral("%1,LSSTCam,%2").arg(path).arg(detector));
    }
    m_biasTable = writeFile(m_root.filePath(QStringLiteral("bias.csv")), biasRows.join('\n').toUtf8() + '\n');

    m_repo = freshRepo();
}

QString TestCliCommands::freshRepo()
{
    const QString repo = m_root.filePath(QStringLiteral("repo%1").arg(++m_repoCount));
    populate(repo);
    return repo;
}

void TestCliCommands::populate(const QString& repo)
{
    const QString input = m_root.filePath(QStringLiteral("records"));
    BUTLER_OK("create", repo);
    // JSON as an array and as {"records": [...]}; CSV with and without timespans.
    BUTLER_OK("insert-dimension-records", repo, "instrument",
              writeFile(input + "/instrument.json",
                        R"([{"name": "LSSTCam", "detector_max": 189, "visit_max": 100000000,
                             "exposure_max": 10000000000000, "class_name": "lsst.obs.lsst.LsstCam"}])"));
    BUTLER_OK("insert-dimension-records", repo, "physical_filter",
              writeFile(input + "/physical_filter.json",
                        R"({"records": [{"instrument": "LSSTCam", "name": "r_57", "band": "r"}]})"));
    BUTLER_OK("insert-dimension-records", repo, "detector",
              writeFile(input + "/detector.csv", "instrument,id,full_name,purpose\n"
                                                 "LSSTCam,0,R22_S00,SCIENCE\n"
                                                 "LSSTCam,1,R22_S01,SCIENCE\n"
                                                 "LSSTCam,2,R22_S02,\"GUIDE,WAVEFRONT\"\n"));
    BUTLER_OK("insert-dimension-records", repo, "day_obs",
              writeFile(input + "/day_obs.csv",
                        "instrument,id,timespan_begin,timespan_end\n"
                        "LSSTCam,20250615,2025-06-15T12:00:00,2025-06-16T12:00:00\n"));
    BUTLER_OK("insert-dimension-records", repo, "group",
              writeFile(input + "/group.csv", "instrument,name\nLSSTCam,g1\n"));
    BUTLER_OK("insert-dimension-records", repo, "exposure",
              writeFile(input + "/exposure.json", QStringLiteral(R"([
        {"instrument": "LSSTCam", "id": %1, "obs_id": "MC_O_20250615_000001", "physical_filter": "r_57",
         "group": "g1", "day_obs": 20250615, "exposure_time": 15.0, "observation_type": "science",
         "datetime_begin": "2025-06-16T03:00:00", "datetime_end": "2025-06-16T03:00:15"},
        {"instrument": "LSSTCam", "id": %2, "obs_id": "MC_O_20250615_000002", "physical_filter": "r_57",
         "group": "g1", "day_obs": 20250615, "exposure_time": 30.0, "observation_type": "science",
         "datetime_begin": "2025-06-16T03:01:00", "datetime_end": "2025-06-16T03:01:30"}])")
                                                      .arg(kExposure1)
                                                      .arg(kExposure2)
                                                      .toUtf8()));
    BUTLER_OK("register-dataset-type", repo, "raw", "Exposure", "instrument", "detector", "exposure");
    BUTLER_OK("register-dataset-type", repo, "bias", "ExposureF", "instrument,detector", "--is-calibration");
    BUTLER_OK("ingest-files", repo, "raw", kRawRun, m_rawTable, "--prefix", m_sources, "--data-id",
              "instrument=LSSTCam");
    BUTLER_OK("register-collection", repo, kCalibRun, "--type", "RUN", "--doc", "bias frames");
    BUTLER_OK("ingest-files", repo, "bias", kCalibRun, m_biasTable, "--transfer", "copy");
    BUTLER_OK("register-collection", repo, "calib", "--type", "CALIBRATION");
    BUTLER_OK("register-collection", repo, "tagged", "--type=TAGGED");
    BUTLER_OK("collection-chain", repo, "cycA", kRawRun);
    BUTLER_OK("collection-chain", repo, "cycB", "cycA");
}

QString TestCliCommands::snapshot(const QString& repo)
{
    QString text;
    const QList<QStringList> queries{
        {"query-collections", repo, "--format", "json"},
        {"query-dataset-types", repo, "--format", "json"},
        {"query-datasets", repo, "--collections", "*", "--format", "json", "--order-by", "dataset_type",
         "run"},
        {"query-datasets", repo, "--collections", "calib", "--format", "json"},
        {"query-datasets", repo, "--collections", "tagged", "--format", "json"},
        {"query-dimension-records", repo, "instrument", "--format", "csv"},
        {"query-dimension-records", repo, "detector", "--format", "csv"},
        {"query-dimension-records", repo, "exposure", "--format", "csv"},
    };
    for (const QStringList& args : queries) {
        const CliResult result = runButler(args);
        text += args.join(' ') + QStringLiteral(" -> %1\n").arg(result.status) + result.out + result.err;
    }
    QStringList files;
    QDirIterator it(repo + QStringLiteral("/datastore"), QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        files.append(it.filePath() + ' ' + QString::number(it.fileInfo().size()));
    }
    files.sort();
    return text + files.join('\n');
}

void TestCliCommands::createRefusesExisting()
{
    const CliResult again = runButler({"create", m_repo});
    QCOMPARE(again.status, 1);
    QVERIFY2(again.err.startsWith("error: "), qPrintable(again.err));

    const QString missing = m_root.filePath(QStringLiteral("missing"));
    const CliResult open = runButler({"query-collections", missing});
    QCOMPARE(open.status, 1);
    QVERIFY(open.err.contains(missing));
    QVERIFY(!QFileInfo::exists(missing));
}

void TestCliCommands::dimensionRecordsRoundTrip()
{
    const CliResult detectors =
        runButler({"query-dimension-records", m_repo, "detector", "--format", "json"});
    QVERIFY2(detectors.status == 0, qPrintable(detectors.err));
    const QJsonArray array = parseJsonArray(detectors.out);
    QCOMPARE(array.size(), 3);
    QCOMPARE(array[2].toObject().value("full_name").toString(), QStringLiteral("R22_S02"));
    QCOMPARE(array[2].toObject().value("purpose").toString(), QStringLiteral("GUIDE,WAVEFRONT"));
    QCOMPARE(array[2].toObject().value("id").toInt(), 2);

    const CliResult exposures = runButler({"query-dimension-records", m_repo, "exposure", "--format", "csv"});
    QVERIFY2(exposures.status == 0, qPrintable(exposures.err));
    const QStringList rows = lines(exposures.out);
    QCOMPARE(rows.size(), 3);
    const QStringList header = rows.first().split(',');
    QCOMPARE(header.mid(0, 3), (QStringList{"instrument", "id", "obs_id"}));
    const int begin = header.indexOf("timespan_begin");
    QVERIFY(begin > 0);
    QVERIFY2(rows[1].split(',')[begin].startsWith("2025-06-16T03:00:00"), qPrintable(rows[1]));

    // The CSV that query-dimension-records prints is a valid input for insert-dimension-records.
    const QString repo = m_root.filePath(QStringLiteral("roundtrip"));
    BUTLER_OK("create", repo);
    const CliResult instrument =
        runButler({"query-dimension-records", m_repo, "instrument", "--format", "csv"});
    QCOMPARE(instrument.status, 0);
    const QString csv = writeFile(m_root.filePath("instrument-copy.csv"), instrument.out.toUtf8());
    BUTLER_OK("insert-dimension-records", repo, "instrument", csv);
    const CliResult detectorCsv =
        runButler({"query-dimension-records", m_repo, "detector", "--format", "json"});
    BUTLER_OK("insert-dimension-records", repo, "detector",
              writeFile(m_root.filePath("detector-copy.json"), detectorCsv.out.toUtf8()));
    const CliResult copied = runButler({"query-dimension-records", repo, "detector", "--format", "json"});
    QCOMPARE(copied.out, detectors.out);
}

void TestCliCommands::queryDatasetsJson()
{
    const CliResult result = runButler(
        {"query-datasets", m_repo, "raw", "--collections", kRawRun, "--format", "json", "--show-uri"});
    QVERIFY2(result.status == 0, qPrintable(result.err));
    const QJsonArray array = parseJsonArray(result.out);
    QCOMPARE(array.size(), 6);
    QSet<QString> ids;
    QSet<QString> dataIds;
    for (const QJsonValue& value : array) {
        const QJsonObject object = value.toObject();
        QCOMPARE(object.value("dataset_type").toString(), QStringLiteral("raw"));
        QCOMPARE(object.value("run").toString(), kRawRun);
        QVERIFY(!QUuid::fromString(object.value("id").toString()).isNull());
        ids.insert(object.value("id").toString());
        const QJsonObject dataId = object.value("data_id").toObject();
        QCOMPARE(dataId.value("instrument").toString(), QStringLiteral("LSSTCam"));
        const int detector = dataId.value("detector").toInt();
        const qint64 exposure = dataId.value("exposure").toInteger();
        dataIds.insert(QStringLiteral("%1/%2").arg(detector).arg(exposure));
        // The URI points at a copy of the ingested file.
        const QUrl uri(object.value("uri").toString());
        QCOMPARE(uri.scheme(), QStringLiteral("file"));
        QCOMPARE(readFile(uri.toLocalFile()), rawContent(detector, exposure));
    }
    QCOMPARE(ids.size(), 6);
    QCOMPARE(dataIds.size(), 6);
    QVERIFY(dataIds.contains(QStringLiteral("2/%1").arg(kExposure2)));
}

void TestCliCommands::queryDatasetsCsvAndTable()
{
    const CliResult csv =
        runButler({"query-datasets", m_repo, "--collections", kRawRun, kCalibRun, "--format=csv"});
    QVERIFY2(csv.status == 0, qPrintable(csv.err));
    const QStringList rows = lines(csv.out);
    QCOMPARE(rows.size(), 1 + 6 + 3);
    const QStringList header = rows.first().split(',');
    QCOMPARE(header.mid(0, 3), (QStringList{"type", "run", "id"}));
    QVERIFY(header.contains("instrument"));
    QVERIFY(header.contains("detector"));
    QVERIFY(header.contains("exposure"));
    QVERIFY(header.indexOf("detector") < header.indexOf("exposure"));
    for (const QString& row : rows.mid(1))
        QCOMPARE(row.split(',').size(), header.size());

    const CliResult table = runButler({"query-datasets", m_repo, "--collections", kRawRun, kCalibRun});
    QVERIFY2(table.status == 0, qPrintable(table.err));
    // One table per dataset type, each with a header and a rule.
    const QStringList tables = table.out.split(QStringLiteral("\n\n"), Qt::SkipEmptyParts);
    QCOMPARE(tables.size(), 2);
    for (const QString& part : tables) {
        const QStringList partLines = lines(part);
        QVERIFY(partLines[0].startsWith("type"));
        QVERIFY(partLines[1].startsWith("----"));
    }
    QCOMPARE(lines(table.out).size(), 2 * 2 + 6 + 3);

    const CliResult limited = runButler({"query-datasets", m_repo, "raw", "--collections", kRawRun, "--limit",
                                         "4", "--order-by", "-detector", "--format", "json"});
    QVERIFY2(limited.status == 0, qPrintable(limited.err));
    const QJsonArray array = parseJsonArray(limited.out);
    QCOMPARE(array.size(), 4);
    QCOMPARE(array[0].toObject().value("data_id").toObject().value("detector").toInt(), 2);
}

void TestCliCommands::queryDatasetsWhere_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("count");

    QTest::newRow("detector") << QStringList{"--where", "detector = 1"} << 2;
    QTest::newRow("bind int list") << QStringList{"--where", "detector IN (:dets)", "--bind", "dets=0,2"}
                                   << 4;
    QTest::newRow("bind float") << QStringList{"--where", "exposure.exposure_time > :t", "--bind", "t=20.5"}
                                << 3;
    QTest::newRow("bind string") << QStringList{"--where", "exposure.obs_id = :o", "--bind",
                                                "o=MC_O_20250615_000001"}
                                 << 3;
    QTest::newRow("nothing") << QStringList{"--where", "detector = 99"} << 0;
}

void TestCliCommands::queryDatasetsWhere()
{
    QFETCH(QStringList, extra);
    QFETCH(int, count);
    const QStringList args =
        QStringList{"query-datasets", m_repo, "raw", "--collections", kRawRun, "--format", "json"} + extra;
    const CliResult result = runButler(args);
    QVERIFY2(result.status == 0, qPrintable(describe(args, result)));
    QCOMPARE(parseJsonArray(result.out).size(), count);
}

void TestCliCommands::queryDataIds()
{
    const CliResult all = runButler({"query-data-ids", m_repo, "detector", "exposure", "--format", "csv"});
    QVERIFY2(all.status == 0, qPrintable(all.err));
    QStringList rows = lines(all.out);
    QCOMPARE(rows.size(), 1 + 6);
    QVERIFY(rows.first().split(',').contains("exposure"));

    const CliResult withDatasets =
        runButler({"query-data-ids", m_repo, "detector", "--datasets", "bias", "--collections", kCalibRun,
                   "--where", "detector > 0", "--format", "json"});
    QVERIFY2(withDatasets.status == 0, qPrintable(withDatasets.err));
    const QJsonArray array = parseJsonArray(withDatasets.out);
    QCOMPARE(array.size(), 2);
    for (const QJsonValue& value : array) {
        QCOMPARE(value.toObject().value("instrument").toString(), QStringLiteral("LSSTCam"));
        QVERIFY(value.toObject().value("detector").toInt() > 0);
    }
}

void TestCliCommands::queryDimensionRecordsWhere()
{
    const CliResult result = runButler({"query-dimension-records", m_repo, "exposure", "--where",
                                        "exposure.exposure_time > 20", "--format", "json"});
    QVERIFY2(result.status == 0, qPrintable(result.err));
    const QJsonArray array = parseJsonArray(result.out);
    QCOMPARE(array.size(), 1);
    QCOMPARE(array[0].toObject().value("id").toInteger(), kExposure2);
    QCOMPARE(array[0].toObject().value("obs_id").toString(), QStringLiteral("MC_O_20250615_000002"));
    QCOMPARE(array[0].toObject().value("exposure_time").toDouble(), 30.0);

    const CliResult limited = runButler({"query-dimension-records", m_repo, "detector", "--order-by",
                                         "-detector", "--limit", "1", "--format", "csv"});
    QVERIFY2(limited.status == 0, qPrintable(limited.err));
    QCOMPARE(lines(limited.out).size(), 2);
    QVERIFY(lines(limited.out)[1].startsWith("LSSTCam,2,"));
}

void TestCliCommands::queryDatasetTypes()
{
    const CliResult json = runButler({"query-dataset-types", m_repo, "--format", "json"});
    QVERIFY2(json.status == 0, qPrintable(json.err));
    const QJsonArray array = parseJsonArray(json.out);
    QCOMPARE(array.size(), 2);
    QJsonObject bias;
    for (const QJsonValue& value : array) {
        if (value.toObject().value("name") == QLatin1String("bias"))
            bias = value.toObject();
    }
    QCOMPARE(bias.value("storage_class").toString(), QStringLiteral("ExposureF"));
    QCOMPARE(bias.value("is_calibration").toBool(), true);
    QCOMPARE(bias.value("dimensions").toArray(), (QJsonArray{"instrument", "detector"}));

    const CliResult csv = runButler({"query-dataset-types", m_repo, "r*", "--format", "csv"});
    QVERIFY2(csv.status == 0, qPrintable(csv.err));
    QCOMPARE(lines(csv.out).first(), QStringLiteral("name,dimensions,storage_class,is_calibration"));
    QCOMPARE(lines(csv.out).size(), 2);
}

void TestCliCommands::chainsAndTree()
{
    const QString repo = freshRepo();
    QVERIFY(!QTest::currentTestFailed());
    const CliResult chained =
        runButler({"collection-chain", repo, "defaults", "cycB", "calib", "--doc", "the defaults"});
    QCOMPARE(chained.status, 0);
    QVERIFY(chained.out.isEmpty());
    BUTLER_OK("collection-chain", repo, "defaults", kCalibRun, "--mode", "extend");

    const CliResult tree = runButler({"query-collections", repo, "defaults", "--chains", "tree"});
    QVERIFY2(tree.status == 0, qPrintable(tree.err));
    const QStringList rows = lines(tree.out);
    QCOMPARE(rows.size(), 2 + 6);
    QVERIFY(rows[2].startsWith("defaults "));
    QVERIFY(rows[3].startsWith("  cycB "));
    QVERIFY(rows[4].startsWith("    cycA "));
    QVERIFY(rows[5].startsWith("      " + kRawRun + " "));
    QVERIFY(rows[6].startsWith("  calib "));
    QVERIFY(rows[7].startsWith("  " + kCalibRun + " "));

    const CliResult json = runButler({"query-collections", repo, "defaults", "--format", "json"});
    const QJsonArray array = parseJsonArray(json.out);
    QCOMPARE(array.size(), 1);
    QCOMPARE(array[0].toObject().value("type").toString(), QStringLiteral("CHAINED"));
    QCOMPARE(array[0].toObject().value("children").toArray(), (QJsonArray{"cycB", "calib", kCalibRun}));
    QCOMPARE(array[0].toObject().value("doc").toString(), QStringLiteral("the defaults"));

    const CliResult flat =
        runButler({"query-collections", repo, "defaults", "--chains", "flatten", "--format", "csv"});
    QVERIFY2(flat.status == 0, qPrintable(flat.err));
    QCOMPARE(lines(flat.out),
             (QStringList{"Name,Type", kRawRun + ",RUN", "calib,CALIBRATION", kCalibRun + ",RUN"}));

    BUTLER_OK("collection-chain", repo, "defaults", "calib", "--mode", "remove");
    BUTLER_OK("collection-chain", repo, "defaults", "--mode", "pop");
    const CliResult after = runButler({"query-collections", repo, "defaults", "--format", "json"});
    QCOMPARE(parseJsonArray(after.out)[0].toObject().value("children").toArray(), (QJsonArray{kCalibRun}));
}

void TestCliCommands::associateDisassociate()
{
    const QString repo = freshRepo();
    QVERIFY(!QTest::currentTestFailed());
    auto taggedCount = [&] {
        const CliResult result =
            runButler({"query-datasets", repo, "--collections", "tagged", "--format", "json"});
        return result.status == 0 ? int(parseJsonArray(result.out).size()) : -1;
    };
    BUTLER_OK("associate", repo, "tagged", "raw", "--collections", "cycB", "--where", "detector = 0");
    QCOMPARE(taggedCount(), 2);
    BUTLER_OK("associate", repo, "tagged", "bias", "--collections", kCalibRun, "--find-first");
    QCOMPARE(taggedCount(), 5);
    BUTLER_OK("disassociate", repo, "tagged", "raw", "--where",
              QStringLiteral("exposure = %1").arg(kExposure1));
    QCOMPARE(taggedCount(), 4);
    BUTLER_OK("disassociate", repo, "tagged");
    QCOMPARE(taggedCount(), 0);
    // The datasets themselves stay in their run.
    const CliResult raws =
        runButler({"query-datasets", repo, "raw", "--collections", kRawRun, "--format", "json"});
    QCOMPARE(parseJsonArray(raws.out).size(), 6);
}

void TestCliCommands::certifyDecertify()
{
    const QString repo = freshRepo();
    QVERIFY(!QTest::currentTestFailed());
    auto calibCount = [&](const QStringList& extra = {}) {
        const CliResult result = runButler(
            QStringList{"query-datasets", repo, "bias", "--collections", "calib", "--format", "json"} +
            extra);
        return result.status == 0 ? int(parseJsonArray(result.out).size()) : -1;
    };
    QCOMPARE(calibCount(), 0);
    BUTLER_OK("certify-calibrations", repo, kCalibRun, "calib", "bias", "--begin-date", "2025-06-15T00:00:00",
              "--end-date", "2025-06-17T00:00:00");
    QCOMPARE(calibCount(), 3);

    BUTLER_OK("decertify-calibrations", repo, "calib", "bias", "--begin-date", "2025-06-15T00:00:00",
              "--end-date", "2025-06-17T00:00:00", "--where", "detector = 0");
    QCOMPARE(calibCount(), 2);
    const CliResult none =
        runButler({"decertify-calibrations", repo, "calib", "bias", "--where", "detector = 99"});
    QCOMPARE(none.status, 0);
    QCOMPARE(calibCount(), 2);
    BUTLER_OK("decertify-calibrations", repo, "calib", "bias");
    QCOMPARE(calibCount(), 0);

    // A CALIBRATION collection that does not exist yet is made.
    BUTLER_OK("certify-calibrations", repo, kCalibRun, "calib/new", "bias", "--begin-date", "2025-06-15");
    const CliResult made = runButler({"query-collections", repo, "calib/new", "--format", "json"});
    QCOMPARE(parseJsonArray(made.out).size(), 1);
    QCOMPARE(parseJsonArray(made.out)[0].toObject().value("type").toString(), QStringLiteral("CALIBRATION"));
}

void TestCliCommands::pruneDatasetsPurge()
{
    const QString repo = freshRepo();
    QVERIFY(!QTest::currentTestFailed());
    const CliResult before = runButler({"query-datasets", repo, "raw", "--collections", kRawRun, "--where",
                                        "detector = 2", "--show-uri", "--format", "json"});
    const QJsonArray doomed = parseJsonArray(before.out);
    QCOMPARE(doomed.size(), 2);

    const CliResult noMode = runButler({"prune-datasets", repo, "--collections", kRawRun});
    QCOMPARE(noMode.status, 2);
    QVERIFY(noMode.err.startsWith("error: "));

    const CliResult pruned = runButler(
        {"prune-datasets", repo, "raw", "--collections", kRawRun, "--where", "detector = 2", "--purge"});
    QVERIFY2(pruned.status == 0, qPrintable(pruned.err));
    QVERIFY2(pruned.out.startsWith(QStringLiteral("Moved 2 datasets to the trash until ")),
             qPrintable(pruned.out));
    const CliResult after =
        runButler({"query-datasets", repo, "raw", "--collections", kRawRun, "--format", "json"});
    QCOMPARE(parseJsonArray(after.out).size(), 4);
    // In the trash the files stay, until it is emptied.
    for (const QJsonValue& value : doomed)
        QVERIFY(QFileInfo::exists(QUrl(value.toObject().value("uri").toString()).toLocalFile()));
    const QJsonArray trash = parseJsonArray(runButler({"trash", repo, "--format", "json"}).out);
    QCOMPARE(trash.size(), 1);
    const QJsonObject entry = trash.first().toObject();
    QCOMPARE(entry.value("kind").toString(), QStringLiteral("datasets"));
    QCOMPARE(entry.value("collection").toString(), kRawRun);
    QCOMPARE(entry.value("datasets").toInt(), 2);
    QVERIFY(pruned.out.contains(QStringLiteral("'butler trash %1 restore %2' brings them back")
                                    .arg(repo, entry.value("name").toString())));
    const CliResult emptied = runButler({"trash", repo, "empty", "--force"});
    QVERIFY2(emptied.status == 0, qPrintable(emptied.err));
    QVERIFY2(emptied.out.contains("Emptied 1 entry from the trash (2 files, "), qPrintable(emptied.out));
    for (const QJsonValue& value : doomed)
        QVERIFY(!QFileInfo::exists(QUrl(value.toObject().value("uri").toString()).toLocalFile()));
    // The source files are untouched: ingest copied them.
    QVERIFY(QFileInfo::exists(m_sources + QStringLiteral("/raw_%1_2.json").arg(kExposure1)));
}

void TestCliCommands::trashLocal()
{
    const QString repo = freshRepo();
    QVERIFY(!QTest::currentTestFailed());
    const CliResult empty = runButler({"trash", repo});
    QCOMPARE(empty.status, 0);
    QCOMPARE(empty.out, QStringLiteral("The trash is empty.\n"));
    QCOMPARE(runButler({"trash", repo, "--format", "json"}).out.trimmed(), QStringLiteral("[]"));
    const CliResult before =
        runButler({"query-datasets", repo, "--collections", kRawRun, "--format", "json", "--show-uri"});
    const QJsonArray raws = parseJsonArray(before.out);
    QVERIFY(!raws.isEmpty());

    const CliResult removed = runButler({"remove-runs", repo, kRawRun, "--force"});
    QVERIFY2(removed.status == 0, qPrintable(removed.err));
    QVERIFY2(removed.out.contains(QStringLiteral("Moved 1 run to the trash until ")),
             qPrintable(removed.out));
    QVERIFY(removed.out.contains(
        QStringLiteral("'butler trash %1 restore %2' brings it back").arg(repo, kRawRun)));
    // Reserved: the name cannot be registered again.
    const CliResult again = runButler({"register-collection", repo, kRawRun, "--type", "RUN"});
    QCOMPARE(again.status, 1);
    QVERIFY2(again.err.contains("is in the trash until"), qPrintable(again.err));
    // Listed, with the quota note; CSV for scripts.
    const CliResult table = runButler({"trash", repo});
    QVERIFY2(table.out.contains(kRawRun) && table.out.contains("RUN"), qPrintable(table.out));
    QVERIFY(table.out.contains("count against their owners' quotas"));
    const QStringList csv = lines(runButler({"trash", repo, "--format", "csv"}).out);
    QCOMPARE(csv.size(), 2);
    QCOMPARE(csv.first(), QStringLiteral("Name,Type,Removed by,Removed at,Expires,Datasets,Files,Bytes"));
    QVERIFY2(csv.last().startsWith(kRawRun + QStringLiteral(",RUN,")), qPrintable(csv.last()));
    QVERIFY2(csv.last().contains(QStringLiteral(",%1,%1,").arg(raws.size())), qPrintable(csv.last()));

    // Usage errors.
    QCOMPARE(runButler({"trash", repo, "restore"}).status, 2);
    QCOMPARE(runButler({"trash", repo, "shred"}).status, 2);
    QCOMPARE(runButler({"trash", repo, "list", "x"}).status, 2);
    QCOMPARE(runButler({"trash", repo, "list", "--expired"}).status, 2);
    const CliResult unknown = runButler({"trash", repo, "restore", "nothing-here"});
    QCOMPARE(unknown.status, 1);
    QVERIFY(unknown.err.startsWith("error: nothing named 'nothing-here' is in the trash"));

    const CliResult restored = runButler({"trash", repo, "restore", kRawRun});
    QVERIFY2(restored.status == 0, qPrintable(restored.err));
    QVERIFY2(restored.out.startsWith(
                 QStringLiteral("Restored %1 (RUN, %2 datasets").arg(kRawRun).arg(raws.size())),
             qPrintable(restored.out));
    const CliResult after =
        runButler({"query-datasets", repo, "--collections", kRawRun, "--format", "json", "--show-uri"});
    QCOMPARE(parseJsonArray(after.out), raws);

    // Nothing expired yet: --expired empties nothing; a collection that held nothing went at once.
    BUTLER_OK("register-collection", repo, "empty-tags", "--type", "TAGGED");
    const CliResult gone = runButler({"remove-collections", repo, "empty-tags", "--force"});
    QVERIFY2(gone.out.contains("Removed 1 collection at once, as it held nothing: empty-tags."),
             qPrintable(gone.out));
    const CliResult expired = runButler({"trash", repo, "empty", "--expired"});
    QCOMPARE(expired.status, 0);
    QCOMPARE(expired.out, QStringLiteral("Nothing in the trash has expired.\n"));
}

void TestCliCommands::removeRunsForce()
{
    const QString repo = freshRepo();
    QVERIFY(!QTest::currentTestFailed());
    const QString before = snapshot(repo);
    const CliResult refused = runButler({"remove-runs", repo, "calib/*"});
    QCOMPARE(refused.status, 1);
    QVERIFY(refused.out.contains(kCalibRun));
    QCOMPARE(lines(refused.err).size(), 1);
    QVERIFY(refused.err.contains("--force"));
    QCOMPARE(snapshot(repo), before);

    const CliResult removed = runButler({"remove-runs", repo, "calib/*", "--force"});
    QVERIFY2(removed.status == 0, qPrintable(removed.err));
    const CliResult runs =
        runButler({"query-collections", repo, "--collection-type", "RUN", "--format", "csv"});
    QCOMPARE(lines(runs.out), (QStringList{"Name,Type,Children", kRawRun + ",RUN,"}));
    const CliResult biases = runButler({"query-datasets", repo, "bias", "--format", "json"});
    QCOMPARE(parseJsonArray(biases.out).size(), 0);

    const CliResult untagged = runButler({"remove-collections", repo, "tagged", "--force"});
    QVERIFY2(untagged.status == 0, qPrintable(untagged.err));
    const CliResult tagged = runButler({"query-collections", repo, "tagged", "--format", "json"});
    QCOMPARE(parseJsonArray(tagged.out).size(), 0);
    // The runs with datasets went to the trash; the empty TAGGED collection went at once.
    QVERIFY2(removed.out.contains(QStringLiteral("Moved 1 run to the trash until ")),
             qPrintable(removed.out));
    QVERIFY2(untagged.out.contains("Removed 1 collection at once, as it held nothing: tagged."),
             qPrintable(untagged.out));
    const QJsonArray trash = parseJsonArray(runButler({"trash", repo, "--format", "json"}).out);
    QCOMPARE(trash.size(), 1);
    QCOMPARE(trash.first().toObject().value("name").toString(), kCalibRun);
}

void TestCliCommands::retrieveArtifacts()
{
    const QString flat = m_root.filePath(QStringLiteral("retrieved-flat"));
    const CliResult result = runButler({"retrieve-artifacts", m_repo, flat, "--collections", kRawRun,
                                        "--dataset-type", "raw", "--where", "exposure.exposure_time > 20"});
    QVERIFY2(result.status == 0, qPrintable(result.err));
    QVERIFY(result.out.contains(": 3"));
    const QStringList files = QDir(flat).entryList(QDir::Files);
    QCOMPARE(files.size(), 3);
    for (const QString& name : files) {
        QVERIFY2(name.startsWith(QStringLiteral("raw_LSSTCam_")), qPrintable(name));
        QVERIFY(name.endsWith(".json"));
        const int detector = name.section('_', 2, 2).toInt();
        QCOMPARE(readFile(flat + '/' + name), rawContent(detector, kExposure2));
    }
    // No staging leftovers.
    QCOMPARE(QDir(flat).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 3);

    // A second run would overwrite: refused unless --clobber, and nothing changes.
    const CliResult again = runButler({"retrieve-artifacts", m_repo, flat, "--collections", kRawRun,
                                       "--where", "exposure.exposure_time > 20"});
    QCOMPARE(again.status, 1);
    QVERIFY(again.err.contains("--clobber"));
    BUTLER_OK("retrieve-artifacts", m_repo, flat, "--collections", kRawRun, "--where",
              "exposure.exposure_time > 20", "--clobber");
    QCOMPARE(QDir(flat).entryList(QDir::Files).size(), 3);

    // --preserve-path keeps the datastore's layout: the same relative paths as the repository's files.
    const QString kept = m_root.filePath(QStringLiteral("retrieved-tree"));
    BUTLER_OK("retrieve-artifacts", m_repo, kept, "--collections", kRawRun, kCalibRun, "--preserve-path");
    QStringList keptFiles;
    QDirIterator it(kept, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        keptFiles.append(QDir(kept).relativeFilePath(path));
        QVERIFY(QFileInfo::exists(m_repo + "/datastore/" + QDir(kept).relativeFilePath(path)));
        QCOMPARE(
            QCryptographicHash::hash(readFile(path), QCryptographicHash::Sha256),
            QCryptographicHash::hash(readFile(m_repo + "/datastore/" + QDir(kept).relativeFilePath(path)),
                                     QCryptographicHash::Sha256));
    }
    QCOMPARE(keptFiles.size(), 9);
}

void TestCliCommands::badInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("file"); // written to %FILE (with the suffix of fileName)
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("message");

    const QByteArray none;
    QTest::newRow("malformed JSON records")
        << QStringList{"insert-dimension-records", "%REPO", "detector", "%FILE"}
        << QByteArray(R"([{"instrument": "LSSTCam", "id": 5,]})") << "records.json"
        << "not valid JSON";
    QTest::newRow("malformed CSV records")
        << QStringList{"insert-dimension-records", "%REPO", "detector", "%FILE"}
        << QByteArray("instrument,id\nLSSTCam,5\nLSSTCam,6,R9\n") << "records.csv"
        << "line 3";
    QTest::newRow("unknown element") << QStringList{"insert-dimension-records", "%REPO", "detektor", "%FILE"}
                                     << QByteArray(R"([{"instrument": "LSSTCam", "id": 5}])")
                                     << "records.json"
                                     << "detektor";
    QTest::newRow("bad value type") << QStringList{"insert-dimension-records", "%REPO", "detector", "%FILE"}
                                    << QByteArray("instrument,id,full_name\nLSSTCam,five,R9\n")
                                    << "records.csv"
                                    << "integer";
    QTest::newRow("unknown record field")
        << QStringList{"insert-dimension-records", "%REPO", "detector", "%FILE"}
        << QByteArray("instrument,id,colour\nLSSTCam,5,red\n") << "records.csv"
        << "colour";
    QTest::newRow("one bad record stops all")
        << QStringList{"insert-dimension-records", "%REPO", "detector", "%FILE"}
        << QByteArray(R"([{"instrument": "LSSTCam", "id": 7, "full_name": "R9"},
                                                               {"instrument": "LSSTCam", "id": 0, "full_name": "R22_S00"}])")
        << "records.json"
        << "";
    QTest::newRow("unknown dimension")
        << QStringList{"register-dataset-type", "%REPO", "calexp", "ExposureF", "instrument", "detectorr"}
        << none << ""
        << "detectorr";
    QTest::newRow("type name path trick")
        << QStringList{"register-dataset-type", "%REPO", "a/../b", "ExposureF", "instrument"} << none << ""
        << "a/../b";
    QTest::newRow("collection path trick")
        << QStringList{"register-collection", "%REPO", "../x", "--type", "RUN"} << none << ""
        << "../x";
    QTest::newRow("absolute collection")
        << QStringList{"register-collection", "%REPO", "/etc", "--type", "TAGGED"} << none << ""
        << "/etc";
    QTest::newRow("chain path trick")
        << QStringList{"collection-chain", "%REPO", "u/../../x", "cycA"} << none << ""
        << "u/../../x";
    QTest::newRow("chain cycle") << QStringList{"collection-chain", "%REPO", "cycA", "cycB"} << none << ""
                                 << "cycle";
    QTest::newRow("self chain") << QStringList{"collection-chain", "%REPO", "cycB", "cycB"} << none << ""
                                << "";
    QTest::newRow("duplicate ingest") << QStringList{"ingest-files", "%REPO",     "raw",
                                                     kRawRun,        "%RAWTABLE", "--prefix",
                                                     "%SOURCES",     "--data-id", "instrument=LSSTCam"}
                                      << none << ""
                                      << "";
    QTest::newRow("ingest missing file")
        << QStringList{"ingest-files", "%REPO", "raw", "new/run", "%FILE", "--data-id", "instrument=LSSTCam"}
        << QByteArray("file,detector,exposure\n/nonexistent/x.json,0,1\n") << "table.csv"
        << "no file at";
    QTest::newRow("ingest unknown column")
        << QStringList{"ingest-files", "%REPO", "raw", "new/run", "%FILE"}
        << QByteArray("file,instrument,detector,exposure,colour\nx,LSSTCam,0,1,r\n") << "table.csv"
        << "colour";
    QTest::newRow("ingest unknown exposure")
        << QStringList{"ingest-files", "%REPO",    "raw",       "new/run",           "%FILE",
                       "--prefix",     "%SOURCES", "--data-id", "instrument=LSSTCam"}
        << QByteArray("file,detector,exposure\nbias_0.json,0,999\n") << "table.csv"
        << "";
    QTest::newRow("ingest unknown type")
        << QStringList{"ingest-files", "%REPO", "rawz", kRawRun, "%RAWTABLE"} << none << ""
        << "rawz";
    QTest::newRow("bad where") << QStringList{"query-datasets", "%REPO",   "raw",          "--collections",
                                              kRawRun,          "--where", "detectorr = 1"}
                               << none << ""
                               << "detectorr";
    QTest::newRow("bad where field") << QStringList{"query-dimension-records", "%REPO", "exposure", "--where",
                                                    "exposure.colour = 'red'"}
                                     << none << ""
                                     << "colour";
    QTest::newRow("bad where in prune")
        << QStringList{"prune-datasets", "%REPO",          "--collections", kRawRun,
                       "--where",        "detector = = 1", "--purge"}
        << none << ""
        << "";
    QTest::newRow("unknown collection")
        << QStringList{"query-datasets", "%REPO", "raw", "--collections", "nope"} << none << ""
        << "nope";
    QTest::newRow("certify a non-calibration")
        << QStringList{"certify-calibrations", "%REPO", kRawRun, "calib", "raw"} << none << ""
        << "";
    // The CALIBRATION collection made for the certification goes again.
    QTest::newRow("certify into a new collection fails")
        << QStringList{"certify-calibrations", "%REPO", kRawRun, "calib/other", "raw"} << none << ""
        << "";
    QTest::newRow("associate into a run")
        << QStringList{"associate", "%REPO", kCalibRun, "raw", "--collections", kRawRun} << none << ""
        << "";
    QTest::newRow("remove without force") << QStringList{"remove-runs", "%REPO", kRawRun} << none << ""
                                          << "--force";
    QTest::newRow("remove dataset type with datasets")
        << QStringList{"remove-dataset-type", "%REPO", "raw", "--force"} << none << ""
        << "";
    QTest::newRow("bad bind") << QStringList{"query-datasets", "%REPO",  "raw",
                                             "--collections",  kRawRun,  "--where",
                                             "detector = :d",  "--bind", "d"}
                              << none << ""
                              << "NAME=VALUE";
}

void TestCliCommands::badInput()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, file);
    QFETCH(QString, fileName);
    QFETCH(QString, message);

    const QString input =
        fileName.isEmpty() ? QString() : writeFile(m_root.filePath("bad/" + fileName), file);
    for (QString& arg : args) {
        arg.replace("%REPO", m_repo)
            .replace("%FILE", input)
            .replace("%RAWTABLE", m_rawTable)
            .replace("%SOURCES", m_sources);
    }
    const QString before = snapshot(m_repo);
    const CliResult result = runButler(args);
    QVERIFY2(result.status == 1, qPrintable(describe(args, result)));
    const QStringList errLines = lines(result.err);
    QVERIFY2(errLines.size() == 1 && errLines.first().startsWith("error: "),
             qPrintable(describe(args, result)));
    QVERIFY2(result.err.contains(message), qPrintable(describe(args, result)));
    QCOMPARE(snapshot(m_repo), before);
}

QTEST_GUILESS_MAIN(TestCliCommands)
#include "ButlerCli.h"
#include "tst_clicommands.moc"
