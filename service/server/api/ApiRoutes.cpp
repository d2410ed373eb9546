#include "ApiRoutes.h"

#include "RepositoryHandlers.h"
#include "UploadHandlers.h"

#include <QHash>
#include <QSet>

namespace butler {

namespace {

using H = RepositoryHandlers;
using U = UploadHandlers;

QList<ApiRoute> makeRoutes()
{
    const QByteArray get = QByteArrayLiteral("GET");
    const QByteArray post = QByteArrayLiteral("POST");
    auto route = [](QByteArray method, const char* path, const char* summary, const char* request,
                    const char* response, ApiRoute::Handler handler, bool streams = false) {
        return ApiRoute{std::move(method),
                        QString::fromLatin1(path),
                        QString::fromLatin1(summary),
                        QString::fromLatin1(request),
                        QString::fromLatin1(response),
                        handler,
                        streams};
    };
    return {
        route(get, "/whoami", "The caller's user name and groups", "", "Identity", &H::whoami),
        route(get, "/universe", "The dimension universe of the repository", "", "Universe", &H::universe),
        route(get, "/collections", "Collections the caller can see, by glob and type", "", "CollectionList",
              &H::queryCollections),
        route(get, "/collection", "One collection by name", "", "CollectionInfo", &H::getCollection),
        route(post, "/collections", "Register a RUN, TAGGED, CHAINED or CALIBRATION collection",
              "CollectionRegistration", "CollectionInfo", &H::registerCollection),
        route(post, "/collections/chain", "Define or edit a chain", "ChainEdit", "CollectionInfo",
              &H::setChain),
        route(post, "/collections/flatten", "The leaf collections a search over these names reaches",
              "CollectionNames", "CollectionNames", &H::flattenCollections),
        route(post, "/collections/remove", "Remove non-RUN collections", "NameList", "Empty",
              &H::removeCollections),
        route(post, "/runs/remove", "Remove RUN collections with their datasets", "NameList", "Empty",
              &H::removeRuns),
        route(get, "/acl", "Who may read a collection", "", "Acl", &H::getAcl),
        route(post, "/acl", "Grant or revoke read access for groups", "AclEdit", "Acl", &H::editAcl),
        route(get, "/dataset-types", "Dataset types by glob", "", "DatasetTypeList", &H::queryDatasetTypes),
        route(get, "/dataset-type", "One dataset type by name", "", "DatasetType", &H::getDatasetType),
        route(post, "/dataset-types", "Register a dataset type", "DatasetType", "DatasetType",
              &H::registerDatasetType),
        route(post, "/dataset-types/remove", "Remove dataset types without datasets", "GlobList",
              "RemovedList", &H::removeDatasetTypes),
        route(post, "/dimension-records", "Insert dimension records (admins)", "DimensionRecordInsert",
              "Empty", &H::insertDimensionRecords),
        route(post, "/dimension-records/query", "Dimension records by element and expression",
              "DimensionRecordQuery", "DimensionRecordPage", &H::queryDimensionRecords),
        route(post, "/datasets/query", "Datasets in pages, or as JSON lines", "DatasetQuery", "DatasetPage",
              &H::queryDatasets, true),
        route(post, "/datasets/count", "The number of datasets a query matches", "DatasetQuery", "Count",
              &H::countDatasets),
        route(post, "/data-ids/query", "Data IDs by dimensions and expression", "DataIdQuery", "DataIdList",
              &H::queryDataIds),
        route(post, "/datasets/find", "The first dataset of a type and data ID in a collection search",
              "FindRequest", "FindAnswer", &H::findDataset),
        route(get, "/dataset", "One dataset by ID", "", "DatasetRef", &H::getDataset),
        route(post, "/datasets/file-info", "File infos with signed download URLs", "FileInfoRequest",
              "FileInfoList", &H::fileInfo),
        route(get, "/datasets/download", "Redirect to a fresh signed download URL", "", "Empty",
              &H::download),
        route(post, "/datasets/put", "Store one dataset from the request body", "Bytes", "DatasetRef",
              &U::put),
        route(post, "/datasets/register", "Register datasets without files", "DatasetRegistration",
              "DatasetList", &H::registerDatasets),
        route(post, "/datasets/associate", "Tag datasets into a TAGGED collection", "DatasetIdsIn", "Empty",
              &H::associate),
        route(post, "/datasets/disassociate", "Untag datasets from a TAGGED collection", "DatasetIdsIn",
              "Empty", &H::disassociate),
        route(post, "/datasets/certify", "Certify calibrations for a validity range", "Certification",
              "Empty", &H::certify),
        route(post, "/datasets/decertify", "Clear a validity range", "Decertification", "Empty",
              &H::decertify),
        route(post, "/datasets/prune", "Remove datasets or their files", "Prune", "Empty", &H::prune),
        route(get, "/trash", "Removed runs, collections and datasets the caller can still restore", "",
              "TrashList", &H::listTrash),
        route(post, "/trash/restore", "Bring trash entries back where they were", "NameList", "TrashEntries",
              &H::restoreTrash),
        route(post, "/trash/empty", "Delete trash entries and their files for good", "TrashEmpty",
              "TrashEntries", &H::emptyTrash),
        route(post, "/uploads", "Reserve upload slots: one signed PUT URL per file", "UploadReservation",
              "UploadGrant", &U::reserve),
        route(post, "/uploads/commit", "Turn an upload's received files into datasets", "UploadId",
              "DatasetList", &U::commit),
        route(post, "/uploads/abort", "Give up an upload: its reservation and files go", "UploadId",
              "Released", &U::abort),
        route(get, "/quota", "A user's storage quota: limit, used, reserved", "", "Quota", &U::getQuota),
        route(post, "/quota", "Set a user's storage quota (admins)", "QuotaEdit", "Quota", &U::setQuota),
    };
}

// The routes that search the registry, the work whose cost grows with the repository: a user
// runs a few at once (limits.concurrent_queries_per_user); more wait their turn.
QList<ApiRoute> markQueries(QList<ApiRoute> routes)
{
    static const QSet<QString> queries{
        QStringLiteral("GET /collections"),        QStringLiteral("POST /collections/flatten"),
        QStringLiteral("GET /dataset-types"),      QStringLiteral("POST /dimension-records/query"),
        QStringLiteral("POST /datasets/query"),    QStringLiteral("POST /datasets/count"),
        QStringLiteral("POST /data-ids/query"),    QStringLiteral("POST /datasets/find"),
        QStringLiteral("POST /datasets/file-info")};
    for (ApiRoute& route : routes) {
        if (queries.contains(QString::fromLatin1(route.method) + u' ' + route.path))
            route.query = true;
    }
    return routes;
}

// What the GET routes read from their query strings (described in the OpenAPI document).
QList<ApiRoute> describeQueryParameters(QList<ApiRoute> routes)
{
    static const QHash<QString, QString> parameters{
        {QStringLiteral("/collections"),
         QStringLiteral("glob:[string], type:[string], flatten:boolean, include_chains:boolean")},
        {QStringLiteral("/collection"), QStringLiteral("name!:string")},
        {QStringLiteral("/acl"), QStringLiteral("collection!:string")},
        {QStringLiteral("/dataset-types"), QStringLiteral("glob:[string], collection:[string]")},
        {QStringLiteral("/dataset-type"), QStringLiteral("name!:string")},
        {QStringLiteral("/dataset"), QStringLiteral("id!:uuid")},
        {QStringLiteral("/datasets/download"), QStringLiteral("id!:uuid")},
        {QStringLiteral("/quota"), QStringLiteral("user:string")},
    };
    for (ApiRoute& route : routes) {
        if (route.method == "GET")
            route.queryParameters = parameters.value(route.path);
    }
    return routes;
}

struct RouteIndex
{
    QList<ApiRoute> routes = describeQueryParameters(markQueries(makeRoutes()));
    QHash<QString, QList<const ApiRoute*>> byPath;

    RouteIndex()
    {
        for (const ApiRoute& route : routes)
            byPath[route.path].append(&route);
    }
};

const RouteIndex& index()
{
    static const RouteIndex instance;
    return instance;
}

} // namespace

const QList<ApiRoute>& ApiRoutes::repositoryRoutes()
{
    return index().routes;
}

const ApiRoute* ApiRoutes::find(QStringView path, const QByteArray& method, QByteArrayList* allowed)
{
    const auto it = index().byPath.constFind(path.toString());
    if (it == index().byPath.cend())
        return nullptr;
    const QByteArray wanted = method == "HEAD" ? QByteArrayLiteral("GET") : method;
    for (const ApiRoute* route : *it) {
        if (route->method == wanted)
            return route;
    }
    if (allowed) {
        for (const ApiRoute* route : *it) {
            allowed->append(route->method);
            if (route->method == "GET")
                allowed->append(QByteArrayLiteral("HEAD"));
        }
    }
    return nullptr;
}

} // namespace butler
