#include "JsonReader.h"

#include "HexDigit.h"

#include <QStringDecoder>
#include <QVariantList>
#include <QVariantMap>

#include <charconv>
#include <cmath>

namespace butler {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

void appendUtf8(QByteArray& out, char32_t code)
{
    if (code < 0x80) {
        out += char(code);
    } else if (code < 0x800) {
        out += char(0xc0 | (code >> 6));
        out += char(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
        out += char(0xe0 | (code >> 12));
        out += char(0x80 | ((code >> 6) & 0x3f));
        out += char(0x80 | (code & 0x3f));
    } else {
        out += char(0xf0 | (code >> 18));
        out += char(0x80 | ((code >> 12) & 0x3f));
        out += char(0x80 | ((code >> 6) & 0x3f));
        out += char(0x80 | (code & 0x3f));
    }
}

} // namespace

QString JsonReader::error() const
{
    if (m_error.isEmpty())
        return {};
    return QStringLiteral("%1 at offset %2").arg(m_error).arg(m_errorOffset);
}

bool JsonReader::fail(const QString& message)
{
    if (m_error.isEmpty()) {
        m_error = message;
        m_errorOffset = m_pos;
    }
    return false;
}

void JsonReader::skipSpace()
{
    while (m_pos < m_text.size() && isSpace(m_text[m_pos]))
        ++m_pos;
}

bool JsonReader::expect(char c, const char* what)
{
    if (hasError())
        return false;
    skipSpace();
    if (m_pos >= m_text.size() || m_text[m_pos] != c)
        return fail(m_pos >= m_text.size()
                        ? QStringLiteral("unexpected end, expected %1").arg(QLatin1String(what))
                        : QStringLiteral("expected %1").arg(QLatin1String(what)));
    ++m_pos;
    return true;
}

JsonReader::Type JsonReader::peek()
{
    if (hasError())
        return Type::Invalid;
    skipSpace();
    if (m_pos >= m_text.size())
        return Type::Invalid;
    switch (m_text[m_pos]) {
    case '{':
        return Type::Object;
    case '[':
        return Type::Array;
    case '"':
        return Type::String;
    case 't':
    case 'f':
        return Type::Bool;
    case 'n':
        return Type::Null;
    default:
        return m_text[m_pos] == '-' || isDigit(m_text[m_pos]) ? Type::Number : Type::Invalid;
    }
}

bool JsonReader::enter()
{
    if (m_depth >= kMaxDepth)
        return fail(QStringLiteral("nesting deeper than %1 levels").arg(kMaxDepth));
    m_first[++m_depth] = true;
    return true;
}

bool JsonReader::beginObject()
{
    return expect('{', "an object") && enter();
}

bool JsonReader::beginArray()
{
    return expect('[', "an array") && enter();
}

bool JsonReader::nextMember(QByteArrayView& name)
{
    if (hasError() || m_depth == 0)
        return fail(QStringLiteral("no open object"));
    skipSpace();
    if (m_pos < m_text.size() && m_text[m_pos] == '}') {
        ++m_pos;
        --m_depth;
        return false;
    }
    const bool first = m_first[m_depth];
    if (!first && !expect(',', "',' or '}'"))
        return false;
    m_first[m_depth] = false;
    skipSpace();
    if (m_pos >= m_text.size() || m_text[m_pos] != '"')
        return fail(first ? QStringLiteral("expected a member name or '}'")
                          : QStringLiteral("expected a member name"));
    bool ascii = true;
    const qsizetype start = m_pos;
    if (!readRawString(name, ascii))
        return false;
    if (!ascii) {
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = decoder(name);
        if (decoder.hasError()) {
            m_pos = start;
            return fail(QStringLiteral("invalid UTF-8 in a member name"));
        }
    }
    return expect(':', "':' after the member name");
}

bool JsonReader::nextElement()
{
    if (hasError() || m_depth == 0)
        return fail(QStringLiteral("no open array"));
    skipSpace();
    if (m_pos < m_text.size() && m_text[m_pos] == ']') {
        ++m_pos;
        --m_depth;
        return false;
    }
    if (!m_first[m_depth] && !expect(',', "',' or ']'"))
        return false;
    m_first[m_depth] = false;
    return true;
}

// The string at m_pos (its opening quote), unescaped: a view into the text when it has no
// escapes, else into m_scratch. `ascii` tells whether every byte is below 0x80.
bool JsonReader::readRawString(QByteArrayView& utf8, bool& ascii)
{
    const qsizetype start = ++m_pos;
    const qsizetype n = m_text.size();
    const char* text = m_text.data();
    ascii = true;
    qsizetype i = start;
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"') {
            utf8 = m_text.sliced(start, i - start);
            m_pos = i + 1;
            return true;
        }
        if (c == '\\')
            break;
        if (c < 0x20) {
            m_pos = i;
            return fail(QStringLiteral("control character in a string"));
        }
        if (c >= 0x80)
            ascii = false;
        ++i;
    }
    // Escapes: unescape into the scratch buffer.
    m_scratch.clear();
    m_scratch.append(text + start, i - start);
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"') {
            utf8 = QByteArrayView(m_scratch);
            m_pos = i + 1;
            return true;
        }
        if (c < 0x20) {
            m_pos = i;
            return fail(QStringLiteral("control character in a string"));
        }
        if (c != '\\') {
            if (c >= 0x80)
                ascii = false;
            m_scratch += char(c);
            ++i;
            continue;
        }
        if (i + 1 >= n)
            break;
        const char e = text[i + 1];
        i += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            m_scratch += e;
            continue;
        case 'b':
            m_scratch += '\b';
            continue;
        case 'f':
            m_scratch += '\f';
            continue;
        case 'n':
            m_scratch += '\n';
            continue;
        case 'r':
            m_scratch += '\r';
            continue;
        case 't':
            m_scratch += '\t';
            continue;
        case 'u':
            break;
        default:
            m_pos = i - 2;
            return fail(QStringLiteral("invalid escape sequence in a string"));
        }
        auto hex4 = [&](qsizetype at, char32_t& code) {
            if (at + 4 > n)
                return false;
            code = 0;
            for (qsizetype k = at; k < at + 4; ++k) {
                const int v = hexDigitValue(text[k]);
                if (v < 0)
                    return false;
                code = code * 16 + char32_t(v);
            }
            return true;
        };
        char32_t code = 0;
        if (!hex4(i, code)) {
            m_pos = i - 2;
            return fail(QStringLiteral("invalid \\u escape in a string"));
        }
        i += 4;
        if (code >= 0xd800 && code < 0xdc00) {
            char32_t low = 0;
            if (i + 6 > n || text[i] != '\\' || text[i + 1] != 'u' || !hex4(i + 2, low) || low < 0xdc00 ||
                low >= 0xe000) {
                m_pos = i - 6;
                return fail(QStringLiteral("unpaired surrogate in a string"));
            }
            i += 6;
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        } else if (code >= 0xdc00 && code < 0xe000) {
            m_pos = i - 6;
            return fail(QStringLiteral("unpaired surrogate in a string"));
        }
        if (code >= 0x80)
            ascii = false;
        appendUtf8(m_scratch, code);
    }
    m_pos = n;
    return fail(QStringLiteral("unterminated string"));
}

bool JsonReader::readString(QString& out)
{
    if (peek() != Type::String)
        return fail(QStringLiteral("expected a string"));
    QByteArrayView utf8;
    bool ascii = true;
    const qsizetype start = m_pos;
    if (!readRawString(utf8, ascii))
        return false;
    if (ascii) {
        out = QString::fromLatin1(utf8);
        return true;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    out = decoder(utf8);
    if (decoder.hasError()) {
        m_pos = start;
        return fail(QStringLiteral("invalid UTF-8 in a string"));
    }
    return true;
}

// The text of the number at m_pos, checked against RFC 8259's grammar.
bool JsonReader::readNumberText(QByteArrayView& text, bool& integral)
{
    if (peek() != Type::Number)
        return fail(QStringLiteral("expected a number"));
    const qsizetype start = m_pos;
    const qsizetype n = m_text.size();
    qsizetype i = start;
    if (m_text[i] == '-')
        ++i;
    if (i >= n || !isDigit(m_text[i]))
        return fail(QStringLiteral("invalid number"));
    if (m_text[i] == '0') {
        ++i;
    } else {
        while (i < n && isDigit(m_text[i]))
            ++i;
    }
    integral = true;
    if (i < n && m_text[i] == '.') {
        integral = false;
        ++i;
        if (i >= n || !isDigit(m_text[i])) {
            m_pos = i;
            return fail(QStringLiteral("invalid number: digits must follow '.'"));
        }
        while (i < n && isDigit(m_text[i]))
            ++i;
    }
    if (i < n && (m_text[i] == 'e' || m_text[i] == 'E')) {
        integral = false;
        ++i;
        if (i < n && (m_text[i] == '+' || m_text[i] == '-'))
            ++i;
        if (i >= n || !isDigit(m_text[i])) {
            m_pos = i;
            return fail(QStringLiteral("invalid number: digits must follow the exponent"));
        }
        while (i < n && isDigit(m_text[i]))
            ++i;
    }
    text = m_text.sliced(start, i - start);
    m_pos = i;
    return true;
}

bool JsonReader::readInteger(qint64& out)
{
    QByteArrayView text;
    bool integral = false;
    const qsizetype start = m_pos;
    if (!readNumberText(text, integral))
        return false;
    if (integral) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec == std::errc() && end == text.data() + text.size())
            return true;
    } else {
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        // 2^63 itself is not a qint64.
        if (ec == std::errc() && std::trunc(value) == value && value >= -9223372036854775808.0 &&
            value < 9223372036854775808.0) {
            out = qint64(value);
            return true;
        }
    }
    m_pos = start;
    return fail(QStringLiteral("expected an integer (at most 64 bits)"));
}

bool JsonReader::readDouble(double& out)
{
    QByteArrayView text;
    bool integral = false;
    const qsizetype start = m_pos;
    if (!readNumberText(text, integral))
        return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc::result_out_of_range) {
        m_pos = start;
        return fail(QStringLiteral("number out of range"));
    }
    return true;
}

bool JsonReader::readBool(bool& out)
{
    if (peek() != Type::Bool)
        return fail(QStringLiteral("expected true or false"));
    if (m_text.sliced(m_pos).startsWith("true")) {
        out = true;
        m_pos += 4;
        return true;
    }
    if (m_text.sliced(m_pos).startsWith("false")) {
        out = false;
        m_pos += 5;
        return true;
    }
    return fail(QStringLiteral("invalid literal"));
}

bool JsonReader::readNull()
{
    if (peek() != Type::Null)
        return fail(QStringLiteral("expected null"));
    if (!m_text.sliced(m_pos).startsWith("null"))
        return fail(QStringLiteral("invalid literal"));
    m_pos += 4;
    return true;
}

bool JsonReader::readVariant(QVariant& out)
{
    switch (peek()) {
    case Type::Null:
        out = QVariant::fromValue(nullptr);
        return readNull();
    case Type::Bool: {
        bool flag = false;
        if (!readBool(flag))
            return false;
        out = flag;
        return true;
    }
    case Type::Number: {
        QByteArrayView text;
        bool integral = false;
        const qsizetype start = m_pos;
        if (!readNumberText(text, integral))
            return false;
        if (integral) {
            qint64 value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec == std::errc()) {
                out = qlonglong(value);
                return true;
            }
        }
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc::result_out_of_range) {
            m_pos = start;
            return fail(QStringLiteral("number out of range"));
        }
        out = value;
        return true;
    }
    case Type::String: {
        QString text;
        if (!readString(text))
            return false;
        out = std::move(text);
        return true;
    }
    case Type::Array: {
        if (!beginArray())
            return false;
        QVariantList list;
        while (nextElement()) {
            QVariant element;
            if (!readVariant(element))
                return false;
            list.append(std::move(element));
        }
        if (hasError())
            return false;
        out = std::move(list);
        return true;
    }
    case Type::Object: {
        if (!beginObject())
            return false;
        QVariantMap map;
        QByteArrayView name;
        while (nextMember(name)) {
            const QString key = QString::fromUtf8(name);
            QVariant value;
            if (!readVariant(value))
                return false;
            // Writers mostly sort keys (QJsonObject does): appending at the end is then a
            // constant-time insert, and still right (last one wins) when they do not.
            map.insert(map.cend(), key, value);
        }
        if (hasError())
            return false;
        out = std::move(map);
        return true;
    }
    case Type::Invalid:
        break;
    }
    return fail(m_pos >= m_text.size() ? QStringLiteral("unexpected end, expected a value")
                                       : QStringLiteral("expected a value"));
}

bool JsonReader::skipValue()
{
    switch (peek()) {
    case Type::Null:
        return readNull();
    case Type::Bool: {
        bool flag = false;
        return readBool(flag);
    }
    case Type::Number: {
        QByteArrayView text;
        bool integral = false;
        return readNumberText(text, integral);
    }
    case Type::String: {
        QString text;
        return readString(text);
    }
    case Type::Array:
        if (!beginArray())
            return false;
        while (nextElement()) {
            if (!skipValue())
                return false;
        }
        return !hasError();
    case Type::Object: {
        if (!beginObject())
            return false;
        QByteArrayView name;
        while (nextMember(name)) {
            if (!skipValue())
                return false;
        }
        return !hasError();
    }
    case Type::Invalid:
        break;
    }
    return fail(m_pos >= m_text.size() ? QStringLiteral("unexpected end, expected a value")
                                       : QStringLiteral("expected a value"));
}

bool JsonReader::atEnd()
{
    if (hasError())
        return false;
    skipSpace();
    return m_pos >= m_text.size();
}

} // namespace butler
