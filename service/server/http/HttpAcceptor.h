#pragma once

#include <QTcpServer>

namespace butler {

class HttpListener;

// The QTcpServer bound to a listener thread's QHttpServer. Accepted descriptors go to the
// listener, which wraps them in a connection and offers QHttpServer that connection's feed
// socket instead of the real one.
class HttpAcceptor : public QTcpServer
{
    Q_OBJECT

public:
    explicit HttpAcceptor(HttpListener* listener);

    void offer(QTcpSocket* socket) { addPendingConnection(socket); }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    HttpListener* m_listener;
};

} // namespace butler
