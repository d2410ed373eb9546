#pragma once

#include "Identity.h"
#include "Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>
#include <QUrlQuery>
#include <QUuid>

#include <atomic>

namespace butler {

// The parts of an HTTP request a handler may use, copied off the connection so the handler can
// run on a worker thread after the socket (and Qt's request object) are gone.
struct ApiRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QByteArray accept;
    QByteArray requestId;
    Identity identity;
    QString label; // repository label, empty for server-wide routes
    // When the request was queued for a worker, started and answered (steady clock, ns; 0 for
    // not yet): the access log's wait= and run=. Written on the worker, read where the answer
    // is written, which a client that went away can make happen at the same time.
    std::atomic<qint64> queuedAt{0};
    std::atomic<qint64> startedAt{0};
    std::atomic<qint64> answeredAt{0};

    QString param(const QString& name) const;
    QStringList params(const QString& name) const;
    Result<QString> requiredParam(const QString& name) const;
    Result<bool> boolParam(const QString& name, bool fallback) const;
    Result<QUuid> uuidParam(const QString& name) const;
    // The body as a JSON object; clear errors for empty, malformed or non-object bodies.
    Result<QJsonObject> jsonBody() const;
};

} // namespace butler
