#pragma once

#include <QtGlobal>

#include <atomic>
#include <memory>

namespace butler {

// What a connection lends to the replies it dispatched so that the thread that computed an
// answer writes it itself, instead of waking the listener thread to write it: a second
// descriptor of the socket, and the hand-back of an answer that is out.
//
// The descriptor: the listener's QTcpSocket closes its own whenever it sees the client go, and
// that number may at once belong to another connection; this one stays the same socket until
// its last holder drops it.
//
// The hand-back: an answer written on a kept-alive connection is not posted to the listener
// (one wake-up per request saved); the listener collects it when it next looks at the
// connection (the client's next request, or its periodic sweep). When it looked before the
// answer was out, the answering thread posts to it instead.
class HttpDirectChannel
{
public:
    // Null when the descriptor cannot be duplicated (out of descriptors): answers then go
    // through the listener thread.
    static std::shared_ptr<HttpDirectChannel> open(qintptr descriptor);
    ~HttpDirectChannel();
    HttpDirectChannel(const HttpDirectChannel&) = delete;
    HttpDirectChannel& operator=(const HttpDirectChannel&) = delete;

    struct Written
    {
        qint64 bytes = 0;    // taken by the kernel, from the start of first then second
        bool failed = false; // the connection is broken; nothing more can be written
    };
    // Writes first then second as far as the socket takes them now, never blocking.
    Written write(const char* first, qint64 firstSize, const char* second, qint64 secondSize);

    // The connection, as it dispatches a request: whether its answer may come back this way.
    void expectAnswer(bool direct) { m_state.store(direct ? Running : Idle, std::memory_order_relaxed); }
    // The answering thread, once a kept-alive answer is out: true when the connection looked
    // already and must be told by a post.
    bool answered() { return m_state.exchange(Answered, std::memory_order_acq_rel) == Wanted; }
    // The connection: true when the answer is out; otherwise the answering thread will post.
    bool collect() { return m_state.exchange(Wanted, std::memory_order_acq_rel) == Answered; }

private:
    explicit HttpDirectChannel(int descriptor);

    enum State
    {
        Idle,     // no answer expected this way
        Running,  // the request is with its handler
        Answered, // the answer is out; the connection has not looked yet
        Wanted,   // the connection looked first
    };

    int m_descriptor;
    std::atomic<int> m_state{Idle};
};

} // namespace butler
