#include "CliApplication.h"
#include "FakeButlerServer.h"
#include "InProcessCli.h"
#include "RefusedPort.h"
#include "TokenSource.h"
#include "WireFormat.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

// The CLI on a server URL: the token options, the remote-only commands and that an ordinary
// command goes through RemoteButler. A QHttpServer in the test plays butler-server.

using namespace butler;
using namespace fake;

namespace {

QStringList lines(const QString& text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

DatasetRef makeRef()
{
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    const DatasetType type =
        DatasetType::make(universe, "raw", {"instrument", "detector", "exposure"}, "Exposure").value();
    const DataCoordinate dataId =
        DataCoordinate::fromMap(
            universe, type.dimensions(),
            {{"instrument", "LSSTCam"}, {"detector", 9}, {"exposure", qint64(2025061500001)}})
            .value();
    return DatasetRef(QUuid::createUuid(), type, dataId, "u/alice/run");
}

} // namespace

class TstRemoteCommands : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void whoami();
    void tokenFromEnvironment();
    void noToken();
    void unreachableServer();
    void aclShow();
    void aclEdit();
    void aclGrantAndRevokeSameGroup();
    void queryCollectionsThroughServer();
    void showUriPrintsSignedUrl();
    void loginStoresToken();
    void loginWithoutToken();

private:
    QString writeToken(const QByteArray& token);

    QTemporaryDir m_dir;
};

void TstRemoteCommands::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Never the user's own token store.
    qputenv("XDG_CONFIG_HOME", m_dir.filePath("config").toUtf8());
}

void TstRemoteCommands::init()
{
    qunsetenv(TokenSource::EnvironmentVariable);
    QFile::remove(m_dir.filePath("config/butler/tokens.json"));
}

QString TstRemoteCommands::writeToken(const QByteArray& token)
{
    const QString path = m_dir.filePath("token");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(token + "\n") < 0)
        qFatal("cannot write the token file");
    return path;
}

void TstRemoteCommands::whoami()
{
    FakeServer server;
    const InProcessRun run = runCli({"whoami", server.repoUrl(), "--token-file", writeToken("file-token")});
    QVERIFY2(run.status == 0, qPrintable(describe(run)));
    QCOMPARE(lines(run.out), (QStringList{"user:        alice", "groups:      g1, g2", "admin:       no",
                                          "data rights: yes"}));
    QVERIFY(run.err.isEmpty());
    for (const Recorded& request : server.requests)
        QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer file-token"));
}

void TstRemoteCommands::tokenFromEnvironment()
{
    FakeServer server;
    qputenv(TokenSource::EnvironmentVariable, "env-token");
    const InProcessRun run = runCli({"whoami", server.repoUrl()});
    QVERIFY2(run.status == 0, qPrintable(describe(run)));
    QCOMPARE(server.requests.first().headers.value("authorization"), QByteArray("Bearer env-token"));
    // --token-file wins over the environment.
    const InProcessRun second =
        runCli({"whoami", server.repoUrl(), "--token-file", writeToken("file-token")});
    QVERIFY2(second.status == 0, qPrintable(describe(second)));
    QCOMPARE(server.requests.last().headers.value("authorization"), QByteArray("Bearer file-token"));
}

void TstRemoteCommands::noToken()
{
    FakeServer server;
    const InProcessRun run = runCli({"query-collections", server.repoUrl()});
    QCOMPARE(run.status, 1);
    QCOMPARE(lines(run.err).size(), 1);
    QVERIFY2(run.err.startsWith("error: no access token for " + server.base()), qPrintable(run.err));
    QVERIFY2(run.err.contains("butler login"), qPrintable(run.err));
    QVERIFY(server.requests.isEmpty());
}

void TstRemoteCommands::unreachableServer()
{
    const RefusedPort refused;
    const quint16 port = refused.port();
    const InProcessRun run =
        runCli({"query-collections", QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(port),
                "--token-file", writeToken("t")});
    QCOMPARE(run.status, 1);
    QCOMPARE(run.err,
             QStringLiteral("error: cannot reach server at 127.0.0.1:%1 (connection refused)\n").arg(port));
}

void TstRemoteCommands::aclShow()
{
    FakeServer server;
    server.handler = [](const Recorded& request) {
        if (request.path.endsWith("/acl"))
            return json(
                QJsonObject{{"collection", request.query.queryItemValue("collection", QUrl::FullyDecoded)},
                            {"owner", "u/alice"},
                            {"readers", QJsonArray{"g1"}}});
        return FakeServer::defaultReply(request);
    };
    const InProcessRun run =
        runCli({"acl", server.repoUrl(), "u/alice/run", "--token-file", writeToken("t")});
    QVERIFY2(run.status == 0, qPrintable(describe(run)));
    QCOMPARE(lines(run.out),
             (QStringList{"collection: u/alice/run", "owner:      u/alice", "readers:    g1"}));
    QCOMPARE(server.requests.last().method, QByteArray("GET"));
}

void TstRemoteCommands::aclEdit()
{
    FakeServer server;
    server.handler = [](const Recorded& request) {
        if (request.path.endsWith("/acl")) {
            const QJsonObject body = QJsonDocument::fromJson(request.body).object();
            QJsonArray readers = body.value("grant").toArray();
            return json(QJsonObject{{"collection", body.value("collection")},
                                    {"owner", "g/cam"},
                                    {"readers", readers},
                                    {"release_date", "2025-06-15T00:00:00Z"}});
        }
        return FakeServer::defaultReply(request);
    };
    const InProcessRun run = runCli({"acl", server.repoUrl(), "g/cam/shared", "--grant", "g2", "g3",
                                     "--revoke", "g1", "--token-file", writeToken("t")});
    QVERIFY2(run.status == 0, qPrintable(describe(run)));
    const Recorded& request = server.requests.last();
    QCOMPARE(request.method, QByteArray("POST"));
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    QCOMPARE(body.value("collection").toString(), QStringLiteral("g/cam/shared"));
    QCOMPARE(body.value("grant").toArray(), (QJsonArray{"g2", "g3"}));
    QCOMPARE(body.value("revoke").toArray(), (QJsonArray{"g1"}));
    QCOMPARE(lines(run.out), (QStringList{"collection:   g/cam/shared", "owner:        g/cam",
                                          "readers:      g2, g3", "release date: 2025-06-15T00:00:00Z"}));
}

void TstRemoteCommands::aclGrantAndRevokeSameGroup()
{
    const InProcessRun run =
        runCli({"acl", "http://127.0.0.1:1/api/butler/repo/main", "c", "--grant", "g1", "--revoke", "g1"});
    QCOMPARE(run.status, 2);
    QVERIFY2(run.err.contains("both granted and revoked"), qPrintable(run.err));
}

void TstRemoteCommands::queryCollectionsThroughServer()
{
    FakeServer server;
    server.handler = [](const Recorded& request) {
        if (request.path.endsWith("/collections"))
            return json(QJsonObject{
                {"collections",
                 QJsonArray{CollectionInfo{"u/alice/run", CollectionType::Run, {}, {}}.toJson(),
                            CollectionInfo{"u/alice/tagged", CollectionType::Tagged, {}, {}}.toJson()}}});
        return FakeServer::defaultReply(request);
    };
    const InProcessRun run = runCli(
        {"query-collections", server.repoUrl(), "u/*", "--format", "json", "--token-file", writeToken("t")});
    QVERIFY2(run.status == 0, qPrintable(describe(run)));
    const QJsonArray rows = QJsonDocument::fromJson(run.out.toUtf8()).array();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].toObject().value("name").toString(), QStringLiteral("u/alice/run"));
    QCOMPARE(rows[1].toObject().value("type").toString(), QStringLiteral("TAGGED"));
    QCOMPARE(server.requests.last().query.allQueryItemValues("glob", QUrl::FullyDecoded),
             (QStringList{"u/*"}));
}

void TstRemoteCommands::showUriPrintsSignedUrl()
{
    FakeServer server;
    const DatasetRef ref = makeRef();
    const QString signedUrl =
        server.base() + "/files/main/raw/x.fits?method=GET&expires=1767225600&signature=abc";
    server.handler = [&](const Recorded& request) {
        if (request.path.endsWith("/datasets/query")) {
            DatasetPage page;
            page.refs = {ref};
            return json(WireFormat::toJson(page));
        }
        if (request.path.endsWith("/datasets/file-info")) {
            FileInfo info{ref.id(), signedUrl, "raw/x.fits", "fits", 10, "sha256:00"};
            return json(QJsonObject{{"files", QJsonArray{WireFormat::toJson(info, 1767225600)}}});
        }
        return FakeServer::defaultReply(request);
    };
    const InProcessRun run =
        runCli({"query-datasets", server.repoUrl(), "raw", "--collections", "u/alice/run", "--show-uri",
                "--format", "json", "--token-file", writeToken("t")});
    QVERIFY2(run.status == 0, qPrintable(describe(run)));
    const QJsonArray rows = QJsonDocument::fromJson(run.out.toUtf8()).array();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].toObject().value("id").toString(), ref.idString());
    QCOMPARE(rows[0].toObject().value("uri").toString(), signedUrl);
}

void TstRemoteCommands::loginStoresToken()
{
    FakeServer server;
    const InProcessRun login = runCli({"login", server.repoUrl(), "--token-file", writeToken("login-token")});
    QVERIFY2(login.status == 0, qPrintable(describe(login)));
    QVERIFY2(login.out.contains("as alice"), qPrintable(login.out));
    const QString store = m_dir.filePath("config/butler/tokens.json");
    QVERIFY(QFile::exists(store));
    QCOMPARE(QFile::permissions(store) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QFile::remove(m_dir.filePath("token"));
    // Later commands find the stored token.
    const InProcessRun whoami = runCli({"whoami", server.repoUrl()});
    QVERIFY2(whoami.status == 0, qPrintable(describe(whoami)));
    QCOMPARE(server.requests.last().headers.value("authorization"), QByteArray("Bearer login-token"));
}

void TstRemoteCommands::loginWithoutToken()
{
    const InProcessRun run = runCli({"login", "http://127.0.0.1:1/api/butler/repo/main"});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.contains("--token-file"), qPrintable(run.err));
    QVERIFY(!QFile::exists(m_dir.filePath("config/butler/tokens.json")));
}

QTEST_GUILESS_MAIN(TstRemoteCommands)
#include "tst_remotecommands.moc"
