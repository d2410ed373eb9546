#pragma once

#include "Result.h"

#include <QCoroTask>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

namespace butler {

// What a successful sign-in gives. The access token is what the Butler server wants.
struct OidcTokens
{
    QString accessToken;
    QDateTime expiresAt; // UTC; invalid when the provider did not say
    QString tokenType;
    QString refreshToken; // empty unless "offline_access" was asked for and granted
    QString idToken;
    QString scope; // granted scope, when the provider named it
};

// Where to sign in for a Butler server, and as which client.
struct OidcClientSettings
{
    QUrl issuer;
    QString clientId;
    QString scope; // empty: the caller's default
};

// Signs a person in at an OpenID Connect provider, without widgets (the browser and the
// command line share it). The provider's endpoints come from
// <issuer>/.well-known/openid-configuration.
//
// loginAsync: the authorization code flow with PKCE (S256), as RFC 8252 asks of native apps: a
// QOAuthHttpServerReplyHandler listens on 127.0.0.1 at a free port for the redirect
// (http://127.0.0.1:PORT/callback), and a browser shows the provider's pages.
// QOAuth2AuthorizationCodeFlow does the protocol; Qt 6.4 has no PKCE of its own, so
// code_challenge and code_verifier are added through its modify-parameters hook. The answer's
// state (and iss, when sent) are checked here, since Qt 6.4 drops a mismatching callback
// without a word. A scope with offline_access also asks for consent (prompt=consent), which
// OpenID Connect requires before a provider issues a refresh token.
//
// deviceLoginAsync: the device authorization grant (RFC 8628) for machines without a browser:
// userCodeIssued() says where to enter which code, then the token endpoint is polled.
//
// One sign-in at a time. Every failure is a Result error: provider unreachable or misconfigured
// (Unavailable / InvalidInput), sign-in denied, state or issuer mismatch, code refused or
// expired (Unauthenticated), no answer within the timeout (Unavailable), cancel() (Unavailable).
// Destroying the object during a sign-in abandons it: the task never completes, so cancel
// first. The object must outlive refreshAsync() tasks too.
class OidcLogin : public QObject
{
    Q_OBJECT

public:
    // Shows the provider's authorization page; false when no browser could be started.
    using OpenBrowserFunction = std::function<bool(const QUrl&)>;

    explicit OidcLogin(QObject* parent = nullptr);
    ~OidcLogin() override;

    // openSystemBrowser by default; the desktop app hands in QDesktopServices, tests play the
    // browser themselves.
    void setOpenBrowserFunction(OpenBrowserFunction openBrowser);
    // "openid profile" by default; the provider may need more (offline_access, API scopes).
    void setScope(const QString& scope) { m_scope = scope; }
    QString scope() const { return m_scope; }

    bool isActive() const { return m_attempt != nullptr; }

    QCoro::Task<Result<OidcTokens>> loginAsync(QUrl issuer, QString clientId,
                                               std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // InvalidInput when the provider's configuration names no device_authorization_endpoint.
    QCoro::Task<Result<OidcTokens>>
    deviceLoginAsync(QUrl issuer, QString clientId,
                     std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // Ends a pending sign-in with an error; nothing happens when none is pending.
    void cancel();

    // A new access token for a refresh token (RFC 6749 §6), independent of any sign-in. When the
    // provider does not rotate the refresh token, the given one is kept in the answer.
    QCoro::Task<Result<OidcTokens>>
    refreshAsync(QUrl issuer, QString clientId, QString refreshToken,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // The provider a Butler server names in its protected resource metadata (RFC 9728) at
    // <scheme://host:port>/.well-known/oauth-protected-resource[/prefix]: the first of its
    // authorization_servers, the Butler extension butler_client_id (the public client the
    // command line and the desktop app sign in as) and scopes_supported. NotFound when the server
    // answers anything but 200; Unavailable when it does not answer.
    static QCoro::Task<Result<OidcClientSettings>>
    advertisedProviderAsync(QString serverBase, std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // Starts the desktop's browser (xdg-open; open on macOS) when there is a display; false
    // when there is none or it could not be started. Needs no QtGui.
    static bool openSystemBrowser(const QUrl& url);

Q_SIGNALS:
    // The authorization page was handed to the browser; opened is false when that failed, so a
    // dialog can show the address for the user to open.
    void browserRequested(const QUrl& url, bool opened);
    // Device flow: the user opens verificationUri on any device and enters userCode there;
    // verificationUriComplete, when the provider gives one, has the code in it already.
    void userCodeIssued(const QUrl& verificationUri, const QString& userCode,
                        const QUrl& verificationUriComplete, const QDateTime& expiresAt);
    // The pending sign-in has its outcome (internal: the login tasks wait for it).
    void attemptFinished();

private:
    struct Attempt;
    struct FormAnswer;

    Status beginAttempt(QUrl& issuer, QString& clientId, std::chrono::milliseconds timeout);
    QCoro::Task<Result<OidcTokens>> awaitOutcome();
    void startFlow(const QUrl& authorizationEndpoint, const QUrl& tokenEndpoint, const QString& clientId);
    void requestDeviceCode(const QUrl& deviceEndpoint, const QUrl& tokenEndpoint, const QString& clientId);
    void handleDeviceAuthorization(const FormAnswer& answer);
    void pollDeviceToken();
    void handleDeviceToken(const FormAnswer& answer);
    void postForm(const QUrl& url, const QList<QPair<QString, QString>>& fields,
                  std::function<void(const FormAnswer&)> done);
    void finish(Result<OidcTokens> result);
    void teardown();
    void handleCallback(const QVariantMap& values);
    void handleGranted();

    OpenBrowserFunction m_openBrowser;
    QString m_scope = QStringLiteral("openid profile");
    std::unique_ptr<Attempt> m_attempt;
};

} // namespace butler
