// RateLimiter: the per-user token bucket, on a clock the test moves by hand: the burst, the
// rate, Retry-After rounding, refusals costing nothing, independent users, idle buckets
// forgotten, and many threads spending one bucket at once.

#include "RateLimiter.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace butler;

namespace {

constexpr qint64 kSecond = 1000000000;

// A clock the test sets; shared with the limiter.
struct ManualClock
{
    std::shared_ptr<std::atomic<qint64>> now = std::make_shared<std::atomic<qint64>>(10 * kSecond);

    RateLimiter::Clock clock() const
    {
        return [now = now] { return now->load(); };
    }
    void advance(double seconds) { now->fetch_add(qint64(seconds * double(kSecond))); }
};

int allowedOf(RateLimiter& limiter, const QString& key, int attempts)
{
    int allowed = 0;
    for (int i = 0; i < attempts; ++i)
        allowed += limiter.take(key).allowed ? 1 : 0;
    return allowed;
}

} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void burstThenRefused()
    {
        ManualClock clock;
        RateLimiter limiter(2, 4, clock.clock());
        for (int i = 0; i < 4; ++i)
            QVERIFY2(limiter.take(QStringLiteral("alice")).allowed, qPrintable(QString::number(i)));
        const RateLimiter::Decision refused = limiter.take(QStringLiteral("alice"));
        QVERIFY(!refused.allowed);
        // One token comes back every half second.
        QCOMPARE(refused.waitNs, kSecond / 2);
        QCOMPARE(refused.retryAfterSeconds(), 1);
    }

    void refillsAtTheRate()
    {
        ManualClock clock;
        RateLimiter limiter(2, 4, clock.clock());
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 10), 4);
        clock.advance(0.5);
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 10), 1);
        clock.advance(1.5);
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 10), 3);
        // Never more than the burst, however long the pause.
        clock.advance(3600);
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 10), 4);
    }

    void acceptedCountFollowsTheRate()
    {
        // 100 attempts a second for 10 s against 10/s with bursts of 20: 20 + 10 * 10 pass.
        ManualClock clock;
        RateLimiter limiter(10, 20, clock.clock());
        int allowed = 0;
        for (int i = 0; i < 1000; ++i) {
            allowed += limiter.take(QStringLiteral("alice")).allowed ? 1 : 0;
            clock.advance(0.01);
        }
        QVERIFY2(allowed >= 119 && allowed <= 121, qPrintable(QString::number(allowed)));
    }

    void retryAfterRoundsUp_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<double>("elapsed");
        QTest::addColumn<qint64>("retryAfter");
        // One request every 4 s.
        QTest::newRow("just refused") << 0.25 << 0.0 << qint64(4);
        QTest::newRow("1.5 s later") << 0.25 << 1.5 << qint64(3);
        QTest::newRow("3.9 s later") << 0.25 << 3.9 << qint64(1);
        // Fast rates still advise at least a second: Retry-After has no smaller unit.
        QTest::newRow("1000/s") << 1000.0 << 0.0 << qint64(1);
    }

    void retryAfterRoundsUp()
    {
        QFETCH(double, rate);
        QFETCH(double, elapsed);
        QFETCH(qint64, retryAfter);
        ManualClock clock;
        RateLimiter limiter(rate, 1, clock.clock());
        QVERIFY(limiter.take(QStringLiteral("alice")).allowed);
        clock.advance(elapsed);
        const RateLimiter::Decision refused = limiter.take(QStringLiteral("alice"));
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.retryAfterSeconds(), retryAfter);
    }

    void waitingTheAdvisedTimeSucceeds()
    {
        ManualClock clock;
        RateLimiter limiter(0.5, 1, clock.clock());
        QVERIFY(limiter.take(QStringLiteral("alice")).allowed);
        const RateLimiter::Decision refused = limiter.take(QStringLiteral("alice"));
        QVERIFY(!refused.allowed);
        // Refusals take nothing: hammering meanwhile does not push the time back.
        for (int i = 0; i < 100; ++i)
            QVERIFY(!limiter.take(QStringLiteral("alice")).allowed);
        clock.advance(double(refused.retryAfterSeconds()));
        QVERIFY(limiter.take(QStringLiteral("alice")).allowed);
    }

    void usersAreIndependent()
    {
        ManualClock clock;
        RateLimiter limiter(1, 3, clock.clock());
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 50), 3);
        QCOMPARE(allowedOf(limiter, QStringLiteral("bob"), 50), 3);
        QVERIFY(!limiter.take(QStringLiteral("alice")).allowed);
    }

    void idleBucketsAreForgotten()
    {
        ManualClock clock;
        RateLimiter limiter(10, 20, clock.clock()); // full again after 2 s
        for (int i = 0; i < 1000; ++i)
            limiter.take(QStringLiteral("user%1").arg(i));
        QCOMPARE(limiter.bucketCount(), 1000);
        clock.advance(2.5);
        for (int i = 0; i < 1000; ++i)
            limiter.take(QStringLiteral("other%1").arg(i));
        // Every shard was swept on its first use: only the new users remain.
        QCOMPARE(limiter.bucketCount(), 1000);
    }

    void partlySpentBucketsAreKept()
    {
        ManualClock clock;
        // Full again after 2 s.
        RateLimiter limiter(2, 4, clock.clock());
        // Its shard is swept now.
        QVERIFY(limiter.take(QStringLiteral("alice")).allowed);
        clock.advance(1);
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 4), 4);
        // The next take sweeps the shard again; alice, idle for 1.5 s of the 2, must keep her
        // bucket (3 tokens), not get a fresh one (4).
        clock.advance(1.5);
        QCOMPARE(allowedOf(limiter, QStringLiteral("alice"), 10), 3);
    }

    void manyThreadsShareOneBucket()
    {
        ManualClock clock; // stands still: exactly the burst passes
        RateLimiter limiter(1, 100, clock.clock());
        std::atomic<int> allowed{0};
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back(QThread::create([&] {
                for (int i = 0; i < 1000; ++i)
                    allowed += limiter.take(QStringLiteral("alice")).allowed ? 1 : 0;
            }));
            threads.back()->start();
        }
        for (auto& thread : threads)
            QVERIFY(thread->wait(60000));
        QCOMPARE(allowed.load(), 100);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
