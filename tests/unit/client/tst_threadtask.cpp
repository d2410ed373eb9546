#include "ThreadTask.h"
#include "WaitForTask.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <thread>

// ThreadTask: blocking work on a thread of its own, awaited without blocking the caller's
// event loop, and never missed however quickly the work ends.

using namespace butler;
using namespace std::chrono_literals;

namespace {

QCoro::Task<int> countRuns(int runs, std::atomic<int>& done)
{
    int resumedElsewhere = 0;
    QThread* const caller = QThread::currentThread();
    for (int i = 0; i < runs; ++i) {
        std::function<void()> work = [&done] { done.fetch_add(1); };
        co_await ThreadTask::run(std::move(work));
        resumedElsewhere += QThread::currentThread() == caller ? 0 : 1;
    }
    co_return resumedElsewhere;
}

QCoro::Task<bool> sleepOnThread(std::chrono::milliseconds duration, QThread*& ranOn)
{
    std::function<void()> work = [duration, &ranOn] {
        ranOn = QThread::currentThread();
        std::this_thread::sleep_for(duration);
    };
    co_await ThreadTask::run(std::move(work));
    co_return true;
}

} // namespace

class TstThreadTask : public QObject
{
    Q_OBJECT

private slots:
    void workThatEndsAtOnceIsNeverMissed();
    void callerKeepsItsEventLoop();
    void workRunsOnAnotherThread();
};

void TstThreadTask::workThatEndsAtOnceIsNeverMissed()
{
    // Work that ends before, while and after the caller starts waiting; each is heard of, and
    // the caller goes on on its own thread.
    std::atomic<int> done{0};
    QElapsedTimer clock;
    clock.start();
    const int resumedElsewhere = waitForTask(countRuns(2000, done));
    QCOMPARE(done.load(), 2000);
    QCOMPARE(resumedElsewhere, 0);
    qInfo("2000 runs in %lld ms", qint64(clock.elapsed()));
}

void TstThreadTask::callerKeepsItsEventLoop()
{
    int ticks = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&ticks] { ++ticks; });
    timer.start(10);
    QThread* ranOn = nullptr;
    QVERIFY(waitForTask(sleepOnThread(300ms, ranOn)));
    // Ticks arrived while the work blocked its own thread.
    QVERIFY2(ticks >= 5, qPrintable(QString::number(ticks)));
}

void TstThreadTask::workRunsOnAnotherThread()
{
    QThread* ranOn = nullptr;
    QVERIFY(waitForTask(sleepOnThread(1ms, ranOn)));
    QVERIFY(ranOn != nullptr);
    QVERIFY(ranOn != QThread::currentThread());
}

QTEST_GUILESS_MAIN(TstThreadTask)
#include "tst_threadtask.moc"
