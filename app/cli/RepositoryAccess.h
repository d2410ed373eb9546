#pragma once

#include "Butler.h"

#include <functional>
#include <memory>

namespace butler {

class RemoteButler;

// Opens the Butler a command works on. This one function decides between a local repository
// (DirectButler) and a server URL (RemoteButler).
using ButlerOpener = std::function<Result<std::unique_ptr<Butler>>(const QString& repo)>;

// How to reach a server repository; ignored for local paths.
struct AccessOptions
{
    QString tokenFile; // --token-file; empty: BUTLER_ACCESS_TOKEN, then the token store
};

class RepositoryAccess
{
public:
    // "http://..." and "https://..." name a server; anything else is a local path.
    static bool isRemote(const QString& repo);
    static Result<std::unique_ptr<Butler>> openButler(const QString& repo);
    static Result<std::unique_ptr<Butler>> openButlerWith(const QString& repo, const AccessOptions& options);
    // Finds the token (TokenSource) and connects.
    static Result<std::unique_ptr<RemoteButler>> openRemote(const QString& url, const AccessOptions& options);
    // Fails for a server URL: for commands that only work on a local repository.
    static Status requireLocal(const QString& repo, const QString& command);
};

} // namespace butler
