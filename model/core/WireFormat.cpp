#include "WireFormat.h"

#include "JsonWriter.h"

#include <QHash>
#include <QJsonArray>

#include <cmath>

namespace butler {

namespace {

const QString kDatasetTypes = QStringLiteral("dataset_types");
const QString kCollections = QStringLiteral("collections");
const QString kWhere = QStringLiteral("where");
const QString kBind = QStringLiteral("bind");
const QString kFindFirst = QStringLiteral("find_first");
const QString kOrderBy = QStringLiteral("order_by");
const QString kLimit = QStringLiteral("limit");
const QString kPageToken = QStringLiteral("page_token");
const QString kNextPageToken = QStringLiteral("next_page_token");
const QString kCalibrationTime = QStringLiteral("calibration_time");
const QString kDimensions = QStringLiteral("dimensions");
const QString kElement = QStringLiteral("element");
const QString kGlobs = QStringLiteral("globs");
const QString kTypes = QStringLiteral("types");
const QString kFlattenChains = QStringLiteral("flatten_chains");
const QString kIncludeChains = QStringLiteral("include_chains");
const QString kDatasets = QStringLiteral("datasets");
const QString kIngestDates = QStringLiteral("ingest_dates");
const QString kSizes = QStringLiteral("sizes");
const QString kWithSizes = QStringLiteral("with_sizes");
const QString kRecords = QStringLiteral("records");
const QString kId = QStringLiteral("id");
const QString kUri = QStringLiteral("uri");
const QString kPath = QStringLiteral("path");
const QString kFormatter = QStringLiteral("formatter");
const QString kSize = QStringLiteral("size");
const QString kChecksum = QStringLiteral("checksum");
const QString kExpires = QStringLiteral("expires");
const QString kDatasetType = QStringLiteral("dataset_type");
const QString kDataId = QStringLiteral("data_id");
const QString kRun = QStringLiteral("run");
const QString kError = QStringLiteral("error");
const QString kType = QStringLiteral("type");
const QString kMessage = QStringLiteral("message");

bool isAbsent(const QJsonValue& value)
{
    return value.isUndefined() || value.isNull();
}

QString jsonTypeName(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

Error wrongType(const QString& field, const QString& expected, const QJsonValue& value)
{
    return invalidInput(
        QStringLiteral("field '%1' must be %2, not %3").arg(field, expected, jsonTypeName(value)));
}

Result<QString> stringField(const QJsonObject& json, const QString& key, bool required = false)
{
    const QJsonValue value = json.value(key);
    if (isAbsent(value)) {
        if (required)
            return invalidInput(QStringLiteral("missing field '%1'").arg(key));
        return QString();
    }
    if (!value.isString())
        return wrongType(key, QStringLiteral("a string"), value);
    return value.toString();
}

Result<QStringList> stringListField(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (isAbsent(value))
        return QStringList();
    if (!value.isArray())
        return wrongType(key, QStringLiteral("a list of strings"), value);
    const QJsonArray array = value.toArray();
    QStringList list;
    list.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString())
            return wrongType(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("a string"),
                             array.at(i));
        list.append(array.at(i).toString());
    }
    return list;
}

Result<bool> boolField(const QJsonObject& json, const QString& key, bool fallback)
{
    const QJsonValue value = json.value(key);
    if (isAbsent(value))
        return fallback;
    if (!value.isBool())
        return wrongType(key, QStringLiteral("true or false"), value);
    return value.toBool();
}

// An integer that JSON carries exactly: no fraction, no exponent beyond qint64.
std::optional<qint64> exactInteger(const QJsonValue& value)
{
    if (!value.isDouble())
        return std::nullopt;
    const QVariant variant = value.toVariant();
    if (variant.typeId() == QMetaType::LongLong)
        return variant.toLongLong();
    const double d = value.toDouble();
    // 2^63 itself is not a qint64; every double below it that is integral converts exactly.
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2233720368547758e18)
        return qint64(d);
    return std::nullopt;
}

Result<qint64> integerField(const QJsonObject& json, const QString& key, qint64 min, qint64 max,
                            qint64 fallback, bool required = false)
{
    const QJsonValue value = json.value(key);
    if (isAbsent(value)) {
        if (required)
            return invalidInput(QStringLiteral("missing field '%1'").arg(key));
        return fallback;
    }
    const std::optional<qint64> integer = exactInteger(value);
    if (!integer)
        return invalidInput(
            QStringLiteral("field '%1' must be an integer, not %2")
                .arg(key, value.isDouble() ? QString::number(value.toDouble()) : jsonTypeName(value)));
    if (*integer < min || *integer > max)
        return invalidInput(QStringLiteral("field '%1' must be from %2 to %3, not %4")
                                .arg(key)
                                .arg(min)
                                .arg(max)
                                .arg(*integer));
    return *integer;
}

Result<int> limitField(const QJsonObject& json)
{
    BUTLER_ASSIGN_OR_RETURN(const qint64 limit, integerField(json, kLimit, 0, WireFormat::MaxLimit, 0));
    return int(limit);
}

Result<std::optional<qint64>> optionalNsField(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (isAbsent(value))
        return std::optional<qint64>();
    const std::optional<qint64> integer = exactInteger(value);
    if (!integer)
        return wrongType(key, QStringLiteral("TAI nanoseconds (an integer)"), value);
    return integer;
}

Result<QJsonArray> arrayField(const QJsonObject& json, const QString& key, bool required)
{
    const QJsonValue value = json.value(key);
    if (isAbsent(value)) {
        if (required)
            return invalidInput(QStringLiteral("missing field '%1'").arg(key));
        return QJsonArray();
    }
    if (!value.isArray())
        return wrongType(key, QStringLiteral("a list"), value);
    return value.toArray();
}

QJsonValue scalarToJson(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::Long:
    case QMetaType::Short:
        return value.toLongLong();
    case QMetaType::Double:
    case QMetaType::Float:
        return value.toDouble();
    default:
        break;
    }
    if (!value.isValid() || value.isNull())
        return QJsonValue();
    return value.toString();
}

Result<QVariant> scalarFromJson(const QString& field, const QJsonValue& value)
{
    if (value.isString())
        return QVariant(value.toString());
    if (value.isBool())
        return QVariant(value.toBool());
    if (value.isDouble()) {
        if (const std::optional<qint64> integer = exactInteger(value))
            return QVariant(*integer);
        return QVariant(value.toDouble());
    }
    return wrongType(field, QStringLiteral("a string, number or boolean"), value);
}

// Dataset refs in a page mostly share a handful of dataset types: decode each type once.
class DatasetTypeCache
{
public:
    explicit DatasetTypeCache(const DimensionUniverse& universe)
        : m_universe(universe)
    {
    }

    Result<DatasetType> get(const QJsonObject& json)
    {
        const QString name = json.value(QLatin1String("name")).toString();
        const auto it = m_types.constFind(name);
        if (it != m_types.constEnd() && it->first == json)
            return it->second;
        BUTLER_ASSIGN_OR_RETURN(DatasetType type, DatasetType::fromJson(m_universe, json));
        m_types.insert(name, {json, type});
        return type;
    }

private:
    const DimensionUniverse& m_universe;
    QHash<QString, std::pair<QJsonObject, DatasetType>> m_types;
};

Result<DatasetRef> refFromJson(const DimensionUniverse& universe, DatasetTypeCache& types,
                               const QJsonValue& value)
{
    if (!value.isObject())
        return wrongType(QStringLiteral("dataset"), QStringLiteral("an object"), value);
    const QJsonObject json = value.toObject();
    BUTLER_ASSIGN_OR_RETURN(const QString idText, stringField(json, kId, true));
    const QUuid id = QUuid::fromString(idText);
    if (id.isNull())
        return invalidInput(QStringLiteral("field 'id' must be a UUID, not '%1'").arg(idText.left(64)));
    const QJsonValue typeValue = json.value(kDatasetType);
    if (!typeValue.isObject())
        return wrongType(kDatasetType, QStringLiteral("an object"), typeValue);
    BUTLER_ASSIGN_OR_RETURN(DatasetType type, types.get(typeValue.toObject()));
    const QJsonValue dataIdValue = json.value(kDataId);
    if (!dataIdValue.isObject())
        return wrongType(kDataId, QStringLiteral("an object"), dataIdValue);
    BUTLER_ASSIGN_OR_RETURN(DataCoordinate dataId,
                            DataCoordinate::fromJson(universe, type.dimensions(), dataIdValue.toObject()));
    // null: the server does not name this run to the reader (DatasetRef::toJson()).
    QString run;
    if (!json.value(kRun).isNull()) {
        BUTLER_ASSIGN_OR_RETURN(run, stringField(json, kRun, true));
        if (run.isEmpty())
            return invalidInput(QStringLiteral("field 'run' may not be empty"));
    }
    return DatasetRef(id, std::move(type), std::move(dataId), run);
}

QJsonArray toArray(const QStringList& list)
{
    return QJsonArray::fromStringList(list);
}

} // namespace

// DatasetQuery

QJsonObject WireFormat::toJson(const DatasetQuery& query)
{
    QJsonObject json{{kDatasetTypes, toArray(query.datasetTypes)},
                     {kCollections, toArray(query.collections)},
                     {kWhere, query.where},
                     {kBind, bindToJson(query.bind)},
                     {kFindFirst, query.findFirst},
                     {kOrderBy, toArray(query.orderBy)},
                     {kLimit, query.limit},
                     {kPageToken, query.pageToken}};
    if (query.calibrationTime)
        json.insert(kCalibrationTime, *query.calibrationTime);
    if (query.withSizes)
        json.insert(kWithSizes, true);
    return json;
}

Result<DatasetQuery> WireFormat::datasetQueryFromJson(const QJsonObject& json)
{
    DatasetQuery query;
    BUTLER_ASSIGN_OR_RETURN(query.datasetTypes, stringListField(json, kDatasetTypes));
    BUTLER_ASSIGN_OR_RETURN(query.collections, stringListField(json, kCollections));
    BUTLER_ASSIGN_OR_RETURN(query.where, stringField(json, kWhere));
    BUTLER_ASSIGN_OR_RETURN(query.bind, bindFromJson(json.value(kBind)));
    BUTLER_ASSIGN_OR_RETURN(query.findFirst, boolField(json, kFindFirst, false));
    BUTLER_ASSIGN_OR_RETURN(query.orderBy, stringListField(json, kOrderBy));
    BUTLER_ASSIGN_OR_RETURN(query.limit, limitField(json));
    BUTLER_ASSIGN_OR_RETURN(query.pageToken, stringField(json, kPageToken));
    BUTLER_ASSIGN_OR_RETURN(query.calibrationTime, optionalNsField(json, kCalibrationTime));
    BUTLER_ASSIGN_OR_RETURN(query.withSizes, boolField(json, kWithSizes, false));
    return query;
}

// DataIdQuery

QJsonObject WireFormat::toJson(const DataIdQuery& query)
{
    return QJsonObject{{kDimensions, toArray(query.dimensions)},
                       {kDatasetTypes, toArray(query.datasetTypes)},
                       {kCollections, toArray(query.collections)},
                       {kWhere, query.where},
                       {kBind, bindToJson(query.bind)},
                       {kOrderBy, toArray(query.orderBy)},
                       {kLimit, query.limit}};
}

Result<DataIdQuery> WireFormat::dataIdQueryFromJson(const QJsonObject& json)
{
    DataIdQuery query;
    BUTLER_ASSIGN_OR_RETURN(query.dimensions, stringListField(json, kDimensions));
    BUTLER_ASSIGN_OR_RETURN(query.datasetTypes, stringListField(json, kDatasetTypes));
    BUTLER_ASSIGN_OR_RETURN(query.collections, stringListField(json, kCollections));
    BUTLER_ASSIGN_OR_RETURN(query.where, stringField(json, kWhere));
    BUTLER_ASSIGN_OR_RETURN(query.bind, bindFromJson(json.value(kBind)));
    BUTLER_ASSIGN_OR_RETURN(query.orderBy, stringListField(json, kOrderBy));
    BUTLER_ASSIGN_OR_RETURN(query.limit, limitField(json));
    return query;
}

// DimensionRecordQuery

QJsonObject WireFormat::toJson(const DimensionRecordQuery& query)
{
    return QJsonObject{{kElement, query.element},       {kWhere, query.where},
                       {kBind, bindToJson(query.bind)}, {kOrderBy, toArray(query.orderBy)},
                       {kLimit, query.limit},           {kPageToken, query.pageToken}};
}

Result<DimensionRecordQuery> WireFormat::dimensionRecordQueryFromJson(const QJsonObject& json)
{
    DimensionRecordQuery query;
    BUTLER_ASSIGN_OR_RETURN(query.element, stringField(json, kElement, true));
    BUTLER_ASSIGN_OR_RETURN(query.where, stringField(json, kWhere));
    BUTLER_ASSIGN_OR_RETURN(query.bind, bindFromJson(json.value(kBind)));
    BUTLER_ASSIGN_OR_RETURN(query.orderBy, stringListField(json, kOrderBy));
    BUTLER_ASSIGN_OR_RETURN(query.limit, limitField(json));
    BUTLER_ASSIGN_OR_RETURN(query.pageToken, stringField(json, kPageToken));
    return query;
}

// CollectionQuery

QJsonObject WireFormat::toJson(const CollectionQuery& query)
{
    QJsonArray types;
    for (CollectionType type : query.types)
        types.append(collectionTypeName(type));
    return QJsonObject{{kGlobs, toArray(query.globs)},
                       {kTypes, types},
                       {kFlattenChains, query.flattenChains},
                       {kIncludeChains, query.includeChains}};
}

Result<CollectionQuery> WireFormat::collectionQueryFromJson(const QJsonObject& json)
{
    CollectionQuery query;
    BUTLER_ASSIGN_OR_RETURN(query.globs, stringListField(json, kGlobs));
    BUTLER_ASSIGN_OR_RETURN(const QStringList types, stringListField(json, kTypes));
    for (const QString& name : types) {
        const Result<CollectionType> type = parseCollectionType(name);
        if (!type.ok())
            return type.error().withContext(QStringLiteral("field 'types'"));
        query.types.append(type.value());
    }
    BUTLER_ASSIGN_OR_RETURN(query.flattenChains, boolField(json, kFlattenChains, false));
    BUTLER_ASSIGN_OR_RETURN(query.includeChains, boolField(json, kIncludeChains, true));
    return query;
}

// DatasetPage

QJsonObject WireFormat::toJson(const DatasetPage& page)
{
    QJsonArray refs;
    for (const DatasetRef& ref : page.refs)
        refs.append(ref.toJson());
    QJsonArray dates;
    for (qint64 date : page.ingestDates)
        dates.append(date);
    QJsonObject json{{kDatasets, refs}, {kIngestDates, dates}, {kNextPageToken, page.nextPageToken}};
    if (!page.sizes.isEmpty()) {
        QJsonArray sizes;
        for (qint64 size : page.sizes)
            sizes.append(size);
        json.insert(kSizes, sizes);
    }
    return json;
}

QByteArray WireFormat::datasetPageJson(const DatasetPage& page)
{
    JsonWriter writer(512 * (page.refs.size() + 1));
    writer.beginObject();
    writer.key("datasets");
    writer.beginArray();
    for (const DatasetRef& ref : page.refs)
        ref.writeJson(writer);
    writer.endArray();
    writer.key("ingest_dates");
    writer.beginArray();
    for (qint64 date : page.ingestDates)
        writer.value(date);
    writer.endArray();
    writer.key("next_page_token");
    writer.value(page.nextPageToken);
    if (!page.sizes.isEmpty()) {
        writer.key("sizes");
        writer.beginArray();
        for (qint64 size : page.sizes)
            writer.value(size);
        writer.endArray();
    }
    writer.endObject();
    return writer.take();
}

Result<DatasetPage> WireFormat::datasetPageFromJson(const DimensionUniverse& universe,
                                                    const QJsonObject& json)
{
    DatasetPage page;
    BUTLER_ASSIGN_OR_RETURN(const QJsonArray refs, arrayField(json, kDatasets, true));
    DatasetTypeCache types(universe);
    page.refs.reserve(refs.size());
    for (qsizetype i = 0; i < refs.size(); ++i) {
        Result<DatasetRef> ref = refFromJson(universe, types, refs.at(i));
        if (!ref.ok())
            return ref.error().withContext(QStringLiteral("datasets[%1]").arg(i));
        page.refs.append(std::move(ref).value());
    }
    BUTLER_ASSIGN_OR_RETURN(const QJsonArray dates, arrayField(json, kIngestDates, false));
    if (!dates.isEmpty() && dates.size() != refs.size())
        return invalidInput(QStringLiteral("field 'ingest_dates' has %1 entries for %2 datasets")
                                .arg(dates.size())
                                .arg(refs.size()));
    page.ingestDates.reserve(dates.size());
    for (qsizetype i = 0; i < dates.size(); ++i) {
        const std::optional<qint64> date = exactInteger(dates.at(i));
        if (!date)
            return wrongType(QStringLiteral("ingest_dates[%1]").arg(i), QStringLiteral("TAI nanoseconds"),
                             dates.at(i));
        page.ingestDates.append(*date);
    }
    BUTLER_ASSIGN_OR_RETURN(page.nextPageToken, stringField(json, kNextPageToken));
    BUTLER_ASSIGN_OR_RETURN(const QJsonArray sizes, arrayField(json, kSizes, false));
    if (!sizes.isEmpty() && sizes.size() != refs.size())
        return invalidInput(QStringLiteral("field 'sizes' has %1 entries for %2 datasets")
                                .arg(sizes.size())
                                .arg(refs.size()));
    page.sizes.reserve(sizes.size());
    for (qsizetype i = 0; i < sizes.size(); ++i) {
        const std::optional<qint64> size = exactInteger(sizes.at(i));
        if (!size || *size < -1)
            return wrongType(QStringLiteral("sizes[%1]").arg(i), QStringLiteral("a size in bytes"),
                             sizes.at(i));
        page.sizes.append(*size);
    }
    return page;
}

// DimensionRecordPage

QJsonObject WireFormat::toJson(const DimensionRecordPage& page)
{
    QJsonArray records;
    for (const DimensionRecord& record : page.records)
        records.append(record.toJson());
    return QJsonObject{{kRecords, records}, {kNextPageToken, page.nextPageToken}};
}

Result<DimensionRecordPage> WireFormat::dimensionRecordPageFromJson(const DimensionUniverse& universe,
                                                                    const QJsonObject& json)
{
    DimensionRecordPage page;
    BUTLER_ASSIGN_OR_RETURN(const QJsonArray records, arrayField(json, kRecords, true));
    page.records.reserve(records.size());
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QString field = QStringLiteral("records[%1]").arg(i);
        if (!records.at(i).isObject())
            return wrongType(field, QStringLiteral("an object"), records.at(i));
        Result<DimensionRecord> record = DimensionRecord::fromJson(universe, records.at(i).toObject());
        if (!record.ok())
            return record.error().withContext(field);
        page.records.append(std::move(record).value());
    }
    BUTLER_ASSIGN_OR_RETURN(page.nextPageToken, stringField(json, kNextPageToken));
    return page;
}

// FileInfo

QJsonObject WireFormat::toJson(const FileInfo& info, qint64 expiresUnix)
{
    QJsonObject json{{kId, info.id.toString(QUuid::WithoutBraces)},
                     {kUri, info.uri},
                     {kPath, info.path},
                     {kFormatter, info.formatter},
                     {kSize, info.size},
                     {kChecksum, info.checksum}};
    if (expiresUnix > 0)
        json.insert(kExpires, expiresUnix);
    return json;
}

Result<FileInfo> WireFormat::fileInfoFromJson(const QJsonObject& json, qint64* expiresUnix)
{
    FileInfo info;
    BUTLER_ASSIGN_OR_RETURN(const QString idText, stringField(json, kId, true));
    info.id = QUuid::fromString(idText);
    if (info.id.isNull())
        return invalidInput(QStringLiteral("field 'id' must be a UUID, not '%1'").arg(idText.left(64)));
    BUTLER_ASSIGN_OR_RETURN(info.uri, stringField(json, kUri, true));
    BUTLER_ASSIGN_OR_RETURN(info.path, stringField(json, kPath));
    BUTLER_ASSIGN_OR_RETURN(info.formatter, stringField(json, kFormatter));
    BUTLER_ASSIGN_OR_RETURN(info.size,
                            integerField(json, kSize, 0, std::numeric_limits<qint64>::max(), 0, true));
    BUTLER_ASSIGN_OR_RETURN(info.checksum, stringField(json, kChecksum));
    BUTLER_ASSIGN_OR_RETURN(const qint64 expires,
                            integerField(json, kExpires, 0, std::numeric_limits<qint64>::max(), 0));
    if (expiresUnix)
        *expiresUnix = expires;
    return info;
}

// IngestFile

QJsonObject WireFormat::toJson(const IngestFile& file)
{
    QJsonObject dataId;
    for (auto it = file.dataId.begin(); it != file.dataId.end(); ++it)
        dataId.insert(it.key(), scalarToJson(*it));
    QJsonObject json{{kDatasetType, file.datasetType}, {kDataId, dataId}};
    if (!file.id.isNull())
        json.insert(kId, file.id.toString(QUuid::WithoutBraces));
    if (!file.formatter.isEmpty())
        json.insert(kFormatter, file.formatter);
    if (!file.path.isEmpty())
        json.insert(kPath, file.path);
    return json;
}

Result<IngestFile> WireFormat::ingestFileFromJson(const QJsonObject& json)
{
    IngestFile file;
    BUTLER_ASSIGN_OR_RETURN(file.datasetType, stringField(json, kDatasetType, true));
    const QJsonValue dataId = json.value(kDataId);
    if (!dataId.isObject())
        return wrongType(kDataId, QStringLiteral("an object"), dataId);
    const QJsonObject dataIdObject = dataId.toObject();
    for (auto it = dataIdObject.begin(); it != dataIdObject.end(); ++it) {
        if (!it->isString() && !it->isDouble())
            return wrongType(QStringLiteral("data_id.%1").arg(it.key()),
                             QStringLiteral("a string or an integer"), *it);
        BUTLER_ASSIGN_OR_RETURN(const QVariant value, scalarFromJson(it.key(), *it));
        file.dataId.insert(it.key(), value);
    }
    BUTLER_ASSIGN_OR_RETURN(const QString idText, stringField(json, kId));
    if (!idText.isEmpty()) {
        file.id = QUuid::fromString(idText);
        if (file.id.isNull())
            return invalidInput(QStringLiteral("field 'id' must be a UUID, not '%1'").arg(idText.left(64)));
    }
    BUTLER_ASSIGN_OR_RETURN(file.formatter, stringField(json, kFormatter));
    BUTLER_ASSIGN_OR_RETURN(file.path, stringField(json, kPath));
    return file;
}

// Bind maps

QJsonObject WireFormat::bindToJson(const QVariantMap& bind)
{
    QJsonObject json;
    for (auto it = bind.begin(); it != bind.end(); ++it) {
        if (it->typeId() == QMetaType::QVariantList || it->typeId() == QMetaType::QStringList) {
            QJsonArray array;
            for (const QVariant& item : it->toList())
                array.append(scalarToJson(item));
            json.insert(it.key(), array);
        } else {
            json.insert(it.key(), scalarToJson(*it));
        }
    }
    return json;
}

Result<QVariantMap> WireFormat::bindFromJson(const QJsonValue& json)
{
    if (isAbsent(json))
        return QVariantMap();
    if (!json.isObject())
        return wrongType(kBind, QStringLiteral("an object"), json);
    QVariantMap bind;
    const QJsonObject object = json.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString field = QStringLiteral("bind.%1").arg(it.key());
        if (it->isArray()) {
            const QJsonArray array = it->toArray();
            QVariantList list;
            list.reserve(array.size());
            for (qsizetype i = 0; i < array.size(); ++i) {
                BUTLER_ASSIGN_OR_RETURN(
                    QVariant item, scalarFromJson(QStringLiteral("%1[%2]").arg(field).arg(i), array.at(i)));
                list.append(std::move(item));
            }
            bind.insert(it.key(), list);
            continue;
        }
        BUTLER_ASSIGN_OR_RETURN(QVariant value, scalarFromJson(field, *it));
        bind.insert(it.key(), std::move(value));
    }
    return bind;
}

// Errors

QJsonObject WireFormat::errorToJson(const Error& error)
{
    return QJsonObject{{kError, QJsonObject{{kType, error.kindName()}, {kMessage, error.message()}}}};
}

ErrorKind WireFormat::errorKindFromName(const QString& text, int httpStatus)
{
    static const QHash<QString, ErrorKind> kinds = [] {
        QHash<QString, ErrorKind> map;
        for (ErrorKind kind :
             {ErrorKind::InvalidInput, ErrorKind::NotFound, ErrorKind::Conflict, ErrorKind::Unauthenticated,
              ErrorKind::PermissionDenied, ErrorKind::QuotaExceeded, ErrorKind::Unavailable, ErrorKind::Io,
              ErrorKind::Internal})
            map.insert(errorKindName(kind), kind);
        // The server's types that are not kinds of their own.
        map.insert(QStringLiteral("rate_limited"), ErrorKind::Unavailable);
        map.insert(QStringLiteral("method_not_allowed"), ErrorKind::InvalidInput);
        map.insert(QStringLiteral("bad_request"), ErrorKind::InvalidInput);
        return map;
    }();
    const auto it = kinds.constFind(text);
    if (it != kinds.constEnd())
        return *it;
    switch (httpStatus) {
    case 400:
    case 405:
    case 411:
    case 414:
    case 415:
    case 422:
    case 431:
        return ErrorKind::InvalidInput;
    case 401:
        return ErrorKind::Unauthenticated;
    case 403:
        return ErrorKind::PermissionDenied;
    case 404:
    case 410:
        return ErrorKind::NotFound;
    case 409:
    case 412:
        return ErrorKind::Conflict;
    case 413:
        return ErrorKind::QuotaExceeded;
    case 429:
    case 502:
    case 503:
    case 504:
        return ErrorKind::Unavailable;
    default:
        return ErrorKind::Internal;
    }
}

Error WireFormat::errorFromJson(const QJsonObject& json, int httpStatus)
{
    const QJsonObject inner = json.value(kError).toObject();
    const QString type = inner.value(kType).toString();
    QString message = inner.value(kMessage).toString();
    if (message.isEmpty())
        message = QStringLiteral("the server answered with status %1").arg(httpStatus);
    return Error(errorKindFromName(type, httpStatus), message);
}

// Enum names

QString WireFormat::idModeName(DatasetIdMode mode)
{
    switch (mode) {
    case DatasetIdMode::Unique:
        return QStringLiteral("unique");
    case DatasetIdMode::DataIdType:
        return QStringLiteral("dataid_type");
    case DatasetIdMode::DataIdTypeRun:
        return QStringLiteral("dataid_type_run");
    }
    return QStringLiteral("unique");
}

Result<DatasetIdMode> WireFormat::parseIdMode(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("unique"))
        return DatasetIdMode::Unique;
    if (t == QLatin1String("dataid_type"))
        return DatasetIdMode::DataIdType;
    if (t == QLatin1String("dataid_type_run"))
        return DatasetIdMode::DataIdTypeRun;
    return invalidInput(
        QStringLiteral("unknown dataset ID mode '%1' (use unique, dataid_type or dataid_type_run)")
            .arg(text));
}

QString WireFormat::chainModeName(ChainMode mode)
{
    switch (mode) {
    case ChainMode::Redefine:
        return QStringLiteral("redefine");
    case ChainMode::Extend:
        return QStringLiteral("extend");
    case ChainMode::Prepend:
        return QStringLiteral("prepend");
    case ChainMode::Remove:
        return QStringLiteral("remove");
    case ChainMode::Pop:
        return QStringLiteral("pop");
    }
    return QStringLiteral("redefine");
}

} // namespace butler
