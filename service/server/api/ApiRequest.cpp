#include "ApiRequest.h"

#include <QJsonDocument>

namespace butler {

QString ApiRequest::param(const QString& name) const
{
    return query.queryItemValue(name, QUrl::FullyDecoded);
}

QStringList ApiRequest::params(const QString& name) const
{
    return query.allQueryItemValues(name, QUrl::FullyDecoded);
}

Result<QString> ApiRequest::requiredParam(const QString& name) const
{
    if (!query.hasQueryItem(name))
        return invalidInput(QStringLiteral("missing query parameter '%1'").arg(name));
    return param(name);
}

Result<bool> ApiRequest::boolParam(const QString& name, bool fallback) const
{
    if (!query.hasQueryItem(name))
        return fallback;
    const QString value = param(name).toLower();
    if (value == QLatin1String("1") || value == QLatin1String("true") || value == QLatin1String("yes"))
        return true;
    if (value == QLatin1String("0") || value == QLatin1String("false") || value == QLatin1String("no"))
        return false;
    return invalidInput(
        QStringLiteral("query parameter '%1' must be true or false, not '%2'").arg(name, value));
}

Result<QUuid> ApiRequest::uuidParam(const QString& name) const
{
    BUTLER_ASSIGN_OR_RETURN(const QString text, requiredParam(name));
    const QUuid id = QUuid::fromString(text);
    if (id.isNull())
        return invalidInput(
            QStringLiteral("query parameter '%1' is not a UUID: '%2'").arg(name, text.left(64)));
    return id;
}

Result<QJsonObject> ApiRequest::jsonBody() const
{
    if (body.trimmed().isEmpty())
        return invalidInput(QStringLiteral("the request needs a JSON object as its body"));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalidInput(QStringLiteral("the request body is not valid JSON: %1 at offset %2")
                                .arg(parseError.errorString())
                                .arg(parseError.offset));
    if (!document.isObject())
        return invalidInput(QStringLiteral("the request body must be a JSON object"));
    return document.object();
}

} // namespace butler
