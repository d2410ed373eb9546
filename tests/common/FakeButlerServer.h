#pragma once

// A stand-in for butler-server in tests of the client side: a QHttpServer on a free loopback
// port that records every request and answers through a handler the test sets. Without a
// handler it serves the universe, the repository list and whoami of repository "main".
// Tests that include this link Qt6::HttpServer.

#include "DimensionUniverse.h"

#include <QHash>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <functional>

namespace fake {

struct Recorded
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
};

struct Reply
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QList<QPair<QByteArray, QByteArray>> headers{};
};

inline Reply json(const QJsonObject& object, int status = 200)
{
    return {status, QJsonDocument(object).toJson(QJsonDocument::Compact)};
}

inline Reply errorReply(int status, const QString& type, const QString& message)
{
    return json(QJsonObject{{"error", QJsonObject{{"type", type}, {"message", message}}}}, status);
}

inline QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    default:
        return "OTHER";
    }
}

// Every request reaches handler (no routes, so all go to the missing handler); the default
// handler serves the universe, the repository list and whoami of repository "main".
class FakeServer
{
public:
    FakeServer()
    {
        m_server.setMissingHandler(
            [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
                Recorded recorded;
                recorded.method = methodName(request.method());
                recorded.path = request.url().path();
                recorded.query = request.query();
                recorded.body = request.body();
                for (const auto& [name, value] : request.headers())
                    recorded.headers.insert(name.toLower(), value);
                requests.append(recorded);
                const Reply reply = handler ? handler(recorded) : defaultReply(recorded);
                QHttpServerResponse response(reply.contentType, reply.body,
                                             QHttpServerResponse::StatusCode(reply.status));
                for (const auto& [name, value] : reply.headers)
                    response.addHeader(name, value);
                response.write(std::move(responder));
            });
        m_port = m_server.listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_port; }
    QString base() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QString repoUrl(const QString& label = QStringLiteral("main")) const
    {
        return base() + QStringLiteral("/api/butler/repo/") + label;
    }
    QString apiPath(const QString& route) const { return QStringLiteral("/api/butler/repo/main/v1") + route; }

    static Reply defaultReply(const Recorded& request)
    {
        if (request.path.endsWith(QLatin1String("/main/v1/universe")))
            return json(butler::DimensionUniverse::defaultUniverse().toJson());
        if (request.path == QLatin1String("/api/butler/repos"))
            return json(QJsonObject{{"repositories", QJsonArray{"main", "other"}}});
        if (request.path.endsWith(QLatin1String("/main/v1/whoami")))
            return json(QJsonObject{{"user", "alice"},
                                    {"groups", QJsonArray{"g1", "g2"}},
                                    {"admin", false},
                                    {"data_rights", true}});
        return errorReply(404, "not_found", "no such route " + request.path);
    }

    int count(const QString& pathSuffix) const
    {
        int n = 0;
        for (const Recorded& request : requests)
            n += request.path.endsWith(pathSuffix) ? 1 : 0;
        return n;
    }

    std::function<Reply(const Recorded&)> handler;
    QList<Recorded> requests;

private:
    QHttpServer m_server;
    quint16 m_port = 0;
};

} // namespace fake
