// butler-server: parses the command line, loads and checks the config, runs ButlerServer
// until SIGTERM or SIGINT, then stops gracefully.
#include "ButlerServer.h"
#include "ServerConfig.h"
#include "ServerLauncher.h"

#include <QCoreApplication>

int main(int argc, char** argv)
{
    // Qt's GLib event loop wakes itself (an eventfd write and another poll) whenever a socket's
    // write notifier is switched on or off, twice per answer; the plain poll loop does not.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("butler-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BUTLER_VERSION));
    return butler::ServerLauncher::run(app);
}
