#pragma once

#include <QString>

namespace butler {

// The kinds of failure that cross library boundaries. The server maps each kind to one
// HTTP status, and the CLI maps all of them to exit status 1.
enum class ErrorKind
{
    InvalidInput,     // malformed expression, value, file or argument (400)
    NotFound,         // unknown collection, dataset type, dataset, element (404)
    Conflict,         // uniqueness or overlap violation, cycle, already exists (409)
    Unauthenticated,  // missing, malformed, expired or unverifiable credentials (401)
    PermissionDenied, // not allowed for this user (403)
    QuotaExceeded,    // quota or size limit (413/409)
    Unavailable,      // server unreachable, database locked (503)
    Io,               // file system or network failure
    Internal,         // a bug: never caused by user input
};

QString errorKindName(ErrorKind kind);

// An error with a kind and a user-facing message that says what went wrong and, where it can,
// what to do about it.
class Error
{
public:
    Error() = default;
    Error(ErrorKind kind, QString message)
        : m_kind(kind)
        , m_message(std::move(message))
    {
    }

    ErrorKind kind() const { return m_kind; }
    const QString& message() const { return m_message; }
    QString kindName() const { return errorKindName(m_kind); }

    // Returns a copy with "context: " put in front of the message.
    Error withContext(const QString& context) const
    {
        return Error(m_kind, context + QStringLiteral(": ") + m_message);
    }

private:
    ErrorKind m_kind = ErrorKind::Internal;
    QString m_message;
};

inline Error invalidInput(QString message)
{
    return Error(ErrorKind::InvalidInput, std::move(message));
}
inline Error notFound(QString message)
{
    return Error(ErrorKind::NotFound, std::move(message));
}
inline Error conflict(QString message)
{
    return Error(ErrorKind::Conflict, std::move(message));
}
inline Error ioError(QString message)
{
    return Error(ErrorKind::Io, std::move(message));
}
inline Error internalError(QString message)
{
    return Error(ErrorKind::Internal, std::move(message));
}

} // namespace butler
