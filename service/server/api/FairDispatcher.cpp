#include "FairDispatcher.h"

#include "SteadyClock.h"
#include "ThreadScheduling.h"

#include <QLoggingCategory>
#include <QThread>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDispatch, "butler.server.dispatch")

namespace butler {

FairDispatcher::FairDispatcher(Options options)
{
    const int count = std::max(1, options.threads);
    const int cores = options.activeThreads > 0 ? options.activeThreads : QThread::idealThreadCount();
    m_primaries = std::clamp(cores, 1, count);
    m_queue.emplace(options.maxRunningPerUser, options.maxQueuedPerUser, m_primaries);
    const int background = options.backgroundBacklog > 0 ? m_primaries : 0;
    if (background > 0)
        m_queue->setBackground(
            options.backgroundBacklog,
            std::chrono::duration_cast<std::chrono::nanoseconds>(options.backgroundWindow).count(),
            std::chrono::duration_cast<std::chrono::nanoseconds>(options.backgroundStall).count());
    m_threads.reserve(size_t(count + background));
    for (int i = 0; i < count + background; ++i) {
        const Pool pool = i < m_primaries ? Pool::Primary : i < count ? Pool::Spare : Pool::Background;
        BackgroundSlot* slot = nullptr;
        if (pool == Pool::Background) {
            m_background.push_back(std::make_unique<BackgroundSlot>());
            slot = m_background.back().get();
        }
        QThread* thread = QThread::create([this, pool, slot, nice = options.nice] {
            // Spares take what another user waits for: they run before the primaries' work
            // and take a core as soon as they wake.
            if (pool == Pool::Spare) {
                ThreadScheduling::requestSlice(ThreadScheduling::kShortSlice);
            } else if (pool == Pool::Primary) {
                ThreadScheduling::lowerPriority(nice);
            } else {
                ThreadScheduling::runInBackground();
                runBackground(*slot);
                return;
            }
            work(pool);
        });
        thread->setObjectName(QStringLiteral("%1-%2%3")
                                  .arg(options.threadName)
                                  .arg(i)
                                  .arg(pool == Pool::Spare        ? QStringLiteral("s")
                                       : pool == Pool::Background ? QStringLiteral("b")
                                                                  : QString()));
        m_threads.push_back(thread);
        thread->start();
    }
    if (!m_background.empty()) {
        m_reaper = QThread::create([this] { reapBackground(); });
        m_reaper->setObjectName(options.threadName + QStringLiteral("-reaper"));
        m_reaper->start();
    }
}

FairDispatcher::~FairDispatcher()
{
    shutdown();
}

FairDispatcher::Submit FairDispatcher::submit(FairQueue::Job job, bool bounded)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return Submit::Stopped;
        const qint64 now = steadyNanoseconds();
        if (m_queue->push(std::move(job), bounded, now) == FairQueue::Push::Full)
            return Submit::Full;
        wake(now);
    }
    return Submit::Queued;
}

void FairDispatcher::wake(qint64 now)
{
    const auto wakeOne = [this, now](Pool pool) {
        const int index = int(pool);
        if (m_sleeping[index] == 0 || !m_queue->hasWork(pool, now))
            return false;
        m_wake[index].notify_one();
        return true;
    };
    // A primary first: a spare only for what must not wait for the busy primaries. More
    // waiting than one thread takes: the thread that takes a job wakes the next.
    if (!wakeOne(Pool::Primary))
        wakeOne(Pool::Spare);
    if (m_stopping)
        return;
    for (const std::unique_ptr<BackgroundSlot>& slot : m_background) {
        if (!slot->idle)
            continue;
        std::optional<FairQueue::Job> job = m_queue->pop(Pool::Background, now);
        if (!job)
            return;
        slot->idle = false;
        slot->user = job->user;
        slot->capped = job->capped;
        slot->taken = now;
        slot->job = std::move(job);
        ++m_busy;
        ++m_backgroundRuns;
        slot->go.release();
    }
}

void FairDispatcher::runBackground(BackgroundSlot& slot)
{
    for (;;) {
        slot.go.acquire();
        if (!slot.job)
            return; // stopping
        (*slot.job).run();
        slot.job.reset(); // what the job holds goes before it counts as finished
        slot.done.store(true, std::memory_order_release);
        m_backgroundDone.release();
    }
}

void FairDispatcher::reapBackground()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        lock.unlock();
        m_backgroundDone.acquire();
        lock.lock();
        const qint64 now = steadyNanoseconds();
        for (const std::unique_ptr<BackgroundSlot>& slot : m_background) {
            if (!slot->done.load(std::memory_order_acquire))
                continue;
            slot->done.store(false, std::memory_order_relaxed);
            m_queue->finished(slot->user, slot->capped, true, slot->taken);
            --m_busy;
            slot->idle = true;
        }
        if (m_reaperStopping)
            return;
        if (!m_queue->isEmpty())
            wake(now);
        if (m_busy == 0 && m_queue->isEmpty())
            m_idle.notify_all();
    }
}

void FairDispatcher::work(Pool pool)
{
    const int index = int(pool);
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        std::optional<FairQueue::Job> job = m_queue->pop(pool, steadyNanoseconds());
        if (!job) {
            ++m_sleeping[index];
            m_wake[index].wait(lock);
            --m_sleeping[index];
            continue;
        }
        ++m_busy;
        // More waiting: one wake-up per submission may not have reached a thread that can
        // take it (the job woken for was at its user's cap, or another thread took it).
        if (!m_queue->isEmpty())
            wake(steadyNanoseconds());
        const QString user = job->user;
        const bool capped = job->capped;
        lock.unlock();
        job->run();
        job.reset(); // what the job holds goes before it counts as finished
        lock.lock();
        --m_busy;
        m_queue->finished(user, capped);
        // The query's end may let its user's next one run. This thread takes what it may
        // itself; what only a thread of another pool may take wakes one.
        if (!m_queue->isEmpty()) {
            const qint64 now = steadyNanoseconds();
            if (!m_queue->hasWork(pool, now))
                wake(now);
        }
        if (m_busy == 0 && m_queue->isEmpty())
            m_idle.notify_all();
    }
}

bool FairDispatcher::waitForIdle(int msecs)
{
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(std::max(0, msecs)),
                           [this] { return m_busy == 0 && m_queue->isEmpty(); });
}

void FairDispatcher::shutdown()
{
    std::vector<FairQueue::Job> dropped;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
        dropped = m_queue->takeAll();
    }
    for (std::condition_variable& wake : m_wake)
        wake.notify_all();
    // One more permit each: an idle background thread wakes with no job and ends; a busy one
    // ends after its job.
    for (const std::unique_ptr<BackgroundSlot>& slot : m_background)
        slot->go.release();
    if (!dropped.empty())
        qCInfo(lcDispatch) << "stopping:" << dropped.size() << "requests dropped unrun";
    for (FairQueue::Job& job : dropped) {
        if (job.drop)
            job.drop();
    }
    dropped.clear();
    for (QThread* thread : m_threads) {
        thread->wait();
        delete thread;
    }
    m_threads.clear();
    if (m_reaper) {
        {
            std::lock_guard lock(m_mutex);
            m_reaperStopping = true;
        }
        m_backgroundDone.release();
        m_reaper->wait();
        delete m_reaper;
        m_reaper = nullptr;
    }
}

qsizetype FairDispatcher::queued() const
{
    std::lock_guard lock(m_mutex);
    return m_queue->size();
}

qsizetype FairDispatcher::queued(const QString& user) const
{
    std::lock_guard lock(m_mutex);
    return m_queue->queued(user);
}

int FairDispatcher::running(const QString& user) const
{
    std::lock_guard lock(m_mutex);
    return m_queue->running(user);
}

int FairDispatcher::idleThreads() const
{
    std::lock_guard lock(m_mutex);
    int idle = m_sleeping[0] + m_sleeping[1];
    for (const std::unique_ptr<BackgroundSlot>& slot : m_background)
        idle += slot->idle ? 1 : 0;
    return idle;
}

int FairDispatcher::busyThreads() const
{
    std::lock_guard lock(m_mutex);
    return m_busy;
}

qsizetype FairDispatcher::waitingUsers() const
{
    std::lock_guard lock(m_mutex);
    return m_queue->waitingUsers();
}

int FairDispatcher::maxRunningPerUser() const
{
    std::lock_guard lock(m_mutex);
    return m_queue->maxRunningPerUser();
}

int FairDispatcher::peakRunningPerUser() const
{
    std::lock_guard lock(m_mutex);
    return m_queue->peakRunningPerUser();
}

qint64 FairDispatcher::backgroundRuns() const
{
    std::lock_guard lock(m_mutex);
    return m_backgroundRuns;
}

} // namespace butler
