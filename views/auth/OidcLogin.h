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

// Signs a person in at an OpenID Connect provider with the authorization code flow and PKCE
// (S256), as RFC 8252 asks of native apps: the provider's endpoints come from
// <issuer>/.well-known/openid-configuration, a QOAuthHttpServerReplyHandler listens on
// 127.0.0.1 at a free port for the redirect (http://127.0.0.1:PORT/callback), and the system
// browser shows the provider's pages. QOAuth2AuthorizationCodeFlow does the protocol; Qt 6.4
// has no PKCE of its own, so code_challenge and code_verifier are added through its
// modify-parameters hook. The answer's state (and iss, when sent) are checked here, since
// Qt 6.4 drops a mismatching callback without a word.
//
// One sign-in at a time. Every failure is a Result error: provider unreachable or misconfigured
// (Unavailable / InvalidInput), sign-in denied, state or issuer mismatch, code refused
// (Unauthenticated), no answer within the timeout (Unavailable), cancel() (Unavailable).
// Destroying the object during a sign-in abandons it: the task never completes, so cancel first.
class OidcLogin : public QObject
{
    Q_OBJECT

public:
    // Shows the provider's authorization page; false when no browser could be started.
    using OpenBrowserFunction = std::function<bool(const QUrl&)>;

    explicit OidcLogin(QObject* parent = nullptr);
    ~OidcLogin() override;

    // QDesktopServices::openUrl by default; tests play the browser themselves.
    void setOpenBrowserFunction(OpenBrowserFunction openBrowser);
    // "openid profile" by default; the provider may need more (offline_access, API scopes).
    void setScope(const QString& scope) { m_scope = scope; }
    QString scope() const { return m_scope; }

    bool isActive() const { return m_attempt != nullptr; }

    QCoro::Task<Result<OidcTokens>> loginAsync(QUrl issuer, QString clientId,
                                               std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // Ends a pending sign-in with an error; nothing happens when none is pending.
    void cancel();

Q_SIGNALS:
    // The authorization page was handed to the browser; opened is false when that failed, so a
    // dialog can show the address for the user to open.
    void browserRequested(const QUrl& url, bool opened);
    // The pending sign-in has its outcome (internal: loginAsync waits for it).
    void attemptFinished();

private:
    struct Attempt;

    void startFlow(const QUrl& authorizationEndpoint, const QUrl& tokenEndpoint, const QString& clientId);
    void finish(Result<OidcTokens> result);
    void teardown();
    void handleCallback(const QVariantMap& values);
    void handleGranted();

    OpenBrowserFunction m_openBrowser;
    QString m_scope = QStringLiteral("openid profile");
    std::unique_ptr<Attempt> m_attempt;
};

} // namespace butler
