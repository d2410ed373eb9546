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
        QJsonObject operation{
            {QStringLiteral("summary"), route.summary},
            {QStringLiteral("parameters"), QJsonArray{labelParameter}},
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
        const QString okCode = route.summary.startsWith(u"Register") || route.path.endsWith(u"/put")
                                   ? QStringLiteral("201")
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
        } else {
            schemaObjects.insert(
                name, QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                  {QStringLiteral("description"), QStringLiteral("See docs/server-api.md")}});
        }
    }
    schemaObjects.insert(QStringLiteral("DatasetRef"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}});

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
