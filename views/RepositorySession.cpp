#include "RepositorySession.h"

#include <QCoroFuture>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

namespace butler {

namespace {

// Sessions waiting for their last requests; checked on a timer of the main thread.
std::vector<std::unique_ptr<RepositorySession>>& retired()
{
    static std::vector<std::unique_ptr<RepositorySession>> sessions;
    return sessions;
}

void sweepRetired()
{
    auto& sessions = retired();
    std::erase_if(sessions, [](const std::unique_ptr<RepositorySession>& s) {
        return s->butler().pendingRequests() == 0;
    });
    if (!sessions.empty())
        QTimer::singleShot(50, sweepRetired);
}

} // namespace

RepositorySession::~RepositorySession()
{
    // The clients go first: the embedded server must outlive its last request.
    m_groupButlers.clear();
    m_butler.reset();
    m_local = {};
}

QCoro::Task<Result<std::unique_ptr<RepositorySession>>> RepositorySession::openRemote(QString url,
                                                                                      QString token)
{
    auto connected = co_await RemoteButler::connectAsync(url, token);
    if (!connected)
        co_return connected.error();
    std::unique_ptr<RepositorySession> session(new RepositorySession);
    session->m_butler = std::move(*connected);
    auto identity = co_await session->m_butler->whoamiAsync();
    if (!identity)
        co_return identity.error();
    session->m_identity = *identity;
    session->m_location = url;
    co_return session;
}

QCoro::Task<Result<std::unique_ptr<RepositorySession>>>
RepositorySession::openLocal(QString path, LocalServerFactory factory)
{
    if (!factory)
        co_return Error(ErrorKind::Internal, QStringLiteral("this build cannot open local repositories"));
    // Opening the registry can take a while on a large repository: never on the UI thread.
    // g++ 12 destroys temporaries made inside a co_await expression twice (here: the lambda and
    // its copy of path), so the future is made first.
    QFuture<Result<LocalEndpoint>> starting = QtConcurrent::run([factory, path] { return factory(path); });
    Result<LocalEndpoint> endpoint = co_await starting;
    if (!endpoint)
        co_return endpoint.error();
    const QString url = endpoint->repoUrl;
    const QString token = endpoint->token;
    auto connecting = openRemote(url, token);
    auto session = co_await std::move(connecting);
    if (!session)
        co_return session.error();
    (*session)->m_local = std::move(*endpoint);
    (*session)->m_location = QFileInfo(path).absoluteFilePath();
    co_return std::move(*session);
}

RemoteButler* RepositorySession::groupButler(std::shared_ptr<RequestGroup> group)
{
    m_groupButlers.push_back(m_butler->withRequestGroup(std::move(group)));
    return m_groupButlers.back().get();
}

QString RepositorySession::displayName() const
{
    if (isLocal())
        return QFileInfo(m_location).fileName();
    const QUrl url(m_location);
    return QStringLiteral("%1/%2").arg(url.host(), m_butler->remoteLocation().label());
}

bool RepositorySession::canWrite(const QString& collection) const
{
    if (m_identity.admin)
        return true;
    const QString user = QStringLiteral("u/%1/").arg(m_identity.user);
    if (collection.startsWith(user))
        return true;
    for (const QString& group : m_identity.groups)
        if (collection.startsWith(QStringLiteral("g/%1/").arg(group)))
            return true;
    return false;
}

} // namespace butler

namespace butler {

void RepositorySession::retire(std::unique_ptr<RepositorySession> session)
{
    if (!session)
        return;
    if (session->butler().pendingRequests() == 0)
        return; // deleted here
    const bool sweeping = !retired().empty();
    retired().push_back(std::move(session));
    if (!sweeping)
        QTimer::singleShot(50, sweepRetired);
}

void RepositorySession::waitForRetired(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!retired().empty() && !deadline.hasExpired()) {
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
        std::erase_if(retired(), [](const std::unique_ptr<RepositorySession>& s) {
            return s->butler().pendingRequests() == 0;
        });
    }
}

} // namespace butler
