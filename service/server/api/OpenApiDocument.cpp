#include "OpenApiDocument.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace butler {

namespace {

QJsonObject ref(const QString& schema)
{
    return QJsonObject{{QStringLiteral("$ref"), QStringLiteral("#/components/schemas/") + schema}};
}

QJsonObject jsonContent(const QJsonObject& schema)
{
    return QJsonObject{{QStringLiteral("application/json"), QJsonObject{{QStringLiteral("schema"), schema}}}};
}

// The JSON bodies of docs/server-api.md as compact field lists: "name:type", where type is
// string, integer, number, boolean, object (free-form: data IDs, records, binds), uuid,
// datetime, (a|b|c) for one of those strings, [type] for an array, or another schema's name;
// "!" after the name marks a required field, "?" after the type a field that may be null.
struct SchemaSpec
{
    const char* name;
    const char* fields;
    const char* description = nullptr;
};

const SchemaSpec kSchemas[] = {
    // Requests.
    {"CollectionRegistration", "name!:string, type!:(RUN|TAGGED|CHAINED|CALIBRATION), doc:string"},
    {"ChainEdit",
     "parent!:string, children:[string], mode:(redefine|extend|prepend|remove|pop), flatten:boolean, "
     "doc:string",
     "mode: redefine (the default)"},
    {"CollectionNames", "collections!:[string]"},
    {"NameList", "names!:[string]"},
    {"AclEdit",
     "collection!:string, grant:[string], revoke:[string], release_date:datetime?, "
     "proprietary_until:datetime?",
     "release_date and proprietary_until: admins, release collections; null: the default period"},
    {"GlobList", "globs!:[string]"},
    {"DimensionRecordInsert", "element!:string, records!:[object], skip_existing:boolean"},
    {"DimensionRecordQuery",
     "element!:string, where:string, bind:object, order_by:[string], limit:integer, page_token:string"},
    {"DatasetQuery",
     "dataset_types:[string], collections:[string], where:string, bind:object, find_first:boolean, "
     "order_by:[string], limit:integer, page_token:string, calibration_time:integer?, with_sizes:boolean",
     "calibration_time: TAI nanoseconds; with_sizes: answer each dataset's file size with the page"},
    {"DataIdQuery",
     "dimensions!:[string], dataset_types:[string], collections:[string], where:string, bind:object, "
     "order_by:[string], limit:integer"},
    {"FindRequest", "dataset_type!:string, data_id!:object, collections!:[string], time:integer",
     "time: TAI nanoseconds, for CALIBRATION collections"},
    {"FileInfoRequest", "ids!:[uuid], ttl_seconds:integer"},
    {"DatasetRegistration",
     "run!:string, datasets!:[RegistrationEntry], id_mode:(unique|dataid_type|dataid_type_run)",
     "id_mode: unique (the default)"},
    {"RegistrationEntry", "dataset_type!:string, data_id!:object, id:uuid, formatter:string"},
    {"DatasetIdsIn", "collection!:string, ids!:[uuid]"},
    {"Certification", "collection!:string, ids!:[uuid], timespan!:Timespan"},
    {"Decertification", "collection!:string, dataset_type!:string, timespan!:Timespan, data_ids:[object]"},
    {"Prune", "ids!:[uuid], purge:boolean, unstore:boolean"},
    {"TrashEmpty", "names:[string], all:boolean, expired:boolean"},
    {"UploadReservation",
     "run!:string, dataset_type:string, formatter:string, resume:boolean, files!:[UploadFile]"},
    {"UploadFile", "data_id!:object, size!:integer, sha256:string, dataset_type:string, formatter:string"},
    {"UploadId", "upload_id!:string, undo_commit:boolean"},
    {"QuotaEdit", "user!:string, limit_bytes:integer?", "limit_bytes null: back to the default"},
    // Answers and the objects in them.
    {"Identity", "user!:string, groups!:[string], admin!:boolean, data_rights!:boolean"},
    {"CollectionInfo", "name!:string, type!:(RUN|TAGGED|CHAINED|CALIBRATION), doc:string, children:[string]"},
    {"CollectionList", "collections!:[CollectionInfo]"},
    {"Acl", "collection!:string, owner!:string, readers!:[string], release_date:datetime?, "
            "proprietary_until:datetime?"},
    {"DatasetType", "name!:string, dimensions!:[string], storage_class!:string, is_calibration:boolean"},
    {"DatasetTypeList", "dataset_types!:[DatasetType]"},
    {"RemovedList", "removed!:[string]"},
    {"DimensionRecordPage", "records!:[object], next_page_token:string"},
    {"DatasetRef", "id!:uuid, dataset_type!:DatasetType, data_id!:object, run!:string?",
     "run is null for a dataset seen through a release collection whose RUN the caller may not read"},
    {"DatasetPage",
     "datasets!:[DatasetRef], ingest_dates!:[integer], next_page_token!:string, sizes:[integer]",
     "ingest_dates (TAI ns) and sizes (bytes, -1: no file) are parallel to datasets"},
    {"DatasetList", "datasets!:[DatasetRef]"},
    {"Count", "count!:integer"},
    {"DataIdList", "data_ids!:[object]"},
    {"FindAnswer", "dataset!:DatasetRef?"},
    {"FileInfo",
     "id!:uuid, uri!:string, path!:string, formatter!:string, size!:integer, checksum!:string, "
     "expires:integer",
     "uri: a signed URL valid until expires (unix seconds)"},
    {"FileInfoList", "files!:[FileInfo]"},
    {"Timespan", "begin:datetime?, end:datetime?", "TAI instants as ISO-8601 UTC; null: unbounded"},
    {"TrashEntry",
     "id!:integer, name!:string, kind!:(run|collection|datasets), collection:string, collection_type:string, "
     "removed_by!:string, removed_at!:datetime, expires_at!:datetime, datasets!:integer, files!:integer, "
     "bytes!:integer",
     "name: the collection's, or RUN#ID for datasets pruned out of RUN"},
    {"TrashList", "entries!:[TrashEntry], retention_days!:integer"},
    {"TrashEntries", "entries!:[TrashEntry]"},
    {"UploadSlot",
     "dataset_id!:uuid, status!:(upload|uploaded|exists), path!:string, url:string, expires:integer, "
     "dataset:DatasetRef",
     "status: upload (PUT the file to url before expires), uploaded or exists"},
    {"UploadGrant", "upload_id!:string?, expires:integer, reserved_bytes!:integer, files!:[UploadSlot]"},
    {"Released", "released_bytes!:integer"},
    {"Quota", "user!:string, limit_bytes!:integer, default_limit!:boolean, used_bytes!:integer, "
              "reserved_bytes!:integer, available_bytes!:integer"},
    {"Empty", ""},
};

QList<std::pair<QString, QString>> splitFields(const QString& fields)
{
    QList<std::pair<QString, QString>> out;
    for (const QString& field : fields.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype colon = field.indexOf(u':');
        out.append({field.left(colon).trimmed(), field.mid(colon + 1).trimmed()});
    }
    return out;
}

QJsonObject typeSchema(QString type)
{
    const bool nullable = type.endsWith(u'?');
    if (nullable)
        type.chop(1);
    QJsonObject schema;
    if (type.startsWith(u'[')) {
        schema = {{QStringLiteral("type"), QStringLiteral("array")},
                  {QStringLiteral("items"), typeSchema(type.mid(1, type.size() - 2))}};
    } else if (type == u"string" || type == u"integer" || type == u"number" || type == u"boolean" ||
               type == u"object") {
        schema = {{QStringLiteral("type"), type}};
    } else if (type.startsWith(u'(')) {
        QJsonArray values;
        for (const QString& value : type.mid(1, type.size() - 2).split(u'|'))
            values.append(value);
        schema = {{QStringLiteral("type"), QStringLiteral("string")}, {QStringLiteral("enum"), values}};
    } else if (type == u"uuid" || type == u"datetime") {
        schema = {{QStringLiteral("type"), QStringLiteral("string")},
                  {QStringLiteral("format"),
                   type == u"uuid" ? QStringLiteral("uuid") : QStringLiteral("date-time")}};
    } else if (nullable) {
        // OpenAPI 3.0: a $ref takes no siblings, so a nullable reference wraps it.
        return {{QStringLiteral("allOf"), QJsonArray{ref(type)}}, {QStringLiteral("nullable"), true}};
    } else {
        return ref(type);
    }
    if (nullable)
        schema.insert(QStringLiteral("nullable"), true);
    return schema;
}

QJsonObject objectSchema(const SchemaSpec& spec)
{
    QJsonObject properties;
    QJsonArray required;
    for (auto [name, type] : splitFields(QString::fromLatin1(spec.fields))) {
        if (name.endsWith(u'!')) {
            name.chop(1);
            required.append(name);
        }
        properties.insert(name, typeSchema(type));
    }
    QJsonObject schema{{QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("properties"), properties}};
    if (!required.isEmpty())
        schema.insert(QStringLiteral("required"), required);
    if (spec.description)
        schema.insert(QStringLiteral("description"), QString::fromLatin1(spec.description));
    return schema;
}

QJsonArray queryParameters(const ApiRoute& route)
{
    QJsonArray parameters;
    for (auto [name, type] : splitFields(route.queryParameters)) {
        const bool required = name.endsWith(u'!');
        if (required)
            name.chop(1);
        parameters.append(QJsonObject{{QStringLiteral("name"), name},
                                      {QStringLiteral("in"), QStringLiteral("query")},
                                      {QStringLiteral("required"), required},
                                      {QStringLiteral("schema"), typeSchema(type)}});
    }
    return parameters;
}

QJsonObject errorResponses()
{
    QJsonObject responses;
    const QList<QPair<QString, QString>> errors{
        {QStringLiteral("400"), QStringLiteral("Malformed request")},
        {QStringLiteral("401"), QStringLiteral("Missing or invalid token")},
        {QStringLiteral("403"), QStringLiteral("Not allowed")},
        {QStringLiteral("404"), QStringLiteral("Unknown (or hidden) name")},
        {QStringLiteral("409"), QStringLiteral("Conflict")}};
    for (const auto& [code, text] : errors)
        responses.insert(code,
                         QJsonObject{{QStringLiteral("description"), text},
                                     {QStringLiteral("content"), jsonContent(ref(QStringLiteral("Error")))}});
    return responses;
}

QJsonObject simpleGet(const QString& summary, const QString& contentType)
{
    QJsonObject ok{
        {QStringLiteral("description"), QStringLiteral("OK")},
        {QStringLiteral("content"),
         QJsonObject{{contentType, QJsonObject{{QStringLiteral("schema"),
                                                QJsonObject{{QStringLiteral("type"),
                                                             contentType.startsWith(u"text")
                                                                 ? QStringLiteral("string")
                                                                 : QStringLiteral("object")}}}}}}}};
    return QJsonObject{{QStringLiteral("get"), QJsonObject{{QStringLiteral("summary"), summary},
                                                           {QStringLiteral("responses"),
                                                            QJsonObject{{QStringLiteral("200"), ok}}}}}};
}

// RFC 9728 protected resource metadata: public, 404 when the server names no provider.
QJsonObject resourceMetadataGet(const QString& summary, const QJsonArray& parameters)
{
    const QJsonObject string{{QStringLiteral("type"), QStringLiteral("string")}};
    const QJsonObject strings{{QStringLiteral("type"), QStringLiteral("array")},
                              {QStringLiteral("items"), string}};
    const QJsonObject metadata{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("resource"), string},
                                                   {QStringLiteral("authorization_servers"), strings},
                                                   {QStringLiteral("scopes_supported"), strings},
                                                   {QStringLiteral("bearer_methods_supported"), strings},
                                                   {QStringLiteral("butler_client_id"), string}}}};
    QJsonObject operation{
        {QStringLiteral("summary"), summary},
        {QStringLiteral("responses"),
         QJsonObject{
             {QStringLiteral("200"), QJsonObject{{QStringLiteral("description"), QStringLiteral("OK")},
                                                 {QStringLiteral("content"), jsonContent(metadata)}}},
             {QStringLiteral("404"),
              QJsonObject{{QStringLiteral("description"),
                           QStringLiteral("No identity provider configured, or no such repository")},
                          {QStringLiteral("content"), jsonContent(ref(QStringLiteral("Error")))}}}}}};
    if (!parameters.isEmpty())
        operation.insert(QStringLiteral("parameters"), parameters);
    return QJsonObject{{QStringLiteral("get"), operation}};
}

} // namespace

QByteArray OpenApiDocument::build(const QList<ApiRoute>& repositoryRoutes)
{
    QJsonObject paths;
    paths.insert(QStringLiteral("/healthz"),
                 simpleGet(QStringLiteral("Liveness"), QStringLiteral("application/json")));
    paths.insert(QStringLiteral("/readyz"),
                 simpleGet(QStringLiteral("Readiness"), QStringLiteral("application/json")));
    paths.insert(QStringLiteral("/metrics"),
                 simpleGet(QStringLiteral("Prometheus metrics"), QStringLiteral("text/plain")));
    paths.insert(QStringLiteral("/api/butler/openapi.json"),
                 simpleGet(QStringLiteral("This description"), QStringLiteral("application/json")));
    paths.insert(QStringLiteral("/api/butler/repos"),
                 simpleGet(QStringLiteral("Repository labels"), QStringLiteral("application/json")));

    QSet<QString> schemas{QStringLiteral("Error")};
    const QJsonObject labelParameter{
        {QStringLiteral("name"), QStringLiteral("label")},
        {QStringLiteral("in"), QStringLiteral("path")},
        {QStringLiteral("required"), true},
        {QStringLiteral("schema"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}};
    paths.insert(QStringLiteral("/.well-known/oauth-protected-resource"),
                 resourceMetadataGet(QStringLiteral("The server's sign-in provider (RFC 9728)"), {}));
    paths.insert(QStringLiteral("/.well-known/oauth-protected-resource/api/butler/repo/{label}"),
                 resourceMetadataGet(QStringLiteral("A repository's sign-in provider (RFC 9728)"),
                                     QJsonArray{labelParameter}));
    for (const ApiRoute& route : repositoryRoutes) {
        const QString path = QStringLiteral("/api/butler/repo/{label}/v1") + route.path;
        QJsonObject item = paths.value(path).toObject();
        QJsonArray parameters{labelParameter};
        for (const QJsonValue& parameter : queryParameters(route))
            parameters.append(parameter);
        QJsonObject operation{
            {QStringLiteral("summary"), route.summary},
            {QStringLiteral("parameters"), parameters},
            {QStringLiteral("security"), QJsonArray{QJsonObject{{QStringLiteral("bearer"), QJsonArray()}}}}};
        if (!route.requestSchema.isEmpty()) {
            schemas.insert(route.requestSchema);
            const QString mime = route.requestSchema == QLatin1String("Bytes")
                                     ? QStringLiteral("application/octet-stream")
                                     : QStringLiteral("application/json");
            operation.insert(QStringLiteral("requestBody"),
                             QJsonObject{{QStringLiteral("required"), true},
                                         {QStringLiteral("content"),
                                          QJsonObject{{mime, QJsonObject{{QStringLiteral("schema"),
                                                                          ref(route.requestSchema)}}}}}});
        }
        schemas.insert(route.responseSchema);
        QJsonObject responses = errorResponses();
        // What the handlers answer when they make something: a collection, dataset type or
        // datasets, a put dataset, an upload's reservation.
        const bool creates = route.summary.startsWith(u"Register") || route.path.endsWith(u"/put") ||
                             route.path == u"/uploads";
        const QString okCode = creates                             ? QStringLiteral("201")
                               : route.path.endsWith(u"/download") ? QStringLiteral("307")
                                                                   : QStringLiteral("200");
        QJsonObject content = jsonContent(ref(route.responseSchema));
        if (route.streams)
            content.insert(QStringLiteral("application/x-ndjson"),
                           QJsonObject{{QStringLiteral("schema"), ref(QStringLiteral("DatasetRef"))}});
        responses.insert(okCode, QJsonObject{{QStringLiteral("description"), QStringLiteral("OK")},
                                             {QStringLiteral("content"), content}});
        operation.insert(QStringLiteral("responses"), responses);
        item.insert(QString::fromLatin1(route.method.toLower()), operation);
        paths.insert(path, item);
    }

    QJsonObject schemaObjects;
    for (const QString& name : schemas) {
        if (name == QLatin1String("Error")) {
            schemaObjects.insert(
                name,
                QJsonObject{
                    {QStringLiteral("type"), QStringLiteral("object")},
                    {QStringLiteral("properties"),
                     QJsonObject{{QStringLiteral("error"),
                                  QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                              {QStringLiteral("properties"),
                                               QJsonObject{{QStringLiteral("type"),
                                                            QJsonObject{{QStringLiteral("type"),
                                                                         QStringLiteral("string")}}},
                                                           {QStringLiteral("message"),
                                                            QJsonObject{{QStringLiteral("type"),
                                                                         QStringLiteral("string")}}}}}}}}}});
        } else if (name == QLatin1String("Bytes")) {
            schemaObjects.insert(name, QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                                   {QStringLiteral("format"), QStringLiteral("binary")}});
        } else if (name == QLatin1String("Universe")) {
            schemaObjects.insert(
                name, QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                  {QStringLiteral("description"),
                                   QStringLiteral("The dimension universe as daf_butler writes it")}});
        }
    }
    // Every described body, with the objects they hold.
    for (const SchemaSpec& spec : kSchemas)
        schemaObjects.insert(QString::fromLatin1(spec.name), objectSchema(spec));

    const QJsonObject document{
        {QStringLiteral("openapi"), QStringLiteral("3.0.3")},
        {QStringLiteral("info"), QJsonObject{{QStringLiteral("title"), QStringLiteral("butler-server")},
                                             {QStringLiteral("version"), QStringLiteral("1")}}},
        {QStringLiteral("paths"), paths},
        {QStringLiteral("components"),
         QJsonObject{{QStringLiteral("schemas"), schemaObjects},
                     {QStringLiteral("securitySchemes"),
                      QJsonObject{{QStringLiteral("bearer"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("http")},
                                               {QStringLiteral("scheme"), QStringLiteral("bearer")}}}}}}}};
    return QJsonDocument(document).toJson(QJsonDocument::Compact);
}

} // namespace butler
