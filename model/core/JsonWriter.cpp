#include "JsonWriter.h"

#include <QLocale>

#include <charconv>
#include <cmath>
#include <cstring>

namespace butler {

void JsonWriter::grow(qsizetype n)
{
    m_out.resize(std::max<qsizetype>(2 * m_out.size(), m_size + n + 256));
}

void JsonWriter::put(QByteArrayView bytes)
{
    std::memcpy(room(bytes.size()), bytes.data(), size_t(bytes.size()));
    m_size += bytes.size();
}

// Writes `text` as a JSON string when it is all ASCII (names, data-ID values and UUIDs nearly
// always are), without the UTF-8 copy QString::toUtf8() makes; false, writing nothing, when it
// is not.
bool JsonWriter::writeAsciiString(QStringView text)
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
    char* const start = room(n + 2 + escapes * 6); // \u00XX at most per escape
    char* p = start;
    *p++ = '"';
    if (escapes == 0) {
        for (qsizetype i = 0; i < n; ++i)
            p[i] = char(units[i]);
        p += n;
    } else {
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
    }
    *p++ = '"';
    m_size += p - start;
    return true;
}

void JsonWriter::beginObject()
{
    separate();
    put('{');
    m_needComma = false;
}

void JsonWriter::endObject()
{
    put('}');
    m_needComma = true;
}

void JsonWriter::beginArray()
{
    separate();
    put('[');
    m_needComma = false;
}

void JsonWriter::endArray()
{
    put(']');
    m_needComma = true;
}

void JsonWriter::key(QByteArrayView asciiName)
{
    separate();
    writeString(asciiName);
    put(':');
    m_needComma = false;
}

void JsonWriter::key(const QString& name)
{
    separate();
    if (!writeAsciiString(name))
        writeString(name.toUtf8());
    put(':');
    m_needComma = false;
}

void JsonWriter::value(const QString& text)
{
    separate();
    if (!writeAsciiString(text))
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
    put(QByteArrayView(digits, end - digits));
    m_needComma = true;
}

void JsonWriter::value(double number)
{
    separate();
    if (!std::isfinite(number))
        put(QByteArrayView("null")); // JSON has no NaN or infinity; QJsonDocument writes null too
    else
        put(QByteArray::number(number, 'g', QLocale::FloatingPointShortest));
    m_needComma = true;
}

void JsonWriter::value(bool flag)
{
    separate();
    put(flag ? QByteArrayView("true") : QByteArrayView("false"));
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
    put(QByteArrayView("null"));
    m_needComma = true;
}

void JsonWriter::raw(QByteArrayView json)
{
    separate();
    put(json);
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
    put('\n');
    m_needComma = false;
}

void JsonWriter::writeString(QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    put('"');
    qsizetype plain = 0; // start of the run of bytes that need no escape
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(utf8.sliced(plain, i - plain));
        plain = i + 1;
        switch (c) {
        case '"':
            put(QByteArrayView("\\\""));
            break;
        case '\\':
            put(QByteArrayView("\\\\"));
            break;
        case '\b':
            put(QByteArrayView("\\b"));
            break;
        case '\f':
            put(QByteArrayView("\\f"));
            break;
        case '\n':
            put(QByteArrayView("\\n"));
            break;
        case '\r':
            put(QByteArrayView("\\r"));
            break;
        case '\t':
            put(QByteArrayView("\\t"));
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
            put(QByteArrayView(escape, sizeof escape));
        }
        }
    }
    put(utf8.sliced(plain));
    put('"');
}

} // namespace butler
