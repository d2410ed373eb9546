#include "Database.h"

#include "QtSqlRows.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QThreadStorage>

Q_LOGGING_CATEGORY(lcDatabase, "butler.registry.sql")

namespace butler {

struct Database::ThreadState
{
    QString connectionName;
    bool open = false;
    int transactionDepth = 0;
    bool rollbackOnly = false;
    QList<std::function<void()>> commitActions;
    QHash<QString, QSqlQuery*> statements;
    QHash<QString, SqlRows*> rows; // may use statements or the connection: deleted first

    ~ThreadState()
    {
        qDeleteAll(rows);
        rows.clear();
        qDeleteAll(statements);
        statements.clear();
        if (!connectionName.isEmpty()) {
            QSqlDatabase::database(connectionName, false).close();
            QSqlDatabase::removeDatabase(connectionName);
        }
    }
};

namespace {
// Per thread, per Database identity: a thread may use several repositories.
QThreadStorage<QHash<QString, std::shared_ptr<void>>*> g_states;
int g_counter = 0;
} // namespace

Database::Database(QString identity)
    : m_identity(std::move(identity) + QLatin1Char('#') + QString::number(++g_counter))
{
}

Database::~Database()
{
    // Connections of other threads close when those threads end; this thread's closes now.
    if (g_states.hasLocalData())
        g_states.localData()->remove(m_identity);
}

Database::ThreadState* Database::state()
{
    if (!g_states.hasLocalData())
        g_states.setLocalData(new QHash<QString, std::shared_ptr<void>>());
    auto* map = g_states.localData();
    auto it = map->find(m_identity);
    if (it == map->end()) {
        auto st = std::make_shared<ThreadState>();
        st->connectionName = QStringLiteral("butler-%1-%2")
                                 .arg(m_identity)
                                 .arg(reinterpret_cast<quintptr>(QThread::currentThreadId()));
        it = map->insert(m_identity, std::static_pointer_cast<void>(st));
    }
    return static_cast<ThreadState*>(it->get());
}

Result<QSqlDatabase> Database::connection()
{
    ThreadState* st = state();
    if (st->open)
        return QSqlDatabase::database(st->connectionName, false);
    auto db = openConnection(st->connectionName);
    if (db)
        st->open = true;
    return db;
}

Result<QSqlQuery*> Database::prepare(const QString& sql)
{
    ThreadState* st = state();
    if (QSqlQuery* q = st->statements.value(sql))
        return q;
    BUTLER_ASSIGN_OR_RETURN(QSqlDatabase db, connection());
    auto* q = new QSqlQuery(db);
    q->setForwardOnly(true);
    if (!q->prepare(sql)) {
        Error e = sqlError(*q, QStringLiteral("prepare"));
        qCWarning(lcDatabase) << "prepare failed:" << sql << q->lastError().text();
        delete q;
        return e;
    }
    st->statements.insert(sql, q);
    return q;
}

Result<QSqlQuery*> Database::exec(const QString& sql, const QVariantList& binds)
{
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, prepare(sql));
    q->finish();
    for (int i = 0; i < binds.size(); ++i)
        q->bindValue(i, binds[i]);
    if (!q->exec()) {
        qCDebug(lcDatabase) << "exec failed:" << sql << q->lastError().text();
        return sqlError(*q, QStringLiteral("query"));
    }
    return q;
}

Result<SqlRows*> Database::select(const QString& sql, const QVariantList& binds)
{
    ThreadState* st = state();
    SqlRows* rows = st->rows.value(sql);
    if (!rows) {
        BUTLER_ASSIGN_OR_RETURN(QSqlDatabase db, connection());
        BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<SqlRows> prepared, prepareRows(db, sql));
        rows = prepared.release();
        st->rows.insert(sql, rows);
    }
    BUTLER_TRY(rows->run(binds));
    return rows;
}

Status Database::run(const QString& sql, const QVariantList& binds)
{
    BUTLER_ASSIGN_OR_RETURN(SqlRows * rows, select(sql, binds));
    while (rows->next()) {
    }
    return rows->status();
}

Result<std::unique_ptr<SqlRows>> Database::prepareRows(const QSqlDatabase&, const QString& sql)
{
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, prepare(sql));
    return std::unique_ptr<SqlRows>(std::make_unique<QtSqlRows>(*this, q));
}

Status Database::execDirect(const QString& sql)
{
    BUTLER_ASSIGN_OR_RETURN(QSqlDatabase db, connection());
    QSqlQuery q(db);
    if (!q.exec(sql)) {
        qCWarning(lcDatabase) << "exec failed:" << sql << q.lastError().text();
        return sqlError(q, QStringLiteral("statement"));
    }
    return {};
}

Status Database::control(const QString& sql)
{
    // Prepared once per connection: a put runs half a dozen of these, and parsing each anew
    // cost as much as the inserts.
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q, prepare(sql));
    q->finish();
    if (!q->exec()) {
        qCWarning(lcDatabase) << "exec failed:" << sql << q->lastError().text();
        return sqlError(*q, QStringLiteral("statement"));
    }
    q->finish();
    return {};
}

QString Database::quote(const QString& identifier)
{
    QString s = identifier;
    s.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

Error Database::sqlError(const QSqlQuery& query, const QString& what) const
{
    const QSqlError error = query.lastError();
    return errorFor(error.databaseText().isEmpty() ? error.text() : error.databaseText(), what);
}

Error Database::errorFor(const QString& text, const QString& what)
{
    if (text.contains(QLatin1String("UNIQUE constraint"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("duplicate key"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("PRIMARY KEY"), Qt::CaseInsensitive))
        return conflict(QStringLiteral("already exists (%1)").arg(text));
    if (text.contains(QLatin1String("FOREIGN KEY"), Qt::CaseInsensitive))
        return conflict(
            QStringLiteral("refers to something that does not exist or is still in use (%1)").arg(text));
    if (text.contains(QLatin1String("locked"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("busy"), Qt::CaseInsensitive))
        return Error(ErrorKind::Unavailable, QStringLiteral("the registry database is busy: %1").arg(text));
    return internalError(QStringLiteral("registry %1 failed: %2").arg(what, text));
}

bool Database::inTransaction()
{
    return state()->transactionDepth > 0;
}

void Database::onCommit(std::function<void()> action)
{
    ThreadState* st = state();
    if (st->transactionDepth == 0)
        action();
    else
        st->commitActions.append(std::move(action));
}

Transaction::Transaction(Database& db)
    : m_db(db)
{
}

Transaction::~Transaction()
{
    if (!m_started || m_done)
        return;
    Database::ThreadState* st = m_db.state();
    st->transactionDepth -= 1;
    st->commitActions.resize(m_actionMark);
    if (m_outer) {
        (void)m_db.control(QStringLiteral("ROLLBACK"));
    } else {
        (void)m_db.control(QStringLiteral("ROLLBACK TO SAVEPOINT butler_nested"));
        (void)m_db.control(QStringLiteral("RELEASE SAVEPOINT butler_nested"));
    }
}

Status Transaction::begin()
{
    // Nested transactions are savepoints, so an inner failure can be undone alone.
    BUTLER_TRY(m_db.connection());
    int& depth = m_db.state()->transactionDepth;
    m_outer = depth == 0;
    m_actionMark = m_db.state()->commitActions.size();
    if (m_outer) {
        // IMMEDIATE takes the write lock up front: no deadlock upgrading a read lock later.
        BUTLER_TRY(m_db.control(m_db.backendName() == QLatin1String("sqlite")
                                    ? QStringLiteral("BEGIN IMMEDIATE")
                                    : QStringLiteral("BEGIN")));
    } else {
        BUTLER_TRY(m_db.control(QStringLiteral("SAVEPOINT butler_nested")));
    }
    depth += 1;
    m_started = true;
    return {};
}

Status Transaction::commit()
{
    if (!m_started || m_done)
        return internalError(QStringLiteral("commit without an open transaction"));
    m_done = true;
    Database::ThreadState* st = m_db.state();
    st->transactionDepth -= 1;
    if (m_outer) {
        Status status = m_db.control(QStringLiteral("COMMIT"));
        QList<std::function<void()>> actions;
        actions.swap(st->commitActions);
        if (!status.ok()) {
            (void)m_db.control(QStringLiteral("ROLLBACK"));
            return status;
        }
        for (const auto& action : std::as_const(actions))
            action();
        return status;
    }
    return m_db.control(QStringLiteral("RELEASE SAVEPOINT butler_nested"));
}

} // namespace butler
