#pragma once

#include <QElapsedTimer>
#include <QMutex>
#include <QString>

#include <cstdio>

namespace butler {

// A one-line terminal progress bar for long operations (ingest, import, retrieve):
//
//   ingest [==========>              ]  42% 420/1000 35.0/s ETA 0:16
//
// It draws only on a terminal: by default it is enabled when `stream` is a terminal and so is
// stdout (CLI.md: stay quiet when output is piped or redirected); setEnabled() overrides that,
// which is how tests capture it. It redraws at most ten times a second, so advance() is cheap
// enough to call per file or per chunk, and may be called from several threads.
//
// finish() draws the final line and ends it with a newline; the destructor calls it, so an
// error message printed after an aborted operation starts on a line of its own. A total of
// zero or less means "unknown": the bar then shows only the count and the rate.
class ProgressBar
{
public:
    ProgressBar(QString label, qint64 total, FILE* stream = stderr);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // Counts bytes: amounts and the rate are shown as sizes ("12.0 MiB/100.0 MiB 35.0 MiB/s").
    void setByteUnits(bool bytes);
    void setEnabled(bool enabled);
    bool isEnabled() const;
    void setTotal(qint64 total);
    // Width of the drawn line in characters; taken from the terminal when there is one, else 80.
    void setWidth(int columns);

    void advance(qint64 n = 1);
    void finish();

    qint64 current() const;
    qint64 total() const;

    // The line the bar would draw after `elapsedMs` milliseconds, without the carriage return;
    // with `finished` the ETA is replaced by the elapsed time.
    QString render(qint64 elapsedMs, bool finished = false) const;

    // "0:07", "12:30", "1:02:03".
    static QString formatDuration(qint64 seconds);
    // "0.5/s", "35.0/s", "1.2k/s", "3.4M/s".
    static QString formatRate(double perSecond);
    // "512 B", "1.5 KiB", "12.0 MiB".
    static QString formatBytes(double bytes);

private:
    void drawLocked(bool finished);
    QString renderLocked(qint64 elapsedMs, bool finished) const;

    mutable QMutex m_mutex;
    QString m_label;
    qint64 m_total = 0;
    qint64 m_current = 0;
    FILE* m_stream = nullptr;
    bool m_enabled = false;
    bool m_finished = false;
    bool m_bytes = false;
    int m_width = 80;
    qsizetype m_lastLength = 0;
    QElapsedTimer m_started;
    QElapsedTimer m_lastDraw;
};

} // namespace butler
