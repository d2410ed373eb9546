#include "ProgressBar.h"

#include <QMutexLocker>

#include <algorithm>

#include <sys/ioctl.h>
#include <unistd.h>

namespace butler {

namespace {

constexpr qint64 kRedrawIntervalMs = 100;
constexpr int kMinBarWidth = 10;
constexpr int kMaxBarWidth = 40;

bool isTerminal(FILE* stream)
{
    const int fd = stream ? fileno(stream) : -1;
    return fd >= 0 && isatty(fd);
}

int terminalColumns(FILE* stream)
{
    winsize size{};
    if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

} // namespace

ProgressBar::ProgressBar(QString label, qint64 total, FILE* stream)
    : m_label(std::move(label))
    , m_total(total)
    , m_stream(stream)
{
    m_enabled = isTerminal(stream) && (stream == stdout || isTerminal(stdout));
    if (m_enabled)
        m_width = terminalColumns(stream);
    m_started.start();
}

ProgressBar::~ProgressBar()
{
    finish();
}

void ProgressBar::setEnabled(bool enabled)
{
    QMutexLocker lock(&m_mutex);
    m_enabled = enabled && m_stream;
}

bool ProgressBar::isEnabled() const
{
    QMutexLocker lock(&m_mutex);
    return m_enabled;
}

void ProgressBar::setTotal(qint64 total)
{
    QMutexLocker lock(&m_mutex);
    m_total = total;
}

void ProgressBar::setWidth(int columns)
{
    QMutexLocker lock(&m_mutex);
    m_width = std::max(columns, 20);
}

qint64 ProgressBar::current() const
{
    QMutexLocker lock(&m_mutex);
    return m_current;
}

qint64 ProgressBar::total() const
{
    QMutexLocker lock(&m_mutex);
    return m_total;
}

void ProgressBar::advance(qint64 n)
{
    QMutexLocker lock(&m_mutex);
    m_current += n;
    if (!m_enabled || m_finished)
        return;
    if (!m_lastDraw.isValid() || m_lastDraw.elapsed() >= kRedrawIntervalMs)
        drawLocked(false);
}

void ProgressBar::finish()
{
    QMutexLocker lock(&m_mutex);
    if (m_finished)
        return;
    m_finished = true;
    if (!m_enabled)
        return;
    drawLocked(true);
    std::fputc('\n', m_stream);
    std::fflush(m_stream);
}

QString ProgressBar::render(qint64 elapsedMs, bool finished) const
{
    QMutexLocker lock(&m_mutex);
    return renderLocked(elapsedMs, finished);
}

void ProgressBar::drawLocked(bool finished)
{
    const QString line = renderLocked(m_started.elapsed(), finished);
    QByteArray bytes = "\r" + line.toUtf8();
    // Blank out what is left of a longer previous line.
    if (line.size() < m_lastLength)
        bytes.append(QByteArray(m_lastLength - line.size(), ' '));
    m_lastLength = line.size();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), m_stream);
    std::fflush(m_stream);
    m_lastDraw.start();
}

QString ProgressBar::renderLocked(qint64 elapsedMs, bool finished) const
{
    // A finished operation always has a rate; a running one needs some elapsed time first.
    const qint64 rateMs = finished ? std::max<qint64>(elapsedMs, 1) : elapsedMs;
    const bool haveRate = rateMs > 0 && m_current > 0;
    const double rate = haveRate ? double(m_current) * 1000.0 / double(rateMs) : 0.0;
    const QString rateText = !haveRate ? QStringLiteral("--/s")
                             : m_bytes ? formatBytes(rate) + QStringLiteral("/s")
                                       : formatRate(rate);
    const auto amount = [this](qint64 n) { return m_bytes ? formatBytes(double(n)) : QString::number(n); };

    QString timeText;
    if (finished) {
        timeText = QStringLiteral("in ") + formatDuration((elapsedMs + 500) / 1000);
    } else if (m_total > 0 && haveRate) {
        const double remaining = double(std::max<qint64>(m_total - m_current, 0)) / rate;
        timeText = QStringLiteral("ETA ") + formatDuration(qint64(remaining + 0.5));
    } else if (m_total > 0) {
        timeText = QStringLiteral("ETA --:--");
    }

    if (m_total <= 0) {
        QString line = m_label + QLatin1Char(' ') + amount(m_current) + QLatin1Char(' ') + rateText;
        if (!timeText.isEmpty())
            line += QLatin1Char(' ') + timeText;
        return line;
    }

    const qint64 done = std::min(m_current, m_total);
    const int percent = int(done * 100 / m_total);
    const QString tail = QStringLiteral("%1% %2/%3 %4 %5")
                             .arg(percent, 3)
                             .arg(amount(m_current), amount(m_total), rateText, timeText);
    // The line stays one column short of the terminal width so that it never wraps.
    const int available = m_width - 1 - int(m_label.size()) - int(tail.size()) - 4;
    const int barWidth = std::clamp(available, kMinBarWidth, kMaxBarWidth);
    const int filled = int(done * barWidth / m_total);
    QString bar(barWidth, QLatin1Char(' '));
    for (int i = 0; i < filled; ++i)
        bar[i] = QLatin1Char('=');
    if (filled < barWidth && filled > 0)
        bar[filled - 1] = QLatin1Char('>');
    return m_label + QStringLiteral(" [") + bar + QStringLiteral("] ") + tail;
}

QString ProgressBar::formatDuration(qint64 seconds)
{
    seconds = std::max<qint64>(seconds, 0);
    const qint64 hours = seconds / 3600;
    const qint64 minutes = (seconds / 60) % 60;
    const qint64 secs = seconds % 60;
    const QLatin1Char zero('0');
    if (hours > 0)
        return QStringLiteral("%1:%2:%3").arg(hours).arg(minutes, 2, 10, zero).arg(secs, 2, 10, zero);
    return QStringLiteral("%1:%2").arg(minutes).arg(secs, 2, 10, zero);
}

QString ProgressBar::formatRate(double perSecond)
{
    if (perSecond >= 1e6)
        return QString::number(perSecond / 1e6, 'f', 1) + QStringLiteral("M/s");
    if (perSecond >= 1e3)
        return QString::number(perSecond / 1e3, 'f', 1) + QStringLiteral("k/s");
    return QString::number(perSecond, 'f', 1) + QStringLiteral("/s");
}

QString ProgressBar::formatBytes(double bytes)
{
    if (bytes >= 1024.0 * 1024 * 1024)
        return QString::number(bytes / (1024.0 * 1024 * 1024), 'f', 1) + QStringLiteral(" GiB");
    if (bytes >= 1024.0 * 1024)
        return QString::number(bytes / (1024.0 * 1024), 'f', 1) + QStringLiteral(" MiB");
    if (bytes >= 1024.0)
        return QString::number(bytes / 1024.0, 'f', 1) + QStringLiteral(" KiB");
    return QString::number(qint64(bytes)) + QStringLiteral(" B");
}

void ProgressBar::setByteUnits(bool bytes)
{
    QMutexLocker lock(&m_mutex);
    m_bytes = bytes;
}

} // namespace butler
