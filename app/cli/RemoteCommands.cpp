#include "RemoteCommands.h"

#include "CommonOptions.h"

namespace butler {

namespace {

Status needsServer(const QString& command, const QString& target)
{
    return invalidInput(
        QStringLiteral("%1 needs a server URL (http(s)://HOST:PORT/api/butler/repo/LABEL); '%2' is a "
                       "local path")
            .arg(command, target));
}

// Reaching the server is the Butler's job; with no remote client in this build that fails with
// the opener's message.
Status connect(CommandContext& context, const QString& target)
{
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler(target));
    return Error(ErrorKind::Unavailable,
                 QStringLiteral("%1 is not available for %2").arg(context.spec().name, target));
}

} // namespace

void RemoteCommands::registerCommands(CommandRegistry& registry)
{
    const PositionalSpec serverRepo{
        .name = QStringLiteral("REPO"),
        .help = QStringLiteral("server URL (http(s)://HOST:PORT/api/butler/repo/LABEL)")};
    registry.add({.name = QStringLiteral("login"),
                  .summary = QStringLiteral("obtain and store a token through the server's sign-in (remote)"),
                  .positionals = {{.name = QStringLiteral("URL"), .help = QStringLiteral("the server URL")}}},
                 &RemoteCommands::login);
    registry.add({.name = QStringLiteral("whoami"),
                  .summary = QStringLiteral("show your user, groups and quota (remote)"),
                  .positionals = {serverRepo}},
                 &RemoteCommands::serverOnly);
    registry.add({.name = QStringLiteral("quota"),
                  .summary = QStringLiteral("show a quota; admins set a user's limit (remote)"),
                  .positionals = {serverRepo,
                                  {.name = QStringLiteral("USER"),
                                   .help = QStringLiteral("whose quota (default: yours)"),
                                   .optional = true}},
                  .options = {{.name = QStringLiteral("set"),
                               .valueName = QStringLiteral("BYTES"),
                               .help = QStringLiteral("set the user's limit (admins)"),
                               .integer = true}}},
                 &RemoteCommands::serverOnly);
    registry.add(
        {.name = QStringLiteral("acl"),
         .summary = QStringLiteral("show or edit who may read a user or group collection (remote)"),
         .positionals = {serverRepo,
                         {.name = QStringLiteral("COLLECTION"), .help = QStringLiteral("the collection")}},
         .options = {{.name = QStringLiteral("grant"),
                      .valueName = QStringLiteral("GROUP"),
                      .help = QStringLiteral("let these groups read it"),
                      .multiple = true},
                     {.name = QStringLiteral("revoke"),
                      .valueName = QStringLiteral("GROUP"),
                      .help = QStringLiteral("stop these groups reading it"),
                      .multiple = true}}},
        &RemoteCommands::serverOnly);
    registry.add(
        {.name = QStringLiteral("jobs"),
         .summary = QStringLiteral("list, show or cancel asynchronous query jobs (remote)"),
         .positionals = {serverRepo,
                         {.name = QStringLiteral("ACTION"),
                          .help = QStringLiteral("list (default), show ID or cancel ID"),
                          .optional = true},
                         {.name = QStringLiteral("ID"), .help = QStringLiteral("the job"), .optional = true}},
         .options = {CommonOptions::format()}},
        &RemoteCommands::jobs);
    registry.add({.name = QStringLiteral("trash"),
                  .summary = QStringLiteral("list removed things that can still be restored; restore them"),
                  .positionals = {serverRepo,
                                  {.name = QStringLiteral("ACTION"),
                                   .help = QStringLiteral("list (default) or restore"),
                                   .optional = true},
                                  {.name = QStringLiteral("NAME"),
                                   .help = QStringLiteral("what to restore"),
                                   .optional = true,
                                   .variadic = true}},
                  .options = {CommonOptions::format()}},
                 &RemoteCommands::trash);
}

Status RemoteCommands::login(CommandContext& context)
{
    const QString url = context.args().positional(QStringLiteral("URL"));
    if (!RepositoryAccess::isRemote(url))
        return needsServer(QStringLiteral("login"), url);
    return connect(context, url);
}

Status RemoteCommands::serverOnly(CommandContext& context)
{
    if (!RepositoryAccess::isRemote(context.repo()))
        return needsServer(context.spec().name, context.repo());
    return connect(context, context.repo());
}

Status RemoteCommands::jobs(CommandContext& context)
{
    const QString action = context.args().positional(QStringLiteral("ACTION"));
    const QString id = context.args().positional(QStringLiteral("ID"));
    if (!action.isEmpty() && action != QLatin1String("list") && action != QLatin1String("show") &&
        action != QLatin1String("cancel"))
        return context.usageError(
            QStringLiteral("unknown jobs action '%1' (use list, show ID or cancel ID)").arg(action));
    if ((action == QLatin1String("show") || action == QLatin1String("cancel")) && id.isEmpty())
        return context.usageError(QStringLiteral("jobs %1 needs a job ID").arg(action));
    if ((action.isEmpty() || action == QLatin1String("list")) && !id.isEmpty())
        return context.usageError(QStringLiteral("unexpected argument '%1'").arg(id));
    return serverOnly(context);
}

Status RemoteCommands::trash(CommandContext& context)
{
    const QString action = context.args().positional(QStringLiteral("ACTION"));
    const QStringList names = context.args().positionals(QStringLiteral("NAME"));
    if (!action.isEmpty() && action != QLatin1String("list") && action != QLatin1String("restore"))
        return context.usageError(
            QStringLiteral("unknown trash action '%1' (use list or restore NAME...)").arg(action));
    if (action == QLatin1String("restore") && names.isEmpty())
        return context.usageError(QStringLiteral("trash restore needs the names to restore"));
    if (action != QLatin1String("restore") && !names.isEmpty())
        return context.usageError(QStringLiteral("unexpected argument '%1'").arg(names.first()));
    if (!RepositoryAccess::isRemote(context.repo()))
        return invalidInput(
            QStringLiteral("trash is available on server repositories; on a local repository removals "
                           "are final"));
    return connect(context, context.repo());
}

} // namespace butler
