#pragma once

#include "HttpCounters.h"
#include "HttpLimits.h"
#include "HttpReply.h"
#include "Result.h"

#include <QHostAddress>
#include <QObject>

#include <memory>
#include <vector>

namespace butler {

class HttpListenerThread;

// The hardened HTTP front of butler-server. Several listener threads each accept on their own
// SO_REUSEPORT socket on the same port, so the kernel spreads connections
// over them. Every request, whatever its method and path, goes to the one handler, called on
// the listener thread that owns the connection; the handler must not block and answers through
// the HttpReply, at once or later via HttpReply::post().
//
// Each connection validates, frames and parses requests itself (see HttpConnection): header and body limits,
// header/body/idle timeouts, a connection limit, 400 for malformed requests, 100-continue, Connection: close
// and HTTP/1.0, HEAD, pipelining in order. What the handler's HttpRequest shows has its framing normalized:
// no Transfer-Encoding (a chunked body arrives decoded, with Content-Length), no Expect, no Upgrade. The
// request object is valid while the handler runs; copy what a later answer needs.
//
// Public functions belong to the thread that created the host; never call them from a handler.
class HttpServerHost : public QObject
{
    Q_OBJECT

public:
    struct Stats
    {
        qint64 openConnections, acceptedConnections, rejectedConnections, badRequests, timeouts, inFlight;
    };

    HttpServerHost(HttpLimits limits, HttpHandler handler, QObject* parent = nullptr);
    ~HttpServerHost() override; // stops

    // Port 0 picks a free one; the port is returned. A port taken by anyone is an error.
    Result<quint16> listen(const QHostAddress& address, quint16 port);
    // Closes the listeners; open connections keep being served, each closing after its next answer.
    void stopAccepting();
    // True once no request is in flight (waits up to msecs, processing this thread's events).
    bool waitForIdle(int msecs);
    // Closes everything and joins the threads. Replies still held elsewhere find their client gone.
    void stop();
    // Thread-safe. badRequests counts the front's own error answers (400, 413, 417, 431, 501);
    // timeouts counts connections closed for a header or body that did not arrive in time.
    Stats stats() const;

private:
    HttpLimits m_limits;
    HttpHandler m_handler;
    std::shared_ptr<HttpCounters> m_counters;
    std::vector<std::unique_ptr<HttpListenerThread>> m_threads;
};

} // namespace butler
