// The HTTP front serving well-behaved clients: answers now and later, from other threads,
// streamed and raw; HEAD, pipelining, Connection: close, HTTP/1.0, 100-continue, shutdown.
// Real sockets on 127.0.0.1, raw clients so every byte on the wire is checked.

#include "HttpReply.h"
#include "HttpServerHost.h"
#include "RawHttpClient.h"
#include "TestHost.h"

#include "HttpRequest.h"
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <atomic>
#include <mutex>

using namespace butler;

namespace {

HttpLimits testLimits()
{
    HttpLimits limits;
    limits.threads = 2;
    return limits;
}

QByteArray get(const QByteArray& path, const QByteArray& extraHeaders = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n";
}

QJsonObject jsonOf(const RawResponse& response)
{
    return QJsonDocument::fromJson(response.body).object();
}

void echo(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply)
{
    reply->sendJson(200, QJsonObject{{QStringLiteral("method"), QString::fromLatin1(reply->method())},
                                     {QStringLiteral("path"), request.url().path()},
                                     {QStringLiteral("query"), request.query().toString()},
                                     {QStringLiteral("body"), QString::fromUtf8(request.body())},
                                     {QStringLiteral("host"), QString::fromUtf8(request.value("host"))}});
}

// A reply the test holds on to, to answer it later from the test.
struct HeldReply
{
    std::mutex mutex;
    std::shared_ptr<HttpReply> reply;
    std::atomic<int> finishedStatus{0};

    void hold(const std::shared_ptr<HttpReply>& r)
    {
        r->onFinished([this](int status, qint64) { finishedStatus.store(status); });
        std::lock_guard lock(mutex);
        reply = r;
    }
    std::shared_ptr<HttpReply> get()
    {
        std::lock_guard lock(mutex);
        return reply;
    }
    void release()
    {
        std::lock_guard lock(mutex);
        reply.reset();
    }
};

} // namespace

class tst_HttpFront : public QObject
{
    Q_OBJECT

private:
    bool start(HttpHandler handler, const HttpLimits& limits = testLimits())
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

    void getAndPostAreAnswered()
    {
        QVERIFY(start(echo));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));

        client.send(get("/hello?x=1"));
        RawResponse response = client.readResponse();
        QVERIFY(response.complete);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(response.header("Content-Length").toInt(), response.body.size());
        QDateTime date = QDateTime::fromString(QString::fromLatin1(response.header("Date")),
                                               QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
        QVERIFY2(date.isValid(), response.header("Date").constData());
        date.setTimeSpec(Qt::UTC);
        QVERIFY(qAbs(date.secsTo(QDateTime::currentDateTimeUtc())) < 600);
        QCOMPARE(jsonOf(response).value("method").toString(), QStringLiteral("GET"));
        QCOMPARE(jsonOf(response).value("path").toString(), QStringLiteral("/hello"));
        QCOMPARE(jsonOf(response).value("query").toString(), QStringLiteral("x=1"));

        client.send("POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\nhello world");
        response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(jsonOf(response).value("method").toString(), QStringLiteral("POST"));
        QCOMPARE(jsonOf(response).value("body").toString(), QStringLiteral("hello world"));

        // A chunked request body reaches the handler decoded.
        client.send("PUT /c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(jsonOf(response).value("method").toString(), QStringLiteral("PUT"));
        QCOMPARE(jsonOf(response).value("body").toString(), QStringLiteral("hello world"));

        // Methods Qt does not know still reach the handler, as sent.
        client.send("PROPFIND /dav HTTP/1.1\r\nHost: localhost\r\n\r\n");
        response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(jsonOf(response).value("method").toString(), QStringLiteral("PROPFIND"));
        QVERIFY(client.isOpen());
        QCOMPARE(m_host->stats().acceptedConnections, 1);
    }

    void handlerRunsOnListenerThreads()
    {
        std::mutex mutex;
        QSet<QThread*> threads;
        QVERIFY(start([&](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) {
            {
                std::lock_guard lock(mutex);
                threads.insert(QThread::currentThread());
            }
            reply->sendEmpty(204);
        }));
        // The kernel spreads connections over the two SO_REUSEPORT sockets by their addresses.
        for (int i = 0; i < 24; ++i) {
            RawHttpClient client;
            QVERIFY(client.connectTo(m_port));
            client.send(get("/"));
            const RawResponse response = client.readResponse();
            QCOMPARE(response.status, 204);
            QVERIFY(!response.hasHeader("Content-Length"));
        }
        std::lock_guard lock(mutex);
        QVERIFY(!threads.contains(QThread::currentThread()));
        QCOMPARE(threads.size(), 2);
    }

    void deferredAnswerFromWorkerThread()
    {
        QVERIFY(start([this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            const QString path = request.url().path();
            m_pool.start([reply, path] {
                QThread::msleep(30);
                if (path == QStringLiteral("/direct")) {
                    // Called on the worker: forwarded to the connection's thread.
                    reply->send(200, "text/plain", "direct " + path.toUtf8());
                    return;
                }
                reply->post([reply, path] {
                    reply->send(200, "text/plain",
                                (reply->isConnected() ? "posted " : "gone ") + path.toUtf8());
                });
            });
        }));
        RawHttpClient first;
        RawHttpClient second;
        QVERIFY(first.connectTo(m_port));
        QVERIFY(second.connectTo(m_port));
        first.send(get("/a"));
        second.send(get("/direct"));
        const RawResponse a = first.readResponse();
        const RawResponse b = second.readResponse();
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, QByteArray("posted /a"));
        QCOMPARE(b.status, 200);
        QCOMPARE(b.body, QByteArray("direct /direct"));
        QVERIFY(m_host->waitForIdle(5000));
        QCOMPARE(m_host->stats().inFlight, 0);
    }

    void clientLeavesBeforeDeferredAnswer()
    {
        HeldReply held;
        QVERIFY(start([&](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            if (request.url().path() == QStringLiteral("/hold"))
                held.hold(reply);
            else
                reply->send(200, "text/plain", "still here");
        }));
        {
            RawHttpClient client;
            QVERIFY(client.connectTo(m_port));
            client.send(get("/hold"));
            QTRY_VERIFY(held.get() != nullptr);
            QVERIFY(held.get()->isConnected());
            client.socket().abort();
        }
        std::shared_ptr<HttpReply> reply = held.get();
        QTRY_VERIFY(!reply->isConnected());
        QCOMPARE(m_host->stats().inFlight, 1);

        // The late answer, from a worker through post(), finds the socket gone and does nothing.
        m_pool.start([reply] {
            reply->post([reply] { reply->sendJson(200, QJsonObject{{QStringLiteral("late"), true}}); });
        });
        QTRY_COMPARE(held.finishedStatus.load(), 499);
        QVERIFY(m_host->waitForIdle(5000));
        held.release();
        reply.reset();

        // A reply dropped unanswered on a worker after its client left: no answer, no crash.
        {
            RawHttpClient client;
            QVERIFY(client.connectTo(m_port));
            client.send(get("/hold"));
            QTRY_VERIFY(held.get() != nullptr);
            client.socket().abort();
            QTRY_VERIFY(!held.get()->isConnected());
            reply = held.get();
            held.release();
            m_pool.start([r = std::move(reply)]() mutable { r.reset(); });
            m_pool.waitForDone();
            QVERIFY(m_host->waitForIdle(5000));
        }

        RawHttpClient next;
        QVERIFY(next.connectTo(m_port));
        next.send(get("/other"));
        const RawResponse response = next.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("still here"));
    }

    void chunkedStreaming()
    {
        QVERIFY(start([this](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) {
            reply->beginChunked(200, "application/x-ndjson");
            m_pool.start([reply] {
                for (int i = 0; i < 3; ++i) {
                    QThread::msleep(10);
                    reply->writeChunk(QByteArray("{\"i\":") + QByteArray::number(i) + "}\n");
                }
                reply->writeChunk(QByteArray()); // ignored: an empty chunk would end the body
                reply->endChunked();
            });
        }));
        const QByteArray expected = "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n";
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/stream"));
        RawResponse response = client.readResponse();
        QVERIFY(response.complete);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Transfer-Encoding"), QByteArray("chunked"));
        QVERIFY(!response.hasHeader("Content-Length"));
        QCOMPARE(response.header("Content-Type"), QByteArray("application/x-ndjson"));
        QCOMPARE(response.body, expected);

        // The connection stays usable after the last chunk.
        client.send(get("/stream"));
        response = client.readResponse();
        QCOMPARE(response.body, expected);

        // HTTP/1.0 has no chunking: the body is delimited by the end of the connection.
        RawHttpClient old;
        QVERIFY(old.connectTo(m_port));
        old.send("GET /stream HTTP/1.0\r\n\r\n");
        response = old.readResponse();
        QVERIFY(response.complete);
        QVERIFY(!response.hasHeader("Transfer-Encoding"));
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QCOMPARE(response.body, expected);
    }

    void headHasHeadersAndNoBody()
    {
        QVERIFY(start([](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) {
            reply->addHeader("ETag", "\"v1\"");
            reply->send(200, "text/plain", "hello world");
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("HEAD /file HTTP/1.1\r\nHost: localhost\r\n\r\n");
        RawResponse response = client.readResponse(true);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Content-Length"), QByteArray("11"));
        QCOMPARE(response.header("Content-Type"), QByteArray("text/plain"));
        QCOMPARE(response.header("ETag"), QByteArray("\"v1\""));
        // Had the HEAD answer carried a body, its bytes would come before this status line.
        client.send(get("/file"));
        response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("hello world"));
        QVERIFY(client.buffered().isEmpty());
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        QVERIFY(start([this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            const QString path = request.url().path();
            if (path == QStringLiteral("/fast")) {
                reply->send(200, "text/plain", "fast");
                return;
            }
            const int delay = path == QStringLiteral("/slow") ? 150 : 20;
            m_pool.start([reply, delay, path] {
                QThread::msleep(delay);
                reply->post([reply, path] { reply->send(200, "text/plain", path.mid(1).toUtf8()); });
            });
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/slow") + get("/fast") +
                    "POST /mid HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + get("/fast"));
        const QList<QByteArray> expected{"slow", "fast", "mid", "fast"};
        for (const QByteArray& body : expected) {
            const RawResponse response = client.readResponse();
            QVERIFY(response.complete);
            QCOMPARE(response.body, body);
        }
    }

    void connectionCloseIsHonoured()
    {
        QVERIFY(start([](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            if (request.url().path() == QStringLiteral("/bye"))
                reply->addHeader("Connection", "close");
            reply->send(200, "text/plain", "ok");
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/", "Connection: close\r\n"));
        RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose(5000));

        // The handler can ask for it too.
        RawHttpClient other;
        QVERIFY(other.connectTo(m_port));
        other.send(get("/bye"));
        response = other.readResponse();
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QVERIFY(other.waitForClose(5000));
        QTRY_COMPARE(m_host->stats().openConnections, 0);
    }

    void http10ConnectionCloses()
    {
        QVERIFY(start(echo));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("GET /old HTTP/1.0\r\n\r\n");
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QCOMPARE(jsonOf(response).value("path").toString(), QStringLiteral("/old"));
        QVERIFY(client.waitForClose(5000));
    }

    void expectContinue()
    {
        QVERIFY(start(echo));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        RawResponse response = client.readResponse();
        QCOMPARE(response.status, 100);
        client.send("hello");
        response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(jsonOf(response).value("body").toString(), QStringLiteral("hello"));
    }

    void rawModeWritesBody()
    {
        QVERIFY(start([](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            const bool broken = request.url().path() == QStringLiteral("/broken");
            QTcpSocket* socket =
                reply->beginRaw(200, {{"Content-Type", "text/plain"}, {"Content-Length", "5"}});
            if (socket && !reply->isHead())
                socket->write(broken ? "he" : "hello");
            reply->finishRaw(!broken);
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/file"));
        RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.header("Content-Length"), QByteArray("5"));
        QVERIFY(response.hasHeader("Date"));
        QCOMPARE(response.body, QByteArray("hello"));

        client.send("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n");
        response = client.readResponse(true);
        QCOMPARE(response.header("Content-Length"), QByteArray("5"));
        client.send(get("/file"));
        response = client.readResponse();
        QCOMPARE(response.body, QByteArray("hello"));

        // A body that could not be completed ends the connection.
        client.send(get("/broken"));
        response = client.readResponse();
        QVERIFY(!response.complete);
        QVERIFY(client.waitForClose(5000));
    }

    void droppedReplyAnswers500()
    {
        QVERIFY(start([this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            if (request.url().path() == QStringLiteral("/later"))
                m_pool.start([reply] { QThread::msleep(10); }); // dropped on the worker
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/now"));
        RawResponse response = client.readResponse();
        QCOMPARE(response.status, 500);
        QCOMPARE(jsonOf(response).value("error").toObject().value("type").toString(),
                 QStringLiteral("internal"));
        client.send(get("/later"));
        response = client.readResponse();
        QCOMPARE(response.status, 500);
        QVERIFY(client.isOpen());
    }

    void stopAcceptingThenWaitForIdle()
    {
        HeldReply held;
        QVERIFY(start([&](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            if (request.url().path() == QStringLiteral("/hold"))
                held.hold(reply);
            else
                reply->send(200, "text/plain", "ok");
        }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/hold"));
        QTRY_VERIFY(held.get() != nullptr);
        QCOMPARE(m_host->stats().inFlight, 1);

        m_host->stopAccepting();
        QVERIFY(!m_host->waitForIdle(50));
        RawHttpClient late(2000);
        QVERIFY(!late.connectTo(m_port));

        std::shared_ptr<HttpReply> reply = held.get();
        m_pool.start([reply] { reply->post([reply] { reply->send(200, "text/plain", "finally"); }); });
        QVERIFY(m_host->waitForIdle(5000));
        const RawResponse response = client.readResponse();
        QCOMPARE(response.body, QByteArray("finally"));
        // Draining: the open connection closes after its answer.
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose(5000));
    }

    void postAfterStopIsDropped()
    {
        HeldReply held;
        QVERIFY(
            start([&](const HttpRequest&, const std::shared_ptr<HttpReply>& reply) { held.hold(reply); }));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(get("/hold"));
        QTRY_VERIFY(held.get() != nullptr);
        m_host->stop();
        std::shared_ptr<HttpReply> reply = held.get();
        held.release();
        QVERIFY(!reply->isConnected());
        bool ran = false;
        reply->post([&ran] { ran = true; });
        QTest::qWait(20);
        QVERIFY(!ran);
        reply.reset(); // last owner, on a thread whose loop is gone: reported as abandoned
        QCOMPARE(held.finishedStatus.load(), 499);
        QCOMPARE(m_host->stats().inFlight, 0);
    }

    void listenOnTakenPortFails()
    {
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress::LocalHost, 0));
        HttpServerHost host(testLimits(), echo);
        const Result<quint16> port = host.listen(QHostAddress::LocalHost, other.serverPort());
        QVERIFY(!port.ok());
        QVERIFY2(port.error().message().contains(QString::number(other.serverPort())),
                 qPrintable(port.error().message()));
        QVERIFY2(port.error().message().contains(QStringLiteral("in use")),
                 qPrintable(port.error().message()));
    }
};

QTEST_GUILESS_MAIN(tst_HttpFront)
#include "tst_httpfront.moc"
