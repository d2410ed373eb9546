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
    explicit JsonWriter(qsizetype reserve) { m_out.reserve(reserve); }

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

    const QByteArray& data() const { return m_out; }
    QByteArray take() { return std::move(m_out); }

private:
    void separate();
    void writeString(QByteArrayView utf8);

    QByteArray m_out;
    bool m_needComma = false;
};

} // namespace butler
