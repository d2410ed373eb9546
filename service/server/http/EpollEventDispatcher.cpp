#include "EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcHttpLoop, "butler.http.loop")

namespace butler {

namespace {

constexpr int kMaxEventsPerWait = 256;
// The wake-up eventfd's mark in epoll events; descriptors are below 2^31.
constexpr quint64 kWakeMark = ~quint64(0);

qint64 nowNs()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

constexpr qint64 kNsPerMs = 1'000'000;

// The conditions that activate each notifier type, as in Qt's poll loop.
constexpr uint32_t kActivates[3] = {
    EPOLLIN | EPOLLHUP | EPOLLERR,  // QSocketNotifier::Read
    EPOLLOUT | EPOLLHUP | EPOLLERR, // QSocketNotifier::Write
    EPOLLPRI | EPOLLHUP | EPOLLERR, // QSocketNotifier::Exception
};
constexpr uint32_t kWants[3] = {EPOLLIN, EPOLLOUT, EPOLLPRI};

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject* parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
    , m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_wake < 0) {
        qCWarning(lcHttpLoop) << "cannot make an epoll loop:" << strerror(errno);
        return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kWakeMark;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event) != 0) {
        qCWarning(lcHttpLoop) << "cannot make an epoll loop:" << strerror(errno);
        ::close(m_wake);
        m_wake = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    // Cleared before the posted events go out: one posted from now on writes the eventfd
    // again, so the wait below cannot sleep through it.
    if (m_wakePending.exchange(false, std::memory_order_acq_rel))
        drainWake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) &&
                         !m_wakePending.load(std::memory_order_acquire) &&
                         !m_interrupted.load(std::memory_order_relaxed);
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    int timeoutMs = 0;
    if (canWait)
        timeoutMs = includeTimers ? timerWaitMs() : -1;

    int activated = 0;
    if (!includeNotifiers) {
        waitForWakeOnly(timeoutMs);
    } else {
        // On the stack: a notifier's slot may run a nested event loop, which waits again.
        std::array<epoll_event, kMaxEventsPerWait> events;
        const int ready = ::epoll_wait(m_epoll, events.data(), int(events.size()), timeoutMs);
        if (ready < 0 && errno != EINTR)
            qCWarning(lcHttpLoop) << "epoll_wait failed:" << strerror(errno);
        for (int i = 0; i < ready; ++i) {
            const epoll_event& event = events[size_t(i)];
            if (event.data.u64 == kWakeMark) {
                drainWake();
                continue;
            }
            activated += activate(event);
        }
    }
    if (includeTimers)
        activated += activateTimers();
    return activated > 0;
}

void EpollEventDispatcher::waitForWakeOnly(int timeoutMs)
{
    pollfd wake{m_wake, POLLIN, 0};
    if (::poll(&wake, 1, timeoutMs) > 0)
        drainWake();
}

void EpollEventDispatcher::drainWake()
{
    quint64 count = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_wake, &count, sizeof count);
}

int EpollEventDispatcher::activate(const epoll_event& event)
{
    const int descriptor = int(event.data.u64 & 0xffffffffu);
    const quint32 generation = quint32(event.data.u64 >> 32);
    int activated = 0;
    for (int type = 0; type < 3; ++type) {
        if (!(event.events & kActivates[type]))
            continue;
        // Looked up again for each: the previous activation may have switched off or deleted
        // this descriptor's other notifiers, or closed it and opened another with its number.
        const auto it = m_watches.constFind(descriptor);
        if (it == m_watches.cend() || it->generation != generation)
            return activated;
        QSocketNotifier* notifier = it->notifiers[type];
        if (!notifier)
            continue;
        QEvent activation(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &activation);
        ++activated;
    }
    return activated;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier* notifier)
{
    const int descriptor = int(notifier->socket());
    const int type = int(notifier->type());
    if (descriptor < 0 || type < 0 || type > 2)
        return;
    auto it = m_watches.find(descriptor);
    const bool existed = it != m_watches.end();
    if (!existed) {
        it = m_watches.insert(descriptor, Watch{});
        it->generation = m_nextGeneration++;
    } else if (it->notifiers[type] && it->notifiers[type] != notifier) {
        qCWarning(lcHttpLoop) << "two socket notifiers of one type for descriptor" << descriptor;
    }
    it->notifiers[type] = notifier;
    updateWatch(descriptor, *it, existed);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier* notifier)
{
    const int descriptor = int(notifier->socket());
    const int type = int(notifier->type());
    auto it = m_watches.find(descriptor);
    if (it == m_watches.end() || type < 0 || type > 2 || it->notifiers[type] != notifier)
        return;
    it->notifiers[type] = nullptr;
    if (!it->notifiers[0] && !it->notifiers[1] && !it->notifiers[2]) {
        // Before the descriptor is closed (Qt switches notifiers off first): epoll watches the
        // open file, which a duplicate of the descriptor would keep alive.
        if (::epoll_ctl(m_epoll, EPOLL_CTL_DEL, descriptor, nullptr) != 0 && errno != EBADF &&
            errno != ENOENT)
            qCWarning(lcHttpLoop) << "cannot stop watching descriptor" << descriptor << ":"
                                  << strerror(errno);
        m_watches.erase(it);
        return;
    }
    updateWatch(descriptor, *it, true);
}

void EpollEventDispatcher::updateWatch(int descriptor, const Watch& watch, bool existed)
{
    epoll_event event{};
    for (int type = 0; type < 3; ++type) {
        if (watch.notifiers[type])
            event.events |= kWants[type];
    }
    event.data.u64 = quint64(quint32(descriptor)) | (quint64(watch.generation) << 32);
    if (::epoll_ctl(m_epoll, existed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, descriptor, &event) == 0)
        return;
    // A descriptor that epoll already had (a watch dropped while a duplicate kept the file
    // open) or lost is set the other way.
    if (errno == EEXIST || errno == ENOENT) {
        if (::epoll_ctl(m_epoll, existed ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, descriptor, &event) == 0)
            return;
    }
    qCWarning(lcHttpLoop) << "cannot watch descriptor" << descriptor << ":" << strerror(errno);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject* object)
{
    Timer timer;
    timer.id = timerId;
    timer.interval = std::max<qint64>(0, interval);
    timer.type = timerType;
    timer.object = object;
    timer.deadline = nowNs() + timer.interval * kNsPerMs;
    m_timers.push_back(timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it =
        std::find_if(m_timers.begin(), m_timers.end(), [timerId](const Timer& t) { return t.id == timerId; });
    if (it == m_timers.end())
        return false;
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject* object)
{
    const auto end = std::remove_if(m_timers.begin(), m_timers.end(),
                                    [object](const Timer& t) { return t.object == object; });
    const bool any = end != m_timers.end();
    m_timers.erase(end, m_timers.end());
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject* object) const
{
    QList<TimerInfo> timers;
    for (const Timer& timer : m_timers) {
        if (timer.object == object)
            timers.append(TimerInfo(timer.id, int(std::min<qint64>(timer.interval, INT_MAX)), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    for (const Timer& timer : m_timers) {
        if (timer.id == timerId)
            return int(std::clamp<qint64>((timer.deadline - nowNs() + kNsPerMs - 1) / kNsPerMs, 0, INT_MAX));
    }
    return -1;
}

int EpollEventDispatcher::timerWaitMs() const
{
    qint64 next = -1;
    for (const Timer& timer : m_timers) {
        if (!timer.firing && (next < 0 || timer.deadline < next))
            next = timer.deadline;
    }
    if (next < 0)
        return -1;
    // Rounded up: waking a little early would only turn round and wait again.
    return int(std::clamp<qint64>((next - nowNs() + kNsPerMs - 1) / kNsPerMs, 0, INT_MAX));
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timers.empty())
        return 0;
    const qint64 now = nowNs();
    // The due timers first, earliest first, each once per turn: a timer's event may start,
    // stop or re-register timers, including itself.
    std::vector<std::pair<qint64, int>> due;
    for (const Timer& timer : m_timers) {
        if (!timer.firing && timer.deadline <= now)
            due.emplace_back(timer.deadline, timer.id);
    }
    std::sort(due.begin(), due.end());
    int activated = 0;
    for (const auto& [deadline, id] : due) {
        auto it = std::find_if(m_timers.begin(), m_timers.end(), [id](const Timer& t) { return t.id == id; });
        if (it == m_timers.end() || it->deadline != deadline)
            continue; // stopped, or stopped and started again, by an earlier timer's event
        // The next deadline keeps to the timer's beat unless the loop fell a whole interval
        // behind, as in Qt's loops.
        it->deadline += it->interval * kNsPerMs;
        if (it->deadline < now)
            it->deadline = now + it->interval * kNsPerMs;
        it->firing = true;
        QObject* object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++activated;
        it = std::find_if(m_timers.begin(), m_timers.end(), [id](const Timer& t) { return t.id == id; });
        if (it != m_timers.end())
            it->firing = false;
    }
    return activated;
}

void EpollEventDispatcher::wakeUp()
{
    // One write per sleep: later posts find the flag set and the loop already woken.
    if (!m_wakePending.exchange(true, std::memory_order_acq_rel)) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wake, &one, sizeof one);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace butler
