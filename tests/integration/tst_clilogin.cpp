// `butler login` against a real OpenID Connect provider (tests/peers/oidc/idp.mjs: oidc-provider
// on node, client "butler-cli") and a real butler-server that verifies the provider's JWTs. The
// real `butler` executable runs the sign-in; the test reads the address it prints on stderr and
// plays the browser: it follows the provider's pages with its own QNetworkAccessManager
// (cookies kept, redirects followed one at a time), signs in, consents (or cancels), and lets the
// last redirect reach the command's loopback listener. The token the command stores must then
// work for `butler whoami`.
// Skipped when node or the npm package is missing (npm ci --prefix tests/peers/oidc).

#include "OidcPeer.h"
#include "RefusedPort.h"
#include "ServerFixture.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <memory>

using namespace butler;

namespace {

const QString Api = QStringLiteral("http://127.0.0.1:8080/api");
const QString ClientId = QStringLiteral("butler-cli");

QString butlerBin()
{
    return QStringLiteral(BUTLER_BIN_DIR "/butler");
}

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

struct Page
{
    int status = 0;
    QUrl url;
    QUrl location;
    QByteArray body;
    QString error;
};

// What the person at the browser does on the provider's pages.
enum class Action
{
    Approve,     // sign in as the user and allow access
    Deny,        // cancel on the login page, or abort on the device confirmation page
    TamperState, // approve, but a forged link changed the state on the way in
};

// A browser reduced to what the provider's pages need: cookies, forms, one redirect at a time.
// Blocking, with a local event loop: the command under test is another process.
class Browser
{
public:
    Browser(QString issuer, QString user)
        : m_issuer(std::move(issuer))
        , m_user(std::move(user))
    {
        m_network.setCookieJar(new QNetworkCookieJar(&m_network));
    }

    // Authorization code flow: from the authorization URL to the command's loopback listener.
    // Returns why the browser could not play its part; empty when it did.
    QString authorize(QUrl authorizeUrl, Action action)
    {
        if (action == Action::TamperState) {
            QUrlQuery query(authorizeUrl);
            query.removeQueryItem(QStringLiteral("state"));
            query.addQueryItem(QStringLiteral("state"), QStringLiteral("forged-state"));
            authorizeUrl.setQuery(query);
        }
        Page page = follow(request(authorizeUrl));
        if (!page.body.contains("name=\"login\""))
            return describe(QStringLiteral("no login page"), page);
        if (action == Action::Deny) {
            const QRegularExpressionMatch cancel =
                QRegularExpression(QStringLiteral("<a href=\"([^\"]+)\">\\[ Cancel \\]</a>"))
                    .match(QString::fromUtf8(page.body));
            if (!cancel.hasMatch())
                return QStringLiteral("no cancel link on the login page");
            page = follow(request(page.url.resolved(QUrl(htmlUnescape(cancel.captured(1))))));
        } else {
            page = signInAndConsent(page);
        }
        if (page.location.isEmpty() || page.location.host() != QLatin1String("127.0.0.1") ||
            page.location.path() != QLatin1String("/callback"))
            return describe(QStringLiteral("the provider did not send the browser back"), page);
        m_callback = page.location;
        // The last hop: the browser takes the answer to the command's loopback listener.
        const Page last = request(m_callback);
        if (!last.error.isEmpty() || last.status != 200)
            return describe(QStringLiteral("the loopback listener did not answer"), last);
        return {};
    }

    // Device flow: open the verification address (with the code in it), confirm, sign in.
    QString enterCode(const QUrl& verificationUri, const QString& userCode, Action action)
    {
        QUrl url = verificationUri;
        url.setQuery(QStringLiteral("user_code=") + userCode);
        Page page = follow(request(url));
        // The page posts the code by script; a browser without scripts presses the button.
        if (page.status == 200 && page.body.contains("name=\"user_code\"") &&
            !page.body.contains("name=\"confirm\""))
            page = follow(submit(page, {}));
        if (!page.body.contains("name=\"confirm\""))
            return describe(QStringLiteral("no confirmation page"), page);
        if (action == Action::Deny) {
            page = follow(submit(page, {{QStringLiteral("abort"), QStringLiteral("yes")}},
                                 {QStringLiteral("confirm")}));
            return page.status == 200 ? QString() : describe(QStringLiteral("the abort failed"), page);
        }
        page = signInAndConsent(follow(submit(page, {})));
        if (page.status != 200 || !page.body.contains("Sign-in Success"))
            return describe(QStringLiteral("no success page"), page);
        return {};
    }

    QUrl callback() const { return m_callback; }

private:
    static QString describe(const QString& what, const Page& page)
    {
        return QStringLiteral("%1: %2 %3 %4")
            .arg(what, page.error)
            .arg(page.status)
            .arg(QString::fromUtf8(page.body.left(400)));
    }

    Page signInAndConsent(Page page)
    {
        if (page.status == 200 && page.body.contains("name=\"login\""))
            page = follow(submit(page, {{QStringLiteral("login"), m_user},
                                        {QStringLiteral("password"), QStringLiteral("any")}}));
        if (page.status == 200 && page.body.contains("name=\"prompt\" value=\"consent\""))
            page = follow(submit(page, {}));
        return page;
    }

    Page request(const QUrl& url, const std::optional<QByteArray>& form = std::nullopt)
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
        QEventLoop loop;
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Page page;
        page.url = url;
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid()) {
            page.error = reply->errorString();
            return page;
        }
        page.status = status.toInt();
        page.body = reply->readAll();
        const QByteArray location = reply->rawHeader("Location");
        if (!location.isEmpty())
            page.location = url.resolved(QUrl::fromEncoded(location));
        return page;
    }

    // Follows redirects within the provider; stops before one that leaves it (to the command).
    Page follow(Page page)
    {
        for (int hops = 0; hops < 10 && page.error.isEmpty() && page.status >= 300 && page.status < 400;
             ++hops) {
            if (!page.location.toString().startsWith(m_issuer + QLatin1Char('/')))
                return page;
            page = request(page.location);
        }
        return page;
    }

    // Submits the page's first form: its hidden fields, with fields added or replaced, minus drop.
    Page submit(const Page& page, const QList<QPair<QString, QString>>& fields, const QStringList& drop = {})
    {
        const QString html = QString::fromUtf8(page.body);
        const QRegularExpressionMatch form =
            QRegularExpression(QStringLiteral("<form[^>]*>(.*?)</form>"),
                               QRegularExpression::DotMatchesEverythingOption)
                .match(html);
        const QRegularExpressionMatch action =
            QRegularExpression(QStringLiteral("action=\"([^\"]+)\"")).match(form.captured(0));
        if (!form.hasMatch() || !action.hasMatch()) {
            Page failed;
            failed.error = QStringLiteral("no form on %1").arg(page.url.toString());
            return failed;
        }
        QList<QPair<QString, QString>> values;
        QRegularExpressionMatchIterator hidden =
            QRegularExpression(QStringLiteral("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\""))
                .globalMatch(form.captured(1));
        while (hidden.hasNext()) {
            const QRegularExpressionMatch input = hidden.next();
            if (!drop.contains(input.captured(1)))
                values.append({input.captured(1), htmlUnescape(input.captured(2))});
        }
        for (const auto& field : fields) {
            values.removeIf([&](const auto& value) { return value.first == field.first; });
            values.append(field);
        }
        QByteArray body;
        for (const auto& [name, value] : values)
            body += (body.isEmpty() ? "" : "&") + QUrl::toPercentEncoding(name) + '=' +
                    QUrl::toPercentEncoding(value);
        return request(page.url.resolved(QUrl(htmlUnescape(action.captured(1)))), body);
    }

    QString m_issuer;
    QString m_user;
    QUrl m_callback;
    QNetworkAccessManager m_network;
};

// One run of the real `butler` executable that the test can watch while it waits.
struct Cli
{
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QString out;
    QString err;

    void read()
    {
        out += QString::fromUtf8(process->readAllStandardOutput());
        err += QString::fromUtf8(process->readAllStandardError());
    }
    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(process->exitCode()).arg(out, err);
    }
};

} // namespace

class TestCliLogin : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void browserFlowStoresTokenForWhoami();
    void secondLoginRemembersProvider();
    void expiredTokenIsRefreshed();
    void unusableRefreshTokenAsksToLogIn();
    void deviceFlow();
    void deniedStoresNothing();
    void deviceDeniedStoresNothing();
    void stateMismatchStoresNothing();
    void timeoutStoresNothing();
    void providerUnreachable();
    void advertisedProviderNeedsNoIssuer();
    void noProviderKnown();
    void badTimeoutIsUsageError();

private:
    Cli start(const QStringList& args);
    void finish(Cli& cli, int timeoutMs = 60000);
    Cli run(const QStringList& args);
    // Waits until the command printed the authorization address; empty on failure.
    QUrl authorizationUrl(Cli& cli);
    QString storePath() const { return m_config.filePath(QStringLiteral("butler/tokens.json")); }
    // The store's entry for a server; m_server's by default.
    QJsonObject storedEntry(const QString& server = {}) const;
    void writeEntry(const QJsonObject& entry);

    QString m_issuer;
    OidcPeer m_provider;
    ServerFixture m_server;
    std::unique_ptr<QTemporaryDir> m_configDir;
    QDir m_config;
};

void TestCliLogin::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    BUTLER_REQUIRE_OIDC_PEER();

    const QString failed = m_provider.start(Api);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_issuer = m_provider.issuer();

    // The server trusts the provider's JWTs for its API audience, besides its static tokens. It
    // does not advertise the provider, so that --issuer and the remembered provider are what
    // counts (advertisedProviderNeedsNoIssuer starts a server that does).
    QVERIFY2(m_server.prepare({}, QStringLiteral("  jwt: {issuer: %1, audience: %2, jwks_url: %1/jwks}\n"
                                                 "  login: {advertise: false}\n")
                                      .arg(m_issuer, Api)),
             qPrintable(m_server.lastError()));
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
}

void TestCliLogin::cleanupTestCase()
{
    m_server.stop();
    m_provider.stop();
}

void TestCliLogin::init()
{
    // Each test function starts with its own, empty token store, unless it says otherwise.
    const QString test = QString::fromLatin1(QTest::currentTestFunction());
    if (test == QLatin1String("secondLoginRemembersProvider") ||
        test == QLatin1String("expiredTokenIsRefreshed") ||
        test == QLatin1String("unusableRefreshTokenAsksToLogIn"))
        return;
    m_configDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_configDir->isValid());
    m_config = QDir(m_configDir->path());
}

Cli TestCliLogin::start(const QStringList& args)
{
    Cli cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_config.path());
    // Never the user's token, display or browser.
    env.remove(QStringLiteral("BUTLER_ACCESS_TOKEN"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    cli.process->setProcessEnvironment(env);
    cli.process->start(butlerBin(), args);
    if (!cli.process->waitForStarted(10000))
        qWarning("butler did not start: %s", qPrintable(cli.process->errorString()));
    return cli;
}

void TestCliLogin::finish(Cli& cli, int timeoutMs)
{
    // With the event loop running: a server in this process may have to answer the command.
    QTRY_VERIFY_WITH_TIMEOUT(cli.process->state() == QProcess::NotRunning, timeoutMs);
    cli.read();
    QVERIFY2(cli.process->exitStatus() == QProcess::NormalExit, qPrintable(cli.describe()));
}

Cli TestCliLogin::run(const QStringList& args)
{
    Cli cli = start(args);
    finish(cli);
    return cli;
}

QUrl TestCliLogin::authorizationUrl(Cli& cli)
{
    static const QRegularExpression address(QStringLiteral("^  (http\\S+)$"),
                                            QRegularExpression::MultilineOption);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000 && cli.process->state() == QProcess::Running) {
        QTest::qWait(50);
        cli.read();
        const QRegularExpressionMatch match = address.match(cli.err);
        if (match.hasMatch())
            return QUrl(match.captured(1), QUrl::StrictMode);
    }
    cli.read();
    return {};
}

QJsonObject TestCliLogin::storedEntry(const QString& server) const
{
    QFile file(storePath());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
        .object()
        .value(server.isEmpty() ? m_server.baseUrl() : server)
        .toObject();
}

void TestCliLogin::writeEntry(const QJsonObject& entry)
{
    QFile file(storePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject store = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    store.insert(m_server.baseUrl(), entry);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(store).toJson());
}

void TestCliLogin::browserFlowStoresTokenForWhoami()
{
    Cli cli =
        start({"login", m_server.repoUrl(), "--issuer", m_issuer, "--client-id", ClientId, "--no-browser"});
    const QUrl url = authorizationUrl(cli);
    QVERIFY2(url.isValid(), qPrintable(cli.describe()));

    // The authorization request: PKCE S256, a loopback redirect, a refresh token asked for.
    const QUrlQuery query(url);
    QVERIFY(url.toString().startsWith(m_issuer + QStringLiteral("/auth?")));
    QCOMPARE(query.queryItemValue("client_id"), ClientId);
    QCOMPARE(query.queryItemValue("code_challenge_method"), QStringLiteral("S256"));
    QCOMPARE(query.queryItemValue("code_challenge").size(), 43);
    QVERIFY(query.queryItemValue("scope", QUrl::FullyDecoded).split(' ').contains("offline_access"));
    QCOMPARE(query.queryItemValue("prompt"), QStringLiteral("consent"));
    const QUrl redirect(query.queryItemValue("redirect_uri", QUrl::FullyDecoded));
    QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(redirect.path(), QStringLiteral("/callback"));
    QVERIFY(redirect.port() > 0);
    // The user is told where the answer is awaited, and how to get by without a browser here.
    QVERIFY2(cli.err.contains(redirect.toString()), qPrintable(cli.err));
    QVERIFY2(cli.err.contains("--device"), qPrintable(cli.err));
    QVERIFY(!QFile::exists(storePath()));

    Browser browser(m_issuer, QStringLiteral("alice"));
    const QString failure = browser.authorize(url, Action::Approve);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(browser.callback().port(), redirect.port());
    finish(cli);
    QVERIFY2(cli.process->exitCode() == 0, qPrintable(cli.describe()));
    QVERIFY2(cli.out.startsWith("Logged in to " + m_server.baseUrl() + " as alice"), qPrintable(cli.out));
    QVERIFY2(cli.out.contains(QRegularExpression("groups:\\s+astro, data-rights")), qPrintable(cli.out));
    QVERIFY2(!cli.err.contains("error:"), qPrintable(cli.err));

    // Stored where every command looks, private, with what a refresh needs.
    QCOMPARE(QFile::permissions(storePath()) & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    const QJsonObject entry = storedEntry();
    const QJsonObject claims = jwtClaims(entry.value("access_token").toString());
    QCOMPARE(claims.value("sub").toString(), QStringLiteral("alice"));
    QCOMPARE(claims.value("aud").toString(), Api);
    QCOMPARE(entry.value("expires_at").toInteger(), claims.value("exp").toInteger());
    QVERIFY(!entry.value("refresh_token").toString().isEmpty());
    QCOMPARE(entry.value("issuer").toString(), m_issuer);
    QCOMPARE(entry.value("client_id").toString(), ClientId);

    // The listener is gone once the command is.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(redirect.port()));
    QVERIFY(!socket.waitForConnected(3000));

    const Cli whoami = run({"whoami", m_server.repoUrl()});
    QVERIFY2(whoami.process->exitCode() == 0, qPrintable(whoami.describe()));
    QVERIFY2(whoami.out.contains(QRegularExpression("^user:\\s+alice$", QRegularExpression::MultilineOption)),
             qPrintable(whoami.out));
    QVERIFY2(whoami.out.contains(QRegularExpression("data rights:\\s+yes")), qPrintable(whoami.out));
    // Not expired: used as it is.
    QCOMPARE(storedEntry().value("access_token"), entry.value("access_token"));
}

void TestCliLogin::secondLoginRemembersProvider()
{
    // No --issuer: the server names none, so the last login's provider and client are used.
    Cli cli = start({"login", m_server.repoUrl(), "--no-browser"});
    const QUrl url = authorizationUrl(cli);
    QVERIFY2(url.isValid(), qPrintable(cli.describe()));
    QVERIFY(url.toString().startsWith(m_issuer + QStringLiteral("/auth?")));
    QCOMPARE(QUrlQuery(url).queryItemValue("client_id"), ClientId);
    Browser browser(m_issuer, QStringLiteral("bob"));
    const QString failure = browser.authorize(url, Action::Approve);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    finish(cli);
    QVERIFY2(cli.process->exitCode() == 0, qPrintable(cli.describe()));
    QVERIFY2(cli.out.contains(" as bob"), qPrintable(cli.out));

    const Cli whoami = run({"whoami", m_server.repoUrl()});
    QVERIFY2(whoami.process->exitCode() == 0, qPrintable(whoami.describe()));
    QVERIFY2(whoami.out.contains(QRegularExpression("^user:\\s+bob$", QRegularExpression::MultilineOption)),
             qPrintable(whoami.out));
}

void TestCliLogin::expiredTokenIsRefreshed()
{
    QJsonObject entry = storedEntry();
    QVERIFY2(!entry.value("refresh_token").toString().isEmpty(), "needs the login of the previous test");
    const QString oldToken = entry.value("access_token").toString();
    entry.insert("expires_at", QDateTime::currentSecsSinceEpoch() - 10);
    writeEntry(entry);

    const Cli whoami = run({"whoami", m_server.repoUrl()});
    QVERIFY2(whoami.process->exitCode() == 0, qPrintable(whoami.describe()));
    QVERIFY2(whoami.out.contains(QRegularExpression("^user:\\s+bob$", QRegularExpression::MultilineOption)),
             qPrintable(whoami.out));
    const QJsonObject refreshed = storedEntry();
    QVERIFY(refreshed.value("access_token").toString() != oldToken);
    QCOMPARE(jwtClaims(refreshed.value("access_token").toString()).value("sub").toString(),
             QStringLiteral("bob"));
    QVERIFY(refreshed.value("expires_at").toInteger() > QDateTime::currentSecsSinceEpoch() + 600);
    QVERIFY(!refreshed.value("refresh_token").toString().isEmpty());
    QCOMPARE(refreshed.value("issuer").toString(), m_issuer);
}

void TestCliLogin::unusableRefreshTokenAsksToLogIn()
{
    QJsonObject entry = storedEntry();
    QVERIFY(!entry.isEmpty());
    entry.insert("expires_at", QDateTime::currentSecsSinceEpoch() - 10);
    entry.insert("refresh_token", "not-a-refresh-token");
    writeEntry(entry);
    const Cli whoami = run({"whoami", m_server.repoUrl()});
    QCOMPARE(whoami.process->exitCode(), 1);
    QVERIFY2(whoami.err.startsWith("error: ") && whoami.err.count('\n') == 1, qPrintable(whoami.err));
    QVERIFY2(whoami.err.contains("expired") && whoami.err.contains("butler login"), qPrintable(whoami.err));
    QCOMPARE(storedEntry(), entry); // left as it was
}

void TestCliLogin::deviceFlow()
{
    Cli cli = start({"login", m_server.repoUrl(), "--issuer", m_issuer, "--device"});
    static const QRegularExpression prompt(
        QStringLiteral("open (http\\S+) in a web browser on any device and enter "
                       "the code (\\S+)\\n"));
    QRegularExpressionMatch match;
    QTRY_VERIFY_WITH_TIMEOUT((cli.read(), match = prompt.match(cli.err)).hasMatch() ||
                                 cli.process->state() == QProcess::NotRunning,
                             30000);
    QVERIFY2(match.hasMatch(), qPrintable(cli.describe()));
    const QUrl verification(match.captured(1));
    QCOMPARE(verification.toString(), m_issuer + QStringLiteral("/device"));
    // The address with the code in it, for a phone's camera or a click.
    QVERIFY2(cli.err.contains("  " + m_issuer + "/device?user_code="), qPrintable(cli.err));

    Browser browser(m_issuer, QStringLiteral("carol"));
    const QString failure = browser.enterCode(verification, match.captured(2), Action::Approve);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    finish(cli);
    QVERIFY2(cli.process->exitCode() == 0, qPrintable(cli.describe()));
    QVERIFY2(cli.out.contains(" as carol"), qPrintable(cli.out));
    const QJsonObject entry = storedEntry();
    QCOMPARE(jwtClaims(entry.value("access_token").toString()).value("sub").toString(),
             QStringLiteral("carol"));
    QCOMPARE(entry.value("client_id").toString(), ClientId); // the default client

    const Cli whoami = run({"whoami", m_server.repoUrl()});
    QVERIFY2(whoami.process->exitCode() == 0, qPrintable(whoami.describe()));
    QVERIFY2(whoami.out.contains(QRegularExpression("^user:\\s+carol$", QRegularExpression::MultilineOption)),
             qPrintable(whoami.out));
}

void TestCliLogin::deniedStoresNothing()
{
    Cli cli = start({"login", m_server.repoUrl(), "--issuer", m_issuer, "--no-browser"});
    const QUrl url = authorizationUrl(cli);
    QVERIFY2(url.isValid(), qPrintable(cli.describe()));
    Browser browser(m_issuer, QStringLiteral("alice"));
    const QString failure = browser.authorize(url, Action::Deny);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(QUrlQuery(browser.callback()).queryItemValue("error"), QStringLiteral("access_denied"));
    finish(cli);
    QCOMPARE(cli.process->exitCode(), 1);
    const QStringList errors = cli.err.split('\n').filter(QRegularExpression("^error: "));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().contains("denied"), qPrintable(cli.err));
    QVERIFY(cli.err.endsWith(errors.first() + '\n'));
    QVERIFY(cli.out.isEmpty());
    QVERIFY(!QFile::exists(storePath()));
}

void TestCliLogin::deviceDeniedStoresNothing()
{
    Cli cli = start({"login", m_server.repoUrl(), "--issuer", m_issuer, "--device"});
    static const QRegularExpression prompt(
        QStringLiteral("open (http\\S+) in a web browser on any device and enter "
                       "the code (\\S+)\\n"));
    QRegularExpressionMatch match;
    QTRY_VERIFY_WITH_TIMEOUT((cli.read(), match = prompt.match(cli.err)).hasMatch() ||
                                 cli.process->state() == QProcess::NotRunning,
                             30000);
    QVERIFY2(match.hasMatch(), qPrintable(cli.describe()));
    Browser browser(m_issuer, QStringLiteral("alice"));
    const QString failure = browser.enterCode(QUrl(match.captured(1)), match.captured(2), Action::Deny);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    finish(cli);
    QCOMPARE(cli.process->exitCode(), 1);
    QVERIFY2(cli.err.contains(QRegularExpression("^error: .*denied", QRegularExpression::MultilineOption)),
             qPrintable(cli.err));
    QVERIFY(!QFile::exists(storePath()));
}

void TestCliLogin::stateMismatchStoresNothing()
{
    Cli cli = start({"login", m_server.repoUrl(), "--issuer", m_issuer, "--no-browser"});
    const QUrl url = authorizationUrl(cli);
    QVERIFY2(url.isValid(), qPrintable(cli.describe()));
    Browser browser(m_issuer, QStringLiteral("alice"));
    const QString failure = browser.authorize(url, Action::TamperState);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    // The provider issued a code, for the forged state; the command must not redeem it.
    QVERIFY(!QUrlQuery(browser.callback()).queryItemValue("code").isEmpty());
    finish(cli);
    QCOMPARE(cli.process->exitCode(), 1);
    QVERIFY2(
        cli.err.contains(QRegularExpression("^error: .*state mismatch", QRegularExpression::MultilineOption)),
        qPrintable(cli.err));
    QVERIFY(!QFile::exists(storePath()));
}

void TestCliLogin::timeoutStoresNothing()
{
    Cli cli = start({"login", m_server.repoUrl(), "--issuer", m_issuer, "--no-browser", "--timeout", "2"});
    const QUrl url = authorizationUrl(cli);
    QVERIFY2(url.isValid(), qPrintable(cli.describe()));
    QVERIFY2(cli.err.contains("Waiting up to 2 s"), qPrintable(cli.err));
    // Nobody is at the browser.
    finish(cli, 30000);
    QCOMPARE(cli.process->exitCode(), 1);
    QVERIFY2(cli.err.contains(QRegularExpression("^error: .*timed out", QRegularExpression::MultilineOption)),
             qPrintable(cli.err));
    QVERIFY(!QFile::exists(storePath()));
    // A late answer finds nobody.
    const QUrl redirect(QUrlQuery(url).queryItemValue("redirect_uri", QUrl::FullyDecoded));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(redirect.port()));
    QVERIFY(!socket.waitForConnected(3000));
}

void TestCliLogin::providerUnreachable()
{
    const RefusedPort refused;
    const QString nobody = QStringLiteral("http://127.0.0.1:%1").arg(refused.port());
    const Cli cli = run({"login", m_server.repoUrl(), "--issuer", nobody, "--no-browser"});
    QCOMPARE(cli.process->exitCode(), 1);
    QVERIFY2(cli.err.startsWith("error: ") && cli.err.count('\n') == 1, qPrintable(cli.err));
    QVERIFY2(cli.err.contains(nobody) && cli.err.contains("did not answer"), qPrintable(cli.err));
    QVERIFY(!QFile::exists(storePath()));
}

void TestCliLogin::advertisedProviderNeedsNoIssuer()
{
    // A server that names its provider (RFC 9728): auth.jwt.issuer by default, with the scopes
    // its tokens need. The first `butler login` needs neither --issuer nor --client-id.
    ServerFixture advertising;
    QVERIFY2(advertising.prepare({}, QStringLiteral("  jwt: {issuer: %1, audience: %2, jwks_url: %1/jwks}\n"
                                                    "  login: {scopes: [butler:read]}\n")
                                         .arg(m_issuer, Api)),
             qPrintable(advertising.lastError()));
    QVERIFY2(advertising.start(), qPrintable(advertising.lastError()));

    Cli cli = start({"login", advertising.repoUrl(), "--no-browser"});
    const QUrl url = authorizationUrl(cli);
    QVERIFY2(url.isValid(), qPrintable(cli.describe()));
    QVERIFY2(url.toString().startsWith(m_issuer + QStringLiteral("/auth?")), qPrintable(url.toString()));
    const QUrlQuery query(url);
    QCOMPARE(query.queryItemValue("client_id"), ClientId); // butler-cli, the default butler_client_id
    const QStringList scopes = query.queryItemValue("scope", QUrl::FullyDecoded).split(' ');
    QVERIFY2(scopes.contains("butler:read") && scopes.contains("openid") && scopes.contains("offline_access"),
             qPrintable(scopes.join(' ')));
    Browser browser(m_issuer, QStringLiteral("erin"));
    const QString failure = browser.authorize(url, Action::Approve);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    finish(cli);
    QVERIFY2(cli.process->exitCode() == 0, qPrintable(cli.describe()));
    QVERIFY2(cli.out.startsWith("Logged in to " + advertising.baseUrl() + " as erin"), qPrintable(cli.out));

    const QJsonObject entry = storedEntry(advertising.baseUrl());
    QCOMPARE(entry.value("issuer").toString(), m_issuer);
    QCOMPARE(entry.value("client_id").toString(), ClientId);
    QVERIFY(entry.value("scope").toString().split(' ').contains("butler:read"));
    const Cli whoami = run({"whoami", advertising.repoUrl()});
    QVERIFY2(whoami.process->exitCode() == 0, qPrintable(whoami.describe()));
    QVERIFY2(whoami.out.contains(QRegularExpression("^user:\\s+erin$", QRegularExpression::MultilineOption)),
             qPrintable(whoami.out));
    advertising.stop();
}

void TestCliLogin::noProviderKnown()
{
    // butler-server names no provider and nothing is remembered: the user learns what to pass.
    const Cli cli = run({"login", m_server.repoUrl(), "--no-browser"});
    QCOMPARE(cli.process->exitCode(), 1);
    QVERIFY2(cli.err.startsWith("error: ") && cli.err.count('\n') == 1, qPrintable(cli.err));
    QVERIFY2(cli.err.contains("--issuer") && cli.err.contains("--token-file"), qPrintable(cli.err));
    QVERIFY(!QFile::exists(storePath()));
}

void TestCliLogin::badTimeoutIsUsageError()
{
    const Cli cli = run({"login", m_server.repoUrl(), "--issuer", m_issuer, "--timeout", "0"});
    QCOMPARE(cli.process->exitCode(), 2);
    QVERIFY2(cli.err.startsWith("error: --timeout"), qPrintable(cli.err));
    const Cli notUrl = run({"login", m_server.repoUrl(), "--issuer", "idp.example.org"});
    QCOMPARE(notUrl.process->exitCode(), 2);
    QVERIFY2(notUrl.err.contains("--issuer"), qPrintable(notUrl.err));
    QVERIFY(!QFile::exists(storePath()));
}

QTEST_GUILESS_MAIN(TestCliLogin)
#include "tst_clilogin.moc"
