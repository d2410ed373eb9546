// EmbeddedServer: the in-process server the desktop app opens local repositories through.

#include "DemoRepoBuilder.h"
#include "DirectButler.h"
#include "EmbeddedServer.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

using namespace butler;

namespace {

struct Answer
{
    int status = 0;
    QJsonObject json;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
};

Answer get(const QString& url, const QString& token)
{
    QNetworkAccessManager nam;
    QNetworkRequest request{QUrl(url)};
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QNetworkReply* reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.json = QJsonDocument::fromJson(reply->readAll()).object();
    answer.error = reply->error();
    reply->deleteLater();
    return answer;
}

} // namespace

class TestEmbeddedServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_repo = m_dir.filePath(QStringLiteral("repo"));
        QVERIFY(DirectButler::create(m_repo).ok());
        auto butler = DirectButler::open(m_repo);
        QVERIFY(butler.ok());
        DemoRepoOptions options;
        options.nights = 1;
        options.small = true;
        QVERIFY(DemoRepoBuilder::build(**butler, options).ok());
    }

    void servesTheRepositoryToItsTokenOnly()
    {
        auto server = EmbeddedServer::start(m_repo, QStringLiteral("astro"));
        QVERIFY2(server.ok(), server.ok() ? "" : qPrintable(server.error().message()));
        const QString url = (*server)->repoUrl();
        QVERIFY2(url.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(url));
        QVERIFY(!url.endsWith(QLatin1String(":0/api/butler/repo/main")));
        QVERIFY((*server)->token().size() >= 40);

        const Answer whoami = get(url + QStringLiteral("/v1/whoami"), (*server)->token());
        QCOMPARE(whoami.status, 200);
        QCOMPARE(whoami.json.value(QStringLiteral("user")).toString(), QStringLiteral("astro"));
        QCOMPARE(whoami.json.value(QStringLiteral("admin")).toBool(), true);

        const Answer collections = get(url + QStringLiteral("/v1/collections"), (*server)->token());
        QCOMPARE(collections.status, 200);
        QVERIFY(!collections.json.value(QStringLiteral("collections")).toArray().isEmpty());

        QCOMPARE(get(url + QStringLiteral("/v1/whoami"), QStringLiteral("not-the-token")).status, 401);
        QCOMPARE(get(url + QStringLiteral("/v1/whoami"), QString()).status, 401);
    }

    void stopsWhenDestroyed()
    {
        QString url;
        {
            auto server = EmbeddedServer::start(m_repo, QStringLiteral("astro"));
            QVERIFY(server.ok());
            url = (*server)->repoUrl();
            QCOMPARE(get(url + QStringLiteral("/v1/whoami"), (*server)->token()).status, 200);
        }
        const Answer after = get(url + QStringLiteral("/v1/whoami"), QString());
        QCOMPARE(after.status, 0);
        QCOMPARE(after.error, QNetworkReply::ConnectionRefusedError);
    }

    void startsFromAnotherThreadAndTwice()
    {
        // The app starts it off the UI thread; two repositories may be open at once.
        Result<std::unique_ptr<EmbeddedServer>> first = Error(ErrorKind::Internal, QString());
        QThread* thread =
            QThread::create([&] { first = EmbeddedServer::start(m_repo, QStringLiteral("a")); });
        thread->start();
        QVERIFY(thread->wait(60000));
        delete thread;
        QVERIFY(first.ok());
        auto second = EmbeddedServer::start(m_repo, QStringLiteral("b"));
        QVERIFY(second.ok());
        QVERIFY((*first)->repoUrl() != (*second)->repoUrl());
        QCOMPARE(get((*first)->repoUrl() + QStringLiteral("/v1/whoami"), (*first)->token()).status, 200);
        QCOMPARE(get((*second)->repoUrl() + QStringLiteral("/v1/whoami"), (*first)->token()).status, 401);
    }

    void badRepositoryIsAClearError()
    {
        auto server =
            EmbeddedServer::start(m_dir.filePath(QStringLiteral("no-such-repo")), QStringLiteral("astro"));
        QVERIFY(!server.ok());
        QVERIFY2(server.error().message().contains(QLatin1String("no-such-repo")),
                 qPrintable(server.error().message()));
    }

private:
    QTemporaryDir m_dir;
    QString m_repo;
};

QTEST_GUILESS_MAIN(TestEmbeddedServer)
#include "tst_embeddedserver.moc"
