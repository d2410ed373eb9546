// SqliteDatabase's wait for another connection's write lock: a writer that waited behind a long
// transaction follows it within a few milliseconds, where SQLite's own busy handler, by then
// sleeping 100 ms between tries, would sleep on for up to 100 ms.

#include "SqliteDatabase.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <chrono>

using namespace butler;

class tst_SqliteLocking : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void waitingWriterFollowsAtOnce();
};

void tst_SqliteLocking::waitingWriterFollowsAtOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("locking.sqlite3"));
    auto holder = SqliteDatabase::open(path);
    QVERIFY2(holder.ok(), qPrintable(holder ? QString() : holder.error().message()));
    auto waiter = SqliteDatabase::open(path);
    QVERIFY2(waiter.ok(), qPrintable(waiter ? QString() : waiter.error().message()));
    QVERIFY((*holder)->execDirect(QStringLiteral("CREATE TABLE w (who TEXT)")).ok());

    using Clock = std::chrono::steady_clock;
    Transaction held(**holder);
    QVERIFY(held.begin().ok());
    QVERIFY((*holder)->execDirect(QStringLiteral("INSERT INTO w VALUES ('holder')")).ok());

    Clock::time_point acquired{};
    QString error;
    QThread* writer = QThread::create([&] {
        SqliteDatabase& db = **waiter;
        Transaction tx(db);
        Status status = tx.begin();
        acquired = Clock::now();
        if (status.ok())
            status = db.execDirect(QStringLiteral("INSERT INTO w VALUES ('waiter')"));
        if (status.ok())
            status = tx.commit();
        if (!status.ok())
            error = status.error().message();
    });
    writer->start();
    // Long enough for SQLite's own handler to be at its 100 ms steps: it would try again at
    // 428 ms after the wait began.
    QThread::msleep(340);
    const Clock::time_point released = Clock::now();
    QVERIFY(held.commit().ok());
    QVERIFY(writer->wait(30000));
    delete writer;
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(acquired > released);
    const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(acquired - released).count();
    QVERIFY2(delay < 50, qPrintable(QStringLiteral("the waiting writer followed after %1 ms").arg(delay)));
    qInfo("the waiting writer followed after %lld ms", static_cast<long long>(delay));

    auto rows = (*holder)->exec(QStringLiteral("SELECT group_concat(who, ',') FROM w"));
    QVERIFY(rows.ok() && (*rows)->next());
    QCOMPARE((*rows)->value(0).toString(), QStringLiteral("holder,waiter"));
    (*rows)->finish();
}

QTEST_GUILESS_MAIN(tst_SqliteLocking)
#include "tst_sqlitelocking.moc"
