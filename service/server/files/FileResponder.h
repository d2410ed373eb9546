#pragma once

#include "FileSender.h"
#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

class QTcpSocket;

// The glue to the HTTP front exists only where that front is built.
#if __has_include("HttpReply.h")
#define BUTLER_FILES_HAVE_HTTP_REPLY 1
#endif

namespace butler {

class HttpReply;
class HttpRequest;

// Answers a file-endpoint request for a file already resolved inside the datastore: status and
// headers (200, 206 for one byte range, 416, 304 on a matching If-None-Match, HEAD without a
// body) are computed by plan(), a pure function; sendBody() then streams the body with
// FileSender once the caller wrote status and headers. serve() chains both behind three
// callbacks so any HTTP front can use it.
class FileResponder
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Request
    {
        QByteArray method; // GET or HEAD; anything else plans a 405
        QByteArray range;  // the headers as received, empty when absent
        QByteArray ifNoneMatch;
        QByteArray ifRange;
    };

    struct FileMeta
    {
        qint64 size = 0;
        qint64 mtimeNs = 0; // unix nanoseconds
        quint64 inode = 0;
    };

    enum class RangeKind
    {
        Full,          // no Range, or one to ignore: malformed, other unit, several ranges
        Single,        // one satisfiable range: 206
        Unsatisfiable, // 416
    };

    struct RangeSpec
    {
        RangeKind kind = RangeKind::Full;
        qint64 first = 0; // inclusive byte positions, valid for Single
        qint64 last = -1;
    };

    struct Plan
    {
        int status = 200;
        Headers headers;
        qint64 offset = 0; // body: `length` bytes of the file from `offset`
        qint64 length = 0; // zero when there is no body (HEAD, 304, 416, 405)
    };

    struct OpenedFile
    {
        int fd = -1; // owned by the caller until handed to sendBody()
        FileMeta meta;
    };

    // Parses a Range header against a file size (RFC 9110 §14.2).
    static RangeSpec parseRange(const QByteArray& header, qint64 size);
    // A strong validator from inode, size and modification time.
    static QByteArray etag(const FileMeta& meta);
    // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    static QByteArray httpDate(qint64 unixSeconds);
    // Content-Type for a formatter label (fits, json, ...); octet-stream for unknown or empty.
    static QByteArray contentTypeFor(const QString& formatter);
    // Whether an If-None-Match list matches (weak comparison, `*` matches any).
    static bool noneMatchHits(const QByteArray& header, const QByteArray& etag);
    // Whether an If-Range validator allows the range (strong ETag or exact Last-Modified).
    static bool ifRangeHolds(const QByteArray& header, const QByteArray& etag,
                             const QByteArray& lastModified);

    static Plan plan(const Request& request, const FileMeta& meta, const QString& formatter = {});

    // Opens a resolved path for reading: a regular file, no symlink as its last component.
    static Result<OpenedFile> open(const QString& absolutePath);

    // Sends the body of `plan` (or nothing) on a socket whose status and headers were written.
    // Takes ownership of `fd`. `done` runs from the event loop when the body is out or failed.
    static void sendBody(QTcpSocket* socket, int fd, const Plan& plan, FileSender::Callback done,
                         FileSender::Mode mode = FileSender::Mode::Auto);

    struct Sink
    {
        // Writes status and headers; returns the socket, or nullptr when the client is gone.
        std::function<QTcpSocket*(int status, const Headers& headers)> beginRaw;
        // Called once after the body: ok=false means the connection must be closed.
        std::function<void(bool ok)> finishRaw;
        // Called instead of beginRaw when the file cannot be opened.
        std::function<void(const Error& error)> fail;
    };

    // open() + plan() + beginRaw + sendBody() + finishRaw.
    static void serve(const Request& request, const QString& absolutePath, const QString& formatter,
                      const Sink& sink, FileSender::Mode mode = FileSender::Mode::Auto);

#ifdef BUTLER_FILES_HAVE_HTTP_REPLY
    // The headers of `httpRequest` and the method of `reply`.
    static Request requestFrom(const HttpRequest& httpRequest, const HttpReply& reply);
    // serve() through an HttpReply. `fail` answers errors (open failures); without it they
    // go out as {"error":{"type","message"}} with 404, 403 or 500.
    static void serve(const std::shared_ptr<HttpReply>& reply, const HttpRequest& httpRequest,
                      const QString& absolutePath, const QString& formatter,
                      std::function<void(const Error&)> fail = {});
#endif
};

} // namespace butler
