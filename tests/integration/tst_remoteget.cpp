// How many file-info requests RemoteButler::get() costs, counted by the real butler-server's
// /metrics: one per dataset, none at all right after fileInfo() named it (as retrieve-artifacts
// does), and a removal through the same butler is not answered from what it remembered.
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QRegularExpression>
#include <QTest>

using namespace butler;

class TestRemoteGet : public QObject
{
    Q_OBJECT

private:
    ServerFixture m_server;
    std::unique_ptr<RemoteButler> m_alice;

    // POST /datasets/file-info requests answered so far, any status.
    int fileInfoRequests()
    {
        const QByteArray metrics = m_server.request("GET", QStringLiteral("/metrics"), {}).body;
        static const QRegularExpression line(
            QStringLiteral("^butler_http_requests_total\\{route=\"[^\"]*/datasets/"
                           "file-info\",method=\"POST\",status=\"\\d+\"\\} (\\d+)$"));
        int total = 0;
        for (const QByteArray& text : metrics.split('\n')) {
            const QRegularExpressionMatch match = line.match(QString::fromUtf8(text));
            if (match.hasMatch())
                total += match.captured(1).toInt();
        }
        return total;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
        auto alice = RemoteButler::connect(m_server.repoUrl(), m_server.token(QStringLiteral("alice")));
        QVERIFY2(alice.ok(), alice.ok() ? "" : qPrintable(alice.error().message()));
        m_alice = std::move(alice).value();
    }

    void cleanupTestCase()
    {
        m_alice.reset();
        QCOMPARE(m_server.stop(), 0);
    }

    void getAsksForTheFileOnce()
    {
        const int before = fileInfoRequests();
        auto bytes = m_alice->get(m_server.datasetIn(QStringLiteral("u/alice/run")));
        QVERIFY2(bytes.ok(), bytes.ok() ? "" : qPrintable(bytes.error().message()));
        QVERIFY(bytes->contains("u/alice/run"));
        QTRY_COMPARE(fileInfoRequests(), before + 1);
    }

    void getAfterFileInfoAsksNothing()
    {
        const QList<QUuid> ids{m_server.datasetIn(QStringLiteral("u/alice/shared")),
                               m_server.datasetIn(QStringLiteral("g/alpha/run")),
                               m_server.datasetIn(QStringLiteral("DR1/public"))};
        const int before = fileInfoRequests();
        auto files = m_alice->fileInfo(ids);
        QVERIFY2(files.ok(), files.ok() ? "" : qPrintable(files.error().message()));
        QCOMPARE(files->size(), 3);
        for (const QUuid& id : ids) {
            QString formatter;
            auto bytes = m_alice->get(id, &formatter);
            QVERIFY2(bytes.ok(), bytes.ok() ? "" : qPrintable(bytes.error().message()));
            QCOMPARE(formatter, QStringLiteral("json"));
        }
        // The batch was the only request; the gets used its URLs.
        QTRY_COMPARE(fileInfoRequests(), before + 1);
        QCOMPARE(fileInfoRequests(), before + 1);
    }

    void removedDatasetsAreNotServedFromMemory()
    {
        const QString run = QStringLiteral("u/alice/get-then-prune");
        QVERIFY(m_alice->registerCollection(run, CollectionType::Run).ok());
        auto ref = m_alice->put(QByteArray("{\"n\": 1}"), QStringLiteral("json"), QStringLiteral("note"),
                                {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}}, run);
        QVERIFY2(ref.ok(), ref.ok() ? "" : qPrintable(ref.error().message()));
        QVERIFY(m_alice->fileInfo({ref->id()}).ok());
        // Pruned into the trash: its file stays on disk, so its URL would still work.
        QVERIFY(m_alice->pruneDatasets({ref->id()}, true, false).ok());
        auto gone = m_alice->get(ref->id());
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().kind(), ErrorKind::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestRemoteGet)
#include "tst_remoteget.moc"
