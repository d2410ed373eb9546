#pragma once

#include "HttpCounters.h"
#include "HttpLimits.h"
#include "HttpReply.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

namespace butler {

class HttpAcceptor;
class HttpConnection;
class HttpThreadGate;

// Everything of one listener thread, created and used on that thread: the acceptor, the open
// connections, and the sweep that enforces their timeouts.
class HttpListener : public QObject
{
    Q_OBJECT

public:
    HttpListener(const HttpLimits& limits, HttpHandler handler, std::shared_ptr<HttpCounters> counters);
    ~HttpListener() override;

    // Takes over a bound, listening descriptor (closed on failure).
    bool listen(int descriptor, QString* error);
    // Closes the listening socket; open connections are served on, and close after their next answer.
    void stopAccepting();
    // Drops every connection and refuses further posts; called once the event loop has ended.
    void shutdown();

    const HttpLimits& limits() const { return m_limits; }
    HttpCounters& counters() const { return *m_counters; }
    const std::shared_ptr<HttpCounters>& countersPointer() const { return m_counters; }
    const std::shared_ptr<HttpThreadGate>& gate() const { return m_gate; }
    const HttpHandler& handler() const { return m_handler; }
    bool isDraining() const { return m_draining; }

    // From the acceptor.
    void accept(qintptr descriptor);
    // From a connection that closed.
    void connectionClosed(HttpConnection* connection);

private:
    void sweep();
    void rejectOverLimit(int descriptor);

    HttpLimits m_limits;
    HttpHandler m_handler;
    std::shared_ptr<HttpCounters> m_counters;
    std::shared_ptr<HttpThreadGate> m_gate;
    HttpAcceptor* m_acceptor = nullptr;
    QSet<HttpConnection*> m_connections;
    QTimer m_sweepTimer;
    bool m_draining = false;
};

} // namespace butler
