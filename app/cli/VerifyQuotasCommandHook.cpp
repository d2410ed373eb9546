#include "VerifyQuotasCommandHook.h"

#include "DirectButler.h"
#include "OutputTable.h"
#include "QuotaStore.h"
#include "QuotaVerifier.h"
#include "Registry.h"
#include "UploadStore.h"

namespace butler {

Status VerifyQuotasCommandHook::run(const QString& repoPath, bool fix, QTextStream& out)
{
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<DirectButler> butler, DirectButler::open(repoPath));
    // The limits live in the server's config; verification only needs the counters.
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<QuotaStore> quotas, QuotaStore::open(butler->registry(), 0));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<UploadStore> uploads, UploadStore::open(butler->registry()));
    BUTLER_ASSIGN_OR_RETURN(const QuotaVerifier::Report report,
                            QuotaVerifier::verify(*butler, *quotas, *uploads, fix));

    OutputTable table({QStringLiteral("user"), QStringLiteral("used (recorded)"),
                       QStringLiteral("used (actual)"), QStringLiteral("reserved (recorded)"),
                       QStringLiteral("reserved (actual)"), QStringLiteral("status")});
    for (const QuotaVerifier::UserReport& user : report.users) {
        const QString status = !user.drifted() ? QStringLiteral("ok")
                               : report.fixed  ? QStringLiteral("drift, fixed")
                                               : QStringLiteral("drift");
        table.addRow();
        table.setCell(0, user.user);
        table.setCell(1, QVariant(user.recordedUsed));
        table.setCell(2, QVariant(user.actualUsed));
        table.setCell(3, QVariant(user.recordedReserved));
        table.setCell(4, QVariant(user.actualReserved));
        table.setCell(5, status);
    }
    if (!report.users.isEmpty())
        table.write(out, OutputFormat::Table);
    else
        out << "No user has stored or reserved anything.\n";

    if (!report.orphans.isEmpty()) {
        out << (report.fixed ? "Removed " : "") << report.orphans.size()
            << (report.orphans.size() == 1 ? " orphan file" : " orphan files") << " (" << report.orphanBytes
            << " bytes) in the datastore that no dataset or open upload names:\n";
        for (const QString& path : report.orphans)
            out << "  " << path << '\n';
    }
    for (const QString& path : report.missingFiles)
        out << "missing: " << path << " (recorded, but not in the datastore)\n";
    if (report.staleCharges > 0)
        out << report.staleCharges << " charges of vanished datasets" << (report.fixed ? " dropped" : "")
            << ".\n";

    const int drift = report.driftCount();
    if (drift == 0 && report.orphans.isEmpty() && report.staleCharges == 0)
        out << "Quotas agree with the registry and the datastore.\n";
    else if (report.fixed)
        out << "Fixed: " << drift << (drift == 1 ? " user" : " users") << " with drift, "
            << report.orphans.size() << " orphan files.\n";
    else
        out << "Found: " << drift << (drift == 1 ? " user" : " users") << " with drift, "
            << report.orphans.size() << " orphan files; run again with --fix to correct them.\n";
    return {};
}

} // namespace butler
