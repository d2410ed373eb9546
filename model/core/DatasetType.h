#pragma once

#include "DimensionGroup.h"
#include "Result.h"

#include <QJsonObject>

#include <memory>
#include <mutex>

namespace butler {

class JsonWriter;

class DimensionUniverse;

// A named kind of dataset: its dimensions, the storage class name (meaningful to clients
// only) and whether it is a calibration. Immutable once registered.
class DatasetType
{
public:
    DatasetType() = default;
    DatasetType(QString name, DimensionGroup dimensions, QString storageClass, bool isCalibration = false);

    // Validates the name (letters, digits, '_', components after '.') and dimensions.
    static Result<DatasetType> make(const DimensionUniverse& universe, const QString& name,
                                    const QStringList& dimensions, const QString& storageClass,
                                    bool isCalibration = false);
    static Status validateName(const QString& name);

    const QString& name() const { return m_name; }
    const DimensionGroup& dimensions() const { return m_dimensions; }
    const QString& storageClass() const { return m_storageClass; }
    bool isCalibration() const { return m_isCalibration; }
    bool isValid() const { return !m_name.isEmpty(); }

    // {"name", "dimensions": [required...], "storage_class", "is_calibration"}
    QJsonObject toJson() const;
    void writeJson(JsonWriter& writer) const;
    static Result<DatasetType> fromJson(const DimensionUniverse& universe, const QJsonObject& json);

    // Same name, dimensions, storage class and calibration flag.
    bool operator==(const DatasetType& other) const;
    bool operator!=(const DatasetType& other) const { return !(*this == other); }

private:
    // The JSON text, written once and shared by every copy: each dataset ref in an answer
    // carries its type, and the registry hands out copies of one instance per type.
    struct JsonText
    {
        std::once_flag once;
        QByteArray text;
    };
    void writeJsonDirectly(JsonWriter& writer) const;

    QString m_name;
    DimensionGroup m_dimensions;
    QString m_storageClass;
    bool m_isCalibration = false;
    std::shared_ptr<JsonText> m_json;
};

} // namespace butler
