#include "JsonWriter.h"

#include <QLocale>

#include <charconv>
#include <cmath>

namespace butler {

namespace {

// Appends `text` as a JSON string when it is all ASCII (names, data-ID values and UUIDs nearly
// always are), without the UTF-8 copy QString::toUtf8() makes; false, with `out` untouched,
// when it is not.
bool appendAsciiString(QByteArray& out, QStringView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const char16_t* units = text.utf16();
    const qsizetype n = text.size();
    qsizetype escapes = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = units[i];
        if (c >= 0x80)
            return false;
        if (c < 0x20 || c == u'"' || c == u'\\')
            ++escapes;
    }
    const qsizetype start = out.size();
    out.resize(start + n + 2 + escapes * 6); // \u00XX at most per escape
    char* p = out.data() + start;
    *p++ = '"';
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(units[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = char(c);
            continue;
        }
        *p++ = '\\';
        switch (c) {
        case '"':
            *p++ = '"';
            break;
        case '\\':
            *p++ = '\\';
            break;
        case '\b':
            *p++ = 'b';
            break;
        case '\f':
            *p++ = 'f';
            break;
        case '\n':
            *p++ = 'n';
            break;
        case '\r':
            *p++ = 'r';
            break;
        case '\t':
            *p++ = 't';
            break;
        default:
            *p++ = 'u';
            *p++ = '0';
            *p++ = '0';
            *p++ = kHex[c >> 4];
            *p++ = kHex[c & 0xf];
        }
    }
    *p++ = '"';
    out.truncate(p - out.constData());
    return true;
}

} // namespace

void JsonWriter::separate()
{
    if (m_needComma)
        m_out += ',';
}

void JsonWriter::beginObject()
{
    separate();
    m_out += '{';
    m_needComma = false;
}

void JsonWriter::endObject()
{
    m_out += '}';
    m_needComma = true;
}

void JsonWriter::beginArray()
{
    separate();
    m_out += '[';
    m_needComma = false;
}

void JsonWriter::endArray()
{
    m_out += ']';
    m_needComma = true;
}

void JsonWriter::key(QByteArrayView asciiName)
{
    separate();
    writeString(asciiName);
    m_out += ':';
    m_needComma = false;
}

void JsonWriter::key(const QString& name)
{
    separate();
    if (!appendAsciiString(m_out, name))
        writeString(name.toUtf8());
    m_out += ':';
    m_needComma = false;
}

void JsonWriter::value(const QString& text)
{
    separate();
    if (!appendAsciiString(m_out, text))
        writeString(text.toUtf8());
    m_needComma = true;
}

void JsonWriter::value(QByteArrayView utf8)
{
    separate();
    writeString(utf8);
    m_needComma = true;
}

void JsonWriter::value(qint64 number)
{
    separate();
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    m_out.append(digits, end - digits);
    m_needComma = true;
}

void JsonWriter::value(double number)
{
    separate();
    if (!std::isfinite(number))
        m_out += "null"; // JSON has no NaN or infinity; QJsonDocument writes null too
    else
        m_out += QByteArray::number(number, 'g', QLocale::FloatingPointShortest);
    m_needComma = true;
}

void JsonWriter::value(bool flag)
{
    separate();
    m_out += flag ? "true" : "false";
    m_needComma = true;
}

void JsonWriter::value(const QVariant& variant)
{
    switch (variant.typeId()) {
    case QMetaType::QString:
        value(variant.toString());
        return;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::UInt:
    case QMetaType::UShort:
        value(variant.toLongLong());
        return;
    case QMetaType::ULongLong: {
        // QJsonValue keeps integers up to 2^63 - 1 exact and turns larger ones into doubles.
        const qulonglong n = variant.toULongLong();
        if (n <= qulonglong(std::numeric_limits<qint64>::max()))
            value(qint64(n));
        else
            value(double(n));
        return;
    }
    case QMetaType::Double:
    case QMetaType::Float:
        value(variant.toDouble());
        return;
    case QMetaType::Bool:
        value(variant.toBool());
        return;
    case QMetaType::QByteArray:
        value(QByteArrayView(variant.toByteArray()));
        return;
    default:
        null();
        return;
    }
}

void JsonWriter::null()
{
    separate();
    m_out += "null";
    m_needComma = true;
}

void JsonWriter::raw(QByteArrayView json)
{
    separate();
    m_out += json;
    m_needComma = true;
}

void JsonWriter::stringList(const QStringList& list)
{
    beginArray();
    for (const QString& item : list)
        value(item);
    endArray();
}

void JsonWriter::endLine()
{
    m_out += '\n';
    m_needComma = false;
}

void JsonWriter::writeString(QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    m_out += '"';
    qsizetype plain = 0; // start of the run of bytes that need no escape
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        m_out.append(utf8.data() + plain, i - plain);
        plain = i + 1;
        switch (c) {
        case '"':
            m_out += "\\\"";
            break;
        case '\\':
            m_out += "\\\\";
            break;
        case '\b':
            m_out += "\\b";
            break;
        case '\f':
            m_out += "\\f";
            break;
        case '\n':
            m_out += "\\n";
            break;
        case '\r':
            m_out += "\\r";
            break;
        case '\t':
            m_out += "\\t";
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
            m_out.append(escape, sizeof escape);
        }
        }
    }
    m_out.append(utf8.data() + plain, utf8.size() - plain);
    m_out += '"';
}

} // namespace butler
