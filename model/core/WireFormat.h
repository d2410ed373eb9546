#pragma once

#include "DimensionUniverse.h"
#include "Error.h"
#include "Queries.h"
#include "Result.h"

#include <QJsonObject>

namespace butler {

// The JSON forms of the query structs, pages and file infos that travel between butler-server
// and RemoteButler (docs/server-api.md). Domain objects use their own toJson()/fromJson().
// Every fromJson rejects wrong types and unknown enum names with InvalidInput naming the field;
// absent fields take the struct's defaults, unknown fields are ignored. Times are TAI ns as JSON
// integers (exact up to 2^63), limits integers from 0 (none) to MaxLimit.
class WireFormat
{
public:
    // The largest "limit" a query accepts; larger values are refused rather than silently cut,
    // since data-ID queries have no page token to continue from.
    static constexpr qint64 MaxLimit = 10'000'000;

    // {"dataset_types":[], "collections":[], "where":s, "bind":{}, "find_first":b, "order_by":[],
    //  "limit":n, "page_token":s, "calibration_time":ns (absent when unset)}
    static QJsonObject toJson(const DatasetQuery& query);
    static Result<DatasetQuery> datasetQueryFromJson(const QJsonObject& json);

    // {"dimensions":[], "dataset_types":[], "collections":[], "where":s, "bind":{}, "order_by":[], "limit":n}
    static QJsonObject toJson(const DataIdQuery& query);
    static Result<DataIdQuery> dataIdQueryFromJson(const QJsonObject& json);

    // {"element":s (required), "where":s, "bind":{}, "order_by":[], "limit":n, "page_token":s}
    static QJsonObject toJson(const DimensionRecordQuery& query);
    static Result<DimensionRecordQuery> dimensionRecordQueryFromJson(const QJsonObject& json);

    // {"globs":[], "types":["RUN",...], "flatten_chains":b, "include_chains":b}; GET /collections
    // takes the same as query parameters (glob, type, flatten, include_chains).
    static QJsonObject toJson(const CollectionQuery& query);
    static Result<CollectionQuery> collectionQueryFromJson(const QJsonObject& json);

    // {"datasets":[ref], "ingest_dates":[ns], "next_page_token":s}
    static QJsonObject toJson(const DatasetPage& page);
    // The same answer as compact JSON text, written directly (pages of many refs).
    static QByteArray datasetPageJson(const DatasetPage& page);
    static Result<DatasetPage> datasetPageFromJson(const DimensionUniverse& universe,
                                                   const QJsonObject& json);

    // {"records":[record], "next_page_token":s}
    static QJsonObject toJson(const DimensionRecordPage& page);
    static Result<DimensionRecordPage> dimensionRecordPageFromJson(const DimensionUniverse& universe,
                                                                   const QJsonObject& json);

    // {"id","uri","path","formatter","size","checksum","expires"?}
    static QJsonObject toJson(const FileInfo& info, qint64 expiresUnix = 0);
    static Result<FileInfo> fileInfoFromJson(const QJsonObject& json, qint64* expiresUnix = nullptr);

    // {"dataset_type","data_id","id"?,"formatter"?,"path"?}
    static QJsonObject toJson(const IngestFile& file);
    static Result<IngestFile> ingestFileFromJson(const QJsonObject& json);

    // A bind map whose values are JSON scalars or arrays of scalars.
    static QJsonObject bindToJson(const QVariantMap& bind);
    static Result<QVariantMap> bindFromJson(const QJsonValue& json);

    // {"error":{"type","message"}}, and back. A type that is no ErrorKind name maps by the HTTP
    // status (401 Unauthenticated, 429 Unavailable, ...); anything else is Internal.
    static QJsonObject errorToJson(const Error& error);
    static Error errorFromJson(const QJsonObject& json, int httpStatus);

    // "unique" | "dataid_type" | "dataid_type_run"
    static QString idModeName(DatasetIdMode mode);
    static Result<DatasetIdMode> parseIdMode(const QString& text);
    static QString chainModeName(ChainMode mode);
    // The ErrorKind whose errorKindName() is text, or by HTTP status when text is no kind name.
    static ErrorKind errorKindFromName(const QString& text, int httpStatus);
};

} // namespace butler
