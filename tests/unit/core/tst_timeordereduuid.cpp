// TimeOrderedUuid: version 7 IDs (RFC 9562) that sort in the order they were made, as text too,
// from one thread or several, also past 4,096 IDs in a millisecond.

#include "TimeOrderedUuid.h"

#include <QDateTime>
#include <QSet>
#include <QTest>

#include <thread>
#include <vector>

using namespace butler;

namespace {

QString text(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

} // namespace

class TestTimeOrderedUuid : public QObject
{
    Q_OBJECT

private slots:
    void layoutIsVersion7();
    void idsOfOneCallAscend();
    void laterCallsSortAfter();
    void manyIdsBorrowTheNextMilliseconds();
    void threadsNeverShareAnId();
    void randomKinds();
};

void TestTimeOrderedUuid::layoutIsVersion7()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const QUuid id = TimeOrderedUuid::generate();
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(id.data3 >> 12, 7); // QUuid::version() knows versions up to 5
    QCOMPARE(id.variant(), QUuid::DCE);
    // The first 48 bits are the Unix milliseconds, the first 12 hex digits of the text.
    const qint64 ms = TimeOrderedUuid::milliseconds(id);
    QVERIFY2(ms >= before && ms <= after + 1, qPrintable(QString::number(ms - before)));
    QCOMPARE(text(id).remove(u'-').left(12), QStringLiteral("%1").arg(ms, 12, 16, QLatin1Char('0')));
    QVERIFY(TimeOrderedUuid::generate(0).isEmpty());
    QCOMPARE(TimeOrderedUuid::milliseconds(QUuid::createUuid()), qint64(-1));
}

void TestTimeOrderedUuid::idsOfOneCallAscend()
{
    const QList<QUuid> ids = TimeOrderedUuid::generate(1000);
    QCOMPARE(ids.size(), 1000);
    for (qsizetype i = 1; i < ids.size(); ++i) {
        QVERIFY2(ids[i - 1] < ids[i], qPrintable(text(ids[i])));
        QVERIFY2(text(ids[i - 1]) < text(ids[i]), qPrintable(text(ids[i])));
    }
    // The 62 bits after the counter are random: no two IDs share them.
    QSet<QByteArray> tails;
    for (const QUuid& id : ids)
        tails.insert(id.toRfc4122().mid(8));
    QCOMPARE(tails.size(), ids.size());
}

void TestTimeOrderedUuid::laterCallsSortAfter()
{
    QUuid last = TimeOrderedUuid::generate();
    for (int i = 0; i < 200; ++i) {
        const QUuid next = TimeOrderedUuid::generate();
        QVERIFY2(text(last) < text(next), qPrintable(text(last) + QLatin1Char(' ') + text(next)));
        last = next;
    }
}

void TestTimeOrderedUuid::manyIdsBorrowTheNextMilliseconds()
{
    // 4,096 counter values a millisecond: 10,000 IDs made at once span at least three.
    const QList<QUuid> ids = TimeOrderedUuid::generate(10000);
    QVERIFY(TimeOrderedUuid::milliseconds(ids.last()) - TimeOrderedUuid::milliseconds(ids.first()) >= 2);
    for (qsizetype i = 1; i < ids.size(); ++i)
        QVERIFY2(text(ids[i - 1]) < text(ids[i]), qPrintable(text(ids[i])));
    // The next call carries on after them, though its clock may not have got there yet.
    QVERIFY(text(ids.last()) < text(TimeOrderedUuid::generate()));
}

void TestTimeOrderedUuid::threadsNeverShareAnId()
{
    constexpr int kThreads = 4;
    std::vector<QList<QUuid>> made(kThreads);
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&made, t] {
                for (int i = 0; i < 500; ++i)
                    made[size_t(t)] += TimeOrderedUuid::generate(1 + i % 7);
            });
        for (std::thread& thread : threads)
            thread.join();
    }
    QSet<QUuid> all;
    qsizetype count = 0;
    for (const QList<QUuid>& ids : made) {
        for (qsizetype i = 1; i < ids.size(); ++i)
            QVERIFY(text(ids[i - 1]) < text(ids[i]));
        for (const QUuid& id : ids)
            all.insert(id);
        count += ids.size();
    }
    QCOMPARE(all.size(), count);
}

void TestTimeOrderedUuid::randomKinds()
{
    QVERIFY(TimeOrderedUuid::isRandom(TimeOrderedUuid::generate()));
    QVERIFY(TimeOrderedUuid::isRandom(QUuid::createUuid()));
    const QUuid space(QStringLiteral("840b31d9-05cd-5161-b2c8-00d32b280d0f"));
    QVERIFY(!TimeOrderedUuid::isRandom(QUuid::createUuidV5(space, QStringLiteral("x"))));
    QVERIFY(!TimeOrderedUuid::isRandom(QUuid::createUuidV3(space, QStringLiteral("x"))));
    QVERIFY(!TimeOrderedUuid::isRandom(QUuid()));
}

QTEST_GUILESS_MAIN(TestTimeOrderedUuid)
#include "tst_timeordereduuid.moc"
