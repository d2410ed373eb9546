#pragma once

#include "FairQueue.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <vector>

class QThread;

namespace butler {

// The server's worker threads, taking jobs in FairQueue's order: round-robin over users,
// each user's queries capped, a flooding user's queries on background threads while others
// use the server. Thread-safe. The threads start with the dispatcher and end with shutdown()
// (or the destructor).
class FairDispatcher
{
public:
    struct Options
    {
        int threads = 4;
        // Primary threads, at most one per core, take every job (but the queries of a user in
        // the background, see backgroundBacklog); the other threads are
        // spares that take only what must not wait for a busy primary: another user's first
        // query, or work that is not a query. A flood by one user keeps to the primaries
        // (more threads would only trade places on the cores, at a context switch a
        // request), and the users with queries share the primaries (FairQueue). 0: one per
        // core.
        int activeThreads = 0;
        // Nice levels the primaries run below the rest of the process (Linux): queries can
        // keep every core busy, and at equal priority the listener threads and the spares
        // would wait for their time slices (milliseconds) before taking another user's
        // request or sending its answer. Raising one's nice value needs no privilege.
        int nice = 5;
        // When > 0: a user with this many queries waiting while others use the server is in
        // the background (FairQueue::setBackground, within backgroundWindow): their queries
        // run on threads of their own, one per primary, under SCHED_IDLE (Linux), which the
        // kernel runs only on cores no other thread wants; they do not count against the
        // user's cap there. So a flood takes whatever the cores have left, and another user's
        // request is read, run and answered as if it were not there. A user alone keeps the
        // primaries. 0: no background threads. These threads never take the dispatcher's
        // mutex: preempted inside it, on a saturated machine, one would hold up every
        // submission until the kernel ran it again.
        int backgroundBacklog = 0;
        std::chrono::milliseconds backgroundWindow{1000};
        // A query that has run this long in the background sends the backlogs back to the
        // primaries until it ends (FairQueue::setBackground): on a saturated server, a
        // SCHED_IDLE thread hardly runs.
        std::chrono::milliseconds backgroundStall{500};
        int maxRunningPerUser = 2; // capped jobs of one user at once
        int maxQueuedPerUser = 1000;
        QString threadName = QStringLiteral("butler-worker");
    };

    enum class Submit
    {
        Queued,
        Full,    // the user has maxQueuedPerUser jobs waiting already
        Stopped, // after shutdown()
    };

    explicit FairDispatcher(Options options);
    ~FairDispatcher();
    FairDispatcher(const FairDispatcher&) = delete;
    FairDispatcher& operator=(const FairDispatcher&) = delete;

    // bounded = false for work that must not be refused (the server's own).
    Submit submit(FairQueue::Job job, bool bounded = true);
    // Waits up to msecs until no job waits or runs; true if that happened.
    bool waitForIdle(int msecs);
    // Drops the jobs still waiting (their drop callbacks run), waits for the running ones and
    // ends the threads. Later submissions answer Stopped.
    void shutdown();

    qsizetype queued() const;
    qsizetype queued(const QString& user) const;
    int running(const QString& user) const;
    int busyThreads() const;
    int idleThreads() const; // waiting for work
    int threadCount() const { return int(m_threads.size()); }
    qsizetype waitingUsers() const;
    int maxRunningPerUser() const;
    int peakRunningPerUser() const;
    // Jobs the background threads took since the start.
    qint64 backgroundRuns() const;

private:
    using Pool = FairQueue::Pool;
    static constexpr int kPools = 2; // Primary and Spare threads wait on m_wake

    // A background thread's hand-off. A thread holding m_mutex puts a job in and releases go;
    // the background thread runs it, marks it done and releases m_backgroundDone, and the
    // reaper thread (normal priority) records the end under m_mutex.
    struct BackgroundSlot
    {
        std::counting_semaphore<> go{0}; // a job, or (with none) the end
        std::optional<FairQueue::Job> job;
        QString user;
        bool capped = false;
        qint64 taken = 0;
        bool idle = true;              // under m_mutex: may be given a job
        std::atomic<bool> done{false}; // its job ran; the reaper has not recorded it yet
    };

    void work(Pool pool);
    void runBackground(BackgroundSlot& slot);
    void reapBackground();
    // Called with m_mutex held: wakes a sleeping thread of each pool with work waiting for it,
    // and gives idle background threads what they may take.
    void wake(qint64 now);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake[kPools]; // work for that pool was queued, or stopping
    int m_sleeping[kPools] = {0, 0};
    std::condition_variable m_idle;   // the last job finished
    std::optional<FairQueue> m_queue; // made once the primaries are counted
    int m_primaries = 1;
    int m_busy = 0;
    qint64 m_backgroundRuns = 0;
    bool m_stopping = false;
    bool m_reaperStopping = false;
    std::vector<QThread*> m_threads; // primaries, spares and background threads
    std::vector<std::unique_ptr<BackgroundSlot>> m_background;
    std::counting_semaphore<> m_backgroundDone{0};
    QThread* m_reaper = nullptr;
};

} // namespace butler
