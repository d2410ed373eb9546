#pragma once

#include "SqlRows.h"

struct sqlite3;
struct sqlite3_stmt;

namespace butler {

// SqlRows straight through the SQLite C API on the connection Qt's QSQLITE driver opened.
// Binds as that driver does (integers, doubles, text as UTF-16, blobs, NULL), so a statement
// gives the same rows either way.
class SqliteRows : public SqlRows
{
public:
    // Prepares `sql` on `connection`; the statement is finalized by the destructor, which must
    // run before the connection closes.
    static Result<std::unique_ptr<SqliteRows>> prepare(sqlite3* connection, const QString& sql);
    ~SqliteRows() override;
    SqliteRows(const SqliteRows&) = delete;
    SqliteRows& operator=(const SqliteRows&) = delete;

    Status run(const QVariantList& binds) override;
    bool next() override;
    Status status() const override;
    void finish() override;
    bool isNull(int column) const override;
    qint64 integer(int column) const override;
    QString text(int column) const override;
    QUuid uuid(int column) const override;
    QVariant value(int column) const override;

private:
    SqliteRows(sqlite3* connection, sqlite3_stmt* statement);
    Error lastError(const QString& what) const;

    sqlite3* m_connection;
    sqlite3_stmt* m_statement;
    int m_lastCode = 0;
};

} // namespace butler
