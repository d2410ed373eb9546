#include "QuotaVerifier.h"

#include "Database.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "QuotaStore.h"
#include "Registry.h"
#include "UploadStore.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QMap>
#include <QSet>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcVerify, "butler.policy.verify")

namespace butler {

namespace {

void removeEmptyParents(const QString& root, const QString& file)
{
    QDir dir = QFileInfo(file).absoluteDir();
    while (dir.absolutePath().startsWith(root + QLatin1Char('/')) && dir.isEmpty() &&
           dir.rmdir(dir.absolutePath()))
        dir.cdUp();
}

} // namespace

int QuotaVerifier::Report::driftCount() const
{
    int count = 0;
    for (const UserReport& user : users)
        count += user.drifted() ? 1 : 0;
    return count;
}

Result<QuotaVerifier::Report> QuotaVerifier::verify(DirectButler& butler, QuotaStore& quotas,
                                                    UploadStore& uploads, bool fix)
{
    Database& db = butler.registry().database();
    const QString root = QDir::cleanPath(butler.datastore().root());
    Transaction tx(db);
    BUTLER_TRY(tx.begin());
    Report report;
    QMap<QString, UserReport> users;
    const auto userEntry = [&](const QString& name) -> UserReport& {
        auto it = users.find(name);
        if (it == users.end()) {
            it = users.insert(name, UserReport{});
            it->user = name;
        }
        return *it;
    };

    BUTLER_ASSIGN_OR_RETURN(const QList<QuotaUsage> recorded, quotas.allUsage());
    for (const QuotaUsage& usage : recorded) {
        UserReport& entry = userEntry(usage.user);
        entry.recordedUsed = usage.usedBytes;
        entry.recordedReserved = usage.reservedBytes;
    }

    // Charged files, with their records where they still exist.
    BUTLER_ASSIGN_OR_RETURN(
        QSqlQuery * q, db.exec(QStringLiteral(
                           "SELECT c.dataset_id, c.user_name, c.size, f.path FROM butler_quota_charge c LEFT "
                           "JOIN file_datastore_records f ON f.dataset_id = c.dataset_id")));
    QStringList staleIds;
    while (q->next()) {
        const QString user = q->value(1).toString();
        UserReport& entry = userEntry(user);
        if (q->value(3).isNull()) {
            staleIds.append(q->value(0).toString());
            continue;
        }
        const QString stored = q->value(3).toString();
        const auto full = butler.datastore().absolutePath(stored);
        const QFileInfo info(full ? full.value() : QString());
        if (full && info.isFile())
            entry.actualUsed += info.size();
        else
            report.missingFiles.append(stored);
    }
    q->finish();
    report.staleCharges = int(staleIds.size());

    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> open, uploads.openSlots());
    QSet<QString> openPaths;
    for (const UploadSlot& slot : open) {
        userEntry(slot.user).actualReserved += slot.size;
        openPaths.insert(slot.path);
    }

    QSet<QString> recordedPaths;
    BUTLER_ASSIGN_OR_RETURN(q, db.exec(QStringLiteral("SELECT path FROM file_datastore_records")));
    while (q->next())
        recordedPaths.insert(q->value(0).toString());
    q->finish();

    // Orphans: every regular file under the root that nothing accounts for. Symlinks are not
    // followed: a link is judged by its own name.
    const QString inFlight = UploadStore::temporaryFolder() + QLatin1Char('/');
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString full = it.next();
        const QString relative = full.mid(root.size() + 1);
        if (recordedPaths.contains(relative) || openPaths.contains(relative))
            continue;
        if (relative.startsWith(inFlight)) {
            // A body arriving now, or one a killed server left (removed when it starts again).
            ++report.inFlightFiles;
            continue;
        }
        report.orphans.append(relative);
        report.orphanBytes += it.fileInfo().size();
    }
    report.orphans.sort();
    report.missingFiles.sort();

    for (auto u = users.begin(); u != users.end(); ++u) {
        BUTLER_ASSIGN_OR_RETURN(const QuotaUsage usage, quotas.usage(u.key()));
        u->limit = usage.limitBytes;
        report.users.append(*u);
    }

    if (!fix) {
        BUTLER_TRY(tx.commit());
        return report;
    }
    for (const QString& id : std::as_const(staleIds))
        BUTLER_TRY(db.exec(QStringLiteral("DELETE FROM butler_quota_charge WHERE dataset_id = ?"), {id}));
    for (const UserReport& user : std::as_const(report.users)) {
        if (user.drifted())
            BUTLER_TRY(quotas.setCounters(user.user, user.actualUsed, user.actualReserved));
    }
    BUTLER_TRY(tx.commit());
    // Files go after the counters: a failure here leaves orphans for the next run, never
    // counters that disagree with the rows.
    for (const QString& relative : std::as_const(report.orphans)) {
        const QString full = root + QLatin1Char('/') + relative;
        if (!QFile::remove(full)) {
            qCWarning(lcVerify).noquote() << "could not remove orphan file" << full;
            continue;
        }
        removeEmptyParents(root, full);
    }
    report.fixed = true;
    return report;
}

} // namespace butler
