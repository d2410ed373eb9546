// ResourceMetadata: the paths of the RFC 9728 documents, their content, and the 401 challenge.
// tst_servermetadata checks the same through a running butler-server.

#include "ResourceMetadata.h"
#include "ServerConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace butler;

namespace {

ServerConfig configWith(const QString& publicUrl, const QString& issuer)
{
    ServerConfig config;
    config.publicUrl = publicUrl;
    config.login.issuer = issuer;
    config.login.clientId = QStringLiteral("butler-app");
    config.login.scopes = {QStringLiteral("butler:read"), QStringLiteral("butler:write")};
    return config;
}

} // namespace

class TestResourceMetadata : public QObject
{
    Q_OBJECT

private slots:
    void resourceOf_data()
    {
        QTest::addColumn<QString>("publicUrl");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("isRoute");
        QTest::addColumn<QString>("label");
        const QString direct = QStringLiteral("http://127.0.0.1:8080");
        const QString proxied = QStringLiteral("https://data.example.org/butler/");
        const QString prefix = QStringLiteral("/.well-known/oauth-protected-resource");
        QTest::newRow("server") << direct << prefix << true << QString();
        QTest::newRow("repository") << direct << prefix + "/api/butler/repo/main" << true << "main";
        QTest::newRow("unknown label is still the route")
            << direct << prefix + "/api/butler/repo/nope" << true << "nope";
        QTest::newRow("trailing slash") << direct << prefix + "/" << false << QString();
        QTest::newRow("deeper than a repository")
            << direct << prefix + "/api/butler/repo/main/v1" << false << QString();
        QTest::newRow("no label") << direct << prefix + "/api/butler/repo/" << false << QString();
        QTest::newRow("other suffix") << direct << prefix + "/other" << false << QString();
        QTest::newRow("similar name") << direct << prefix + "-x" << false << QString();
        QTest::newRow("other route") << direct << QStringLiteral("/healthz") << false << QString();
        // Behind a proxy at /butler: the client puts the well-known segment before that path.
        QTest::newRow("proxied server") << proxied << prefix + "/butler" << true << QString();
        QTest::newRow("proxied repository")
            << proxied << prefix + "/butler/api/butler/repo/main" << true << "main";
        QTest::newRow("proxied, prefix left out") << proxied << prefix << true << QString();
        QTest::newRow("proxied, another prefix") << proxied << prefix + "/butlerx" << false << QString();
    }

    void resourceOf()
    {
        QFETCH(QString, publicUrl);
        QFETCH(QString, path);
        QFETCH(bool, isRoute);
        QFETCH(QString, label);
        const ResourceMetadata metadata(configWith(publicUrl, QStringLiteral("https://idp.example.org")));
        const std::optional<QString> resource = metadata.resourceOf(path);
        QCOMPARE(resource.has_value(), isRoute);
        if (resource)
            QCOMPARE(*resource, label);
    }

    void routeLabels()
    {
        QCOMPARE(ResourceMetadata::routeLabel(QString()),
                 QStringLiteral("/.well-known/oauth-protected-resource"));
        QCOMPARE(ResourceMetadata::routeLabel(QStringLiteral("main")),
                 QStringLiteral("/.well-known/oauth-protected-resource/api/butler/repo/{label}"));
    }

    void documents()
    {
        ResourceMetadata metadata(configWith(QStringLiteral("http://127.0.0.1:0"),
                                             QStringLiteral("https://idp.example.org/realms/astro")));
        QVERIFY(metadata.enabled());
        metadata.setPublicUrl(QStringLiteral("http://127.0.0.1:8443/"));
        const ApiAnswer server = metadata.document(QString());
        QCOMPARE(server.status, 200);
        QCOMPARE(server.contentType, QByteArray("application/json"));
        const QJsonObject expected{
            {QStringLiteral("resource"), QStringLiteral("http://127.0.0.1:8443")},
            {QStringLiteral("authorization_servers"),
             QJsonArray{QStringLiteral("https://idp.example.org/realms/astro")}},
            {QStringLiteral("scopes_supported"),
             QJsonArray{QStringLiteral("butler:read"), QStringLiteral("butler:write")}},
            {QStringLiteral("bearer_methods_supported"), QJsonArray{QStringLiteral("header")}},
            {QStringLiteral("butler_client_id"), QStringLiteral("butler-app")}};
        QCOMPARE(QJsonDocument::fromJson(server.body).object(), expected);

        const QJsonObject repository =
            QJsonDocument::fromJson(metadata.document(QStringLiteral("main")).body).object();
        QCOMPARE(repository.value(QStringLiteral("resource")).toString(),
                 QStringLiteral("http://127.0.0.1:8443/api/butler/repo/main"));
        QCOMPARE(repository.value(QStringLiteral("authorization_servers")),
                 expected.value("authorization_servers"));
    }

    void challenges()
    {
        const ResourceMetadata proxied(configWith(QStringLiteral("https://data.example.org/butler"),
                                                  QStringLiteral("https://idp.example.org")));
        QCOMPARE(proxied.challenge(QString()), QByteArray("Bearer realm=\"butler\", error=\"invalid_token\", "
                                                          "resource_metadata=\"https://data.example.org/"
                                                          ".well-known/oauth-protected-resource/butler\""));
        QCOMPARE(
            proxied.challenge(QStringLiteral("main")),
            QByteArray("Bearer realm=\"butler\", error=\"invalid_token\", "
                       "resource_metadata=\"https://data.example.org/.well-known/oauth-protected-resource/"
                       "butler/api/butler/repo/main\""));
        const ResourceMetadata direct(
            configWith(QStringLiteral("http://127.0.0.1:8080"), QStringLiteral("https://idp.example.org")));
        QCOMPARE(direct.challenge(QStringLiteral("main")),
                 QByteArray("Bearer realm=\"butler\", error=\"invalid_token\", "
                            "resource_metadata=\"http://127.0.0.1:8080/.well-known/oauth-protected-resource/"
                            "api/butler/repo/main\""));
    }

    void nothingWithoutProvider()
    {
        ServerConfig config = configWith(QStringLiteral("http://127.0.0.1:8080"), QString());
        config.auth.issuer = QStringLiteral("butler-tokens"); // a JWT issuer that is no URL
        const ResourceMetadata metadata(config);
        QVERIFY(!metadata.enabled());
        const ApiAnswer answer = metadata.document(QString());
        QCOMPARE(answer.status, 404);
        QCOMPARE(QJsonDocument::fromJson(answer.body)
                     .object()
                     .value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("type"))
                     .toString(),
                 QStringLiteral("not_found"));
        QCOMPARE(metadata.challenge(QStringLiteral("main")),
                 QByteArray("Bearer realm=\"butler\", error=\"invalid_token\""));
        // The routes exist all the same, so that they answer 404 rather than "no such route".
        QVERIFY(metadata.resourceOf(QStringLiteral("/.well-known/oauth-protected-resource")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestResourceMetadata)
#include "tst_resourcemetadata.moc"
