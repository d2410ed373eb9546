// butler-browser: the desktop app. Opens a local repository through the embedded server, or a
// server URL with a token (--token-file, BUTLER_ACCESS_TOKEN, or the one stored by a sign-in
// here or by `butler login`; without one it asks).

#include "AppLanguage.h"
#include "EmbeddedServer.h"
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>

using namespace butler;

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Butler"));
    QApplication::setApplicationName(QStringLiteral("butler-browser"));
    QApplication::setApplicationVersion(QStringLiteral(BUTLER_VERSION));

    // The language follows the system unless the preferences name one.
    AppLanguage::install(&app);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Browse and curate Butler data repositories."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("repository"),
        QApplication::translate("main", "A local repository folder or a server URL."));
    const QCommandLineOption tokenFile(
        QStringLiteral("token-file"),
        QApplication::translate("main", "Read the server's access token from FILE."), QStringLiteral("FILE"));
    parser.addOption(tokenFile);
    parser.process(app);

    // Local repositories are served in-process; the views only see the URL and token.
    LocalServerFactory localServers = [](const QString& path) -> Result<LocalEndpoint> {
        const QString user = qEnvironmentVariable("USER", QStringLiteral("local"));
        auto server = EmbeddedServer::start(path, user);
        if (!server)
            return server.error();
        std::shared_ptr<EmbeddedServer> running(std::move(*server));
        return LocalEndpoint{running->repoUrl(), running->token(), running};
    };

    MainWindow window(localServers);
    window.show();
    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty()) {
        const QString target = args.first();
        if (target.startsWith(QLatin1String("http://")) || target.startsWith(QLatin1String("https://"))) {
            QString token = qEnvironmentVariable("BUTLER_ACCESS_TOKEN").trimmed();
            if (parser.isSet(tokenFile)) {
                QFile file(parser.value(tokenFile));
                if (file.open(QIODevice::ReadOnly))
                    token = QString::fromUtf8(file.readAll()).trimmed();
            }
            if (token.isEmpty())
                window.connectToServer(target);
            else
                window.openRemote(target, token);
        } else {
            window.openLocal(target);
        }
    }
    return app.exec();
}
