#include "EmbeddedServer.h"

#include "ButlerServer.h"
#include "ServerConfig.h"
#include "ServerLauncher.h"
#include "SqliteDatabase.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <QThread>

namespace butler {

Q_LOGGING_CATEGORY(lcEmbedded, "butler.server.embedded")

Result<std::unique_ptr<EmbeddedServer>> EmbeddedServer::start(const QString& repoPath, const QString& user)
{
    std::unique_ptr<EmbeddedServer> self(new EmbeddedServer);
    if (!self->m_dir.isValid())
        return Error(ErrorKind::Io, QStringLiteral("cannot create a private temporary folder for the "
                                                   "embedded server's token"));
    const QString tokenFile = self->m_dir.filePath(QStringLiteral("tokens.yaml"));
    // The owner of a local repository administers it.
    BUTLER_ASSIGN_OR_RETURN(
        self->m_token, ServerLauncher::addStaticToken(tokenFile, user, {QStringLiteral("butler-admins")}));
    self->m_user = user;
    // A desktop app's budget, not a server's: no file map (its pages would count as the app's
    // memory), a small page cache per worker connection; the system's file cache does the rest.
    SqliteDatabase::setMemoryLimits({.cacheKiB = 8192, .mapBytes = 0});
    ServerConfig config = ServerConfig::quickStart(repoPath, QStringLiteral("127.0.0.1:0"), tokenFile);
    // One user: a couple of threads are plenty and leave the cores to the UI.
    config.http.threads = 1;
    config.workers = 2;
    // Its only user is the admin at the keyboard: per-user limits would only slow the app down.
    config.limits.exemptAdmins = true;
    BUTLER_TRY(config.validate());

    self->m_thread = new QThread;
    self->m_thread->setObjectName(QStringLiteral("butler-embedded-server"));
    self->m_anchor = std::make_unique<QObject>();
    self->m_anchor->moveToThread(self->m_thread);
    self->m_thread->start();
    // The server and its timers belong to the thread; creating it there keeps every QObject's
    // affinity right.
    Result<quint16> port = Error(ErrorKind::Internal, QStringLiteral("the embedded server did not start"));
    EmbeddedServer* raw = self.get();
    QMetaObject::invokeMethod(
        self->m_anchor.get(),
        [raw, &config, &port] {
            auto server = ButlerServer::create(config);
            if (!server) {
                port = server.error();
                return;
            }
            port = (*server)->start();
            if (port)
                raw->m_server = std::move(*server);
        },
        Qt::BlockingQueuedConnection);
    if (!port) {
        // The destructor stops the thread.
        return port.error().withContext(QStringLiteral("cannot open repository %1").arg(repoPath));
    }
    self->m_repoUrl = QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(*port);
    qCInfo(lcEmbedded) << "serving" << repoPath << "at" << self->m_repoUrl;
    return self;
}

EmbeddedServer::~EmbeddedServer()
{
    if (!m_thread)
        return;
    if (m_server) {
        QMetaObject::invokeMethod(
            m_anchor.get(),
            [this] {
                m_server->stop(2000);
                m_server.reset();
            },
            Qt::BlockingQueuedConnection);
    }
    m_thread->quit();
    m_thread->wait();
    m_anchor.reset(); // its thread has finished
    delete m_thread;
}

} // namespace butler
