#include "JsonBodyReader.h"

#include <QHash>

namespace butler {

JsonBodyReader::JsonBodyReader(QByteArrayView body)
    : m_reader(body)
{
    if (m_reader.atEnd()) {
        m_error = invalidInput(QStringLiteral("the request needs a JSON object as its body"));
        return;
    }
    if (m_reader.peek() != JsonReader::Type::Object) {
        // Valid JSON that is not an object differs from garbage only in the message.
        JsonReader whole(body);
        if (whole.skipValue() && whole.atEnd()) {
            m_error = invalidInput(QStringLiteral("the request body must be a JSON object"));
            return;
        }
        if (!whole.hasError())
            whole.fail(QStringLiteral("unexpected text after the value"));
        m_error = invalidInput(QStringLiteral("the request body is not valid JSON: %1").arg(whole.error()));
        return;
    }
    m_reader.beginObject();
}

bool JsonBodyReader::next(QByteArrayView& name)
{
    if (m_error || m_reader.hasError())
        return false;
    return m_reader.nextMember(name);
}

bool JsonBodyReader::fieldError(const char* key, const char* mustBe)
{
    if (!m_error)
        m_error = invalidInput(
            QStringLiteral("field '%1' must be %2").arg(QLatin1String(key), QLatin1String(mustBe)));
    return false;
}

bool JsonBodyReader::takeNull()
{
    if (m_reader.peek() != JsonReader::Type::Null)
        return false;
    m_reader.readNull();
    return true;
}

void JsonBodyReader::readString(const char* key, std::optional<QString>& out)
{
    if (takeNull()) {
        out.reset();
        return;
    }
    switch (m_reader.peek()) {
    case JsonReader::Type::String: {
        QString text;
        if (m_reader.readString(text))
            out = std::move(text);
        return;
    }
    case JsonReader::Type::Invalid:
        m_reader.skipValue(); // records the syntax error
        return;
    default:
        fieldError(key, "a string");
    }
}

void JsonBodyReader::readStringList(const char* key, std::optional<QStringList>& out)
{
    if (takeNull()) {
        out.reset();
        return;
    }
    switch (m_reader.peek()) {
    case JsonReader::Type::String: {
        QString text;
        if (m_reader.readString(text))
            out = QStringList{std::move(text)};
        return;
    }
    case JsonReader::Type::Array: {
        QStringList list;
        m_reader.beginArray();
        while (m_reader.nextElement()) {
            const JsonReader::Type type = m_reader.peek();
            if (type == JsonReader::Type::Invalid) {
                m_reader.skipValue();
                return;
            }
            if (type != JsonReader::Type::String) {
                fieldError(key, "a list of strings");
                return;
            }
            QString text;
            if (!m_reader.readString(text))
                return;
            list.append(std::move(text));
        }
        if (!m_reader.hasError())
            out = std::move(list);
        return;
    }
    case JsonReader::Type::Invalid:
        m_reader.skipValue();
        return;
    default:
        fieldError(key, "a list of strings");
    }
}

void JsonBodyReader::readObject(const char* key, QVariantMap& out)
{
    if (takeNull()) {
        out.clear();
        return;
    }
    switch (m_reader.peek()) {
    case JsonReader::Type::Object: {
        QVariantMap map;
        m_reader.beginObject();
        QByteArrayView name;
        while (m_reader.nextMember(name)) {
            QVariant value;
            if (!m_reader.readVariant(value))
                return;
            // Writers mostly sort keys (QJsonObject does): appending at the end is then a
            // constant-time insert, and still right (last one wins) when they do not.
            map.insert(map.cend(), memberName(name), value);
        }
        if (!m_reader.hasError())
            out = std::move(map);
        return;
    }
    case JsonReader::Type::Invalid:
        m_reader.skipValue();
        return;
    default:
        fieldError(key, "a JSON object");
    }
}

// The objects read here (data IDs) use a few dimension names over and over: the strings are
// kept per thread and shared, instead of decoded and allocated per request.
QString JsonBodyReader::memberName(QByteArrayView utf8)
{
    thread_local QHash<QByteArray, QString> names;
    constexpr qsizetype kMaxNames = 256;
    const QByteArray key = QByteArray::fromRawData(utf8.data(), utf8.size());
    const auto found = names.constFind(key);
    if (found != names.cend())
        return *found;
    QString name = QString::fromUtf8(utf8);
    if (names.size() < kMaxNames && utf8.size() <= 64)
        names.insert(QByteArray(utf8.data(), utf8.size()), name);
    return name;
}

void JsonBodyReader::readInteger(const char* key, std::optional<qint64>& out, const char* expected)
{
    if (takeNull()) {
        out.reset();
        return;
    }
    switch (m_reader.peek()) {
    case JsonReader::Type::Number: {
        qint64 value = 0;
        JsonReader probe = m_reader;
        if (probe.readInteger(value)) {
            m_reader = probe;
            out = value;
            return;
        }
        // A valid number that is not an integer is the caller's mistake, not a syntax error.
        if (!m_reader.skipValue())
            return;
        fieldError(key, expected);
        return;
    }
    case JsonReader::Type::Invalid:
        m_reader.skipValue();
        return;
    default:
        fieldError(key, expected);
    }
}

void JsonBodyReader::skip()
{
    m_reader.skipValue();
}

Status JsonBodyReader::finish()
{
    if (m_error)
        return *m_error;
    if (!m_reader.hasError() && !m_reader.atEnd())
        m_reader.fail(QStringLiteral("unexpected text after the object"));
    if (m_reader.hasError())
        return invalidInput(QStringLiteral("the request body is not valid JSON: %1").arg(m_reader.error()));
    return {};
}

} // namespace butler
