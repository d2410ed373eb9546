// The Authenticator as the server uses it: static tokens, the identity cache, JWKS served over
// HTTP (rotation, rate-limited refresh) and RFC 7662 introspection, each against a QHttpServer
// in this process on a free port. Time is a test clock, moved by hand.

#include "AuthTestSupport.h"
#include "Authenticator.h"
#include "IntrospectionClient.h"
#include "JwksSource.h"
#include "RefusedPort.h"
#include "StaticTokenStore.h"
#include "TokenMinter.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

using namespace butler;
using butler::test::awaitTask;
using butler::test::TokenMinter;

namespace {

const QString Issuer = QStringLiteral("https://issuer.example");
const QString Audience = QStringLiteral("butler");
const QByteArray IntrospectionSecret = "s3cret:with+odd/chars";

QByteArray sha256Hex(const QByteArray& token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

// Authenticates once and counts the outcome; started on a worker thread and left to run.
QCoro::Task<> authenticateAndCount(Authenticator* auth, QByteArray header, QString user, std::atomic<int>* ok,
                                   std::atomic<int>* failed)
{
    const Result<Identity> identity = co_await auth->authenticate(header);
    (identity.ok() && identity->user == user ? *ok : *failed) += 1;
}

// A clock the test moves by hand; copies share the time.
class TestClock
{
public:
    TestClock()
        : m_ms(std::make_shared<std::atomic<qint64>>(QDateTime::currentMSecsSinceEpoch()))
    {
    }
    AuthClock clock() const
    {
        return [ms = m_ms] { return ms->load(); };
    }
    void advance(qint64 seconds) { *m_ms += seconds * 1000; }
    qint64 seconds() const { return m_ms->load() / 1000; }

private:
    std::shared_ptr<std::atomic<qint64>> m_ms;
};

} // namespace

class TestAuthenticator : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void bearerHeader_data();
    void bearerHeader();
    void staticTokens();
    void staticTokenFileErrors_data();
    void staticTokenFileErrors();
    void configErrors_data();
    void configErrors();

    void cacheReturnsTheSameIdentity();
    void expiredCachedEntryIsRejected();
    void mechanismOrder();

    void jwksUrlFollowsKeyRotation();
    void unknownKidFloodMakesOneFetch();
    void jwksRefreshedPeriodically();
    void jwksUrlDown();
    void concurrentFirstRequestsShareTheFirstFetch();
    void authenticateFromSeveralThreads();

    void introspectionActive();
    void introspectionInactive();
    void introspectionCachesBriefly();
    void introspectionRevocationNoticedAfterCache();
    void introspectionBadAnswers_data();
    void introspectionBadAnswers();
    void introspectionServerDown();
    void introspectionTimesOut();

private:
    QString writeFile(const QString& name, const QByteArray& content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }
    QJsonObject claims(const TestClock& clock, const QString& user, qint64 lifetime = 3600) const
    {
        QJsonObject c = TokenMinter::claims(Issuer, Audience, user, {QStringLiteral("astro")}, lifetime);
        c.insert("iat", clock.seconds());
        c.insert("exp", clock.seconds() + lifetime);
        return c;
    }
    AuthConfig jwtFileConfig() const
    {
        AuthConfig config;
        config.issuer = Issuer;
        config.audience = Audience;
        config.jwksFile = m_jwksPath;
        return config;
    }
    AuthConfig jwtUrlConfig() const
    {
        AuthConfig config;
        config.issuer = Issuer;
        config.audience = Audience;
        config.jwksUrl = QUrl(m_base + "/jwks");
        return config;
    }
    AuthConfig introspectionConfig(const QString& path = QStringLiteral("/introspect")) const
    {
        AuthConfig config;
        config.introspectionUrl = QUrl(m_base + path);
        config.introspectionClientId = QStringLiteral("butler-server");
        config.introspectionClientSecretFile = m_secretPath;
        return config;
    }
    std::unique_ptr<Authenticator> make(const AuthConfig& config, const TestClock& clock)
    {
        auto created = Authenticator::create(config, clock.clock());
        if (!created)
            qFatal("%s", qPrintable(created.error().message()));
        return std::move(*created);
    }
    // The JWKS the server hands out, and how often it was asked.
    void serveKeys(const QList<QJsonObject>& keys) { m_jwksBody = TokenMinter::jwks(keys); }

    QTemporaryDir m_dir;
    std::optional<TokenMinter::Key> m_rsa;
    std::optional<TokenMinter::Key> m_ec;
    QString m_jwksPath;
    QString m_secretPath;

    QHttpServer m_server;
    QString m_base;
    QByteArray m_jwksBody;
    int m_jwksHits = 0;
    int m_introspectionHits = 0;
    QHash<QByteArray, QJsonObject> m_introspection; // token -> answer
    QByteArray m_rawIntrospectionAnswer;            // when set, sent as is
};

void TestAuthenticator::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_rsa = TokenMinter::Key::rsa();
    m_ec = TokenMinter::Key::ec();
    m_jwksPath =
        writeFile("jwks.json", TokenMinter::jwks({m_rsa->publicJwk("rsa1"), m_ec->publicJwk("ec1")}));
    m_secretPath = writeFile("introspection.secret", IntrospectionSecret + "\n");

    m_server.route("/jwks", QHttpServerRequest::Method::Get, [this] {
        ++m_jwksHits;
        return QHttpServerResponse("application/json", m_jwksBody);
    });
    m_server.route(
        "/introspect", QHttpServerRequest::Method::Post, [this](const QHttpServerRequest& request) {
            ++m_introspectionHits;
            const QByteArray expected =
                "Basic " + ("butler-server:" + QUrl::toPercentEncoding(IntrospectionSecret)).toBase64();
            if (request.value("authorization") != expected)
                return QHttpServerResponse("application/json", R"({"error":"invalid_client"})",
                                           QHttpServerResponse::StatusCode::Unauthorized);
            if (!m_rawIntrospectionAnswer.isEmpty())
                return QHttpServerResponse("application/json", m_rawIntrospectionAnswer);
            const QUrlQuery form(QString::fromLatin1(request.body()));
            const QByteArray token = form.queryItemValue("token", QUrl::FullyDecoded).toLatin1();
            const QJsonObject answer = m_introspection.value(token, QJsonObject{{"active", false}});
            return QHttpServerResponse("application/json",
                                       QJsonDocument(answer).toJson(QJsonDocument::Compact));
        });
    const quint16 port = m_server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    m_base = QStringLiteral("http://127.0.0.1:%1").arg(port);
}

void TestAuthenticator::bearerHeader_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("error");
    QTest::newRow("missing") << QByteArray() << "no credentials";
    QTest::newRow("blank") << QByteArray("   ") << "no credentials";
    QTest::newRow("basic") << QByteArray("Basic dXNlcjpwYXNz") << "unsupported authorization scheme";
    QTest::newRow("scheme only") << QByteArray("Bearer") << "unsupported authorization scheme";
    QTest::newRow("scheme and space") << QByteArray("Bearer ") << "unsupported authorization scheme";
    QTest::newRow("bad characters") << QByteArray("Bearer abc def") << "malformed bearer token";
    QTest::newRow("quotes") << QByteArray("Bearer \"abc\"") << "malformed bearer token";
    QTest::newRow("only padding") << QByteArray("Bearer ===") << "malformed bearer token";
    QTest::newRow("too long") << "Bearer " + QByteArray(20000, 'a') << "token too long";
    QTest::newRow("unknown token") << QByteArray("Bearer some-token") << "unknown token";
    QTest::newRow("lower-case scheme, unknown") << QByteArray("bearer some-token") << "unknown token";
}

void TestAuthenticator::bearerHeader()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, error);
    AuthConfig config;
    config.staticTokensFile = writeFile("empty-tokens.yaml", "[]\n");
    TestClock clock;
    auto auth = make(config, clock);
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate(header)), ErrorKind::Unauthenticated, error);
    const auto quick = auth->cached(header);
    if (error == QLatin1String("unknown token")) {
        QVERIFY(!quick.has_value()); // only the full path may say a token is unknown
    } else {
        QVERIFY(quick.has_value());
        AUTH_VERIFY_ERROR(*quick, ErrorKind::Unauthenticated, error);
    }
}

void TestAuthenticator::staticTokens()
{
    const QByteArray yaml = "# dev tokens\n"
                            "- token_sha256: " +
                            sha256Hex("alice-dev-token") +
                            "\n"
                            "  user: alice\n"
                            "  groups: [astro, data-rights, astro]\n"
                            "- {token_sha256: " +
                            sha256Hex("admin-dev-token").toUpper() +
                            ", user: root, groups: [butler-admins]}\n"
                            "- {token_sha256: " +
                            sha256Hex("nogroups") + ", user: carol}\n";
    AuthConfig config;
    config.staticTokensFile = writeFile("tokens.yaml", yaml);
    TestClock clock;
    auto auth = make(config, clock);

    const Result<Identity> alice = awaitTask(auth->authenticate("Bearer alice-dev-token"));
    AUTH_VERIFY_OK(alice);
    QCOMPARE(alice->user, QStringLiteral("alice"));
    QCOMPARE(alice->groups, QStringList({"astro", "data-rights"}));
    QVERIFY(alice->dataRights);
    QVERIFY(!alice->admin);
    QCOMPARE(alice->expiresAt, 0);

    // The fast path answers static tokens without a coroutine.
    const auto root = auth->cached("Bearer admin-dev-token");
    QVERIFY(root.has_value());
    AUTH_VERIFY_OK(*root);
    QCOMPARE(root->value().user, QStringLiteral("root"));
    QVERIFY(root->value().admin);

    const auto carol = auth->cached("Bearer nogroups");
    QVERIFY(carol.has_value());
    QCOMPARE(carol->value().groups, QStringList());

    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer alice-dev-tokeN")), ErrorKind::Unauthenticated,
                      "unknown token");
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer " + sha256Hex("alice-dev-token"))),
                      ErrorKind::Unauthenticated, "unknown token");
}

void TestAuthenticator::staticTokenFileErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("messages"); // each must appear, on its own line

    const QByteArray good = sha256Hex("x");
    QTest::newRow("not a list") << QByteArray("token_sha256: abc\n") << QStringList{"expected a list"};
    QTest::newRow("bad YAML") << QByteArray("- {token_sha256: [\n") << QStringList{"not valid YAML"};
    QTest::newRow("entry not a map") << QByteArray("- just-a-string\n")
                                     << QStringList{"entry 1 (line 1): expected a map"};
    QTest::newRow("short hash") << QByteArray("- {token_sha256: abcd, user: a}\n")
                                << QStringList{"entry 1 (line 1): token_sha256 must be 64 hex digits"};
    QTest::newRow("not hex") << "- {token_sha256: " + QByteArray(64, 'z') + ", user: a}\n"
                             << QStringList{"token_sha256 must be 64 hex digits"};
    QTest::newRow("plain token instead of hash")
        << QByteArray("- {token: secret, user: a}\n")
        << QStringList{"unknown key \"token\"", "token_sha256 is missing"};
    QTest::newRow("missing user") << "- {token_sha256: " + good + "}\n" << QStringList{"user must be"};
    QTest::newRow("user with slash") << "- {token_sha256: " + good + ", user: a/b}\n"
                                     << QStringList{"user must be"};
    QTest::newRow("groups not a list") << "- {token_sha256: " + good + ", user: a, groups: astro}\n"
                                       << QStringList{"groups must be a list"};
    QTest::newRow("nested group") << "- {token_sha256: " + good + ", user: a, groups: [[x]]}\n"
                                  << QStringList{"groups must be a list"};
    QTest::newRow("duplicate") << "- {token_sha256: " + good + ", user: a}\n- {token_sha256: " + good +
                                      ", user: b}\n"
                               << QStringList{"entry 2 (line 2): token_sha256 repeats an earlier entry"};
    QTest::newRow("every problem listed")
        << "- {token_sha256: " + good +
               ", user: a}\n"
               "- {token_sha256: 12, user: b}\n"
               "- {token_sha256: " +
               sha256Hex("y") + "}\n"
        << QStringList{"entry 2 (line 2): token_sha256", "entry 3 (line 3): user"};
}

void TestAuthenticator::staticTokenFileErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, messages);
    const QString path = writeFile("bad-tokens.yaml", yaml);
    const auto store = StaticTokenStore::load(path);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().kind(), ErrorKind::InvalidInput);
    const QStringList lines = store.error().message().split('\n');
    QCOMPARE(lines.size(), messages.size());
    for (qsizetype i = 0; i < messages.size(); ++i) {
        QVERIFY2(lines[i].startsWith(path), qPrintable(lines[i]));
        QVERIFY2(lines[i].contains(messages[i]), qPrintable(lines[i]));
    }

    // The server refuses to start with it, with the same message.
    AuthConfig config;
    config.staticTokensFile = path;
    const auto auth = Authenticator::create(config);
    QVERIFY(!auth.ok());
    QCOMPARE(auth.error().message(), store.error().message());
}

void TestAuthenticator::configErrors_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("error");
    QTest::newRow("nothing configured") << 0 << "configure at least one";
    QTest::newRow("jwt without issuer") << 1 << "issuer and audience are required";
    QTest::newRow("both jwks file and url") << 2 << "exactly one of jwks_file and jwks_url";
    QTest::newRow("jwks url not http") << 3 << "jwks_url must be an http(s) URL";
    QTest::newRow("jwks file missing") << 4 << "cannot read JWKS file";
    QTest::newRow("jwks file without keys") << 5 << "no usable RS256 or ES256 signing key";
    QTest::newRow("introspection secret missing") << 6 << "cannot read introspection client_secret_file";
    QTest::newRow("introspection without client id") << 7 << "client_id";
    QTest::newRow("static file missing") << 8 << "cannot read static token file";
}

void TestAuthenticator::configErrors()
{
    QFETCH(int, which);
    QFETCH(QString, error);
    AuthConfig config;
    switch (which) {
    case 1:
        config = jwtFileConfig();
        config.issuer.clear();
        break;
    case 2:
        config = jwtFileConfig();
        config.jwksUrl = QUrl(m_base + "/jwks");
        break;
    case 3:
        config = jwtUrlConfig();
        config.jwksUrl = QUrl("file:///etc/passwd");
        break;
    case 4:
        config = jwtFileConfig();
        config.jwksFile = m_dir.filePath("missing.json");
        break;
    case 5:
        config = jwtFileConfig();
        config.jwksFile = writeFile("no-keys.json", R"({"keys":[{"kty":"oct","k":"AAAA"}]})");
        break;
    case 6:
        config = introspectionConfig();
        config.introspectionClientSecretFile = m_dir.filePath("missing.secret");
        break;
    case 7:
        config = introspectionConfig();
        config.introspectionClientId.clear();
        break;
    case 8:
        config.staticTokensFile = m_dir.filePath("missing.yaml");
        break;
    default:
        break;
    }
    const auto auth = Authenticator::create(config);
    QVERIFY(!auth.ok());
    QVERIFY2(auth.error().message().contains(error), qPrintable(auth.error().message()));
}

void TestAuthenticator::cacheReturnsTheSameIdentity()
{
    TestClock clock;
    auto auth = make(jwtFileConfig(), clock);
    const QByteArray header = "Bearer " + TokenMinter::mint(*m_rsa, "rsa1", claims(clock, "alice"));

    QVERIFY(!auth->cached(header).has_value());
    const Result<Identity> first = awaitTask(auth->authenticate(header));
    AUTH_VERIFY_OK(first);

    const auto hit = auth->cached(header);
    QVERIFY(hit.has_value());
    AUTH_VERIFY_OK(*hit);
    QCOMPARE(hit->value().user, first->user);
    QCOMPARE(hit->value().groups, first->groups);
    QCOMPARE(hit->value().expiresAt, first->expiresAt);
    QCOMPARE(hit->value().expiresAt, clock.seconds() + 3600);

    // A different token of the same user is its own entry.
    const QByteArray other = "Bearer " + TokenMinter::mint(*m_ec, "ec1", claims(clock, "alice", 60));
    QVERIFY(!auth->cached(other).has_value());
}

void TestAuthenticator::expiredCachedEntryIsRejected()
{
    TestClock clock;
    auto auth = make(jwtFileConfig(), clock);
    const QByteArray header = "Bearer " + TokenMinter::mint(*m_rsa, "rsa1", claims(clock, "alice", 100));
    AUTH_VERIFY_OK(awaitTask(auth->authenticate(header)));
    QVERIFY(auth->cached(header).has_value());

    clock.advance(100 + 30); // past exp, within the skew
    {
        const auto hit = auth->cached(header);
        QVERIFY(hit.has_value());
        AUTH_VERIFY_OK(*hit);
    }

    clock.advance(31); // past exp + skew
    const auto expired = auth->cached(header);
    QVERIFY(expired.has_value());
    AUTH_VERIFY_ERROR(*expired, ErrorKind::Unauthenticated, "token expired");
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate(header)), ErrorKind::Unauthenticated, "token expired");
}

void TestAuthenticator::mechanismOrder()
{
    // Static tokens first, then JWTs locally, and only the rest goes to introspection.
    AuthConfig config = introspectionConfig();
    config.issuer = Issuer;
    config.audience = Audience;
    config.jwksFile = m_jwksPath;
    const QByteArray jwtShapedStatic = "aaa.bbb.ccc";
    config.staticTokensFile =
        writeFile("order-tokens.yaml", "- {token_sha256: " + sha256Hex(jwtShapedStatic) + ", user: dev}\n");
    TestClock clock;
    auto auth = make(config, clock);
    m_introspection.insert("opaque-1", QJsonObject{{"active", true}, {"preferred_username", "opal"}});
    const int hits = m_introspectionHits;

    const Result<Identity> dev = awaitTask(auth->authenticate("Bearer " + jwtShapedStatic));
    AUTH_VERIFY_OK(dev);
    QCOMPARE(dev->user, QStringLiteral("dev"));

    const Result<Identity> jwt =
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(*m_rsa, "rsa1", claims(clock, "jay"))));
    AUTH_VERIFY_OK(jwt);
    QCOMPARE(jwt->user, QStringLiteral("jay"));

    // A JWT that fails is not handed to introspection.
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer " + TokenMinter::mintNone(claims(clock, "x")))),
                      ErrorKind::Unauthenticated, "not accepted");
    QCOMPARE(m_introspectionHits, hits);

    const Result<Identity> opaque = awaitTask(auth->authenticate("Bearer opaque-1"));
    AUTH_VERIFY_OK(opaque);
    QCOMPARE(opaque->user, QStringLiteral("opal"));
    QCOMPARE(m_introspectionHits, hits + 1);
}

void TestAuthenticator::jwksUrlFollowsKeyRotation()
{
    const auto oldKey = TokenMinter::Key::rsa();
    const auto newKey = TokenMinter::Key::ec();
    serveKeys({oldKey.publicJwk("2024")});
    m_jwksHits = 0;
    TestClock clock;
    auto auth = make(jwtUrlConfig(), clock);

    const QByteArray oldToken = TokenMinter::mint(oldKey, "2024", claims(clock, "alice"));
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer " + oldToken)));
    QCOMPARE(m_jwksHits, 1);

    // The issuer rotates; the first token with the new kid fetches the keys again.
    serveKeys({newKey.publicJwk("2025")});
    clock.advance(31);
    const Result<Identity> rotated =
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(newKey, "2025", claims(clock, "bob"))));
    AUTH_VERIFY_OK(rotated);
    QCOMPARE(rotated->user, QStringLiteral("bob"));
    QCOMPARE(m_jwksHits, 2);
    QCOMPARE(auth->jwksSource()->fetchCount(), 2);

    // The old key is gone from the set: new tokens signed with it no longer pass.
    AUTH_VERIFY_ERROR(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(oldKey, "2024", claims(clock, "carol")))),
        ErrorKind::Unauthenticated, "unknown signing key \"2024\"");
}

void TestAuthenticator::unknownKidFloodMakesOneFetch()
{
    const auto key = TokenMinter::Key::rsa();
    const auto attacker = TokenMinter::Key::rsa();
    serveKeys({key.publicJwk("good")});
    m_jwksHits = 0;
    TestClock clock;
    auto auth = make(jwtUrlConfig(), clock);
    AUTH_VERIFY_OK(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(key, "good", claims(clock, "a")))));
    QCOMPARE(m_jwksHits, 1);

    // Within the interval after a fetch, an unknown kid fetches nothing.
    clock.advance(10);
    AUTH_VERIFY_ERROR(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(attacker, "x", claims(clock, "m")))),
        ErrorKind::Unauthenticated, "unknown signing key");
    QCOMPARE(m_jwksHits, 1);
    // The refused request left the keys for the next one (a coroutine that returned the
    // shared keys could move them out).
    AUTH_VERIFY_OK(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(key, "good", claims(clock, "b")))));
    QCOMPARE(m_jwksHits, 1);

    // After it, fifty concurrent requests with fifty made-up kids share one fetch.
    clock.advance(30);
    std::vector<QCoro::Task<Result<Identity>>> flood;
    for (int i = 0; i < 50; ++i)
        flood.push_back(
            auth->authenticate("Bearer " + TokenMinter::mint(attacker, QStringLiteral("kid-%1").arg(i),
                                                             claims(clock, "mallory"))));
    for (auto& task : flood)
        AUTH_VERIFY_ERROR(awaitTask(std::move(task)), ErrorKind::Unauthenticated, "unknown signing key");
    QCOMPARE(m_jwksHits, 2);

    // And the next ones, right after, none.
    for (int i = 0; i < 5; ++i)
        AUTH_VERIFY_ERROR(awaitTask(auth->authenticate(
                              "Bearer " + TokenMinter::mint(attacker, "more", claims(clock, "m")))),
                          ErrorKind::Unauthenticated, "unknown signing key");
    QCOMPARE(m_jwksHits, 2);
    QCOMPARE(auth->jwksSource()->fetchCount(), 2);

    // The rate limit is configurable.
    AuthConfig eager = jwtUrlConfig();
    eager.jwksMinRefreshSeconds = 0;
    auto eagerAuth = make(eager, clock);
    AUTH_VERIFY_OK(
        awaitTask(eagerAuth->authenticate("Bearer " + TokenMinter::mint(key, "good", claims(clock, "a")))));
    const int before = m_jwksHits;
    for (int i = 0; i < 3; ++i)
        AUTH_VERIFY_ERROR(awaitTask(eagerAuth->authenticate(
                              "Bearer " + TokenMinter::mint(attacker, "y", claims(clock, "m")))),
                          ErrorKind::Unauthenticated, "unknown signing key");
    QCOMPARE(m_jwksHits, before + 3);
}

void TestAuthenticator::jwksRefreshedPeriodically()
{
    const auto key = TokenMinter::Key::ec();
    serveKeys({key.publicJwk("k")});
    m_jwksHits = 0;
    TestClock clock;
    auto auth = make(jwtUrlConfig(), clock);
    AUTH_VERIFY_OK(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(key, "k", claims(clock, "a")))));
    QCOMPARE(auth->jwksSource()->fetchCount(), 1);

    clock.advance(1800);
    AUTH_VERIFY_OK(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(key, "k", claims(clock, "b")))));
    QCOMPARE(auth->jwksSource()->fetchCount(), 1);

    // An hour on, a request with a known kid is answered at once and refreshes in the background.
    clock.advance(1801);
    AUTH_VERIFY_OK(
        awaitTask(auth->authenticate("Bearer " + TokenMinter::mint(key, "k", claims(clock, "c")))));
    QCOMPARE(auth->jwksSource()->fetchCount(), 2);
    QTRY_COMPARE(m_jwksHits, 2);
}

void TestAuthenticator::jwksUrlDown()
{
    const RefusedPort refused;
    const quint16 closedPort = refused.port();

    AuthConfig config = jwtUrlConfig();
    config.jwksUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/jwks").arg(closedPort));
    TestClock clock;
    auto auth = make(config, clock);
    const QByteArray header = "Bearer " + TokenMinter::mint(*m_rsa, "rsa1", claims(clock, "alice"));
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate(header)), ErrorKind::Unavailable,
                      "signing keys are unavailable");
    // Rate-limited: no new attempt at once, the same clear error.
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate(header)), ErrorKind::Unavailable,
                      "signing keys are unavailable");
    QCOMPARE(auth->jwksSource()->fetchCount(), 1);

    // A 404 is as unusable as a refused connection.
    config.jwksUrl = QUrl(m_base + "/no-such-path");
    auto auth404 = make(config, clock);
    AUTH_VERIFY_ERROR(awaitTask(auth404->authenticate(header)), ErrorKind::Unavailable, "HTTP status 404");

    // An endless or huge answer is cut off, not read into memory.
    m_jwksBody = QByteArray(3 << 20, ' ');
    config.jwksUrl = QUrl(m_base + "/jwks");
    auto authHuge = make(config, clock);
    AUTH_VERIFY_ERROR(awaitTask(authHuge->authenticate(header)), ErrorKind::Unavailable,
                      "answer larger than");
}

void TestAuthenticator::concurrentFirstRequestsShareTheFirstFetch()
{
    const auto key = TokenMinter::Key::rsa();
    serveKeys({key.publicJwk("k")});
    m_jwksHits = 0;
    TestClock clock;
    auto auth = make(jwtUrlConfig(), clock);
    std::vector<QCoro::Task<Result<Identity>>> tasks;
    for (int i = 0; i < 10; ++i)
        tasks.push_back(auth->authenticate(
            "Bearer " + TokenMinter::mint(key, "k", claims(clock, QStringLiteral("user%1").arg(i)))));
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const Result<Identity> identity = awaitTask(std::move(tasks[i]));
        AUTH_VERIFY_OK(identity);
        QCOMPARE(identity->user, QStringLiteral("user%1").arg(i));
    }
    QCOMPARE(m_jwksHits, 1);
}

void TestAuthenticator::authenticateFromSeveralThreads()
{
    // The server verifies on several listener threads at once, each with its own event loop.
    const auto key = TokenMinter::Key::ec();
    serveKeys({key.publicJwk("k")});
    m_jwksHits = 0;
    TestClock clock;
    auto auth = make(jwtUrlConfig(), clock);
    QList<QByteArray> headers;
    for (int i = 0; i < 20; ++i)
        headers.append("Bearer " +
                       TokenMinter::mint(key, "k", claims(clock, QStringLiteral("user%1").arg(i))));

    constexpr int Threads = 4;
    std::vector<std::unique_ptr<QThread>> threads;
    std::vector<std::unique_ptr<QObject>> contexts;
    for (int t = 0; t < Threads; ++t) {
        threads.push_back(std::make_unique<QThread>());
        contexts.push_back(std::make_unique<QObject>());
        contexts.back()->moveToThread(threads.back().get());
        threads.back()->start();
    }
    // The threads end however the test ends: a QThread destroyed while it runs aborts the
    // whole test program, hiding which check failed.
    const auto stopThreads = qScopeGuard([&] {
        for (std::size_t t = 0; t < threads.size(); ++t) {
            QObject* context = contexts[t].release();
            QMetaObject::invokeMethod(
                context, [context] { delete context; }, Qt::BlockingQueuedConnection);
            threads[t]->quit();
            threads[t]->wait();
        }
    });
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    // Two rounds: the first shares the first key fetch, the second is answered by the cache.
    for (int round = 1; round <= 2; ++round) {
        for (auto& context : contexts) {
            QMetaObject::invokeMethod(context.get(), [&] {
                for (qsizetype i = 0; i < headers.size(); ++i) {
                    auto task = authenticateAndCount(auth.get(), headers[i], QStringLiteral("user%1").arg(i),
                                                     &ok, &failed);
                    Q_UNUSED(task);
                }
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(ok.load() + failed.load(), round * Threads * int(headers.size()), 30000);
    }
    QCOMPARE(failed.load(), 0);
    QCOMPARE(m_jwksHits, 1);
}

void TestAuthenticator::introspectionActive()
{
    TestClock clock;
    auto auth = make(introspectionConfig(), clock);
    // Characters that form encoding must protect: '+' is a space to a form decoder.
    const QByteArray token = "opaque+token/with=";
    m_introspection.insert(token, QJsonObject{{"active", true},
                                              {"preferred_username", "alice"},
                                              {"groups", QJsonArray{"data-rights", "astro"}},
                                              {"exp", clock.seconds() + 600},
                                              {"aud", Audience}});
    const Result<Identity> identity = awaitTask(auth->authenticate("Bearer " + token));
    AUTH_VERIFY_OK(identity);
    QCOMPARE(identity->user, QStringLiteral("alice"));
    QCOMPARE(identity->groups, QStringList({"astro", "data-rights"}));
    QVERIFY(identity->dataRights);
    QCOMPARE(identity->expiresAt, clock.seconds() + 600);
}

void TestAuthenticator::introspectionInactive()
{
    TestClock clock;
    auto auth = make(introspectionConfig(), clock);
    m_introspection.insert("revoked-token", QJsonObject{{"active", false}});
    m_introspection.insert("stringly-active", QJsonObject{{"active", "true"}, {"preferred_username", "x"}});
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer revoked-token")), ErrorKind::Unauthenticated,
                      "not active");
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer never-issued")), ErrorKind::Unauthenticated,
                      "not active");
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer stringly-active")), ErrorKind::Unauthenticated,
                      "not active");
    // Expired by its own exp, whatever "active" says.
    m_introspection.insert(
        "stale", QJsonObject{{"active", true}, {"preferred_username", "x"}, {"exp", clock.seconds() - 3600}});
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer stale")), ErrorKind::Unauthenticated,
                      "token expired");
}

void TestAuthenticator::introspectionCachesBriefly()
{
    TestClock clock;
    auto auth = make(introspectionConfig(), clock);
    m_introspection.insert(
        "cached-token",
        QJsonObject{{"active", true}, {"preferred_username", "bob"}, {"exp", clock.seconds() + 3600}});
    const int hits = m_introspectionHits;
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer cached-token")));
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer cached-token")));
    {
        const auto hit = auth->cached("Bearer cached-token");
        QVERIFY(hit.has_value());
        AUTH_VERIFY_OK(*hit);
    }
    QCOMPARE(m_introspectionHits, hits + 1);

    clock.advance(61);
    QVERIFY(!auth->cached("Bearer cached-token").has_value());
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer cached-token")));
    QCOMPARE(m_introspectionHits, hits + 2);
    QCOMPARE(auth->introspectionClient()->requestCount(), 2);

    // Never past the token's exp: one that ends in 10 s is asked about again after 10 s.
    m_introspection.insert(
        "short-lived",
        QJsonObject{{"active", true}, {"preferred_username", "bob"}, {"exp", clock.seconds() + 10}});
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer short-lived")));
    clock.advance(11);
    m_introspection.insert("short-lived", QJsonObject{{"active", false}});
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer short-lived")), ErrorKind::Unauthenticated, "");
    QCOMPARE(m_introspectionHits, hits + 4);
}

void TestAuthenticator::introspectionRevocationNoticedAfterCache()
{
    TestClock clock;
    AuthConfig config = introspectionConfig();
    config.introspectionCacheSeconds = 5;
    auto auth = make(config, clock);
    m_introspection.insert("to-revoke", QJsonObject{{"active", true}, {"preferred_username", "eve"}});
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer to-revoke")));
    m_introspection.insert("to-revoke", QJsonObject{{"active", false}});
    AUTH_VERIFY_OK(awaitTask(auth->authenticate("Bearer to-revoke"))); // cached for 5 s
    clock.advance(6);
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer to-revoke")), ErrorKind::Unauthenticated,
                      "not active");
}

void TestAuthenticator::introspectionBadAnswers_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("error");
    QTest::newRow("wrong client secret") << "/introspect" << QByteArray("wrong") << QByteArray()
                                         << int(ErrorKind::Unavailable) << "answered HTTP 401";
    QTest::newRow("not found") << "/nothing-here" << IntrospectionSecret << QByteArray()
                               << int(ErrorKind::Unavailable) << "answered HTTP 404";
    QTest::newRow("not JSON") << "/introspect" << IntrospectionSecret << QByteArray("<html>")
                              << int(ErrorKind::Unavailable) << "not a JSON object";
    QTest::newRow("JSON array") << "/introspect" << IntrospectionSecret << QByteArray("[true]")
                                << int(ErrorKind::Unavailable) << "not a JSON object";
    QTest::newRow("exp a string") << "/introspect" << IntrospectionSecret
                                  << QByteArray(R"({"active":true,"preferred_username":"a","exp":"soon"})")
                                  << int(ErrorKind::Unavailable) << "non-numeric exp";
    QTest::newRow("other audience") << "/introspect" << IntrospectionSecret
                                    << QByteArray(R"({"active":true,"preferred_username":"a","aud":"other"})")
                                    << int(ErrorKind::Unauthenticated) << "audience mismatch";
    QTest::newRow("no user") << "/introspect" << IntrospectionSecret << QByteArray(R"({"active":true})")
                             << int(ErrorKind::Unauthenticated) << "no \"preferred_username\" claim";
}

void TestAuthenticator::introspectionBadAnswers()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, raw);
    QFETCH(int, kind);
    QFETCH(QString, error);
    AuthConfig config = introspectionConfig(path);
    config.introspectionAudience = Audience;
    config.introspectionClientSecretFile = writeFile("row.secret", secret);
    TestClock clock;
    auto auth = make(config, clock);
    m_rawIntrospectionAnswer = raw;
    const Result<Identity> identity = awaitTask(auth->authenticate("Bearer some-opaque-token"));
    m_rawIntrospectionAnswer.clear();
    AUTH_VERIFY_ERROR(identity, ErrorKind(kind), error);
    QVERIFY(!identity.error().message().contains("some-opaque-token"));
}

void TestAuthenticator::introspectionServerDown()
{
    const RefusedPort refused;
    const quint16 closedPort = refused.port();
    AuthConfig config = introspectionConfig();
    config.introspectionUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/introspect").arg(closedPort));
    TestClock clock;
    auto auth = make(config, clock);
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer opaque")), ErrorKind::Unavailable,
                      "introspection endpoint is unreachable");
    // Failures are not cached: the next request asks again.
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer opaque")), ErrorKind::Unavailable, "unreachable");
    QCOMPARE(auth->introspectionClient()->requestCount(), 2);
}

void TestAuthenticator::introspectionTimesOut()
{
    // Accepts connections and never answers.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    AuthConfig config = introspectionConfig();
    config.introspectionUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/introspect").arg(silent.serverPort()));
    config.httpTimeoutSeconds = 1;
    TestClock clock;
    auto auth = make(config, clock);
    AUTH_VERIFY_ERROR(awaitTask(auth->authenticate("Bearer opaque")), ErrorKind::Unavailable,
                      "no answer within 1000 ms");
}

QTEST_GUILESS_MAIN(TestAuthenticator)
#include "tst_authenticator.moc"
