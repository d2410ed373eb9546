#include "ServerLauncher.h"

#include "ButlerServer.h"
#include "ServerConfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcLauncher, "butler.server.main")

namespace butler {

namespace {

int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // Only async-signal-safe work here; the event loop picks it up from the socket.
    [[maybe_unused]] const ssize_t written = ::write(g_signalFds[0], &byte, 1);
}

QString randomToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(bytes.data()), bytes.size() / 4);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

void setUpLogging()
{
    // One line per request (butler.server.access) and start/stop messages at info; debug
    // output on request through BUTLER_LOG (e.g. "butler.*.debug=true").
    QString rules = QStringLiteral("*.debug=false\nqt.*.info=false");
    const QString extra = qEnvironmentVariable("BUTLER_LOG");
    if (!extra.isEmpty())
        rules += QLatin1Char('\n') + QString(extra).replace(QLatin1Char(';'), QLatin1Char('\n'));
    QLoggingCategory::setFilterRules(rules);
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-info}INFO%{endif}%{if-warning}WARN%{endif}"
                       "%{if-critical}ERROR%{endif}%{if-debug}DEBUG%{endif} %{category} %{message}"));
}

} // namespace

Result<QString> ServerLauncher::addStaticToken(const QString& file, const QString& user,
                                               const QStringList& groups)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"));
    if (!namePattern.match(user).hasMatch())
        return invalidInput(
            QStringLiteral("user name '%1' must be 1-64 letters, digits, '.', '_', '@' or '-'").arg(user));
    for (const QString& group : groups) {
        if (!namePattern.match(group).hasMatch())
            return invalidInput(
                QStringLiteral("group name '%1' must be 1-64 letters, digits, '.', '_', '@' or '-'")
                    .arg(group));
    }
    const QString token = randomToken();
    const QByteArray hash = QCryptographicHash::hash(token.toLatin1(), QCryptographicHash::Sha256).toHex();
    QFile out(file);
    const bool existed = out.exists();
    if (!out.open(QIODevice::Append | QIODevice::Text))
        return Error(ErrorKind::Io,
                     QStringLiteral("cannot write token file %1: %2").arg(file, out.errorString()));
    if (!existed)
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QByteArray entry = "- token_sha256: " + hash + "\n  user: \"" + user.toUtf8() + "\"\n  groups: [";
    for (qsizetype i = 0; i < groups.size(); ++i)
        entry += (i ? ", \"" : "\"") + groups.at(i).toUtf8() + '"';
    entry += "]\n";
    if (out.write(entry) != entry.size())
        return Error(ErrorKind::Io,
                     QStringLiteral("cannot write token file %1: %2").arg(file, out.errorString()));
    return token;
}

int ServerLauncher::run(QCoreApplication& app)
{
    QTextStream err(stderr);
    QTextStream out(stdout);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The Butler data server."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("YAML configuration file."), QStringLiteral("FILE"));
    const QCommandLineOption repoOption(QStringLiteral("repo"),
                                        QStringLiteral("Quick start: serve this repository as 'main'."),
                                        QStringLiteral("PATH"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("Quick start: address to listen on (default 127.0.0.1:8080)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption tokenFileOption(
        QStringLiteral("token-file"),
        QStringLiteral(
            "Quick start: static token file (a list of {token_sha256, user, groups}). Without it, a "
            "token for an admin user is made and printed."),
        QStringLiteral("FILE"));
    const QCommandLineOption addTokenOption(QStringLiteral("add-token"),
                                            QStringLiteral("Add a new token to FILE, print it and exit."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption userOption(
        QStringLiteral("user"), QStringLiteral("With --add-token: the user name."), QStringLiteral("NAME"));
    const QCommandLineOption groupsOption(QStringLiteral("groups"),
                                          QStringLiteral("With --add-token: comma-separated groups."),
                                          QStringLiteral("LIST"));
    const QCommandLineOption checkOption(QStringLiteral("check"),
                                         QStringLiteral("Check the configuration and exit."));
    parser.addOptions({configOption, repoOption, listenOption, tokenFileOption, addTokenOption, userOption,
                       groupsOption, checkOption});
    if (!parser.parse(app.arguments())) {
        err << "error: " << parser.errorText() << " (see butler-server --help)\n";
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        out << "butler-server " << QCoreApplication::applicationVersion() << '\n';
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        err << "error: unexpected argument '" << parser.positionalArguments().first()
            << "' (see butler-server --help)\n";
        return 2;
    }

    if (parser.isSet(addTokenOption)) {
        if (!parser.isSet(userOption)) {
            err << "error: --add-token needs --user NAME\n";
            return 2;
        }
        const QStringList groups = parser.value(groupsOption).split(u',', Qt::SkipEmptyParts);
        const Result<QString> token =
            addStaticToken(parser.value(addTokenOption), parser.value(userOption), groups);
        if (!token) {
            err << "error: " << token.error().message() << '\n';
            return 1;
        }
        out << token.value() << '\n';
        return 0;
    }

    setUpLogging();
    Result<ServerConfig> config = invalidInput(QString());
    if (parser.isSet(configOption)) {
        if (parser.isSet(repoOption)) {
            err << "error: give either --config FILE or --repo PATH, not both\n";
            return 2;
        }
        config = ServerConfig::load(parser.value(configOption));
    } else if (parser.isSet(repoOption)) {
        QString tokenFile = parser.value(tokenFileOption);
        if (tokenFile.isEmpty()) {
            // A fresh admin token per start, so a quick start is never open to everyone.
            const QString dir =
                QDir(parser.value(repoOption)).absoluteFilePath(QStringLiteral(".butler-server"));
            QDir().mkpath(dir);
            tokenFile = dir + QStringLiteral("/quickstart-tokens.yaml");
            QFile::remove(tokenFile);
            const Result<QString> token =
                addStaticToken(tokenFile, QStringLiteral("admin"), {QStringLiteral("butler-admins")});
            if (!token) {
                err << "error: " << token.error().message() << '\n';
                return 1;
            }
            out << "access token for user 'admin' (group butler-admins): " << token.value() << '\n';
            out.flush();
        }
        ServerConfig quick =
            ServerConfig::quickStart(parser.value(repoOption), parser.value(listenOption), tokenFile);
        const Status valid = quick.validate();
        config = valid.ok() ? Result<ServerConfig>(quick) : Result<ServerConfig>(valid.error());
    } else {
        err << "error: give --config FILE or --repo PATH (see butler-server --help)\n";
        return 2;
    }
    if (!config) {
        err << "error: bad configuration:\n" << config.error().message() << '\n';
        return 1;
    }
    if (parser.isSet(checkOption)) {
        out << "configuration OK\n";
        return 0;
    }

    Result<std::unique_ptr<ButlerServer>> server = ButlerServer::create(config.value());
    if (!server) {
        err << "error: " << server.error().message() << '\n';
        return 1;
    }
    const Result<quint16> port = server.value()->start();
    if (!port) {
        err << "error: " << port.error().message() << '\n';
        return 1;
    }
    out << "butler-server listening on http://" << config->listenHost << ':' << port.value() << '\n';
    out.flush();

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0) {
        err << "error: cannot set up signal handling\n";
        return 1;
    }
    QSocketNotifier notifier(g_signalFds[1], QSocketNotifier::Read);
    ButlerServer* running = server.value().get();
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&notifier, running, &app] {
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(g_signalFds[1], &byte, 1);
        notifier.setEnabled(false);
        qCInfo(lcLauncher) << "stopping: finishing requests in flight";
        running->stop(10000);
        app.quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    const int code = app.exec();
    server.value().reset();
    return code;
}

} // namespace butler
