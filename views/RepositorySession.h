#pragma once

#include "RemoteButler.h"
#include "RemoteIdentity.h"

#include <QCoroTask>
#include <QObject>
#include <functional>
#include <memory>
#include <vector>

namespace butler {

class RequestGroup;

// Where a local repository is served: the embedded server's repository URL and token, and the
// object that keeps that server running (released when the session closes).
struct LocalEndpoint
{
    QString repoUrl;
    QString token;
    std::shared_ptr<void> keepAlive;
};

// Starts a server for a local repository. The app wires it to the embedded butler-server (the
// views never include the service); it blocks, so sessions call it on a worker thread.
using LocalServerFactory = std::function<Result<LocalEndpoint>(const QString& repoPath)>;

// One open repository: the RemoteButler every model and action of the window goes through,
// who the server takes the user for, and, for local repositories, the embedded server.
class RepositorySession : public QObject
{
    Q_OBJECT

public:
    ~RepositorySession() override;

    // Connects to a server URL (http(s)://HOST:PORT/api/butler/repo/LABEL) with a token.
    static QCoro::Task<Result<std::unique_ptr<RepositorySession>>> openRemote(QString url, QString token);
    // Starts the embedded server on the repository (off the calling thread), then connects.
    static QCoro::Task<Result<std::unique_ptr<RepositorySession>>> openLocal(QString path,
                                                                             LocalServerFactory factory);

    RemoteButler& butler() const { return *m_butler; }
    // A butler of this session whose requests join group (RemoteButler::withRequestGroup), for
    // models that live as long as the session; owned by the session, which is retired only once
    // their requests are over too.
    RemoteButler* groupButler(std::shared_ptr<RequestGroup> group);
    const RemoteIdentity& identity() const { return m_identity; }
    // The path of a local repository, or the server URL.
    QString location() const { return m_location; }
    bool isLocal() const { return m_local.keepAlive != nullptr; }
    // A short name for titles: the folder of a local repository, host/label of a server.
    QString displayName() const;

    // Collections the user may write (own and group namespaces; everywhere for admins).
    bool canWrite(const QString& collection) const;

    // Closes a session once its butler has no request in flight (a coroutine still waiting
    // for the server would otherwise wake up in a deleted client). Returns at once.
    static void retire(std::unique_ptr<RepositorySession> session);
    // Lets retired sessions finish, for at most timeoutMs; at the end of the app.
    static void waitForRetired(int timeoutMs);

private:
    RepositorySession() = default;

    std::unique_ptr<RemoteButler> m_butler;
    std::vector<std::unique_ptr<RemoteButler>> m_groupButlers; // share m_butler's request count
    RemoteIdentity m_identity;
    QString m_location;
    LocalEndpoint m_local; // released after m_butler (see the destructor)
};

} // namespace butler
