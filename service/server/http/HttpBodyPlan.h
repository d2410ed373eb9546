#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

namespace butler {

class HttpBodySink;

// A request whose header is complete and whose body has not been read yet.
struct HttpRequestHead
{
    QByteArray method;
    QByteArray target; // as on the request line, still percent-encoded
    const QList<QPair<QByteArray, QByteArray>>* headers = nullptr;
    qint64 contentLength = 0; // -1: chunked, length unknown
};

// What the front does with the body of one request, decided from its header alone.
struct HttpBodyPlan
{
    enum class Kind
    {
        Buffer, // in memory, up to HttpLimits::maxBodyBytes, then to the handler (the default)
        Stream, // through sink, whatever its size; the handler sees an empty body
        Refuse, // answer status/type/message now, read none of the body, close
    };

    Kind kind = Kind::Buffer;
    std::shared_ptr<HttpBodySink> sink;
    int status = 0;
    QByteArray type;
    QString message;

    static HttpBodyPlan buffer() { return {}; }
    static HttpBodyPlan stream(std::shared_ptr<HttpBodySink> sink)
    {
        HttpBodyPlan plan;
        plan.kind = Kind::Stream;
        plan.sink = std::move(sink);
        return plan;
    }
    static HttpBodyPlan refuse(int status, QByteArray type, QString message)
    {
        HttpBodyPlan plan;
        plan.kind = Kind::Refuse;
        plan.status = status;
        plan.type = std::move(type);
        plan.message = std::move(message);
        return plan;
    }
};

// Called on the connection's thread for every request once its header is in; must not block.
using HttpBodyPlanner = std::function<HttpBodyPlan(const HttpRequestHead& head)>;

} // namespace butler
