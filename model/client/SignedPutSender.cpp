#include "SignedPutSender.h"

#include "RemoteTransport.h"
#include "WireFormat.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUuid>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>
#include <vector>

Q_LOGGING_CATEGORY(lcPutSender, "butler.client.putsender")

namespace butler {

namespace {

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

class FileHandle
{
public:
    explicit FileHandle(int fd)
        : m_fd(fd)
    {
    }
    ~FileHandle()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

// The parts of an HTTP/1.1 answer an upload needs.
struct Answer
{
    int status = 0;
    QByteArray body;
    bool close = false;
};

} // namespace

struct SignedPutSender::Connection
{
    const std::vector<sockaddr_storage>* addresses = nullptr;
    std::vector<socklen_t> lengths;
    int fd = -1;
    bool reused = false; // has answered a request already: a failure may be its idle close
    QByteArray pending;  // bytes read past the last answer

    ~Connection() { drop(); }
    void drop()
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
        reused = false;
        pending.clear();
    }
};

bool SignedPutSender::supports(const QList<File>& files)
{
    if (files.isEmpty())
        return false;
    const QUrl& first = files.first().url;
    for (const File& file : files) {
        const QUrl& url = file.url;
        if (!url.isValid() || url.scheme() != QLatin1String("http") || url.host().isEmpty() ||
            url.host() != first.host() || url.port(80) != first.port(80))
            return false;
    }
    return true;
}

SignedPutSender::SignedPutSender(QList<File> files, int connections, std::chrono::milliseconds timeout)
    : m_files(std::move(files))
    , m_received(size_t(m_files.size()))
    , m_connections(std::max(1, connections))
    , m_timeout(timeout)
{
}

Status SignedPutSender::run(const std::function<void(qsizetype)>& sent)
{
    if (m_files.isEmpty())
        return {};
    if (!supports(m_files))
        return invalidInput(QStringLiteral("these upload URLs are not plain http URLs of one server"));
    const QUrl& url = m_files.first().url;
    const QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    const int port = url.port(80);
    m_host = (url.host().contains(u':') ? '[' + host + ']' : host) + ':' + QByteArray::number(port);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const QByteArray service = QByteArray::number(port);
    if (const int error = ::getaddrinfo(host.constData(), service.constData(), &hints, &found); error != 0)
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("cannot upload to %1: %2")
                         .arg(QString::fromLatin1(m_host), QString::fromLocal8Bit(::gai_strerror(error))));
    std::vector<sockaddr_storage> addresses;
    std::vector<socklen_t> lengths;
    for (addrinfo* entry = found; entry; entry = entry->ai_next) {
        sockaddr_storage address{};
        std::memcpy(&address, entry->ai_addr, entry->ai_addrlen);
        addresses.push_back(address);
        lengths.push_back(entry->ai_addrlen);
    }
    ::freeaddrinfo(found);

    const int count = int(std::min<qsizetype>(m_connections, m_files.size()));
    std::vector<std::thread> threads;
    threads.reserve(count);
    for (int i = 0; i < count; ++i) {
        threads.emplace_back([this, &sent, &addresses, &lengths] {
            // A peer that closes while the body goes out must give EPIPE, not kill the process.
            sigset_t pipe;
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
            Connection connection;
            connection.addresses = &addresses;
            connection.lengths = lengths;
            while (!m_cancelled.load() && !m_failed.load()) {
                const qsizetype index = m_next.fetch_add(1);
                if (index >= m_files.size())
                    break;
                const Status status =
                    sendOne(connection, std::as_const(m_files)[index], &m_received[size_t(index)]);
                if (!status.ok()) {
                    if (!m_failed.exchange(true))
                        m_firstError = status.error();
                    break;
                }
                if (sent)
                    sent(index);
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    if (m_failed.load())
        return m_firstError;
    if (m_cancelled.load() && m_next.load() < m_files.size())
        return Error(ErrorKind::Unavailable, QStringLiteral("the upload was cancelled"));
    return {};
}

Status SignedPutSender::sendOne(Connection& connection, const File& file, Received* received)
{
    const QString where = QStringLiteral("uploading %1").arg(file.path);
    const QString server = QString::fromLatin1(m_host);
    const auto unavailable = [&](const QString& what, int error) {
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("cannot upload to %1 (%2: %3)").arg(server, what, systemError(error)))
            .withContext(where);
    };
    const FileHandle input(::open(QFile::encodeName(file.path).constData(), O_RDONLY | O_CLOEXEC));
    if (input.get() < 0)
        return ioError(QStringLiteral("cannot read %1: %2").arg(file.path, systemError(errno)));
    struct stat info
    {
    };
    if (::fstat(input.get(), &info) != 0 || info.st_size != file.size)
        return conflict(
            QStringLiteral("%1 changed while it was being uploaded; run the upload again").arg(file.path));

    QByteArray head;
    head.reserve(512);
    head += "PUT ";
    head += file.url.path(QUrl::FullyEncoded).toLatin1();
    if (file.url.hasQuery()) {
        head += '?';
        head += file.url.query(QUrl::FullyEncoded).toLatin1();
    }
    head += " HTTP/1.1\r\nHost: ";
    head += m_host;
    head += "\r\nUser-Agent: ";
    head += RemoteTransport::userAgent();
    head += "\r\nX-Butler-Client-Request-Id: ";
    head += QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    head += "\r\nContent-Type: application/octet-stream\r\nContent-Length: ";
    head += QByteArray::number(file.size);
    head += "\r\n\r\n";

    // A reused connection the server closed while idle fails on first use: then once more on a
    // new one (a PUT of a slot may be repeated until the commit).
    for (int attempt = 0;; ++attempt) {
        if (connection.fd < 0) {
            int lastError = 0;
            for (size_t i = 0; i < connection.addresses->size(); ++i) {
                const auto* address = reinterpret_cast<const sockaddr*>(&(*connection.addresses)[i]);
                const int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    lastError = errno;
                    continue;
                }
                timeval limit{};
                limit.tv_sec = time_t(m_timeout.count() / 1000);
                limit.tv_usec = suseconds_t((m_timeout.count() % 1000) * 1000);
                ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
                ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
                const int on = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                if (::connect(fd, address, connection.lengths[i]) == 0) {
                    connection.fd = fd;
                    break;
                }
                lastError = errno;
                ::close(fd);
            }
            if (connection.fd < 0)
                return unavailable(QStringLiteral("connect"), lastError);
        }
        const bool retryable = connection.reused && attempt == 0;
        bool broken = false;
        int brokenError = 0;

        // The head, then the body straight from the page cache.
        for (qsizetype done = 0; done < head.size() && !broken;) {
            const ssize_t n = ::send(connection.fd, head.constData() + done, size_t(head.size() - done),
                                     MSG_NOSIGNAL | (file.size > 0 ? MSG_MORE : 0));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                broken = true;
                brokenError = n < 0 ? errno : ECONNRESET;
            } else {
                done += n;
            }
        }
        off_t offset = 0;
        while (!broken && offset < file.size) {
            const ssize_t n = ::sendfile(connection.fd, input.get(), &offset, size_t(file.size - offset));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                connection.drop();
                return unavailable(QStringLiteral("timed out sending"), ETIMEDOUT);
            }
            if (n <= 0) {
                if (n == 0)
                    return conflict(
                        QStringLiteral("%1 changed while it was being uploaded; run the upload again")
                            .arg(file.path));
                broken = true;
                brokenError = errno;
            }
        }

        // The answer: status line, headers, and a body of Content-Length bytes.
        Answer answer;
        QByteArray& buffer = connection.pending;
        qsizetype headEnd = -1;
        char chunk[16384];
        while (!broken && (headEnd = buffer.indexOf("\r\n\r\n")) < 0) {
            const ssize_t n = ::recv(connection.fd, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                connection.drop();
                return unavailable(QStringLiteral("no answer"), ETIMEDOUT);
            }
            if (n <= 0) {
                broken = true;
                brokenError = n < 0 ? errno : ECONNRESET;
                break;
            }
            buffer.append(chunk, n);
            if (buffer.size() > 65536) {
                connection.drop();
                return ioError(QStringLiteral("the server's answer to an upload has an oversized head"))
                    .withContext(where);
            }
        }
        if (broken) {
            const bool nothingBack = buffer.isEmpty();
            connection.drop();
            if (retryable && nothingBack) {
                qCDebug(lcPutSender) << "connection to" << server << "closed while idle; reconnecting";
                continue;
            }
            return unavailable(QStringLiteral("connection lost"), brokenError);
        }
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        bool parsed = statusLine.size() >= 2 && statusLine[0].startsWith("HTTP/1.");
        answer.status = parsed ? statusLine[1].toInt(&parsed) : 0;
        if (!parsed) {
            connection.drop();
            return ioError(QStringLiteral("%1 did not answer an upload in HTTP/1.1").arg(server))
                .withContext(where);
        }
        qint64 length = -1;
        answer.close = statusLine[0] == "HTTP/1.0";
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length")
                length = value.toLongLong();
            else if (name == "connection")
                answer.close = value.toLower().contains("close")        ? true
                               : value.toLower().contains("keep-alive") ? false
                                                                        : answer.close;
            else if (name == "transfer-encoding")
                answer.close = true; // not sent by butler-server; read to the end
        }
        buffer.remove(0, headEnd + 4);
        if (length < 0)
            answer.close = true;
        while (length < 0 || buffer.size() < length) {
            const ssize_t n = ::recv(connection.fd, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                if (length < 0 && n == 0)
                    break;
                connection.drop();
                return unavailable(QStringLiteral("answer cut short"), n < 0 ? errno : ECONNRESET);
            }
            buffer.append(chunk, n);
        }
        answer.body = length < 0 ? buffer : buffer.left(length);
        buffer.remove(0, length < 0 ? buffer.size() : length);
        if (answer.close)
            connection.drop();
        else
            connection.reused = true;

        const QJsonDocument document = QJsonDocument::fromJson(answer.body);
        if (answer.status == 200 || answer.status == 201) {
            const QJsonObject object = document.object();
            received->checksum = object.value(QLatin1String("checksum")).toString();
            received->xxh128 = object.value(QLatin1String("xxh128")).toString();
            return {};
        }
        if (document.isObject() && document.object().value(QLatin1String("error")).isObject())
            return WireFormat::errorFromJson(document.object(), answer.status).withContext(where);
        return Error(WireFormat::errorKindFromName({}, answer.status),
                     QStringLiteral("the server answered with HTTP status %1").arg(answer.status))
            .withContext(where);
    }
}

} // namespace butler
