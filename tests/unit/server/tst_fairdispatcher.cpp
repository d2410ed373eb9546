// FairDispatcher: FairQueue's order on real threads. Jobs block on gates the test opens, so
// every check waits for a state, never for time: the query cap holds while idle threads serve
// other users, a flooded queue still lets another user through early, full queues refuse, and
// shutdown drops what waits but finishes what runs.

#include "FairDispatcher.h"
#include "ThreadScheduling.h"

#include <QMutex>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSemaphore>
#include <QStringList>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <memory>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace butler;

namespace {

// Jobs that wait for the test to let them finish.
struct Gate
{
    QSemaphore open;
    void release(int n = 1000) { open.release(n); }
};

struct Log
{
    QMutex mutex;
    QStringList order;
    void add(const QString& label)
    {
        QMutexLocker lock(&mutex);
        order.append(label);
    }
    QStringList snapshot()
    {
        QMutexLocker lock(&mutex);
        return order;
    }
};

FairQueue::Job gated(const QString& user, bool capped, Gate* gate, Log* log, const QString& label,
                     std::atomic<int>* dropped = nullptr)
{
    FairQueue::Job job;
    job.user = user;
    job.capped = capped;
    job.run = [gate, log, label] {
        if (log)
            log->add(label);
        if (gate)
            gate->open.acquire();
    };
    if (dropped)
        job.drop = [dropped] { ++*dropped; };
    return job;
}

// A job that only says it ran.
FairQueue::Job flagging(const QString& user, bool capped, std::atomic<bool>* ran)
{
    FairQueue::Job job;
    job.user = user;
    job.capped = capped;
    job.run = [ran] { *ran = true; };
    return job;
}

// Capped jobs that record whether they ran on a SCHED_IDLE (background) thread.
struct Placements
{
    QMutex mutex;
    QHash<QString, bool> background; // "user:index": ran in the background

    // Records where it runs, then waits at gate (if any).
    FairQueue::Job job(const QString& user, int index, Gate* gate)
    {
        FairQueue::Job j;
        j.user = user;
        j.capped = true;
        j.run = [this, gate, label = QStringLiteral("%1:%2").arg(user).arg(index)] {
            {
                QMutexLocker lock(&mutex);
                background.insert(label, ThreadScheduling::inBackground());
            }
            if (gate)
                gate->open.acquire();
        };
        return j;
    }
    bool ran(const QString& label)
    {
        QMutexLocker lock(&mutex);
        return background.contains(label);
    }
    bool inBackground(const QString& label)
    {
        QMutexLocker lock(&mutex);
        return background.value(label);
    }
    qsizetype count()
    {
        QMutexLocker lock(&mutex);
        return background.size();
    }
};

FairDispatcher::Options options(int threads, int maxRunning, int maxQueued)
{
    FairDispatcher::Options result;
    result.threads = threads;
    result.maxRunningPerUser = maxRunning;
    result.maxQueuedPerUser = maxQueued;
    return result;
}

// 2 primaries, 2 spares and 2 background threads; a cap of 2; a backlog of 4 puts a user in
// the background, and another user's submission counts for the whole test.
FairDispatcher::Options backgroundOptions(std::chrono::milliseconds stall = std::chrono::minutes(1))
{
    FairDispatcher::Options result = options(4, 2, 100);
    result.activeThreads = 2;
    result.backgroundBacklog = 4;
    result.backgroundWindow = std::chrono::minutes(1);
    result.backgroundStall = stall;
    return result;
}

} // namespace

class TestFairDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void queryCapHoldsWhileOthersRun()
    {
        Gate gate;
        Log log;
        FairDispatcher dispatcher(options(4, 2, 100));
        QCOMPARE(dispatcher.threadCount(), 4);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(dispatcher.submit(gated("A", true, &gate, &log, QStringLiteral("A:%1").arg(i))),
                     FairDispatcher::Submit::Queued);
        QTRY_COMPARE(dispatcher.running(QStringLiteral("A")), 2);
        QCOMPARE(dispatcher.queued(QStringLiteral("A")), 3);
        // Two threads are idle, yet A's third query waits; B's goes straight through.
        std::atomic<bool> bRan{false};
        dispatcher.submit(flagging(QStringLiteral("B"), true, &bRan));
        QTRY_VERIFY(bRan.load());
        QCOMPARE(dispatcher.running(QStringLiteral("A")), 2);
        QCOMPARE(dispatcher.queued(QStringLiteral("A")), 3);
        QCOMPARE(log.snapshot().size(), 2);
        // A's own non-query work is not held behind its queries either.
        std::atomic<bool> writeRan{false};
        dispatcher.submit(flagging(QStringLiteral("A"), false, &writeRan));
        QTRY_VERIFY(writeRan.load());

        gate.release();
        QVERIFY(dispatcher.waitForIdle(30000));
        QCOMPARE(log.snapshot().size(), 5);
        QCOMPARE(dispatcher.peakRunningPerUser(), 2);
        QCOMPARE(dispatcher.running(QStringLiteral("A")), 0);
        QCOMPARE(dispatcher.queued(), 0);
    }

    void oneUsersFloodKeepsToTheActiveThreads()
    {
        Gate gate;
        Log log;
        FairDispatcher::Options opts = options(4, 64, 100);
        opts.activeThreads = 2;
        FairDispatcher dispatcher(opts);
        const auto release = qScopeGuard([&gate] { gate.release(); }); // also when a check fails
        // (A thread still starting would see A's first query as a newcomer's and take it.)
        QTRY_COMPARE(dispatcher.idleThreads(), 4);
        for (int i = 0; i < 20; ++i)
            dispatcher.submit(gated("A", true, &gate, &log, QStringLiteral("A:%1").arg(i)));
        QTRY_COMPARE(dispatcher.busyThreads(), 2);
        // Two threads stay asleep: more running queries would only share the same cores.
        QTest::qWait(200);
        QCOMPARE(dispatcher.busyThreads(), 2);
        QCOMPARE(dispatcher.running(QStringLiteral("A")), 2);
        // Another user's query, and A's own non-query work, do not wait behind the flood.
        std::atomic<bool> bRan{false};
        dispatcher.submit(flagging(QStringLiteral("B"), true, &bRan));
        QTRY_VERIFY(bRan.load());
        std::atomic<bool> writeRan{false};
        dispatcher.submit(flagging(QStringLiteral("A"), false, &writeRan));
        QTRY_VERIFY(writeRan.load());
        QCOMPARE(dispatcher.running(QStringLiteral("A")), 2);
        gate.release();
        QVERIFY(dispatcher.waitForIdle(30000));
        QCOMPARE(log.snapshot().size(), 20);
    }

    void primariesRunBelowTheSpares()
    {
        FairDispatcher::Options opts = options(3, 64, 100);
        opts.activeThreads = 1;
        opts.nice = 7;
        FairDispatcher dispatcher(opts);
        QTRY_COMPARE(dispatcher.idleThreads(), 3);
        const auto niceOfThisThread = [] {
            errno = 0;
            return ::getpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid)));
        };
        // The primary takes the first query and holds it; the next user's goes to a spare.
        Gate gate;
        const auto release = qScopeGuard([&gate] { gate.release(); });
        std::atomic<int> primaryNice{-100};
        std::atomic<int> spareNice{-100};
        std::atomic<qint64> primarySlice{-1};
        std::atomic<qint64> spareSlice{-1};
        FairQueue::Job first;
        first.user = QStringLiteral("A");
        first.capped = true;
        first.run = [&] {
            primarySlice = qint64(ThreadScheduling::slice().count());
            primaryNice = niceOfThisThread();
            gate.open.acquire();
        };
        dispatcher.submit(std::move(first));
        const int processNice = niceOfThisThread(); // as the threads started with
        QTRY_COMPARE(primaryNice.load(), std::min(processNice + 7, 19));
        FairQueue::Job second;
        second.user = QStringLiteral("B");
        second.capped = true;
        second.run = [&] {
            spareSlice = qint64(ThreadScheduling::slice().count());
            spareNice = niceOfThisThread();
        };
        dispatcher.submit(std::move(second));
        QTRY_COMPARE(spareNice.load(), processNice);
        // Where the kernel keeps slices (Linux 6.12 on), the spare asked for the short one
        // and the primary kept the kernel's.
        if (ThreadScheduling::slice().count() > 0) {
            QCOMPARE(spareSlice.load(), qint64(ThreadScheduling::kShortSlice.count()));
            QVERIFY(primarySlice.load() > qint64(ThreadScheduling::kShortSlice.count()));
        }
        gate.release();
        QVERIFY(dispatcher.waitForIdle(30000));
    }

    // A's flood runs on the primaries while A is alone; once B submits, A's queries (while A
    // has the backlog waiting) run on the SCHED_IDLE background threads, B's on a thread of
    // normal priority, and A's cap still holds.
    void floodRunsInTheBackgroundWhileOthersUseTheServer()
    {
        FairDispatcher dispatcher(backgroundOptions());
        QCOMPARE(dispatcher.threadCount(), 6); // 2 primaries, 2 spares, 2 background
        Gate gate;
        const auto release = qScopeGuard([&gate] { gate.release(); });
        Placements placed;
        QTRY_COMPARE(dispatcher.idleThreads(), 6);
        for (int i = 0; i < 10; ++i)
            dispatcher.submit(placed.job(QStringLiteral("A"), i, &gate));
        QTRY_COMPARE(dispatcher.running(QStringLiteral("A")), 2);
        dispatcher.submit(placed.job(QStringLiteral("B"), 0, nullptr));
        QVERIFY(dispatcher.waitForIdle(0) == false);
        QTRY_VERIFY(placed.ran(QStringLiteral("B:0")));
        gate.release();
        QVERIFY(dispatcher.waitForIdle(30000));
        QCOMPARE(placed.count(), 11);
        QCOMPARE(dispatcher.backgroundRuns(), 5);
        QCOMPARE(dispatcher.peakRunningPerUser(), 2);
        QVERIFY(!placed.inBackground(QStringLiteral("B:0")));
        // A:0 and A:1 started while A was alone; A:k starts with 10 - k of A's waiting, so
        // up to A:6 A has the backlog of 4.
        for (int k = 0; k < 10; ++k) {
            const bool expected = k >= 2 && k <= 6;
            QVERIFY2(
                placed.inBackground(QStringLiteral("A:%1").arg(k)) == expected,
                qPrintable(QStringLiteral("A:%1 %2 in the background").arg(k).arg(expected ? "not" : "")));
        }
    }

    // A query that stays in the background longer than the stall (here: held by the test, as
    // a saturated server would hold it) sends A's backlog back to the primaries.
    void stalledBackgroundSendsTheBacklogToThePrimaries()
    {
        FairDispatcher dispatcher(backgroundOptions(std::chrono::milliseconds(50)));
        std::vector<std::unique_ptr<Gate>> gates;
        for (int i = 0; i < 10; ++i)
            gates.push_back(std::make_unique<Gate>());
        const auto release = qScopeGuard([&gates] {
            for (auto& gate : gates)
                gate->release();
        });
        Placements placed;
        QTRY_COMPARE(dispatcher.idleThreads(), 6);
        for (int i = 0; i < 10; ++i)
            dispatcher.submit(placed.job(QStringLiteral("A"), i, gates[size_t(i)].get()));
        QTRY_COMPARE(dispatcher.running(QStringLiteral("A")), 2); // A:0, A:1 on the primaries
        dispatcher.submit(placed.job(QStringLiteral("B"), 0, nullptr));
        // A:2 and A:3 go to the two background threads and stay there.
        QTRY_VERIFY(placed.ran(QStringLiteral("B:0")) && placed.ran(QStringLiteral("A:2")) &&
                    placed.ran(QStringLiteral("A:3")));
        QCOMPARE(dispatcher.backgroundRuns(), 2);
        QTest::qWait(100);   // past the stall
        gates[0]->release(); // A:0 ends: its primary takes A:4, though A has 6 waiting
        QTRY_VERIFY(placed.ran(QStringLiteral("A:4")));
        QVERIFY(!placed.inBackground(QStringLiteral("A:4")));
        QCOMPARE(dispatcher.backgroundRuns(), 2);
        for (auto& gate : gates)
            gate->release();
        QVERIFY(dispatcher.waitForIdle(30000));
        QCOMPARE(placed.count(), 11);
        QCOMPARE(dispatcher.peakRunningPerUser(), 2);
    }

    // Shutdown with queries on the background threads: it waits for them, drops what waits,
    // and every thread ends.
    void shutdownWaitsForTheBackground()
    {
        FairDispatcher dispatcher(backgroundOptions());
        Gate gate;
        const auto release = qScopeGuard([&gate] { gate.release(); });
        Placements placed;
        std::atomic<int> dropped{0};
        QTRY_COMPARE(dispatcher.idleThreads(), 6);
        for (int i = 0; i < 10; ++i) {
            FairQueue::Job job = placed.job(QStringLiteral("A"), i, &gate);
            job.drop = [&dropped] { ++dropped; };
            dispatcher.submit(std::move(job));
        }
        QTRY_COMPARE(dispatcher.running(QStringLiteral("A")), 2);
        dispatcher.submit(placed.job(QStringLiteral("B"), 0, nullptr));
        QTRY_COMPARE(dispatcher.backgroundRuns(), 2); // A:2 and A:3, held at the gate
        QTRY_VERIFY(placed.ran(QStringLiteral("A:3")));
        QCOMPARE(dispatcher.busyThreads(), 4);

        std::unique_ptr<QThread> stopper(QThread::create([&dispatcher] { dispatcher.shutdown(); }));
        stopper->start();
        QTRY_COMPARE(dropped.load(), 6); // A:4 to A:9
        QVERIFY(!stopper->isFinished()); // the four running ones hold it
        gate.release();
        QVERIFY(stopper->wait(30000));
        QCOMPARE(placed.count(), 5); // A:0 to A:3, and B:0
        QCOMPARE(dispatcher.busyThreads(), 0);
        QCOMPARE(dispatcher.submit(placed.job(QStringLiteral("A"), 99, nullptr)),
                 FairDispatcher::Submit::Stopped);
    }

    // Many submitters, users, queries and other work at random: every job runs and the
    // dispatcher goes idle, so no job is ever left queued with no thread coming for it.
    void noJobIsStranded_data()
    {
        QTest::addColumn<int>("backlog");
        QTest::newRow("no background threads") << 0;
        // Users move in and out of the background as their queues grow and shrink, and as the
        // others' submissions come and go (a window shorter than the pauses).
        QTest::newRow("background threads") << 3;
    }

    void noJobIsStranded()
    {
        QFETCH(int, backlog);
        FairDispatcher::Options opts = options(4, 2, 100000);
        opts.activeThreads = 2;
        opts.backgroundBacklog = backlog;
        opts.backgroundWindow = std::chrono::milliseconds(1);
        FairDispatcher dispatcher(opts);
        std::atomic<int> ran{0};
        constexpr int kSubmitters = 6;
        constexpr int kJobs = 1500;
        for (int round = 0; round < 3; ++round) {
            ran = 0;
            std::vector<std::unique_ptr<QThread>> submitters;
            for (int t = 0; t < kSubmitters; ++t) {
                submitters.emplace_back(QThread::create([&dispatcher, &ran, t] {
                    QRandomGenerator random(quint32(t + 1));
                    for (int i = 0; i < kJobs; ++i) {
                        FairQueue::Job job;
                        job.user = QStringLiteral("u%1").arg(random.bounded(5));
                        job.capped = random.bounded(4) != 0;
                        const int micros = random.bounded(60);
                        job.run = [&ran, micros] {
                            QThread::usleep(ulong(micros));
                            ++ran;
                        };
                        dispatcher.submit(std::move(job));
                        if (random.bounded(8) == 0)
                            QThread::usleep(ulong(random.bounded(200)));
                    }
                }));
                submitters.back()->start();
            }
            for (auto& thread : submitters)
                QVERIFY(thread->wait(60000));
            // Nothing is submitted from here on: a stranded job would keep it from idling.
            QVERIFY2(dispatcher.waitForIdle(20000), qPrintable(QStringLiteral("%1 queued, %2 busy")
                                                                   .arg(dispatcher.queued())
                                                                   .arg(dispatcher.busyThreads())));
            QCOMPARE(ran.load(), kSubmitters * kJobs);
            // And a lone job on an idle dispatcher, query or not, starts by itself.
            for (const bool capped : {true, false}) {
                std::atomic<bool> lone{false};
                dispatcher.submit(flagging(QStringLiteral("u%1").arg(round), capped, &lone));
                QTRY_VERIFY(lone.load());
                QVERIFY(dispatcher.waitForIdle(20000));
            }
        }
    }

    void floodedQueueLetsAnotherUserThroughEarly()
    {
        Gate first;
        Log log;
        FairDispatcher dispatcher(options(1, 2, 1000));
        // A's first job holds the only thread until every other job is queued.
        dispatcher.submit(gated("A", false, &first, &log, QStringLiteral("A:0")));
        QTRY_COMPARE(dispatcher.busyThreads(), 1);
        for (int i = 1; i < 100; ++i)
            dispatcher.submit(gated("A", false, nullptr, &log, QStringLiteral("A:%1").arg(i)));
        dispatcher.submit(gated("B", false, nullptr, &log, QStringLiteral("B:0")));
        QCOMPARE(dispatcher.queued(), 100);
        first.release();
        QVERIFY(dispatcher.waitForIdle(30000));
        const QStringList order = log.snapshot();
        QCOMPARE(order.size(), 101);
        // A:0 (already running), then one more of A's at most, then B.
        QVERIFY2(order.indexOf(QStringLiteral("B:0")) <= 2, qPrintable(order.mid(0, 5).join(u' ')));
        // A's own requests keep their order.
        QStringList aOnly = order;
        aOnly.removeAll(QStringLiteral("B:0"));
        for (int i = 0; i < aOnly.size(); ++i)
            QCOMPARE(aOnly.at(i), QStringLiteral("A:%1").arg(i));
    }

    void fullQueueIsRefused()
    {
        Gate gate;
        FairDispatcher dispatcher(options(1, 2, 3));
        dispatcher.submit(gated("A", false, &gate, nullptr, QString()));
        QTRY_COMPARE(dispatcher.busyThreads(), 1);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(dispatcher.submit(gated("A", false, nullptr, nullptr, QString())),
                     FairDispatcher::Submit::Queued);
        QCOMPARE(dispatcher.submit(gated("A", false, nullptr, nullptr, QString())),
                 FairDispatcher::Submit::Full);
        QCOMPARE(dispatcher.submit(gated("B", false, nullptr, nullptr, QString())),
                 FairDispatcher::Submit::Queued);
        // Unbounded work (the server's own) is taken even so.
        QCOMPARE(dispatcher.submit(gated("A", false, nullptr, nullptr, QString()), false),
                 FairDispatcher::Submit::Queued);
        gate.release();
        QVERIFY(dispatcher.waitForIdle(30000));
    }

    void shutdownDropsWaitingAndFinishesRunning()
    {
        Gate gate;
        Log log;
        std::atomic<int> dropped{0};
        FairDispatcher dispatcher(options(1, 2, 100));
        dispatcher.submit(gated("A", false, &gate, &log, QStringLiteral("running"), &dropped));
        QTRY_COMPARE(dispatcher.busyThreads(), 1);
        for (int i = 0; i < 3; ++i)
            dispatcher.submit(gated("B", false, nullptr, &log, QStringLiteral("waiting"), &dropped));
        QVERIFY(!dispatcher.waitForIdle(0));

        std::unique_ptr<QThread> stopper(QThread::create([&dispatcher] { dispatcher.shutdown(); }));
        stopper->start();
        QTRY_COMPARE(dropped.load(), 3);
        // shutdown() waits for the running job.
        QVERIFY(!stopper->isFinished());
        gate.release();
        QVERIFY(stopper->wait(30000));
        QCOMPARE(log.snapshot(), QStringList{QStringLiteral("running")});
        QCOMPARE(dispatcher.submit(gated("A", false, nullptr, nullptr, QString())),
                 FairDispatcher::Submit::Stopped);
    }
};

QTEST_GUILESS_MAIN(TestFairDispatcher)
#include "tst_fairdispatcher.moc"
