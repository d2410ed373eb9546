#pragma once

#include "Result.h"

#include <QList>
#include <QStringList>

namespace butler {

// A CSV file with a header row (RFC 4180: quoted fields, "" inside quotes, CRLF or LF line ends).
// Every row has as many fields as the header; blank lines are skipped. Rows remember the line
// they start on so that errors can point at it.
class CsvTable
{
public:
    static Result<CsvTable> parse(const QString& text);
    // Reads and parses a UTF-8 file; errors name the file.
    static Result<CsvTable> readFile(const QString& path);

    const QStringList& header() const { return m_header; }
    int columnIndex(const QString& name) const { return int(m_header.indexOf(name)); }
    int rowCount() const { return int(m_rows.size()); }
    const QStringList& row(int index) const { return m_rows[index]; }
    int line(int index) const { return m_lines[index]; }
    // The field of a row in the named column, or an empty string when there is no such column.
    QString field(int row, const QString& column) const;

private:
    QStringList m_header;
    QList<QStringList> m_rows;
    QList<int> m_lines;
};

} // namespace butler
