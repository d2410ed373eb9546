#include "HttpThreadGate.h"

#include <QMetaObject>
#include <QObject>
#include <QThread>

namespace butler {

HttpThreadGate::HttpThreadGate(QObject* context)
    : m_context(context)
    , m_thread(context->thread())
{
}

bool HttpThreadGate::post(std::function<void()> fn)
{
    std::unique_lock lock(m_mutex);
    if (!m_open) {
        lock.unlock();
        // Destroyed here, outside the lock: its captures may post again (a reply's destructor does).
        fn = nullptr;
        return false;
    }
    QMetaObject::invokeMethod(m_context, std::move(fn), Qt::QueuedConnection);
    return true;
}

void HttpThreadGate::close()
{
    std::lock_guard lock(m_mutex);
    m_open = false;
}

bool HttpThreadGate::isOpen() const
{
    std::lock_guard lock(m_mutex);
    return m_open;
}

} // namespace butler
