#pragma once

#include "DataCoordinate.h"
#include "DatasetType.h"

#include <QUuid>

namespace butler {

class JsonWriter;

// How a new dataset's UUID is made: at random (the default), or derived from what identifies
// it so that re-ingesting the same thing gives the same ID (compatible with daf_butler).
enum class DatasetIdMode
{
    Unique,
    DataIdType,
    DataIdTypeRun
};

// A resolved dataset: UUID + dataset type + data ID + RUN.
class DatasetRef
{
public:
    DatasetRef() = default;
    DatasetRef(QUuid id, DatasetType type, DataCoordinate dataId, QString run);

    static QUuid makeId(DatasetIdMode mode, const DatasetType& type, const DataCoordinate& dataId,
                        const QString& run);

    const QUuid& id() const { return m_id; }
    const DatasetType& datasetType() const { return m_type; }
    const DataCoordinate& dataId() const { return m_dataId; }
    const QString& run() const { return m_run; }
    bool isValid() const { return !m_id.isNull(); }
    QString idString() const { return m_id.toString(QUuid::WithoutBraces); }

    // {"id", "dataset_type": {...}, "data_id": {...}, "run"}
    QJsonObject toJson() const;
    // The same JSON as toJson(), written straight into a writer (answers with many refs).
    void writeJson(JsonWriter& writer) const;
    static Result<DatasetRef> fromJson(const DimensionUniverse& universe, const QJsonObject& json);

    bool operator==(const DatasetRef& other) const
    {
        return m_id == other.m_id && m_type == other.m_type && m_dataId == other.m_dataId &&
               m_run == other.m_run;
    }

private:
    QUuid m_id;
    DatasetType m_type;
    DataCoordinate m_dataId;
    QString m_run;
};

} // namespace butler
