#pragma once

#include <QByteArray>
#include <QPointer>
#include <QTcpSocket>

namespace butler {

class HttpConnection;

// The socket QHttpServer sees. It has no descriptor of its own: the connection reads the real
// socket, validates and frames each request, and feeds exactly one complete request at a time
// into this device, where Qt's parser reads it and calls the missing handler. Answers never go
// through it; bytes Qt writes here are dropped.
class HttpFeedSocket : public QTcpSocket
{
    Q_OBJECT

public:
    HttpFeedSocket(HttpConnection* connection, const QTcpSocket& real);
    ~HttpFeedSocket() override;

    HttpConnection* connection() const { return m_connection; }

    // Makes head + body readable and lets Qt's parser run (synchronously, through readyRead).
    void feed(QByteArray head, QByteArray body);
    // Bytes fed but not read by Qt.
    qint64 unreadBytes() const;
    void discardUnread();
    // The connection is gone: nothing more to read, and Qt's later calls do nothing.
    void detach();

    qint64 bytesAvailable() const override;
    // Qt gives up on a request it cannot parse this way.
    void disconnectFromHost() override;

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 size) override;

private:
    QPointer<HttpConnection> m_connection;
    QByteArray m_head;
    QByteArray m_body;
    qint64 m_position = 0; // into head, then body
};

} // namespace butler
