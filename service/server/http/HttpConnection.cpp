#include "HttpConnection.h"

#include "HttpBodySink.h"
#include "HttpCounters.h"
#include "HttpDirectChannel.h"
#include "HttpListener.h"
#include "HttpReply.h"
#include "HttpRequest.h"
#include "HttpWire.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <chrono>
#include <exception>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace butler {

Q_DECLARE_LOGGING_CATEGORY(lcHttpFront)

namespace {

// Qt stops reading the descriptor once this much waits in the socket's buffer: while a request
// is with the handler, a pipelining client is held back by TCP instead of by our memory.
constexpr qint64 kSocketReadBuffer = 256 * 1024;
// Answers not yet taken by a slow client; past it no further pipelined request is started.
constexpr qint64 kMaxPendingOutput = 1024 * 1024;
// How long a closing connection waits for the client to read the last answer and close.
constexpr int kLingerMs = 2000;

} // namespace

HttpConnection::HttpConnection(qintptr descriptor, HttpListener* listener)
    : QObject(listener)
    , m_listener(listener)
    , m_socket(new QTcpSocket(this))
    , m_framer(listener->limits())
{
    m_framer.setPauseAfterHead(bool(listener->limits().bodyPlanner));
    if (!m_socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcHttpFront) << "cannot adopt an accepted connection:" << m_socket->errorString();
        ::close(int(descriptor));
        m_phase = Phase::Closed;
        return;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(kSocketReadBuffer);
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QIODevice::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QAbstractSocket::disconnected, this, &HttpConnection::teardown);
}

HttpConnection::~HttpConnection()
{
    if (m_phase != Phase::Closed) {
        m_socket->abort();
        teardown();
    }
}

qint64 HttpConnection::nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void HttpConnection::start()
{
    setWait(Wait::FirstRequest, m_listener->limits().headerTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        pump();
}

void HttpConnection::setWait(Wait wait, int timeoutMs)
{
    m_wait = wait;
    m_deadline = wait == Wait::None ? 0 : nowMs() + qMax(1, timeoutMs);
}

void HttpConnection::onReadyRead()
{
    switch (m_phase) {
    case Phase::Reading:
        pump();
        break;
    case Phase::Dispatched:
        // Left in the socket's bounded buffer until the answer is out, which one written by
        // another thread may be already.
        if (collectDirectAnswer(true))
            pump();
        break;
    case Phase::Closing:
    case Phase::Lingering:
    case Phase::Closed:
        m_socket->skip(m_socket->bytesAvailable());
        break;
    }
}

void HttpConnection::onBytesWritten()
{
    switch (m_phase) {
    case Phase::Reading:
        if (m_wait == Wait::Idle)
            setWait(Wait::Idle, m_listener->limits().idleTimeoutMs); // the client is reading
        if (m_outputBlocked && m_socket->bytesToWrite() <= kMaxPendingOutput) {
            m_outputBlocked = false;
            pump();
        }
        break;
    case Phase::Closing:
        if (m_socket->bytesToWrite() == 0)
            shutdownWrite();
        break;
    case Phase::Dispatched:
    case Phase::Lingering:
    case Phase::Closed:
        break;
    }
}

void HttpConnection::pump()
{
    if (m_pumping) {
        m_pumpAgain = true;
        return;
    }
    m_pumping = true;
    do {
        m_pumpAgain = false;
        step();
    } while (m_pumpAgain && m_phase == Phase::Reading);
    m_pumping = false;
}

void HttpConnection::schedulePump()
{
    if (m_pumping) {
        m_pumpAgain = true;
        return;
    }
    // Queued rather than nested: an answer given from inside one request's code should not run
    // the handler of the next request before it returns.
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            pump();
        },
        Qt::QueuedConnection);
}

void HttpConnection::step()
{
    if (m_phase != Phase::Reading)
        return;
    if (m_socket->bytesToWrite() > kMaxPendingOutput) {
        m_outputBlocked = true;
        return;
    }
    bool received = false;
    const qint64 available = m_socket->bytesAvailable();
    if (available > 0) {
        m_framer.append(m_socket->read(available));
        received = true;
    }
    const HttpLimits& limits = m_listener->limits();
    HttpRequestFramer::State state = m_framer.advance();
    if (state == HttpRequestFramer::State::Body && m_framer.isStreaming()) {
        const QByteArray chunk = m_framer.takeStreamedBytes();
        if (!chunk.isEmpty() && !m_sink->write(chunk.constData(), chunk.size())) {
            sinkFailed();
            return;
        }
        state = m_framer.advance();
    }
    switch (state) {
    case HttpRequestFramer::State::Idle:
        if (m_wait == Wait::Header) // only empty lines came
            setWait(Wait::Idle, limits.idleTimeoutMs);
        m_anyByte = false;
        return;
    case HttpRequestFramer::State::Head:
        // The first request's header time counts from the accept.
        if (m_wait == Wait::Idle)
            setWait(Wait::Header, limits.headerTimeoutMs);
        m_anyByte = true;
        return;
    case HttpRequestFramer::State::HeadReady:
        m_anyByte = true;
        planBody();
        return;
    case HttpRequestFramer::State::Body:
        m_anyByte = true;
        if (m_wait != Wait::Body || received)
            setWait(Wait::Body, limits.bodyTimeoutMs);
        if (received) {
            // Acknowledge at once while a body arrives: a client with Nagle's algorithm holds
            // the body's last partial segment until the rest is acknowledged, and a delayed
            // acknowledgement would stall every upload by up to 40 ms.
            const int quick = 1;
            ::setsockopt(int(m_socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &quick, sizeof quick);
        }
        if (m_framer.wantsContinue()) {
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            m_socket->flush();
            m_framer.continueSent();
        }
        return;
    case HttpRequestFramer::State::Failed:
        m_listener->counters().badRequests.fetch_add(1, std::memory_order_relaxed);
        reject(m_framer.errorStatus(), m_framer.errorType(), m_framer.errorMessage());
        return;
    case HttpRequestFramer::State::Complete:
        if (m_sink && !m_sink->finish()) {
            sinkFailed();
            return;
        }
        dispatch(m_framer.takeRequest());
        return;
    }
}

void HttpConnection::planBody()
{
    const HttpRequestFramer::Request& request = m_framer.head();
    HttpRequestHead head;
    head.method = request.method;
    head.target = request.target;
    head.headers = &request.headers;
    head.contentLength = m_framer.contentLength();
    HttpBodyPlan plan;
    try {
        plan = m_listener->limits().bodyPlanner(head);
    } catch (const std::exception& error) {
        qCWarning(lcHttpFront) << "bug: the body planner threw:" << error.what();
        plan = HttpBodyPlan::refuse(500, QByteArrayLiteral("internal"), QStringLiteral("internal error"));
    }
    switch (plan.kind) {
    case HttpBodyPlan::Kind::Refuse:
        reject(plan.status, plan.type, plan.message);
        return;
    case HttpBodyPlan::Kind::Stream:
        if (!plan.sink) {
            reject(500, QByteArrayLiteral("internal"), QStringLiteral("internal error"));
            return;
        }
        m_sink = std::move(plan.sink);
        m_framer.streamBody();
        break;
    case HttpBodyPlan::Kind::Buffer:
        m_framer.bufferBody();
        break;
    }
    m_pumpAgain = true;
}

void HttpConnection::sinkFailed()
{
    const HttpBodySink::Failure failure = m_sink->failure();
    m_sink.reset(); // discards what it received
    reject(failure.status, failure.type, failure.message);
}

void HttpConnection::dispatch(HttpRequestFramer::Request request)
{
    m_phase = Phase::Dispatched;
    setWait(Wait::None, 0);
    ++m_serial;
    m_method = request.method;
    m_minorVersion = request.minorVersion;
    m_keepAlive = request.keepAlive;
    m_anyByte = false;

    // What the handler sees: the validated request with its framing normalized. Transfer-Encoding
    // goes (the body is decoded already), Content-Length is the decoded size, Expect was answered
    // here, and Upgrade is not offered.
    QList<HttpRequest::Field> headers;
    headers.reserve(request.headers.size() + 1);
    for (auto& field : request.headers) {
        if (HttpWire::sameFieldName(field.first, "content-length") ||
            HttpWire::sameFieldName(field.first, "transfer-encoding") ||
            HttpWire::sameFieldName(field.first, "expect") || HttpWire::sameFieldName(field.first, "upgrade"))
            continue;
        headers.append(std::move(field));
    }
    if (!request.body.isEmpty())
        headers.append({QByteArrayLiteral("Content-Length"), QByteArray::number(request.body.size())});
    const HttpRequest httpRequest(std::move(request.method), std::move(request.target), std::move(headers),
                                  std::move(request.body));

    HttpReply::Target target;
    target.connection = this;
    target.socket = m_socket;
    target.gate = m_listener->gate();
    target.serial = m_serial;
    target.method = m_method;
    target.minorVersion = m_minorVersion;
    target.keepAlive = m_keepAlive;
    target.bodySink = std::exchange(m_sink, nullptr);
    // An answer from another thread may go straight to the socket when nothing of earlier
    // answers waits in Qt's buffer: the kernel then keeps the answers in order.
    m_answerDirect = false;
    if (m_socket->bytesToWrite() == 0 && !m_direct)
        m_direct = HttpDirectChannel::open(m_socket->socketDescriptor());
    if (m_direct) {
        m_answerDirect = m_socket->bytesToWrite() == 0;
        m_direct->expectAnswer(m_answerDirect);
        if (m_answerDirect)
            target.direct = m_direct;
    }
    std::shared_ptr<HttpReply> reply = HttpReply::create(std::move(target), m_listener->countersPointer());
    m_reply = reply;
    try {
        m_listener->handler()(httpRequest, reply);
    } catch (const std::exception& error) {
        qCWarning(lcHttpFront) << "bug: the request handler threw:" << error.what();
        if (!reply->isSent())
            reply->sendEmpty(500);
    } catch (...) {
        qCWarning(lcHttpFront) << "bug: the request handler threw";
        if (!reply->isSent())
            reply->sendEmpty(500);
    }
}

bool HttpConnection::awaitsAnswer(quint64 serial) const
{
    return m_phase == Phase::Dispatched && serial == m_serial;
}

void HttpConnection::replyFinished(quint64 serial, bool close)
{
    if (!awaitsAnswer(serial))
        return;
    answerDone(close, false);
}

bool HttpConnection::collectDirectAnswer(bool callerPumps)
{
    if (m_phase != Phase::Dispatched || !m_answerDirect || !m_direct->collect())
        return false;
    answerDone(false, callerPumps);
    return true;
}

void HttpConnection::answerDone(bool close, bool callerPumps)
{
    m_reply.reset();
    m_answerDirect = false;
    // Draining may have begun after an answer written on another thread built its header.
    if (close || !m_keepAlive || m_listener->isDraining()) {
        closeGracefully();
        return;
    }
    m_phase = Phase::Reading;
    const HttpLimits& limits = m_listener->limits();
    if (m_framer.bufferedBytes() > 0 || m_socket->bytesAvailable() > 0) {
        m_anyByte = true;
        setWait(Wait::Header, limits.headerTimeoutMs);
        if (!callerPumps)
            schedulePump();
    } else {
        setWait(Wait::Idle, limits.idleTimeoutMs);
    }
}

void HttpConnection::reject(int status, const QByteArray& type, const QString& message)
{
    m_socket->write(HttpWire::errorResponse(status, type, message));
    closeGracefully();
}

void HttpConnection::timeOut(const QString& message)
{
    m_listener->counters().timeouts.fetch_add(1, std::memory_order_relaxed);
    reject(408, QByteArrayLiteral("request_timeout"), message);
}

void HttpConnection::deadlineReached()
{
    if (m_deadline == 0 || m_phase == Phase::Closed)
        return;
    switch (m_wait) {
    case Wait::None:
        break;
    case Wait::FirstRequest:
    case Wait::Header:
        if (m_anyByte || m_framer.bufferedBytes() > 0) {
            timeOut(QStringLiteral("the request header did not arrive in time"));
        } else {
            m_listener->counters().timeouts.fetch_add(1, std::memory_order_relaxed);
            m_socket->abort();
        }
        break;
    case Wait::Body:
        timeOut(QStringLiteral("the request body stopped arriving"));
        break;
    case Wait::Idle:
        // An answer the client never read would keep a graceful close waiting forever.
        if (m_socket->bytesToWrite() > 0)
            m_socket->abort();
        else
            m_socket->disconnectFromHost();
        break;
    case Wait::Closing:
    case Wait::Linger:
        m_socket->abort();
        break;
    }
}

void HttpConnection::closeGracefully()
{
    if (m_phase == Phase::Closing || m_phase == Phase::Lingering || m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closing;
    // A client that does not take the last answer is cut off like an idle one.
    setWait(Wait::Closing, m_listener->limits().idleTimeoutMs);
    m_socket->flush();
    if (m_socket->bytesToWrite() == 0)
        shutdownWrite();
}

void HttpConnection::shutdownWrite()
{
    if (m_phase == Phase::Lingering || m_phase == Phase::Closed)
        return;
    m_phase = Phase::Lingering;
    setWait(Wait::Linger, kLingerMs);
    // Closing with unread input would reset the connection and could destroy the answer in
    // flight; half-closing lets the client read it and close, which ends the linger.
    if (::shutdown(int(m_socket->socketDescriptor()), SHUT_WR) != 0) {
        m_socket->abort();
        return;
    }
    m_socket->skip(m_socket->bytesAvailable());
}

void HttpConnection::abortNow()
{
    if (m_phase == Phase::Closed)
        return;
    m_socket->abort();
    teardown();
}

void HttpConnection::teardown()
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_wait = Wait::None;
    m_deadline = 0;
    if (std::shared_ptr<HttpReply> reply = m_reply.lock())
        reply->markDisconnected();
    m_reply.reset();
    m_sink.reset();
    m_direct.reset();
    m_listener->connectionClosed(this);
    deleteLater();
}

} // namespace butler
