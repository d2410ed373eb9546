// JWT access tokens: the verifier against forged, broken and valid tokens, the JWKS parser, the
// strict base64url decoder, and claims turned into identities through the Authenticator.

#include "AuthTestSupport.h"
#include "Authenticator.h"
#include "Base64Url.h"
#include "Jwks.h"
#include "JwtVerifier.h"
#include "TokenMinter.h"

#include <QCoroTask>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace butler;
using butler::test::awaitTask;
using butler::test::TokenMinter;

namespace {

const QString Issuer = QStringLiteral("https://issuer.example");
const QString Audience = QStringLiteral("butler");

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void verify_data();
    void verify();
    void skewIsConfigurable();
    void errorsNeverEchoTheToken();

    void base64UrlIsStrict_data();
    void base64UrlIsStrict();

    void jwksKeepsOnlySigningKeys();
    void jwksRejectsGarbage_data();
    void jwksRejectsGarbage();

    void claimsMakeIdentity_data();
    void claimsMakeIdentity();
    void identityClaimsAreChecked_data();
    void identityClaimsAreChecked();

private:
    // Claims issued at m_now; the table-driven verifier's clock stands still at m_now too.
    QJsonObject claims(qint64 lifetime = 3600) const
    {
        QJsonObject c = TokenMinter::claims(Issuer, Audience, QStringLiteral("alice"),
                                            {QStringLiteral("astro")}, lifetime);
        c.insert("iat", m_now);
        c.insert("exp", m_now + lifetime);
        return c;
    }
    QJsonObject claimsWith(const QString& key, const QJsonValue& value) const
    {
        QJsonObject c = claims();
        if (value.isNull() || value.isUndefined())
            c.remove(key);
        else
            c.insert(key, value);
        return c;
    }
    QString writeJwks(const QByteArray& jwks)
    {
        const QString path = m_dir.filePath(QStringLiteral("jwks-%1.json").arg(++m_files));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(jwks) != jwks.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }
    std::unique_ptr<Authenticator> authenticator(const QString& usernameClaim, const QString& groupsClaim)
    {
        AuthConfig config;
        config.issuer = Issuer;
        config.audience = Audience;
        config.jwksFile = m_jwksPath;
        config.usernameClaim = usernameClaim;
        config.groupsClaim = groupsClaim;
        config.adminGroup = QStringLiteral("butler-admins");
        config.dataRightsGroup = QStringLiteral("data-rights");
        auto created = Authenticator::create(config);
        if (!created)
            qFatal("%s", qPrintable(created.error().message()));
        return std::move(*created);
    }

    QTemporaryDir m_dir;
    qint64 m_now = TokenMinter::now();
    int m_files = 0;
    std::optional<TokenMinter::Key> m_rsa;
    std::optional<TokenMinter::Key> m_ec;
    std::optional<TokenMinter::Key> m_otherRsa;
    std::optional<TokenMinter::Key> m_otherEc;
    Jwks m_jwks;
    QString m_jwksPath;
};

void TestJwt::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_rsa = TokenMinter::Key::rsa();
    m_ec = TokenMinter::Key::ec();
    m_otherRsa = TokenMinter::Key::rsa();
    m_otherEc = TokenMinter::Key::ec();
    m_jwksPath = writeJwks(TokenMinter::jwks({m_rsa->publicJwk("rsa1"), m_ec->publicJwk("ec1")}));
    QFile file(m_jwksPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    auto parsed = Jwks::parse(file.readAll());
    AUTH_VERIFY_OK(parsed);
    m_jwks = std::move(*parsed);
    QCOMPARE(m_jwks.keyIds(), QStringList({"rsa1", "ec1"}));
}

void TestJwt::verify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("error"); // empty: accepted; otherwise a part of the message

    const TokenMinter::Key& rsa = *m_rsa;
    const TokenMinter::Key& ec = *m_ec;
    const qint64 now = m_now;

    QTest::newRow("RS256") << TokenMinter::mint(rsa, "rsa1", claims()) << QString();
    QTest::newRow("ES256") << TokenMinter::mint(ec, "ec1", claims()) << QString();
    QTest::newRow("typ JWT") << TokenMinter::mint(rsa, "rsa1", claims(), {{"typ", "JWT"}}) << QString();
    QTest::newRow("no typ") << TokenMinter::mint(rsa, "rsa1", claims(), {{"typ", QJsonValue()}}) << QString();
    QTest::newRow("no kid, the only RSA key") << TokenMinter::mint(rsa, QString(), claims()) << QString();
    QTest::newRow("audience array") << TokenMinter::mint(rsa, "rsa1",
                                                         claimsWith("aud", QJsonArray{"other", Audience}))
                                    << QString();

    QTest::newRow("alg none") << TokenMinter::mintNone(claims()) << "\"none\" is not accepted";
    QTest::newRow("alg none with kid")
        << TokenMinter::mintNone(claims(), {{"alg", "none"}, {"kid", "rsa1"}}) << "\"none\" is not accepted";
    QTest::newRow("alg None") << TokenMinter::mintNone(claims(), {{"alg", "None"}}) << "is not accepted";
    QTest::newRow("no alg") << TokenMinter::mintNone(claims(), {{"alg", QJsonValue()}, {"kid", "rsa1"}})
                            << "no signing algorithm";
    QTest::newRow("HS256 with the public key PEM")
        << TokenMinter::mintHs256(rsa.publicPem(), claims(), {{"alg", "HS256"}, {"kid", "rsa1"}})
        << "\"HS256\" is not accepted";
    QTest::newRow("RS512") << TokenMinter::mint(rsa, "rsa1", claims(), {{"alg", "RS512"}})
                           << "is not accepted";
    QTest::newRow("PS256") << TokenMinter::mint(rsa, "rsa1", claims(), {{"alg", "PS256"}})
                           << "is not accepted";

    QTest::newRow("wrong RSA key") << TokenMinter::mint(*m_otherRsa, "rsa1", claims())
                                   << "bad token signature";
    QTest::newRow("wrong EC key") << TokenMinter::mint(*m_otherEc, "ec1", claims()) << "bad token signature";
    QTest::newRow("unknown kid") << TokenMinter::mint(rsa, "rsa2", claims())
                                 << "unknown signing key \"rsa2\"";
    QTest::newRow("EC kid with RS256") << TokenMinter::mint(rsa, "ec1", claims()) << "does not fit RS256";
    QTest::newRow("RSA kid with ES256") << TokenMinter::mint(ec, "rsa1", claims()) << "does not fit ES256";
    {
        // A valid signature over other claims: the payload was swapped after signing.
        const QByteArray signedToken = TokenMinter::mint(rsa, "rsa1", claims());
        const QByteArray otherClaims =
            TokenMinter::b64(TokenMinter::json(claimsWith("preferred_username", "root")));
        QList<QByteArray> parts = signedToken.split('.');
        parts[1] = otherClaims;
        QTest::newRow("payload swapped") << parts.join('.') << "bad token signature";
    }
    {
        // ES256 signatures are raw r||s; a DER signature (what OpenSSL makes) is refused.
        const QByteArray input = TokenMinter::signingInput({{"alg", "ES256"}, {"kid", "ec1"}}, claims());
        const QByteArray raw = ec.sign(input);
        QTest::newRow("ES256 signature truncated")
            << input + '.' + TokenMinter::b64(raw.left(63)) << "ES256 needs 64 bytes";
        QTest::newRow("ES256 signature zero")
            << input + '.' + TokenMinter::b64(QByteArray(64, '\0')) << "bad token signature";
    }

    QTest::newRow("expired") << TokenMinter::mint(rsa, "rsa1", claimsWith("exp", now - 3600))
                             << "token expired";
    QTest::newRow("expired within skew")
        << TokenMinter::mint(rsa, "rsa1", claimsWith("exp", now - 30)) << QString();
    QTest::newRow("expired past skew")
        << TokenMinter::mint(rsa, "rsa1", claimsWith("exp", now - 90)) << "token expired";
    QTest::newRow("not yet valid") << TokenMinter::mint(rsa, "rsa1", claimsWith("nbf", now + 600))
                                   << "token not yet valid";
    QTest::newRow("nbf within skew") << TokenMinter::mint(rsa, "rsa1", claimsWith("nbf", now + 30))
                                     << QString();
    QTest::newRow("issued in the future")
        << TokenMinter::mint(rsa, "rsa1", claimsWith("iat", now + 600)) << "issued in the future";
    QTest::newRow("no exp") << TokenMinter::mint(rsa, "rsa1", claimsWith("exp", QJsonValue())) << "no expiry";
    QTest::newRow("exp as string") << TokenMinter::mint(rsa, "rsa1",
                                                        claimsWith("exp", QString::number(now + 3600)))
                                   << "is not a number";
    QTest::newRow("nbf as string") << TokenMinter::mint(rsa, "rsa1", claimsWith("nbf", "0"))
                                   << "is not a number";
    QTest::newRow("wrong issuer") << TokenMinter::mint(rsa, "rsa1", claimsWith("iss", "https://evil.example"))
                                  << "issuer mismatch";
    QTest::newRow("issuer with trailing slash")
        << TokenMinter::mint(rsa, "rsa1", claimsWith("iss", Issuer + '/')) << "issuer mismatch";
    QTest::newRow("no issuer") << TokenMinter::mint(rsa, "rsa1", claimsWith("iss", QJsonValue()))
                               << "issuer mismatch";
    QTest::newRow("wrong audience") << TokenMinter::mint(rsa, "rsa1", claimsWith("aud", "another-api"))
                                    << "audience mismatch";
    QTest::newRow("audience array without ours")
        << TokenMinter::mint(rsa, "rsa1", claimsWith("aud", QJsonArray{"a", "b"})) << "audience mismatch";
    QTest::newRow("no audience") << TokenMinter::mint(rsa, "rsa1", claimsWith("aud", QJsonValue()))
                                 << "audience mismatch";

    QTest::newRow("typ JOSE") << TokenMinter::mint(rsa, "rsa1", claims(), {{"typ", "JOSE"}}) << "token type";
    QTest::newRow("crit header") << TokenMinter::mint(rsa, "rsa1", claims(), {{"crit", QJsonArray{"exp"}}})
                                 << "critical";
    QTest::newRow("kid not a string")
        << TokenMinter::mint(rsa, QString(), claims(), {{"kid", 7}}) << "key id is not a string";

    // Garbage.
    QTest::newRow("empty") << QByteArray() << "not a JWT";
    QTest::newRow("two parts") << QByteArray("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9") << "not a JWT";
    QTest::newRow("four parts") << TokenMinter::mint(rsa, "rsa1", claims()) + ".AAAA"
                                << "not a JWT";
    QTest::newRow("empty signature") << TokenMinter::signingInput({{"alg", "RS256"}}, claims()) + '.'
                                     << "no signature";
    QTest::newRow("empty header") << "." + TokenMinter::mint(*m_rsa, "rsa1", claims()).split('.').at(1) +
                                         ".AAAA"
                                  << "not a JWT";
    QTest::newRow("not base64") << QByteArray("e*J.e*J.AAAA") << "not base64url";
    QTest::newRow("padded base64") << TokenMinter::b64(R"({"alg":"RS256","kid":"rsa1"})") + "==." +
                                          TokenMinter::b64("{}") + ".AAAA"
                                   << "not base64url";
    QTest::newRow("standard base64 alphabet")
        << TokenMinter::mint(rsa, "rsa1", claims()).replace('-', '+').replace('_', '/') + "+/"
        << "not base64url";
    QTest::newRow("header not JSON") << TokenMinter::mintRaw(rsa, "{alg:RS256", TokenMinter::json(claims()))
                                     << "header is not a JSON object";
    QTest::newRow("claims not JSON") << TokenMinter::mintRaw(rsa, R"({"alg":"RS256","kid":"rsa1"})",
                                                             "{\"exp\":")
                                     << "claims is not a JSON object";
    QTest::newRow("claims an array") << TokenMinter::mintRaw(rsa, R"({"alg":"RS256","kid":"rsa1"})",
                                                             "[1,2,3]")
                                     << "claims is not a JSON object";
    QTest::newRow("claims a string") << TokenMinter::mintRaw(rsa, R"({"alg":"RS256","kid":"rsa1"})", "\"x\"")
                                     << "claims is not a JSON object";
    QTest::newRow("huge") << TokenMinter::mint(rsa, "rsa1", claimsWith("pad", QString(20000, 'x')))
                          << "token too long";
    QTest::newRow("binary") << QByteArray("\x00\xff.\x01.\x02", 7) << "not base64url";
}

void TestJwt::verify()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, error);

    const qint64 now = m_now;
    const JwtVerifier verifier({Issuer, Audience, 60, 16 * 1024}, [now] { return now * 1000; });
    const Result<QJsonObject> result = verifier.verify(token, m_jwks);
    if (error.isEmpty()) {
        AUTH_VERIFY_OK(result);
        QCOMPARE(result->value("preferred_username").toString(), QStringLiteral("alice"));
    } else {
        AUTH_VERIFY_ERROR(result, ErrorKind::Unauthenticated, error);
    }
}

void TestJwt::skewIsConfigurable()
{
    // Fixed clocks: the outcome must not depend on how long minting took.
    const qint64 now = m_now;
    const AuthClock at = [now] { return now * 1000; };
    const QByteArray justExpired = TokenMinter::mint(*m_rsa, "rsa1", claimsWith("exp", now - 30));
    const QByteArray startsSoon = TokenMinter::mint(*m_rsa, "rsa1", claimsWith("nbf", now + 30));
    const QByteArray longExpired = TokenMinter::mint(*m_rsa, "rsa1", claimsWith("exp", now - 301));

    const JwtVerifier strict({Issuer, Audience, 0, 16 * 1024}, at);
    AUTH_VERIFY_ERROR(strict.verify(justExpired, m_jwks), ErrorKind::Unauthenticated, "token expired");
    AUTH_VERIFY_ERROR(strict.verify(startsSoon, m_jwks), ErrorKind::Unauthenticated, "token not yet valid");

    const JwtVerifier lenient({Issuer, Audience, 300, 16 * 1024}, at);
    AUTH_VERIFY_OK(lenient.verify(justExpired, m_jwks));
    AUTH_VERIFY_OK(lenient.verify(startsSoon, m_jwks));
    AUTH_VERIFY_ERROR(lenient.verify(longExpired, m_jwks), ErrorKind::Unauthenticated, "token expired");

    // Exactly at exp + skew the token is expired; a second before, it is not.
    const QByteArray token = TokenMinter::mint(*m_rsa, "rsa1", claimsWith("exp", now + 100));
    const JwtVerifier atEnd({Issuer, Audience, 60, 16 * 1024}, [now] { return (now + 160) * 1000; });
    AUTH_VERIFY_ERROR(atEnd.verify(token, m_jwks), ErrorKind::Unauthenticated, "token expired");
    const JwtVerifier before({Issuer, Audience, 60, 16 * 1024}, [now] { return (now + 159) * 1000; });
    AUTH_VERIFY_OK(before.verify(token, m_jwks));
}

void TestJwt::errorsNeverEchoTheToken()
{
    const QByteArray token = TokenMinter::mint(*m_otherRsa, "rsa1", claims());
    const JwtVerifier verifier({Issuer, Audience, 60, 16 * 1024});
    const Result<QJsonObject> result = verifier.verify(token, m_jwks);
    QVERIFY(!result.ok());
    for (const QByteArray& part : token.split('.'))
        QVERIFY(!result.error().message().contains(QString::fromLatin1(part.left(12))));
    const auto header = Authenticator::bearerToken("Bearer " + token + "!", 16384);
    QVERIFY(!header.ok());
    QVERIFY(!header.error().message().contains(QString::fromLatin1(token.left(12))));
}

void TestJwt::base64UrlIsStrict_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("plain") << QByteArray("aGVsbG8") << true;
    QTest::newRow("url alphabet") << QByteArray("-_-_") << true;
    QTest::newRow("padding") << QByteArray("aGVsbG8=") << false;
    QTest::newRow("plus") << QByteArray("+/+/") << false;
    QTest::newRow("space") << QByteArray("aGVs bG8") << false;
    QTest::newRow("newline") << QByteArray("aGVs\nbG8") << false;
    QTest::newRow("one char left") << QByteArray("aGVsb") << false;
    QTest::newRow("spare bits set") << QByteArray("aGVsbG9") << false; // "hello" is aGVsbG8
}

void TestJwt::base64UrlIsStrict()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    const auto decoded = Base64Url::decode(text);
    QCOMPARE(decoded.has_value(), valid);
    if (valid)
        QCOMPARE(Base64Url::encode(*decoded), text);
}

void TestJwt::jwksKeepsOnlySigningKeys()
{
    QJsonObject encryption = m_otherRsa->publicJwk("enc1");
    encryption.insert("use", "enc");
    QJsonObject wrapOnly = m_otherEc->publicJwk("wrap1");
    wrapOnly.remove("use");
    wrapOnly.insert("key_ops", QJsonArray{"wrapKey"});
    QJsonObject offCurve = m_ec->publicJwk("bad-ec");
    offCurve.insert("y", offCurve.value("x")); // (x, x) is not on P-256
    QJsonObject p384 = m_ec->publicJwk("p384");
    p384.insert("crv", "P-384");
    const QJsonObject symmetric{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
    const auto small = TokenMinter::Key::rsa(1024);
    QJsonObject noUse = m_otherRsa->publicJwk("nouse", QString());
    noUse.remove("use");

    const auto jwks = Jwks::parse(TokenMinter::jwks({m_rsa->publicJwk("rsa1"), encryption, wrapOnly, offCurve,
                                                     p384, symmetric, small.publicJwk("small"), noUse}));
    AUTH_VERIFY_OK(jwks);
    QCOMPARE(jwks->keyIds(), QStringList({"rsa1", "nouse"}));
    QVERIFY(jwks->find("rsa1", "RSA"));
    QVERIFY(!jwks->find("rsa1", "EC"));
    QVERIFY(!jwks->contains("enc1"));
    QVERIFY(!jwks->soleKey("RSA")); // two RSA keys: a token without kid names none
    QVERIFY(!jwks->soleKey("EC"));

    // A key published for another algorithm is not used for RS256.
    const auto rs384 = Jwks::parse(TokenMinter::jwks({m_rsa->publicJwk("rsa1", "RS384")}));
    QVERIFY(rs384.ok());
    const JwtVerifier verifier({Issuer, Audience, 60, 16 * 1024});
    const auto result = verifier.verify(TokenMinter::mint(*m_rsa, "rsa1", claims()), *rs384);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message().contains("is for RS384"), qPrintable(result.error().message()));
}

void TestJwt::jwksRejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("not JSON") << QByteArray("{keys:") << "not JSON";
    QTest::newRow("array") << QByteArray("[]") << "no \"keys\" array";
    QTest::newRow("keys not array") << QByteArray(R"({"keys":{}})") << "no \"keys\" array";
}

void TestJwt::jwksRejectsGarbage()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto jwks = Jwks::parse(json);
    QVERIFY(!jwks.ok());
    QVERIFY2(jwks.error().message().contains(error), qPrintable(jwks.error().message()));
}

void TestJwt::claimsMakeIdentity_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QString>("usernameClaim");
    QTest::addColumn<QString>("groupsClaim");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("groups");
    QTest::addColumn<bool>("admin");
    QTest::addColumn<bool>("dataRights");

    const QString pu = QStringLiteral("preferred_username");
    const QString g = QStringLiteral("groups");
    QTest::newRow("plain") << claims() << pu << g << "alice" << QStringList{"astro"} << false << false;
    QTest::newRow("sorted, unique") << claimsWith("groups", QJsonArray{"zeta", "astro", "zeta", "beta"}) << pu
                                    << g << "alice" << QStringList{"astro", "beta", "zeta"} << false << false;
    QTest::newRow("admin") << claimsWith("groups", QJsonArray{"butler-admins"}) << pu << g << "alice"
                           << QStringList{"butler-admins"} << true << false;
    QTest::newRow("data rights") << claimsWith("groups", QJsonArray{"data-rights", "astro"}) << pu << g
                                 << "alice" << QStringList{"astro", "data-rights"} << false << true;
    QTest::newRow("no groups") << claimsWith("groups", QJsonValue()) << pu << g << "alice" << QStringList()
                               << false << false;
    QTest::newRow("single group string")
        << claimsWith("groups", "astro") << pu << g << "alice" << QStringList{"astro"} << false << false;
    QJsonObject custom = claims();
    custom.insert("email", "bob@example.org");
    custom.insert("roles", QJsonArray{"data-rights", "butler-admins"});
    QTest::newRow("configured claims")
        << custom << "email"
        << "roles"
        << "bob@example.org" << QStringList{"butler-admins", "data-rights"} << true << true;
    QTest::newRow("admin name is exact")
        << claimsWith("groups", QJsonArray{"Butler-Admins", "butler-admins-x"}) << pu << g << "alice"
        << QStringList{"Butler-Admins", "butler-admins-x"} << false << false;
}

void TestJwt::claimsMakeIdentity()
{
    QFETCH(QJsonObject, claims);
    QFETCH(QString, usernameClaim);
    QFETCH(QString, groupsClaim);
    QFETCH(QString, user);
    QFETCH(QStringList, groups);
    QFETCH(bool, admin);
    QFETCH(bool, dataRights);

    auto auth = authenticator(usernameClaim, groupsClaim);
    const Result<Identity> identity =
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(*m_ec, "ec1", claims)));
    AUTH_VERIFY_OK(identity);
    QCOMPARE(identity->user, user);
    QCOMPARE(identity->groups, groups);
    QCOMPARE(identity->admin, admin);
    QCOMPARE(identity->dataRights, dataRights);
    QCOMPARE(identity->expiresAt, qint64(claims.value("exp").toDouble()));
}

void TestJwt::identityClaimsAreChecked_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QString>("error");
    QTest::newRow("no user") << claimsWith("preferred_username", QJsonValue())
                             << "no \"preferred_username\" claim";
    QTest::newRow("user not a string")
        << claimsWith("preferred_username", 42) << "no \"preferred_username\" claim";
    QTest::newRow("empty user") << claimsWith("preferred_username", "") << "not a usable user name";
    QTest::newRow("user with slash") << claimsWith("preferred_username", "../admin")
                                     << "not a usable user name";
    QTest::newRow("groups with a number")
        << claimsWith("groups", QJsonArray{"astro", 3}) << "not a list of strings";
    QTest::newRow("groups an object")
        << claimsWith("groups", QJsonObject{{"a", 1}}) << "not a list of strings";
}

void TestJwt::identityClaimsAreChecked()
{
    QFETCH(QJsonObject, claims);
    QFETCH(QString, error);
    auto auth = authenticator(QStringLiteral("preferred_username"), QStringLiteral("groups"));
    const Result<Identity> identity =
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(*m_rsa, "rsa1", claims)));
    AUTH_VERIFY_ERROR(identity, ErrorKind::Unauthenticated, error);
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
