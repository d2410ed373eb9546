#include "HttpListenerThread.h"

#include "EpollEventDispatcher.h"
#include "HttpListener.h"

#include <QMetaObject>

namespace butler {

HttpListenerThread::HttpListenerThread(int descriptor, const HttpLimits& limits, HttpHandler handler,
                                       std::shared_ptr<HttpCounters> counters)
    : m_descriptor(descriptor)
    , m_limits(limits)
    , m_handler(std::move(handler))
    , m_counters(std::move(counters))
{
    // The listener's connections on epoll rather than Qt's poll loop (see EpollEventDispatcher).
    auto* dispatcher = new EpollEventDispatcher;
    if (dispatcher->isValid())
        setEventDispatcher(dispatcher);
    else
        delete dispatcher;
}

HttpListenerThread::~HttpListenerThread()
{
    stopAndWait();
}

bool HttpListenerThread::startListening(QString* error)
{
    start();
    m_ready.acquire();
    if (m_listener)
        return true;
    wait();
    *error = m_error;
    return false;
}

void HttpListenerThread::run()
{
    HttpListener listener(m_limits, m_handler, m_counters);
    if (!listener.listen(m_descriptor, &m_error)) {
        m_ready.release();
        return;
    }
    m_listener = &listener;
    m_ready.release();
    exec();
    listener.shutdown();
    m_listener = nullptr;
}

void HttpListenerThread::stopAccepting()
{
    if (!isRunning() || !m_listener)
        return;
    HttpListener* listener = m_listener;
    if (QThread::currentThread() == this)
        listener->stopAccepting();
    else
        QMetaObject::invokeMethod(
            listener, [listener] { listener->stopAccepting(); }, Qt::BlockingQueuedConnection);
}

void HttpListenerThread::stopAndWait()
{
    if (!isRunning())
        return;
    quit();
    wait();
}

} // namespace butler
