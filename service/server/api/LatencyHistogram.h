#pragma once

#include <QtGlobal>

#include <array>
#include <atomic>
#include <cstddef>

namespace butler {

// A fixed-bucket histogram of durations in seconds that many threads may feed at once: one
// relaxed atomic add per bucket hit, no lock. The buckets span 0.5 ms to 10 s.
class LatencyHistogram
{
public:
    static constexpr std::array<double, 14> Bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    // One per bound plus the +Inf bucket.
    static constexpr std::size_t BucketCount = Bounds.size() + 1;

    struct Snapshot
    {
        std::array<quint64, BucketCount> cumulative{}; // cumulative[i]: observations <= Bounds[i]; last: all
        quint64 count = 0;                             // equals cumulative.back()
        double sum = 0;                                // seconds
    };

    // Negative and NaN durations count as 0.
    void observe(double seconds);

    // Counts read while other threads observe may miss the latest few observations, but they
    // are always cumulative and count matches the +Inf bucket.
    Snapshot snapshot() const;

private:
    std::array<std::atomic<quint64>, BucketCount> m_buckets{};
    std::atomic<quint64> m_sumNanoseconds{0}; // integer so that adding is one atomic instruction
};

} // namespace butler
