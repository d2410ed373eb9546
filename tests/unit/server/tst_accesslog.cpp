// AccessLog's number formatting: the figures of every access line, written without doubles.
#include "AccessLog.h"

#include <QTest>

using namespace butler;

class TestAccessLog : public QObject
{
    Q_OBJECT

private slots:
    void milliseconds_data()
    {
        QTest::addColumn<qint64>("nanoseconds");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << qint64(0) << QByteArray("0.00ms");
        QTest::newRow("below half a hundredth") << qint64(4'999) << QByteArray("0.00ms");
        QTest::newRow("half a hundredth rounds up") << qint64(5'000) << QByteArray("0.01ms");
        QTest::newRow("one decimal digit") << qint64(90'000) << QByteArray("0.09ms");
        QTest::newRow("carry into the unit") << qint64(995'000) << QByteArray("1.00ms");
        QTest::newRow("typical") << qint64(1'794'999) << QByteArray("1.79ms");
        QTest::newRow("long") << qint64(12'345'678'901) << QByteArray("12345.68ms");
        QTest::newRow("negative (clock skew)") << qint64(-3'000'000) << QByteArray("0.00ms");
    }
    void milliseconds()
    {
        QFETCH(qint64, nanoseconds);
        QFETCH(QByteArray, text);
        QByteArray line("x ");
        AccessLog::appendMilliseconds(line, nanoseconds);
        QCOMPARE(line, "x " + text);
        // The same figure as the double formatting it replaces, where that one is exact.
        if (nanoseconds >= 0 && nanoseconds % 10'000 == 0)
            QCOMPARE(text, QByteArray::number(nanoseconds / 1e6, 'f', 2) + "ms");
    }

    void integers()
    {
        QByteArray line;
        AccessLog::appendInteger(line, 0);
        line.append(' ');
        AccessLog::appendInteger(line, 200);
        line.append(' ');
        AccessLog::appendInteger(line, -1);
        line.append(' ');
        AccessLog::appendInteger(line, std::numeric_limits<qint64>::max());
        QCOMPARE(line, QByteArray("0 200 -1 9223372036854775807"));
    }
};

QTEST_MAIN(TestAccessLog)
#include "tst_accesslog.moc"
