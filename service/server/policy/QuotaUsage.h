#pragma once

#include <QJsonObject>
#include <QString>

#include <algorithm>

namespace butler {

// One user's storage quota as of one moment: the limit (the configured default or an admin's
// override), the bytes of the files charged to the user, and the bytes reserved by open uploads.
struct QuotaUsage
{
    QString user;
    qint64 limitBytes = 0;
    bool defaultLimit = true; // no override set
    qint64 usedBytes = 0;
    qint64 reservedBytes = 0;

    qint64 availableBytes() const { return std::max<qint64>(0, limitBytes - usedBytes - reservedBytes); }
    // {"user","limit_bytes","default_limit","used_bytes","reserved_bytes","available_bytes"}
    QJsonObject toJson() const
    {
        return QJsonObject{{QStringLiteral("user"), user},
                           {QStringLiteral("limit_bytes"), limitBytes},
                           {QStringLiteral("default_limit"), defaultLimit},
                           {QStringLiteral("used_bytes"), usedBytes},
                           {QStringLiteral("reserved_bytes"), reservedBytes},
                           {QStringLiteral("available_bytes"), availableBytes()}};
    }
};

} // namespace butler
