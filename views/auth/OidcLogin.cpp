#include "OidcLogin.h"

#include <QCryptographicHash>
#include <QDesktopServices>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QOAuth2AuthorizationCodeFlow>
#include <QOAuthHttpServerReplyHandler>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <QCoroNetworkReply>
#include <QCoroSignal>

namespace butler {

Q_LOGGING_CATEGORY(lcViewsOidc, "butler.views.oidc")

namespace {

const QString kCallbackPath = QStringLiteral("callback");
constexpr std::chrono::seconds kHandlerGrace(5);

// Qt 6.4's handler only logs a token endpoint that answers with an error, and the flow then waits
// forever; this one reports the error, and a token answer the flow could not use.
class LoopbackReplyHandler : public QOAuthHttpServerReplyHandler
{
public:
    using QOAuthHttpServerReplyHandler::QOAuthHttpServerReplyHandler;

    std::function<void(const Error&)> onTokenError;
    std::function<void()> afterTokenAnswer;

    void networkReplyFinished(QNetworkReply* reply) override
    {
        if (reply->error() != QNetworkReply::NoError) {
            if (onTokenError)
                onTokenError(tokenError(reply));
            return;
        }
        QOAuthHttpServerReplyHandler::networkReplyFinished(reply);
        if (afterTokenAnswer)
            afterTokenAnswer();
    }

private:
    static Error tokenError(QNetworkReply* reply)
    {
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid())
            return Error(ErrorKind::Unavailable,
                         OidcLogin::tr("the identity provider did not answer the token request: %1")
                             .arg(reply->errorString()));
        // RFC 6749 §5.2: {"error": "invalid_grant", "error_description": "..."}
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        const QString error = body.value(QLatin1String("error")).toString();
        const QString description = body.value(QLatin1String("error_description")).toString();
        if (status.toInt() >= 500 || error.isEmpty())
            return Error(ErrorKind::Unavailable,
                         OidcLogin::tr("the identity provider answered the token request with HTTP status %1")
                             .arg(status.toInt()));
        return Error(
            ErrorKind::Unauthenticated,
            OidcLogin::tr("the identity provider did not issue a token: %1")
                .arg(description.isEmpty() ? error : QStringLiteral("%1 (%2)").arg(description, error)));
    }
};

struct Endpoints
{
    QUrl authorization;
    QUrl token;
};

QString withoutTrailingSlash(QString text)
{
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    return text;
}

bool isHttpUrl(const QUrl& url)
{
    return url.isValid() &&
           (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")) &&
           !url.host().isEmpty();
}

// words 32-bit words from the system's secure generator, base64url without padding.
QByteArray randomUrlSafe(qsizetype words)
{
    QList<quint32> random(words);
    QRandomGenerator::system()->fillRange(random.data(), random.size());
    return QByteArray(reinterpret_cast<const char*>(random.constData()), words * qsizetype(sizeof(quint32)))
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// OpenID Connect Discovery 1.0 §4: the configuration must name the same issuer it was fetched from.
QCoro::Task<Result<Endpoints>> discover(QNetworkAccessManager* network, QUrl issuer,
                                        std::chrono::milliseconds timeout)
{
    QUrl url = issuer;
    url.setPath(withoutTrailingSlash(issuer.path()) + QStringLiteral("/.well-known/openid-configuration"));
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(int(std::min<qint64>(timeout.count(), std::numeric_limits<int>::max())));
    QPointer<QNetworkReply> reply = network->get(request);
    co_await reply.get();
    if (!reply)
        co_return Error(ErrorKind::Unavailable, OidcLogin::tr("the sign-in was cancelled"));
    reply->deleteLater();
    const QString issuerText = issuer.toDisplayString();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        co_return Error(ErrorKind::Unavailable, OidcLogin::tr("the identity provider %1 did not answer: %2")
                                                    .arg(issuerText, reply->errorString()));
    if (status.toInt() != 200)
        co_return Error(ErrorKind::Unavailable,
                        OidcLogin::tr("the identity provider %1 answered HTTP status %2 for %3; check the "
                                      "issuer address")
                            .arg(issuerText)
                            .arg(status.toInt())
                            .arg(url.toDisplayString()));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        co_return invalidInput(
            OidcLogin::tr("%1 is not an OpenID Connect configuration").arg(url.toDisplayString()));
    const QJsonObject config = document.object();

    const QString named = config.value(QLatin1String("issuer")).toString();
    if (withoutTrailingSlash(named) != withoutTrailingSlash(issuer.toString()))
        co_return invalidInput(
            OidcLogin::tr("the identity provider at %1 calls itself '%2'; use that issuer address")
                .arg(issuerText, named));
    Endpoints endpoints;
    endpoints.authorization = QUrl(config.value(QLatin1String("authorization_endpoint")).toString());
    endpoints.token = QUrl(config.value(QLatin1String("token_endpoint")).toString());
    if (!isHttpUrl(endpoints.authorization) || !isHttpUrl(endpoints.token))
        co_return invalidInput(
            OidcLogin::tr("the identity provider %1 names no authorization or token endpoint")
                .arg(issuerText));
    const QJsonValue methods = config.value(QLatin1String("code_challenge_methods_supported"));
    if (methods.isArray() && !methods.toArray().contains(QStringLiteral("S256")))
        co_return invalidInput(
            OidcLogin::tr("the identity provider %1 does not support PKCE with S256").arg(issuerText));
    co_return endpoints;
}

// Query values as Qt 6.4's handler passes them on (QUrlQuery::PrettyDecoded), fully decoded.
QString callbackValue(const QVariantMap& values, const QString& key)
{
    QByteArray raw = values.value(key).toString().toUtf8();
    raw.replace('+', ' ');
    return QUrl::fromPercentEncoding(raw);
}

} // namespace

struct OidcLogin::Attempt
{
    QUrl issuer;
    QString state;
    QPointer<QNetworkAccessManager> network;
    QPointer<QTimer> timer;
    QPointer<LoopbackReplyHandler> handler;
    QPointer<QOAuth2AuthorizationCodeFlow> flow;
    QVariantMap tokenAnswer;
    std::optional<Result<OidcTokens>> result;
};

OidcLogin::OidcLogin(QObject* parent)
    : QObject(parent)
    , m_openBrowser([](const QUrl& url) { return QDesktopServices::openUrl(url); })
{
}

OidcLogin::~OidcLogin()
{
    teardown();
}

void OidcLogin::setOpenBrowserFunction(OpenBrowserFunction openBrowser)
{
    m_openBrowser = std::move(openBrowser);
}

QCoro::Task<Result<OidcTokens>> OidcLogin::loginAsync(QUrl issuer, QString clientId,
                                                      std::chrono::milliseconds timeout)
{
    if (m_attempt)
        co_return Error(ErrorKind::Conflict, tr("a sign-in is already in progress"));
    issuer = issuer.adjusted(QUrl::StripTrailingSlash);
    if (!isHttpUrl(issuer) || issuer.hasQuery() || issuer.hasFragment())
        co_return invalidInput(
            tr("'%1' is not an identity provider address; use http(s)://HOST[/PATH]").arg(issuer.toString()));
    clientId = clientId.trimmed();
    if (clientId.isEmpty())
        co_return invalidInput(tr("the client ID is empty; ask the server's administrator for it"));

    m_attempt = std::make_unique<Attempt>();
    Attempt* attempt = m_attempt.get();
    attempt->issuer = issuer;
    attempt->network = new QNetworkAccessManager(this);
    auto* timer = new QTimer(this);
    attempt->timer = timer;
    timer->setSingleShot(true);
    const qint64 seconds =
        (std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count() + 999) / 1000;
    connect(timer, &QTimer::timeout, this, [this, seconds] {
        finish(Error(ErrorKind::Unavailable,
                     tr("the sign-in timed out: no answer within %n second(s)", nullptr, int(seconds))));
    });
    timer->start(timeout);
    qCDebug(lcViewsOidc) << "signing in at" << issuer << "as client" << clientId;

    Result<Endpoints> endpoints = co_await discover(attempt->network, issuer, timeout);
    if (!attempt->result) {
        if (endpoints.ok())
            startFlow(endpoints->authorization, endpoints->token, clientId);
        else
            finish(endpoints.error());
    }
    if (!attempt->result)
        co_await qCoro(this, &OidcLogin::attemptFinished);
    Result<OidcTokens> result = std::move(*attempt->result);
    teardown();
    co_return result;
}

void OidcLogin::startFlow(const QUrl& authorizationEndpoint, const QUrl& tokenEndpoint,
                          const QString& clientId)
{
    Attempt* attempt = m_attempt.get();
    auto* handler = new LoopbackReplyHandler(QHostAddress::LocalHost, 0, this);
    attempt->handler = handler;
    if (!handler->isListening()) {
        finish(ioError(tr("cannot listen on 127.0.0.1 for the identity provider's answer")));
        return;
    }
    handler->setCallbackPath(kCallbackPath);
    handler->setCallbackText(
        tr("Butler has the identity provider's answer. You can close this page and go back to Butler."));
    handler->onTokenError = [this](const Error& error) { finish(error); };
    handler->afterTokenAnswer = [this] {
        if (m_attempt && !m_attempt->result)
            finish(Error(ErrorKind::Unauthenticated,
                         tr("the identity provider's token answer holds no usable access token")));
    };
    connect(handler, &QAbstractOAuthReplyHandler::callbackReceived, this, &OidcLogin::handleCallback);
    connect(handler, &QAbstractOAuthReplyHandler::tokensReceived, this, [this](const QVariantMap& tokens) {
        if (m_attempt)
            m_attempt->tokenAnswer = tokens;
    });

    // RFC 7636: the verifier stays here; only its SHA-256 travels through the browser.
    const QByteArray verifier = randomUrlSafe(8); // 256 bits: 43 characters
    const QByteArray challenge =
        QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    attempt->state = QString::fromLatin1(randomUrlSafe(4));

    auto* flow = new QOAuth2AuthorizationCodeFlow(attempt->network, this);
    attempt->flow = flow;
    flow->setClientIdentifier(clientId);
    flow->setAuthorizationUrl(authorizationEndpoint);
    flow->setAccessTokenUrl(tokenEndpoint);
    flow->setScope(m_scope);
    flow->setState(attempt->state);
    flow->setReplyHandler(handler);
    flow->setModifyParametersFunction(
        [verifier, challenge](QAbstractOAuth::Stage stage, QMultiMap<QString, QVariant>* parameters) {
            if (stage == QAbstractOAuth::Stage::RequestingAuthorization) {
                parameters->insert(QStringLiteral("code_challenge"), QString::fromLatin1(challenge));
                parameters->insert(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
            } else if (stage == QAbstractOAuth::Stage::RequestingAccessToken) {
                parameters->insert(QStringLiteral("code_verifier"), QString::fromLatin1(verifier));
            }
        });
    connect(flow, &QAbstractOAuth::authorizeWithBrowser, this, [this](const QUrl& url) {
        const bool opened = m_openBrowser && m_openBrowser(url);
        if (!opened)
            qCWarning(lcViewsOidc) << "could not open a browser for"
                                   << url.toDisplayString(QUrl::RemoveQuery);
        Q_EMIT browserRequested(url, opened);
    });
    connect(flow, &QAbstractOAuth::granted, this, &OidcLogin::handleGranted);
    connect(flow, &QAbstractOAuth2::error, this,
            [this](const QString& error, const QString& description, const QUrl&) {
                finish(
                    Error(ErrorKind::Unauthenticated, tr("the identity provider refused the sign-in: %1")
                                                          .arg(description.isEmpty() ? error : description)));
            });
    connect(flow, &QAbstractOAuth::requestFailed, this, [this](QAbstractOAuth::Error error) {
        finish(Error(ErrorKind::Unauthenticated,
                     tr("the sign-in failed (network authorization error %1)").arg(int(error))));
    });
    flow->grant();
}

void OidcLogin::handleCallback(const QVariantMap& values)
{
    if (!m_attempt || m_attempt->result)
        return;
    // The state ties the answer to this sign-in: another page could send the browser here (CSRF).
    if (callbackValue(values, QStringLiteral("state")) != m_attempt->state) {
        finish(Error(ErrorKind::Unauthenticated,
                     tr("the answer that reached Butler does not belong to this sign-in (state mismatch); "
                        "sign in again")));
        return;
    }
    // RFC 9207: a provider that names itself must be the one asked (mix-up attacks).
    const QString iss = callbackValue(values, QStringLiteral("iss"));
    if (!iss.isEmpty() && withoutTrailingSlash(iss) != withoutTrailingSlash(m_attempt->issuer.toString())) {
        finish(Error(ErrorKind::Unauthenticated,
                     tr("the answer came from %1, not from the identity provider %2; sign in again")
                         .arg(iss, m_attempt->issuer.toDisplayString())));
        return;
    }
    const QString error = callbackValue(values, QStringLiteral("error"));
    if (!error.isEmpty()) {
        const QString description = callbackValue(values, QStringLiteral("error_description"));
        const QString detail =
            description.isEmpty() ? error : QStringLiteral("%1 (%2)").arg(description, error);
        if (error == QLatin1String("access_denied"))
            finish(Error(ErrorKind::Unauthenticated, tr("the sign-in was denied: %1").arg(detail)));
        else
            finish(Error(ErrorKind::Unauthenticated,
                         tr("the identity provider refused the sign-in: %1").arg(detail)));
        return;
    }
    if (callbackValue(values, QStringLiteral("code")).isEmpty())
        finish(Error(ErrorKind::Unauthenticated, tr("the identity provider sent no authorization code")));
    // Otherwise the flow exchanges the code for tokens.
}

void OidcLogin::handleGranted()
{
    if (!m_attempt || m_attempt->result || !m_attempt->flow)
        return;
    QOAuth2AuthorizationCodeFlow* flow = m_attempt->flow;
    const QVariantMap& answer = m_attempt->tokenAnswer;
    OidcTokens tokens;
    tokens.accessToken = flow->token();
    tokens.expiresAt = flow->expirationAt().toUTC();
    tokens.refreshToken = flow->refreshToken();
    tokens.tokenType = answer.value(QStringLiteral("token_type")).toString();
    tokens.idToken = answer.value(QStringLiteral("id_token")).toString();
    tokens.scope = answer.value(QStringLiteral("scope")).toString();
    if (tokens.accessToken.isEmpty()) {
        finish(Error(ErrorKind::Unauthenticated, tr("the identity provider issued no access token")));
        return;
    }
    if (!tokens.tokenType.isEmpty() &&
        tokens.tokenType.compare(QLatin1String("Bearer"), Qt::CaseInsensitive) != 0) {
        finish(Error(ErrorKind::Unauthenticated,
                     tr("the identity provider issued a '%1' token; Butler needs a bearer token")
                         .arg(tokens.tokenType)));
        return;
    }
    qCDebug(lcViewsOidc) << "signed in; the access token expires at" << tokens.expiresAt;
    finish(std::move(tokens));
}

void OidcLogin::cancel()
{
    if (m_attempt)
        finish(Error(ErrorKind::Unavailable, tr("the sign-in was cancelled")));
}

void OidcLogin::finish(Result<OidcTokens> result)
{
    if (!m_attempt || m_attempt->result)
        return;
    if (!result.ok())
        qCDebug(lcViewsOidc) << "sign-in failed:" << result.error().message();
    m_attempt->result.emplace(std::move(result));
    if (m_attempt->timer)
        m_attempt->timer->stop();
    // Pending requests (discovery, token) end now rather than at their own timeout.
    if (m_attempt->network) {
        const auto replies = m_attempt->network->findChildren<QNetworkReply*>();
        for (QNetworkReply* reply : replies) {
            if (reply->isRunning())
                reply->abort();
        }
    }
    Q_EMIT attemptFinished();
}

void OidcLogin::teardown()
{
    const std::unique_ptr<Attempt> attempt = std::move(m_attempt);
    if (!attempt)
        return;
    if (attempt->handler) {
        attempt->handler->onTokenError = nullptr;
        attempt->handler->afterTokenAnswer = nullptr;
        attempt->handler->disconnect(this);
        attempt->handler->close();
    }
    if (attempt->flow)
        attempt->flow->disconnect(this);
    // Qt 6.4 wires each token reply to the handler without a context object: a reply that
    // finished after the handler is gone would call into freed memory. So replies go first.
    if (attempt->network) {
        const auto replies = attempt->network->findChildren<QNetworkReply*>();
        for (QNetworkReply* reply : replies) {
            reply->disconnect();
            reply->abort();
            delete reply;
        }
    }
    delete attempt->flow.data();
    delete attempt->network.data();
    delete attempt->timer.data();
    // It stopped listening above, but the page it just served may still be on its way to the
    // browser: deleting it now would cut that connection and leave the browser with an error.
    if (attempt->handler)
        QTimer::singleShot(kHandlerGrace, attempt->handler.data(), &QObject::deleteLater);
}

} // namespace butler
