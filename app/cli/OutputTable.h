#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace butler {

// The output formats of every listing command (`--format`).
enum class OutputFormat
{
    Table,
    Json,
    Csv
};

// The CLI's result printer: ordered columns and rows of JSON values, written as an aligned
// table (the default, like daf_butler's astropy tables), a JSON array of objects, or CSV.
//
// Table and CSV print only the columns, in their order; a row's keys that are not columns are
// ignored there. JSON prints each row's full object: the columns first, in their order, then
// any other keys in alphabetical order, so scripts see every field the command produced.
//
// Table columns are separated by one space with a dashed rule under the header; columns whose
// values are all numbers are right-aligned. CSV follows RFC 4180 quoting with "\n" line ends
// and writes nested values as compact JSON. JSON is one array with one object per line.
//
// Rows are kept in memory because the table needs every cell to size its columns; the JSON
// and CSV writers stream one row at a time and never build a document of all rows.
class OutputTable
{
public:
    explicit OutputTable(QStringList columns);

    // Parses a `--format` value: "table", "json" or "csv", in any letter case.
    static Result<OutputFormat> parseOutputFormat(const QString& name);

    const QStringList& columns() const { return m_columns; }
    void reserve(int rows) { m_rows.reserve(rows); }
    void addRow(const QJsonObject& row) { m_rows.append(row); }
    int rowCount() const { return int(m_rows.size()); }

    // Writes the whole table. An empty table prints the header and rule (table), the header
    // (CSV) or `[]` (JSON).
    void write(QTextStream& out, OutputFormat format) const;
    QString toString(OutputFormat format) const;

    // How one value reads in a table cell: null as empty, numbers without trailing zeros,
    // objects as "key=value, key=value", arrays as "a, b", control characters escaped.
    static QString formatCell(const QJsonValue& value);

private:
    void writeTable(QTextStream& out) const;
    void writeJson(QTextStream& out) const;
    void writeCsv(QTextStream& out) const;

    QStringList m_columns;
    QList<QJsonObject> m_rows;
};

} // namespace butler
