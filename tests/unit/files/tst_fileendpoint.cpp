// The file endpoint end to end through the HTTP front: FileRequest, UrlSigner and
// FileResponder::serve(HttpReply) behind HttpServerHost, with a raw client on 127.0.0.1 so
// every byte on the wire is checked (framing after HEAD, pipelining, ranges, errors).

#include "FileRequest.h"
#include "FileResponder.h"
#include "HttpReply.h"
#include "HttpServerHost.h"
#include "UrlSigner.h"

#include "HttpRequest.h"
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include <memory>

using namespace butler;

namespace {

constexpr qint64 kSize = qint64(4) << 20;

struct Response
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray& name) const
    {
        for (const auto& [n, v] : headers) {
            if (n.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
};

// A blocking HTTP/1.1 client: the server runs on its own threads.
class Client
{
public:
    bool connect(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(5000);
    }
    void write(const QByteArray& bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(5000);
    }
    // Reads one answer; `head` says the request was HEAD (no body whatever the headers say).
    std::optional<Response> read(bool head = false)
    {
        if (!fill([this] { return m_buffer.contains("\r\n\r\n"); }))
            return std::nullopt;
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        m_buffer.remove(0, end + 4);
        Response r;
        r.status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            r.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
        }
        const qint64 length = (head || r.status == 304) ? 0 : r.header("content-length").toLongLong();
        if (!fill([&] { return m_buffer.size() >= length; }))
            return std::nullopt;
        r.body = m_buffer.left(length);
        m_buffer.remove(0, length);
        return r;
    }
    bool closedByServer()
    {
        return fill([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; });
    }
    QTcpSocket& socket() { return m_socket; }

private:
    bool fill(const std::function<bool()>& done)
    {
        QDeadlineTimer deadline(30000);
        while (!done()) {
            if (deadline.hasExpired())
                return false;
            if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(100) &&
                m_socket.state() == QAbstractSocket::UnconnectedState)
                return done();
            m_buffer += m_socket.readAll();
        }
        return true;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

QJsonObject errorBody(const Error& e)
{
    return {{QStringLiteral("error"),
             QJsonObject{{QStringLiteral("type"), e.kindName()}, {QStringLiteral("message"), e.message()}}}};
}

} // namespace

class TestFileEndpoint : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_root;
    QByteArray m_data;
    std::unique_ptr<UrlSigner> m_signer;
    std::unique_ptr<HttpServerHost> m_host;
    quint16 m_port = 0;

    // A request line plus headers for `path` (datastore-relative) signed for `method`.
    QByteArray signedTarget(const QString& path, const QByteArray& method = "GET")
    {
        auto request = FileRequest::fromParts(QStringLiteral("main"), path);
        auto s = m_signer->sign(method, request->signedPath(), 600);
        return request->encodedPath() + '?' + s->query.toLatin1();
    }
    static QByteArray requestBytes(const QByteArray& method, const QByteArray& target,
                                   const QByteArray& extra = {})
    {
        return method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
    }
    std::optional<Response> roundtrip(const QByteArray& method, const QByteArray& target,
                                      const QByteArray& extra = {})
    {
        Client c;
        if (!c.connect(m_port))
            return std::nullopt;
        c.write(requestBytes(method, target, extra));
        return c.read(method == "HEAD");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.filePath("root");
        QVERIFY(QDir().mkpath(m_root + "/run"));
        m_data = QByteArray(kSize, Qt::Uninitialized);
        QRandomGenerator(11).fillRange(reinterpret_cast<quint32*>(m_data.data()), kSize / 4);
        QFile f(m_root + "/run/a.fits");
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(m_data), kSize);
        f.close();
        QFile big(m_root + "/run/big.bin");
        QVERIFY(big.open(QIODevice::WriteOnly) && big.resize(qint64(64) << 20));
        QFile secret(m_dir.filePath("secret"));
        QVERIFY(secret.open(QIODevice::WriteOnly) && secret.write("secret") == 6);
        QCOMPARE(::symlink(QFile::encodeName(m_dir.filePath("secret")).constData(),
                           QFile::encodeName(m_root + "/run/out.fits").constData()),
                 0);

        auto signer = UrlSigner::fromKey(QByteArray(40, 's'));
        QVERIFY(signer.ok());
        m_signer = std::make_unique<UrlSigner>(std::move(signer).value());

        HttpLimits limits;
        limits.threads = 2;
        const UrlSigner* s = m_signer.get();
        const QString root = m_root;
        m_host = std::make_unique<HttpServerHost>(limits, [s, root](const HttpRequest& httpRequest,
                                                                    const std::shared_ptr<HttpReply>& reply) {
            auto parsed = FileRequest::parse(httpRequest.url().path(QUrl::FullyEncoded).toLatin1());
            if (!parsed.ok())
                return reply->sendJson(400, errorBody(parsed.error()));
            if (Status st = s->verify(reply->method(), parsed->signedPath(), httpRequest.query()); !st.ok())
                return reply->sendJson(403, errorBody(st.error()));
            auto resolved = parsed->resolve(root);
            if (!resolved.ok())
                return reply->sendJson(resolved.error().kind() == ErrorKind::NotFound ? 404 : 403,
                                       errorBody(resolved.error()));
            FileResponder::serve(reply, httpRequest, *resolved, QStringLiteral("fits"));
        });
        auto port = m_host->listen(QHostAddress::LocalHost, 0);
        QVERIFY(port.ok());
        m_port = *port;
    }

    void cleanupTestCase() { m_host.reset(); }

    void fullDownload()
    {
        auto r = roundtrip("GET", signedTarget("run/a.fits"));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("content-length"), QByteArray::number(kSize));
        QCOMPARE(r->header("content-type"), QByteArray("application/fits"));
        QCOMPARE(r->header("accept-ranges"), QByteArray("bytes"));
        QVERIFY(!r->header("etag").isEmpty());
        QVERIFY(r->header("last-modified").endsWith(" GMT"));
        QVERIFY(r->body == m_data);
    }

    void rangeAndConditional()
    {
        auto r = roundtrip("GET", signedTarget("run/a.fits"), "Range: bytes=100-199\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 206);
        QCOMPARE(r->header("content-range"), QByteArray("bytes 100-199/") + QByteArray::number(kSize));
        QVERIFY(r->body == m_data.mid(100, 100));

        auto suffix = roundtrip("GET", signedTarget("run/a.fits"), "Range: bytes=-10\r\n");
        QVERIFY(suffix && suffix->status == 206 && suffix->body == m_data.right(10));

        auto bad = roundtrip("GET", signedTarget("run/a.fits"), "Range: bytes=999999999-\r\n");
        QVERIFY(bad);
        QCOMPARE(bad->status, 416);
        QCOMPARE(bad->header("content-range"), "bytes */" + QByteArray::number(kSize));

        const QByteArray etag = r->header("etag");
        auto notModified = roundtrip("GET", signedTarget("run/a.fits"), "If-None-Match: " + etag + "\r\n");
        QVERIFY(notModified);
        QCOMPARE(notModified->status, 304);
        QVERIFY(notModified->body.isEmpty());
        QCOMPARE(notModified->header("etag"), etag);
    }

    // HEAD with a GET signature, then pipelined requests on the same connection: the framing
    // holds and the answers come in order.
    void headAndPipelining()
    {
        Client c;
        QVERIFY(c.connect(m_port));
        const QByteArray target = signedTarget("run/a.fits");
        c.write(requestBytes("HEAD", target));
        auto head = c.read(true);
        QVERIFY(head);
        QCOMPARE(head->status, 200);
        QCOMPARE(head->header("content-length"), QByteArray::number(kSize));
        c.write(requestBytes("GET", target, "Range: bytes=0-9\r\n") + requestBytes("GET", target) +
                requestBytes("GET", target, "Range: bytes=5-14\r\n"));
        auto first = c.read();
        auto second = c.read();
        auto third = c.read();
        QVERIFY(first && second && third);
        QCOMPARE(first->status, 206);
        QVERIFY(first->body == m_data.left(10));
        QCOMPARE(second->status, 200);
        QVERIFY(second->body == m_data);
        QCOMPARE(third->status, 206);
        QVERIFY(third->body == m_data.mid(5, 10));
    }

    void refusals()
    {
        QByteArray tampered = signedTarget("run/a.fits");
        tampered[tampered.size() - 1] = tampered.back() == 'A' ? 'B' : 'A';
        auto r = roundtrip("GET", tampered);
        QVERIFY(r && r->status == 403);
        QVERIFY(r->body.contains("permission_denied"));

        // A signature for one file does not open another.
        QByteArray other = signedTarget("run/a.fits");
        other.replace("run/a.fits", "run/big.bin");
        r = roundtrip("GET", other);
        QVERIFY(r && r->status == 403);

        r = roundtrip("PUT", signedTarget("run/a.fits"));
        QVERIFY(r && r->status == 403);
        r = roundtrip("DELETE", signedTarget("run/a.fits"));
        QVERIFY(r && r->status == 403);

        const QByteArray query = signedTarget("run/a.fits").mid(signedTarget("run/a.fits").indexOf('?'));
        for (const QByteArray& path :
             {QByteArray("/files/main/%2e%2e/secret"), QByteArray("/files/main/run%2f..%2f..%2fsecret"),
              QByteArray("/files/main/%252e%252e/secret"), QByteArray("/files/main/run/..%5c..%5csecret")}) {
            r = roundtrip("GET", path + query);
            QVERIFY2(r && r->status == 400, path.constData());
        }

        r = roundtrip("GET", signedTarget("run/out.fits"));
        QVERIFY(r);
        QCOMPARE(r->status, 403);
        QVERIFY(!r->body.contains("secret\""));
        r = roundtrip("GET", signedTarget("run/missing.fits"));
        QVERIFY(r && r->status == 404);
    }

    // A client leaving in the middle of a large file: the server carries on serving others.
    void clientLeavesMidway()
    {
        for (int i = 0; i < 3; ++i) {
            Client c;
            QVERIFY(c.connect(m_port));
            c.socket().setReadBufferSize(64 << 10);
            c.write(requestBytes("GET", signedTarget("run/big.bin")));
            QVERIFY(c.socket().waitForReadyRead(5000));
            c.socket().abort();
        }
        auto r = roundtrip("GET", signedTarget("run/a.fits"), "Range: bytes=0-99\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 206);
        QVERIFY(r->body == m_data.left(100));
        QVERIFY(m_host->waitForIdle(10000));
    }
};

QTEST_GUILESS_MAIN(TestFileEndpoint)
#include "tst_fileendpoint.moc"
