// The listener threads' epoll event loop: what Qt code on such a thread relies on (posted
// events, quitting, timers, socket notifiers, deleteLater, QTcpServer and QTcpSocket), and the
// cases a loop of its own can get wrong: notifiers switched off or deleted while the events of
// one wait are delivered, and a descriptor number reused within one wait.

#include "EpollEventDispatcher.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

#include <sys/socket.h>
#include <unistd.h>

using namespace butler;

namespace {

// A thread running an EpollEventDispatcher loop, and a way to run code on it.
class LoopThread
{
public:
    LoopThread()
    {
        m_thread.setEventDispatcher(new EpollEventDispatcher);
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        m_thread.start();
    }
    ~LoopThread()
    {
        run([this] { delete m_context; });
        m_thread.quit();
        m_thread.wait();
    }
    template <typename F> void run(F f)
    {
        QMetaObject::invokeMethod(m_context, std::move(f), Qt::BlockingQueuedConnection);
    }
    template <typename F> void post(F f)
    {
        QMetaObject::invokeMethod(m_context, std::move(f), Qt::QueuedConnection);
    }
    QThread& thread() { return m_thread; }
    EpollEventDispatcher* dispatcher()
    {
        return qobject_cast<EpollEventDispatcher*>(m_thread.eventDispatcher());
    }

private:
    QThread m_thread;
    QObject* m_context = nullptr;
};

struct SocketPair
{
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    void send(int side) { QCOMPARE_EQ(::write(fds[side], "x", 1), 1); }
};

// Reads what waits on a descriptor so that a level-triggered notifier calms down.
void drain(int fd)
{
    char buffer[64];
    while (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
    }
}

} // namespace

class TestEpollEventDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void postedEventsRunAndQuitEnds()
    {
        QObject context; // outlives the thread's loop
        QThread thread;
        thread.setEventDispatcher(new EpollEventDispatcher);
        QVERIFY(qobject_cast<EpollEventDispatcher*>(thread.eventDispatcher()));
        context.moveToThread(&thread);
        thread.start();
        std::atomic<int> ran{0};
        std::atomic<QThread*> where{nullptr};
        // Posted from another thread while the loop sleeps with nothing else to do.
        QTest::qWait(50);
        for (int i = 0; i < 100; ++i)
            QMetaObject::invokeMethod(&context, [&] {
                ++ran;
                where = QThread::currentThread();
            });
        QTRY_COMPARE_WITH_TIMEOUT(ran.load(), 100, 5000);
        QCOMPARE(where.load(), &thread);
        thread.quit();
        QVERIFY(thread.wait(5000));
    }

    void deleteLaterDeletes()
    {
        LoopThread loop;
        QPointer<QObject> object;
        loop.run([&] {
            object = new QObject;
            object->deleteLater();
        });
        QTRY_VERIFY_WITH_TIMEOUT(object.isNull(), 5000);
    }

    void timersFireOnTimeAndStop()
    {
        LoopThread loop;
        std::atomic<int> repeats{0};
        std::atomic<qint64> singleShotAfter{-1};
        QTimer* repeating = nullptr;
        QElapsedTimer clock;
        loop.run([&] {
            clock.start();
            repeating = new QTimer;
            repeating->setInterval(10);
            QObject::connect(repeating, &QTimer::timeout, [&] { ++repeats; });
            repeating->start();
            QTimer::singleShot(60, repeating, [&] { singleShotAfter = clock.elapsed(); });
        });
        QTRY_VERIFY_WITH_TIMEOUT(singleShotAfter.load() >= 0, 5000);
        QVERIFY2(singleShotAfter.load() >= 60, qPrintable(QString::number(singleShotAfter.load())));
        QTRY_VERIFY_WITH_TIMEOUT(repeats.load() >= 10, 5000);
        int stoppedAt = 0;
        loop.run([&] {
            repeating->stop();
            stoppedAt = repeats;
        });
        QTest::qWait(100);
        QCOMPARE(repeats.load(), stoppedAt);
        loop.run([&] { delete repeating; });
    }

    void timerBookkeeping()
    {
        LoopThread loop;
        loop.run([&] {
            QObject owner;
            QTimer timer(&owner);
            timer.start(1000);
            const int remaining = timer.remainingTime();
            QVERIFY2(remaining > 900 && remaining <= 1000, qPrintable(QString::number(remaining)));
            const auto timers = loop.dispatcher()->registeredTimers(&timer);
            QCOMPARE(timers.size(), 1);
            QCOMPARE(timers.first().timerId, timer.timerId());
            QCOMPARE(timers.first().interval, 1000);
            QVERIFY(loop.dispatcher()->registeredTimers(&owner).isEmpty());
            timer.stop();
            QCOMPARE(loop.dispatcher()->remainingTime(timers.first().timerId), -1);
            QVERIFY(loop.dispatcher()->registeredTimers(&timer).isEmpty());
        });
    }

    void readNotifierFollowsData()
    {
        LoopThread loop;
        SocketPair pair;
        std::atomic<int> reads{0};
        bool drainOnRead = true;
        QSocketNotifier* notifier = nullptr;
        loop.run([&] {
            notifier = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
            QObject::connect(notifier, &QSocketNotifier::activated, [&] {
                ++reads;
                if (drainOnRead)
                    drain(pair.fds[0]);
            });
        });
        QTest::qWait(50);
        QCOMPARE(reads.load(), 0); // nothing to read yet
        pair.send(1);
        QTRY_COMPARE_WITH_TIMEOUT(reads.load(), 1, 5000);
        QTest::qWait(50);
        QCOMPARE(reads.load(), 1); // read out: quiet again

        // Switched off: data waits unseen; switched on again, it is reported (level-triggered).
        loop.run([&] { notifier->setEnabled(false); });
        QCOMPARE(loop.dispatcher()->watchedDescriptors(), 0);
        pair.send(1);
        QTest::qWait(50);
        QCOMPARE(reads.load(), 1);
        loop.run([&] { notifier->setEnabled(true); });
        QTRY_COMPARE_WITH_TIMEOUT(reads.load(), 2, 5000);

        // Data left unread keeps it reporting, as with poll.
        loop.run([&] { drainOnRead = false; });
        pair.send(1);
        QTRY_VERIFY_WITH_TIMEOUT(reads.load() >= 5, 5000);
        loop.run([&] {
            drain(pair.fds[0]);
            delete notifier;
        });
        QCOMPARE(loop.dispatcher()->watchedDescriptors(), 0);
    }

    void hangUpWakesTheReader()
    {
        LoopThread loop;
        SocketPair pair;
        std::atomic<int> reads{0};
        QSocketNotifier* notifier = nullptr;
        loop.run([&] {
            notifier = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
            QObject::connect(notifier, &QSocketNotifier::activated, [&] {
                ++reads;
                notifier->setEnabled(false); // what a socket does when it sees the end
            });
        });
        ::close(pair.fds[1]);
        pair.fds[1] = -1;
        QTRY_COMPARE_WITH_TIMEOUT(reads.load(), 1, 5000);
        loop.run([&] { delete notifier; });
    }

    void writeNotifierAndReadNotifierShareADescriptor()
    {
        LoopThread loop;
        SocketPair pair;
        std::atomic<int> reads{0};
        std::atomic<int> writes{0};
        QSocketNotifier* reader = nullptr;
        QSocketNotifier* writer = nullptr;
        loop.run([&] {
            reader = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
            writer = new QSocketNotifier(pair.fds[0], QSocketNotifier::Write);
            QObject::connect(reader, &QSocketNotifier::activated, [&] {
                ++reads;
                drain(pair.fds[0]);
            });
            QObject::connect(writer, &QSocketNotifier::activated, [&] {
                ++writes;
                writer->setEnabled(false); // written: nothing more to say
            });
        });
        QTRY_COMPARE_WITH_TIMEOUT(writes.load(), 1, 5000); // writable at once
        QCOMPARE(loop.dispatcher()->watchedDescriptors(), 1);
        pair.send(1);
        QTRY_COMPARE_WITH_TIMEOUT(reads.load(), 1, 5000);
        QCOMPARE(writes.load(), 1);
        loop.run([&] {
            delete reader;
            delete writer;
        });
        QCOMPARE(loop.dispatcher()->watchedDescriptors(), 0);
    }

    void notifierDeletedByAnEarlierOneIsNotActivated()
    {
        // Both notifiers are ready in one wait; whichever runs first deletes the other.
        LoopThread loop;
        SocketPair first;
        SocketPair second;
        std::atomic<int> activations{0};
        QSocketNotifier* notifiers[2] = {nullptr, nullptr};
        loop.run([&] {
            for (int i = 0; i < 2; ++i) {
                notifiers[i] =
                    new QSocketNotifier(i == 0 ? first.fds[0] : second.fds[0], QSocketNotifier::Read);
                QObject::connect(notifiers[i], &QSocketNotifier::activated, [&, i] {
                    ++activations;
                    delete notifiers[1 - i];
                    notifiers[1 - i] = nullptr;
                    drain(i == 0 ? first.fds[0] : second.fds[0]);
                });
            }
            // Both made ready before the loop waits again.
            first.send(1);
            second.send(1);
        });
        QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 1, 5000);
        QTest::qWait(50);
        QCOMPARE(activations.load(), 1);
        loop.run([&] {
            delete notifiers[0];
            delete notifiers[1];
        });
    }

    void reusedDescriptorGetsNoStaleEvent()
    {
        // Two ready sockets in one wait. The first delivered closes the other and puts a fresh,
        // silent socket under the same descriptor number with a notifier of its own: the event
        // already read for the closed socket must not reach it.
        LoopThread loop;
        SocketPair first;
        SocketPair second;
        std::atomic<int> activations{0};
        std::atomic<int> stale{0};
        QSocketNotifier* notifiers[2] = {nullptr, nullptr};
        QSocketNotifier* fresh = nullptr;
        SocketPair replacement;
        loop.run([&] {
            SocketPair* pairs[2] = {&first, &second};
            for (int i = 0; i < 2; ++i) {
                notifiers[i] = new QSocketNotifier(pairs[i]->fds[0], QSocketNotifier::Read);
                QObject::connect(notifiers[i], &QSocketNotifier::activated, [&, i, pairs] {
                    ++activations;
                    drain(pairs[i]->fds[0]);
                    if (fresh)
                        return;
                    SocketPair* other = pairs[1 - i];
                    const int number = other->fds[0];
                    delete notifiers[1 - i];
                    notifiers[1 - i] = nullptr;
                    ::close(number);
                    QCOMPARE_EQ(::dup2(replacement.fds[0], number), number);
                    fresh = new QSocketNotifier(number, QSocketNotifier::Read);
                    QObject::connect(fresh, &QSocketNotifier::activated, [&] { ++stale; });
                });
            }
            first.send(1);
            second.send(1);
        });
        QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 1, 5000);
        QTest::qWait(50);
        QCOMPARE(stale.load(), 0);
        loop.run([&] {
            delete notifiers[0];
            delete notifiers[1];
            delete fresh;
        });
    }

    void tcpServerAndSocketWork()
    {
        LoopThread loop;
        QTcpServer* server = nullptr;
        quint16 port = 0;
        loop.run([&] {
            server = new QTcpServer;
            QVERIFY(server->listen(QHostAddress::LocalHost));
            port = server->serverPort();
            QObject::connect(server, &QTcpServer::newConnection, server, [server] {
                while (QTcpSocket* socket = server->nextPendingConnection()) {
                    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                        // A large answer: it goes out through the write notifier in parts.
                        const QByteArray line = socket->readAll();
                        socket->write(line.repeated(100000));
                    });
                }
            });
        });
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(5000));
        client.write("ping\n");
        QByteArray answer;
        QElapsedTimer clock;
        clock.start();
        while (answer.size() < 500000 && clock.elapsed() < 10000) {
            if (client.waitForReadyRead(1000))
                answer += client.readAll();
        }
        QCOMPARE(answer.size(), 500000);
        QVERIFY(answer.startsWith("ping\nping\n"));
        client.disconnectFromHost();
        loop.run([&] { delete server; });
    }
};

QTEST_GUILESS_MAIN(TestEpollEventDispatcher)
#include "tst_epolleventdispatcher.moc"
