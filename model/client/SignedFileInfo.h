#pragma once

#include "Queries.h"

#include <QDateTime>

namespace butler {

// A dataset's file as the server hands it out: file.uri is a signed URL that works without the
// token until expires.
struct SignedFileInfo
{
    FileInfo file;
    QDateTime expires; // invalid when the server gave no expiry
};

} // namespace butler
