#pragma once

#include "Result.h"

#include <QDateTime>
#include <QString>

namespace butler {

// Instants as nanoseconds since 1970-01-01T00:00:00 TAI, the registry's time representation.
// UTC conversions go through ERFA's leap-second table (eraDat), never a hand-kept one.
class TaiTime
{
public:
    // "2025-06-15T03:00:00", "2025-06-15 03:00:00.123456789", optional trailing "Z"; UTC.
    static Result<qint64> fromIsoUtc(const QString& text);
    // The same ISO forms, read as TAI (daf_butler exports write TAI: !butler_time/tai/iso).
    static Result<qint64> fromIsoTai(const QString& text);
    // Modified Julian Date in TAI, as text so that no precision is lost before parsing.
    static Result<qint64> fromMjdTai(const QString& text);
    // A where-language time literal body (inside T'...'): ISO (UTC unless it ends in "/tai"),
    // "mjd/58938.5" or a bare number (MJD, TAI), "iso/...", "isot/...", with "/utc" or "/tai" suffix.
    static Result<qint64> fromLiteral(const QString& text);
    static Result<qint64> fromDateTime(const QDateTime& utc);

    // "2025-06-15T03:00:00.000000000Z"-style UTC text with ns precision.
    static QString toIsoUtc(qint64 ns);
    // "2025-06-15 03:00:37.000000000": TAI, in the form daf_butler exports use.
    static QString toIsoTai(qint64 ns);
    static QDateTime toDateTime(qint64 ns); // UTC, ms precision
    static double toMjdTai(qint64 ns);
};

} // namespace butler
