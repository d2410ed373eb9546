#include "ApiErrors.h"

#include "ApiAnswer.h"

#include <QJsonObject>

namespace butler {

int ApiErrors::httpStatus(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::InvalidInput:
        return 400;
    case ErrorKind::Unauthenticated:
        return 401;
    case ErrorKind::PermissionDenied:
        return 403;
    case ErrorKind::NotFound:
        return 404;
    case ErrorKind::Conflict:
        return 409;
    case ErrorKind::QuotaExceeded:
        return 413;
    case ErrorKind::Unavailable:
        return 503;
    case ErrorKind::Io:
    case ErrorKind::Internal:
        return 500;
    }
    return 500;
}

ApiAnswer ApiErrors::answer(const Error& error)
{
    ApiAnswer result = answer(httpStatus(error.kind()), error.kindName(), error.message());
    if (error.kind() == ErrorKind::Unauthenticated)
        result.headers.append({QByteArrayLiteral("WWW-Authenticate"),
                               QByteArrayLiteral("Bearer realm=\"butler\", error=\"invalid_token\"")});
    else if (error.kind() == ErrorKind::Unavailable)
        result.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
    return result;
}

ApiAnswer ApiErrors::answer(int status, const QString& type, const QString& message)
{
    QJsonObject inner{{QStringLiteral("type"), type}, {QStringLiteral("message"), message}};
    return ApiAnswer::json(QJsonObject{{QStringLiteral("error"), inner}}, status);
}

} // namespace butler
