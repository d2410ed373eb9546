#pragma once

#include "Database.h"

namespace butler {

// SQLite through Qt's QSQLITE driver: WAL journal (checked, not assumed), foreign keys on,
// a busy timeout so that concurrent writers wait instead of failing, trying again every
// millisecond so that a waiting writer follows the one before it at once.
class SqliteDatabase : public Database
{
public:
    // Memory each connection may use: a page cache, and a map of the file (file pages count in
    // the process's resident size). Every worker thread has its own connection, so a desktop
    // app that embeds the server asks for less than a server's defaults.
    struct MemoryLimits
    {
        int cacheKiB = 65536;
        qint64 mapBytes = 268435456;
    };
    // Applies to connections opened from now on, in the whole process.
    static void setMemoryLimits(MemoryLimits limits);
    static MemoryLimits memoryLimits();

    // Servers ask for this: a database file opened from now on is read into the system's file
    // cache in the background (if it takes at most a quarter of the memory available), once per
    // file and process. A registry whose pages the system dropped (a reboot, or evicted while
    // idle) otherwise makes the first queries wait for one random read per page, milliseconds
    // each on some disks, where one sequential pass reads hundreds of MB per second.
    static void setWarmFileCache(bool warm);

    static Result<std::unique_ptr<SqliteDatabase>> open(const QString& path);

    QString backendName() const override { return QStringLiteral("sqlite"); }
    QString blobType() const override { return QStringLiteral("BLOB"); }
    QString autoIncrementPrimaryKey() const override { return QStringLiteral("INTEGER PRIMARY KEY"); }
    qint64 dataVersion() override;
    QString selectiveCondition(const QString& condition) const override
    {
        return QStringLiteral("likelihood(%1, 0.0001)").arg(condition);
    }
    QString indexedBy(const QString& index) const override { return QStringLiteral(" INDEXED BY ") + index; }
    // One index (or table without indexes) per transaction: ANALYZE holds the write lock while
    // it reads, about 0.1 s per million rows of an index, and writers wait meanwhile; between
    // two, a pause of 2 ms lets them in. Then a schema change (a table made and dropped) makes the other
    // connections reload the statistics: SQLite reads them only with the schema, and a refresh alone changes
    // nothing of it once sqlite_stat1 exists.
    Status analyze() override;
    Result<std::optional<qint64>> analyzedRows(const QString& table) override;
    Result<qint64> insertionMark(const QString& table) override;
    const QString& path() const { return m_path; }

protected:
    Result<QSqlDatabase> openConnection(const QString& connectionName) override;
    Result<std::unique_ptr<SqlRows>> prepareRows(const QSqlDatabase& db, const QString& sql) override;

private:
    explicit SqliteDatabase(QString path);
    QString m_path;
};

} // namespace butler
