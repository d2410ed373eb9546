#include "FileSender.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTcpSocket>
#if QT_CONFIG(ssl)
#include <QSslSocket>
#endif

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

Q_LOGGING_CATEGORY(lcSend, "butler.files.serve")

namespace butler {

namespace {

constexpr qint64 kSendfileChunk = qint64(8) << 20;
constexpr qint64 kReadChunk = qint64(1) << 20;
constexpr qint64 kQtChunk = qint64(256) << 10;
constexpr qint64 kQtHighWater = qint64(4) << 20;
// Bytes one connection may send per event-loop wake-up before others get their turn.
constexpr qint64 kTurnBudget = qint64(16) << 20;

// sendfile() has no MSG_NOSIGNAL: a peer that reset the connection raises SIGPIPE, which kills
// the process unless it is ignored. Block it around the calls and swallow what they raised.
class SigpipeGuard
{
public:
    explicit SigpipeGuard(bool active)
    {
        if (!active)
            return;
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_wasPending = sigismember(&pending, SIGPIPE) == 1;
        m_active = pthread_sigmask(SIG_BLOCK, &m_set, &m_old) == 0;
    }
    ~SigpipeGuard()
    {
        if (!m_active)
            return;
        if (!m_wasPending) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{};
                sigtimedwait(&m_set, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t m_set{};
    sigset_t m_old{};
    bool m_active = false;
    bool m_wasPending = false;
};

bool sigpipeIgnored()
{
    struct sigaction current
    {
    };
    return sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

bool isEncrypted(QTcpSocket* socket)
{
#if QT_CONFIG(ssl)
    if (auto* ssl = qobject_cast<QSslSocket*>(socket))
        return ssl->mode() != QSslSocket::UnencryptedMode;
#else
    Q_UNUSED(socket);
#endif
    return false;
}

} // namespace

FileSender* FileSender::start(QTcpSocket* socket, int fileFd, qint64 offset, qint64 length, Callback done,
                              Mode mode)
{
    auto* sender = new FileSender(socket, fileFd, offset, length, std::move(done), mode);
    QMetaObject::invokeMethod(
        sender, [sender] { sender->begin(); }, Qt::QueuedConnection);
    return sender;
}

FileSender* FileSender::start(QTcpSocket* socket, const QString& path, qint64 offset, qint64 length,
                              Callback done, Mode mode)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    const int error = errno;
    if (fd < 0)
        qCWarning(lcSend) << "cannot open" << path << ":" << strerror(error);
    return start(socket, fd, offset, length, std::move(done), mode);
}

FileSender::FileSender(QTcpSocket* socket, int fileFd, qint64 offset, qint64 length, Callback done, Mode mode)
    : m_socket(socket)
    , m_fileFd(fileFd)
    , m_offset(offset)
    , m_end(offset + std::max<qint64>(length, 0))
    , m_length(std::max<qint64>(length, 0))
    , m_done(std::move(done))
    , m_mode(mode)
{
    if (socket) {
        // Direct connections: the descriptor must not be touched once Qt starts closing it, as
        // the number may be reused by the next accepted connection.
        m_connections << connect(socket, &QAbstractSocket::aboutToClose, this, &FileSender::socketGone)
                      << connect(socket, &QAbstractSocket::disconnected, this, &FileSender::socketGone)
                      << connect(socket, &QObject::destroyed, this, &FileSender::socketGone);
    }
}

FileSender::~FileSender()
{
    releaseFile();
}

void FileSender::begin()
{
    if (m_finished)
        return;
    if (m_socket && m_socket->thread() != thread()) {
        qCWarning(lcSend) << "bug: FileSender started off the socket's thread";
        finish(false);
        return;
    }
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        qCDebug(lcSend) << "client gone before the body";
        finish(false);
        return;
    }
    if (m_fileFd < 0 || m_offset < 0) {
        finish(false);
        return;
    }
    if (m_mode == Mode::QtWrite || isEncrypted(m_socket)) {
        m_mode = Mode::QtWrite;
        m_connections << connect(m_socket, &QIODevice::bytesWritten, this, &FileSender::pumpQt);
        pumpQt();
        return;
    }
    m_socketFd = int(m_socket->socketDescriptor());
    if (m_socketFd < 0) {
        finish(false);
        return;
    }
    m_blockSigpipe = !sigpipeIgnored();
    // Corked, the headers still in Qt's buffer and the first body bytes leave in full frames.
    setCork(true);
    flushHeaders();
}

void FileSender::flushHeaders()
{
    if (m_finished)
        return;
    while (m_socket->bytesToWrite() > 0 && m_socket->flush()) {
    }
    if (m_socket->bytesToWrite() > 0) {
        if (!m_flushConnection)
            m_flushConnection = connect(m_socket, &QIODevice::bytesWritten, this, &FileSender::flushHeaders);
        return;
    }
    if (m_flushConnection) {
        // Inside bytesWritten Qt has not yet switched its own write notifier off; a second
        // notifier for the descriptor would clash with it in QEventDispatcherUNIX.
        disconnect(m_flushConnection);
        QMetaObject::invokeMethod(
            this, [this] { startBody(); }, Qt::QueuedConnection);
        return;
    }
    startBody();
}

void FileSender::startBody()
{
    if (m_finished)
        return;
    if (!m_socket || m_socket->socketDescriptor() != m_socketFd) {
        finish(false);
        return;
    }
    if (m_length == 0) {
        finish(true);
        return;
    }
    m_notifier = new QSocketNotifier(m_socketFd, QSocketNotifier::Write, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &FileSender::pumpDescriptor);
    pumpDescriptor();
}

void FileSender::pumpDescriptor()
{
    if (m_finished)
        return;
    if (!m_socket || m_socket->socketDescriptor() != m_socketFd) {
        finish(false);
        return;
    }
    SigpipeGuard guard(m_blockSigpipe && m_mode == Mode::Auto);
    qint64 turn = 0;
    Step step = Step::More;
    while (step == Step::More)
        step = m_mode == Mode::Auto ? sendfileStep(&turn) : readWriteStep(&turn);
}

FileSender::Step FileSender::afterProgress(qint64 n, qint64* turn)
{
    m_sent += n;
    *turn += n;
    if (m_sent == m_length) {
        finish(true);
        return Step::Stop;
    }
    // Over budget, the notifier (still enabled) brings us back on the next loop iteration.
    return *turn >= kTurnBudget ? Step::Wait : Step::More;
}

FileSender::Step FileSender::sendfileStep(qint64* turn)
{
    off_t offset = off_t(m_offset);
    const ssize_t n =
        ::sendfile(m_socketFd, m_fileFd, &offset, size_t(std::min(m_end - m_offset, kSendfileChunk)));
    if (n > 0) {
        m_offset += n;
        return afterProgress(n, turn);
    }
    if (n == 0) {
        qCWarning(lcSend) << "file ended early at offset" << m_offset << "(truncated while sending?)";
        finish(false);
        return Step::Stop;
    }
    const int error = errno;
    switch (error) {
    case EINTR:
        return Step::More;
    case EAGAIN:
        return Step::Wait;
    case EINVAL:
    case ENOSYS:
    case EOPNOTSUPP:
        qCDebug(lcSend) << "sendfile unavailable (" << strerror(error) << "), copying with read/send";
        m_mode = Mode::ReadWrite;
        return Step::More;
    default:
        qCDebug(lcSend) << "sendfile failed after" << m_sent << "bytes:" << strerror(error);
        finish(false);
        return Step::Stop;
    }
}

FileSender::Step FileSender::readWriteStep(qint64* turn)
{
    if (m_bufferPos == m_buffer.size()) {
        const qint64 want = std::min(m_end - m_offset, kReadChunk);
        m_buffer.resize(want);
        m_bufferPos = 0;
        const ssize_t n = ::pread(m_fileFd, m_buffer.data(), size_t(want), m_offset);
        const int error = errno;
        if (n < 0 && error == EINTR) {
            m_buffer.clear();
            return Step::More;
        }
        if (n <= 0) {
            qCWarning(lcSend) << "file ended or failed at offset" << m_offset << ":"
                              << (n < 0 ? strerror(error) : "truncated while sending?");
            finish(false);
            return Step::Stop;
        }
        m_buffer.resize(n);
        m_offset += n;
    }
    const ssize_t n = ::send(m_socketFd, m_buffer.constData() + m_bufferPos,
                             size_t(m_buffer.size() - m_bufferPos), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
        m_bufferPos += n;
        return afterProgress(n, turn);
    }
    const int error = errno;
    if (n < 0 && error == EINTR)
        return Step::More;
    if (n < 0 && (error == EAGAIN || error == EWOULDBLOCK))
        return Step::Wait;
    qCDebug(lcSend) << "send failed after" << m_sent << "bytes:" << strerror(error);
    finish(false);
    return Step::Stop;
}

void FileSender::pumpQt()
{
    if (m_finished)
        return;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        finish(false);
        return;
    }
    QByteArray chunk;
    while (m_offset < m_end && m_socket->bytesToWrite() < kQtHighWater) {
        const qint64 want = std::min(m_end - m_offset, kQtChunk);
        chunk.resize(want);
        const ssize_t n = ::pread(m_fileFd, chunk.data(), size_t(want), m_offset);
        const int error = errno;
        if (n < 0 && error == EINTR)
            continue;
        if (n <= 0) {
            qCWarning(lcSend) << "file ended or failed at offset" << m_offset << ":"
                              << (n < 0 ? strerror(error) : "truncated while sending?");
            finish(false);
            return;
        }
        chunk.resize(n);
        if (m_socket->write(chunk) != n) {
            finish(false);
            return;
        }
        m_offset += n;
        m_sent += n;
    }
    if (m_offset == m_end && m_socket->bytesToWrite() == 0)
        finish(true);
}

void FileSender::socketGone()
{
    if (m_finished)
        return;
    qCDebug(lcSend) << "client went away after" << m_sent << "of" << m_length << "bytes";
    m_socketFd = -1;
    m_corked = false;
    finish(false);
}

void FileSender::finish(bool ok)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_notifier) {
        m_notifier->setEnabled(false);
        delete m_notifier;
        m_notifier = nullptr;
    }
    for (const auto& c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    disconnect(m_flushConnection);
    if (m_corked && m_socket && m_socket->socketDescriptor() == m_socketFd)
        setCork(false);
    releaseFile();
    Callback done = std::move(m_done);
    const qint64 sent = m_sent;
    QMetaObject::invokeMethod(
        this,
        [this, done = std::move(done), ok, sent] {
            if (done)
                done(ok, sent);
            deleteLater();
        },
        Qt::QueuedConnection);
}

void FileSender::releaseFile()
{
    if (m_fileFd >= 0) {
        ::close(m_fileFd);
        m_fileFd = -1;
    }
}

void FileSender::setCork(bool on)
{
    const int value = on ? 1 : 0;
    if (::setsockopt(m_socketFd, IPPROTO_TCP, TCP_CORK, &value, sizeof value) == 0)
        m_corked = on;
}

} // namespace butler
