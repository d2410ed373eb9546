#include "OutputTable.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <iterator>

namespace butler {

namespace {

const QLatin1String kFormatNames[] = {QLatin1String("table"), QLatin1String("json"), QLatin1String("csv")};

// Output is rendered into a plain UTF-16 string, whose appends are inlined (QString's are
// calls into the library, a cost per field and separator), and handed to the stream in
// large pieces.
using Text = std::u16string;

constexpr size_t kChunkSize = 1 << 17;

void put(Text& out, QStringView text)
{
    out.append(text.utf16(), size_t(text.size()));
}

// ASCII only: digits and the like. (append() of a char range would build a temporary string.)
void putAscii(Text& out, const char* begin, const char* end)
{
    const size_t at = out.size();
    out.resize(at + size_t(end - begin));
    std::copy(begin, end, out.begin() + qsizetype(at));
}

void writeText(QTextStream& out, const Text& text)
{
    out << QStringView(text.data(), qsizetype(text.size()));
}

void flushIfFull(Text& buffer, QTextStream& out)
{
    if (buffer.size() >= kChunkSize) {
        writeText(out, buffer);
        buffer.clear();
    }
}

QString toQString(const Text& text)
{
    return QStringView(text.data(), qsizetype(text.size())).toString();
}

// Integral values print as integers (30.0 -> "30"); others in the shortest form that reads
// back to the same double (0.1 -> "0.1"). std::to_chars never consults the locale and is far
// cheaper than QString::number for doubles, which matters at a million cells.
void appendNumber(Text& out, const QJsonValue& value)
{
    const double d = value.toDouble();
    char buffer[32];
    std::to_chars_result result{};
    if (std::isnan(d)) {
        out += u"nan";
        return;
    } else if (std::isinf(d)) {
        out += d > 0 ? u"inf" : u"-inf";
        return;
    } else if (d == std::trunc(d) && std::fabs(d) < 9.0e18) {
        // toInteger() keeps the exact value of integers beyond 2^53 that toDouble() rounds.
        result = std::to_chars(buffer, buffer + sizeof buffer, value.toInteger());
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer, d);
    }
    putAscii(out, buffer, result.ptr);
}

// What appendNumber() prints for an integer-valued QJsonValue, without making one: exact
// integers, and the double they round to beyond the range where that is exact.
void appendInteger(Text& out, qint64 value)
{
    char buffer[32];
    const double d = double(value);
    const std::to_chars_result result = std::fabs(d) < 9.0e18
                                            ? std::to_chars(buffer, buffer + sizeof buffer, value)
                                            : std::to_chars(buffer, buffer + sizeof buffer, d);
    putAscii(out, buffer, result.ptr);
}

char16_t hexDigit(int v)
{
    return char16_t("0123456789abcdef"[v & 0xf]);
}

// The form of QUuid::toString(QUuid::WithoutBraces), written in place: each byte's two digits
// come from a table, as an ID is printed on every row of a dataset listing.
void appendUuid(Text& out, const QUuid& id)
{
    static const std::array<char16_t, 512> pairs = [] {
        std::array<char16_t, 512> digits{};
        for (int i = 0; i < 256; ++i) {
            digits[size_t(2 * i)] = hexDigit(i >> 4);
            digits[size_t(2 * i + 1)] = hexDigit(i);
        }
        return digits;
    }();
    const uchar bytes[16] = {
        uchar(id.data1 >> 24), uchar(id.data1 >> 16), uchar(id.data1 >> 8), uchar(id.data1),
        uchar(id.data2 >> 8),  uchar(id.data2),       uchar(id.data3 >> 8), uchar(id.data3),
        id.data4[0],           id.data4[1],           id.data4[2],          id.data4[3],
        id.data4[4],           id.data4[5],           id.data4[6],          id.data4[7]};
    // Where each byte's digits go in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
    static constexpr int positions[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    char16_t text[36];
    text[8] = text[13] = text[18] = text[23] = u'-';
    for (int i = 0; i < 16; ++i) {
        text[positions[i]] = pairs[size_t(2 * bytes[i])];
        text[positions[i] + 1] = pairs[size_t(2 * bytes[i] + 1)];
    }
    out.append(text, std::size(text));
}

// Control characters would break the table's alignment, so they are shown escaped.
void appendTableText(Text& out, QStringView text)
{
    // Raw code units: this loop runs over every character printed.
    const char16_t* units = text.utf16();
    const qsizetype size = text.size();
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = units[i];
        if (c >= 0x20 && c != 0x7f)
            continue;
        out.append(units + runStart, size_t(i - runStart));
        runStart = i + 1;
        switch (c) {
        case u'\n':
            out += u"\\n";
            break;
        case u'\r':
            out += u"\\r";
            break;
        case u'\t':
            out += u"\\t";
            break;
        default:
            out += u"\\x";
            out += hexDigit(c >> 4);
            out += hexDigit(c);
        }
    }
    out.append(units + runStart, size_t(size - runStart));
}

void appendTableValue(Text& out, const QJsonValue& value, bool nested)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? u"true" : u"false";
        break;
    case QJsonValue::Double:
        appendNumber(out, value);
        break;
    case QJsonValue::String:
        appendTableText(out, value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (nested)
            out += u'[';
        bool first = true;
        for (const QJsonValue& element : array) {
            if (!first)
                out += u", ";
            first = false;
            appendTableValue(out, element, true);
        }
        if (nested)
            out += u']';
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (nested)
            out += u'{';
        bool first = true;
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!first)
                out += u", ";
            first = false;
            appendTableText(out, it.key());
            out += u'=';
            appendTableValue(out, it.value(), true);
        }
        if (nested)
            out += u'}';
        break;
    }
    }
}

void appendJsonString(Text& out, QStringView text)
{
    out += u'"';
    const char16_t* units = text.utf16();
    const qsizetype size = text.size();
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = units[i];
        if (c >= 0x20 && c != u'"' && c != u'\\')
            continue;
        out.append(units + runStart, size_t(i - runStart));
        runStart = i + 1;
        switch (c) {
        case u'"':
            out += u"\\\"";
            break;
        case u'\\':
            out += u"\\\\";
            break;
        case u'\n':
            out += u"\\n";
            break;
        case u'\r':
            out += u"\\r";
            break;
        case u'\t':
            out += u"\\t";
            break;
        case u'\b':
            out += u"\\b";
            break;
        case u'\f':
            out += u"\\f";
            break;
        default:
            out += u"\\u00";
            out += hexDigit(c >> 4);
            out += hexDigit(c);
        }
    }
    out.append(units + runStart, size_t(size - runStart));
    out += u'"';
}

QString compactJson(const QJsonValue& value)
{
    const QJsonDocument document =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

void appendJsonValue(Text& out, const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += u"null";
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? u"true" : u"false";
        break;
    case QJsonValue::Double:
        // JSON has no NaN or infinity; QJsonDocument writes null for them too.
        if (std::isfinite(value.toDouble()))
            appendNumber(out, value);
        else
            out += u"null";
        break;
    case QJsonValue::String:
        appendJsonString(out, value.toString());
        break;
    case QJsonValue::Array:
    case QJsonValue::Object:
        put(out, compactJson(value));
        break;
    }
}

void appendCsvField(Text& out, QStringView field)
{
    const char16_t* units = field.utf16();
    const qsizetype size = field.size();
    bool needsQuotes = false;
    for (qsizetype i = 0; i < size && !needsQuotes; ++i) {
        // All four characters sort at or below ',', which letters and digits do not.
        const char16_t u = units[i];
        needsQuotes = u <= u',' && (u == u',' || u == u'"' || u == u'\n' || u == u'\r');
    }
    if (!needsQuotes) {
        put(out, field);
        return;
    }
    out += u'"';
    for (qsizetype i = 0; i < size; ++i) {
        if (units[i] == u'"')
            out += u'"';
        out += units[i];
    }
    out += u'"';
}

// Width on screen in code points, so that a character outside the BMP counts once.
qsizetype displayWidth(QStringView text)
{
    const char16_t* units = text.utf16();
    const qsizetype size = text.size();
    qsizetype width = size;
    for (qsizetype i = 0; i < size; ++i) {
        if (units[i] >= 0xdc00 && units[i] <= 0xdfff)
            --width;
    }
    return width;
}

// The width of text that a table prints as it is, or -1 when it has characters to escape.
qsizetype plainTableWidth(QStringView text)
{
    const char16_t* units = text.utf16();
    const qsizetype size = text.size();
    qsizetype width = size;
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = units[i];
        if (c < 0x20 || c == 0x7f)
            return -1;
        if (c >= 0xdc00 && c <= 0xdfff)
            --width;
    }
    return width;
}

void appendPadding(Text& out, qsizetype count)
{
    if (count > 0)
        out.append(size_t(count), u' ');
}

// QJsonDocument escapes unpaired surrogates in strings, which a UTF-8 stream would replace.
bool hasLoneSurrogate(QStringView text)
{
    const char16_t* units = text.utf16();
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = units[i];
        if (c < 0xd800 || c > 0xdfff)
            continue;
        if (c <= 0xdbff && i + 1 < size && units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) {
            ++i;
            continue;
        }
        return true;
    }
    return false;
}

// The kinds of QVariant that are stored straight from the value; Other goes through jsonValue().
enum class ValueKind
{
    Absent,
    Null,
    Integer,
    String,
    Uuid,
    Bytes,
    DataId,
    Other
};

ValueKind valueKind(const QVariant& value)
{
    // One metaType() call serves every test: each is a call into the library, per cell.
    const QMetaType type = value.metaType();
    const int typeId = type.id();
    if (typeId == QMetaType::UnknownType)
        return ValueKind::Absent;
    if (value.isNull())
        return ValueKind::Null;
    // QJsonValue::fromVariant turns exactly these integer types into JSON integers.
    switch (typeId) {
    case QMetaType::LongLong:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Short:
    case QMetaType::UShort:
        return ValueKind::Integer;
    case QMetaType::QString:
        return ValueKind::String;
    case QMetaType::QUuid:
        return ValueKind::Uuid;
    case QMetaType::QByteArray:
        return ValueKind::Bytes;
    default:
        return type == QMetaType::fromType<DataCoordinate>() ? ValueKind::DataId : ValueKind::Other;
    }
}

template <typename T> const T& valueOf(const QVariant& value)
{
    return *static_cast<const T*>(value.constData());
}

qint64 integerValue(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::LongLong:
        return valueOf<qlonglong>(value);
    case QMetaType::Int:
        return valueOf<int>(value);
    default:
        return value.toLongLong();
    }
}

QJsonObject dataIdObject(const DataCoordinate& dataId)
{
    QJsonObject object;
    const QStringList& names = dataId.group().names();
    const QList<QVariant>& values = dataId.values();
    for (qsizetype i = 0; i < values.size() && i < names.size(); ++i) {
        if (values[i].isValid())
            object.insert(names[i], OutputTable::jsonValue(values[i]));
    }
    return object;
}

// Writes a data ID exactly as QJsonDocument writes the object of its values (keys sorted,
// integers exact) but without building that object. The key order and the escaped keys are
// worked out once per dimension group, which the data IDs of a listing mostly share. Values
// other than integers and strings take the QJsonDocument path itself.
class DataIdJsonWriter
{
public:
    void append(Text& out, const DataCoordinate& dataId)
    {
        const QStringList& names = dataId.group().names();
        if (names != m_names)
            setNames(names);
        const size_t start = out.size();
        if (!m_plainKeys || !appendDirect(out, dataId.values())) {
            out.resize(start);
            put(out, compactJson(dataIdObject(dataId)));
        }
    }

private:
    void setNames(const QStringList& names)
    {
        m_names = names;
        // The order QJsonObject keeps the keys in, taken from one.
        QJsonObject positions;
        for (qsizetype i = 0; i < names.size(); ++i)
            positions.insert(names[i], i);
        m_order.clear();
        for (auto it = positions.constBegin(); it != positions.constEnd(); ++it)
            m_order.push_back(it.value().toInteger());
        m_keys.clear();
        m_plainKeys = true;
        for (const QString& name : names) {
            Text key;
            appendJsonString(key, name);
            key += u':';
            m_keys.push_back(std::move(key));
            m_plainKeys = m_plainKeys && !hasLoneSurrogate(name);
        }
    }

    bool appendDirect(Text& out, const QList<QVariant>& values) const
    {
        out += u'{';
        bool first = true;
        for (const qsizetype i : m_order) {
            if (i >= values.size())
                continue;
            const QVariant& value = values[i];
            const ValueKind kind = valueKind(value);
            if (kind == ValueKind::Absent)
                continue;
            if (!first)
                out += u',';
            first = false;
            out += m_keys[size_t(i)];
            switch (kind) {
            case ValueKind::Null:
                out += u"null";
                break;
            case ValueKind::Integer: {
                // Nested integers print exactly, however large: QJsonDocument does not round them.
                char buffer[24];
                const std::to_chars_result result =
                    std::to_chars(buffer, buffer + sizeof buffer, integerValue(value));
                putAscii(out, buffer, result.ptr);
                break;
            }
            case ValueKind::String:
                if (hasLoneSurrogate(valueOf<QString>(value)))
                    return false;
                appendJsonString(out, valueOf<QString>(value));
                break;
            case ValueKind::Uuid:
                out += u'"';
                appendUuid(out, valueOf<QUuid>(value));
                out += u'"';
                break;
            default:
                return false;
            }
        }
        out += u'}';
        return true;
    }

    QStringList m_names;
    std::vector<qsizetype> m_order;
    std::vector<Text> m_keys;
    bool m_plainKeys = true;
};

// Where the table text of a cell lies: in the stored text, or in the text rendered for the
// table when it reads differently there.
struct CellSpan
{
    qsizetype offset = 0;
    qint32 length = 0;
    qint32 width = 0;
    bool rendered = false;
};

} // namespace

OutputTable::OutputTable(QStringList columns)
    : m_columns(std::move(columns))
{
}

Result<OutputFormat> OutputTable::parseOutputFormat(const QString& name)
{
    for (int i = 0; i < int(std::size(kFormatNames)); ++i) {
        if (name.compare(kFormatNames[i], Qt::CaseInsensitive) == 0)
            return static_cast<OutputFormat>(i);
    }
    return invalidInput(
        QStringLiteral("unknown output format '%1': choose one of table, json, csv").arg(name));
}

void OutputTable::reserve(int rows)
{
    m_cells.reserve(size_t(rows) * size_t(m_columns.size()));
    m_reservedRows = rows;
}

void OutputTable::addRow()
{
    // The first rows tell how much text the reserved ones will need: reserving it spares
    // copying the text over and over as it grows.
    constexpr int kSampleRows = 64;
    if (m_rowCount == kSampleRows && m_reservedRows > kSampleRows)
        m_text.reserve(m_text.size() / kSampleRows * size_t(m_reservedRows) / 8 * 9);
    m_cells.resize(m_cells.size() + size_t(m_columns.size()));
    ++m_rowCount;
}

void OutputTable::addRow(const QJsonObject& row)
{
    addRow();
    qsizetype found = 0;
    for (qsizetype c = 0; c < m_columns.size(); ++c) {
        const auto it = row.constFind(m_columns[c]);
        if (it != row.constEnd()) {
            setJson(*lastRowCell(int(c)), it.value());
            ++found;
        }
    }
    // Only rows with keys beyond the columns pay for a second pass over their keys.
    if (found < row.size()) {
        QJsonObject extras;
        for (auto it = row.constBegin(); it != row.constEnd(); ++it) {
            if (!m_columns.contains(it.key()))
                extras.insert(it.key(), it.value());
        }
        m_extras.resize(m_rowCount);
        m_extras.last() = extras;
    }
}

OutputTable::Cell* OutputTable::lastRowCell(int column)
{
    Q_ASSERT_X(m_rowCount > 0 && column >= 0 && column < m_columns.size(), "OutputTable::setCell",
               "no row, or no such column");
    if (m_rowCount == 0 || column < 0 || column >= m_columns.size())
        return nullptr;
    return &m_cells[size_t((m_rowCount - 1) * m_columns.size() + column)];
}

void OutputTable::setText(Cell& cell, Kind kind, QStringView text)
{
    cell.offset = qsizetype(m_text.size());
    cell.length = qint32(text.size());
    cell.kind = kind;
    put(m_text, text);
}

void OutputTable::setJson(Cell& cell, const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        cell = {0, 0, Kind::Null};
        return;
    case QJsonValue::Bool:
        setText(cell, Kind::Literal, value.toBool() ? u"true" : u"false");
        return;
    case QJsonValue::Double:
        // Tables print NaN and infinities, JSON prints null: those keep their value.
        if (std::isfinite(value.toDouble())) {
            cell.offset = qsizetype(m_text.size());
            appendNumber(m_text, value);
            cell.length = qint32(qsizetype(m_text.size()) - cell.offset);
            cell.kind = Kind::Number;
            return;
        }
        break;
    case QJsonValue::String:
        setText(cell, Kind::String, value.toString());
        return;
    case QJsonValue::Array:
    case QJsonValue::Object:
        break;
    }
    cell = {m_others.size(), 0, Kind::Other};
    m_others.append(value);
}

void OutputTable::setCell(int column, const QVariant& value)
{
    Cell* cell = lastRowCell(column);
    if (!cell)
        return;
    switch (valueKind(value)) {
    case ValueKind::Absent:
        *cell = {};
        return;
    case ValueKind::Null:
        *cell = {0, 0, Kind::Null};
        return;
    case ValueKind::Integer:
        cell->offset = qsizetype(m_text.size());
        appendInteger(m_text, integerValue(value));
        cell->length = qint32(qsizetype(m_text.size()) - cell->offset);
        cell->kind = Kind::Number;
        return;
    case ValueKind::String:
        setText(*cell, Kind::String, valueOf<QString>(value));
        return;
    case ValueKind::Uuid:
        setCell(column, valueOf<QUuid>(value));
        return;
    case ValueKind::DataId:
        setCell(column, valueOf<DataCoordinate>(value));
        return;
    case ValueKind::Bytes:
    case ValueKind::Other:
        setJson(*cell, jsonValue(value));
        return;
    }
}

void OutputTable::setCell(int column, const QString& text)
{
    if (Cell* cell = lastRowCell(column))
        setText(*cell, Kind::String, text);
}

void OutputTable::setCell(int column, const QUuid& id)
{
    Cell* cell = lastRowCell(column);
    if (!cell)
        return;
    cell->offset = qsizetype(m_text.size());
    appendUuid(m_text, id);
    cell->length = qint32(qsizetype(m_text.size()) - cell->offset);
    cell->kind = Kind::String;
}

void OutputTable::setCell(int column, const DataCoordinate& dataId)
{
    if (Cell* cell = lastRowCell(column)) {
        *cell = {m_dataIds.size(), 0, Kind::DataId};
        m_dataIds.append(dataId);
    }
}

QString OutputTable::formatCell(const QJsonValue& value)
{
    Text out;
    appendTableValue(out, value, false);
    return toQString(out);
}

QJsonValue OutputTable::jsonValue(const QVariant& value)
{
    if (!value.isValid() || value.isNull())
        return QJsonValue::Null;
    if (value.typeId() == QMetaType::QByteArray)
        return QString::fromLatin1(value.toByteArray().toHex());
    if (value.metaType() == QMetaType::fromType<DataCoordinate>())
        return dataIdObject(valueOf<DataCoordinate>(value));
    return QJsonValue::fromVariant(value);
}

void OutputTable::write(QTextStream& out, OutputFormat format) const
{
    switch (format) {
    case OutputFormat::Table:
        writeTable(out);
        break;
    case OutputFormat::Json:
        writeJson(out);
        break;
    case OutputFormat::Csv:
        writeCsv(out);
        break;
    }
}

QString OutputTable::toString(OutputFormat format) const
{
    QString text;
    QTextStream out(&text);
    write(out, format);
    out.flush();
    return text;
}

void OutputTable::writeTable(QTextStream& out) const
{
    const qsizetype columnCount = m_columns.size();
    if (columnCount == 0)
        return;

    // Every cell is sized before any line is written. Most cells read in the table as they
    // are stored; the others are rendered into one buffer, so there is no allocation per cell.
    Text rendered;
    const size_t columns = size_t(columnCount);
    std::vector<CellSpan> spans(m_cells.size());
    std::vector<qsizetype> widths(columns);
    std::vector<bool> anyValue(columns, false);
    std::vector<bool> allNumbers(columns, true);
    for (qsizetype c = 0; c < columnCount; ++c)
        widths[c] = displayWidth(m_columns[c]);
    auto render = [&](CellSpan& span, auto&& append) {
        const size_t offset = rendered.size();
        append();
        span.offset = qsizetype(offset);
        span.length = qint32(rendered.size() - offset);
        span.width = qint32(displayWidth(QStringView(rendered.data() + offset, span.length)));
        span.rendered = true;
    };
    for (size_t i = 0; i < m_cells.size(); ++i) {
        const Cell& cell = m_cells[i];
        const size_t c = i % columns;
        CellSpan& span = spans[i];
        switch (cell.kind) {
        case Kind::Absent:
        case Kind::Null:
            break;
        case Kind::Number:
        case Kind::Literal:
        case Kind::String: {
            anyValue[c] = true;
            if (cell.kind != Kind::Number)
                allNumbers[c] = false;
            const QStringView stored = storedText(cell);
            const qsizetype width = plainTableWidth(stored);
            if (width >= 0)
                span = {cell.offset, cell.length, qint32(width), false};
            else
                render(span, [&] { appendTableText(rendered, stored); });
            break;
        }
        case Kind::DataId:
        case Kind::Other: {
            const QJsonValue value = cell.kind == Kind::DataId
                                         ? QJsonValue(dataIdObject(m_dataIds[cell.offset]))
                                         : m_others[cell.offset];
            if (!value.isNull() && !value.isUndefined()) {
                anyValue[c] = true;
                allNumbers[c] = allNumbers[c] && value.isDouble();
            }
            render(span, [&] { appendTableValue(rendered, value, false); });
            break;
        }
        }
        widths[c] = std::max(widths[c], qsizetype(span.width));
    }
    // Numeric columns are right-aligned so that digits line up; everything else reads left to right.
    std::vector<bool> rightAligned(columns);
    for (qsizetype c = 0; c < columnCount; ++c)
        rightAligned[c] = anyValue[c] && allNumbers[c];

    Text buffer;
    auto writeLine = [&](auto cellAt) {
        size_t contentEnd = buffer.size();
        for (qsizetype c = 0; c < columnCount; ++c) {
            if (c > 0)
                buffer += u' ';
            const auto [cellText, width] = cellAt(c);
            const qsizetype padding = widths[c] - width;
            if (rightAligned[c])
                appendPadding(buffer, padding);
            put(buffer, cellText);
            if (!cellText.isEmpty())
                contentEnd = buffer.size();
            if (!rightAligned[c])
                appendPadding(buffer, padding);
        }
        // No trailing blanks: they only pad the last column.
        buffer.resize(contentEnd);
        buffer += u'\n';
        flushIfFull(buffer, out);
    };

    writeLine([&](qsizetype c) { return std::pair(QStringView(m_columns[c]), displayWidth(m_columns[c])); });
    QList<QString> rule(columnCount);
    for (qsizetype c = 0; c < columnCount; ++c)
        rule[c] = QString(widths[c], QLatin1Char('-'));
    writeLine([&](qsizetype c) { return std::pair(QStringView(rule[c]), widths[c]); });
    for (qsizetype r = 0; r < m_rowCount; ++r) {
        writeLine([&](qsizetype c) {
            const CellSpan& span = spans[size_t(r * columnCount + c)];
            const char16_t* base = span.rendered ? rendered.data() : m_text.data();
            return std::pair(QStringView(base + span.offset, span.length), qsizetype(span.width));
        });
    }
    writeText(out, buffer);
}

void OutputTable::writeJson(QTextStream& out) const
{
    if (m_rowCount == 0) {
        out << "[]\n";
        return;
    }
    // Each column's key as JSON, escaped once.
    std::vector<Text> keys;
    for (const QString& column : m_columns) {
        Text key;
        appendJsonString(key, column);
        key += u':';
        keys.push_back(std::move(key));
    }
    DataIdJsonWriter dataIds;
    Text buffer = u"[\n";
    for (qsizetype r = 0; r < m_rowCount; ++r) {
        buffer += u'{';
        bool first = true;
        for (qsizetype c = 0; c < m_columns.size(); ++c) {
            const Cell& value = cell(r, c);
            if (value.kind == Kind::Absent)
                continue;
            if (!first)
                buffer += u',';
            first = false;
            buffer += keys[size_t(c)];
            switch (value.kind) {
            case Kind::Absent:
            case Kind::Null:
                buffer += u"null";
                break;
            case Kind::Number:
            case Kind::Literal:
                put(buffer, storedText(value));
                break;
            case Kind::String:
                appendJsonString(buffer, storedText(value));
                break;
            case Kind::DataId:
                dataIds.append(buffer, m_dataIds[value.offset]);
                break;
            case Kind::Other:
                appendJsonValue(buffer, m_others[value.offset]);
                break;
            }
        }
        if (r < m_extras.size()) {
            const QJsonObject& extras = m_extras[r];
            for (auto it = extras.constBegin(); it != extras.constEnd(); ++it) {
                if (!first)
                    buffer += u',';
                first = false;
                appendJsonString(buffer, it.key());
                buffer += u':';
                appendJsonValue(buffer, it.value());
            }
        }
        buffer += u'}';
        if (r + 1 < m_rowCount)
            buffer += u',';
        buffer += u'\n';
        flushIfFull(buffer, out);
    }
    buffer += u"]\n";
    writeText(out, buffer);
}

void OutputTable::writeCsv(QTextStream& out) const
{
    if (m_columns.isEmpty())
        return;
    Text buffer;
    for (qsizetype c = 0; c < m_columns.size(); ++c) {
        if (c > 0)
            buffer += u',';
        appendCsvField(buffer, m_columns[c]);
    }
    buffer += u'\n';
    Text field;
    for (qsizetype r = 0; r < m_rowCount; ++r) {
        for (qsizetype c = 0; c < m_columns.size(); ++c) {
            if (c > 0)
                buffer += u',';
            const Cell& value = cell(r, c);
            switch (value.kind) {
            case Kind::Absent:
            case Kind::Null:
                break;
            case Kind::Number:
            case Kind::Literal:
                put(buffer, storedText(value));
                break;
            // Strings verbatim and nested values as JSON, so that a CSV reader gets them back.
            case Kind::String:
                appendCsvField(buffer, storedText(value));
                break;
            case Kind::DataId:
                appendCsvField(buffer, compactJson(dataIdObject(m_dataIds[value.offset])));
                break;
            case Kind::Other: {
                const QJsonValue& other = m_others[value.offset];
                if (other.isArray() || other.isObject()) {
                    appendCsvField(buffer, compactJson(other));
                } else {
                    field.clear();
                    appendTableValue(field, other, false);
                    appendCsvField(buffer, QStringView(field.data(), qsizetype(field.size())));
                }
                break;
            }
            }
        }
        buffer += u'\n';
        flushIfFull(buffer, out);
    }
    writeText(out, buffer);
}

} // namespace butler
