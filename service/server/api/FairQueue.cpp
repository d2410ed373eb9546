#include "FairQueue.h"

#include <algorithm>

namespace butler {

FairQueue::FairQueue(int maxRunning, int maxQueued, int cores)
    : m_maxRunning(std::max(1, maxRunning))
    , m_maxQueued(std::max(1, maxQueued))
    , m_cores(std::max(0, cores))
{
}

int FairQueue::currentCap() const
{
    if (m_cores == 0 || m_users.size() <= 1)
        return m_maxRunning;
    return std::clamp(int(m_cores / m_users.size()), 1, m_maxRunning);
}

void FairQueue::setBackground(int backlog, qint64 windowNs, qint64 stallNs)
{
    m_backlog = std::max(0, backlog);
    m_windowNs = std::max<qint64>(0, windowNs);
    m_stallNs = std::max<qint64>(0, stallNs);
}

FairQueue::Push FairQueue::push(Job job, bool bounded, qint64 now)
{
    if (!job.user.isNull()) {
        if (m_latest.valid && m_latest.user != job.user)
            m_latestOther = m_latest;
        m_latest = Seen{job.user, now, true};
    }
    User& user = m_users[job.user];
    if (bounded && user.waiting() >= m_maxQueued) {
        forgetIfIdle(m_users.find(job.user));
        return Push::Full;
    }
    if (!user.inRing) {
        // A newcomer waits for the users already waiting to have one turn each.
        user.ringPosition = m_ring.insert(m_ring.end(), job.user);
        user.inRing = true;
    }
    const bool capped = job.capped;
    (capped ? user.capped : user.other).push_back(Entry{m_nextSequence++, std::move(job)});
    if (capped && m_backlog > 0 && qsizetype(user.capped.size()) == m_backlog)
        ++m_deepUsers;
    ++m_size;
    return Push::Queued;
}

bool FairQueue::inBackground(const QString& user, qint64 now) const
{
    const auto it = m_users.constFind(user);
    return it != m_users.cend() && heavy(user, *it, now);
}

bool FairQueue::heavy(const QString& name, const User& user, qint64 now) const
{
    if (m_backlog == 0 || name.isNull() || qsizetype(user.capped.size()) < m_backlog)
        return false;
    const Seen& other = m_latest.valid && m_latest.user != name ? m_latest : m_latestOther;
    return other.valid && other.user != name && now - other.at <= m_windowNs && !backgroundStalled(now);
}

bool FairQueue::backgroundStalled(qint64 now) const
{
    for (const qint64 started : m_backgroundStarts) {
        if (now - started > m_stallNs)
            return true;
    }
    return false;
}

int FairQueue::ready(const QString& name, const User& user, Pool pool, int cap, qint64 now) const
{
    const bool background = heavy(name, user, now);
    bool cappedReady = !user.capped.empty();
    bool otherReady = !user.other.empty();
    switch (pool) {
    case Pool::Primary:
        cappedReady = cappedReady && !background && user.running < cap;
        break;
    case Pool::Spare:
        cappedReady = cappedReady && !background && user.running == 0 && user.background == 0;
        break;
    case Pool::Background:
        // Not capped: the background threads are few, and what runs there yields to everyone.
        cappedReady = cappedReady && background;
        otherReady = false;
        break;
    }
    if (!cappedReady && !otherReady)
        return 0;
    // The user's oldest job that may run now.
    return cappedReady && (!otherReady || user.capped.front().sequence < user.other.front().sequence) ? 1 : 2;
}

std::optional<FairQueue::Job> FairQueue::pop(Pool pool, qint64 now)
{
    const int cap = currentCap();
    for (auto name = m_ring.begin(); name != m_ring.end(); ++name) {
        auto it = m_users.find(*name);
        User& user = *it;
        const int which = ready(*name, user, pool, cap, now);
        if (which == 0)
            continue; // nothing this pool may take: the next user's turn
        const bool takeCapped = which == 1;
        if (takeCapped && m_backlog > 0 && qsizetype(user.capped.size()) == m_backlog)
            --m_deepUsers;
        std::deque<Entry>& from = takeCapped ? user.capped : user.other;
        Job job = std::move(from.front().job);
        from.pop_front();
        --m_size;
        if (takeCapped && pool == Pool::Background) {
            ++user.background;
            m_backgroundStarts.push_back(now);
        } else if (takeCapped) {
            ++user.running;
            m_peakRunning = std::max(m_peakRunning, user.running);
        }
        if (user.waiting() > 0) {
            m_ring.splice(m_ring.end(), m_ring, name); // to the back: one turn per round
        } else {
            m_ring.erase(name);
            user.inRing = false;
        }
        return job;
    }
    return std::nullopt;
}

bool FairQueue::hasWork(Pool pool, qint64 now) const
{
    if (pool == Pool::Background && m_deepUsers == 0)
        return false; // no scan of every waiting user on each submission
    const int cap = currentCap();
    for (const QString& name : m_ring) {
        if (ready(name, *m_users.constFind(name), pool, cap, now) != 0)
            return true;
    }
    return false;
}

void FairQueue::finished(const QString& user, bool capped, bool background, qint64 startedAt)
{
    auto it = m_users.find(user);
    if (it == m_users.end())
        return;
    if (background) {
        if (it->background > 0)
            --it->background;
        const auto started = std::find(m_backgroundStarts.begin(), m_backgroundStarts.end(), startedAt);
        if (started != m_backgroundStarts.end())
            m_backgroundStarts.erase(started);
    } else if (capped && it->running > 0) {
        --it->running;
    }
    forgetIfIdle(it);
}

std::vector<FairQueue::Job> FairQueue::takeAll()
{
    std::vector<Job> jobs;
    jobs.reserve(size_t(m_size));
    for (auto it = m_users.begin(); it != m_users.end();) {
        for (Entry& entry : it->capped)
            jobs.push_back(std::move(entry.job));
        for (Entry& entry : it->other)
            jobs.push_back(std::move(entry.job));
        it->capped.clear();
        it->other.clear();
        it->inRing = false;
        it = it->running > 0 || it->background > 0 ? std::next(it) : m_users.erase(it);
    }
    m_ring.clear();
    m_size = 0;
    m_deepUsers = 0;
    return jobs;
}

qsizetype FairQueue::queued(const QString& user) const
{
    const auto it = m_users.constFind(user);
    return it == m_users.cend() ? 0 : it->waiting();
}

int FairQueue::running(const QString& user) const
{
    const auto it = m_users.constFind(user);
    return it == m_users.cend() ? 0 : it->running;
}

int FairQueue::maxRunningPerUser() const
{
    int most = 0;
    for (const User& user : m_users)
        most = std::max(most, user.running);
    return most;
}

void FairQueue::forgetIfIdle(QHash<QString, User>::iterator it)
{
    if (it != m_users.end() && it->waiting() == 0 && it->running == 0 && it->background == 0 && !it->inRing)
        m_users.erase(it);
}

} // namespace butler
