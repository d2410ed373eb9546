// quotas.sync_on_commit against the real butler-server: with it, every commit of an upload
// flushes the datastore's file system before recording its files (the server says so in its
// log) and still stores what was uploaded; without it, commits do not flush.
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QElapsedTimer>
#include <QTest>

using namespace butler;

namespace {

const QByteArray kFlushed = QByteArrayLiteral("flushed the datastore of main before committing upload");

} // namespace

class TestSyncOnCommit : public QObject
{
    Q_OBJECT

private:
    // Uploads two notes through alice's RemoteButler (reserve, PUT, commit each) and checks
    // they read back; the upload IDs are in the server's log.
    void uploadAndReadBack(ServerFixture& server)
    {
        auto connected = RemoteButler::connect(server.repoUrl(), server.token(QStringLiteral("alice")));
        QVERIFY2(connected.ok(), connected.ok() ? "" : qPrintable(connected.error().message()));
        RemoteButler& alice = **connected;
        const QString run = QStringLiteral("u/alice/synced");
        QVERIFY(alice.registerCollection(run, CollectionType::Run).ok());
        auto note =
            alice.put(QByteArray("{\"synced\": true}"), QStringLiteral("json"), QStringLiteral("note"),
                      {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}}, run);
        QVERIFY2(note.ok(), note.ok() ? "" : qPrintable(note.error().message()));
        auto bytes = alice.get(note->id());
        QVERIFY2(bytes.ok(), bytes.ok() ? "" : qPrintable(bytes.error().message()));
        QCOMPARE(*bytes, QByteArray("{\"synced\": true}"));
    }

    // The server's log so far (stderr), once it mentions the commit (or after 10 s).
    static QByteArray logAfterCommit(ServerFixture& server)
    {
        QByteArray log;
        QElapsedTimer timer;
        timer.start();
        while (!log.contains("committed upload") && timer.elapsed() < 10000) {
            server.process().waitForReadyRead(200);
            log += server.process().readAllStandardError();
        }
        return log;
    }

private slots:
    void commitsFlushWithTheOption()
    {
        ServerFixture server;
        QVERIFY2(server.prepare(QStringLiteral("quotas: { sync_on_commit: true }\n")),
                 qPrintable(server.lastError()));
        QVERIFY2(server.start(), qPrintable(server.lastError()));
        uploadAndReadBack(server);
        if (QTest::currentTestFailed())
            return;
        const QByteArray log = logAfterCommit(server);
        QVERIFY2(log.contains("committed upload"), log.constData());
        QVERIFY2(log.contains(kFlushed), log.constData());
        // Flushed before the commit was recorded.
        QVERIFY(log.indexOf(kFlushed) < log.indexOf("committed upload"));
        QCOMPARE(server.stop(), 0);
    }

    void commitsDoNotFlushWithoutIt()
    {
        ServerFixture server;
        QVERIFY2(server.prepare(), qPrintable(server.lastError()));
        QVERIFY2(server.start(), qPrintable(server.lastError()));
        uploadAndReadBack(server);
        if (QTest::currentTestFailed())
            return;
        const QByteArray log = logAfterCommit(server);
        QVERIFY2(log.contains("committed upload"), log.constData());
        QVERIFY2(!log.contains(kFlushed), log.constData());
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSyncOnCommit)
#include "tst_synconcommit.moc"
