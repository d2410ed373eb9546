#pragma once

#include "HttpLimits.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace butler {

// Frames HTTP/1.x requests out of the raw bytes of one connection and validates them strictly
// (RFC 9112), so that Qt's lenient request parser only ever sees well-formed requests. Append
// bytes as they arrive and call advance(); bytes of pipelined requests stay buffered until the
// request before them was taken.
class HttpRequestFramer
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray target;
        int minorVersion = 1;                         // HTTP/1.<minorVersion>
        QList<QPair<QByteArray, QByteArray>> headers; // arrival order, original case, trimmed values
        QByteArray body;                              // decoded if it arrived chunked
        bool chunked = false;                         // the body arrived with chunked transfer coding
        bool keepAlive = true;                        // false for HTTP/1.0 and "Connection: close"
    };

    enum class State
    {
        Idle,      // nothing of the next request yet
        Head,      // part of the request line or header section
        HeadReady, // with setPauseAfterHead(): header complete, waiting for bufferBody() or streamBody()
        Body,      // header section complete, body incomplete
        Complete,  // a request is ready: takeRequest()
        Failed,    // the bytes are no request we accept: errorStatus(), errorType(), errorMessage()
    };

    // Qt 6.4.2's header parser silently drops every field of a request with more than 100
    // fields, a field over 100 KiB or a header section over about 250 KiB (measured), so those
    // are answered with 431 here, with some margin, whatever HttpLimits::maxHeaderBytes says.
    static constexpr int kMaxFields = 100;
    static constexpr int kMaxFieldLineBytes = 64 * 1024;
    static constexpr int kMaxHeaderBytes = 240 * 1024;
    static constexpr int kMaxChunkLineBytes = 4 * 1024;

    explicit HttpRequestFramer(const HttpLimits& limits);

    void append(const char* data, qsizetype size);
    void append(const QByteArray& data);
    State advance();
    State state() const { return m_state; }

    // Stops after each request header in State::HeadReady, so the caller can decide what to do
    // with the body before any of it is taken (HttpBodyPlan).
    void setPauseAfterHead(bool pause) { m_pauseAfterHead = pause; }
    // In state HeadReady: the request so far (no body) and its Content-Length, -1 if chunked.
    const Request& head() const { return m_request; }
    qint64 contentLength() const;
    // From HeadReady: the body is collected in memory under HttpLimits::maxBodyBytes.
    State bufferBody();
    // From HeadReady: the body is handed out by takeStreamedBytes() as it arrives, whatever its
    // size; the request taken at the end has an empty body. Needs a Content-Length (411 otherwise).
    State streamBody();
    bool isStreaming() const { return m_streaming; }
    // In state Body while streaming: the body bytes received since the last call.
    QByteArray takeStreamedBytes();

    // Valid in state Complete; the framer goes back to Idle and keeps the bytes that follow.
    Request takeRequest();
    // Bytes received and not yet part of a taken request.
    qsizetype bufferedBytes() const { return m_buffer.size(); }

    // In state Body: the client sent "Expect: 100-continue" and waits for the interim answer.
    bool wantsContinue() const;
    void continueSent() { m_continueSent = true; }

    int errorStatus() const { return m_errorStatus; }
    const QByteArray& errorType() const { return m_errorType; }
    const QString& errorMessage() const { return m_errorMessage; }

private:
    enum class BodyMode
    {
        None,
        Length,
        Chunked,
    };
    enum class ChunkStep
    {
        Size,
        Data,
        DataEnd,
        Trailers,
    };

    State advanceHead();
    bool requestLinePrefixValid(qsizetype end);
    State advanceBody();
    State advanceChunked();
    State finishHead(QByteArrayView head);
    State parseRequestLine(QByteArrayView line);
    State parseFieldLine(QByteArrayView line);
    State checkFraming();
    State complete();
    State fail(int status, const char* type, const QString& message);

    HttpLimits m_limits;
    qsizetype m_maxHeaderBytes;
    QByteArray m_buffer;
    State m_state = State::Idle;
    qsizetype m_scan = 0;        // head: where the search for the next line end continues
    qsizetype m_lineStart = 0;   // head: start of the line being received
    qsizetype m_lineChecked = 0; // request line: bytes already known to be a valid prefix
    int m_linePart = 0;          // request line: 0 method, 1 target, 2 version
    int m_partSize = 0;          // request line: bytes of the current part
    Request m_request;
    BodyMode m_bodyMode = BodyMode::None;
    qint64 m_contentLength = 0;
    bool m_pauseAfterHead = false;
    bool m_streaming = false;
    qint64 m_streamRemaining = 0;
    bool m_expectContinue = false;
    bool m_continueSent = false;
    ChunkStep m_chunkStep = ChunkStep::Size;
    qint64 m_chunkRemaining = 0;
    qsizetype m_trailerBytes = 0;
    int m_errorStatus = 0;
    QByteArray m_errorType;
    QString m_errorMessage;
};

} // namespace butler
