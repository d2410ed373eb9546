#include "BindParameters.h"
#include "CsvTable.h"
#include "DimensionUniverse.h"
#include "RecordFileReader.h"
#include "TaiTime.h"
#include "TransferCommands.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

// The CLI's readers of user-supplied values: CSV tables, --bind values, dimension record files,
// and the names retrieve-artifacts writes.
class TestCliValues : public QObject
{
    Q_OBJECT

private slots:
    void csvParses_data();
    void csvParses();
    void csvErrors_data();
    void csvErrors();
    void bindValues_data();
    void bindValues();
    void bindErrors_data();
    void bindErrors();
    void recordsFromJson();
    void recordsFromCsv();
    void recordErrors_data();
    void recordErrors();
    void recordFileFormatFromContent();
    void flatFileName();
    void safeRelativePath_data();
    void safeRelativePath();
};

void TestCliValues::csvParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QList<QStringList>>("rows");
    QTest::addColumn<QList<int>>("lines");

    QTest::newRow("plain") << "a,b\n1,2\n3,4\n"
                           << QStringList{"a", "b"} << QList<QStringList>{{"1", "2"}, {"3", "4"}}
                           << QList<int>{2, 3};
    QTest::newRow("crlf, no final newline") << "a,b\r\n1,2\r\n3,4" << QStringList{"a", "b"}
                                            << QList<QStringList>{{"1", "2"}, {"3", "4"}} << QList<int>{2, 3};
    QTest::newRow("quotes") << "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n"
                            << QStringList{"a", "b"} << QList<QStringList>{{"x,y", "say \"hi\""}}
                            << QList<int>{2};
    QTest::newRow("newline in quotes")
        << "a,b\n\"1\n2\",3\n4,5\n"
        << QStringList{"a", "b"} << QList<QStringList>{{"1\n2", "3"}, {"4", "5"}} << QList<int>{2, 4};
    QTest::newRow("blank lines and BOM")
        << QString(QChar(0xfeff)) + " a , b\n\n1,2\n\n"
        << QStringList{"a", "b"} << QList<QStringList>{{"1", "2"}} << QList<int>{3};
    QTest::newRow("empty fields") << "a,b,c\n,,\n"
                                  << QStringList{"a", "b", "c"} << QList<QStringList>{{"", "", ""}}
                                  << QList<int>{2};
}

void TestCliValues::csvParses()
{
    QFETCH(QString, text);
    QFETCH(QStringList, header);
    QFETCH(QList<QStringList>, rows);
    QFETCH(QList<int>, lines);
    const Result<CsvTable> table = CsvTable::parse(text);
    QVERIFY2(table.ok(), table.ok() ? "" : qPrintable(table.error().message()));
    QCOMPARE(table->header(), header);
    QCOMPARE(table->rowCount(), rows.size());
    for (int r = 0; r < rows.size(); ++r) {
        QCOMPARE(table->row(r), rows[r]);
        QCOMPARE(table->line(r), lines[r]);
    }
}

void TestCliValues::csvErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << ""
                           << "no header row";
    QTest::newRow("short row") << "a,b\n1,2\n3\n"
                               << "line 3: 1 fields, but the header has 2 columns";
    QTest::newRow("long row") << "a,b\n1,2,3\n"
                              << "line 2: 3 fields";
    QTest::newRow("open quote") << "a,b\n\"1,2\n"
                                << "line 2: a quoted field is not closed";
    QTest::newRow("stray quote") << "a,b\n1\"x,2\n"
                                 << "line 2: a quote inside an unquoted field";
    QTest::newRow("text after quote") << "a,b\n\"1\"x,2\n"
                                      << "after a closing quote";
    QTest::newRow("duplicate column") << "a,a\n1,2\n"
                                      << "names column 'a' twice";
    QTest::newRow("empty column name") << "a,,b\n1,2,3\n"
                                       << "empty column name";
}

void TestCliValues::csvErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const Result<CsvTable> table = CsvTable::parse(text);
    QVERIFY(!table.ok());
    QVERIFY2(table.error().message().contains(message), qPrintable(table.error().message()));
}

void TestCliValues::bindValues_data()
{
    QTest::addColumn<QString>("item");
    QTest::addColumn<QVariant>("expected");

    QTest::newRow("integer") << "v=42" << QVariant(qint64(42));
    QTest::newRow("negative") << "v=-7" << QVariant(qint64(-7));
    QTest::newRow("big integer") << "v=2025061500123" << QVariant(qint64(2025061500123));
    QTest::newRow("float") << "v=2.5" << QVariant(2.5);
    QTest::newRow("exponent") << "v=1e3" << QVariant(1000.0);
    QTest::newRow("string") << "v=LSSTCam" << QVariant(QStringLiteral("LSSTCam"));
    QTest::newRow("nan is a string") << "v=nan" << QVariant(QStringLiteral("nan"));
    QTest::newRow("equals in value") << "v=a=b" << QVariant(QStringLiteral("a=b"));
    QTest::newRow("empty") << "v=" << QVariant(QString());
    QTest::newRow("list") << "v=1,2.5,r" << QVariant(QVariantList{qint64(1), 2.5, QStringLiteral("r")});
}

void TestCliValues::bindValues()
{
    QFETCH(QString, item);
    QFETCH(QVariant, expected);
    const Result<QVariantMap> bind = BindParameters::parse({item});
    QVERIFY(bind.ok());
    const QVariant value = bind->value("v");
    QCOMPARE(value.typeId(), expected.typeId());
    QCOMPARE(value, expected);
}

void TestCliValues::bindErrors_data()
{
    QTest::addColumn<QStringList>("items");
    QTest::addColumn<QString>("message");
    QTest::newRow("no equals") << QStringList{"visit"} << "NAME=VALUE";
    QTest::newRow("bad name") << QStringList{"1x=3"} << "not an identifier";
    QTest::newRow("twice") << QStringList{"a=1", "a=2"} << "gives 'a' twice";
}

void TestCliValues::bindErrors()
{
    QFETCH(QStringList, items);
    QFETCH(QString, message);
    const Result<QVariantMap> bind = BindParameters::parse(items);
    QVERIFY(!bind.ok());
    QVERIFY2(bind.error().message().contains(message), qPrintable(bind.error().message()));
}

void TestCliValues::recordsFromJson()
{
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    const QByteArray json = R"({"records": [
        {"instrument": "LSSTCam", "id": 2025061500001, "obs_id": "MC_O_20250615_000001",
         "physical_filter": "r_57", "group": "g1", "day_obs": 20250615, "exposure_time": 30,
         "can_see_sky": true, "timespan_begin": "2025-06-15T03:00:00", "timespan_end": "2025-06-15T03:00:30Z"},
        {"instrument": "LSSTCam", "exposure": 2025061500002, "obs_id": "MC_O_20250615_000002",
         "physical_filter": "r_57", "group": "g1", "day_obs": 20250615,
         "timespan": {"begin": "2025-06-15T03:01:00", "end": null}}
    ]})";
    const Result<QList<DimensionRecord>> records = RecordFileReader::readJson(universe, "exposure", json);
    QVERIFY2(records.ok(), records.ok() ? "" : qPrintable(records.error().message()));
    QCOMPARE(records->size(), 2);
    const DimensionRecord& first = records->at(0);
    QCOMPARE(first.value("id").toLongLong(), 2025061500001LL);
    QCOMPARE(first.value("exposure_time").typeId(), int(QMetaType::Double));
    QCOMPARE(first.value("can_see_sky").toBool(), true);
    QVERIFY(first.timespan());
    QCOMPARE(first.timespan()->begin(), TaiTime::fromIsoUtc("2025-06-15T03:00:00").value());
    QCOMPARE(first.timespan()->end(), TaiTime::fromIsoUtc("2025-06-15T03:00:30").value());
    QVERIFY(!first.values().contains("timespan_begin"));
    const DimensionRecord& second = records->at(1);
    QCOMPARE(second.value("id").toLongLong(), 2025061500002LL);
    QVERIFY(second.timespan());
    QVERIFY(!second.timespan()->hasEnd());
}

void TestCliValues::recordsFromCsv()
{
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    const QString csv = QStringLiteral("instrument,id,full_name,purpose\n"
                                       "LSSTCam,0,R00_SG0,GUIDER\n"
                                       "LSSTCam,94,R22_S11,\n");
    const Result<QList<DimensionRecord>> records = RecordFileReader::readCsv(universe, "detector", csv);
    QVERIFY2(records.ok(), records.ok() ? "" : qPrintable(records.error().message()));
    QCOMPARE(records->size(), 2);
    QCOMPARE(records->at(0).value("id").typeId(), int(QMetaType::LongLong));
    QCOMPARE(records->at(1).value("id").toLongLong(), 94);
    QVERIFY(records->at(1).value("purpose").isNull());

    const QString days =
        QStringLiteral("instrument,id,datetime_begin,datetime_end\nLSSTCam,20250615,2025-06-15T12:00:00,\n");
    const Result<QList<DimensionRecord>> dayRecords = RecordFileReader::readCsv(universe, "day_obs", days);
    QVERIFY2(dayRecords.ok(), dayRecords.ok() ? "" : qPrintable(dayRecords.error().message()));
    QVERIFY(dayRecords->first().timespan());
    QVERIFY(dayRecords->first().timespan()->hasBegin());
    QVERIFY(!dayRecords->first().timespan()->hasEnd());
}

void TestCliValues::recordErrors_data()
{
    QTest::addColumn<QString>("element");
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown element") << "detectorr"
                                     << "json" << QByteArray("[]") << "unknown dimension element 'detectorr'";
    QTest::newRow("malformed json") << "detector"
                                    << "json" << QByteArray("[{\"id\": 1,}") << "not valid JSON";
    QTest::newRow("not an array") << "detector"
                                  << "json" << QByteArray("{\"id\": 1}") << "expected a JSON array";
    QTest::newRow("not an object") << "detector"
                                   << "json" << QByteArray("[1]") << "record 1: expected an object";
    QTest::newRow("no records") << "detector"
                                << "json" << QByteArray("[]") << "no records";
    QTest::newRow("bad int") << "detector"
                             << "json" << QByteArray(R"([{"instrument": "LSSTCam", "id": 1, "full_name": "a"},
                                              {"instrument": "LSSTCam", "id": "x", "full_name": "b"}])")
                             << "record 2: ";
    QTest::newRow("unknown field") << "detector"
                                   << "csv" << QByteArray("instrument,id,colour\nLSSTCam,1,red\n")
                                   << "line 2: element 'detector' has no field 'colour'";
    QTest::newRow("bad csv") << "detector"
                             << "csv" << QByteArray("instrument,id\nLSSTCam\n") << "line 2: 1 fields";
    QTest::newRow("bad time") << "day_obs"
                              << "csv" << QByteArray("instrument,id,timespan_begin\nLSSTCam,20250615,noon\n")
                              << "line 2: timespan_begin";
    QTest::newRow("timespan on element without one")
        << "detector"
        << "csv" << QByteArray("instrument,id,full_name,timespan_begin\nLSSTCam,1,a,2025-06-15\n")
        << "has no timespan";
}

void TestCliValues::recordErrors()
{
    QFETCH(QString, element);
    QFETCH(QString, suffix);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("records." + suffix);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    const Result<QList<DimensionRecord>> records =
        RecordFileReader::read(DimensionUniverse::defaultUniverse(), element, path);
    QVERIFY(!records.ok());
    QVERIFY2(records.error().message().contains(message), qPrintable(records.error().message()));
}

void TestCliValues::recordFileFormatFromContent()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("records.txt");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("  [{\"name\": \"LSSTCam\", \"detector_max\": 189}]");
    file.close();
    const Result<QList<DimensionRecord>> records =
        RecordFileReader::read(DimensionUniverse::defaultUniverse(), "instrument", path);
    QVERIFY2(records.ok(), records.ok() ? "" : qPrintable(records.error().message()));
    QCOMPARE(records->first().value("detector_max").toLongLong(), 189);
}

void TestCliValues::flatFileName()
{
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    const DatasetType type =
        DatasetType::make(universe, "calexp", {"instrument", "detector", "visit"}, "ExposureF").value();
    const DataCoordinate dataId =
        DataCoordinate::fromMap(universe, type.dimensions(),
                                {{"instrument", "LSST/Cam"}, {"detector", 42}, {"visit", 7}})
            .value();
    const QUuid id = QUuid::fromString(QStringLiteral("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"));
    const DatasetRef ref(id, type, dataId, "run");
    FileInfo info;
    info.path = "run/calexp/LSSTCam/calexp_42.fits.fz";
    QCOMPARE(TransferCommands::flatFileName(ref, info),
             QStringLiteral("calexp_LSST_Cam_42_7_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0.fits.fz"));
    info.path = "noextension";
    info.formatter = "json";
    QVERIFY(TransferCommands::flatFileName(ref, info).endsWith(".json"));
}

void TestCliValues::safeRelativePath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("ok");
    QTest::newRow("nested") << "run/raw/file.fits" << true;
    QTest::newRow("absolute") << "/etc/passwd" << false;
    QTest::newRow("parent") << "run/../../x" << false;
    QTest::newRow("dot") << "./x" << false;
    QTest::newRow("backslash parent") << "run\\..\\..\\x" << false;
    QTest::newRow("drive") << "C:/x" << false;
    QTest::newRow("colon inside") << "u/alice/DM-1:test/x.fits" << true;
    QTest::newRow("colon inside") << "u/alice/DM-1:test/x.fits" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("double slash") << "run//x" << false;
}

void TestCliValues::safeRelativePath()
{
    QFETCH(QString, path);
    QFETCH(bool, ok);
    QCOMPARE(TransferCommands::safeRelativePath(path).ok(), ok);
}

QTEST_GUILESS_MAIN(TestCliValues)
#include "tst_clivalues.moc"
