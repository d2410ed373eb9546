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

    // Appends "12.34ms" (rounded to hundredths; negative as 0) and a decimal integer, in
    // integer arithmetic: QByteArray::number() of a double costs about a thousand instructions.
    static void appendMilliseconds(QByteArray& line, qint64 nanoseconds);
    static void appendInteger(QByteArray& line, qint64 value);
};

} // namespace butler
