// Database::select(): SQLite's own reader gives the same values as QSqlQuery, binds every type
// the registry binds, reports errors, and lets its read snapshot go. Database::run() stores
// what exec() stores and reports a constraint violation as a conflict.
#include "QtSqlRows.h"
#include "SqliteDatabase.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace butler;

class tst_SqlRows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void valuesMatchQtDriver();
    void bindsEveryType_data();
    void bindsEveryType();
    void rerunsWithNewBinds();
    void errorsAreReported();
    void finishReleasesSnapshot();
    void qtReaderMatches();
    void writesLikeExec();
    void readsUuids();
    void memoryIsNotCounted();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteDatabase> m_db;
};

void tst_SqlRows::init()
{
    QVERIFY(m_dir.isValid());
    auto db = SqliteDatabase::open(m_dir.filePath(QStringLiteral("t.sqlite3")));
    QVERIFY2(db.ok(), qPrintable(db ? QString() : db.error().message()));
    m_db = std::move(*db);
    QVERIFY(m_db->execDirect(QStringLiteral(
                                 "CREATE TABLE IF NOT EXISTS t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)"))
                .ok());
    QVERIFY(m_db->execDirect(QStringLiteral("DELETE FROM t")).ok());
    QVERIFY(
        m_db->execDirect(QStringLiteral(
                             "INSERT INTO t VALUES (-9007199254740993, 2.5, 'Ångström ✓', x'00ff10', NULL), "
                             "(7, -0.125, '', x'', NULL)"))
            .ok());
}

void tst_SqlRows::cleanup()
{
    m_db.reset();
}

void tst_SqlRows::valuesMatchQtDriver()
{
    const QString sql = QStringLiteral("SELECT i, r, s, b, n FROM t ORDER BY i");
    QList<QVariantList> viaQt;
    {
        auto q = m_db->exec(sql);
        QVERIFY(q.ok());
        while ((*q)->next()) {
            QVariantList row;
            for (int c = 0; c < 5; ++c)
                row << (*q)->value(c);
            viaQt << row;
        }
        (*q)->finish();
    }
    auto rows = m_db->select(sql);
    QVERIFY(rows.ok());
    int r = 0;
    while ((*rows)->next()) {
        QVERIFY(r < viaQt.size());
        for (int c = 0; c < 5; ++c) {
            const QVariant mine = (*rows)->value(c);
            const QVariant qt = viaQt[r][c];
            QCOMPARE(mine.typeId(), qt.typeId());
            QCOMPARE(mine.isNull(), qt.isNull());
            QCOMPARE(mine, qt);
        }
        QCOMPARE((*rows)->isNull(4), true);
        QCOMPARE((*rows)->isNull(0), false);
        QCOMPARE((*rows)->integer(0), viaQt[r][0].toLongLong());
        QCOMPARE((*rows)->text(2), viaQt[r][2].toString());
        ++r;
    }
    QVERIFY((*rows)->status().ok());
    QCOMPARE(r, viaQt.size());
    QCOMPARE(viaQt.first()[0].toLongLong(), -9007199254740993LL); // beyond a double's precision
    QCOMPARE(viaQt.first()[2].toString(), QStringLiteral("Ångström ✓"));
}

void tst_SqlRows::bindsEveryType_data()
{
    QTest::addColumn<QVariant>("bound");
    QTest::newRow("bool") << QVariant(true);
    QTest::newRow("int") << QVariant(-42);
    QTest::newRow("qint64") << QVariant(qint64(1) << 60);
    QTest::newRow("uint") << QVariant(4000000000u);
    QTest::newRow("double") << QVariant(0.1);
    QTest::newRow("ascii") << QVariant(QStringLiteral("LSSTCam"));
    QTest::newRow("unicode") << QVariant(QStringLiteral("Ñandú 星"));
    QTest::newRow("empty string") << QVariant(QString(""));
    QTest::newRow("bytes") << QVariant(QByteArray("\x00\x01\xfe", 3));
    QTest::newRow("null") << QVariant();
    QTest::newRow("null string") << QVariant(QMetaType::fromType<QString>());
}

void tst_SqlRows::bindsEveryType()
{
    QFETCH(QVariant, bound);
    const QString sql = QStringLiteral("SELECT ?, typeof(?)");
    auto q = m_db->exec(sql, {bound, bound});
    QVERIFY(q.ok());
    QVERIFY((*q)->next());
    const QVariant qtValue = (*q)->value(0);
    const QString qtType = (*q)->value(1).toString();
    (*q)->finish();
    auto rows = m_db->select(sql, {bound, bound});
    QVERIFY(rows.ok());
    QVERIFY((*rows)->next());
    QCOMPARE((*rows)->text(1), qtType);
    QCOMPARE((*rows)->value(0), qtValue);
    QCOMPARE((*rows)->value(0).isNull(), qtValue.isNull());
    QVERIFY(!(*rows)->next());
    QVERIFY((*rows)->status().ok());
}

void tst_SqlRows::rerunsWithNewBinds()
{
    const QString sql = QStringLiteral("SELECT count(*) FROM t WHERE i > ?");
    for (const auto& [bound, expected] : {std::pair<qint64, qint64>{0, 1}, {-1LL << 62, 2}, {100, 0}}) {
        auto rows = m_db->select(sql, {bound});
        QVERIFY(rows.ok());
        QVERIFY((*rows)->next());
        QCOMPARE((*rows)->integer(0), expected);
        // Left unfinished on purpose: the next run must start afresh.
    }
}

void tst_SqlRows::errorsAreReported()
{
    auto missing = m_db->select(QStringLiteral("SELECT x FROM no_such_table"));
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().message().contains(QLatin1String("no_such_table")),
             qPrintable(missing.error().message()));

    auto count = m_db->select(QStringLiteral("SELECT ?"), {1, 2});
    QVERIFY(!count.ok());
    QCOMPARE(count.error().kind(), ErrorKind::Internal);

    // An error while stepping: next() stops and status() tells.
    const QString overflowing =
        QStringLiteral("SELECT abs(x) FROM (SELECT 1 AS x UNION ALL SELECT -9223372036854775807 - 1)");
    auto overflow = m_db->select(overflowing);
    QVERIFY(overflow.ok());
    int seen = 0;
    while ((*overflow)->next())
        ++seen;
    QCOMPARE(seen, 1);
    QVERIFY(!(*overflow)->status().ok());
    QVERIFY((*overflow)->status().error().message().contains(QLatin1String("overflow")));
    // The same statement runs again afterwards.
    auto again = m_db->select(overflowing);
    QVERIFY(again.ok());
    QVERIFY((*again)->next());
    QCOMPARE((*again)->integer(0), 1);
}

void tst_SqlRows::finishReleasesSnapshot()
{
    const QString path = m_dir.filePath(QStringLiteral("t.sqlite3"));
    auto other = SqliteDatabase::open(path);
    QVERIFY(other.ok());
    // A reader in the middle of its rows holds a snapshot: a checkpoint of another connection
    // cannot copy the frames written after it into the database until it lets go.
    QVERIFY((*other)->execDirect(QStringLiteral("INSERT INTO t VALUES (1, 1, 'x', x'', NULL)")).ok());
    auto rows = m_db->select(QStringLiteral("SELECT i FROM t ORDER BY i"));
    QVERIFY(rows.ok());
    QVERIFY((*rows)->next());
    QVERIFY((*other)->execDirect(QStringLiteral("INSERT INTO t VALUES (2, 1, 'x', x'', NULL)")).ok());
    // Frames in the WAL not yet copied into the database after a passive checkpoint.
    const auto behind = [&]() -> qint64 {
        auto q = (*other)->exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
        if (!q.ok() || !(*q)->next())
            return -1;
        const qint64 value = (*q)->value(1).toLongLong() - (*q)->value(2).toLongLong();
        (*q)->finish();
        return value;
    };
    QVERIFY(behind() > 0);
    (*rows)->finish();
    QCOMPARE(behind(), 0);
    // Reading to the end lets go as well.
    auto all = m_db->select(QStringLiteral("SELECT i FROM t"));
    QVERIFY(all.ok());
    while ((*all)->next()) {
    }
    QVERIFY((*other)->execDirect(QStringLiteral("INSERT INTO t VALUES (3, 1, 'x', x'', NULL)")).ok());
    QCOMPARE(behind(), 0);
}

// The reader other drivers get: the same rows through QSqlQuery.
void tst_SqlRows::qtReaderMatches()
{
    auto prepared = m_db->prepare(QStringLiteral("SELECT i, s, n FROM t WHERE i > ? ORDER BY i"));
    QVERIFY(prepared.ok());
    QtSqlRows rows(*m_db, *prepared);
    QVERIFY(rows.run({qint64(0)}).ok());
    QVERIFY(rows.next());
    QCOMPARE(rows.integer(0), 7);
    QCOMPARE(rows.text(1), QString(""));
    QVERIFY(rows.isNull(2));
    QVERIFY(rows.value(2).isNull());
    QVERIFY(!rows.next());
    QVERIFY(rows.status().ok());
    QVERIFY(rows.run({qint64(-1) << 62}).ok());
    QVERIFY(rows.next());
    QCOMPARE(rows.integer(0), -9007199254740993LL);
    rows.finish();
    QVERIFY(!rows.next());
}

// UUID columns are parsed from SQLite's UTF-8 directly, the same as through text().
void tst_SqlRows::readsUuids()
{
    const QUuid id = QUuid::createUuid();
    QVERIFY(m_db->execDirect(QStringLiteral("CREATE TABLE u (k INTEGER, id TEXT)")).ok());
    QVERIFY(m_db->execDirect(QStringLiteral("INSERT INTO u VALUES (1, '%1'), (2, 'not a uuid'), (3, NULL), "
                                            "(4, 'Ñandú')")
                                 .arg(id.toString(QUuid::WithoutBraces)))
                .ok());
    auto rows = m_db->select(QStringLiteral("SELECT id FROM u ORDER BY k"));
    QVERIFY(rows.ok());
    QVERIFY((*rows)->next());
    QCOMPARE((*rows)->uuid(0), id);
    QCOMPARE((*rows)->text(0), id.toString(QUuid::WithoutBraces));
    QVERIFY((*rows)->next());
    QVERIFY((*rows)->uuid(0).isNull());
    QVERIFY((*rows)->next());
    QVERIFY((*rows)->uuid(0).isNull());
    QVERIFY((*rows)->text(0).isNull());
    QVERIFY((*rows)->next());
    QVERIFY((*rows)->uuid(0).isNull());
    QCOMPARE((*rows)->text(0), QStringLiteral("Ñandú"));
    QVERIFY(!(*rows)->next());
}

void tst_SqlRows::writesLikeExec()
{
    QVERIFY(m_db->execDirect(QStringLiteral("CREATE TABLE w (k TEXT PRIMARY KEY, i INTEGER, r REAL, b BLOB, "
                                            "n TEXT)"))
                .ok());
    const QVariantList values{QStringLiteral("Ñandú 星"), qint64(1) << 60, 0.1, QByteArray("\x00\x01", 2),
                              QVariant(QMetaType::fromType<QString>())};
    QVERIFY(
        m_db->exec(QStringLiteral("INSERT INTO w VALUES (?, ?, ?, ?, ?)"), QVariantList{"qt"} + values.mid(1))
            .ok());
    const QString insert = QStringLiteral("INSERT INTO w VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)");
    QVariantList binds = values;
    binds << QStringLiteral("second") << -42 << -0.5 << QByteArray() << QStringLiteral("x");
    const Status written = m_db->run(insert, binds);
    QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message()));
    // The row written through the engine reads back as the one written through Qt.
    auto q = m_db->exec(QStringLiteral("SELECT i, r, b, n, typeof(i), typeof(b) FROM w WHERE k IN (?, ?)"),
                        {QStringLiteral("qt"), values[0]});
    QVERIFY(q.ok());
    QList<QVariantList> rows;
    while ((*q)->next()) {
        QVariantList row;
        for (int c = 0; c < 6; ++c)
            row << (*q)->value(c);
        rows << row;
    }
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0], rows[1]);
    // A second row with the same key: a conflict, and nothing of that statement stays.
    binds[5] = values[0];
    const Status clash = m_db->run(insert, binds);
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().kind(), ErrorKind::Conflict);
    auto count = m_db->select(QStringLiteral("SELECT count(*) FROM w"));
    QVERIFY(count.ok() && (*count)->next());
    QCOMPARE((*count)->integer(0), 3);
    (*count)->finish();
    // An UPDATE through the same path.
    QVERIFY(m_db->run(QStringLiteral("UPDATE w SET n = ? WHERE k = ?"),
                      {QStringLiteral("y"), QStringLiteral("second")})
                .ok());
    auto updated = m_db->select(QStringLiteral("SELECT n FROM w WHERE k = 'second'"));
    QVERIFY(updated.ok() && (*updated)->next());
    QCOMPARE((*updated)->text(0), QStringLiteral("y"));
    (*updated)->finish();
}

QTEST_GUILESS_MAIN(tst_SqlRows)
// SqliteDatabase turns SQLite's memory statistics off before the first connection: they cost a
// process-wide mutex on every allocation. With them on, the rows read here would be counted.
void tst_SqlRows::memoryIsNotCounted()
{
    QVERIFY(m_db->execDirect(QStringLiteral("CREATE TABLE m (k INTEGER PRIMARY KEY, t TEXT)")).ok());
    for (int i = 0; i < 100; ++i)
        QVERIFY(m_db->run(QStringLiteral("INSERT INTO m (t) VALUES (?)"), {QString(1000, QLatin1Char('x'))})
                    .ok());
    auto rows = m_db->select(QStringLiteral("SELECT t FROM m"), {});
    QVERIFY(rows.ok());
    int count = 0;
    while ((*rows)->next())
        ++count;
    QCOMPARE(count, 100);
    QCOMPARE(sqlite3_memory_used(), sqlite3_int64(0));
    QCOMPARE(sqlite3_memory_highwater(0), sqlite3_int64(0));
}

#include "tst_sqlrows.moc"
