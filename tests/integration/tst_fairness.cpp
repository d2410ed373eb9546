// Per-user limits of butler-server as a process: the token bucket answers 429 with a
// Retry-After that works, accepts what the rate allows, leaves other users, the server-wide
// routes and signed URLs alone, limits admins too unless the config exempts them;
// RemoteButler waits and retries on its own; a user's concurrent queries stay within the cap.
// The latency side of fairness (a flooding user does not slow others) is tests/bench/
// bench_fairness.sh.

#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QCoroTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>

#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

using namespace butler;

namespace {

constexpr double kRate = 5;  // requests per second per user
constexpr int kBurst = 30;   // the bucket
constexpr int kQueryCap = 2; // queries per user at once

// A series' value from the Prometheus text: name, with its labels if it has any.
double metric(const QByteArray& text, const QByteArray& series)
{
    for (const QByteArray& line : text.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    }
    return std::nan("");
}

// Answers of POST /collections with this status so far (0 before the first).
QByteArray registrations(int status)
{
    return "butler_http_requests_total{route=\"/api/butler/repo/{label}/v1/collections\",method=\"POST\","
           "status=\"" +
           QByteArray::number(status) + "\"}";
}

} // namespace

class TestFairness : public QObject
{
    Q_OBJECT

private:
    // carol's queries, count of them at once: every connection is open before the first
    // request goes, and every request is sent before the first answer is read, so that they
    // arrive together. All are answered, none refused, at most the cap of them ran at once.
    void burstOfQueries(int count)
    {
        const QByteArray body =
            QJsonDocument(
                QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("raw")}},
                            {QStringLiteral("collections"), QJsonArray{QStringLiteral("LSSTCam/raw/all")}}})
                .toJson(QJsonDocument::Compact);
        const QByteArray request = "POST " + m_server.api(QStringLiteral("/datasets/query")).toUtf8() +
                                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                   m_server.token(QStringLiteral("carol")).toUtf8() +
                                   "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                   "Content-Length: " +
                                   QByteArray::number(body.size()) + "\r\n\r\n" + body;
        const quint16 port = quint16(QUrl(m_server.baseUrl()).port());
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < count; ++i) {
            sockets.push_back(std::make_unique<QTcpSocket>());
            sockets.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(sockets.back()->waitForConnected(10000));
        }
        for (auto& socket : sockets) {
            socket->write(request);
            QVERIFY(socket->waitForBytesWritten(10000));
        }
        for (auto& socket : sockets) {
            // Connection: close: the answer is complete when the server closes.
            QByteArray answer;
            while (socket->state() == QAbstractSocket::ConnectedState && socket->waitForReadyRead(60000))
                answer += socket->readAll();
            answer += socket->readAll();
            // Beyond the cap they waited; none was refused.
            QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.left(200).constData());
            const QByteArray json = answer.mid(answer.indexOf("\r\n\r\n") + 4);
            QVERIFY(!QJsonDocument::fromJson(json)
                         .object()
                         .value(QStringLiteral("datasets"))
                         .toArray()
                         .isEmpty());
        }
        const auto scrape = [this] { return m_server.request("GET", QStringLiteral("/metrics"), {}).body; };
        const double peak = metric(scrape(), "butler_queries_running_peak_per_user");
        QVERIFY2(peak >= 1 && peak <= kQueryCap, qPrintable(QString::number(peak)));
        // A worker counts its query as ended just after the answer left.
        QTRY_COMPARE(metric(scrape(), "butler_queries_running_max_per_user"), 0.0);
        QTRY_COMPARE(metric(scrape(), "butler_worker_queue_depth"), 0.0);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(
            m_server.prepare(QStringLiteral("limits: { requests_per_second_per_user: %1, burst_per_user: "
                                            "%2, concurrent_queries_per_user: %3 }\n"
                                            "background_backlog: 2\n")
                                 .arg(kRate)
                                 .arg(kBurst)
                                 .arg(kQueryCap)),
            qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    }

    void cleanupTestCase()
    {
        if (m_server.process().state() != QProcess::NotRunning)
            m_server.stop();
    }

    // First, while every bucket is full: many queries of one user at once, alone, then while
    // another user is about (when they run on the background threads).
    void concurrentQueriesStayWithinTheCap()
    {
        const auto scrape = [this] { return m_server.request("GET", QStringLiteral("/metrics"), {}).body; };
        QCOMPARE(metric(scrape(), "butler_queries_background_total"), 0.0);
        burstOfQueries(12);
        QCOMPARE(metric(scrape(), "butler_queries_background_total"), 0.0); // carol was alone
        const auto other = m_server.get(QStringLiteral("/collections"), QStringLiteral("alice"));
        QCOMPARE(other.status, 200);
        burstOfQueries(12);
        QVERIFY(metric(scrape(), "butler_queries_background_total") > 0);
    }

    void burstThen429WithRetryAfter()
    {
        const QString frank = QStringLiteral("frank");
        // A signed URL made for someone else, to try while frank is limited.
        const QUuid id = m_server.datasetIn(QStringLiteral("DR1/public"));
        const auto info = m_server.post(
            QStringLiteral("/datasets/file-info"), QStringLiteral("erin"),
            QJsonObject{{QStringLiteral("ids"), QJsonArray{id.toString(QUuid::WithoutBraces)}}});
        QCOMPARE(info.status, 200);
        const QString uri = info.json()
                                .value(QStringLiteral("files"))
                                .toArray()
                                .first()
                                .toObject()
                                .value(QStringLiteral("uri"))
                                .toString()
                                .mid(m_server.baseUrl().size());
        const double limitedBefore = metric(m_server.request("GET", QStringLiteral("/metrics"), {}).body,
                                            "butler_requests_rate_limited_total");

        QElapsedTimer timer;
        timer.start();
        int accepted = 0;
        ServerFixture::Reply refused;
        for (int i = 0; i < 1000 && refused.status == 0; ++i) {
            ServerFixture::Reply reply = m_server.get(QStringLiteral("/whoami"), frank);
            if (reply.status == 200)
                ++accepted;
            else if (reply.status == 429)
                refused = reply;
            else
                QFAIL(qPrintable(QStringLiteral("status %1: %2").arg(reply.status).arg(reply.body)));
        }
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        QCOMPARE(refused.status, 429);
        // The whole burst, plus what the rate refilled meanwhile, and no more.
        QVERIFY2(accepted >= kBurst, qPrintable(QString::number(accepted)));
        QVERIFY2(accepted <= kBurst + kRate * seconds + 1,
                 qPrintable(QStringLiteral("%1 accepted in %2 s").arg(accepted).arg(seconds)));
        QCOMPARE(refused.errorType(), QStringLiteral("rate_limited"));
        const QString message = refused.json()
                                    .value(QStringLiteral("error"))
                                    .toObject()
                                    .value(QStringLiteral("message"))
                                    .toString();
        QVERIFY2(message.contains(QLatin1String("limits.requests_per_second_per_user")), qPrintable(message));
        QVERIFY2(message.contains(frank), qPrintable(message));
        bool isNumber = false;
        const int retryAfter = refused.header("Retry-After").toInt(&isNumber);
        QVERIFY2(isNumber, refused.header("Retry-After").constData());
        // One token comes back every 0.2 s: rounded up to whole seconds, that is 1.
        QCOMPARE(retryAfter, 1);

        // Other users, the server-wide routes and signed URLs are not held up by frank's limit.
        QCOMPARE(m_server.get(QStringLiteral("/whoami"), QStringLiteral("erin")).status, 200);
        QCOMPARE(m_server.request("GET", QStringLiteral("/healthz"), {}).status, 200);
        const auto metrics = m_server.request("GET", QStringLiteral("/metrics"), {});
        QCOMPARE(metrics.status, 200);
        QVERIFY(metric(metrics.body, "butler_requests_rate_limited_total") >= limitedBefore + 1);
        QCOMPARE(m_server.request("GET", uri, {}).status, 200);

        // Honouring Retry-After is enough.
        QTest::qWait(retryAfter * 1000);
        QCOMPARE(m_server.get(QStringLiteral("/whoami"), frank).status, 200);
    }

    void acceptedRequestsFollowTheRate()
    {
        const QString bob = QStringLiteral("bob");
        QVERIFY(exhaust(bob));
        // Now a steady stream for two seconds: about kRate per second get through.
        QElapsedTimer timer;
        timer.start();
        int accepted = 0;
        int refused = 0;
        while (timer.elapsed() < 2000) {
            const int status = m_server.get(QStringLiteral("/whoami"), bob).status;
            accepted += status == 200 ? 1 : 0;
            refused += status == 429 ? 1 : 0;
        }
        const double expected = kRate * double(timer.nsecsElapsed()) / 1e9;
        QVERIFY2(std::abs(accepted - expected) <= 2.5,
                 qPrintable(QStringLiteral("%1 accepted, %2 expected (%3 refused)")
                                .arg(accepted)
                                .arg(expected)
                                .arg(refused)));
        QVERIFY(refused > 0);
    }

    void adminsAreLimitedToo()
    {
        int accepted = 0;
        QVERIFY(exhaust(QStringLiteral("dave"), &accepted));
        QVERIFY2(accepted >= kBurst && accepted < 5 * kBurst, qPrintable(QString::number(accepted)));
    }

    void remoteButlerWaitsAndRetries()
    {
        const QString carol = QStringLiteral("carol");
        QList<std::chrono::milliseconds> waits;
        RemoteOptions options;
        options.sleep = [&waits](std::chrono::milliseconds duration) -> QCoro::Task<> {
            waits.append(duration);
            co_await QCoro::sleepFor(duration);
        };

        // Each step starts with carol's bucket spent; should the machine stall long enough for
        // a token to come back before the call, the step is tried again.
        std::unique_ptr<RemoteButler> butler;
        for (int attempt = 0; attempt < 5 && waits.isEmpty(); ++attempt) {
            QVERIFY(exhaust(carol));
            auto connected = RemoteButler::connect(m_server.repoUrl(), m_server.token(carol), options);
            QVERIFY2(connected.ok(), connected.ok() ? "" : qPrintable(connected.error().message()));
            butler = std::move(connected).value();
        }
        QVERIFY(!waits.isEmpty());
        for (const auto wait : std::as_const(waits))
            QCOMPARE(wait, std::chrono::milliseconds(1000));

        // A write refused with 429 was not done: it is sent again, and done once.
        const auto count = [this](int status) {
            const double value =
                metric(m_server.request("GET", QStringLiteral("/metrics"), {}).body, registrations(status));
            return std::isnan(value) ? 0.0 : value;
        };
        const double refusedBefore = count(429);
        const double createdBefore = count(201);
        waits.clear();
        int registered = 0;
        QString run;
        for (int attempt = 0; attempt < 5 && waits.isEmpty(); ++attempt) {
            QVERIFY(exhaust(carol));
            run = QStringLiteral("u/carol/after-429-%1").arg(attempt);
            const Status status = butler->registerCollection(run, CollectionType::Run);
            QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
            ++registered;
        }
        QVERIFY(!waits.isEmpty());
        // A request is counted once its answer has left: the client may ask before that.
        QTRY_VERIFY(count(429) >= refusedBefore + 1);
        QTRY_COMPARE(count(201), createdBefore + registered);
        QCOMPARE(m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(run), carol).status,
                 200);
    }

    void adminsExemptWhenConfigured()
    {
        ServerFixture exempt;
        QVERIFY2(
            exempt.prepare(QStringLiteral("limits: { requests_per_second_per_user: 1, burst_per_user: 2, "
                                          "exempt_admins: true }\n")),
            qPrintable(exempt.lastError()));
        QVERIFY2(exempt.start(), qPrintable(exempt.lastError()));
        for (int i = 0; i < 20; ++i)
            QCOMPARE(exempt.get(QStringLiteral("/whoami"), QStringLiteral("dave")).status, 200);
        int frankAccepted = 0;
        while (exempt.get(QStringLiteral("/whoami"), QStringLiteral("frank")).status == 200 &&
               frankAccepted < 20)
            ++frankAccepted;
        QVERIFY2(frankAccepted >= 2 && frankAccepted < 20, qPrintable(QString::number(frankAccepted)));
        exempt.stop();
    }

private:
    // Sends whoami as user until the first 429; false if none came.
    bool exhaust(const QString& user, int* accepted = nullptr)
    {
        for (int i = 0; i < 1000; ++i) {
            const int status = m_server.get(QStringLiteral("/whoami"), user).status;
            if (status == 429)
                return true;
            if (status != 200)
                return false;
            if (accepted)
                ++*accepted;
        }
        return false;
    }

    ServerFixture m_server;
};

QTEST_GUILESS_MAIN(TestFairness)
#include "tst_fairness.moc"
