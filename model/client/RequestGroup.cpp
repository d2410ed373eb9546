#include "RequestGroup.h"

#include <QLoggingCategory>
#include <QNetworkReply>

namespace butler {

Q_LOGGING_CATEGORY(lcClientRequests, "butler.client.requests")

namespace {

const char* const kAbortedProperty = "butlerAbortedByGroup";
const QString kCancelled = QStringLiteral("cancelled: ");

} // namespace

RequestGroup::RequestGroup(QObject* parent)
    : QObject(parent)
{
}

RequestGroup::~RequestGroup() = default;

void RequestGroup::abortAll()
{
    emit abortRequested(0);
}

void RequestGroup::abort(quint64 id)
{
    if (id != 0)
        emit abortRequested(id);
}

void RequestGroup::cancel()
{
    m_cancelled.store(true, std::memory_order_release);
    abortAll();
}

Error RequestGroup::cancelledError(const QUrl& url)
{
    return ioError(kCancelled + QStringLiteral("the request to %1 was stopped before the server answered")
                                    .arg(url.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo)));
}

bool RequestGroup::isCancellation(const Error& error)
{
    return error.kind() == ErrorKind::Io && isCancellationMessage(error.message());
}

bool RequestGroup::isCancellationMessage(const QString& message)
{
    return message.startsWith(kCancelled);
}

quint64 RequestGroup::watch(QNetworkReply* reply, const QByteArray& method, const QByteArray& body)
{
    const quint64 id = m_nextId.fetch_add(1, std::memory_order_acq_rel);
    m_inFlight.fetch_add(1, std::memory_order_acq_rel);
    qCDebug(lcClientRequests) << "request" << id << method << reply->url().path();
    // The reply is the context: these run on the reply's thread, and stop with it.
    connect(reply, &QNetworkReply::downloadProgress, reply,
            [this, id](qint64 received, qint64 total) { emit requestProgress(id, received, total); });
    connect(reply, &QNetworkReply::uploadProgress, reply, [this, id](qint64 sent, qint64 total) {
        if (sent > 0)
            emit requestProgress(id, sent, total);
    });
    connect(reply, &QNetworkReply::finished, reply, [this, id] {
        m_inFlight.fetch_sub(1, std::memory_order_acq_rel);
        emit requestFinished(id);
    });
    connect(this, &RequestGroup::abortRequested, reply, [reply, id](quint64 which) {
        if ((which != 0 && which != id) || reply->isFinished())
            return;
        qCDebug(lcClientRequests) << "aborting request" << id;
        reply->setProperty(kAbortedProperty, true);
        reply->abort();
    });
    emit requestStarted(id, method, reply->url(), body);
    if (isCancelled()) {
        reply->setProperty(kAbortedProperty, true);
        reply->abort();
    }
    return id;
}

bool RequestGroup::wasAborted(const QNetworkReply* reply)
{
    return reply->property(kAbortedProperty).toBool();
}

} // namespace butler
