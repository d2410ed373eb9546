#include "RepositoryAccess.h"

#include "DirectButler.h"

#include <QFileInfo>

namespace butler {

bool RepositoryAccess::isRemote(const QString& repo)
{
    return repo.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
           repo.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

Result<std::unique_ptr<Butler>> RepositoryAccess::openButler(const QString& repo)
{
    if (isRemote(repo))
        return invalidInput(QStringLiteral("remote repositories are not supported by this build yet"));
    if (repo.isEmpty())
        return invalidInput(QStringLiteral("no repository given"));
    if (!QFileInfo::exists(repo))
        return notFound(
            QStringLiteral("no repository at '%1' (create one with 'butler create %1')").arg(repo));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<DirectButler> butler, DirectButler::open(repo));
    return std::unique_ptr<Butler>(std::move(butler));
}

Status RepositoryAccess::requireLocal(const QString& repo, const QString& command)
{
    if (isRemote(repo))
        return invalidInput(
            QStringLiteral("%1 works on a local repository path, not on a server URL").arg(command));
    return {};
}

} // namespace butler
