#include "Registry.h"

#include "Glob.h"
#include "QueryBuilder.h"
#include "RegistrySchema.h"
#include "TaiTime.h"
#include "TimeOrderedUuid.h"
#include "WhereParser.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlQuery>

#include <algorithm>
#include <limits>

Q_LOGGING_CATEGORY(lcRegistry, "butler.registry.core")

namespace butler {

struct Registry::TypeEntry
{
    qint64 id = 0;
    int groupId = 0;
    DatasetType type;
    QString insertTagsRow; // one row into its tags table: type, dataset, collection, data ID
};

struct Registry::CollectionEntry
{
    qint64 id = 0;
    CollectionInfo info;
};

struct Registry::TrashedCollection
{
    qint64 id = 0;
    qint64 trashId = 0;
    qint64 expiresAt = 0;
};

// What findDataset() needs of a dataset type and a search, made once per cache.
struct Registry::FindPlan
{
    const TypeEntry* type = nullptr;
    QList<const CollectionEntry*> leaves;
    QString sql; // asks the search's RUN and TAGGED collections; empty when it has none
};

struct Registry::Cache
{
    QString generation;
    QHash<QString, TypeEntry> typesByName;
    QHash<qint64, QString> typeNameById;
    QHash<QString, CollectionEntry> collectionsByName; // in use; the trash's are below
    QHash<qint64, QString> collectionNameById;
    QHash<QString, TrashedCollection> trashedByName;
    QHash<qint64, QString> trashedNameById;
    QSet<int> groupIds;                      // dimension groups that have tags and calibs tables in use
    QHash<int, QStringList> groupDimensions; // required dimensions of each group
    // Searches resolved against this cache (see resolveSearchCached()), by the names given.
    mutable QMutex searchMutex;
    mutable QHash<QStringList, QList<const CollectionEntry*>> searches;
    mutable QHash<std::pair<QString, QStringList>, std::shared_ptr<const FindPlan>> findPlans;
};

namespace {

QString uuidText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

// The IN list of ids[start, start + count) as placeholders and binds, padded to a power of two
// with the last ID again, so that each connection prepares only a handful of statements.
std::pair<QString, QVariantList> paddedIdList(const QList<QUuid>& ids, qsizetype start, qsizetype count)
{
    qsizetype padded = 1;
    while (padded < count)
        padded *= 2;
    QVariantList binds;
    binds.reserve(padded);
    for (qsizetype i = 0; i < padded; ++i)
        binds << uuidText(ids[start + std::min(i, count - 1)]);
    return {QStringLiteral("?, ").repeated(padded - 1) + QLatin1Char('?'), binds};
}

QString placeholders(int n)
{
    QString s;
    s.reserve(n * 3);
    for (int i = 0; i < n; ++i)
        s += i ? QStringLiteral(", ?") : QStringLiteral("?");
    return s;
}

// Statements stay under SQLite's oldest limit of bound parameters.
constexpr int MaxBindsPerStatement = 999;

// "HEAD VALUES (?, ?), (?, ?)": rows rows of columns parameters.
QString multiRowInsert(const QString& head, int columns, int rows)
{
    const QString row = QLatin1Char('(') + placeholders(columns) + QLatin1Char(')');
    QString sql;
    sql.reserve(head.size() + 8 + rows * (row.size() + 2));
    sql += head;
    sql += QStringLiteral(" VALUES ");
    for (int i = 0; i < rows; ++i) {
        if (i)
            sql += QStringLiteral(", ");
        sql += row;
    }
    return sql;
}

// Orders two dimension values (qint64 or QString) as an index on their column does.
int compareDimensionValues(const QVariant& a, const QVariant& b)
{
    if (a.typeId() == QMetaType::LongLong && b.typeId() == QMetaType::LongLong) {
        const qint64 x = a.toLongLong();
        const qint64 y = b.toLongLong();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.toString().compare(b.toString());
}

QString quotedList(const QStringList& names)
{
    QStringList q;
    for (const QString& n : names)
        q << Database::quote(n);
    return q.join(QStringLiteral(", "));
}

qint64 nowTai()
{
    // TAI - UTC changes only between days (leap seconds), so ERFA is asked once a day per
    // thread rather than on every put.
    thread_local qint64 cachedDay = std::numeric_limits<qint64>::min();
    thread_local qint64 cachedOffset = 0;
    constexpr qint64 DayMs = 86'400'000;
    const qint64 ms = QDateTime::currentMSecsSinceEpoch();
    const qint64 day = ms >= 0 ? ms / DayMs : (ms - DayMs + 1) / DayMs;
    if (day != cachedDay) {
        const qint64 midnight = day * DayMs;
        const Result<qint64> tai = TaiTime::fromDateTime(QDateTime::fromMSecsSinceEpoch(midnight, Qt::UTC));
        if (!tai)
            return 0;
        cachedOffset = *tai - midnight * 1'000'000;
        cachedDay = day;
    }
    return ms * 1'000'000 + cachedOffset;
}

bool hasGlobChars(const QString& s)
{
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?')) || s.contains(QLatin1Char('['));
}

QVariant sqlValue(const QVariant& v)
{
    if (v.typeId() == QMetaType::Bool)
        return v.toBool() ? 1 : 0;
    return v;
}

// The value of a dimension column as read back: integer keys come back as qint64.
QVariant dimensionValue(const DimensionUniverse& universe, const QString& dim, const QVariant& raw)
{
    if (raw.isNull())
        return {};
    const DimensionElement* e = universe.element(dim);
    if (e->primaryKey().type == FieldType::Int)
        return raw.toLongLong();
    return raw.toString();
}

QString encodeToken(const QString& type, const QVariantList& values)
{
    QJsonObject o;
    o.insert(QLatin1String("t"), type);
    QJsonArray array;
    for (const QVariant& v : values) // SQL NULLs come back as null values of a column type
        array.append(v.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue::fromVariant(v));
    o.insert(QLatin1String("v"), array);
    return QString::fromLatin1(QJsonDocument(o)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<std::pair<QString, QVariantList>> decodeToken(const QString& token)
{
    const QByteArray raw = QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding);
    const QJsonDocument doc = QJsonDocument::fromJson(raw);
    if (!doc.isObject() || !doc.object().value(QLatin1String("v")).isArray())
        return invalidInput(QStringLiteral("invalid page token"));
    QVariantList values;
    // Integers stay qint64 (times in ns do not fit a double); NULL keys stay NULL.
    for (const QJsonValue& v : doc.object().value(QLatin1String("v")).toArray()) {
        if (v.isArray() || v.isObject() || v.isUndefined())
            return invalidInput(QStringLiteral("invalid page token"));
        values << (v.isNull() ? QVariant() : v.toVariant());
    }
    return std::make_pair(doc.object().value(QLatin1String("t")).toString(), values);
}

// "instrument=Cam, id=1": the key values of a record, for messages.
QString recordKeyText(const DimensionElement& element, const DimensionRecord& record)
{
    QStringList parts;
    for (const QString& dim : element.required)
        parts << dim + QLatin1Char('=') + record.value(dim).toString();
    if (element.isDimension())
        parts << element.primaryKey().name + QLatin1Char('=') +
                     record.value(element.primaryKey().name).toString();
    return parts.join(QStringLiteral(", "));
}

// The records that a dimension record refers to (required and implied dimensions) and that
// do not exist, as "no instrument record 'NoSuchCam'"; asked only after a foreign-key failure.
QStringList missingReferences(Database& db, const DimensionUniverse& universe,
                              const DimensionElement& element, const DimensionRecord& record)
{
    QStringList missing;
    for (const QString& dim : element.required + element.implies) {
        const DimensionElement* target = universe.element(dim);
        QStringList where;
        QVariantList binds;
        QStringList key;
        for (const QString& col : target->requiredDimensions()) {
            const QVariant v = record.value(col);
            if (!v.isValid() || v.isNull())
                break;
            where << Database::quote(col) + QStringLiteral(" = ?");
            binds << sqlValue(v);
            key << col + QLatin1Char('=') + v.toString();
        }
        if (binds.size() != target->requiredDimensions().size())
            continue; // a NULL implied value refers to nothing
        auto q = db.exec(QStringLiteral("SELECT 1 FROM %1 WHERE %2")
                             .arg(RegistrySchema::elementTable(dim), where.join(QStringLiteral(" AND "))),
                         binds);
        if (!q)
            continue;
        const bool found = (*q)->next();
        (*q)->finish();
        if (!found)
            missing << (key.size() == 1
                            ? QStringLiteral("no %1 record '%2'").arg(dim, binds.first().toString())
                            : QStringLiteral("no %1 record for %2").arg(dim, key.join(QStringLiteral(", "))));
    }
    return missing;
}

QString isoDate(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

Status upgradeToTrash(Database& db, const DimensionUniverse& universe)
{
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    RegistrySchema schema(universe, db);
    for (const QString& statement : schema.upgradeToTrashStatements())
        BUTLER_TRY(db.execDirect(statement));
    QList<std::pair<int, QStringList>> groups;
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q,
                            db.exec(QStringLiteral("SELECT group_id, dimensions FROM dimension_group")));
    while (q->next())
        groups.append(
            {q->value(0).toInt(), q->value(1).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)});
    q->finish();
    for (const auto& [id, dimensions] : std::as_const(groups))
        for (const QString& statement : schema.trashTableStatements(id, dimensions))
            BUTLER_TRY(db.execDirect(statement));
    BUTLER_TRY(
        db.exec(QStringLiteral("UPDATE butler_attributes SET value = '2' WHERE name = 'schema_version'")));
    return tx.commit();
}

Status upgradeToLookupIndexes(Database& db, const DimensionUniverse& universe)
{
    QElapsedTimer timer;
    timer.start();
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    for (const QString& statement : RegistrySchema(universe, db).lookupIndexStatements())
        BUTLER_TRY(db.execDirect(statement));
    BUTLER_TRY(
        db.exec(QStringLiteral("UPDATE butler_attributes SET value = '3' WHERE name = 'schema_version'")));
    BUTLER_TRY(tx.commit());
    qCInfo(lcRegistry) << "added the dataset lookup indexes (schema version 3) in" << timer.elapsed() << "ms";
    return {};
}

// The registry's schema version as stored now (another process may have upgraded it).
int storedSchemaVersion(Database& db)
{
    auto v = db.exec(QStringLiteral("SELECT value FROM butler_attributes WHERE name = 'schema_version'"));
    if (!v)
        return 0;
    const int now = (*v)->next() ? (*v)->value(0).toInt() : 0;
    (*v)->finish();
    return now;
}

// The equality of the data ID columns of two rows, " AND a.x = b.x ...".
QString sameDataId(const QStringList& required, const QString& a, const QString& b)
{
    QString sql;
    for (const QString& dim : required)
        sql += QStringLiteral(" AND %1.%3 = %2.%3").arg(a, b, Database::quote(dim));
    return sql;
}

} // namespace

Registry::Registry(std::unique_ptr<Database> db, DimensionUniverse universe)
    : m_db(std::move(db))
    , m_universe(std::move(universe))
{
}

Registry::~Registry() = default;

Result<std::unique_ptr<Registry>> Registry::create(std::unique_ptr<Database> db,
                                                   const DimensionUniverse& universe)
{
    std::unique_ptr<Registry> registry(new Registry(std::move(db), universe));
    Database& d = *registry->m_db;
    Transaction tx(d);
    BUTLER_TRY(tx.begin());
    RegistrySchema schema(universe, d);
    for (const QString& statement : schema.createStatements())
        BUTLER_TRY(d.execDirect(statement));
    const QList<std::pair<QString, QString>> attributes = {
        {QStringLiteral("schema_version"), QString::number(RegistrySchema::SchemaVersion)},
        {QStringLiteral("universe_namespace"), universe.nameSpace()},
        {QStringLiteral("universe_version"), QString::number(universe.version())},
        {QStringLiteral("universe"),
         QString::fromUtf8(QJsonDocument(universe.toJson()).toJson(QJsonDocument::Compact))},
        {QStringLiteral("generation"), QStringLiteral("0")},
    };
    for (const auto& [name, value] : attributes)
        BUTLER_TRY(d.exec(QStringLiteral("INSERT INTO butler_attributes (name, value) VALUES (?, ?)"),
                          {name, value}));
    BUTLER_TRY(tx.commit());
    return registry;
}

Result<std::unique_ptr<Registry>> Registry::open(std::unique_ptr<Database> db)
{
    auto q = db->exec(QStringLiteral("SELECT name, value FROM butler_attributes"));
    if (!q)
        return invalidInput(QStringLiteral("not a butler registry (no butler_attributes table)"));
    QHash<QString, QString> attributes;
    while ((*q)->next())
        attributes.insert((*q)->value(0).toString(), (*q)->value(1).toString());
    (*q)->finish();
    // Older repositories are upgraded one version at a time; another process may have done a
    // step in the meantime, which is as good.
    const int storedVersion = attributes.value(QStringLiteral("schema_version")).toInt();
    if (storedVersion >= 1 && storedVersion < RegistrySchema::SchemaVersion) {
        const QJsonDocument universeJson =
            QJsonDocument::fromJson(attributes.value(QStringLiteral("universe")).toUtf8());
        BUTLER_ASSIGN_OR_RETURN(DimensionUniverse universe,
                                DimensionUniverse::fromJson(universeJson.object()));
        struct Step
        {
            int to;
            Status (*run)(Database&, const DimensionUniverse&);
            const char* what;
        };
        for (const Step& step : {Step{2, upgradeToTrash, "for the trash"},
                                 Step{3, upgradeToLookupIndexes, "with the dataset lookup indexes"}}) {
            if (storedSchemaVersion(*db) >= step.to)
                continue;
            if (Status upgraded = step.run(*db, universe); !upgraded && storedSchemaVersion(*db) < step.to)
                return upgraded.error().withContext(
                    QStringLiteral("upgrading the registry %1").arg(QLatin1String(step.what)));
        }
        attributes.insert(QStringLiteral("schema_version"), QString::number(storedSchemaVersion(*db)));
    }
    if (attributes.value(QStringLiteral("schema_version")).toInt() != RegistrySchema::SchemaVersion)
        return invalidInput(
            QStringLiteral("registry schema version %1 is not supported (this build reads %2)")
                .arg(attributes.value(QStringLiteral("schema_version")))
                .arg(RegistrySchema::SchemaVersion));
    // The universe is stored with the repository: a repository keeps the universe it was made with.
    const QJsonDocument doc = QJsonDocument::fromJson(attributes.value(QStringLiteral("universe")).toUtf8());
    BUTLER_ASSIGN_OR_RETURN(DimensionUniverse universe, DimensionUniverse::fromJson(doc.object()));
    return std::unique_ptr<Registry>(new Registry(std::move(db), std::move(universe)));
}

Status Registry::bumpGeneration()
{
    // A fresh token, not a counter: after a rollback a counter would repeat a value that a
    // cache filled inside the rolled-back transaction already holds.
    BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE butler_attributes SET value = ? WHERE name = 'generation'"),
                          {QUuid::createUuid().toString(QUuid::WithoutBraces)}));
    m_db->onCommit([this] { m_localChanges.fetch_add(1, std::memory_order_release); });
    return {};
}

Result<std::shared_ptr<const Registry::Cache>> Registry::cache()
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT value FROM butler_attributes WHERE name = 'generation'")));
    const QString generation = q->next() ? q->value(0).toString() : QString();
    q->finish();
    {
        QMutexLocker lock(&m_cacheMutex);
        if (m_cache && m_cache->generation == generation)
            return m_cache;
    }
    auto c = std::make_shared<Cache>();
    c->generation = generation;
    QHash<int, QStringList>& groups = c->groupDimensions;
    BUTLER_ASSIGN_OR_RETURN(q,
                            m_db->exec(QStringLiteral("SELECT group_id, dimensions FROM dimension_group")));
    while (q->next())
        groups.insert(q->value(0).toInt(),
                      q->value(1).toString().split(QLatin1Char(','), Qt::SkipEmptyParts));
    q->finish();
    BUTLER_ASSIGN_OR_RETURN(
        q, m_db->exec(QStringLiteral("SELECT dataset_type_id, name, storage_class, group_id, "
                                     "is_calibration FROM dataset_type")));
    while (q->next()) {
        TypeEntry entry;
        entry.id = q->value(0).toLongLong();
        entry.groupId = q->value(3).toInt();
        auto group = m_universe.group(groups.value(entry.groupId));
        if (!group)
            return group.error();
        entry.type =
            DatasetType(q->value(1).toString(), *group, q->value(2).toString(), q->value(4).toInt() != 0);
        const QStringList& req = group->required();
        entry.insertTagsRow =
            multiRowInsert(QStringLiteral("INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2)")
                               .arg(RegistrySchema::tagsTable(entry.groupId),
                                    req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req)),
                           int(3 + req.size()), 1);
        c->typeNameById.insert(entry.id, entry.type.name());
        c->groupIds.insert(entry.groupId);
        c->typesByName.insert(entry.type.name(), entry);
    }
    q->finish();
    BUTLER_ASSIGN_OR_RETURN(q, m_db->exec(QStringLiteral(
                                   "SELECT c.collection_id, c.name, c.type, c.doc, c.trash_id, t.expires_at "
                                   "FROM collection c LEFT JOIN trash_entry t ON t.trash_id = c.trash_id")));
    while (q->next()) {
        if (!q->value(4).isNull()) {
            TrashedCollection trashed{q->value(0).toLongLong(), q->value(4).toLongLong(),
                                      q->value(5).toLongLong()};
            c->trashedNameById.insert(trashed.id, q->value(1).toString());
            c->trashedByName.insert(q->value(1).toString(), trashed);
            continue;
        }
        CollectionEntry entry;
        entry.id = q->value(0).toLongLong();
        entry.info.name = q->value(1).toString();
        entry.info.type = CollectionType(q->value(2).toInt());
        entry.info.doc = q->value(3).toString();
        c->collectionNameById.insert(entry.id, entry.info.name);
        c->collectionsByName.insert(entry.info.name, entry);
    }
    q->finish();
    BUTLER_ASSIGN_OR_RETURN(q, m_db->exec(QStringLiteral("SELECT parent, child FROM collection_chain "
                                                         "ORDER BY parent, position")));
    while (q->next()) {
        // Chains skip children in the trash; a chain in the trash is not in the cache at all.
        const QString parent = c->collectionNameById.value(q->value(0).toLongLong());
        const QString child = c->collectionNameById.value(q->value(1).toLongLong());
        if (parent.isEmpty() || child.isEmpty())
            continue;
        c->collectionsByName[parent].info.children.append(child);
    }
    q->finish();
    QMutexLocker lock(&m_cacheMutex);
    m_cache = c;
    return std::shared_ptr<const Cache>(c);
}

Result<const Registry::TypeEntry*> Registry::typeEntry(const Cache& c, const QString& name) const
{
    auto it = c.typesByName.constFind(name);
    if (it == c.typesByName.constEnd())
        return notFound(QStringLiteral("dataset type '%1' is not registered").arg(name));
    return &*it;
}

Result<const Registry::CollectionEntry*> Registry::collectionEntry(const Cache& c, const QString& name) const
{
    auto it = c.collectionsByName.constFind(name);
    if (it == c.collectionsByName.constEnd())
        return notFound(QStringLiteral("collection '%1' does not exist").arg(name));
    return &*it;
}

QString Registry::anyCollectionName(const Cache& c, qint64 id)
{
    const QString name = c.collectionNameById.value(id);
    return name.isEmpty() ? c.trashedNameById.value(id) : name;
}

Status Registry::checkNameFree(const Cache& c, const QString& name) const
{
    const auto it = c.trashedByName.constFind(name);
    if (it == c.trashedByName.constEnd())
        return {};
    return conflict(QStringLiteral("collection '%1' is in the trash until %2; restore it ('butler trash REPO "
                                   "restore %1') or empty it from the trash ('butler trash REPO empty %1') "
                                   "before using the name again")
                        .arg(name, isoDate(it->expiresAt)));
}

// ---------------------------------------------------------------- dimension records

Status Registry::insertDimensionRecords(const QString& elementName, const QList<DimensionRecord>& records,
                                        bool skipExisting)
{
    const DimensionElement* element = m_universe.element(elementName);
    if (!element)
        return invalidInput(QStringLiteral("unknown dimension element '%1'").arg(elementName));
    const QStringList columns = RegistrySchema::elementColumns(*element);
    const QString table = RegistrySchema::elementTable(elementName);
    const QString conflictClause = skipExisting ? QStringLiteral(" ON CONFLICT DO NOTHING") : QString();
    const QString sql =
        QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)%4")
            .arg(table, quotedList(columns), placeholders(int(columns.size())), conflictClause);
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    // band is a view of physical_filter: its values appear when filters are inserted.
    QSet<QString> bandsSeen;
    for (const DimensionRecord& input : records) {
        BUTLER_ASSIGN_OR_RETURN(DimensionRecord record,
                                DimensionRecord::validated(m_universe, elementName, input.values(),
                                                           input.timespan(), input.region()));
        for (const QString& implied : element->implies) {
            const DimensionElement* ie = m_universe.element(implied);
            const QVariant v = record.value(implied);
            if (v.isValid() && !v.isNull() && ie->required.isEmpty() && !ie->governor &&
                !bandsSeen.contains(implied + v.toString())) {
                bandsSeen.insert(implied + v.toString());
                if (elementName == QLatin1String("physical_filter") && implied == QLatin1String("band"))
                    BUTLER_TRY(m_db->exec(
                        QStringLiteral("INSERT INTO dim_band (band) VALUES (?) ON CONFLICT DO NOTHING"),
                        {v}));
            }
        }
        QVariantList binds;
        binds.reserve(columns.size());
        for (const QString& col : columns) {
            if (col == QLatin1String("timespan_begin"))
                binds << (record.timespan() ? QVariant(record.timespan()->begin()) : QVariant());
            else if (col == QLatin1String("timespan_end"))
                binds << (record.timespan() ? QVariant(record.timespan()->end()) : QVariant());
            else if (col == QLatin1String("region"))
                binds << (record.region().isEmpty() ? QVariant() : QVariant(record.region()));
            else if (element->isDimension() && col == elementName)
                binds << sqlValue(record.value(element->primaryKey().name));
            else
                binds << sqlValue(record.value(col));
        }
        auto q = m_db->exec(sql, binds);
        if (!q) {
            if (q.error().kind() == ErrorKind::Conflict) {
                if (q.error().message().contains(QLatin1String("FOREIGN KEY"))) {
                    const QStringList missing = missingReferences(*m_db, m_universe, *element, record);
                    return conflict(
                        QStringLiteral("%1 record (%2) refers to a dimension record that does not exist%3; "
                                       "insert that first")
                            .arg(elementName, recordKeyText(*element, record),
                                 missing.isEmpty()
                                     ? QString()
                                     : QStringLiteral(": ") + missing.join(QStringLiteral(" and "))));
                }
                return conflict(
                    QStringLiteral("a %1 record with the same key already exists (use skip-existing to "
                                   "ignore duplicates)")
                        .arg(elementName));
            }
            return q.error();
        }
    }
    return tx.commit();
}

Result<DimensionRecordPage> Registry::queryDimensionRecords(const DimensionRecordQuery& query)
{
    const DimensionElement* element = m_universe.element(query.element);
    if (!element)
        return notFound(QStringLiteral("unknown dimension element '%1'").arg(query.element));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr where, WhereParser::parse(query.where));
    QueryBuilder qb(m_universe);
    BUTLER_ASSIGN_OR_RETURN(QString alias, qb.joinElement(query.element));
    BUTLER_TRY(qb.addWhere(where, query.bind));
    QList<QueryBuilder::OrderTerm> order;
    for (const QString& spec : query.orderBy) {
        BUTLER_ASSIGN_OR_RETURN(QueryBuilder::OrderTerm term, qb.orderTerm(spec));
        order << term;
    }
    const QStringList keyCols = element->requiredDimensions();
    for (const QString& k : keyCols)
        order << QueryBuilder::OrderTerm{alias + QLatin1Char('.') + Database::quote(k), false};
    const QStringList columns = RegistrySchema::elementColumns(*element);
    QStringList select;
    for (const QString& c : columns)
        select << alias + QLatin1Char('.') + Database::quote(c);
    QStringList orderCols;
    for (int i = 0; i < order.size(); ++i)
        select << order[i].sql + QStringLiteral(" AS o%1").arg(i);
    if (!query.pageToken.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(auto token, decodeToken(query.pageToken));
        if (token.first != query.element || token.second.size() != order.size())
            return invalidInput(QStringLiteral("page token does not belong to this query"));
        qb.addKeysetCondition(order, token.second);
    }
    for (const auto& term : order)
        orderCols << QueryBuilder::orderBySql(term);
    // A relationship table joined for the where-clause (visit_definition) repeats records.
    QString sql = QStringLiteral("SELECT DISTINCT %1 FROM %2%3 ORDER BY %4")
                      .arg(select.join(QStringLiteral(", ")), qb.fromSql(), qb.whereSql(),
                           orderCols.join(QStringLiteral(", ")));
    if (query.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(query.limit + 1);
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, m_db->exec(sql, qb.binds()));
    DimensionRecordPage page;
    QVariantList lastKey;
    while (q->next()) {
        if (query.limit > 0 && page.records.size() == query.limit) {
            page.nextPageToken = encodeToken(query.element, lastKey);
            break;
        }
        QVariantMap values;
        std::optional<Timespan> timespan;
        QByteArray region;
        qint64 tb = Timespan::UnboundedBegin;
        qint64 te = Timespan::Unbounded;
        bool hasTs = false;
        for (int i = 0; i < columns.size(); ++i) {
            const QString& col = columns[i];
            const QVariant v = q->value(i);
            if (col == QLatin1String("timespan_begin")) {
                hasTs = hasTs || !v.isNull();
                if (!v.isNull())
                    tb = v.toLongLong();
            } else if (col == QLatin1String("timespan_end")) {
                hasTs = hasTs || !v.isNull();
                if (!v.isNull())
                    te = v.toLongLong();
            } else if (col == QLatin1String("region")) {
                region = v.toByteArray();
            } else if (element->isDimension() && col == element->name) {
                values.insert(element->primaryKey().name, dimensionValue(m_universe, col, v));
            } else if (m_universe.isDimension(col) &&
                       (element->required.contains(col) || element->implies.contains(col))) {
                values.insert(col, dimensionValue(m_universe, col, v));
            } else {
                const FieldSpec* spec = element->field(col);
                QVariant typed = v;
                if (!v.isNull() && spec) {
                    if (spec->type == FieldType::Bool)
                        typed = v.toInt() != 0;
                    else if (spec->type == FieldType::Int)
                        typed = v.toLongLong();
                    else if (spec->type == FieldType::Float)
                        typed = v.toDouble();
                }
                values.insert(col, v.isNull() ? QVariant() : typed);
            }
        }
        if (hasTs)
            timespan = Timespan(tb, te);
        lastKey.clear();
        for (int i = 0; i < order.size(); ++i)
            lastKey << q->value(int(columns.size()) + i);
        page.records << DimensionRecord(query.element, values, timespan, region);
    }
    q->finish();
    return page;
}

Result<DataCoordinate> Registry::expandDataId(const DimensionGroup& group, const QVariantMap& values)
{
    return expandDataId(group, values, nullptr);
}

// Where the values of a group's data IDs come from: for each dimension (by its slot in
// group.names()), the record to read and the slots of its key values and implied values.
struct Registry::ExpansionPlan
{
    struct Step
    {
        const DimensionElement* element = nullptr;
        int elementIndex = -1;
        QStringList keyNames;    // element->requiredDimensions()
        QList<int> keySlots;     // their slots; -1 outside the group
        QList<int> impliedSlots; // the slots of element->implies; -1 outside the group
        QString sql;             // reads the implied values of one record
    };
    QStringList required;
    int requiredCount = 0;
    int size = 0;
    QList<Step> steps;
};

std::shared_ptr<const Registry::ExpansionPlan> Registry::expansionPlan(const DimensionGroup& group)
{
    QMutexLocker lock(&m_planMutex);
    for (const auto& plan : std::as_const(m_plans))
        if (plan->required == group.required())
            return plan;
    auto plan = std::make_shared<ExpansionPlan>();
    plan->required = group.required();
    plan->requiredCount = int(group.required().size());
    plan->size = int(group.names().size());
    for (const QString& dim : group.names()) {
        ExpansionPlan::Step step;
        step.element = m_universe.element(dim);
        step.elementIndex = m_universe.index(dim);
        step.keyNames = step.element->requiredDimensions();
        QStringList where;
        for (const QString& key : std::as_const(step.keyNames)) {
            step.keySlots << group.indexOf(key);
            where << Database::quote(key) + QStringLiteral(" = ?");
        }
        for (const QString& implied : step.element->implies)
            step.impliedSlots << group.indexOf(implied);
        step.sql = QStringLiteral("SELECT %1 FROM %2 WHERE %3")
                       .arg(step.element->implies.isEmpty() ? QStringLiteral("1")
                                                            : quotedList(step.element->implies),
                            RegistrySchema::elementTable(dim), where.join(QStringLiteral(" AND ")));
        plan->steps << step;
    }
    m_plans << plan;
    return plan;
}

Result<DataCoordinate> Registry::expandDataId(const DimensionGroup& group, const QVariantMap& values,
                                              ImpliedCache* local)
{
    BUTLER_ASSIGN_OR_RETURN(DataCoordinate dc, DataCoordinate::fromMap(m_universe, group, values));
    const auto plan = expansionPlan(group);
    // Implied values given with the data ID, even some of them only, must match the records.
    // fromMap() accepted only keys of the group, so a map of required keys alone gives none.
    QList<QVariant> given;
    if (values.size() > plan->requiredCount) {
        given.resize(plan->size);
        for (int slot = plan->requiredCount; slot < plan->size; ++slot) {
            const auto it = values.constFind(group.names()[slot]);
            if (it == values.constEnd() || it->isNull())
                continue;
            BUTLER_ASSIGN_OR_RETURN(given[slot], coerceDimensionValue(m_universe, it.key(), *it));
        }
    }
    return expandWithPlan(*plan, dc, given.isEmpty() ? nullptr : &given, local);
}

Result<DataCoordinate> Registry::expandValidated(const DataCoordinate& dataId, ImpliedCache* local)
{
    const auto plan = expansionPlan(dataId.group());
    return expandWithPlan(*plan, dataId, nullptr, local);
}

Result<DataCoordinate> Registry::expandWithPlan(const ExpansionPlan& plan, const DataCoordinate& dc,
                                                const QList<QVariant>* given, ImpliedCache* local)
{
    const int n = plan.size;
    QVarLengthArray<QVariant, 16> known(n);
    QVarLengthArray<char, 16> isKnown(n);
    QVarLengthArray<char, 16> done(n);
    QVarLengthArray<int, 16> pending;
    std::fill(isKnown.begin(), isKnown.end(), 0);
    std::fill(done.begin(), done.end(), 0);
    // Every required dimension's record must exist; implied values come from the records.
    for (int slot = 0; slot < plan.requiredCount; ++slot) {
        known[slot] = dc.values()[slot];
        isKnown[slot] = 1;
        pending.append(slot);
    }
    const bool inTransaction = m_db->inTransaction();
    RecordKey key;
    for (qsizetype head = 0; head < pending.size(); ++head) {
        const int slot = pending[head];
        if (done[slot])
            continue;
        done[slot] = 1;
        const ExpansionPlan::Step& step = plan.steps[slot];
        key.element = step.elementIndex;
        key.values.clear();
        for (int k = 0; k < step.keySlots.size(); ++k) {
            const int keySlot = step.keySlots[k];
            if (keySlot < 0 || !isKnown[keySlot])
                return internalError(QStringLiteral("cannot expand '%1' without '%2'")
                                         .arg(step.element->name, step.keyNames[k]));
            key.values.append(known[keySlot]);
        }
        QList<QVariant> impliedValues;
        bool cached = false;
        if (local) {
            auto it = local->constFind(key);
            if (it != local->constEnd()) {
                impliedValues = *it;
                cached = true;
            }
        }
        if (!cached) {
            QMutexLocker lock(&m_recordMutex);
            auto it = m_impliedByRecord.constFind(key);
            if (it != m_impliedByRecord.constEnd()) {
                impliedValues = *it;
                cached = true;
            }
        }
        if (!cached) {
            const QVariantList binds(key.values.begin(), key.values.end());
            BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, m_db->exec(step.sql, binds));
            if (!q->next()) {
                q->finish();
                QStringList keyText;
                for (int i = 0; i < binds.size(); ++i)
                    keyText << step.keyNames[i] + QLatin1Char('=') + binds[i].toString();
                return notFound(QStringLiteral("no %1 record for %2; insert the dimension record first")
                                    .arg(step.element->name, keyText.join(QStringLiteral(", "))));
            }
            const QStringList& implies = step.element->implies;
            impliedValues.reserve(implies.size());
            for (int i = 0; i < implies.size(); ++i)
                impliedValues << dimensionValue(m_universe, implies[i], q->value(i));
            q->finish();
            // A record read inside a transaction may be rolled back with it: other threads and
            // later calls learn it only when the transaction commits.
            auto remember = [this, key, impliedValues] {
                QMutexLocker lock(&m_recordMutex);
                if (m_impliedByRecord.size() > 200000)
                    m_impliedByRecord.clear();
                m_impliedByRecord.insert(key, impliedValues);
            };
            if (inTransaction) {
                if (local)
                    local->insert(key, impliedValues);
                m_db->onCommit(std::move(remember));
            } else {
                remember();
            }
        }
        for (int i = 0; i < step.impliedSlots.size(); ++i) {
            const int impliedSlot = step.impliedSlots[i];
            const QVariant& v = impliedValues[i];
            if (impliedSlot < 0 || v.isNull())
                continue;
            if (given) {
                const QVariant& givenValue = (*given)[impliedSlot];
                if (givenValue.isValid() && givenValue != v)
                    return invalidInput(QStringLiteral("data ID gives %1=%2 but the %3 record says %1=%4")
                                            .arg(step.element->implies[i], givenValue.toString(),
                                                 step.element->name, v.toString()));
            }
            if (!isKnown[impliedSlot]) {
                known[impliedSlot] = v;
                isKnown[impliedSlot] = 1;
                pending.append(impliedSlot);
            }
        }
    }
    QList<QVariant> implied;
    implied.reserve(n - plan.requiredCount);
    for (int slot = plan.requiredCount; slot < n; ++slot) {
        if (!isKnown[slot])
            return dc; // a record without the implied value: keep the data ID minimal
        implied << known[slot];
    }
    return dc.withImplied(implied);
}

// ---------------------------------------------------------------- dataset types

Result<int> Registry::groupIdFor(const DimensionGroup& group)
{
    const QString key = group.required().join(QLatin1Char(','));
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT group_id FROM dimension_group WHERE dimensions = ?"), {key}));
    if (q->next()) {
        const int id = q->value(0).toInt();
        q->finish();
        return id;
    }
    q->finish();
    BUTLER_ASSIGN_OR_RETURN(
        q, m_db->exec(QStringLiteral("INSERT INTO dimension_group (dimensions) VALUES (?)"), {key}));
    const int id = q->lastInsertId().toInt();
    RegistrySchema schema(m_universe, *m_db);
    for (const QString& statement : schema.tagsTableStatements(id, group.required()))
        BUTLER_TRY(m_db->execDirect(statement));
    return id;
}

Status Registry::registerDatasetType(const DatasetType& type)
{
    BUTLER_TRY(DatasetType::validateName(type.name()));
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    auto existing = c->typesByName.constFind(type.name());
    if (existing != c->typesByName.constEnd()) {
        if (existing->type == type)
            return {};
        return conflict(
            QStringLiteral("dataset type '%1' is already registered with dimensions %2, storage class %3%4; "
                           "dataset types cannot change")
                .arg(type.name(), existing->type.dimensions().toString(), existing->type.storageClass(),
                     existing->type.isCalibration() ? QStringLiteral(" (calibration)") : QString()));
    }
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(int groupId, groupIdFor(type.dimensions()));
    BUTLER_TRY(
        m_db->exec(QStringLiteral("INSERT INTO dataset_type (name, storage_class, group_id, is_calibration) "
                                  "VALUES (?, ?, ?, ?)"),
                   {type.name(), type.storageClass(), groupId, type.isCalibration() ? 1 : 0}));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

Result<DatasetType> Registry::getDatasetType(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const TypeEntry* e, typeEntry(*c, name));
    return e->type;
}

Result<QList<DatasetType>> Registry::queryDatasetTypes(const QStringList& globs,
                                                       const QStringList& collections)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    QList<Glob> compiled;
    for (const QString& g : globs) {
        BUTLER_ASSIGN_OR_RETURN(Glob glob, Glob::compile(g));
        compiled << glob;
    }
    QSet<qint64> present;
    const bool restrict = !collections.isEmpty();
    if (restrict) {
        BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(*c, collections));
        QStringList ids;
        for (const CollectionEntry* leaf : leaves)
            ids << QString::number(leaf->id);
        for (int g : std::as_const(c->groupIds)) {
            if (ids.isEmpty())
                break;
            for (const QString& table : {RegistrySchema::tagsTable(g), RegistrySchema::calibsTable(g)}) {
                BUTLER_ASSIGN_OR_RETURN(
                    QSqlQuery * q, m_db->exec(QStringLiteral("SELECT DISTINCT dataset_type_id FROM %1 WHERE "
                                                             "collection_id IN (%2)")
                                                  .arg(table, ids.join(QStringLiteral(", ")))));
                while (q->next())
                    present.insert(q->value(0).toLongLong());
                q->finish();
            }
        }
    }
    QList<DatasetType> result;
    for (const TypeEntry& t : c->typesByName) {
        bool match = compiled.isEmpty();
        for (const Glob& g : compiled)
            match = match || g.matches(t.type.name());
        if (match && (!restrict || present.contains(t.id)))
            result << t.type;
    }
    std::sort(result.begin(), result.end(),
              [](const DatasetType& a, const DatasetType& b) { return a.name() < b.name(); });
    return result;
}

Status Registry::removeDatasetType(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const TypeEntry* e, typeEntry(*c, name));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT COUNT(*), COUNT(trash_id) FROM dataset WHERE dataset_type_id = ?"),
                   {e->id}));
    const qint64 n = q->next() ? q->value(0).toLongLong() : 0;
    const qint64 trashed = q->value(1).toLongLong();
    q->finish();
    if (n > trashed)
        return conflict(QStringLiteral("dataset type '%1' still has %2 datasets; remove them first")
                            .arg(name)
                            .arg(n - trashed));
    if (trashed > 0)
        return conflict(
            QStringLiteral("dataset type '%1' still has %2 datasets in the trash; empty the trash "
                           "('butler trash REPO empty') first")
                .arg(name)
                .arg(trashed));
    BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM dataset_type WHERE dataset_type_id = ?"), {e->id}));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

// ---------------------------------------------------------------- collections

Status Registry::registerCollection(const QString& name, CollectionType type, const QString& doc)
{
    BUTLER_TRY(CollectionInfo::validateName(name));
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    auto existing = c->collectionsByName.constFind(name);
    if (existing != c->collectionsByName.constEnd()) {
        if (existing->info.type == type)
            return {};
        return conflict(QStringLiteral("collection '%1' already exists as a %2 collection")
                            .arg(name, collectionTypeName(existing->info.type)));
    }
    BUTLER_TRY(checkNameFree(*c, name));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(m_db->exec(QStringLiteral("INSERT INTO collection (name, type, doc) VALUES (?, ?, ?)"),
                          {name, int(type), doc.isNull() ? QStringLiteral("") : doc}));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

Result<CollectionInfo> Registry::getCollection(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(*c, name));
    return e->info;
}

Result<QList<const Registry::CollectionEntry*>> Registry::resolveSearch(const Cache& c,
                                                                        const QStringList& namesOrGlobs) const
{
    QList<const CollectionEntry*> result;
    QSet<qint64> seen;
    // Depth-first in chain order; chains are acyclic by construction, the depth bound guards
    // against a database edited by hand.
    std::function<Status(const CollectionEntry*, int)> visit = [&](const CollectionEntry* e,
                                                                   int depth) -> Status {
        if (depth > 100)
            return conflict(QStringLiteral("collection chain '%1' is nested too deeply").arg(e->info.name));
        if (e->info.type == CollectionType::Chained) {
            for (const QString& child : e->info.children) {
                BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* ce, collectionEntry(c, child));
                BUTLER_TRY(visit(ce, depth + 1));
            }
            return {};
        }
        if (!seen.contains(e->id)) {
            seen.insert(e->id);
            result << e;
        }
        return {};
    };
    for (const QString& item : namesOrGlobs) {
        if (!hasGlobChars(item)) {
            BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(c, item));
            BUTLER_TRY(visit(e, 0));
            continue;
        }
        BUTLER_ASSIGN_OR_RETURN(Glob glob, Glob::compile(item));
        QStringList names;
        for (auto it = c.collectionsByName.begin(); it != c.collectionsByName.end(); ++it)
            if (glob.matches(it.key()))
                names << it.key();
        names.sort();
        for (const QString& n : std::as_const(names))
            BUTLER_TRY(visit(&c.collectionsByName.find(n).value(), 0));
    }
    return result;
}

Result<QList<const Registry::CollectionEntry*>>
Registry::resolveSearchCached(const Cache& c, const QStringList& namesOrGlobs) const
{
    {
        QMutexLocker lock(&c.searchMutex);
        const auto it = c.searches.constFind(namesOrGlobs);
        if (it != c.searches.constEnd())
            return *it;
    }
    BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(c, namesOrGlobs));
    // The leaves point into this cache, so they stay valid as long as it does; a new cache
    // starts empty.
    QMutexLocker lock(&c.searchMutex);
    if (c.searches.size() < 1000)
        c.searches.insert(namesOrGlobs, leaves);
    return leaves;
}

Result<QStringList> Registry::flattenCollections(const QStringList& namesOrGlobs)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(*c, namesOrGlobs));
    QStringList names;
    for (const CollectionEntry* e : leaves)
        names << e->info.name;
    return names;
}

Result<QList<CollectionInfo>> Registry::queryCollections(const CollectionQuery& query)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    QList<Glob> globs;
    for (const QString& g : query.globs) {
        BUTLER_ASSIGN_OR_RETURN(Glob glob, Glob::compile(g));
        globs << glob;
    }
    QStringList names = c->collectionsByName.keys();
    names.sort();
    QList<CollectionInfo> result;
    QSet<QString> added;
    auto accept = [&](const CollectionInfo& info) {
        if (added.contains(info.name))
            return;
        if (!query.types.isEmpty() && !query.types.contains(info.type))
            return;
        if (!query.includeChains && info.type == CollectionType::Chained)
            return;
        added.insert(info.name);
        result << info;
    };
    for (const QString& name : std::as_const(names)) {
        bool match = globs.isEmpty();
        for (const Glob& g : globs)
            match = match || g.matches(name);
        if (!match)
            continue;
        const CollectionInfo& info = c->collectionsByName.value(name).info;
        accept(info);
        if (query.flattenChains && info.type == CollectionType::Chained) {
            BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(*c, {name}));
            for (const CollectionEntry* leaf : leaves)
                accept(leaf->info);
        }
    }
    return result;
}

Status Registry::setCollectionChain(const QString& parent, const QStringList& childrenIn, ChainMode mode,
                                    bool flatten, const QString& doc)
{
    BUTLER_TRY(CollectionInfo::validateName(parent));
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    QStringList current;
    auto existing = c->collectionsByName.constFind(parent);
    const bool exists = existing != c->collectionsByName.constEnd();
    if (exists) {
        if (existing->info.type != CollectionType::Chained)
            return conflict(QStringLiteral("collection '%1' is a %2 collection, not a chain")
                                .arg(parent, collectionTypeName(existing->info.type)));
        current = existing->info.children;
    } else if (mode == ChainMode::Remove || mode == ChainMode::Pop) {
        return notFound(QStringLiteral("chain '%1' does not exist").arg(parent));
    } else {
        BUTLER_TRY(checkNameFree(*c, parent));
    }
    QStringList children;
    for (const QString& child : childrenIn) {
        if (mode == ChainMode::Pop)
            break;
        if (hasGlobChars(child))
            return invalidInput(
                QStringLiteral("chain children must be collection names, not globs ('%1')").arg(child));
        BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* ce, collectionEntry(*c, child));
        Q_UNUSED(ce);
        children << child;
    }
    if (flatten) {
        BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(*c, children));
        children.clear();
        for (const CollectionEntry* leaf : leaves)
            children << leaf->info.name;
    }
    QStringList next;
    switch (mode) {
    case ChainMode::Redefine:
        next = children;
        break;
    case ChainMode::Extend:
        next = current + children;
        break;
    case ChainMode::Prepend:
        next = children + current;
        break;
    case ChainMode::Remove:
        next = current;
        for (const QString& child : std::as_const(children)) {
            if (!next.contains(child))
                return notFound(QStringLiteral("'%1' is not a child of chain '%2'").arg(child, parent));
            next.removeAll(child);
        }
        break;
    case ChainMode::Pop: {
        // Pop takes indices (default: the first child).
        QList<int> indices;
        for (const QString& item : childrenIn) {
            bool ok = false;
            const int i = item.toInt(&ok);
            if (!ok || i < 0 || i >= current.size())
                return invalidInput(QStringLiteral("pop takes child positions 0..%1, not '%2'")
                                        .arg(current.size() - 1)
                                        .arg(item));
            indices << i;
        }
        if (indices.isEmpty())
            indices << 0;
        std::sort(indices.begin(), indices.end(), std::greater<int>());
        next = current;
        for (int i : std::as_const(indices))
            if (i < next.size())
                next.removeAt(i);
        break;
    }
    }
    QStringList unique;
    for (const QString& n : std::as_const(next))
        if (!unique.contains(n))
            unique << n;
    // A chain may not reach itself.
    for (const QString& child : std::as_const(unique)) {
        if (child == parent)
            return conflict(QStringLiteral("chain '%1' cannot contain itself").arg(parent));
        QStringList stack{child};
        QSet<QString> visited;
        while (!stack.isEmpty()) {
            const QString n = stack.takeLast();
            if (visited.contains(n))
                continue;
            visited.insert(n);
            const CollectionInfo& info = c->collectionsByName.value(n).info;
            for (const QString& grandChild : info.children) {
                if (grandChild == parent)
                    return conflict(
                        QStringLiteral("adding '%1' to chain '%2' would create a cycle").arg(child, parent));
                stack << grandChild;
            }
        }
    }
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    qint64 parentId = 0;
    if (!exists) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("INSERT INTO collection (name, type, doc) VALUES (?, ?, ?)"),
                       {parent, int(CollectionType::Chained), doc.isNull() ? QStringLiteral("") : doc}));
        parentId = q->lastInsertId().toLongLong();
    } else {
        parentId = existing->id;
        if (!doc.isEmpty())
            BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE collection SET doc = ? WHERE collection_id = ?"),
                                  {doc, parentId}));
    }
    QList<qint64> childIds;
    for (const QString& child : std::as_const(unique))
        childIds << c->collectionsByName.value(child).id;
    if (exists && mode != ChainMode::Redefine) {
        // Children in the trash keep their places, so that restoring one puts it back where it
        // was; redefining a chain drops them.
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(
                QStringLiteral("SELECT child FROM collection_chain WHERE parent = ? ORDER BY position"),
                {parentId}));
        QList<std::pair<int, qint64>> trashed;
        for (int i = 0; q->next(); ++i)
            if (c->trashedNameById.contains(q->value(0).toLongLong()))
                trashed.append({i, q->value(0).toLongLong()});
        q->finish();
        for (const auto& [position, id] : std::as_const(trashed))
            childIds.insert(std::min<qsizetype>(position, childIds.size()), id);
    }
    BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM collection_chain WHERE parent = ?"), {parentId}));
    for (int i = 0; i < childIds.size(); ++i)
        BUTLER_TRY(m_db->exec(
            QStringLiteral("INSERT INTO collection_chain (parent, position, child) VALUES (?, ?, ?)"),
            {parentId, i, childIds[i]}));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

Status Registry::removeCollection(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(*c, name));
    if (e->info.type == CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a RUN collection: remove it with remove-runs").arg(name));
    for (const CollectionEntry& other : c->collectionsByName)
        if (other.info.children.contains(name))
            return conflict(
                QStringLiteral("collection '%1' is a child of chain '%2'; remove it from the chain first")
                    .arg(name, other.info.name));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(deleteCollectionRows(*c, e->id, e->info.type, nullptr));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

Result<QList<QUuid>> Registry::datasetsInRun(const QString& run)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(*c, run));
    if (e->info.type != CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is not a RUN collection").arg(run));
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT id FROM dataset WHERE run_id = ? AND trash_id IS NULL"), {e->id}));
    QList<QUuid> ids;
    while (q->next())
        ids << QUuid::fromString(q->value(0).toString());
    q->finish();
    return ids;
}

Status Registry::removeRun(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(*c, name));
    if (e->info.type != CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a %2 collection, not a RUN: use remove-collections")
                                .arg(name, collectionTypeName(e->info.type)));
    for (const CollectionEntry& other : c->collectionsByName)
        if (other.info.children.contains(name))
            return conflict(
                QStringLiteral("run '%1' is a child of chain '%2'; remove it from the chain first")
                    .arg(name, other.info.name));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(deleteCollectionRows(*c, e->id, CollectionType::Run, nullptr));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

Status Registry::deleteCollectionRows(const Cache& c, qint64 id, CollectionType type, QStringList* paths)
{
    if (type == CollectionType::Run) {
        if (paths) {
            BUTLER_ASSIGN_OR_RETURN(
                QSqlQuery * q,
                m_db->exec(
                    QStringLiteral("SELECT f.path FROM file_datastore_records f JOIN dataset d ON d.id = "
                                   "f.dataset_id WHERE d.run_id = ?"),
                    {id}));
            while (q->next())
                paths->append(q->value(0).toString());
            q->finish();
        }
        // Datasets pruned into the trash earlier go with their run, entries and all.
        for (int g : std::as_const(c.groupIds))
            BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM %1 WHERE dataset_id IN (SELECT id FROM dataset "
                                                 "WHERE run_id = ?)")
                                      .arg(RegistrySchema::trashTable(g)),
                                  {id}));
        BUTLER_TRY(m_db->exec(
            QStringLiteral("DELETE FROM trash_entry WHERE kind = 'datasets' AND collection_id = ?"), {id}));
        // Tags, calibration and file rows of the run's datasets go by cascade.
        BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM dataset WHERE run_id = ?"), {id}));
    }
    for (int g : std::as_const(c.groupIds)) {
        for (const QString& table :
             {RegistrySchema::tagsTable(g), RegistrySchema::calibsTable(g), RegistrySchema::trashTable(g)})
            BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM %1 WHERE collection_id = ?").arg(table), {id}));
    }
    // Chains in the trash may still hold it.
    BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM collection_chain WHERE child = ?"), {id}));
    BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM collection_chain WHERE parent = ?"), {id}));
    BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM collection WHERE collection_id = ?"), {id}));
    return {};
}

// ---------------------------------------------------------------- datasets

Result<QList<DatasetRef>> Registry::insertDatasets(const QString& run, const QList<NewDataset>& datasets,
                                                   DatasetIdMode idMode)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* runEntry, collectionEntry(*c, run));
    if (runEntry->info.type != CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a %2 collection; datasets are put into RUN collections")
                                .arg(run, collectionTypeName(runEntry->info.type)));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    const qint64 now = nowTai();
    QList<DatasetRef> refs;
    refs.reserve(datasets.size());
    QList<const TypeEntry*> types;
    types.reserve(datasets.size());
    // Records read in this transaction: batches repeat the same exposures and detectors.
    ImpliedCache records;
    qsizetype randomCount = 0;
    if (idMode == DatasetIdMode::Unique)
        for (const NewDataset& nd : datasets)
            randomCount += nd.id.isNull() ? 1 : 0;
    const QList<QUuid> randomIds = TimeOrderedUuid::generate(randomCount);
    qsizetype nextRandom = 0;
    // Rows go in with multi-row statements, WriteBatch datasets at a time. An error of a row
    // (an unknown type, a data ID without records) first writes the rows before it, so that
    // the first failing row gives the error, as when each row was written in its turn.
    constexpr qsizetype WriteBatch = 2048;
    qsizetype written = 0;
    const TypeEntry* type = nullptr;
    for (const NewDataset& nd : datasets) {
        if (!type || type->type.name() != nd.datasetType) {
            auto found = typeEntry(*c, nd.datasetType);
            if (!found) {
                BUTLER_TRY(writeDatasetRows(*c, *runEntry, refs, types, written, refs.size(), now));
                return found.error();
            }
            type = *found;
        }
        const DimensionGroup& group = type->type.dimensions();
        auto dataId = expandDataId(group, nd.dataId, &records);
        if (!dataId) {
            BUTLER_TRY(writeDatasetRows(*c, *runEntry, refs, types, written, refs.size(), now));
            return dataId.error().withContext(QStringLiteral("%1 %2").arg(
                nd.datasetType, DataCoordinate::fromValues(group, {}).toString()));
        }
        const QUuid id = !nd.id.isNull() ? nd.id
                         : idMode == DatasetIdMode::Unique
                             ? randomIds[nextRandom++]
                             : DatasetRef::makeId(idMode, type->type, *dataId, run);
        refs << DatasetRef(id, type->type, std::move(dataId).value(), run);
        types << type;
        if (refs.size() - written >= WriteBatch) {
            BUTLER_TRY(writeDatasetRows(*c, *runEntry, refs, types, written, refs.size(), now));
            written = refs.size();
        }
    }
    BUTLER_TRY(writeDatasetRows(*c, *runEntry, refs, types, written, refs.size(), now));
    BUTLER_TRY(tx.commit());
    return refs;
}

Status Registry::writeDatasetRows(const Cache& c, const CollectionEntry& run, const QList<DatasetRef>& refs,
                                  const QList<const TypeEntry*>& types, qsizetype from, qsizetype to,
                                  qint64 now)
{
    Q_UNUSED(c);
    if (to - from <= 0)
        return {};
    if (to - from == 1)
        return writeDatasetRow(run, refs[from], *types[from], now);
    QStringList ids;
    ids.reserve(to - from);
    for (qsizetype i = from; i < to; ++i)
        ids << uuidText(refs[i].id());
    // Rows of one dataset type at a time, as "INSERT ... SELECT shared values, columnN FROM
    // (VALUES (row), (row), ...)": values common to the rows are bound once, and through the
    // engine's own API (Database::run), since binding through Qt costs as much per value as
    // SQLite's insert per row. Statements come in a few
    // fixed sizes, so that each connection prepares only a handful. (PostgreSQL would want
    // casts on the VALUES columns.)
    QVariantList binds;
    const auto insertRows = [&](const QString& insert, const QString& select, const QVariantList& shared,
                                int columns, qsizetype count,
                                const std::function<void(qsizetype)>& bindRow) -> Status {
        const QString row = QLatin1Char('(') + placeholders(columns) + QLatin1Char(')');
        qsizetype done = 0;
        while (done < count) {
            int rows = 1;
            for (int size : {128, 32, 8, 2})
                if (size * columns + shared.size() <= MaxBindsPerStatement && count - done >= size) {
                    rows = size;
                    break;
                }
            QString sql;
            sql.reserve(insert.size() + select.size() + 16 + rows * (row.size() + 2));
            sql += insert;
            sql += QStringLiteral(" SELECT ");
            sql += select;
            sql += QStringLiteral(" FROM (VALUES ");
            for (int r = 0; r < rows; ++r) {
                if (r)
                    sql += QStringLiteral(", ");
                sql += row;
            }
            sql += QLatin1Char(')');
            binds = shared;
            binds.reserve(shared.size() + rows * columns);
            for (int r = 0; r < rows; ++r)
                bindRow(done + r);
            BUTLER_TRY(m_db->run(sql, binds));
            done += rows;
        }
        return {};
    };
    const auto writeAll = [&]() -> Status {
        // Dataset rows in the order given, in runs of one type.
        for (qsizetype start = from; start < to;) {
            qsizetype end = start + 1;
            while (end < to && types[end] == types[start])
                ++end;
            BUTLER_TRY(
                insertRows(QStringLiteral("INSERT INTO dataset (id, dataset_type_id, run_id, ingest_date)"),
                           QStringLiteral("column1, ?, ?, ?"), {types[start]->id, run.id, now}, 1,
                           end - start, [&](qsizetype k) { binds << ids[start - from + k]; }));
            start = end;
        }
        // Tags rows in the order of the tables' data ID indexes: inserting along them rather
        // than in the order given (exposure by exposure, say) halves SQLite's work.
        QList<qsizetype> rows;
        rows.reserve(to - from);
        for (qsizetype i = 0; i < to - from; ++i)
            rows << i;
        std::stable_sort(rows.begin(), rows.end(), [&](qsizetype a, qsizetype b) {
            const TypeEntry* ta = types[from + a];
            const TypeEntry* tb = types[from + b];
            if (ta != tb)
                return ta->id < tb->id;
            const QList<QVariant>& va = refs[from + a].dataId().values();
            const QList<QVariant>& vb = refs[from + b].dataId().values();
            for (qsizetype d = 0; d < ta->type.dimensions().required().size(); ++d) {
                const int order = compareDimensionValues(va[d], vb[d]);
                if (order != 0)
                    return order < 0;
            }
            return false;
        });
        for (qsizetype start = 0; start < rows.size();) {
            const TypeEntry* type = types[from + rows[start]];
            qsizetype end = start + 1;
            while (end < rows.size() && types[from + rows[end]] == type)
                ++end;
            const QStringList& req = type->type.dimensions().required();
            QString select = QStringLiteral("?, column1, ?");
            for (qsizetype d = 0; d < req.size(); ++d)
                select += QStringLiteral(", column%1").arg(d + 2);
            BUTLER_TRY(
                insertRows(QStringLiteral("INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2)")
                               .arg(RegistrySchema::tagsTable(type->groupId),
                                    req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req)),
                           select, {type->id, run.id}, int(1 + req.size()), end - start, [&](qsizetype k) {
                               const qsizetype i = rows[start + k];
                               binds << ids[i];
                               const QList<QVariant>& values = refs[from + i].dataId().values();
                               for (qsizetype d = 0; d < req.size(); ++d)
                                   binds << values[d];
                           }));
            start = end;
        }
        return {};
    };
    Status status;
    {
        Transaction savepoint(*m_db);
        BUTLER_TRY(savepoint.begin());
        status = writeAll();
        if (status.ok())
            return savepoint.commit();
    }
    if (status.error().kind() != ErrorKind::Conflict)
        return status;
    // Row by row, in order, for the message of the first row that fails.
    for (qsizetype i = from; i < to; ++i)
        BUTLER_TRY(writeDatasetRow(run, refs[i], *types[i], now));
    return {};
}

Status Registry::writeDatasetRow(const CollectionEntry& run, const DatasetRef& ref, const TypeEntry& type,
                                 qint64 now)
{
    const QString idText = uuidText(ref.id());
    Status inserted = m_db->run(
        QStringLiteral("INSERT INTO dataset (id, dataset_type_id, run_id, ingest_date) VALUES (?, ?, ?, ?)"),
        {idText, type.id, run.id, now});
    if (!inserted.ok()) {
        if (inserted.error().kind() == ErrorKind::Conflict) {
            auto t = m_db->exec(QStringLiteral("SELECT trash_id FROM dataset WHERE id = ?"), {idText});
            const bool trashed = t && (*t)->next() && !(*t)->value(0).isNull();
            if (t)
                (*t)->finish();
            if (trashed)
                return conflict(QStringLiteral("dataset %1 is in the trash; restore it, or empty it from "
                                               "the trash, before making it again")
                                    .arg(idText));
            return conflict(QStringLiteral("a dataset with ID %1 already exists").arg(idText));
        }
        return inserted;
    }
    const QStringList& req = type.type.dimensions().required();
    QVariantList binds{type.id, idText, run.id};
    const QList<QVariant>& values = ref.dataId().values();
    for (qsizetype i = 0; i < req.size(); ++i)
        binds << values[i];
    inserted = m_db->run(type.insertTagsRow, binds);
    if (!inserted.ok()) {
        if (inserted.error().kind() == ErrorKind::Conflict)
            return conflict(
                QStringLiteral("run '%1' already has a %2 dataset for %3")
                    .arg(run.info.name, type.type.name(), ref.dataId().requiredOnly().toString()));
        return inserted;
    }
    return {};
}

Result<QList<DatasetRef>> Registry::refsByIds(const Cache& c, const QList<QUuid>& ids)
{
    QList<DatasetRef> refs;
    for (const QUuid& id : ids) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral(
                           "SELECT dataset_type_id, run_id FROM dataset WHERE id = ? AND trash_id IS NULL"),
                       {uuidText(id)}));
        if (!q->next()) {
            q->finish();
            return notFound(QStringLiteral("dataset %1 does not exist").arg(uuidText(id)));
        }
        const QString typeName = c.typeNameById.value(q->value(0).toLongLong());
        const qint64 runId = q->value(1).toLongLong();
        q->finish();
        BUTLER_ASSIGN_OR_RETURN(const TypeEntry* type, typeEntry(c, typeName));
        const QStringList& req = type->type.dimensions().required();
        BUTLER_ASSIGN_OR_RETURN(
            q, m_db->exec(QStringLiteral("SELECT %1 FROM %2 WHERE dataset_id = ? AND collection_id = ?")
                              .arg(req.isEmpty() ? QStringLiteral("1") : quotedList(req),
                                   RegistrySchema::tagsTable(type->groupId)),
                          {uuidText(id), runId}));
        QVariantMap values;
        if (q->next())
            for (int i = 0; i < req.size(); ++i)
                values.insert(req[i], dimensionValue(m_universe, req[i], q->value(i)));
        q->finish();
        BUTLER_ASSIGN_OR_RETURN(DataCoordinate dataId, expandDataId(type->type.dimensions(), values));
        refs << DatasetRef(id, type->type, dataId, c.collectionNameById.value(runId));
    }
    return refs;
}

Result<DatasetRef> Registry::getDataset(const QUuid& id)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(auto refs, refsByIds(*c, {id}));
    return refs.first();
}

Result<QHash<QUuid, QString>> Registry::datasetTypeNames(const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    QHash<QUuid, QString> result;
    result.reserve(ids.size());
    // A statement per batch of IDs, not one per ID.
    constexpr qsizetype kBatch = 512;
    for (qsizetype start = 0; start < ids.size(); start += kBatch) {
        const auto [marks, binds] = paddedIdList(ids, start, std::min<qsizetype>(kBatch, ids.size() - start));
        BUTLER_ASSIGN_OR_RETURN(
            SqlRows * rows,
            m_db->select(QStringLiteral("SELECT id, dataset_type_id FROM dataset WHERE id IN (%1) AND "
                                        "trash_id IS NULL")
                             .arg(marks),
                         binds));
        while (rows->next())
            result.insert(rows->uuid(0), c->typeNameById.value(rows->integer(1)));
        BUTLER_TRY(rows->status());
    }
    return result;
}

Result<QHash<QUuid, QStringList>>
Registry::collectionsContaining(const QList<QUuid>& ids, const std::function<bool(const QString&)>& enough)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    QHash<QUuid, QStringList> result;
    result.reserve(ids.size());
    for (const QUuid& id : ids) {
        if (result.contains(id))
            continue;
        const QString idText = uuidText(id);
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral(
                           "SELECT dataset_type_id, run_id FROM dataset WHERE id = ? AND trash_id IS NULL"),
                       {idText}));
        if (!q->next()) {
            q->finish();
            continue;
        }
        const qint64 typeId = q->value(0).toLongLong();
        const qint64 runId = q->value(1).toLongLong();
        q->finish();
        QStringList names{c->collectionNameById.value(runId)};
        if (enough && enough(names.first())) {
            result.insert(id, names);
            continue;
        }
        BUTLER_ASSIGN_OR_RETURN(const TypeEntry* type, typeEntry(*c, c->typeNameById.value(typeId)));
        QList<QString> tables{RegistrySchema::tagsTable(type->groupId)};
        // Only calibration types can be certified; other types never have calibs rows.
        if (type->type.isCalibration())
            tables << RegistrySchema::calibsTable(type->groupId);
        for (const QString& table : std::as_const(tables)) {
            BUTLER_ASSIGN_OR_RETURN(
                q,
                m_db->exec(
                    QStringLiteral("SELECT DISTINCT collection_id FROM %1 WHERE dataset_id = ?").arg(table),
                    {idText}));
            bool done = false;
            while (!done && q->next()) {
                const qint64 collectionId = q->value(0).toLongLong();
                const QString name = c->collectionNameById.value(collectionId);
                // An empty name: a collection made after the cache was read.
                if (collectionId == runId || name.isEmpty())
                    continue;
                names << name;
                done = enough && enough(name);
            }
            q->finish();
            if (done)
                break;
        }
        names.removeAll(QString());
        result.insert(id, names);
    }
    return result;
}

Result<std::optional<DatasetRef>>
Registry::findDataset(const QString& datasetType, const QVariantMap& dataIdValues,
                      const QStringList& collections, std::optional<qint64> time, const MemberFilter& filter)
{
    // The cache as last read is checked by the search's own query, which reads the generation
    // in the same snapshot as the rows: one statement per lookup instead of two. When it cannot
    // tell (an error, no RUN or TAGGED collection to ask, another generation), cache() first.
    std::shared_ptr<const Cache> current;
    {
        QMutexLocker lock(&m_cacheMutex);
        current = m_cache;
    }
    if (current) {
        bool verified = false;
        auto found = findDatasetIn(*current, &verified, datasetType, dataIdValues, collections, time, filter);
        if (verified)
            return found;
    }
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    return findDatasetIn(*c, nullptr, datasetType, dataIdValues, collections, time, filter);
}

Result<std::shared_ptr<const Registry::FindPlan>>
Registry::findPlan(const Cache& c, const QString& datasetType, const QStringList& collections) const
{
    const auto key = std::make_pair(datasetType, collections);
    {
        QMutexLocker lock(&c.searchMutex);
        const auto it = c.findPlans.constFind(key);
        if (it != c.findPlans.constEnd())
            return *it;
    }
    auto plan = std::make_shared<FindPlan>();
    BUTLER_ASSIGN_OR_RETURN(plan->type, typeEntry(c, datasetType));
    BUTLER_ASSIGN_OR_RETURN(plan->leaves, resolveSearchCached(c, collections));
    QStringList tagIds;
    bool onlyRuns = true;
    for (const CollectionEntry* leaf : std::as_const(plan->leaves)) {
        if (leaf->info.type == CollectionType::Calibration)
            continue;
        tagIds << QString::number(leaf->id);
        onlyRuns = onlyRuns && leaf->info.type == CollectionType::Run;
    }
    if (!tagIds.isEmpty()) {
        // One row per RUN or TAGGED collection that holds the data ID, or one row of NULLs;
        // every row carries the generation read in the same snapshot. A RUN collection's rows
        // are its own datasets: only TAGGED ones need the dataset's run.
        QString on;
        for (const QString& dim : plan->type->type.dimensions().required())
            on += QStringLiteral(" AND t.%1 = ?").arg(Database::quote(dim));
        plan->sql =
            QStringLiteral("SELECT g.value, t.collection_id, t.dataset_id, %1 FROM butler_attributes g "
                           "LEFT JOIN %2 t ON t.dataset_type_id = ?%3 AND t.collection_id IN (%4)%5 "
                           "WHERE g.name = 'generation'")
                .arg(onlyRuns ? QStringLiteral("t.collection_id") : QStringLiteral("d.run_id"),
                     RegistrySchema::tagsTable(plan->type->groupId), on, tagIds.join(QStringLiteral(", ")),
                     onlyRuns ? QString() : QStringLiteral(" LEFT JOIN dataset d ON d.id = t.dataset_id"));
    }
    QMutexLocker lock(&c.searchMutex);
    if (c.findPlans.size() < 1000)
        c.findPlans.insert(key, plan);
    return std::shared_ptr<const FindPlan>(plan);
}

Result<std::optional<DatasetRef>>
Registry::findDatasetIn(const Cache& cache, bool* verified, const QString& datasetType,
                        const QVariantMap& dataIdValues, const QStringList& collections,
                        std::optional<qint64> time, const MemberFilter& filter)
{
    const Cache* c = &cache;
    BUTLER_ASSIGN_OR_RETURN(const std::shared_ptr<const FindPlan> plan,
                            findPlan(*c, datasetType, collections));
    const TypeEntry* type = plan->type;
    const QList<const CollectionEntry*>& leaves = plan->leaves;
    if (verified && plan->sql.isEmpty())
        return std::optional<DatasetRef>(); // nothing to check the cache with
    const DimensionGroup& group = type->type.dimensions();
    // Keys beyond the type's dimensions (an exposure for a calibration lookup) give the time.
    bool onlyOwn = true;
    for (auto it = dataIdValues.begin(); onlyOwn && it != dataIdValues.end(); ++it)
        onlyOwn = group.contains(it.key());
    QVariantMap own;
    QVariantMap extra;
    if (onlyOwn) {
        own = dataIdValues;
    } else {
        for (auto it = dataIdValues.begin(); it != dataIdValues.end(); ++it)
            (group.contains(it.key()) ? own : extra).insert(it.key(), it.value());
    }
    // The extra keys may determine required values that the data ID lacks (an exposure gives a
    // flat its physical_filter): expand the data ID as given and take them from there.
    bool lacksRequired = false;
    for (const QString& dim : group.required())
        lacksRequired = lacksRequired || !own.contains(dim);
    if (lacksRequired && !extra.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(DimensionGroup givenGroup, m_universe.group(dataIdValues.keys()));
        BUTLER_ASSIGN_OR_RETURN(DataCoordinate given, expandDataId(givenGroup, dataIdValues));
        for (const QString& dim : group.required()) {
            const QVariant v = given.value(dim);
            if (!own.contains(dim) && v.isValid())
                own.insert(dim, v);
        }
    }
    BUTLER_ASSIGN_OR_RETURN(DataCoordinate dataId, DataCoordinate::fromMap(m_universe, group, own));
    const QStringList& req = group.required();
    QVariantList dimBinds;
    dimBinds.reserve(req.size());
    for (qsizetype i = 0; i < req.size(); ++i)
        dimBinds << dataId.values()[i];
    // One query answers every RUN and TAGGED collection of the search; the first in search
    // order wins. CALIBRATION collections are asked in their turn.
    QVarLengthArray<std::tuple<qint64, QUuid, qint64>, 4> hits; // (collection, dataset, run)
    if (!plan->sql.isEmpty()) {
        QVariantList binds{type->id};
        binds << dimBinds;
        BUTLER_ASSIGN_OR_RETURN(SqlRows * rows, m_db->select(plan->sql, binds));
        QString generation;
        while (rows->next()) {
            generation = rows->text(0);
            if (!rows->isNull(1))
                hits.append({rows->integer(1), rows->uuid(2), rows->integer(3)});
        }
        BUTLER_TRY(rows->status());
        if (verified) {
            if (generation != c->generation)
                return std::optional<DatasetRef>(); // the caller asks again with a fresh cache
            *verified = true;
        }
    }
    // A restricted collection's member counts only when its RUN is allowed; otherwise the
    // search goes on as if the collection did not hold it.
    const auto allowedIn = [&](const CollectionEntry* leaf, const QString& run) {
        return filter.isEmpty() || leaf->info.type == CollectionType::Run ||
               !filter.restricted(leaf->info.name) || filter.runAllowed(run);
    };
    for (const CollectionEntry* leaf : std::as_const(leaves)) {
        if (leaf->info.type != CollectionType::Calibration) {
            const auto hit = std::find_if(hits.begin(), hits.end(),
                                          [&](const auto& h) { return std::get<0>(h) == leaf->id; });
            if (hit == hits.end() || !allowedIn(leaf, c->collectionNameById.value(std::get<2>(*hit))))
                continue;
            if (!dataId.hasFull() && !group.implied().isEmpty()) {
                BUTLER_ASSIGN_OR_RETURN(dataId, expandValidated(dataId, nullptr));
            }
            return std::optional<DatasetRef>(DatasetRef(std::get<1>(*hit), type->type, dataId,
                                                        c->collectionNameById.value(std::get<2>(*hit))));
        }
        if (!type->type.isCalibration())
            continue;
        if (!time) {
            for (const QString& dim : {QStringLiteral("exposure"), QStringLiteral("visit")}) {
                const QVariant v = extra.value(dim, own.value(dim));
                if (!v.isValid())
                    continue;
                const QVariant instrument = dataIdValues.value(QStringLiteral("instrument"));
                BUTLER_ASSIGN_OR_RETURN(
                    QSqlQuery * tq,
                    m_db->exec(QStringLiteral("SELECT timespan_begin FROM %1 WHERE instrument = ? AND %2 = ?")
                                   .arg(RegistrySchema::elementTable(dim), dim),
                               {instrument, v}));
                if (tq->next() && !tq->value(0).isNull())
                    time = tq->value(0).toLongLong();
                tq->finish();
                if (time)
                    break;
            }
        }
        if (!time)
            return invalidInput(
                QStringLiteral("searching CALIBRATION collection '%1' needs a time: give an exposure or "
                               "visit in the data ID, or a time")
                    .arg(leaf->info.name));
        QVariantList binds{type->id, leaf->id};
        binds << dimBinds << *time << *time;
        QString dimWhere;
        for (const QString& dim : req)
            dimWhere += QStringLiteral(" AND ") + Database::quote(dim) + QStringLiteral(" = ?");
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("SELECT dataset_id FROM %1 WHERE dataset_type_id = ? AND "
                                      "collection_id = ?%2 AND validity_begin <= ? AND ? < validity_end")
                           .arg(RegistrySchema::calibsTable(type->groupId), dimWhere),
                       binds));
        if (q->next()) {
            const QUuid id = QUuid::fromString(q->value(0).toString());
            q->finish();
            BUTLER_ASSIGN_OR_RETURN(auto refs, refsByIds(*c, {id}));
            if (allowedIn(leaf, refs.first().run()))
                return std::optional<DatasetRef>(refs.first());
            continue;
        }
        q->finish();
    }
    return std::optional<DatasetRef>();
}

Result<DatasetPage> Registry::queryDatasetsOfType(const Cache& c, const TypeEntry& type,
                                                  const QList<const CollectionEntry*>& leaves,
                                                  const DatasetQuery& query, const WhereNodePtr& where,
                                                  const QVariantList& after, int limit, QString* sqlOut,
                                                  const MemberFilter& filter, qint64* countOut,
                                                  bool* unrelated)
{
    DatasetPage page;
    if (countOut)
        *countOut = 0;
    QStringList tagIds;
    QStringList calibIds;
    QStringList rankCases;
    for (int i = 0; i < leaves.size(); ++i) {
        const CollectionEntry* leaf = leaves[i];
        if (leaf->info.type == CollectionType::Calibration) {
            if (!type.type.isCalibration())
                continue;
            calibIds << QString::number(leaf->id);
        } else {
            tagIds << QString::number(leaf->id);
        }
        rankCases << QStringLiteral("WHEN %1 THEN %2").arg(leaf->id).arg(i);
    }
    if (tagIds.isEmpty() && calibIds.isEmpty())
        return page;
    if (query.findFirst && !calibIds.isEmpty() && !query.calibrationTime)
        return invalidInput(
            QStringLiteral("a find-first search through CALIBRATION collections needs a calibration time"));
    const DimensionGroup& group = type.type.dimensions();
    const QStringList& req = group.required();
    const QString dimCols = req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req);
    // Collection and type IDs are the registry's own integers: inlining them is safe and lets
    // SQLite use its indexes; every user-supplied value stays a bound parameter.
    QString base;
    const QString tags = RegistrySchema::tagsTable(type.groupId);
    const QString calibs = RegistrySchema::calibsTable(type.groupId);
    if (calibIds.isEmpty()) {
        base = tags;
    } else {
        QStringList parts;
        if (!tagIds.isEmpty())
            parts
                << QStringLiteral(
                       "SELECT dataset_type_id, dataset_id, collection_id%1, NULL AS validity_begin, NULL AS "
                       "validity_end FROM %2 WHERE dataset_type_id = %3 AND collection_id IN (%4)")
                       .arg(dimCols, tags)
                       .arg(type.id)
                       .arg(tagIds.join(QStringLiteral(", ")));
        parts << QStringLiteral("SELECT dataset_type_id, dataset_id, collection_id%1, validity_begin, "
                                "validity_end FROM %2 "
                                "WHERE dataset_type_id = %3 AND collection_id IN (%4)")
                     .arg(dimCols, calibs)
                     .arg(type.id)
                     .arg(calibIds.join(QStringLiteral(", ")));
        base = QLatin1Char('(') + parts.join(QStringLiteral(" UNION ALL ")) + QLatin1Char(')');
    }
    QueryBuilder qb(m_universe);
    qb.setBase(base, QStringLiteral("t"), req);
    const QString members = memberCondition(c, leaves, filter);
    // A count needs the dataset rows only for the filter: every tags row has one (trashed
    // datasets' rows are moved out), so the join drops none.
    if (!countOut || !members.isEmpty())
        qb.addRawJoin(QStringLiteral(" JOIN dataset d%1 ON d.id = t.dataset_id")
                          .arg(m_db->indexedBy(RegistrySchema::datasetLookupIndex())));
    // A page (a LIMIT) is read in index order and stops early. SQLite's planner does not count
    // on stopping early: with statistics that show one dataset type filling the table it
    // would rather read and sort every row, seconds on a million. Marking the type's term as
    // selective keeps pages on the index; whole listings and counts follow the statistics.
    const QString typeTerm = QStringLiteral("t.dataset_type_id = %1").arg(type.id);
    qb.addCondition(QStringLiteral("%1 AND t.collection_id IN (%2)")
                        .arg(limit > 0 && !countOut ? m_db->selectiveCondition(typeTerm) : typeTerm,
                             (tagIds + calibIds).join(QStringLiteral(", "))));
    if (!calibIds.isEmpty() && query.calibrationTime)
        qb.addCondition(
            QStringLiteral("t.validity_begin IS NULL OR (t.validity_begin <= ? AND ? < t.validity_end)"),
            {*query.calibrationTime, *query.calibrationTime});
    if (!members.isEmpty())
        qb.addCondition(members);
    if (Status added = qb.addWhere(where, query.bind); !added) {
        if (unrelated)
            *unrelated = qb.hitUnrelatedDimension();
        return added.error();
    }
    QList<QueryBuilder::OrderTerm> order;
    for (const QString& spec : query.orderBy) {
        const QString bare = spec.startsWith(QLatin1Char('-')) ? spec.mid(1) : spec;
        const bool desc = spec.startsWith(QLatin1Char('-'));
        if (bare == QLatin1String("dataset_type"))
            continue;
        if (bare == QLatin1String("run") || bare == QLatin1String("ingest_date") ||
            bare == QLatin1String("id")) {
            const QString col = bare == QLatin1String("run")  ? QStringLiteral("d.run_id")
                                : bare == QLatin1String("id") ? QStringLiteral("t.dataset_id")
                                                              : QStringLiteral("d.ingest_date");
            order << QueryBuilder::OrderTerm{col, desc};
            continue;
        }
        BUTLER_ASSIGN_OR_RETURN(QueryBuilder::OrderTerm term, qb.orderTerm(spec));
        order << term;
    }
    if (query.orderBy.isEmpty())
        for (const QString& dim : req)
            order << QueryBuilder::OrderTerm{QStringLiteral("t.") + Database::quote(dim), false};
    order << QueryBuilder::OrderTerm{QStringLiteral("t.dataset_id"), false};
    // Implied values for the data IDs; joined last and LEFT so that they never drop rows (and
    // not at all for a count).
    qb.setLeftJoins(true);
    QStringList impliedCols;
    for (const QString& dim : countOut ? QStringList() : group.implied()) {
        auto col = qb.dimensionColumn(dim);
        impliedCols << (col ? *col : QStringLiteral("NULL"));
    }
    // Rows repeat when several collections are searched, when a relationship table was joined
    // (a visit in two visit systems) and when a decertify split a validity range in two.
    // A search of several RUN/TAGGED collections keeps its rows through an anti-join: a plain
    // search each dataset's row of the lowest collection ID, a find-first search each data ID's
    // row of the collection that comes first in the search order. The rows still stream in
    // index order, so a page of a chain over a million datasets costs what a page of one run
    // does. The other cases number rows with a window, which reads every matching row first.
    const bool plainLeaves = leaves.size() > 1 && !qb.mayDuplicate() && calibIds.isEmpty();
    const bool antiJoin = plainLeaves && !query.findFirst;
    const bool firstAntiJoin = plainLeaves && query.findFirst && !req.isEmpty();
    const bool dedupe =
        !antiJoin && !firstAntiJoin && (leaves.size() > 1 || qb.mayDuplicate() || !calibIds.isEmpty());
    if (antiJoin) {
        // Duplicates share every selected value (data ID, run, ingest date), so any one will do.
        const QString visible = memberCondition(c, leaves, filter, QStringLiteral("t2"));
        qb.addCondition(
            QStringLiteral("NOT EXISTS (SELECT 1 FROM %1 t2 WHERE t2.dataset_id = t.dataset_id AND "
                           "t2.collection_id IN (%2) AND t2.collection_id < t.collection_id%3)")
                .arg(tags, tagIds.join(QStringLiteral(", ")),
                     visible.isEmpty() ? QString() : QStringLiteral(" AND ") + visible));
    }
    if (firstAntiJoin) {
        // A row is its data ID's first when no collection earlier in the search order holds a
        // row of it that the caller may see. The where-expression speaks of the data ID only
        // (without relationship tables), so it holds for those rows exactly when for this one.
        const QString visible =
            memberCondition(c, leaves, filter, QStringLiteral("t2"), QStringLiteral("d2"));
        const QString ranks = rankCases.join(QLatin1Char(' '));
        qb.addCondition(
            QStringLiteral("NOT EXISTS (SELECT 1 FROM %1 t2%2 WHERE t2.dataset_type_id = %3%4 AND "
                           "t2.collection_id IN (%5) AND (CASE t2.collection_id %6 END) < (CASE "
                           "t.collection_id %6 END)%7)")
                .arg(tags, visible.isEmpty() ? QString()
                                             : QStringLiteral(" JOIN dataset d2 ON d2.id = t2.dataset_id"))
                .arg(type.id)
                .arg(sameDataId(req, QStringLiteral("t2"), QStringLiteral("t")),
                     tagIds.join(QStringLiteral(", ")), ranks,
                     visible.isEmpty() ? QString() : QStringLiteral(" AND ") + visible));
    }
    QStringList select{QStringLiteral("t.dataset_id AS id"), QStringLiteral("d.run_id AS run_id"),
                       QStringLiteral("d.ingest_date AS ingest_date")};
    if (countOut)
        select = QStringList{QStringLiteral("t.dataset_id AS id")};
    // Columns by their SQL, so that an order term already selected is not read twice.
    QHash<QString, std::pair<QString, int>> selected{
        {QStringLiteral("t.dataset_id"), {QStringLiteral("id"), 0}},
        {QStringLiteral("d.run_id"), {QStringLiteral("run_id"), 1}},
        {QStringLiteral("d.ingest_date"), {QStringLiteral("ingest_date"), 2}}};
    for (int i = 0; i < req.size(); ++i) {
        const QString col = QStringLiteral("t.%1").arg(Database::quote(req[i]));
        select << QStringLiteral("%1 AS c%2").arg(col).arg(i);
        selected.insert(col, {QStringLiteral("c%1").arg(i), int(select.size()) - 1});
    }
    for (int i = 0; i < impliedCols.size(); ++i)
        select << QStringLiteral("%1 AS i%2").arg(impliedCols[i]).arg(i);
    // The outer query orders by these aliases; orderColumns[i] is where term i's value is read.
    QList<QueryBuilder::OrderTerm> outerOrder;
    QList<int> orderColumns;
    for (int i = 0; i < (countOut ? 0 : order.size()); ++i) {
        const auto it = selected.constFind(order[i].sql);
        if (it != selected.constEnd()) {
            outerOrder << QueryBuilder::OrderTerm{it->first, order[i].descending};
            orderColumns << it->second;
            continue;
        }
        select << QStringLiteral("%1 AS o%2").arg(order[i].sql).arg(i);
        outerOrder << QueryBuilder::OrderTerm{QStringLiteral("o%1").arg(i), order[i].descending};
        orderColumns << int(select.size()) - 1;
    }
    if (dedupe) {
        // Find-first keeps the first collection per data ID; otherwise each dataset once.
        QStringList partition;
        for (const QString& dim : req)
            partition << QStringLiteral("t.") + Database::quote(dim);
        if (!query.findFirst || partition.isEmpty())
            partition = QStringList{QStringLiteral("t.dataset_id")};
        select << QStringLiteral(
                      "ROW_NUMBER() OVER (PARTITION BY %1 ORDER BY CASE t.collection_id %2 END) AS rn")
                      .arg(partition.join(QStringLiteral(", ")), rankCases.join(QLatin1Char(' ')));
    }
    const QString inner = QStringLiteral("SELECT %1 FROM %2%3")
                              .arg(select.join(QStringLiteral(", ")), qb.fromSql(), qb.whereSql());
    QVariantList binds = qb.binds();
    QStringList outerConds;
    if (dedupe)
        outerConds << QStringLiteral("rn = 1");
    if (!after.isEmpty()) {
        const auto [keyset, keysetBinds] = QueryBuilder::keysetCondition(outerOrder, after);
        outerConds << QLatin1Char('(') + keyset + QLatin1Char(')');
        binds << keysetBinds;
    }
    QStringList orderSql;
    for (const QueryBuilder::OrderTerm& term : std::as_const(outerOrder))
        orderSql << QueryBuilder::orderBySql(term);
    QString sql =
        QStringLiteral("SELECT * FROM (%1) q%2 ORDER BY %3")
            .arg(inner,
                 outerConds.isEmpty() ? QString()
                                      : QStringLiteral(" WHERE ") + outerConds.join(QStringLiteral(" AND ")),
                 orderSql.join(QStringLiteral(", ")));
    if (countOut) {
        // The same rows, counted where they are: no refs built, no rows sent.
        const QString countSql =
            QStringLiteral("SELECT COUNT(*) FROM (%1) q%2")
                .arg(inner, outerConds.isEmpty()
                                ? QString()
                                : QStringLiteral(" WHERE ") + outerConds.join(QStringLiteral(" AND ")));
        BUTLER_ASSIGN_OR_RETURN(QSqlQuery * cq, m_db->exec(countSql, binds));
        if (cq->next())
            *countOut = cq->value(0).toLongLong();
        cq->finish();
        return page;
    }
    if (limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit + 1);
    if (sqlOut) {
        *sqlOut = sql;
        return page;
    }
    BUTLER_ASSIGN_OR_RETURN(SqlRows * q, m_db->select(sql, binds));
    const int nReq = int(req.size());
    const int nImp = int(impliedCols.size());
    QList<bool> intDims;
    for (const QString& dim : group.names())
        intDims << (m_universe.element(dim)->primaryKey().type == FieldType::Int);
    // Most pages come from one run: its name is looked up once.
    qint64 lastRunId = -1;
    QString lastRunName;
    // Text values repeat from row to row (an instrument, a band): each row shares the previous
    // row's string when equal, so that a long listing holds one copy, not one per row.
    QList<QVariant> previous(nReq + nImp);
    QVariantList lastKey;
    if (limit > 0) {
        page.refs.reserve(limit);
        page.ingestDates.reserve(limit);
    }
    while (q->next()) {
        if (limit > 0 && page.refs.size() == limit) {
            page.nextPageToken = encodeToken(type.type.name(), lastKey);
            break;
        }
        QList<QVariant> values;
        values.reserve(nReq + nImp);
        bool fullImplied = true;
        for (int i = 0; i < nReq + nImp; ++i) {
            QVariant raw = q->value(3 + i);
            if (raw.isNull()) {
                if (i >= nReq)
                    fullImplied = false;
                values << QVariant();
                continue;
            }
            // SQLite hands integers as qint64 and text as QString already.
            const QMetaType::Type want = intDims[i] ? QMetaType::LongLong : QMetaType::QString;
            if (raw.typeId() != want)
                raw = intDims[i] ? QVariant(raw.toLongLong()) : QVariant(raw.toString());
            if (!intDims[i]) {
                if (raw == previous[i])
                    raw = previous[i];
                else
                    previous[i] = raw;
            }
            values << std::move(raw);
        }
        if (!fullImplied)
            values.resize(nReq);
        const qint64 runId = q->value(1).toLongLong();
        if (runId != lastRunId) {
            lastRunId = runId;
            lastRunName = c.collectionNameById.value(runId);
        }
        page.refs << DatasetRef(QUuid::fromString(q->value(0).toString()), type.type,
                                DataCoordinate::fromValues(group, std::move(values)), lastRunName);
        page.ingestDates << q->value(2).toLongLong();
        if (limit > 0) {
            lastKey.clear();
            for (int column : std::as_const(orderColumns))
                lastKey << q->value(column);
        }
    }
    const Status status = q->status();
    q->finish();
    BUTLER_TRY(status);
    return page;
}

Result<QList<const Registry::TypeEntry*>> Registry::typesMatching(const Cache& c,
                                                                  const QStringList& patterns) const
{
    QList<const TypeEntry*> types;
    if (patterns.isEmpty()) {
        for (const TypeEntry& t : c.typesByName)
            types << &t;
    } else {
        for (const QString& pattern : patterns) {
            if (!hasGlobChars(pattern)) {
                BUTLER_ASSIGN_OR_RETURN(const TypeEntry* t, typeEntry(c, pattern));
                if (!types.contains(t))
                    types << t;
                continue;
            }
            BUTLER_ASSIGN_OR_RETURN(Glob glob, Glob::compile(pattern));
            for (const TypeEntry& t : c.typesByName)
                if (glob.matches(t.type.name()) && !types.contains(&t))
                    types << &t;
        }
    }
    std::sort(types.begin(), types.end(),
              [](const TypeEntry* a, const TypeEntry* b) { return a->type.name() < b->type.name(); });
    return types;
}

QString Registry::memberCondition(const Cache& c, const QList<const CollectionEntry*>& leaves,
                                  const MemberFilter& filter, const QString& rowAlias,
                                  const QString& datasetAlias) const
{
    if (filter.isEmpty())
        return {};
    QStringList restrictedIds;
    for (const CollectionEntry* leaf : leaves)
        if (leaf->info.type != CollectionType::Run && filter.restricted(leaf->info.name))
            restrictedIds << QString::number(leaf->id);
    if (restrictedIds.isEmpty())
        return {};
    // Registry integers only, so inlining is safe; the shorter of the two lists is used.
    QStringList allowed;
    QStringList refused;
    for (const CollectionEntry& entry : c.collectionsByName) {
        if (entry.info.type != CollectionType::Run)
            continue;
        (filter.runAllowed(entry.info.name) ? allowed : refused) << QString::number(entry.id);
    }
    const QString runCondition =
        refused.isEmpty()   ? QStringLiteral("1 = 1")
        : allowed.isEmpty() ? QStringLiteral("1 = 0")
        : allowed.size() <= refused.size()
            ? QStringLiteral("%1.run_id IN (%2)").arg(datasetAlias, allowed.join(QStringLiteral(", ")))
            : QStringLiteral("%1.run_id NOT IN (%2)").arg(datasetAlias, refused.join(QStringLiteral(", ")));
    return QStringLiteral("(%1.collection_id NOT IN (%2) OR %3)")
        .arg(rowAlias, restrictedIds.join(QStringLiteral(", ")), runCondition);
}

Result<qint64> Registry::countDatasets(const DatasetQuery& query, const MemberFilter& filter)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    if (query.collections.isEmpty())
        return invalidInput(QStringLiteral("no collections to search: give --collections"));
    BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearchCached(*c, query.collections));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr where, WhereParser::parse(query.where));
    BUTLER_ASSIGN_OR_RETURN(auto types, typesMatching(*c, query.datasetTypes));
    DatasetQuery unordered = query;
    unordered.orderBy.clear();
    qint64 total = 0;
    const bool skipping = skipsUnrelatedTypes(query.datasetTypes);
    std::optional<Error> firstSkipped;
    bool anyCounted = false;
    for (const TypeEntry* type : std::as_const(types)) {
        qint64 n = 0;
        bool unrelated = false;
        auto counted =
            queryDatasetsOfType(*c, *type, leaves, unordered, where, {}, 0, nullptr, filter, &n, &unrelated);
        if (!counted) {
            if (!skipping || !unrelated)
                return counted.error();
            if (!firstSkipped)
                firstSkipped = counted.error();
            continue;
        }
        anyCounted = true;
        total += n;
    }
    if (!anyCounted && firstSkipped)
        return *firstSkipped;
    return total;
}

Result<DatasetPage> Registry::queryDatasets(const DatasetQuery& query, const MemberFilter& filter)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    if (query.collections.isEmpty())
        return invalidInput(QStringLiteral("no collections to search: give --collections"));
    BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearchCached(*c, query.collections));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr where, WhereParser::parse(query.where));
    BUTLER_ASSIGN_OR_RETURN(auto types, typesMatching(*c, query.datasetTypes));
    QString resumeType;
    QVariantList after;
    if (!query.pageToken.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(auto token, decodeToken(query.pageToken));
        resumeType = token.first;
        after = token.second;
    }
    DatasetPage result;
    const bool skipping = skipsUnrelatedTypes(query.datasetTypes);
    std::optional<Error> firstSkipped;
    bool anyAnswered = false;
    for (const TypeEntry* type : std::as_const(types)) {
        if (!resumeType.isEmpty() && type->type.name() < resumeType)
            continue;
        const bool resuming = !resumeType.isEmpty() && type->type.name() == resumeType;
        const int remaining = query.limit > 0 ? query.limit - int(result.refs.size()) : 0;
        if (query.limit > 0 && remaining <= 0) {
            // The page filled up at a type boundary: the next page starts with this type.
            result.nextPageToken = encodeToken(type->type.name(), {});
            break;
        }
        bool unrelated = false;
        auto page = queryDatasetsOfType(*c, *type, leaves, query, where, resuming ? after : QVariantList(),
                                        remaining, nullptr, filter, nullptr, &unrelated);
        if (!page) {
            // A glob over types skips those the expression does not apply to (a skyMap has no
            // detector); if it applies to none, the first such error is the answer.
            if (!skipping || !unrelated)
                return page.error();
            if (!firstSkipped)
                firstSkipped = page.error();
            continue;
        }
        anyAnswered = true;
        // The first type's page is taken whole: copying tens of thousands of refs costs as
        // much as reading them.
        if (result.refs.isEmpty()) {
            result.refs = std::move(page->refs);
            result.ingestDates = std::move(page->ingestDates);
        } else {
            result.refs << page->refs;
            result.ingestDates << page->ingestDates;
        }
        if (!page->nextPageToken.isEmpty()) {
            result.nextPageToken = page->nextPageToken;
            break;
        }
    }
    if (!anyAnswered && firstSkipped && result.refs.isEmpty() && resumeType.isEmpty())
        return *firstSkipped;
    if (query.withSizes)
        BUTLER_TRY(fillSizes(result));
    return result;
}

Status Registry::fillSizes(DatasetPage& page)
{
    // One statement per chunk instead of a file-info request per page from the client, read
    // through the engine's own API rather than QSqlQuery's bound QVariants.
    constexpr qsizetype kChunk = 512;
    QList<QUuid> ids;
    ids.reserve(page.refs.size());
    for (const DatasetRef& ref : std::as_const(page.refs))
        ids << ref.id();
    QHash<QUuid, qint64> sizeOf;
    sizeOf.reserve(ids.size());
    for (qsizetype start = 0; start < ids.size(); start += kChunk) {
        const auto [marks, binds] = paddedIdList(ids, start, std::min(kChunk, ids.size() - start));
        BUTLER_ASSIGN_OR_RETURN(
            SqlRows * rows,
            m_db->select(
                QStringLiteral(
                    "SELECT dataset_id, file_size FROM file_datastore_records%1 WHERE dataset_id IN (%2)")
                    .arg(m_db->indexedBy(RegistrySchema::fileSizeIndex()), marks),
                binds));
        while (rows->next())
            sizeOf.insert(rows->uuid(0), rows->integer(1));
        BUTLER_TRY(rows->status());
    }
    page.sizes.clear();
    page.sizes.reserve(ids.size());
    for (const QUuid& id : std::as_const(ids))
        page.sizes << sizeOf.value(id, -1);
    return {};
}

bool Registry::skipsUnrelatedTypes(const QStringList& patterns)
{
    if (patterns.isEmpty())
        return true;
    for (const QString& pattern : patterns)
        if (hasGlobChars(pattern))
            return true;
    return false;
}

Result<QString> Registry::explainDatasetQuery(const DatasetQuery& query)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(*c, query.collections));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr where, WhereParser::parse(query.where));
    if (query.datasetTypes.size() != 1)
        return invalidInput(QStringLiteral("explain needs exactly one dataset type"));
    BUTLER_ASSIGN_OR_RETURN(const TypeEntry* t, typeEntry(*c, query.datasetTypes.first()));
    QString sql;
    BUTLER_TRY(queryDatasetsOfType(*c, *t, leaves, query, where, {}, query.limit, &sql));
    return sql;
}

Status Registry::refreshStatistics()
{
    QElapsedTimer timer;
    timer.start();
    BUTLER_ASSIGN_OR_RETURN(const qint64 mark, m_db->insertionMark(QStringLiteral("dataset")));
    BUTLER_TRY(m_db->analyze());
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    // Where the dataset table stood, so that refreshStatisticsIfStale() can tell its growth.
    BUTLER_TRY(m_db->exec(QStringLiteral("INSERT INTO butler_attributes (name, value) VALUES "
                                         "('statistics_mark', ?) ON CONFLICT (name) DO UPDATE SET value = "
                                         "excluded.value"),
                          {QString::number(mark)}));
    BUTLER_TRY(tx.commit());
    qCInfo(lcRegistry) << "refreshed the query planner's statistics in" << timer.elapsed() << "ms";
    return {};
}

Result<bool> Registry::refreshStatisticsIfStale()
{
    const QString table = QStringLiteral("dataset");
    BUTLER_ASSIGN_OR_RETURN(const qint64 mark, m_db->insertionMark(table));
    if (mark < statisticsMinRows())
        return false;
    BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> analyzed, m_db->analyzedRows(table));
    if (analyzed) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("SELECT value FROM butler_attributes WHERE name = 'statistics_mark'")));
        const qint64 before = q->next() ? q->value(0).toLongLong() : 0;
        q->finish();
        // Rows inserted since then, against the rows the statistics describe.
        if (double(mark - before) < double(*analyzed) * (StatisticsGrowth - 1.0))
            return false;
    }
    BUTLER_TRY(refreshStatistics());
    return true;
}

Result<QList<DataCoordinate>> Registry::queryDataIds(const DataIdQuery& query)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    if (query.dimensions.isEmpty())
        return invalidInput(QStringLiteral("name at least one dimension"));
    BUTLER_ASSIGN_OR_RETURN(DimensionGroup group, m_universe.group(query.dimensions));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr where, WhereParser::parse(query.where));
    QueryBuilder qb(m_universe);
    if (!query.datasetTypes.isEmpty()) {
        if (query.collections.isEmpty())
            return invalidInput(QStringLiteral("--datasets needs --collections to search"));
        BUTLER_ASSIGN_OR_RETURN(auto leaves, resolveSearch(*c, query.collections));
        QStringList ids;
        for (const CollectionEntry* leaf : leaves)
            if (leaf->info.type != CollectionType::Calibration)
                ids << QString::number(leaf->id);
        if (ids.isEmpty())
            return QList<DataCoordinate>();
        bool first = true;
        for (const QString& typeName : query.datasetTypes) {
            BUTLER_ASSIGN_OR_RETURN(const TypeEntry* type, typeEntry(*c, typeName));
            const QString alias = first ? QStringLiteral("t") : QStringLiteral("t%1").arg(type->id);
            const QString table = RegistrySchema::tagsTable(type->groupId);
            const QStringList& req = type->type.dimensions().required();
            if (first) {
                qb.setBase(table, alias, req);
            } else {
                // Further dataset types must exist for the same data ID values they share.
                QStringList on;
                for (const QString& dim : req) {
                    BUTLER_ASSIGN_OR_RETURN(QString col, qb.dimensionColumn(dim));
                    on << QStringLiteral("%1.%2 = %3").arg(alias, Database::quote(dim), col);
                }
                qb.addRawJoin(
                    QStringLiteral(" JOIN %1 %2 ON %3")
                        .arg(table, alias,
                             on.isEmpty() ? QStringLiteral("1 = 1") : on.join(QStringLiteral(" AND "))));
            }
            qb.addCondition(QStringLiteral("%1.dataset_type_id = %2 AND %1.collection_id IN (%3)")
                                .arg(alias)
                                .arg(type->id)
                                .arg(ids.join(QStringLiteral(", "))));
            first = false;
        }
    }
    for (const QString& dim : group.required()) {
        auto col = qb.dimensionColumn(dim);
        if (!col)
            BUTLER_TRY(qb.joinElement(dim));
    }
    BUTLER_TRY(qb.addDimensionSources(group));
    BUTLER_TRY(qb.addWhere(where, query.bind));
    QList<QueryBuilder::OrderTerm> order;
    for (const QString& spec : query.orderBy) {
        BUTLER_ASSIGN_OR_RETURN(QueryBuilder::OrderTerm term, qb.orderTerm(spec));
        order << term;
    }
    QStringList cols;
    for (const QString& dim : group.required()) {
        BUTLER_ASSIGN_OR_RETURN(QString col, qb.dimensionColumn(dim));
        cols << col;
        order << QueryBuilder::OrderTerm{col, false};
    }
    qb.setLeftJoins(true);
    for (const QString& dim : group.implied()) {
        auto col = qb.dimensionColumn(dim);
        cols << (col ? *col : QStringLiteral("NULL"));
    }
    QStringList select;
    for (int i = 0; i < cols.size(); ++i)
        select << QStringLiteral("%1 AS c%2").arg(cols[i]).arg(i);
    QStringList orderSql;
    for (int i = 0; i < order.size(); ++i) {
        select << QStringLiteral("%1 AS o%2").arg(order[i].sql).arg(i);
        orderSql << QStringLiteral("o%1%2").arg(i).arg(order[i].descending ? QStringLiteral(" DESC")
                                                                           : QString());
    }
    QString sql = QStringLiteral("SELECT DISTINCT %1 FROM %2%3 ORDER BY %4")
                      .arg(select.join(QStringLiteral(", ")), qb.fromSql(), qb.whereSql(),
                           orderSql.join(QStringLiteral(", ")));
    if (query.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(query.limit);
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, m_db->exec(sql, qb.binds()));
    QList<DataCoordinate> result;
    const QStringList names = group.names();
    while (q->next()) {
        QList<QVariant> values;
        bool full = true;
        for (int i = 0; i < names.size(); ++i) {
            const QVariant v = dimensionValue(m_universe, names[i], q->value(i));
            if (!v.isValid())
                full = false;
            values << v;
        }
        if (!full)
            values = values.mid(0, group.required().size());
        result << DataCoordinate::fromValues(group, values);
    }
    q->finish();
    return result;
}

Status Registry::associate(const QString& tagged, const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* target, collectionEntry(*c, tagged));
    if (target->info.type != CollectionType::Tagged)
        return invalidInput(QStringLiteral("'%1' is a %2 collection; associate needs a TAGGED collection")
                                .arg(tagged, collectionTypeName(target->info.type)));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    for (const QUuid& id : ids) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral(
                           "SELECT dataset_type_id, run_id FROM dataset WHERE id = ? AND trash_id IS NULL"),
                       {uuidText(id)}));
        if (!q->next()) {
            q->finish();
            return notFound(QStringLiteral("dataset %1 does not exist").arg(uuidText(id)));
        }
        const QString typeName = c->typeNameById.value(q->value(0).toLongLong());
        const qint64 runId = q->value(1).toLongLong();
        q->finish();
        BUTLER_ASSIGN_OR_RETURN(const TypeEntry* type, typeEntry(*c, typeName));
        const QStringList& req = type->type.dimensions().required();
        const QString dims = req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req);
        const QString table = RegistrySchema::tagsTable(type->groupId);
        auto ins = m_db->exec(
            QStringLiteral(
                "INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2) SELECT "
                "dataset_type_id, dataset_id, ?%2 FROM %1 WHERE dataset_id = ? AND collection_id = ? "
                "ON CONFLICT (dataset_id, collection_id) DO NOTHING")
                .arg(table, dims),
            {target->id, uuidText(id), runId});
        if (!ins) {
            if (ins.error().kind() == ErrorKind::Conflict)
                return conflict(
                    QStringLiteral("'%1' already holds another %2 dataset with the same data ID as %3")
                        .arg(tagged, typeName, uuidText(id)));
            return ins.error();
        }
    }
    return tx.commit();
}

Status Registry::disassociate(const QString& tagged, const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* target, collectionEntry(*c, tagged));
    if (target->info.type != CollectionType::Tagged)
        return invalidInput(QStringLiteral("'%1' is a %2 collection; disassociate needs a TAGGED collection")
                                .arg(tagged, collectionTypeName(target->info.type)));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    for (const QUuid& id : ids)
        for (int g : std::as_const(c->groupIds))
            BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM %1 WHERE dataset_id = ? AND collection_id = ?")
                                      .arg(RegistrySchema::tagsTable(g)),
                                  {uuidText(id), target->id}));
    return tx.commit();
}

Status Registry::certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* target, collectionEntry(*c, calibration));
    if (target->info.type != CollectionType::Calibration)
        return invalidInput(QStringLiteral("'%1' is a %2 collection; certify needs a CALIBRATION collection")
                                .arg(calibration, collectionTypeName(target->info.type)));
    if (validity.isEmpty())
        return invalidInput(QStringLiteral("the validity range %1 is empty").arg(validity.toString()));
    BUTLER_ASSIGN_OR_RETURN(auto refs, refsByIds(*c, ids));
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    for (const DatasetRef& ref : std::as_const(refs)) {
        BUTLER_ASSIGN_OR_RETURN(const TypeEntry* type, typeEntry(*c, ref.datasetType().name()));
        if (!type->type.isCalibration())
            return invalidInput(
                QStringLiteral("dataset type '%1' is not a calibration type").arg(type->type.name()));
        const QStringList& req = type->type.dimensions().required();
        const QString table = RegistrySchema::calibsTable(type->groupId);
        QStringList where;
        QVariantList binds{type->id, target->id};
        for (int i = 0; i < req.size(); ++i) {
            where << QStringLiteral(" AND %1 = ?").arg(Database::quote(req[i]));
            binds << ref.dataId().values()[i];
        }
        binds << validity.end() << validity.begin();
        // Same type and data ID may not have overlapping validity ranges in one collection.
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("SELECT dataset_id, validity_begin, validity_end FROM %1 WHERE "
                                      "dataset_type_id = ? AND collection_id = ?%2 AND validity_begin < ? "
                                      "AND ? < validity_end")
                           .arg(table, where.join(QString())),
                       binds));
        if (q->next()) {
            const Timespan other(q->value(1).toLongLong(), q->value(2).toLongLong());
            const QString otherId = q->value(0).toString();
            q->finish();
            return conflict(
                QStringLiteral("%1 %2 is already certified in '%3' for %4 (dataset %5), which overlaps %6")
                    .arg(type->type.name(), ref.dataId().requiredOnly().toString(), calibration,
                         other.toString(), otherId, validity.toString()));
        }
        q->finish();
        QVariantList ins{type->id, ref.idString(), target->id};
        for (int i = 0; i < req.size(); ++i)
            ins << ref.dataId().values()[i];
        ins << validity.begin() << validity.end();
        BUTLER_TRY(m_db->exec(
            QStringLiteral("INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2, validity_begin, "
                           "validity_end) VALUES (%3)")
                .arg(table, req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req),
                     placeholders(int(ins.size()))),
            ins));
    }
    return tx.commit();
}

Status Registry::decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                           const QList<DataCoordinate>& dataIds)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* target, collectionEntry(*c, calibration));
    if (target->info.type != CollectionType::Calibration)
        return invalidInput(
            QStringLiteral("'%1' is a %2 collection; decertify needs a CALIBRATION collection")
                .arg(calibration, collectionTypeName(target->info.type)));
    BUTLER_ASSIGN_OR_RETURN(const TypeEntry* type, typeEntry(*c, datasetType));
    const QStringList& req = type->type.dimensions().required();
    const QString table = RegistrySchema::calibsTable(type->groupId);
    const QString dimList = req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req);
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT calib_id, dataset_id, validity_begin, validity_end%1 FROM %2 "
                                  "WHERE dataset_type_id = ? AND collection_id = ? AND validity_begin < ? "
                                  "AND ? < validity_end")
                       .arg(dimList, table),
                   {type->id, target->id, validity.end(), validity.begin()}));
    struct Row
    {
        qint64 calibId;
        QString datasetId;
        Timespan span;
        QVariantList dims;
    };
    QList<Row> rows;
    QSet<QString> wanted;
    for (const DataCoordinate& d : dataIds)
        wanted.insert(d.key());
    while (q->next()) {
        Row row{q->value(0).toLongLong(),
                q->value(1).toString(),
                Timespan(q->value(2).toLongLong(), q->value(3).toLongLong()),
                {}};
        QList<QVariant> dims;
        for (int i = 0; i < req.size(); ++i)
            dims << dimensionValue(m_universe, req[i], q->value(4 + i));
        row.dims = dims;
        if (!wanted.isEmpty() &&
            !wanted.contains(DataCoordinate::fromValues(type->type.dimensions(), dims).key()))
            continue;
        rows << row;
    }
    q->finish();
    for (const Row& row : std::as_const(rows)) {
        BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM %1 WHERE calib_id = ?").arg(table), {row.calibId}));
        // Keep the parts of the old range outside the cleared one.
        QList<Timespan> keep;
        if (row.span.begin() < validity.begin())
            keep << Timespan(row.span.begin(), validity.begin());
        if (validity.end() < row.span.end())
            keep << Timespan(validity.end(), row.span.end());
        for (const Timespan& piece : std::as_const(keep)) {
            QVariantList ins{type->id, row.datasetId, target->id};
            ins << row.dims << piece.begin() << piece.end();
            BUTLER_TRY(m_db->exec(
                QStringLiteral(
                    "INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2, validity_begin, "
                    "validity_end) VALUES (%3)")
                    .arg(table, dimList, placeholders(int(ins.size()))),
                ins));
        }
    }
    return tx.commit();
}

Status Registry::removeDatasets(const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    for (const QUuid& id : ids) {
        for (int g : std::as_const(c->groupIds))
            BUTLER_TRY(m_db->exec(
                QStringLiteral("DELETE FROM %1 WHERE dataset_id = ?").arg(RegistrySchema::trashTable(g)),
                {uuidText(id)}));
        BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM dataset WHERE id = ?"), {uuidText(id)}));
    }
    return tx.commit();
}

// ---------------------------------------------------------------- datastore records

Status Registry::insertFileRecords(const QList<StoredFileRecord>& records)
{
    const QString head = QStringLiteral("INSERT INTO file_datastore_records (dataset_id, path, formatter, "
                                        "storage_class, file_size, checksum)");
    constexpr int Columns = 6;
    // One statement is atomic by itself: a put's single record needs no savepoint.
    if (records.size() == 1) {
        const StoredFileRecord& r = records.first();
        BUTLER_TRY(m_db->run(multiRowInsert(head, Columns, 1),
                             {uuidText(r.id), r.path, r.formatter, r.storageClass, r.size, r.checksum}));
        return {};
    }
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    QVariantList binds;
    for (qsizetype done = 0; done < records.size();) {
        int rows = 1;
        for (int size : {128, 32, 8})
            if (size * Columns <= MaxBindsPerStatement && records.size() - done >= size) {
                rows = size;
                break;
            }
        binds.clear();
        binds.reserve(rows * Columns);
        for (int i = 0; i < rows; ++i) {
            const StoredFileRecord& r = records[done + i];
            binds << uuidText(r.id) << r.path << r.formatter << r.storageClass << r.size << r.checksum;
        }
        BUTLER_TRY(m_db->run(multiRowInsert(head, Columns, rows), binds));
        done += rows;
    }
    return tx.commit();
}

Result<QList<StoredFileRecord>> Registry::fileRecords(const QList<QUuid>& ids)
{
    QList<StoredFileRecord> result;
    for (const QUuid& id : ids) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("SELECT f.path, f.formatter, f.storage_class, f.file_size, f.checksum "
                                      "FROM file_datastore_records f JOIN dataset d ON d.id = f.dataset_id "
                                      "WHERE f.dataset_id = ? AND d.trash_id IS NULL"),
                       {uuidText(id)}));
        if (q->next())
            result << StoredFileRecord{id,
                                       q->value(0).toString(),
                                       q->value(1).toString(),
                                       q->value(2).toString(),
                                       q->value(3).toLongLong(),
                                       q->value(4).toString()};
        q->finish();
    }
    return result;
}

Status Registry::removeFileRecords(const QList<QUuid>& ids)
{
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    for (const QUuid& id : ids)
        BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM file_datastore_records WHERE dataset_id = ?"),
                              {uuidText(id)}));
    return tx.commit();
}

// ---------------------------------------------------------------- trash

namespace {

const char* const TrashColumns = "trash_id, kind, collection_name, collection_type, removed_by, removed_at, "
                                 "expires_at, dataset_count, file_count, byte_count";

Result<TrashEntry> trashEntryFromRow(const QSqlQuery& q)
{
    TrashEntry entry;
    entry.id = q.value(0).toLongLong();
    BUTLER_ASSIGN_OR_RETURN(entry.kind, TrashEntry::parseKind(q.value(1).toString()));
    entry.collection = q.value(2).toString();
    entry.collectionType = CollectionType(q.value(3).toInt());
    entry.removedBy = q.value(4).toString();
    entry.removedAt = q.value(5).toLongLong();
    entry.expiresAt = q.value(6).toLongLong();
    entry.datasets = q.value(7).toLongLong();
    entry.files = q.value(8).toLongLong();
    entry.bytes = q.value(9).toLongLong();
    return entry;
}

} // namespace

Result<TrashEntry> Registry::trashEntry(qint64 id)
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(
            QStringLiteral("SELECT %1 FROM trash_entry WHERE trash_id = ?").arg(QLatin1String(TrashColumns)),
            {id}));
    if (!q->next()) {
        q->finish();
        return notFound(QStringLiteral("there is no trash entry #%1").arg(id));
    }
    auto entry = trashEntryFromRow(*q);
    q->finish();
    return entry;
}

Result<QList<TrashEntry>> Registry::trashEntries()
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q, m_db->exec(QStringLiteral("SELECT %1 FROM trash_entry ORDER BY removed_at, trash_id")
                                      .arg(QLatin1String(TrashColumns))));
    QList<TrashEntry> entries;
    while (q->next()) {
        auto entry = trashEntryFromRow(*q);
        if (!entry) {
            q->finish();
            return entry.error();
        }
        entries.append(std::move(entry).value());
    }
    q->finish();
    return entries;
}

qint64 Registry::insertTrashEntry(TrashEntry::Kind kind, const CollectionEntry& collection,
                                  const TrashStamp& stamp, Status* status)
{
    auto q = m_db->exec(QStringLiteral("INSERT INTO trash_entry (kind, collection_id, collection_name, "
                                       "collection_type, removed_by, removed_at, expires_at, dataset_count, "
                                       "file_count, byte_count) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0)"),
                        {TrashEntry::kindName(kind), collection.id, collection.info.name,
                         int(collection.info.type), stamp.user, stamp.removedAt, stamp.expiresAt});
    if (!q) {
        *status = q.error();
        return 0;
    }
    return (*q)->lastInsertId().toLongLong();
}

Status Registry::countTrashedDatasets(qint64 trashId)
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT COUNT(*), COUNT(f.dataset_id), COALESCE(SUM(f.file_size), 0) FROM "
                                  "dataset d LEFT JOIN file_datastore_records f ON f.dataset_id = d.id WHERE "
                                  "d.trash_id = ?"),
                   {trashId}));
    QVariantList counts;
    if (q->next())
        counts << q->value(0).toLongLong() << q->value(1).toLongLong() << q->value(2).toLongLong();
    q->finish();
    if (counts.isEmpty())
        return {};
    counts << trashId;
    BUTLER_TRY(m_db->exec(
        QStringLiteral(
            "UPDATE trash_entry SET dataset_count = ?, file_count = ?, byte_count = ? WHERE trash_id = ?"),
        counts));
    return {};
}

Status Registry::moveMembershipsOut(const Cache& c, qint64 trashId)
{
    for (int g : std::as_const(c.groupIds)) {
        const QStringList req = c.groupDimensions.value(g);
        const QString dims = req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req);
        const QString trash = RegistrySchema::trashTable(g);
        const QString marked = QStringLiteral("dataset_id IN (SELECT id FROM dataset WHERE trash_id = ?)");
        BUTLER_TRY(
            m_db->exec(QStringLiteral("INSERT INTO %1 (trash_id, dataset_type_id, dataset_id, "
                                      "collection_id%2, calibration, validity_begin, validity_end) "
                                      "SELECT ?, dataset_type_id, dataset_id, collection_id%2, 0, NULL, "
                                      "NULL FROM %3 WHERE %4")
                           .arg(trash, dims, RegistrySchema::tagsTable(g), marked),
                       {trashId, trashId}));
        BUTLER_TRY(m_db->exec(QStringLiteral("INSERT INTO %1 (trash_id, dataset_type_id, dataset_id, "
                                             "collection_id%2, calibration, validity_begin, validity_end) "
                                             "SELECT ?, dataset_type_id, dataset_id, collection_id%2, 1, "
                                             "validity_begin, validity_end FROM %3 WHERE %4")
                                  .arg(trash, dims, RegistrySchema::calibsTable(g), marked),
                              {trashId, trashId}));
        for (const QString& table : {RegistrySchema::tagsTable(g), RegistrySchema::calibsTable(g)})
            BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM %1 WHERE %2").arg(table, marked), {trashId}));
    }
    return {};
}

Status Registry::moveMembershipsBack(const Cache& c, qint64 trashId, const QString& entryName)
{
    const auto clash = [&](qint64 collectionId, qint64 typeId, const QString& other, bool calibration) {
        const QString collection = anyCollectionName(c, collectionId);
        const QString type = c.typeNameById.value(typeId);
        return conflict(
            calibration
                ? QStringLiteral("cannot restore '%1': %2 dataset %3 is now certified in '%4' for an "
                                 "overlapping validity range with the same data ID; decertify it first")
                      .arg(entryName, type, other, collection)
                : QStringLiteral("cannot restore '%1': '%2' now holds another %3 dataset with the same data "
                                 "ID (%4); prune or disassociate it first")
                      .arg(entryName, collection, type, other));
    };
    for (int g : std::as_const(c.groupIds)) {
        const QStringList req = c.groupDimensions.value(g);
        const QString dims = req.isEmpty() ? QString() : QStringLiteral(", ") + quotedList(req);
        QString sourceDims;
        for (const QString& dim : req)
            sourceDims += QStringLiteral(", s.") + Database::quote(dim);
        const QString trash = RegistrySchema::trashTable(g);
        const QString tags = RegistrySchema::tagsTable(g);
        const QString calibs = RegistrySchema::calibsTable(g);
        // Places taken since: the same type and data ID in the same collection (for calibrations,
        // with an overlapping validity range).
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(
                QStringLiteral("SELECT s.collection_id, s.dataset_type_id, t.dataset_id FROM %1 s JOIN %2 "
                               "t ON t.dataset_type_id = s.dataset_type_id AND t.collection_id = "
                               "s.collection_id%3 WHERE s.trash_id = ? AND s.calibration = 0")
                    .arg(trash, tags, sameDataId(req, QStringLiteral("t"), QStringLiteral("s"))),
                {trashId}));
        if (q->next()) {
            const Error error =
                clash(q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(), false);
            q->finish();
            return error;
        }
        q->finish();
        BUTLER_ASSIGN_OR_RETURN(
            q, m_db->exec(
                   QStringLiteral("SELECT s.collection_id, s.dataset_type_id, k.dataset_id FROM %1 s JOIN "
                                  "%2 k ON k.dataset_type_id = s.dataset_type_id AND k.collection_id = "
                                  "s.collection_id%3 AND k.validity_begin < s.validity_end AND "
                                  "s.validity_begin < k.validity_end WHERE s.trash_id = ? AND "
                                  "s.calibration = 1")
                       .arg(trash, calibs, sameDataId(req, QStringLiteral("k"), QStringLiteral("s"))),
                   {trashId}));
        if (q->next()) {
            const Error error =
                clash(q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(), true);
            q->finish();
            return error;
        }
        q->finish();
        // Memberships of collections purged meanwhile are dropped.
        const QString existing =
            QStringLiteral("EXISTS (SELECT 1 FROM collection c WHERE c.collection_id = s.collection_id)");
        BUTLER_TRY(
            m_db->exec(QStringLiteral("INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2) "
                                      "SELECT s.dataset_type_id, s.dataset_id, s.collection_id%3 FROM %4 "
                                      "s WHERE s.trash_id = ? AND s.calibration = 0 AND %5")
                           .arg(tags, dims, sourceDims, trash, existing),
                       {trashId}));
        BUTLER_TRY(
            m_db->exec(QStringLiteral("INSERT INTO %1 (dataset_type_id, dataset_id, collection_id%2, "
                                      "validity_begin, validity_end) SELECT s.dataset_type_id, "
                                      "s.dataset_id, s.collection_id%3, s.validity_begin, s.validity_end "
                                      "FROM %4 s WHERE s.trash_id = ? AND s.calibration = 1 AND %5")
                           .arg(calibs, dims, sourceDims, trash, existing),
                       {trashId}));
        BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM %1 WHERE trash_id = ?").arg(trash), {trashId}));
    }
    return {};
}

Result<bool> Registry::holdsNothing(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(*c, name));
    const auto any = [this](const QString& sql, qint64 id) -> Result<bool> {
        BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, m_db->exec(sql, {id}));
        const bool found = q->next();
        q->finish();
        return found;
    };
    BUTLER_ASSIGN_OR_RETURN(
        bool chained, any(QStringLiteral("SELECT 1 FROM collection_chain WHERE child = ? LIMIT 1"), e->id));
    if (chained)
        return false;
    switch (e->info.type) {
    case CollectionType::Run: {
        BUTLER_ASSIGN_OR_RETURN(bool held,
                                any(QStringLiteral("SELECT 1 FROM dataset WHERE run_id = ? LIMIT 1"), e->id));
        return !held;
    }
    case CollectionType::Chained: {
        BUTLER_ASSIGN_OR_RETURN(
            bool held, any(QStringLiteral("SELECT 1 FROM collection_chain WHERE parent = ? LIMIT 1"), e->id));
        return !held;
    }
    case CollectionType::Tagged:
    case CollectionType::Calibration:
        for (int g : std::as_const(c->groupIds)) {
            for (const QString& table : {RegistrySchema::tagsTable(g), RegistrySchema::calibsTable(g),
                                         RegistrySchema::trashTable(g)}) {
                BUTLER_ASSIGN_OR_RETURN(
                    bool held,
                    any(QStringLiteral("SELECT 1 FROM %1 WHERE collection_id = ? LIMIT 1").arg(table),
                        e->id));
                if (held)
                    return false;
            }
        }
        return true;
    }
    return false;
}

Result<TrashEntry> Registry::trashCollection(const QString& name, const TrashStamp& stamp)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e, collectionEntry(*c, name));
    const bool run = e->info.type == CollectionType::Run;
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    Status inserted;
    const qint64 trashId =
        insertTrashEntry(run ? TrashEntry::Kind::Run : TrashEntry::Kind::Collection, *e, stamp, &inserted);
    BUTLER_TRY(inserted);
    if (run) {
        // Datasets pruned into the trash before keep their own entries.
        BUTLER_TRY(m_db->exec(
            QStringLiteral("UPDATE dataset SET trash_id = ? WHERE run_id = ? AND trash_id IS NULL"),
            {trashId, e->id}));
        BUTLER_TRY(moveMembershipsOut(*c, trashId));
        BUTLER_TRY(countTrashedDatasets(trashId));
    } else if (e->info.type != CollectionType::Chained) {
        // Its members stay in its rows, out of reach while it is in the trash.
        qint64 members = 0;
        for (int g : std::as_const(c->groupIds)) {
            for (const QString& table : {RegistrySchema::tagsTable(g), RegistrySchema::calibsTable(g)}) {
                BUTLER_ASSIGN_OR_RETURN(
                    QSqlQuery * q,
                    m_db->exec(
                        QStringLiteral("SELECT COUNT(DISTINCT dataset_id) FROM %1 WHERE collection_id = ?")
                            .arg(table),
                        {e->id}));
                if (q->next())
                    members += q->value(0).toLongLong();
                q->finish();
            }
        }
        BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE trash_entry SET dataset_count = ? WHERE trash_id = ?"),
                              {members, trashId}));
    }
    BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE collection SET trash_id = ? WHERE collection_id = ?"),
                          {trashId, e->id}));
    BUTLER_TRY(bumpGeneration());
    BUTLER_ASSIGN_OR_RETURN(TrashEntry entry, trashEntry(trashId));
    BUTLER_TRY(tx.commit());
    qCInfo(lcRegistry).noquote() << "moved" << collectionTypeName(e->info.type) << name
                                 << "to the trash as entry" << trashId;
    return entry;
}

Result<QList<TrashEntry>> Registry::trashDatasets(const QList<QUuid>& ids, const TrashStamp& stamp)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    QList<qint64> runOrder;
    QHash<qint64, QList<QUuid>> byRun;
    for (const QUuid& id : ids) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("SELECT run_id FROM dataset WHERE id = ? AND trash_id IS NULL"),
                       {uuidText(id)}));
        if (!q->next()) {
            q->finish();
            return notFound(QStringLiteral("dataset %1 does not exist").arg(uuidText(id)));
        }
        const qint64 run = q->value(0).toLongLong();
        q->finish();
        if (!byRun.contains(run))
            runOrder.append(run);
        if (!byRun[run].contains(id))
            byRun[run].append(id);
    }
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    QList<qint64> made;
    for (qint64 run : std::as_const(runOrder)) {
        BUTLER_ASSIGN_OR_RETURN(const CollectionEntry* e,
                                collectionEntry(*c, c->collectionNameById.value(run)));
        Status inserted;
        const qint64 trashId = insertTrashEntry(TrashEntry::Kind::Datasets, *e, stamp, &inserted);
        BUTLER_TRY(inserted);
        for (const QUuid& id : byRun.value(run))
            BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE dataset SET trash_id = ? WHERE id = ?"),
                                  {trashId, uuidText(id)}));
        BUTLER_TRY(moveMembershipsOut(*c, trashId));
        BUTLER_TRY(countTrashedDatasets(trashId));
        made.append(trashId);
    }
    QList<TrashEntry> entries;
    for (qint64 trashId : std::as_const(made)) {
        BUTLER_ASSIGN_OR_RETURN(TrashEntry entry, trashEntry(trashId));
        entries.append(entry);
    }
    BUTLER_TRY(tx.commit());
    return entries;
}

Status Registry::restoreTrash(qint64 id)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(const TrashEntry entry, trashEntry(id));
    if (entry.kind == TrashEntry::Kind::Datasets) {
        const auto run = c->trashedByName.constFind(entry.collection);
        if (run != c->trashedByName.constEnd())
            return conflict(
                QStringLiteral("cannot restore '%1': its run '%2' is in the trash too; restore the "
                               "run first")
                    .arg(entry.name(), entry.collection));
    }
    BUTLER_TRY(moveMembershipsBack(*c, id, entry.name()));
    BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE dataset SET trash_id = NULL WHERE trash_id = ?"), {id}));
    BUTLER_TRY(m_db->exec(QStringLiteral("UPDATE collection SET trash_id = NULL WHERE trash_id = ?"), {id}));
    BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM trash_entry WHERE trash_id = ?"), {id}));
    if (entry.kind != TrashEntry::Kind::Datasets)
        BUTLER_TRY(bumpGeneration());
    BUTLER_TRY(tx.commit());
    qCInfo(lcRegistry).noquote() << "restored trash entry" << id << entry.name();
    return {};
}

Result<qsizetype> Registry::purgeTrashDatasets(qint64 id, qsizetype limit, QStringList* paths)
{
    limit = std::clamp<qsizetype>(limit, 1, MaxBindsPerStatement);
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(const TrashEntry entry, trashEntry(id));
    QString where = QStringLiteral("d.trash_id = ?");
    QVariant key = id;
    if (entry.kind != TrashEntry::Kind::Datasets) {
        BUTLER_ASSIGN_OR_RETURN(
            QSqlQuery * q,
            m_db->exec(QStringLiteral("SELECT collection_id FROM collection WHERE trash_id = ?"), {id}));
        const bool found = q->next();
        if (found)
            key = q->value(0).toLongLong();
        q->finish();
        if (!found)
            return qsizetype(0);
        if (entry.collectionType != CollectionType::Run) {
            // A TAGGED or CALIBRATION collection: its memberships, those held in the trash too.
            qsizetype removed = 0;
            for (int g : std::as_const(c->groupIds)) {
                for (const QString& table : {RegistrySchema::tagsTable(g), RegistrySchema::calibsTable(g),
                                             RegistrySchema::trashTable(g)}) {
                    if (removed >= limit)
                        break;
                    BUTLER_ASSIGN_OR_RETURN(
                        QSqlQuery * deleted,
                        m_db->exec(QStringLiteral("DELETE FROM %1 WHERE rowid IN (SELECT rowid FROM %1 WHERE "
                                                  "collection_id = ? LIMIT ?)")
                                       .arg(table),
                                   {key, limit - removed}));
                    removed += std::max(0, deleted->numRowsAffected());
                    deleted->finish();
                }
            }
            BUTLER_TRY(tx.commit());
            return removed;
        }
        where = QStringLiteral("d.run_id = ?");
    }
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db->exec(QStringLiteral("SELECT d.id, f.path FROM dataset d LEFT JOIN file_datastore_records f ON "
                                  "f.dataset_id = d.id WHERE %1 LIMIT ?")
                       .arg(where),
                   {key, limit}));
    QVariantList ids;
    while (q->next()) {
        ids.append(q->value(0));
        if (paths && !q->isNull(1))
            paths->append(q->value(1).toString());
    }
    q->finish();
    if (ids.isEmpty()) {
        BUTLER_TRY(tx.commit());
        return qsizetype(0);
    }
    const qsizetype count = ids.size();
    // Always `limit` places, the spare ones NULL (which matches nothing): one statement text
    // per limit, not one per count.
    QString marks = QStringLiteral("?");
    marks.reserve(limit * 3);
    for (qsizetype i = 1; i < limit; ++i)
        marks += QStringLiteral(", ?");
    while (ids.size() < limit)
        ids.append(QVariant());
    // Their memberships held in the trash (of this entry, or of datasets pruned before their run
    // was removed); tags, calibration and file rows go by cascade.
    for (int g : std::as_const(c->groupIds))
        BUTLER_TRY(m_db->run(QStringLiteral("DELETE FROM %1 WHERE dataset_id IN (%2)")
                                 .arg(RegistrySchema::trashTable(g), marks),
                             ids));
    BUTLER_TRY(m_db->run(QStringLiteral("DELETE FROM dataset WHERE id IN (%1)").arg(marks), ids));
    BUTLER_TRY(tx.commit());
    return count;
}

Status Registry::expireTrash(const QList<qint64>& ids, qint64 when)
{
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    for (qint64 id : ids)
        BUTLER_TRY(m_db->run(QStringLiteral("UPDATE trash_entry SET expires_at = ? WHERE trash_id = ? AND "
                                            "expires_at > ?"),
                             {when, id, when}));
    return tx.commit();
}

Result<QStringList> Registry::purgeTrash(const QList<qint64>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto c, cache());
    Transaction tx(*m_db);
    BUTLER_TRY(tx.begin());
    QStringList paths;
    bool collections = false;
    for (qint64 id : ids) {
        auto found = trashEntry(id);
        if (!found && found.error().kind() == ErrorKind::NotFound)
            continue; // went with its run earlier in this call
        BUTLER_ASSIGN_OR_RETURN(const TrashEntry entry, std::move(found));
        if (entry.kind == TrashEntry::Kind::Datasets) {
            BUTLER_ASSIGN_OR_RETURN(
                QSqlQuery * q,
                m_db->exec(
                    QStringLiteral("SELECT f.path FROM file_datastore_records f JOIN dataset d ON d.id = "
                                   "f.dataset_id WHERE d.trash_id = ?"),
                    {id}));
            while (q->next())
                paths.append(q->value(0).toString());
            q->finish();
            for (int g : std::as_const(c->groupIds))
                BUTLER_TRY(m_db->exec(
                    QStringLiteral("DELETE FROM %1 WHERE trash_id = ?").arg(RegistrySchema::trashTable(g)),
                    {id}));
            BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM dataset WHERE trash_id = ?"), {id}));
        } else {
            BUTLER_ASSIGN_OR_RETURN(
                QSqlQuery * q,
                m_db->exec(QStringLiteral("SELECT collection_id FROM collection WHERE trash_id = ?"), {id}));
            const std::optional<qint64> collectionId =
                q->next() ? std::optional<qint64>(q->value(0).toLongLong()) : std::nullopt;
            q->finish();
            if (collectionId)
                BUTLER_TRY(deleteCollectionRows(*c, *collectionId, entry.collectionType, &paths));
            collections = true;
        }
        BUTLER_TRY(m_db->exec(QStringLiteral("DELETE FROM trash_entry WHERE trash_id = ?"), {id}));
    }
    if (collections)
        BUTLER_TRY(bumpGeneration());
    BUTLER_TRY(tx.commit());
    return paths;
}

} // namespace butler
