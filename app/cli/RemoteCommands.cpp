#include "RemoteCommands.h"
#include "WaitForTask.h"

#include "CommonOptions.h"
#include "OidcLogin.h"
#include "RemoteButler.h"
#include "TokenSource.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLocale>
#include <QLoggingCategory>
#include <QSet>
#include <QUrlQuery>

#include <optional>

namespace butler {

Q_LOGGING_CATEGORY(lcCliLogin, "butler.cli.login")

namespace {

const QString kDefaultClientId = QStringLiteral("butler-cli");
const QString kBaseScope = QStringLiteral("openid offline_access");
constexpr qint64 kDefaultLoginTimeoutSeconds = 300;
// A token this close to its expiry is refreshed before a command uses it.
constexpr qint64 kRefreshMarginSeconds = 60;

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
    registry.add(
        {.name = QStringLiteral("login"),
         .summary = QStringLiteral("obtain and store a token through the server's sign-in (remote)"),
         .positionals = {{.name = QStringLiteral("URL"),
                          .help = QStringLiteral(
                              "a repository on the server (http(s)://HOST:PORT/api/butler/repo/LABEL)")}},
         .options = {{.name = QStringLiteral("issuer"),
                      .valueName = QStringLiteral("URL"),
                      .help =
                          QStringLiteral("the OpenID Connect provider (default: the one the server names, "
                                         "else the one of the last login)")},
                     {.name = QStringLiteral("client-id"),
                      .valueName = QStringLiteral("ID"),
                      .help = QStringLiteral("the public client to sign in as (default: the server's, else "
                                             "butler-cli)")},
                     {.name = QStringLiteral("scope"),
                      .valueName = QStringLiteral("SCOPES"),
                      .help = QStringLiteral("the scopes to ask for (default: openid offline_access and the "
                                             "server's)")},
                     {.name = QStringLiteral("device"),
                      .help = QStringLiteral("sign in on another device with a code (RFC 8628), for machines "
                                             "without a browser")},
                     {.name = QStringLiteral("no-browser"),
                      .help = QStringLiteral("do not start a browser; only print the address to open")},
                     {.name = QStringLiteral("timeout"),
                      .valueName = QStringLiteral("SECONDS"),
                      .help = QStringLiteral("how long to wait for the sign-in (default 300)"),
                      .integer = true}}},
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

namespace {

QString joinScopes(const QStringList& parts)
{
    QStringList scopes;
    for (const QString& part : parts) {
        for (const QString& scope : part.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (!scopes.contains(scope))
                scopes << scope;
        }
    }
    return scopes.join(QLatin1Char(' '));
}

// Which provider to sign in at: the options, else the server's advertisement, else the last
// login's. previous is the server's entry in the token store.
Result<OidcClientSettings> loginProvider(CommandContext& context, const RemoteLocation& location,
                                         const QJsonObject& previous)
{
    const ParsedArguments& args = context.args();
    const QString previousIssuer = previous.value(QLatin1String("issuer")).toString();
    OidcClientSettings settings;
    if (args.isSet(QStringLiteral("issuer"))) {
        const QUrl issuer(args.value(QStringLiteral("issuer")).trimmed(), QUrl::StrictMode);
        if (!issuer.isValid() ||
            (issuer.scheme() != QLatin1String("http") && issuer.scheme() != QLatin1String("https")) ||
            issuer.host().isEmpty())
            return context.usageError(
                QStringLiteral("--issuer takes the provider's address, http(s)://HOST[/PATH]"));
        settings.issuer = issuer;
    } else {
        const Result<OidcClientSettings> advertised =
            waitForTask(OidcLogin::advertisedProviderAsync(location.serverBase()));
        if (advertised.ok()) {
            settings = *advertised;
        } else if (advertised.error().kind() != ErrorKind::NotFound) {
            return Error(
                advertised.error().kind(),
                QStringLiteral("cannot ask %1 for its identity provider: %2; check the URL, or pass "
                               "--issuer URL --client-id ID, or store a token with --token-file FILE")
                    .arg(location.serverBase(), advertised.error().message()));
        } else if (!previousIssuer.isEmpty()) {
            settings.issuer = QUrl(previousIssuer);
            settings.clientId = previous.value(QLatin1String("client_id")).toString();
            settings.scope = previous.value(QLatin1String("scope")).toString();
        } else {
            return invalidInput(
                QStringLiteral("%1 does not name its identity provider: pass --issuer URL and --client-id ID "
                               "(the server's operators know them), or store a token with --token-file FILE")
                    .arg(location.serverBase()));
        }
    }
    if (args.isSet(QStringLiteral("client-id")))
        settings.clientId = args.value(QStringLiteral("client-id")).trimmed();
    else if (settings.clientId.isEmpty() && !previousIssuer.isEmpty() &&
             QUrl(previousIssuer).adjusted(QUrl::StripTrailingSlash) ==
                 settings.issuer.adjusted(QUrl::StripTrailingSlash))
        settings.clientId = previous.value(QLatin1String("client_id")).toString();
    if (settings.clientId.isEmpty())
        settings.clientId = kDefaultClientId;
    settings.scope = args.isSet(QStringLiteral("scope")) ? joinScopes({args.value(QStringLiteral("scope"))})
                                                         : joinScopes({kBaseScope, settings.scope});
    return settings;
}

// What the user reads while the sign-in waits; flushed, since the wait may be long.
void printBrowserPrompt(QTextStream& err, const QUrl& url, bool opened, const QString& command,
                        qint64 timeout)
{
    const QUrl redirect(QUrlQuery(url).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    err << (opened ? "Sign in with the identity provider in the web browser that just opened. If none did, "
                     "open this address in a browser on this machine:\n"
                   : "To sign in, open this address in a web browser on this machine:\n")
        << "\n  " << url.toString(QUrl::FullyEncoded) << "\n\n"
        << "Waiting up to " << timeout << " s for the browser to come back to "
        << redirect.toString(QUrl::RemoveQuery) << ".\n"
        << "No browser here? Run '" << command << " --device', or forward the port with 'ssh -L "
        << redirect.port() << ":127.0.0.1:" << redirect.port() << " THIS-HOST' and open the address "
        << "on your own machine.\n";
    err.flush();
}

void printDevicePrompt(QTextStream& err, const QUrl& verificationUri, const QString& userCode,
                       const QUrl& complete, const QDateTime& expiresAt, qint64 timeout)
{
    err << "To sign in, open " << verificationUri.toString(QUrl::FullyEncoded)
        << " in a web browser on any device and enter the code " << userCode << "\n";
    if (complete.isValid())
        err << "or open this address, which has the code in it:\n\n  "
            << complete.toString(QUrl::FullyEncoded) << "\n\n";
    err << "Waiting up to " << timeout << " s";
    if (expiresAt.isValid())
        err << " (the code expires at " << expiresAt.toUTC().toString(Qt::ISODate) << ")";
    err << ".\n";
    err.flush();
}

QJsonObject storeEntryOf(const OidcTokens& tokens, const OidcClientSettings& settings)
{
    QJsonObject entry{{QStringLiteral("access_token"), tokens.accessToken},
                      {QStringLiteral("issuer"), settings.issuer.toString(QUrl::FullyEncoded)},
                      {QStringLiteral("client_id"), settings.clientId},
                      {QStringLiteral("scope"), settings.scope}};
    if (tokens.expiresAt.isValid())
        entry.insert(QStringLiteral("expires_at"), tokens.expiresAt.toSecsSinceEpoch());
    if (!tokens.refreshToken.isEmpty())
        entry.insert(QStringLiteral("refresh_token"), tokens.refreshToken);
    return entry;
}

// The token given with --token-file or BUTLER_ACCESS_TOKEN: only one the server accepts is kept.
Status storeGivenToken(CommandContext& context, const QString& url, const RemoteLocation& location)
{
    BUTLER_ASSIGN_OR_RETURN(const QString token,
                            TokenSource::find(location.serverBase(),
                                              context.args().value(QStringLiteral("token-file")), QString()));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler, RemoteButler::connect(url, token));
    BUTLER_ASSIGN_OR_RETURN(const RemoteIdentity identity, butler->whoami());
    const QString store = TokenSource::defaultStoreFile();
    BUTLER_TRY(TokenSource::storeToken(location.serverBase(), token, store));
    context.out() << "Logged in to " << location.serverBase() << " as " << identity.user
                  << "; the token is stored in " << store << ".\n";
    return {};
}

} // namespace

Status RemoteCommands::login(CommandContext& context)
{
    const ParsedArguments& args = context.args();
    const QString url = args.positional(QStringLiteral("URL"));
    if (!RepositoryAccess::isRemote(url))
        return needsServer(QStringLiteral("login"), url);
    BUTLER_ASSIGN_OR_RETURN(const RemoteLocation location, RemoteLocation::parse(url));
    const bool signInAsked = args.isSet(QStringLiteral("issuer")) ||
                             args.isSet(QStringLiteral("client-id")) || args.isSet(QStringLiteral("scope")) ||
                             args.isSet(QStringLiteral("device"));
    if (args.isSet(QStringLiteral("token-file")) ||
        (!signInAsked && !qEnvironmentVariable(TokenSource::EnvironmentVariable).trimmed().isEmpty()))
        return storeGivenToken(context, url, location);

    const qint64 timeout = args.integer(QStringLiteral("timeout"), kDefaultLoginTimeoutSeconds);
    if (timeout <= 0)
        return context.usageError(QStringLiteral("--timeout takes a number of seconds above 0"));
    const QString store = TokenSource::defaultStoreFile();
    // A store that cannot be read (or is readable by others) fails now, before anyone signs in.
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject previous,
                            TokenSource::storedEntry(location.serverBase(), store));
    BUTLER_ASSIGN_OR_RETURN(const OidcClientSettings settings, loginProvider(context, location, previous));

    OidcLogin login;
    login.setScope(settings.scope);
    if (args.isSet(QStringLiteral("no-browser")))
        login.setOpenBrowserFunction([](const QUrl&) { return false; });
    QTextStream& err = context.err();
    const QString command = QStringLiteral("butler login %1").arg(location.repoUrl());
    QObject::connect(&login, &OidcLogin::browserRequested, &login,
                     [&err, command, timeout](const QUrl& page, bool opened) {
                         printBrowserPrompt(err, page, opened, command, timeout);
                     });
    QObject::connect(&login, &OidcLogin::userCodeIssued, &login,
                     [&err, timeout](const QUrl& uri, const QString& code, const QUrl& complete,
                                     const QDateTime& expiresAt) {
                         printDevicePrompt(err, uri, code, complete, expiresAt, timeout);
                     });
    const std::chrono::seconds wait(timeout);
    Result<OidcTokens> tokens =
        args.isSet(QStringLiteral("device"))
            ? waitForTask(login.deviceLoginAsync(settings.issuer, settings.clientId, wait))
            : waitForTask(login.loginAsync(settings.issuer, settings.clientId, wait));
    if (!tokens.ok())
        return tokens.error().withContext(QStringLiteral("signing in at %1 failed (nothing was stored)")
                                              .arg(settings.issuer.toDisplayString()));

    // Only a token the server accepts is worth keeping.
    Result<RemoteIdentity> identity = [&]() -> Result<RemoteIdentity> {
        BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler,
                                RemoteButler::connect(url, tokens->accessToken));
        return butler->whoami();
    }();
    if (!identity.ok())
        return identity.error().withContext(
            QStringLiteral("signed in at %1, but %2 does not accept the token (nothing was stored)")
                .arg(settings.issuer.toDisplayString(), location.serverBase()));
    BUTLER_TRY(TokenSource::storeEntry(location.serverBase(), storeEntryOf(*tokens, settings), store));

    context.out() << "Logged in to " << location.serverBase() << " as " << identity->user
                  << "; the token is stored in " << store << ".\n";
    QList<QPair<QString, QString>> fields{{QStringLiteral("user"), identity->user},
                                          {QStringLiteral("groups"), listOrNone(identity->groups)},
                                          {QStringLiteral("admin"), yesNo(identity->admin)},
                                          {QStringLiteral("data rights"), yesNo(identity->dataRights)}};
    if (tokens->expiresAt.isValid())
        fields.append(
            {QStringLiteral("expires"),
             tokens->expiresAt.toUTC().toString(Qt::ISODate) +
                 (tokens->refreshToken.isEmpty() ? QString()
                                                 : QStringLiteral(" (renewed with the refresh token)"))});
    printFields(context.out(), fields);
    return {};
}

void RemoteCommands::refreshStoredToken(const QString& serverBase)
{
    const QString store = TokenSource::defaultStoreFile();
    const Result<QJsonObject> entry = TokenSource::storedEntry(serverBase, store);
    if (!entry.ok())
        return; // TokenSource::find reports it
    const qint64 expiresAt = entry->value(QLatin1String("expires_at")).toInteger();
    const QString refreshToken = entry->value(QLatin1String("refresh_token")).toString();
    const QString issuer = entry->value(QLatin1String("issuer")).toString();
    const QString clientId = entry->value(QLatin1String("client_id")).toString();
    if (expiresAt <= 0 || expiresAt > QDateTime::currentSecsSinceEpoch() + kRefreshMarginSeconds ||
        refreshToken.isEmpty() || issuer.isEmpty() || clientId.isEmpty())
        return;
    OidcLogin login;
    const Result<OidcTokens> tokens = waitForTask(login.refreshAsync(QUrl(issuer), clientId, refreshToken));
    if (!tokens.ok()) {
        qCInfo(lcCliLogin).noquote() << "could not refresh the token for" << serverBase << ":"
                                     << tokens.error().message();
        return;
    }
    OidcClientSettings settings{QUrl(issuer), clientId, entry->value(QLatin1String("scope")).toString()};
    const Status stored = TokenSource::storeEntry(serverBase, storeEntryOf(*tokens, settings), store);
    if (!stored.ok())
        qCInfo(lcCliLogin).noquote() << "could not store the refreshed token:" << stored.error().message();
    else
        qCDebug(lcCliLogin) << "refreshed the stored token for" << serverBase;
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
