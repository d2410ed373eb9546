#pragma once

#include "HttpRequestFramer.h"

#include <QObject>

#include <memory>

class QTcpSocket;

namespace butler {

class HttpBodySink;
class HttpDirectChannel;
class HttpListener;
class HttpReply;

// One client connection on a listener thread. It owns the real socket and reads it itself:
// the framer validates each request and enforces the limits and timeouts; one complete
// request at a time goes to the handler as an HttpRequest; the next one only after the previous
// answer was written, so pipelined requests are answered in order. Errors the front detects (400, 408, 413,
// 417, 431, 501) are answered here, and the connection then closes gracefully: write side shut, input drained
// for a while, so the client reads the answer instead of a reset.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    HttpConnection(qintptr descriptor, HttpListener* listener);
    ~HttpConnection() override;

    bool isOpen() const { return m_phase != Phase::Closed; }
    void start();

    // For the reply of request `serial`.
    bool awaitsAnswer(quint64 serial) const;
    void replyFinished(quint64 serial, bool close);
    // Takes note of an answer another thread wrote directly and did not post (see
    // HttpDirectChannel); true when there was one. Schedules reading the next request unless
    // the caller reads it at once.
    bool collectDirectAnswer(bool callerPumps);

    // For the listener's sweep: when the current wait ends (steady clock ms), 0 for never.
    qint64 deadline() const { return m_deadline; }
    void deadlineReached();
    // The listener shuts down.
    void abortNow();

    static qint64 nowMs();

private:
    enum class Phase
    {
        Reading,    // receiving the next request
        Dispatched, // a request is with the handler
        Closing,    // last answer still flushing
        Lingering,  // write side shut, input drained until the client closes
        Closed,
    };
    enum class Wait
    {
        None,
        FirstRequest,
        Idle,
        Header,
        Body,
        Closing,
        Linger,
    };

    void onReadyRead();
    void onBytesWritten();
    void pump();
    void schedulePump();
    void step();
    void dispatch(HttpRequestFramer::Request request);
    // Header in, body unread: asks the body planner what to do with it.
    void planBody();
    void sinkFailed();
    void reject(int status, const QByteArray& type, const QString& message);
    void timeOut(const QString& message);
    void closeGracefully();
    void shutdownWrite();
    void teardown();
    void setWait(Wait wait, int timeoutMs);
    void answerDone(bool close, bool callerPumps);

    HttpListener* m_listener;
    QTcpSocket* m_socket;
    HttpRequestFramer m_framer;
    Phase m_phase = Phase::Reading;
    Wait m_wait = Wait::None;
    qint64 m_deadline = 0;
    quint64 m_serial = 0;
    QByteArray m_method;
    int m_minorVersion = 1;
    bool m_keepAlive = true;
    bool m_pumping = false;
    bool m_pumpAgain = false;
    bool m_pumpQueued = false;
    bool m_outputBlocked = false;
    bool m_anyByte = false; // bytes of the request being received arrived
    std::weak_ptr<HttpReply> m_reply;
    std::shared_ptr<HttpBodySink> m_sink;        // the body of the request being received is streamed
    std::shared_ptr<HttpDirectChannel> m_direct; // made at the first request; lent to its replies
    bool m_answerDirect = false;                 // the dispatched request's answer may come through m_direct
};

} // namespace butler
