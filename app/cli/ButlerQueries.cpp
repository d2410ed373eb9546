#include "ButlerQueries.h"

#include <QSet>

#include <algorithm>
#include <vector>

namespace butler {

namespace {

constexpr int kFileBatch = 500;

// Moves a page's items to the end of the list: copying tens of thousands of refs costs as much
// as printing them.
template <typename T> void takePage(QList<T>& list, QList<T>& page)
{
    if (list.isEmpty())
        list = std::move(page);
    else
        list.append(std::move(page));
}

// The dimension names with values in any of the data IDs. Most data IDs of a listing share
// their dimensions and which of them have values, so a data ID like the one before adds nothing.
template <typename List, typename DataIdOf>
QStringList collectDimensionColumns(const DimensionUniverse& universe, const List& list, DataIdOf dataIdOf)
{
    QSet<QString> names;
    const QStringList* previousNames = nullptr;
    std::vector<bool> valid;
    std::vector<bool> previousValid;
    for (const auto& item : list) {
        const DataCoordinate& dataId = dataIdOf(item);
        const QStringList& groupNames = dataId.group().names();
        const QList<QVariant>& values = dataId.values();
        const qsizetype count = std::min(values.size(), groupNames.size());
        valid.assign(size_t(count), false);
        for (qsizetype i = 0; i < count; ++i)
            valid[size_t(i)] = values[i].isValid();
        if (previousNames && *previousNames == groupNames && valid == previousValid)
            continue;
        for (qsizetype i = 0; i < count; ++i) {
            if (valid[size_t(i)])
                names.insert(groupNames[i]);
        }
        previousNames = &groupNames;
        std::swap(valid, previousValid);
    }
    QStringList columns(names.begin(), names.end());
    std::sort(columns.begin(), columns.end(),
              [&](const QString& a, const QString& b) { return universe.index(a) < universe.index(b); });
    return columns;
}

} // namespace

Result<QList<DatasetRef>> ButlerQueries::datasets(Butler& butler, DatasetQuery query, int limit)
{
    QList<DatasetRef> refs;
    query.pageToken.clear();
    for (;;) {
        query.limit = limit > 0 ? limit - int(refs.size()) : 0;
        BUTLER_ASSIGN_OR_RETURN(DatasetPage page, butler.queryDatasets(query));
        const bool emptyPage = page.refs.isEmpty();
        takePage(refs, page.refs);
        if (limit > 0 && refs.size() >= limit) {
            refs.resize(limit);
            break;
        }
        if (page.nextPageToken.isEmpty() || emptyPage)
            break;
        query.pageToken = page.nextPageToken;
    }
    return refs;
}

Result<QList<DimensionRecord>> ButlerQueries::dimensionRecords(Butler& butler, DimensionRecordQuery query,
                                                               int limit)
{
    QList<DimensionRecord> records;
    query.pageToken.clear();
    for (;;) {
        query.limit = limit > 0 ? limit - int(records.size()) : 0;
        BUTLER_ASSIGN_OR_RETURN(DimensionRecordPage page, butler.queryDimensionRecords(query));
        const bool emptyPage = page.records.isEmpty();
        takePage(records, page.records);
        if (limit > 0 && records.size() >= limit) {
            records.resize(limit);
            break;
        }
        if (page.nextPageToken.isEmpty() || emptyPage)
            break;
        query.pageToken = page.nextPageToken;
    }
    return records;
}

Result<QHash<QUuid, FileInfo>> ButlerQueries::files(Butler& butler, const QList<QUuid>& ids)
{
    QHash<QUuid, FileInfo> files;
    for (qsizetype start = 0; start < ids.size(); start += kFileBatch) {
        BUTLER_ASSIGN_OR_RETURN(const QList<FileInfo> batch, butler.fileInfo(ids.mid(start, kFileBatch)));
        for (const FileInfo& info : batch)
            files.insert(info.id, info);
    }
    return files;
}

QList<QUuid> ButlerQueries::ids(const QList<DatasetRef>& refs)
{
    QList<QUuid> ids;
    QSet<QUuid> seen;
    ids.reserve(refs.size());
    for (const DatasetRef& ref : refs) {
        if (!seen.contains(ref.id())) {
            seen.insert(ref.id());
            ids.append(ref.id());
        }
    }
    return ids;
}

QStringList ButlerQueries::dimensionColumns(const DimensionUniverse& universe,
                                            const QList<DataCoordinate>& dataIds)
{
    return collectDimensionColumns(
        universe, dataIds, [](const DataCoordinate& dataId) -> const DataCoordinate& { return dataId; });
}

QStringList ButlerQueries::dimensionColumns(const DimensionUniverse& universe, const QList<DatasetRef>& refs)
{
    return collectDimensionColumns(
        universe, refs, [](const DatasetRef& ref) -> const DataCoordinate& { return ref.dataId(); });
}

QStringList ButlerQueries::collectionsOrAll(const QStringList& collections)
{
    return collections.isEmpty() ? QStringList{QStringLiteral("*")} : collections;
}

} // namespace butler
