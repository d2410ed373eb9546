#pragma once

#include "Result.h"

#include <QString>
#include <QUuid>
#include <QVariant>
#include <QVariantList>

namespace butler {

// The rows of one read statement, prepared once per connection and run again and again
// (Database::select). SQLite reads them through its own API: QSqlQuery turns every value of
// every row into a cached QVariant first, which costs a point lookup more than the lookup.
// Values are read from the current row, after next() returned true.
class SqlRows
{
public:
    virtual ~SqlRows() = default;

    // Binds positionally and starts the statement; rows come with next().
    virtual Status run(const QVariantList& binds) = 0;
    // Moves to the next row; false at the end or on an error (see status()).
    virtual bool next() = 0;
    // An error met by next(); ok at the end of the rows.
    virtual Status status() const = 0;
    // Ends the run before the last row: releases the statement's read snapshot.
    virtual void finish() = 0;

    virtual bool isNull(int column) const = 0;
    virtual qint64 integer(int column) const = 0;
    virtual QString text(int column) const = 0;
    // A TEXT column holding a UUID; null when it holds none.
    virtual QUuid uuid(int column) const { return QUuid::fromString(text(column)); }
    // INTEGER as qint64, REAL as double, TEXT as QString, BLOB as QByteArray, NULL as a null
    // QString (QVariant::isNull()), as QSQLITE gives them.
    virtual QVariant value(int column) const = 0;
};

} // namespace butler
