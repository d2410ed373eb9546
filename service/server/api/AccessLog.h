#pragma once

#include <QByteArray>

namespace butler {

// The per-request log line of butler-server, written straight to stderr: at tens of thousands
// of requests a second, Qt's message handler (pattern formatting, locking, a flush per line)
// costs a third of a hello request. Lines keep the format of the other log lines:
// "<UTC time> INFO butler.server.access <message>".
class AccessLog
{
public:
    // True when the butler.server.access category logs at info level.
    static bool enabled();
    static void write(const QByteArray& message);
};

} // namespace butler
