#pragma once

#include "Result.h"

#include <QJsonValue>
#include <limits>

namespace butler {

// A half-open interval [begin, end) of TAI nanoseconds (see TaiTime). Unbounded ends use the
// extreme values, so SQL comparisons need no NULL handling.
class Timespan
{
public:
    static constexpr qint64 Unbounded = std::numeric_limits<qint64>::max();
    static constexpr qint64 UnboundedBegin = std::numeric_limits<qint64>::min();

    Timespan() = default; // (-inf, +inf)
    Timespan(qint64 begin, qint64 end)
        : m_begin(begin)
        , m_end(end)
    {
    }
    static Timespan fromInstant(qint64 t) { return Timespan(t, t + 1); }

    qint64 begin() const { return m_begin; }
    qint64 end() const { return m_end; }
    bool hasBegin() const { return m_begin != UnboundedBegin; }
    bool hasEnd() const { return m_end != Unbounded; }
    bool isEmpty() const { return m_begin >= m_end; }

    bool contains(qint64 t) const { return m_begin <= t && t < m_end; }
    bool overlaps(const Timespan& other) const
    {
        return !isEmpty() && !other.isEmpty() && m_begin < other.m_end && other.m_begin < m_end;
    }
    bool operator==(const Timespan& other) const { return m_begin == other.m_begin && m_end == other.m_end; }
    bool operator!=(const Timespan& other) const { return !(*this == other); }

    // "[2025-06-15T03:00:00.000000000Z, 2025-06-16T03:00:00.000000000Z)" with "-inf"/"+inf".
    QString toString() const;
    // {"begin": ISO UTC or null, "end": ISO UTC or null}
    QJsonValue toJson() const;
    static Result<Timespan> fromJson(const QJsonValue& json);

private:
    qint64 m_begin = UnboundedBegin;
    qint64 m_end = Unbounded;
};

} // namespace butler
