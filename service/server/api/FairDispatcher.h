#pragma once

#include "FairQueue.h"

#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace butler {

// The server's worker threads, taking jobs in FairQueue's order: round-robin over users,
// each user's queries capped. Thread-safe. The threads start with the dispatcher and end
// with shutdown() (or the destructor).
class FairDispatcher
{
public:
    struct Options
    {
        int threads = 4;
        // Threads woken to run jobs at once while one user keeps the others busy: more than
        // the cores only trade places (context switches) without finishing sooner. A job of
        // a user with nothing running wakes a spare thread anyway, so that a flood by one
        // user does not queue the others behind it. 0: one per core.
        int activeThreads = 0;
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
    int threadCount() const { return int(m_threads.size()); }
    qsizetype waitingUsers() const;
    int maxRunningPerUser() const;
    int peakRunningPerUser() const;

private:
    void work();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake; // a job was queued, or stopping
    std::condition_variable m_idle; // the last job finished
    FairQueue m_queue;
    int m_activeLimit = 1;
    int m_busy = 0;
    int m_sleeping = 0;
    int m_waking = 0; // threads told to wake that have not taken a job yet
    bool m_stopping = false;
    std::vector<QThread*> m_threads;
};

} // namespace butler
