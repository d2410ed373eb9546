#include "HttpLimits.h"
#include "ServerConfig.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

// A valid config using every key; the files it names are created by makeFiles().
const char* const FullConfig = R"(listen: 0.0.0.0:9443
public_url: https://butler.example.org/
repositories:
  main: { path: repos/main }
  embargo_2:
    path: repos/embargo
auth:
  jwt:
    issuer: https://issuer.example
    audience: butler
    jwks_file: keys/jwks.json
    username_claim: sub
    groups_claim: roles
  introspection: { url: https://issuer.example/introspect, client_id: butler-server, client_secret_file: keys/client.secret }
  static_tokens_file: tokens.yaml
policy:
  data_rights_group: rubin-data
  admin_group: ops
  proprietary_period_days: 365
quotas: { default_bytes: 5368709120 }
signed_urls: { ttl_seconds: 600, max_ttl_seconds: 86400, secret_file: keys/signing.key }
limits: { requests_per_second_per_user: 12.5, burst_per_user: 40, concurrent_queries_per_user: 3, max_queued_per_user: 64, exempt_admins: true }
http:
  max_header_bytes: 32768
  max_body_bytes: 1073741824
  header_timeout_ms: 5000
  body_timeout_ms: 30000
  idle_timeout_ms: 15000
  max_connections: 500
  listen_backlog: 256
  threads: 3
workers: 6
worker_nice: 12
background_backlog: 16
)";

// The smallest valid config; line 1 is "repositories:".
const char* const MinimalConfig = "repositories:\n"
                                  "  main: { path: repos/main }\n"
                                  "auth:\n"
                                  "  static_tokens_file: tokens.yaml\n";

bool writeFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

class TestServerConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString& relative) const { return QDir::cleanPath(m_dir.filePath(relative)); }

    // The config's error message, failing the test if it loaded.
    QString errorOf(const QByteArray& yaml)
    {
        const Result<ServerConfig> config = ServerConfig::fromYaml(yaml, m_dir.path());
        if (config.ok())
            return QStringLiteral("<loaded without error>");
        return config.error().message();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeFile(path("repos/main/butler.yaml"), "registry: {db: 'sqlite:///gen3.sqlite3'}\n"));
        QVERIFY(writeFile(path("repos/embargo/butler.yaml"), "registry: {db: 'sqlite:///gen3.sqlite3'}\n"));
        QVERIFY(QDir().mkpath(path("repos/not-a-repo")));
        QVERIFY(writeFile(path("keys/jwks.json"), "{\"keys\":[]}"));
        QVERIFY(writeFile(path("keys/client.secret"), "s3cret"));
        QVERIFY(writeFile(path("keys/signing.key"), QByteArray(48, 'k')));
        QVERIFY(writeFile(path("tokens.yaml"), "[]\n"));
    }

    void fullConfig()
    {
        const Result<ServerConfig> loaded = ServerConfig::fromYaml(FullConfig, m_dir.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message()));
        const ServerConfig& c = loaded.value();
        QCOMPARE(c.listenHost, QStringLiteral("0.0.0.0"));
        QCOMPARE(c.listenPort, quint16(9443));
        QCOMPARE(c.publicUrl, QStringLiteral("https://butler.example.org"));
        QCOMPARE(c.repositories.size(), 2);
        QCOMPARE(c.repositories[0].label, QStringLiteral("main"));
        QCOMPARE(c.repositories[0].path, path("repos/main"));
        QCOMPARE(c.repositories[1].label, QStringLiteral("embargo_2"));
        QCOMPARE(c.repositories[1].path, path("repos/embargo"));
        QVERIFY(c.repository(QStringLiteral("embargo_2")));
        QVERIFY(!c.repository(QStringLiteral("other")));

        QCOMPARE(c.auth.issuer, QStringLiteral("https://issuer.example"));
        QCOMPARE(c.auth.audience, QStringLiteral("butler"));
        QVERIFY(c.auth.jwksUrl.isEmpty());
        QCOMPARE(c.auth.jwksFile, path("keys/jwks.json"));
        QCOMPARE(c.auth.usernameClaim, QStringLiteral("sub"));
        QCOMPARE(c.auth.groupsClaim, QStringLiteral("roles"));
        QCOMPARE(c.auth.introspectionUrl, QUrl(QStringLiteral("https://issuer.example/introspect")));
        QCOMPARE(c.auth.introspectionClientId, QStringLiteral("butler-server"));
        QCOMPARE(c.auth.introspectionClientSecretFile, path("keys/client.secret"));
        QCOMPARE(c.auth.staticTokensFile, path("tokens.yaml"));

        QCOMPARE(c.policy.dataRightsGroup, QStringLiteral("rubin-data"));
        QCOMPARE(c.policy.adminGroup, QStringLiteral("ops"));
        QCOMPARE(c.policy.proprietaryPeriodDays, 365);
        QCOMPARE(c.quotas.defaultBytes, Q_INT64_C(5368709120));
        QCOMPARE(c.signedUrls.ttlSeconds, 600);
        QCOMPARE(c.signedUrls.maxTtlSeconds, 86400);
        QCOMPARE(c.signedUrls.secretFile, path("keys/signing.key"));
        QCOMPARE(c.limits.requestsPerSecondPerUser, 12.5);
        QCOMPARE(c.limits.burstPerUser, 40.0);
        QCOMPARE(c.limits.effectiveBurst(), 40.0);
        QCOMPARE(c.limits.concurrentQueriesPerUser, 3);
        QCOMPARE(c.limits.maxQueuedPerUser, 64);
        QCOMPARE(c.limits.exemptAdmins, true);
        QCOMPARE(c.http.maxHeaderBytes, 32768);
        QCOMPARE(c.http.maxBodyBytes, Q_INT64_C(1073741824));
        QCOMPARE(c.http.headerTimeoutMs, 5000);
        QCOMPARE(c.http.bodyTimeoutMs, 30000);
        QCOMPARE(c.http.idleTimeoutMs, 15000);
        QCOMPARE(c.http.maxConnections, 500);
        QCOMPARE(c.http.listenBacklog, 256);
        QCOMPARE(c.http.threads, 3);
        QCOMPARE(c.workers, 6);
        QCOMPARE(c.workerNice, 12);
        QCOMPARE(c.backgroundBacklog, 16);

        // The views the server's libraries take.
        const AuthConfig auth = c.authConfig();
        QCOMPARE(auth.adminGroup, QStringLiteral("ops"));
        QCOMPARE(auth.dataRightsGroup, QStringLiteral("rubin-data"));
        QVERIFY(auth.jwtEnabled() && auth.introspectionEnabled() && auth.staticTokensEnabled());
        QCOMPARE(c.policyConfig().adminGroup, QStringLiteral("ops"));
        const HttpLimits limits = c.httpLimits();
        QCOMPARE(limits.maxBodyBytes, Q_INT64_C(1073741824));
        QCOMPARE(limits.threads, 3);
        QCOMPARE(limits.listenBacklog, 256);
        QCOMPARE(c.listenAddress(), QHostAddress(QHostAddress::AnyIPv4));
        QVERIFY(c.validate().ok());
    }

    void defaults()
    {
        const Result<ServerConfig> loaded = ServerConfig::fromYaml(MinimalConfig, m_dir.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message()));
        const ServerConfig& c = loaded.value();
        QCOMPARE(c.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(c.listenPort, quint16(8080));
        QCOMPARE(c.publicUrl, QStringLiteral("http://127.0.0.1:8080"));
        QCOMPARE(c.policy.dataRightsGroup, QStringLiteral("data-rights"));
        QCOMPARE(c.policy.adminGroup, QStringLiteral("butler-admins"));
        QCOMPARE(c.policy.proprietaryPeriodDays, 730);
        QCOMPARE(c.quotas.defaultBytes, Q_INT64_C(10737418240));
        QCOMPARE(c.signedUrls.ttlSeconds, 3600);
        QCOMPARE(c.signedUrls.maxTtlSeconds, 604800);
        QVERIFY(c.signedUrls.secretFile.isEmpty());
        QCOMPARE(c.limits.requestsPerSecondPerUser, 50.0);
        QCOMPARE(c.limits.effectiveBurst(), 100.0); // twice the rate
        QCOMPARE(c.limits.concurrentQueriesPerUser, 2);
        QCOMPARE(c.limits.maxQueuedPerUser, 1000);
        QCOMPARE(c.limits.exemptAdmins, false); // admins are limited like everyone
        QCOMPARE(c.workers, 4);
        QCOMPARE(c.workerNice, 5);
        QCOMPARE(c.backgroundBacklog, 4);
        QCOMPARE(c.auth.usernameClaim, QStringLiteral("preferred_username"));
        QCOMPARE(c.auth.groupsClaim, QStringLiteral("groups"));
        QVERIFY(!c.auth.jwtEnabled());
        QVERIFY(!c.auth.introspectionEnabled());
        QCOMPARE(c.http.threads, 0);
    }

    void listenForms_data()
    {
        QTest::addColumn<QString>("listen");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("publicUrl");
        QTest::newRow("ipv4") << "10.1.2.3:80"
                              << "10.1.2.3" << 80 << "http://10.1.2.3:80";
        QTest::newRow("ipv6") << "[::1]:9000"
                              << "::1" << 9000 << "http://[::1]:9000";
        QTest::newRow("name") << "localhost:8081"
                              << "localhost" << 8081 << "http://localhost:8081";
        QTest::newRow("any port") << "127.0.0.1:0"
                                  << "127.0.0.1" << 0 << "http://127.0.0.1:0";
    }

    void listenForms()
    {
        QFETCH(QString, listen);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, publicUrl);
        const QByteArray yaml = "listen: \"" + listen.toUtf8() + "\"\n" + MinimalConfig;
        const Result<ServerConfig> loaded = ServerConfig::fromYaml(yaml, m_dir.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message()));
        QCOMPARE(loaded->listenHost, host);
        QCOMPARE(int(loaded->listenPort), port);
        QCOMPARE(loaded->publicUrl, publicUrl);
        QVERIFY(!loaded->listenAddress().isNull());
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("unknown top key")
            << QByteArray("repositories:\n  main: {path: repos/main}\n"
                          "auht:\n  static_tokens_file: tokens.yaml\n")
            << QStringList{"unknown key 'auht' at line 3 (did you mean 'auth'?)"};
        QTest::newRow("unknown nested key")
            << QByteArray(MinimalConfig) + "signed_urls:\n  ttl_secnds: 60\n"
            << QStringList{"unknown key 'signed_urls.ttl_secnds' at line 6 (did you mean 'ttl_seconds'?)"};
        QTest::newRow("unknown key, no suggestion")
            << QByteArray(MinimalConfig) + "colour: blue\n"
            << QStringList{"unknown key 'colour' at line 5 (known keys here: listen, public_url"};
        QTest::newRow("duplicate key") << QByteArray(MinimalConfig) + "workers: 2\nworkers: 3\n"
                                       << QStringList{"workers at line 6: key appears twice"};
        QTest::newRow("worker_nice out of range")
            << QByteArray(MinimalConfig) + "worker_nice: 20\n"
            << QStringList{"worker_nice at line 5: must be from 0 to 19; got 20"};
        QTest::newRow("background_backlog negative")
            << QByteArray(MinimalConfig) + "background_backlog: -1\n"
            << QStringList{"background_backlog at line 5: must be 0 (never) or more; got -1"};
        QTest::newRow("integer expected")
            << QByteArray(MinimalConfig) + "workers: many\n"
            << QStringList{"workers at line 5: expected an integer, got 'many'"};
        QTest::newRow("fraction for integer")
            << QByteArray(MinimalConfig) + "limits: {concurrent_queries_per_user: 1.5}\n"
            << QStringList{"limits.concurrent_queries_per_user at line 5: expected an integer, got '1.5'"};
        QTest::newRow("mapping expected")
            << QByteArray("repositories: [main]\nauth: {static_tokens_file: tokens.yaml}\n")
            << QStringList{"repositories at line 1: expected a mapping of keys, got a list"};
        QTest::newRow("string expected")
            << QByteArray("repositories:\n  main: {path: [a, b]}\nauth: {static_tokens_file: tokens.yaml}\n")
            << QStringList{"repositories.main.path at line 2: expected a string, got a list"};
        QTest::newRow("listen without port") << QByteArray("listen: localhost\n") + MinimalConfig
                                             << QStringList{"listen at line 1: 'localhost' is not HOST:PORT"};
        QTest::newRow("listen port too large") << QByteArray("listen: 127.0.0.1:99999\n") + MinimalConfig
                                               << QStringList{"'127.0.0.1:99999' is not HOST:PORT"};
        QTest::newRow("listen bare ipv6")
            << QByteArray("listen: \"::1:80\"\n") + MinimalConfig << QStringList{"'::1:80' is not HOST:PORT"};
        QTest::newRow("public_url not http")
            << QByteArray("public_url: ftp://example.org\n") + MinimalConfig
            << QStringList{"public_url at line 1: 'ftp://example.org' is not an http:// or https:// URL"};
        QTest::newRow("public_url no host")
            << QByteArray("public_url: not a url\n") + MinimalConfig
            << QStringList{"public_url at line 1: 'not a url' is not an http"};
        QTest::newRow("no repositories") << QByteArray("auth: {static_tokens_file: tokens.yaml}\n")
                                         << QStringList{"repositories: no repository configured"};
        QTest::newRow("bad label") << QByteArray("repositories:\n  \"my repo\": {path: repos/main}\n"
                                                 "auth: {static_tokens_file: tokens.yaml}\n")
                                   << QStringList{
                                          "repositories.my repo at line 2: label 'my repo' may only contain"};
        QTest::newRow("label with dot")
            << QByteArray("repositories:\n  a.b: {path: repos/main}\n"
                          "auth: {static_tokens_file: tokens.yaml}\n")
            << QStringList{"label 'a.b' may only contain letters, digits, '_' and '-'"};
        QTest::newRow("repository missing")
            << QByteArray("repositories:\n  main: {path: repos/nowhere}\n"
                          "auth: {static_tokens_file: tokens.yaml}\n")
            << QStringList{"repositories.main.path at line 2: " + path("repos/nowhere") + " does not exist"};
        QTest::newRow("not a repository") << QByteArray("repositories:\n  main: {path: repos/not-a-repo}\n"
                                                        "auth: {static_tokens_file: tokens.yaml}\n")
                                          << QStringList{"is not a butler repository (no butler.yaml)"};
        QTest::newRow("repository without path")
            << QByteArray("repositories:\n  main: {}\n"
                          "auth: {static_tokens_file: tokens.yaml}\n")
            << QStringList{"repositories.main.path at line 2: is required"};
        QTest::newRow("no auth") << QByteArray("repositories:\n  main: {path: repos/main}\n")
                                 << QStringList{"auth: no authentication configured"};
        QTest::newRow("empty auth") << QByteArray("repositories:\n  main: {path: repos/main}\nauth: {}\n")
                                    << QStringList{"auth at line 3: no authentication configured"};
        QTest::newRow("tokens file missing")
            << QByteArray(
                   "repositories:\n  main: {path: repos/main}\nauth:\n  static_tokens_file: nope.yaml\n")
            << QStringList{"auth.static_tokens_file at line 4: file " + path("nope.yaml") +
                           " does not exist"};
        QTest::newRow("jwks file missing")
            << QByteArray(MinimalConfig) +
                   "  jwt: {issuer: https://i.example, audience: butler, jwks_file: keys/none.json}\n"
            << QStringList{"auth.jwt.jwks_file at line 5: file " + path("keys/none.json") +
                           " does not exist"};
        QTest::newRow("jwks file is a folder")
            << QByteArray(MinimalConfig) +
                   "  jwt: {issuer: https://i.example, audience: butler, jwks_file: keys}\n"
            << QStringList{"auth.jwt.jwks_file at line 5: " + path("keys") + " is not a file"};
        QTest::newRow("jwt without keys")
            << QByteArray(MinimalConfig) + "  jwt: {issuer: https://i.example}\n"
            << QStringList{"auth.jwt.audience at line 5: is required",
                           "auth.jwt at line 5: needs jwks_url or jwks_file"};
        QTest::newRow("jwt with both keys")
            << QByteArray(MinimalConfig) + "  jwt: {issuer: i, audience: a, jwks_url: "
                                           "https://i.example/jwks, jwks_file: keys/jwks.json}\n"
            << QStringList{"auth.jwt at line 5: give only one of jwks_url and jwks_file"};
        QTest::newRow("jwks_url not http")
            << QByteArray(MinimalConfig) + "  jwt: {issuer: i, audience: a, jwks_url: file:///etc/jwks}\n"
            << QStringList{"auth.jwt.jwks_url at line 5: 'file:///etc/jwks' is not an http"};
        QTest::newRow("client secret missing")
            << QByteArray(MinimalConfig) + "  introspection: {url: https://i.example/in, client_id: c, "
                                           "client_secret_file: keys/nope}\n"
            << QStringList{"auth.introspection.client_secret_file at line 5: file " + path("keys/nope") +
                           " does not exist"};
        QTest::newRow("introspection incomplete")
            << QByteArray(MinimalConfig) + "  introspection: {client_id: c}\n"
            << QStringList{"auth.introspection.url at line 5: is required",
                           "auth.introspection.client_secret_file at line 5: is required"};
        QTest::newRow("secret file missing")
            << QByteArray(MinimalConfig) + "signed_urls: {secret_file: gone.key}\n"
            << QStringList{"signed_urls.secret_file at line 5: file " + path("gone.key") + " does not exist"};
        QTest::newRow("ttl above max")
            << QByteArray(MinimalConfig) + "signed_urls: {ttl_seconds: 7200, max_ttl_seconds: 3600}\n"
            << QStringList{"signed_urls.ttl_seconds at line 5: 7200 is more than max_ttl_seconds (3600)"};
        QTest::newRow("max ttl above a week")
            << QByteArray(MinimalConfig) + "signed_urls: {max_ttl_seconds: 604801}\n"
            << QStringList{
                   "signed_urls.max_ttl_seconds at line 5: 604801 is more than the allowed 604800 (7 days)"};
        QTest::newRow("ttl zero") << QByteArray(MinimalConfig) + "signed_urls: {ttl_seconds: 0}\n"
                                  << QStringList{
                                         "signed_urls.ttl_seconds at line 5: must be positive, got 0"};
        QTest::newRow("rate zero") << QByteArray(MinimalConfig) +
                                          "limits: {requests_per_second_per_user: 0}\n"
                                   << QStringList{
                                          "limits.requests_per_second_per_user at line 5: must be positive"};
        QTest::newRow("burst below one")
            << QByteArray(MinimalConfig) + "limits: {burst_per_user: 0.5}\n"
            << QStringList{"limits.burst_per_user at line 5: must be at least 1 (or 0 for twice "
                           "requests_per_second_per_user), got 0.5"};
        QTest::newRow("queue bound zero")
            << QByteArray(MinimalConfig) + "limits: {max_queued_per_user: 0}\n"
            << QStringList{"limits.max_queued_per_user at line 5: must be positive, got 0"};
        QTest::newRow("exempt not a boolean")
            << QByteArray(MinimalConfig) + "limits: {exempt_admins: sometimes}\n"
            << QStringList{"limits.exempt_admins at line 5: expected true or false, got 'sometimes'"};
        QTest::newRow("unknown limits key")
            << QByteArray(MinimalConfig) + "limits: {burst_per_usr: 10}\n"
            << QStringList{"unknown key 'limits.burst_per_usr' at line 5 (did you mean 'burst_per_user'?)"};
        QTest::newRow("negative body limit")
            << QByteArray(MinimalConfig) + "http: {max_body_bytes: -1}\n"
            << QStringList{"http.max_body_bytes at line 5: must be positive, got -1"};
        QTest::newRow("workers zero") << QByteArray(MinimalConfig) + "workers: 0\n"
                                      << QStringList{"workers at line 5: must be positive, got 0"};
        QTest::newRow("integer out of range")
            << QByteArray(MinimalConfig) + "http: {threads: 99999999999}\n"
            << QStringList{"http.threads at line 5: 99999999999 is out of range"};
        QTest::newRow("empty admin group") << QByteArray(MinimalConfig) + "policy: {admin_group: ''}\n"
                                           << QStringList{"policy.admin_group at line 5: must not be empty"};
        QTest::newRow("not YAML") << QByteArray("listen: [127.0.0.1\nrepositories: {\n")
                                  << QStringList{"invalid configuration: not valid YAML at line"};
        QTest::newRow("plain text") << QByteArray("This is not a configuration file.\n")
                                    << QStringList{"expected a mapping of keys",
                                                   "got 'This is not a configuration file.'"};
        QTest::newRow("login issuer not a URL")
            << QByteArray(MinimalConfig) + "  login: {issuer: idp.example.org}\n"
            << QStringList{"auth.login.issuer at line 5: 'idp.example.org' is not an issuer"};
        QTest::newRow("login issuer with a query")
            << QByteArray(MinimalConfig) + "  login: {issuer: 'https://idp.example.org/?realm=a'}\n"
            << QStringList{
                   "auth.login.issuer at line 5: 'https://idp.example.org/?realm=a' is not an issuer"};
        QTest::newRow("login without an issuer")
            << QByteArray(MinimalConfig) + "  login: {client_id: butler-app}\n"
            << QStringList{"auth.login.issuer at line 5: is required without auth.jwt"};
        QTest::newRow("login with a jwt issuer that is no URL")
            << QByteArray(MinimalConfig) + "  jwt: {issuer: i, audience: a, jwks_file: keys/jwks.json}\n"
                                           "  login: {scopes: [butler:read]}\n"
            << QStringList{"auth.login.issuer at line 6: is required, since auth.jwt.issuer 'i' is not an "
                           "http(s) URL"};
        QTest::newRow("login client id empty")
            << QByteArray(MinimalConfig) + "  login: {issuer: https://idp.example, client_id: ''}\n"
            << QStringList{"auth.login.client_id at line 5: must not be empty"};
        QTest::newRow("login scopes not a list")
            << QByteArray(MinimalConfig) + "  login: {issuer: https://idp.example, scopes: butler:read}\n"
            << QStringList{"auth.login.scopes at line 5: expected a list such as [a, b], got 'butler:read'"};
        QTest::newRow("login scopes with a mapping")
            << QByteArray(MinimalConfig) + "  login: {issuer: https://idp.example, scopes: [{a: b}]}\n"
            << QStringList{"auth.login.scopes at line 5: expected a list of strings, got a mapping in it"};
        QTest::newRow("login scope with a space")
            << QByteArray(MinimalConfig) + "  login: {issuer: https://idp.example, scopes: ['butler read']}\n"
            << QStringList{"auth.login.scopes at line 5: 'butler read' is not a scope"};
        QTest::newRow("login advertise not a boolean")
            << QByteArray(MinimalConfig) + "  login: {advertise: sometimes}\n"
            << QStringList{"auth.login.advertise at line 5: expected true or false, got 'sometimes'"};
        QTest::newRow("login unknown key")
            << QByteArray(MinimalConfig) + "  login: {isuer: https://idp.example}\n"
            << QStringList{"unknown key 'auth.login.isuer' at line 5 (did you mean 'issuer'?)"};
        QTest::newRow("login not a mapping")
            << QByteArray(MinimalConfig) + "  login: https://idp.example\n"
            << QStringList{"auth.login at line 5: expected a mapping of keys, got 'https://idp.example'"};
        QTest::newRow("empty") << QByteArray("") << QStringList{"invalid configuration: the file is empty"};
        QTest::newRow("only comments") << QByteArray("# nothing yet\n\n") << QStringList{"the file is empty"};
    }

    void errors()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QStringList, expected);
        const Result<ServerConfig> config = ServerConfig::fromYaml(yaml, m_dir.path());
        QVERIFY(!config.ok());
        QCOMPARE(config.error().kind(), ErrorKind::InvalidInput);
        for (const QString& part : expected)
            QVERIFY2(config.error().message().contains(part), qPrintable(config.error().message()));
    }

    // A misspelt section is reported once, without follow-up errors about its absence.
    void typoGivesOneMessage()
    {
        const QString message = errorOf("repositories:\n  main: {path: repos/main}\n"
                                        "auht:\n  static_tokens_file: tokens.yaml\n");
        QVERIFY2(!message.contains(QStringLiteral("no authentication")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("problems")), qPrintable(message));
    }

    void severalErrorsAllReported()
    {
        const QByteArray yaml = "listen: nowhere\n"                           // 1
                                "public_url: gopher://x\n"                    // 2
                                "repositories:\n"                             // 3
                                "  main: {path: repos/nowhere}\n"             // 4
                                "  \"bad label\": {path: repos/main}\n"       // 5
                                "auth:\n"                                     // 6
                                "  static_tokens_file: missing.yaml\n"        // 7
                                "  jtw: {}\n"                                 // 8
                                "signed_urls:\n"                              // 9
                                "  ttl_seconds: 9000\n"                       // 10
                                "  max_ttl_seconds: 3600\n"                   // 11
                                "limits: {concurrent_queries_per_user: -2}\n" // 12
                                "workers: lots\n";                            // 13
        const QString message = errorOf(yaml);
        const QStringList expected{
            "listen at line 1: 'nowhere' is not HOST:PORT",
            "public_url at line 2: 'gopher://x' is not an http",
            "repositories.main.path at line 4:",
            "repositories.bad label at line 5: label 'bad label'",
            "auth.static_tokens_file at line 7: file",
            "unknown key 'auth.jtw' at line 8 (did you mean 'jwt'?)",
            "signed_urls.ttl_seconds at line 10: 9000 is more than max_ttl_seconds (3600)",
            "limits.concurrent_queries_per_user at line 12: must be positive, got -2",
            "workers at line 13: expected an integer, got 'lots'",
        };
        qsizetype previous = -1;
        for (const QString& part : expected) {
            QVERIFY2(message.contains(part),
                     qPrintable(part + QStringLiteral("\n--- not in ---\n") + message));
            QVERIFY2(message.indexOf(part) > previous, "problems are listed in file order");
            previous = message.indexOf(part);
        }
        QVERIFY2(message.startsWith(QStringLiteral("invalid configuration (9 problems):\n")),
                 qPrintable(message));
        QCOMPARE(message.count(QLatin1Char('\n')), 9);
    }

    void loadResolvesAgainstTheFilesFolder()
    {
        const QString file = path("etc/butler-server.yaml");
        QVERIFY(writeFile(file, "repositories:\n  main: {path: ../repos/main}\n"
                                "auth: {static_tokens_file: ../tokens.yaml}\n"
                                "signed_urls: {secret_file: ../keys/signing.key}\n"));
        const QString saved = QDir::currentPath();
        QVERIFY(QDir::setCurrent(QDir::rootPath())); // not the config's folder
        const Result<ServerConfig> loaded = ServerConfig::load(file);
        QVERIFY(QDir::setCurrent(saved));
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message()));
        QCOMPARE(loaded->repositories.constFirst().path, path("repos/main"));
        QCOMPARE(loaded->auth.staticTokensFile, path("tokens.yaml"));
        QCOMPARE(loaded->signedUrls.secretFile, path("keys/signing.key"));
    }

    void loadNamesTheFile()
    {
        const QString file = path("etc/broken.yaml");
        QVERIFY(writeFile(file, "repositories:\n  main: {path: repos/main}\n"));
        const Result<ServerConfig> loaded = ServerConfig::load(file);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().message().startsWith(QStringLiteral("invalid configuration ") + file),
                 qPrintable(loaded.error().message()));

        const Result<ServerConfig> missing = ServerConfig::load(path("etc/absent.yaml"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind(), ErrorKind::NotFound);
        QVERIFY(missing.error().message().contains(path("etc/absent.yaml")));
    }

    void quickStart()
    {
        const ServerConfig config = ServerConfig::quickStart(
            path("repos/main"), QStringLiteral("127.0.0.1:18080"), path("tokens.yaml"));
        QVERIFY2(config.validate().ok(),
                 qPrintable(config.validate().ok() ? QString() : config.validate().error().message()));
        QCOMPARE(config.repositories.size(), 1);
        QCOMPARE(config.repositories.constFirst().label, QStringLiteral("main"));
        QCOMPARE(config.repositories.constFirst().path, path("repos/main"));
        QCOMPARE(config.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(config.listenPort, quint16(18080));
        QCOMPARE(config.publicUrl, QStringLiteral("http://127.0.0.1:18080"));
        QCOMPARE(config.auth.staticTokensFile, path("tokens.yaml"));

        const ServerConfig defaults =
            ServerConfig::quickStart(path("repos/main"), QString(), path("tokens.yaml"));
        QCOMPARE(defaults.listenPort, quint16(8080));
        QVERIFY(defaults.validate().ok());
    }

    void quickStartErrors()
    {
        const ServerConfig badListen =
            ServerConfig::quickStart(path("repos/main"), QStringLiteral("port 80"), path("tokens.yaml"));
        const Status listenStatus = badListen.validate();
        QVERIFY(!listenStatus.ok());
        QVERIFY2(
            listenStatus.error().message().contains(QStringLiteral("listen: 'port 80' is not a valid host")),
            qPrintable(listenStatus.error().message()));

        const Status noToken =
            ServerConfig::quickStart(path("repos/nowhere"), QString(), QString()).validate();
        QVERIFY(!noToken.ok());
        QVERIFY(noToken.error().message().contains(QStringLiteral("no authentication configured")));
        QVERIFY(
            noToken.error().message().contains(path("repos/nowhere") + QStringLiteral(" does not exist")));
    }

    void trashSection()
    {
        const Result<ServerConfig> defaults = ServerConfig::fromYaml(MinimalConfig, m_dir.path());
        QVERIFY2(defaults.ok(), qPrintable(defaults.ok() ? QString() : defaults.error().message()));
        QCOMPARE(defaults->policy.trashRetentionDays, 30.0);
        QCOMPARE(defaults->policy.trashPurgeIntervalSeconds, 3600);
        QVERIFY(ServerConfig::quickStart(path("repos/main"), QString(), path("tokens.yaml")).validate().ok());

        const Result<ServerConfig> set = ServerConfig::fromYaml(
            QByteArray(MinimalConfig) + "trash: { retention_days: 7.5, purge_interval_seconds: 600 }\n",
            m_dir.path());
        QVERIFY2(set.ok(), qPrintable(set.ok() ? QString() : set.error().message()));
        // The policy the repositories get carries it.
        QCOMPARE(set->policyConfig().trashRetentionDays, 7.5);
        QCOMPARE(set->policyConfig().trashPurgeIntervalSeconds, 600);

        const QList<std::pair<QByteArray, QString>> wrong{
            {"trash: { retention_days: 0 }\n",
             "trash.retention_days at line 5: must be a number of days above 0 and at most 36500, got 0"},
            {"trash: { retention_days: -3 }\n", "trash.retention_days at line 5: must be a number of days"},
            {"trash: { retention_days: soon }\n",
             "trash.retention_days at line 5: expected a number, got 'soon'"},
            {"trash: { purge_interval_seconds: 0 }\n",
             "trash.purge_interval_seconds at line 5: must be positive, got 0"},
            {"trash: { retention_day: 3 }\n",
             "unknown key 'trash.retention_day' at line 5 (did you mean 'retention_days'?)"},
            {"trash: 30\n", "trash at line 5: expected a mapping of keys, got '30'"},
        };
        for (const auto& [yaml, message] : wrong) {
            const QString error = errorOf(QByteArray(MinimalConfig) + yaml);
            QVERIFY2(error.contains(message), qPrintable(error));
        }
    }

    // auth.login: what the server advertises as its sign-in provider (RFC 9728).
    void loginSection_data()
    {
        QTest::addColumn<QByteArray>("auth"); // lines added to MinimalConfig's auth: section
        QTest::addColumn<QString>("issuer");  // advertisedIssuer()
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QStringList>("scopes");
        const QByteArray jwt = "  jwt: {issuer: https://jwt.example/realms/a, audience: butler, "
                               "jwks_file: keys/jwks.json}\n";
        QTest::newRow("none") << QByteArray() << QString() << QStringLiteral("butler-cli") << QStringList();
        QTest::newRow("jwt issuer by default") << jwt << QStringLiteral("https://jwt.example/realms/a")
                                               << QStringLiteral("butler-cli") << QStringList();
        QTest::newRow("jwt issuer that is no URL")
            << QByteArray("  jwt: {issuer: not-a-url, audience: butler, jwks_file: keys/jwks.json}\n")
            << QString() << QStringLiteral("butler-cli") << QStringList();
        QTest::newRow("login section without issuer")
            << jwt + "  login: {client_id: butler-app, scopes: [butler:read, 'api://x/.default']}\n"
            << QStringLiteral("https://jwt.example/realms/a") << QStringLiteral("butler-app")
            << QStringList{QStringLiteral("butler:read"), QStringLiteral("api://x/.default")};
        QTest::newRow("login issuer wins")
            << jwt + "  login:\n    issuer: https://login.example\n    scopes:\n"
            << QStringLiteral("https://login.example") << QStringLiteral("butler-cli") << QStringList();
        QTest::newRow("login issuer without jwt")
            << QByteArray("  login: {issuer: 'http://127.0.0.1:9000/realms/b'}\n")
            << QStringLiteral("http://127.0.0.1:9000/realms/b") << QStringLiteral("butler-cli")
            << QStringList();
        QTest::newRow("advertise false") << jwt + "  login: {advertise: false}\n"
                                         << QString() << QStringLiteral("butler-cli") << QStringList();
        QTest::newRow("advertise false, even with an issuer")
            << QByteArray("  login: {advertise: false, issuer: https://login.example}\n") << QString()
            << QStringLiteral("butler-cli") << QStringList();
    }

    void loginSection()
    {
        QFETCH(QByteArray, auth);
        QFETCH(QString, issuer);
        QFETCH(QString, clientId);
        QFETCH(QStringList, scopes);
        const Result<ServerConfig> loaded =
            ServerConfig::fromYaml(QByteArray(MinimalConfig) + auth, m_dir.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message()));
        QCOMPARE(loaded->advertisedIssuer(), issuer);
        QCOMPARE(loaded->login.clientId, clientId);
        QCOMPARE(loaded->login.scopes, scopes);
        QVERIFY(loaded->validate().ok());
    }

    // One mistake, one message: a wrong advertise does not also ask for an issuer.
    void loginMistakeGivesOneMessage()
    {
        const QString message = errorOf(QByteArray(MinimalConfig) + "  login: {advertise: sometimes}\n");
        QVERIFY2(message.contains(QLatin1String("auth.login.advertise")), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1String("problems")), qPrintable(message));
    }

    void syncOnCommit_data()
    {
        QTest::addColumn<QByteArray>("quotas"); // the quotas: section, empty for none
        QTest::addColumn<bool>("expected");
        QTest::newRow("default") << QByteArray() << false;
        QTest::newRow("section without it") << QByteArray("quotas: { default_bytes: 5 }\n") << false;
        QTest::newRow("true") << QByteArray("quotas: { sync_on_commit: true }\n") << true;
        QTest::newRow("false") << QByteArray("quotas: { sync_on_commit: false }\n") << false;
        QTest::newRow("yes") << QByteArray("quotas:\n  sync_on_commit: yes\n") << true;
        QTest::newRow("off") << QByteArray("quotas:\n  sync_on_commit: off\n") << false;
    }

    void syncOnCommit()
    {
        QFETCH(QByteArray, quotas);
        QFETCH(bool, expected);
        const Result<ServerConfig> loaded =
            ServerConfig::fromYaml(QByteArray(MinimalConfig) + quotas, m_dir.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message()));
        QCOMPARE(loaded->quotas.syncOnCommit, expected);
        // The other quota settings keep their defaults.
        QCOMPARE(loaded->quotas.maxBatchFiles, 10000);
        QVERIFY(!ServerConfig::quickStart(path("repos/main"), QString(), path("tokens.yaml"))
                     .quotas.syncOnCommit);
    }

    void syncOnCommitErrors()
    {
        const QList<std::pair<QByteArray, QString>> wrong{
            {"quotas: { sync_on_commit: sometimes }\n",
             "quotas.sync_on_commit at line 5: expected true or false, got 'sometimes'"},
            {"quotas: { sync_on_commit: 1.5 }\n",
             "quotas.sync_on_commit at line 5: expected true or false, got '1.5'"},
            {"quotas: { sync_on_commit: [true] }\n",
             "quotas.sync_on_commit at line 5: expected true or false, got a list"},
            {"quotas: { sync_on_comit: true }\n",
             "unknown key 'quotas.sync_on_comit' at line 5 (did you mean 'sync_on_commit'?)"},
        };
        for (const auto& [yaml, message] : wrong) {
            const QString error = errorOf(QByteArray(MinimalConfig) + yaml);
            QVERIFY2(error.contains(message), qPrintable(error));
        }
        // With another mistake in the file, both are reported.
        const QString both =
            errorOf(QByteArray(MinimalConfig) + "quotas: { sync_on_commit: maybe, max_batch_files: 0 }\n");
        QVERIFY2(both.contains(QLatin1String("quotas.sync_on_commit")), qPrintable(both));
        QVERIFY2(both.contains(QLatin1String("quotas.max_batch_files")), qPrintable(both));
    }
};

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
