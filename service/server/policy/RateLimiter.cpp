#include "RateLimiter.h"

#include "SteadyClock.h"

#include <QLoggingCategory>

#include <chrono>
#include <cmath>

Q_LOGGING_CATEGORY(lcRateLimit, "butler.policy.ratelimit")

namespace butler {

qint64 RateLimiter::Decision::retryAfterSeconds() const
{
    const qint64 seconds = (waitNs + 999999999) / 1000000000;
    return std::max<qint64>(seconds, 1);
}

RateLimiter::RateLimiter(double rate, double burst, Clock clock)
    : m_rate(rate > 0 ? rate : 1)
    , m_burst(std::max(burst, 1.0))
    , m_refillNs(qint64(std::ceil(m_burst / m_rate * 1e9)))
    , m_clock(clock ? std::move(clock) : Clock(&steadyNanoseconds))
{
}

RateLimiter::Decision RateLimiter::take(const QString& key)
{
    const qint64 now = m_clock();
    Shard& shard = m_shards[qHash(key) % ShardCount];
    std::lock_guard lock(shard.mutex);
    if (now - shard.sweptNs >= m_refillNs)
        sweep(shard, now);
    auto it = shard.buckets.find(key);
    if (it == shard.buckets.end())
        it = shard.buckets.insert(key, Bucket{m_burst, now});
    Bucket& bucket = *it;
    if (now > bucket.updatedNs) {
        bucket.tokens = std::min(m_burst, bucket.tokens + double(now - bucket.updatedNs) * m_rate / 1e9);
        bucket.updatedNs = now;
    }
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return Decision{};
    }
    const double missing = 1.0 - bucket.tokens;
    return Decision{false, std::max<qint64>(1, qint64(std::ceil(missing / m_rate * 1e9)))};
}

qsizetype RateLimiter::bucketCount() const
{
    qsizetype count = 0;
    for (const Shard& shard : m_shards) {
        std::lock_guard lock(shard.mutex);
        count += shard.buckets.size();
    }
    return count;
}

void RateLimiter::sweep(Shard& shard, qint64 now) const
{
    // A bucket untouched for a whole refill time is full again: forgetting it changes nothing.
    const qsizetype before = shard.buckets.size();
    shard.buckets.removeIf([this, now](const QHash<QString, Bucket>::iterator& it) {
        return now - it->updatedNs >= m_refillNs;
    });
    shard.sweptNs = now;
    if (before != shard.buckets.size())
        qCDebug(lcRateLimit) << "dropped" << before - shard.buckets.size() << "idle buckets";
}

} // namespace butler
