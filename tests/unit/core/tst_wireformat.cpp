#include "DatasetPageReader.h"
#include "WireFormat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace butler;

namespace {

const DimensionUniverse& universe()
{
    return DimensionUniverse::defaultUniverse();
}

// Through text and back, as the bytes travel: catches numbers that lose precision on the way.
QJsonObject viaText(const QJsonObject& json)
{
    return QJsonDocument::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact)).object();
}

QJsonObject parse(const QByteArray& text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in test data: %s", text.constData());
    return document.object();
}

template <typename T> T valueOf(Result<T> result)
{
    if (!result.ok())
        qFatal("unexpected error: %s", qPrintable(result.error().message()));
    return std::move(result).value();
}

DatasetRef makeRef(const QString& type, const QStringList& dimensions, const QVariantMap& dataId,
                   const QString& run)
{
    const DatasetType datasetType =
        valueOf(DatasetType::make(universe(), type, dimensions, QStringLiteral("Exposure")));
    const DataCoordinate coordinate =
        valueOf(DataCoordinate::fromMap(universe(), datasetType.dimensions(), dataId));
    return DatasetRef(QUuid::createUuid(), datasetType, coordinate, run);
}

// The error of decoding json as the named wire type, or an empty message when it decoded.
Error decodeError(const QString& kind, const QJsonObject& json)
{
    auto errorOf = [](const auto& result) {
        return result.ok() ? Error(ErrorKind::Internal, {}) : result.error();
    };
    if (kind == QLatin1String("DatasetQuery"))
        return errorOf(WireFormat::datasetQueryFromJson(json));
    if (kind == QLatin1String("DataIdQuery"))
        return errorOf(WireFormat::dataIdQueryFromJson(json));
    if (kind == QLatin1String("DimensionRecordQuery"))
        return errorOf(WireFormat::dimensionRecordQueryFromJson(json));
    if (kind == QLatin1String("CollectionQuery"))
        return errorOf(WireFormat::collectionQueryFromJson(json));
    if (kind == QLatin1String("DatasetPage"))
        return errorOf(WireFormat::datasetPageFromJson(universe(), json));
    if (kind == QLatin1String("DimensionRecordPage"))
        return errorOf(WireFormat::dimensionRecordPageFromJson(universe(), json));
    if (kind == QLatin1String("FileInfo"))
        return errorOf(WireFormat::fileInfoFromJson(json));
    if (kind == QLatin1String("IngestFile"))
        return errorOf(WireFormat::ingestFileFromJson(json));
    if (kind == QLatin1String("bind"))
        return errorOf(WireFormat::bindFromJson(json.value(QStringLiteral("bind"))));
    qFatal("unknown wire type %s", qPrintable(kind));
}

} // namespace

class TstWireFormat : public QObject
{
    Q_OBJECT

private slots:
    void datasetQueryRoundTrip();
    void datasetQueryDefaults();
    void dataIdQueryRoundTrip();
    void dimensionRecordQueryRoundTrip();
    void collectionQueryRoundTrip();
    void datasetPageRoundTrip();
    void pageReaderRefusesBrokenText();
    void dimensionRecordPageRoundTrip();
    void fileInfoRoundTrip();
    void ingestFileRoundTrip();
    void bindRoundTrip();
    void badInput_data();
    void badInput();
    void errorRoundTrip_data();
    void errorRoundTrip();
    void errorFromServerTypes_data();
    void errorFromServerTypes();
    void enumNames();
};

void TstWireFormat::datasetQueryRoundTrip()
{
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("raw"), QStringLiteral("calexp*")};
    query.collections = {QStringLiteral("LSSTCam/raw/all"), QStringLiteral("u/alice/*")};
    query.where = QStringLiteral("instrument = 'LSSTCam' AND detector IN (:dets)");
    query.bind = {{QStringLiteral("dets"), QVariantList{qint64(1), qint64(2)}},
                  {QStringLiteral("name"), QStringLiteral("x")}};
    query.findFirst = true;
    query.orderBy = {QStringLiteral("-exposure.day_obs"), QStringLiteral("detector")};
    query.limit = 250;
    query.pageToken = QStringLiteral("opaque/token==");
    query.calibrationTime = qint64(1750000000123456789);
    query.withSizes = true;

    const QJsonObject json = viaText(WireFormat::toJson(query));
    QCOMPARE(json.value("with_sizes").toBool(), true);
    QCOMPARE(json.value("find_first").toBool(), true);
    QCOMPARE(json.value("page_token").toString(), query.pageToken);
    const DatasetQuery back = valueOf(WireFormat::datasetQueryFromJson(json));
    QCOMPARE(back.datasetTypes, query.datasetTypes);
    QCOMPARE(back.collections, query.collections);
    QCOMPARE(back.where, query.where);
    QCOMPARE(back.bind, query.bind);
    QCOMPARE(back.findFirst, true);
    QCOMPARE(back.orderBy, query.orderBy);
    QCOMPARE(back.limit, 250);
    QCOMPARE(back.pageToken, query.pageToken);
    QVERIFY(back.calibrationTime.has_value());
    // Nanoseconds beyond 2^53 survive the trip exactly.
    QCOMPARE(*back.calibrationTime, qint64(1750000000123456789));
    QCOMPARE(back.withSizes, true);
    QCOMPARE(valueOf(WireFormat::datasetQueryFromJson(QJsonObject())).withSizes, false);
}

void TstWireFormat::datasetQueryDefaults()
{
    const DatasetQuery query = valueOf(WireFormat::datasetQueryFromJson(QJsonObject()));
    QVERIFY(query.datasetTypes.isEmpty());
    QVERIFY(query.collections.isEmpty());
    QVERIFY(!query.findFirst);
    QCOMPARE(query.limit, 0);
    QVERIFY(!query.calibrationTime.has_value());
    QVERIFY(!WireFormat::toJson(DatasetQuery()).contains("calibration_time"));
}

void TstWireFormat::dataIdQueryRoundTrip()
{
    DataIdQuery query;
    query.dimensions = {QStringLiteral("exposure"), QStringLiteral("detector")};
    query.datasetTypes = {QStringLiteral("raw")};
    query.collections = {QStringLiteral("a"), QStringLiteral("b")};
    query.where = QStringLiteral("exposure.exposure_time > :t");
    query.bind = {{QStringLiteral("t"), 20.5}};
    query.orderBy = {QStringLiteral("exposure")};
    query.limit = 7;
    const DataIdQuery back = valueOf(WireFormat::dataIdQueryFromJson(viaText(WireFormat::toJson(query))));
    QCOMPARE(back.dimensions, query.dimensions);
    QCOMPARE(back.datasetTypes, query.datasetTypes);
    QCOMPARE(back.collections, query.collections);
    QCOMPARE(back.where, query.where);
    QCOMPARE(back.bind.value("t").toDouble(), 20.5);
    QCOMPARE(back.orderBy, query.orderBy);
    QCOMPARE(back.limit, 7);
}

void TstWireFormat::dimensionRecordQueryRoundTrip()
{
    DimensionRecordQuery query;
    query.element = QStringLiteral("detector");
    query.where = QStringLiteral("detector.purpose = 'SCIENCE'");
    query.orderBy = {QStringLiteral("-detector")};
    query.limit = 3;
    query.pageToken = QStringLiteral("p2");
    const DimensionRecordQuery back =
        valueOf(WireFormat::dimensionRecordQueryFromJson(viaText(WireFormat::toJson(query))));
    QCOMPARE(back.element, query.element);
    QCOMPARE(back.where, query.where);
    QCOMPARE(back.orderBy, query.orderBy);
    QCOMPARE(back.limit, 3);
    QCOMPARE(back.pageToken, query.pageToken);
}

void TstWireFormat::collectionQueryRoundTrip()
{
    CollectionQuery query;
    query.globs = {QStringLiteral("u/*"), QStringLiteral("LSSTCam/raw/all")};
    query.types = {CollectionType::Run, CollectionType::Calibration};
    query.flattenChains = true;
    query.includeChains = false;
    const QJsonObject json = viaText(WireFormat::toJson(query));
    QCOMPARE(json.value("types").toArray(), (QJsonArray{"RUN", "CALIBRATION"}));
    const CollectionQuery back = valueOf(WireFormat::collectionQueryFromJson(json));
    QCOMPARE(back.globs, query.globs);
    QCOMPARE(back.types, query.types);
    QCOMPARE(back.flattenChains, true);
    QCOMPARE(back.includeChains, false);
    // Absent flags keep the struct's defaults.
    const CollectionQuery defaults = valueOf(WireFormat::collectionQueryFromJson(QJsonObject()));
    QCOMPARE(defaults.includeChains, true);
    QCOMPARE(defaults.flattenChains, false);
}

void TstWireFormat::datasetPageRoundTrip()
{
    const QStringList rawDims{"instrument", "detector", "exposure"};
    DatasetPage page;
    for (int detector = 1; detector <= 3; ++detector)
        page.refs.append(
            makeRef("raw", rawDims,
                    {{"instrument", "LSSTCam"}, {"detector", detector}, {"exposure", qint64(2025061500001)}},
                    "LSSTCam/raw/all"));
    page.refs.append(makeRef("bias", {"instrument", "detector"}, {{"instrument", "LSSTCam"}, {"detector", 7}},
                             "calib/run"));
    page.ingestDates = {qint64(1750000000000000001), qint64(1750000000000000002), qint64(3), qint64(4)};
    page.nextPageToken = QStringLiteral("next");

    const DatasetPage back =
        valueOf(WireFormat::datasetPageFromJson(universe(), viaText(WireFormat::toJson(page))));
    QCOMPARE(back.refs.size(), 4);
    // The client's text reader gives the same page from either writer's text.
    for (const QByteArray& text : {WireFormat::datasetPageJson(page),
                                   QJsonDocument(WireFormat::toJson(page)).toJson(QJsonDocument::Indented)}) {
        const DatasetPage read = valueOf(DatasetPageReader(universe()).read(text));
        QCOMPARE(read.refs.size(), page.refs.size());
        for (int i = 0; i < page.refs.size(); ++i)
            QVERIFY2(read.refs[i] == page.refs[i] && read.refs[i].run() == page.refs[i].run(),
                     qPrintable(QString::number(i)));
        QCOMPARE(read.ingestDates, page.ingestDates);
        QCOMPARE(read.nextPageToken, page.nextPageToken);
        QVERIFY(read.sizes.isEmpty());
    }
    for (int i = 0; i < page.refs.size(); ++i)
        QVERIFY2(back.refs[i] == page.refs[i], qPrintable(QString::number(i)));
    QCOMPARE(back.ingestDates, page.ingestDates);
    QCOMPARE(back.nextPageToken, page.nextPageToken);
    QVERIFY(back.sizes.isEmpty());
    QVERIFY(!WireFormat::toJson(page).contains("sizes")); // only when asked for

    // Sizes, as answered to DatasetQuery::withSizes, written both ways.
    page.sizes = {qint64(5) << 40, 0, -1, 2880};
    const DatasetPage sized =
        valueOf(WireFormat::datasetPageFromJson(universe(), viaText(WireFormat::toJson(page))));
    QCOMPARE(sized.sizes, page.sizes);
    QCOMPARE(valueOf(DatasetPageReader(universe()).read(WireFormat::datasetPageJson(page))).sizes,
             page.sizes);
    // A run the server withholds (null) reads as an empty run.
    DatasetPage withheld;
    withheld.refs.append(
        DatasetRef(page.refs[0].id(), page.refs[0].datasetType(), page.refs[0].dataId(), {}));
    const DatasetPage hidden =
        valueOf(DatasetPageReader(universe()).read(WireFormat::datasetPageJson(withheld)));
    QVERIFY(hidden.refs[0].run().isEmpty());
    QCOMPARE(WireFormat::datasetPageJson(page),
             QJsonDocument(WireFormat::toJson(page)).toJson(QJsonDocument::Compact));

    // An empty last page.
    const DatasetPage empty =
        valueOf(WireFormat::datasetPageFromJson(universe(), WireFormat::toJson(DatasetPage())));
    QVERIFY(empty.refs.isEmpty());
    QVERIFY(empty.nextPageToken.isEmpty());
}

void TstWireFormat::dimensionRecordPageRoundTrip()
{
    DimensionRecordPage page;
    page.records.append(valueOf(DimensionRecord::validated(
        universe(), "detector",
        {{"instrument", "LSSTCam"}, {"id", 42}, {"full_name", "R22_S11"}, {"purpose", "SCIENCE"}})));
    page.records.append(valueOf(DimensionRecord::validated(
        universe(), "detector",
        {{"instrument", "LSSTCam"}, {"id", 43}, {"full_name", "R22_S12"}, {"purpose", "SCIENCE"}})));
    page.nextPageToken = QStringLiteral("t");
    const DimensionRecordPage back =
        valueOf(WireFormat::dimensionRecordPageFromJson(universe(), viaText(WireFormat::toJson(page))));
    QCOMPARE(back.records.size(), 2);
    QCOMPARE(back.records[1].element(), QStringLiteral("detector"));
    QCOMPARE(back.records[1].values(), page.records[1].values());
    QCOMPARE(back.nextPageToken, QStringLiteral("t"));
}

void TstWireFormat::fileInfoRoundTrip()
{
    FileInfo info;
    info.id = QUuid::createUuid();
    info.uri = QStringLiteral("https://butler.example/files/main/a/b.fits?method=GET&expires=1&signature=x");
    info.path = QStringLiteral("a/b.fits");
    info.formatter = QStringLiteral("fits");
    info.size = 5'000'000'000;
    info.checksum = QStringLiteral("sha256:00ff");
    qint64 expires = -1;
    const FileInfo back =
        valueOf(WireFormat::fileInfoFromJson(viaText(WireFormat::toJson(info, 1767225600)), &expires));
    QCOMPARE(back.id, info.id);
    QCOMPARE(back.uri, info.uri);
    QCOMPARE(back.path, info.path);
    QCOMPARE(back.formatter, info.formatter);
    QCOMPARE(back.size, info.size);
    QCOMPARE(back.checksum, info.checksum);
    QCOMPARE(expires, qint64(1767225600));
    // Without an expiry (local file URIs) the field is absent and reads back as 0.
    QVERIFY(!WireFormat::toJson(info).contains("expires"));
    (void)valueOf(WireFormat::fileInfoFromJson(WireFormat::toJson(info), &expires));
    QCOMPARE(expires, qint64(0));
}

void TstWireFormat::ingestFileRoundTrip()
{
    IngestFile file;
    file.datasetType = QStringLiteral("raw");
    file.dataId = {{"instrument", "LSSTCam"}, {"detector", qint64(12)}, {"exposure", qint64(2025061500001)}};
    file.id = QUuid::createUuid();
    file.formatter = QStringLiteral("fits");
    file.path = QStringLiteral("/data/x.fits");
    const IngestFile back = valueOf(WireFormat::ingestFileFromJson(viaText(WireFormat::toJson(file))));
    QCOMPARE(back.datasetType, file.datasetType);
    QCOMPARE(back.dataId, file.dataId);
    QCOMPARE(back.id, file.id);
    QCOMPARE(back.formatter, file.formatter);
    QCOMPARE(back.path, file.path);

    IngestFile bare;
    bare.datasetType = QStringLiteral("raw");
    bare.dataId = {{"instrument", "LSSTCam"}};
    const QJsonObject json = WireFormat::toJson(bare);
    QVERIFY(!json.contains("id"));
    QVERIFY(!json.contains("formatter"));
    const IngestFile bareBack = valueOf(WireFormat::ingestFileFromJson(json));
    QVERIFY(bareBack.id.isNull());
    QVERIFY(bareBack.formatter.isEmpty());
}

void TstWireFormat::bindRoundTrip()
{
    const QVariantMap bind{{"i", qint64(1) << 60},
                           {"d", 2.5},
                           {"s", "LSSTCam"},
                           {"b", true},
                           {"list", QVariantList{qint64(1), "two", 3.5}},
                           {"strings", QStringList{"a", "b"}}};
    const QJsonObject json = viaText(QJsonObject{{"bind", WireFormat::bindToJson(bind)}});
    const QVariantMap back = valueOf(WireFormat::bindFromJson(json.value("bind")));
    QCOMPARE(back.value("i").typeId(), int(QMetaType::LongLong));
    QCOMPARE(back.value("i").toLongLong(), qint64(1) << 60);
    QCOMPARE(back.value("d").typeId(), int(QMetaType::Double));
    QCOMPARE(back.value("d").toDouble(), 2.5);
    QCOMPARE(back.value("s").toString(), QStringLiteral("LSSTCam"));
    QCOMPARE(back.value("b").toBool(), true);
    QCOMPARE(back.value("list").toList(), (QVariantList{qint64(1), "two", 3.5}));
    QCOMPARE(back.value("strings").toList(), (QVariantList{"a", "b"}));
    QVERIFY(valueOf(WireFormat::bindFromJson(QJsonValue())).isEmpty());
}

void TstWireFormat::badInput_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");

    const QByteArray id = QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1();
    const QByteArray rawType =
        R"({"name":"raw","dimensions":["instrument","detector","exposure"],"storage_class":"Exposure","is_calibration":false})";
    const QByteArray rawRef =
        R"({"id":")" + id + R"(","dataset_type":)" + rawType +
        R"(,"data_id":{"instrument":"LSSTCam","detector":1,"exposure":2025061500001},"run":"r"})";

    QTest::newRow("dataset_types a string")
        << "DatasetQuery" << QByteArray(R"({"dataset_types":"raw"})") << "dataset_types";
    QTest::newRow("dataset_types with a number")
        << "DatasetQuery" << QByteArray(R"({"dataset_types":["raw",1]})") << "dataset_types[1]";
    QTest::newRow("collections an object")
        << "DatasetQuery" << QByteArray(R"({"collections":{}})") << "collections";
    QTest::newRow("where a number") << "DatasetQuery" << QByteArray(R"({"where":5})") << "where";
    QTest::newRow("find_first a string")
        << "DatasetQuery" << QByteArray(R"({"find_first":"yes"})") << "find_first";
    QTest::newRow("order_by a string")
        << "DatasetQuery" << QByteArray(R"({"order_by":"visit"})") << "order_by";
    QTest::newRow("limit fractional") << "DatasetQuery" << QByteArray(R"({"limit":1.5})") << "limit";
    QTest::newRow("limit a string") << "DatasetQuery" << QByteArray(R"({"limit":"10"})") << "limit";
    QTest::newRow("limit negative") << "DatasetQuery" << QByteArray(R"({"limit":-1})") << "limit";
    QTest::newRow("limit huge") << "DatasetQuery" << QByteArray(R"({"limit":1000000000000})") << "limit";
    QTest::newRow("limit above the cap") << "DatasetQuery" << QByteArray(R"({"limit":10000001})") << "limit";
    QTest::newRow("limit beyond qint64") << "DatasetQuery" << QByteArray(R"({"limit":1e300})") << "limit";
    QTest::newRow("page_token a number")
        << "DatasetQuery" << QByteArray(R"({"page_token":3})") << "page_token";
    QTest::newRow("calibration_time text")
        << "DatasetQuery" << QByteArray(R"({"calibration_time":"2025-06-15"})") << "calibration_time";
    QTest::newRow("calibration_time fractional")
        << "DatasetQuery" << QByteArray(R"({"calibration_time":1.5})") << "calibration_time";
    QTest::newRow("bind a list") << "DatasetQuery" << QByteArray(R"({"bind":[1]})") << "bind";
    QTest::newRow("bind value an object")
        << "DatasetQuery" << QByteArray(R"({"bind":{"a":{"b":1}}})") << "bind.a";
    QTest::newRow("bind value null") << "bind" << QByteArray(R"({"bind":{"a":null}})") << "bind.a";
    QTest::newRow("bind nested list") << "bind" << QByteArray(R"({"bind":{"a":[1,[2]]}})") << "bind.a[1]";

    QTest::newRow("data id query dimensions")
        << "DataIdQuery" << QByteArray(R"({"dimensions":[true]})") << "dimensions[0]";
    QTest::newRow("data id query limit") << "DataIdQuery" << QByteArray(R"({"limit":[]})") << "limit";

    QTest::newRow("record query without element")
        << "DimensionRecordQuery" << QByteArray(R"({"where":""})") << "element";
    QTest::newRow("record query element a number")
        << "DimensionRecordQuery" << QByteArray(R"({"element":7})") << "element";
    QTest::newRow("record query limit")
        << "DimensionRecordQuery" << QByteArray(R"({"element":"detector","limit":2.5})") << "limit";

    QTest::newRow("unknown collection type")
        << "CollectionQuery" << QByteArray(R"({"types":["RUN","BAG"]})") << "types";
    QTest::newRow("collection type a number")
        << "CollectionQuery" << QByteArray(R"({"types":[1]})") << "types[0]";
    QTest::newRow("flatten_chains a number")
        << "CollectionQuery" << QByteArray(R"({"flatten_chains":1})") << "flatten_chains";

    QTest::newRow("page without datasets")
        << "DatasetPage" << QByteArray(R"({"next_page_token":""})") << "datasets";
    QTest::newRow("page datasets an object")
        << "DatasetPage" << QByteArray(R"({"datasets":{}})") << "datasets";
    QTest::newRow("page ref a string")
        << "DatasetPage" << QByteArray(R"({"datasets":["x"]})") << "datasets[0]";
    QTest::newRow("page ref with a bad id")
        << "DatasetPage" << QByteArray(R"({"datasets":[)" + QByteArray(rawRef).replace(id, "nope") + "]}")
        << "datasets[0]";
    QTest::newRow("page ref without run")
        << "DatasetPage"
        << QByteArray(R"({"datasets":[)" + QByteArray(rawRef).replace(R"("run":"r")", R"("x":1)") + "]}")
        << "run";
    QTest::newRow("page ref with unknown dimension")
        << "DatasetPage"
        << QByteArray(R"({"datasets":[)" + QByteArray(rawRef).replace("\"detector\",", "\"nope\",") + "]}")
        << "datasets[0]";
    QTest::newRow("page dates mismatch")
        << "DatasetPage" << QByteArray(R"({"datasets":[)" + rawRef + R"(],"ingest_dates":[1,2]})")
        << "ingest_dates";
    QTest::newRow("page date a string")
        << "DatasetPage" << QByteArray(R"({"datasets":[)" + rawRef + R"(],"ingest_dates":["x"]})")
        << "ingest_dates[0]";
    QTest::newRow("page sizes mismatch")
        << "DatasetPage" << QByteArray(R"({"datasets":[)" + rawRef + R"(],"sizes":[1,2]})") << "sizes";
    QTest::newRow("page size negative")
        << "DatasetPage" << QByteArray(R"({"datasets":[)" + rawRef + R"(],"sizes":[-7]})") << "sizes[0]";
    QTest::newRow("page size a string")
        << "DatasetPage" << QByteArray(R"({"datasets":[)" + rawRef + R"(],"sizes":["big"]})") << "sizes[0]";
    QTest::newRow("page token a list")
        << "DatasetPage" << QByteArray(R"({"datasets":[],"next_page_token":[]})") << "next_page_token";

    QTest::newRow("records missing") << "DimensionRecordPage" << QByteArray(R"({})") << "records";
    QTest::newRow("record a number") << "DimensionRecordPage" << QByteArray(R"({"records":[1]})")
                                     << "records[0]";

    const QByteArray file =
        R"({"id":")" + id +
        R"(","uri":"https://x/f","path":"a","formatter":"fits","size":3,"checksum":"sha256:00"})";
    QTest::newRow("file size a string")
        << "FileInfo" << QByteArray(file).replace("\"size\":3", "\"size\":\"3\"") << "size";
    QTest::newRow("file size negative")
        << "FileInfo" << QByteArray(file).replace("\"size\":3", "\"size\":-3") << "size";
    QTest::newRow("file size missing") << "FileInfo" << QByteArray(file).replace("\"size\":3,", "") << "size";
    QTest::newRow("file id bad") << "FileInfo" << QByteArray(file).replace(id, "42") << "id";
    QTest::newRow("file uri a number")
        << "FileInfo" << QByteArray(file).replace("\"https://x/f\"", "1") << "uri";
    QTest::newRow("file expires fractional")
        << "FileInfo" << QByteArray(file).replace("}", ",\"expires\":1.5}") << "expires";

    QTest::newRow("ingest without type") << "IngestFile" << QByteArray(R"({"data_id":{}})") << "dataset_type";
    QTest::newRow("ingest data id a list")
        << "IngestFile" << QByteArray(R"({"dataset_type":"raw","data_id":[]})") << "data_id";
    QTest::newRow("ingest data id value an object")
        << "IngestFile" << QByteArray(R"({"dataset_type":"raw","data_id":{"instrument":{}}})")
        << "data_id.instrument";
    QTest::newRow("ingest bad id") << "IngestFile"
                                   << QByteArray(R"({"dataset_type":"raw","data_id":{},"id":"x"})") << "id";
}

void TstWireFormat::badInput()
{
    QFETCH(QString, kind);
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    const Error error = decodeError(kind, parse(json));
    QVERIFY2(!error.message().isEmpty(), "decoded without an error");
    QCOMPARE(error.kind(), ErrorKind::InvalidInput);
    QVERIFY2(error.message().contains(QLatin1Char('\'') + field + QLatin1Char('\'')) ||
                 error.message().contains(field + QLatin1Char(':')),
             qPrintable(error.message()));
    if (kind != QLatin1String("DatasetPage"))
        return;
    // The client's text reader refuses the same pages and names the same field.
    const Result<DatasetPage> page = DatasetPageReader(universe()).read(json);
    QVERIFY2(!page.ok(), "the page reader decoded it");
    QCOMPARE(page.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(page.error().message().contains(QLatin1Char('\'') + field + QLatin1Char('\'')) ||
                 page.error().message().contains(field + QLatin1Char(':')),
             qPrintable(page.error().message()));
}

void TstWireFormat::pageReaderRefusesBrokenText()
{
    DatasetPage page;
    page.refs.append(
        makeRef("raw", {"instrument", "detector", "exposure"},
                {{"instrument", "LSSTCam"}, {"detector", 1}, {"exposure", qint64(2025061500001)}},
                "LSSTCam/raw/all"));
    const QByteArray text = WireFormat::datasetPageJson(page);
    QVERIFY(DatasetPageReader(universe()).read(text).ok());
    // Cut anywhere, or with garbage after it, the text is refused with the offset named.
    for (qsizetype cut = 0; cut < text.size(); ++cut) {
        const Result<DatasetPage> broken = DatasetPageReader(universe()).read(text.left(cut));
        QVERIFY2(!broken.ok(), text.left(cut).constData());
        QCOMPARE(broken.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(broken.error().message().contains(QStringLiteral(" at offset ")) || cut == 0,
                 qPrintable(broken.error().message()));
    }
    const Result<DatasetPage> trailing = DatasetPageReader(universe()).read(text + " x");
    QVERIFY(!trailing.ok());
    QVERIFY2(trailing.error().message().contains(QStringLiteral("offset %1").arg(text.size() + 1)),
             qPrintable(trailing.error().message()));
    QVERIFY(!DatasetPageReader(universe()).read("[]").ok());
}

void TstWireFormat::errorRoundTrip_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("status");
    QTest::newRow("invalid_input") << int(ErrorKind::InvalidInput) << 400;
    QTest::newRow("unauthenticated") << int(ErrorKind::Unauthenticated) << 401;
    QTest::newRow("permission_denied") << int(ErrorKind::PermissionDenied) << 403;
    QTest::newRow("not_found") << int(ErrorKind::NotFound) << 404;
    QTest::newRow("conflict") << int(ErrorKind::Conflict) << 409;
    QTest::newRow("quota_exceeded") << int(ErrorKind::QuotaExceeded) << 413;
    QTest::newRow("unavailable") << int(ErrorKind::Unavailable) << 503;
    QTest::newRow("io_error") << int(ErrorKind::Io) << 500;
    QTest::newRow("internal") << int(ErrorKind::Internal) << 500;
}

void TstWireFormat::errorRoundTrip()
{
    QFETCH(int, kind);
    QFETCH(int, status);
    const Error error(ErrorKind(kind), QStringLiteral("what went wrong"));
    const QJsonObject json = viaText(WireFormat::errorToJson(error));
    QCOMPARE(json.value("error").toObject().value("type").toString(), error.kindName());
    const Error back = WireFormat::errorFromJson(json, status);
    QCOMPARE(back.kind(), ErrorKind(kind));
    QCOMPARE(back.message(), QStringLiteral("what went wrong"));
    // The type wins over the status.
    QCOMPARE(WireFormat::errorFromJson(json, 500).kind(), ErrorKind(kind));
}

void TstWireFormat::errorFromServerTypes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("kind");
    QTest::newRow("rate_limited") << QByteArray(R"({"error":{"type":"rate_limited","message":"m"}})") << 429
                                  << int(ErrorKind::Unavailable);
    QTest::newRow("method_not_allowed")
        << QByteArray(R"({"error":{"type":"method_not_allowed","message":"m"}})") << 405
        << int(ErrorKind::InvalidInput);
    QTest::newRow("unknown type, 401") << QByteArray(R"({"error":{"type":"whatever","message":"m"}})") << 401
                                       << int(ErrorKind::Unauthenticated);
    QTest::newRow("unknown type, 413") << QByteArray(R"({"error":{"type":"whatever","message":"m"}})") << 413
                                       << int(ErrorKind::QuotaExceeded);
    QTest::newRow("no error object, 404")
        << QByteArray(R"({"detail":"x"})") << 404 << int(ErrorKind::NotFound);
    QTest::newRow("unknown type, 418")
        << QByteArray(R"({"error":{"type":"teapot"}})") << 418 << int(ErrorKind::Internal);
}

void TstWireFormat::errorFromServerTypes()
{
    QFETCH(QByteArray, json);
    QFETCH(int, status);
    QFETCH(int, kind);
    const Error error = WireFormat::errorFromJson(parse(json), status);
    QCOMPARE(int(error.kind()), kind);
    QVERIFY(!error.message().isEmpty());
}

void TstWireFormat::enumNames()
{
    for (DatasetIdMode mode :
         {DatasetIdMode::Unique, DatasetIdMode::DataIdType, DatasetIdMode::DataIdTypeRun})
        QCOMPARE(valueOf(WireFormat::parseIdMode(WireFormat::idModeName(mode))), mode);
    QCOMPARE(WireFormat::idModeName(DatasetIdMode::DataIdTypeRun), QStringLiteral("dataid_type_run"));
    const Result<DatasetIdMode> bad = WireFormat::parseIdMode(QStringLiteral("random"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().kind(), ErrorKind::InvalidInput);
    QVERIFY(bad.error().message().contains("random"));
    for (ChainMode mode :
         {ChainMode::Redefine, ChainMode::Extend, ChainMode::Prepend, ChainMode::Remove, ChainMode::Pop})
        QCOMPARE(valueOf(parseChainMode(WireFormat::chainModeName(mode))), mode);
}

QTEST_GUILESS_MAIN(TstWireFormat)
#include "tst_wireformat.moc"
