// SignedPutSender against a recording HTTP server: every file arrives whole with its exact
// Content-Length over a few kept-alive connections, the checksums each answer names are kept,
// refusals come back as the server's errors,
// a file that changed is not sent, and only plain-http URLs of one server are taken.
#include "ContentHash.h"
#include "FakeButlerServer.h"
#include "SignedPutSender.h"

#include <QCryptographicHash>
#include <QMutex>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace butler;

namespace {

QByteArray content(int seed, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char((i * 7 + seed * 13) & 0xff);
    return bytes;
}

// Runs the sender on a thread of its own while this thread serves the fake server.
Status runSender(SignedPutSender& sender, QList<qsizetype>* sent = nullptr)
{
    QMutex mutex;
    Status status;
    std::atomic<bool> done{false};
    std::thread thread([&] {
        status = sender.run([&](qsizetype index) {
            QMutexLocker lock(&mutex);
            if (sent)
                sent->append(index);
        });
        done.store(true);
    });
    const bool finished = QTest::qWaitFor([&] { return done.load(); }, 30000);
    thread.join();
    if (!finished)
        return Error(ErrorKind::Unavailable, QStringLiteral("the sender did not finish"));
    return status;
}

} // namespace

class TestSignedPutSender : public QObject
{
    Q_OBJECT

private slots:
    void sendsEveryFileWhole();
    void keepsTheChecksumsTheServerAnswered();
    void refusalBecomesTheServersError();
    void changedFileIsNotSent();
    void serverDownIsUnavailable();
    void takesOnlyPlainHttpOfOneServer();
};

void TestSignedPutSender::sendsEveryFileWhole()
{
    fake::FakeServer server;
    server.handler = [](const fake::Recorded&) {
        return fake::json(QJsonObject{{QStringLiteral("size"), 1}}, 201);
    };
    QTemporaryDir dir;
    QList<SignedPutSender::File> files;
    QHash<QString, QByteArray> sentBodies;
    const QList<int> sizes{0, 1, 17, 4096, 100 * 1024, 300 * 1024, 5, 70000, 12, 65536};
    for (qsizetype i = 0; i < sizes.size(); ++i) {
        const QByteArray body = content(int(i), sizes[i]);
        const QString path = dir.filePath(QStringLiteral("f%1.bin").arg(i));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(body);
        file.close();
        const QString route = QStringLiteral("/files/main/u/alice/run/f%1.bin").arg(i);
        files.append({QUrl(server.base() + route +
                           QStringLiteral("?method=PUT&size=%1&signature=s%2").arg(body.size()).arg(i)),
                      path, body.size()});
        sentBodies.insert(route, body);
    }
    SignedPutSender sender(files, 3, std::chrono::seconds(10));
    QList<qsizetype> sent;
    const Status status = runSender(sender, &sent);
    QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
    std::sort(sent.begin(), sent.end());
    QList<qsizetype> all;
    for (qsizetype i = 0; i < files.size(); ++i)
        all.append(i);
    QCOMPARE(sent, all);
    QCOMPARE(server.requests.size(), files.size());
    for (const fake::Recorded& request : std::as_const(server.requests)) {
        QCOMPARE(request.method, QByteArray("PUT"));
        QVERIFY2(sentBodies.contains(request.path), qPrintable(request.path));
        QCOMPARE(request.body, sentBodies.value(request.path));
        QCOMPARE(request.headers.value("content-length").toLongLong(), qint64(request.body.size()));
        QCOMPARE(request.headers.value("content-type"), QByteArray("application/octet-stream"));
        QVERIFY(!request.headers.contains("authorization")); // the URL is the credential
        QVERIFY(request.query.hasQueryItem(QStringLiteral("signature")));
    }
}

void TestSignedPutSender::keepsTheChecksumsTheServerAnswered()
{
    fake::FakeServer server;
    server.handler = [](const fake::Recorded& request) {
        if (request.path.endsWith(QLatin1String("quiet.bin")))
            return fake::json(QJsonObject{{QStringLiteral("size"), request.body.size()}}, 201);
        const QString sha =
            QString::fromLatin1(QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex());
        return fake::json(QJsonObject{{QStringLiteral("checksum"), QStringLiteral("sha256:") + sha},
                                      {QStringLiteral("xxh128"), ContentHash::xxh128(request.body)}},
                          201);
    };
    QTemporaryDir dir;
    QList<SignedPutSender::File> files;
    QList<QByteArray> bodies;
    for (int i = 0; i < 12; ++i) {
        bodies.append(content(40 + i, 1000 * i + 1));
        const QString name = i == 7 ? QStringLiteral("quiet.bin") : QStringLiteral("c%1.bin").arg(i);
        const QString path = dir.filePath(name);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bodies.last());
        file.close();
        files.append({QUrl(server.base() + QStringLiteral("/files/main/run/") + name +
                           QStringLiteral("?method=PUT&size=%1").arg(bodies.last().size())),
                      path, bodies.last().size()});
    }
    SignedPutSender sender(files, 4, std::chrono::seconds(10));
    const Status status = runSender(sender);
    QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString expected =
            i == 7 ? QString()
                   : QStringLiteral("sha256:") +
                         QString::fromLatin1(
                             QCryptographicHash::hash(bodies[i], QCryptographicHash::Sha256).toHex());
        QCOMPARE(sender.received(i).checksum, expected);
        QCOMPARE(sender.received(i).xxh128, i == 7 ? QString() : ContentHash::xxh128(bodies[i]));
    }
}

void TestSignedPutSender::refusalBecomesTheServersError()
{
    fake::FakeServer server;
    server.handler = [](const fake::Recorded& request) {
        if (request.path.endsWith(QLatin1String("late.bin")))
            return fake::errorReply(409, QStringLiteral("conflict"),
                                    QStringLiteral("this upload was committed"));
        return fake::json(QJsonObject{}, 201);
    };
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("late.bin"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("late");
    file.close();
    SignedPutSender sender({{QUrl(server.base() + QStringLiteral("/files/main/late.bin?size=4")), path, 4}},
                           2, std::chrono::seconds(10));
    const Status status = runSender(sender);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().kind(), ErrorKind::Conflict);
    QVERIFY2(status.error().message().contains(QStringLiteral("this upload was committed")),
             qPrintable(status.error().message()));
    QVERIFY2(status.error().message().contains(path), qPrintable(status.error().message()));
}

void TestSignedPutSender::changedFileIsNotSent()
{
    fake::FakeServer server;
    server.handler = [](const fake::Recorded&) { return fake::json(QJsonObject{}, 201); };
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("grown.bin"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("more than announced");
    file.close();
    SignedPutSender sender({{QUrl(server.base() + QStringLiteral("/files/main/grown.bin?size=4")), path, 4}},
                           1, std::chrono::seconds(10));
    const Status status = runSender(sender);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().kind(), ErrorKind::Conflict);
    QVERIFY(status.error().message().contains(QStringLiteral("changed")));
    QVERIFY(server.requests.isEmpty());
}

void TestSignedPutSender::serverDownIsUnavailable()
{
    quint16 port = 0;
    {
        fake::FakeServer gone;
        port = gone.port();
    }
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("x.bin"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("x");
    file.close();
    SignedPutSender sender(
        {{QUrl(QStringLiteral("http://127.0.0.1:%1/files/main/x.bin?size=1").arg(port)), path, 1}}, 1,
        std::chrono::seconds(10));
    const Status status = runSender(sender);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().kind(), ErrorKind::Unavailable);
}

void TestSignedPutSender::takesOnlyPlainHttpOfOneServer()
{
    const auto file = [](const QString& url) {
        return SignedPutSender::File{QUrl(url), QStringLiteral("/x"), 1};
    };
    QVERIFY(SignedPutSender::supports({file(QStringLiteral("http://127.0.0.1:8080/files/a")),
                                       file(QStringLiteral("http://127.0.0.1:8080/files/b"))}));
    QVERIFY(!SignedPutSender::supports({}));
    QVERIFY(!SignedPutSender::supports({file(QStringLiteral("https://example.org/files/a"))}));
    QVERIFY(!SignedPutSender::supports({file(QStringLiteral("http://127.0.0.1:8080/files/a")),
                                        file(QStringLiteral("http://127.0.0.1:8081/files/b"))}));
    QVERIFY(!SignedPutSender::supports({file(QStringLiteral("http://127.0.0.1:8080/files/a")),
                                        file(QStringLiteral("http://localhost:8080/files/b"))}));
}

QTEST_GUILESS_MAIN(TestSignedPutSender)
#include "tst_signedputsender.moc"
