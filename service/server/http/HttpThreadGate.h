#pragma once

#include <functional>
#include <mutex>

class QObject;
class QThread;

namespace butler {

// Posts functions to one listener thread from any thread, until that thread's event loop ends.
// The thread closes the gate before its context object dies, so a post either lands in a queue
// that will run it, or is refused (and the function destroyed by the caller's thread).
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

private:
    mutable std::mutex m_mutex;
    QObject* m_context;
    QThread* m_thread;
    bool m_open = true;
};

} // namespace butler
