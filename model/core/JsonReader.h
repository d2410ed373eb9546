#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QVariant>

namespace butler {

// Reads JSON text in one pass, the caller pulling the values it expects, without building a
// QJsonDocument first. A small request body parsed into a document and converted to variants
// costs several times what the handler's own work does; reading it directly does not. Strict
// RFC 8259: what QJsonDocument rejects, this rejects too, and also what Qt 6.4 lets through
// (invalid escapes, raw control characters, "1." and ".5", lone surrogates) and nesting deeper
// than kMaxDepth. The first error sticks: every later call fails, and error() names it
// with its byte offset.
class JsonReader
{
public:
    enum class Type
    {
        Invalid,
        Null,
        Bool,
        Number,
        String,
        Object,
        Array
    };
    static constexpr int kMaxDepth = 256;

    explicit JsonReader(QByteArrayView utf8)
        : m_text(utf8)
    {
    }

    // The type of the next value, without consuming it; Invalid at the end or after an error.
    Type peek();

    // Objects: beginObject(), then nextMember() until it returns false (at the closing brace,
    // which it consumes, or on an error), reading or skipping one value after each name. The
    // name stays valid until the next call.
    bool beginObject();
    bool nextMember(QByteArrayView& name);
    // Arrays: beginArray(), then nextElement() before each value until it returns false.
    bool beginArray();
    bool nextElement();

    bool readString(QString& out);
    // An integer, or a number with a fraction or exponent whose value is an exact integer.
    bool readInteger(qint64& out);
    bool readDouble(double& out);
    bool readBool(bool& out);
    bool readNull();
    // Strings, numbers (qlonglong when integral, else double), booleans, null (a nullptr
    // QVariant), arrays as QVariantList and objects as QVariantMap: QJsonValue::toVariant()'s
    // mapping.
    bool readVariant(QVariant& out);
    bool skipValue();
    // True when only whitespace is left.
    bool atEnd();
    // The byte offset reached: after peek(), where the next value starts; after reading one,
    // just past it.
    qsizetype offset() const { return m_pos; }

    bool hasError() const { return !m_error.isEmpty(); }
    // "<what went wrong> at offset <n>"; empty without an error.
    QString error() const;
    // Records a caller's own complaint (a field of the wrong type, say) at the current offset.
    bool fail(const QString& message);

private:
    void skipSpace();
    bool expect(char c, const char* what);
    bool readRawString(QByteArrayView& utf8, bool& ascii);
    bool readNumberText(QByteArrayView& text, bool& integral);
    bool enter();

    QByteArrayView m_text;
    qsizetype m_pos = 0;
    int m_depth = 0;
    // Per open container: whether its next member or element is the first.
    bool m_first[kMaxDepth + 1] = {};
    QByteArray m_scratch;
    QString m_error;
    qsizetype m_errorOffset = 0;
};

} // namespace butler
