#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace butler {

// One request as the front framed and validated it (HttpRequestFramer): method, target as sent,
// header fields in arrival order, and the body, decoded if it arrived chunked. The server parses
// requests itself: Qt 6.4's QHttpServer reads a request one byte at a time through QIODevice
// transactions, which cost more than everything else a small request needs (measured).
class HttpRequest
{
public:
    using Field = QPair<QByteArray, QByteArray>;

    HttpRequest() = default;
    HttpRequest(QByteArray method, QByteArray target, QList<Field> headers, QByteArray body);

    const QByteArray& method() const { return m_method; }
    // The request target as sent: origin form (/path?query), absolute form or "*".
    const QByteArray& target() const { return m_target; }
    // Path of the target, percent-encoded as sent / fully decoded.
    QByteArray encodedPath() const;
    QString path() const;
    // Query of the target, percent-encoded as sent (no '?').
    QByteArray encodedQuery() const;
    QUrlQuery query() const;
    QUrl url() const;

    // The field's values joined with ", " (RFC 9110 5.3), name compared case-insensitively;
    // empty when absent.
    QByteArray value(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    const QList<Field>& headers() const { return m_headers; }
    const QByteArray& body() const { return m_body; }

private:
    // Path and query of an origin-form target; an absolute-form target's are found through QUrl.
    QByteArrayView originPart() const;

    QByteArray m_method;
    QByteArray m_target;
    QList<Field> m_headers;
    QByteArray m_body;
};

} // namespace butler
