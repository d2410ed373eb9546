#pragma once

#include "DimensionRecord.h"

#include <QList>

namespace butler {

class DimensionUniverse;

// Reads dimension records for `insert-dimension-records` from a file:
// - JSON: an array of objects, or an object {"records": [...]}; each object maps field names to
//   values;
// - CSV: a header row naming the fields, one record per row; an empty field is null.
// The format comes from the extension (.json, .csv), else from the first character. Timespans are
// given as timespan_begin/timespan_end or datetime_begin/datetime_end (ISO UTC, empty or null for
// unbounded), or in JSON as "timespan": {"begin", "end"}; a region as hex in "region". Every record
// goes through DimensionRecord::validated(); errors say which record.
class RecordFileReader
{
public:
    static Result<QList<DimensionRecord>> read(const DimensionUniverse& universe, const QString& element,
                                               const QString& path);
    static Result<QList<DimensionRecord>> readJson(const DimensionUniverse& universe, const QString& element,
                                                   const QByteArray& bytes);
    static Result<QList<DimensionRecord>> readCsv(const DimensionUniverse& universe, const QString& element,
                                                  const QString& text);
};

} // namespace butler
