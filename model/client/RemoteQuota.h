#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QString>

namespace butler {

// A user's storage quota as the server reports it: GET /quota.
struct RemoteQuota
{
    QString user;
    qint64 limitBytes = 0;
    bool defaultLimit = true; // no admin override
    qint64 usedBytes = 0;
    qint64 reservedBytes = 0; // held by uploads not yet committed
    qint64 availableBytes = 0;

    // {"user","limit_bytes","default_limit","used_bytes","reserved_bytes","available_bytes"}
    static Result<RemoteQuota> fromJson(const QJsonObject& json);
};

} // namespace butler
