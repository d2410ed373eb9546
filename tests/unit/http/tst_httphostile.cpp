// The HTTP front against hostile and broken clients: oversized headers and bodies, garbage,
// malformed framing, slow senders, idle and excess connections. After each, the server must
// still answer a normal request.

#include "HttpReply.h"
#include "HttpServerHost.h"
#include "RawHttpClient.h"
#include "TestHost.h"

#include "HttpRequest.h"
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <sys/resource.h>

using namespace butler;

namespace {

HttpLimits testLimits()
{
    HttpLimits limits;
    limits.threads = 2;
    return limits;
}

QByteArray get(const QByteArray& path)
{
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

void echoBody(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply)
{
    reply->send(200, "application/octet-stream", request.body());
}

QString errorType(const RawResponse& response)
{
    return QJsonDocument::fromJson(response.body).object().value("error").toObject().value("type").toString();
}

} // namespace

class tst_HttpHostile : public QObject
{
    Q_OBJECT

private:
    bool start(const HttpLimits& limits = testLimits(), HttpHandler handler = echoBody)
    {
        m_port = startTestHost(m_host, limits, std::move(handler));
        return m_port != 0;
    }

    // A fresh connection still gets a normal answer.
    bool stillServes()
    {
        RawHttpClient client;
        if (!client.connectTo(m_port))
            return false;
        client.send("POST /check HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nok");
        const RawResponse response = client.readResponse();
        return response.complete && response.status == 200 && response.body == "ok";
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

    void malformedRequests_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        const QString bad = QStringLiteral("bad_request");
        QTest::newRow("tls handshake") << QByteArray::fromHex("16030100f5010000f10303") << 400 << bad;
        QTest::newRow("binary junk") << QByteArray("\x01\x02\x03\xff\xfe garbage\r\n\r\n", 17) << 400 << bad;
        QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400 << bad;
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 400 << bad;
        QTest::newRow("HTTP/9.9") << QByteArray("GET / HTTP/9.9\r\nHost: x\r\n\r\n") << 400 << bad;
        QTest::newRow("lower-case version") << QByteArray("GET / http/1.1\r\nHost: x\r\n\r\n") << 400 << bad;
        QTest::newRow("double space") << QByteArray("GET  / HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << bad;
        QTest::newRow("relative target")
            << QByteArray("GET index.html HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << bad;
        QTest::newRow("control in target")
            << QByteArray("GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << bad;
        QTest::newRow("missing host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << bad;
        QTest::newRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
                                   << bad;
        QTest::newRow("header without colon")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n") << 400 << bad;
        QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400 << bad;
        QTest::newRow("folded header")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  more\r\n\r\n") << 400 << bad;
        QTest::newRow("NUL in value")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: a") + '\0' + QByteArray("b\r\n\r\n") << 400
            << bad;
        QTest::newRow("negative length")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n") << 400 << bad;
        QTest::newRow("length with letters")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n") << 400 << bad;
        QTest::newRow("conflicting lengths")
            << QByteArray(
                   "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
            << 400 << bad;
        QTest::newRow("length and chunked")
            << QByteArray(
                   "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n0\r\n\r\n")
            << 400 << bad;
        QTest::newRow("bad chunk size")
            << QByteArray(
                   "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
            << 400 << bad;
        QTest::newRow("0x chunk size") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                                                     "chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n")
                                       << 400 << bad;
        QTest::newRow("chunk longer than said")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n")
            << 400 << bad;
        QTest::newRow("chunked in HTTP/1.0")
            << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            << 400 << bad;
        QTest::newRow("gzip without chunked")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") << 400 << bad;
        QTest::newRow("gzip, chunked")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
            << 501 << QStringLiteral("not_implemented");
        QTest::newRow("unknown expectation")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: magic\r\n\r\nx") << 417
            << QStringLiteral("expectation_failed");
    }

    void malformedRequests()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QString, type);
        QVERIFY(start());
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(request);
        const RawResponse response = client.readResponse();
        QVERIFY(response.complete);
        QCOMPARE(response.status, status);
        QCOMPARE(errorType(response), type);
        QVERIFY(!QJsonDocument::fromJson(response.body)["error"]["message"].toString().isEmpty());
        QCOMPARE(response.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose(5000));
        QCOMPARE(m_host->stats().badRequests, 1);
        QVERIFY(stillServes());
    }

    void hugeHeaderIs431_data()
    {
        QTest::addColumn<QByteArray>("request");
        const QByteArray big(20000, 'a');
        QTest::newRow("one huge field") << "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n";
        QTest::newRow("huge target") << "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n";
        QByteArray many = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 90; ++i)
            many += "X-Field-" + QByteArray::number(i) + ": " + QByteArray(200, 'v') + "\r\n";
        QTest::newRow("many fields in total") << many + "\r\n";
        QByteArray count = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 150; ++i)
            count += "X-" + QByteArray::number(i) + ": v\r\n";
        QTest::newRow("too many fields") << count + "\r\n";
        // Never ends: the limit, not the end of the header, must trigger the answer.
        QTest::newRow("endless header")
            << "GET / HTTP/1.1\r\nHost: x\r\nX-Endless: " + QByteArray(40000, 'e');
    }

    void hugeHeaderIs431()
    {
        QFETCH(QByteArray, request);
        QVERIFY(start());
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(request);
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 431);
        QCOMPARE(errorType(response), QStringLiteral("header_too_large"));
        QVERIFY(client.waitForClose(5000));
        QVERIFY(stillServes());
    }

    void fieldLimitsOfQtsParserAreKept()
    {
        // Qt's parser drops every field of a request with more than 100 fields or a field over
        // 100 KiB. At the front's limits everything arrives; past them the answer is 431.
        HttpLimits limits = testLimits();
        limits.maxHeaderBytes = 200 * 1024;
        QVERIFY(start(limits, [](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            reply->send(200, "text/plain",
                        QByteArray::number(request.headers().size()) + " " +
                            QByteArray::number(request.value("x-big").size()));
        }));
        const auto request = [](int bigSize, int fields) {
            QByteArray text = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(bigSize, 'b') + "\r\n";
            for (int i = 2; i < fields; ++i)
                text += "X-" + QByteArray::number(i) + ": v\r\n";
            return text + "\r\n";
        };
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(request(60000, 100));
        RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("100 60000"));

        client.send(request(10, 101));
        QCOMPARE(client.readResponse().status, 431);

        RawHttpClient bigField;
        QVERIFY(bigField.connectTo(m_port));
        bigField.send(request(70000, 2));
        QCOMPARE(bigField.readResponse().status, 431);
    }

    void hugeBodyIs413()
    {
        HttpLimits limits = testLimits();
        limits.maxBodyBytes = 1 << 20;
        QVERIFY(start(limits));

        // Declared: answered before any body byte is sent.
        RawHttpClient declared;
        QVERIFY(declared.connectTo(m_port));
        declared.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n");
        RawResponse response = declared.readResponse();
        QCOMPARE(response.status, 413);
        QCOMPARE(errorType(response), QStringLiteral("payload_too_large"));
        QVERIFY(declared.waitForClose(5000));

        // Declared with Expect: 413 instead of 100 Continue.
        RawHttpClient expecting;
        QVERIFY(expecting.connectTo(m_port));
        expecting.send(
            "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n");
        response = expecting.readResponse();
        QCOMPARE(response.status, 413);

        // Absurd length: still 413, not an overflow.
        RawHttpClient absurd;
        QVERIFY(absurd.connectTo(m_port));
        absurd.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n");
        QCOMPARE(absurd.readResponse().status, 413);

        // Chunked: cut off once the decoded total passes the limit; the rest is drained.
        RawHttpClient chunked;
        QVERIFY(chunked.connectTo(m_port));
        QByteArray body = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        const QByteArray piece(300 * 1024, 'c');
        for (int i = 0; i < 5; ++i)
            body += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        body += "0\r\n\r\n";
        chunked.send(body);
        response = chunked.readResponse();
        QCOMPARE(response.status, 413);
        QVERIFY(chunked.waitForClose(5000));

        // Just under the limit is fine, in pieces.
        RawHttpClient fits;
        QVERIFY(fits.connectTo(m_port));
        const QByteArray payload((1 << 20) - 10, 'p');
        fits.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(payload.size()) +
                  "\r\n\r\n");
        fits.send(payload.first(1000));
        fits.send(payload.sliced(1000));
        response = fits.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body.size(), payload.size());
        QVERIFY(response.body == payload);
        QCOMPARE(m_host->stats().badRequests, 4);
    }

    void slowLorisHeaderTimesOut()
    {
        HttpLimits limits = testLimits();
        limits.headerTimeoutMs = 400;
        QVERIFY(start(limits));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("GET / HTTP/1.1\r\nHost: x\r\n");
        // One byte at a time: each arrives well within any per-read timeout, the whole never does.
        for (int i = 0; i < 100 && client.isOpen() && client.socket().bytesAvailable() == 0; ++i) {
            client.send("X");
            client.socket().waitForReadyRead(50);
        }
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 408);
        QCOMPARE(errorType(response), QStringLiteral("request_timeout"));
        QVERIFY(client.waitForClose(5000));
        QCOMPARE(m_host->stats().timeouts, 1);

        // A connection that never sends a byte is closed without an answer.
        RawHttpClient silent;
        QVERIFY(silent.connectTo(m_port));
        QVERIFY(silent.waitForClose(5000));
        QVERIFY(silent.buffered().isEmpty());
        QVERIFY(stillServes());
    }

    void stalledBodyTimesOut()
    {
        HttpLimits limits = testLimits();
        limits.bodyTimeoutMs = 300;
        QVERIFY(start(limits));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 408);
        QVERIFY(client.waitForClose(5000));
        QVERIFY(stillServes());
    }

    void idleKeepAliveIsClosed()
    {
        HttpLimits limits = testLimits();
        limits.idleTimeoutMs = 300;
        QVERIFY(start(limits));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1");
        QCOMPARE(client.readResponse().status, 200);
        QVERIFY(client.isOpen());
        QVERIFY(client.waitForClose(5000));
        QVERIFY(client.buffered().isEmpty());
        QTRY_COMPARE(m_host->stats().openConnections, 0);
    }

    void clientThatNeverReadsIsDropped()
    {
        HttpLimits limits = testLimits();
        limits.idleTimeoutMs = 300;
        QVERIFY(start(limits, [](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
            if (request.url().path() == QStringLiteral("/big"))
                reply->send(200, "application/octet-stream", QByteArray(32 << 20, 'z'));
            else
                echoBody(request, reply);
        }));
        RawHttpClient client;
        client.socket().setReadBufferSize(1024); // takes almost nothing off the wire
        QVERIFY(client.connectTo(m_port));
        client.send(get("/big"));
        QTRY_COMPARE(m_host->stats().openConnections, 1);
        // The answer cannot drain, so the connection counts as idle from the moment it stalls.
        QTRY_COMPARE_WITH_TIMEOUT(m_host->stats().openConnections, 0, 10000);
        QVERIFY(stillServes());
    }

    void thousandsOfIdleConnections()
    {
        rlimit files{};
        QCOMPARE(getrlimit(RLIMIT_NOFILE, &files), 0);
        // Both ends of every connection live in this process, beside ~200 other descriptors.
        // 2,000 idle connections, or as many as a lower hard limit allows (4,096 gives 1,948).
        int idleCount = 2000;
        if (files.rlim_max != RLIM_INFINITY && files.rlim_max < rlim_t(2 * idleCount + 200))
            idleCount = int((files.rlim_max - 200) / 2);
        QVERIFY2(idleCount >= 1000,
                 "the hard limit on open files leaves room for fewer than 1,000 connections");
        const rlim_t needed = rlim_t(2 * idleCount + 200);
        if (files.rlim_cur < needed) {
            files.rlim_cur = needed;
            QCOMPARE(setrlimit(RLIMIT_NOFILE, &files), 0);
        }
        QVERIFY(start());
        std::vector<std::unique_ptr<RawHttpClient>> idle;
        for (int i = 0; i < idleCount; ++i) {
            auto client = std::make_unique<RawHttpClient>();
            QVERIFY(client->connectTo(m_port));
            if (i % 2 == 0)
                client->send("GET / HTTP/1.1\r\n"); // half of them start a request and stall
            idle.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_host->stats().openConnections, idleCount, 10000);
        QVERIFY(stillServes());
        QCOMPARE(m_host->stats().acceptedConnections, idleCount + 1);
        idle.clear();
        QTRY_COMPARE_WITH_TIMEOUT(m_host->stats().openConnections, 0, 10000);
    }

    void overConnectionLimitGets503()
    {
        HttpLimits limits = testLimits();
        limits.maxConnections = 4;
        QVERIFY(start(limits));
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(std::make_unique<RawHttpClient>());
            QVERIFY(clients.back()->connectTo(m_port));
        }
        QTRY_COMPARE(m_host->stats().openConnections, 4);

        RawHttpClient extra;
        QVERIFY(extra.connectTo(m_port));
        const RawResponse response = extra.readResponse();
        QCOMPARE(response.status, 503);
        QCOMPARE(errorType(response), QStringLiteral("unavailable"));
        QCOMPARE(response.header("Retry-After"), QByteArray("1"));
        QVERIFY(extra.waitForClose(5000));
        QCOMPARE(m_host->stats().rejectedConnections, 1);

        // The connections inside the limit are served as usual.
        for (auto& client : clients) {
            client->send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
            QCOMPARE(client->readResponse().body, QByteArray("hi"));
        }
        clients.clear();
        QTRY_COMPARE(m_host->stats().openConnections, 0);
        QVERIFY(stillServes());
    }

    void pipelineFloodIsAnsweredInOrder()
    {
        // The handler answers later, so the requests pile up: more than the socket buffer holds.
        QVERIFY(
            start(testLimits(), [this](const HttpRequest& request, const std::shared_ptr<HttpReply>& reply) {
                const QByteArray path = request.url().path().toUtf8();
                m_pool.start(
                    [reply, path] { reply->post([reply, path] { reply->send(200, "text/plain", path); }); });
            }));
        constexpr int kRequests = 300;
        QByteArray requests;
        for (int i = 0; i < kRequests; ++i)
            requests += "GET /" + QByteArray::number(i) +
                        " HTTP/1.1\r\nHost: x\r\nX-Pad: " + QByteArray(2000, 'p') + "\r\n\r\n";
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(requests);
        for (int i = 0; i < kRequests; ++i) {
            const RawResponse response = client.readResponse();
            QVERIFY(response.complete);
            QCOMPARE(response.body, "/" + QByteArray::number(i));
        }
    }
};

QTEST_GUILESS_MAIN(tst_HttpHostile)
#include "tst_httphostile.moc"
