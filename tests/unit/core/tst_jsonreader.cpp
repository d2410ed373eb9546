#include "JsonReader.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QRandomGenerator>
#include <QTest>

using namespace butler;

namespace {

// What QJsonDocument makes of `text`: the value as variants, or an invalid QVariant with
// `ok` false when it rejects the text.
// (Qt 6.4 takes only an object or array as the document: a scalar is wrapped in a list.)
QVariant qtParse(const QByteArray& text, bool& ok)
{
    const QByteArray trimmed = text.trimmed();
    const bool scalar = !trimmed.startsWith('{') && !trimmed.startsWith('[');
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(scalar ? "[" + text + "]" : text, &error);
    ok = error.error == QJsonParseError::NoError && !(scalar && trimmed.isEmpty());
    if (!ok)
        return {};
    return scalar ? document.toVariant().toList().value(0) : document.toVariant();
}

QVariant ourParse(const QByteArray& text, bool& ok, QString* message = nullptr)
{
    JsonReader reader(text);
    QVariant value;
    ok = reader.readVariant(value);
    if (ok && !reader.atEnd())
        ok = reader.fail(QStringLiteral("unexpected text after the value"));
    if (message)
        *message = reader.error();
    return ok ? value : QVariant();
}

// A random JSON value of bounded depth, with the awkward cases mixed in: escapes, non-ASCII,
// surrogate pairs, big and negative numbers, exponents, empty containers, whitespace.
QByteArray randomJson(QRandomGenerator& random, int depth)
{
    static const QByteArray strings[] = {"\"\"",
                                         "\"abc\"",
                                         "\"a\\\"b\\\\c\\/d\"",
                                         "\"\\b\\f\\n\\r\\t\"",
                                         "\"\\u00e9t\\u00E9\"",
                                         "\"\xc3\xa9t\xc3\xa9\"",
                                         "\"\\ud83d\\ude00\"",
                                         "\"\xf0\x9f\x98\x80 x\"",
                                         "\"LSSTCam\"",
                                         "\"u/alice/run\""};
    static const QByteArray numbers[] = {"0",
                                         "-0",
                                         "42",
                                         "-17",
                                         "9223372036854775807",
                                         "-9223372036854775808",
                                         "9223372036854775808",
                                         "1.5",
                                         "-0.25",
                                         "1e3",
                                         "2E-2",
                                         "6.02e+23",
                                         "123456789012345678901234567890",
                                         "1.0"};
    static const QByteArray spaces[] = {"", " ", "\n", "\t ", "\r\n"};
    const QByteArray& pad = spaces[random.bounded(int(std::size(spaces)))];
    const int kind = depth > 3 ? random.bounded(5) : random.bounded(7);
    switch (kind) {
    case 0:
        return pad + strings[random.bounded(int(std::size(strings)))];
    case 1:
        return pad + numbers[random.bounded(int(std::size(numbers)))];
    case 2:
        return pad + (random.bounded(2) ? "true" : "false");
    case 3:
        return pad + "null";
    case 4:
        return pad + strings[random.bounded(int(std::size(strings)))] + pad;
    case 5: {
        QByteArray out = "[" + pad;
        const int n = random.bounded(4);
        for (int i = 0; i < n; ++i)
            out += (i ? "," : "") + randomJson(random, depth + 1);
        return out + pad + "]";
    }
    default: {
        QByteArray out = "{" + pad;
        const int n = random.bounded(4);
        for (int i = 0; i < n; ++i)
            out += (i ? "," : "") + pad + "\"k" + QByteArray::number(i) + "\"" + pad + ":" +
                   randomJson(random, depth + 1);
        return out + pad + "}";
    }
    }
}

} // namespace

class TestJsonReader : public QObject
{
    Q_OBJECT

private slots:
    void pullsAnObjectField()
    {
        JsonReader reader(
            "{\"dataset_type\": \"raw\", \"data_id\": {\"detector\": 42, \"instrument\": \"LSSTCam\"},"
            "                             \"collections\": [\"a\", \"b\"], \"time\": 1.7e18, \"flag\": true, "
            "\"none\": null}");
        QVERIFY(reader.beginObject());
        QByteArrayView name;
        QStringList seen;
        while (reader.nextMember(name)) {
            seen << QString::fromUtf8(name);
            if (name == "dataset_type") {
                QString type;
                QVERIFY(reader.readString(type));
                QCOMPARE(type, QStringLiteral("raw"));
            } else if (name == "collections") {
                QVERIFY(reader.beginArray());
                QStringList collections;
                while (reader.nextElement()) {
                    QString text;
                    QVERIFY(reader.readString(text));
                    collections << text;
                }
                QCOMPARE(collections, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
            } else if (name == "time") {
                qint64 time = 0;
                QVERIFY(reader.readInteger(time));
                QCOMPARE(time, qint64(1700000000000000000));
            } else {
                QVERIFY(reader.skipValue());
            }
        }
        QVERIFY2(!reader.hasError(), qPrintable(reader.error()));
        QVERIFY(reader.atEnd());
        QCOMPARE(seen, (QStringList{"dataset_type", "data_id", "collections", "time", "flag", "none"}));
    }

    void escapedNamesAreUnescaped()
    {
        JsonReader reader("{\"da\\u0074a_id\": 1}");
        QVERIFY(reader.beginObject());
        QByteArrayView name;
        QVERIFY(reader.nextMember(name));
        QCOMPARE(name, QByteArrayView("data_id"));
    }

    void integersMustBeExact()
    {
        const std::pair<QByteArray, bool> cases[] = {{"5", true},      {"5.0", true},
                                                     {"5e2", true},    {"5.5", false},
                                                     {"1e19", false},  {"9223372036854775808", false},
                                                     {"-1e-2", false}, {"\"5\"", false}};
        for (const auto& [text, ok] : cases) {
            JsonReader reader(text);
            qint64 value = 0;
            QCOMPARE(reader.readInteger(value), ok);
            QCOMPARE(reader.hasError(), !ok);
        }
    }

    void errorsNameTheOffset()
    {
        JsonReader reader("{\"a\": [1, 2,, 3]}");
        QVariant value;
        QVERIFY(!reader.readVariant(value));
        QVERIFY(reader.hasError());
        QCOMPARE(reader.error(), QStringLiteral("expected a value at offset 12"));
        // The first error sticks.
        QVERIFY(!reader.beginObject());
        QCOMPARE(reader.error(), QStringLiteral("expected a value at offset 12"));
    }

    void typeMismatchFails()
    {
        JsonReader reader("{\"a\": 1}");
        QVERIFY(reader.beginObject());
        QByteArrayView name;
        QVERIFY(reader.nextMember(name));
        QString text;
        QVERIFY(!reader.readString(text));
        QCOMPARE(reader.error(), QStringLiteral("expected a string at offset 6"));
    }

    void deepNestingIsRefused()
    {
        const QByteArray deep =
            QByteArray(JsonReader::kMaxDepth + 1, '[') + QByteArray(JsonReader::kMaxDepth + 1, ']');
        bool ok = true;
        QString message;
        ourParse(deep, ok, &message);
        QVERIFY(!ok);
        QVERIFY2(message.contains(QStringLiteral("nesting")), qPrintable(message));
        const QByteArray fine =
            QByteArray(JsonReader::kMaxDepth, '[') + QByteArray(JsonReader::kMaxDepth, ']');
        ourParse(fine, ok);
        QVERIFY(ok);
    }

    void agreesWithQJsonDocument_data()
    {
        QTest::addColumn<QByteArray>("text");
        const char* cases[] = {// Valid.
                               "{}", "[]", "{\"a\":{}}", " [ 1 , 2 ] ", "{\"a\":\"\\u0000\"}",
                               "\"\\ud83d\\ude00\"", "-0", "0.5e-3", "{\"\xc3\xa9\":1}",
                               // Invalid: every one must be refused by both.
                               "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "{\"a\" 1}",
                               "{\"a\":}", "{a:1}", "{'a':1}", "[01]", "[+1]", "[1e]", "[1e+]", "[-]",
                               "[0x10]", "[NaN]", "[Infinity]", "[tru]", "[nul]", "[True]", "\"abc",
                               "\"a\\u12\"", "\"a\\u12g4\"", "[1] [2]", "{\"a\":1}x", "\"\xff\"", "\"\xc3\"",
                               "{\"\xff\":1}", "[\"\xed\xa0\x80\"]", "[1 2]", "{\"a\":1 \"b\":2}"};
        for (const char* text : cases)
            QTest::newRow(QByteArray(text).toHex().constData()) << QByteArray(text);
    }

    // Qt 6.4 takes a few forms RFC 8259 does not: this reader refuses them.
    void stricterThanQJsonDocument()
    {
        for (const char* text : {"[1.]", "[.5]", "[-.5]", "\"a\\x\"", "\"tab\there\"", "\"line\nbreak\""}) {
            bool ok = true;
            QString message;
            ourParse(text, ok, &message);
            QVERIFY2(!ok, text);
            QVERIFY(message.contains(QStringLiteral(" at offset ")));
        }
    }

    void agreesWithQJsonDocument()
    {
        QFETCH(QByteArray, text);
        bool qtOk = false;
        bool ourOk = false;
        const QVariant expected = qtParse(text, qtOk);
        QString message;
        const QVariant value = ourParse(text, ourOk, &message);
        QCOMPARE(ourOk, qtOk);
        QCOMPARE(value, expected);
        if (!ourOk)
            QVERIFY(message.contains(QStringLiteral(" at offset ")));
    }

    void randomDocumentsAgreeWithQJsonDocument()
    {
        QRandomGenerator random(20261202);
        for (int i = 0; i < 3000; ++i) {
            const QByteArray text = randomJson(random, 0);
            bool qtOk = false;
            bool ourOk = false;
            const QVariant expected = qtParse(text, qtOk);
            QString message;
            const QVariant value = ourParse(text, ourOk, &message);
            QVERIFY2(qtOk, text.constData());
            QVERIFY2(ourOk, qPrintable(QString::fromUtf8(text) + QStringLiteral(": ") + message));
            QVERIFY2(value == expected, text.constData());
            // Cut short anywhere inside, the text is refused by both (a bare number's prefix
            // is still a number, so those are left out).
            if (text.trimmed().size() > 1 && (text.trimmed()[0] == '{' || text.trimmed()[0] == '[')) {
                const qsizetype cut = random.bounded(int(text.trimmed().size() - 1)) + 1;
                const QByteArray shorter = text.trimmed().left(cut);
                qtParse(shorter, qtOk);
                ourParse(shorter, ourOk);
                QVERIFY2(!qtOk && !ourOk, shorter.constData());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
