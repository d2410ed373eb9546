#pragma once

#include <QHash>
#include <QString>

#include <deque>
#include <functional>
#include <list>
#include <optional>
#include <vector>

namespace butler {

// The order in which the server's worker threads take requests: one FIFO per user, served
// round-robin, so a user with hundreds of requests waiting delays another user's request by
// at most one request per user ahead of it. Queries (capped jobs) of a user run at most
// maxRunning at once; the user's further queries wait in their queue while other work,
// theirs included, goes ahead. Not thread-safe: FairDispatcher guards it.
class FairQueue
{
public:
    struct Job
    {
        QString user; // a null string for the server's own work
        // Counts against the user's cap of jobs running at once (a query by a user who is
        // not exempt from the limits).
        bool capped = false;
        std::function<void()> run;
        // Called instead of run when the job is dropped unrun (the server stops).
        std::function<void()> drop{};
    };

    enum class Push
    {
        Queued,
        Full, // the user already has maxQueued jobs waiting
    };

    // The kinds of worker thread, by what each may take (see FairDispatcher).
    enum class Pool
    {
        Primary,    // anything, except the queries of users in the background
        Spare,      // what must not wait for a busy thread (hasUrgent)
        Background, // only the queries of users in the background
    };

    // maxRunning: capped jobs of one user running at once (>= 1). maxQueued: jobs one user may
    // have waiting (>= 1); push() with bounded = false ignores it. cores: when > 0, the users
    // with jobs waiting or running share them: each runs at most cores / users queries at once
    // (at least one), so a user who floods alone may use every core, and one who arrives gets
    // a core of their own as soon as a flooder's query ends, not a slice of a contended one.
    FairQueue(int maxRunning, int maxQueued, int cores = 0);

    // backlog > 0: a user with at least that many queries waiting, while another user has
    // submitted something within the last window, is in the background: their queries go to
    // Background threads only, where they do not count against the user's cap (those threads
    // are few, and yield to everyone). A flood then yields the cores to everyone else, and a
    // user alone keeps the primaries. While a query has run in the background for more than
    // stall (the cores had no time for it: the server is saturated, or it is long), no user
    // is: the backlogs go back to the primaries and take their turns there, so a saturated
    // server slows a flood down but does not stop it. 0 (the default): no user is.
    void setBackground(int backlog, qint64 windowNs, qint64 stallNs);

    // now: steady nanoseconds (steadyNanoseconds()), for the background window.
    Push push(Job job, bool bounded = true, qint64 now = 0);
    // The next job a thread of that pool may run, or nothing when every waiting job belongs
    // to a user at their cap or to another pool. A capped job taken counts as running until
    // finished() is called for it, with background = whether a Background thread took it and
    // startedAt = the now of that pop.
    std::optional<Job> pop(Pool pool = Pool::Primary, qint64 now = 0);
    // Whether pop(pool, now) would find a job.
    bool hasWork(Pool pool, qint64 now = 0) const;
    void finished(const QString& user, bool capped, bool background = false, qint64 startedAt = 0);
    // Every waiting job, in no particular order; the queue is empty afterwards (running
    // counts stay until their finished()).
    std::vector<Job> takeAll();

    qsizetype size() const { return m_size; }
    // Whether a job waits that should not wait for a busy thread: one that is not a query, or
    // a query of a user with none running anywhere (and not in the background).
    bool hasUrgent(qint64 now = 0) const { return hasWork(Pool::Spare, now); }
    // Whether the user's queries go to Background threads now.
    bool inBackground(const QString& user, qint64 now) const;
    bool isEmpty() const { return m_size == 0; }
    qsizetype queued(const QString& user) const;
    // Capped jobs the user has running on primaries and spares (those on background threads
    // do not count against the cap).
    int running(const QString& user) const;
    // Users with jobs waiting.
    qsizetype waitingUsers() const { return qsizetype(m_ring.size()); }
    // The most capped jobs any one user has running now, and the most ever seen.
    int maxRunningPerUser() const;
    int peakRunningPerUser() const { return m_peakRunning; }
    int maxRunning() const { return m_maxRunning; }
    int maxQueued() const { return m_maxQueued; }

private:
    struct Entry
    {
        quint64 sequence = 0;
        Job job;
    };
    struct User
    {
        std::deque<Entry> capped;
        std::deque<Entry> other;
        int running = 0;    // capped jobs, on primaries and spares
        int background = 0; // capped jobs on background threads
        bool inRing = false;
        std::list<QString>::iterator ringPosition{};

        qsizetype waiting() const { return qsizetype(capped.size() + other.size()); }
    };

    // Who last submitted something, and who last did before them among the others: enough to
    // tell whether anyone but a given user did recently.
    struct Seen
    {
        QString user;
        qint64 at = 0;
        bool valid = false;
    };

    void forgetIfIdle(QHash<QString, User>::iterator it);
    // The job pop(pool) would take from this user: 0 none, 1 their oldest query, 2 their
    // oldest other job.
    int ready(const QString& name, const User& user, Pool pool, int cap, qint64 now) const;
    bool heavy(const QString& name, const User& user, qint64 now) const;
    bool backgroundStalled(qint64 now) const;

    // The most capped jobs one user may run now: the cap, or less when users share the cores.
    int currentCap() const;

    const int m_maxRunning;
    const int m_maxQueued;
    const int m_cores;
    QHash<QString, User> m_users; // users with jobs waiting or running
    std::list<QString> m_ring;    // users with jobs waiting, next to serve first
    qsizetype m_size = 0;
    quint64 m_nextSequence = 0;
    int m_peakRunning = 0;
    int m_backlog = 0;         // set before the first push
    qsizetype m_deepUsers = 0; // users with at least m_backlog queries waiting
    qint64 m_windowNs = 0;
    qint64 m_stallNs = 0;
    std::vector<qint64> m_backgroundStarts; // when each job running in the background began
    Seen m_latest;
    Seen m_latestOther; // the latest by someone other than m_latest.user
};

} // namespace butler
