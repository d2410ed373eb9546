#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>

#include <atomic>
#include <vector>

#include <sys/epoll.h>

namespace butler {

// The event loop of the listener threads, on Linux's epoll. Qt's own loops (poll, or GLib's
// poll) hand the kernel every socket of the thread at every turn: with a few hundred kept-alive
// connections on a listener, that poll() took more than half of the listener's time under a
// flood, and the connections of other users waited behind it. epoll is told once when a socket
// notifier is switched on or off and reports only the sockets that are ready.
//
// Level-triggered like poll, and a notifier is activated for the same conditions as in Qt's
// poll loop (a hang-up or an error wakes readers, writers and exception notifiers alike), so
// QTcpSocket and QTcpServer behave on it as on Qt's loop. Posted events are Qt's own (they wake
// this loop through wakeUp()). Timers are kept here, in a list: a listener has a handful.
// Linux only, like the server.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject* parent = nullptr);
    ~EpollEventDispatcher() override;

    // Whether the descriptors were made (false when the process has no descriptors left: the
    // thread should keep Qt's own loop).
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier* notifier) override;
    void unregisterSocketNotifier(QSocketNotifier* notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject* object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject* object) override;
    QList<TimerInfo> registeredTimers(QObject* object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Descriptors watched now (for tests).
    int watchedDescriptors() const { return int(m_watches.size()); }

private:
    // The notifiers of one descriptor. A watch made anew for a descriptor gets a new
    // generation, so that events read in the same epoll_wait for an earlier socket with that
    // number are not delivered to the new one.
    struct Watch
    {
        QSocketNotifier* notifiers[3] = {nullptr, nullptr, nullptr}; // by QSocketNotifier::Type
        quint32 generation = 0;
    };
    struct Timer
    {
        int id = 0;
        qint64 interval = 0; // ms
        Qt::TimerType type = Qt::CoarseTimer;
        QObject* object = nullptr;
        qint64 deadline = 0; // steady clock, ns
        bool firing = false; // its event is being delivered (no re-entry from a nested loop)
    };

    void updateWatch(int descriptor, const Watch& watch, bool existed);
    // Delivers one epoll event; returns the notifiers activated.
    int activate(const epoll_event& event);
    int activateTimers();
    // Milliseconds until the next timer is due (0 when one is), -1 without timers.
    int timerWaitMs() const;
    // For a turn that leaves socket notifiers out: sleeps until woken or timed out.
    void waitForWakeOnly(int timeoutMs);
    void drainWake();

    int m_epoll = -1;
    int m_wake = -1; // eventfd
    std::atomic<bool> m_wakePending{false};
    std::atomic<bool> m_interrupted{false};
    QHash<int, Watch> m_watches;
    quint32 m_nextGeneration = 1;
    std::vector<Timer> m_timers;
};

} // namespace butler
