#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QVariant>

namespace butler {

// Writes compact JSON straight into a byte array. Answers with many dataset refs spend most of
// their time building QJsonObjects and serializing them through QJsonDocument; writing the text
// directly costs a small fraction of that. The output is what QJsonDocument::Compact writes for
// the same values, keys in the order given (callers give them sorted, as QJsonObject has them).
class JsonWriter
{
public:
    JsonWriter() = default;
    explicit JsonWriter(qsizetype reserve) { m_out.resize(reserve); }

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();
    // A member name; the value written next belongs to it.
    void key(QByteArrayView asciiName);
    void key(const QString& name);
    void key(const char* asciiName) { key(QByteArrayView(asciiName)); }

    void value(const QString& text);
    void value(QByteArrayView utf8);
    void value(const char* utf8) { value(QByteArrayView(utf8)); }
    void value(qint64 number);
    void value(int number) { value(qint64(number)); }
    void value(double number);
    void value(bool flag);
    // Strings, integers, floating point and booleans; anything else is written as null.
    void value(const QVariant& variant);
    void null();
    // A complete JSON value written elsewhere.
    void raw(QByteArrayView json);
    void stringList(const QStringList& list);
    // JSON lines: ends the value written so far with a newline; the next one starts a new line.
    void endLine();

    // The text so far (a copy).
    QByteArray data() const { return m_out.first(m_size); }
    QByteArray take()
    {
        m_out.truncate(m_size);
        m_size = 0;
        return std::move(m_out);
    }

private:
    // QByteArray::append(char) is an out-of-line call with detach and growth checks, tens of
    // instructions per byte; the writer keeps its buffer ahead of the text and writes bytes
    // itself. m_out.size() is the room, m_size the text.
    char* room(qsizetype n)
    {
        if (m_size + n > m_out.size())
            grow(n);
        return m_out.data() + m_size;
    }
    void grow(qsizetype n);
    void put(char c)
    {
        *room(1) = c;
        ++m_size;
    }
    void put(QByteArrayView bytes);
    void separate()
    {
        if (m_needComma)
            put(',');
    }
    void writeString(QByteArrayView utf8);
    bool writeAsciiString(QStringView text);

    QByteArray m_out;
    qsizetype m_size = 0;
    bool m_needComma = false;
};

} // namespace butler
