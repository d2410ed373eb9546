#pragma once

#include <QHash>
#include <QString>

#include <array>
#include <functional>
#include <mutex>

namespace butler {

// Per-key token buckets (the key is the user name): each key may spend `burst` requests at
// once and then `rate` per second. A refusal takes nothing, so a client that waits the
// advised time gets through. Thread-safe; the keys are spread over a few independently locked
// shards. Memory stays bounded by the keys seen within the last burst/rate seconds: a bucket
// that has refilled completely is indistinguishable from a new one and is dropped.
class RateLimiter
{
public:
    // Monotonic nanoseconds; tests pass their own.
    using Clock = std::function<qint64()>;

    struct Decision
    {
        bool allowed = true;
        // When refused: how long until one request is allowed again.
        qint64 waitNs = 0;
        // waitNs rounded up to whole seconds, at least 1: the Retry-After of the answer.
        qint64 retryAfterSeconds() const;
    };

    // rate > 0 requests per second; burst >= 1 (the bucket's size; it starts full).
    RateLimiter(double rate, double burst, Clock clock = {});

    Decision take(const QString& key);

    double rate() const { return m_rate; }
    double burst() const { return m_burst; }
    // Buckets held right now (for the metrics and the tests of eviction).
    qsizetype bucketCount() const;

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedNs = 0;
    };
    struct Shard
    {
        mutable std::mutex mutex;
        QHash<QString, Bucket> buckets;
        qint64 sweptNs = 0;
    };
    static constexpr int ShardCount = 16;

    void sweep(Shard& shard, qint64 now) const;

    const double m_rate;
    const double m_burst;
    const qint64 m_refillNs; // time for an empty bucket to fill up
    const Clock m_clock;
    std::array<Shard, ShardCount> m_shards;
};

} // namespace butler
