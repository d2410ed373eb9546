#pragma once

#include "QuotaUsage.h"
#include "Result.h"

#include <QList>
#include <QStringList>
#include <QUuid>

#include <memory>
#include <optional>
#include <utility>

namespace butler {

class Database;
class Registry;

// Per-user storage quotas, kept in the registry database next to what they count:
//   butler_quota_limit   (user_name, limit_bytes)             admins' overrides of the default
//   butler_quota_usage   (user_name, used_bytes, reserved_bytes) the counters
//   butler_quota_charge  (dataset_id, user_name, size)         who pays for each stored file
// A trigger on the datastore's file records gives a file's bytes back to the user it is charged
// to when its record goes (prune, unstore, remove-runs, with the server or without), in the
// same transaction. Counters that drift anyway are recomputed by QuotaVerifier.
//
// The counting calls join the caller's transaction, so a reservation commits or rolls back
// with the upload slots it pays for. Thread-safe: every call goes through the database.
class QuotaStore
{
public:
    // Creates the tables and the trigger when missing.
    static Result<std::unique_ptr<QuotaStore>> open(Registry& registry, qint64 defaultLimitBytes);

    qint64 defaultLimit() const { return m_defaultLimit; }

    Result<QuotaUsage> usage(const QString& user);
    // Every user with counters or an override, by name.
    Result<QList<QuotaUsage>> allUsage();
    // Sets (or, with nullopt, removes) a user's override.
    Status setLimit(const QString& user, std::optional<qint64> limitBytes);

    // Adds bytes to the user's reservation if the limit leaves room for them; otherwise
    // QuotaExceeded saying what was needed, used, reserved and allowed, and nothing changes.
    Status reserve(const QString& user, qint64 bytes);
    // Gives reserved bytes back (an aborted or expired upload).
    Status release(const QString& user, qint64 bytes);
    // Stored files become the user's: their bytes move from reserved to used.
    Status charge(const QString& user, const QList<std::pair<QUuid, qint64>>& files);
    // The same for every file of a committed upload, read from UploadStore's slot rows in one
    // statement (batches of thousands of files).
    Status chargeUpload(const QString& user, const QString& uploadId);
    // Overwrites the counters (verification).
    Status setCounters(const QString& user, qint64 usedBytes, qint64 reservedBytes);
    // Sets every user's reserved bytes to the sizes of their open upload slots (UploadStore's
    // rows), where they differ; returns the users corrected. Run when the server starts.
    Result<QStringList> recountReserved();

    static Error exceeded(const QuotaUsage& usage, qint64 neededBytes);

private:
    QuotaStore(Database& db, qint64 defaultLimit);
    Status ensureRow(const QString& user);

    Database& m_db;
    qint64 m_defaultLimit;
};

} // namespace butler
