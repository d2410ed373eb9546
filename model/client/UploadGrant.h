#pragma once

#include "DatasetRef.h"
#include "Result.h"

#include <QList>
#include <QString>

#include <optional>

namespace butler {

class DimensionUniverse;

// The server's answer to POST /uploads: per announced file, in order, what to do with it.
struct UploadGrant
{
    struct Slot
    {
        QUuid datasetId;
        QString status; // "upload": PUT it to url; "uploaded": the server has it; "exists": in the run
        QString url;
        qint64 expires = 0;
        QString path;
        std::optional<DatasetRef> dataset; // for "exists"
    };

    QString uploadId; // empty: nothing to commit
    qint64 expires = 0;
    qint64 reservedBytes = 0;
    QList<Slot> files;

    static Result<UploadGrant> fromJson(const DimensionUniverse& universe, const QJsonObject& json);
};

} // namespace butler
