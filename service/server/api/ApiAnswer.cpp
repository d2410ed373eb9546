#include "ApiAnswer.h"

#include <QJsonDocument>

namespace butler {

ApiAnswer ApiAnswer::json(const QJsonObject& object, int status)
{
    ApiAnswer answer;
    answer.status = status;
    answer.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return answer;
}

ApiAnswer ApiAnswer::jsonText(QByteArray text, int status)
{
    ApiAnswer answer;
    answer.status = status;
    answer.body = std::move(text);
    return answer;
}

ApiAnswer ApiAnswer::empty(int status)
{
    ApiAnswer answer;
    answer.status = status;
    answer.body = QByteArrayLiteral("{}");
    return answer;
}

ApiAnswer ApiAnswer::redirect(const QByteArray& location)
{
    ApiAnswer answer;
    answer.status = 307;
    answer.body = QByteArrayLiteral("{}");
    answer.headers.append({QByteArrayLiteral("Location"), location});
    answer.headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")});
    return answer;
}

} // namespace butler
