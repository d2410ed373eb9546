#include "SqliteDatabase.h"

#include "SqliteRows.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlDriver>
#include <QSqlError>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcSqlite, "butler.registry.sqlite")

namespace butler {

SqliteDatabase::SqliteDatabase(QString path)
    : Database(QStringLiteral("sqlite:") + path)
    , m_path(std::move(path))
{
}

namespace {

std::atomic<int> g_cacheKiB{SqliteDatabase::MemoryLimits{}.cacheKiB};
std::atomic<qint64> g_mapBytes{SqliteDatabase::MemoryLimits{}.mapBytes};
std::atomic<bool> g_warmFileCache{false};

// Smaller files are read quickly enough by the queries themselves.
constexpr qint64 kMinWarmBytes = 4 << 20;

qint64 availableMemoryBytes()
{
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    if (!meminfo.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : meminfo.readAll().split('\n')) {
        if (line.startsWith("MemAvailable:"))
            return line.mid(13).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

void warmFileCache(const QString& path)
{
    static std::mutex mutex;
    static QSet<QString> warmed;
    const QFileInfo info(path);
    const qint64 size = info.size();
    if (size < kMinWarmBytes)
        return;
    {
        std::lock_guard lock(mutex);
        if (warmed.contains(info.canonicalFilePath()))
            return;
        warmed.insert(info.canonicalFilePath());
    }
    const qint64 available = availableMemoryBytes();
    if (available > 0 && size > available / 4) {
        qCInfo(lcSqlite).noquote() << "registry" << path << "is" << size / (1 << 20)
                                   << "MB, more than a quarter of the memory available: not read ahead";
        return;
    }
    qCDebug(lcSqlite).noquote() << "reading" << size / (1 << 20) << "MB of" << path
                                << "into the file cache in the background";
    // Reads the file through once, 2 MB at a time and each step waited for, on a thread of its
    // own at the lowest CPU priority: asking the kernel to read all of it ahead at once
    // (posix_fadvise) queued the whole file, and on a slow disk (137 MB/s) a query's 4 KB read
    // then waited behind it for up to a second. One request in flight keeps that wait to a
    // step's. Pages already in the cache cost a copy.
    // The descriptor is never closed: closing any descriptor of a file drops every POSIX lock
    // this process holds on it, SQLite's included. Another process would then take itself for
    // the last connection, checkpoint and delete the write-ahead log under this one, and the
    // commits this process makes after that would be lost.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    std::thread([fd, size] {
#ifdef Q_OS_LINUX
        ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 19); // this thread only
#endif
        constexpr size_t kStep = 2 << 20;
        std::unique_ptr<char[]> buffer(new char[kStep]);
        for (off_t offset = 0; offset < size;) {
            const ssize_t got = ::pread(fd, buffer.get(), kStep, offset);
            if (got <= 0)
                break;
            offset += got;
        }
    }).detach();
}

// SQLite counts the memory it allocates, by default, under one process-wide mutex on every
// allocation; Debian's build has no lookaside, so every allocation is a malloc. The server's
// query threads would all meet on that mutex, and a SCHED_IDLE background thread preempted
// inside it would hold up the others until a core fell idle. Nothing here reads the counts.
// It must come before SQLite's initialization, i.e. before the process's first connection.
void configureLibrary()
{
    static std::once_flag once;
    std::call_once(once, [] {
        const int code = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        if (code != SQLITE_OK)
            qCDebug(lcSqlite) << "SQLite was initialized already: its memory statistics stay on" << code;
    });
}

// How long a write waits for another connection's to end, as QSQLITE_BUSY_TIMEOUT had it.
constexpr std::chrono::milliseconds kBusyTimeout{10000};
// A refresh of the statistics leaves the lock for this long between its transactions.
constexpr std::chrono::milliseconds kAnalyzeGap{2};

// SQLite's own busy handler sleeps 1, 2, 5, ... and then 100 ms between tries: a write waiting
// behind a 20 ms commit could sleep on for 30 ms after it, and one waiting behind a string of
// short transactions (a refresh of the statistics) could miss every gap between them. This one
// tries every 0.1 ms for the first millisecond, then every millisecond. A connection is used by
// one thread at a time, so the start of its wait can live in the thread.
int retryLock(void*, int attempts)
{
    thread_local std::chrono::steady_clock::time_point since;
    const auto now = std::chrono::steady_clock::now();
    if (attempts == 0)
        since = now;
    else if (now - since >= kBusyTimeout)
        return 0;
    std::this_thread::sleep_for(attempts < 10 ? std::chrono::microseconds(100)
                                              : std::chrono::microseconds(1000));
    return 1;
}

sqlite3* nativeHandle(const QSqlDatabase& db)
{
    const QVariant handle = db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        return *static_cast<sqlite3* const*>(handle.constData());
    return nullptr;
}

} // namespace

void SqliteDatabase::setWarmFileCache(bool warm)
{
    g_warmFileCache = warm;
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const QString& path)
{
    configureLibrary();
    std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(path));
    BUTLER_TRY(db->connection());
    if (g_warmFileCache && path != QLatin1String(":memory:"))
        warmFileCache(path);
    return db;
}

void SqliteDatabase::setMemoryLimits(MemoryLimits limits)
{
    g_cacheKiB = std::max(256, limits.cacheKiB);
    g_mapBytes = std::max<qint64>(0, limits.mapBytes);
}

SqliteDatabase::MemoryLimits SqliteDatabase::memoryLimits()
{
    return {g_cacheKiB.load(), g_mapBytes.load()};
}

Result<std::unique_ptr<SqlRows>> SqliteDatabase::prepareRows(const QSqlDatabase& db, const QString& sql)
{
    sqlite3* connection = nativeHandle(db);
    if (!connection)
        return Database::prepareRows(db, sql); // a driver build without the handle: Qt's way
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<SqliteRows> rows, SqliteRows::prepare(connection, sql));
    return std::unique_ptr<SqlRows>(std::move(rows));
}

Result<QSqlDatabase> SqliteDatabase::openConnection(const QString& connectionName)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeout.count()));
    if (!db.open())
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("cannot open registry %1: %2").arg(m_path, db.lastError().text()));
    if (sqlite3* connection = nativeHandle(db))
        sqlite3_busy_handler(connection, retryLock, nullptr);
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next())
        return Error(ErrorKind::Unavailable, QStringLiteral("cannot set WAL mode on %1").arg(m_path));
    const QString mode = q.value(0).toString().toLower();
    if (mode != QLatin1String("wal")) {
        // In-memory databases cannot use WAL; files must, or concurrent readers block writers.
        if (m_path != QLatin1String(":memory:"))
            return Error(ErrorKind::Unavailable,
                         QStringLiteral("registry %1 refuses WAL journal mode (got '%2'); is it on a network "
                                        "file system?")
                             .arg(m_path, mode));
    }
    qCDebug(lcSqlite) << "opened" << m_path << "journal mode" << mode;
    const MemoryLimits limits = memoryLimits();
    // synchronous=NORMAL: a commit is in the WAL once it returns, which a killed process does
    // not lose; the files are synced when a checkpoint copies the WAL into the database. Those
    // two syncs came every hundred puts at SQLite's default of 1000 pages; at 10000 (a WAL of
    // up to 40 MB) they come ten times less often, and durability is the same.
    for (const QString& pragma :
         {QStringLiteral("PRAGMA foreign_keys=ON"), QStringLiteral("PRAGMA synchronous=NORMAL"),
          QStringLiteral("PRAGMA wal_autocheckpoint=10000"), QStringLiteral("PRAGMA temp_store=MEMORY"),
          QStringLiteral("PRAGMA cache_size=-%1").arg(limits.cacheKiB),
          QStringLiteral("PRAGMA mmap_size=%1").arg(limits.mapBytes)}) {
        if (!q.exec(pragma))
            return Error(ErrorKind::Unavailable,
                         QStringLiteral("cannot configure registry: %1").arg(q.lastError().text()));
    }
    return db;
}

qint64 SqliteDatabase::dataVersion()
{
    auto q = exec(QStringLiteral("PRAGMA data_version"));
    if (!q || !(*q)->next())
        return -1;
    const qint64 v = (*q)->value(0).toLongLong();
    (*q)->finish();
    return v;
}

Status SqliteDatabase::analyze()
{
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        exec(QStringLiteral("SELECT t.name, i.name FROM sqlite_master t LEFT JOIN sqlite_master i "
                            "ON i.type = 'index' AND i.tbl_name = t.name "
                            "WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite%' ORDER BY t.name, i.name")));
    QStringList pieces;
    while (q->next())
        pieces.append(q->value(q->isNull(1) ? 0 : 1).toString());
    q->finish();
    for (const QString& piece : std::as_const(pieces)) {
        // Writers waiting meanwhile (they try every millisecond) take the lock in between.
        if (&piece != &pieces.first())
            std::this_thread::sleep_for(kAnalyzeGap);
        Transaction tx(*this);
        BUTLER_TRY(tx.begin());
        BUTLER_TRY(execDirect(QStringLiteral("ANALYZE ") + quote(piece)));
        BUTLER_TRY(tx.commit());
    }
    Transaction tx(*this);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(execDirect(QStringLiteral("CREATE TABLE butler_statistics_epoch (x INTEGER)")));
    BUTLER_TRY(execDirect(QStringLiteral("DROP TABLE butler_statistics_epoch")));
    return tx.commit();
}

Result<std::optional<qint64>> SqliteDatabase::analyzedRows(const QString& table)
{
    // sqlite_stat1 exists once ANALYZE has run; its rows start with the table's row count.
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q,
        exec(QStringLiteral("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")));
    const bool exists = q->next();
    q->finish();
    if (!exists)
        return std::optional<qint64>();
    BUTLER_ASSIGN_OR_RETURN(q, exec(QStringLiteral("SELECT stat FROM sqlite_stat1 WHERE tbl = ?"), {table}));
    std::optional<qint64> rows;
    while (q->next()) {
        bool ok = false;
        const qint64 n = q->value(0).toString().section(QLatin1Char(' '), 0, 0).toLongLong(&ok);
        if (ok)
            rows = std::max(rows.value_or(0), n);
    }
    q->finish();
    return rows;
}

Result<qint64> SqliteDatabase::insertionMark(const QString& table)
{
    BUTLER_ASSIGN_OR_RETURN(QSqlQuery * q,
                            exec(QStringLiteral("SELECT MAX(rowid) FROM %1").arg(quote(table))));
    const qint64 mark = q->next() ? q->value(0).toLongLong() : 0;
    q->finish();
    return mark;
}

} // namespace butler
