#pragma once

#include "Result.h"

#include <QStringList>

class QCoreApplication;

namespace butler {

// What butler-server's main() does: the command line (CLI.md "butler-server"), the config
// check, the quick-start token, signals, and the graceful stop.
class ServerLauncher
{
public:
    static int run(QCoreApplication& app);

    // Makes a new random token, adds its sha256 with user and groups to the static token
    // file (created 0600 when missing) and returns the token.
    static Result<QString> addStaticToken(const QString& file, const QString& user,
                                          const QStringList& groups);
};

} // namespace butler
