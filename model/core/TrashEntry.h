#pragma once

#include "CollectionInfo.h"
#include "Result.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace butler {

// What one removal put in the trash: a RUN with its datasets, a TAGGED, CHAINED or CALIBRATION
// collection, or the datasets pruned out of one RUN. While it waits there it is invisible to
// every query, its collection name stays taken, and its files stay on disk (and on their
// owners' quotas); an owner or admin may restore it until expiresAt. After that it is purged:
// rows and files go for good.
class TrashEntry
{
public:
    enum class Kind
    {
        Run,
        Collection,
        Datasets
    };

    qint64 id = 0;
    Kind kind = Kind::Run;
    QString collection;                                  // the collection; for Datasets, their RUN
    CollectionType collectionType = CollectionType::Run; // of that collection
    QString removedBy;
    qint64 removedAt = 0; // unix seconds
    qint64 expiresAt = 0; // unix seconds; purged from then on
    qint64 datasets = 0;  // datasets that went with it (a RUN's own, or the pruned ones)
    qint64 files = 0;     // their stored files
    qint64 bytes = 0;     // the files' size, still on disk and charged to quotas

    // The name restore and empty take: the collection's name, or "RUN#ID" for pruned datasets.
    QString name() const;
    // RUN, TAGGED, CHAINED, CALIBRATION, or DATASETS for pruned datasets.
    QString typeText() const;
    bool isExpired(qint64 now) const { return expiresAt <= now; }

    static QString kindName(Kind kind); // "run", "collection", "datasets"
    static Result<Kind> parseKind(const QString& text);

    // {"id", "name", "kind", "collection", "collection_type", "removed_by", "removed_at",
    //  "expires_at", "datasets", "files", "bytes"}; times ISO-8601 UTC.
    QJsonObject toJson() const;
    static Result<TrashEntry> fromJson(const QJsonObject& json);

    // The entries the names pick, in the order named, each once. A name matches an entry's
    // name(); "#ID" or a bare ID matches its id when no entry has that name. An unknown name
    // is NotFound.
    static Result<QList<TrashEntry>> select(const QList<TrashEntry>& entries, const QStringList& names);
};

} // namespace butler
