#pragma once

#include "CollectionInfo.h"
#include "DatasetRef.h"
#include "DimensionRecord.h"

#include <QList>
#include <QStringList>
#include <QVariantMap>
#include <optional>

namespace butler {

// The arguments of the Butler's queries and the shapes of their answers. Plain data, shared by
// DirectButler and RemoteButler, and mirrored by the JSON wire format.

struct DatasetQuery
{
    QStringList datasetTypes; // globs; empty means every type
    QStringList collections;  // names or globs, searched in order
    QString where;            // where-expression, empty for none
    QVariantMap bind;         // values for :name parameters (lists for IN)
    bool findFirst = false;   // per (type, data ID), only the first collection that has one
    QStringList orderBy;      // "visit", "-exposure.day_obs", "dataset_type", "run", "ingest_date"
    int limit = 0;            // 0: no limit
    QString pageToken;        // from a previous page's nextPageToken
    std::optional<qint64> calibrationTime; // TAI ns, for CALIBRATION collections in find-first
    bool withSizes = false;                // fill DatasetPage::sizes (saves a file-info round trip)
};

struct DataIdQuery
{
    QStringList dimensions;
    QStringList datasetTypes; // restrict to data IDs that have these datasets
    QStringList collections;
    QString where;
    QVariantMap bind;
    QStringList orderBy;
    int limit = 0;
};

struct DimensionRecordQuery
{
    QString element;
    QString where;
    QVariantMap bind;
    QStringList orderBy;
    int limit = 0;
    QString pageToken;
};

struct CollectionQuery
{
    QStringList globs;           // empty means all
    QList<CollectionType> types; // empty means all
    bool flattenChains = false;  // also return everything the matched chains reach
    bool includeChains = true;
};

// Where a dataset's file lives and how to check it.
struct FileInfo
{
    QUuid id;
    QString uri;       // file:// for local repositories, signed http(s) for servers
    QString path;      // relative to the datastore root
    QString formatter; // label: fits, json, yaml, csv, parquet, png, bytes
    qint64 size = 0;
    QString checksum; // "sha256:<hex>"
};

struct DatasetPage
{
    QList<DatasetRef> refs;
    QList<qint64> ingestDates; // TAI ns, parallel to refs
    QList<qint64> sizes;       // bytes, parallel to refs, -1 without a file; only with withSizes
    QString nextPageToken;     // empty at the end
};

struct DimensionRecordPage
{
    QList<DimensionRecord> records;
    QString nextPageToken;
};

// One file to ingest: where it is now and what it is.
struct IngestFile
{
    QString path;
    QString datasetType;
    QVariantMap dataId;
    QString formatter; // empty: guessed from the extension
    QUuid id;          // null: made by the id mode
};

enum class TransferMode
{
    Copy,
    Move,
    Symlink,
    Direct,
    Hardlink
};
Result<TransferMode> parseTransferMode(const QString& text);

enum class ChainMode
{
    Redefine,
    Extend,
    Prepend,
    Remove,
    Pop
};
Result<ChainMode> parseChainMode(const QString& text);

} // namespace butler
