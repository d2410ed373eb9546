#include "HttpRequest.h"

#include "HttpWire.h"

namespace butler {

HttpRequest::HttpRequest(QByteArray method, QByteArray target, QList<Field> headers, QByteArray body)
    : m_method(std::move(method))
    , m_target(std::move(target))
    , m_headers(std::move(headers))
    , m_body(std::move(body))
{
}

QByteArrayView HttpRequest::originPart() const
{
    if (m_target.startsWith('/'))
        return QByteArrayView(m_target);
    if (m_target == "*")
        return {};
    // Absolute form (http://host/path?query): what follows the authority.
    const qsizetype scheme = m_target.indexOf("://");
    if (scheme < 0)
        return {};
    const qsizetype start = m_target.indexOf('/', scheme + 3);
    const qsizetype query = m_target.indexOf('?', scheme + 3);
    if (start < 0 || (query >= 0 && query < start))
        return query < 0 ? QByteArrayView() : QByteArrayView(m_target).sliced(query);
    return QByteArrayView(m_target).sliced(start);
}

QByteArray HttpRequest::encodedPath() const
{
    const QByteArrayView part = originPart();
    const qsizetype query = part.indexOf('?');
    const QByteArrayView path = query < 0 ? part : part.first(query);
    if (path.isEmpty() && !m_target.startsWith('/') && m_target != "*")
        return QByteArrayLiteral("/");
    return path.toByteArray();
}

QString HttpRequest::path() const
{
    return QUrl::fromPercentEncoding(encodedPath());
}

QByteArray HttpRequest::encodedQuery() const
{
    const QByteArrayView part = originPart();
    const qsizetype query = part.indexOf('?');
    return query < 0 ? QByteArray() : part.sliced(query + 1).toByteArray();
}

QUrlQuery HttpRequest::query() const
{
    return QUrlQuery(QString::fromLatin1(encodedQuery()));
}

QUrl HttpRequest::url() const
{
    if (m_target.startsWith('/'))
        return QUrl::fromEncoded(m_target);
    const QByteArray query = encodedQuery();
    return QUrl::fromEncoded(query.isEmpty() ? encodedPath() : encodedPath() + '?' + query);
}

QByteArray HttpRequest::value(QByteArrayView name) const
{
    QByteArray joined;
    bool found = false;
    for (const Field& field : m_headers) {
        if (!HttpWire::sameFieldName(field.first, name))
            continue;
        if (found)
            joined += ", ";
        joined += field.second;
        found = true;
    }
    return joined;
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const Field& field : m_headers) {
        if (HttpWire::sameFieldName(field.first, name))
            return true;
    }
    return false;
}

} // namespace butler
