// Signing in at a real OpenID Connect provider (tests/peers/oidc/idp.mjs: oidc-provider on
// node, client "butler-browser") with OidcLogin and LoginDialog. The test plays the browser: it
// follows the authorization URL with its own QNetworkAccessManager (cookies kept, redirects
// followed one by one), fills in the provider's login and consent forms, and lets the last
// redirect reach OidcLogin's loopback listener. The access token it gets is checked by the
// server's own Authenticator against the provider's keys.
// Skipped when node or the npm package is missing (npm ci --prefix tests/peers/oidc).

#include "Authenticator.h"
#include "ButlerServer.h"
#include "DirectButler.h"
#include "LoginDialog.h"
#include "OidcLogin.h"
#include "OidcPeer.h"
#include "RefusedPort.h"
#include "TokenStore.h"
#include "WaitForTask.h"

#include <QCoroNetworkReply>
#include <QCoroTask>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <memory>
#include <optional>

using namespace butler;
using namespace std::chrono_literals;

namespace {

const QString Api = QStringLiteral("http://127.0.0.1:8080/api");
const QString ClientId = QStringLiteral("butler-browser");
const QString ApiScopes = QStringLiteral("openid profile butler:read butler:write");

QJsonObject jwtClaims(const QString& jwt)
{
    const QStringList parts = jwt.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return {};
    return QJsonDocument::fromJson(QByteArray::fromBase64(parts[1].toLatin1(), QByteArray::Base64UrlEncoding))
        .object();
}

QString htmlUnescape(QString text)
{
    text.replace(QLatin1String("&#x2F;"), QLatin1String("/"));
    text.replace(QLatin1String("&#47;"), QLatin1String("/"));
    text.replace(QLatin1String("&amp;"), QLatin1String("&"));
    return text;
}

// What the person at the browser does on the provider's pages.
enum class Action
{
    Approve,       // sign in as the user and allow access
    Deny,          // press the provider's Cancel link
    TamperState,   // approve, but a forged link changed the state on the way in
    StealCodeFirst // approve; someone without the verifier tries the code before the app does
};

struct BrowserRun
{
    QString failure; // why the browser could not play its part; empty when it did
    QUrl authorizeUrl;
    QUrl callbackUrl;     // where the provider sent the browser back to
    QByteArray finalPage; // what the loopback listener answered
    int stolenCodeStatus = 0;
    QJsonObject stolenCodeAnswer;
};

struct Page
{
    int status = 0;
    QUrl url;
    QUrl location;
    QByteArray body;
    QString error;
};

// A browser reduced to what the provider's pages need: cookies, forms, one redirect at a time.
class Browser
{
public:
    Browser(QString issuer, QString user)
        : m_issuer(std::move(issuer))
        , m_user(std::move(user))
    {
        m_network.setCookieJar(new QNetworkCookieJar(&m_network));
    }

    QCoro::Task<BrowserRun> run(QUrl authorizeUrl, Action action)
    {
        BrowserRun run;
        if (action == Action::TamperState) {
            QUrlQuery query(authorizeUrl);
            query.removeQueryItem(QStringLiteral("state"));
            query.addQueryItem(QStringLiteral("state"), QStringLiteral("forged-state"));
            authorizeUrl.setQuery(query);
        }
        run.authorizeUrl = authorizeUrl;

        Page page = co_await follow(co_await request(authorizeUrl));
        if (!page.error.isEmpty() || page.status != 200 || !page.body.contains("name=\"login\"")) {
            run.failure = QStringLiteral("no login page: %1 %2 %3")
                              .arg(page.error)
                              .arg(page.status)
                              .arg(QString::fromUtf8(page.body.left(300)));
            co_return run;
        }
        if (action == Action::Deny) {
            const QRegularExpressionMatch cancel =
                QRegularExpression(QStringLiteral("<a href=\"([^\"]+)\">\\[ Cancel \\]</a>"))
                    .match(QString::fromUtf8(page.body));
            if (!cancel.hasMatch()) {
                run.failure = QStringLiteral("no cancel link on the login page");
                co_return run;
            }
            page =
                co_await follow(co_await request(page.url.resolved(QUrl(htmlUnescape(cancel.captured(1))))));
        } else {
            page = co_await follow(co_await submit(page, loginFields()));
            if (page.status == 200 && page.body.contains("name=\"prompt\" value=\"consent\""))
                page = co_await follow(co_await submit(page, consentFields()));
        }
        if (!page.error.isEmpty() || page.location.isEmpty()) {
            run.failure = QStringLiteral("the provider did not send the browser back: %1 %2 %3")
                              .arg(page.error)
                              .arg(page.status)
                              .arg(QString::fromUtf8(page.body.left(300)));
            co_return run;
        }
        run.callbackUrl = page.location;

        if (action == Action::StealCodeFirst) {
            // RFC 7636: without the verifier that never left the app, the code is worthless.
            const QString code = QUrlQuery(run.callbackUrl).queryItemValue(QStringLiteral("code"));
            QUrlQuery form;
            form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
            form.addQueryItem(QStringLiteral("code"), code);
            form.addQueryItem(QStringLiteral("client_id"), ClientId);
            form.addQueryItem(
                QStringLiteral("redirect_uri"),
                QUrlQuery(authorizeUrl).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
            QNetworkRequest tokenRequest(QUrl(m_issuer + QStringLiteral("/token")));
            tokenRequest.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded");
            const std::unique_ptr<QNetworkReply> reply(
                m_network.post(tokenRequest, form.toString(QUrl::FullyEncoded).toLatin1()));
            co_await reply.get();
            run.stolenCodeStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            run.stolenCodeAnswer = QJsonDocument::fromJson(reply->readAll()).object();
        }

        // The last hop: the browser takes the answer to the app's loopback listener.
        const Page last = co_await request(run.callbackUrl);
        if (!last.error.isEmpty() || last.status != 200)
            run.failure =
                QStringLiteral("the loopback listener answered %1 %2").arg(last.status).arg(last.error);
        run.finalPage = last.body;
        co_return run;
    }

private:
    // Built outside the coroutine: g++ 12 cannot keep braced lists of literals in a coroutine frame.
    QList<QPair<QString, QString>> loginFields() const
    {
        return {{QStringLiteral("prompt"), QStringLiteral("login")},
                {QStringLiteral("login"), m_user},
                {QStringLiteral("password"), QStringLiteral("any")}};
    }
    static QList<QPair<QString, QString>> consentFields()
    {
        return {{QStringLiteral("prompt"), QStringLiteral("consent")}};
    }

    QCoro::Task<Page> request(QUrl url, std::optional<QByteArray> form = std::nullopt)
    {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setTransferTimeout(20000);
        std::unique_ptr<QNetworkReply> reply;
        if (form) {
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded");
            reply.reset(m_network.post(request, *form));
        } else {
            reply.reset(m_network.get(request));
        }
        co_await reply.get();
        Page page;
        page.url = url;
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid()) {
            page.error = reply->errorString();
            co_return page;
        }
        page.status = status.toInt();
        page.body = reply->readAll();
        const QByteArray location = reply->rawHeader("Location");
        if (!location.isEmpty())
            page.location = url.resolved(QUrl::fromEncoded(location));
        co_return page;
    }

    // Follows redirects within the provider; stops before one that leaves it (to the app).
    QCoro::Task<Page> follow(Page page)
    {
        for (int hops = 0; hops < 10 && page.error.isEmpty() && page.status >= 300 && page.status < 400;
             ++hops) {
            if (!page.location.toString().startsWith(m_issuer + QLatin1Char('/')))
                co_return page;
            page = co_await request(page.location);
        }
        co_return page;
    }

    QCoro::Task<Page> submit(const Page& page, const QList<QPair<QString, QString>>& fields)
    {
        const QRegularExpressionMatch action =
            QRegularExpression(QStringLiteral("<form[^>]*action=\"([^\"]+)\"[^>]*method=\"post\""))
                .match(QString::fromUtf8(page.body));
        if (!action.hasMatch()) {
            Page failed;
            failed.error = QStringLiteral("no form on %1").arg(page.url.toString());
            co_return failed;
        }
        QUrlQuery form;
        for (const auto& [name, value] : fields)
            form.addQueryItem(name, QString::fromUtf8(QUrl::toPercentEncoding(value)));
        co_return co_await request(page.url.resolved(QUrl(htmlUnescape(action.captured(1)))),
                                   form.toString(QUrl::FullyEncoded).toLatin1());
    }

    QString m_issuer;
    QString m_user;
    QNetworkAccessManager m_network;
};

} // namespace

#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto& check_ = (expr);                                                                         \
        QVERIFY2(check_.ok(), check_.ok() ? "" : qPrintable(check_.error().message()));                      \
    } while (false)

#define VERIFY_ERROR(expr, expectedKind, part)                                                               \
    do {                                                                                                     \
        const auto& check_ = (expr);                                                                         \
        QVERIFY2(!check_.ok(), "expected an error, the call succeeded");                                     \
        QVERIFY2(check_.error().message().contains(part), qPrintable(check_.error().message()));             \
        QCOMPARE(check_.error().kindName(), butler::errorKindName(expectedKind));                            \
    } while (false)

class TestOidcLogin : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void signsInWithPkce();
    void stolenCodeIsUselessWithoutVerifier();
    void deniedSignIn();
    void stateMismatch();
    void timeout();
    void cancelled();
    void oneSignInAtATime();
    void providerDown();
    void notAnOidcProvider();
    void invalidArguments();

    void dialogFieldsAreAccessible();
    void dialogPastedToken();
    void dialogRemembersProviderPerServer();
    void dialogSignsInAndStoresToken();
    void dialogShowsSignInError();
    void dialogAsksServerForProvider();

private:
    // Makes login play the browser with this action; the run is kept in m_browserRun.
    void playBrowser(OidcLogin& login, Action action, const QString& user = QStringLiteral("alice"));
    BrowserRun browserRun();
    std::unique_ptr<Authenticator> authenticator() const;

    QString m_issuer;
    OidcPeer m_provider;
    std::unique_ptr<Browser> m_browser;
    std::optional<QCoro::Task<BrowserRun>> m_browserRun;
    QTemporaryDir m_dir;
};

void TestOidcLogin::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    BUTLER_REQUIRE_OIDC_PEER();

    const QString failed = m_provider.start(Api);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_issuer = m_provider.issuer();
}

void TestOidcLogin::cleanupTestCase()
{
    m_provider.stop();
}

void TestOidcLogin::cleanup()
{
    // A run still going (a test that failed half-way) finishes before its browser goes away.
    if (m_browserRun && !m_browserRun->isReady())
        waitForTask(std::move(*m_browserRun));
    m_browserRun.reset();
    m_browser.reset();
}

void TestOidcLogin::playBrowser(OidcLogin& login, Action action, const QString& user)
{
    m_browser = std::make_unique<Browser>(m_issuer, user);
    login.setOpenBrowserFunction([this, action](const QUrl& url) {
        m_browserRun.emplace(m_browser->run(url, action));
        return true;
    });
}

BrowserRun TestOidcLogin::browserRun()
{
    if (!m_browserRun)
        return BrowserRun{QStringLiteral("the browser was never asked to open a page"), {}, {}, {}, 0, {}};
    BrowserRun run = waitForTask(std::move(*m_browserRun));
    m_browserRun.reset();
    return run;
}

std::unique_ptr<Authenticator> TestOidcLogin::authenticator() const
{
    AuthConfig config;
    config.issuer = m_issuer;
    config.audience = Api;
    config.jwksUrl = QUrl(m_issuer + QStringLiteral("/jwks"));
    auto created = Authenticator::create(config);
    if (!created)
        qFatal("%s", qPrintable(created.error().message()));
    return std::move(*created);
}

void TestOidcLogin::signsInWithPkce()
{
    OidcLogin login;
    login.setScope(ApiScopes);
    playBrowser(login, Action::Approve);
    QSignalSpy requested(&login, &OidcLogin::browserRequested);

    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    VERIFY_OK(tokens);
    QVERIFY(!login.isActive());

    // The authorization request: PKCE S256, our state, a loopback redirect.
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(1).toBool(), true);
    const QUrlQuery query(requested.at(0).at(0).toUrl());
    QCOMPARE(query.queryItemValue("code_challenge_method"), QStringLiteral("S256"));
    QCOMPARE(query.queryItemValue("code_challenge").size(), 43);
    QCOMPARE(query.queryItemValue("client_id"), ClientId);
    QCOMPARE(query.queryItemValue("response_type"), QStringLiteral("code"));
    QVERIFY(query.queryItemValue("state").size() >= 16);
    QVERIFY(!query.hasQueryItem("code_verifier"));
    const QUrl redirect(query.queryItemValue("redirect_uri", QUrl::FullyDecoded));
    QCOMPARE(redirect.scheme(), QStringLiteral("http"));
    QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(redirect.path(), QStringLiteral("/callback"));
    QVERIFY(redirect.port() > 0);
    QCOMPARE(run.callbackUrl.port(), redirect.port());
    QVERIFY2(run.finalPage.contains("You can close this page"), run.finalPage.constData());

    // The access token is one the Butler server accepts: a JWT for its audience, signed by the
    // provider, naming the user who signed in.
    QCOMPARE(tokens->tokenType.toLower(), QStringLiteral("bearer"));
    QVERIFY(tokens->expiresAt > QDateTime::currentDateTimeUtc());
    QVERIFY(tokens->expiresAt <= QDateTime::currentDateTimeUtc().addSecs(3601));
    const QJsonObject claims = jwtClaims(tokens->accessToken);
    QCOMPARE(claims.value("sub").toString(), QStringLiteral("alice"));
    QCOMPARE(claims.value("aud").toString(), Api);
    QCOMPARE(claims.value("client_id").toString(), ClientId);
    auto auth = authenticator();
    const Result<Identity> identity =
        waitForTask(auth->authenticate("Bearer " + tokens->accessToken.toLatin1()));
    VERIFY_OK(identity);
    QCOMPARE(identity->user, QStringLiteral("alice"));
    QCOMPARE(identity->groups, QStringList({"astro", "data-rights"}));
    QVERIFY(identity->dataRights);

    // The ID token is about the same person, for this client.
    const QJsonObject idClaims = jwtClaims(tokens->idToken);
    QCOMPARE(idClaims.value("sub").toString(), QStringLiteral("alice"));
    QCOMPARE(idClaims.value("aud").toString(), ClientId);
    QCOMPARE(idClaims.value("iss").toString(), m_issuer);

    // The loopback listener is gone once the sign-in is over.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(redirect.port()));
    QVERIFY(!socket.waitForConnected(5000));
}

void TestOidcLogin::stolenCodeIsUselessWithoutVerifier()
{
    OidcLogin login;
    login.setScope(ApiScopes);
    playBrowser(login, Action::StealCodeFirst, QStringLiteral("bob"));
    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    QCOMPARE(run.stolenCodeStatus, 400);
    QCOMPARE(run.stolenCodeAnswer.value("error").toString(), QStringLiteral("invalid_grant"));
    // The app, which has the verifier, still gets its token.
    VERIFY_OK(tokens);
    QCOMPARE(jwtClaims(tokens->accessToken).value("sub").toString(), QStringLiteral("bob"));
}

void TestOidcLogin::deniedSignIn()
{
    OidcLogin login;
    playBrowser(login, Action::Deny);
    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    QCOMPARE(QUrlQuery(run.callbackUrl).queryItemValue("error"), QStringLiteral("access_denied"));
    VERIFY_ERROR(tokens, ErrorKind::Unauthenticated, "denied");
    QVERIFY2(tokens.error().message().contains("access_denied"), qPrintable(tokens.error().message()));
}

void TestOidcLogin::stateMismatch()
{
    OidcLogin login;
    playBrowser(login, Action::TamperState);
    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    // The provider did issue a code, for the forged state; the app must not redeem it.
    QCOMPARE(QUrlQuery(run.callbackUrl).queryItemValue("state"), QStringLiteral("forged-state"));
    QVERIFY(!QUrlQuery(run.callbackUrl).queryItemValue("code").isEmpty());
    VERIFY_ERROR(tokens, ErrorKind::Unauthenticated, "state mismatch");
}

void TestOidcLogin::timeout()
{
    OidcLogin login;
    QUrl shown;
    login.setOpenBrowserFunction([&shown](const QUrl& url) {
        shown = url; // nobody is at this browser
        return true;
    });
    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 1500ms));
    VERIFY_ERROR(tokens, ErrorKind::Unavailable, "timed out");
    QVERIFY(shown.isValid());
    QVERIFY(!login.isActive());

    // The listener is gone: a late answer finds nobody.
    const QUrl redirect(QUrlQuery(shown).queryItemValue("redirect_uri", QUrl::FullyDecoded));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(redirect.port()));
    QVERIFY(!socket.waitForConnected(5000));
}

void TestOidcLogin::cancelled()
{
    OidcLogin login;
    login.setOpenBrowserFunction([&login](const QUrl&) {
        QTimer::singleShot(0, &login, &OidcLogin::cancel);
        return true;
    });
    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    VERIFY_ERROR(tokens, ErrorKind::Unavailable, "cancelled");
}

void TestOidcLogin::oneSignInAtATime()
{
    OidcLogin login;
    std::optional<QCoro::Task<Result<OidcTokens>>> first;
    login.setOpenBrowserFunction([](const QUrl&) { return false; });
    QSignalSpy requested(&login, &OidcLogin::browserRequested);
    first.emplace(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    QVERIFY(login.isActive());
    const Result<OidcTokens> second = waitForTask(login.loginAsync(QUrl(m_issuer), ClientId, 60s));
    VERIFY_ERROR(second, ErrorKind::Conflict, "already in progress");
    // No browser: the address is still offered, for the user to open.
    QTRY_COMPARE_WITH_TIMEOUT(requested.size(), 1, 20000);
    QCOMPARE(requested.at(0).at(1).toBool(), false);
    login.cancel();
    VERIFY_ERROR(waitForTask(std::move(*first)), ErrorKind::Unavailable, "cancelled");
}

void TestOidcLogin::providerDown()
{
    const RefusedPort refused;
    const QString nobody = QStringLiteral("http://127.0.0.1:%1").arg(refused.port());
    OidcLogin login;
    bool browserOpened = false;
    login.setOpenBrowserFunction([&browserOpened](const QUrl&) { return browserOpened = true; });
    const Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(nobody), ClientId, 60s));
    VERIFY_ERROR(tokens, ErrorKind::Unavailable, "did not answer");
    QVERIFY(tokens.error().message().contains(nobody));
    QVERIFY(!browserOpened);
}

void TestOidcLogin::notAnOidcProvider()
{
    OidcLogin login;
    login.setOpenBrowserFunction([](const QUrl&) { return true; });
    // A path under the provider that is no issuer: its discovery document does not exist.
    Result<OidcTokens> tokens = waitForTask(login.loginAsync(QUrl(m_issuer + "/realms/none"), ClientId, 60s));
    VERIFY_ERROR(tokens, ErrorKind::Unavailable, "HTTP status 404");
    // The provider under another name: its configuration names its real issuer.
    const QString otherName =
        QString(m_issuer).replace(QStringLiteral("127.0.0.1"), QStringLiteral("localhost"));
    tokens = waitForTask(login.loginAsync(QUrl(otherName), ClientId, 60s));
    VERIFY_ERROR(tokens, ErrorKind::InvalidInput, m_issuer);
}

void TestOidcLogin::invalidArguments()
{
    OidcLogin login;
    VERIFY_ERROR(waitForTask(login.loginAsync(QUrl("not a url"), ClientId, 1s)), ErrorKind::InvalidInput,
                 "not an identity provider address");
    VERIFY_ERROR(waitForTask(login.loginAsync(QUrl(m_issuer), QStringLiteral("  "), 1s)),
                 ErrorKind::InvalidInput, "client ID");
    QVERIFY(!login.isActive());
}

void TestOidcLogin::dialogFieldsAreAccessible()
{
    QSettings settings(m_dir.filePath(QStringLiteral("fields.ini")), QSettings::IniFormat);
    LoginDialog dialog(nullptr, &settings);
    for (const QString& name :
         {QStringLiteral("Server URL"), QStringLiteral("Identity provider URL"), QStringLiteral("Client ID"),
          QStringLiteral("Scopes"), QStringLiteral("Access token")}) {
        const auto edits = dialog.findChildren<QLineEdit*>();
        const bool found = std::any_of(edits.begin(), edits.end(),
                                       [&](QLineEdit* edit) { return edit->accessibleName() == name; });
        QVERIFY2(found, qPrintable(name));
    }
    const auto buttons = dialog.findChildren<QPushButton*>();
    QVERIFY(std::any_of(buttons.begin(), buttons.end(), [](QPushButton* button) {
        return button->accessibleName() == QLatin1String("Sign in with the identity provider");
    }));
    const auto labels = dialog.findChildren<QLabel*>();
    QVERIFY(std::any_of(labels.begin(), labels.end(),
                        [](QLabel* label) { return label->accessibleName() == QLatin1String("Status"); }));
    // The pasted token is not shown.
    for (QLineEdit* edit : dialog.findChildren<QLineEdit*>()) {
        if (edit->accessibleName() == QLatin1String("Access token"))
            QCOMPARE(edit->echoMode(), QLineEdit::Password);
    }
}

namespace {

QLineEdit* edit(QWidget& dialog, const QString& accessibleName)
{
    for (QLineEdit* edit : dialog.findChildren<QLineEdit*>()) {
        if (edit->accessibleName() == accessibleName)
            return edit;
    }
    qFatal("no field %s", qPrintable(accessibleName));
}

QPushButton* button(QWidget& dialog, const QString& accessibleName)
{
    for (QPushButton* button : dialog.findChildren<QPushButton*>()) {
        if (button->accessibleName() == accessibleName)
            return button;
    }
    qFatal("no button %s", qPrintable(accessibleName));
}

} // namespace

void TestOidcLogin::dialogPastedToken()
{
    QSettings settings(m_dir.filePath(QStringLiteral("pasted.ini")), QSettings::IniFormat);
    TokenStore store(m_dir.filePath(QStringLiteral("pasted/tokens.json")), TokenStore::Backend::FileOnly);
    LoginDialog dialog(nullptr, &settings);
    dialog.setTokenStore(&store);
    QSignalSpy obtained(&dialog, &LoginDialog::tokenObtained);
    dialog.show();

    QPushButton* open = button(dialog, QStringLiteral("Open"));
    QVERIFY(!open->isEnabled());
    QTest::keyClicks(edit(dialog, QStringLiteral("Server URL")), QStringLiteral("http://127.0.0.1:8080"));
    QVERIFY(!open->isEnabled()); // a server, but no token yet
    edit(dialog, QStringLiteral("Access token"))->setText(QStringLiteral("  pasted.token.value \n"));
    QVERIFY(open->isEnabled());
    QCOMPARE(dialog.token(), QStringLiteral("pasted.token.value"));

    open->click();
    QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(obtained.size(), 1);
    QCOMPARE(obtained.at(0).at(0).toString(), QStringLiteral("http://127.0.0.1:8080"));
    QCOMPARE(obtained.at(0).at(1).toString(), QStringLiteral("pasted.token.value"));
    QVERIFY(!dialog.tokenExpiresAt().isValid());
    const Result<QString> stored = store.load(QStringLiteral("http://127.0.0.1:8080"));
    VERIFY_OK(stored);
    QCOMPARE(*stored, QStringLiteral("pasted.token.value"));
}

void TestOidcLogin::dialogRemembersProviderPerServer()
{
    QSettings settings(m_dir.filePath(QStringLiteral("remember.ini")), QSettings::IniFormat);
    {
        LoginDialog dialog(nullptr, &settings);
        dialog.oidcLogin()->setOpenBrowserFunction([&dialog](const QUrl&) {
            QTimer::singleShot(0, &dialog, &QDialog::reject); // the user gives up
            return true;
        });
        dialog.setServerUrl(QStringLiteral("http://butler-a.example.org:8080/api/butler/repo/main"));
        edit(dialog, QStringLiteral("Identity provider URL"))->setText(m_issuer);
        edit(dialog, QStringLiteral("Client ID"))->setText(ClientId);
        edit(dialog, QStringLiteral("Scopes"))->setText(ApiScopes);
        button(dialog, QStringLiteral("Sign in with the identity provider"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Rejected), 20000);
        QTRY_VERIFY(!dialog.oidcLogin()->isActive());
    }
    LoginDialog again(nullptr, &settings);
    again.setServerUrl(QStringLiteral("http://butler-a.example.org:8080"));
    QCOMPARE(edit(again, QStringLiteral("Identity provider URL"))->text(), m_issuer);
    QCOMPARE(edit(again, QStringLiteral("Client ID"))->text(), ClientId);
    QCOMPARE(edit(again, QStringLiteral("Scopes"))->text(), ApiScopes);

    // Another server has its own (here: none).
    LoginDialog other(nullptr, &settings);
    other.setServerUrl(QStringLiteral("http://butler-b.example.org:8080"));
    QCOMPARE(edit(other, QStringLiteral("Client ID"))->text(), QString());
}

void TestOidcLogin::dialogSignsInAndStoresToken()
{
    QSettings settings(m_dir.filePath(QStringLiteral("signin.ini")), QSettings::IniFormat);
    TokenStore store(m_dir.filePath(QStringLiteral("signin/tokens.json")), TokenStore::Backend::FileOnly);
    LoginDialog dialog(nullptr, &settings);
    dialog.setTokenStore(&store);
    playBrowser(*dialog.oidcLogin(), Action::Approve, QStringLiteral("admin"));
    QSignalSpy obtained(&dialog, &LoginDialog::tokenObtained);
    dialog.show();

    dialog.setServerUrl(QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main"));
    edit(dialog, QStringLiteral("Identity provider URL"))->setText(m_issuer);
    edit(dialog, QStringLiteral("Client ID"))->setText(ClientId);
    edit(dialog, QStringLiteral("Scopes"))->setText(ApiScopes);
    button(dialog, QStringLiteral("Sign in with the identity provider"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 60000);
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));

    QCOMPARE(obtained.size(), 1);
    const QString token = obtained.at(0).at(1).toString();
    QCOMPARE(token, dialog.token());
    QCOMPARE(jwtClaims(token).value("sub").toString(), QStringLiteral("admin"));
    QVERIFY(dialog.tokenExpiresAt().isValid());
    QVERIFY2(!dialog.statusText().contains(QLatin1String("failed")), qPrintable(dialog.statusText()));
    const Result<QString> stored = store.load(QStringLiteral("http://127.0.0.1:8080"));
    VERIFY_OK(stored);
    QCOMPARE(*stored, token);
    auto auth = authenticator();
    const Result<Identity> identity = waitForTask(auth->authenticate("Bearer " + token.toLatin1()));
    VERIFY_OK(identity);
    QVERIFY(identity->admin);
}

void TestOidcLogin::dialogShowsSignInError()
{
    QSettings settings(m_dir.filePath(QStringLiteral("error.ini")), QSettings::IniFormat);
    LoginDialog dialog(nullptr, &settings);
    playBrowser(*dialog.oidcLogin(), Action::Deny);
    dialog.show();
    dialog.setServerUrl(QStringLiteral("http://127.0.0.1:8080"));
    edit(dialog, QStringLiteral("Identity provider URL"))->setText(m_issuer);
    edit(dialog, QStringLiteral("Client ID"))->setText(ClientId);
    QPushButton* signIn = button(dialog, QStringLiteral("Sign in with the identity provider"));
    signIn->click();
    QVERIFY(!signIn->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(dialog.statusText().startsWith(QLatin1String("Signing in failed")), 60000);
    QVERIFY2(dialog.statusText().contains(QLatin1String("denied")), qPrintable(dialog.statusText()));
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected)); // not accepted
    QVERIFY(signIn->isEnabled());
    QVERIFY(!button(dialog, QStringLiteral("Open"))->isEnabled());
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
}

void TestOidcLogin::dialogAsksServerForProvider()
{
    // A butler-server (in this process, on an empty repository) that names the provider.
    const QString repo = m_dir.filePath(QStringLiteral("advertising/repo"));
    VERIFY_OK(DirectButler::create(repo));
    QFile tokens(m_dir.filePath(QStringLiteral("advertising/tokens.yaml")));
    QVERIFY(tokens.open(QIODevice::WriteOnly));
    tokens.write("[]\n");
    tokens.close();
    const Result<ServerConfig> config = ServerConfig::fromYaml(
        QStringLiteral("listen: 127.0.0.1:0\n"
                       "repositories: {main: {path: repo}}\n"
                       "auth:\n"
                       "  static_tokens_file: tokens.yaml\n"
                       "  login: {issuer: '%1', client_id: %2, scopes: [butler:read, butler:write]}\n")
            .arg(m_issuer, ClientId)
            .toUtf8(),
        m_dir.filePath(QStringLiteral("advertising")));
    VERIFY_OK(config);
    auto server = ButlerServer::create(*config);
    VERIFY_OK(server);
    const Result<quint16> port = (*server)->start();
    VERIFY_OK(port);
    const QString repoUrl = QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(*port);

    // Nothing remembered for this server: the advertised provider fills the fields.
    QSettings settings(m_dir.filePath(QStringLiteral("advertised.ini")), QSettings::IniFormat);
    TokenStore store(m_dir.filePath(QStringLiteral("advertised/tokens.json")), TokenStore::Backend::FileOnly);
    LoginDialog dialog(nullptr, &settings);
    dialog.setTokenStore(&store);
    playBrowser(*dialog.oidcLogin(), Action::Approve, QStringLiteral("admin"));
    dialog.show();
    // Another dialog, where the user typed a client ID and scopes before the answer came.
    LoginDialog typed(nullptr, &settings);
    edit(typed, QStringLiteral("Client ID"))->setText(QStringLiteral("my-client"));
    edit(typed, QStringLiteral("Scopes"))->setText(QStringLiteral("openid"));

    dialog.setServerUrl(repoUrl);
    typed.setServerUrl(repoUrl);
    QTRY_COMPARE_WITH_TIMEOUT(edit(dialog, QStringLiteral("Identity provider URL"))->text(), m_issuer, 10000);
    QCOMPARE(edit(dialog, QStringLiteral("Client ID"))->text(), ClientId);
    QCOMPARE(edit(dialog, QStringLiteral("Scopes"))->text(), ApiScopes); // the default ones and the server's
    QTRY_COMPARE_WITH_TIMEOUT(edit(typed, QStringLiteral("Identity provider URL"))->text(), m_issuer, 10000);
    QCOMPARE(edit(typed, QStringLiteral("Client ID"))->text(), QStringLiteral("my-client"));
    QCOMPARE(edit(typed, QStringLiteral("Scopes"))->text(), QStringLiteral("openid"));

    // Signing in with what the server named works.
    button(dialog, QStringLiteral("Sign in with the identity provider"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 60000);
    const BrowserRun run = browserRun();
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    QCOMPARE(jwtClaims(dialog.token()).value("sub").toString(), QStringLiteral("admin"));
    QVERIFY(jwtClaims(dialog.token()).value("scope").toString().contains(QLatin1String("butler:read")));
    (*server)->stop(1000);
}

QTEST_MAIN(TestOidcLogin)
#include "tst_oidclogin.moc"
