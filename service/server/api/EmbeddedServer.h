#pragma once

#include "Result.h"

#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <memory>

class QThread;

namespace butler {

class ButlerServer;

// butler-server inside another process: the desktop app opens a local repository through it,
// so local and remote repositories share one code path and one security model. The server
// runs on a thread of its own (plus its listener and worker threads) on a free loopback port;
// the only credential is a random token made for this run, kept in a private temporary
// folder, for the local user as an admin of their own repository.
class EmbeddedServer
{
public:
    // Opens the repository and starts listening; blocks while it does (call it off the UI
    // thread). user names the token's user in logs and ownership of u/<user>/ collections.
    static Result<std::unique_ptr<EmbeddedServer>> start(const QString& repoPath, const QString& user);
    // Stops the server (requests in flight get a short grace period) and its thread.
    ~EmbeddedServer();

    QString repoUrl() const { return m_repoUrl; }
    QString token() const { return m_token; }
    QString user() const { return m_user; }

private:
    EmbeddedServer() = default;

    QTemporaryDir m_dir; // the token file
    QThread* m_thread = nullptr;
    std::unique_ptr<QObject> m_anchor;      // lives on m_thread: calls into it go through this
    std::unique_ptr<ButlerServer> m_server; // lives on m_thread
    QString m_repoUrl;
    QString m_token;
    QString m_user;
};

} // namespace butler
