#pragma once

#include <QtGlobal>

#include <chrono>

namespace butler {

// Nanoseconds on the monotonic clock, for intervals (never for dates): one helper for the
// places that keep a time in an integer (atomics, token buckets).
inline qint64 steadyNanoseconds()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace butler
