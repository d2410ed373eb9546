#pragma once

// Starting the HTTP front for a test: 127.0.0.1 on a port the system chooses.

#include "HttpServerHost.h"

#include <QDebug>

#include <memory>

namespace butler {

// Makes host and starts it listening; the port, or 0 (and a warning saying why) on failure.
inline quint16 startTestHost(std::unique_ptr<HttpServerHost>& host, const HttpLimits& limits,
                             HttpHandler handler)
{
    host = std::make_unique<HttpServerHost>(limits, std::move(handler));
    const Result<quint16> port = host->listen(QHostAddress::LocalHost, 0);
    if (!port.ok()) {
        qWarning() << port.error().message();
        return 0;
    }
    return *port;
}

} // namespace butler
