#include "AccessLog.h"

#include <QLoggingCategory>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcServerAccessLog, "butler.server.access")

namespace butler {

bool AccessLog::enabled()
{
    return lcServerAccessLog().isInfoEnabled();
}

void AccessLog::appendInteger(QByteArray& line, qint64 value)
{
    char buffer[24];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    line.append(buffer, end - buffer);
}

void AccessLog::appendMilliseconds(QByteArray& line, qint64 nanoseconds)
{
    const qint64 hundredths = (std::max<qint64>(0, nanoseconds) + 5'000) / 10'000;
    appendInteger(line, hundredths / 100);
    const char decimals[] = {'.', char('0' + hundredths % 100 / 10), char('0' + hundredths % 10), 'm', 's'};
    line.append(decimals, sizeof decimals);
}

void AccessLog::write(const QByteArray& message)
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    // The formatted second is cached per thread: it changes once a second, lines come faster.
    thread_local time_t cachedSecond = -1;
    thread_local char secondText[32] = {};
    if (now.tv_sec != cachedSecond) {
        tm parts{};
        gmtime_r(&now.tv_sec, &parts);
        strftime(secondText, sizeof secondText, "%Y-%m-%dT%H:%M:%S", &parts);
        cachedSecond = now.tv_sec;
    }
    char millis[8];
    const int millisLength = snprintf(millis, sizeof millis, ".%03ld", now.tv_nsec / 1000000);
    QByteArray line;
    line.reserve(message.size() + 64);
    line.append(secondText).append(millis, millisLength).append(" INFO butler.server.access ");
    const qsizetype start = line.size();
    line.append(message);
    // Paths and names come from clients: no control characters, so no forged log lines.
    for (qsizetype i = start; i < line.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(line.at(i));
        if (c < 0x20 || c == 0x7f)
            line[i] = '?';
    }
    line.append('\n');
    // One write per line: lines from several threads never interleave (stderr is unbuffered).
    const char* data = line.constData();
    qsizetype left = line.size();
    while (left > 0) {
        const ssize_t written = ::write(STDERR_FILENO, data, size_t(left));
        if (written <= 0)
            return;
        data += written;
        left -= written;
    }
}

} // namespace butler
