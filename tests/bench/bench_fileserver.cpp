// File-serving benchmark server for bench_files.sh: a minimal single-threaded HTTP/1.1 server
// on a QTcpServer that answers `GET|HEAD /files/bench/<path>?<signed query>` the way
// butler-server does (FileRequest, UrlSigner, FileResponder, FileSender), with keep-alive.
// Prints "port N" and "url /files/bench/<file>?<query>" on stdout, then serves until killed.
// Usage: bench_fileserver --root DIR --file RELATIVE_PATH [--mode auto|readwrite|qt]

#include "FileRequest.h"
#include "FileResponder.h"
#include "UrlSigner.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <cstdio>

using namespace butler;

namespace {

struct Options
{
    QString root;
    QString file;
    FileSender::Mode mode = FileSender::Mode::Auto;
};

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 206:
        return "Partial Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 416:
        return "Range Not Satisfiable";
    default:
        return "Error";
    }
}

// One keep-alive connection: parses request heads, answers them one at a time.
class Connection
{
public:
    Connection(QTcpSocket* socket, const Options& options, const UrlSigner& signer)
        : m_socket(socket)
        , m_options(options)
        , m_signer(signer)
    {
        QObject::connect(socket, &QIODevice::readyRead, socket, [this] { process(); });
        QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QObject::destroyed, [this] { delete this; });
    }

private:
    void process()
    {
        if (m_busy || !m_socket)
            return;
        m_buffer += m_socket->readAll();
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_buffer.size() > 65536)
                m_socket->abort();
            return;
        }
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        FileResponder::Request request;
        request.method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "range")
                request.range = value;
            else if (name == "if-none-match")
                request.ifNoneMatch = value;
            else if (name == "if-range")
                request.ifRange = value;
        }
        const qsizetype question = target.indexOf('?');
        const QByteArray path = question < 0 ? target : target.left(question);
        const QUrlQuery query(QString::fromLatin1(question < 0 ? QByteArray() : target.mid(question + 1)));

        auto parsed = FileRequest::parse(path);
        if (!parsed.ok())
            return answerEmpty(400);
        if (const Status verified = m_signer.verify(request.method, parsed->signedPath(), query);
            !verified.ok())
            return answerEmpty(403);
        auto resolved = parsed->resolve(m_options.root);
        if (!resolved.ok())
            return answerEmpty(resolved.error().kind() == ErrorKind::NotFound ? 404 : 403);

        m_busy = true;
        FileResponder::Sink sink;
        sink.beginRaw = [this](int status, const FileResponder::Headers& headers) -> QTcpSocket* {
            if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
                return nullptr;
            QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
            for (const auto& [name, value] : headers)
                out += name + ": " + value + "\r\n";
            out += "\r\n";
            m_socket->write(out);
            return m_socket;
        };
        QPointer<QTcpSocket> socket = m_socket;
        sink.finishRaw = [this, socket](bool ok) {
            if (!socket)
                return; // `this` went with the socket
            m_busy = false;
            if (!ok) {
                socket->abort();
                return;
            }
            process();
        };
        sink.fail = [this](const Error& error) {
            m_busy = false;
            answerEmpty(error.kind() == ErrorKind::NotFound ? 404 : 403);
        };
        FileResponder::serve(request, *resolved, QString(), sink, m_options.mode);
    }

    void answerEmpty(int status)
    {
        m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) +
                        "\r\nContent-Length: 0\r\n\r\n");
        if (!m_buffer.isEmpty())
            process();
    }

    QPointer<QTcpSocket> m_socket;
    const Options& m_options;
    const UrlSigner& m_signer;
    QByteArray m_buffer;
    bool m_busy = false;
};

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("butler.*.debug=false"));
    Options options;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--root"))
            options.root = args[i + 1];
        else if (args[i] == QLatin1String("--file"))
            options.file = args[i + 1];
        else if (args[i] == QLatin1String("--mode"))
            options.mode = args[i + 1] == QLatin1String("readwrite") ? FileSender::Mode::ReadWrite
                           : args[i + 1] == QLatin1String("qt")      ? FileSender::Mode::QtWrite
                                                                     : FileSender::Mode::Auto;
    }
    if (options.root.isEmpty() || options.file.isEmpty()) {
        std::fprintf(stderr,
                     "usage: bench_fileserver --root DIR --file RELATIVE_PATH [--mode auto|readwrite|qt]\n");
        return 2;
    }
    auto signer = UrlSigner::fromKey(QByteArray(48, 'b'));
    auto request = FileRequest::fromParts(QStringLiteral("bench"), options.file);
    if (!signer.ok() || !request.ok()) {
        std::fprintf(stderr, "bench_fileserver: %s\n",
                     qPrintable(!signer.ok() ? signer.error().message() : request.error().message()));
        return 1;
    }
    auto signedUrl = signer->sign("GET", request->signedPath(), 3600);
    if (!signedUrl.ok())
        return 1;

    QTcpServer server;
    server.setListenBacklogSize(1024);
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        std::fprintf(stderr, "bench_fileserver: cannot listen: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
        while (QTcpSocket* socket = server.nextPendingConnection())
            new Connection(socket, options, *signer);
    });
    std::printf("port %d\nurl %s?%s\n", int(server.serverPort()), request->encodedPath().constData(),
                qPrintable(signedUrl->query));
    std::fflush(stdout);
    return app.exec();
}
