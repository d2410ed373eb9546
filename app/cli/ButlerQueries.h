#pragma once

#include "Butler.h"

#include <QHash>

namespace butler {

// Helpers the commands share on top of the Butler interface: following page tokens to the end
// (or to a limit), looking up files in batches, and the columns of data IDs.
class ButlerQueries
{
public:
    // Every dataset of the query, following nextPageToken; limit > 0 stops after that many.
    static Result<QList<DatasetRef>> datasets(Butler& butler, DatasetQuery query, int limit = 0);
    static Result<QList<DimensionRecord>> dimensionRecords(Butler& butler, DimensionRecordQuery query,
                                                           int limit = 0);
    // File information by dataset ID, asked for in batches.
    static Result<QHash<QUuid, FileInfo>> files(Butler& butler, const QList<QUuid>& ids);
    // The IDs of the refs, each once, in order (overlapping collections can return a dataset twice).
    static QList<QUuid> ids(const QList<DatasetRef>& refs);

    // The dimension names that have values in any of the data IDs, in universe order.
    static QStringList dimensionColumns(const DimensionUniverse& universe,
                                        const QList<DataCoordinate>& dataIds);
    // The same for the data IDs of the refs.
    static QStringList dimensionColumns(const DimensionUniverse& universe, const QList<DatasetRef>& refs);
    // A collection search list: empty means every collection.
    static QStringList collectionsOrAll(const QStringList& collections);
};

} // namespace butler
