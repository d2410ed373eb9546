#include "HttpFetcher.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QThread>

namespace butler {

namespace {

// JWKS documents and introspection answers are small; anything bigger is refused unread.
constexpr qint64 MaxAnswerBytes = 1 << 20;

} // namespace

// Owns the network manager and the callbacks of the requests in flight; used on its thread only.
class HttpFetcher::Worker : public QObject
{
public:
    void start(const QNetworkRequest& request, bool isPost, const QByteArray& body, Callback done)
    {
        if (m_closed) {
            done(HttpAnswer{0, {}, QStringLiteral("the HTTP client is shutting down")});
            return;
        }
        if (!m_nam)
            m_nam = new QNetworkAccessManager(this);
        QNetworkReply* reply = isPost ? m_nam->post(request, body) : m_nam->get(request);
        m_pending.insert(reply, std::move(done));
        QObject::connect(reply, &QNetworkReply::downloadProgress, reply,
                         [reply](qint64 received, qint64 total) {
                             if (received > MaxAnswerBytes || total > MaxAnswerBytes) {
                                 reply->setProperty("butlerTooLarge", true);
                                 reply->abort();
                             }
                         });
        QObject::connect(reply, &QNetworkReply::finished, this, [this, reply] { finish(reply); });
    }

    void shutdown()
    {
        m_closed = true;
        const auto pending = m_pending.keys();
        for (QNetworkReply* reply : pending)
            reply->abort(); // emits finished, which answers the caller
        const auto left = std::exchange(m_pending, {});
        for (auto it = left.begin(); it != left.end(); ++it)
            it.value()(HttpAnswer{0, {}, QStringLiteral("the HTTP client is shutting down")});
        delete m_nam;
        m_nam = nullptr;
    }

private:
    void finish(QNetworkReply* reply)
    {
        reply->deleteLater();
        Callback done = m_pending.take(reply);
        if (!done)
            return;
        HttpAnswer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->property("butlerTooLarge").toBool()) {
            answer.error = QStringLiteral("answer larger than %1 bytes").arg(MaxAnswerBytes);
        } else if (m_closed) {
            answer.error = QStringLiteral("the HTTP client is shutting down");
        } else if (reply->error() == QNetworkReply::OperationCanceledError) {
            answer.error = QStringLiteral("no answer within %1 ms").arg(reply->request().transferTimeout());
        } else if (reply->error() != QNetworkReply::NoError && answer.status == 0) {
            answer.error = reply->errorString();
        } else {
            answer.body = reply->readAll();
        }
        done(answer);
    }

    QNetworkAccessManager* m_nam = nullptr;
    QHash<QNetworkReply*, Callback> m_pending;
    bool m_closed = false;
};

HttpFetcher::HttpFetcher(std::chrono::milliseconds timeout)
    : m_thread(std::make_unique<QThread>())
    , m_worker(new Worker)
    , m_timeout(timeout)
{
    m_thread->setObjectName(QStringLiteral("butler-auth-http"));
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

HttpFetcher::~HttpFetcher()
{
    Worker* worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void HttpFetcher::get(const QUrl& url, Callback done)
{
    send(url, false, {}, {}, std::move(done));
}

void HttpFetcher::post(const QUrl& url, const QByteArray& body, const Headers& headers, Callback done)
{
    send(url, true, body, headers, std::move(done));
}

QFuture<HttpAnswer> HttpFetcher::get(const QUrl& url)
{
    return toFuture([this, url](Callback done) { get(url, std::move(done)); });
}

QFuture<HttpAnswer> HttpFetcher::post(const QUrl& url, const QByteArray& body, const Headers& headers)
{
    return toFuture([this, url, body, headers](Callback done) { post(url, body, headers, std::move(done)); });
}

void HttpFetcher::send(const QUrl& url, bool isPost, const QByteArray& body, const Headers& headers,
                       Callback done)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(int(m_timeout.count()));
    // Keys and introspection answers come from the configured URL only, never from a redirect.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    for (const auto& [name, value] : headers)
        request.setRawHeader(name, value);
    // Every request is answered exactly once: a callback dropped unanswered (the fetch thread
    // already gone) answers with an error, so no caller and no future waits forever.
    struct Once
    {
        Callback callback;
        void operator()(const HttpAnswer& answer)
        {
            if (Callback c = std::exchange(callback, {}))
                c(answer);
        }
        ~Once() { (*this)(HttpAnswer{0, {}, QStringLiteral("the request was dropped")}); }
    };
    auto once = std::make_shared<Once>();
    once->callback = std::move(done);
    Worker* worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, request, isPost, body, once] {
        worker->start(request, isPost, body, [once](const HttpAnswer& answer) { (*once)(answer); });
    });
}

QFuture<HttpAnswer> HttpFetcher::toFuture(const std::function<void(Callback)>& start)
{
    auto promise = std::make_shared<QPromise<HttpAnswer>>();
    promise->start();
    QFuture<HttpAnswer> future = promise->future();
    start([promise](const HttpAnswer& answer) {
        promise->addResult(answer);
        promise->finish();
    });
    return future;
}

} // namespace butler
