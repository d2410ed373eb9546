// How RemoteTransport retries busy answers that say nothing about when to come back: a 429 (and
// a 503 on reads) without a usable Retry-After waits 0.25 s, then twice as long each time, up
// to 8 s a wait, within the same budget and attempt count as Retry-After. The server is
// FakeServer; waits are recorded, not spent.
#include "FakeButlerServer.h"
#include "RemoteButler.h"

#include <QTest>

using namespace butler;
using namespace fake;
using namespace std::chrono_literals;

namespace {

using Waits = QList<std::chrono::milliseconds>;

struct SleepLog
{
    Waits waits;

    RemoteOptions options(std::chrono::milliseconds budget = 30s)
    {
        RemoteOptions result;
        result.retryBudget = budget;
        result.sleep = [this](std::chrono::milliseconds duration) -> QCoro::Task<> {
            waits.append(duration);
            co_return;
        };
        return result;
    }
};

std::unique_ptr<RemoteButler> connectOrFail(const FakeServer& server, RemoteOptions options)
{
    Result<std::unique_ptr<RemoteButler>> butler =
        RemoteButler::connect(server.repoUrl(), QStringLiteral("token"), std::move(options));
    if (!butler.ok())
        qFatal("connect failed: %s", qPrintable(butler.error().message()));
    return std::move(butler).value();
}

// The first `busy` requests get status (with retryAfter as Retry-After unless empty), then the
// server answers normally.
std::function<Reply(const Recorded&)> busyFor(int busy, int status, QByteArray retryAfter = {})
{
    auto left = std::make_shared<int>(busy);
    return [left, status, retryAfter](const Recorded& request) {
        if ((*left)-- > 0) {
            Reply reply = errorReply(status, status == 429 ? "rate_limited" : "unavailable", "busy");
            if (!retryAfter.isEmpty())
                reply.headers.append(QPair<QByteArray, QByteArray>{"Retry-After", retryAfter});
            return reply;
        }
        return FakeServer::defaultReply(request);
    };
}

} // namespace

class TestRemoteRetry : public QObject
{
    Q_OBJECT

private slots:
    void busyWithoutRetryAfterIsRetried_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::newRow("429, no header") << 429 << QByteArray();
        QTest::newRow("503 on a read, no header") << 503 << QByteArray();
        QTest::newRow("429, unreadable header") << 429 << QByteArray("soon");
    }

    void busyWithoutRetryAfterIsRetried()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, retryAfter);
        FakeServer server;
        SleepLog sleeps;
        const auto butler = connectOrFail(server, sleeps.options());
        server.handler = busyFor(3, status, retryAfter);
        const Result<RemoteIdentity> identity = butler->whoami();
        QVERIFY2(identity.ok(), identity.ok() ? "" : qPrintable(identity.error().message()));
        QCOMPARE(identity->user, QStringLiteral("alice"));
        QCOMPARE(server.count("/whoami"), 4);
        QCOMPARE(sleeps.waits, (Waits{250ms, 500ms, 1000ms}));
    }

    void retryAfterStillWins()
    {
        FakeServer server;
        SleepLog sleeps;
        const auto butler = connectOrFail(server, sleeps.options());
        server.handler = busyFor(2, 429, "3");
        QVERIFY(butler->whoami().ok());
        QCOMPARE(sleeps.waits, (Waits{3s, 3s}));
    }

    void backoffStaysInTheBudget()
    {
        FakeServer server;
        SleepLog sleeps;
        const auto butler = connectOrFail(server, sleeps.options(2s));
        server.handler = busyFor(1000, 429);
        const Result<RemoteIdentity> identity = butler->whoami();
        QVERIFY(!identity.ok());
        QCOMPARE(identity.error().kind(), ErrorKind::Unavailable);
        QVERIFY2(identity.error().message().contains(QLatin1String("busy")),
                 qPrintable(identity.error().message()));
        // 0.25 + 0.5 + 1 s fit in 2 s; the next 2 s would not.
        QCOMPARE(sleeps.waits, (Waits{250ms, 500ms, 1000ms}));
        QCOMPARE(server.count("/whoami"), 4);
    }

    void backoffIsCappedAndAttemptsAreCounted()
    {
        FakeServer server;
        SleepLog sleeps;
        const auto butler = connectOrFail(server, sleeps.options(10min));
        server.handler = busyFor(1000, 429);
        QVERIFY(!butler->whoami().ok());
        QCOMPARE(sleeps.waits, (Waits{250ms, 500ms, 1s, 2s, 4s, 8s, 8s, 8s, 8s}));
        QCOMPARE(server.count("/whoami"), 10);
    }

    void writesAreNotRetriedOn503()
    {
        FakeServer server;
        SleepLog sleeps;
        const auto butler = connectOrFail(server, sleeps.options());
        server.handler = busyFor(1000, 503);
        const Status status = butler->registerCollection(QStringLiteral("u/alice/new"), CollectionType::Run);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().kind(), ErrorKind::Unavailable);
        QCOMPARE(server.count("/collections"), 1);
        QVERIFY(sleeps.waits.isEmpty());
    }

    void writesAreRetriedOn429()
    {
        // A 429 means nothing was done, so a write is sent again.
        FakeServer server;
        SleepLog sleeps;
        const auto butler = connectOrFail(server, sleeps.options());
        auto left = std::make_shared<int>(1);
        server.handler = [left](const Recorded& request) {
            if ((*left)-- > 0)
                return errorReply(429, "rate_limited", "busy");
            if (request.path.endsWith(QLatin1String("/collections")))
                return json(QJsonObject{{"name", "u/alice/new"}, {"type", "RUN"}}, 201);
            return FakeServer::defaultReply(request);
        };
        const Status status = butler->registerCollection(QStringLiteral("u/alice/new"), CollectionType::Run);
        QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
        QCOMPARE(server.count("/collections"), 2);
        QCOMPARE(sleeps.waits, (Waits{250ms}));
    }
};

QTEST_GUILESS_MAIN(TestRemoteRetry)
#include "tst_remoteretry.moc"
