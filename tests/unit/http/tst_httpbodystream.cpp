// Request bodies that do not go through memory: the framer pauses after each header so a body
// planner can stream the body to a sink, buffer it, or refuse it unread; the front then serves
// big uploads in bounded memory, refuses before the body, and keeps its other limits.

#include "HttpBodySink.h"
#include "HttpReply.h"
#include "HttpRequestFramer.h"
#include "HttpServerHost.h"
#include "RawHttpClient.h"
#include "TestHost.h"

#include "HttpRequest.h"
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <mutex>

using namespace butler;

namespace {

using State = HttpRequestFramer::State;

// Collects what it is given, remembering the largest piece.
class CollectingSink : public HttpBodySink
{
public:
    explicit CollectingSink(qint64 refuseAfter = -1)
        : m_refuseAfter(refuseAfter)
    {
    }
    bool write(const char* data, qsizetype size) override
    {
        std::lock_guard lock(mutex);
        received.append(data, size);
        largestPiece = std::max(largestPiece, size);
        return m_refuseAfter < 0 || received.size() <= m_refuseAfter;
    }
    bool finish() override
    {
        finished = true;
        return true;
    }
    Failure failure() const override
    {
        return Failure{422, QByteArrayLiteral("refused"), QStringLiteral("enough")};
    }

    std::mutex mutex;
    QByteArray received;
    qsizetype largestPiece = 0;
    std::atomic<bool> finished{false};

private:
    qint64 m_refuseAfter;
};

HttpLimits limitsWith(HttpBodyPlanner planner)
{
    HttpLimits limits;
    limits.threads = 1;
    limits.maxBodyBytes = 1024;
    limits.bodyPlanner = std::move(planner);
    return limits;
}

QByteArray put(const QByteArray& path, qint64 length, const QByteArray& extra = {})
{
    return "PUT " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + QByteArray::number(length) +
           "\r\n" + extra + "\r\n";
}

void answerWithSink(const HttpRequest& request, const std::shared_ptr<HttpReply>& reply)
{
    auto* sink = dynamic_cast<CollectingSink*>(reply->bodySink().get());
    reply->sendJson(200, QJsonObject{{QStringLiteral("streamed"), sink != nullptr},
                                     {QStringLiteral("bytes"), sink ? qint64(sink->received.size()) : 0},
                                     {QStringLiteral("body"), QString::fromLatin1(request.body())}});
}

QJsonObject jsonOf(const RawResponse& response)
{
    return QJsonDocument::fromJson(response.body).object();
}

} // namespace

class tst_HttpBodyStream : public QObject
{
    Q_OBJECT

private:
    bool start(HttpLimits limits)
    {
        m_port = startTestHost(m_host, limits, &answerWithSink);
        return m_port != 0;
    }

    std::unique_ptr<HttpServerHost> m_host;
    quint16 m_port = 0;

private slots:
    void cleanup() { m_host.reset(); }

    void framerPausesAfterTheHeader()
    {
        HttpLimits limits;
        limits.maxBodyBytes = 4;
        HttpRequestFramer framer(limits);
        framer.setPauseAfterHead(true);
        framer.append(put("/u", 10) + "0123");
        QCOMPARE(framer.advance(), State::HeadReady);
        QCOMPARE(framer.head().method, QByteArray("PUT"));
        QCOMPARE(framer.contentLength(), qint64(10));
        QCOMPARE(framer.advance(), State::HeadReady); // stays until told
        QCOMPARE(framer.streamBody(), State::Body);
        QCOMPARE(framer.takeStreamedBytes(), QByteArray("0123"));
        framer.append(QByteArray("456789GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(framer.advance(), State::Body);
        QCOMPARE(framer.takeStreamedBytes(), QByteArray("456789")); // not a byte of the next request
        QCOMPARE(framer.advance(), State::Complete);
        QVERIFY(framer.takeRequest().body.isEmpty());
        // The pipelined request that followed pauses too, and a buffered body keeps the limit.
        QCOMPARE(framer.advance(), State::HeadReady);
        QCOMPARE(framer.bufferBody(), State::Complete);
        framer.takeRequest();
        framer.append(put("/v", 5) + "abcde");
        QCOMPARE(framer.advance(), State::HeadReady);
        QCOMPARE(framer.bufferBody(), State::Failed);
        QCOMPARE(framer.errorStatus(), 413);
    }

    void framerStreamsOnlyWithALength()
    {
        HttpRequestFramer framer{HttpLimits()};
        framer.setPauseAfterHead(true);
        framer.append("PUT /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        QCOMPARE(framer.advance(), State::HeadReady);
        QCOMPARE(framer.contentLength(), qint64(-1));
        QCOMPARE(framer.streamBody(), State::Failed);
        QCOMPARE(framer.errorStatus(), 411);
    }

    void bigBodyStreamsThroughBoundedPieces()
    {
        auto sink = std::make_shared<CollectingSink>();
        QVERIFY(start(limitsWith([sink](const HttpRequestHead& head) {
            return head.target == "/upload" ? HttpBodyPlan::stream(sink) : HttpBodyPlan::buffer();
        })));
        // 8 MiB against a 1 KiB buffered-body limit.
        QByteArray body(8 << 20, Qt::Uninitialized);
        for (qsizetype i = 0; i < body.size(); ++i)
            body[i] = char(i * 7);
        RawHttpClient client(30000);
        QVERIFY(client.connectTo(m_port));
        client.send(put("/upload", body.size()) + body);
        RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QVERIFY(jsonOf(response).value("streamed").toBool());
        QVERIFY(sink->finished);
        QVERIFY(sink->received == body);
        QVERIFY2(sink->largestPiece <= 1 << 20, qPrintable(QString::number(sink->largestPiece)));
        // The connection serves on; other bodies are buffered under the limit as before.
        client.send("POST /other HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
        response = client.readResponse();
        QCOMPARE(response.status, 200);
        QCOMPARE(jsonOf(response).value("body").toString(), QStringLiteral("hello"));
        QVERIFY(!jsonOf(response).value("streamed").toBool());
        client.send("POST /other HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2048\r\n\r\n");
        QCOMPARE(client.readResponse().status, 413);
    }

    void refusedBeforeTheBody()
    {
        std::atomic<int> planned{0};
        QVERIFY(start(limitsWith([&planned](const HttpRequestHead& head) {
            ++planned;
            if (head.method == "PUT")
                return HttpBodyPlan::refuse(403, QByteArrayLiteral("permission_denied"),
                                            QStringLiteral("no"));
            return HttpBodyPlan::buffer();
        })));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        // The client waits for 100-continue: it gets the refusal instead and sends nothing.
        client.send(put("/upload", 1 << 30, "Expect: 100-continue\r\n"));
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 403);
        QVERIFY(response.body.contains("permission_denied"));
        QCOMPARE(response.header("Connection").toLower(), QByteArray("close"));
        QCOMPARE(planned.load(), 1);
    }

    void sinkCanStopTheBody()
    {
        auto sink = std::make_shared<CollectingSink>(100);
        QVERIFY(start(limitsWith([sink](const HttpRequestHead&) { return HttpBodyPlan::stream(sink); })));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(put("/upload", 1000) + QByteArray(1000, 'z'));
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 422);
        QVERIFY(!sink->finished);
    }

    void streamedBodyMayBeEmpty()
    {
        auto sink = std::make_shared<CollectingSink>();
        QVERIFY(start(limitsWith([sink](const HttpRequestHead&) { return HttpBodyPlan::stream(sink); })));
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(put("/upload", 0));
        const RawResponse response = client.readResponse();
        QCOMPARE(response.status, 200);
        QVERIFY(jsonOf(response).value("streamed").toBool());
        QVERIFY(sink->finished);
        QCOMPARE(jsonOf(response).value("bytes").toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_HttpBodyStream)
#include "tst_httpbodystream.moc"
