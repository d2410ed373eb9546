#include "OutputTable.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUuid>

#include <cmath>
#include <limits>

using namespace butler;

namespace {

// Splits CSV text per RFC 4180 (quoted fields may hold commas, quotes and newlines).
QList<QStringList> parseCsv(const QString& text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    field += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record.append(field);
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            record.append(field);
            field.clear();
            records.append(record);
            record.clear();
        } else {
            field += c;
        }
    }
    return records;
}

OutputTable datasetTable()
{
    OutputTable table({QStringLiteral("type"), QStringLiteral("run"), QStringLiteral("detector"),
                       QStringLiteral("exposure_time")});
    table.addRow(QJsonObject{{"type", "raw"},
                             {"run", "LSSTCam/raw/all"},
                             {"detector", 42},
                             {"exposure_time", 30.0},
                             {"id", "0b1c"}});
    table.addRow(
        QJsonObject{{"type", "calexp"}, {"run", "u/alice/run"}, {"detector", 7}, {"exposure_time", 0.5}});
    table.addRow(QJsonObject{{"type", "bias"}, {"run", "calib"}, {"detector", 123}});
    return table;
}

DataCoordinate dataId(const QStringList& required, const QStringList& implied, const QVariantList& values)
{
    return DataCoordinate::fromValues(DimensionGroup(required, implied), values);
}

// The object row the cells stand for: each valid cell as OutputTable::jsonValue() converts it.
QJsonObject objectRow(const QStringList& columns, const QVariantList& cells)
{
    QJsonObject row;
    for (qsizetype c = 0; c < columns.size() && c < cells.size(); ++c) {
        if (cells[c].isValid())
            row.insert(columns[c], OutputTable::jsonValue(cells[c]));
    }
    return row;
}

void addCells(OutputTable& table, const QVariantList& cells)
{
    table.addRow();
    for (int c = 0; c < int(cells.size()); ++c)
        table.setCell(c, cells[c]);
}

const QStringList kCellColumns{"int64",           "int",      "big",  "huge",    "uint", "text",  "tricky",
                               "empty",           "sql_null", "null", "absent",  "uuid", "bytes", "double",
                               "integral_double", "nan",      "bool", "data_id", "list", "map"};

QList<QVariantList> cellRows()
{
    const QString tricky = QStringLiteral("a,b \"q\" back\\ nl\n cr\r tab\t ctl\x01 del\x7f é 🔭");
    QString loneSurrogate = QStringLiteral("x");
    loneSurrogate.append(QChar(0xd800));
    return {
        {qint64(2025061500001),
         42,
         qint64(9007199254740993LL),
         std::numeric_limits<qint64>::max(),
         5U,
         QStringLiteral("LSSTCam"),
         tricky,
         QString(),
         QVariant(QMetaType::fromType<QString>()),
         QVariant::fromValue(nullptr),
         QVariant(),
         QUuid(QStringLiteral("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")),
         QByteArray("\x01\xab"),
         0.5,
         30.0,
         std::nan(""),
         true,
         QVariant::fromValue(dataId({"instrument", "detector"}, {"physical_filter"},
                                    {QStringLiteral("LSSTCam"), qint64(42), QStringLiteral("r_57")})),
         QStringList{"a", "b"},
         QVariantMap{{"k", 1}}},
        {qint64(-7),
         -1,
         qint64(0),
         std::numeric_limits<qint64>::min(),
         0U,
         QStringLiteral("🔭🔭"),
         loneSurrogate,
         QStringLiteral(""),
         QVariant(),
         QVariant(),
         QVariant(),
         QUuid(),
         QByteArray(),
         -2.5,
         1e20,
         1.5e-9,
         false,
         QVariant::fromValue(dataId(
             {"instrument", "exposure"}, {"group", "day_obs"},
             {QStringLiteral("LSSTCam"), qint64(2025061500001), QVariant(QMetaType::fromType<QString>())})),
         QVariant(),
         QVariant()},
        {QVariant(), QVariant(), QVariant(),
         QVariant(), QVariant(), QVariant(),
         QVariant(), QVariant(), QVariant(),
         QVariant(), QVariant(), QUuid(QStringLiteral("ffffffff-ffff-ffff-ffff-ffffffffffff")),
         QVariant(), QVariant(), QVariant(),
         QVariant(), QVariant(), QVariant::fromValue(dataId({}, {}, {})),
         QVariant(), QVariant()},
    };
}

} // namespace

class TestOutputTable : public QObject
{
    Q_OBJECT

private slots:
    void parseOutputFormat_data();
    void parseOutputFormat();
    void formatCell_data();
    void formatCell();
    void tableLayout();
    void tableUnicodeWidths();
    void emptyTable_data();
    void emptyTable();
    void jsonRoundTrip();
    void jsonKeyOrderAndEscapes();
    void csvQuoting_data();
    void csvQuoting();
    void csvRoundTrip();
    void writesUtf8ThroughDevice();
    void cellRowsMatchObjectRows_data();
    void cellRowsMatchObjectRows();
    void cellTypes_data();
    void cellTypes();
    void dataIdJsonMatchesQJsonDocument_data();
    void dataIdJsonMatchesQJsonDocument();
    void lastSetCellWins();
    void largeTablePerformance();
};

void TestOutputTable::parseOutputFormat_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("format");
    QTest::newRow("table") << "table" << true << int(OutputFormat::Table);
    QTest::newRow("json") << "json" << true << int(OutputFormat::Json);
    QTest::newRow("csv") << "csv" << true << int(OutputFormat::Csv);
    QTest::newRow("upper case") << "JSON" << true << int(OutputFormat::Json);
    QTest::newRow("yaml") << "yaml" << false << 0;
    QTest::newRow("empty") << "" << false << 0;
    QTest::newRow("prefix") << "tab" << false << 0;
}

void TestOutputTable::parseOutputFormat()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    QFETCH(int, format);
    const Result<OutputFormat> result = OutputTable::parseOutputFormat(name);
    QCOMPARE(result.ok(), ok);
    if (ok) {
        QCOMPARE(int(*result), format);
    } else {
        QCOMPARE(result.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(result.error().message().contains(QLatin1String("table, json, csv")),
                 qPrintable(result.error().message()));
    }
}

void TestOutputTable::formatCell_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("null") << QJsonValue() << "";
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << "";
    QTest::newRow("true") << QJsonValue(true) << "true";
    QTest::newRow("false") << QJsonValue(false) << "false";
    QTest::newRow("integer") << QJsonValue(42) << "42";
    QTest::newRow("negative") << QJsonValue(-7) << "-7";
    QTest::newRow("integral double") << QJsonValue(30.0) << "30";
    QTest::newRow("tenth") << QJsonValue(0.1) << "0.1";
    QTest::newRow("third") << QJsonValue(1.0 / 3.0) << "0.3333333333333333";
    QTest::newRow("negative fraction") << QJsonValue(-2.5) << "-2.5";
    QTest::newRow("huge") << QJsonValue(1e20) << "1e+20";
    QTest::newRow("tiny") << QJsonValue(1.5e-9) << "1.5e-09";
    QTest::newRow("int64 beyond 2^53") << QJsonValue(qint64(9007199254740993LL)) << "9007199254740993";
    QTest::newRow("string") << QJsonValue("LSSTCam") << "LSSTCam";
    QTest::newRow("newline and tab") << QJsonValue("a\nb\tc") << "a\\nb\\tc";
    QTest::newRow("escape char") << QJsonValue(QStringLiteral("x\x1by")) << "x\\x1by";
    QTest::newRow("data id") << QJsonValue(QJsonObject{{"instrument", "LSSTCam"}, {"detector", 42}})
                             << "detector=42, instrument=LSSTCam";
    QTest::newRow("array") << QJsonValue(QJsonArray{"a", "b", 3}) << "a, b, 3";
    QTest::newRow("nested") << QJsonValue(
                                   QJsonObject{{"a", QJsonArray{1, 2}}, {"b", QJsonObject{{"c", true}}}})
                            << "a=[1, 2], b={c=true}";
    QTest::newRow("empty object") << QJsonValue(QJsonObject()) << "";
}

void TestOutputTable::formatCell()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    QCOMPARE(OutputTable::formatCell(value), expected);
}

void TestOutputTable::tableLayout()
{
    const QString expected = QStringLiteral("type   run             detector exposure_time\n"
                                            "------ --------------- -------- -------------\n"
                                            "raw    LSSTCam/raw/all       42            30\n"
                                            "calexp u/alice/run            7           0.5\n"
                                            "bias   calib                123\n");
    QCOMPARE(datasetTable().toString(OutputFormat::Table), expected);
}

void TestOutputTable::tableUnicodeWidths()
{
    // "é" is one UTF-16 unit and "🔭" two; both take one column of the width count.
    OutputTable table({QStringLiteral("name"), QStringLiteral("doc")});
    table.addRow(QJsonObject{{"name", QStringLiteral("café")}, {"doc", "x"}});
    table.addRow(QJsonObject{{"name", QStringLiteral("🔭🔭")}, {"doc", "y"}});
    table.addRow(QJsonObject{{"name", "ab"}, {"doc", QJsonValue()}});
    const QString expected = QStringLiteral("name doc\n"
                                            "---- ---\n"
                                            "café x\n"
                                            "🔭🔭   y\n"
                                            "ab\n");
    QCOMPARE(table.toString(OutputFormat::Table), expected);
}

void TestOutputTable::emptyTable_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("expected");
    QTest::newRow("table") << int(OutputFormat::Table) << "name type\n---- ----\n";
    QTest::newRow("json") << int(OutputFormat::Json) << "[]\n";
    QTest::newRow("csv") << int(OutputFormat::Csv) << "name,type\n";
}

void TestOutputTable::emptyTable()
{
    QFETCH(int, format);
    QFETCH(QString, expected);
    const OutputTable table({QStringLiteral("name"), QStringLiteral("type")});
    QCOMPARE(table.rowCount(), 0);
    QCOMPARE(table.toString(OutputFormat(format)), expected);
}

void TestOutputTable::jsonRoundTrip()
{
    const OutputTable table = datasetTable();
    const QString text = table.toString(OutputFormat::Json);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + "\n" + text));
    QVERIFY(document.isArray());
    const QJsonArray rows = document.array();
    QCOMPARE(rows.size(), 3);
    // JSON keeps keys that are not columns ("id") and omits columns a row lacks.
    QCOMPARE(rows[0].toObject(), (QJsonObject{{"type", "raw"},
                                              {"run", "LSSTCam/raw/all"},
                                              {"detector", 42},
                                              {"exposure_time", 30},
                                              {"id", "0b1c"}}));
    QCOMPARE(rows[1].toObject().value("exposure_time").toDouble(), 0.5);
    QVERIFY(!rows[2].toObject().contains("exposure_time"));
    // One object per line, so that line-oriented tools can also read it.
    QCOMPARE(text.count(QLatin1Char('\n')), 5);
    QVERIFY(text.startsWith(QLatin1String("[\n{\"type\":\"raw\",")));
}

void TestOutputTable::jsonKeyOrderAndEscapes()
{
    OutputTable table({QStringLiteral("zeta"), QStringLiteral("alpha")});
    const QString tricky = QStringLiteral("quote\" back\\ nl\n tab\t ctl\x01 é 🔭");
    const QJsonObject row{{"zeta", tricky},
                          {"alpha", QJsonObject{{"instrument", "LSSTCam"}, {"detector", 42}}},
                          {"extra", QJsonArray{1, 2.5, QJsonValue(), false}},
                          {"big", qint64(9007199254740993LL)},
                          {"nothing", QJsonValue()}};
    table.addRow(row);
    const QString text = table.toString(OutputFormat::Json);
    // Columns first in their order, then the other keys alphabetically.
    const qsizetype zeta = text.indexOf(QLatin1String("\"zeta\""));
    const qsizetype alpha = text.indexOf(QLatin1String("\"alpha\""));
    const qsizetype big = text.indexOf(QLatin1String("\"big\""));
    const qsizetype extra = text.indexOf(QLatin1String("\"extra\""));
    QVERIFY(zeta >= 0 && zeta < alpha && alpha < big && big < extra);
    QVERIFY(text.contains(QLatin1String("\"big\":9007199254740993")));
    QVERIFY(text.contains(QLatin1String("\\u0001")));

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + "\n" + text));
    QCOMPARE(document.array().size(), 1);
    const QJsonObject back = document.array()[0].toObject();
    QCOMPARE(back, row);
    QCOMPARE(back.value("zeta").toString(), tricky);
    QCOMPARE(back.value("big").toInteger(), qint64(9007199254740993LL));
}

void TestOutputTable::csvQuoting_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QJsonValue("raw") << "raw";
    QTest::newRow("comma") << QJsonValue("a,b") << "\"a,b\"";
    QTest::newRow("quote") << QJsonValue("say \"hi\"") << "\"say \"\"hi\"\"\"";
    QTest::newRow("newline") << QJsonValue("a\nb") << "\"a\nb\"";
    QTest::newRow("carriage return") << QJsonValue("a\rb") << "\"a\rb\"";
    QTest::newRow("null") << QJsonValue() << "";
    QTest::newRow("number") << QJsonValue(30.0) << "30";
    QTest::newRow("bool") << QJsonValue(true) << "true";
    QTest::newRow("object") << QJsonValue(QJsonObject{{"instrument", "LSSTCam"}, {"detector", 42}})
                            << "\"{\"\"detector\"\":42,\"\"instrument\"\":\"\"LSSTCam\"\"}\"";
    QTest::newRow("array") << QJsonValue(QJsonArray{"a", "b"}) << "\"[\"\"a\"\",\"\"b\"\"]\"";
}

void TestOutputTable::csvQuoting()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    OutputTable table({QStringLiteral("first"), QStringLiteral("value")});
    table.addRow(QJsonObject{{"first", 1}, {"value", value}});
    QCOMPARE(table.toString(OutputFormat::Csv),
             QStringLiteral("first,value\n1,") + expected + QLatin1Char('\n'));
}

void TestOutputTable::csvRoundTrip()
{
    OutputTable table({QStringLiteral("name"), QStringLiteral("doc, with comma"), QStringLiteral("n")});
    table.addRow(QJsonObject{{"name", "a\"b"}, {"doc, with comma", "line1\nline2"}, {"n", 1}});
    table.addRow(QJsonObject{{"name", QStringLiteral("é")}, {"n", 2.25}});
    const QList<QStringList> records = parseCsv(table.toString(OutputFormat::Csv));
    QCOMPARE(records.size(), 3);
    QCOMPARE(records[0], (QStringList{"name", "doc, with comma", "n"}));
    QCOMPARE(records[1], (QStringList{"a\"b", "line1\nline2", "1"}));
    QCOMPARE(records[2], (QStringList{QStringLiteral("é"), "", "2.25"}));
}

void TestOutputTable::writesUtf8ThroughDevice()
{
    OutputTable table({QStringLiteral("name")});
    table.addRow(QJsonObject{{"name", QStringLiteral("Ångström")}});
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    {
        QTextStream out(&buffer);
        table.write(out, OutputFormat::Csv);
    }
    QCOMPARE(buffer.data(), QByteArray("name\n\xc3\x85ngstr\xc3\xb6m\n"));
}

void TestOutputTable::cellRowsMatchObjectRows_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("table") << int(OutputFormat::Table);
    QTest::newRow("json") << int(OutputFormat::Json);
    QTest::newRow("csv") << int(OutputFormat::Csv);
}

// Rows given cell by cell print exactly as the objects jsonValue() makes of the same values.
void TestOutputTable::cellRowsMatchObjectRows()
{
    QFETCH(int, format);
    OutputTable byCells(kCellColumns);
    OutputTable byObjects(kCellColumns);
    for (const QVariantList& cells : cellRows()) {
        QCOMPARE(cells.size(), kCellColumns.size());
        addCells(byCells, cells);
        byObjects.addRow(objectRow(kCellColumns, cells));
    }
    QCOMPARE(byCells.rowCount(), 3);
    const QString text = byCells.toString(OutputFormat(format));
    QCOMPARE(text, byObjects.toString(OutputFormat(format)));
    QVERIFY(text.contains(QLatin1String("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")));
}

void TestOutputTable::cellTypes_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("json");
    QTest::newRow("int64") << QVariant(qint64(2025061500001)) << "2025061500001"
                           << "2025061500001";
    QTest::newRow("int") << QVariant(-7) << "-7"
                         << "-7";
    // Beyond 9e18 integers print as the double they round to, as formatCell() prints them.
    QTest::newRow("int64 beyond 9e18")
        << QVariant(std::numeric_limits<qint64>::max()) << "9223372036854775808"
        << "9223372036854775808";
    QTest::newRow("string") << QVariant(QStringLiteral("a\tb")) << "a\\tb"
                            << "\"a\\tb\"";
    QTest::newRow("empty string") << QVariant(QString()) << ""
                                  << "\"\"";
    QTest::newRow("sql null") << QVariant(QMetaType::fromType<qlonglong>()) << ""
                              << "null";
    QTest::newRow("null") << QVariant::fromValue(nullptr) << ""
                          << "null";
    QTest::newRow("uuid") << QVariant(QUuid(QStringLiteral("{00000000-0000-0000-0000-00000000000a}")))
                          << "00000000-0000-0000-0000-00000000000a"
                          << "\"00000000-0000-0000-0000-00000000000a\"";
    QTest::newRow("bytes") << QVariant(QByteArray::fromHex("00ff")) << "00ff"
                           << "\"00ff\"";
    QTest::newRow("bool") << QVariant(true) << "true"
                          << "true";
    QTest::newRow("double") << QVariant(0.25) << "0.25"
                            << "0.25";
    QTest::newRow("data id") << QVariant::fromValue(
                                    dataId({"instrument", "detector"}, {}, {QStringLiteral("LSSTCam"), 42}))
                             << "detector=42, instrument=LSSTCam"
                             << "{\"detector\":42,\"instrument\":\"LSSTCam\"}";
}

void TestOutputTable::cellTypes()
{
    QFETCH(QVariant, value);
    QFETCH(QString, table);
    QFETCH(QString, json);
    OutputTable output({QStringLiteral("v")});
    output.addRow();
    output.setCell(0, value);
    const QString tableText = output.toString(OutputFormat::Table);
    QCOMPARE(tableText.section(QLatin1Char('\n'), 2, 2).trimmed(), table);
    QCOMPARE(output.toString(OutputFormat::Json),
             QStringLiteral("[\n{\"v\":") + json + QStringLiteral("}\n]\n"));
}

void TestOutputTable::dataIdJsonMatchesQJsonDocument_data()
{
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QVariantList>("values");
    const QStringList names{"zeta", "alpha", "mid"};
    QString lone = QStringLiteral("ab");
    lone.insert(1, QChar(0xdc00));
    QTest::newRow("integers and strings")
        << names << QVariantList{QStringLiteral("LSSTCam"), qint64(42), QStringLiteral("r")};
    QTest::newRow("int64 extremes") << names
                                    << QVariantList{QStringLiteral("x"), std::numeric_limits<qint64>::max(),
                                                    std::numeric_limits<qint64>::min()};
    QTest::newRow("escapes") << names
                             << QVariantList{QStringLiteral("q\" b\\ n\n c\x01 \x7f é 🔭"), 1, QString()};
    QTest::newRow("lone surrogate") << names << QVariantList{lone, 1, QStringLiteral("z")};
    QTest::newRow("nulls") << names
                           << QVariantList{QStringLiteral("x"), QVariant(QMetaType::fromType<qlonglong>()),
                                           QVariant::fromValue(nullptr)};
    QTest::newRow("absent implied") << names << QVariantList{QStringLiteral("x"), 7, QVariant()};
    QTest::newRow("required only") << names << QVariantList{QStringLiteral("x"), 7};
    QTest::newRow("double") << names << QVariantList{QStringLiteral("x"), 1e15, 0.1};
    QTest::newRow("bool and uuid") << names
                                   << QVariantList{
                                          true,
                                          QUuid(QStringLiteral("{0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0}")),
                                          QByteArray("\x12")};
    QTest::newRow("non-ASCII keys") << QStringList{"z", QStringLiteral("é"), QStringLiteral("Ω"), "A"}
                                    << QVariantList{1, 2, 3, 4};
    QTest::newRow("key to escape") << QStringList{"a\"b", "c"} << QVariantList{1, 2};
}

// Data IDs are written without QJsonDocument but must read exactly as it writes them.
void TestOutputTable::dataIdJsonMatchesQJsonDocument()
{
    QFETCH(QStringList, names);
    QFETCH(QVariantList, values);
    const DataCoordinate id = dataId(names.mid(0, 2), names.mid(2), values);
    QJsonObject object;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (values[i].isValid())
            object.insert(names[i], OutputTable::jsonValue(values[i]));
    }
    const QString expected = QStringLiteral("[\n{\"data_id\":") +
                             QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) +
                             QStringLiteral("}\n]\n");
    OutputTable table({QStringLiteral("data_id")});
    table.addRow();
    table.setCell(0, id);
    QCOMPARE(table.toString(OutputFormat::Json), expected);
    QCOMPARE(OutputTable::jsonValue(QVariant::fromValue(id)), QJsonValue(object));
}

void TestOutputTable::lastSetCellWins()
{
    OutputTable table({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    table.addRow();
    table.setCell(0, QStringLiteral("first"));
    table.setCell(0, QVariant(2));
    table.setCell(2, QStringLiteral("c1"));
    table.addRow();
    table.setCell(1, QStringLiteral("b2"));
    table.setCell(1, QVariant());
    QCOMPARE(table.rowCount(), 2);
    QCOMPARE(table.toString(OutputFormat::Json), QStringLiteral("[\n{\"a\":2,\"c\":\"c1\"},\n{}\n]\n"));
    QCOMPARE(table.toString(OutputFormat::Csv), QStringLiteral("a,b,c\n2,,c1\n,,\n"));
    QCOMPARE(table.toString(OutputFormat::Table), QStringLiteral("a b c\n- - --\n2   c1\n\n"));
}

void TestOutputTable::largeTablePerformance()
{
    const QStringList columns{"id", "dataset_type", "run", "instrument", "detector", "exposure_time"};
    OutputTable table(columns);
    constexpr int rows = 20000;
    table.reserve(rows);
    for (int i = 0; i < rows; ++i) {
        table.addRow(
            QJsonObject{{"id", QStringLiteral("3e2b3b5e-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'))},
                        {"dataset_type", "calexp"},
                        {"run", "LSSTCam/runs/nightly/20240101"},
                        {"instrument", "LSSTCam"},
                        {"detector", i % 189},
                        {"exposure_time", 30.0 + (i % 7) * 0.25}});
    }
    // The same rows given cell by cell, the way long listings are built.
    OutputTable cells(columns);
    cells.reserve(rows);
    QElapsedTimer fill;
    fill.start();
    for (int i = 0; i < rows; ++i) {
        cells.addRow();
        cells.setCell(0, QStringLiteral("3e2b3b5e-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')));
        cells.setCell(1, QStringLiteral("calexp"));
        cells.setCell(2, QStringLiteral("LSSTCam/runs/nightly/20240101"));
        cells.setCell(3, QStringLiteral("LSSTCam"));
        cells.setCell(4, QVariant(i % 189));
        cells.setCell(5, QVariant(30.0 + (i % 7) * 0.25));
    }
    qDebug("cells: %d rows x %d columns set in %lld ms", rows, int(columns.size()), fill.elapsed());
    for (const OutputFormat format : {OutputFormat::Table, OutputFormat::Json, OutputFormat::Csv}) {
        QString text;
        QElapsedTimer timer;
        timer.start();
        {
            QTextStream out(&text);
            table.write(out, format);
        }
        qDebug("format %d: %d rows x %d columns in %lld ms", int(format), rows, int(columns.size()),
               timer.elapsed());
        timer.restart();
        QCOMPARE(cells.toString(format), text);
        qDebug("format %d from cells: %lld ms", int(format), timer.elapsed());
        const int headerLines = format == OutputFormat::Table ? 2 : 1;
        const int trailerLines = format == OutputFormat::Json ? 1 : 0;
        QCOMPARE(text.count(QLatin1Char('\n')), rows + headerLines + trailerLines);
        QVERIFY(text.contains(QLatin1String("3e2b3b5e-0000-4000-8000-000000019999")));
    }
}

QTEST_GUILESS_MAIN(TestOutputTable)
#include "tst_outputtable.moc"
