#include "FairDispatcher.h"

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
    m_threads.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        const bool spare = i >= m_primaries;
        QThread* thread = QThread::create([this, spare, nice = options.nice] {
            // Spares take what another user waits for: they run before the primaries' work
            // and take a core as soon as they wake.
            if (spare)
                ThreadScheduling::requestSlice(ThreadScheduling::kShortSlice);
            else
                ThreadScheduling::lowerPriority(nice);
            work(spare);
        });
        thread->setObjectName(QStringLiteral("%1-%2%3")
                                  .arg(options.threadName)
                                  .arg(i)
                                  .arg(spare ? QStringLiteral("s") : QString()));
        m_threads.push_back(thread);
        thread->start();
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
        const bool urgent = !job.capped || m_queue->running(job.user) == 0;
        if (m_queue->push(std::move(job), bounded) == FairQueue::Push::Full)
            return Submit::Full;
        wakeFor(urgent);
    }
    return Submit::Queued;
}

// Called with m_mutex held: a primary thread when one sleeps (it takes anything), else a
// spare when the job must not wait for a busy primary.
void FairDispatcher::wakeFor(bool urgent)
{
    if (m_sleepingPrimaries > 0)
        m_wakePrimary.notify_one();
    else if (urgent && m_sleepingSpares > 0)
        m_wakeSpare.notify_one();
}

void FairDispatcher::work(bool spare)
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        // A spare takes only what must not wait for the busy primaries.
        std::optional<FairQueue::Job> job = m_queue->pop(spare);
        if (!job) {
            ++(spare ? m_sleepingSpares : m_sleepingPrimaries);
            (spare ? m_wakeSpare : m_wakePrimary).wait(lock);
            --(spare ? m_sleepingSpares : m_sleepingPrimaries);
            continue;
        }
        ++m_busy;
        // More waiting: one wake-up per submission may not have reached a thread that can
        // take it (the job woken for was at its user's cap, or another thread took it).
        if (!m_queue->isEmpty())
            wakeFor(m_queue->hasUrgent());
        const QString user = job->user;
        const bool capped = job->capped;
        lock.unlock();
        job->run();
        job.reset(); // what the job holds goes before it counts as finished
        lock.lock();
        --m_busy;
        m_queue->finished(user, capped);
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
    m_wakePrimary.notify_all();
    m_wakeSpare.notify_all();
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
    return m_sleepingPrimaries + m_sleepingSpares;
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

} // namespace butler
