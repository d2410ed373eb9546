#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace butler {

// Pieces of HTTP/1.1 answers shared by the replies and the connection's own error answers.
class HttpWire
{
public:
    HttpWire() = delete;

    static QByteArray reasonPhrase(int status);
    // False for 1xx, 204 and 304, which never carry a body (RFC 9110 6.4.1).
    static bool statusHasBody(int status);
    // "HTTP/1.1 404 Not Found\r\n"
    static void appendStatusLine(QByteArray& out, int status);
    // The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), cached per second and thread.
    static QByteArray date();
    // {"error":{"type":...,"message":...}}, compact.
    static QByteArray errorBody(const QByteArray& type, const QString& message);
    // A whole answer with a JSON error body that closes the connection.
    static QByteArray errorResponse(int status, const QByteArray& type, const QString& message);
    // Field names compare without regard to case (RFC 9110 5.1). The lengths first: most names
    // a request is searched for differ in length from most it has, and the case-blind compare
    // is an out-of-line call.
    static bool sameFieldName(QByteArrayView a, QByteArrayView b)
    {
        return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
    }
};

} // namespace butler
