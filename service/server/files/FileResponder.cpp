#include "FileResponder.h"

#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef BUTLER_FILES_HAVE_HTTP_REPLY
#include "HttpReply.h"

#include "HttpRequest.h"
#endif

#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>

Q_LOGGING_CATEGORY(lcServe, "butler.files.serve")

namespace butler {

namespace {

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

// Digits only; saturates instead of overflowing, since a huge position is still a position.
bool parsePosition(QByteArrayView text, qint64* value)
{
    if (text.isEmpty())
        return false;
    qint64 v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        const int digit = c - '0';
        if (v > (std::numeric_limits<qint64>::max() - digit) / 10)
            v = std::numeric_limits<qint64>::max();
        else
            v = v * 10 + digit;
    }
    *value = v;
    return true;
}

// The opaque part of an entity-tag ("W/" stripped), or empty when malformed.
QByteArrayView opaqueTag(QByteArrayView tag, bool* weak)
{
    *weak = tag.startsWith("W/");
    if (*weak)
        tag = tag.sliced(2);
    if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"')
        return {};
    return tag;
}

} // namespace

FileResponder::RangeSpec FileResponder::parseRange(const QByteArray& header, qint64 size)
{
    const RangeSpec full;
    QByteArrayView spec = QByteArrayView(header).trimmed();
    constexpr QByteArrayView unit("bytes=");
    if (spec.size() < unit.size() || spec.first(unit.size()).compare(unit, Qt::CaseInsensitive) != 0)
        return full;
    spec = spec.sliced(unit.size()).trimmed();
    // Several ranges would need multipart/byteranges; answering the whole file is allowed.
    if (spec.contains(','))
        return full;
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return full;
    QByteArrayView firstText = spec.first(dash);
    QByteArrayView lastText = spec.sliced(dash + 1);
    while (!lastText.isEmpty() && isOws(lastText.front()))
        lastText = lastText.sliced(1);
    while (!firstText.isEmpty() && isOws(firstText.back()))
        firstText.chop(1);

    RangeSpec out;
    if (firstText.isEmpty()) {
        qint64 suffix = 0;
        if (!parsePosition(lastText, &suffix))
            return full;
        if (suffix == 0 || size == 0)
            return RangeSpec{RangeKind::Unsatisfiable};
        out.first = suffix >= size ? 0 : size - suffix;
        out.last = size - 1;
        out.kind = RangeKind::Single;
        return out;
    }
    qint64 first = 0;
    if (!parsePosition(firstText, &first))
        return full;
    qint64 last = std::numeric_limits<qint64>::max();
    if (!lastText.isEmpty() && !parsePosition(lastText, &last))
        return full;
    if (last < first)
        return full; // invalid, so ignored (RFC 9110 §14.2)
    if (first >= size)
        return RangeSpec{RangeKind::Unsatisfiable};
    out.kind = RangeKind::Single;
    out.first = first;
    out.last = std::min(last, size - 1);
    return out;
}

QByteArray FileResponder::etag(const FileMeta& meta)
{
    return '"' + QByteArray::number(meta.inode, 16) + '-' + QByteArray::number(meta.size, 16) + '-' +
           QByteArray::number(meta.mtimeNs, 16) + '"';
}

QByteArray FileResponder::httpDate(qint64 unixSeconds)
{
    // Fixed English names: strftime would follow the process locale.
    static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const time_t t = time_t(unixSeconds);
    struct tm tm
    {
    };
    gmtime_r(&t, &tm);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return QByteArray(buffer);
}

QByteArray FileResponder::contentTypeFor(const QString& formatter)
{
    static const QHash<QString, QByteArray> types = {
        {QStringLiteral("fits"), "application/fits"},
        {QStringLiteral("json"), "application/json"},
        {QStringLiteral("yaml"), "application/yaml"},
        {QStringLiteral("csv"), "text/csv"},
        {QStringLiteral("parquet"), "application/vnd.apache.parquet"},
        {QStringLiteral("png"), "image/png"},
        {QStringLiteral("text"), "text/plain; charset=utf-8"},
    };
    return types.value(formatter, QByteArrayLiteral("application/octet-stream"));
}

bool FileResponder::noneMatchHits(const QByteArray& header, const QByteArray& etag)
{
    bool ourWeak = false;
    const QByteArrayView ours = opaqueTag(etag, &ourWeak);
    for (const QByteArray& item : header.split(',')) {
        const QByteArray tag = item.trimmed();
        if (tag == "*")
            return true;
        bool weak = false;
        const QByteArrayView theirs = opaqueTag(tag, &weak);
        if (!theirs.isEmpty() && theirs == ours)
            return true;
    }
    return false;
}

bool FileResponder::ifRangeHolds(const QByteArray& header, const QByteArray& etag,
                                 const QByteArray& lastModified)
{
    const QByteArray value = header.trimmed();
    if (value.startsWith('"') || value.startsWith("W/"))
        return !value.startsWith("W/") && value == etag; // strong comparison only
    return value == lastModified;
}

FileResponder::Plan FileResponder::plan(const Request& request, const FileMeta& meta,
                                        const QString& formatter)
{
    Plan plan;
    if (request.method != "GET" && request.method != "HEAD") {
        plan.status = 405;
        plan.headers = {{"Allow", "GET, HEAD"}, {"Content-Length", "0"}};
        return plan;
    }
    const QByteArray tag = etag(meta);
    const QByteArray lastModified = httpDate(meta.mtimeNs / 1000000000);
    const Headers validators = {{"ETag", tag}, {"Last-Modified", lastModified}};

    if (!request.ifNoneMatch.isEmpty() && noneMatchHits(request.ifNoneMatch, tag)) {
        plan.status = 304;
        plan.headers = validators;
        return plan;
    }

    RangeSpec range;
    if (!request.range.isEmpty() &&
        (request.ifRange.isEmpty() || ifRangeHolds(request.ifRange, tag, lastModified)))
        range = parseRange(request.range, meta.size);

    const bool head = request.method == "HEAD";
    switch (range.kind) {
    case RangeKind::Unsatisfiable:
        plan.status = 416;
        plan.headers = {{"Content-Range", "bytes */" + QByteArray::number(meta.size)},
                        {"Content-Length", "0"}};
        plan.headers += validators;
        return plan;
    case RangeKind::Single: {
        const qint64 length = range.last - range.first + 1;
        plan.status = 206;
        plan.headers = {{"Content-Type", contentTypeFor(formatter)},
                        {"Content-Length", QByteArray::number(length)},
                        {"Content-Range", "bytes " + QByteArray::number(range.first) + '-' +
                                              QByteArray::number(range.last) + '/' +
                                              QByteArray::number(meta.size)},
                        {"Accept-Ranges", "bytes"}};
        plan.headers += validators;
        plan.offset = range.first;
        plan.length = head ? 0 : length;
        return plan;
    }
    case RangeKind::Full:
        break;
    }
    plan.status = 200;
    plan.headers = {{"Content-Type", contentTypeFor(formatter)},
                    {"Content-Length", QByteArray::number(meta.size)},
                    {"Accept-Ranges", "bytes"}};
    plan.headers += validators;
    plan.length = head ? 0 : meta.size;
    return plan;
}

Result<FileResponder::OpenedFile> FileResponder::open(const QString& absolutePath)
{
    const int fd = ::open(QFile::encodeName(absolutePath).constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR)
            return notFound(QStringLiteral("file not found"));
        if (error == ELOOP)
            return Error(ErrorKind::PermissionDenied, QStringLiteral("refusing to follow a symlink"));
        return ioError(
            QStringLiteral("cannot open %1: %2").arg(absolutePath, QString::fromLocal8Bit(strerror(error))));
    }
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return notFound(QStringLiteral("not a regular file"));
    }
    OpenedFile file;
    file.fd = fd;
    file.meta.size = st.st_size;
    file.meta.mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    file.meta.inode = st.st_ino;
    return file;
}

void FileResponder::sendBody(QTcpSocket* socket, int fd, const Plan& plan, FileSender::Callback done,
                             FileSender::Mode mode)
{
    // Even without a body FileSender runs, so the headers are flushed before `done`.
    FileSender::start(socket, fd, plan.offset, plan.length, std::move(done), mode);
}

void FileResponder::serve(const Request& request, const QString& absolutePath, const QString& formatter,
                          const Sink& sink, FileSender::Mode mode)
{
    Result<OpenedFile> file = open(absolutePath);
    if (!file.ok()) {
        qCInfo(lcServe) << "cannot serve" << absolutePath << ":" << file.error().message();
        sink.fail(file.error());
        return;
    }
    const Plan p = plan(request, file->meta, formatter);
    QTcpSocket* socket = sink.beginRaw(p.status, p.headers);
    if (!socket) {
        ::close(file->fd);
        sink.finishRaw(false);
        return;
    }
    sendBody(
        socket, file->fd, p,
        [finish = sink.finishRaw](bool ok, qint64 sent) {
            qCDebug(lcServe) << "sent" << sent << "bytes, ok" << ok;
            finish(ok);
        },
        mode);
}

#ifdef BUTLER_FILES_HAVE_HTTP_REPLY
FileResponder::Request FileResponder::requestFrom(const HttpRequest& httpRequest, const HttpReply& reply)
{
    Request request;
    request.method = reply.method();
    request.range = httpRequest.value("range");
    request.ifNoneMatch = httpRequest.value("if-none-match");
    request.ifRange = httpRequest.value("if-range");
    return request;
}

void FileResponder::serve(const std::shared_ptr<HttpReply>& reply, const HttpRequest& httpRequest,
                          const QString& absolutePath, const QString& formatter,
                          std::function<void(const Error&)> fail)
{
    Sink sink;
    sink.beginRaw = [reply](int status, const Headers& headers) { return reply->beginRaw(status, headers); };
    sink.finishRaw = [reply](bool ok) { reply->finishRaw(ok); };
    sink.fail = [reply, fail = std::move(fail)](const Error& error) {
        if (fail) {
            fail(error);
            return;
        }
        const int status = error.kind() == ErrorKind::NotFound           ? 404
                           : error.kind() == ErrorKind::PermissionDenied ? 403
                                                                         : 500;
        reply->sendJson(status, QJsonObject{{QStringLiteral("error"),
                                             QJsonObject{{QStringLiteral("type"), error.kindName()},
                                                         {QStringLiteral("message"), error.message()}}}});
    };
    serve(requestFrom(httpRequest, *reply), absolutePath, formatter, sink);
}
#endif

} // namespace butler
