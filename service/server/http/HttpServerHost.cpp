#include "HttpServerHost.h"

#include "HttpListenerThread.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace butler {

Q_LOGGING_CATEGORY(lcHttpFront, "butler.http.front")

namespace {

struct SocketAddress
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = AF_INET;
    bool dualStack = false;

    void setPort(quint16 port)
    {
        if (family == AF_INET)
            reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
        else
            reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
    }
};

SocketAddress ipv4Address(quint32 ip, quint16 port)
{
    SocketAddress out;
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(ip);
    in->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    out.family = AF_INET;
    return out;
}

SocketAddress ipv6Address(const Q_IPV6ADDR& ip, quint16 port, bool dualStack)
{
    SocketAddress out;
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, ip.c, sizeof ip.c);
    in6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    out.family = AF_INET6;
    out.dualStack = dualStack;
    return out;
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// A TCP socket bound to `address`; listening with `backlog` unless it is negative.
Result<int> openSocket(const SocketAddress& address, bool reusePort, int backlog)
{
    const int fd = ::socket(address.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error(ErrorKind::Io, errnoText(errno));
    const auto fail = [fd](int error) {
        ::close(fd);
        return Error(ErrorKind::Io, errnoText(error));
    };
    const int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        return fail(errno);
    if (reusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        return fail(errno);
    if (address.family == AF_INET6) {
        const int v6only = address.dualStack ? 0 : 1;
        if (::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0)
            return fail(errno);
    }
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0)
        return fail(errno);
    if (backlog >= 0 && ::listen(fd, backlog) != 0)
        return fail(errno);
    return fd;
}

quint16 boundPort(int fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
        return 0;
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

} // namespace

HttpServerHost::HttpServerHost(HttpLimits limits, HttpHandler handler, QObject* parent)
    : QObject(parent)
    , m_limits(limits)
    , m_handler(std::move(handler))
    , m_counters(std::make_shared<HttpCounters>())
{
}

HttpServerHost::~HttpServerHost()
{
    stop();
}

Result<quint16> HttpServerHost::listen(const QHostAddress& address, quint16 port)
{
    const QString where = QStringLiteral("%1 port %2").arg(address.toString()).arg(port);
    const auto failure = [&where](const QString& reason) {
        return Error(ErrorKind::Io, QStringLiteral("cannot listen on %1: %2").arg(where, reason));
    };

    SocketAddress socketAddress;
    if (address == QHostAddress(QHostAddress::Any)) {
        socketAddress = ipv6Address(Q_IPV6ADDR{}, port, true);
    } else if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        socketAddress = ipv4Address(address.toIPv4Address(), port);
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        socketAddress = ipv6Address(address.toIPv6Address(), port, false);
    } else {
        return failure(QStringLiteral("not an IP address"));
    }

    // The listeners share the port through SO_REUSEPORT, which would also let them share it with
    // another process that set the option. A probe bound without it fails on any listener.
    Result<int> probe = openSocket(socketAddress, false, -1);
    if (!probe.ok() && socketAddress.dualStack) {
        socketAddress = ipv4Address(INADDR_ANY, port); // no IPv6 on this host
        probe = openSocket(socketAddress, false, -1);
    }
    if (!probe.ok())
        return failure(probe.error().message());
    const quint16 chosen = boundPort(*probe);
    ::close(*probe);
    if (chosen == 0)
        return failure(QStringLiteral("no port was assigned"));
    socketAddress.setPort(chosen);

    const int count = m_limits.threads > 0 ? m_limits.threads : qMax(1, QThread::idealThreadCount());
    std::vector<int> descriptors;
    for (int i = 0; i < count; ++i) {
        Result<int> fd = openSocket(socketAddress, true, qMax(1, m_limits.listenBacklog));
        if (!fd.ok()) {
            for (int open : descriptors)
                ::close(open);
            return failure(fd.error().message());
        }
        descriptors.push_back(*fd);
    }
    std::vector<std::unique_ptr<HttpListenerThread>> started;
    for (size_t i = 0; i < descriptors.size(); ++i) {
        auto thread = std::make_unique<HttpListenerThread>(descriptors[i], m_limits, m_handler, m_counters);
        thread->setObjectName(QStringLiteral("http-%1").arg(m_threads.size() + i));
        QString error;
        if (!thread->startListening(&error)) {
            for (size_t j = i + 1; j < descriptors.size(); ++j)
                ::close(descriptors[j]);
            for (auto& other : started)
                other->stopAndWait();
            return failure(error);
        }
        started.push_back(std::move(thread));
    }
    for (auto& thread : started)
        m_threads.push_back(std::move(thread));
    qCDebug(lcHttpFront) << "listening on" << address << "port" << chosen << "with" << count << "threads";
    return chosen;
}

void HttpServerHost::stopAccepting()
{
    for (auto& thread : m_threads)
        thread->stopAccepting();
}

bool HttpServerHost::waitForIdle(int msecs)
{
    QDeadlineTimer deadline(msecs);
    const bool canLoop = QCoreApplication::instance() && QAbstractEventDispatcher::instance();
    while (m_counters->inFlight.load() > 0) {
        if (deadline.hasExpired())
            return false;
        if (canLoop) {
            // Answers may need this thread's events (a worker posting back here).
            QEventLoop loop;
            QTimer::singleShot(5, &loop, &QEventLoop::quit);
            loop.exec();
        } else {
            QThread::msleep(5);
        }
    }
    return true;
}

void HttpServerHost::stop()
{
    for (auto& thread : m_threads) {
        if (QThread::currentThread() == thread.get()) {
            qCCritical(lcHttpFront) << "HttpServerHost::stop() called from a listener thread; ignored";
            return;
        }
    }
    for (auto& thread : m_threads)
        thread->stopAndWait();
    m_threads.clear();
}

HttpServerHost::Stats HttpServerHost::stats() const
{
    const HttpCounters& c = *m_counters;
    return Stats{c.openConnections.load(std::memory_order_relaxed),
                 c.acceptedConnections.load(std::memory_order_relaxed),
                 c.rejectedConnections.load(std::memory_order_relaxed),
                 c.badRequests.load(std::memory_order_relaxed),
                 c.timeouts.load(std::memory_order_relaxed),
                 c.inFlight.load(std::memory_order_relaxed)};
}

} // namespace butler
