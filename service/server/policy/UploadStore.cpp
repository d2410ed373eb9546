#include "UploadStore.h"

#include "Database.h"
#include "Registry.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace butler {

namespace {

const QString kSlotColumns = QStringLiteral(
    "dataset_id, upload_id, user_name, run, dataset_type, data_id, data_id_key, path, size, formatter, "
    "expected_sha256, checksum, state, expires_at, ordinal");

QString idText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

QVariant nullableText(const QString& text)
{
    return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

UploadSlot slotFrom(const QSqlQuery& q)
{
    UploadSlot slot;
    slot.datasetId = QUuid::fromString(q.value(0).toString());
    slot.uploadId = q.value(1).toString();
    slot.user = q.value(2).toString();
    slot.run = q.value(3).toString();
    slot.datasetType = q.value(4).toString();
    slot.dataId = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
    slot.dataIdKey = q.value(6).toString();
    slot.path = q.value(7).toString();
    slot.size = q.value(8).toLongLong();
    slot.formatter = q.value(9).toString();
    slot.expectedSha256 = q.value(10).toString();
    slot.checksum = q.value(11).toString();
    slot.state = UploadSlot::stateFromName(q.value(12).toString());
    slot.expires = q.value(13).toLongLong();
    slot.ordinal = q.value(14).toInt();
    return slot;
}

} // namespace

UploadStore::UploadStore(Database& db)
    : m_db(db)
{
}

QString UploadStore::temporaryFolder()
{
    return QStringLiteral(".uploads@tmp");
}

Result<std::unique_ptr<UploadStore>> UploadStore::open(Registry& registry)
{
    Database& db = registry.database();
    std::unique_ptr<UploadStore> store(new UploadStore(db));
    const QString bigint = db.bigintType();
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(
        db.execDirect(QStringLiteral("CREATE TABLE IF NOT EXISTS butler_upload (upload_id TEXT PRIMARY KEY, "
                                     "user_name TEXT NOT NULL, run TEXT NOT NULL, created_at %1 NOT NULL, "
                                     "state TEXT NOT NULL, committed_at %1)")
                          .arg(bigint)));
    // data_id_key is NULL once committed: only open slots claim a data ID.
    BUTLER_TRY(db.execDirect(
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS butler_upload_slot (dataset_id TEXT PRIMARY KEY, upload_id TEXT "
            "NOT NULL, user_name TEXT NOT NULL, run TEXT NOT NULL, dataset_type TEXT NOT NULL, data_id "
            "TEXT NOT NULL, data_id_key TEXT, path TEXT NOT NULL UNIQUE, size %1 NOT NULL, formatter "
            "TEXT NOT NULL, expected_sha256 TEXT, checksum TEXT, state TEXT NOT NULL, expires_at %1 "
            "NOT NULL, ordinal %2 NOT NULL, UNIQUE (run, dataset_type, data_id_key))")
            .arg(bigint, db.integerType())));
    BUTLER_TRY(db.execDirect(QStringLiteral(
        "CREATE INDEX IF NOT EXISTS butler_upload_slot_upload ON butler_upload_slot (upload_id)")));
    BUTLER_TRY(db.execDirect(QStringLiteral(
        "CREATE INDEX IF NOT EXISTS butler_upload_slot_expiry ON butler_upload_slot (expires_at)")));
    BUTLER_TRY(tx.commit());
    return store;
}

Result<QList<UploadSlot>> UploadStore::selectSlots(const QString& where, const QVariantList& binds)
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT %1 FROM butler_upload_slot WHERE %2").arg(kSlotColumns, where),
                  binds));
    QList<UploadSlot> slotList;
    while (q->next())
        slotList.append(slotFrom(*q));
    q->finish();
    return slotList;
}

Result<std::optional<UploadBatch>> UploadStore::batch(const QString& uploadId)
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT user_name, run, created_at, state, committed_at FROM butler_upload "
                                 "WHERE upload_id = ?"),
                  {uploadId}));
    std::optional<UploadBatch> result;
    if (q->next()) {
        UploadBatch b;
        b.uploadId = uploadId;
        b.user = q->value(0).toString();
        b.run = q->value(1).toString();
        b.createdAt = q->value(2).toLongLong();
        b.committed = q->value(3).toString() == QLatin1String("committed");
        b.committedAt = q->value(4).toLongLong();
        result = b;
    }
    q->finish();
    return result;
}

Result<QList<UploadSlot>> UploadStore::slotsOf(const QString& uploadId)
{
    return selectSlots(QStringLiteral("upload_id = ? ORDER BY ordinal"), {uploadId});
}

Result<qsizetype> UploadStore::slotCount(const QString& uploadId)
{
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, m_db.exec(QStringLiteral("SELECT COUNT(*) FROM butler_upload_slot "
                                                                    "WHERE upload_id = ?"),
                                                     {uploadId}));
    const qsizetype count = q->next() ? qsizetype(q->value(0).toLongLong()) : 0;
    q->finish();
    return count;
}

Result<std::optional<UploadSlot>> UploadStore::slotByPath(const QString& path)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> slotList,
                            selectSlots(QStringLiteral("path = ?"), {path}));
    if (slotList.isEmpty())
        return std::optional<UploadSlot>();
    return std::optional<UploadSlot>(slotList.first());
}

Result<QList<UploadSlot>> UploadStore::openSlots()
{
    return selectSlots(QStringLiteral("state <> 'committed'"), {});
}

Result<QList<UploadSlot>> UploadStore::openSlotsIn(const QString& run)
{
    return selectSlots(QStringLiteral("run = ? AND state <> 'committed'"), {run});
}

Result<QList<UploadSlot>> UploadStore::expiredSlots(qint64 now)
{
    return selectSlots(QStringLiteral("state IN ('reserved', 'uploaded') AND expires_at < ?"), {now});
}

Status UploadStore::insertBatch(const UploadBatch& batch)
{
    BUTLER_TRY(
        m_db.exec(QStringLiteral("INSERT INTO butler_upload (upload_id, user_name, run, created_at, state) "
                                 "VALUES (?, ?, ?, ?, 'open')"),
                  {batch.uploadId, batch.user, batch.run, batch.createdAt}));
    return {};
}

Status UploadStore::insertSlot(const UploadSlot& slot)
{
    return insertSlots({slot});
}

Status UploadStore::insertSlots(const QList<UploadSlot>& newSlots)
{
    // 15 values a row: 60 rows stay below SQLite's oldest limit of 999 bound values.
    constexpr qsizetype kRows = 60;
    for (qsizetype start = 0; start < newSlots.size(); start += kRows) {
        const qsizetype count = std::min(kRows, newSlots.size() - start);
        QString sql = QStringLiteral("INSERT INTO butler_upload_slot (%1) VALUES ").arg(kSlotColumns);
        QVariantList binds;
        binds.reserve(count * 15);
        for (qsizetype i = start; i < start + count; ++i) {
            const UploadSlot& slot = newSlots[i];
            sql += i == start ? QStringLiteral("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                              : QStringLiteral(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            binds << idText(slot.datasetId) << slot.uploadId << slot.user << slot.run << slot.datasetType
                  << QString::fromUtf8(QJsonDocument(slot.dataId).toJson(QJsonDocument::Compact))
                  << slot.dataIdKey << slot.path << slot.size << slot.formatter
                  << nullableText(slot.expectedSha256) << nullableText(slot.checksum)
                  << UploadSlot::stateName(slot.state) << slot.expires << slot.ordinal;
        }
        const Status inserted = m_db.run(sql, binds);
        if (!inserted.ok()) {
            if (inserted.error().kind() == ErrorKind::Conflict)
                return conflict(QStringLiteral("another upload into run '%1' holds the same %2 dataset")
                                    .arg(newSlots[start].run, newSlots[start].datasetType));
            return inserted.error();
        }
    }
    return {};
}

Status UploadStore::adoptSlot(const QUuid& datasetId, const QString& uploadId, qint64 expires, int ordinal)
{
    BUTLER_TRY(
        m_db.exec(QStringLiteral("UPDATE butler_upload_slot SET upload_id = ?, expires_at = ?, ordinal = ? "
                                 "WHERE dataset_id = ?"),
                  {uploadId, expires, ordinal, idText(datasetId)}));
    return {};
}

Status UploadStore::insertFileRecords(const QString& uploadId,
                                      const QHash<QString, QString>& storageClassByType)
{
    for (auto it = storageClassByType.cbegin(); it != storageClassByType.cend(); ++it)
        BUTLER_TRY(
            m_db.exec(QStringLiteral("INSERT INTO file_datastore_records (dataset_id, path, formatter, "
                                     "storage_class, file_size, checksum) SELECT dataset_id, path, "
                                     "formatter, ?, size, checksum FROM butler_upload_slot WHERE "
                                     "upload_id = ? AND dataset_type = ?"),
                      {it.value(), uploadId, it.key()}));
    return {};
}

Status UploadStore::setChecksums(const QHash<QUuid, QString>& unannounced)
{
    // A statement per 400 slots, not one per slot: a new run's uploads announce no sha256.
    constexpr qsizetype kRows = 400; // 2 values a row, below SQLite's oldest limit of 999
    auto it = unannounced.cbegin();
    while (it != unannounced.cend()) {
        QString values;
        QVariantList binds;
        binds.reserve(2 * kRows);
        for (qsizetype row = 0; row < kRows && it != unannounced.cend(); ++row, ++it) {
            values += row == 0 ? QStringLiteral("(?, ?)") : QStringLiteral(", (?, ?)");
            binds << idText(it.key()) << it.value();
        }
        BUTLER_TRY(m_db.run(QStringLiteral("UPDATE butler_upload_slot SET checksum = v.column2 FROM (VALUES "
                                           "%1) AS v WHERE butler_upload_slot.dataset_id = v.column1")
                                .arg(values),
                            binds));
    }
    return {};
}

Status UploadStore::markCommitted(const QString& uploadId, qint64 now)
{
    BUTLER_TRY(m_db.exec(
        QStringLiteral("UPDATE butler_upload_slot SET state = 'committed', data_id_key = NULL, "
                       "checksum = COALESCE('sha256:' || expected_sha256, checksum) WHERE upload_id = ?"),
        {uploadId}));
    BUTLER_TRY(m_db.exec(
        QStringLiteral("UPDATE butler_upload SET state = 'committed', committed_at = ? WHERE upload_id = ?"),
        {now, uploadId}));
    return {};
}

Status UploadStore::removeSlots(const QList<QUuid>& datasetIds)
{
    for (const QUuid& id : datasetIds)
        BUTLER_TRY(
            m_db.exec(QStringLiteral("DELETE FROM butler_upload_slot WHERE dataset_id = ?"), {idText(id)}));
    return {};
}

Status UploadStore::removeBatch(const QString& uploadId)
{
    BUTLER_TRY(m_db.exec(QStringLiteral("DELETE FROM butler_upload_slot WHERE upload_id = ?"), {uploadId}));
    BUTLER_TRY(m_db.exec(QStringLiteral("DELETE FROM butler_upload WHERE upload_id = ?"), {uploadId}));
    return {};
}

Result<int> UploadStore::removeStaleBatches(qint64 before)
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT upload_id FROM butler_upload b WHERE (state = 'open' AND NOT EXISTS "
                                 "(SELECT 1 FROM butler_upload_slot s WHERE s.upload_id = b.upload_id)) OR "
                                 "(state = 'committed' AND committed_at < ?)"),
                  {before}));
    QStringList stale;
    while (q->next())
        stale.append(q->value(0).toString());
    q->finish();
    for (const QString& id : std::as_const(stale))
        BUTLER_TRY(removeBatch(id));
    return int(stale.size());
}

} // namespace butler
