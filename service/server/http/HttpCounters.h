#pragma once

#include <QtGlobal>

#include <atomic>

namespace butler {

// Counters shared by the listener threads, their connections and the replies, which may
// outlive the host. Read with relaxed loads: they feed metrics, not decisions.
struct HttpCounters
{
    std::atomic<qint64> openConnections{0};
    std::atomic<qint64> acceptedConnections{0};
    std::atomic<qint64> rejectedConnections{0};
    std::atomic<qint64> badRequests{0};
    std::atomic<qint64> timeouts{0};
    std::atomic<qint64> inFlight{0};
};

} // namespace butler
