#include "HttpAcceptor.h"

#include "HttpListener.h"

namespace butler {

HttpAcceptor::HttpAcceptor(HttpListener* listener)
    : QTcpServer(listener)
    , m_listener(listener)
{
}

void HttpAcceptor::incomingConnection(qintptr descriptor)
{
    m_listener->accept(descriptor);
}

} // namespace butler
