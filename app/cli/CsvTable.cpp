#include "CsvTable.h"

#include <QFile>
#include <QSet>

namespace butler {

QString CsvTable::field(int row, const QString& column) const
{
    const int index = columnIndex(column);
    return index < 0 ? QString() : m_rows[row][index];
}

Result<CsvTable> CsvTable::parse(const QString& input)
{
    QStringView text(input);
    if (text.startsWith(QChar(0xfeff)))
        text = text.mid(1);

    QList<QStringList> records;
    QList<int> lines;
    QStringList fields;
    QString current;
    bool quoted = false;    // inside a quoted field
    bool wasQuoted = false; // the current field was quoted: only a separator may follow
    bool recordHasData = false;
    int line = 1;
    int recordLine = 1;

    auto endField = [&] {
        fields.append(current);
        current.clear();
        wasQuoted = false;
    };
    auto endRecord = [&] {
        endField();
        // A line with nothing on it is skipped, not read as a row of one empty field.
        if (recordHasData) {
            records.append(fields);
            lines.append(recordLine);
        }
        fields.clear();
        recordHasData = false;
    };

    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    current += QLatin1Char('"');
                    ++i;
                } else {
                    quoted = false;
                    wasQuoted = true;
                }
            } else {
                if (c == QLatin1Char('\n'))
                    ++line;
                current += c;
            }
            continue;
        }
        if (c == QLatin1Char(',')) {
            endField();
            recordHasData = true;
        } else if (c == QLatin1Char('\n') || c == QLatin1Char('\r')) {
            if (c == QLatin1Char('\r') && i + 1 < text.size() && text[i + 1] == QLatin1Char('\n'))
                ++i;
            endRecord();
            ++line;
            recordLine = line;
        } else if (c == QLatin1Char('"') && current.isEmpty() && !wasQuoted) {
            quoted = true;
            recordHasData = true;
        } else {
            if (wasQuoted)
                return invalidInput(
                    QStringLiteral("line %1: unexpected text after a closing quote").arg(line));
            if (c == QLatin1Char('"'))
                return invalidInput(
                    QStringLiteral(
                        "line %1: a quote inside an unquoted field (quote the whole field and double the "
                        "quote)")
                        .arg(line));
            current += c;
            recordHasData = true;
        }
    }
    if (quoted)
        return invalidInput(QStringLiteral("line %1: a quoted field is not closed").arg(recordLine));
    endRecord();

    if (records.isEmpty())
        return invalidInput(QStringLiteral("no header row: the first line must name the columns"));
    CsvTable table;
    QSet<QString> seen;
    for (const QString& name : records.first()) {
        const QString trimmed = name.trimmed();
        if (trimmed.isEmpty())
            return invalidInput(
                QStringLiteral("line %1: the header has an empty column name").arg(lines.first()));
        if (seen.contains(trimmed))
            return invalidInput(QStringLiteral("line %1: the header names column '%2' twice")
                                    .arg(lines.first())
                                    .arg(trimmed));
        seen.insert(trimmed);
        table.m_header.append(trimmed);
    }
    for (qsizetype r = 1; r < records.size(); ++r) {
        if (records[r].size() != table.m_header.size())
            return invalidInput(QStringLiteral("line %1: %2 fields, but the header has %3 columns")
                                    .arg(lines[r])
                                    .arg(records[r].size())
                                    .arg(table.m_header.size()));
        table.m_rows.append(records[r]);
        table.m_lines.append(lines[r]);
    }
    return table;
}

Result<CsvTable> CsvTable::readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read '%1': %2").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
    Result<CsvTable> table = parse(QString::fromUtf8(bytes));
    if (!table.ok())
        return table.error().withContext(path);
    return table;
}

} // namespace butler
