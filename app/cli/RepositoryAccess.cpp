#include "RepositoryAccess.h"

#include "DirectButler.h"
#include "RemoteButler.h"
#include "RemoteCommands.h"
#include "TokenSource.h"

#include <QFileInfo>

namespace butler {

bool RepositoryAccess::isRemote(const QString& repo)
{
    return repo.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
           repo.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

Result<std::unique_ptr<Butler>> RepositoryAccess::openButler(const QString& repo)
{
    return openButlerWith(repo, {});
}

Result<std::unique_ptr<Butler>> RepositoryAccess::openButlerWith(const QString& repo,
                                                                 const AccessOptions& options)
{
    if (isRemote(repo)) {
        BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<RemoteButler> butler, openRemote(repo, options));
        return std::unique_ptr<Butler>(std::move(butler));
    }
    if (repo.isEmpty())
        return invalidInput(QStringLiteral("no repository given"));
    if (!QFileInfo::exists(repo))
        return notFound(
            QStringLiteral("no repository at '%1' (create one with 'butler create %1')").arg(repo));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<DirectButler> butler, DirectButler::open(repo));
    return std::unique_ptr<Butler>(std::move(butler));
}

Result<std::unique_ptr<RemoteButler>> RepositoryAccess::openRemote(const QString& url,
                                                                   const AccessOptions& options)
{
    // The URL first: a typo should not be reported as a missing token.
    BUTLER_ASSIGN_OR_RETURN(const RemoteLocation location, RemoteLocation::parse(url));
    // The stored token is the one in use: a `butler login` token past its time is renewed first.
    if (options.tokenFile.isEmpty() &&
        qEnvironmentVariable(TokenSource::EnvironmentVariable).trimmed().isEmpty())
        RemoteCommands::refreshStoredToken(location.serverBase());
    BUTLER_ASSIGN_OR_RETURN(const QString token, TokenSource::find(location.serverBase(), options.tokenFile));
    return RemoteButler::connect(url, token);
}

Status RepositoryAccess::requireLocal(const QString& repo, const QString& command)
{
    if (isRemote(repo))
        return invalidInput(
            QStringLiteral("%1 works on a local repository path, not on a server URL").arg(command));
    return {};
}

} // namespace butler
