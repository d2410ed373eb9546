// butler-server: parses the command line, loads and checks the config, runs ButlerServer
// until SIGTERM or SIGINT, then stops gracefully.
#include "ButlerServer.h"
#include "ServerConfig.h"
#include "ServerLauncher.h"

#include <QCoreApplication>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("butler-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BUTLER_VERSION));
    return butler::ServerLauncher::run(app);
}
