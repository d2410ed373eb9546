// HttpRequestFramer on its own: the same requests whether the bytes come at once or one by
// one, pipelined requests kept apart, and the limits checked as bytes arrive.

#include "HttpRequestFramer.h"

#include <QRandomGenerator>
#include <QTest>

using namespace butler;

namespace {

using State = HttpRequestFramer::State;

// Feeds `bytes` in pieces of `step` and collects every complete request; stops at a failure.
QList<HttpRequestFramer::Request> frame(HttpRequestFramer& framer, const QByteArray& bytes, qsizetype step)
{
    QList<HttpRequestFramer::Request> requests;
    for (qsizetype at = 0; at < bytes.size(); at += step) {
        framer.append(bytes.mid(at, step));
        for (;;) {
            const State state = framer.advance();
            if (state == State::Complete) {
                requests.append(framer.takeRequest());
                continue;
            }
            if (state == State::Failed)
                return requests;
            break;
        }
    }
    return requests;
}

// A request as text, for comparing the framings of the same bytes.
QByteArray describe(const HttpRequestFramer::Request& request)
{
    QByteArray out = request.method + ' ' + request.target + " 1." + QByteArray::number(request.minorVersion);
    for (const auto& [name, value] : request.headers)
        out += '|' + name + ':' + value;
    out += "|body=" + request.body.toHex() + (request.chunked ? "|chunked" : "") +
           (request.keepAlive ? "|keep-alive" : "");
    return out;
}

// Feeds `bytes` in pieces of random sizes (at most `maxStep`); the requests taken, then the
// final state and error status, as text.
QByteArray frameRandomly(const QByteArray& bytes, QRandomGenerator& random, int maxStep)
{
    HttpLimits limits;
    limits.maxHeaderBytes = 512;
    limits.maxBodyBytes = 64;
    HttpRequestFramer framer(limits);
    QByteArray out;
    for (qsizetype at = 0; at < bytes.size();) {
        const qsizetype step = 1 + random.bounded(maxStep);
        framer.append(bytes.mid(at, step));
        at += step;
        for (;;) {
            const State state = framer.advance();
            if (state == State::Complete) {
                out += describe(framer.takeRequest()) + '\n';
                continue;
            }
            if (state == State::Failed)
                return out + "failed " + QByteArray::number(framer.errorStatus());
            break;
        }
    }
    return out + "state " + QByteArray::number(int(framer.state()));
}

} // namespace

class tst_HttpRequestFramer : public QObject
{
    Q_OBJECT

private slots:
    void sameRequestsWhateverTheSplit_data()
    {
        QTest::addColumn<qsizetype>("step");
        for (qsizetype step : {1, 2, 3, 7, 64, 100000})
            QTest::newRow(qPrintable(QString::number(step))) << step;
    }

    void sameRequestsWhateverTheSplit()
    {
        QFETCH(qsizetype, step);
        const QByteArray bytes = "\r\nGET /a?b=c HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Spaced:  v w  \r\n\r\n"
                                 "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                                 "PUT /c HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nConnection: close\n\n"
                                 "3\r\nabc\r\nA;x=y\r\n0123456789\r\n0\r\nT: t\r\n\r\n"
                                 "GET /old HTTP/1.0\r\n\r\n";
        HttpRequestFramer framer{HttpLimits()};
        const QList<HttpRequestFramer::Request> requests = frame(framer, bytes, step);
        QCOMPARE(framer.state(), State::Idle);
        QCOMPARE(requests.size(), 4);

        QCOMPARE(requests[0].method, QByteArray("GET"));
        QCOMPARE(requests[0].target, QByteArray("/a?b=c"));
        QCOMPARE(requests[0].headers.size(), 3);
        QCOMPARE(requests[0].headers[1], qMakePair(QByteArray("X-Empty"), QByteArray()));
        QCOMPARE(requests[0].headers[2], qMakePair(QByteArray("X-Spaced"), QByteArray("v w")));
        QVERIFY(requests[0].keepAlive);

        QCOMPARE(requests[1].body, QByteArray("hello"));
        QVERIFY(!requests[1].chunked);

        QCOMPARE(requests[2].body, QByteArray("abc0123456789"));
        QVERIFY(requests[2].chunked);
        QVERIFY(!requests[2].keepAlive);

        QCOMPARE(requests[3].minorVersion, 0);
        QVERIFY(!requests[3].keepAlive);
    }

    // Random edits of a pipelined stream (bytes deleted, doubled, replaced by the ones HTTP
    // framing turns on): whatever the bytes, the framer takes the same requests and ends in
    // the same state whether they come at once or in pieces of any size, and what it refuses
    // is a client error (4xx) or an unsupported feature (501, 505), never a 500.
    void mutatedStreamsFrameAlikeInAnySplit()
    {
        const QByteArray stream = "GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-Spaced:  v w  \r\n\r\n"
                                  "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                                  "PUT /c HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n"
                                  "3\r\nabc\r\nA;x=y\r\n0123456789\r\n0\r\nT: t\r\n\r\n"
                                  "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        const QByteArray alphabet("\r\n :;0123456789aAfF-/?\t\x00\x7f\xc3", 30);
        QRandomGenerator random(20261203);
        int failed = 0;
        int whole = 0;
        for (int round = 0; round < 5000; ++round) {
            QByteArray bytes = stream;
            const int edits = 1 + random.bounded(3);
            for (int e = 0; e < edits; ++e) {
                const int at = random.bounded(int(bytes.size()));
                switch (random.bounded(4)) {
                case 0:
                    bytes.remove(at, 1 + random.bounded(3));
                    break;
                case 1:
                    bytes.insert(at, bytes.mid(at, 1 + random.bounded(6)));
                    break;
                case 2:
                    bytes[at] = alphabet[random.bounded(int(alphabet.size()))];
                    break;
                default:
                    bytes.insert(at, alphabet[random.bounded(int(alphabet.size()))]);
                }
            }
            const QByteArray atOnce = frameRandomly(bytes, random, int(bytes.size()) + 1);
            const QByteArray pieces = frameRandomly(bytes, random, 1 + random.bounded(8));
            QVERIFY2(atOnce == pieces,
                     (bytes.toPercentEncoding() + "\nat once:\n" + atOnce + "\nin pieces:\n" + pieces)
                         .constData());
            if (atOnce.contains("failed ")) {
                ++failed;
                const int status = atOnce.mid(atOnce.lastIndexOf(' ') + 1).toInt();
                QVERIFY2((status >= 400 && status < 500) || status == 501 || status == 505,
                         (bytes.toPercentEncoding() + " -> " + atOnce).constData());
            } else {
                ++whole;
            }
        }
        QVERIFY(failed > 100);
        QVERIFY(whole > 100);
    }

    void limitsApplyBeforeTheEnd()
    {
        HttpLimits limits;
        limits.maxHeaderBytes = 1024;
        limits.maxBodyBytes = 10;
        {
            HttpRequestFramer framer(limits);
            framer.append("GET / HTTP/1.1\r\nX: " + QByteArray(2000, 'x'));
            QCOMPARE(framer.advance(), State::Failed);
            QCOMPARE(framer.errorStatus(), 431);
        }
        {
            HttpRequestFramer framer(limits);
            framer.append(QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"));
            QCOMPARE(framer.advance(), State::Failed);
            QCOMPARE(framer.errorStatus(), 413);
        }
        {
            HttpRequestFramer framer(limits);
            framer.append(QByteArray(
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n"));
            QCOMPARE(framer.advance(), State::Body);
            framer.append(QByteArray("3\r\n"));
            QCOMPARE(framer.advance(), State::Failed);
            QCOMPARE(framer.errorStatus(), 413);
        }
        {
            // The request line is judged as it arrives.
            HttpRequestFramer framer(limits);
            framer.append(QByteArray("GET /\x16"));
            QCOMPARE(framer.advance(), State::Failed);
            QCOMPARE(framer.errorStatus(), 400);
        }
    }

    void expectContinueIsReported()
    {
        HttpRequestFramer framer{HttpLimits()};
        framer.append(
            QByteArray("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n"));
        QCOMPARE(framer.advance(), State::Body);
        QVERIFY(framer.wantsContinue());
        framer.continueSent();
        QVERIFY(!framer.wantsContinue());
        framer.append(QByteArray("ok"));
        QCOMPARE(framer.advance(), State::Complete);
        QCOMPARE(framer.takeRequest().body, QByteArray("ok"));
    }
};

QTEST_GUILESS_MAIN(tst_HttpRequestFramer)
#include "tst_httprequestframer.moc"
