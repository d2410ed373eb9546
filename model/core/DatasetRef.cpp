#include "DatasetRef.h"

#include "JsonWriter.h"
#include "TimeOrderedUuid.h"

#include <QJsonObject>

namespace butler {

DatasetRef::DatasetRef(QUuid id, DatasetType type, DataCoordinate dataId, QString run)
    : m_id(id)
    , m_type(std::move(type))
    , m_dataId(std::move(dataId))
    , m_run(std::move(run))
{
}

QUuid DatasetRef::makeId(DatasetIdMode mode, const DatasetType& type, const DataCoordinate& dataId,
                         const QString& run)
{
    if (mode == DatasetIdMode::Unique)
        return TimeOrderedUuid::generate();
    // daf_butler's namespace and key layout, so both produce the same deterministic IDs.
    static const QUuid nameSpace(QStringLiteral("840b31d9-05cd-5161-b2c8-00d32b280d0f"));
    QStringList items;
    items.append(QStringLiteral("dataset_type=") + type.name());
    if (mode == DatasetIdMode::DataIdTypeRun)
        items.append(QStringLiteral("run=") + run);
    QStringList required = dataId.group().required();
    std::sort(required.begin(), required.end());
    for (const QString& name : std::as_const(required))
        items.append(name + QLatin1Char('=') + dataId.value(name).toString());
    return QUuid::createUuidV5(nameSpace, items.join(QLatin1Char(',')));
}

QJsonObject DatasetRef::toJson() const
{
    QJsonObject object;
    object.insert(QLatin1String("id"), idString());
    object.insert(QLatin1String("dataset_type"), m_type.toJson());
    object.insert(QLatin1String("data_id"), m_dataId.toJson());
    // An empty run is one the server does not name to this reader: null on the wire.
    object.insert(QLatin1String("run"), m_run.isEmpty() ? QJsonValue() : QJsonValue(m_run));
    return object;
}

void DatasetRef::writeJson(JsonWriter& writer) const
{
    // Keys in QJsonObject's (sorted) order, so both forms give the same bytes.
    writer.beginObject();
    writer.key("data_id");
    m_dataId.writeJson(writer);
    writer.key("dataset_type");
    m_type.writeJson(writer);
    writer.key("id");
    writer.value(QByteArrayView(m_id.toByteArray(QUuid::WithoutBraces)));
    writer.key("run");
    // An empty run is one the server does not name to this reader, as in toJson().
    if (m_run.isEmpty())
        writer.null();
    else
        writer.value(m_run);
    writer.endObject();
}

Result<DatasetRef> DatasetRef::fromJson(const DimensionUniverse& universe, const QJsonObject& json)
{
    const QUuid id = QUuid::fromString(json.value(QLatin1String("id")).toString());
    if (id.isNull())
        return invalidInput(QStringLiteral("dataset ref has no valid 'id'"));
    BUTLER_ASSIGN_OR_RETURN(
        DatasetType type,
        DatasetType::fromJson(universe, json.value(QLatin1String("dataset_type")).toObject()));
    BUTLER_ASSIGN_OR_RETURN(DataCoordinate dataId,
                            DataCoordinate::fromJson(universe, type.dimensions(),
                                                     json.value(QLatin1String("data_id")).toObject()));
    const QJsonValue runValue = json.value(QLatin1String("run"));
    const QString run = runValue.toString();
    // null: the server withheld the name of a run the reader may not see.
    if (run.isEmpty() && !runValue.isNull())
        return invalidInput(QStringLiteral("dataset ref has no 'run'"));
    return DatasetRef(id, type, dataId, run);
}

} // namespace butler
