#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace butler {

enum class FieldType
{
    Int,
    String,
    Float,
    Bool,
    Hash
};

// One column of a dimension element: a key or a metadata field.
struct FieldSpec
{
    QString name;
    FieldType type = FieldType::String;
    int length = 0; // strings and hashes: the maximum length in characters or bytes
    QString doc;
    bool nullable = true;
};

QString fieldTypeName(FieldType type);

// A table of the dimension universe. Elements with keys are dimensions (their first key is
// the value that appears in data IDs); elements without keys only relate dimensions
// (visit_definition) or carry per-combination data (visit_detector_region).
class DimensionElement
{
public:
    QString name;
    QString doc;
    QList<FieldSpec> keys;
    QStringList required; // dimensions that form the primary key besides this one, in order
    QStringList implies;  // dimensions this element determines (foreign keys)
    QList<FieldSpec> metadata;
    bool governor = false;
    bool alwaysJoin = false;
    bool hasTimespan = false;
    bool hasRegion = false;
    QString populatedBy;
    QString viewOf; // band is a view of physical_filter: its records come from there

    bool isDimension() const { return !keys.isEmpty(); }
    const FieldSpec& primaryKey() const { return keys.first(); }
    // The alternate keys (detector.full_name, exposure.obs_id, visit.name).
    QList<FieldSpec> alternateKeys() const { return keys.mid(1); }
    // The required dimensions including this one when it is a dimension.
    QStringList requiredDimensions() const;
    // The field spec of a key or metadata field by name, nullptr when unknown.
    const FieldSpec* field(const QString& fieldName) const;
};

} // namespace butler
