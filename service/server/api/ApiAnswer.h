#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace butler {

// What a handler produced, handed back from a worker thread to the connection's thread.
struct ApiAnswer
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static ApiAnswer json(const QJsonObject& object, int status = 200);
    // A JSON object already written as text (JsonWriter).
    static ApiAnswer jsonText(QByteArray text, int status = 200);
    static ApiAnswer empty(int status = 200); // "{}"
    static ApiAnswer redirect(const QByteArray& location);
};

} // namespace butler
