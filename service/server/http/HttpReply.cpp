#include "HttpReply.h"

#include "HttpConnection.h"
#include "HttpCounters.h"
#include "HttpDirectChannel.h"
#include "HttpThreadGate.h"
#include "HttpWire.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QThread>

#include <mutex>

namespace butler {

Q_DECLARE_LOGGING_CATEGORY(lcHttpFront)

// Reports the end of one request exactly once, whoever gets there first: the answer, or the
// last owner of the reply's state when nothing ever answered.
struct HttpReply::Completion
{
    explicit Completion(std::shared_ptr<HttpCounters> counters)
        : counters(std::move(counters))
    {
        this->counters->inFlight.fetch_add(1, std::memory_order_relaxed);
    }
    ~Completion() { complete(499, 0); }

    void setCallback(std::function<void(int, qint64)> fn)
    {
        std::lock_guard lock(mutex);
        callback = std::move(fn);
    }

    void complete(int status, qint64 bodyBytes)
    {
        if (done.exchange(true))
            return;
        std::function<void(int, qint64)> fn;
        {
            std::lock_guard lock(mutex);
            fn = std::move(callback);
        }
        if (fn)
            fn(status, bodyBytes);
        counters->inFlight.fetch_sub(1, std::memory_order_relaxed);
    }

    std::shared_ptr<HttpCounters> counters;
    std::mutex mutex;
    std::function<void(int, qint64)> callback;
    std::atomic<bool> done{false};
};

namespace {

bool hasCloseOption(const QByteArray& value)
{
    for (const QByteArray& option : value.split(',')) {
        if (HttpWire::sameFieldName(option.trimmed(), "close"))
            return true;
    }
    return false;
}

// CR or LF in a header would let a value start a new header or a new response.
bool isSafeHeader(const QByteArray& name, const QByteArray& value)
{
    return !name.isEmpty() && !name.contains('\r') && !name.contains('\n') && !name.contains(':') &&
           !value.contains('\r') && !value.contains('\n');
}

} // namespace

HttpReply::HttpReply(Target target, std::shared_ptr<Completion> completion)
    : m_target(std::move(target))
    , m_completion(std::move(completion))
{
}

std::shared_ptr<HttpReply> HttpReply::create(Target target, const std::shared_ptr<HttpCounters>& counters)
{
    return std::shared_ptr<HttpReply>(
        new HttpReply(std::move(target), std::make_shared<Completion>(counters)));
}

HttpReply::~HttpReply()
{
    if (m_mode == Mode::Done || m_completion->done.load())
        return;
    if (onOwnerThread()) {
        abandon();
        return;
    }
    // Dropped on a worker thread: the connection's thread answers. If that thread has ended,
    // the Completion's destructor reports the request as abandoned.
    m_target.gate->post([target = m_target, completion = m_completion, mode = m_mode, status = m_status,
                         headWritten = m_headWritten, close = m_close, bytes = m_bodyBytes]() mutable {
        HttpReply stand(std::move(target), std::move(completion));
        stand.m_mode = mode;
        stand.m_status = status;
        stand.m_headWritten = headWritten;
        stand.m_close = close;
        stand.m_bodyBytes = bytes;
        stand.abandon();
    });
}

void HttpReply::abandon()
{
    switch (m_mode) {
    case Mode::Fresh:
        qCWarning(lcHttpFront).noquote() << "bug: the handler of a" << m_target.method
                                         << "request dropped its reply without answering; answering 500";
        sendJson(500, QJsonObject{{QStringLiteral("error"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("internal")},
                                               {QStringLiteral("message"),
                                                QStringLiteral("the server did not answer this request")}}}});
        break;
    case Mode::Chunked:
    case Mode::Raw:
        // The body is incomplete; only closing tells the client so.
        qCWarning(lcHttpFront).noquote() << "bug: a" << (m_mode == Mode::Raw ? "raw" : "chunked")
                                         << "answer was dropped before it ended; closing the connection";
        finish(m_headWritten ? m_status : 499, m_bodyBytes, true);
        break;
    case Mode::Done:
        break;
    }
}

QByteArray HttpReply::method() const
{
    return m_target.method;
}

bool HttpReply::isHead() const
{
    return m_target.method == "HEAD";
}

bool HttpReply::isConnected() const
{
    if (!m_connected.load())
        return false;
    if (!onOwnerThread())
        return true;
    return m_target.socket && m_target.socket->state() == QAbstractSocket::ConnectedState;
}

bool HttpReply::isSent() const
{
    return m_sent.load();
}

bool HttpReply::onOwnerThread() const
{
    return QThread::currentThread() == m_target.gate->thread();
}

QTcpSocket* HttpReply::usableSocket() const
{
    // The QPointer guards are what keep a late answer from touching a deleted socket.
    if (!m_target.socket || !m_target.connection || !m_target.connection->awaitsAnswer(m_target.serial))
        return nullptr;
    if (m_target.socket->state() != QAbstractSocket::ConnectedState)
        return nullptr;
    return m_target.socket;
}

void HttpReply::addHeader(const QByteArray& name, const QByteArray& value)
{
    if (!onOwnerThread() && !m_target.direct) {
        m_target.gate->post([self = shared_from_this(), name, value] { self->addHeader(name, value); });
        return;
    }
    if (!isSafeHeader(name, value)) {
        qCWarning(lcHttpFront) << "dropped a malformed response header" << name;
        return;
    }
    m_headers.append({name, value});
}

QByteArray HttpReply::buildHead(int status, const QByteArray& contentType, Framing framing, qint64 length,
                                const QList<QPair<QByteArray, QByteArray>>& extra, bool* close) const
{
    const bool hasBody = HttpWire::statusHasBody(status);
    bool closeAfter = !m_target.keepAlive || m_target.gate->isDraining();
    bool hasDate = false;
    bool hasLength = false;
    QByteArray head;
    head.reserve(256);
    HttpWire::appendStatusLine(head, status);
    const auto appendHeaders = [&](const QList<QPair<QByteArray, QByteArray>>& headers) {
        for (const auto& [name, value] : headers) {
            if (!isSafeHeader(name, value))
                continue;
            if (HttpWire::sameFieldName(name, "transfer-encoding"))
                continue;
            if (HttpWire::sameFieldName(name, "content-length")) {
                if (framing != Framing::Raw)
                    continue;
                hasLength = true;
            }
            if (HttpWire::sameFieldName(name, "connection")) {
                closeAfter = closeAfter || hasCloseOption(value);
                continue;
            }
            if (HttpWire::sameFieldName(name, "date"))
                hasDate = true;
            head += name;
            head += ": ";
            head += value;
            head += "\r\n";
        }
    };
    appendHeaders(m_headers);
    appendHeaders(extra);
    if (!hasDate) {
        head += "Date: ";
        head += HttpWire::date();
        head += "\r\n";
    }
    if (hasBody && !contentType.isEmpty()) {
        head += "Content-Type: ";
        head += contentType;
        head += "\r\n";
    }
    switch (framing) {
    case Framing::Length:
        if (hasBody) {
            head += "Content-Length: ";
            head += QByteArray::number(length);
            head += "\r\n";
        }
        break;
    case Framing::Chunked:
        if (!hasBody)
            break;
        if (m_target.minorVersion >= 1)
            head += "Transfer-Encoding: chunked\r\n";
        else
            closeAfter = true; // HTTP/1.0 has no chunking: the end of the connection ends the body
        break;
    case Framing::Raw:
        if (hasBody && !hasLength)
            closeAfter = true;
        break;
    }
    if (closeAfter)
        head += "Connection: close\r\n";
    head += "\r\n";
    *close = closeAfter;
    return head;
}

bool HttpReply::claim(const char* what)
{
    if (!m_sent.exchange(true))
        return true;
    qCWarning(lcHttpFront) << "bug:" << what << "on a reply that already answered; dropped";
    return false;
}

void HttpReply::send(int status, const QByteArray& contentType, const QByteArray& body)
{
    if (status < 200 || status > 999) {
        qCWarning(lcHttpFront) << "bug: status" << status << "is no final answer; answering 500";
        status = 500;
    }
    if (canSendDirectly()) {
        sendDirectly(status, contentType, body);
        return;
    }
    if (!onOwnerThread()) {
        m_target.gate->post([self = shared_from_this(), status, contentType, body] {
            self->send(status, contentType, body);
        });
        return;
    }
    if (!claim("send()"))
        return;
    m_mode = Mode::Done;
    m_status = status;
    QTcpSocket* socket = usableSocket();
    if (!socket) {
        finish(499, 0, true);
        return;
    }
    const bool hasBody = HttpWire::statusHasBody(status);
    bool close = false;
    socket->write(buildHead(status, hasBody ? contentType : QByteArray(), Framing::Length,
                            hasBody ? body.size() : 0, {}, &close));
    const bool writeBody = hasBody && !isHead() && !body.isEmpty();
    if (writeBody)
        socket->write(body);
    // Out now rather than on the next loop iteration: one write for a small answer.
    socket->flush();
    m_headWritten = true;
    finish(status, writeBody ? body.size() : 0, close);
}

void HttpReply::sendDirectly(int status, const QByteArray& contentType, const QByteArray& body)
{
    if (!claim("send()"))
        return;
    m_mode = Mode::Done;
    m_status = status;
    if (!m_connected.load()) {
        m_completion->complete(499, 0);
        return;
    }
    const bool hasBody = HttpWire::statusHasBody(status);
    bool close = false;
    const QByteArray head = buildHead(status, hasBody ? contentType : QByteArray(), Framing::Length,
                                      hasBody ? body.size() : 0, {}, &close);
    const qint64 bodySize = hasBody && !isHead() ? body.size() : 0;
    m_headWritten = true;
    m_bodyBytes = bodySize;
    const HttpDirectChannel::Written written =
        m_target.direct->write(head.constData(), head.size(), body.constData(), bodySize);
    const qint64 bodyTaken = qMax<qint64>(0, written.bytes - head.size());
    if (!written.failed && written.bytes < head.size() + bodySize) {
        // The socket is full (a large answer, a slow reader): the connection's thread writes the
        // rest as the client takes it.
        QByteArray rest = written.bytes < head.size() ? head.mid(written.bytes) + body.left(bodySize)
                                                      : body.mid(bodyTaken, bodySize - bodyTaken);
        m_target.gate->post([self = shared_from_this(), rest = std::move(rest), bodyTaken, close] {
            self->finishDirect(rest, bodyTaken, close);
        });
        return;
    }
    m_completion->complete(written.failed && written.bytes == 0 ? 499 : status, bodyTaken);
    const bool keepAlive = !close && !written.failed;
    if (keepAlive && !m_target.direct->answered())
        return; // the connection collects it when it next looks
    m_target.gate->post([connection = m_target.connection, serial = m_target.serial, close = !keepAlive] {
        if (connection)
            connection->replyFinished(serial, close);
    });
}

void HttpReply::finishDirect(const QByteArray& rest, qint64 bodyTaken, bool close)
{
    QTcpSocket* socket = usableSocket();
    if (!socket) {
        finish(m_status, bodyTaken, true);
        return;
    }
    socket->write(rest);
    socket->flush();
    finish(m_status, m_bodyBytes, close);
}

void HttpReply::sendJson(int status, const QJsonObject& body)
{
    send(status, QByteArrayLiteral("application/json"), QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void HttpReply::sendEmpty(int status)
{
    send(status, QByteArray(), QByteArray());
}

void HttpReply::beginChunked(int status, const QByteArray& contentType)
{
    if (!onOwnerThread()) {
        m_target.gate->post(
            [self = shared_from_this(), status, contentType] { self->beginChunked(status, contentType); });
        return;
    }
    if (status < 200 || status > 999 || !HttpWire::statusHasBody(status)) {
        qCWarning(lcHttpFront) << "bug: status" << status << "cannot start a chunked answer; answering 500";
        sendEmpty(500);
        return;
    }
    if (!claim("beginChunked()"))
        return;
    m_mode = Mode::Chunked;
    m_status = status;
    QTcpSocket* socket = usableSocket();
    if (!socket)
        return;
    socket->write(buildHead(status, contentType, Framing::Chunked, 0, {}, &m_close));
    socket->flush();
    m_headWritten = true;
}

void HttpReply::writeChunk(const QByteArray& data)
{
    if (!onOwnerThread()) {
        m_target.gate->post([self = shared_from_this(), data] { self->writeChunk(data); });
        return;
    }
    if (m_mode != Mode::Chunked) {
        if (m_mode != Mode::Done)
            qCWarning(lcHttpFront) << "bug: writeChunk() outside a chunked answer";
        return;
    }
    // An empty chunk would end the body; HEAD has none.
    if (data.isEmpty() || isHead() || !m_headWritten)
        return;
    QTcpSocket* socket = usableSocket();
    if (!socket)
        return;
    if (m_target.minorVersion >= 1) {
        socket->write(QByteArray::number(data.size(), 16) + "\r\n");
        socket->write(data);
        socket->write("\r\n", 2);
    } else {
        socket->write(data);
    }
    socket->flush();
    m_bodyBytes += data.size();
}

void HttpReply::endChunked()
{
    if (!onOwnerThread()) {
        m_target.gate->post([self = shared_from_this()] { self->endChunked(); });
        return;
    }
    if (m_mode != Mode::Chunked) {
        if (m_mode != Mode::Done)
            qCWarning(lcHttpFront) << "bug: endChunked() outside a chunked answer";
        return;
    }
    QTcpSocket* socket = m_headWritten ? usableSocket() : nullptr;
    if (socket && m_target.minorVersion >= 1 && !isHead()) {
        socket->write("0\r\n\r\n", 5);
        socket->flush();
    }
    finish(m_headWritten ? m_status : 499, m_bodyBytes, m_close || !socket);
}

QTcpSocket* HttpReply::beginRaw(int status, const QList<QPair<QByteArray, QByteArray>>& headers)
{
    if (!onOwnerThread()) {
        qCWarning(lcHttpFront) << "bug: beginRaw() off the connection's thread";
        return nullptr;
    }
    if (status < 200 || status > 999) {
        qCWarning(lcHttpFront) << "bug: status" << status << "is no final answer; answering 500";
        sendEmpty(500);
        return nullptr;
    }
    if (!claim("beginRaw()"))
        return nullptr;
    m_mode = Mode::Raw;
    m_status = status;
    QTcpSocket* socket = usableSocket();
    if (!socket)
        return nullptr;
    for (const auto& [name, value] : headers) {
        if (HttpWire::sameFieldName(name, "content-length"))
            m_bodyBytes = isHead() ? 0 : value.trimmed().toLongLong();
    }
    // Left in the socket's buffer: the caller may cork the descriptor so head and body share frames.
    socket->write(buildHead(status, QByteArray(), Framing::Raw, 0, headers, &m_close));
    m_headWritten = true;
    return socket;
}

void HttpReply::finishRaw(bool ok)
{
    if (!onOwnerThread()) {
        m_target.gate->post([self = shared_from_this(), ok] { self->finishRaw(ok); });
        return;
    }
    if (m_mode == Mode::Fresh) {
        qCWarning(lcHttpFront) << "bug: finishRaw() without beginRaw()";
        abandon();
        return;
    }
    if (m_mode != Mode::Raw)
        return;
    finish(m_headWritten ? m_status : 499, ok && m_headWritten ? m_bodyBytes : 0, m_close || !ok);
}

void HttpReply::post(std::function<void()> fn)
{
    m_target.gate->post(std::move(fn));
}

void HttpReply::onFinished(std::function<void(int status, qint64 bodyBytes)> callback)
{
    m_completion->setCallback(std::move(callback));
}

void HttpReply::finish(int status, qint64 bodyBytes, bool close)
{
    m_mode = Mode::Done;
    m_completion->complete(status, bodyBytes);
    if (m_target.connection)
        m_target.connection->replyFinished(m_target.serial, close);
}

} // namespace butler
