#include "HttpRequestFramer.h"

#include "HexDigit.h"
#include "HttpWire.h"

#include <algorithm>
#include <cstring>

namespace butler {

namespace {

// RFC 9110 token characters: method and field names.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Field values: visible ASCII, space, tab and obs-text; no other control characters.
bool isFieldValue(QByteArrayView text)
{
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t'))
        ++begin;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        --end;
    return text.sliced(begin, end - begin);
}

QByteArrayView withoutCr(QByteArrayView line)
{
    return line.endsWith('\r') ? line.chopped(1) : line;
}

// The comma-separated elements of every field named `name`, trimmed, empty ones dropped.
QList<QByteArrayView> listValues(const QList<QPair<QByteArray, QByteArray>>& headers, const char* name,
                                 int* fieldCount)
{
    QList<QByteArrayView> values;
    *fieldCount = 0;
    for (const auto& [key, value] : headers) {
        if (!HttpWire::sameFieldName(key, name))
            continue;
        ++*fieldCount;
        QByteArrayView rest(value);
        while (!rest.isEmpty()) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView element = trimmedOws(comma < 0 ? rest : rest.first(comma));
            if (!element.isEmpty())
                values.append(element);
            rest = comma < 0 ? QByteArrayView() : rest.sliced(comma + 1);
        }
    }
    return values;
}

} // namespace

HttpRequestFramer::HttpRequestFramer(const HttpLimits& limits)
    : m_limits(limits)
    , m_maxHeaderBytes(qBound(256, limits.maxHeaderBytes, kMaxHeaderBytes))
{
}

void HttpRequestFramer::append(const char* data, qsizetype size)
{
    if (size > 0 && m_state != State::Failed)
        m_buffer.append(data, size);
}

void HttpRequestFramer::append(const QByteArray& data)
{
    if (data.isEmpty() || m_state == State::Failed)
        return;
    if (m_buffer.isEmpty())
        m_buffer = data; // shares the bytes instead of copying them
    else
        m_buffer.append(data);
}

HttpRequestFramer::State HttpRequestFramer::advance()
{
    switch (m_state) {
    case State::Complete:
    case State::Failed:
        return m_state;
    case State::Idle: {
        // RFC 9112 2.2: empty lines before a request line are ignored.
        qsizetype skip = 0;
        while (skip < m_buffer.size() && (m_buffer[skip] == '\r' || m_buffer[skip] == '\n'))
            ++skip;
        if (skip > 0)
            m_buffer.remove(0, skip);
        if (m_buffer.isEmpty())
            return m_state;
        m_state = State::Head;
        m_scan = 0;
        m_lineStart = 0;
        m_lineChecked = 0;
        m_linePart = 0;
        m_partSize = 0;
        [[fallthrough]];
    }
    case State::Head:
        if (advanceHead() != State::Body)
            return m_state;
        [[fallthrough]];
    case State::Body:
        return advanceBody();
    case State::HeadReady:
        return m_state;
    }
    return m_state;
}

qint64 HttpRequestFramer::contentLength() const
{
    return m_bodyMode == BodyMode::Chunked ? -1 : m_contentLength;
}

HttpRequestFramer::State HttpRequestFramer::bufferBody()
{
    if (m_state != State::HeadReady)
        return m_state;
    if (m_bodyMode == BodyMode::Length && m_contentLength > m_limits.maxBodyBytes)
        return fail(413, "payload_too_large",
                    QStringLiteral("the request body of %1 bytes exceeds %2 bytes")
                        .arg(m_contentLength)
                        .arg(m_limits.maxBodyBytes));
    m_state = State::Body;
    return advance();
}

HttpRequestFramer::State HttpRequestFramer::streamBody()
{
    if (m_state != State::HeadReady)
        return m_state;
    if (m_bodyMode == BodyMode::Chunked)
        return fail(411, "length_required", QStringLiteral("this request needs a Content-Length"));
    m_streaming = true;
    m_streamRemaining = m_contentLength;
    m_state = State::Body;
    return advance();
}

QByteArray HttpRequestFramer::takeStreamedBytes()
{
    if (!m_streaming || m_state != State::Body || m_buffer.isEmpty() || m_streamRemaining == 0)
        return {};
    QByteArray out;
    if (m_buffer.size() <= m_streamRemaining) {
        out = std::move(m_buffer);
        m_buffer = QByteArray();
    } else {
        out = m_buffer.first(qsizetype(m_streamRemaining));
        m_buffer.remove(0, qsizetype(m_streamRemaining));
    }
    m_streamRemaining -= out.size();
    return out;
}

HttpRequestFramer::State HttpRequestFramer::advanceHead()
{
    const char* data = m_buffer.constData();
    for (;;) {
        const auto* newline =
            static_cast<const char*>(std::memchr(data + m_scan, '\n', size_t(m_buffer.size() - m_scan)));
        if (m_lineStart == 0 && !requestLinePrefixValid(newline ? newline - data : m_buffer.size()))
            return fail(400, "bad_request", QStringLiteral("malformed request line"));
        if (!newline) {
            m_scan = m_buffer.size();
            if (m_scan > m_maxHeaderBytes)
                return fail(431, "header_too_large",
                            QStringLiteral("the request header exceeds %1 bytes").arg(m_maxHeaderBytes));
            if (m_lineStart > 0 && m_scan - m_lineStart > kMaxFieldLineBytes)
                return fail(431, "header_too_large",
                            QStringLiteral("a header field exceeds %1 bytes").arg(kMaxFieldLineBytes));
            return m_state;
        }
        const qsizetype end = newline - data;
        const QByteArrayView line = withoutCr(QByteArrayView(data + m_lineStart, end - m_lineStart));
        m_scan = end + 1;
        if (m_scan > m_maxHeaderBytes)
            return fail(431, "header_too_large",
                        QStringLiteral("the request header exceeds %1 bytes").arg(m_maxHeaderBytes));
        if (line.isEmpty()) {
            const State state = finishHead(QByteArrayView(data, m_lineStart));
            if (state == State::Failed)
                return state;
            m_buffer.remove(0, m_scan);
            m_scan = 0;
            m_lineStart = 0;
            m_state = m_pauseAfterHead ? State::HeadReady : State::Body;
            return m_state;
        }
        if (m_lineStart > 0 && line.size() > kMaxFieldLineBytes)
            return fail(431, "header_too_large",
                        QStringLiteral("a header field exceeds %1 bytes").arg(kMaxFieldLineBytes));
        m_lineStart = m_scan;
    }
}

// Checks the request line as its bytes arrive, so binary garbage (a TLS handshake, say) gets
// its 400 at once instead of after the header timeout. The full parse follows at the newline.
bool HttpRequestFramer::requestLinePrefixValid(qsizetype end)
{
    static constexpr char kVersion[] = "HTTP/d.d\r";
    for (; m_lineChecked < end; ++m_lineChecked) {
        const char c = m_buffer[m_lineChecked];
        if (m_linePart < 2 && c == ' ') {
            if (m_partSize == 0)
                return false;
            ++m_linePart;
            m_partSize = 0;
            continue;
        }
        if (m_linePart == 0 && !isTokenChar(c))
            return false;
        if (m_linePart == 1 &&
            (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f))
            return false;
        if (m_linePart == 2) {
            if (m_partSize >= int(sizeof kVersion) - 1)
                return false;
            const char expected = kVersion[m_partSize];
            if (expected == 'd' ? (c < '0' || c > '9') : c != expected)
                return false;
        }
        ++m_partSize;
    }
    return true;
}

HttpRequestFramer::State HttpRequestFramer::finishHead(QByteArrayView head)
{
    m_request = Request();
    bool first = true;
    while (!head.isEmpty()) {
        const qsizetype newline = head.indexOf('\n');
        const QByteArrayView line = withoutCr(head.first(newline));
        head = head.sliced(newline + 1);
        const State state = first ? parseRequestLine(line) : parseFieldLine(line);
        if (state == State::Failed)
            return state;
        first = false;
    }
    return checkFraming();
}

HttpRequestFramer::State HttpRequestFramer::parseRequestLine(QByteArrayView line)
{
    // request-line = method SP request-target SP HTTP-version, single spaces (RFC 9112 3).
    const qsizetype space1 = line.indexOf(' ');
    const qsizetype space2 = space1 > 0 ? line.indexOf(' ', space1 + 1) : -1;
    if (space1 <= 0 || space2 < 0)
        return fail(400, "bad_request", QStringLiteral("malformed request line"));
    const QByteArrayView method = line.first(space1);
    const QByteArrayView target = line.sliced(space1 + 1, space2 - space1 - 1);
    const QByteArrayView version = line.sliced(space2 + 1);
    if (!isToken(method))
        return fail(400, "bad_request", QStringLiteral("malformed request method"));
    if (target.isEmpty())
        return fail(400, "bad_request", QStringLiteral("malformed request line"));
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return fail(400, "bad_request", QStringLiteral("invalid character in the request target"));
    }
    const bool originForm = target.startsWith('/');
    const bool asteriskForm = target == "*" && method == "OPTIONS";
    const bool absoluteForm =
        target.size() > 7 && (HttpWire::sameFieldName(target.first(7), "http://") ||
                              (target.size() > 8 && HttpWire::sameFieldName(target.first(8), "https://")));
    if (!originForm && !asteriskForm && !absoluteForm)
        return fail(400, "bad_request", QStringLiteral("unsupported request target"));
    if (version == "HTTP/1.1") {
        m_request.minorVersion = 1;
    } else if (version == "HTTP/1.0") {
        m_request.minorVersion = 0;
    } else if (version.size() == 8 && version.startsWith("HTTP/") && version[6] == '.') {
        return fail(400, "bad_request",
                    QStringLiteral("unsupported HTTP version %1").arg(QString::fromLatin1(version)));
    } else {
        return fail(400, "bad_request", QStringLiteral("malformed request line"));
    }
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    return m_state;
}

HttpRequestFramer::State HttpRequestFramer::parseFieldLine(QByteArrayView line)
{
    if (line.startsWith(' ') || line.startsWith('\t'))
        return fail(400, "bad_request", QStringLiteral("folded header field lines are not accepted"));
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return fail(400, "bad_request", QStringLiteral("malformed header field"));
    const QByteArrayView name = line.first(colon);
    if (!isToken(name))
        return fail(400, "bad_request", QStringLiteral("malformed header field name"));
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    if (!isFieldValue(value))
        return fail(400, "bad_request",
                    QStringLiteral("invalid character in header field %1").arg(QString::fromLatin1(name)));
    if (m_request.headers.size() >= kMaxFields)
        return fail(431, "header_too_large", QStringLiteral("more than %1 header fields").arg(kMaxFields));
    m_request.headers.append({name.toByteArray(), value.toByteArray()});
    return m_state;
}

HttpRequestFramer::State HttpRequestFramer::checkFraming()
{
    const bool http11 = m_request.minorVersion == 1;
    int hostFields = 0;
    listValues(m_request.headers, "host", &hostFields);
    if (hostFields > 1 || (http11 && hostFields == 0))
        return fail(400, "bad_request", QStringLiteral("an HTTP/1.1 request needs exactly one Host header"));

    int transferFields = 0;
    const QList<QByteArrayView> codings = listValues(m_request.headers, "transfer-encoding", &transferFields);
    int lengthFields = 0;
    const QList<QByteArrayView> lengths = listValues(m_request.headers, "content-length", &lengthFields);
    m_bodyMode = BodyMode::None;
    m_contentLength = 0;
    if (transferFields > 0) {
        // Both framings at once is the classic request smuggling vector (RFC 9112 6.3).
        if (lengthFields > 0)
            return fail(400, "bad_request", QStringLiteral("both Content-Length and Transfer-Encoding"));
        if (!http11)
            return fail(400, "bad_request", QStringLiteral("Transfer-Encoding in an HTTP/1.0 request"));
        if (codings.size() != 1 || !HttpWire::sameFieldName(codings.first(), "chunked")) {
            const bool known = !codings.isEmpty() && std::all_of(codings.begin(), codings.end(), isToken);
            if (known && !HttpWire::sameFieldName(codings.last(), "chunked"))
                return fail(400, "bad_request", QStringLiteral("the request body has no chunked framing"));
            if (known)
                return fail(501, "not_implemented",
                            QStringLiteral("only the chunked transfer coding is supported"));
            return fail(400, "bad_request", QStringLiteral("malformed Transfer-Encoding"));
        }
        m_bodyMode = BodyMode::Chunked;
        m_request.chunked = true;
    } else if (lengthFields > 0) {
        QByteArrayView digits;
        for (QByteArrayView element : lengths) {
            for (char c : element) {
                if (c < '0' || c > '9')
                    return fail(400, "bad_request", QStringLiteral("malformed Content-Length"));
            }
            while (element.size() > 1 && element.startsWith('0'))
                element = element.sliced(1);
            if (!digits.isEmpty() && digits != element)
                return fail(400, "bad_request", QStringLiteral("conflicting Content-Length values"));
            digits = element;
        }
        if (digits.isEmpty())
            return fail(400, "bad_request", QStringLiteral("malformed Content-Length"));
        if (digits.size() > 18)
            return fail(413, "payload_too_large",
                        QStringLiteral("the request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
        m_contentLength = digits.toLongLong();
        // Paused: bufferBody() applies the limit; a streamed body has the planner's.
        if (m_contentLength > m_limits.maxBodyBytes && !m_pauseAfterHead)
            return fail(413, "payload_too_large",
                        QStringLiteral("the request body of %1 bytes exceeds %2 bytes")
                            .arg(m_contentLength)
                            .arg(m_limits.maxBodyBytes));
        if (m_contentLength > 0)
            m_bodyMode = BodyMode::Length;
    }

    int expectFields = 0;
    const QList<QByteArrayView> expectations = listValues(m_request.headers, "expect", &expectFields);
    m_expectContinue = false;
    m_continueSent = false;
    if (expectFields > 0) {
        if (expectations.size() != 1 || !HttpWire::sameFieldName(expectations.first(), "100-continue"))
            return fail(417, "expectation_failed",
                        QStringLiteral("only \"Expect: 100-continue\" is supported"));
        m_expectContinue = true;
    }

    int connectionFields = 0;
    const QList<QByteArrayView> options = listValues(m_request.headers, "connection", &connectionFields);
    m_request.keepAlive = http11;
    for (QByteArrayView option : options) {
        if (HttpWire::sameFieldName(option, "close"))
            m_request.keepAlive = false;
    }
    m_chunkStep = ChunkStep::Size;
    m_chunkRemaining = 0;
    m_trailerBytes = 0;
    return m_state;
}

HttpRequestFramer::State HttpRequestFramer::advanceBody()
{
    switch (m_bodyMode) {
    case BodyMode::None:
        return complete();
    case BodyMode::Length:
        if (m_streaming)
            return m_streamRemaining == 0 ? complete() : m_state;
        if (m_buffer.size() < m_contentLength)
            return m_state;
        if (m_buffer.size() == m_contentLength) {
            m_request.body = std::move(m_buffer);
            m_buffer = QByteArray();
        } else {
            m_request.body = m_buffer.first(qsizetype(m_contentLength));
            m_buffer.remove(0, qsizetype(m_contentLength));
        }
        return complete();
    case BodyMode::Chunked:
        return advanceChunked();
    }
    return m_state;
}

HttpRequestFramer::State HttpRequestFramer::advanceChunked()
{
    for (;;) {
        switch (m_chunkStep) {
        case ChunkStep::Size: {
            const qsizetype newline = m_buffer.indexOf('\n');
            if (newline < 0) {
                if (m_buffer.size() > kMaxChunkLineBytes)
                    return fail(400, "bad_request", QStringLiteral("chunk size line too long"));
                return m_state;
            }
            if (newline > kMaxChunkLineBytes)
                return fail(400, "bad_request", QStringLiteral("chunk size line too long"));
            const QByteArrayView line = withoutCr(QByteArrayView(m_buffer).first(newline));
            qsizetype digits = 0;
            qint64 size = 0;
            while (digits < line.size() && hexDigitValue(line[digits]) >= 0) {
                if (digits == 15)
                    return fail(
                        413, "payload_too_large",
                        QStringLiteral("the request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
                size = size * 16 + hexDigitValue(line[digits]);
                ++digits;
            }
            if (digits == 0)
                return fail(400, "bad_request", QStringLiteral("malformed chunk size"));
            // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): accepted and ignored.
            const QByteArrayView rest = trimmedOws(line.sliced(digits));
            if (!rest.isEmpty() && (!rest.startsWith(';') || !isFieldValue(rest)))
                return fail(400, "bad_request", QStringLiteral("malformed chunk size"));
            m_buffer.remove(0, newline + 1);
            if (size == 0) {
                m_chunkStep = ChunkStep::Trailers;
                m_trailerBytes = 0;
                break;
            }
            if (m_request.body.size() + size > m_limits.maxBodyBytes)
                return fail(413, "payload_too_large",
                            QStringLiteral("the request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
            m_chunkRemaining = size;
            m_chunkStep = ChunkStep::Data;
            break;
        }
        case ChunkStep::Data: {
            const qsizetype take = qsizetype(qMin<qint64>(m_chunkRemaining, m_buffer.size()));
            m_request.body.append(m_buffer.constData(), take);
            m_buffer.remove(0, take);
            m_chunkRemaining -= take;
            if (m_chunkRemaining > 0)
                return m_state;
            m_chunkStep = ChunkStep::DataEnd;
            break;
        }
        case ChunkStep::DataEnd:
            if (m_buffer.size() < 2) {
                if (!m_buffer.isEmpty() && m_buffer[0] != '\r')
                    return fail(400, "bad_request", QStringLiteral("chunk data not followed by CRLF"));
                return m_state;
            }
            if (!m_buffer.startsWith("\r\n"))
                return fail(400, "bad_request", QStringLiteral("chunk data not followed by CRLF"));
            m_buffer.remove(0, 2);
            m_chunkStep = ChunkStep::Size;
            break;
        case ChunkStep::Trailers: {
            const qsizetype newline = m_buffer.indexOf('\n');
            if (newline < 0) {
                if (m_trailerBytes + m_buffer.size() > m_maxHeaderBytes)
                    return fail(431, "header_too_large", QStringLiteral("the trailer section is too large"));
                return m_state;
            }
            m_trailerBytes += newline + 1;
            if (m_trailerBytes > m_maxHeaderBytes)
                return fail(431, "header_too_large", QStringLiteral("the trailer section is too large"));
            const QByteArrayView line = withoutCr(QByteArrayView(m_buffer).first(newline));
            if (line.isEmpty()) {
                m_buffer.remove(0, newline + 1);
                return complete();
            }
            // Trailer fields are checked like header fields and then dropped.
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.first(colon)) || !isFieldValue(line.sliced(colon + 1)))
                return fail(400, "bad_request", QStringLiteral("malformed trailer field"));
            m_buffer.remove(0, newline + 1);
            break;
        }
        }
    }
}

HttpRequestFramer::State HttpRequestFramer::complete()
{
    m_state = State::Complete;
    return m_state;
}

HttpRequestFramer::Request HttpRequestFramer::takeRequest()
{
    Request request = std::move(m_request);
    m_request = Request();
    m_state = State::Idle;
    m_bodyMode = BodyMode::None;
    m_contentLength = 0;
    m_streaming = false;
    m_streamRemaining = 0;
    m_expectContinue = false;
    m_continueSent = false;
    return request;
}

bool HttpRequestFramer::wantsContinue() const
{
    return m_state == State::Body && m_expectContinue && !m_continueSent && m_request.minorVersion == 1;
}

HttpRequestFramer::State HttpRequestFramer::fail(int status, const char* type, const QString& message)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorType = QByteArray(type);
    m_errorMessage = message;
    m_buffer.clear();
    return m_state;
}

} // namespace butler
