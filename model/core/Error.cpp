#include "Error.h"

namespace butler {

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::InvalidInput:
        return QStringLiteral("invalid_input");
    case ErrorKind::NotFound:
        return QStringLiteral("not_found");
    case ErrorKind::Conflict:
        return QStringLiteral("conflict");
    case ErrorKind::Unauthenticated:
        return QStringLiteral("unauthenticated");
    case ErrorKind::PermissionDenied:
        return QStringLiteral("permission_denied");
    case ErrorKind::QuotaExceeded:
        return QStringLiteral("quota_exceeded");
    case ErrorKind::Unavailable:
        return QStringLiteral("unavailable");
    case ErrorKind::Io:
        return QStringLiteral("io_error");
    case ErrorKind::Internal:
        return QStringLiteral("internal");
    }
    return QStringLiteral("internal");
}

} // namespace butler
