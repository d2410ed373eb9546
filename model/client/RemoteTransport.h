#pragma once

#include <atomic>
#include <memory>

#include "RemoteLocation.h"
#include "RemoteOptions.h"
#include "Result.h"

#include <QByteArray>
#include <QCoroTask>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QUrl>

class QNetworkAccessManager;

namespace butler {

class RequestGroup;

// The HTTP side of RemoteButler: sends one request with the headers every request carries,
// retries 429 (and 503 on idempotent requests) after Retry-After or, when the answer has none,
// after a short exponential backoff, all within RemoteOptions::retryBudget, and turns transport
// failures and error answers into Errors. Stateless
// apart from the token, so one instance serves every thread; each thread gets its own
// QNetworkAccessManager, made on first use.
class RemoteTransport
{
public:
    struct Request
    {
        QByteArray method = QByteArrayLiteral("GET");
        QUrl url;
        QByteArray body{};
        QByteArray contentType{};
        // Safe to repeat after a 503: reads, and POSTs that only query.
        bool idempotent = true;
        // Signed URLs carry their own authorization; the bearer token must not travel with them.
        bool sendToken = true;
        // Larger answers are cut off and fail (downloads of a known size).
        qint64 maxBytes = -1;
    };

    struct Answer
    {
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray requestId; // what this client sent

        QByteArray header(const QByteArray& name) const;
    };

    RemoteTransport(RemoteLocation location, QString token, RemoteOptions options);

    // Any answer with an HTTP status comes back as an Answer, error statuses too; only
    // transport failures (and Retry-After waits that would exceed the budget) are Errors.
    QCoro::Task<Result<Answer>> send(Request request) const;
    // send(), then an error status becomes its Error and a 2xx body is parsed as a JSON object.
    QCoro::Task<Result<QJsonObject>> sendJson(Request request) const;

    // The Error an error answer stands for ({"error":{"type","message"}} or, failing that, the status).
    Error errorFor(const Answer& answer) const;
    // A 2xx body as a JSON object, or a clear error when the server sent something else.
    Result<QJsonObject> parseJson(const Answer& answer, const QUrl& url) const;

    const RemoteLocation& location() const { return m_location; }
    const RemoteOptions& options() const { return m_options; }
    // The group every request of this transport joins (none by default); see RequestGroup.
    const std::shared_ptr<RequestGroup>& requestGroup() const { return m_group; }
    void setRequestGroup(std::shared_ptr<RequestGroup> group) { m_group = std::move(group); }
    // Requests started through send() and not yet answered, over every copy of this transport.
    // Whoever destroys the client waits for zero: a coroutine still running would use it.
    int inFlight() const { return m_inFlight->load(std::memory_order_acquire); }
    static QByteArray userAgent();
    // This thread's manager.
    static QNetworkAccessManager* manager();

private:
    QCoro::Task<Result<Answer>> attempt(const Request& request) const;

    RemoteLocation m_location;
    QByteArray m_authorization;
    RemoteOptions m_options;
    std::shared_ptr<std::atomic<int>> m_inFlight = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<RequestGroup> m_group;
};

} // namespace butler
