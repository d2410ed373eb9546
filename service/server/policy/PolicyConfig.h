#pragma once

#include <QString>

namespace butler {

// The policy settings of a server (the policy: section of its configuration). The group names
// decide who is an admin and who holds data rights; Identity carries the outcome.
struct PolicyConfig
{
    QString dataRightsGroup; // reads release collections during their proprietary period
    QString adminGroup;      // reads and writes everything, edits every ACL
    // Default length of the proprietary period of a release collection, counted from its
    // release date, when the collection has no explicit proprietary date.
    int proprietaryPeriodDays = 730;
    // The trash: section. How long removed runs, collections and datasets stay restorable (a
    // fraction of a day is allowed), and how often the server purges what has expired.
    double trashRetentionDays = 30;
    int trashPurgeIntervalSeconds = 3600;
};

} // namespace butler
