#include "CliApplication.h"
#include "FakeButlerServer.h"
#include "InProcessCli.h"
#include "RefusedPort.h"
#include "TokenSource.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

// How `butler login` finds the identity provider without --issuer: the server's protected
// resource metadata (RFC 9728), else the provider of the last login, else a message saying what
// to pass. A QHttpServer in the test plays butler-server; the advertised providers do not
// exist, so each sign-in ends at discovery, naming the provider it tried (the sign-in itself is
// tested against a real provider in integration/tst_clilogin).

using namespace butler;
using namespace fake;

class TstLoginProvider : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void advertisedProviderIsUsed();
    void metadataForAnotherResourceIsRefused();
    void lastLoginsProviderIsUsed();
    void optionsWin();
    void noProvider();
    void serverUnreachable();

private:
    QString storeFile() const { return m_dir.filePath("config/butler/tokens.json"); }
    // An address where nothing answers, for as long as the test function runs.
    QString deadAddress()
    {
        m_refused.push_back(std::make_unique<RefusedPort>());
        return QStringLiteral("http://127.0.0.1:%1").arg(m_refused.back()->port());
    }

    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<RefusedPort>> m_refused;
};

void TstLoginProvider::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("XDG_CONFIG_HOME", m_dir.filePath("config").toUtf8());
    // No browser may start from a test.
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
}

void TstLoginProvider::init()
{
    m_refused.clear();
    qunsetenv(TokenSource::EnvironmentVariable);
    QFile::remove(storeFile());
}

void TstLoginProvider::advertisedProviderIsUsed()
{
    FakeServer server;
    const QString issuer = deadAddress();
    server.handler = [&](const Recorded& request) {
        if (request.path == QLatin1String("/.well-known/oauth-protected-resource"))
            return json(QJsonObject{{"resource", server.base() + "/"},
                                    {"authorization_servers", QJsonArray{issuer}},
                                    {"butler_client_id", "site-cli"},
                                    {"scopes_supported", QJsonArray{"butler:read"}}});
        return FakeServer::defaultReply(request);
    };
    const InProcessRun run = runCli({"login", server.repoUrl(), "--no-browser", "--timeout", "20"});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.startsWith("error: signing in at " + issuer) && run.err.contains("did not answer"),
             qPrintable(describe(run)));
    QCOMPARE(server.count("/.well-known/oauth-protected-resource"), 1);
    QVERIFY(!QFile::exists(storeFile()));
}

void TstLoginProvider::metadataForAnotherResourceIsRefused()
{
    FakeServer server;
    server.handler = [&](const Recorded& request) {
        if (request.path == QLatin1String("/.well-known/oauth-protected-resource"))
            return json(QJsonObject{{"resource", "https://elsewhere.example.org"},
                                    {"authorization_servers", QJsonArray{"https://idp.example.org"}}});
        return FakeServer::defaultReply(request);
    };
    const InProcessRun run = runCli({"login", server.repoUrl(), "--no-browser"});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.contains("another resource") && run.err.contains("elsewhere.example.org"),
             qPrintable(describe(run)));
    QVERIFY(!run.err.contains("idp.example.org/"));
}

void TstLoginProvider::lastLoginsProviderIsUsed()
{
    FakeServer server; // names no provider (404)
    const QString issuer = deadAddress();
    QJsonObject entry{{"access_token", "old-token"},
                      {"expires_at", 1},
                      {"issuer", issuer},
                      {"client_id", "butler-cli"},
                      {"scope", "openid"}};
    QVERIFY(TokenSource::storeEntry(server.base(), entry, storeFile()).ok());
    const InProcessRun run = runCli({"login", server.repoUrl(), "--no-browser"});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.startsWith("error: signing in at " + issuer), qPrintable(describe(run)));
    // A failed sign-in leaves the old entry alone.
    const Result<QJsonObject> kept = TokenSource::storedEntry(server.base(), storeFile());
    QVERIFY(kept.ok());
    QCOMPARE(*kept, entry);
}

void TstLoginProvider::optionsWin()
{
    FakeServer server;
    const QString advertised = deadAddress();
    server.handler = [&](const Recorded& request) {
        if (request.path == QLatin1String("/.well-known/oauth-protected-resource"))
            return json(QJsonObject{{"authorization_servers", QJsonArray{advertised}}});
        return FakeServer::defaultReply(request);
    };
    const QString chosen = deadAddress() + "/realms/x";
    const InProcessRun run = runCli({"login", server.repoUrl(), "--issuer", chosen, "--no-browser"});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.startsWith("error: signing in at " + chosen), qPrintable(describe(run)));
    QCOMPARE(server.count("/.well-known/oauth-protected-resource"), 0);
}

void TstLoginProvider::noProvider()
{
    FakeServer server;
    const InProcessRun run = runCli({"login", server.repoUrl()});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.contains("does not name its identity provider") && run.err.contains("--issuer") &&
                 run.err.contains("--token-file"),
             qPrintable(describe(run)));
    QVERIFY(!QFile::exists(storeFile()));
}

void TstLoginProvider::serverUnreachable()
{
    const InProcessRun run = runCli({"login", deadAddress() + "/api/butler/repo/main"});
    QCOMPARE(run.status, 1);
    QVERIFY2(run.err.contains("cannot ask") && run.err.contains("--token-file"), qPrintable(describe(run)));
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY(!QFile::exists(storeFile()));
}

QTEST_GUILESS_MAIN(TstLoginProvider)
#include "tst_loginprovider.moc"
