#pragma once

#include <QString>
#include <QStringList>

namespace butler {

// Who a request comes from, after its token was verified. The policy decides from this alone;
// admin and data-rights membership are worked out once, from the configured group names.
struct Identity
{
    QString user;            // from the configured user-name claim
    QStringList groups;      // from the configured groups claim, sorted, unique
    bool admin = false;      // member of policy.admin_group
    bool dataRights = false; // member of policy.data_rights_group
    qint64 expiresAt = 0;    // unix seconds; 0: never (static tokens)

    bool inGroup(const QString& group) const { return groups.contains(group); }
};

} // namespace butler
