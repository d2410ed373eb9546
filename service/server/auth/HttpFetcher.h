#pragma once

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

class QThread;

namespace butler {

// What an HTTP exchange gave: the status and body, or a transport error.
struct HttpAnswer
{
    int status = 0; // 0 when no HTTP answer arrived
    QByteArray body;
    QString error; // transport failure (refused, timeout, shutting down); empty otherwise

    bool ok() const { return error.isEmpty(); }
};

// The HTTP client of the auth library: one thread with its own QNetworkAccessManager, so that
// the listener threads that verify tokens can all fetch keys and ask introspection endpoints
// without a network manager each and without blocking their event loops. Callers get a future
// (co_await it with QCoro) or a callback that runs on the fetch thread. Every request ends with
// exactly one answer, also when the fetcher is destroyed while it is in flight.
class HttpFetcher
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;
    using Callback = std::function<void(const HttpAnswer&)>;

    explicit HttpFetcher(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~HttpFetcher();
    HttpFetcher(const HttpFetcher&) = delete;
    HttpFetcher& operator=(const HttpFetcher&) = delete;

    void get(const QUrl& url, Callback done);
    void post(const QUrl& url, const QByteArray& body, const Headers& headers, Callback done);
    QFuture<HttpAnswer> get(const QUrl& url);
    QFuture<HttpAnswer> post(const QUrl& url, const QByteArray& body, const Headers& headers);

private:
    class Worker;

    void send(const QUrl& url, bool isPost, const QByteArray& body, const Headers& headers, Callback done);
    static QFuture<HttpAnswer> toFuture(const std::function<void(Callback)>& start);

    std::unique_ptr<QThread> m_thread;
    Worker* m_worker = nullptr; // lives in m_thread
    std::chrono::milliseconds m_timeout;
};

} // namespace butler
