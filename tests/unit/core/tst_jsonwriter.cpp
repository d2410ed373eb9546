#include "JsonWriter.h"
#include "WireFormat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace butler;

namespace {

const DimensionUniverse& universe()
{
    return DimensionUniverse::defaultUniverse();
}

template <typename T> T valueOf(Result<T> result)
{
    if (!result.ok())
        qFatal("unexpected error: %s", qPrintable(result.error().message()));
    return std::move(result).value();
}

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

DatasetRef makeRef(const QString& type, const QStringList& dimensions, const QVariantMap& dataId,
                   const QString& run, bool calibration = false)
{
    const DatasetType datasetType =
        valueOf(DatasetType::make(universe(), type, dimensions, QStringLiteral("ExposureF"), calibration));
    const DataCoordinate coordinate =
        valueOf(DataCoordinate::fromMap(universe(), datasetType.dimensions(), dataId));
    return DatasetRef(QUuid::createUuid(), datasetType, coordinate, run);
}

} // namespace

// The writer must give the bytes QJsonDocument gives: clients and tests compare answers, and
// the server mixes both ways of writing.
class TestJsonWriter : public QObject
{
    Q_OBJECT

private slots:
    void scalarsMatchQJsonDocument_data()
    {
        QTest::addColumn<QVariant>("value");
        QTest::newRow("empty string") << QVariant(QString());
        QTest::newRow("plain") << QVariant(QStringLiteral("u/alice/run-1"));
        QTest::newRow("quotes and backslash") << QVariant(QStringLiteral("a\"b\\c"));
        QTest::newRow("controls") << QVariant(QStringLiteral("line\nnext\ttab\r\b\f\x01\x1f end"));
        QTest::newRow("delete char") << QVariant(QStringLiteral("x\x7fy"));
        QTest::newRow("non-ascii") << QVariant(QStringLiteral("Señal α – ☃ 𝄞"));
        QTest::newRow("slash") << QVariant(QStringLiteral("a/b</script>"));
        QTest::newRow("zero") << QVariant(qint64(0));
        QTest::newRow("negative") << QVariant(qint64(-42));
        QTest::newRow("int") << QVariant(int(189));
        QTest::newRow("tai ns") << QVariant(qint64(1700000000123456789LL));
        QTest::newRow("int64 max") << QVariant(std::numeric_limits<qint64>::max());
        QTest::newRow("int64 min") << QVariant(std::numeric_limits<qint64>::min());
        QTest::newRow("double") << QVariant(0.1);
        QTest::newRow("integral double") << QVariant(30.0);
        QTest::newRow("big double") << QVariant(1e300);
        QTest::newRow("tiny double") << QVariant(-2.5e-12);
        QTest::newRow("true") << QVariant(true);
        QTest::newRow("false") << QVariant(false);
        QTest::newRow("null") << QVariant();
    }

    void scalarsMatchQJsonDocument()
    {
        QFETCH(QVariant, value);
        JsonWriter writer;
        writer.beginObject();
        writer.key("v");
        writer.value(value);
        writer.endObject();
        QCOMPARE(writer.data(), compact(QJsonObject{{QStringLiteral("v"), QJsonValue::fromVariant(value)}}));
        // and it parses back to the same value
        const QJsonObject back = QJsonDocument::fromJson(writer.data()).object();
        QCOMPARE(back.value(QStringLiteral("v")), QJsonValue::fromVariant(value));
    }

    void nestingAndSeparators()
    {
        JsonWriter writer;
        writer.beginObject();
        writer.key("a");
        writer.beginArray();
        writer.value(1);
        writer.beginObject();
        writer.endObject();
        writer.beginArray();
        writer.endArray();
        writer.null();
        writer.raw("{\"x\":true}");
        writer.stringList({QStringLiteral("p"), QStringLiteral("q")});
        writer.endArray();
        writer.key(QStringLiteral("b\"key"));
        writer.value("utf8 bytes");
        writer.endObject();
        QCOMPARE(writer.data(),
                 QByteArray("{\"a\":[1,{},[],null,{\"x\":true},[\"p\",\"q\"]],\"b\\\"key\":\"utf8 bytes\"}"));
        QVERIFY(!QJsonDocument::fromJson(writer.data()).isNull());

        JsonWriter lines;
        lines.beginObject();
        lines.endObject();
        lines.endLine();
        lines.value(7);
        lines.endLine();
        QCOMPARE(lines.data(), QByteArray("{}\n7\n"));
    }

    void datasetRefsMatchToJson()
    {
        const QList<DatasetRef> refs{
            makeRef(QStringLiteral("raw"),
                    {QStringLiteral("instrument"), QStringLiteral("exposure"), QStringLiteral("detector")},
                    {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                     {QStringLiteral("exposure"), 2025120100042LL},
                     {QStringLiteral("detector"), 94}},
                    QStringLiteral("LSSTCam/raw/all")),
            makeRef(
                QStringLiteral("flat"),
                {QStringLiteral("instrument"), QStringLiteral("detector"), QStringLiteral("physical_filter")},
                {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                 {QStringLiteral("detector"), 0},
                 {QStringLiteral("physical_filter"), QStringLiteral("r_57")}},
                QStringLiteral("u/al\"ice/calib\n"), true),
            makeRef(QStringLiteral("skyMap"), {QStringLiteral("skymap")},
                    {{QStringLiteral("skymap"), QStringLiteral("lsst_cells_v1")}}, QStringLiteral("skymaps")),
        };
        for (const DatasetRef& ref : refs) {
            JsonWriter writer;
            ref.writeJson(writer);
            QCOMPARE(writer.data(), compact(ref.toJson()));
        }

        DatasetPage page;
        page.refs = refs;
        page.ingestDates = {1733000000000000000LL, 0, -5};
        page.nextPageToken = QStringLiteral("tok+en/=");
        QCOMPARE(WireFormat::datasetPageJson(page), compact(WireFormat::toJson(page)));
        QCOMPARE(WireFormat::datasetPageJson(DatasetPage()), compact(WireFormat::toJson(DatasetPage())));
        // and the client reads it back
        const DatasetPage back = valueOf(WireFormat::datasetPageFromJson(
            universe(), QJsonDocument::fromJson(WireFormat::datasetPageJson(page)).object()));
        QCOMPARE(back.refs.size(), 3);
        QCOMPARE(back.refs[1].run(), QStringLiteral("u/al\"ice/calib\n"));
        QCOMPARE(back.ingestDates, page.ingestDates);
    }
};

QTEST_APPLESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
