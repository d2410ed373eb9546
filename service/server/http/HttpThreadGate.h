#pragma once

#include <atomic>
#include <functional>
#include <mutex>

class QObject;
class QThread;

namespace butler {

// What other threads may use of one listener thread: posting functions to it, until its event
// loop ends, and whether it is draining. The thread closes the gate before its context object
// dies, so a post either lands in a queue that will run it, or is refused (and the function
// destroyed by the caller's thread).
class HttpThreadGate
{
public:
    explicit HttpThreadGate(QObject* context);

    // Queues fn on the gate's thread; false (fn destroyed, never run) once the gate is closed.
    bool post(std::function<void()> fn);
    // Called on the gate's thread when its event loop has ended.
    void close();
    bool isOpen() const;
    QThread* thread() const { return m_thread; }

    // Set by the listener when it stops accepting: answers written from any thread then close
    // their connection.
    void setDraining() { m_draining.store(true, std::memory_order_relaxed); }
    bool isDraining() const { return m_draining.load(std::memory_order_relaxed); }

private:
    mutable std::mutex m_mutex;
    QObject* m_context;
    QThread* m_thread;
    bool m_open = true;
    std::atomic<bool> m_draining{false};
};

} // namespace butler
