#include "CliApplication.h"

#include "ArgumentParser.h"

#include <cstdio>
#include <unistd.h>

namespace butler {

namespace {

// The contract promises one line per error.
QString oneLine(QString message)
{
    message.replace(QLatin1String("\r\n"), QLatin1String("; "));
    message.replace(QLatin1Char('\n'), QLatin1String("; "));
    return message.trimmed();
}

void writeError(QTextStream& err, const QString& message)
{
    err << "error: " << oneLine(message) << '\n';
}

} // namespace

CliApplication::CliApplication()
    : m_commands(CommandRegistry::builtIn())
    , m_hooks(CommandHooks::builtIn())
{
}

void CliApplication::setInput(QTextStream* in, bool interactive)
{
    m_in = in;
    m_interactive = interactive;
}

QString CliApplication::help() const
{
    QString text = QStringLiteral("usage: butler COMMAND [ARGUMENTS] [OPTIONS]\n\n"
                                  "Work with a data butler repository: a local path or a server URL\n"
                                  "(http(s)://HOST:PORT/api/butler/repo/LABEL).\n\ncommands:\n");
    qsizetype width = 0;
    for (const Command& command : m_commands.commands())
        width = std::max(width, command.spec.name.size());
    for (const Command& command : m_commands.commands())
        text += QStringLiteral("  ") + command.spec.name.leftJustified(width) + QStringLiteral("  ") +
                command.spec.summary + QLatin1Char('\n');
    text += QStringLiteral(
        "\nRun 'butler COMMAND --help' for the arguments and options of a command.\n"
        "Exit status: 0 on success, 1 on an error, 2 on bad usage.\n"
        "Logs are off; set BUTLER_LOG (e.g. \"butler.*.debug=true;*.warning=true\") to see them.\n");
    return text;
}

int CliApplication::run(const QStringList& args, QTextStream& out, QTextStream& err)
{
    if (args.isEmpty()) {
        writeError(err, QStringLiteral("no command given"));
        err << "Run 'butler --help' for the list of commands.\n";
        return 2;
    }
    const QString& name = args.first();
    if (name == QLatin1String("--help") || name == QLatin1String("-h") ||
        (name == QLatin1String("help") && args.size() == 1)) {
        out << help();
        return 0;
    }
    if (name == QLatin1String("help")) {
        const Command* command = m_commands.find(args[1]);
        if (!command) {
            writeError(err, QStringLiteral("unknown command '%1'").arg(args[1]));
            err << "Run 'butler --help' for the list of commands.\n";
            return 2;
        }
        out << command->spec.help();
        return 0;
    }
    if (name == QLatin1String("--version")) {
        out << "butler " << BUTLER_VERSION << '\n';
        return 0;
    }
    const Command* command = m_commands.find(name);
    if (!command) {
        writeError(err, name.startsWith(QLatin1Char('-'))
                            ? QStringLiteral("unknown option '%1': options follow the command").arg(name)
                            : QStringLiteral("unknown command '%1'").arg(name));
        err << "Run 'butler --help' for the list of commands.\n";
        return 2;
    }
    return runCommand(*command, args.mid(1), out, err);
}

int CliApplication::runCommand(const Command& command, const QStringList& words, QTextStream& out,
                               QTextStream& err)
{
    if (ArgumentParser::wantsHelp(words)) {
        out << command.spec.help();
        return 0;
    }
    const Result<ParsedArguments> parsed = ArgumentParser::parse(command.spec, words);
    if (!parsed.ok()) {
        writeError(err, parsed.error().message());
        err << "usage: " << command.spec.usage() << '\n';
        return 2;
    }

    QTextStream stdinStream(stdin);
    QTextStream& in = m_in ? *m_in : stdinStream;
    const bool interactive = m_in ? m_interactive : ::isatty(STDIN_FILENO) != 0;
    ButlerOpener opener = m_opener;
    if (!opener) {
        const AccessOptions access{.tokenFile = parsed->value(QStringLiteral("token-file"))};
        opener = [access](const QString& repo) { return RepositoryAccess::openButlerWith(repo, access); };
    }
    CommandContext context(command.spec, parsed.value(), out, err, in, interactive, m_hooks, opener);
    const Status status = command.handler(context);
    out.flush();
    if (status.ok())
        return 0;
    writeError(err, status.error().message());
    if (context.isUsageError()) {
        err << "usage: " << command.spec.usage() << '\n';
        return 2;
    }
    return 1;
}

} // namespace butler
