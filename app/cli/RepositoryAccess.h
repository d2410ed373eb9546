#pragma once

#include "Butler.h"

#include <functional>
#include <memory>

namespace butler {

// Opens the Butler a command works on. This one function decides between a local repository
// (DirectButler) and a server URL, so the remote client slots in here.
using ButlerOpener = std::function<Result<std::unique_ptr<Butler>>(const QString& repo)>;

class RepositoryAccess
{
public:
    // "http://..." and "https://..." name a server; anything else is a local path.
    static bool isRemote(const QString& repo);
    static Result<std::unique_ptr<Butler>> openButler(const QString& repo);
    // Fails for a server URL: for commands that only work on a local repository.
    static Status requireLocal(const QString& repo, const QString& command);
};

} // namespace butler
