#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QSocketNotifier;
class QTcpSocket;

namespace butler {

// Streams a file, or a byte range of it, to a connected socket whose status line and headers
// were already written, without loading the file into memory. The headers are flushed first;
// then the body goes out with sendfile(2) on the socket descriptor in non-blocking mode,
// waiting for writability on EAGAIN, or with pread/send in large chunks where sendfile is not
// available. Encrypted sockets (QSslSocket) are fed through Qt, in bounded chunks.
//
// The sender owns itself: it deletes itself after calling the completion callback, which
// always runs from the event loop, never from inside start(). A client that goes away, or a
// socket deleted midway, ends the transfer with ok=false; the file descriptor is always
// closed. Nothing else may write to the socket until the callback ran.
class FileSender : public QObject
{
    Q_OBJECT
public:
    // bytesSent counts body bytes handed to the kernel (or, for TLS, taken by the socket).
    using Callback = std::function<void(bool ok, qint64 bytesSent)>;

    enum class Mode
    {
        Auto,      // sendfile, falling back to ReadWrite on EINVAL/ENOSYS; QtWrite for TLS sockets
        ReadWrite, // pread + send on the socket descriptor
        QtWrite,   // through QTcpSocket::write, whatever the socket type
    };

    // Takes ownership of `fileFd` (closed in every case). `length` bytes from `offset`.
    static FileSender* start(QTcpSocket* socket, int fileFd, qint64 offset, qint64 length, Callback done,
                             Mode mode = Mode::Auto);
    // Opens `path` itself; a file that cannot be opened ends with ok=false.
    static FileSender* start(QTcpSocket* socket, const QString& path, qint64 offset, qint64 length,
                             Callback done, Mode mode = Mode::Auto);

    ~FileSender() override;

    // The mode in use; Auto turns into ReadWrite after a sendfile fallback.
    Mode mode() const { return m_mode; }

private:
    enum class Step
    {
        More, // call again
        Wait, // until the socket is writable again
        Stop, // finished, one way or the other
    };

    FileSender(QTcpSocket* socket, int fileFd, qint64 offset, qint64 length, Callback done, Mode mode);

    void begin();
    void flushHeaders();
    void startBody();
    void pumpDescriptor();
    Step sendfileStep(qint64* turn);
    Step readWriteStep(qint64* turn);
    Step afterProgress(qint64 n, qint64* turn);
    void pumpQt();
    void socketGone();
    void finish(bool ok);
    void releaseFile();
    void setCork(bool on);

    QPointer<QTcpSocket> m_socket;
    int m_socketFd = -1;
    int m_fileFd = -1;
    qint64 m_offset = 0; // next file offset to read or send
    qint64 m_end = 0;    // file offset after the last byte
    qint64 m_sent = 0;
    qint64 m_length = 0;
    Callback m_done;
    Mode m_mode;
    QSocketNotifier* m_notifier = nullptr;
    QByteArray m_buffer; // ReadWrite: bytes read but not yet sent
    qsizetype m_bufferPos = 0;
    bool m_blockSigpipe = false;
    bool m_corked = false;
    bool m_finished = false;
    QList<QMetaObject::Connection> m_connections;
    QMetaObject::Connection m_flushConnection;
};

} // namespace butler
