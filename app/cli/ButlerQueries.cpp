#include "ButlerQueries.h"

#include <QSet>

#include <algorithm>

namespace butler {

namespace {

constexpr int kFileBatch = 500;

} // namespace

Result<QList<DatasetRef>> ButlerQueries::datasets(Butler& butler, DatasetQuery query, int limit)
{
    QList<DatasetRef> refs;
    query.pageToken.clear();
    for (;;) {
        query.limit = limit > 0 ? limit - int(refs.size()) : 0;
        BUTLER_ASSIGN_OR_RETURN(DatasetPage page, butler.queryDatasets(query));
        refs.append(page.refs);
        if (limit > 0 && refs.size() >= limit) {
            refs.resize(limit);
            break;
        }
        if (page.nextPageToken.isEmpty() || page.refs.isEmpty())
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
        records.append(page.records);
        if (limit > 0 && records.size() >= limit) {
            records.resize(limit);
            break;
        }
        if (page.nextPageToken.isEmpty() || page.records.isEmpty())
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
    QSet<QString> names;
    for (const DataCoordinate& dataId : dataIds) {
        const QStringList& groupNames = dataId.group().names();
        for (qsizetype i = 0; i < dataId.values().size() && i < groupNames.size(); ++i) {
            if (dataId.values()[i].isValid())
                names.insert(groupNames[i]);
        }
    }
    QStringList columns(names.begin(), names.end());
    std::sort(columns.begin(), columns.end(),
              [&](const QString& a, const QString& b) { return universe.index(a) < universe.index(b); });
    return columns;
}

QJsonValue ButlerQueries::jsonValue(const QVariant& value)
{
    if (!value.isValid() || value.isNull())
        return QJsonValue::Null;
    if (value.typeId() == QMetaType::QByteArray)
        return QString::fromLatin1(value.toByteArray().toHex());
    return QJsonValue::fromVariant(value);
}

QStringList ButlerQueries::collectionsOrAll(const QStringList& collections)
{
    return collections.isEmpty() ? QStringList{QStringLiteral("*")} : collections;
}

} // namespace butler
