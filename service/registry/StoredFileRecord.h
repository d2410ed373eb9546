#pragma once

#include <QString>
#include <QUuid>

namespace butler {

// The datastore's row for one dataset's file, kept in the registry database so that both
// change in one transaction.
struct StoredFileRecord
{
    QUuid id;
    QString path; // relative to the datastore root, or absolute for direct ingest
    QString formatter;
    QString storageClass;
    qint64 size = 0;
    QString checksum; // "sha256:<hex>"
};

} // namespace butler
