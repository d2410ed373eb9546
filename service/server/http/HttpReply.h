#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>

class QTcpSocket;

namespace butler {

class HttpBodySink;
class HttpConnection;
class HttpDirectChannel;
class HttpRequest;
class HttpThreadGate;
struct HttpCounters;

// Answers one request, now or later. Created by the host and passed to the handler.
//
// Threads: post(), method(), isHead(), isConnected(), isSent() and onFinished() may be called
// from any thread. Everything else belongs to the connection's thread; calls from another
// thread are forwarded there through post() (in call order), except beginRaw(), which returns
// nullptr off that thread, and addHeader() and send() when the connection lent the reply its
// socket: then they run where they are called, and the answer goes out from that thread
// without waiting for the connection's. Such a reply is used by one thread at a time (the
// handler hands it to a worker, which answers it).
//
// A reply whose last shared_ptr goes away unanswered answers 500 (a handler bug, logged); one
// dropped in the middle of a chunked or raw answer closes the connection.
class HttpReply : public std::enable_shared_from_this<HttpReply>
{
public:
    ~HttpReply();
    HttpReply(const HttpReply&) = delete;
    HttpReply& operator=(const HttpReply&) = delete;

    QByteArray method() const; // as sent: "GET", "HEAD", ...
    // The sink that took the request's body when the body planner streamed it; else null.
    const std::shared_ptr<HttpBodySink>& bodySink() const { return m_target.bodySink; }
    bool isHead() const;
    bool isConnected() const; // false once the client went away
    bool isSent() const;      // an answer was started

    // Added to the answer. Content-Length and Transfer-Encoding are the reply's to set;
    // "Connection: close" closes the connection after the answer.
    void addHeader(const QByteArray& name, const QByteArray& value);
    // Sets Content-Length; HEAD: no body. 204 and 304 carry neither body nor Content-Length.
    void send(int status, const QByteArray& contentType, const QByteArray& body);
    void sendJson(int status, const QJsonObject& body); // compact JSON
    void sendEmpty(int status);                         // Content-Length: 0

    // Chunked streaming (JSON lines): beginChunked, writeChunk*, endChunked. To an HTTP/1.0
    // client the body goes unchunked and the connection closes after it.
    void beginChunked(int status, const QByteArray& contentType);
    void writeChunk(const QByteArray& data);
    void endChunked();

    // Raw mode for bodies written by other code (sendfile): writes the status line and headers
    // (the caller provides Content-Length; without it the connection closes after the body)
    // into the socket's buffer and returns the socket, or nullptr if the client is gone. The
    // caller writes exactly the body bytes (nothing for HEAD), then calls finishRaw(), also
    // after a nullptr.
    QTcpSocket* beginRaw(int status, const QList<QPair<QByteArray, QByteArray>>& headers);
    void finishRaw(bool ok); // ok=false: close the connection

    // Runs fn on the connection's thread; callable from any thread. fn is dropped (never run)
    // if that thread's event loop has ended.
    void post(std::function<void()> fn);

    // Called once after the answer was handed to the socket, or abandoned. status is 499 when
    // the client was gone before any of the answer could be written. The call happens on the
    // thread that wrote the answer (the connection's, or the one that sent it directly), or for
    // a reply dropped after its thread ended, on the dropping thread.
    void onFinished(std::function<void(int status, qint64 bodyBytes)> callback);

private:
    friend class HttpConnection;
    struct Completion;

    // What identifies the request and where its answer goes.
    struct Target
    {
        QPointer<HttpConnection> connection;
        QPointer<QTcpSocket> socket;
        std::shared_ptr<HttpThreadGate> gate;
        quint64 serial = 0;
        QByteArray method;
        int minorVersion = 1;
        bool keepAlive = true;
        std::shared_ptr<HttpBodySink> bodySink;
        std::shared_ptr<HttpDirectChannel> direct; // null: answers from other threads are posted
    };
    enum class Mode
    {
        Fresh,
        Chunked,
        Raw,
        Done,
    };
    enum class Framing
    {
        Length,
        Chunked,
        Raw,
    };

    HttpReply(Target target, std::shared_ptr<Completion> completion);
    static std::shared_ptr<HttpReply> create(Target target, const std::shared_ptr<HttpCounters>& counters);

    bool onOwnerThread() const;
    bool canSendDirectly() const { return m_target.direct && !onOwnerThread(); }
    // Takes the one answer a reply gives; false (and a warning) when it was given already.
    bool claim(const char* what);
    void sendDirectly(int status, const QByteArray& contentType, const QByteArray& body); // status checked
    void finishDirect(const QByteArray& rest, qint64 bodyTaken, bool close);
    QTcpSocket* usableSocket() const;
    QByteArray buildHead(int status, const QByteArray& contentType, Framing framing, qint64 length,
                         const QList<QPair<QByteArray, QByteArray>>& extra, bool* close) const;
    void finish(int status, qint64 bodyBytes, bool close);
    void abandon();
    void markDisconnected() { m_connected.store(false); }

    Target m_target;
    std::shared_ptr<Completion> m_completion;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    Mode m_mode = Mode::Fresh;
    int m_status = 0;
    bool m_headWritten = false;
    bool m_close = false;
    qint64 m_bodyBytes = 0;
    std::atomic<bool> m_connected{true};
    std::atomic<bool> m_sent{false};
};

using HttpHandler = std::function<void(const HttpRequest&, const std::shared_ptr<HttpReply>&)>;

} // namespace butler
