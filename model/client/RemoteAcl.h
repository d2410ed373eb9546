#pragma once

#include "Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

namespace butler {

// Who may read a collection: GET/POST /acl. Only user (u/...) and group (g/...) collections
// have readers to edit; release collections follow the proprietary period.
struct RemoteAcl
{
    QString collection;
    QString owner;              // "u/<user>", "g/<group>" or "release"
    QStringList readers;        // groups granted read
    QDateTime releaseDate;      // invalid when the server sent none
    QDateTime proprietaryUntil; // invalid when the server sent none

    // {"collection","owner","readers":[],"release_date":iso?,"proprietary_until":iso?}
    QJsonObject toJson() const;
    static Result<RemoteAcl> fromJson(const QJsonObject& json);
};

} // namespace butler
