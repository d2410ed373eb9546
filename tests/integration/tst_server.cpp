// butler-server as a process: the server-wide routes, the API contract, errors, signed
// downloads, request IDs and logs, and the graceful stop.
#include "ApiRoutes.h"
#include "ServerFixture.h"

#include <QDateTime>
#include <QJsonArray>
#include <QScopeGuard>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <cmath>

using namespace butler;

namespace {

// Where `value` departs from an OpenAPI `schema` (with $ref, allOf, nullable, required, items and
// formats), or an empty string. Object schemas with properties are closed: a field they do not
// list is a mismatch, so an answer cannot carry what the description leaves out.
QString mismatch(const QJsonValue& value, const QJsonObject& schema, const QJsonObject& schemas,
                 const QString& at)
{
    if (schema.contains(QStringLiteral("$ref"))) {
        const QString name = schema.value(QStringLiteral("$ref")).toString().section(u'/', -1);
        if (!schemas.contains(name))
            return at + QStringLiteral(": no schema ") + name;
        return mismatch(value, schemas.value(name).toObject(), schemas, at);
    }
    if (value.isNull() || value.isUndefined())
        return schema.value(QStringLiteral("nullable")).toBool() ? QString() : at + QStringLiteral(": null");
    if (schema.contains(QStringLiteral("allOf"))) {
        for (const QJsonValue& part : schema.value(QStringLiteral("allOf")).toArray()) {
            const QString problem = mismatch(value, part.toObject(), schemas, at);
            if (!problem.isEmpty())
                return problem;
        }
        return {};
    }
    const QString type = schema.value(QStringLiteral("type")).toString();
    const QString format = schema.value(QStringLiteral("format")).toString();
    if (type == u"object") {
        if (!value.isObject())
            return at + QStringLiteral(": not an object");
        const QJsonObject object = value.toObject();
        if (!schema.contains(QStringLiteral("properties")))
            return {}; // free-form: data IDs, records, binds
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        for (const QJsonValue& name : schema.value(QStringLiteral("required")).toArray()) {
            if (!object.contains(name.toString()))
                return at + QStringLiteral(": lacks required '") + name.toString() + u'\'';
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!properties.contains(it.key()))
                return at + QStringLiteral(": undocumented field '") + it.key() + u'\'';
            const QString problem =
                mismatch(it.value(), properties.value(it.key()).toObject(), schemas, at + u'.' + it.key());
            if (!problem.isEmpty())
                return problem;
        }
        return {};
    }
    if (type == u"array") {
        if (!value.isArray())
            return at + QStringLiteral(": not an array");
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString problem = mismatch(array.at(i), schema.value(QStringLiteral("items")).toObject(),
                                             schemas, at + QStringLiteral("[%1]").arg(i));
            if (!problem.isEmpty())
                return problem;
        }
        return {};
    }
    if (type == u"string") {
        if (!value.isString())
            return at + QStringLiteral(": not a string");
        const QJsonArray allowed = schema.value(QStringLiteral("enum")).toArray();
        if (!allowed.isEmpty() && !allowed.contains(value))
            return at + QStringLiteral(": '") + value.toString() + QStringLiteral("' is none of its values");
        if (format == u"uuid" && QUuid::fromString(value.toString()).isNull())
            return at + QStringLiteral(": not a UUID");
        if (format == u"date-time" && !QDateTime::fromString(value.toString(), Qt::ISODateWithMs).isValid())
            return at + QStringLiteral(": not an ISO-8601 time: ") + value.toString();
        return {};
    }
    if (type == u"integer")
        return value.isDouble() && value.toDouble() == std::floor(value.toDouble())
                   ? QString()
                   : at + QStringLiteral(": not an integer");
    if (type == u"number")
        return value.isDouble() ? QString() : at + QStringLiteral(": not a number");
    if (type == u"boolean")
        return value.isBool() ? QString() : at + QStringLiteral(": not a boolean");
    return at + QStringLiteral(": schema without a type");
}

} // namespace

class TestServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    }

    void cleanupTestCase()
    {
        if (m_server.process().state() != QProcess::NotRunning)
            m_server.stop();
    }

    void healthAndReadiness()
    {
        const auto health = m_server.request("GET", QStringLiteral("/healthz"), {});
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        const auto ready = m_server.request("GET", QStringLiteral("/readyz"), {});
        QCOMPARE(ready.status, 200);
        const auto head = m_server.request("HEAD", QStringLiteral("/healthz"), {});
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        const auto wrongMethod = m_server.request("POST", QStringLiteral("/healthz"), {}, "{}");
        QCOMPARE(wrongMethod.status, 405);
        QVERIFY(wrongMethod.header("Allow").contains("GET"));
    }

    void openApiMatchesRoutes()
    {
        const auto reply = m_server.request("GET", QStringLiteral("/api/butler/openapi.json"), {});
        QCOMPARE(reply.status, 200);
        const QJsonObject paths = reply.json().value(QStringLiteral("paths")).toObject();
        QVERIFY(!paths.isEmpty());
        // Every route is described...
        for (const ApiRoute& route : ApiRoutes::repositoryRoutes()) {
            const QJsonObject item =
                paths.value(QStringLiteral("/api/butler/repo/{label}/v1") + route.path).toObject();
            QVERIFY2(item.contains(QString::fromLatin1(route.method.toLower())),
                     qPrintable(route.method + ' ' + route.path));
        }
        // ...and everything described is served: never 404 (route unknown) or 405.
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            QString path = it.key();
            path.replace(QStringLiteral("{label}"), QStringLiteral("main"));
            const QJsonObject item = it.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op) {
                const QByteArray method = op.key().toUpper().toLatin1();
                const auto answer = m_server.request(method, path, QStringLiteral("dave"),
                                                     method == "POST" ? "{}" : QByteArray());
                QVERIFY2(answer.status != 405, qPrintable(method + ' ' + path));
                if (answer.status == 404)
                    QVERIFY2(answer.errorType() == QLatin1String("not_found") &&
                                 !answer.json()
                                      .value(QStringLiteral("error"))
                                      .toObject()
                                      .value(QStringLiteral("message"))
                                      .toString()
                                      .startsWith(QStringLiteral("no such route")),
                             qPrintable(method + ' ' + path + ": " + answer.body));
                QVERIFY2(answer.status < 500, qPrintable(method + ' ' + path + ": " + answer.body));
            }
        }
    }

    // The description's schemas are those of the real bodies: every route's request and answer
    // schema exists and lists its fields, and the answers of a session's worth of calls (and the
    // bodies sent) match them field for field.
    void schemasDescribeRequestsAndAnswers()
    {
        const QJsonObject document =
            m_server.request("GET", QStringLiteral("/api/butler/openapi.json"), {}).json();
        const QJsonObject schemas = document.value(QStringLiteral("components"))
                                        .toObject()
                                        .value(QStringLiteral("schemas"))
                                        .toObject();
        const QJsonObject paths = document.value(QStringLiteral("paths")).toObject();
        for (const ApiRoute& route : ApiRoutes::repositoryRoutes()) {
            for (const QString& name : {route.requestSchema, route.responseSchema}) {
                if (name.isEmpty())
                    continue;
                QVERIFY2(schemas.contains(name), qPrintable(route.path + u' ' + name));
                const QJsonObject schema = schemas.value(name).toObject();
                if (name != u"Bytes" && name != u"Universe" && name != u"Empty")
                    QVERIFY2(!schema.value(QStringLiteral("properties")).toObject().isEmpty(),
                             qPrintable(name));
            }
        }
        // A GET route's query parameters are described (beyond the repository label).
        const QJsonArray collectionParameters =
            paths.value(QStringLiteral("/api/butler/repo/{label}/v1/collection"))
                .toObject()
                .value(QStringLiteral("get"))
                .toObject()
                .value(QStringLiteral("parameters"))
                .toArray();
        QVERIFY(
            std::any_of(collectionParameters.begin(), collectionParameters.end(), [](const QJsonValue& p) {
                return p.toObject().value(QStringLiteral("name")) == QLatin1String("name") &&
                       p.toObject().value(QStringLiteral("in")) == QLatin1String("query");
            }));

        const QString id = m_server.datasetIn(QStringLiteral("u/alice/run")).toString(QUuid::WithoutBraces);
        const QString query = QStringLiteral(
            R"({"dataset_types":["*"],"collections":["u/alice/chain"],"limit":5,"with_sizes":true})");
        const QList<Call> calls{
            {"GET", QStringLiteral("/whoami"), QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/collections"), QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/collection?name=u%2Falice%2Fchain"), QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/acl?collection=u%2Falice%2Fshared"), QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/acl?collection=DR1%2Fpublic"), QStringLiteral("dave"), {}},
            {"GET", QStringLiteral("/dataset-types"), QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/dataset-type?name=note"), QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/dataset?id=") + id, QStringLiteral("alice"), {}},
            {"GET", QStringLiteral("/trash"), QStringLiteral("dave"), {}},
            {"GET", QStringLiteral("/quota"), QStringLiteral("alice"), {}},
            {"POST", QStringLiteral("/collections/flatten"), QStringLiteral("alice"),
             QStringLiteral(R"({"collections":["u/alice/chain"]})")},
            {"POST", QStringLiteral("/datasets/query"), QStringLiteral("alice"), query},
            {"POST", QStringLiteral("/datasets/count"), QStringLiteral("alice"), query},
            {"POST", QStringLiteral("/data-ids/query"), QStringLiteral("alice"),
             QStringLiteral(R"({"dimensions":["detector"],"limit":3})")},
            {"POST", QStringLiteral("/datasets/find"), QStringLiteral("alice"),
             QStringLiteral(
                 R"({"dataset_type":"note","data_id":{"instrument":"LSSTCam"},"collections":["u/alice/chain"]})")},
            {"POST", QStringLiteral("/datasets/find"), QStringLiteral("alice"),
             QStringLiteral(
                 R"({"dataset_type":"note","data_id":{"instrument":"LSSTCam"},"collections":["u/alice/tagged"],"time":0})")},
            {"POST", QStringLiteral("/datasets/file-info"), QStringLiteral("alice"),
             QStringLiteral(R"({"ids":["%1"],"ttl_seconds":600})").arg(id)},
            {"POST", QStringLiteral("/dimension-records/query"), QStringLiteral("alice"),
             QStringLiteral(R"({"element":"instrument","limit":5})")},
            {"POST", QStringLiteral("/collections"), QStringLiteral("alice"),
             QStringLiteral(R"({"name":"u/alice/described","type":"TAGGED","doc":"schema check"})")},
            {"POST", QStringLiteral("/quota"), QStringLiteral("dave"),
             QStringLiteral(R"({"user":"frank","limit_bytes":null})")},
        };
        for (const Call& call : calls)
            expectDescribed(call);
    }

    void authenticationRequired()
    {
        // No sign-in provider is configured: the challenge names no resource metadata.
        const QByteArray challenge("Bearer realm=\"butler\", error=\"invalid_token\"");
        const auto missing = m_server.get(QStringLiteral("/whoami"), {});
        QCOMPARE(missing.status, 401);
        QCOMPARE(missing.header("WWW-Authenticate"), challenge);
        QCOMPARE(missing.errorType(), QStringLiteral("unauthenticated"));
        const auto wrong = m_server.get(QStringLiteral("/whoami"), QStringLiteral("not-a-token"));
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.header("WWW-Authenticate"), challenge);
    }

    // Without auth.login or an http(s) auth.jwt.issuer the metadata routes exist but publish
    // nothing (tst_servermetadata has a server that does).
    void noSignInMetadata()
    {
        const QString prefix = QStringLiteral("/.well-known/oauth-protected-resource");
        for (const QString& path : {prefix, prefix + QStringLiteral("/api/butler/repo/main"),
                                    prefix + QStringLiteral("/api/butler/repo/nope")}) {
            const auto reply = m_server.request("GET", path, {});
            QCOMPARE(reply.status, 404);
            QCOMPARE(reply.errorType(), QStringLiteral("not_found"));
            QVERIFY2(reply.body.contains("names no identity provider"), reply.body.constData());
            QCOMPARE(m_server.request("HEAD", path, {}).status, 404);
            const auto post = m_server.request("POST", path, {}, "{}");
            QCOMPARE(post.status, 405);
            QCOMPARE(post.header("Allow"), QByteArray("GET, HEAD"));
        }
    }

    void whoami()
    {
        const auto reply = m_server.get(QStringLiteral("/whoami"), QStringLiteral("alice"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
        QCOMPARE(reply.json().value(QStringLiteral("groups")).toArray().first().toString(),
                 QStringLiteral("alpha"));
        QCOMPARE(reply.json().value(QStringLiteral("admin")).toBool(), false);
        const auto admin = m_server.get(QStringLiteral("/whoami"), QStringLiteral("dave"));
        QCOMPARE(admin.json().value(QStringLiteral("admin")).toBool(), true);
    }

    void unknownRoutesAndRepositories()
    {
        const auto route = m_server.get(QStringLiteral("/no-such-route"), QStringLiteral("alice"));
        QCOMPARE(route.status, 404);
        QCOMPARE(route.errorType(), QStringLiteral("not_found"));
        const auto repo = m_server.request("GET", QStringLiteral("/api/butler/repo/nope/v1/whoami"),
                                           QStringLiteral("alice"));
        QCOMPARE(repo.status, 404);
        QVERIFY(repo.json()
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("nope")));
        const auto method =
            m_server.request("DELETE", m_server.api(QStringLiteral("/collections")), QStringLiteral("alice"));
        QCOMPARE(method.status, 405);
        QVERIFY(method.header("Allow").contains("GET"));
        QVERIFY(method.header("Allow").contains("POST"));
    }

    void badInputIs400()
    {
        const auto notJson = m_server.request("POST", m_server.api(QStringLiteral("/datasets/query")),
                                              QStringLiteral("dave"), "{not json");
        QCOMPARE(notJson.status, 400);
        QCOMPARE(notJson.errorType(), QStringLiteral("invalid_input"));
        const auto badWhere = m_server.post(
            QStringLiteral("/datasets/query"), QStringLiteral("dave"),
            QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("raw")}},
                        {QStringLiteral("collections"), QJsonArray{QStringLiteral("LSSTCam/raw/all")}},
                        {QStringLiteral("where"), QStringLiteral("exposure = = 3")}});
        QCOMPARE(badWhere.status, 400);
        QVERIFY2(badWhere.body.contains("column") || badWhere.body.contains("position") ||
                     badWhere.body.contains("at "),
                 badWhere.body.constData());
        const auto badUuid = m_server.get(QStringLiteral("/dataset?id=xyz"), QStringLiteral("dave"));
        QCOMPARE(badUuid.status, 400);
        const auto badType = m_server.get(QStringLiteral("/collections?type=NOPE"), QStringLiteral("dave"));
        QCOMPARE(badType.status, 400);
    }

    void queriesAndFind()
    {
        const auto collections =
            m_server.get(QStringLiteral("/collections?glob=LSSTCam/*"), QStringLiteral("dave"));
        QCOMPARE(collections.status, 200);
        QVERIFY(collections.json().value(QStringLiteral("collections")).toArray().size() >= 3);
        const QJsonObject query{
            {QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("raw")}},
            {QStringLiteral("collections"), QJsonArray{QStringLiteral("LSSTCam/defaults")}},
            {QStringLiteral("limit"), 5}};
        const auto page = m_server.post(QStringLiteral("/datasets/query"), QStringLiteral("dave"), query);
        QCOMPARE(page.status, 200);
        const QJsonArray refs = page.json().value(QStringLiteral("datasets")).toArray();
        QCOMPARE(refs.size(), 5);
        QVERIFY(!page.json().value(QStringLiteral("next_page_token")).toString().isEmpty());
        const QJsonObject dataId = refs.first().toObject().value(QStringLiteral("data_id")).toObject();
        const auto found = m_server.post(
            QStringLiteral("/datasets/find"), QStringLiteral("dave"),
            QJsonObject{{QStringLiteral("dataset_type"), QStringLiteral("raw")},
                        {QStringLiteral("data_id"), dataId},
                        {QStringLiteral("collections"), QJsonArray{QStringLiteral("LSSTCam/defaults")}}});
        QCOMPARE(found.status, 200);
        QCOMPARE(found.json().value(QStringLiteral("dataset")).toObject().value(QStringLiteral("id")),
                 refs.first().toObject().value(QStringLiteral("id")));
        const auto count = m_server.post(QStringLiteral("/datasets/count"), QStringLiteral("dave"), query);
        QCOMPARE(count.status, 200);
        QVERIFY(count.json().value(QStringLiteral("count")).toInteger() > 5);

        // JSON lines: one ref per line, then the page token line.
        const auto lines =
            m_server.request("POST", m_server.api(QStringLiteral("/datasets/query")), QStringLiteral("dave"),
                             QJsonDocument(query).toJson(), {{"Accept", "application/x-ndjson"}});
        QCOMPARE(lines.status, 200);
        QVERIFY(lines.header("Content-Type").startsWith("application/x-ndjson"));
        const QList<QByteArray> rows = lines.body.trimmed().split('\n');
        QCOMPARE(rows.size(), 6);
        QVERIFY(QJsonDocument::fromJson(rows.last()).object().contains(QStringLiteral("next_page_token")));
    }

    void signedDownload()
    {
        const QUuid id = m_server.datasetIn(QStringLiteral("u/alice/run"));
        const auto info = m_server.post(
            QStringLiteral("/datasets/file-info"), QStringLiteral("alice"),
            QJsonObject{{QStringLiteral("ids"), QJsonArray{id.toString(QUuid::WithoutBraces)}}});
        QCOMPARE(info.status, 200);
        const QJsonObject file = info.json().value(QStringLiteral("files")).toArray().first().toObject();
        const QString uri = file.value(QStringLiteral("uri")).toString();
        QVERIFY2(uri.startsWith(m_server.baseUrl() + QStringLiteral("/files/main/")), qPrintable(uri));
        QVERIFY(file.value(QStringLiteral("expires")).toInteger() >
                QDateTime::currentSecsSinceEpoch() + 3000);
        // The signed URL works without a token and gives the recorded bytes.
        const auto body = m_server.request("GET", uri.mid(m_server.baseUrl().size()), {});
        QCOMPARE(body.status, 200);
        QCOMPARE(qint64(body.body.size()), file.value(QStringLiteral("size")).toInteger());
        QCOMPARE(
            QStringLiteral("sha256:") +
                QString::fromLatin1(QCryptographicHash::hash(body.body, QCryptographicHash::Sha256).toHex()),
            file.value(QStringLiteral("checksum")).toString());
        const auto range =
            m_server.request("GET", uri.mid(m_server.baseUrl().size()), {}, {}, {{"Range", "bytes=0-3"}});
        QCOMPARE(range.status, 206);
        QCOMPARE(range.body, body.body.left(4));
        // Tampering with the path or the signature is refused.
        QString tampered = uri.mid(m_server.baseUrl().size());
        tampered.replace(QStringLiteral("signature="), QStringLiteral("signature=A"));
        QCOMPARE(m_server.request("GET", tampered, {}).status, 403);
        // The stable download route redirects to a fresh signed URL.
        const auto redirect =
            m_server.get(QStringLiteral("/datasets/download?id=") + id.toString(QUuid::WithoutBraces),
                         QStringLiteral("alice"));
        QCOMPARE(redirect.status, 307);
        QVERIFY(redirect.header("Location").contains("/files/main/"));
    }

    void requestIdsAreEchoed()
    {
        const auto reply =
            m_server.request("GET", m_server.api(QStringLiteral("/whoami")), QStringLiteral("alice"), {},
                             {{"X-Butler-Client-Request-Id", "test-request-42"}});
        QCOMPARE(reply.header("X-Butler-Client-Request-Id"), QByteArray("test-request-42"));
    }

    void accessLogTimesTheWaitAndTheRun()
    {
        const auto reply =
            m_server.request("GET", m_server.api(QStringLiteral("/collections")), QStringLiteral("alice"), {},
                             {{"X-Butler-Client-Request-Id", "timing-request-7"}});
        QCOMPARE(reply.status, 200);
        // The line is written once the answer is out: it may come just after the client read it.
        // Peeked, not read: gracefulStopAndLog reads the whole log at the end.
        QProcess& server = m_server.process();
        const QProcess::ProcessChannel channel = server.readChannel();
        server.setReadChannel(QProcess::StandardError);
        const auto restore = qScopeGuard([&] { server.setReadChannel(channel); });
        QByteArray line;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                server.waitForReadyRead(50);
                const QByteArray log = server.peek(server.bytesAvailable());
                for (const QByteArray& candidate : log.split('\n'))
                    if (candidate.contains(" timing-request-7"))
                        line = candidate;
                return !line.isEmpty();
            }(),
            10000);
        // "... GET /api/.../collections 200 BYTES TOTALms alice timing-request-7 wait=Xms run=Yms"
        const QList<QByteArray> fields = line.split(' ');
        const qsizetype at = fields.indexOf(QByteArray("timing-request-7"));
        QVERIFY2(at >= 2 && at + 2 < fields.size(), line.constData());
        QCOMPARE(fields[at - 1], QByteArray("alice"));
        const auto milliseconds = [](const QByteArray& field, const char* prefix) {
            if (!field.startsWith(prefix) || !field.endsWith("ms"))
                return -1.0;
            bool ok = false;
            const double value = field.mid(qstrlen(prefix), field.size() - qstrlen(prefix) - 2).toDouble(&ok);
            return ok ? value : -1.0;
        };
        const double total = milliseconds(fields[at - 2], "");
        const double wait = milliseconds(fields[at + 1], "wait=");
        const double run = milliseconds(fields[at + 2], "run=");
        QVERIFY2(total > 0 && wait >= 0 && run > 0, line.constData());
        // Both are parts of the total (rounded to 0.01 ms each).
        QVERIFY2(wait + run <= total + 0.02, line.constData());
    }

    void metricsCountRequests()
    {
        const auto reply = m_server.request("GET", QStringLiteral("/metrics"), {});
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.contains("butler_http_requests_total{"));
        QVERIFY(reply.body.contains("butler_http_request_duration_seconds_bucket{"));
        QVERIFY(reply.body.contains("/api/butler/repo/{label}/v1/whoami"));
    }

    void adminsSetProprietaryDates()
    {
        const QString raw = QStringLiteral("LSSTCam/raw/all");
        const QString name = QStringLiteral("/collection?name=") + ServerFixture::enc(raw);
        QCOMPARE(m_server.get(name, QStringLiteral("frank")).status, 404); // proprietary: hidden
        const QJsonObject edit{{QStringLiteral("collection"), raw},
                               {QStringLiteral("release_date"), QStringLiteral("2019-01-01T00:00:00Z")},
                               {QStringLiteral("proprietary_until"), QStringLiteral("2020-01-01T00:00:00Z")}};
        // Only admins; alice cannot even see the collection.
        QCOMPARE(m_server.post(QStringLiteral("/acl"), QStringLiteral("alice"), edit).status, 404);
        const auto bad =
            m_server.post(QStringLiteral("/acl"), QStringLiteral("dave"),
                          QJsonObject{{QStringLiteral("collection"), raw},
                                      {QStringLiteral("proprietary_until"), QStringLiteral("soon")}});
        QCOMPARE(bad.status, 400);
        QCOMPARE(m_server.get(name, QStringLiteral("frank")).status, 404); // unchanged
        const auto set = m_server.post(QStringLiteral("/acl"), QStringLiteral("dave"), edit);
        QVERIFY2(set.status == 200, set.body.constData());
        QVERIFY2(set.json()
                     .value(QStringLiteral("proprietary_until"))
                     .toString()
                     .startsWith(QStringLiteral("2020-01-01")),
                 set.body.constData());
        QCOMPARE(m_server.get(name, QStringLiteral("frank")).status, 200); // public now
    }

    // Last: stops the server and reads its log.
    // Answers of writes against the description: a dataset type registered, an upload reserved
    // and aborted, a dataset pruned into the trash and restored.
    void writeAnswersMatchTheirSchemas()
    {
        expectDescribed(
            {"POST", QStringLiteral("/dataset-types"), QStringLiteral("dave"),
             QStringLiteral(
                 R"({"name":"described","dimensions":["instrument"],"storage_class":"StructuredDataDict"})")});
        const auto reserved = m_server.post(
            QStringLiteral("/uploads"), QStringLiteral("alice"),
            QJsonDocument::fromJson(
                R"({"run":"u/alice/run","dataset_type":"described","files":[{"data_id":{"instrument":"LSSTCam"},"size":5}]})")
                .object());
        QCOMPARE(reserved.status, 201);
        const QString uploadId = reserved.json().value(QStringLiteral("upload_id")).toString();
        QVERIFY(!uploadId.isEmpty());
        expectDescribed({"POST", QStringLiteral("/uploads/abort"), QStringLiteral("alice"),
                         QStringLiteral(R"({"upload_id":"%1"})").arg(uploadId)});
        expectDescribed(
            {"POST", QStringLiteral("/uploads"), QStringLiteral("alice"),
             QStringLiteral(R"({"run":"u/alice/run","dataset_type":"described","resume":true,)"
                            R"("files":[{"data_id":{"instrument":"LSSTCam"},"size":5,"sha256":"%1"}]})")
                 .arg(QString(64, u'0'))});
        const QString bobs = m_server.datasetIn(QStringLiteral("u/bob/run")).toString(QUuid::WithoutBraces);
        expectDescribed({"POST", QStringLiteral("/datasets/prune"), QStringLiteral("bob"),
                         QStringLiteral(R"({"ids":["%1"],"purge":true})").arg(bobs)});
        expectDescribed({"GET", QStringLiteral("/trash"), QStringLiteral("bob"), {}});
        const QJsonArray entries = m_server.get(QStringLiteral("/trash"), QStringLiteral("bob"))
                                       .json()
                                       .value(QStringLiteral("entries"))
                                       .toArray();
        QCOMPARE(entries.size(), 1);
        expectDescribed({"POST", QStringLiteral("/trash/restore"), QStringLiteral("bob"),
                         QStringLiteral(R"({"names":["%1"]})")
                             .arg(entries.first().toObject().value(QStringLiteral("name")).toString())});
        QCOMPARE(m_server.get(QStringLiteral("/dataset?id=") + bobs, QStringLiteral("bob")).status, 200);
    }

    void gracefulStopAndLog()
    {
        QCOMPARE(m_server.stop(), 0);
        const QString log = QString::fromUtf8(m_server.process().readAllStandardError());
        QVERIFY2(log.contains(QStringLiteral("test-request-42")), qPrintable(log.right(2000)));
        QVERIFY(log.contains(QStringLiteral(" alice ")));
        QVERIFY(log.contains(QStringLiteral("stopping")));
    }

private:
    struct Call
    {
        QByteArray method;
        QString path; // below the repository base, with its query string
        QString user;
        QString body;
    };

    // Sends `call` and checks its body and its answer against the served description.
    void expectDescribed(const Call& call)
    {
        const QJsonObject document =
            m_server.request("GET", QStringLiteral("/api/butler/openapi.json"), {}).json();
        const QJsonObject schemas = document.value(QStringLiteral("components"))
                                        .toObject()
                                        .value(QStringLiteral("schemas"))
                                        .toObject();
        const QJsonObject paths = document.value(QStringLiteral("paths")).toObject();
        const QString path = call.path.section(u'?', 0, 0);
        const QJsonObject operation = paths.value(QStringLiteral("/api/butler/repo/{label}/v1") + path)
                                          .toObject()
                                          .value(QString::fromLatin1(call.method.toLower()))
                                          .toObject();
        QVERIFY2(!operation.isEmpty(), qPrintable(path));
        if (!call.body.isEmpty()) {
            const QJsonObject requestSchema = operation.value(QStringLiteral("requestBody"))
                                                  .toObject()
                                                  .value(QStringLiteral("content"))
                                                  .toObject()
                                                  .value(QStringLiteral("application/json"))
                                                  .toObject()
                                                  .value(QStringLiteral("schema"))
                                                  .toObject();
            const QString problem = mismatch(QJsonDocument::fromJson(call.body.toUtf8()).object(),
                                             requestSchema, schemas, QStringLiteral("request"));
            QVERIFY2(problem.isEmpty(), qPrintable(path + u' ' + problem));
        }
        const auto answer =
            m_server.request(call.method, m_server.api(call.path), call.user, call.body.toUtf8());
        QVERIFY2(answer.status == 200 || answer.status == 201,
                 qPrintable(call.path + QStringLiteral(" -> %1 ").arg(answer.status) + answer.body));
        const QJsonObject response = operation.value(QStringLiteral("responses"))
                                         .toObject()
                                         .value(QString::number(answer.status))
                                         .toObject();
        QVERIFY2(!response.isEmpty(),
                 qPrintable(path + QStringLiteral(": status %1 not described").arg(answer.status)));
        const QJsonObject answerSchema = response.value(QStringLiteral("content"))
                                             .toObject()
                                             .value(QStringLiteral("application/json"))
                                             .toObject()
                                             .value(QStringLiteral("schema"))
                                             .toObject();
        const QString problem = mismatch(QJsonDocument::fromJson(answer.body).object(), answerSchema, schemas,
                                         QStringLiteral("answer"));
        QVERIFY2(problem.isEmpty(),
                 qPrintable(path + u' ' + problem + u' ' + QString::fromUtf8(answer.body.left(400))));
    }

    ServerFixture m_server;
};

QTEST_GUILESS_MAIN(TestServer)
#include "tst_server.moc"
