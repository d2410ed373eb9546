#pragma once

#include "DimensionUniverse.h"

#include <QStringList>

namespace butler {

class Database;

// Names and DDL of the registry's tables, generated from the dimension universe. Dimension
// element tables are "dim_<element>"; datasets of each dimension group live in
// "dataset_tags_<group id>" (RUN and TAGGED membership) and "dataset_calibs_<group id>"
// (CALIBRATION membership with validity ranges); the memberships of trashed datasets wait in
// "dataset_trash_<group id>" (see Registry's trash).
class RegistrySchema
{
public:
    // 2: the trash (trash_entry, dataset_trash_<group>, trash_id on collection and dataset).
    // 3: covering indexes for the per-row lookups of dataset queries (lookupIndexStatements).
    static constexpr int SchemaVersion = 3;

    RegistrySchema(const DimensionUniverse& universe, Database& db);

    // The static tables and the dimension element tables.
    QStringList createStatements() const;
    // The tags, calibs and trash tables of a dimension group.
    QStringList tagsTableStatements(int groupId, const QStringList& requiredDimensions) const;
    // The trash table of a dimension group, if missing (for repositories made before the trash).
    QStringList trashTableStatements(int groupId, const QStringList& requiredDimensions) const;
    // Version 1 to 2: the trash tables and columns (dimension groups' tables come separately).
    QStringList upgradeToTrashStatements() const;
    // Version 2 to 3, and part of a new registry: a page of a dataset query looks up each row's
    // run and ingest date, and its file size, by dataset ID. Random IDs put every row on another
    // page of the tables; these indexes answer from one b-tree seek instead of two, over narrow
    // rows (half the time of a page's lookups on a million datasets).
    QStringList lookupIndexStatements() const;
    static QString datasetLookupIndex() { return QStringLiteral("dataset_lookup"); }
    static QString fileSizeIndex() { return QStringLiteral("file_datastore_records_size"); }

    static QString elementTable(const QString& element) { return QStringLiteral("dim_") + element; }
    static QString tagsTable(int groupId) { return QStringLiteral("dataset_tags_%1").arg(groupId); }
    static QString calibsTable(int groupId) { return QStringLiteral("dataset_calibs_%1").arg(groupId); }
    static QString trashTable(int groupId) { return QStringLiteral("dataset_trash_%1").arg(groupId); }
    // The column holding a field of an element: the primary key is named after the element,
    // so that it joins by name with data ID columns elsewhere.
    static QString fieldColumn(const DimensionElement& element, const QString& field);
    // Columns of an element table in order: required dims, alternate keys, implied dims,
    // metadata, then timespan_begin/timespan_end and region when present.
    static QStringList elementColumns(const DimensionElement& element);

private:
    QStringList trashEntryStatements() const;
    QString columnType(FieldType type, int length) const;
    QString dimensionColumnType(const QString& dimension) const;

    const DimensionUniverse& m_universe;
    Database& m_db;
};

} // namespace butler
