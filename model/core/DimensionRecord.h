#pragma once

#include "Result.h"
#include "Timespan.h"

#include <QByteArray>
#include <QJsonObject>
#include <QVariantMap>
#include <optional>

namespace butler {

class DimensionUniverse;
class DimensionElement;

// A row of a dimension element: its required dimension values and primary key under the
// dimension names (plus alternate keys, implied dimensions and metadata by field name), an
// optional timespan and an opaque region.
class DimensionRecord
{
public:
    DimensionRecord() = default;
    DimensionRecord(QString element, QVariantMap values, std::optional<Timespan> timespan = {},
                    QByteArray region = {});

    // Checks field names and types against the element and coerces values (ints, floats,
    // bools, strings with length limits). The element's own key may be given as its key
    // name ("id", "name") or as the element name.
    static Result<DimensionRecord> validated(const DimensionUniverse& universe, const QString& element,
                                             const QVariantMap& values, std::optional<Timespan> timespan = {},
                                             QByteArray region = {});

    const QString& element() const { return m_element; }
    const QVariantMap& values() const { return m_values; }
    QVariant value(const QString& field) const { return m_values.value(field); }
    const std::optional<Timespan>& timespan() const { return m_timespan; }
    const QByteArray& region() const { return m_region; }

    // {"element": ..., "values": {...}, "timespan": {...}|null, "region": hex|null}
    QJsonObject toJson() const;
    static Result<DimensionRecord> fromJson(const DimensionUniverse& universe, const QJsonObject& json);

private:
    QString m_element;
    QVariantMap m_values;
    std::optional<Timespan> m_timespan;
    QByteArray m_region;
};

} // namespace butler
