#pragma once

#include "Error.h"

#include <QByteArray>

namespace butler {

struct ApiAnswer;

// The one mapping from error kinds to HTTP answers, so every route reports failures alike.
class ApiErrors
{
public:
    static int httpStatus(ErrorKind kind);
    static ApiAnswer answer(const Error& error);
    // An error type that is not an ErrorKind: "method_not_allowed", "bad_request", ...
    static ApiAnswer answer(int status, const QString& type, const QString& message);
};

} // namespace butler
