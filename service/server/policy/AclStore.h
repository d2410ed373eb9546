#pragma once

#include "CollectionAcl.h"
#include "CollectionInfo.h"

#include <QHash>
#include <QMutex>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace butler {

class Database;
class Registry;

// ACL grants and release/proprietary dates of collections, kept in the registry database
// (tables butler_collection_acl, butler_collection_release and butler_policy_state, created
// when missing) and served from an immutable in-memory snapshot of every collection with its
// ACL, shared between threads.
//
// Freshness: a change committed in this process (through the Registry or this store) makes the
// next snapshot() reload at once; changes by other processes are found by comparing database
// generations, at most recheckInterval apart. Between checks a snapshot() costs no I/O.
class AclStore
{
public:
    using Clock = std::function<qint64()>; // unix seconds

    struct Entry
    {
        CollectionInfo info; // children unfiltered
        CollectionAcl acl;
    };

    // Every collection of the registry with its ACL, as of one moment.
    struct Snapshot
    {
        QString generation;          // registry and ACL generations in the database
        quint64 registryChanges = 0; // Registry::localChangeCount() when loaded
        quint64 aclChanges = 0;
        QHash<QString, Entry> entries;
        QStringList names; // sorted

        const Entry* find(const QString& name) const
        {
            const auto it = entries.constFind(name);
            return it == entries.constEnd() ? nullptr : &*it;
        }
    };

    // Creates the tables when missing. clock gives the release date recorded for release
    // collections that have none (registered before the server managed them).
    static Result<std::unique_ptr<AclStore>> open(Registry& registry, Clock clock = {});

    Result<std::shared_ptr<const Snapshot>> snapshot();

    // How long a snapshot is trusted without asking the database whether another process
    // changed collections or ACLs; 0 asks on every snapshot().
    void setRecheckInterval(std::chrono::milliseconds interval);
    static constexpr std::chrono::milliseconds DefaultRecheckInterval{100};

    // Grants and revokes read for groups (revoking a group that has no grant is no change).
    Status editReaders(const QString& collection, const QStringList& grant, const QStringList& revoke);
    // Sets the release date and the explicit proprietary date (none: the default period).
    Status setDates(const QString& collection, qint64 releaseDate, std::optional<qint64> proprietaryUntil);
    // A newly registered collection: no grants left over from an earlier one of the same name,
    // released now.
    Status resetCollection(const QString& collection, qint64 releaseDate);
    // Drops the rows of removed collections.
    Status forget(const QStringList& collections);
    // The ACL stored for a name, whether or not the registry shows the collection (one in the
    // trash keeps its ACL until it is purged). A release collection without a release date is
    // taken as released at now, as snapshots do.
    Result<CollectionAcl> aclOf(const QString& collection, qint64 now);

private:
    AclStore(Registry& registry, Clock clock);
    Result<QString> currentGeneration();
    Result<std::shared_ptr<Snapshot>> load(const QString& generation);
    Status bumpGeneration();

    Registry& m_registry;
    Database& m_db;
    Clock m_clock;
    std::atomic<quint64> m_aclChanges{0};
    QMutex m_mutex; // guards the members below
    std::shared_ptr<const Snapshot> m_snapshot;
    std::chrono::steady_clock::time_point m_checkedAt; // of m_snapshot's generation
    std::chrono::steady_clock::duration m_recheckInterval = DefaultRecheckInterval;
};

} // namespace butler
