#include "RegistrySchema.h"

#include "Database.h"

namespace butler {

RegistrySchema::RegistrySchema(const DimensionUniverse& universe, Database& db)
    : m_universe(universe)
    , m_db(db)
{
}

QString RegistrySchema::fieldColumn(const DimensionElement& element, const QString& field)
{
    if (element.isDimension() && (field == element.primaryKey().name || field == element.name))
        return element.name;
    return field;
}

QStringList RegistrySchema::elementColumns(const DimensionElement& element)
{
    QStringList columns = element.requiredDimensions();
    for (const FieldSpec& key : element.alternateKeys())
        columns.append(key.name);
    columns.append(element.implies);
    for (const FieldSpec& m : element.metadata)
        columns.append(m.name);
    if (element.hasTimespan) {
        columns.append(QStringLiteral("timespan_begin"));
        columns.append(QStringLiteral("timespan_end"));
    }
    if (element.hasRegion)
        columns.append(QStringLiteral("region"));
    return columns;
}

QString RegistrySchema::columnType(FieldType type, int length) const
{
    Q_UNUSED(length);
    switch (type) {
    case FieldType::Int:
        return m_db.bigintType();
    case FieldType::Float:
        return m_db.floatType();
    case FieldType::Bool:
        return m_db.integerType();
    case FieldType::Hash:
        return m_db.blobType();
    case FieldType::String:
        return m_db.textType();
    }
    return m_db.textType();
}

QString RegistrySchema::dimensionColumnType(const QString& dimension) const
{
    const DimensionElement* e = m_universe.element(dimension);
    return columnType(e->primaryKey().type, e->primaryKey().length);
}

QStringList RegistrySchema::createStatements() const
{
    const QString pk = m_db.autoIncrementPrimaryKey();
    QStringList s;
    s << QStringLiteral("CREATE TABLE butler_attributes (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
    // trash_id: the trash entry holding the collection; NULL while it is in use.
    s << QStringLiteral("CREATE TABLE collection (collection_id %1, name TEXT NOT NULL UNIQUE, "
                        "type INTEGER NOT NULL, doc TEXT NOT NULL DEFAULT '', trash_id INTEGER)")
             .arg(pk);
    s << QStringLiteral(
        "CREATE TABLE collection_chain (parent INTEGER NOT NULL REFERENCES collection(collection_id) "
        "ON DELETE CASCADE, position INTEGER NOT NULL, child INTEGER NOT NULL REFERENCES "
        "collection(collection_id), PRIMARY KEY (parent, position))");
    s << QStringLiteral("CREATE INDEX collection_chain_child ON collection_chain (child)");
    s << QStringLiteral("CREATE TABLE dimension_group (group_id %1, dimensions TEXT NOT NULL UNIQUE)")
             .arg(pk);
    s << QStringLiteral(
             "CREATE TABLE dataset_type (dataset_type_id %1, name TEXT NOT NULL UNIQUE, "
             "storage_class TEXT NOT NULL, group_id INTEGER NOT NULL REFERENCES dimension_group(group_id), "
             "is_calibration INTEGER NOT NULL)")
             .arg(pk);
    s << QStringLiteral(
             "CREATE TABLE dataset (id TEXT PRIMARY KEY, dataset_type_id INTEGER NOT NULL REFERENCES "
             "dataset_type(dataset_type_id), run_id INTEGER NOT NULL REFERENCES collection(collection_id), "
             "ingest_date %1 NOT NULL, trash_id INTEGER)")
             .arg(m_db.bigintType());
    s << QStringLiteral("CREATE INDEX dataset_run ON dataset (run_id, dataset_type_id)");
    s << QStringLiteral("CREATE INDEX dataset_trash ON dataset (trash_id)");
    s << trashEntryStatements();
    s << QStringLiteral(
             "CREATE TABLE file_datastore_records (dataset_id TEXT PRIMARY KEY REFERENCES dataset(id) "
             "ON DELETE CASCADE, path TEXT NOT NULL, formatter TEXT NOT NULL, storage_class TEXT NOT NULL, "
             "file_size %1 NOT NULL, checksum TEXT NOT NULL)")
             .arg(m_db.bigintType());
    s << lookupIndexStatements();

    for (const DimensionElement& e : m_universe.elements()) {
        QStringList cols;
        QStringList constraints;
        for (const QString& dim : e.required)
            cols << Database::quote(dim) + QLatin1Char(' ') + dimensionColumnType(dim) +
                        QStringLiteral(" NOT NULL");
        if (e.isDimension())
            cols << Database::quote(e.name) + QLatin1Char(' ') +
                        columnType(e.primaryKey().type, e.primaryKey().length) + QStringLiteral(" NOT NULL");
        for (const FieldSpec& key : e.alternateKeys())
            cols << Database::quote(key.name) + QLatin1Char(' ') + columnType(key.type, key.length);
        for (const QString& dim : e.implies)
            cols << Database::quote(dim) + QLatin1Char(' ') + dimensionColumnType(dim);
        for (const FieldSpec& m : e.metadata)
            cols << Database::quote(m.name) + QLatin1Char(' ') + columnType(m.type, m.length);
        if (e.hasTimespan)
            cols << QStringLiteral("timespan_begin %1, timespan_end %1").arg(m_db.bigintType());
        if (e.hasRegion)
            cols << QStringLiteral("region ") + m_db.blobType();
        QStringList pkCols;
        for (const QString& c : e.requiredDimensions())
            pkCols << Database::quote(c);
        constraints << QStringLiteral("PRIMARY KEY (%1)").arg(pkCols.join(QStringLiteral(", ")));
        // Foreign keys to the elements this one requires or implies, so records cannot dangle
        // (an implied column may be NULL: SQL checks a foreign key only when it is not).
        for (const QString& dim : e.required + e.implies) {
            const DimensionElement* target = m_universe.element(dim);
            QStringList fk;
            for (const QString& c : target->requiredDimensions())
                fk << Database::quote(c);
            constraints << QStringLiteral("FOREIGN KEY (%1) REFERENCES %2 (%1)")
                               .arg(fk.join(QStringLiteral(", ")), elementTable(dim));
        }
        s << QStringLiteral("CREATE TABLE %1 (%2, %3)")
                 .arg(elementTable(e.name), cols.join(QStringLiteral(", ")),
                      constraints.join(QStringLiteral(", ")));
        for (const FieldSpec& key : e.alternateKeys()) {
            QStringList idx;
            for (const QString& c : e.required)
                idx << Database::quote(c);
            idx << Database::quote(key.name);
            s << QStringLiteral("CREATE INDEX %1_%2 ON %1 (%3)")
                     .arg(elementTable(e.name), key.name, idx.join(QStringLiteral(", ")));
        }
    }
    return s;
}

QStringList RegistrySchema::tagsTableStatements(int groupId, const QStringList& required) const
{
    QStringList cols;
    QStringList quoted;
    for (const QString& dim : required) {
        cols << Database::quote(dim) + QLatin1Char(' ') + dimensionColumnType(dim) +
                    QStringLiteral(" NOT NULL");
        quoted << Database::quote(dim);
    }
    QStringList fks;
    for (const QString& dim : required) {
        const DimensionElement* target = m_universe.element(dim);
        QStringList fk;
        for (const QString& c : target->requiredDimensions())
            fk << Database::quote(c);
        fks << QStringLiteral("FOREIGN KEY (%1) REFERENCES %2 (%1)")
                   .arg(fk.join(QStringLiteral(", ")), elementTable(dim));
    }
    const QString dimCols =
        cols.isEmpty() ? QString() : cols.join(QStringLiteral(", ")) + QStringLiteral(", ");
    const QString dimKey =
        quoted.isEmpty() ? QString() : QStringLiteral(", ") + quoted.join(QStringLiteral(", "));
    const QString fkText = fks.isEmpty() ? QString() : QStringLiteral(", ") + fks.join(QStringLiteral(", "));
    QStringList s;
    const QString tags = tagsTable(groupId);
    s << QStringLiteral(
             "CREATE TABLE %1 (dataset_type_id INTEGER NOT NULL, dataset_id TEXT NOT NULL REFERENCES "
             "dataset(id) ON DELETE CASCADE, collection_id INTEGER NOT NULL REFERENCES "
             "collection(collection_id) ON DELETE CASCADE, %2PRIMARY KEY (dataset_id, collection_id), "
             "UNIQUE (dataset_type_id, collection_id%3)%4)")
             .arg(tags, dimCols, dimKey, fkText);
    s << QStringLiteral("CREATE INDEX %1_dataid ON %1 (dataset_type_id%2)").arg(tags, dimKey);
    s << QStringLiteral("CREATE INDEX %1_collection ON %1 (collection_id, dataset_type_id)").arg(tags);
    const QString calibs = calibsTable(groupId);
    s << QStringLiteral(
             "CREATE TABLE %1 (calib_id %2, dataset_type_id INTEGER NOT NULL, dataset_id TEXT NOT NULL "
             "REFERENCES dataset(id) ON DELETE CASCADE, collection_id INTEGER NOT NULL REFERENCES "
             "collection(collection_id) ON DELETE CASCADE, %3validity_begin %4 NOT NULL, validity_end %4 "
             "NOT NULL%5)")
             .arg(calibs, m_db.autoIncrementPrimaryKey(), dimCols, m_db.bigintType(), fkText);
    s << QStringLiteral("CREATE INDEX %1_lookup ON %1 (dataset_type_id, collection_id%2)")
             .arg(calibs, dimKey);
    s << QStringLiteral("CREATE INDEX %1_dataset ON %1 (dataset_id)").arg(calibs);
    s << trashTableStatements(groupId, required);
    return s;
}

QStringList RegistrySchema::trashTableStatements(int groupId, const QStringList& required) const
{
    // The tags and calibs rows of trashed datasets, as they were (calibration tells which), with
    // no unique keys or foreign keys: they must not stop new datasets from taking their places.
    QStringList cols;
    for (const QString& dim : required)
        cols << Database::quote(dim) + QLatin1Char(' ') + dimensionColumnType(dim) +
                    QStringLiteral(" NOT NULL");
    const QString dimCols =
        cols.isEmpty() ? QString() : cols.join(QStringLiteral(", ")) + QStringLiteral(", ");
    const QString table = trashTable(groupId);
    QStringList s;
    s << QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (trash_id INTEGER NOT NULL, dataset_type_id INTEGER "
                        "NOT NULL, dataset_id TEXT NOT NULL, collection_id INTEGER NOT NULL, %2calibration "
                        "INTEGER NOT NULL, validity_begin %3, validity_end %3)")
             .arg(table, dimCols, m_db.bigintType());
    s << QStringLiteral("CREATE INDEX IF NOT EXISTS %1_entry ON %1 (trash_id)").arg(table);
    s << QStringLiteral("CREATE INDEX IF NOT EXISTS %1_collection ON %1 (collection_id)").arg(table);
    s << QStringLiteral("CREATE INDEX IF NOT EXISTS %1_dataset ON %1 (dataset_id)").arg(table);
    return s;
}

QStringList RegistrySchema::trashEntryStatements() const
{
    // collection_id has no foreign key: purging deletes the collection before the entry.
    QStringList s;
    s << QStringLiteral("CREATE TABLE IF NOT EXISTS trash_entry (trash_id %1, kind TEXT NOT NULL, "
                        "collection_id INTEGER NOT NULL, collection_name TEXT NOT NULL, collection_type "
                        "INTEGER NOT NULL, removed_by TEXT NOT NULL, removed_at %2 NOT NULL, expires_at %2 "
                        "NOT NULL, dataset_count %2 NOT NULL, file_count %2 NOT NULL, byte_count %2 NOT "
                        "NULL)")
             .arg(m_db.autoIncrementPrimaryKey(), m_db.bigintType());
    s << QStringLiteral("CREATE INDEX IF NOT EXISTS trash_entry_expires ON trash_entry (expires_at)");
    s << QStringLiteral("CREATE INDEX IF NOT EXISTS trash_entry_collection ON trash_entry (collection_id)");
    return s;
}

QStringList RegistrySchema::lookupIndexStatements() const
{
    return {QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON dataset (id, run_id, ingest_date)")
                .arg(datasetLookupIndex()),
            QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON file_datastore_records (dataset_id, file_size)")
                .arg(fileSizeIndex())};
}

QStringList RegistrySchema::upgradeToTrashStatements() const
{
    QStringList s;
    s << QStringLiteral("ALTER TABLE collection ADD COLUMN trash_id INTEGER");
    s << QStringLiteral("ALTER TABLE dataset ADD COLUMN trash_id INTEGER");
    s << QStringLiteral("CREATE INDEX IF NOT EXISTS dataset_trash ON dataset (trash_id)");
    s << trashEntryStatements();
    return s;
}

} // namespace butler
