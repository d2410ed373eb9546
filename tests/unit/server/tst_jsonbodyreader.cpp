#include "JsonBodyReader.h"

#include <QTest>

using namespace butler;

namespace {

// The fields of a find request, read the way the handler reads them.
struct FindBody
{
    std::optional<QString> type;
    QVariantMap dataId;
    std::optional<QStringList> collections;
    std::optional<qint64> time;
    Status status;
};

FindBody readFind(const QByteArray& text)
{
    FindBody out;
    JsonBodyReader body(text);
    QByteArrayView name;
    while (body.next(name)) {
        if (name == "dataset_type")
            body.readString("dataset_type", out.type);
        else if (name == "data_id")
            body.readObject("data_id", out.dataId);
        else if (name == "collections")
            body.readStringList("collections", out.collections);
        else if (name == "time")
            body.readInteger("time", out.time, "TAI nanoseconds (an integer)");
        else
            body.skip();
    }
    out.status = body.finish();
    return out;
}

} // namespace

class TestJsonBodyReader : public QObject
{
    Q_OBJECT

private slots:
    void readsTheFields()
    {
        const FindBody body =
            readFind("{\"dataset_type\":\"raw\",\"data_id\":{\"instrument\":\"LSSTCam\",\"detector\":42,"
                     "\"exposure\":7e1},\"collections\":[\"a\",\"b\"],\"extra\":{\"x\":[1,{}]},"
                     "\"time\":1700000000000000000}");
        QVERIFY2(body.status.ok(), qPrintable(body.status.error().message()));
        QCOMPARE(body.type, std::optional<QString>(QStringLiteral("raw")));
        QCOMPARE(body.collections,
                 std::optional<QStringList>(QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(body.dataId.value(QStringLiteral("instrument")), QVariant(QStringLiteral("LSSTCam")));
        QCOMPARE(body.dataId.value(QStringLiteral("detector")), QVariant(qlonglong(42)));
        QCOMPARE(body.dataId.value(QStringLiteral("exposure")), QVariant(70.0));
        QCOMPARE(body.time, std::optional<qint64>(1700000000000000000));
    }

    void nullIsAbsentAndAStringIsAList()
    {
        const FindBody body =
            readFind("{\"dataset_type\":null,\"data_id\":null,\"collections\":\"one\",\"time\":null}");
        QVERIFY(body.status.ok());
        QVERIFY(!body.type);
        QVERIFY(body.dataId.isEmpty());
        QCOMPARE(body.collections, std::optional<QStringList>(QStringList{QStringLiteral("one")}));
        QVERIFY(!body.time);
    }

    void manyAndUnusualNamesInAnObject()
    {
        // More distinct names than the per-thread name cache keeps, unsorted, one non-ASCII.
        QByteArray text = "{\"data_id\":{\"d\u00e9tecteur\":1";
        for (int i = 299; i >= 0; --i)
            text += ",\"k" + QByteArray::number(i) + "\":" + QByteArray::number(i);
        text += ",\"k7\":\"again\"}}";
        for (int round = 0; round < 2; ++round) {
            const FindBody body = readFind(text);
            QVERIFY2(body.status.ok(), qPrintable(body.status.error().message()));
            QCOMPARE(body.dataId.size(), 301);
            QCOMPARE(body.dataId.value(QStringLiteral("d\u00e9tecteur")), QVariant(qlonglong(1)));
            QCOMPARE(body.dataId.value(QStringLiteral("k299")), QVariant(qlonglong(299)));
            QCOMPARE(body.dataId.value(QStringLiteral("k7")), QVariant(QStringLiteral("again")));
        }
    }

    void theLastRepeatedMemberWins()
    {
        const FindBody body = readFind("{\"dataset_type\":\"a\",\"dataset_type\":\"b\"}");
        QVERIFY(body.status.ok());
        QCOMPARE(body.type, std::optional<QString>(QStringLiteral("b")));
    }

    void mistakesAreNamed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray("  ") << "the request needs a JSON object as its body";
        QTest::newRow("array") << QByteArray("[1]") << "the request body must be a JSON object";
        QTest::newRow("string") << QByteArray("\"x\"") << "the request body must be a JSON object";
        QTest::newRow("garbage") << QByteArray("nope")
                                 << "the request body is not valid JSON: invalid literal at offset 0";
        QTest::newRow("two values")
            << QByteArray("[1] 2")
            << "the request body is not valid JSON: unexpected text after the value at offset 4";
        QTest::newRow("trailing")
            << QByteArray("{} x")
            << "the request body is not valid JSON: unexpected text after the object at offset 3";
        QTest::newRow("unclosed")
            << QByteArray("{\"dataset_type\":\"raw\"")
            << "the request body is not valid JSON: unexpected end, expected ',' or '}' at offset 21";
        QTest::newRow("type not string")
            << QByteArray("{\"dataset_type\":5}") << "field 'dataset_type' must be a string";
        QTest::newRow("collections number")
            << QByteArray("{\"collections\":5}") << "field 'collections' must be a list of strings";
        QTest::newRow("collections mixed")
            << QByteArray("{\"collections\":[\"a\",1]}") << "field 'collections' must be a list of strings";
        QTest::newRow("data_id list")
            << QByteArray("{\"data_id\":[1]}") << "field 'data_id' must be a JSON object";
        QTest::newRow("time string") << QByteArray("{\"time\":\"now\"}")
                                     << "field 'time' must be TAI nanoseconds (an integer)";
        QTest::newRow("time fraction")
            << QByteArray("{\"time\":1.5}") << "field 'time' must be TAI nanoseconds (an integer)";
        QTest::newRow("bad inside skipped")
            << QByteArray("{\"other\":[1,]}")
            << "the request body is not valid JSON: expected a value at offset 12";
        QTest::newRow("bad inside list")
            << QByteArray("{\"collections\":[\"a\",]}")
            << "the request body is not valid JSON: expected a value at offset 20";
    }

    void mistakesAreNamed()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        const FindBody body = readFind(text);
        QVERIFY(!body.status.ok());
        QCOMPARE(body.status.error().kind(), ErrorKind::InvalidInput);
        QCOMPARE(body.status.error().message(), message);
    }
};

QTEST_GUILESS_MAIN(TestJsonBodyReader)
#include "tst_jsonbodyreader.moc"
