#include "FileResponder.h"
#include "FileSender.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <QScopeGuard>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

using namespace butler;

Q_DECLARE_METATYPE(FileSender::Mode)
Q_DECLARE_METATYPE(FileResponder::RangeKind)
Q_DECLARE_METATYPE(FileResponder::Request)

namespace {

constexpr qint64 kBigSize = qint64(20) << 20;

// A server-side socket and a client connected to it on loopback, in this thread.
struct Connection
{
    QTcpServer server;
    QTcpSocket client;
    QPointer<QTcpSocket> serverSide;
    QByteArray received;
    qint64 stopReadingAt = -1; // stop taking bytes from the client socket after this many

    bool open()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!server.waitForNewConnection(5000))
            return false;
        serverSide = server.nextPendingConnection();
        if (!serverSide || !client.waitForConnected(5000))
            return false;
        QObject::connect(&client, &QIODevice::readyRead, &client, [this] { read(); });
        return true;
    }
    void read()
    {
        if (stopReadingAt >= 0 && received.size() >= stopReadingAt)
            return;
        received += client.readAll();
    }
};

struct Outcome
{
    bool called = false;
    bool ok = false;
    qint64 sent = -1;
    bool fdClosedAtCallback = false;
};

// Runs the event loop until done() holds. Unlike QTRY_*/qWaitFor, which sleep between rounds,
// this keeps sockets moving at full speed.
bool spinUntil(const std::function<bool()>& done, int timeoutMs = 60000)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer tick; // wakes the loop to look at the deadline
    tick.start(50);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

int openFile(const QString& path)
{
    return ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
}

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator gen(seed);
    gen.fillRange(reinterpret_cast<quint32*>(data.data()), size / 4);
    return data;
}

FileResponder::FileMeta meta100()
{
    FileResponder::FileMeta meta;
    meta.size = 100;
    meta.mtimeNs = qint64(784111777) * 1000000000 + 5;
    meta.inode = 4242;
    return meta;
}

QByteArray header(const FileResponder::Headers& headers, const QByteArray& name)
{
    for (const auto& [n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

} // namespace

class TestFileSender : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_big;
    QByteArray m_bigData;
    QString m_sparse; // 64 MB of zeros: more than loopback buffers can hold

    Outcome send(Connection& c, int fd, qint64 offset, qint64 length, FileSender::Mode mode)
    {
        auto outcome = std::make_shared<Outcome>();
        FileSender::start(
            c.serverSide, fd, offset, length,
            [outcome, fd](bool ok, qint64 sent) {
                outcome->called = true;
                outcome->ok = ok;
                outcome->sent = sent;
                outcome->fdClosedAtCallback = fd < 0 || (::fcntl(fd, F_GETFD) == -1 && errno == EBADF);
            },
            mode);
        // Never calls back from inside start().
        if (outcome->called)
            return Outcome{};
        if (!spinUntil([&] { return outcome->called; }))
            return Outcome{};
        return *outcome;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_big = m_dir.filePath("big.bin");
        m_bigData = randomBytes(kBigSize, 7);
        QFile f(m_big);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(m_bigData), kBigSize);
        f.close();
        m_sparse = m_dir.filePath("sparse.bin");
        QFile s(m_sparse);
        QVERIFY(s.open(QIODevice::WriteOnly));
        QVERIFY(s.resize(qint64(64) << 20));
    }

    void wholeFileArrivesIdentical_data()
    {
        QTest::addColumn<FileSender::Mode>("mode");
        QTest::addColumn<int>("headerSize");
        QTest::newRow("sendfile") << FileSender::Mode::Auto << 40;
        // Headers larger than the socket buffers: the body must wait until they are out.
        QTest::newRow("sendfile, 8 MB of headers") << FileSender::Mode::Auto << (8 << 20);
        QTest::newRow("read/send") << FileSender::Mode::ReadWrite << 40;
        QTest::newRow("read/send, 8 MB of headers") << FileSender::Mode::ReadWrite << (8 << 20);
        QTest::newRow("through Qt") << FileSender::Mode::QtWrite << 40;
    }
    void wholeFileArrivesIdentical()
    {
        QFETCH(FileSender::Mode, mode);
        QFETCH(int, headerSize);
        Connection c;
        QVERIFY(c.open());
        const QByteArray head = QByteArray(headerSize - 4, 'h') + "\r\n\r\n";
        c.serverSide->write(head);
        const Outcome out = send(c, openFile(m_big), 0, kBigSize, mode);
        QVERIFY(out.called);
        QVERIFY(out.ok);
        QCOMPARE(out.sent, kBigSize);
        QVERIFY(out.fdClosedAtCallback);
        QVERIFY(spinUntil([&] { return c.received.size() >= head.size() + kBigSize; }));
        QCOMPARE(c.received.size(), head.size() + kBigSize);
        QVERIFY(c.received.startsWith(head));
        QVERIFY(c.received.mid(head.size()) == m_bigData);
        // The connection stays usable for the next answer.
        QCOMPARE(c.serverSide->state(), QAbstractSocket::ConnectedState);
        c.serverSide->write("next");
        QTRY_VERIFY(c.received.endsWith("next"));
    }

    void range_data()
    {
        QTest::addColumn<FileSender::Mode>("mode");
        QTest::newRow("sendfile") << FileSender::Mode::Auto;
        QTest::newRow("read/send") << FileSender::Mode::ReadWrite;
        QTest::newRow("through Qt") << FileSender::Mode::QtWrite;
    }
    void range()
    {
        QFETCH(FileSender::Mode, mode);
        Connection c;
        QVERIFY(c.open());
        const qint64 offset = 12345;
        const qint64 length = (qint64(5) << 20) + 7;
        const Outcome out = send(c, openFile(m_big), offset, length, mode);
        QVERIFY(out.ok);
        QCOMPARE(out.sent, length);
        QVERIFY(spinUntil([&] { return c.received.size() >= length; }));
        QCOMPARE(c.received.size(), length);
        QVERIFY(c.received == m_bigData.mid(offset, length));
    }

    void emptyBodyFlushesHeaders()
    {
        Connection c;
        QVERIFY(c.open());
        c.serverSide->write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        const Outcome out = send(c, openFile(m_big), 0, 0, FileSender::Mode::Auto);
        QVERIFY(out.ok);
        QCOMPARE(out.sent, 0);
        QVERIFY(out.fdClosedAtCallback);
        QTRY_VERIFY(c.received.endsWith("\r\n\r\n"));
        QCOMPARE(c.serverSide->bytesToWrite(), 0);
    }

    void clientDisconnectsMidway_data()
    {
        QTest::addColumn<FileSender::Mode>("mode");
        QTest::newRow("sendfile") << FileSender::Mode::Auto;
        QTest::newRow("read/send") << FileSender::Mode::ReadWrite;
        QTest::newRow("through Qt") << FileSender::Mode::QtWrite;
    }
    void clientDisconnectsMidway()
    {
        QFETCH(FileSender::Mode, mode);
        Connection c;
        QVERIFY(c.open());
        c.client.setReadBufferSize(64 << 10);
        c.stopReadingAt = 256 << 10;
        const qint64 size = qint64(64) << 20;
        QObject::connect(&c.client, &QIODevice::readyRead, &c.client, [&c] {
            if (c.received.size() >= c.stopReadingAt)
                c.client.abort();
        });
        const Outcome out = send(c, openFile(m_sparse), 0, size, mode);
        QVERIFY(out.called);
        QVERIFY(!out.ok);
        QVERIFY(out.sent < size);
        QVERIFY(out.fdClosedAtCallback);
    }

    // A write to a connection whose sending side is shut raises SIGPIPE; with the default
    // disposition (QTest installs its own handler) that would kill the process. Not for
    // QtWrite: Qt's own socket writes, like every other answer's, rely on the process ignoring
    // SIGPIPE, as butler-server does.
    void brokenPipeDoesNotKill_data()
    {
        QTest::addColumn<FileSender::Mode>("mode");
        QTest::newRow("sendfile") << FileSender::Mode::Auto;
        QTest::newRow("read/send") << FileSender::Mode::ReadWrite;
    }
    void brokenPipeDoesNotKill()
    {
        QFETCH(FileSender::Mode, mode);
        struct sigaction dfl
        {
        };
        struct sigaction old
        {
        };
        dfl.sa_handler = SIG_DFL;
        QCOMPARE(::sigaction(SIGPIPE, &dfl, &old), 0);
        const auto restore = qScopeGuard([&] { ::sigaction(SIGPIPE, &old, nullptr); });
        Connection c;
        QVERIFY(c.open());
        c.client.setReadBufferSize(64 << 10);
        c.stopReadingAt = 256 << 10;
        const qint64 size = qint64(64) << 20;
        auto outcome = std::make_shared<Outcome>();
        FileSender::start(
            c.serverSide, openFile(m_sparse), 0, size,
            [outcome](bool ok, qint64 sent) {
                outcome->called = true;
                outcome->ok = ok;
                outcome->sent = sent;
            },
            mode);
        QVERIFY(spinUntil([&] { return c.received.size() >= c.stopReadingAt; }));
        QVERIFY(!outcome->called);
        QCOMPARE(::shutdown(int(c.serverSide->socketDescriptor()), SHUT_WR), 0);
        QVERIFY(spinUntil([&] { return outcome->called; }));
        QVERIFY(!outcome->ok);
        QVERIFY(outcome->sent < size);
    }

    void serverSocketDeletedMidway()
    {
        Connection c;
        QVERIFY(c.open());
        c.client.setReadBufferSize(64 << 10);
        c.stopReadingAt = 256 << 10;
        const qint64 size = qint64(64) << 20;
        auto outcome = std::make_shared<Outcome>();
        const int fd = openFile(m_sparse);
        FileSender::start(c.serverSide, fd, 0, size, [outcome, fd](bool ok, qint64 sent) {
            outcome->called = true;
            outcome->ok = ok;
            outcome->sent = sent;
            outcome->fdClosedAtCallback = ::fcntl(fd, F_GETFD) == -1 && errno == EBADF;
        });
        QTRY_VERIFY(c.received.size() >= c.stopReadingAt);
        QVERIFY(!outcome->called);
        delete c.serverSide.data();
        QTRY_VERIFY(outcome->called);
        QVERIFY(!outcome->ok);
        QVERIFY(outcome->sent < size);
        QVERIFY(outcome->fdClosedAtCallback);
        // The client, reading again, sees the connection end instead of a hang.
        c.stopReadingAt = -1;
        c.client.setReadBufferSize(0);
        c.read();
        QTRY_COMPARE_WITH_TIMEOUT(c.client.state(), QAbstractSocket::UnconnectedState, 30000);
    }

    void socketGoneBeforeStart()
    {
        Connection c;
        QVERIFY(c.open());
        c.serverSide->abort();
        Outcome out = send(c, openFile(m_big), 0, kBigSize, FileSender::Mode::Auto);
        QVERIFY(out.called);
        QVERIFY(!out.ok);
        QCOMPARE(out.sent, 0);
        QVERIFY(out.fdClosedAtCallback);

        QPointer<QTcpSocket> none;
        auto outcome = std::make_shared<Outcome>();
        FileSender::start(none, openFile(m_big), 0, 10, [outcome](bool ok, qint64) {
            outcome->called = true;
            outcome->ok = ok;
        });
        QTRY_VERIFY(outcome->called);
        QVERIFY(!outcome->ok);
    }

    void unreadableFileFails()
    {
        Connection c;
        QVERIFY(c.open());
        Outcome out = send(c, -1, 0, 10, FileSender::Mode::Auto);
        QVERIFY(out.called && !out.ok);
        auto outcome = std::make_shared<Outcome>();
        FileSender::start(c.serverSide, m_dir.filePath("absent"), 0, 10, [outcome](bool ok, qint64) {
            outcome->called = true;
            outcome->ok = ok;
        });
        QTRY_VERIFY(outcome->called);
        QVERIFY(!outcome->ok);
    }

    // A file shorter than promised must not leave the client waiting for bytes that never come.
    void truncatedFileFails_data() { range_data(); }
    void truncatedFileFails()
    {
        QFETCH(FileSender::Mode, mode);
        Connection c;
        QVERIFY(c.open());
        const Outcome out = send(c, openFile(m_big), kBigSize - 10, 20, mode);
        QVERIFY(out.called);
        QVERIFY(!out.ok);
        QVERIFY(out.sent <= 10);
    }

    void parseRange_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<FileResponder::RangeKind>("kind");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("last");
        using K = FileResponder::RangeKind;
        QTest::newRow("0-0") << QByteArray("bytes=0-0") << qint64(100) << K::Single << qint64(0) << qint64(0);
        QTest::newRow("-1") << QByteArray("bytes=-1") << qint64(100) << K::Single << qint64(99) << qint64(99);
        QTest::newRow("5-") << QByteArray("bytes=5-") << qint64(100) << K::Single << qint64(5) << qint64(99);
        QTest::newRow("99-") << QByteArray("bytes=99-") << qint64(100) << K::Single << qint64(99)
                             << qint64(99);
        QTest::newRow("10-19") << QByteArray("bytes=10-19") << qint64(100) << K::Single << qint64(10)
                               << qint64(19);
        QTest::newRow("last past end")
            << QByteArray("bytes=50-99999") << qint64(100) << K::Single << qint64(50) << qint64(99);
        QTest::newRow("suffix longer than file")
            << QByteArray("bytes=-500") << qint64(100) << K::Single << qint64(0) << qint64(99);
        QTest::newRow("unit case") << QByteArray("Bytes=1-2") << qint64(100) << K::Single << qint64(1)
                                   << qint64(2);
        QTest::newRow("spaces") << QByteArray(" bytes= 1 - 2 ") << qint64(100) << K::Single << qint64(1)
                                << qint64(2);
        QTest::newRow("huge last") << QByteArray("bytes=0-99999999999999999999999") << qint64(100)
                                   << K::Single << qint64(0) << qint64(99);
        QTest::newRow("99999-") << QByteArray("bytes=99999-") << qint64(100) << K::Unsatisfiable << qint64(0)
                                << qint64(-1);
        QTest::newRow("100-") << QByteArray("bytes=100-") << qint64(100) << K::Unsatisfiable << qint64(0)
                              << qint64(-1);
        QTest::newRow("huge first") << QByteArray("bytes=99999999999999999999999-") << qint64(100)
                                    << K::Unsatisfiable << qint64(0) << qint64(-1);
        QTest::newRow("-0") << QByteArray("bytes=-0") << qint64(100) << K::Unsatisfiable << qint64(0)
                            << qint64(-1);
        QTest::newRow("empty file") << QByteArray("bytes=0-") << qint64(0) << K::Unsatisfiable << qint64(0)
                                    << qint64(-1);
        QTest::newRow("empty file suffix")
            << QByteArray("bytes=-5") << qint64(0) << K::Unsatisfiable << qint64(0) << qint64(-1);
        QTest::newRow("reversed") << QByteArray("bytes=5-4") << qint64(100) << K::Full << qint64(0)
                                  << qint64(-1);
        QTest::newRow("letters") << QByteArray("bytes=abc") << qint64(100) << K::Full << qint64(0)
                                 << qint64(-1);
        QTest::newRow("no dash") << QByteArray("bytes=5") << qint64(100) << K::Full << qint64(0)
                                 << qint64(-1);
        QTest::newRow("empty set") << QByteArray("bytes=") << qint64(100) << K::Full << qint64(0)
                                   << qint64(-1);
        QTest::newRow("dash only") << QByteArray("bytes=-") << qint64(100) << K::Full << qint64(0)
                                   << qint64(-1);
        QTest::newRow("double dash") << QByteArray("bytes=--5") << qint64(100) << K::Full << qint64(0)
                                     << qint64(-1);
        QTest::newRow("three parts") << QByteArray("bytes=1-2-3") << qint64(100) << K::Full << qint64(0)
                                     << qint64(-1);
        QTest::newRow("plus sign") << QByteArray("bytes=+5-") << qint64(100) << K::Full << qint64(0)
                                   << qint64(-1);
        QTest::newRow("negative last")
            << QByteArray("bytes=1--2") << qint64(100) << K::Full << qint64(0) << qint64(-1);
        QTest::newRow("other unit") << QByteArray("items=0-5") << qint64(100) << K::Full << qint64(0)
                                    << qint64(-1);
        QTest::newRow("no unit") << QByteArray("0-5") << qint64(100) << K::Full << qint64(0) << qint64(-1);
        QTest::newRow("multi") << QByteArray("bytes=0-1,5-6") << qint64(100) << K::Full << qint64(0)
                               << qint64(-1);
        QTest::newRow("multi unsatisfiable")
            << QByteArray("bytes=200-300,400-") << qint64(100) << K::Full << qint64(0) << qint64(-1);
        QTest::newRow("trailing comma")
            << QByteArray("bytes=0-1,") << qint64(100) << K::Full << qint64(0) << qint64(-1);
    }
    void parseRange()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, size);
        QFETCH(FileResponder::RangeKind, kind);
        QFETCH(qint64, first);
        QFETCH(qint64, last);
        const FileResponder::RangeSpec r = FileResponder::parseRange(header, size);
        QCOMPARE(r.kind, kind);
        if (kind == FileResponder::RangeKind::Single) {
            QCOMPARE(r.first, first);
            QCOMPARE(r.last, last);
        }
    }

    void httpDateAndEtag()
    {
        QCOMPARE(FileResponder::httpDate(784111777), QByteArray("Sun, 06 Nov 1994 08:49:37 GMT"));
        QCOMPARE(FileResponder::httpDate(0), QByteArray("Thu, 01 Jan 1970 00:00:00 GMT"));
        const FileResponder::FileMeta m = meta100();
        const QByteArray tag = FileResponder::etag(m);
        QVERIFY(tag.startsWith('"') && tag.endsWith('"') && !tag.startsWith("W/"));
        QCOMPARE(FileResponder::etag(m), tag);
        for (int field = 0; field < 3; ++field) {
            FileResponder::FileMeta changed = m;
            if (field == 0)
                changed.size += 1;
            else if (field == 1)
                changed.mtimeNs += 1;
            else
                changed.inode += 1;
            QVERIFY(FileResponder::etag(changed) != tag);
        }
    }

    void planFull()
    {
        const FileResponder::Plan p = FileResponder::plan({"GET", {}, {}, {}}, meta100());
        QCOMPARE(p.status, 200);
        QCOMPARE(p.offset, 0);
        QCOMPARE(p.length, 100);
        QCOMPARE(header(p.headers, "Content-Length"), QByteArray("100"));
        QCOMPARE(header(p.headers, "Accept-Ranges"), QByteArray("bytes"));
        QCOMPARE(header(p.headers, "Content-Type"), QByteArray("application/octet-stream"));
        QCOMPARE(header(p.headers, "ETag"), FileResponder::etag(meta100()));
        QCOMPARE(header(p.headers, "Last-Modified"), QByteArray("Sun, 06 Nov 1994 08:49:37 GMT"));
        QVERIFY(header(p.headers, "Content-Range").isEmpty());
        // Several ranges: the whole file.
        const FileResponder::Plan multi = FileResponder::plan({"GET", "bytes=0-1,5-6", {}, {}}, meta100());
        QCOMPARE(multi.status, 200);
        QCOMPARE(multi.length, 100);
    }

    void planHead()
    {
        const FileResponder::Plan get = FileResponder::plan({"GET", {}, {}, {}}, meta100(), "fits");
        const FileResponder::Plan head = FileResponder::plan({"HEAD", {}, {}, {}}, meta100(), "fits");
        QCOMPARE(head.status, 200);
        QCOMPARE(head.headers, get.headers);
        QCOMPARE(header(head.headers, "Content-Type"), QByteArray("application/fits"));
        QCOMPARE(head.length, 0);
        const FileResponder::Plan headRange = FileResponder::plan({"HEAD", "bytes=0-9", {}, {}}, meta100());
        QCOMPARE(headRange.status, 206);
        QCOMPARE(header(headRange.headers, "Content-Length"), QByteArray("10"));
        QCOMPARE(headRange.length, 0);
    }

    void planRanges()
    {
        const FileResponder::Plan p = FileResponder::plan({"GET", "bytes=5-", {}, {}}, meta100());
        QCOMPARE(p.status, 206);
        QCOMPARE(p.offset, 5);
        QCOMPARE(p.length, 95);
        QCOMPARE(header(p.headers, "Content-Range"), QByteArray("bytes 5-99/100"));
        QCOMPARE(header(p.headers, "Content-Length"), QByteArray("95"));
        QCOMPARE(header(p.headers, "Accept-Ranges"), QByteArray("bytes"));
        QVERIFY(!header(p.headers, "ETag").isEmpty());

        const FileResponder::Plan suffix = FileResponder::plan({"GET", "bytes=-10", {}, {}}, meta100());
        QCOMPARE(header(suffix.headers, "Content-Range"), QByteArray("bytes 90-99/100"));
        QCOMPARE(suffix.offset, 90);
        QCOMPARE(suffix.length, 10);

        const FileResponder::Plan bad = FileResponder::plan({"GET", "bytes=500-", {}, {}}, meta100());
        QCOMPARE(bad.status, 416);
        QCOMPARE(header(bad.headers, "Content-Range"), QByteArray("bytes */100"));
        QCOMPARE(header(bad.headers, "Content-Length"), QByteArray("0"));
        QCOMPARE(bad.length, 0);

        const FileResponder::Plan malformed = FileResponder::plan({"GET", "bytes=x-y", {}, {}}, meta100());
        QCOMPARE(malformed.status, 200);
    }

    void planConditional()
    {
        const QByteArray tag = FileResponder::etag(meta100());
        const QByteArray date = FileResponder::httpDate(784111777);
        const QByteArray other = "\"other\"";
        struct Case
        {
            FileResponder::Request request;
            int status;
        };
        const Case cases[] = {
            {{"GET", {}, tag, {}}, 304},
            {{"HEAD", {}, tag, {}}, 304},
            {{"GET", {}, "W/" + tag, {}}, 304}, // If-None-Match compares weakly
            {{"GET", {}, other + ", " + tag, {}}, 304},
            {{"GET", {}, "*", {}}, 304},
            {{"GET", "bytes=0-9", tag, {}}, 304},
            {{"GET", {}, other, {}}, 200},
            {{"GET", {}, "garbage", {}}, 200},
            {{"GET", "bytes=0-9", {}, tag}, 206},
            {{"GET", "bytes=0-9", {}, date}, 206},
            {{"GET", "bytes=0-9", {}, other}, 200},      // changed file: the whole new one
            {{"GET", "bytes=0-9", {}, "W/" + tag}, 200}, // If-Range needs a strong match
            {{"GET", "bytes=0-9", {}, "Mon, 07 Nov 1994 08:49:37 GMT"}, 200},
            {{"GET", "bytes=500-", {}, other}, 200},
            {{"GET", "bytes=0-9", other, {}}, 206},
        };
        for (const Case& c : cases) {
            const FileResponder::Plan p = FileResponder::plan(c.request, meta100());
            QVERIFY2(p.status == c.status, qPrintable(QStringLiteral("%1 range=%2 inm=%3 if-range=%4 -> %5")
                                                          .arg(QString::fromLatin1(c.request.method),
                                                               QString::fromLatin1(c.request.range),
                                                               QString::fromLatin1(c.request.ifNoneMatch),
                                                               QString::fromLatin1(c.request.ifRange))
                                                          .arg(p.status)));
            if (p.status == 304) {
                QCOMPARE(p.length, 0);
                QCOMPARE(header(p.headers, "ETag"), tag);
                QVERIFY(header(p.headers, "Content-Length").isEmpty());
            }
        }
    }

    void planOtherMethods()
    {
        for (const QByteArray method : {"POST", "PUT", "DELETE", "get"}) {
            const FileResponder::Plan p = FileResponder::plan({method, {}, {}, {}}, meta100());
            QCOMPARE(p.status, 405);
            QCOMPARE(header(p.headers, "Allow"), QByteArray("GET, HEAD"));
            QCOMPARE(p.length, 0);
        }
    }

    void contentTypes()
    {
        QCOMPARE(FileResponder::contentTypeFor("json"), QByteArray("application/json"));
        QCOMPARE(FileResponder::contentTypeFor("png"), QByteArray("image/png"));
        QCOMPARE(FileResponder::contentTypeFor("bytes"), QByteArray("application/octet-stream"));
        QCOMPARE(FileResponder::contentTypeFor({}), QByteArray("application/octet-stream"));
    }

    void openRefusesSymlinksAndDirectories()
    {
        const QString link = m_dir.filePath("link.bin");
        QVERIFY(::symlink(QFile::encodeName(m_big).constData(), QFile::encodeName(link).constData()) == 0);
        auto viaLink = FileResponder::open(link);
        QVERIFY(!viaLink.ok());
        QCOMPARE(viaLink.error().kind(), ErrorKind::PermissionDenied);
        auto dir = FileResponder::open(m_dir.path());
        QVERIFY(!dir.ok());
        QCOMPARE(dir.error().kind(), ErrorKind::NotFound);
        auto missing = FileResponder::open(m_dir.filePath("absent"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind(), ErrorKind::NotFound);
        auto ok = FileResponder::open(m_big);
        QVERIFY(ok.ok());
        QCOMPARE(ok->meta.size, kBigSize);
        ::close(ok->fd);
    }

    // serve(): status line and headers through the sink, then the body, then finishRaw.
    void serveThroughSink_data()
    {
        QTest::addColumn<FileResponder::Request>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("length");
        QTest::newRow("GET") << FileResponder::Request{"GET", {}, {}, {}} << 200 << qint64(0) << kBigSize;
        QTest::newRow("range") << FileResponder::Request{"GET", "bytes=1000-1999", {}, {}} << 206
                               << qint64(1000) << qint64(1000);
        QTest::newRow("suffix") << FileResponder::Request{"GET", "bytes=-7", {}, {}} << 206 << kBigSize - 7
                                << qint64(7);
        QTest::newRow("HEAD") << FileResponder::Request{"HEAD", {}, {}, {}} << 200 << qint64(0) << qint64(0);
        QTest::newRow("416") << FileResponder::Request{"GET", "bytes=999999999-", {}, {}} << 416 << qint64(0)
                             << qint64(0);
        QTest::newRow("304") << FileResponder::Request{"GET", {}, "*", {}} << 304 << qint64(0) << qint64(0);
    }
    void serveThroughSink()
    {
        QFETCH(FileResponder::Request, request);
        QFETCH(int, status);
        QFETCH(qint64, offset);
        QFETCH(qint64, length);
        Connection c;
        QVERIFY(c.open());
        int seenStatus = 0;
        FileResponder::Headers seenHeaders;
        std::optional<bool> finished;
        QString failure;
        FileResponder::Sink sink;
        sink.beginRaw = [&](int s, const FileResponder::Headers& headers) -> QTcpSocket* {
            seenStatus = s;
            seenHeaders = headers;
            QByteArray head = "HTTP/1.1 " + QByteArray::number(s) + "\r\n";
            for (const auto& [name, value] : headers)
                head += name + ": " + value + "\r\n";
            c.serverSide->write(head + "\r\n");
            return c.serverSide;
        };
        sink.finishRaw = [&](bool ok) { finished = ok; };
        sink.fail = [&](const Error& e) { failure = e.message(); };
        FileResponder::serve(request, m_big, QStringLiteral("bytes"), sink);
        QVERIFY(spinUntil([&] { return finished.has_value(); }));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(*finished);
        QCOMPARE(seenStatus, status);
        const auto bodyStart = [&] { return c.received.indexOf("\r\n\r\n") + 4; };
        QVERIFY(spinUntil([&] { return bodyStart() > 3 && c.received.size() >= bodyStart() + length; }));
        QCOMPARE(c.received.size() - bodyStart(), length);
        QVERIFY(c.received.mid(bodyStart()) == m_bigData.mid(offset, length));
        if (request.method == "HEAD")
            QCOMPARE(header(seenHeaders, "Content-Length"), QByteArray::number(kBigSize));
    }

    void serveReportsOpenFailures()
    {
        FileResponder::Sink sink;
        bool began = false;
        std::optional<ErrorKind> failed;
        sink.beginRaw = [&](int, const FileResponder::Headers&) -> QTcpSocket* {
            began = true;
            return nullptr;
        };
        sink.finishRaw = [](bool) {};
        sink.fail = [&](const Error& e) { failed = e.kind(); };
        FileResponder::serve({"GET", {}, {}, {}}, m_dir.filePath("absent"), {}, sink);
        QVERIFY(!began);
        QCOMPARE(failed, std::optional<ErrorKind>(ErrorKind::NotFound));

        // A client gone before the headers: finishRaw(false), nothing else.
        std::optional<bool> finished;
        sink.finishRaw = [&](bool ok) { finished = ok; };
        failed.reset();
        FileResponder::serve({"GET", {}, {}, {}}, m_big, {}, sink);
        QVERIFY(began);
        QCOMPARE(finished, std::optional<bool>(false));
        QVERIFY(!failed);
    }
};

QTEST_GUILESS_MAIN(TestFileSender)
#include "tst_filesender.moc"
