#include "TimeOrderedUuid.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <vector>

#ifdef __linux__
#include <sys/random.h>
#endif

namespace butler {

namespace {

// Milliseconds and counter of the next ID, as (ms << 12) | counter: one atomic, so that threads
// making IDs at once never take a lock and never hand out the same value.
std::atomic<quint64> g_next{0};

// One read of the kernel's generator for all the random bits: QUuid::createUuid() asks the CPU's
// generator for each ID, which takes microseconds on virtual machines.
void fillRandom(std::vector<quint64>& words)
{
    if (words.empty())
        return;
    const size_t bytes = words.size() * sizeof(quint64);
    size_t done = 0;
#ifdef __linux__
    auto* out = reinterpret_cast<char*>(words.data());
    while (done < bytes) {
        const ssize_t got = ::getrandom(out + done, bytes - done, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        done += size_t(got);
    }
#endif
    if (done < bytes)
        QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
}

} // namespace

QList<QUuid> TimeOrderedUuid::generate(qsizetype n)
{
    QList<QUuid> ids;
    if (n <= 0)
        return ids;
    const quint64 now = quint64(QDateTime::currentMSecsSinceEpoch()) << 12;
    quint64 first = g_next.load(std::memory_order_relaxed);
    quint64 start = 0;
    do {
        start = std::max(first, now);
    } while (!g_next.compare_exchange_weak(first, start + quint64(n), std::memory_order_relaxed));
    std::vector<quint64> randomBits(static_cast<size_t>(n));
    fillRandom(randomBits);
    ids.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const quint64 value = start + quint64(i);
        const quint64 ms = value >> 12;
        const quint64 counter = value & 0xFFF;
        uchar bytes[16];
        for (int b = 0; b < 6; ++b)
            bytes[b] = uchar(ms >> (40 - 8 * b));
        bytes[6] = uchar(0x70 | (counter >> 8)); // version 7
        bytes[7] = uchar(counter);
        const quint64 bits = randomBits[size_t(i)];
        for (int b = 8; b < 16; ++b)
            bytes[b] = uchar(bits >> (8 * (15 - b)));
        bytes[8] = uchar((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        ids << QUuid::fromRfc4122(QByteArrayView(reinterpret_cast<const char*>(bytes), 16));
    }
    return ids;
}

QUuid TimeOrderedUuid::generate()
{
    return generate(1).first();
}

bool TimeOrderedUuid::isRandom(const QUuid& id)
{
    if (id.variant() != QUuid::DCE)
        return false;
    const int version = id.data3 >> 12;
    return version == 4 || version == 7;
}

qint64 TimeOrderedUuid::milliseconds(const QUuid& id)
{
    if (id.variant() != QUuid::DCE || (id.data3 >> 12) != 7)
        return -1;
    const QByteArray bytes = id.toRfc4122();
    qint64 ms = 0;
    for (int b = 0; b < 6; ++b)
        ms = (ms << 8) | uchar(bytes[b]);
    return ms;
}

} // namespace butler
