// What the server's threads ask of the scheduler: a lower priority for the query workers,
// short slices for the threads a client waits on. Each case runs on a thread of its own, so
// nothing it changes outlives it.

#include "ThreadScheduling.h"

#include <QTest>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <thread>

using namespace butler;
using std::chrono::microseconds;

namespace {

int niceOfThisThread()
{
    errno = 0;
    return ::getpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid)));
}

void onThread(const std::function<void()>& body)
{
    std::thread thread(body);
    thread.join();
}

bool kernelKeepsSlices()
{
    bool kept = false;
    onThread([&] {
        kept = ThreadScheduling::requestSlice(microseconds(2000)) &&
               ThreadScheduling::slice() == microseconds(2000);
    });
    return kept;
}

} // namespace

class TestThreadScheduling : public QObject
{
    Q_OBJECT

private slots:
    void lowerPriorityRaisesTheNiceValue()
    {
        int before = -100;
        int after = -100;
        bool lowered = false;
        onThread([&] {
            before = niceOfThisThread();
            lowered = ThreadScheduling::lowerPriority(4);
            after = niceOfThisThread();
        });
        QVERIFY(lowered);
        QCOMPARE(after, std::min(before + 4, 19));
        // The thread's own: this one is untouched.
        QCOMPARE(niceOfThisThread(), before);
    }

    void lowerPriorityByNothingChangesNothing()
    {
        int after = -100;
        bool lowered = false;
        onThread([&] {
            lowered = ThreadScheduling::lowerPriority(0);
            after = niceOfThisThread();
        });
        QVERIFY(lowered);
        QCOMPARE(after, niceOfThisThread());
    }

    void runInBackgroundMovesOnlyTheCallingThread()
    {
        bool moved = false;
        bool idle = false;
        bool sliceRefused = false;
        onThread([&] {
            moved = ThreadScheduling::runInBackground();
            idle = ThreadScheduling::inBackground();
            // The slice is for normal threads; an idle one keeps none of its own.
            sliceRefused = !ThreadScheduling::requestSlice(microseconds(2000));
        });
        QVERIFY(moved);
        QVERIFY(idle);
        QVERIFY(sliceRefused);
        QVERIFY(!ThreadScheduling::inBackground()); // this thread is untouched
    }

    void requestSliceSetsTheSliceAndKeepsTheNiceValue()
    {
        if (!kernelKeepsSlices())
            QSKIP("this kernel keeps its own time slices (Linux before 6.12)");
        qint64 defaultSlice = -1;
        qint64 shortSlice = -1;
        qint64 restored = -1;
        int nice = -100;
        onThread([&] {
            defaultSlice = ThreadScheduling::slice().count();
            ThreadScheduling::lowerPriority(3);
            ThreadScheduling::requestSlice(ThreadScheduling::kShortSlice);
            shortSlice = ThreadScheduling::slice().count();
            nice = niceOfThisThread();
            // 0 gives the thread back the kernel's slice.
            ThreadScheduling::requestSlice(microseconds(0));
            restored = ThreadScheduling::slice().count();
        });
        QCOMPARE(shortSlice, qint64(100));
        QCOMPARE(nice, std::min(niceOfThisThread() + 3, 19));
        QVERIFY(defaultSlice > 100);
        QCOMPARE(restored, defaultSlice);
        // Other threads keep theirs.
        QCOMPARE(ThreadScheduling::slice().count(), defaultSlice);
    }

    void requestSliceOutsideTheKernelsRangeIsClamped()
    {
        if (!kernelKeepsSlices())
            QSKIP("this kernel keeps its own time slices (Linux before 6.12)");
        qint64 tooShort = -1;
        qint64 tooLong = -1;
        onThread([&] {
            ThreadScheduling::requestSlice(microseconds(10));
            tooShort = ThreadScheduling::slice().count();
            ThreadScheduling::requestSlice(microseconds(500'000));
            tooLong = ThreadScheduling::slice().count();
        });
        QCOMPARE(tooShort, qint64(100));
        QCOMPARE(tooLong, qint64(100'000));
    }
};

QTEST_GUILESS_MAIN(TestThreadScheduling)
#include "tst_threadscheduling.moc"
