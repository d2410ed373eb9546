// Real tokens from a real OpenID Connect provider (tests/peers/oidc/idp.mjs, oidc-provider on
// node), verified by the Authenticator: JWT access tokens against the provider's JWKS URL, and
// opaque tokens through its RFC 7662 introspection endpoint, before and after revocation.
// Skipped when node or the npm package is missing (npm install --prefix tests/peers/oidc).

#include "AuthTestSupport.h"
#include "Authenticator.h"
#include "OidcPeer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <map>
#include <memory>

using namespace butler;
using butler::test::awaitTask;

namespace {

const QString Api = QStringLiteral("http://127.0.0.1:8080/api");
const QString OpaqueApi = Api + QStringLiteral("-opaque");

} // namespace

class TestOidc : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void jwtAccessTokens_data();
    void jwtAccessTokens();
    void tamperedJwtRejected_data();
    void tamperedJwtRejected();
    void opaqueTokensIntrospected();

private:
    void startProvider(const QString& alg);
    // POSTs a form with HTTP Basic to the provider; gives the JSON answer and the status.
    QJsonObject post(const QString& url, const QString& client, const QByteArray& form,
                     int* status = nullptr);
    QByteArray accessToken(const QString& alg, const QString& client, const QString& resource);
    std::unique_ptr<Authenticator> jwtAuthenticator(const QString& alg);

    QTemporaryDir m_dir;
    QNetworkAccessManager m_nam;
    std::map<QString, std::unique_ptr<OidcPeer>> m_providers; // by alg
};

void TestOidc::initTestCase()
{
    BUTLER_REQUIRE_OIDC_PEER();
    QVERIFY(m_dir.isValid());
    startProvider(QStringLiteral("RS256"));
    startProvider(QStringLiteral("ES256"));
}

void TestOidc::cleanupTestCase()
{
    m_providers.clear(); // each stops its provider
}

void TestOidc::startProvider(const QString& alg)
{
    auto provider = std::make_unique<OidcPeer>();
    const QString failed = provider->start(Api, alg);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_providers.emplace(alg, std::move(provider));
}

QJsonObject TestOidc::post(const QString& url, const QString& client, const QByteArray& form, int* status)
{
    QNetworkRequest request{QUrl(url)};
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    const QByteArray secret =
        client == QLatin1String("butler-ci") ? "ci-secret" : client.toLatin1() + "-secret";
    request.setRawHeader("Authorization", "Basic " + (client.toLatin1() + ':' + secret).toBase64());
    std::unique_ptr<QNetworkReply> reply(m_nam.post(request, form));
    if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 20000))
        qWarning() << "no answer from" << url;
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

QByteArray TestOidc::accessToken(const QString& alg, const QString& client, const QString& resource)
{
    const QString issuer = m_providers.at(alg)->issuer();
    const QByteArray form =
        "grant_type=client_credentials&scope=" + QUrl::toPercentEncoding("butler:read butler:write") +
        "&resource=" + QUrl::toPercentEncoding(resource);
    int status = 0;
    const QJsonObject answer = post(issuer + QStringLiteral("/token"), client, form, &status);
    if (status != 200)
        qWarning() << "token request failed:" << status << answer;
    return answer.value("access_token").toString().toLatin1();
}

std::unique_ptr<Authenticator> TestOidc::jwtAuthenticator(const QString& alg)
{
    AuthConfig config;
    config.issuer = m_providers.at(alg)->issuer();
    config.audience = Api;
    config.jwksUrl = QUrl(config.issuer + QStringLiteral("/jwks"));
    auto created = Authenticator::create(config);
    if (!created)
        qFatal("%s", qPrintable(created.error().message()));
    return std::move(*created);
}

void TestOidc::jwtAccessTokens_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("groups");
    QTest::addColumn<bool>("admin");
    QTest::addColumn<bool>("dataRights");
    for (const QString& alg : {QStringLiteral("RS256"), QStringLiteral("ES256")}) {
        QTest::addRow("%s alice", qPrintable(alg))
            << alg << "alice"
            << "alice" << QStringList{"astro", "data-rights"} << false << true;
        QTest::addRow("%s admin", qPrintable(alg))
            << alg << "admin"
            << "admin" << QStringList{"butler-admins"} << true << false;
        QTest::addRow("%s ci", qPrintable(alg)) << alg << "butler-ci"
                                                << "butler-ci" << QStringList{"ci"} << false << false;
    }
}

void TestOidc::jwtAccessTokens()
{
    QFETCH(QString, alg);
    QFETCH(QString, client);
    QFETCH(QString, user);
    QFETCH(QStringList, groups);
    QFETCH(bool, admin);
    QFETCH(bool, dataRights);

    const QByteArray token = accessToken(alg, client, Api);
    QCOMPARE(token.count('.'), 2);
    const QJsonObject header =
        QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').at(0), QByteArray::Base64UrlEncoding))
            .object();
    QCOMPARE(header.value("alg").toString(), alg);

    auto auth = jwtAuthenticator(alg);
    const Result<Identity> identity = awaitTask(auth->authenticate("Bearer " + token));
    AUTH_VERIFY_OK(identity);
    QCOMPARE(identity->user, user);
    QCOMPARE(identity->groups, groups);
    QCOMPARE(identity->admin, admin);
    QCOMPARE(identity->dataRights, dataRights);
    QVERIFY(identity->expiresAt > QDateTime::currentSecsSinceEpoch());
    QVERIFY(auth->cached("Bearer " + token).has_value());

    // The same token is not for another audience.
    AuthConfig other = auth->config();
    other.audience = OpaqueApi;
    auto otherAuth = Authenticator::create(other);
    QVERIFY(otherAuth.ok());
    AUTH_VERIFY_ERROR(awaitTask((*otherAuth)->authenticate("Bearer " + token)), ErrorKind::Unauthenticated,
                      "audience mismatch");
}

void TestOidc::tamperedJwtRejected_data()
{
    QTest::addColumn<QString>("alg");
    QTest::newRow("RS256") << QStringLiteral("RS256");
    QTest::newRow("ES256") << QStringLiteral("ES256");
}

void TestOidc::tamperedJwtRejected()
{
    QFETCH(QString, alg);
    const QByteArray token = accessToken(alg, QStringLiteral("bob"), Api);
    QList<QByteArray> parts = token.split('.');
    QJsonObject claims =
        QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding)).object();
    QCOMPARE(claims.value("preferred_username").toString(), QStringLiteral("bob"));
    claims.insert("groups", QJsonArray{"butler-admins"});
    parts[1] = QJsonDocument(claims)
                   .toJson(QJsonDocument::Compact)
                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    auto auth = jwtAuthenticator(alg);
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer " + parts.join('.'))), ErrorKind::Unauthenticated,
                      "bad token signature");
    // The key of the other provider does not verify this one's tokens.
    const QString otherAlg =
        alg == QLatin1String("RS256") ? QStringLiteral("ES256") : QStringLiteral("RS256");
    AuthConfig config = auth->config();
    config.jwksUrl = QUrl(m_providers.at(otherAlg)->issuer() + QStringLiteral("/jwks"));
    auto wrongKeys = Authenticator::create(config);
    QVERIFY(wrongKeys.ok());
    const auto result = awaitTask((*wrongKeys)->authenticate("Bearer " + token));
    AUTH_VERIFY_ERROR(result, ErrorKind::Unauthenticated, "signing key");
}

void TestOidc::opaqueTokensIntrospected()
{
    const QString issuer = m_providers.at(QStringLiteral("RS256"))->issuer();
    const QString secretFile = m_dir.filePath(QStringLiteral("server.secret"));
    {
        QFile file(secretFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("server-secret\n");
    }
    AuthConfig config;
    config.issuer = issuer;
    config.introspectionUrl = QUrl(issuer + QStringLiteral("/token/introspection"));
    config.introspectionClientId = QStringLiteral("butler-server");
    config.introspectionClientSecretFile = secretFile;
    config.introspectionAudience = OpaqueApi;
    config.introspectionCacheSeconds = 0; // see the revocation at once
    auto created = Authenticator::create(config);
    AUTH_VERIFY_OK(created);
    auto& auth = *created;

    const QByteArray token = accessToken(QStringLiteral("RS256"), QStringLiteral("alice"), OpaqueApi);
    QVERIFY(!token.isEmpty());
    QCOMPARE(token.count('.'), 0);
    const Result<Identity> identity = awaitTask(auth->authenticate("Bearer " + token));
    AUTH_VERIFY_OK(identity);
    QCOMPARE(identity->user, QStringLiteral("alice"));
    QCOMPARE(identity->groups, QStringList({"astro", "data-rights"}));
    QVERIFY(identity->dataRights);

    // Revoked by its client: the next check says so.
    int status = 0;
    post(issuer + QStringLiteral("/token/revocation"), QStringLiteral("alice"),
         "token=" + QUrl::toPercentEncoding(QString::fromLatin1(token)), &status);
    QCOMPARE(status, 200);
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer " + token)), ErrorKind::Unauthenticated,
                      "not active");

    // A made-up opaque token is not active either.
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer made-up-token")), ErrorKind::Unauthenticated,
                      "not active");

    // With the wrong client secret the endpoint refuses, and the error says so without a 401 to the user.
    QFile bad(m_dir.filePath(QStringLiteral("bad.secret")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("wrong");
    bad.close();
    config.introspectionClientSecretFile = bad.fileName();
    auto wrongClient = Authenticator::create(config);
    QVERIFY(wrongClient.ok());
    const QByteArray fresh = accessToken(QStringLiteral("RS256"), QStringLiteral("bob"), OpaqueApi);
    AUTH_VERIFY_ERROR(awaitTask((*wrongClient)->authenticate("Bearer " + fresh)), ErrorKind::Unavailable,
                      "answered HTTP");
}

QTEST_GUILESS_MAIN(TestOidc)
#include "tst_oidc.moc"
