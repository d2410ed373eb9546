#pragma once

#include <QByteArray>
#include <QString>

namespace butler {

// Takes a request body as it arrives, so that an upload never sits whole in memory. The body
// planner (HttpBodyPlan) makes one when a request's header is in. Until the request is
// complete it is called on the connection's thread; then the handler reaches it through
// HttpReply::bodySink(). A sink dropped before it was finished discards what it received.
class HttpBodySink
{
public:
    struct Failure
    {
        int status = 500;
        QByteArray type = QByteArrayLiteral("internal");
        QString message;
    };

    virtual ~HttpBodySink() = default;

    // The next bytes of the body, in order. false stops the request: the front answers
    // failure() and closes the connection.
    virtual bool write(const char* data, qsizetype size) = 0;
    // Every byte arrived; false as for write(). The handler runs after this.
    virtual bool finish() = 0;
    virtual Failure failure() const = 0;
};

} // namespace butler
