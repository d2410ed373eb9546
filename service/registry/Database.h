#pragma once

#include "Result.h"
#include "SqlRows.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>
#include <functional>
#include <memory>
#include <optional>

namespace butler {

// The SQL engine under the Registry: one connection per thread, prepared statements cached
// per connection, and the few places where SQL dialects differ. SQLite now; a PostgreSQL
// subclass (QPSQL or libpq) implements the same calls so the Registry's callers never change.
class Database
{
public:
    virtual ~Database();

    // The connection for the calling thread, opened on first use.
    Result<QSqlDatabase> connection();
    // A prepared statement for this thread, cached by its SQL text.
    Result<QSqlQuery*> prepare(const QString& sql);
    // Prepares (cached), binds positionally and executes.
    Result<QSqlQuery*> exec(const QString& sql, const QVariantList& binds = {});
    // Runs a read statement (prepared once per thread, cached by its SQL text) whose rows are
    // read through the engine's own API where there is one: cheaper than exec() for lookups
    // and pages. The rows stay valid until the next select() of the same SQL on this thread.
    Result<SqlRows*> select(const QString& sql, const QVariantList& binds = {});
    // Runs a statement without rows (INSERT, UPDATE, DELETE) the way select() runs a read:
    // prepared once per thread, bound and stepped through the engine's own API.
    Status run(const QString& sql, const QVariantList& binds = {});
    // Executes without caching (DDL, one-off statements).
    Status execDirect(const QString& sql);
    // Executes a statement without binds or rows that runs again and again (transaction
    // control), prepared once per connection.
    Status control(const QString& sql);

    virtual QString backendName() const = 0;
    // SQL column types.
    virtual QString integerType() const { return QStringLiteral("INTEGER"); }
    virtual QString bigintType() const { return QStringLiteral("INTEGER"); }
    virtual QString floatType() const { return QStringLiteral("DOUBLE PRECISION"); }
    virtual QString textType() const { return QStringLiteral("TEXT"); }
    virtual QString blobType() const = 0;
    virtual QString autoIncrementPrimaryKey() const = 0;
    // Quoted identifier.
    static QString quote(const QString& identifier);

    // A monotonically changing token that moves when another connection commits, so caches
    // can tell that their contents may be stale.
    virtual qint64 dataVersion() = 0;

    // The condition, marked for the query planner as one that few rows pass (SQLite:
    // likelihood()), to keep it on an index that delivers rows in order.
    virtual QString selectiveCondition(const QString& condition) const { return condition; }
    // " INDEXED BY index" after a table where the planner must take that index (SQLite, whose
    // planner prefers a unique index to a covering one without statistics); empty elsewhere.
    virtual QString indexedBy(const QString& index) const
    {
        Q_UNUSED(index);
        return {};
    }
    // Query planner statistics: gathers them for every table (ANALYZE), in transactions of its
    // own; call it outside a transaction. Every connection plans with them from its next
    // statement on.
    virtual Status analyze() { return execDirect(QStringLiteral("ANALYZE")); }
    // The rows a table had when its statistics were gathered; nullopt when it has none.
    virtual Result<std::optional<qint64>> analyzedRows(const QString& table) = 0;
    // A number that grows by one for each row inserted into a table and costs no scan to read
    // (SQLite: the largest rowid); two readings tell how many rows came in between.
    virtual Result<qint64> insertionMark(const QString& table) = 0;

    // Maps a driver error to an Error (unique-constraint failures become Conflict).
    Error sqlError(const QSqlQuery& query, const QString& what) const;
    // The same for an engine's error message.
    static Error errorFor(const QString& databaseText, const QString& what);

    // True while the calling thread has a transaction open on this database.
    bool inTransaction();
    // Runs action once the calling thread's outermost transaction commits, and never if it
    // (or the savepoint it was registered in) rolls back; at once outside a transaction.
    // For caches that may only learn what other connections can see.
    void onCommit(std::function<void()> action);

protected:
    Database(QString identity);
    virtual Result<QSqlDatabase> openConnection(const QString& connectionName) = 0;
    // The reader select() uses for a statement on this thread's connection; the default goes
    // through QSqlQuery.
    virtual Result<std::unique_ptr<SqlRows>> prepareRows(const QSqlDatabase& db, const QString& sql);

private:
    friend class Transaction;
    struct ThreadState;
    ThreadState* state();
    QString m_identity;
};

// RAII transaction: rolls back unless commit() was called. Nested transactions join the
// outer one (only the outermost commits), so library calls compose.
class Transaction
{
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Status begin();
    Status commit();
    bool isOuter() const { return m_outer; }

private:
    Database& m_db;
    bool m_started = false;
    bool m_done = false;
    bool m_outer = false;
    qsizetype m_actionMark = 0; // onCommit actions registered before this transaction began
};

} // namespace butler
