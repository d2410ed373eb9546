#pragma once

#include <QString>
#include <QVariantMap>

namespace butler {

// One file announced to POST /uploads: the dataset it is to become and what will be sent.
struct UploadSpec
{
    QString datasetType;
    QVariantMap dataId;
    qint64 size = 0;
    QString sha256; // hex; lets the server check the body and recognise a file it already has
    QString formatter;
};

} // namespace butler
