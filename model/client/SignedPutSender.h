#pragma once

#include "Result.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <functional>
#include <vector>

namespace butler {

// Sends files to signed plain-http PUT URLs of one server over a few persistent HTTP/1.1
// connections, one thread each, with plain sockets: per file one write of the request head,
// sendfile(2) of the body and one read of the answer. QNetworkAccessManager spends about 250
// system calls per small upload (16 KiB writes, wake-ups between its thread and the caller's);
// this spends about six, which is what lets a thousand small files go up at disk speed.
// HTTPS URLs are not taken (supports() says so): they go through QNetworkAccessManager.
class SignedPutSender
{
public:
    struct File
    {
        QUrl url;
        QString path;
        qint64 size = 0;
    };

    // What the server's answer says it received of a file; empty fields when it named none or
    // the file was not sent.
    struct Received
    {
        QString checksum; // "sha256:<hex>"
        QString xxh128;   // hex
    };

    // Plain http, and every file to the same host and port.
    static bool supports(const QList<File>& files);

    SignedPutSender(QList<File> files, int connections, std::chrono::milliseconds timeout);

    // Blocking. Stops at the first failure (the other connections finish the file they are
    // sending) and returns it; sent(i) is called, on a sending thread, when file i arrived.
    Status run(const std::function<void(qsizetype)>& sent);
    // After run(): what the server answered for file i.
    const Received& received(qsizetype i) const { return m_received[size_t(i)]; }
    // From any thread: no new file is started.
    void cancel() { m_cancelled.store(true); }

private:
    struct Connection;
    Status sendOne(Connection& connection, const File& file, Received* received);
    void work(const std::function<void(qsizetype)>& sent);

    QList<File> m_files;
    std::vector<Received> m_received; // each written by the thread that sent its file
    int m_connections;
    std::chrono::milliseconds m_timeout;
    QByteArray m_host; // "host:port" for the Host header
    std::atomic<qsizetype> m_next{0};
    std::atomic<bool> m_cancelled{false};
    std::atomic<bool> m_failed{false};
    Error m_firstError; // guarded by m_failed's first setter
};

} // namespace butler
