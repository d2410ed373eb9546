#include "OutputTable.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>
#include <cmath>
#include <iterator>
#include <vector>

namespace butler {

namespace {

const QLatin1String kFormatNames[] = {QLatin1String("table"), QLatin1String("json"), QLatin1String("csv")};

// Integral values print as integers (30.0 -> "30"); others in the shortest form that reads
// back to the same double (0.1 -> "0.1"). std::to_chars never consults the locale and is far
// cheaper than QString::number for doubles, which matters at a million cells.
void appendNumber(QString& out, const QJsonValue& value)
{
    const double d = value.toDouble();
    char buffer[32];
    std::to_chars_result result{};
    if (std::isnan(d)) {
        out += QLatin1String("nan");
        return;
    } else if (std::isinf(d)) {
        out += d > 0 ? QLatin1String("inf") : QLatin1String("-inf");
        return;
    } else if (d == std::trunc(d) && std::fabs(d) < 9.0e18) {
        // toInteger() keeps the exact value of integers beyond 2^53 that toDouble() rounds.
        result = std::to_chars(buffer, buffer + sizeof buffer, value.toInteger());
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer, d);
    }
    out += QLatin1String(buffer, result.ptr);
}

QChar hexDigit(int v)
{
    return QLatin1Char("0123456789abcdef"[v & 0xf]);
}

// Control characters would break the table's alignment, so they are shown escaped.
void appendTableText(QString& out, QStringView text)
{
    // Raw code units: this loop runs over every character printed.
    const char16_t* units = text.utf16();
    const qsizetype size = text.size();
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = units[i];
        if (c >= 0x20 && c != 0x7f)
            continue;
        out += text.mid(runStart, i - runStart);
        runStart = i + 1;
        switch (c) {
        case u'\n':
            out += QLatin1String("\\n");
            break;
        case u'\r':
            out += QLatin1String("\\r");
            break;
        case u'\t':
            out += QLatin1String("\\t");
            break;
        default:
            out += QLatin1String("\\x");
            out += hexDigit(c >> 4);
            out += hexDigit(c);
        }
    }
    out += text.mid(runStart);
}

void appendTableValue(QString& out, const QJsonValue& value, bool nested)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? QLatin1String("true") : QLatin1String("false");
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
            out += QLatin1Char('[');
        bool first = true;
        for (const QJsonValue& element : array) {
            if (!first)
                out += QLatin1String(", ");
            first = false;
            appendTableValue(out, element, true);
        }
        if (nested)
            out += QLatin1Char(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (nested)
            out += QLatin1Char('{');
        bool first = true;
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!first)
                out += QLatin1String(", ");
            first = false;
            appendTableText(out, it.key());
            out += QLatin1Char('=');
            appendTableValue(out, it.value(), true);
        }
        if (nested)
            out += QLatin1Char('}');
        break;
    }
    }
}

void appendJsonString(QString& out, QStringView text)
{
    out += QLatin1Char('"');
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\')
            continue;
        out += text.mid(runStart, i - runStart);
        runStart = i + 1;
        switch (c) {
        case u'"':
            out += QLatin1String("\\\"");
            break;
        case u'\\':
            out += QLatin1String("\\\\");
            break;
        case u'\n':
            out += QLatin1String("\\n");
            break;
        case u'\r':
            out += QLatin1String("\\r");
            break;
        case u'\t':
            out += QLatin1String("\\t");
            break;
        case u'\b':
            out += QLatin1String("\\b");
            break;
        case u'\f':
            out += QLatin1String("\\f");
            break;
        default:
            out += QLatin1String("\\u00");
            out += hexDigit(c >> 4);
            out += hexDigit(c);
        }
    }
    out += text.mid(runStart);
    out += QLatin1Char('"');
}

QString compactJson(const QJsonValue& value)
{
    const QJsonDocument document =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

void appendJsonValue(QString& out, const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += QLatin1String("null");
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? QLatin1String("true") : QLatin1String("false");
        break;
    case QJsonValue::Double:
        // JSON has no NaN or infinity; QJsonDocument writes null for them too.
        if (std::isfinite(value.toDouble()))
            appendNumber(out, value);
        else
            out += QLatin1String("null");
        break;
    case QJsonValue::String:
        appendJsonString(out, value.toString());
        break;
    case QJsonValue::Array:
    case QJsonValue::Object:
        out += compactJson(value);
        break;
    }
}

void appendCsvField(QString& out, QStringView field)
{
    bool needsQuotes = false;
    for (const QChar c : field) {
        const char16_t u = c.unicode();
        if (u == u',' || u == u'"' || u == u'\n' || u == u'\r') {
            needsQuotes = true;
            break;
        }
    }
    if (!needsQuotes) {
        out += field;
        return;
    }
    out += QLatin1Char('"');
    for (const QChar c : field) {
        if (c == QLatin1Char('"'))
            out += QLatin1Char('"');
        out += c;
    }
    out += QLatin1Char('"');
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

void appendPadding(QString& out, qsizetype count)
{
    if (count > 0)
        out.resize(out.size() + count, QLatin1Char(' '));
}

// Where one rendered table cell lies in the buffer that holds all of them.
struct CellSpan
{
    qsizetype offset;
    qsizetype length;
    qsizetype width;
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

QString OutputTable::formatCell(const QJsonValue& value)
{
    QString out;
    appendTableValue(out, value, false);
    return out;
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

    // Every cell is rendered once into one buffer, which sizes the columns without an
    // allocation per cell; the lines are then cut from it.
    QString buffer;
    const size_t columns = size_t(columnCount);
    std::vector<CellSpan> spans;
    spans.reserve(size_t(m_rows.size() * columnCount));
    std::vector<qsizetype> widths(columns);
    std::vector<bool> anyValue(columns, false);
    std::vector<bool> allNumbers(columns, true);
    for (qsizetype c = 0; c < columnCount; ++c)
        widths[c] = displayWidth(m_columns[c]);
    for (const QJsonObject& row : m_rows) {
        for (qsizetype c = 0; c < columnCount; ++c) {
            const QJsonValue value = row.value(m_columns[c]);
            if (!value.isNull() && !value.isUndefined()) {
                anyValue[c] = true;
                allNumbers[c] = allNumbers[c] && value.isDouble();
            }
            const qsizetype offset = buffer.size();
            appendTableValue(buffer, value, false);
            const qsizetype length = buffer.size() - offset;
            const qsizetype width = displayWidth(QStringView(buffer).mid(offset, length));
            widths[c] = std::max(widths[c], width);
            spans.push_back({offset, length, width});
        }
    }
    // Numeric columns are right-aligned so that digits line up; everything else reads left to right.
    std::vector<bool> rightAligned(columns);
    for (qsizetype c = 0; c < columnCount; ++c)
        rightAligned[c] = anyValue[c] && allNumbers[c];

    QString line;
    auto writeLine = [&](auto cellAt) {
        line.clear();
        qsizetype contentEnd = 0;
        for (qsizetype c = 0; c < columnCount; ++c) {
            if (c > 0)
                line += QLatin1Char(' ');
            const auto [cell, width] = cellAt(c);
            const qsizetype padding = widths[c] - width;
            if (rightAligned[c])
                appendPadding(line, padding);
            line += cell;
            if (!cell.isEmpty())
                contentEnd = line.size();
            if (!rightAligned[c])
                appendPadding(line, padding);
        }
        // No trailing blanks: they only pad the last column.
        line.truncate(contentEnd);
        out << line << '\n';
    };

    writeLine([&](qsizetype c) { return std::pair(QStringView(m_columns[c]), displayWidth(m_columns[c])); });
    QList<QString> rule(columnCount);
    for (qsizetype c = 0; c < columnCount; ++c)
        rule[c] = QString(widths[c], QLatin1Char('-'));
    writeLine([&](qsizetype c) { return std::pair(QStringView(rule[c]), widths[c]); });
    const QStringView cells(buffer);
    for (qsizetype r = 0; r < m_rows.size(); ++r) {
        writeLine([&](qsizetype c) {
            const CellSpan& span = spans[size_t(r * columnCount + c)];
            return std::pair(cells.mid(span.offset, span.length), span.width);
        });
    }
}

void OutputTable::writeJson(QTextStream& out) const
{
    if (m_rows.isEmpty()) {
        out << "[]\n";
        return;
    }
    out << "[\n";
    QString line;
    for (qsizetype r = 0; r < m_rows.size(); ++r) {
        const QJsonObject& row = m_rows[r];
        line.clear();
        line += QLatin1Char('{');
        bool first = true;
        auto appendMember = [&](const QString& key, const QJsonValue& value) {
            if (!first)
                line += QLatin1Char(',');
            first = false;
            appendJsonString(line, key);
            line += QLatin1Char(':');
            appendJsonValue(line, value);
        };
        qsizetype found = 0;
        for (const QString& column : m_columns) {
            const auto it = row.constFind(column);
            if (it != row.constEnd()) {
                appendMember(column, it.value());
                ++found;
            }
        }
        // Only rows with keys beyond the columns pay for a second pass over their keys.
        if (found < row.size()) {
            for (auto it = row.constBegin(); it != row.constEnd(); ++it) {
                if (!m_columns.contains(it.key()))
                    appendMember(it.key(), it.value());
            }
        }
        line += QLatin1Char('}');
        if (r + 1 < m_rows.size())
            line += QLatin1Char(',');
        out << line << '\n';
    }
    out << "]\n";
}

void OutputTable::writeCsv(QTextStream& out) const
{
    if (m_columns.isEmpty())
        return;
    QString line;
    for (qsizetype c = 0; c < m_columns.size(); ++c) {
        if (c > 0)
            line += QLatin1Char(',');
        appendCsvField(line, m_columns[c]);
    }
    out << line << '\n';
    QString field;
    for (const QJsonObject& row : m_rows) {
        line.clear();
        for (qsizetype c = 0; c < m_columns.size(); ++c) {
            if (c > 0)
                line += QLatin1Char(',');
            // Strings verbatim and nested values as JSON, so that a CSV reader gets them back.
            const QJsonValue value = row.value(m_columns[c]);
            if (value.isString()) {
                appendCsvField(line, value.toString());
            } else if (value.isArray() || value.isObject()) {
                appendCsvField(line, compactJson(value));
            } else {
                field.clear();
                appendTableValue(field, value, false);
                appendCsvField(line, field);
            }
        }
        out << line << '\n';
    }
}

} // namespace butler
