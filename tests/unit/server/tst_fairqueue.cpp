// FairQueue: the order the worker threads take requests in. Round-robin over users, each
// user's own order kept, the per-user cap on queries, other work passing capped queries, the
// bound on a user's waiting requests, users forgotten once idle, and a flood's queries kept for
// the background threads while others use the server.

#include "FairQueue.h"

#include <QTest>

using namespace butler;

namespace {

// A queue whose jobs report a "user:index" label when run. Capped jobs stay counted as running
// until the test calls finished().
struct Labelled
{
    FairQueue queue;
    QHash<const void*, QString> names;

    Labelled(int maxRunning, int maxQueued, int cores = 0)
        : queue(maxRunning, maxQueued, cores)
    {
    }

    FairQueue::Push push(const QString& user, int index, bool capped = false, bool bounded = true)
    {
        const QString label = QStringLiteral("%1:%2").arg(user).arg(index);
        auto name = std::make_shared<QString>(label);
        FairQueue::Job j{user, capped, [name] { lastRun = *name; }, {}};
        return queue.push(std::move(j), bounded);
    }

    // Runs the next job and returns its label, or "" when none is runnable.
    QString next(bool urgentOnly = false)
    {
        std::optional<FairQueue::Job> j =
            queue.pop(urgentOnly ? FairQueue::Pool::Spare : FairQueue::Pool::Primary);
        if (!j)
            return QString();
        j->run();
        return lastRun;
    }

    QStringList drain()
    {
        QStringList order;
        for (QString label = next(); !label.isEmpty(); label = next())
            order.append(label);
        return order;
    }

    static inline QString lastRun;
};

} // namespace

class TestFairQueue : public QObject
{
    Q_OBJECT

private slots:
    void usersShareTheCores()
    {
        Labelled q(2, 100, 2);
        for (int i = 0; i < 4; ++i)
            q.push("A", i, true);
        // Alone, A may use both cores.
        QCOMPARE(q.next(), QStringLiteral("A:0"));
        QCOMPARE(q.next(), QStringLiteral("A:1"));
        QCOMPARE(q.next(), QString());
        // B arrives: each of the two gets one core. B's query goes first, and when one of
        // A's ends A does not start another while B's runs.
        q.push("B", 0, true);
        QCOMPARE(q.next(), QStringLiteral("B:0"));
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.next(), QString());
        // B is done and gone: A has both cores again.
        q.queue.finished(QStringLiteral("B"), true);
        QCOMPARE(q.next(), QStringLiteral("A:2"));
        QCOMPARE(q.next(), QString()); // A runs 2, its cap
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.next(), QStringLiteral("A:3"));
    }

    void urgentJobsAreThoseNotToWaitForABusyThread()
    {
        Labelled q(4, 100);
        q.push("A", 0, true);
        q.push("A", 1, true);
        QVERIFY(q.queue.hasUrgent());                  // A has nothing running yet
        QCOMPARE(q.next(true), QStringLiteral("A:0")); // A:0 now counts as running
        QVERIFY(!q.queue.hasUrgent());
        QCOMPARE(q.next(true), QString()); // A's next query waits for a busy thread
        q.push("A", 2, false);             // A's own non-query work does not
        q.push("B", 0, true);              // nor does a query of a user with none running
        QVERIFY(q.queue.hasUrgent());
        QCOMPARE(q.next(true), QStringLiteral("A:2"));
        QCOMPARE(q.next(true), QStringLiteral("B:0"));
        QVERIFY(!q.queue.hasUrgent());
        QCOMPARE(q.next(true), QString());
        QCOMPARE(q.next(), QStringLiteral("A:1")); // a thread within the limit takes anything
        QVERIFY(q.queue.isEmpty());
    }

    void floodYieldsToOthersInTheBackground()
    {
        Labelled q(2, 1000);
        constexpr qint64 kSecond = 1000000000;
        constexpr qint64 kStall = kSecond / 2;
        q.queue.setBackground(4, kSecond, kStall);
        using Pool = FairQueue::Pool;
        const auto pop = [&q](Pool pool, qint64 now) {
            std::optional<FairQueue::Job> j = q.queue.pop(pool, now);
            if (!j)
                return QString();
            j->run();
            return Labelled::lastRun;
        };
        const auto push = [&q](const QString& user, const QString& label, bool capped, qint64 now) {
            q.queue.push({user, capped, [label] { Labelled::lastRun = label; }, {}}, true, now);
        };
        for (int i = 0; i < 8; ++i)
            push(QStringLiteral("A"), QStringLiteral("A:%1").arg(i), true, 0);
        // Alone, A floods on the primaries; nothing is for the background threads.
        QVERIFY(!q.queue.inBackground(QStringLiteral("A"), 10));
        QVERIFY(!q.queue.hasWork(Pool::Background, 10));
        QCOMPARE(pop(Pool::Primary, 10), QStringLiteral("A:0"));
        // B submits: A, with 7 queries waiting, goes to the background.
        push(QStringLiteral("B"), QStringLiteral("B:0"), true, 20);
        QVERIFY(q.queue.inBackground(QStringLiteral("A"), 30));
        QVERIFY(!q.queue.inBackground(QStringLiteral("B"), 30));
        QCOMPARE(pop(Pool::Primary, 30), QStringLiteral("B:0"));
        QCOMPARE(pop(Pool::Primary, 30), QString()); // A's queries are not the primaries' now
        QVERIFY(q.queue.hasWork(Pool::Background, 30));
        // Background threads take A's queries past A's cap of 2, as long as A has 4 waiting.
        QCOMPARE(pop(Pool::Background, 30), QStringLiteral("A:1"));
        QCOMPARE(pop(Pool::Background, 30), QStringLiteral("A:2"));
        QCOMPARE(pop(Pool::Background, 30), QStringLiteral("A:3"));
        QCOMPARE(pop(Pool::Background, 30), QStringLiteral("A:4"));
        QVERIFY(!q.queue.inBackground(QStringLiteral("A"), 30)); // 3 waiting
        QCOMPARE(pop(Pool::Background, 30), QString());
        QCOMPARE(q.queue.running(QStringLiteral("A")), 1); // A:0; the background does not count
        QCOMPARE(q.queue.peakRunningPerUser(), 1);
        // With nothing on the primaries but some in the background, A is no newcomer.
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(pop(Pool::Spare, 40), QString());
        QCOMPARE(pop(Pool::Primary, 40), QStringLiteral("A:5"));
        for (int i = 0; i < 4; ++i)
            q.queue.finished(QStringLiteral("A"), true, true, 30);
        // A's work that is not a query stays with the primaries, ahead of its queries.
        for (int i = 8; i < 12; ++i)
            push(QStringLiteral("A"), QStringLiteral("A:%1").arg(i), true, 50);
        push(QStringLiteral("A"), QStringLiteral("A:write"), false, 50);
        QVERIFY(q.queue.inBackground(QStringLiteral("A"), 60)); // A:6 to A:11 wait; B came at 20
        QCOMPARE(pop(Pool::Background, 60), QStringLiteral("A:6"));
        QCOMPARE(pop(Pool::Primary, 60), QStringLiteral("A:write"));
        QCOMPARE(pop(Pool::Primary, 60), QString());
        // A:6 has run in the background for longer than the stall: the cores have no time for
        // the background, and the backlog takes its turns on the primaries again.
        QVERIFY(q.queue.inBackground(QStringLiteral("A"), 60 + kStall));
        QVERIFY(!q.queue.inBackground(QStringLiteral("A"), 61 + kStall));
        QVERIFY(!q.queue.hasWork(Pool::Background, 61 + kStall));
        QCOMPARE(pop(Pool::Primary, 61 + kStall), QStringLiteral("A:7"));
        QCOMPARE(q.queue.running(QStringLiteral("A")), 2); // A:5 and A:7: the cap again
        QCOMPARE(pop(Pool::Primary, 61 + kStall), QString());
        q.queue.finished(QStringLiteral("A"), true, true, 60); // A:6 ends
        QVERIFY(q.queue.inBackground(QStringLiteral("A"), 62 + kStall));
        // A second after B's last submission (A's own do not count), A is alone again.
        QVERIFY(q.queue.inBackground(QStringLiteral("A"), 20 + kSecond));
        QVERIFY(!q.queue.inBackground(QStringLiteral("A"), 21 + kSecond));
        QVERIFY(!q.queue.hasWork(Pool::Background, 21 + kSecond));
        q.queue.finished(QStringLiteral("A"), true); // A:5
        q.queue.finished(QStringLiteral("A"), true); // A:7
        for (int i = 8; i < 12; ++i) {
            QCOMPARE(pop(Pool::Primary, 21 + kSecond), QStringLiteral("A:%1").arg(i));
            q.queue.finished(QStringLiteral("A"), true);
        }
        QVERIFY(q.queue.isEmpty());
        QCOMPARE(q.queue.running(QStringLiteral("A")), 0);
    }

    void withoutBackgroundEveryQueryIsThePrimaries()
    {
        Labelled q(2, 1000);
        for (int i = 0; i < 10; ++i)
            q.push(QStringLiteral("A"), i, true);
        q.push(QStringLiteral("B"), 0, true);
        QVERIFY(!q.queue.inBackground(QStringLiteral("A"), 0));
        QVERIFY(!q.queue.hasWork(FairQueue::Pool::Background, 0));
        QCOMPARE(q.next(), QStringLiteral("A:0"));
        QCOMPARE(q.next(), QStringLiteral("B:0"));
        QCOMPARE(q.next(), QStringLiteral("A:1"));
    }

    void floodingUserDoesNotDelayAnother()
    {
        Labelled q(2, 1000);
        for (int i = 0; i < 100; ++i)
            q.push(QStringLiteral("A"), i);
        q.push(QStringLiteral("B"), 0);
        const QStringList order = q.drain();
        QCOMPARE(order.size(), 101);
        // B waits for one of A's requests, not for a hundred.
        QCOMPARE(order.indexOf(QStringLiteral("B:0")), 1);
        QCOMPARE(q.queue.size(), 0);
    }

    void usersTakeTurns()
    {
        Labelled q(2, 1000);
        for (const QString& user : {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")}) {
            for (int i = 0; i < 3; ++i)
                q.push(user, i);
        }
        QCOMPARE(q.drain(), (QStringList{"A:0", "B:0", "C:0", "A:1", "B:1", "C:1", "A:2", "B:2", "C:2"}));
    }

    void latecomerGetsTheNextTurnAfterThoseWaiting()
    {
        Labelled q(2, 1000);
        for (int i = 0; i < 5; ++i)
            q.push(QStringLiteral("A"), i);
        q.push(QStringLiteral("B"), 0);
        QCOMPARE(q.next(), QStringLiteral("A:0"));
        QCOMPARE(q.next(), QStringLiteral("B:0"));
        QCOMPARE(q.next(), QStringLiteral("A:1"));
        q.push(QStringLiteral("C"), 0);
        QCOMPARE(q.next(), QStringLiteral("A:2"));
        QCOMPARE(q.next(), QStringLiteral("C:0"));
        QCOMPARE(q.drain(), (QStringList{"A:3", "A:4"}));
    }

    void queriesBeyondTheCapWait()
    {
        Labelled q(2, 1000);
        for (int i = 0; i < 5; ++i)
            q.push(QStringLiteral("A"), i, true);
        QCOMPARE(q.drain(), (QStringList{"A:0", "A:1"}));
        QCOMPARE(q.queue.running(QStringLiteral("A")), 2);
        QCOMPARE(q.queue.queued(QStringLiteral("A")), 3);
        // Another user is not held up by A's cap.
        q.push(QStringLiteral("B"), 0, true);
        QCOMPARE(q.drain(), (QStringList{"B:0"}));
        // One of A's queries ends: exactly one more may start.
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.drain(), (QStringList{"A:2"}));
        q.queue.finished(QStringLiteral("A"), true);
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.drain(), (QStringList{"A:3", "A:4"}));
        QCOMPARE(q.queue.peakRunningPerUser(), 2);
        QCOMPARE(q.queue.maxRunningPerUser(), 2);
    }

    void otherWorkPassesCappedQueries()
    {
        Labelled q(1, 1000);
        q.push(QStringLiteral("A"), 0, true);
        q.push(QStringLiteral("A"), 1, true);
        q.push(QStringLiteral("A"), 2, false); // e.g. a whoami behind a slow query
        q.push(QStringLiteral("A"), 3, true);
        QCOMPARE(q.drain(), (QStringList{"A:0", "A:2"}));
        q.queue.finished(QStringLiteral("A"), true);
        // The user's own order holds among what may run.
        QCOMPARE(q.drain(), (QStringList{"A:1"}));
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.drain(), (QStringList{"A:3"}));
    }

    void capLeavesOtherUsersTheirTurn()
    {
        // A at the cap with only queries waiting is skipped without losing its place.
        Labelled q(1, 1000);
        q.push(QStringLiteral("A"), 0, true);
        q.push(QStringLiteral("A"), 1, true);
        q.push(QStringLiteral("B"), 0, true);
        q.push(QStringLiteral("B"), 1, true);
        q.push(QStringLiteral("C"), 0);
        QCOMPARE(q.drain(), (QStringList{"A:0", "B:0", "C:0"}));
        q.queue.finished(QStringLiteral("B"), true);
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.drain(), (QStringList{"A:1", "B:1"}));
    }

    void waitingRequestsAreBoundedPerUser()
    {
        Labelled q(2, 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(q.push(QStringLiteral("A"), i), FairQueue::Push::Queued);
        QCOMPARE(q.push(QStringLiteral("A"), 3), FairQueue::Push::Full);
        QCOMPARE(q.push(QStringLiteral("B"), 0), FairQueue::Push::Queued);
        // The server's own work is never refused.
        QCOMPARE(q.push(QStringLiteral("A"), 4, false, false), FairQueue::Push::Queued);
        QCOMPARE(q.queue.queued(QStringLiteral("A")), 4);
        // Room again once one was taken.
        QCOMPARE(q.next(), QStringLiteral("A:0"));
        QCOMPARE(q.next(), QStringLiteral("B:0"));
        QCOMPARE(q.push(QStringLiteral("A"), 5), FairQueue::Push::Full);
        QCOMPARE(q.next(), QStringLiteral("A:1"));
        QCOMPARE(q.push(QStringLiteral("A"), 5), FairQueue::Push::Queued);
    }

    void idleUsersAreForgotten()
    {
        Labelled q(2, 1000);
        q.push(QStringLiteral("A"), 0, true);
        q.push(QStringLiteral("B"), 0);
        QCOMPARE(q.queue.waitingUsers(), 2);
        QCOMPARE(q.drain().size(), 2);
        QCOMPARE(q.queue.waitingUsers(), 0);
        QCOMPARE(q.queue.running(QStringLiteral("A")), 1);
        q.queue.finished(QStringLiteral("A"), true);
        QCOMPARE(q.queue.running(QStringLiteral("A")), 0);
        QCOMPARE(q.queue.maxRunningPerUser(), 0);
        QVERIFY(q.queue.isEmpty());
    }

    void takeAllEmptiesTheQueue()
    {
        Labelled q(1, 1000);
        q.push(QStringLiteral("A"), 0, true);
        q.push(QStringLiteral("A"), 1, true);
        q.push(QStringLiteral("B"), 0);
        QCOMPARE(q.next(), QStringLiteral("A:0"));
        const std::vector<FairQueue::Job> rest = q.queue.takeAll();
        QCOMPARE(rest.size(), size_t(2));
        QVERIFY(q.queue.isEmpty());
        QCOMPARE(q.queue.waitingUsers(), 0);
        // A's running query still counts until it ends.
        QCOMPARE(q.queue.running(QStringLiteral("A")), 1);
        QVERIFY(!q.queue.pop());
    }
};

QTEST_GUILESS_MAIN(TestFairQueue)
#include "tst_fairqueue.moc"
