#include "QuotaStore.h"

#include "Database.h"
#include "Registry.h"

#include <QLocale>
#include <QLoggingCategory>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcQuota, "butler.policy.quota")

namespace butler {

namespace {

QString bytesText(qint64 bytes)
{
    return QStringLiteral("%1 (%2)").arg(bytes).arg(QLocale::c().formattedDataSize(bytes));
}

// The trigger that gives a file's bytes back when its record is deleted; cascades from removed
// datasets and runs fire it too.
QStringList triggerStatements(const Database& db)
{
    if (db.backendName() == QLatin1String("sqlite"))
        return {QStringLiteral(
            "CREATE TRIGGER IF NOT EXISTS butler_quota_release AFTER DELETE ON file_datastore_records "
            "FOR EACH ROW WHEN EXISTS (SELECT 1 FROM butler_quota_charge WHERE dataset_id = OLD.dataset_id) "
            "BEGIN "
            "UPDATE butler_quota_usage SET used_bytes = used_bytes - (SELECT size FROM butler_quota_charge "
            "WHERE dataset_id = OLD.dataset_id) WHERE user_name = (SELECT user_name FROM butler_quota_charge "
            "WHERE dataset_id = OLD.dataset_id); "
            "DELETE FROM butler_quota_charge WHERE dataset_id = OLD.dataset_id; "
            "END")};
    return {
        QStringLiteral(
            "CREATE OR REPLACE FUNCTION butler_quota_release() RETURNS trigger AS $$ BEGIN "
            "UPDATE butler_quota_usage u SET used_bytes = u.used_bytes - c.size FROM butler_quota_charge c "
            "WHERE c.dataset_id = OLD.dataset_id AND u.user_name = c.user_name; "
            "DELETE FROM butler_quota_charge WHERE dataset_id = OLD.dataset_id; RETURN OLD; END $$ "
            "LANGUAGE plpgsql"),
        QStringLiteral("CREATE OR REPLACE TRIGGER butler_quota_release AFTER DELETE ON "
                       "file_datastore_records FOR EACH ROW EXECUTE FUNCTION butler_quota_release()")};
}

} // namespace

QuotaStore::QuotaStore(Database& db, qint64 defaultLimit)
    : m_db(db)
    , m_defaultLimit(defaultLimit)
{
}

Result<std::unique_ptr<QuotaStore>> QuotaStore::open(Registry& registry, qint64 defaultLimitBytes)
{
    if (defaultLimitBytes < 0)
        return invalidInput(QStringLiteral("the default quota cannot be negative"));
    Database& db = registry.database();
    std::unique_ptr<QuotaStore> store(new QuotaStore(db, defaultLimitBytes));
    const QString bigint = db.bigintType();
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(db.execDirect(QStringLiteral("CREATE TABLE IF NOT EXISTS butler_quota_limit (user_name TEXT "
                                            "PRIMARY KEY, limit_bytes %1 NOT NULL)")
                                 .arg(bigint)));
    BUTLER_TRY(
        db.execDirect(QStringLiteral("CREATE TABLE IF NOT EXISTS butler_quota_usage (user_name TEXT "
                                     "PRIMARY KEY, used_bytes %1 NOT NULL DEFAULT 0, reserved_bytes %1 "
                                     "NOT NULL DEFAULT 0)")
                          .arg(bigint)));
    BUTLER_TRY(db.execDirect(QStringLiteral("CREATE TABLE IF NOT EXISTS butler_quota_charge (dataset_id TEXT "
                                            "PRIMARY KEY, user_name TEXT NOT NULL, size %1 NOT NULL)")
                                 .arg(bigint)));
    for (const QString& statement : triggerStatements(db))
        BUTLER_TRY(db.execDirect(statement));
    BUTLER_TRY(tx.commit());
    return store;
}

Status QuotaStore::ensureRow(const QString& user)
{
    BUTLER_TRY(
        m_db.exec(QStringLiteral("INSERT INTO butler_quota_usage (user_name, used_bytes, reserved_bytes) "
                                 "VALUES (?, 0, 0) ON CONFLICT DO NOTHING"),
                  {user}));
    return {};
}

Result<QuotaUsage> QuotaStore::usage(const QString& user)
{
    QuotaUsage result;
    result.user = user;
    result.limitBytes = m_defaultLimit;
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT (SELECT limit_bytes FROM butler_quota_limit WHERE user_name = ?), "
                                 "(SELECT used_bytes FROM butler_quota_usage WHERE user_name = ?), "
                                 "(SELECT reserved_bytes FROM butler_quota_usage WHERE user_name = ?)"),
                  {user, user, user}));
    if (q->next()) {
        if (!q->value(0).isNull()) {
            result.limitBytes = q->value(0).toLongLong();
            result.defaultLimit = false;
        }
        result.usedBytes = q->value(1).toLongLong();
        result.reservedBytes = q->value(2).toLongLong();
    }
    q->finish();
    return result;
}

Result<QList<QuotaUsage>> QuotaStore::allUsage()
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT user_name FROM butler_quota_usage UNION SELECT user_name FROM "
                                 "butler_quota_limit ORDER BY 1")));
    QStringList users;
    while (q->next())
        users.append(q->value(0).toString());
    q->finish();
    QList<QuotaUsage> result;
    result.reserve(users.size());
    for (const QString& user : std::as_const(users)) {
        BUTLER_ASSIGN_OR_RETURN(QuotaUsage one, usage(user));
        result.append(std::move(one));
    }
    return result;
}

Status QuotaStore::setLimit(const QString& user, std::optional<qint64> limitBytes)
{
    if (user.trimmed().isEmpty())
        return invalidInput(QStringLiteral("a quota needs a user name"));
    if (limitBytes && *limitBytes < 0)
        return invalidInput(QStringLiteral("a quota cannot be negative (%1)").arg(*limitBytes));
    if (limitBytes)
        BUTLER_TRY(m_db.exec(
            QStringLiteral("INSERT INTO butler_quota_limit (user_name, limit_bytes) VALUES (?, ?) "
                           "ON CONFLICT (user_name) DO UPDATE SET limit_bytes = excluded.limit_bytes"),
            {user, *limitBytes}));
    else
        BUTLER_TRY(m_db.exec(QStringLiteral("DELETE FROM butler_quota_limit WHERE user_name = ?"), {user}));
    qCInfo(lcQuota).noquote() << "quota of" << user << "set to"
                              << (limitBytes ? QString::number(*limitBytes) : QStringLiteral("the default"));
    return {};
}

Error QuotaStore::exceeded(const QuotaUsage& usage, qint64 neededBytes)
{
    return Error(ErrorKind::QuotaExceeded,
                 QStringLiteral("quota exceeded for user %1: needed %2 bytes, used %3, reserved %4, limit %5 "
                                "(%6 available); delete datasets, wait for open uploads to finish, or ask an "
                                "admin for a larger quota")
                     .arg(usage.user, bytesText(neededBytes), bytesText(usage.usedBytes),
                          bytesText(usage.reservedBytes), bytesText(usage.limitBytes),
                          bytesText(usage.availableBytes())));
}

Status QuotaStore::reserve(const QString& user, qint64 bytes)
{
    if (bytes < 0)
        return invalidInput(QStringLiteral("cannot reserve %1 bytes").arg(bytes));
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(ensureRow(user));
    BUTLER_ASSIGN_OR_RETURN(const QuotaUsage current, usage(user));
    // Checked and counted under the transaction's write lock: concurrent reservations of one
    // user see each other's bytes.
    if (current.usedBytes + current.reservedBytes + bytes > current.limitBytes)
        return exceeded(current, bytes);
    BUTLER_TRY(m_db.exec(
        QStringLiteral(
            "UPDATE butler_quota_usage SET reserved_bytes = reserved_bytes + ? WHERE user_name = ?"),
        {bytes, user}));
    return tx.commit();
}

Status QuotaStore::release(const QString& user, qint64 bytes)
{
    if (bytes <= 0)
        return {};
    BUTLER_TRY(
        m_db.exec(QStringLiteral("UPDATE butler_quota_usage SET reserved_bytes = CASE WHEN reserved_bytes "
                                 "> ? THEN reserved_bytes - ? ELSE 0 END WHERE user_name = ?"),
                  {bytes, bytes, user}));
    return {};
}

Status QuotaStore::charge(const QString& user, const QList<std::pair<QUuid, qint64>>& files)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(ensureRow(user));
    qint64 total = 0;
    for (const auto& [id, size] : files) {
        BUTLER_TRY(m_db.exec(
            QStringLiteral("INSERT INTO butler_quota_charge (dataset_id, user_name, size) VALUES (?, ?, ?)"),
            {id.toString(QUuid::WithoutBraces), user, size}));
        total += size;
    }
    BUTLER_TRY(release(user, total));
    BUTLER_TRY(m_db.exec(
        QStringLiteral("UPDATE butler_quota_usage SET used_bytes = used_bytes + ? WHERE user_name = ?"),
        {total, user}));
    return tx.commit();
}

Status QuotaStore::chargeUpload(const QString& user, const QString& uploadId)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(ensureRow(user));
    BUTLER_TRY(
        m_db.exec(QStringLiteral("INSERT INTO butler_quota_charge (dataset_id, user_name, size) SELECT "
                                 "dataset_id, ?, size FROM butler_upload_slot WHERE upload_id = ?"),
                  {user, uploadId}));
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT COALESCE(SUM(size), 0) FROM butler_upload_slot WHERE upload_id = ?"),
                  {uploadId}));
    const qint64 total = q->next() ? q->value(0).toLongLong() : 0;
    q->finish();
    BUTLER_TRY(release(user, total));
    BUTLER_TRY(m_db.exec(
        QStringLiteral("UPDATE butler_quota_usage SET used_bytes = used_bytes + ? WHERE user_name = ?"),
        {total, user}));
    return tx.commit();
}

Status QuotaStore::setCounters(const QString& user, qint64 usedBytes, qint64 reservedBytes)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(ensureRow(user));
    BUTLER_TRY(
        m_db.exec(QStringLiteral(
                      "UPDATE butler_quota_usage SET used_bytes = ?, reserved_bytes = ? WHERE user_name = ?"),
                  {usedBytes, reservedBytes, user}));
    return tx.commit();
}

Result<QStringList> QuotaStore::recountReserved()
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral(
            "SELECT user_name, reserved_bytes, open_bytes FROM (SELECT u.user_name, u.reserved_bytes, "
            "COALESCE((SELECT SUM(s.size) FROM butler_upload_slot s WHERE s.user_name = u.user_name AND "
            "s.state <> 'committed'), 0) AS open_bytes FROM butler_quota_usage u) t WHERE reserved_bytes <> "
            "open_bytes")));
    QList<std::pair<QString, qint64>> corrections;
    while (q->next())
        corrections.append({q->value(0).toString(), q->value(2).toLongLong()});
    q->finish();
    QStringList users;
    for (const auto& [user, reserved] : std::as_const(corrections)) {
        BUTLER_TRY(
            m_db.exec(QStringLiteral("UPDATE butler_quota_usage SET reserved_bytes = ? WHERE user_name = ?"),
                      {reserved, user}));
        users.append(user);
    }
    BUTLER_TRY(tx.commit());
    return users;
}

} // namespace butler
