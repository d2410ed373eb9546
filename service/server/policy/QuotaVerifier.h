#pragma once

#include "Result.h"

#include <QList>
#include <QStringList>

namespace butler {

class DirectButler;
class QuotaStore;
class UploadStore;

// Recomputes every user's quota counters from what is really stored and compares them with the
// recorded ones (`butler verify-quotas REPO [--fix]`):
//   used     = the on-disk size of each file charged to the user that still has a file record
//   reserved = the sizes of the user's open upload slots
// and lists orphan files: files under the datastore root that no file record and no open
// upload names (bodies still arriving, in UploadStore::temporaryFolder(), are not orphans). With fix, the
// counters are overwritten, charges of vanished files are dropped and orphan files are deleted. Everything
// happens in one write transaction, so a server running on the repository meanwhile waits instead of racing.
class QuotaVerifier
{
public:
    struct UserReport
    {
        QString user;
        qint64 recordedUsed = 0;
        qint64 actualUsed = 0;
        qint64 recordedReserved = 0;
        qint64 actualReserved = 0;
        qint64 limit = 0;

        bool drifted() const { return recordedUsed != actualUsed || recordedReserved != actualReserved; }
    };

    struct Report
    {
        QList<UserReport> users; // every user with counters, charges or open uploads, by name
        QStringList orphans;     // relative paths
        qint64 orphanBytes = 0;
        int inFlightFiles = 0;    // in UploadStore::temporaryFolder(): never orphans
        QStringList missingFiles; // charged files whose record exists but whose file does not
        int staleCharges = 0;     // charges of datasets without a file record
        bool fixed = false;

        int driftCount() const;
    };

    static Result<Report> verify(DirectButler& butler, QuotaStore& quotas, UploadStore& uploads, bool fix);
};

} // namespace butler
