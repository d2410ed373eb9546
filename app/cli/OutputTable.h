#pragma once

#include "DataCoordinate.h"
#include "Result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <QUuid>
#include <QVariant>

#include <string>
#include <vector>

namespace butler {

// The output formats of every listing command (`--format`).
enum class OutputFormat
{
    Table,
    Json,
    Csv
};

// The CLI's result printer: ordered columns and rows of values, written as an aligned table
// (the default, like daf_butler's astropy tables), a JSON array of objects, or CSV.
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
// and CSV writers render one row at a time and never build a document of all rows. A row can
// be given as an object, or cell by cell with addRow() and setCell(): that way costs no object
// per row, which matters for listings of many thousands of rows. Either way a cell is stored
// once in a form every format prints from: numbers and strings as text, nested values as such.
class OutputTable
{
public:
    explicit OutputTable(QStringList columns);

    // Parses a `--format` value: "table", "json" or "csv", in any letter case.
    static Result<OutputFormat> parseOutputFormat(const QString& name);

    const QStringList& columns() const { return m_columns; }
    // Room for this many rows, and for their text once the first rows show how much it is.
    void reserve(int rows);
    // A row as an object: keys naming columns fill those cells, JSON also prints the others.
    void addRow(const QJsonObject& row);
    // Starts a row whose cells are then given with setCell(); cells not set are left out of it.
    void addRow();
    // Sets a cell of the row added last. A QVariant reads as jsonValue() converts it, except
    // that an invalid one leaves the cell out; a data ID is the object of its values.
    void setCell(int column, const QVariant& value);
    void setCell(int column, const QString& text);
    void setCell(int column, const QUuid& id);
    void setCell(int column, const DataCoordinate& dataId);
    int rowCount() const { return m_rowCount; }

    // Writes the whole table. An empty table prints the header and rule (table), the header
    // (CSV) or `[]` (JSON).
    void write(QTextStream& out, OutputFormat format) const;
    QString toString(OutputFormat format) const;

    // How one value reads in a table cell: null as empty, numbers without trailing zeros,
    // objects as "key=value, key=value", arrays as "a, b", control characters escaped.
    static QString formatCell(const QJsonValue& value);
    // A cell value as JSON: null (also SQL NULL) as null, byte arrays as hex, a DataCoordinate as
    // the object of its values, everything else as QJsonValue::fromVariant converts it.
    static QJsonValue jsonValue(const QVariant& value);

private:
    enum class Kind : quint8
    {
        Absent,
        Null,
        Number,  // text as every format prints it
        Literal, // true or false
        String,  // raw text, escaped or quoted by each format
        DataId,  // index into m_dataIds
        Other    // index into m_others: arrays, objects and numbers JSON cannot hold
    };
    struct Cell
    {
        qsizetype offset = 0;
        qint32 length = 0;
        Kind kind = Kind::Absent;
    };

    void writeTable(QTextStream& out) const;
    void writeJson(QTextStream& out) const;
    void writeCsv(QTextStream& out) const;
    Cell* lastRowCell(int column);
    void setText(Cell& cell, Kind kind, QStringView text);
    void setJson(Cell& cell, const QJsonValue& value);
    const Cell& cell(qsizetype row, qsizetype column) const
    {
        return m_cells[size_t(row * m_columns.size() + column)];
    }
    QStringView storedText(const Cell& cell) const
    {
        return QStringView(m_text.data() + cell.offset, cell.length);
    }

    QStringList m_columns;
    // Row after row, one cell per column.
    std::vector<Cell> m_cells;
    // The text of the Number, Literal and String cells, one after the other.
    std::u16string m_text;
    QList<DataCoordinate> m_dataIds;
    QList<QJsonValue> m_others;
    // By row: the keys of object rows that are not columns; shorter when the last rows had none.
    QList<QJsonObject> m_extras;
    int m_rowCount = 0;
    int m_reservedRows = 0;
};

} // namespace butler
