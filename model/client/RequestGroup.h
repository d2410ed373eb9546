#pragma once

#include "Error.h"

#include <QObject>
#include <QUrl>

#include <atomic>

class QNetworkReply;

namespace butler {

// The requests of one piece of work, so that it can be watched and stopped: the RemoteButler
// that RemoteButler::withRequestGroup() makes puts every request it sends into the group. The
// group reports each request as it starts, moves bytes and ends, and aborts them on demand; a
// call waiting for an aborted request fails at once with an error that isCancellation()
// recognizes (the server may still have done what an aborted write asked for).
//
// Lives on the thread that made it; requests from other threads are aborted through queued
// calls. The butlers that use the group keep it alive.
class RequestGroup : public QObject
{
    Q_OBJECT

public:
    explicit RequestGroup(QObject* parent = nullptr);
    ~RequestGroup() override;

    // Requests of the group waiting for an answer now.
    int inFlight() const { return m_inFlight.load(std::memory_order_acquire); }
    // Aborts the requests in flight; later requests go out as usual.
    void abortAll();
    // Aborts one request (an id from requestStarted).
    void abort(quint64 id);
    // Aborts the requests in flight, and every later request of the group fails without being
    // sent: the end of a one-off operation.
    void cancel();
    bool isCancelled() const { return m_cancelled.load(std::memory_order_acquire); }

    static Error cancelledError(const QUrl& url);
    static bool isCancellation(const Error& error);
    // The same for a message passed on as text (a model's errorOccurred()).
    static bool isCancellationMessage(const QString& message);

    // For the transport: adds a reply that was just sent; returns its id.
    quint64 watch(QNetworkReply* reply, const QByteArray& method, const QByteArray& body);
    // Whether the reply ended because the group aborted it.
    static bool wasAborted(const QNetworkReply* reply);

signals:
    void requestStarted(quint64 id, const QByteArray& method, const QUrl& url, const QByteArray& body);
    // Bytes received (or, for uploads, sent) so far; total is -1 when unknown.
    void requestProgress(quint64 id, qint64 bytes, qint64 total);
    void requestFinished(quint64 id);
    // Carries abort requests to the replies' threads; 0 means every request.
    void abortRequested(quint64 id);

private:
    std::atomic<int> m_inFlight{0};
    std::atomic<bool> m_cancelled{false};
    std::atomic<quint64> m_nextId{1};
};

} // namespace butler
