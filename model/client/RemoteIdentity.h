#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QStringList>

namespace butler {

// Who the server takes the caller for: GET /whoami.
struct RemoteIdentity
{
    QString user;
    QStringList groups;
    bool admin = false;
    bool dataRights = false; // member of the data-rights group: may read proprietary release data

    // {"user","groups":[],"admin":bool,"data_rights":bool}
    QJsonObject toJson() const;
    static Result<RemoteIdentity> fromJson(const QJsonObject& json);
};

} // namespace butler
