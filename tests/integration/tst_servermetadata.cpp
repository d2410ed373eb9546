// butler-server as a process, with auth.login: the protected resource metadata (RFC 9728) that
// names its sign-in provider, served without a token through the server-wide route table, and
// the resource_metadata of its 401 challenges. tst_server checks a server that names none.

#include "OidcLogin.h"
#include "ServerFixture.h"
#include "WaitForTask.h"

#include <QCoroTask>
#include <QJsonArray>
#include <QTest>

#include <optional>

using namespace butler;

namespace {

const QString Issuer = QStringLiteral("https://idp.example.org/realms/astro");
const QString Prefix = QStringLiteral("/.well-known/oauth-protected-resource");

} // namespace

class TestServerMetadata : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare({}, QStringLiteral("  login:\n"
                                                     "    issuer: %1\n"
                                                     "    client_id: butler-app\n"
                                                     "    scopes: [butler:read, butler:write]\n")
                                          .arg(Issuer)),
                 qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    }

    void cleanupTestCase()
    {
        if (m_server.process().state() != QProcess::NotRunning)
            m_server.stop();
    }

    void serverDocument()
    {
        const auto reply = m_server.request("GET", Prefix, {});
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        const QJsonObject expected{
            {QStringLiteral("resource"), m_server.baseUrl()},
            {QStringLiteral("authorization_servers"), QJsonArray{Issuer}},
            {QStringLiteral("scopes_supported"),
             QJsonArray{QStringLiteral("butler:read"), QStringLiteral("butler:write")}},
            {QStringLiteral("bearer_methods_supported"), QJsonArray{QStringLiteral("header")}},
            {QStringLiteral("butler_client_id"), QStringLiteral("butler-app")}};
        QCOMPARE(reply.json(), expected);
    }

    void repositoryDocument()
    {
        const auto reply = m_server.request("GET", Prefix + QStringLiteral("/api/butler/repo/main"), {});
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("application/json"));
        QCOMPARE(reply.json().value(QStringLiteral("resource")).toString(), m_server.repoUrl());
        QCOMPARE(reply.json().value(QStringLiteral("authorization_servers")).toArray(), QJsonArray{Issuer});
        QCOMPARE(reply.json().value(QStringLiteral("butler_client_id")).toString(),
                 QStringLiteral("butler-app"));
    }

    void unknownRepository()
    {
        const auto reply = m_server.request("GET", Prefix + QStringLiteral("/api/butler/repo/nope"), {});
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorType(), QStringLiteral("not_found"));
        QVERIFY2(errorMessage(reply).contains(QLatin1String("'nope'")), reply.body.constData());
        // Paths beside the two forms are no route at all.
        for (const QString& path : {Prefix + QStringLiteral("/api/butler/repo/main/v1"),
                                    Prefix + QStringLiteral("/x"), Prefix + QStringLiteral("/")}) {
            const auto other = m_server.request("GET", path, {});
            QCOMPARE(other.status, 404);
            QVERIFY2(errorMessage(other).startsWith(QLatin1String("no such route")), qPrintable(path));
        }
    }

    void headAndWrongMethods()
    {
        for (const QString& path : {Prefix, Prefix + QStringLiteral("/api/butler/repo/main")}) {
            const auto head = m_server.request("HEAD", path, {});
            QCOMPARE(head.status, 200);
            QVERIFY(head.body.isEmpty());
            QVERIFY(head.header("Content-Type").startsWith("application/json"));
            for (const QByteArray& method : {QByteArray("POST"), QByteArray("PUT"), QByteArray("DELETE")}) {
                const auto wrong = m_server.request(method, path, {}, "{}");
                QCOMPARE(wrong.status, 405);
                QCOMPARE(wrong.errorType(), QStringLiteral("method_not_allowed"));
                QCOMPARE(wrong.header("Allow"), QByteArray("GET, HEAD"));
            }
        }
    }

    // Public: no token needed, and a bad one does not matter (nor does it spend a rate limit).
    void noAuthentication()
    {
        const auto garbage = m_server.request("GET", Prefix, QStringLiteral("not-a-token"));
        QCOMPARE(garbage.status, 200);
        const auto repo = m_server.request("GET", Prefix + QStringLiteral("/api/butler/repo/main"),
                                           QStringLiteral("not-a-token"));
        QCOMPARE(repo.status, 200);
    }

    // RFC 9728 §5.1: a 401 says where the metadata is.
    void challengeNamesTheMetadata()
    {
        const auto missing = m_server.get(QStringLiteral("/whoami"), {});
        QCOMPARE(missing.status, 401);
        const QByteArray repoDocument =
            (m_server.baseUrl() + Prefix + QStringLiteral("/api/butler/repo/main")).toUtf8();
        QCOMPARE(missing.header("WWW-Authenticate"),
                 "Bearer realm=\"butler\", error=\"invalid_token\", resource_metadata=\"" + repoDocument +
                     '"');
        const auto wrong = m_server.get(QStringLiteral("/whoami"), QStringLiteral("not-a-token"));
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.header("WWW-Authenticate"), missing.header("WWW-Authenticate"));
        // The server-wide route names the server's document; an unknown repository too.
        const QByteArray serverChallenge =
            "Bearer realm=\"butler\", error=\"invalid_token\", resource_metadata=\"" +
            (m_server.baseUrl() + Prefix).toUtf8() + '"';
        QCOMPARE(m_server.request("GET", QStringLiteral("/api/butler/repos"), {}).header("WWW-Authenticate"),
                 serverChallenge);
        QCOMPARE(m_server.request("GET", QStringLiteral("/api/butler/repo/nope/v1/whoami"), {})
                     .header("WWW-Authenticate"),
                 serverChallenge);
        // And the named document is there.
        const auto document =
            m_server.request("GET", QString::fromUtf8(repoDocument).mid(m_server.baseUrl().size()), {});
        QCOMPARE(document.status, 200);
        QCOMPARE(document.json().value(QStringLiteral("resource")).toString(), m_server.repoUrl());
    }

    // What `butler login` and the desktop app read.
    void clientReadsTheProvider()
    {
        for (const QString& resource : {m_server.baseUrl(), m_server.repoUrl()}) {
            const Result<OidcClientSettings> advertised =
                waitForTask(OidcLogin::advertisedProviderAsync(resource));
            QVERIFY2(advertised.ok(), qPrintable(advertised.ok() ? QString() : advertised.error().message()));
            QCOMPARE(advertised->issuer, QUrl(Issuer));
            QCOMPARE(advertised->clientId, QStringLiteral("butler-app"));
            QCOMPARE(advertised->scope, QStringLiteral("butler:read butler:write"));
        }
    }

    void describedAndMeasured()
    {
        QCOMPARE(m_server.request("GET", Prefix + QStringLiteral("/api/butler/repo/main"), {}).status, 200);
        QCOMPARE(m_server.request("GET", Prefix + QStringLiteral("/api/butler/repo/nope"), {}).status, 404);
        const QJsonObject paths = m_server.request("GET", QStringLiteral("/api/butler/openapi.json"), {})
                                      .json()
                                      .value(QStringLiteral("paths"))
                                      .toObject();
        QVERIFY(paths.value(Prefix).toObject().contains(QStringLiteral("get")));
        QVERIFY(paths.value(Prefix + QStringLiteral("/api/butler/repo/{label}"))
                    .toObject()
                    .contains(QStringLiteral("get")));
        // Metrics name the route's form, not each label.
        const QByteArray metrics = m_server.request("GET", QStringLiteral("/metrics"), {}).body;
        QVERIFY2(metrics.contains("/.well-known/oauth-protected-resource/api/butler/repo/{label}"),
                 metrics.constData());
        QVERIFY(!metrics.contains("/.well-known/oauth-protected-resource/api/butler/repo/nope"));
    }

private:
    ServerFixture m_server;
};

QTEST_GUILESS_MAIN(TestServerMetadata)
#include "tst_servermetadata.moc"
