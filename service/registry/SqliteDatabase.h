#pragma once

#include "Database.h"

namespace butler {

// SQLite through Qt's QSQLITE driver: WAL journal (checked, not assumed), foreign keys on,
// a busy timeout so that concurrent writers wait instead of failing.
class SqliteDatabase : public Database
{
public:
    static Result<std::unique_ptr<SqliteDatabase>> open(const QString& path);

    QString backendName() const override { return QStringLiteral("sqlite"); }
    QString blobType() const override { return QStringLiteral("BLOB"); }
    QString autoIncrementPrimaryKey() const override { return QStringLiteral("INTEGER PRIMARY KEY"); }
    qint64 dataVersion() override;
    const QString& path() const { return m_path; }

protected:
    Result<QSqlDatabase> openConnection(const QString& connectionName) override;

private:
    explicit SqliteDatabase(QString path);
    QString m_path;
};

} // namespace butler
