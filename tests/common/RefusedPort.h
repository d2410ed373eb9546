#pragma once

// A loopback port where nothing listens, kept that way while the object lives: a TCP socket
// bound to it without listening and without address sharing. Connecting is refused, and no other
// process can take the port meanwhile. A port found free and closed again can be handed to a
// test running in parallel, which then answers in place of the refusal.

#include <QHostAddress>
#include <QTcpSocket>

class RefusedPort
{
public:
    RefusedPort()
    {
        if (!m_socket.bind(QHostAddress::LocalHost, 0, QAbstractSocket::DontShareAddress))
            qFatal("cannot bind a loopback port: %s", qPrintable(m_socket.errorString()));
    }

    quint16 port() const { return m_socket.localPort(); }

private:
    QTcpSocket m_socket;
};
