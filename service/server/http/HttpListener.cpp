#include "HttpListener.h"

#include "HttpAcceptor.h"
#include "HttpConnection.h"
#include "HttpThreadGate.h"
#include "HttpWire.h"

#include <QLoggingCategory>

#include <algorithm>

#include <sys/socket.h>
#include <unistd.h>

namespace butler {

Q_DECLARE_LOGGING_CATEGORY(lcHttpFront)

namespace {

// Pause before accepting again after accept() failed for lack of descriptors or memory.
constexpr int kAcceptRetryMs = 100;

} // namespace

HttpListener::HttpListener(const HttpLimits& limits, HttpHandler handler,
                           std::shared_ptr<HttpCounters> counters)
    : m_limits(limits)
    , m_handler(std::move(handler))
    , m_counters(std::move(counters))
    , m_gate(std::make_shared<HttpThreadGate>(this))
{
    // Deadlines are checked by one sweep per thread, a fraction of the shortest timeout apart,
    // instead of a timer per connection.
    const int shortest = std::min({m_limits.headerTimeoutMs, m_limits.bodyTimeoutMs, m_limits.idleTimeoutMs});
    m_sweepTimer.setInterval(std::clamp(shortest / 4, 10, 500));
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpListener::sweep);
}

HttpListener::~HttpListener()
{
    shutdown();
}

bool HttpListener::listen(int descriptor, QString* error)
{
    m_acceptor = new HttpAcceptor(this);
    if (!m_acceptor->setSocketDescriptor(descriptor)) {
        *error = m_acceptor->errorString();
        ::close(descriptor);
        return false;
    }
    connect(m_acceptor, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError socketError) {
        // QTcpServer pauses on errors such as EMFILE; resume once descriptors may be free again.
        qCWarning(lcHttpFront) << "accepting a connection failed:" << socketError
                               << m_acceptor->errorString();
        QTimer::singleShot(kAcceptRetryMs, m_acceptor, [acceptor = m_acceptor, this] {
            if (!m_draining)
                acceptor->resumeAccepting();
        });
    });
    m_sweepTimer.start();
    return true;
}

void HttpListener::stopAccepting()
{
    m_draining = true;
    m_gate->setDraining();
    if (m_acceptor)
        m_acceptor->close();
}

void HttpListener::shutdown()
{
    m_gate->close();
    m_sweepTimer.stop();
    m_draining = true;
    m_gate->setDraining();
    if (m_acceptor)
        m_acceptor->close();
    const QSet<HttpConnection*> connections = m_connections;
    for (HttpConnection* connection : connections) {
        connection->abortNow();
        delete connection;
    }
    m_connections.clear();
    delete m_acceptor;
    m_acceptor = nullptr;
}

void HttpListener::accept(qintptr descriptor)
{
    if (m_counters->openConnections.fetch_add(1) >= m_limits.maxConnections) {
        m_counters->openConnections.fetch_sub(1);
        m_counters->rejectedConnections.fetch_add(1, std::memory_order_relaxed);
        rejectOverLimit(int(descriptor));
        return;
    }
    auto* connection = new HttpConnection(descriptor, this);
    if (!connection->isOpen()) {
        delete connection;
        m_counters->openConnections.fetch_sub(1);
        return;
    }
    m_counters->acceptedConnections.fetch_add(1, std::memory_order_relaxed);
    m_connections.insert(connection);
    connection->start();
}

void HttpListener::rejectOverLimit(int descriptor)
{
    // Answered on the raw descriptor: an over-limit connection gets no objects and no timers.
    const QByteArray answer = HttpWire::errorResponse(
        503, QByteArrayLiteral("unavailable"), QStringLiteral("too many connections; try again later"));
    [[maybe_unused]] const ssize_t sent =
        ::send(descriptor, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(descriptor, SHUT_WR);
    char sink[4096];
    for (int i = 0; i < 16 && ::recv(descriptor, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    ::close(descriptor);
}

void HttpListener::connectionClosed(HttpConnection* connection)
{
    if (m_connections.remove(connection))
        m_counters->openConnections.fetch_sub(1);
}

void HttpListener::sweep()
{
    const qint64 now = HttpConnection::nowMs();
    QList<HttpConnection*> due;
    for (HttpConnection* connection : std::as_const(m_connections)) {
        const qint64 deadline = connection->deadline();
        if (deadline != 0 && deadline <= now)
            due.append(connection);
        else if (deadline == 0)
            connection->collectDirectAnswer(false); // its idle time starts now
    }
    for (HttpConnection* connection : due) {
        if (m_connections.contains(connection))
            connection->deadlineReached();
    }
}

} // namespace butler
