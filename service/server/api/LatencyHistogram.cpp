#include "LatencyHistogram.h"

#include <algorithm>

namespace butler {

void LatencyHistogram::observe(double seconds)
{
    if (!(seconds > 0)) // also catches NaN
        seconds = 0;
    // Bucket i holds values in (Bounds[i-1], Bounds[i]]; "le" is inclusive.
    const auto bucket = std::size_t(std::lower_bound(Bounds.begin(), Bounds.end(), seconds) - Bounds.begin());
    m_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    // Saturate rather than wrap for absurd values (more than 584 years).
    const double nanoseconds = std::min(seconds * 1e9, 1.8e19);
    m_sumNanoseconds.fetch_add(quint64(nanoseconds + 0.5), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const
{
    Snapshot result;
    quint64 running = 0;
    for (std::size_t i = 0; i < BucketCount; ++i) {
        running += m_buckets[i].load(std::memory_order_relaxed);
        result.cumulative[i] = running;
    }
    result.count = running;
    result.sum = double(m_sumNanoseconds.load(std::memory_order_relaxed)) / 1e9;
    return result;
}

} // namespace butler
