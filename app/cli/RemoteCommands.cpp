#include "RemoteCommands.h"

#include "CommonOptions.h"
#include "RemoteButler.h"
#include "TokenSource.h"

#include <QLocale>
#include <QSet>

namespace butler {

namespace {

Error needsServer(const QString& command, const QString& target)
{
    return invalidInput(
        QStringLiteral("%1 needs a server URL (http(s)://HOST:PORT/api/butler/repo/LABEL); '%2' is a "
                       "local path")
            .arg(command, target));
}

// For the commands whose server routes do not exist yet: connecting first still reports a
// wrong URL, a missing token or an unreachable server as such.
Status connect(CommandContext& context, const QString& target)
{
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler(target));
    return Error(ErrorKind::Unavailable,
                 QStringLiteral("%1 is not available for %2 yet").arg(context.spec().name, target));
}

// The opened repository as a RemoteButler, for the commands only a server answers.
Result<std::unique_ptr<RemoteButler>> openServer(CommandContext& context)
{
    if (!RepositoryAccess::isRemote(context.repo()))
        return needsServer(context.spec().name, context.repo());
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    auto* remote = dynamic_cast<RemoteButler*>(butler.get());
    if (!remote)
        return invalidInput(QStringLiteral("%1 needs a server repository").arg(context.spec().name));
    butler.release();
    return std::unique_ptr<RemoteButler>(remote);
}

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

QString listOrNone(const QStringList& items)
{
    return items.isEmpty() ? QStringLiteral("(none)") : items.join(QStringLiteral(", "));
}

// "name:   value" lines with the values aligned.
void printFields(QTextStream& out, const QList<QPair<QString, QString>>& fields)
{
    qsizetype width = 0;
    for (const auto& field : fields)
        width = std::max(width, field.first.size() + 1);
    for (const auto& field : fields)
        out << (field.first + QLatin1Char(':')).leftJustified(width + 1) << field.second << '\n';
}

void printAcl(QTextStream& out, const RemoteAcl& acl)
{
    QList<QPair<QString, QString>> fields{{QStringLiteral("collection"), acl.collection},
                                          {QStringLiteral("owner"), acl.owner},
                                          {QStringLiteral("readers"), listOrNone(acl.readers)}};
    if (acl.releaseDate.isValid())
        fields.append({QStringLiteral("release date"), acl.releaseDate.toUTC().toString(Qt::ISODate)});
    if (acl.proprietaryUntil.isValid())
        fields.append(
            {QStringLiteral("proprietary until"), acl.proprietaryUntil.toUTC().toString(Qt::ISODate)});
    printFields(out, fields);
}

QString bytesText(qint64 bytes)
{
    return QStringLiteral("%1 (%2 bytes)").arg(QLocale::c().formattedDataSize(bytes)).arg(bytes);
}

void printQuota(QTextStream& out, const RemoteQuota& quota)
{
    printFields(out,
                {{QStringLiteral("user"), quota.user},
                 {QStringLiteral("limit"),
                  bytesText(quota.limitBytes) + (quota.defaultLimit ? QStringLiteral(", the default")
                                                                    : QStringLiteral(", set by an admin"))},
                 {QStringLiteral("used"), bytesText(quota.usedBytes)},
                 {QStringLiteral("reserved"), bytesText(quota.reservedBytes)},
                 {QStringLiteral("available"), bytesText(quota.availableBytes)}});
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
                 &RemoteCommands::whoami);
    registry.add({.name = QStringLiteral("quota"),
                  .summary = QStringLiteral("show a quota; admins set a user's limit (remote)"),
                  .positionals = {serverRepo,
                                  {.name = QStringLiteral("USER"),
                                   .help = QStringLiteral("whose quota (default: yours)"),
                                   .optional = true}},
                  .options = {{.name = QStringLiteral("set"),
                               .valueName = QStringLiteral("BYTES"),
                               .help = QStringLiteral("set the user's limit (admins)"),
                               .integer = true},
                              {.name = QStringLiteral("reset"),
                               .help = QStringLiteral("put the user back on the default limit (admins)")}}},
                 &RemoteCommands::quota);
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
        &RemoteCommands::acl);
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
}

Status RemoteCommands::login(CommandContext& context)
{
    const QString url = context.args().positional(QStringLiteral("URL"));
    if (!RepositoryAccess::isRemote(url))
        return needsServer(QStringLiteral("login"), url);
    BUTLER_ASSIGN_OR_RETURN(const RemoteLocation location, RemoteLocation::parse(url));
    const QString tokenFile = context.args().value(QStringLiteral("token-file"));
    if (tokenFile.isEmpty() && qEnvironmentVariable(TokenSource::EnvironmentVariable).trimmed().isEmpty())
        return invalidInput(
            QStringLiteral("this build cannot run the server's sign-in flow yet: get a token from the "
                           "server's operators and run 'butler login %1 --token-file FILE' (or set %2)")
                .arg(url, QLatin1String(TokenSource::EnvironmentVariable)));
    // Only a token the server accepts is worth keeping.
    BUTLER_ASSIGN_OR_RETURN(const QString token,
                            TokenSource::find(location.serverBase(), tokenFile, QString()));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler, RemoteButler::connect(url, token));
    BUTLER_ASSIGN_OR_RETURN(const RemoteIdentity identity, butler->whoami());
    const QString store = TokenSource::defaultStoreFile();
    BUTLER_TRY(TokenSource::storeToken(location.serverBase(), token, store));
    context.out() << "Logged in to " << location.serverBase() << " as " << identity.user
                  << "; the token is stored in " << store << ".\n";
    return {};
}

Status RemoteCommands::whoami(CommandContext& context)
{
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler, openServer(context));
    BUTLER_ASSIGN_OR_RETURN(const RemoteIdentity identity, butler->whoami());
    QList<QPair<QString, QString>> fields{{QStringLiteral("user"), identity.user},
                                          {QStringLiteral("groups"), listOrNone(identity.groups)},
                                          {QStringLiteral("admin"), yesNo(identity.admin)},
                                          {QStringLiteral("data rights"), yesNo(identity.dataRights)}};
    // A server without quotas still answers who the caller is.
    if (const Result<RemoteQuota> quota = butler->quota(); quota.ok()) {
        fields.append({QStringLiteral("quota"), bytesText(quota->limitBytes)});
        fields.append({QStringLiteral("used"), bytesText(quota->usedBytes)});
        fields.append({QStringLiteral("reserved"), bytesText(quota->reservedBytes)});
        fields.append({QStringLiteral("available"), bytesText(quota->availableBytes)});
    }
    printFields(context.out(), fields);
    return {};
}

Status RemoteCommands::quota(CommandContext& context)
{
    const QString user = context.args().positional(QStringLiteral("USER"));
    const bool set = context.args().isSet(QStringLiteral("set"));
    const bool reset = context.args().isSet(QStringLiteral("reset"));
    if (set && reset)
        return context.usageError(QStringLiteral("--set and --reset exclude each other"));
    std::optional<qint64> limit;
    if (set) {
        bool ok = false;
        limit = context.args().value(QStringLiteral("set")).toLongLong(&ok);
        if (!ok)
            return context.usageError(QStringLiteral("--set takes a number of bytes"));
    }
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler, openServer(context));
    if (!set && !reset) {
        BUTLER_ASSIGN_OR_RETURN(const RemoteQuota quota, butler->quota(user));
        printQuota(context.out(), quota);
        return {};
    }
    QString target = user;
    if (target.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(const RemoteIdentity identity, butler->whoami());
        target = identity.user;
    }
    BUTLER_ASSIGN_OR_RETURN(const RemoteQuota quota, butler->setQuota(target, limit));
    printQuota(context.out(), quota);
    return {};
}

Status RemoteCommands::acl(CommandContext& context)
{
    const QString collection = context.args().positional(QStringLiteral("COLLECTION"));
    const QStringList grant = context.args().values(QStringLiteral("grant"));
    const QStringList revoke = context.args().values(QStringLiteral("revoke"));
    const QSet<QString> granted(grant.begin(), grant.end());
    for (const QString& group : revoke) {
        if (granted.contains(group))
            return context.usageError(QStringLiteral("group '%1' is both granted and revoked").arg(group));
    }
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler, openServer(context));
    if (grant.isEmpty() && revoke.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(const RemoteAcl acl, butler->acl(collection));
        printAcl(context.out(), acl);
        return {};
    }
    BUTLER_ASSIGN_OR_RETURN(const RemoteAcl acl, butler->editAcl(collection, grant, revoke));
    printAcl(context.out(), acl);
    return {};
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

} // namespace butler
