#include "AclStore.h"

#include "Database.h"
#include "Registry.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcAcl, "butler.policy.acl")

namespace butler {

namespace {

QVariant nullableSeconds(const std::optional<qint64>& value)
{
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::LongLong));
}

} // namespace

AclStore::AclStore(Registry& registry, Clock clock)
    : m_registry(registry)
    , m_db(registry.database())
    , m_clock(std::move(clock))
{
}

Result<std::unique_ptr<AclStore>> AclStore::open(Registry& registry, Clock clock)
{
    std::unique_ptr<AclStore> store(new AclStore(registry, std::move(clock)));
    Database& db = store->m_db;
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    // Keyed by name: rows of a collection removed behind the server's back are never read
    // (only existing collections get entries) and are cleared when the name is registered again.
    BUTLER_TRY(
        db.execDirect(QStringLiteral("CREATE TABLE IF NOT EXISTS butler_collection_acl (collection_name "
                                     "TEXT NOT NULL, grp TEXT NOT NULL, PRIMARY KEY (collection_name, "
                                     "grp))")));
    BUTLER_TRY(db.execDirect(QStringLiteral("CREATE TABLE IF NOT EXISTS butler_collection_release "
                                            "(collection_name TEXT PRIMARY KEY, release_date %1 NOT NULL, "
                                            "proprietary_until %1)")
                                 .arg(db.bigintType())));
    BUTLER_TRY(db.execDirect(QStringLiteral(
        "CREATE TABLE IF NOT EXISTS butler_policy_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")));
    BUTLER_TRY(
        db.exec(QStringLiteral("INSERT INTO butler_policy_state (name, value) VALUES ('generation', ?) "
                               "ON CONFLICT DO NOTHING"),
                {QUuid::createUuid().toString(QUuid::WithoutBraces)}));
    BUTLER_TRY(tx.commit());
    return store;
}

Result<QString> AclStore::currentGeneration()
{
    // The registry moves its 'generation' attribute whenever collections change; ours moves
    // with every ACL change. One statement reads both.
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT (SELECT value FROM butler_attributes WHERE name = 'generation'), "
                                 "(SELECT value FROM butler_policy_state WHERE name = 'generation')")));
    QString generation;
    if (q->next())
        generation = q->value(0).toString() + QLatin1Char('/') + q->value(1).toString();
    q->finish();
    return generation;
}

void AclStore::setRecheckInterval(std::chrono::milliseconds interval)
{
    QMutexLocker lock(&m_mutex);
    m_recheckInterval = interval;
}

Result<std::shared_ptr<const AclStore::Snapshot>> AclStore::snapshot()
{
    // Counters first: a change that commits while we load moves them past what we store.
    const quint64 registryChanges = m_registry.localChangeCount();
    const quint64 aclChanges = m_aclChanges.load(std::memory_order_acquire);
    const auto now = std::chrono::steady_clock::now();
    const auto unchangedHere = [&](const Snapshot& s) {
        return s.registryChanges == registryChanges && s.aclChanges == aclChanges;
    };
    {
        QMutexLocker lock(&m_mutex);
        if (m_snapshot && unchangedHere(*m_snapshot) && now - m_checkedAt < m_recheckInterval)
            return m_snapshot;
    }
    BUTLER_ASSIGN_OR_RETURN(QString generation, currentGeneration());
    {
        QMutexLocker lock(&m_mutex);
        if (m_snapshot && unchangedHere(*m_snapshot) && m_snapshot->generation == generation) {
            m_checkedAt = now;
            return m_snapshot;
        }
    }
    BUTLER_ASSIGN_OR_RETURN(std::shared_ptr<Snapshot> snapshot, load(generation));
    snapshot->registryChanges = registryChanges;
    snapshot->aclChanges = aclChanges;
    QMutexLocker lock(&m_mutex);
    m_snapshot = snapshot;
    m_checkedAt = now;
    return std::shared_ptr<const Snapshot>(snapshot);
}

Result<std::shared_ptr<AclStore::Snapshot>> AclStore::load(const QString& generation)
{
    auto s = std::make_shared<Snapshot>();
    s->generation = generation;
    BUTLER_ASSIGN_OR_RETURN(QList<CollectionInfo> collections,
                            m_registry.queryCollections(CollectionQuery{}));
    s->entries.reserve(collections.size());
    s->names.reserve(collections.size());
    for (CollectionInfo& info : collections) {
        const QString name = info.name;
        s->names << name;
        s->entries.insert(name, Entry{std::move(info), CollectionAcl::forCollection(name)});
    }
    s->names.sort();

    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(QStringLiteral("SELECT collection_name, grp FROM butler_collection_acl ORDER BY grp")));
    while (q->next()) {
        auto it = s->entries.find(q->value(0).toString());
        if (it != s->entries.end())
            it->acl.readers << q->value(1).toString();
    }
    q->finish();

    QSet<QString> dated;
    BUTLER_ASSIGN_OR_RETURN(
        q, m_db.exec(QStringLiteral("SELECT collection_name, release_date, proprietary_until "
                                    "FROM butler_collection_release")));
    while (q->next()) {
        auto it = s->entries.find(q->value(0).toString());
        if (it == s->entries.end())
            continue;
        it->acl.releaseDate = q->value(1).toLongLong();
        if (!q->value(2).isNull())
            it->acl.proprietaryUntil = q->value(2).toLongLong();
        dated.insert(it.key());
    }
    q->finish();

    // Release collections registered without the server have no release date: the first time
    // the server sees them counts, so their proprietary period runs from now rather than being
    // over already. Admins can set the real dates.
    QStringList undated;
    for (auto it = s->entries.begin(); it != s->entries.end(); ++it)
        if (it->acl.ownerKind == CollectionAcl::OwnerKind::Release && !dated.contains(it.key()))
            undated << it.key();
    if (!undated.isEmpty()) {
        const qint64 now = m_clock ? m_clock() : QDateTime::currentSecsSinceEpoch();
        for (const QString& name : std::as_const(undated))
            s->entries[name].acl.releaseDate = now;
        const auto record = [&]() -> Status {
            Transaction tx(m_db);
            BUTLER_TRY(tx.begin());
            for (const QString& name : std::as_const(undated))
                BUTLER_TRY(m_db.exec(QStringLiteral("INSERT INTO butler_collection_release (collection_name, "
                                                    "release_date) VALUES (?, ?) ON CONFLICT DO NOTHING"),
                                     {name, now}));
            return tx.commit();
        };
        const Status status = record();
        if (status.ok())
            qCInfo(lcAcl) << "recorded a release date for" << undated.size()
                          << "release collections registered outside the server";
        else
            qCWarning(lcAcl) << "could not record release dates:" << status.error().message();
    }
    return s;
}

Status AclStore::bumpGeneration()
{
    BUTLER_TRY(m_db.exec(QStringLiteral("UPDATE butler_policy_state SET value = ? WHERE name = 'generation'"),
                         {QUuid::createUuid().toString(QUuid::WithoutBraces)}));
    m_db.onCommit([this] { m_aclChanges.fetch_add(1, std::memory_order_release); });
    return {};
}

Status AclStore::editReaders(const QString& collection, const QStringList& grant, const QStringList& revoke)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    for (const QString& group : grant)
        BUTLER_TRY(m_db.exec(QStringLiteral("INSERT INTO butler_collection_acl (collection_name, grp) VALUES "
                                            "(?, ?) ON CONFLICT DO NOTHING"),
                             {collection, group}));
    for (const QString& group : revoke)
        BUTLER_TRY(m_db.exec(
            QStringLiteral("DELETE FROM butler_collection_acl WHERE collection_name = ? AND grp = ?"),
            {collection, group}));
    BUTLER_TRY(bumpGeneration());
    BUTLER_TRY(tx.commit());
    qCInfo(lcAcl) << "readers of" << collection << "granted" << grant << "revoked" << revoke;
    return {};
}

Status AclStore::setDates(const QString& collection, qint64 releaseDate,
                          std::optional<qint64> proprietaryUntil)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(
        m_db.exec(QStringLiteral("INSERT INTO butler_collection_release (collection_name, release_date, "
                                 "proprietary_until) VALUES (?, ?, ?) ON CONFLICT (collection_name) DO "
                                 "UPDATE SET release_date = excluded.release_date, proprietary_until = "
                                 "excluded.proprietary_until"),
                  {collection, releaseDate, nullableSeconds(proprietaryUntil)}));
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

Status AclStore::resetCollection(const QString& collection, qint64 releaseDate)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(m_db.exec(QStringLiteral("DELETE FROM butler_collection_acl WHERE collection_name = ?"),
                         {collection}));
    BUTLER_TRY(setDates(collection, releaseDate, std::nullopt));
    return tx.commit();
}

Result<CollectionAcl> AclStore::aclOf(const QString& collection, qint64 now)
{
    CollectionAcl acl = CollectionAcl::forCollection(collection, now);
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        m_db.exec(
            QStringLiteral("SELECT grp FROM butler_collection_acl WHERE collection_name = ? ORDER BY grp"),
            {collection}));
    while (q->next())
        acl.readers << q->value(0).toString();
    q->finish();
    BUTLER_ASSIGN_OR_RETURN(q,
                            m_db.exec(QStringLiteral("SELECT release_date, proprietary_until FROM "
                                                     "butler_collection_release WHERE collection_name = ?"),
                                      {collection}));
    if (q->next()) {
        acl.releaseDate = q->value(0).toLongLong();
        if (!q->value(1).isNull())
            acl.proprietaryUntil = q->value(1).toLongLong();
    }
    q->finish();
    return acl;
}

Status AclStore::forget(const QStringList& collections)
{
    Transaction tx(m_db);
    BUTLER_TRY(tx.begin());
    for (const QString& name : collections) {
        BUTLER_TRY(
            m_db.exec(QStringLiteral("DELETE FROM butler_collection_acl WHERE collection_name = ?"), {name}));
        BUTLER_TRY(m_db.exec(
            QStringLiteral("DELETE FROM butler_collection_release WHERE collection_name = ?"), {name}));
    }
    BUTLER_TRY(bumpGeneration());
    return tx.commit();
}

} // namespace butler
