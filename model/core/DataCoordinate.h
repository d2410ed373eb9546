#pragma once

#include "DimensionGroup.h"
#include "Result.h"

#include <QJsonObject>
#include <QList>
#include <QVariant>
#include <QVariantMap>

namespace butler {

class JsonWriter;

class DimensionUniverse;

// A data ID: values (qint64 or QString) for the dimensions of a group. Always holds every
// required value; holds implied values too when hasFull() (after expansion by the registry).
class DataCoordinate
{
public:
    DataCoordinate() = default;

    // Validates names, types (int keys accept integral numbers and decimal strings) and that
    // every required dimension is present. Implied values may be given; extra keys are an error.
    static Result<DataCoordinate> fromMap(const DimensionUniverse& universe, const DimensionGroup& group,
                                          const QVariantMap& values);
    // The smallest group containing the given keys, then fromMap().
    static Result<DataCoordinate> fromMapInferGroup(const DimensionUniverse& universe,
                                                    const QVariantMap& values);
    static Result<DataCoordinate> fromJson(const DimensionUniverse& universe, const DimensionGroup& group,
                                           const QJsonObject& json);
    // Builds from already-validated values in group order (required, then optionally implied).
    static DataCoordinate fromValues(const DimensionGroup& group, QList<QVariant> values);

    const DimensionGroup& group() const { return m_group; }
    bool hasFull() const { return m_values.size() == m_group.names().size(); }
    bool isEmpty() const { return m_group.isEmpty(); }
    // The value of a dimension, or an invalid QVariant when absent.
    QVariant value(const QString& dimension) const;
    bool contains(const QString& dimension) const { return value(dimension).isValid(); }
    // Required values in group order.
    QList<QVariant> requiredValues() const { return m_values.mid(0, m_group.required().size()); }
    const QList<QVariant>& values() const { return m_values; }

    // Adds implied values in group().implied() order.
    DataCoordinate withImplied(const QList<QVariant>& impliedValues) const;
    // Only the required values (implied dropped).
    DataCoordinate requiredOnly() const;
    // Restricts to a subgroup; every required value of the subgroup must be present here.
    Result<DataCoordinate> subset(const DimensionUniverse& universe, const DimensionGroup& subgroup) const;

    QVariantMap toMap() const;
    QJsonObject toJson() const;
    void writeJson(JsonWriter& writer) const;
    // "{instrument: 'LSSTCam', detector: 42}"
    QString toString() const;
    // A compact key of the required values, for hashing and uniqueness checks.
    QString key() const;

    bool operator==(const DataCoordinate& other) const;
    bool operator!=(const DataCoordinate& other) const { return !(*this == other); }

private:
    DimensionGroup m_group;
    QList<QVariant> m_values;
};

// Converts a value to the type of a dimension's primary key, or fails with a clear message.
Result<QVariant> coerceDimensionValue(const DimensionUniverse& universe, const QString& dimension,
                                      const QVariant& value);

} // namespace butler
