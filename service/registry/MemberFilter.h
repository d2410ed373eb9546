#pragma once

#include <QString>
#include <functional>

namespace butler {

// Narrows what some collections contribute to a dataset search: members of a restricted
// collection count only when their RUN is allowed. The server's access policy uses it so that
// a TAGGED or CALIBRATION collection a user may read cannot pass on datasets of runs they may
// not read (a reader's own tags would otherwise re-share proprietary data).
struct MemberFilter
{
    // Asked only for the TAGGED/CALIBRATION collections a search reaches.
    std::function<bool(const QString& collection)> restricted;
    // Asked only for members of restricted collections.
    std::function<bool(const QString& run)> runAllowed;

    bool isEmpty() const { return !restricted || !runAllowed; }
};

} // namespace butler
