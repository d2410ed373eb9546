#include "FairDispatcher.h"

#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcDispatch, "butler.server.dispatch")

namespace butler {

FairDispatcher::FairDispatcher(Options options)
    : m_queue(options.maxRunningPerUser, options.maxQueuedPerUser)
    , m_activeLimit(
          std::max(1, options.activeThreads > 0 ? options.activeThreads : QThread::idealThreadCount()))
{
    const int count = std::max(1, options.threads);
    m_threads.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        QThread* thread = QThread::create([this] { work(); });
        thread->setObjectName(QStringLiteral("%1-%2").arg(options.threadName).arg(i));
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
        const bool urgent = !job.capped || m_queue.running(job.user) == 0;
        if (m_queue.push(std::move(job), bounded) == FairQueue::Push::Full)
            return Submit::Full;
        if (m_sleeping == 0)
            return Submit::Queued; // every thread is busy and takes it when its turn comes
        if (m_busy + m_waking >= m_activeLimit && !urgent)
            return Submit::Queued; // the cores are busy: a running thread takes it next
        ++m_waking;
    }
    m_wake.notify_one();
    return Submit::Queued;
}

void FairDispatcher::work()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        // Past the active limit a thread takes only what must not wait for the busy ones.
        std::optional<FairQueue::Job> job = m_queue.pop(m_busy >= m_activeLimit);
        if (!job) {
            ++m_sleeping;
            m_wake.wait(lock);
            --m_sleeping;
            m_waking = std::max(0, m_waking - 1);
            continue;
        }
        ++m_busy;
        // More waiting and someone asleep: a single wake-up per submission may not have
        // reached a thread that can take it (the job woken for was at its user's cap). Past
        // the active limit only for jobs that must not wait for a busy thread.
        if (m_sleeping > 0 && !m_queue.isEmpty() &&
            (m_busy + m_waking < m_activeLimit || m_queue.hasUrgent())) {
            ++m_waking;
            m_wake.notify_one();
        }
        const QString user = job->user;
        const bool capped = job->capped;
        lock.unlock();
        job->run();
        job.reset(); // what the job holds goes before it counts as finished
        lock.lock();
        --m_busy;
        m_queue.finished(user, capped);
        if (m_busy == 0 && m_queue.isEmpty())
            m_idle.notify_all();
    }
}

bool FairDispatcher::waitForIdle(int msecs)
{
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(std::max(0, msecs)),
                           [this] { return m_busy == 0 && m_queue.isEmpty(); });
}

void FairDispatcher::shutdown()
{
    std::vector<FairQueue::Job> dropped;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
        dropped = m_queue.takeAll();
    }
    m_wake.notify_all();
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
    return m_queue.size();
}

qsizetype FairDispatcher::queued(const QString& user) const
{
    std::lock_guard lock(m_mutex);
    return m_queue.queued(user);
}

int FairDispatcher::running(const QString& user) const
{
    std::lock_guard lock(m_mutex);
    return m_queue.running(user);
}

int FairDispatcher::busyThreads() const
{
    std::lock_guard lock(m_mutex);
    return m_busy;
}

qsizetype FairDispatcher::waitingUsers() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.waitingUsers();
}

int FairDispatcher::maxRunningPerUser() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.maxRunningPerUser();
}

int FairDispatcher::peakRunningPerUser() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.peakRunningPerUser();
}

} // namespace butler
