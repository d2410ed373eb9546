// Answers written by the thread that computed them: a worker's send() goes to the socket
// itself, without waiting for the connection's listener thread, and the connection still keeps
// its order, its limits and its bookkeeping. Real sockets on 127.0.0.1, raw clients.

#include "HttpReply.h"
#include "HttpRequest.h"
#include "HttpServerHost.h"
#include "RawHttpClient.h"
#include "TestHost.h"

#include <QSemaphore>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <atomic>
#include <mutex>

using namespace butler;

namespace {

HttpLimits oneListener()
{
    HttpLimits limits;
    limits.threads = 1;
    return limits;
}

QByteArray get(const QByteArray& path, const QByteArray& method = "GET")
{
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

// Where and how a request ended, as onFinished() reported it. Shared with the callback, which
// may run after a failed test has returned.
class Finished
{
public:
    struct Report
    {
        QThread* thread = nullptr;
        int status = 0;
        qint64 bytes = -1;
    };

    void watch(const std::shared_ptr<HttpReply>& reply)
    {
        reply->onFinished([state = m_state](int status, qint64 bytes) {
            std::lock_guard lock(state->mutex);
            state->report = {QThread::currentThread(), status, bytes};
        });
    }
    Report report() const
    {
        std::lock_guard lock(m_state->mutex);
        return m_state->report;
    }
    int status() const { return report().status; }

private:
    struct State
    {
        std::mutex mutex;
        Report report;
    };
    std::shared_ptr<State> m_state = std::make_shared<State>();
};

// What a test and its handlers and workers share; held by all of them, so that a failed test
// that returns early leaves nothing dangling.
struct Shared
{
    QSemaphore go;
    QSemaphore unblock;
    std::atomic<bool> flag{false};
    std::atomic<QThread*> worker{nullptr};
};

// Polls without running the test thread's event loop, which would let the client's socket
// read ahead.
bool waitFor(const std::atomic<bool>& flag, int timeoutMs = 10000)
{
    for (int waited = 0; !flag.load(); waited += 2) {
        if (waited > timeoutMs)
            return false;
        QThread::msleep(2);
    }
    return true;
}

} // namespace

class tst_HttpDirect : public QObject
{
    Q_OBJECT

private:
    bool start(HttpHandler handler, const HttpLimits& limits = oneListener())
    {
        m_port = startTestHost(m_host, limits, std::move(handler));
        return m_port != 0;
    }

    std::unique_ptr<HttpServerHost> m_host;
    quint16 m_port = 0;
    QThreadPool m_pool;

private slots:
    void cleanup()
    {
        m_pool.waitForDone();
        m_host.reset();
    }

    void answerArrivesWhileListenerIsBusy()
    {
        // One listener thread. While its handler for /block holds it, a worker answers /work:
        // the answer reaches the client only if the worker writes it itself.
        auto shared = std::make_shared<Shared>();
        QVERIFY(start([this, shared](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            if (request.url().path() == QStringLiteral("/block")) {
                shared->flag.store(true);
                shared->unblock.tryAcquire(1, 10000);
                reply->send(200, "text/plain", "unblocked");
                return;
            }
            m_pool.start([shared, reply] {
                shared->go.tryAcquire(1, 10000);
                reply->addHeader("X-Worker", "yes");
                reply->send(200, "text/plain", "from the worker");
            });
        }));
        RawHttpClient working(5000); // well before the listener is released
        RawHttpClient blocker;
        QVERIFY(working.connectTo(m_port));
        QVERIFY(blocker.connectTo(m_port));
        working.send(get("/work"));
        QTRY_VERIFY(m_host->stats().inFlight == 1); // with the worker
        blocker.send(get("/block"));
        QVERIFY(waitFor(shared->flag));

        shared->go.release();
        const RawResponse response = working.readResponse();
        shared->unblock.release();
        QVERIFY(response.complete);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("from the worker"));
        QCOMPARE(response.header("X-Worker"), QByteArray("yes"));
        QCOMPARE(response.header("Content-Length"), QByteArray("15"));

        QCOMPARE(blocker.readResponse().body, QByteArray("unblocked"));
        // The connection went on: its next request is read and answered as usual.
        working.send(get("/work"));
        shared->go.release();
        QCOMPARE(working.readResponse().body, QByteArray("from the worker"));
        QVERIFY(m_host->waitForIdle(5000));
        QCOMPARE(m_host->stats().inFlight, 0);
    }

    void finishReportedOnTheWritingThread()
    {
        Finished finished;
        auto shared = std::make_shared<Shared>();
        QVERIFY(start(
            [this, finished, shared](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) mutable {
                finished.watch(reply);
                m_pool.start([shared, reply] {
                    shared->worker.store(QThread::currentThread());
                    reply->send(201, "text/plain", "made");
                });
            }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/make"));
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 201);
        QTRY_COMPARE(finished.status(), 201);
        const Finished::Report report = finished.report();
        QCOMPARE(report.bytes, 4);
        QVERIFY(report.thread != nullptr);
        QCOMPARE(report.thread, shared->worker.load());
    }

    void headAndEmptyAnswersFromWorker()
    {
        QVERIFY(start([this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            const QString path = request.url().path();
            m_pool.start([reply, path] {
                if (path == QStringLiteral("/none"))
                    reply->sendEmpty(204);
                else
                    reply->send(200, "text/plain", "hello world");
            });
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/file", "HEAD"));
        RawResponse response = client.readResponse(true);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Content-Length"), QByteArray("11"));
        client.send(get("/none"));
        response = client.readResponse();
        QCOMPARE(response.status, 204);
        QVERIFY(!response.hasHeader("Content-Length"));
        // Had either answer carried a body, its bytes would come before this status line.
        client.send(get("/file"));
        response = client.readResponse();
        QCOMPARE(response.body, QByteArray("hello world"));
        QVERIFY(client.buffered().isEmpty());
    }

    void pipelinedDirectAnswersInOrder()
    {
        QVERIFY(start([this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            const QString path = request.url().path();
            const int delay = path == QStringLiteral("/slow") ? 100 : path == QStringLiteral("/mid") ? 20 : 0;
            m_pool.start([reply, delay, path] {
                QThread::msleep(delay);
                reply->send(200, "text/plain", path.mid(1).toUtf8());
            });
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/slow") + get("/fast") + get("/mid") + get("/fast") + get("/last"));
        const QList<QByteArray> expected{"slow", "fast", "mid", "fast", "last"};
        for (const QByteArray& body : expected) {
            const RawResponse response = client.readResponse();
            QVERIFY(response.complete);
            QCOMPARE(response.body, body);
        }
        QVERIFY(client.buffered().isEmpty());
    }

    void largeAnswerToAClientNotReading()
    {
        // More than the kernel's buffers on both ends hold: the worker writes what fits and the
        // listener thread the rest, as the client takes it; the next answer waits its turn.
        const QByteArray big = [] {
            QByteArray data(48 * 1024 * 1024, Qt::Uninitialized);
            for (qsizetype i = 0; i < data.size(); ++i)
                data[i] = char('a' + (i * 7 + i / 4096) % 26);
            return data;
        }();
        Finished finished;
        auto shared = std::make_shared<Shared>();
        QVERIFY(start([this, big, finished, shared](const HttpRequest& request,
                                                    const std::shared_ptr<HttpReply>& reply) mutable {
            const bool large = request.url().path() == QStringLiteral("/big");
            if (large)
                finished.watch(reply);
            m_pool.start([big, shared, reply, large] {
                if (large)
                    shared->worker.store(QThread::currentThread());
                reply->send(200, "application/octet-stream", large ? big : QByteArray("small"));
                if (large)
                    shared->flag.store(true);
            });
        }));
        RawHttpClient client(30000);
        QVERIFY(client.connectTo(m_port));
        client.send(get("/big") + get("/small"));
        QVERIFY(waitFor(shared->flag)); // the worker's send() returned before the client read a byte
        RawResponse response = client.readResponse();
        QVERIFY(response.complete);
        QCOMPARE(response.body.size(), big.size());
        QVERIFY(response.body == big);
        response = client.readResponse();
        QCOMPARE(response.body, QByteArray("small"));
        QTRY_COMPARE(finished.status(), 200);
        const Finished::Report report = finished.report();
        QCOMPARE(report.bytes, big.size());
        QVERIFY(report.thread != shared->worker.load()); // the listener finished it
    }

    void clientGoneBeforeTheWorkerAnswers()
    {
        Finished finished;
        auto shared = std::make_shared<Shared>();
        QVERIFY(start([this, finished, shared](const HttpRequest& request,
                                               const std::shared_ptr<HttpReply>& reply) mutable {
            if (request.url().path() != QStringLiteral("/hold")) {
                reply->send(200, "text/plain", "still here");
                return;
            }
            finished.watch(reply);
            m_pool.start([shared, reply] {
                shared->go.tryAcquire(1, 10000);
                reply->send(200, "text/plain", "too late");
                shared->flag.store(true);
            });
        }));
        {
            RawHttpClient client;
            QVERIFY(client.connectTo(m_port));
            client.send(get("/hold"));
            QTRY_COMPARE(m_host->stats().inFlight, 1);
            client.socket().abort();
        }
        QTRY_COMPARE(m_host->stats().openConnections, 0);
        shared->go.release();
        QVERIFY(waitFor(shared->flag));
        QCOMPARE(finished.status(), 499);
        QVERIFY(m_host->waitForIdle(5000));

        RawHttpClient next;
        QVERIFY(next.connectTo(m_port));
        next.send(get("/other"));
        QCOMPARE(next.readResponse().body, QByteArray("still here"));
    }

    void answeredTwiceOnlyOnce()
    {
        QVERIFY(start([this](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) {
            m_pool.start([reply] {
                reply->send(200, "text/plain", "first");
                reply->send(500, "text/plain", "second");
            });
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/a"));
        QCOMPARE(client.readResponse().body, QByteArray("first"));
        client.send(get("/b"));
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("first"));
        QVERIFY(client.buffered().isEmpty());
    }

    void drainingClosesAfterTheDirectAnswer()
    {
        auto shared = std::make_shared<Shared>();
        QVERIFY(start([this, shared](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) {
            m_pool.start([shared, reply] {
                shared->go.tryAcquire(1, 10000);
                reply->send(200, "text/plain", "finally");
            });
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/hold"));
        QTRY_COMPARE(m_host->stats().inFlight, 1);
        m_host->stopAccepting();
        shared->go.release();
        const RawResponse response = client.readResponse();
        QCOMPARE(response.body, QByteArray("finally"));
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose(5000));
        QVERIFY(m_host->waitForIdle(5000));
    }
};

QTEST_GUILESS_MAIN(tst_HttpDirect)
#include "tst_httpdirect.moc"
