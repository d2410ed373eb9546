#include "OidcLogin.h"

#include "CoroutineResult.h"

#include <QCryptographicHash>
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
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTimer>

#include <QCoroNetworkReply>
#include <QCoroSignal>

#include <algorithm>
#include <limits>
#include <optional>

namespace butler {

Q_LOGGING_CATEGORY(lcClientOidc, "butler.client.oidc")

namespace {

const QString kCallbackPath = QStringLiteral("callback");
const QString kDeviceGrant = QStringLiteral("urn:ietf:params:oauth:grant-type:device_code");
constexpr std::chrono::seconds kHandlerGrace(5);
// RFC 8628 §3.2: the interval when the provider names none; §3.5: what slow_down adds.
constexpr std::chrono::seconds kDefaultPollInterval(5);
constexpr std::chrono::seconds kSlowDownStep(5);

int transferTimeout(std::chrono::milliseconds timeout)
{
    return int(std::clamp<qint64>(timeout.count(), 1, std::numeric_limits<int>::max()));
}

} // namespace

// A form POST's outcome: the HTTP status (0 when nothing came back) and the JSON body.
struct OidcLogin::FormAnswer
{
    int status = 0;
    QJsonObject body;
    QString networkError;

    static FormAnswer of(QNetworkReply* reply)
    {
        FormAnswer answer;
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid()) {
            answer.networkError = reply->errorString();
            return answer;
        }
        answer.status = status.toInt();
        answer.body = QJsonDocument::fromJson(reply->readAll()).object();
        return answer;
    }

    QString error() const { return body.value(QLatin1String("error")).toString(); }

    // RFC 6749 §5.2: {"error": "invalid_grant", "error_description": "..."}
    QString errorDetail() const
    {
        const QString description = body.value(QLatin1String("error_description")).toString();
        return description.isEmpty() ? error() : QStringLiteral("%1 (%2)").arg(description, error());
    }

    enum class Request
    {
        Token,
        DeviceAuthorization,
        Refresh,
    };

    // What went wrong at the provider's endpoint, as the user should hear it.
    Error asError(Request request) const
    {
        if (status == 0) {
            switch (request) {
            case Request::Token:
                return Error(ErrorKind::Unavailable,
                             OidcLogin::tr("the identity provider did not answer the token request: %1")
                                 .arg(networkError));
            case Request::DeviceAuthorization:
                return Error(
                    ErrorKind::Unavailable,
                    OidcLogin::tr("the identity provider did not answer the device authorization request: %1")
                        .arg(networkError));
            case Request::Refresh:
                return Error(ErrorKind::Unavailable,
                             OidcLogin::tr("the identity provider did not answer the refresh request: %1")
                                 .arg(networkError));
            }
        }
        if (status >= 500 || error().isEmpty()) {
            switch (request) {
            case Request::Token:
                return Error(
                    ErrorKind::Unavailable,
                    OidcLogin::tr("the identity provider answered the token request with HTTP status %1")
                        .arg(status));
            case Request::DeviceAuthorization:
                return Error(ErrorKind::Unavailable,
                             OidcLogin::tr("the identity provider answered the device authorization request "
                                           "with HTTP status %1")
                                 .arg(status));
            case Request::Refresh:
                return Error(
                    ErrorKind::Unavailable,
                    OidcLogin::tr("the identity provider answered the refresh request with HTTP status %1")
                        .arg(status));
            }
        }
        switch (request) {
        case Request::Token:
            break;
        case Request::DeviceAuthorization:
            return Error(
                ErrorKind::Unauthenticated,
                OidcLogin::tr("the identity provider refused the device sign-in: %1").arg(errorDetail()));
        case Request::Refresh:
            return Error(ErrorKind::Unauthenticated,
                         OidcLogin::tr("the identity provider did not refresh the token: %1; sign in again")
                             .arg(errorDetail()));
        }
        return Error(ErrorKind::Unauthenticated,
                     OidcLogin::tr("the identity provider did not issue a token: %1").arg(errorDetail()));
    }
};

namespace {

// Qt 6.4's handler only logs a token endpoint that answers with an error, and the flow then waits
// forever; this one reports the error, and a token answer the flow could not use.
class LoopbackReplyHandler : public QOAuthHttpServerReplyHandler
{
public:
    using QOAuthHttpServerReplyHandler::QOAuthHttpServerReplyHandler;

    std::function<void(QNetworkReply*)> onTokenError;
    std::function<void()> afterTokenAnswer;

    void networkReplyFinished(QNetworkReply* reply) override
    {
        if (reply->error() != QNetworkReply::NoError) {
            if (onTokenError)
                onTokenError(reply);
            return;
        }
        QOAuthHttpServerReplyHandler::networkReplyFinished(reply);
        if (afterTokenAnswer)
            afterTokenAnswer();
    }
};

struct Endpoints
{
    QUrl authorization;
    QUrl token;
    QUrl deviceAuthorization; // empty when the provider has no device flow
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

// application/x-www-form-urlencoded, every name and value fully escaped ('+' and '&' included).
QByteArray formBody(const QList<QPair<QString, QString>>& fields)
{
    QByteArray body;
    for (const auto& [name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

QNetworkRequest formRequest(const QUrl& url, std::chrono::milliseconds timeout)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(transferTimeout(timeout));
    return request;
}

Status checkArguments(const QUrl& issuer, const QString& clientId)
{
    if (!isHttpUrl(issuer) || issuer.hasQuery() || issuer.hasFragment())
        return invalidInput(
            OidcLogin::tr("'%1' is not an identity provider address; use http(s)://HOST[/PATH]")
                .arg(issuer.toString()));
    if (clientId.isEmpty())
        return invalidInput(OidcLogin::tr("the client ID is empty; ask the server's administrator for it"));
    return {};
}

// A token endpoint's successful answer (RFC 6749 §5.1), for the flows that read it themselves.
Result<OidcTokens> tokensFromAnswer(const QJsonObject& answer)
{
    OidcTokens tokens;
    tokens.accessToken = answer.value(QLatin1String("access_token")).toString();
    tokens.tokenType = answer.value(QLatin1String("token_type")).toString();
    tokens.refreshToken = answer.value(QLatin1String("refresh_token")).toString();
    tokens.idToken = answer.value(QLatin1String("id_token")).toString();
    tokens.scope = answer.value(QLatin1String("scope")).toString();
    const qint64 expiresIn = answer.value(QLatin1String("expires_in")).toInteger(-1);
    if (expiresIn >= 0)
        tokens.expiresAt = QDateTime::currentDateTimeUtc().addSecs(expiresIn);
    return tokens;
}

Status checkTokens(const OidcTokens& tokens)
{
    if (tokens.accessToken.isEmpty())
        return Error(ErrorKind::Unauthenticated,
                     OidcLogin::tr("the identity provider issued no access token"));
    if (!tokens.tokenType.isEmpty() &&
        tokens.tokenType.compare(QLatin1String("Bearer"), Qt::CaseInsensitive) != 0)
        return Error(ErrorKind::Unauthenticated,
                     OidcLogin::tr("the identity provider issued a '%1' token; Butler needs a bearer token")
                         .arg(tokens.tokenType));
    return {};
}

// OpenID Connect Discovery 1.0 §4: the configuration must name the same issuer it was fetched from.
QCoro::Task<Result<Endpoints>> discover(QNetworkAccessManager* network, QUrl issuer,
                                        std::chrono::milliseconds timeout)
{
    QUrl url = issuer;
    url.setPath(withoutTrailingSlash(issuer.path()) + QStringLiteral("/.well-known/openid-configuration"));
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(transferTimeout(timeout));
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
    const QUrl device(config.value(QLatin1String("device_authorization_endpoint")).toString());
    if (isHttpUrl(device))
        endpoints.deviceAuthorization = device;
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

// scheme://host:port/path with the scheme and host in lower case, the port always named and no
// trailing slash: two spellings of one server compare equal.
QString comparableUrl(const QUrl& url)
{
    QUrl normal;
    normal.setScheme(url.scheme().toLower());
    normal.setHost(url.host().toLower());
    normal.setPort(
        url.port(url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0 ? 443 : 80));
    normal.setPath(withoutTrailingSlash(url.path()));
    return normal.toString(QUrl::FullyEncoded);
}

} // namespace

struct OidcLogin::Attempt
{
    QUrl issuer;
    QString clientId;
    QString state;
    QPointer<QNetworkAccessManager> network;
    QPointer<QTimer> timer;
    QPointer<LoopbackReplyHandler> handler;
    QPointer<QOAuth2AuthorizationCodeFlow> flow;
    QVariantMap tokenAnswer;
    std::optional<Result<OidcTokens>> result;
    std::chrono::milliseconds timeout{0};

    // Device flow
    QUrl tokenEndpoint;
    QString deviceCode;
    std::chrono::milliseconds pollInterval = kDefaultPollInterval;
    QPointer<QTimer> pollTimer;
};

OidcLogin::OidcLogin(QObject* parent)
    : QObject(parent)
    , m_openBrowser(&OidcLogin::openSystemBrowser)
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

bool OidcLogin::openSystemBrowser(const QUrl& url)
{
    QProcess process;
#if defined(Q_OS_MACOS)
    process.setProgram(QStringLiteral("open"));
#elif defined(Q_OS_WIN)
    process.setProgram(QStringLiteral("rundll32"));
    process.setArguments({QStringLiteral("url.dll,FileProtocolHandler")});
#else
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        return false;
    const QString xdgOpen = QStandardPaths::findExecutable(QStringLiteral("xdg-open"));
    if (xdgOpen.isEmpty())
        return false;
    process.setProgram(xdgOpen);
#endif
    process.setArguments(process.arguments() << url.toString(QUrl::FullyEncoded));
    // Whatever the opener prints would mix with the command line's own output.
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(QProcess::nullDevice());
    return process.startDetached();
}

Status OidcLogin::beginAttempt(QUrl& issuer, QString& clientId, std::chrono::milliseconds timeout)
{
    if (m_attempt)
        return Error(ErrorKind::Conflict, tr("a sign-in is already in progress"));
    issuer = issuer.adjusted(QUrl::StripTrailingSlash);
    clientId = clientId.trimmed();
    BUTLER_TRY(checkArguments(issuer, clientId));

    m_attempt = std::make_unique<Attempt>();
    Attempt* attempt = m_attempt.get();
    attempt->issuer = issuer;
    attempt->clientId = clientId;
    attempt->timeout = timeout;
    attempt->network = new QNetworkAccessManager(this);
    auto* timer = new QTimer(this);
    attempt->timer = timer;
    timer->setSingleShot(true);
    const qint64 seconds = (timeout.count() + 999) / 1000;
    connect(timer, &QTimer::timeout, this, [this, seconds] {
        finish(Error(ErrorKind::Unavailable,
                     tr("the sign-in timed out: no answer within %n second(s)", nullptr, int(seconds))));
    });
    timer->start(timeout);
    qCDebug(lcClientOidc) << "signing in at" << issuer << "as client" << clientId;
    return {};
}

QCoro::Task<Result<OidcTokens>> OidcLogin::awaitOutcome()
{
    Attempt* attempt = m_attempt.get();
    if (!attempt->result)
        co_await qCoro(this, &OidcLogin::attemptFinished);
    Result<OidcTokens> result = std::move(*attempt->result);
    teardown();
    co_return result;
}

QCoro::Task<Result<OidcTokens>> OidcLogin::loginAsync(QUrl issuer, QString clientId,
                                                      std::chrono::milliseconds timeout)
{
    BUTLER_CO_TRY(beginAttempt(issuer, clientId, timeout));
    Attempt* attempt = m_attempt.get();
    Result<Endpoints> endpoints = co_await discover(attempt->network, issuer, timeout);
    if (!attempt->result) {
        if (endpoints.ok())
            startFlow(endpoints->authorization, endpoints->token, clientId);
        else
            finish(endpoints.error());
    }
    co_return co_await awaitOutcome();
}

QCoro::Task<Result<OidcTokens>> OidcLogin::deviceLoginAsync(QUrl issuer, QString clientId,
                                                            std::chrono::milliseconds timeout)
{
    BUTLER_CO_TRY(beginAttempt(issuer, clientId, timeout));
    Attempt* attempt = m_attempt.get();
    Result<Endpoints> endpoints = co_await discover(attempt->network, issuer, timeout);
    if (!attempt->result) {
        if (!endpoints.ok())
            finish(endpoints.error());
        else if (endpoints->deviceAuthorization.isEmpty())
            finish(invalidInput(tr("the identity provider %1 does not offer the device flow (RFC 8628); sign "
                                   "in through a web browser instead")
                                    .arg(issuer.toDisplayString())));
        else
            requestDeviceCode(endpoints->deviceAuthorization, endpoints->token, clientId);
    }
    co_return co_await awaitOutcome();
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
    handler->onTokenError = [this](QNetworkReply* reply) {
        finish(FormAnswer::of(reply).asError(FormAnswer::Request::Token));
    };
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
    // OpenID Connect Core §11: a refresh token for offline use needs the user's consent.
    const bool offline =
        m_scope.split(QLatin1Char(' '), Qt::SkipEmptyParts).contains(QStringLiteral("offline_access"));

    auto* flow = new QOAuth2AuthorizationCodeFlow(attempt->network, this);
    attempt->flow = flow;
    flow->setClientIdentifier(clientId);
    flow->setAuthorizationUrl(authorizationEndpoint);
    flow->setAccessTokenUrl(tokenEndpoint);
    flow->setScope(m_scope);
    flow->setState(attempt->state);
    flow->setReplyHandler(handler);
    flow->setModifyParametersFunction(
        [verifier, challenge, offline](QAbstractOAuth::Stage stage,
                                       QMultiMap<QString, QVariant>* parameters) {
            if (stage == QAbstractOAuth::Stage::RequestingAuthorization) {
                parameters->insert(QStringLiteral("code_challenge"), QString::fromLatin1(challenge));
                parameters->insert(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
                if (offline)
                    parameters->insert(QStringLiteral("prompt"), QStringLiteral("consent"));
            } else if (stage == QAbstractOAuth::Stage::RequestingAccessToken) {
                parameters->insert(QStringLiteral("code_verifier"), QString::fromLatin1(verifier));
            }
        });
    connect(flow, &QAbstractOAuth::authorizeWithBrowser, this, [this](const QUrl& url) {
        const bool opened = m_openBrowser && m_openBrowser(url);
        if (!opened)
            qCInfo(lcClientOidc) << "could not open a browser for" << url.toDisplayString(QUrl::RemoveQuery);
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
    if (const Status usable = checkTokens(tokens); !usable.ok()) {
        finish(usable.error());
        return;
    }
    qCDebug(lcClientOidc) << "signed in; the access token expires at" << tokens.expiresAt;
    finish(std::move(tokens));
}

void OidcLogin::postForm(const QUrl& url, const QList<QPair<QString, QString>>& fields,
                         std::function<void(const FormAnswer&)> done)
{
    Attempt* attempt = m_attempt.get();
    QNetworkReply* reply = attempt->network->post(formRequest(url, attempt->timeout), formBody(fields));
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] {
        reply->deleteLater();
        if (!m_attempt || m_attempt->result)
            return;
        done(FormAnswer::of(reply));
    });
}

void OidcLogin::requestDeviceCode(const QUrl& deviceEndpoint, const QUrl& tokenEndpoint,
                                  const QString& clientId)
{
    m_attempt->tokenEndpoint = tokenEndpoint;
    postForm(deviceEndpoint, {{QStringLiteral("client_id"), clientId}, {QStringLiteral("scope"), m_scope}},
             [this](const FormAnswer& answer) { handleDeviceAuthorization(answer); });
}

void OidcLogin::handleDeviceAuthorization(const FormAnswer& answer)
{
    if (answer.status != 200) {
        finish(answer.asError(FormAnswer::Request::DeviceAuthorization));
        return;
    }
    // RFC 8628 §3.2
    const QJsonObject& body = answer.body;
    const QString deviceCode = body.value(QLatin1String("device_code")).toString();
    const QString userCode = body.value(QLatin1String("user_code")).toString();
    const QUrl verificationUri(body.value(QLatin1String("verification_uri")).toString());
    const QUrl complete(body.value(QLatin1String("verification_uri_complete")).toString());
    const qint64 expiresIn = body.value(QLatin1String("expires_in")).toInteger(0);
    const qint64 interval = body.value(QLatin1String("interval")).toInteger(0);
    if (deviceCode.isEmpty() || userCode.isEmpty() || !isHttpUrl(verificationUri)) {
        finish(Error(ErrorKind::Unavailable,
                     tr("the identity provider's device authorization answer lacks the device code, the user "
                        "code or the verification address")));
        return;
    }
    m_attempt->deviceCode = deviceCode;
    if (interval > 0)
        m_attempt->pollInterval = std::chrono::seconds(interval);
    auto* pollTimer = new QTimer(this);
    pollTimer->setSingleShot(true);
    connect(pollTimer, &QTimer::timeout, this, &OidcLogin::pollDeviceToken);
    m_attempt->pollTimer = pollTimer;
    const QDateTime expiresAt =
        expiresIn > 0 ? QDateTime::currentDateTimeUtc().addSecs(expiresIn) : QDateTime();
    qCDebug(lcClientOidc) << "device code issued; polling every" << m_attempt->pollInterval.count() << "ms";
    Q_EMIT userCodeIssued(verificationUri, userCode, isHttpUrl(complete) ? complete : QUrl(), expiresAt);
    if (m_attempt && !m_attempt->result && m_attempt->pollTimer)
        m_attempt->pollTimer->start(m_attempt->pollInterval);
}

void OidcLogin::pollDeviceToken()
{
    if (!m_attempt || m_attempt->result)
        return;
    postForm(m_attempt->tokenEndpoint,
             {{QStringLiteral("grant_type"), kDeviceGrant},
              {QStringLiteral("device_code"), m_attempt->deviceCode},
              {QStringLiteral("client_id"), m_attempt->clientId}},
             [this](const FormAnswer& answer) { handleDeviceToken(answer); });
}

void OidcLogin::handleDeviceToken(const FormAnswer& answer)
{
    if (answer.status == 200) {
        Result<OidcTokens> tokens = tokensFromAnswer(answer.body);
        if (const Status usable = checkTokens(*tokens); !usable.ok()) {
            finish(usable.error());
            return;
        }
        qCDebug(lcClientOidc) << "signed in on another device; the access token expires at"
                              << tokens->expiresAt;
        finish(std::move(tokens));
        return;
    }
    // RFC 8628 §3.5
    const QString error = answer.error();
    if (error == QLatin1String("authorization_pending") || error == QLatin1String("slow_down")) {
        if (error == QLatin1String("slow_down"))
            m_attempt->pollInterval += kSlowDownStep;
        m_attempt->pollTimer->start(m_attempt->pollInterval);
        return;
    }
    if (error == QLatin1String("access_denied"))
        finish(Error(ErrorKind::Unauthenticated, tr("the sign-in was denied: %1").arg(answer.errorDetail())));
    else if (error == QLatin1String("expired_token"))
        finish(Error(ErrorKind::Unauthenticated,
                     tr("the code expired before the sign-in was completed; sign in again")));
    else
        finish(answer.asError(FormAnswer::Request::Token));
}

QCoro::Task<Result<OidcTokens>> OidcLogin::refreshAsync(QUrl issuer, QString clientId, QString refreshToken,
                                                        std::chrono::milliseconds timeout)
{
    issuer = issuer.adjusted(QUrl::StripTrailingSlash);
    clientId = clientId.trimmed();
    BUTLER_CO_TRY(checkArguments(issuer, clientId));
    if (refreshToken.isEmpty())
        co_return invalidInput(tr("there is no refresh token; sign in again"));
    QNetworkAccessManager network;
    BUTLER_CO_ASSIGN_OR_RETURN(const Endpoints endpoints, co_await discover(&network, issuer, timeout));
    const std::unique_ptr<QNetworkReply> reply(
        network.post(formRequest(endpoints.token, timeout),
                     formBody({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                               {QStringLiteral("refresh_token"), refreshToken},
                               {QStringLiteral("client_id"), clientId}})));
    co_await reply.get();
    const FormAnswer answer = FormAnswer::of(reply.get());
    if (answer.status != 200)
        co_return answer.asError(FormAnswer::Request::Refresh);
    Result<OidcTokens> tokens = tokensFromAnswer(answer.body);
    BUTLER_CO_TRY(checkTokens(*tokens));
    if (tokens->refreshToken.isEmpty())
        tokens->refreshToken = refreshToken;
    qCDebug(lcClientOidc) << "refreshed the access token; it expires at" << tokens->expiresAt;
    co_return tokens;
}

QCoro::Task<Result<OidcClientSettings>> OidcLogin::advertisedProviderAsync(QString serverBase,
                                                                           std::chrono::milliseconds timeout)
{
    const QUrl server(withoutTrailingSlash(serverBase));
    if (!isHttpUrl(server))
        co_return invalidInput(tr("'%1' is not a server address").arg(serverBase));
    // RFC 9728 §3.1: the well-known segment goes between the host and the resource's path.
    QUrl url = server;
    url.setPath(QStringLiteral("/.well-known/oauth-protected-resource") + server.path());
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(transferTimeout(timeout));
    const std::unique_ptr<QNetworkReply> reply(network.get(request));
    co_await reply.get();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        co_return Error(
            ErrorKind::Unavailable,
            tr("the server %1 did not answer: %2").arg(server.toDisplayString(), reply->errorString()));
    if (status.toInt() != 200)
        co_return notFound(
            tr("the server %1 does not name its identity provider").arg(server.toDisplayString()));
    const QJsonObject metadata = QJsonDocument::fromJson(reply->readAll()).object();
    // RFC 9728 §3.3: metadata about another resource must not be used.
    const QString resource = metadata.value(QLatin1String("resource")).toString();
    if (!resource.isEmpty() && comparableUrl(QUrl(resource)) != comparableUrl(server))
        co_return invalidInput(tr("the server %1 describes another resource (%2); check the server address")
                                   .arg(server.toDisplayString(), resource));
    const QJsonArray issuers = metadata.value(QLatin1String("authorization_servers")).toArray();
    if (issuers.isEmpty() || !isHttpUrl(QUrl(issuers.first().toString())))
        co_return notFound(
            tr("the server %1 does not name its identity provider").arg(server.toDisplayString()));
    OidcClientSettings settings;
    settings.issuer = QUrl(issuers.first().toString());
    settings.clientId = metadata.value(QLatin1String("butler_client_id")).toString().trimmed();
    QStringList scopes;
    for (const QJsonValue& scope : metadata.value(QLatin1String("scopes_supported")).toArray())
        scopes << scope.toString();
    scopes.removeAll(QString());
    settings.scope = scopes.join(QLatin1Char(' '));
    co_return settings;
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
        qCDebug(lcClientOidc) << "sign-in failed:" << result.error().message();
    m_attempt->result.emplace(std::move(result));
    if (m_attempt->timer)
        m_attempt->timer->stop();
    if (m_attempt->pollTimer)
        m_attempt->pollTimer->stop();
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
    delete attempt->pollTimer.data();
    // It stopped listening above, but the page it just served may still be on its way to the
    // browser: deleting it now would cut that connection and leave the browser with an error.
    if (attempt->handler)
        QTimer::singleShot(kHandlerGrace, attempt->handler.data(), &QObject::deleteLater);
}

} // namespace butler
