#pragma once

// A blocking HTTP/1.1 client on a raw QTcpSocket: the tests write exact bytes (malformed,
// pipelined, slow) and read answers byte-exactly, which QNetworkAccessManager cannot do.

#include <QByteArray>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QTcpSocket>

#include <memory>

namespace butler {

struct RawResponse
{
    bool complete = false;
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray& name) const
    {
        for (const auto& [key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    bool hasHeader(const QByteArray& name) const
    {
        for (const auto& [key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
};

class RawHttpClient
{
public:
    explicit RawHttpClient(int timeoutMs = 10000)
        : m_socket(std::make_unique<QTcpSocket>())
        , m_timeoutMs(timeoutMs)
    {
    }

    bool connectTo(quint16 port)
    {
        m_socket->connectToHost(QHostAddress::LocalHost, port);
        return m_socket->waitForConnected(m_timeoutMs);
    }

    void send(const QByteArray& bytes)
    {
        m_socket->write(bytes);
        while (m_socket->bytesToWrite() > 0 && m_socket->waitForBytesWritten(m_timeoutMs)) {
        }
    }

    QTcpSocket& socket() { return *m_socket; }
    QByteArray& buffered() { return m_buffer; }

    // Reads until at least `size` bytes are buffered, or the peer closed, or the timeout.
    bool fill(qsizetype size, QDeadlineTimer deadline)
    {
        while (m_buffer.size() < size) {
            if (!readSome(deadline))
                return false;
        }
        return true;
    }

    // Reads one answer. `headRequest`: the answer has no body whatever its headers say.
    RawResponse readResponse(bool headRequest = false)
    {
        QDeadlineTimer deadline(m_timeoutMs);
        RawResponse response;
        qsizetype end = -1;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!readSome(deadline))
                return response;
        }
        const QList<QByteArray> lines = m_buffer.first(end).split('\n');
        m_buffer.remove(0, end + 4);
        const QList<QByteArray> statusParts = lines.first().trimmed().split(' ');
        if (statusParts.size() < 2 || !statusParts[0].startsWith("HTTP/1."))
            return response;
        response.status = statusParts[1].toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                response.headers.append({line.first(colon), line.sliced(colon + 1).trimmed()});
        }
        if (response.status < 200) { // interim answer: complete as it is
            response.complete = true;
            return response;
        }
        if (headRequest || response.status == 204 || response.status == 304) {
            response.complete = true;
            return response;
        }
        if (response.header("Transfer-Encoding").toLower() == "chunked") {
            for (;;) {
                qsizetype lineEnd;
                while ((lineEnd = m_buffer.indexOf("\r\n")) < 0) {
                    if (!readSome(deadline))
                        return response;
                }
                bool ok = false;
                const qint64 size = m_buffer.first(lineEnd).toLongLong(&ok, 16);
                if (!ok)
                    return response;
                if (!fill(lineEnd + 2 + size + 2, deadline))
                    return response;
                response.body += m_buffer.sliced(lineEnd + 2, size);
                m_buffer.remove(0, lineEnd + 2 + size + 2);
                if (size == 0)
                    break;
            }
            response.complete = true;
            return response;
        }
        if (response.hasHeader("Content-Length")) {
            const qint64 length = response.header("Content-Length").toLongLong();
            if (!fill(length, deadline))
                return response;
            response.body = m_buffer.first(length);
            m_buffer.remove(0, length);
            response.complete = true;
            return response;
        }
        // Delimited by the end of the connection.
        while (readSome(deadline)) {
        }
        response.body = m_buffer;
        m_buffer.clear();
        response.complete = m_socket->state() != QAbstractSocket::ConnectedState;
        return response;
    }

    // True once the server closed the connection (EOF or reset) within the timeout.
    bool waitForClose(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (readSome(deadline)) {
        }
        return m_socket->state() != QAbstractSocket::ConnectedState || !m_socket->isValid();
    }

    bool isOpen() const { return m_socket->state() == QAbstractSocket::ConnectedState; }

private:
    bool readSome(QDeadlineTimer deadline)
    {
        if (m_socket->bytesAvailable() > 0) {
            m_buffer += m_socket->readAll();
            return true;
        }
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            return false;
        const qint64 left = deadline.remainingTime();
        if (left == 0)
            return false;
        if (!m_socket->waitForReadyRead(int(left < 0 ? m_timeoutMs : left))) {
            if (m_socket->bytesAvailable() > 0) {
                m_buffer += m_socket->readAll();
                return true;
            }
            return false;
        }
        m_buffer += m_socket->readAll();
        return true;
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
    int m_timeoutMs;
};

} // namespace butler
