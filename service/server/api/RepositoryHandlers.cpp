#include "RepositoryHandlers.h"

#include "ApiCall.h"
#include "AuthorizedButler.h"
#include "JsonBodyReader.h"
#include "JsonWriter.h"
#include "RepositoryService.h"
#include "WireFormat.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace butler {

namespace {

const QString kIds = QStringLiteral("ids");
const QString kCollection = QStringLiteral("collection");

Result<QStringList> stringList(const QJsonObject& object, const QString& key, bool required = false)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            return invalidInput(QStringLiteral("missing field '%1'").arg(key));
        return QStringList();
    }
    if (value.isString())
        return QStringList{value.toString()};
    if (!value.isArray())
        return invalidInput(QStringLiteral("field '%1' must be a list of strings").arg(key));
    QStringList result;
    const QJsonArray array = value.toArray();
    result.reserve(array.size());
    for (const QJsonValue& item : array) {
        if (!item.isString())
            return invalidInput(QStringLiteral("field '%1' must be a list of strings").arg(key));
        result.append(item.toString());
    }
    return result;
}

Result<QString> stringField(const QJsonObject& object, const QString& key, bool required = true)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            return invalidInput(QStringLiteral("missing field '%1'").arg(key));
        return QString();
    }
    if (!value.isString())
        return invalidInput(QStringLiteral("field '%1' must be a string").arg(key));
    return value.toString();
}

Result<bool> boolField(const QJsonObject& object, const QString& key, bool fallback)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (!value.isBool())
        return invalidInput(QStringLiteral("field '%1' must be true or false").arg(key));
    return value.toBool();
}

Result<QList<QUuid>> uuidList(const QJsonObject& object, const QString& key)
{
    BUTLER_ASSIGN_OR_RETURN(const QStringList texts, stringList(object, key, true));
    QList<QUuid> ids;
    ids.reserve(texts.size());
    for (const QString& text : texts) {
        const QUuid id = QUuid::fromString(text);
        if (id.isNull())
            return invalidInput(QStringLiteral("'%1' in field '%2' is not a UUID").arg(text.left(64), key));
        ids.append(id);
    }
    return ids;
}

QJsonArray toArray(const QStringList& list)
{
    return QJsonArray::fromStringList(list);
}

// An ISO-8601 date-time (UTC unless it names an offset) as unix seconds.
Result<qint64> isoSeconds(const QJsonValue& value, const QString& key)
{
    QDateTime time =
        value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs) : QDateTime();
    if (!time.isValid())
        return invalidInput(
            QStringLiteral("field '%1' must be an ISO-8601 date and time such as 2027-01-01T00:00:00Z")
                .arg(key));
    if (time.timeSpec() == Qt::LocalTime)
        time.setTimeSpec(Qt::UTC);
    return time.toSecsSinceEpoch();
}

QJsonObject trashToJson(const QList<TrashEntry>& entries)
{
    QJsonArray array;
    for (const TrashEntry& entry : entries)
        array.append(entry.toJson());
    return QJsonObject{{QStringLiteral("entries"), array}};
}

QJsonObject aclToJson(const ApiCall& call, const CollectionAcl& acl)
{
    return acl.toJson(call.repository.policy().config().proprietaryPeriodDays);
}

} // namespace

Result<ApiAnswer> RepositoryHandlers::whoami(ApiCall& call)
{
    const Identity& identity = call.request.identity;
    return ApiAnswer::json(QJsonObject{{QStringLiteral("user"), identity.user},
                                       {QStringLiteral("groups"), toArray(identity.groups)},
                                       {QStringLiteral("admin"), identity.admin},
                                       {QStringLiteral("data_rights"), identity.dataRights}});
}

Result<ApiAnswer> RepositoryHandlers::universe(ApiCall& call)
{
    ApiAnswer answer;
    answer.body = call.repository.universeJson();
    answer.headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("private, max-age=3600")});
    return answer;
}

Result<ApiAnswer> RepositoryHandlers::queryCollections(ApiCall& call)
{
    CollectionQuery query;
    query.globs = call.request.params(QStringLiteral("glob"));
    for (const QString& typeName : call.request.params(QStringLiteral("type"))) {
        BUTLER_ASSIGN_OR_RETURN(const CollectionType type, parseCollectionType(typeName));
        query.types.append(type);
    }
    BUTLER_ASSIGN_OR_RETURN(query.flattenChains, call.request.boolParam(QStringLiteral("flatten"), false));
    BUTLER_ASSIGN_OR_RETURN(query.includeChains,
                            call.request.boolParam(QStringLiteral("include_chains"), true));
    BUTLER_ASSIGN_OR_RETURN(const QList<CollectionInfo> infos, call.butler.queryCollections(query));
    QJsonArray array;
    for (const CollectionInfo& info : infos)
        array.append(info.toJson());
    return ApiAnswer::json(QJsonObject{{QStringLiteral("collections"), array}});
}

Result<ApiAnswer> RepositoryHandlers::getCollection(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QString name, call.request.requiredParam(QStringLiteral("name")));
    BUTLER_ASSIGN_OR_RETURN(const CollectionInfo info, call.butler.getCollection(name));
    return ApiAnswer::json(info.toJson());
}

Result<ApiAnswer> RepositoryHandlers::registerCollection(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString name, stringField(body, QStringLiteral("name")));
    BUTLER_ASSIGN_OR_RETURN(const QString typeName, stringField(body, QStringLiteral("type")));
    BUTLER_ASSIGN_OR_RETURN(const QString doc, stringField(body, QStringLiteral("doc"), false));
    BUTLER_ASSIGN_OR_RETURN(const CollectionType type, parseCollectionType(typeName));
    BUTLER_TRY(call.butler.registerCollection(name, type, doc));
    BUTLER_ASSIGN_OR_RETURN(const CollectionInfo info, call.butler.getCollection(name));
    return ApiAnswer::json(info.toJson(), 201);
}

Result<ApiAnswer> RepositoryHandlers::setChain(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString parent, stringField(body, QStringLiteral("parent")));
    BUTLER_ASSIGN_OR_RETURN(const QStringList children, stringList(body, QStringLiteral("children")));
    BUTLER_ASSIGN_OR_RETURN(const QString modeName, stringField(body, QStringLiteral("mode"), false));
    BUTLER_ASSIGN_OR_RETURN(const bool flatten, boolField(body, QStringLiteral("flatten"), false));
    BUTLER_ASSIGN_OR_RETURN(const QString doc, stringField(body, QStringLiteral("doc"), false));
    BUTLER_ASSIGN_OR_RETURN(const ChainMode mode,
                            parseChainMode(modeName.isEmpty() ? QStringLiteral("redefine") : modeName));
    BUTLER_TRY(call.butler.setCollectionChain(parent, children, mode, flatten, doc));
    BUTLER_ASSIGN_OR_RETURN(const CollectionInfo info, call.butler.getCollection(parent));
    return ApiAnswer::json(info.toJson());
}

Result<ApiAnswer> RepositoryHandlers::flattenCollections(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QStringList names, stringList(body, QStringLiteral("collections"), true));
    BUTLER_ASSIGN_OR_RETURN(const QStringList flat, call.butler.flattenCollections(names));
    return ApiAnswer::json(QJsonObject{{QStringLiteral("collections"), toArray(flat)}});
}

Result<ApiAnswer> RepositoryHandlers::removeCollections(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QStringList names, stringList(body, QStringLiteral("names"), true));
    BUTLER_TRY(call.butler.removeCollections(names));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::removeRuns(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QStringList names, stringList(body, QStringLiteral("names"), true));
    BUTLER_TRY(call.butler.removeRuns(names));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::getAcl(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QString name, call.request.requiredParam(kCollection));
    BUTLER_ASSIGN_OR_RETURN(const CollectionAcl acl, call.butler.acl(name));
    return ApiAnswer::json(aclToJson(call, acl));
}

Result<ApiAnswer> RepositoryHandlers::editAcl(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString name, stringField(body, kCollection));
    BUTLER_ASSIGN_OR_RETURN(const QStringList grant, stringList(body, QStringLiteral("grant")));
    BUTLER_ASSIGN_OR_RETURN(const QStringList revoke, stringList(body, QStringLiteral("revoke")));
    const QString releaseKey = QStringLiteral("release_date");
    const QString untilKey = QStringLiteral("proprietary_until");
    if (body.contains(releaseKey) || body.contains(untilKey)) {
        // Release collections: admins set when the proprietary period ends (null: the default
        // period after the release date).
        BUTLER_ASSIGN_OR_RETURN(const CollectionAcl current, call.butler.acl(name));
        qint64 release = current.releaseDate;
        if (body.contains(releaseKey)) {
            BUTLER_ASSIGN_OR_RETURN(release, isoSeconds(body.value(releaseKey), releaseKey));
        }
        std::optional<qint64> until = current.proprietaryUntil;
        if (body.contains(untilKey)) {
            if (body.value(untilKey).isNull()) {
                until.reset();
            } else {
                BUTLER_ASSIGN_OR_RETURN(until, isoSeconds(body.value(untilKey), untilKey));
            }
        }
        BUTLER_ASSIGN_OR_RETURN(const CollectionAcl dated, call.butler.setReleaseDates(name, release, until));
        if (grant.isEmpty() && revoke.isEmpty())
            return ApiAnswer::json(aclToJson(call, dated));
    }
    BUTLER_ASSIGN_OR_RETURN(const CollectionAcl acl, call.butler.editAcl(name, grant, revoke));
    return ApiAnswer::json(aclToJson(call, acl));
}

Result<ApiAnswer> RepositoryHandlers::queryDatasetTypes(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetType> types,
                            call.butler.queryDatasetTypes(call.request.params(QStringLiteral("glob")),
                                                          call.request.params(QStringLiteral("collection"))));
    QJsonArray array;
    for (const DatasetType& type : types)
        array.append(type.toJson());
    return ApiAnswer::json(QJsonObject{{QStringLiteral("dataset_types"), array}});
}

Result<ApiAnswer> RepositoryHandlers::getDatasetType(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QString name, call.request.requiredParam(QStringLiteral("name")));
    BUTLER_ASSIGN_OR_RETURN(const DatasetType type, call.butler.getDatasetType(name));
    return ApiAnswer::json(type.toJson());
}

Result<ApiAnswer> RepositoryHandlers::registerDatasetType(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const DatasetType type, DatasetType::fromJson(call.butler.universe(), body));
    BUTLER_TRY(call.butler.registerDatasetType(type));
    return ApiAnswer::json(type.toJson(), 201);
}

Result<ApiAnswer> RepositoryHandlers::removeDatasetTypes(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QStringList globs, stringList(body, QStringLiteral("globs"), true));
    BUTLER_ASSIGN_OR_RETURN(const QStringList removed, call.butler.removeDatasetTypes(globs));
    return ApiAnswer::json(QJsonObject{{QStringLiteral("removed"), toArray(removed)}});
}

Result<ApiAnswer> RepositoryHandlers::insertDimensionRecords(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString element, stringField(body, QStringLiteral("element")));
    BUTLER_ASSIGN_OR_RETURN(const bool skipExisting, boolField(body, QStringLiteral("skip_existing"), false));
    const QJsonValue recordsValue = body.value(QStringLiteral("records"));
    if (!recordsValue.isArray())
        return invalidInput(QStringLiteral("field 'records' must be a list of dimension records"));
    QList<DimensionRecord> records;
    const QJsonArray array = recordsValue.toArray();
    records.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return invalidInput(QStringLiteral("records[%1] must be a JSON object").arg(i));
        QJsonObject recordJson = array.at(i).toObject();
        if (!recordJson.contains(QStringLiteral("element")))
            recordJson.insert(QStringLiteral("element"), element);
        auto record = DimensionRecord::fromJson(call.butler.universe(), recordJson);
        if (!record)
            return record.error().withContext(QStringLiteral("records[%1]").arg(i));
        if (record->element() != element)
            return invalidInput(QStringLiteral("records[%1] is a '%2' record, not '%3'")
                                    .arg(i)
                                    .arg(record->element(), element));
        records.append(std::move(record).value());
    }
    BUTLER_TRY(call.butler.insertDimensionRecords(element, records, skipExisting));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::queryDimensionRecords(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const DimensionRecordQuery query, WireFormat::dimensionRecordQueryFromJson(body));
    BUTLER_ASSIGN_OR_RETURN(const DimensionRecordPage page, call.butler.queryDimensionRecords(query));
    return ApiAnswer::json(WireFormat::toJson(page));
}

Result<ApiAnswer> RepositoryHandlers::queryDatasets(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(DatasetQuery query, WireFormat::datasetQueryFromJson(body));
    if (!call.request.accept.contains("application/x-ndjson") || !call.stream) {
        BUTLER_ASSIGN_OR_RETURN(const DatasetPage page, call.butler.queryDatasets(query));
        return ApiAnswer::jsonText(WireFormat::datasetPageJson(page));
    }
    // JSON lines: pages of bounded size so memory stays flat however many rows match; the
    // total follows the caller's limit.
    constexpr int kStreamPage = 2000;
    int remaining = query.limit > 0 ? query.limit : -1;
    bool started = false;
    for (;;) {
        query.limit = remaining > 0 ? std::min(remaining, kStreamPage) : kStreamPage;
        auto page = call.butler.queryDatasets(query);
        if (!page) {
            if (!started)
                return page.error();
            // The headers are out: report in-band and end the stream.
            call.stream(QJsonDocument(WireFormat::errorToJson(page.error())).toJson(QJsonDocument::Compact) +
                            '\n',
                        true);
            return ApiAnswer{0, {}, {}, {}};
        }
        JsonWriter lines(512 * (page->refs.size() + 1));
        for (const DatasetRef& ref : page->refs) {
            ref.writeJson(lines);
            lines.endLine();
        }
        QByteArray chunk = lines.take();
        started = true;
        if (remaining > 0)
            remaining -= int(page->refs.size());
        const bool last = page->nextPageToken.isEmpty() || remaining == 0;
        if (last) {
            chunk += QJsonDocument(QJsonObject{{QStringLiteral("next_page_token"), page->nextPageToken}})
                         .toJson(QJsonDocument::Compact);
            chunk += '\n';
            call.stream(chunk, true);
            return ApiAnswer{0, {}, {}, {}};
        }
        call.stream(chunk, false);
        query.pageToken = page->nextPageToken;
    }
}

Result<ApiAnswer> RepositoryHandlers::countDatasets(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(DatasetQuery query, WireFormat::datasetQueryFromJson(body));
    query.limit = 0;
    query.pageToken.clear();
    query.orderBy.clear();
    BUTLER_ASSIGN_OR_RETURN(const qint64 count, call.butler.countDatasets(query));
    return ApiAnswer::json(QJsonObject{{QStringLiteral("count"), count}});
}

Result<ApiAnswer> RepositoryHandlers::queryDataIds(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const DataIdQuery query, WireFormat::dataIdQueryFromJson(body));
    BUTLER_ASSIGN_OR_RETURN(const QList<DataCoordinate> dataIds, call.butler.queryDataIds(query));
    QJsonArray array;
    for (const DataCoordinate& dataId : dataIds)
        array.append(dataId.toJson());
    return ApiAnswer::json(QJsonObject{{QStringLiteral("data_ids"), array}});
}

Result<ApiAnswer> RepositoryHandlers::findDataset(ApiCall& call)
{
    // The hottest route reads its body directly (JsonBodyReader), not through a QJsonDocument.
    JsonBodyReader body(call.request.body);
    std::optional<QString> type;
    QVariantMap dataId;
    std::optional<QStringList> collections;
    std::optional<qint64> time;
    QByteArrayView name;
    while (body.next(name)) {
        if (name == "dataset_type")
            body.readString("dataset_type", type);
        else if (name == "data_id")
            body.readObject("data_id", dataId);
        else if (name == "collections")
            body.readStringList("collections", collections);
        else if (name == "time")
            body.readInteger("time", time, "TAI nanoseconds (an integer)");
        else
            body.skip();
    }
    BUTLER_TRY(body.finish());
    if (!type)
        return invalidInput(QStringLiteral("missing field 'dataset_type'"));
    if (!collections)
        return invalidInput(QStringLiteral("missing field 'collections'"));
    BUTLER_ASSIGN_OR_RETURN(const std::optional<DatasetRef> ref,
                            call.butler.findDataset(*type, dataId, *collections, time));
    JsonWriter writer(1024);
    writer.beginObject();
    writer.key("dataset");
    if (ref)
        ref->writeJson(writer);
    else
        writer.null();
    writer.endObject();
    return ApiAnswer::jsonText(writer.take());
}

Result<ApiAnswer> RepositoryHandlers::getDataset(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QUuid id, call.request.uuidParam(QStringLiteral("id")));
    BUTLER_ASSIGN_OR_RETURN(const DatasetRef ref, call.butler.getDataset(id));
    JsonWriter writer(1024);
    ref.writeJson(writer);
    return ApiAnswer::jsonText(writer.take());
}

Result<ApiAnswer> RepositoryHandlers::fileInfo(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QList<QUuid> ids, uuidList(body, kIds));
    qint64 ttl = 0;
    const QJsonValue ttlValue = body.value(QStringLiteral("ttl_seconds"));
    if (!ttlValue.isUndefined() && !ttlValue.isNull()) {
        if (!ttlValue.isDouble() || ttlValue.toInteger() <= 0)
            return invalidInput(QStringLiteral("field 'ttl_seconds' must be a positive integer"));
        ttl = ttlValue.toInteger();
    }
    // The policy decides what each file's path and URL may name (see AuthorizedButler).
    BUTLER_ASSIGN_OR_RETURN(const QList<AuthorizedButler::ServedFile> served, call.butler.servedFiles(ids));
    QJsonArray files;
    for (const AuthorizedButler::ServedFile& file : served) {
        BUTLER_ASSIGN_OR_RETURN(const SignedLocation signedUrl,
                                call.repository.signedUrl(file.datastorePath, ttl, file.hidePath));
        FileInfo info = file.info;
        info.uri = signedUrl.url;
        files.append(WireFormat::toJson(info, signedUrl.expires));
    }
    return ApiAnswer::json(QJsonObject{{QStringLiteral("files"), files}});
}

Result<ApiAnswer> RepositoryHandlers::download(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QUuid id, call.request.uuidParam(QStringLiteral("id")));
    BUTLER_ASSIGN_OR_RETURN(const QList<AuthorizedButler::ServedFile> served, call.butler.servedFiles({id}));
    if (served.isEmpty())
        return notFound(
            QStringLiteral("dataset %1 has no stored file").arg(id.toString(QUuid::WithoutBraces)));
    BUTLER_ASSIGN_OR_RETURN(
        const SignedLocation signedUrl,
        call.repository.signedUrl(served.first().datastorePath, 0, served.first().hidePath));
    return ApiAnswer::redirect(signedUrl.url.toUtf8());
}

Result<ApiAnswer> RepositoryHandlers::registerDatasets(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString run, stringField(body, QStringLiteral("run")));
    BUTLER_ASSIGN_OR_RETURN(const QString modeName, stringField(body, QStringLiteral("id_mode"), false));
    BUTLER_ASSIGN_OR_RETURN(
        const DatasetIdMode mode,
        WireFormat::parseIdMode(modeName.isEmpty() ? QStringLiteral("unique") : modeName));
    const QJsonValue datasetsValue = body.value(QStringLiteral("datasets"));
    if (!datasetsValue.isArray())
        return invalidInput(QStringLiteral("field 'datasets' must be a list"));
    QList<IngestFile> entries;
    const QJsonArray array = datasetsValue.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return invalidInput(QStringLiteral("datasets[%1] must be a JSON object").arg(i));
        auto entry = WireFormat::ingestFileFromJson(array.at(i).toObject());
        if (!entry)
            return entry.error().withContext(QStringLiteral("datasets[%1]").arg(i));
        // Paths name files on the client's side; the server never reads them.
        entry->path.clear();
        entries.append(std::move(entry).value());
    }
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs, call.butler.registerDatasets(run, entries, mode));
    QJsonArray out;
    for (const DatasetRef& ref : refs)
        out.append(ref.toJson());
    return ApiAnswer::json(QJsonObject{{QStringLiteral("datasets"), out}}, 201);
}

Result<ApiAnswer> RepositoryHandlers::associate(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString collection, stringField(body, kCollection));
    BUTLER_ASSIGN_OR_RETURN(const QList<QUuid> ids, uuidList(body, kIds));
    BUTLER_TRY(call.butler.associate(collection, ids));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::disassociate(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString collection, stringField(body, kCollection));
    BUTLER_ASSIGN_OR_RETURN(const QList<QUuid> ids, uuidList(body, kIds));
    BUTLER_TRY(call.butler.disassociate(collection, ids));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::certify(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString collection, stringField(body, kCollection));
    BUTLER_ASSIGN_OR_RETURN(const QList<QUuid> ids, uuidList(body, kIds));
    BUTLER_ASSIGN_OR_RETURN(const Timespan validity,
                            Timespan::fromJson(body.value(QStringLiteral("timespan"))));
    BUTLER_TRY(call.butler.certify(collection, ids, validity));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::decertify(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString collection, stringField(body, kCollection));
    BUTLER_ASSIGN_OR_RETURN(const QString typeName, stringField(body, QStringLiteral("dataset_type")));
    BUTLER_ASSIGN_OR_RETURN(const Timespan validity,
                            Timespan::fromJson(body.value(QStringLiteral("timespan"))));
    QList<DataCoordinate> dataIds;
    const QJsonValue dataIdsValue = body.value(QStringLiteral("data_ids"));
    if (!dataIdsValue.isUndefined() && !dataIdsValue.isNull()) {
        if (!dataIdsValue.isArray())
            return invalidInput(QStringLiteral("field 'data_ids' must be a list of data IDs"));
        BUTLER_ASSIGN_OR_RETURN(const DatasetType type, call.butler.getDatasetType(typeName));
        const QJsonArray array = dataIdsValue.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isObject())
                return invalidInput(QStringLiteral("data_ids[%1] must be a JSON object").arg(i));
            auto dataId = DataCoordinate::fromMap(call.butler.universe(), type.dimensions(),
                                                  array.at(i).toObject().toVariantMap());
            if (!dataId)
                return dataId.error().withContext(QStringLiteral("data_ids[%1]").arg(i));
            dataIds.append(std::move(dataId).value());
        }
    }
    BUTLER_TRY(call.butler.decertify(collection, typeName, validity, dataIds));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::prune(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QList<QUuid> ids, uuidList(body, kIds));
    BUTLER_ASSIGN_OR_RETURN(const bool purge, boolField(body, QStringLiteral("purge"), false));
    BUTLER_ASSIGN_OR_RETURN(const bool unstore, boolField(body, QStringLiteral("unstore"), true));
    BUTLER_TRY(call.butler.pruneDatasets(ids, purge, unstore));
    return ApiAnswer::empty();
}

Result<ApiAnswer> RepositoryHandlers::listTrash(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> entries, call.butler.trashEntries());
    QJsonObject answer = trashToJson(entries);
    answer.insert(QStringLiteral("retention_days"), call.repository.policy().config().trashRetentionDays);
    return ApiAnswer::json(answer);
}

Result<ApiAnswer> RepositoryHandlers::restoreTrash(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QStringList names, stringList(body, QStringLiteral("names"), true));
    if (names.isEmpty())
        return invalidInput(QStringLiteral("field 'names' must name at least one trash entry"));
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> restored, call.butler.restoreFromTrash(names));
    return ApiAnswer::json(trashToJson(restored));
}

Result<ApiAnswer> RepositoryHandlers::emptyTrash(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QStringList names, stringList(body, QStringLiteral("names")));
    BUTLER_ASSIGN_OR_RETURN(const bool all, boolField(body, QStringLiteral("all"), false));
    BUTLER_ASSIGN_OR_RETURN(const bool expired, boolField(body, QStringLiteral("expired"), false));
    // Emptying cannot be undone: an empty body must not mean everything.
    if (names.isEmpty() && !all && !expired)
        return invalidInput(QStringLiteral("name the entries to empty ('names'), or give 'all': true or "
                                           "'expired': true"));
    if (!names.isEmpty() && all)
        return invalidInput(QStringLiteral("give either 'names' or 'all', not both"));
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> purged, call.butler.emptyTrash(names, expired));
    return ApiAnswer::json(trashToJson(purged));
}

} // namespace butler
