// SqliteDatabase::analyze(): the query planner statistics it gathers are those of SQLite's own
// ANALYZE of the whole database, though it takes one index at a time, and every connection
// plans with them from its next statement on, not only the one that gathered them.

#include "SqliteDatabase.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>

using namespace butler;

namespace {

// The index the planner picks for a query that both indexes could serve: tx when x looks
// selective, ty when it does not. A statement runs first, as a server's would: SQLite looks for
// a schema change when a statement starts a transaction, which EXPLAIN alone does not. The
// EXPLAIN's text is new each time: a prepared EXPLAIN keeps the plan it was prepared with.
QString chosenIndex(SqliteDatabase& db)
{
    static int calls = 0;
    auto count = db.exec(QStringLiteral("SELECT count(*) FROM t WHERE y > 0"));
    if (!count)
        return QStringLiteral("error: ") + count.error().message();
    (*count)->finish();
    auto plan = db.exec(
        QStringLiteral("EXPLAIN QUERY PLAN SELECT * FROM t WHERE x = 1 AND y > 5 -- %1").arg(++calls));
    if (!plan)
        return QStringLiteral("error: ") + plan.error().message();
    QString detail;
    while ((*plan)->next())
        detail += (*plan)->value(3).toString();
    (*plan)->finish();
    for (const QString& index : {QStringLiteral("tx"), QStringLiteral("ty")})
        if (detail.contains(QStringLiteral("INDEX ") + index))
            return index;
    return detail;
}

// x takes `values` different values over 20,000 rows; y is unique.
Status fill(SqliteDatabase& db, int values)
{
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(db.execDirect(QStringLiteral("DELETE FROM t")));
    BUTLER_TRY(db.execDirect(
        QStringLiteral("INSERT INTO t (x, y) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                       "WHERE i < 19999) SELECT i % %1, i FROM n")
            .arg(values)));
    return tx.commit();
}

QStringList statisticsRows(SqliteDatabase& db)
{
    QStringList rows;
    auto q = db.exec(QStringLiteral("SELECT tbl, ifnull(idx, '-'), stat FROM sqlite_stat1 ORDER BY 1, 2"));
    if (!q)
        return {QStringLiteral("error: ") + q.error().message()};
    while ((*q)->next())
        rows.append((*q)->value(0).toString() + QLatin1Char(' ') + (*q)->value(1).toString() +
                    QLatin1Char(' ') + (*q)->value(2).toString());
    (*q)->finish();
    return rows;
}

} // namespace

class tst_SqliteStatistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void sameAsSqliteAnalyze();
    void otherConnectionsPlanWithNewStatistics();
    void writersGetInDuringARefresh();

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<SqliteDatabase> m_db;
};

void tst_SqliteStatistics::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("stats-%1.sqlite3").arg(QTest::currentTestFunction()));
    auto db = SqliteDatabase::open(m_path);
    QVERIFY2(db.ok(), qPrintable(db ? QString() : db.error().message()));
    m_db = std::move(*db);
    for (const char* sql :
         {"CREATE TABLE t (x INTEGER, y INTEGER)", "CREATE INDEX tx ON t (x)", "CREATE INDEX ty ON t (y)",
          "CREATE TABLE plain (a TEXT)", "CREATE TABLE keyed (k TEXT PRIMARY KEY, v INTEGER)",
          "CREATE INDEX keyed_v ON keyed (v, k)"})
        QVERIFY(m_db->execDirect(QString::fromLatin1(sql)).ok());
    QVERIFY(m_db->execDirect(QStringLiteral("INSERT INTO plain VALUES ('a'), ('b'), ('c')")).ok());
    QVERIFY(m_db->execDirect(QStringLiteral("INSERT INTO keyed VALUES ('a', 1), ('b', 1), ('c', 2)")).ok());
}

void tst_SqliteStatistics::cleanup()
{
    m_db.reset();
}

// Every index, and the table without one, gets the row a single ANALYZE gives it.
void tst_SqliteStatistics::sameAsSqliteAnalyze()
{
    QVERIFY(fill(*m_db, 7).ok());
    const Status analyzed = m_db->analyze();
    QVERIFY2(analyzed.ok(), analyzed.ok() ? "" : qPrintable(analyzed.error().message()));
    const QStringList ours = statisticsRows(*m_db);
    QVERIFY(m_db->execDirect(QStringLiteral("DELETE FROM sqlite_stat1")).ok());
    QVERIFY(m_db->execDirect(QStringLiteral("ANALYZE")).ok());
    const QStringList sqlite = statisticsRows(*m_db);
    QCOMPARE(ours, sqlite);
    QCOMPARE(ours.size(), 5); // tx, ty, keyed_v, keyed's primary key, plain
    QVERIFY2(ours.contains(QStringLiteral("plain - 3")), qPrintable(ours.join(QStringLiteral("; "))));
    QVERIFY2(ours.contains(QStringLiteral("t tx 20000 2858")), qPrintable(ours.join(QStringLiteral("; "))));
    // The made-and-dropped table is gone.
    auto left =
        m_db->exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name LIKE 'butler_statistics%'"));
    QVERIFY(left.ok() && (*left)->next());
    QCOMPARE((*left)->value(0).toInt(), 0);
    (*left)->finish();
}

// A second connection, open since before a refresh, plans with the refreshed statistics.
void tst_SqliteStatistics::otherConnectionsPlanWithNewStatistics()
{
    auto other = SqliteDatabase::open(m_path);
    QVERIFY2(other.ok(), qPrintable(other ? QString() : other.error().message()));
    // x unique: the planner takes its index.
    QVERIFY(fill(*m_db, 20000).ok());
    QVERIFY(m_db->analyze().ok());
    QCOMPARE(chosenIndex(*m_db), QStringLiteral("tx"));
    QCOMPARE(chosenIndex(**other), QStringLiteral("tx"));
    // x of two values: x = 1 matches half the rows, so y's range is the better start.
    QVERIFY(fill(*m_db, 2).ok());
    QVERIFY(m_db->analyze().ok());
    QCOMPARE(chosenIndex(*m_db), QStringLiteral("ty"));
    QCOMPARE(chosenIndex(**other), QStringLiteral("ty"));
}

// A write that comes while the statistics are refreshed waits for one index's turn, not for
// the whole refresh: another connection, on a thread of its own, writes once the refresh has
// done its first index, and is done before the refresh is.
void tst_SqliteStatistics::writersGetInDuringARefresh()
{
    // Five indexes of 300,000 rows each still to go when the writer starts.
    QVERIFY(m_db->execDirect(QStringLiteral("CREATE TABLE u (a INTEGER, b INTEGER, c INTEGER)")).ok());
    for (const char* index :
         {"CREATE INDEX ua ON u (a)", "CREATE INDEX ub ON u (b, a)", "CREATE INDEX uc ON u (c)",
          "CREATE INDEX ud ON u (c, b)", "CREATE INDEX ue ON u (b)"})
        QVERIFY(m_db->execDirect(QString::fromLatin1(index)).ok());
    QVERIFY(m_db->execDirect(
                    QStringLiteral("INSERT INTO u WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 "
                                   "FROM n WHERE i < 299999) SELECT i, i % 1000, i % 7 FROM n"))
                .ok());
    QVERIFY(m_db->execDirect(QStringLiteral("ANALYZE keyed")).ok()); // sqlite_stat1 exists
    QVERIFY(m_db->execDirect(QStringLiteral("DELETE FROM sqlite_stat1")).ok());

    auto other = SqliteDatabase::open(m_path);
    QVERIFY2(other.ok(), qPrintable(other ? QString() : other.error().message()));
    using Clock = std::chrono::steady_clock;
    std::atomic<bool> started{false};
    Clock::time_point written{};
    QString writeError;
    QThread* writer = QThread::create([&] {
        SqliteDatabase& db = **other;
        while (!started.load())
            QThread::usleep(200);
        // The first pieces are keyed's indexes (in name order); u's come last.
        for (int i = 0; i < 20000; ++i) {
            auto q = db.exec(QStringLiteral("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'keyed'"));
            const bool seen = q && (*q)->next() && (*q)->value(0).toInt() > 0;
            if (q)
                (*q)->finish();
            if (seen)
                break;
            QThread::usleep(200);
        }
        Transaction tx(db);
        Status status = tx.begin();
        if (status.ok())
            status = db.execDirect(QStringLiteral("INSERT INTO plain VALUES ('during')"));
        if (status.ok())
            status = tx.commit();
        written = Clock::now();
        if (!status.ok())
            writeError = status.error().message();
    });
    writer->start();
    started = true;
    const Status analyzed = m_db->analyze();
    const Clock::time_point refreshed = Clock::now();
    QVERIFY(writer->wait(30000));
    delete writer;
    QVERIFY2(analyzed.ok(), analyzed.ok() ? "" : qPrintable(analyzed.error().message()));
    QVERIFY2(writeError.isEmpty(), qPrintable(writeError));
    const auto margin = std::chrono::duration_cast<std::chrono::milliseconds>(refreshed - written).count();
    QVERIFY2(written < refreshed,
             qPrintable(QStringLiteral("the write ended %1 ms after the refresh").arg(-margin)));
    qInfo("the write ended %lld ms before the refresh", static_cast<long long>(margin));
}

QTEST_GUILESS_MAIN(tst_SqliteStatistics)
#include "tst_sqlitestatistics.moc"
