#pragma once

#include "HttpCounters.h"
#include "HttpLimits.h"
#include "HttpReply.h"

#include <QSemaphore>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

namespace butler {

class HttpListener;

// One listener thread: an event loop serving the connections accepted on one SO_REUSEPORT
// socket. Its HttpListener is created, used and destroyed inside run().
class HttpListenerThread : public QThread
{
    Q_OBJECT

public:
    HttpListenerThread(int descriptor, const HttpLimits& limits, HttpHandler handler,
                       std::shared_ptr<HttpCounters> counters);
    ~HttpListenerThread() override;

    // Starts the thread and waits until it accepts; false with the reason otherwise.
    bool startListening(QString* error);
    void stopAccepting();
    // Ends the event loop, drops the connections and joins the thread.
    void stopAndWait();

protected:
    void run() override;

private:
    int m_descriptor;
    HttpLimits m_limits;
    HttpHandler m_handler;
    std::shared_ptr<HttpCounters> m_counters;
    QSemaphore m_ready;
    QString m_error;
    std::atomic<HttpListener*> m_listener{nullptr}; // set while the event loop runs
};

} // namespace butler
