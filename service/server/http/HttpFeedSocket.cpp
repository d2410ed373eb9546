#include "HttpFeedSocket.h"

#include "HttpConnection.h"

#include <QLoggingCategory>

#include <cstring>

namespace butler {

Q_DECLARE_LOGGING_CATEGORY(lcHttpFront)

HttpFeedSocket::HttpFeedSocket(HttpConnection* connection, const QTcpSocket& real)
    : QTcpSocket(connection)
    , m_connection(connection)
{
    // The setters exist for sockets that stand in for another connection (proxies).
    setPeerAddress(real.peerAddress());
    setPeerPort(real.peerPort());
    setLocalAddress(real.localAddress());
    setLocalPort(real.localPort());
    setSocketState(QAbstractSocket::ConnectedState);
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

HttpFeedSocket::~HttpFeedSocket()
{
    // Unconnected first, or ~QAbstractSocket aborts and emits disconnected() mid-destruction.
    setSocketState(QAbstractSocket::UnconnectedState);
}

void HttpFeedSocket::feed(QByteArray head, QByteArray body)
{
    m_head = std::move(head);
    m_body = std::move(body);
    m_position = 0;
    emit readyRead();
}

qint64 HttpFeedSocket::unreadBytes() const
{
    return m_head.size() + m_body.size() - m_position;
}

void HttpFeedSocket::discardUnread()
{
    m_head.clear();
    m_body.clear();
    m_position = 0;
}

void HttpFeedSocket::detach()
{
    m_connection = nullptr;
    discardUnread();
    setSocketState(QAbstractSocket::UnconnectedState);
}

qint64 HttpFeedSocket::bytesAvailable() const
{
    // QIODevice keeps bytes read inside Qt's transaction in its own buffer; count them too.
    return QIODevice::bytesAvailable() + unreadBytes();
}

void HttpFeedSocket::disconnectFromHost()
{
    if (m_connection)
        m_connection->feedRejected();
}

qint64 HttpFeedSocket::readData(char* data, qint64 maxSize)
{
    qint64 copied = 0;
    while (copied < maxSize && m_position < m_head.size() + m_body.size()) {
        const bool inHead = m_position < m_head.size();
        const QByteArray& part = inHead ? m_head : m_body;
        const qint64 offset = inHead ? m_position : m_position - m_head.size();
        const qint64 n = qMin(maxSize - copied, part.size() - offset);
        std::memcpy(data + copied, part.constData() + offset, size_t(n));
        copied += n;
        m_position += n;
    }
    if (m_position > 0 && m_position == m_head.size() + m_body.size())
        discardUnread(); // the body can be large; Qt has its own copy now
    return copied;
}

qint64 HttpFeedSocket::writeData(const char* data, qint64 size)
{
    Q_UNUSED(data);
    qCDebug(lcHttpFront) << "dropped" << size << "bytes Qt wrote to the request feed";
    return size;
}

} // namespace butler
