#pragma once

#include <QDateTime>

#include <functional>

namespace butler {

// Wall-clock time in milliseconds since the epoch. Token lifetimes, caches and refresh limits
// all read it through this, so tests can move time instead of sleeping.
using AuthClock = std::function<qint64()>;

inline AuthClock systemAuthClock()
{
    return [] { return QDateTime::currentMSecsSinceEpoch(); };
}

} // namespace butler
