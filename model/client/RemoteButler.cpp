#include "RemoteButler.h"

#include "ContentHash.h"
#include "CoroutineResult.h"
#include "DatasetPageReader.h"
#include "FormatterLabel.h"
#include "RemoteUploader.h"
#include "RequestGroup.h"
#include "WaitForTask.h"
#include "WireFormat.h"

#include <QCoroFuture>
#include <QCoroNetworkReply>
#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThreadPool>
#include <QtConcurrentRun>

namespace butler {

Q_LOGGING_CATEGORY(lcClientButler, "butler.client.butler")

namespace {

// The server sent something this client cannot read: not the user's input at fault.
Error badAnswer(const QString& route, const Error& error)
{
    return ioError(QStringLiteral("cannot read the server's answer to %1: %2").arg(route, error.message()));
}

template <typename T> Result<T> fromServer(const QString& route, Result<T> result)
{
    if (!result.ok())
        return badAnswer(route, result.error());
    return result;
}

QJsonArray idsToJson(const QList<QUuid>& ids)
{
    QJsonArray array;
    for (const QUuid& id : ids)
        array.append(id.toString(QUuid::WithoutBraces));
    return array;
}

Result<QStringList> stringList(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (!value.isArray())
        return invalidInput(QStringLiteral("field '%1' must be a list of strings").arg(key));
    QStringList list;
    for (const QJsonValue& item : value.toArray()) {
        if (!item.isString())
            return invalidInput(QStringLiteral("field '%1' must be a list of strings").arg(key));
        list.append(item.toString());
    }
    return list;
}

Result<QJsonArray> objectArray(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (!value.isArray())
        return invalidInput(QStringLiteral("field '%1' must be a list").arg(key));
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return invalidInput(QStringLiteral("%1[%2] must be an object").arg(key).arg(i));
    }
    return array;
}

using QueryParams = QList<std::pair<QString, QString>>;

// Query strings are built by hand: QUrlQuery leaves '+' and other delimiters as they are, and
// collection names, globs and data IDs may contain them.
QString encodeQuery(const QueryParams& params)
{
    QStringList parts;
    for (const auto& [key, value] : params)
        parts.append(
            QString::fromLatin1(QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value)));
    return parts.join(QLatin1Char('&'));
}

QJsonObject dataIdToJson(const QVariantMap& dataId)
{
    QJsonObject json;
    for (auto it = dataId.begin(); it != dataId.end(); ++it)
        json.insert(it.key(), QJsonValue::fromVariant(*it));
    return json;
}

QString transferModeName(TransferMode mode)
{
    switch (mode) {
    case TransferMode::Copy:
        return QStringLiteral("copy");
    case TransferMode::Move:
        return QStringLiteral("move");
    case TransferMode::Symlink:
        return QStringLiteral("symlink");
    case TransferMode::Direct:
        return QStringLiteral("direct");
    case TransferMode::Hardlink:
        return QStringLiteral("hardlink");
    }
    return QStringLiteral("copy");
}

Status verifyBytes(const QByteArray& bytes, const FileInfo& file)
{
    const QString id = file.id.toString(QUuid::WithoutBraces);
    if (bytes.size() != file.size)
        return ioError(QStringLiteral("the download of dataset %1 has %2 bytes, not the recorded %3")
                           .arg(id)
                           .arg(bytes.size())
                           .arg(file.size));
    if (file.checksum.isEmpty())
        return {};
    if (!file.checksum.startsWith(QLatin1String("sha256:")))
        return ioError(QStringLiteral("cannot verify the checksum '%1' of dataset %2: only sha256 is known")
                           .arg(file.checksum.left(20), id));
    const QByteArray expected = file.checksum.mid(7).toLatin1().toLower();
    const QByteArray actual = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
    if (actual != expected)
        return ioError(
            QStringLiteral("the download of dataset %1 does not match its checksum (got sha256:%2, "
                           "expected %3): the file is damaged or was changed")
                .arg(id, QString::fromLatin1(actual), file.checksum));
    return {};
}

} // namespace

RemoteButler::RemoteButler(RemoteTransport transport, DimensionUniverse universe)
    : m_transport(std::move(transport))
    , m_universe(std::move(universe))
    , m_pageReaders(std::make_shared<QThreadPool>())
{
    m_pageReaders->setObjectName(QStringLiteral("butler-page-reader"));
    m_pageReaders->setMaxThreadCount(1);
}

std::unique_ptr<RemoteButler> RemoteButler::withRequestGroup(std::shared_ptr<RequestGroup> group) const
{
    RemoteTransport transport = m_transport;
    transport.setRequestGroup(std::move(group));
    std::unique_ptr<RemoteButler> butler(new RemoteButler(std::move(transport), m_universe));
    butler->m_signedUrls = m_signedUrls;
    butler->m_pageReaders = m_pageReaders;
    return butler;
}

Result<std::unique_ptr<RemoteButler>> RemoteButler::connect(const QString& url, const QString& token,
                                                            RemoteOptions options)
{
    return waitForTask(connectAsync(url, token, std::move(options)));
}

QCoro::Task<Result<std::unique_ptr<RemoteButler>>> RemoteButler::connectAsync(QString url, QString token,
                                                                              RemoteOptions options)
{
    BUTLER_CO_ASSIGN_OR_RETURN(const RemoteLocation location, RemoteLocation::parse(url));
    RemoteTransport transport(location, token, std::move(options));
    RemoteTransport::Request request;
    request.url = location.apiUrl(QStringLiteral("/universe"));
    BUTLER_CO_ASSIGN_OR_RETURN(const RemoteTransport::Answer answer, co_await transport.send(request));
    if (answer.status == 404) {
        // Tell a missing repository from a URL that reaches no butler server at all.
        RemoteTransport::Request list;
        list.url = location.serverUrl(QStringLiteral("/api/butler/repos"));
        const Result<QJsonObject> repos = co_await transport.sendJson(list);
        if (repos.ok() && repos->value(QLatin1String("repositories")).isArray()) {
            QStringList labels;
            for (const QJsonValue& label : repos->value(QLatin1String("repositories")).toArray())
                labels.append(label.toString());
            co_return notFound(QStringLiteral("no repository '%1' on this server (it has: %2)")
                                   .arg(location.label(), labels.isEmpty()
                                                              ? QStringLiteral("none")
                                                              : labels.join(QStringLiteral(", "))));
        }
        co_return notFound(QStringLiteral("no repository '%1' on this server (%2 answered 404; is the URL "
                                          "right?)")
                               .arg(location.label(), location.serverBase()));
    }
    if (answer.status < 200 || answer.status >= 300)
        co_return transport.errorFor(answer);
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, transport.parseJson(answer, request.url));
    BUTLER_CO_ASSIGN_OR_RETURN(DimensionUniverse universe,
                               fromServer(QStringLiteral("/universe"), DimensionUniverse::fromJson(json)));
    qCDebug(lcClientButler) << "connected to" << location.repoUrl() << "universe" << universe.nameSpace()
                            << universe.version();
    co_return std::unique_ptr<RemoteButler>(new RemoteButler(std::move(transport), std::move(universe)));
}

QCoro::Task<Result<QJsonObject>> RemoteButler::getJson(QString route, QueryParams params) const
{
    RemoteTransport::Request request;
    request.url = m_transport.location().apiUrl(route);
    if (!params.isEmpty())
        request.url.setQuery(encodeQuery(params), QUrl::StrictMode);
    co_return co_await m_transport.sendJson(std::move(request));
}

RemoteTransport::Request RemoteButler::jsonPost(const QString& route, const QJsonObject& body,
                                                bool idempotent) const
{
    RemoteTransport::Request request;
    request.method = QByteArrayLiteral("POST");
    request.url = m_transport.location().apiUrl(route);
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    request.contentType = QByteArrayLiteral("application/json");
    request.idempotent = idempotent;
    return request;
}

QCoro::Task<Result<QJsonObject>> RemoteButler::postJson(QString route, QJsonObject body,
                                                        bool idempotent) const
{
    co_return co_await m_transport.sendJson(jsonPost(route, body, idempotent));
}

QCoro::Task<Result<QByteArray>> RemoteButler::postForText(QString route, QJsonObject body,
                                                          bool idempotent) const
{
    BUTLER_CO_ASSIGN_OR_RETURN(RemoteTransport::Answer answer,
                               co_await m_transport.send(jsonPost(route, body, idempotent)));
    if (answer.status < 200 || answer.status >= 300)
        co_return m_transport.errorFor(answer);
    co_return std::move(answer.body);
}

// Dimension records

QCoro::Task<Status> RemoteButler::insertDimensionRecordsAsync(QString element, QList<DimensionRecord> records,
                                                              bool skipExisting)
{
    QJsonArray array;
    for (const DimensionRecord& record : records)
        array.append(record.toJson());
    const QJsonObject body{{QStringLiteral("element"), element},
                           {QStringLiteral("records"), array},
                           {QStringLiteral("skip_existing"), skipExisting}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/dimension-records"), body));
    co_return Status();
}

QCoro::Task<Result<DimensionRecordPage>> RemoteButler::queryDimensionRecordsAsync(DimensionRecordQuery query)
{
    const QString route = QStringLiteral("/dimension-records/query");
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json,
                               co_await postJson(route, WireFormat::toJson(query), true));
    co_return fromServer(route, WireFormat::dimensionRecordPageFromJson(m_universe, json));
}

// Dataset types

QCoro::Task<Status> RemoteButler::registerDatasetTypeAsync(DatasetType type)
{
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/dataset-types"), type.toJson()));
    co_return Status();
}

QCoro::Task<Result<DatasetType>> RemoteButler::getDatasetTypeAsync(QString name)
{
    const QString route = QStringLiteral("/dataset-type");
    const QueryParams params{{QStringLiteral("name"), name}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, params));
    co_return fromServer(route, DatasetType::fromJson(m_universe, json));
}

QCoro::Task<Result<QList<DatasetType>>> RemoteButler::queryDatasetTypesAsync(QStringList globs,
                                                                             QStringList collections)
{
    const QString route = QStringLiteral("/dataset-types");
    QueryParams query;
    for (const QString& glob : globs)
        query.append({QStringLiteral("glob"), glob});
    for (const QString& collection : collections)
        query.append({QStringLiteral("collection"), collection});
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, query));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonArray array,
                               fromServer(route, objectArray(json, QStringLiteral("dataset_types"))));
    QList<DatasetType> types;
    for (const QJsonValue& value : array) {
        BUTLER_CO_ASSIGN_OR_RETURN(DatasetType type,
                                   fromServer(route, DatasetType::fromJson(m_universe, value.toObject())));
        types.append(std::move(type));
    }
    co_return types;
}

QCoro::Task<Result<QStringList>> RemoteButler::removeDatasetTypesAsync(QStringList globs)
{
    const QString route = QStringLiteral("/dataset-types/remove");
    const QJsonObject body{{QStringLiteral("globs"), QJsonArray::fromStringList(globs)}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    co_return fromServer(route, stringList(json, QStringLiteral("removed")));
}

// Collections

QCoro::Task<Status> RemoteButler::registerCollectionAsync(QString name, CollectionType type, QString doc)
{
    const QJsonObject body{{QStringLiteral("name"), name},
                           {QStringLiteral("type"), collectionTypeName(type)},
                           {QStringLiteral("doc"), doc}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/collections"), body));
    co_return Status();
}

QCoro::Task<Result<CollectionInfo>> RemoteButler::getCollectionAsync(QString name)
{
    const QString route = QStringLiteral("/collection");
    const QueryParams params{{QStringLiteral("name"), name}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, params));
    co_return fromServer(route, CollectionInfo::fromJson(json));
}

QCoro::Task<Result<QList<CollectionInfo>>> RemoteButler::queryCollectionsAsync(CollectionQuery query)
{
    const QString route = QStringLiteral("/collections");
    QueryParams params;
    for (const QString& glob : query.globs)
        params.append({QStringLiteral("glob"), glob});
    for (CollectionType type : query.types)
        params.append({QStringLiteral("type"), collectionTypeName(type)});
    params.append(
        {QStringLiteral("flatten"), query.flattenChains ? QStringLiteral("1") : QStringLiteral("0")});
    params.append(
        {QStringLiteral("include_chains"), query.includeChains ? QStringLiteral("1") : QStringLiteral("0")});
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, params));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonArray array,
                               fromServer(route, objectArray(json, QStringLiteral("collections"))));
    QList<CollectionInfo> collections;
    for (const QJsonValue& value : array) {
        BUTLER_CO_ASSIGN_OR_RETURN(CollectionInfo info,
                                   fromServer(route, CollectionInfo::fromJson(value.toObject())));
        collections.append(std::move(info));
    }
    co_return collections;
}

QCoro::Task<Status> RemoteButler::setCollectionChainAsync(QString parent, QStringList children,
                                                          ChainMode mode, bool flatten, QString doc)
{
    const QJsonObject body{{QStringLiteral("parent"), parent},
                           {QStringLiteral("children"), QJsonArray::fromStringList(children)},
                           {QStringLiteral("mode"), WireFormat::chainModeName(mode)},
                           {QStringLiteral("flatten"), flatten},
                           {QStringLiteral("doc"), doc}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/collections/chain"), body));
    co_return Status();
}

QCoro::Task<Result<QStringList>> RemoteButler::flattenCollectionsAsync(QStringList namesOrGlobs)
{
    const QString route = QStringLiteral("/collections/flatten");
    const QJsonObject body{{QStringLiteral("collections"), QJsonArray::fromStringList(namesOrGlobs)}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body, true));
    co_return fromServer(route, stringList(json, QStringLiteral("collections")));
}

QCoro::Task<Status> RemoteButler::removeCollectionsAsync(QStringList names)
{
    m_signedUrls->clear();
    const QJsonObject body{{QStringLiteral("names"), QJsonArray::fromStringList(names)}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/collections/remove"), body));
    co_return Status();
}

QCoro::Task<Status> RemoteButler::removeRunsAsync(QStringList names)
{
    m_signedUrls->clear();
    const QJsonObject body{{QStringLiteral("names"), QJsonArray::fromStringList(names)}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/runs/remove"), body));
    co_return Status();
}

// Datasets

QFuture<Result<DatasetPage>> RemoteButler::readPage(const QByteArray& text) const
{
    // The pool outlives the read (its owner's destructor waits for it); the work holds copies
    // of what it reads.
    return QtConcurrent::run(m_pageReaders.get(), [universe = m_universe, text] {
        return DatasetPageReader(universe).read(text);
    });
}

QCoro::Task<Result<DatasetPage>> RemoteButler::queryDatasetsAsync(DatasetQuery query)
{
    const QString route = QStringLiteral("/datasets/query");
    // Pages are what the browser scrolls through: read straight from the text (DatasetPageReader).
    BUTLER_CO_ASSIGN_OR_RETURN(const QByteArray text,
                               co_await postForText(route, WireFormat::toJson(query), true));
    // The future is a named local: g++ 12 mishandles a lambda built inside a co_await.
    QFuture<Result<DatasetPage>> reading = readPage(text);
    Result<DatasetPage> page = co_await reading;
    if (!page.ok()) {
        // Not JSON at all: the transport's own words for that (is this a butler server?).
        RemoteTransport::Answer answer;
        answer.status = 200;
        answer.body = text;
        BUTLER_CO_TRY(m_transport.parseJson(answer, m_transport.location().apiUrl(route)));
    }
    co_return fromServer(route, std::move(page));
}

QCoro::Task<Result<qint64>> RemoteButler::countDatasetsAsync(DatasetQuery query)
{
    const QString route = QStringLiteral("/datasets/count");
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json,
                               co_await postJson(route, WireFormat::toJson(query), true));
    const QJsonValue count = json.value(QStringLiteral("count"));
    if (!count.isDouble() || count.toDouble() < 0)
        co_return Error{ErrorKind::Unavailable,
                        QStringLiteral("the server's answer to %1 has no valid count").arg(route)};
    co_return static_cast<qint64>(count.toDouble());
}

QCoro::Task<Result<QList<DataCoordinate>>> RemoteButler::queryDataIdsAsync(DataIdQuery query)
{
    const QString route = QStringLiteral("/data-ids/query");
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json,
                               co_await postJson(route, WireFormat::toJson(query), true));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonArray array,
                               fromServer(route, objectArray(json, QStringLiteral("data_ids"))));
    // The data IDs are of the asked dimensions (the server has checked them).
    BUTLER_CO_ASSIGN_OR_RETURN(const DimensionGroup group,
                               fromServer(route, m_universe.group(query.dimensions)));
    QList<DataCoordinate> dataIds;
    dataIds.reserve(array.size());
    for (const QJsonValue& value : array) {
        BUTLER_CO_ASSIGN_OR_RETURN(
            DataCoordinate dataId,
            fromServer(route, DataCoordinate::fromJson(m_universe, group, value.toObject())));
        dataIds.append(std::move(dataId));
    }
    co_return dataIds;
}

QCoro::Task<Result<std::optional<DatasetRef>>> RemoteButler::findDatasetAsync(QString datasetType,
                                                                              QVariantMap dataId,
                                                                              QStringList collections,
                                                                              std::optional<qint64> time)
{
    const QString route = QStringLiteral("/datasets/find");
    QJsonObject body{{QStringLiteral("dataset_type"), datasetType},
                     {QStringLiteral("data_id"), dataIdToJson(dataId)},
                     {QStringLiteral("collections"), QJsonArray::fromStringList(collections)}};
    if (time)
        body.insert(QStringLiteral("time"), *time);
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body, true));
    const QJsonValue dataset = json.value(QLatin1String("dataset"));
    if (dataset.isNull() || dataset.isUndefined())
        co_return std::optional<DatasetRef>();
    if (!dataset.isObject())
        co_return badAnswer(route, invalidInput(QStringLiteral("field 'dataset' must be an object or null")));
    BUTLER_CO_ASSIGN_OR_RETURN(DatasetRef ref,
                               fromServer(route, DatasetRef::fromJson(m_universe, dataset.toObject())));
    co_return std::optional<DatasetRef>(std::move(ref));
}

QCoro::Task<Result<DatasetRef>> RemoteButler::getDatasetAsync(QUuid id)
{
    const QString route = QStringLiteral("/dataset");
    const QueryParams params{{QStringLiteral("id"), id.toString(QUuid::WithoutBraces)}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, params));
    co_return fromServer(route, DatasetRef::fromJson(m_universe, json));
}

QCoro::Task<Result<QList<SignedFileInfo>>> RemoteButler::signedFileInfoAsync(QList<QUuid> ids,
                                                                             qint64 ttlSeconds)
{
    const QString route = QStringLiteral("/datasets/file-info");
    QJsonObject body{{QStringLiteral("ids"), idsToJson(ids)}};
    if (ttlSeconds > 0)
        body.insert(QStringLiteral("ttl_seconds"), ttlSeconds);
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body, true));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonArray array,
                               fromServer(route, objectArray(json, QStringLiteral("files"))));
    QList<SignedFileInfo> files;
    files.reserve(array.size());
    for (const QJsonValue& value : array) {
        qint64 expires = 0;
        BUTLER_CO_ASSIGN_OR_RETURN(
            FileInfo file, fromServer(route, WireFormat::fileInfoFromJson(value.toObject(), &expires)));
        files.append(SignedFileInfo{
            std::move(file), expires > 0 ? QDateTime::fromSecsSinceEpoch(expires, Qt::UTC) : QDateTime()});
    }
    m_signedUrls->store(files, QDateTime::currentSecsSinceEpoch());
    co_return files;
}

QCoro::Task<Result<QList<FileInfo>>> RemoteButler::fileInfoAsync(QList<QUuid> ids)
{
    BUTLER_CO_ASSIGN_OR_RETURN(const QList<SignedFileInfo> signedFiles, co_await signedFileInfoAsync(ids));
    QList<FileInfo> files;
    files.reserve(signedFiles.size());
    for (const SignedFileInfo& file : signedFiles)
        files.append(file.file);
    co_return files;
}

QCoro::Task<Result<SignedFileInfo>> RemoteButler::downloadUrlAsync(QUuid id, qint64 ttlSeconds)
{
    const QList<QUuid> idList{id};
    BUTLER_CO_ASSIGN_OR_RETURN(const QList<SignedFileInfo> files,
                               co_await signedFileInfoAsync(idList, ttlSeconds));
    for (const SignedFileInfo& file : files) {
        if (file.file.id == id)
            co_return file;
    }
    // Tell an unknown dataset from one without a file, as DirectButler does.
    BUTLER_CO_TRY(co_await getDatasetAsync(id));
    co_return notFound(
        QStringLiteral("dataset %1 has no stored file").arg(id.toString(QUuid::WithoutBraces)));
}

QCoro::Task<Result<QByteArray>> RemoteButler::downloadAsync(FileInfo file)
{
    const QUrl url(file.uri);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        co_return ioError(QStringLiteral("the server gave dataset %1 a URL that is not http(s): '%2'")
                              .arg(file.id.toString(QUuid::WithoutBraces), file.uri.left(200)));
    RemoteTransport::Request request;
    request.url = url;
    request.sendToken = false;
    request.maxBytes = file.size;
    BUTLER_CO_ASSIGN_OR_RETURN(const RemoteTransport::Answer answer, co_await m_transport.send(request));
    if (answer.status != 200)
        co_return m_transport.errorFor(answer).withContext(
            QStringLiteral("downloading dataset %1").arg(file.id.toString(QUuid::WithoutBraces)));
    BUTLER_CO_TRY(verifyBytes(answer.body, file));
    co_return answer.body;
}

QCoro::Task<Result<std::pair<QByteArray, QString>>> RemoteButler::getAsync(QUuid id)
{
    // After fileInfo() (or a get() of the same dataset) its signed URL is at hand.
    if (const std::optional<SignedFileInfo> known =
            m_signedUrls->find(id, QDateTime::currentSecsSinceEpoch())) {
        Result<QByteArray> bytes = co_await downloadAsync(known->file);
        if (bytes.ok())
            co_return std::pair<QByteArray, QString>(std::move(bytes).value(), known->file.formatter);
        // Refused or changed since (a new key, a removed file): ask the server again.
        qCDebug(lcClientButler) << "signed URL of" << id
                                << "failed, asking again:" << bytes.error().message();
        m_signedUrls->remove({id});
    }
    BUTLER_CO_ASSIGN_OR_RETURN(const SignedFileInfo file, co_await downloadUrlAsync(id));
    BUTLER_CO_ASSIGN_OR_RETURN(QByteArray bytes, co_await downloadAsync(file.file));
    co_return std::pair<QByteArray, QString>(std::move(bytes), file.file.formatter);
}

QCoro::Task<Result<DatasetRef>> RemoteButler::putAsync(QByteArray bytes, QString formatter,
                                                       QString datasetType, QVariantMap dataId, QString run)
{
    UploadSpec spec;
    spec.datasetType = datasetType;
    spec.dataId = dataId;
    spec.size = bytes.size();
    spec.sha256 = ContentHash::sha256(bytes);
    spec.formatter = formatter;
    const QList<UploadSpec> specs{spec};
    BUTLER_CO_ASSIGN_OR_RETURN(const UploadGrant grant, co_await reserveUploadAsync(run, specs, false));
    if (grant.files.size() != 1 || grant.uploadId.isEmpty())
        co_return ioError(QStringLiteral("the server did not grant one upload for the dataset"));
    const UploadGrant::Slot& slot = grant.files.first();
    // No co_await inside a conditional expression: GCC 12 mishandles its temporaries.
    Status sent;
    if (slot.status == QLatin1String("upload"))
        sent = co_await putBytesAsync(slot.url, bytes);
    Result<QList<DatasetRef>> refs = ioError(QString());
    if (sent.ok())
        refs = co_await commitUploadAsync(grant.uploadId);
    else
        refs = sent.error();
    if (!refs.ok()) {
        const auto aborted = co_await abortUploadAsync(grant.uploadId);
        if (!aborted.ok())
            qCWarning(lcClientButler)
                << "could not abort upload" << grant.uploadId << ":" << aborted.error().message();
        co_return refs.error();
    }
    if (refs->size() != 1)
        co_return ioError(QStringLiteral("the server committed %1 datasets for one put").arg(refs->size()));
    co_return refs->first();
}

QCoro::Task<Result<QList<DatasetRef>>> RemoteButler::ingestAsync(QString run, QList<IngestFile> files,
                                                                 TransferMode mode, DatasetIdMode idMode)
{
    if (mode != TransferMode::Copy)
        co_return invalidInput(
            QStringLiteral("transfer mode '%1' does not work with a server repository: files "
                           "are uploaded, so use --transfer copy")
                .arg(transferModeName(mode)));
    // The server makes random IDs; the API has no way to ask for others yet.
    if (idMode != DatasetIdMode::Unique)
        co_return invalidInput(
            QStringLiteral("dataset ID mode '%1' does not work with a server repository yet; "
                           "use unique")
                .arg(WireFormat::idModeName(idMode)));
    RemoteUploader uploader(*this, UploadOptions());
    co_return co_await uploader.uploadAsync(run, files);
}

QCoro::Task<Result<UploadGrant>> RemoteButler::reserveUploadAsync(QString run, QList<UploadSpec> files,
                                                                  bool resume)
{
    const QString route = QStringLiteral("/uploads");
    QJsonArray entries;
    for (const UploadSpec& file : files) {
        QJsonObject entry{{QStringLiteral("dataset_type"), file.datasetType},
                          {QStringLiteral("data_id"), dataIdToJson(file.dataId)},
                          {QStringLiteral("size"), file.size}};
        if (!file.sha256.isEmpty())
            entry.insert(QStringLiteral("sha256"), file.sha256);
        if (!file.formatter.isEmpty())
            entry.insert(QStringLiteral("formatter"), file.formatter);
        entries.append(entry);
    }
    const QJsonObject body{
        {QStringLiteral("run"), run}, {QStringLiteral("files"), entries}, {QStringLiteral("resume"), resume}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    co_return fromServer(route, UploadGrant::fromJson(m_universe, json));
}

QCoro::Task<Status> RemoteButler::sendUpload(QNetworkRequest request, QIODevice* body, QByteArray bytes,
                                             std::function<void(qint64)> progress)
{
    request.setRawHeader("User-Agent", RemoteTransport::userAgent());
    request.setRawHeader("X-Butler-Client-Request-Id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(int(m_transport.options().transferTimeout.count()));
    QNetworkAccessManager* network = RemoteTransport::manager();
    QNetworkReply* reply = body ? network->put(request, body) : network->put(request, bytes);
    if (body)
        body->setParent(reply);
    const std::unique_ptr<QNetworkReply, void (*)(QNetworkReply*)> owner(
        reply, [](QNetworkReply* r) { r->deleteLater(); });
    if (progress)
        QObject::connect(reply, &QNetworkReply::uploadProgress, reply,
                         [progress](qint64 sent, qint64) { progress(sent); });
    if (const auto& group = m_transport.requestGroup())
        group->watch(reply, QByteArrayLiteral("PUT"), {});
    co_await reply;
    if (RequestGroup::wasAborted(reply))
        co_return RequestGroup::cancelledError(request.url());
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QString host = request.url().host() + QLatin1Char(':') + QString::number(request.url().port());
    if (!status.isValid())
        co_return Error(ErrorKind::Unavailable,
                        QStringLiteral("cannot upload to %1 (%2)").arg(host, reply->errorString()));
    RemoteTransport::Answer answer;
    answer.status = status.toInt();
    answer.body = reply->readAll();
    answer.headers = reply->rawHeaderPairs();
    if (answer.status != 201 && answer.status != 200)
        co_return m_transport.errorFor(answer);
    co_return Status();
}

QCoro::Task<Status> RemoteButler::putFileAsync(QString url, QString path, qint64 size,
                                               std::function<void(qint64)> progress)
{
    const QUrl target(url);
    const QString scheme = target.scheme().toLower();
    if (!target.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        co_return ioError(
            QStringLiteral("the server gave an upload URL that is not http(s): '%1'").arg(url.left(200)));
    auto* file = new QFile(path);
    if (!file->open(QIODevice::ReadOnly)) {
        const QString reason = file->errorString();
        delete file;
        co_return ioError(QStringLiteral("cannot read %1: %2").arg(path, reason));
    }
    if (file->size() != size) {
        delete file;
        co_return conflict(
            QStringLiteral("%1 changed while it was being uploaded; run the upload again").arg(path));
    }
    // Small files go from memory (QNetworkAccessManager sends a byte array without copying
    // it); big ones are read from disk as they are sent.
    constexpr qint64 kInMemory = 8 << 20;
    QByteArray bytes;
    if (size <= kInMemory) {
        bytes = file->readAll();
        delete file;
        file = nullptr;
        if (bytes.size() != size)
            co_return conflict(
                QStringLiteral("%1 changed while it was being uploaded; run the upload again").arg(path));
    }
    QNetworkRequest request(target);
    request.setHeader(QNetworkRequest::ContentLengthHeader, size);
    const Status sent = co_await sendUpload(request, file, bytes, progress);
    if (!sent.ok())
        co_return sent.error().withContext(QStringLiteral("uploading %1").arg(path));
    co_return Status();
}

QCoro::Task<Status> RemoteButler::putBytesAsync(QString url, QByteArray bytes)
{
    const QUrl target(url);
    const QString scheme = target.scheme().toLower();
    if (!target.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        co_return ioError(
            QStringLiteral("the server gave an upload URL that is not http(s): '%1'").arg(url.left(200)));
    QNetworkRequest request(target);
    request.setHeader(QNetworkRequest::ContentLengthHeader, bytes.size());
    const std::function<void(qint64)> noProgress;
    co_return co_await sendUpload(request, nullptr, bytes, noProgress);
}

QCoro::Task<Result<QList<DatasetRef>>> RemoteButler::commitUploadAsync(QString uploadId)
{
    const QString route = QStringLiteral("/uploads/commit");
    // Committing twice answers the same refs, so a busy server may be asked again.
    const QJsonObject body{{QStringLiteral("upload_id"), uploadId}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body, true));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonArray array,
                               fromServer(route, objectArray(json, QStringLiteral("datasets"))));
    co_return fromServer(route, refsFromJson(array));
}

Result<QList<DatasetRef>> RemoteButler::refsFromJson(const QJsonArray& array) const
{
    // A commit answers thousands of refs of a few dataset types: each type is read once.
    QHash<QString, std::pair<QJsonObject, DatasetType>> types;
    QList<DatasetRef> refs;
    refs.reserve(array.size());
    for (const QJsonValue& value : array) {
        const QJsonObject json = value.toObject();
        const QJsonObject typeJson = json.value(QLatin1String("dataset_type")).toObject();
        const QString typeName = typeJson.value(QLatin1String("name")).toString();
        auto known = types.constFind(typeName);
        if (known == types.constEnd()) {
            BUTLER_ASSIGN_OR_RETURN(DatasetType parsed, DatasetType::fromJson(m_universe, typeJson));
            known = types.insert(typeName, {typeJson, std::move(parsed)});
        }
        if (known->first != typeJson)
            return invalidInput(QStringLiteral("dataset type '%1' is described two ways").arg(typeName));
        const DatasetType* type = &known->second;
        const QUuid id = QUuid::fromString(json.value(QLatin1String("id")).toString());
        const QJsonValue runValue = json.value(QLatin1String("run"));
        const QString run = runValue.toString();
        // A null run is one the server does not name to this user (DatasetRef::fromJson).
        if (id.isNull() || (run.isEmpty() && !runValue.isNull()))
            return invalidInput(QStringLiteral("a dataset ref lacks its 'id' or 'run'"));
        BUTLER_ASSIGN_OR_RETURN(DataCoordinate dataId,
                                DataCoordinate::fromJson(m_universe, type->dimensions(),
                                                         json.value(QLatin1String("data_id")).toObject()));
        refs.append(DatasetRef(id, *type, std::move(dataId), run));
    }
    return refs;
}

QCoro::Task<Result<qint64>> RemoteButler::abortUploadAsync(QString uploadId)
{
    const QJsonObject body{{QStringLiteral("upload_id"), uploadId}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json,
                               co_await postJson(QStringLiteral("/uploads/abort"), body, true));
    co_return json.value(QStringLiteral("released_bytes")).toInteger();
}

QCoro::Task<Result<qint64>> RemoteButler::undoUploadAsync(QString uploadId)
{
    m_signedUrls->clear();
    const QJsonObject body{{QStringLiteral("upload_id"), uploadId}, {QStringLiteral("undo_commit"), true}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json,
                               co_await postJson(QStringLiteral("/uploads/abort"), body, true));
    co_return json.value(QStringLiteral("released_bytes")).toInteger();
}

QCoro::Task<Result<RemoteQuota>> RemoteButler::quotaAsync(QString user)
{
    const QString route = QStringLiteral("/quota");
    QueryParams params;
    if (!user.isEmpty())
        params.append({QStringLiteral("user"), user});
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, params));
    co_return fromServer(route, RemoteQuota::fromJson(json));
}

QCoro::Task<Result<RemoteQuota>> RemoteButler::setQuotaAsync(QString user, std::optional<qint64> limitBytes)
{
    const QString route = QStringLiteral("/quota");
    const QJsonObject body{
        {QStringLiteral("user"), user},
        {QStringLiteral("limit_bytes"), limitBytes ? QJsonValue(*limitBytes) : QJsonValue()}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    co_return fromServer(route, RemoteQuota::fromJson(json));
}

QCoro::Task<Result<QList<DatasetRef>>>
RemoteButler::registerDatasetsAsync(QString run, QList<IngestFile> datasets, DatasetIdMode idMode)
{
    const QString route = QStringLiteral("/datasets/register");
    QJsonArray entries;
    for (IngestFile entry : datasets) {
        // Local paths mean nothing to the server.
        entry.path.clear();
        entries.append(WireFormat::toJson(entry));
    }
    const QJsonObject body{{QStringLiteral("run"), run},
                           {QStringLiteral("datasets"), entries},
                           {QStringLiteral("id_mode"), WireFormat::idModeName(idMode)}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonArray array,
                               fromServer(route, objectArray(json, QStringLiteral("datasets"))));
    QList<DatasetRef> refs;
    refs.reserve(array.size());
    for (const QJsonValue& value : array) {
        BUTLER_CO_ASSIGN_OR_RETURN(DatasetRef ref,
                                   fromServer(route, DatasetRef::fromJson(m_universe, value.toObject())));
        refs.append(std::move(ref));
    }
    co_return refs;
}

QCoro::Task<Status> RemoteButler::associateAsync(QString tagged, QList<QUuid> ids)
{
    const QJsonObject body{{QStringLiteral("collection"), tagged}, {QStringLiteral("ids"), idsToJson(ids)}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/datasets/associate"), body));
    co_return Status();
}

QCoro::Task<Status> RemoteButler::disassociateAsync(QString tagged, QList<QUuid> ids)
{
    m_signedUrls->clear();
    const QJsonObject body{{QStringLiteral("collection"), tagged}, {QStringLiteral("ids"), idsToJson(ids)}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/datasets/disassociate"), body));
    co_return Status();
}

QCoro::Task<Status> RemoteButler::certifyAsync(QString calibration, QList<QUuid> ids, Timespan validity)
{
    const QJsonObject body{{QStringLiteral("collection"), calibration},
                           {QStringLiteral("ids"), idsToJson(ids)},
                           {QStringLiteral("timespan"), validity.toJson()}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/datasets/certify"), body));
    co_return Status();
}

QCoro::Task<Status> RemoteButler::decertifyAsync(QString calibration, QString datasetType, Timespan validity,
                                                 QList<DataCoordinate> dataIds)
{
    QJsonArray array;
    for (const DataCoordinate& dataId : dataIds)
        array.append(dataId.toJson());
    const QJsonObject body{{QStringLiteral("collection"), calibration},
                           {QStringLiteral("dataset_type"), datasetType},
                           {QStringLiteral("timespan"), validity.toJson()},
                           {QStringLiteral("data_ids"), array}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/datasets/decertify"), body));
    co_return Status();
}

QCoro::Task<Status> RemoteButler::pruneDatasetsAsync(QList<QUuid> ids, bool purge, bool unstore)
{
    m_signedUrls->remove(ids);
    const QJsonObject body{{QStringLiteral("ids"), idsToJson(ids)},
                           {QStringLiteral("purge"), purge},
                           {QStringLiteral("unstore"), unstore}};
    BUTLER_CO_TRY(co_await postJson(QStringLiteral("/datasets/prune"), body));
    co_return Status();
}

// Remote only

QCoro::Task<Result<RemoteIdentity>> RemoteButler::whoamiAsync()
{
    const QString route = QStringLiteral("/whoami");
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route));
    co_return fromServer(route, RemoteIdentity::fromJson(json));
}

QCoro::Task<Result<RemoteAcl>> RemoteButler::aclAsync(QString collection)
{
    const QString route = QStringLiteral("/acl");
    const QueryParams params{{QStringLiteral("collection"), collection}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route, params));
    co_return fromServer(route, RemoteAcl::fromJson(json));
}

QCoro::Task<Result<RemoteAcl>> RemoteButler::editAclAsync(QString collection, QStringList grant,
                                                          QStringList revoke)
{
    const QString route = QStringLiteral("/acl");
    const QJsonObject body{{QStringLiteral("collection"), collection},
                           {QStringLiteral("grant"), QJsonArray::fromStringList(grant)},
                           {QStringLiteral("revoke"), QJsonArray::fromStringList(revoke)}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    co_return fromServer(route, RemoteAcl::fromJson(json));
}

// The blocking Butler interface: each call waits for its coroutine.

Status RemoteButler::insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                            bool skipExisting)
{
    return waitForTask(insertDimensionRecordsAsync(element, records, skipExisting));
}

Result<DimensionRecordPage> RemoteButler::queryDimensionRecords(const DimensionRecordQuery& query)
{
    return waitForTask(queryDimensionRecordsAsync(query));
}

Status RemoteButler::registerDatasetType(const DatasetType& type)
{
    return waitForTask(registerDatasetTypeAsync(type));
}

Result<DatasetType> RemoteButler::getDatasetType(const QString& name)
{
    return waitForTask(getDatasetTypeAsync(name));
}

Result<QList<DatasetType>> RemoteButler::queryDatasetTypes(const QStringList& globs,
                                                           const QStringList& collections)
{
    return waitForTask(queryDatasetTypesAsync(globs, collections));
}

Result<QStringList> RemoteButler::removeDatasetTypes(const QStringList& globs)
{
    return waitForTask(removeDatasetTypesAsync(globs));
}

Status RemoteButler::registerCollection(const QString& name, CollectionType type, const QString& doc)
{
    return waitForTask(registerCollectionAsync(name, type, doc));
}

Result<CollectionInfo> RemoteButler::getCollection(const QString& name)
{
    return waitForTask(getCollectionAsync(name));
}

Result<QList<CollectionInfo>> RemoteButler::queryCollections(const CollectionQuery& query)
{
    return waitForTask(queryCollectionsAsync(query));
}

Status RemoteButler::setCollectionChain(const QString& parent, const QStringList& children, ChainMode mode,
                                        bool flatten, const QString& doc)
{
    return waitForTask(setCollectionChainAsync(parent, children, mode, flatten, doc));
}

Result<QStringList> RemoteButler::flattenCollections(const QStringList& namesOrGlobs)
{
    return waitForTask(flattenCollectionsAsync(namesOrGlobs));
}

Status RemoteButler::removeCollections(const QStringList& names)
{
    return waitForTask(removeCollectionsAsync(names));
}

Status RemoteButler::removeRuns(const QStringList& names)
{
    return waitForTask(removeRunsAsync(names));
}

Result<DatasetPage> RemoteButler::queryDatasets(const DatasetQuery& query)
{
    return waitForTask(queryDatasetsAsync(query));
}

Result<qint64> RemoteButler::countDatasets(const DatasetQuery& query)
{
    return waitForTask(countDatasetsAsync(query));
}

Result<QList<DataCoordinate>> RemoteButler::queryDataIds(const DataIdQuery& query)
{
    return waitForTask(queryDataIdsAsync(query));
}

Result<std::optional<DatasetRef>> RemoteButler::findDataset(const QString& datasetType,
                                                            const QVariantMap& dataId,
                                                            const QStringList& collections,
                                                            std::optional<qint64> time)
{
    return waitForTask(findDatasetAsync(datasetType, dataId, collections, time));
}

Result<DatasetRef> RemoteButler::getDataset(const QUuid& id)
{
    return waitForTask(getDatasetAsync(id));
}

Result<QList<FileInfo>> RemoteButler::fileInfo(const QList<QUuid>& ids)
{
    return waitForTask(fileInfoAsync(ids));
}

Result<DatasetRef> RemoteButler::put(const QByteArray& bytes, const QString& formatter,
                                     const QString& datasetType, const QVariantMap& dataId,
                                     const QString& run)
{
    return waitForTask(putAsync(bytes, formatter, datasetType, dataId, run));
}

Result<QByteArray> RemoteButler::get(const QUuid& id, QString* formatter)
{
    Result<std::pair<QByteArray, QString>> result = waitForTask(getAsync(id));
    if (!result.ok())
        return result.error();
    if (formatter)
        *formatter = result->second;
    return std::move(result->first);
}

Result<QList<DatasetRef>> RemoteButler::ingest(const QString& run, const QList<IngestFile>& files,
                                               TransferMode mode, DatasetIdMode idMode)
{
    return waitForTask(ingestAsync(run, files, mode, idMode));
}

Result<QList<DatasetRef>>
RemoteButler::registerDatasets(const QString& run, const QList<IngestFile>& datasets, DatasetIdMode idMode)
{
    return waitForTask(registerDatasetsAsync(run, datasets, idMode));
}

Status RemoteButler::associate(const QString& tagged, const QList<QUuid>& ids)
{
    return waitForTask(associateAsync(tagged, ids));
}

Status RemoteButler::disassociate(const QString& tagged, const QList<QUuid>& ids)
{
    return waitForTask(disassociateAsync(tagged, ids));
}

Status RemoteButler::certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity)
{
    return waitForTask(certifyAsync(calibration, ids, validity));
}

Status RemoteButler::decertify(const QString& calibration, const QString& datasetType,
                               const Timespan& validity, const QList<DataCoordinate>& dataIds)
{
    return waitForTask(decertifyAsync(calibration, datasetType, validity, dataIds));
}

Status RemoteButler::pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore)
{
    return waitForTask(pruneDatasetsAsync(ids, purge, unstore));
}

Result<RemoteIdentity> RemoteButler::whoami()
{
    return waitForTask(whoamiAsync());
}

Result<QList<DatasetRef>> RemoteButler::uploadFiles(const QString& run, const QList<IngestFile>& files,
                                                    const UploadOptions& options, UploadReport* report)
{
    RemoteUploader uploader(*this, options);
    Result<QList<DatasetRef>> refs = waitForTask(uploader.uploadAsync(run, files));
    if (report)
        *report = uploader.report();
    return refs;
}

Result<UploadGrant> RemoteButler::reserveUpload(const QString& run, const QList<UploadSpec>& files,
                                                bool resume)
{
    return waitForTask(reserveUploadAsync(run, files, resume));
}

Result<QList<DatasetRef>> RemoteButler::commitUpload(const QString& uploadId)
{
    return waitForTask(commitUploadAsync(uploadId));
}

Result<qint64> RemoteButler::abortUpload(const QString& uploadId)
{
    return waitForTask(abortUploadAsync(uploadId));
}

Result<qint64> RemoteButler::undoUpload(const QString& uploadId)
{
    return waitForTask(undoUploadAsync(uploadId));
}

Result<RemoteQuota> RemoteButler::quota(const QString& user)
{
    return waitForTask(quotaAsync(user));
}

Result<RemoteQuota> RemoteButler::setQuota(const QString& user, std::optional<qint64> limitBytes)
{
    return waitForTask(setQuotaAsync(user, limitBytes));
}

Result<RemoteAcl> RemoteButler::acl(const QString& collection)
{
    return waitForTask(aclAsync(collection));
}

Result<RemoteAcl> RemoteButler::editAcl(const QString& collection, const QStringList& grant,
                                        const QStringList& revoke)
{
    return waitForTask(editAclAsync(collection, grant, revoke));
}

Result<QList<SignedFileInfo>> RemoteButler::signedFileInfo(const QList<QUuid>& ids, qint64 ttlSeconds)
{
    return waitForTask(signedFileInfoAsync(ids, ttlSeconds));
}

Result<SignedFileInfo> RemoteButler::downloadUrl(const QUuid& id, qint64 ttlSeconds)
{
    return waitForTask(downloadUrlAsync(id, ttlSeconds));
}

// Trash

namespace {

Result<QList<TrashEntry>> trashFromJson(const QJsonObject& json)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonArray array, objectArray(json, QStringLiteral("entries")));
    QList<TrashEntry> entries;
    for (const QJsonValue& value : array) {
        BUTLER_ASSIGN_OR_RETURN(TrashEntry entry, TrashEntry::fromJson(value.toObject()));
        entries.append(entry);
    }
    return entries;
}

} // namespace

QCoro::Task<Result<QList<TrashEntry>>> RemoteButler::trashEntriesAsync()
{
    const QString route = QStringLiteral("/trash");
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await getJson(route));
    co_return fromServer(route, trashFromJson(json));
}

QCoro::Task<Result<QList<TrashEntry>>> RemoteButler::restoreFromTrashAsync(QStringList names)
{
    const QString route = QStringLiteral("/trash/restore");
    const QJsonObject body{{QStringLiteral("names"), QJsonArray::fromStringList(names)}};
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    co_return fromServer(route, trashFromJson(json));
}

QCoro::Task<Result<QList<TrashEntry>>> RemoteButler::emptyTrashAsync(QStringList names, bool expiredOnly)
{
    m_signedUrls->clear();
    const QString route = QStringLiteral("/trash/empty");
    QJsonObject body{{QStringLiteral("expired"), expiredOnly}};
    if (names.isEmpty())
        body.insert(QStringLiteral("all"), true);
    else
        body.insert(QStringLiteral("names"), QJsonArray::fromStringList(names));
    BUTLER_CO_ASSIGN_OR_RETURN(const QJsonObject json, co_await postJson(route, body));
    co_return fromServer(route, trashFromJson(json));
}

Result<QList<TrashEntry>> RemoteButler::trashEntries()
{
    return waitForTask(trashEntriesAsync());
}

Result<QList<TrashEntry>> RemoteButler::restoreFromTrash(const QStringList& names)
{
    return waitForTask(restoreFromTrashAsync(names));
}

Result<QList<TrashEntry>> RemoteButler::emptyTrash(const QStringList& names, bool expiredOnly)
{
    return waitForTask(emptyTrashAsync(names, expiredOnly));
}

} // namespace butler
