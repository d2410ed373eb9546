#include "HttpWire.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <cstring>
#include <ctime>

namespace butler {

QByteArray HttpWire::reasonPhrase(int status)
{
    struct Reason
    {
        int status;
        const char* text;
    };
    static constexpr Reason kReasons[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {203, "Non-Authoritative Information"},
        {204, "No Content"},
        {205, "Reset Content"},
        {206, "Partial Content"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {422, "Unprocessable Content"},
        {428, "Precondition Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (const Reason& reason : kReasons) {
        if (reason.status == status)
            return QByteArray::fromRawData(reason.text, qsizetype(std::strlen(reason.text)));
    }
    // RFC 9110 15: an unknown code is understood as the x00 of its class; the phrase is optional.
    return QByteArray();
}

bool HttpWire::statusHasBody(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

void HttpWire::appendStatusLine(QByteArray& out, int status)
{
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\n";
}

QByteArray HttpWire::date()
{
    // Formatted by hand: strftime's %a and %b follow the locale, which Qt sets from the environment.
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    thread_local std::time_t cachedSecond = -1;
    thread_local QByteArray cachedValue;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond) {
        std::tm parts{};
        gmtime_r(&now, &parts);
        char text[32];
        std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[parts.tm_wday],
                      parts.tm_mday, kMonths[parts.tm_mon], parts.tm_year + 1900, parts.tm_hour, parts.tm_min,
                      parts.tm_sec);
        cachedValue = QByteArray(text);
        cachedSecond = now;
    }
    return cachedValue;
}

QByteArray HttpWire::errorBody(const QByteArray& type, const QString& message)
{
    const QJsonObject error{{QStringLiteral("type"), QString::fromLatin1(type)},
                            {QStringLiteral("message"), message}};
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
}

QByteArray HttpWire::errorResponse(int status, const QByteArray& type, const QString& message)
{
    const QByteArray body = errorBody(type, message);
    QByteArray out;
    out.reserve(192 + body.size());
    appendStatusLine(out, status);
    out += "Date: " + date() + "\r\n";
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (status == 503)
        out += "Retry-After: 1\r\n";
    out += "Connection: close\r\n\r\n";
    out += body;
    return out;
}

} // namespace butler
