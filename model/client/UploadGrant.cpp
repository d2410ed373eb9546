#include "UploadGrant.h"

#include <QJsonArray>

namespace butler {

Result<UploadGrant> UploadGrant::fromJson(const DimensionUniverse& universe, const QJsonObject& json)
{
    UploadGrant grant;
    const QJsonValue uploadId = json.value(QLatin1String("upload_id"));
    if (!uploadId.isNull() && !uploadId.isUndefined()) {
        if (!uploadId.isString())
            return invalidInput(QStringLiteral("field 'upload_id' must be a string"));
        grant.uploadId = uploadId.toString();
    }
    grant.expires = json.value(QLatin1String("expires")).toInteger();
    grant.reservedBytes = json.value(QLatin1String("reserved_bytes")).toInteger();
    const QJsonValue files = json.value(QLatin1String("files"));
    if (!files.isArray())
        return invalidInput(QStringLiteral("field 'files' must be a list"));
    for (const QJsonValue& value : files.toArray()) {
        if (!value.isObject())
            return invalidInput(QStringLiteral("field 'files' must be a list of objects"));
        const QJsonObject entry = value.toObject();
        Slot slot;
        slot.datasetId = QUuid::fromString(entry.value(QLatin1String("dataset_id")).toString());
        slot.status = entry.value(QLatin1String("status")).toString();
        slot.url = entry.value(QLatin1String("url")).toString();
        slot.expires = entry.value(QLatin1String("expires")).toInteger();
        slot.path = entry.value(QLatin1String("path")).toString();
        if (slot.datasetId.isNull())
            return invalidInput(QStringLiteral("an upload slot has no dataset_id"));
        if (slot.status == QLatin1String("upload") && slot.url.isEmpty())
            return invalidInput(QStringLiteral("an upload slot has no URL"));
        if (slot.status != QLatin1String("upload") && slot.status != QLatin1String("uploaded") &&
            slot.status != QLatin1String("exists"))
            return invalidInput(QStringLiteral("unknown upload slot status '%1'").arg(slot.status.left(40)));
        const QJsonValue dataset = entry.value(QLatin1String("dataset"));
        if (dataset.isObject()) {
            BUTLER_ASSIGN_OR_RETURN(DatasetRef ref, DatasetRef::fromJson(universe, dataset.toObject()));
            slot.dataset = std::move(ref);
        }
        grant.files.append(std::move(slot));
    }
    return grant;
}

} // namespace butler
