#include "RemoteTransport.h"

#include "CoroutineResult.h"
#include "RequestGroup.h"
#include "TokenSource.h"
#include "WireFormat.h"

#include <QCoroNetworkReply>
#include <QCoroTimer>
#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThreadStorage>
#include <QUuid>

#include <memory>

namespace butler {

Q_LOGGING_CATEGORY(lcClientHttp, "butler.client.http")

namespace {

constexpr int kMaxAttempts = 10;
// Without Retry-After: 250 ms, then twice as long each time, at most 8 s.
constexpr std::chrono::milliseconds kFirstBackoff{250};
constexpr std::chrono::milliseconds kMaxBackoff{8000};

std::chrono::milliseconds backoff(int attemptNumber)
{
    std::chrono::milliseconds wait = kFirstBackoff;
    for (int i = 1; i < attemptNumber && wait < kMaxBackoff; ++i)
        wait *= 2;
    return std::min(wait, kMaxBackoff);
}

struct DeleteLater
{
    void operator()(QObject* object) const { object->deleteLater(); }
};

QString hostAndPort(const QUrl& url)
{
    const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
    const QString host =
        url.host().contains(QLatin1Char(':')) ? QLatin1Char('[') + url.host() + QLatin1Char(']') : url.host();
    return host + QLatin1Char(':') + QString::number(port);
}

Error transportError(const QUrl& url, QNetworkReply::NetworkError code, const QString& detail,
                     std::chrono::milliseconds timeout)
{
    QString why;
    switch (code) {
    case QNetworkReply::ConnectionRefusedError:
        why = QStringLiteral("connection refused");
        break;
    case QNetworkReply::HostNotFoundError:
        why = QStringLiteral("host not found");
        break;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        why = QStringLiteral("no answer for %1 s").arg(qint64(timeout.count() / 1000));
        break;
    case QNetworkReply::RemoteHostClosedError:
        why = QStringLiteral("the server closed the connection");
        break;
    case QNetworkReply::SslHandshakeFailedError:
        why = QStringLiteral("TLS handshake failed: %1").arg(detail);
        break;
    default:
        why = detail;
        break;
    }
    return Error(ErrorKind::Unavailable,
                 QStringLiteral("cannot reach server at %1 (%2)").arg(hostAndPort(url), why));
}

// Seconds, or an HTTP date; nothing when the header is absent or unreadable.
std::optional<std::chrono::milliseconds> parseRetryAfter(const QByteArray& value)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return std::chrono::seconds(std::max<qint64>(seconds, 0));
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!when.isValid())
        return std::nullopt;
    return std::chrono::milliseconds(std::max<qint64>(QDateTime::currentDateTimeUtc().msecsTo(when), 0));
}

QCoro::Task<> defaultSleep(std::chrono::milliseconds duration)
{
    co_await QCoro::sleepFor(duration);
}

bool isTransportFailure(QNetworkReply::NetworkError code)
{
    // Codes below 200 are connection and proxy failures; above are HTTP statuses and protocol.
    return code != QNetworkReply::NoError && int(code) < 200;
}

} // namespace

QByteArray RemoteTransport::Answer::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

RemoteTransport::RemoteTransport(RemoteLocation location, QString token, RemoteOptions options)
    : m_location(std::move(location))
    , m_authorization(QByteArrayLiteral("Bearer ") + token.toUtf8())
    , m_options(std::move(options))
{
    if (!m_options.sleep)
        m_options.sleep = &defaultSleep;
}

QByteArray RemoteTransport::userAgent()
{
    return QByteArrayLiteral("butler/" BUTLER_VERSION);
}

QNetworkAccessManager* RemoteTransport::manager()
{
    // Qt deletes each thread's manager when the thread ends (the main thread's with the application).
    static QThreadStorage<QNetworkAccessManager*> managers;
    if (!managers.hasLocalData())
        managers.setLocalData(new QNetworkAccessManager());
    return managers.localData();
}

QCoro::Task<Result<RemoteTransport::Answer>> RemoteTransport::send(Request request) const
{
    struct InFlight
    {
        std::shared_ptr<std::atomic<int>> count;
        explicit InFlight(std::shared_ptr<std::atomic<int>> c)
            : count(std::move(c))
        {
            count->fetch_add(1, std::memory_order_acq_rel);
        }
        ~InFlight() { count->fetch_sub(1, std::memory_order_acq_rel); }
    };
    const InFlight inFlight(m_inFlight);
    std::chrono::milliseconds waited{0};
    for (int attemptNumber = 1;; ++attemptNumber) {
        if (m_group && m_group->isCancelled())
            co_return RequestGroup::cancelledError(request.url);
        BUTLER_CO_ASSIGN_OR_RETURN(Answer answer, co_await attempt(request));
        const bool retryable = answer.status == 429 || (answer.status == 503 && request.idempotent);
        if (!retryable)
            co_return answer;
        // A busy server (or a proxy in front of it) may not say how long to wait.
        std::optional<std::chrono::milliseconds> wait = parseRetryAfter(answer.header("Retry-After"));
        if (!wait)
            wait = backoff(attemptNumber);
        if (attemptNumber >= kMaxAttempts || waited + *wait > m_options.retryBudget) {
            qCDebug(lcClientHttp) << "giving up on" << request.url.path() << "after" << attemptNumber
                                  << "attempts, status" << answer.status;
            co_return answer;
        }
        qCDebug(lcClientHttp) << request.url.path() << "answered" << answer.status << "; retrying in"
                              << wait->count() << "ms";
        co_await m_options.sleep(*wait);
        waited += *wait;
    }
}

QCoro::Task<Result<RemoteTransport::Answer>> RemoteTransport::attempt(const Request& request) const
{
    QNetworkRequest networkRequest(request.url);
    const QByteArray requestId = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    networkRequest.setRawHeader("User-Agent", userAgent());
    networkRequest.setRawHeader("X-Butler-Client-Request-Id", requestId);
    if (request.sendToken) {
        networkRequest.setRawHeader("Authorization", m_authorization);
        networkRequest.setRawHeader("Accept", "application/json");
        // Redirects to another origin would carry the token there.
        networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                    QNetworkRequest::SameOriginRedirectPolicy);
    } else {
        networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                    QNetworkRequest::NoLessSafeRedirectPolicy);
    }
    if (!request.contentType.isEmpty())
        networkRequest.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType);
    networkRequest.setTransferTimeout(int(m_options.transferTimeout.count()));

    QNetworkAccessManager* network = manager();
    QNetworkReply* rawReply = nullptr;
    if (request.method == "GET")
        rawReply = network->get(networkRequest);
    else if (request.method == "HEAD")
        rawReply = network->head(networkRequest);
    else if (request.method == "POST")
        rawReply = network->post(networkRequest, request.body);
    else
        rawReply = network->sendCustomRequest(networkRequest, request.method, request.body);
    const std::unique_ptr<QNetworkReply, DeleteLater> reply(rawReply);

    auto tooLarge = std::make_shared<bool>(false);
    if (request.maxBytes >= 0) {
        const qint64 maxBytes = request.maxBytes;
        QObject::connect(rawReply, &QNetworkReply::downloadProgress, rawReply,
                         [rawReply, tooLarge, maxBytes](qint64 received, qint64) {
                             if (received > maxBytes && !*tooLarge) {
                                 *tooLarge = true;
                                 rawReply->abort();
                             }
                         });
    }
    qCDebug(lcClientHttp) << request.method << request.url.path() << "request id" << requestId;
    if (m_group)
        m_group->watch(rawReply, request.method, request.body);
    co_await rawReply;

    if (RequestGroup::wasAborted(rawReply))
        co_return RequestGroup::cancelledError(request.url);

    if (*tooLarge)
        co_return ioError(QStringLiteral("%1 sent more than the expected %2 bytes")
                              .arg(request.url.toDisplayString(QUrl::RemoveQuery))
                              .arg(request.maxBytes));
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid() || isTransportFailure(reply->error())) {
        qCDebug(lcClientHttp) << "transport failure" << reply->error() << reply->errorString();
        co_return transportError(request.url, reply->error(), reply->errorString(),
                                 m_options.transferTimeout);
    }
    Answer answer;
    answer.status = status.toInt();
    answer.body = reply->readAll();
    answer.headers = reply->rawHeaderPairs();
    answer.requestId = requestId;
    qCDebug(lcClientHttp) << "answer" << answer.status << answer.body.size() << "bytes";
    co_return answer;
}

Error RemoteTransport::errorFor(const Answer& answer) const
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(answer.body, &parseError);
    Error error;
    if (parseError.error == QJsonParseError::NoError && document.isObject() &&
        document.object().value(QLatin1String("error")).isObject()) {
        error = WireFormat::errorFromJson(document.object(), answer.status);
    } else {
        error = Error(WireFormat::errorKindFromName({}, answer.status),
                      QStringLiteral("the server answered with HTTP status %1").arg(answer.status));
    }
    if (answer.status == 401)
        return Error(ErrorKind::Unauthenticated,
                     QStringLiteral("the server did not accept the access token (%1): %2")
                         .arg(error.message(), TokenSource::howToGetToken(m_location.serverBase())));
    if (answer.status == 429 || answer.status == 503) {
        const std::optional<std::chrono::milliseconds> wait = parseRetryAfter(answer.header("Retry-After"));
        if (wait)
            return Error(ErrorKind::Unavailable, QStringLiteral("%1 (the server is busy: try again in %2 s)")
                                                     .arg(error.message())
                                                     .arg(qint64((wait->count() + 999) / 1000)));
        return Error(ErrorKind::Unavailable, error.message());
    }
    return error;
}

Result<QJsonObject> RemoteTransport::parseJson(const Answer& answer, const QUrl& url) const
{
    if (answer.body.trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(answer.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return ioError(QStringLiteral("the server's answer to %1 is not a JSON object (%2); is %3 a butler "
                                      "server?")
                           .arg(url.path(),
                                parseError.error != QJsonParseError::NoError
                                    ? parseError.errorString() + QStringLiteral(" at byte ") +
                                          QString::number(parseError.offset)
                                    : QStringLiteral("another JSON value"),
                                m_location.serverBase()));
    return document.object();
}

QCoro::Task<Result<QJsonObject>> RemoteTransport::sendJson(Request request) const
{
    const QUrl url = request.url;
    BUTLER_CO_ASSIGN_OR_RETURN(const Answer answer, co_await send(std::move(request)));
    if (answer.status < 200 || answer.status >= 300)
        co_return errorFor(answer);
    co_return parseJson(answer, url);
}

} // namespace butler
