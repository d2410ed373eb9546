#pragma once

#include <QTcpServer>

namespace butler {

class HttpListener;

// The listening socket of one listener thread. Accepted descriptors go to the listener, which
// wraps each in a connection.
class HttpAcceptor : public QTcpServer
{
    Q_OBJECT

public:
    explicit HttpAcceptor(HttpListener* listener);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    HttpListener* m_listener;
};

} // namespace butler
