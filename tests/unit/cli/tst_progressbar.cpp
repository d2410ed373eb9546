#include "ProgressBar.h"

#include <QElapsedTimer>
#include <QTest>

#include <cstdio>
#include <cstdlib>

using namespace butler;

namespace {

// A FILE* backed by memory; text() returns everything written so far.
class MemoryStream
{
public:
    MemoryStream() { m_file = open_memstream(&m_data, &m_size); }
    ~MemoryStream()
    {
        if (m_file)
            std::fclose(m_file);
        std::free(m_data);
    }
    MemoryStream(const MemoryStream&) = delete;
    MemoryStream& operator=(const MemoryStream&) = delete;

    FILE* file() const { return m_file; }
    QString text()
    {
        std::fflush(m_file);
        return QString::fromUtf8(m_data, qsizetype(m_size));
    }

private:
    FILE* m_file = nullptr;
    char* m_data = nullptr;
    size_t m_size = 0;
};

// The line on screen after the last carriage return.
QString lastDrawn(const QString& text)
{
    QString line = text.mid(text.lastIndexOf(QLatin1Char('\r')) + 1);
    if (line.endsWith(QLatin1Char('\n')))
        line.chop(1);
    return line.trimmed();
}

} // namespace

class TestProgressBar : public QObject
{
    Q_OBJECT

private slots:
    void quietWhenNotATerminal();
    void quietWhenDisabled();
    void drawsWhenEnabled();
    void finishPrintsFinalLine();
    void destructorFinishes();
    void throttlesRedraws();
    void renderKnownTotal();
    void renderUnknownTotal();
    void renderOvercount();
    void renderFitsWidth_data();
    void renderFitsWidth();
    void formatDuration_data();
    void formatDuration();
    void formatRate_data();
    void formatRate();
};

void TestProgressBar::quietWhenNotATerminal()
{
    MemoryStream stream;
    QVERIFY(stream.file());
    {
        ProgressBar bar(QStringLiteral("ingest"), 10, stream.file());
        QVERIFY(!bar.isEnabled());
        for (int i = 0; i < 10; ++i)
            bar.advance();
        bar.finish();
        QCOMPARE(bar.current(), qint64(10));
    }
    QCOMPARE(stream.text(), QString());
}

void TestProgressBar::quietWhenDisabled()
{
    MemoryStream stream;
    ProgressBar bar(QStringLiteral("ingest"), 10, stream.file());
    bar.setEnabled(true);
    bar.setEnabled(false);
    bar.advance(5);
    bar.finish();
    QCOMPARE(stream.text(), QString());
}

void TestProgressBar::drawsWhenEnabled()
{
    MemoryStream stream;
    ProgressBar bar(QStringLiteral("ingest"), 100, stream.file());
    bar.setEnabled(true);
    bar.advance(10);
    const QString text = stream.text();
    QVERIFY2(text.startsWith(QLatin1Char('\r')), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
    const QString line = lastDrawn(text);
    QVERIFY2(line.startsWith(QLatin1String("ingest [")), qPrintable(line));
    QVERIFY2(line.contains(QLatin1String(" 10% 10/100 ")), qPrintable(line));
    QVERIFY2(line.contains(QLatin1String("ETA ")), qPrintable(line));
    bar.finish();
}

void TestProgressBar::finishPrintsFinalLine()
{
    MemoryStream stream;
    ProgressBar bar(QStringLiteral("retrieve"), 40, stream.file());
    bar.setEnabled(true);
    for (int i = 0; i < 40; ++i)
        bar.advance();
    bar.finish();
    const QString text = stream.text();
    QVERIFY2(text.endsWith(QLatin1Char('\n')), qPrintable(text));
    QCOMPARE(text.count(QLatin1Char('\n')), 1);
    const QString line = lastDrawn(text);
    QVERIFY2(line.contains(QLatin1String("[========================================] 100% 40/40 ")),
             qPrintable(line));
    QVERIFY2(line.endsWith(QLatin1String("in 0:00")), qPrintable(line));
    QVERIFY2(!line.contains(QLatin1String("ETA")), qPrintable(line));

    // A second finish, or advancing afterwards, draws nothing more.
    bar.finish();
    bar.advance();
    QCOMPARE(stream.text(), text);
}

void TestProgressBar::destructorFinishes()
{
    MemoryStream stream;
    {
        ProgressBar bar(QStringLiteral("import"), 5, stream.file());
        bar.setEnabled(true);
        bar.advance(2);
    }
    const QString text = stream.text();
    QVERIFY2(text.endsWith(QLatin1Char('\n')), qPrintable(text));
    QVERIFY2(lastDrawn(text).contains(QLatin1String(" 40% 2/5 ")), qPrintable(text));
}

void TestProgressBar::throttlesRedraws()
{
    MemoryStream stream;
    ProgressBar bar(QStringLiteral("ingest"), 100000, stream.file());
    bar.setEnabled(true);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 100000; ++i)
        bar.advance();
    const qint64 elapsed = timer.elapsed();
    const qsizetype draws = stream.text().count(QLatin1Char('\r'));
    // At most one draw per 100 ms, plus the first one.
    QVERIFY2(draws >= 1 && draws <= 2 + elapsed / 100,
             qPrintable(QStringLiteral("%1 draws in %2 ms").arg(draws).arg(elapsed)));
    QCOMPARE(bar.current(), qint64(100000));
    bar.finish();
    QVERIFY(lastDrawn(stream.text()).contains(QLatin1String("100% 100000/100000")));
}

void TestProgressBar::renderKnownTotal()
{
    ProgressBar bar(QStringLiteral("ingest"), 200, nullptr);
    bar.setWidth(80);
    bar.advance(50);
    const QString line = bar.render(10000);
    // 50 in 10 s is 5 per second; 150 left take 30 s.
    QVERIFY2(line.contains(QLatin1String("]  25% 50/200 5.0/s ETA 0:30")), qPrintable(line));
    const qsizetype open = line.indexOf(QLatin1Char('['));
    const qsizetype close = line.indexOf(QLatin1Char(']'));
    const QString inner = line.mid(open + 1, close - open - 1);
    QCOMPARE(inner.count(QLatin1Char('=')) + inner.count(QLatin1Char('>')), inner.size() / 4);
    QVERIFY(inner.contains(QLatin1Char('>')));

    const QString finished = bar.render(10000, true);
    QVERIFY2(finished.endsWith(QLatin1String("50/200 5.0/s in 0:10")), qPrintable(finished));

    const QString atStart = bar.render(0);
    QVERIFY2(atStart.endsWith(QLatin1String("--/s ETA --:--")), qPrintable(atStart));
}

void TestProgressBar::renderUnknownTotal()
{
    ProgressBar bar(QStringLiteral("import"), 0, nullptr);
    bar.advance(1234);
    QCOMPARE(bar.render(2000), QStringLiteral("import 1234 617.0/s"));
    QCOMPARE(bar.render(2000, true), QStringLiteral("import 1234 617.0/s in 0:02"));
}

void TestProgressBar::renderOvercount()
{
    ProgressBar bar(QStringLiteral("x"), 10, nullptr);
    bar.advance(15);
    const QString line = bar.render(1000);
    QVERIFY2(line.contains(QLatin1String("100% 15/10 ")), qPrintable(line));
    QVERIFY2(line.contains(QLatin1String("ETA 0:00")), qPrintable(line));
    QVERIFY(!line.contains(QLatin1Char(' ') + QLatin1String("]")));
}

void TestProgressBar::renderFitsWidth_data()
{
    QTest::addColumn<int>("width");
    QTest::newRow("40") << 40;
    QTest::newRow("60") << 60;
    QTest::newRow("80") << 80;
    QTest::newRow("200") << 200;
}

void TestProgressBar::renderFitsWidth()
{
    QFETCH(int, width);
    ProgressBar bar(QStringLiteral("ingest-files"), 1000000, nullptr);
    bar.setWidth(width);
    bar.advance(123456);
    const QString line = bar.render(61000);
    // Shorter than the terminal so it never wraps, unless the bar is already at its minimum.
    const qsizetype barWidth = line.indexOf(QLatin1Char(']')) - line.indexOf(QLatin1Char('[')) - 1;
    QVERIFY2(line.size() < width || barWidth == 10, qPrintable(line));
    QVERIFY(barWidth >= 10 && barWidth <= 40);
}

void TestProgressBar::formatDuration_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero") << qint64(0) << "0:00";
    QTest::newRow("seconds") << qint64(7) << "0:07";
    QTest::newRow("minutes") << qint64(750) << "12:30";
    QTest::newRow("hours") << qint64(3723) << "1:02:03";
    QTest::newRow("negative") << qint64(-5) << "0:00";
}

void TestProgressBar::formatDuration()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, expected);
    QCOMPARE(ProgressBar::formatDuration(seconds), expected);
}

void TestProgressBar::formatRate_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<QString>("expected");
    QTest::newRow("slow") << 0.5 << "0.5/s";
    QTest::newRow("normal") << 35.0 << "35.0/s";
    QTest::newRow("kilo") << 1234.0 << "1.2k/s";
    QTest::newRow("mega") << 3.4e6 << "3.4M/s";
}

void TestProgressBar::formatRate()
{
    QFETCH(double, rate);
    QFETCH(QString, expected);
    QCOMPARE(ProgressBar::formatRate(rate), expected);
}

QTEST_GUILESS_MAIN(TestProgressBar)
#include "tst_progressbar.moc"
