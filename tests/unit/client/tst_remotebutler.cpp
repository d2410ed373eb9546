#include "ContentHash.h"
#include "FakeButlerServer.h"
#include "RefusedPort.h"
#include "RemoteButler.h"
#include "WireFormat.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <chrono>
#include <functional>

// RemoteButler's HTTP behaviour against a QHttpServer in the test that plays the server's side:
// the headers it sends, how it maps answers to errors, Retry-After, downloads and their checks.
// The real butler-server is not involved.

using namespace butler;
using namespace fake;
using namespace std::chrono_literals;

namespace {

const QByteArray kToken = QByteArrayLiteral("test-token-123");

// Sleeps recorded instead of spent: Retry-After is checked without wall-clock time.
struct SleepLog
{
    QList<std::chrono::milliseconds> waits;

    RemoteOptions options(std::chrono::milliseconds budget = 30s)
    {
        RemoteOptions result;
        result.retryBudget = budget;
        result.sleep = [this](std::chrono::milliseconds duration) -> QCoro::Task<> {
            waits.append(duration);
            co_return;
        };
        return result;
    }
};

std::unique_ptr<RemoteButler> connectOrFail(const FakeServer& server, RemoteOptions options = {})
{
    Result<std::unique_ptr<RemoteButler>> butler =
        RemoteButler::connect(server.repoUrl(), QString::fromLatin1(kToken), std::move(options));
    if (!butler.ok())
        qFatal("connect failed: %s", qPrintable(butler.error().message()));
    return std::move(butler).value();
}

DatasetRef makeRef(const QString& run = QStringLiteral("u/alice/run"))
{
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    const DatasetType type =
        DatasetType::make(universe, "raw", {"instrument", "detector", "exposure"}, "Exposure").value();
    const DataCoordinate dataId =
        DataCoordinate::fromMap(
            universe, type.dimensions(),
            {{"instrument", "LSSTCam"}, {"detector", 9}, {"exposure", qint64(2025061500001)}})
            .value();
    return DatasetRef(QUuid::createUuid(), type, dataId, run);
}

// Answers file-info with a signed URL on the same server, and the file itself.
struct FileServing
{
    QUuid id = QUuid::createUuid();
    QByteArray content = QByteArrayLiteral("SIMPLE  =                    T / a FITS file, or so");
    qint64 declaredSize = -1; // -1: the content's size
    QString checksum;         // empty: the content's
    QByteArray served;        // empty: the content

    Reply operator()(const FakeServer& server, const Recorded& request) const
    {
        if (request.path.endsWith(QLatin1String("/datasets/file-info"))) {
            FileInfo info;
            info.id = id;
            info.uri =
                server.base() + QStringLiteral("/files/main/raw/x.fits?method=GET&expires=1&signature=abc");
            info.path = QStringLiteral("raw/x.fits");
            info.formatter = QStringLiteral("fits");
            info.size = declaredSize >= 0 ? declaredSize : content.size();
            info.checksum =
                checksum.isEmpty()
                    ? QStringLiteral("sha256:") +
                          QString::fromLatin1(
                              QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex())
                    : checksum;
            return json(QJsonObject{{"files", QJsonArray{WireFormat::toJson(info, 1767225600)}}});
        }
        if (request.path.startsWith(QLatin1String("/files/")))
            return {200, served.isEmpty() ? content : served, "application/octet-stream"};
        return FakeServer::defaultReply(request);
    }
};

} // namespace

class TstRemoteButler : public QObject
{
    Q_OBJECT

private slots:
    void connectSendsHeaders();
    void requestIdsAreUnique();
    void locationParsing_data();
    void locationParsing();
    void errorMapping_data();
    void errorMapping();
    void unauthenticatedSaysHowToGetAToken();
    void retryAfterHonoured();
    void retryAfterCapped();
    void retryBudgetIsTotal();
    void noRetryOfWritesOn503();
    void rateLimitedWritesAreRetried();
    void connectionRefused();
    void noSuchRepository();
    void notAButlerServer();
    void badJsonFromServer_data();
    void badJsonFromServer();
    void queryDatasetsRoundTrip();
    void getDownloadsAndVerifies();
    void downloadChecks_data();
    void downloadChecks();
    void signedUrlWithExpiry();
    void putSendsBytesAndParameters();
    void putAbortsWhenTheUploadFails();
    void newRunUploadChecksWhatArrived_data();
    void newRunUploadChecksWhatArrived();
    void newRunUploadFallsBackToHashingFirst();
    void batchesOverlapIntoANewRun_data();
    void batchesOverlapIntoANewRun();
    void ingestRefusesOtherTransferModes();
    void collectionQueryParameters();
    void worksOnAnotherThread();
    void coroutineApi();
};

void TstRemoteButler::connectSendsHeaders()
{
    FakeServer server;
    QVERIFY(server.port() != 0);
    const auto butler = connectOrFail(server);
    QCOMPARE(butler->location(), server.repoUrl());
    QCOMPARE(butler->universe().version(), DimensionUniverse::defaultUniverse().version());
    QCOMPARE(server.requests.size(), 1);
    const Recorded& request = server.requests.first();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.path, server.apiPath("/universe"));
    QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer ") + kToken);
    QVERIFY2(request.headers.value("user-agent").startsWith("butler/"), request.headers.value("user-agent"));
    QVERIFY(!QUuid::fromString(QString::fromLatin1(request.headers.value("x-butler-client-request-id")))
                 .isNull());

    const Result<RemoteIdentity> identity = butler->whoami();
    QVERIFY2(identity.ok(), identity.ok() ? "" : qPrintable(identity.error().message()));
    QCOMPARE(identity->user, QStringLiteral("alice"));
    QCOMPARE(identity->groups, (QStringList{"g1", "g2"}));
    QCOMPARE(identity->admin, false);
    QCOMPARE(identity->dataRights, true);
}

void TstRemoteButler::requestIdsAreUnique()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    for (int i = 0; i < 5; ++i)
        QVERIFY(butler->whoami().ok());
    QSet<QByteArray> ids;
    for (const Recorded& request : server.requests)
        ids.insert(request.headers.value("x-butler-client-request-id"));
    QCOMPARE(ids.size(), server.requests.size());
    QCOMPARE(ids.size(), 6);
}

void TstRemoteButler::locationParsing_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("serverBase");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("api");

    QTest::newRow("plain") << "http://127.0.0.1:8080/api/butler/repo/main"
                           << "http://127.0.0.1:8080"
                           << "main"
                           << "http://127.0.0.1:8080/api/butler/repo/main/v1/collections";
    QTest::newRow("trailing slash and v1") << "https://Butler.Example.org/api/butler/repo/dp1/v1/"
                                           << "https://butler.example.org"
                                           << "dp1"
                                           << "https://butler.example.org/api/butler/repo/dp1/v1/collections";
    QTest::newRow("behind a prefix") << "https://host:8443/rubin/api/butler/repo/main"
                                     << "https://host:8443/rubin"
                                     << "main"
                                     << "https://host:8443/rubin/api/butler/repo/main/v1/collections";
    QTest::newRow("no repo path") << "http://host:1/butler/main" << QString() << QString() << QString();
    QTest::newRow("no label") << "http://host:1/api/butler/repo/" << QString() << QString() << QString();
    QTest::newRow("ftp") << "ftp://host/api/butler/repo/main" << QString() << QString() << QString();
    QTest::newRow("credentials in URL")
        << "http://u:p@host/api/butler/repo/main" << QString() << QString() << QString();
    QTest::newRow("query") << "http://host/api/butler/repo/main?token=x" << QString() << QString()
                           << QString();
}

void TstRemoteButler::locationParsing()
{
    QFETCH(QString, url);
    QFETCH(QString, serverBase);
    QFETCH(QString, label);
    QFETCH(QString, api);
    const Result<RemoteLocation> location = RemoteLocation::parse(url);
    if (serverBase.isEmpty()) {
        QVERIFY(!location.ok());
        QCOMPARE(location.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(location.error().message().contains("/api/butler/repo/LABEL"),
                 qPrintable(location.error().message()));
        return;
    }
    QVERIFY2(location.ok(), location.ok() ? "" : qPrintable(location.error().message()));
    QCOMPARE(location->serverBase(), serverBase);
    QCOMPARE(location->label(), label);
    QCOMPARE(location->apiUrl("/collections").toString(), api);
}

void TstRemoteButler::errorMapping_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("kind");

    QTest::newRow("400") << 400 << "invalid_input" << int(ErrorKind::InvalidInput);
    QTest::newRow("401") << 401 << "unauthenticated" << int(ErrorKind::Unauthenticated);
    QTest::newRow("403") << 403 << "permission_denied" << int(ErrorKind::PermissionDenied);
    QTest::newRow("404") << 404 << "not_found" << int(ErrorKind::NotFound);
    QTest::newRow("409") << 409 << "conflict" << int(ErrorKind::Conflict);
    QTest::newRow("413") << 413 << "quota_exceeded" << int(ErrorKind::QuotaExceeded);
    QTest::newRow("429 without Retry-After") << 429 << "rate_limited" << int(ErrorKind::Unavailable);
    QTest::newRow("503 without Retry-After") << 503 << "unavailable" << int(ErrorKind::Unavailable);
    QTest::newRow("500") << 500 << "internal" << int(ErrorKind::Internal);
    QTest::newRow("502 from a proxy, no JSON") << 502 << QString() << int(ErrorKind::Unavailable);
}

void TstRemoteButler::errorMapping()
{
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(int, kind);
    FakeServer server;
    // 429 and 503 are retried until the budget is spent: recorded, not waited for.
    SleepLog sleeps;
    const auto butler = connectOrFail(server, sleeps.options());
    server.handler = [&](const Recorded&) {
        if (type.isEmpty())
            return Reply{status, "<html>Bad Gateway</html>", "text/html"};
        return errorReply(status, type, "the server says no");
    };
    const Result<CollectionInfo> info = butler->getCollection(QStringLiteral("u/alice/a+b&c"));
    QVERIFY(!info.ok());
    QCOMPARE(int(info.error().kind()), kind);
    if (!type.isEmpty())
        QVERIFY2(info.error().message().contains("the server says no"), qPrintable(info.error().message()));
    else
        QVERIFY2(info.error().message().contains("502"), qPrintable(info.error().message()));
    // The collection name survives the query string, '+' and '&' included.
    QCOMPARE(server.requests.last().query.queryItemValue("name", QUrl::FullyDecoded),
             QStringLiteral("u/alice/a+b&c"));
}

void TstRemoteButler::unauthenticatedSaysHowToGetAToken()
{
    FakeServer server;
    server.handler = [](const Recorded&) {
        Reply reply = errorReply(401, "unauthenticated", "token expired");
        reply.headers.append(QPair<QByteArray, QByteArray>{
            "WWW-Authenticate", "Bearer realm=\"butler\", error=\"invalid_token\""});
        return reply;
    };
    const Result<std::unique_ptr<RemoteButler>> butler = RemoteButler::connect(server.repoUrl(), "old");
    QVERIFY(!butler.ok());
    QCOMPARE(butler.error().kind(), ErrorKind::Unauthenticated);
    QVERIFY2(butler.error().message().contains("token expired"), qPrintable(butler.error().message()));
    QVERIFY2(butler.error().message().contains("butler login"), qPrintable(butler.error().message()));
    QVERIFY2(butler.error().message().contains("--token-file"), qPrintable(butler.error().message()));
}

void TstRemoteButler::retryAfterHonoured()
{
    FakeServer server;
    SleepLog sleeps;
    const auto butler = connectOrFail(server, sleeps.options());
    int busy = 2;
    server.handler = [&](const Recorded& request) {
        if (busy-- > 0) {
            Reply reply = errorReply(429, "rate_limited", "slow down");
            reply.headers.append(QPair<QByteArray, QByteArray>{"Retry-After", "2"});
            return reply;
        }
        return FakeServer::defaultReply(request);
    };
    const Result<RemoteIdentity> identity = butler->whoami();
    QVERIFY2(identity.ok(), identity.ok() ? "" : qPrintable(identity.error().message()));
    QCOMPARE(server.count("/whoami"), 3);
    QCOMPARE(sleeps.waits, (QList<std::chrono::milliseconds>{2s, 2s}));
}

void TstRemoteButler::retryAfterCapped()
{
    FakeServer server;
    SleepLog sleeps;
    const auto butler = connectOrFail(server, sleeps.options());
    server.handler = [&](const Recorded&) {
        Reply reply = errorReply(503, "unavailable", "maintenance");
        reply.headers.append(QPair<QByteArray, QByteArray>{"Retry-After", "3600"});
        return reply;
    };
    const Result<RemoteIdentity> identity = butler->whoami();
    QVERIFY(!identity.ok());
    QCOMPARE(identity.error().kind(), ErrorKind::Unavailable);
    QVERIFY2(identity.error().message().contains("maintenance"), qPrintable(identity.error().message()));
    QVERIFY2(identity.error().message().contains("3600 s"), qPrintable(identity.error().message()));
    // An hour is past the budget: no waiting at all, one request.
    QCOMPARE(server.count("/whoami"), 1);
    QVERIFY(sleeps.waits.isEmpty());
}

void TstRemoteButler::retryBudgetIsTotal()
{
    FakeServer server;
    SleepLog sleeps;
    const auto butler = connectOrFail(server, sleeps.options(30s));
    server.handler = [&](const Recorded&) {
        Reply reply = errorReply(429, "rate_limited", "slow down");
        reply.headers.append(QPair<QByteArray, QByteArray>{"Retry-After", "12"});
        return reply;
    };
    QVERIFY(!butler->whoami().ok());
    // 12 + 12 fits in 30 s, a third wait would not.
    QCOMPARE(sleeps.waits, (QList<std::chrono::milliseconds>{12s, 12s}));
    QCOMPARE(server.count("/whoami"), 3);
}

void TstRemoteButler::noRetryOfWritesOn503()
{
    FakeServer server;
    SleepLog sleeps;
    const auto butler = connectOrFail(server, sleeps.options());
    server.handler = [&](const Recorded&) {
        Reply reply = errorReply(503, "unavailable", "database locked");
        reply.headers.append(QPair<QByteArray, QByteArray>{"Retry-After", "1"});
        return reply;
    };
    const Status status = butler->registerCollection(QStringLiteral("u/alice/new"), CollectionType::Run);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().kind(), ErrorKind::Unavailable);
    QCOMPARE(server.count("/collections"), 1);
    QVERIFY(sleeps.waits.isEmpty());
    // A query POST may be repeated.
    sleeps.waits.clear();
    QVERIFY(!butler->queryDatasets(DatasetQuery()).ok());
    QVERIFY(server.count("/datasets/query") > 1);
    QVERIFY(!sleeps.waits.isEmpty());
}

void TstRemoteButler::rateLimitedWritesAreRetried()
{
    FakeServer server;
    SleepLog sleeps;
    const auto butler = connectOrFail(server, sleeps.options());
    bool limited = true;
    server.handler = [&](const Recorded& request) {
        if (limited) {
            limited = false;
            Reply reply = errorReply(429, "rate_limited", "slow down");
            reply.headers.append(QPair<QByteArray, QByteArray>{"Retry-After", "1"});
            return reply;
        }
        if (request.path.endsWith("/collections"))
            return json(CollectionInfo{"u/alice/new", CollectionType::Run, {}, {}}.toJson(), 201);
        return FakeServer::defaultReply(request);
    };
    const Status status = butler->registerCollection(QStringLiteral("u/alice/new"), CollectionType::Run);
    QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
    QCOMPARE(server.count("/collections"), 2);
    const QJsonObject body = QJsonDocument::fromJson(server.requests.last().body).object();
    QCOMPARE(body.value("name").toString(), QStringLiteral("u/alice/new"));
    QCOMPARE(body.value("type").toString(), QStringLiteral("RUN"));
}

void TstRemoteButler::connectionRefused()
{
    const RefusedPort refused;
    const quint16 port = refused.port();
    const QString url = QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(port);
    const Result<std::unique_ptr<RemoteButler>> butler = RemoteButler::connect(url, "t");
    QVERIFY(!butler.ok());
    QCOMPARE(butler.error().kind(), ErrorKind::Unavailable);
    QCOMPARE(butler.error().message(),
             QStringLiteral("cannot reach server at 127.0.0.1:%1 (connection refused)").arg(port));
}

void TstRemoteButler::noSuchRepository()
{
    FakeServer server;
    const Result<std::unique_ptr<RemoteButler>> butler = RemoteButler::connect(server.repoUrl("nope"), "t");
    QVERIFY(!butler.ok());
    QCOMPARE(butler.error().kind(), ErrorKind::NotFound);
    QVERIFY2(butler.error().message().startsWith("no repository 'nope' on this server"),
             qPrintable(butler.error().message()));
    QVERIFY2(butler.error().message().contains("main, other"), qPrintable(butler.error().message()));
}

void TstRemoteButler::notAButlerServer()
{
    FakeServer server;
    server.handler = [](const Recorded&) { return Reply{404, "Not Found", "text/plain"}; };
    const Result<std::unique_ptr<RemoteButler>> butler = RemoteButler::connect(server.repoUrl(), "t");
    QVERIFY(!butler.ok());
    QCOMPARE(butler.error().kind(), ErrorKind::NotFound);
    QVERIFY2(butler.error().message().contains("is the URL right?"), qPrintable(butler.error().message()));
}

void TstRemoteButler::badJsonFromServer_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("not JSON") << QByteArray("<html>hello</html>") << "is not a JSON object";
    QTest::newRow("truncated") << QByteArray(R"({"datasets":[{"id":)") << "is not a JSON object";
    QTest::newRow("an array") << QByteArray("[1,2]") << "is not a JSON object";
    QTest::newRow("wrong shape") << QByteArray(R"({"datasets":5})") << "cannot read the server's answer";
    QTest::newRow("ref without type")
        << QByteArray(R"({"datasets":[{"id":"6f1e4a0c-3f1c-4c55-9d2a-0d2b0c1f0a11"}]})")
        << "cannot read the server's answer";
}

void TstRemoteButler::badJsonFromServer()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    FakeServer server;
    const auto butler = connectOrFail(server);
    server.handler = [&](const Recorded&) { return Reply{200, body}; };
    const Result<DatasetPage> page = butler->queryDatasets(DatasetQuery());
    QVERIFY(!page.ok());
    QCOMPARE(page.error().kind(), ErrorKind::Io);
    QVERIFY2(page.error().message().contains(message), qPrintable(page.error().message()));
}

void TstRemoteButler::queryDatasetsRoundTrip()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    DatasetPage page;
    page.refs = {makeRef(), makeRef()};
    page.nextPageToken = QStringLiteral("next-1");
    server.handler = [&](const Recorded& request) {
        if (request.path.endsWith("/datasets/query"))
            return json(WireFormat::toJson(page));
        return FakeServer::defaultReply(request);
    };
    DatasetQuery query;
    query.datasetTypes = {"raw"};
    query.collections = {"u/alice/*"};
    query.where = "detector = :d";
    query.bind = {{"d", qint64(9)}};
    query.limit = 2;
    const Result<DatasetPage> got = butler->queryDatasets(query);
    QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().message()));
    QCOMPARE(got->refs.size(), 2);
    QVERIFY(got->refs[0] == page.refs[0]);
    QCOMPARE(got->nextPageToken, QStringLiteral("next-1"));
    const Recorded& request = server.requests.last();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.headers.value("content-type"), QByteArray("application/json"));
    const Result<DatasetQuery> sent =
        WireFormat::datasetQueryFromJson(QJsonDocument::fromJson(request.body).object());
    QVERIFY(sent.ok());
    QCOMPARE(sent->collections, query.collections);
    QCOMPARE(sent->where, query.where);
    QCOMPARE(sent->bind, query.bind);
    QCOMPARE(sent->limit, 2);
}

void TstRemoteButler::getDownloadsAndVerifies()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    FileServing files;
    server.handler = [&](const Recorded& request) { return files(server, request); };
    QString formatter;
    const Result<QByteArray> bytes = butler->get(files.id, &formatter);
    QVERIFY2(bytes.ok(), bytes.ok() ? "" : qPrintable(bytes.error().message()));
    QCOMPARE(bytes.value(), files.content);
    QCOMPARE(formatter, QStringLiteral("fits"));
    const Recorded& download = server.requests.last();
    QVERIFY(download.path.startsWith("/files/"));
    QCOMPARE(download.query.queryItemValue("signature"), QStringLiteral("abc"));
    // The signed URL carries its own authorization: the token stays home.
    QVERIFY(!download.headers.contains("authorization"));
    QVERIFY(download.headers.contains("x-butler-client-request-id"));
    const QJsonObject asked =
        QJsonDocument::fromJson(server.requests[server.requests.size() - 2].body).object();
    QCOMPARE(asked.value("ids").toArray(), (QJsonArray{files.id.toString(QUuid::WithoutBraces)}));
}

void TstRemoteButler::downloadChecks_data()
{
    QTest::addColumn<int>("change");
    QTest::addColumn<QString>("message");
    QTest::newRow("checksum mismatch") << 0 << "does not match its checksum";
    QTest::newRow("shorter than recorded") << 1 << "not the recorded";
    QTest::newRow("longer than recorded") << 2 << "more than the expected";
    QTest::newRow("unknown checksum kind") << 3 << "only sha256";
}

void TstRemoteButler::downloadChecks()
{
    QFETCH(int, change);
    QFETCH(QString, message);
    FakeServer server;
    const auto butler = connectOrFail(server);
    FileServing files;
    switch (change) {
    case 0:
        files.served = files.content;
        files.served[0] = 'X';
        break;
    case 1:
        files.served = files.content.left(10);
        break;
    case 2:
        files.served = files.content + QByteArray(100000, 'x');
        break;
    case 3:
        files.checksum = QStringLiteral("md5:0123");
        break;
    }
    server.handler = [&](const Recorded& request) { return files(server, request); };
    const Result<QByteArray> bytes = butler->get(files.id);
    QVERIFY(!bytes.ok());
    QCOMPARE(bytes.error().kind(), ErrorKind::Io);
    QVERIFY2(bytes.error().message().contains(message), qPrintable(bytes.error().message()));
}

void TstRemoteButler::signedUrlWithExpiry()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    FileServing files;
    server.handler = [&](const Recorded& request) { return files(server, request); };
    const Result<SignedFileInfo> url = butler->downloadUrl(files.id, 600);
    QVERIFY2(url.ok(), url.ok() ? "" : qPrintable(url.error().message()));
    QVERIFY(url->file.uri.contains("signature=abc"));
    QCOMPARE(url->expires, QDateTime::fromSecsSinceEpoch(1767225600, Qt::UTC));
    const QJsonObject asked = QJsonDocument::fromJson(server.requests.last().body).object();
    QCOMPARE(asked.value("ttl_seconds").toInteger(), 600);

    // A dataset without a file: file-info answers nothing, the dataset exists.
    const DatasetRef ref = makeRef();
    server.handler = [&](const Recorded& request) {
        if (request.path.endsWith("/datasets/file-info"))
            return json(QJsonObject{{"files", QJsonArray()}});
        if (request.path.endsWith("/dataset"))
            return json(ref.toJson());
        return FakeServer::defaultReply(request);
    };
    const Result<QByteArray> none = butler->get(ref.id());
    QVERIFY(!none.ok());
    QCOMPARE(none.error().kind(), ErrorKind::NotFound);
    QVERIFY2(none.error().message().contains("has no stored file"), qPrintable(none.error().message()));
}

void TstRemoteButler::putSendsBytesAndParameters()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    const DatasetRef ref = makeRef("u/alice/a&b=c");
    const QString uploadPath = QStringLiteral("/files/main/u/alice/a_b_c/raw/raw.fits");
    server.handler = [&](const Recorded& request) {
        if (request.path.endsWith("/uploads"))
            return json(QJsonObject{{"upload_id", "up-1"},
                                    {"expires", 2000000000},
                                    {"reserved_bytes", 18},
                                    {"files", QJsonArray{QJsonObject{{"dataset_id", ref.idString()},
                                                                     {"status", "upload"},
                                                                     {"path", "u/alice/a_b_c/raw/raw.fits"},
                                                                     {"url", server.base() + uploadPath +
                                                                                 "?method=PUT&size=18&sig=x"},
                                                                     {"expires", 2000000000}}}}},
                        201);
        if (request.path == uploadPath)
            return json(QJsonObject{{"dataset_id", ref.idString()}, {"size", 18}}, 201);
        if (request.path.endsWith("/uploads/commit"))
            return json(QJsonObject{{"datasets", QJsonArray{ref.toJson()}}});
        return FakeServer::defaultReply(request);
    };
    const QByteArray bytes = QByteArray(2, '\0') + QByteArray("binary+data&more");
    const QVariantMap dataId{{"instrument", "LSSTCam"}, {"detector", 9}, {"exposure", qint64(2025061500001)}};
    const Result<DatasetRef> put = butler->put(bytes, "fits", "raw", dataId, "u/alice/a&b=c");
    QVERIFY2(put.ok(), put.ok() ? "" : qPrintable(put.error().message()));
    QVERIFY(put.value() == ref);
    QCOMPARE(server.requests.size() >= 3, true);
    // Reserve: the run, the type, the data ID, the size and the sha256 of the bytes.
    const Recorded& reserve = server.requests[server.requests.size() - 3];
    QVERIFY(reserve.path.endsWith("/uploads"));
    const QJsonObject body = QJsonDocument::fromJson(reserve.body).object();
    QCOMPARE(body.value("run").toString(), QStringLiteral("u/alice/a&b=c"));
    const QJsonObject file = body.value("files").toArray().first().toObject();
    QCOMPARE(file.value("dataset_type").toString(), QStringLiteral("raw"));
    QCOMPARE(file.value("formatter").toString(), QStringLiteral("fits"));
    QCOMPARE(file.value("size").toInteger(), qint64(bytes.size()));
    QCOMPARE(file.value("sha256").toString(),
             QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(file.value("data_id").toObject().toVariantMap(),
             (QVariantMap{
                 {"instrument", "LSSTCam"}, {"detector", qint64(9)}, {"exposure", qint64(2025061500001)}}));
    // The bytes go to the signed URL, without the token.
    const Recorded& upload = server.requests[server.requests.size() - 2];
    QCOMPARE(upload.method, QByteArray("PUT"));
    QCOMPARE(upload.path, uploadPath);
    QCOMPARE(upload.body, bytes);
    QCOMPARE(upload.headers.value("content-type"), QByteArray("application/octet-stream"));
    QVERIFY(!upload.headers.contains("authorization"));
    const Recorded& commit = server.requests.last();
    QVERIFY(commit.path.endsWith("/uploads/commit"));
    QCOMPARE(QJsonDocument::fromJson(commit.body).object().value("upload_id").toString(),
             QStringLiteral("up-1"));
}

void TstRemoteButler::putAbortsWhenTheUploadFails()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    const DatasetRef ref = makeRef("u/alice/run");
    server.handler = [&](const Recorded& request) {
        if (request.path.endsWith("/uploads"))
            return json(
                QJsonObject{{"upload_id", "up-2"},
                            {"files", QJsonArray{QJsonObject{{"dataset_id", ref.idString()},
                                                             {"status", "upload"},
                                                             {"path", "x"},
                                                             {"url", server.base() + "/files/main/x?s=1"}}}}},
                201);
        if (request.path.startsWith("/files/"))
            return errorReply(403, "permission_denied", "signed URL refused: expired 3 s ago");
        if (request.path.endsWith("/uploads/abort"))
            return json(QJsonObject{{"released_bytes", 4}});
        return FakeServer::defaultReply(request);
    };
    const Result<DatasetRef> put =
        butler->put("data", "bytes", "raw", {{"instrument", "LSSTCam"}}, "u/alice/run");
    QVERIFY(!put.ok());
    QCOMPARE(put.error().kind(), ErrorKind::PermissionDenied);
    QVERIFY2(put.error().message().contains("expired"), qPrintable(put.error().message()));
    QCOMPARE(server.count("/uploads/abort"), 1);
    QCOMPARE(server.count("/uploads/commit"), 0);
}

namespace {

// A fake server's side of an upload of `count` files: the reservation (recording whether it
// carried sha256s), PUTs answered by `checksumFor`, and the commit with refs of the slots' IDs.
struct FakeUploads
{
    FakeUploads(FakeServer& fake, int files, QString statusOfFirst = QStringLiteral("upload"))
        : server(fake)
        , count(files)
        , firstStatus(std::move(statusOfFirst))
    {
    }

    FakeServer& server;
    int count = 0;
    QString firstStatus; // of the first slot of the first reservation
    std::function<QString(const QByteArray& body)> checksumFor;
    std::function<QString(const QByteArray& body)> xxh128For; // none: the answers name none
    QList<QUuid> ids;
    int reservations = 0;
    int reservationsWithSha256 = 0;

    Reply answer(const Recorded& request)
    {
        if (request.path.endsWith("/uploads")) {
            ++reservations;
            const QJsonArray files = QJsonDocument::fromJson(request.body).object().value("files").toArray();
            if (!files.isEmpty() && files.first().toObject().contains("sha256"))
                ++reservationsWithSha256;
            ids.clear();
            QJsonArray slotArray;
            for (int i = 0; i < count; ++i) {
                ids.append(QUuid::createUuid());
                const QString path = QStringLiteral("u/alice/run/f%1.bin").arg(i);
                const QString status = i == 0 && reservations == 1 ? firstStatus : QStringLiteral("upload");
                QJsonObject slot{{"dataset_id", ids.last().toString(QUuid::WithoutBraces)},
                                 {"status", status},
                                 {"path", path}};
                if (status == QLatin1String("upload"))
                    slot.insert("url", server.base() + "/files/main/" + path + "?method=PUT&sig=x");
                slotArray.append(slot);
            }
            return json(QJsonObject{{"upload_id", QStringLiteral("up-%1").arg(reservations)},
                                    {"expires", 2000000000},
                                    {"files", slotArray}},
                        201);
        }
        if (request.path.startsWith("/files/")) {
            QJsonObject body{{"size", request.body.size()}};
            const QString checksum = checksumFor(request.body);
            if (!checksum.isEmpty())
                body.insert("checksum", checksum);
            const QString xxh128 = xxh128For ? xxh128For(request.body) : QString();
            if (!xxh128.isEmpty())
                body.insert("xxh128", xxh128);
            return json(body, 201);
        }
        if (request.path.endsWith("/uploads/commit")) {
            const DatasetRef model = makeRef();
            QJsonArray datasets;
            for (const QUuid& id : std::as_const(ids))
                datasets.append(DatasetRef(id, model.datasetType(), model.dataId(), model.run()).toJson());
            return json(QJsonObject{{"datasets", datasets}});
        }
        if (request.path.endsWith("/uploads/abort"))
            return json(QJsonObject{{"released_bytes", 0}});
        return FakeServer::defaultReply(request);
    }
};

// Writes count files <prefix><i>.bin into dir with content(i), as raws of detector i; fewer
// when a file cannot be written.
QList<IngestFile> writeRaws(const QTemporaryDir& dir, int count, const QString& prefix,
                            const std::function<QByteArray(int)>& content)
{
    QList<IngestFile> files;
    for (int i = 0; i < count; ++i) {
        IngestFile file;
        file.path = dir.filePath(prefix + QStringLiteral("%1.bin").arg(i));
        QFile out(file.path);
        if (!out.open(QIODevice::WriteOnly) || out.write(content(i)) < 0)
            return files;
        out.close();
        file.datasetType = QStringLiteral("raw");
        file.dataId = {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                       {QStringLiteral("detector"), i},
                       {QStringLiteral("exposure"), qint64(2025061500001)}};
        files.append(file);
    }
    return files;
}

QString sha256Checksum(const QByteArray& bytes)
{
    return QStringLiteral("sha256:") +
           QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

void TstRemoteButler::newRunUploadChecksWhatArrived_data()
{
    QTest::addColumn<QString>("answer"); // what the server says it received
    QTest::addColumn<bool>("xxh128");    // whether its answers name an XXH3-128 (else only a sha256)
    QTest::addColumn<bool>("committed");
    QTest::addColumn<QString>("error");
    QTest::newRow("what was sent") << "same" << true << true << "";
    QTest::newRow("other bytes") << "other" << true << false << "changed while it was being uploaded";
    QTest::newRow("nothing said") << "none" << true << false << "did not say what it received";
    // A server that names only the sha256 of what arrived: the client hashes the files again.
    QTest::newRow("sha256 only, what was sent") << "same" << false << true << "";
    QTest::newRow("sha256 only, other bytes")
        << "other" << false << false << "changed while it was being uploaded";
}

void TstRemoteButler::newRunUploadChecksWhatArrived()
{
    QFETCH(QString, answer);
    QFETCH(bool, xxh128);
    QFETCH(bool, committed);
    QFETCH(QString, error);
    FakeServer server;
    const auto butler = connectOrFail(server);
    FakeUploads uploads(server, 6);
    // One file arrives other than it was sent, when the answer says so.
    const auto arrived = [&](const QByteArray& body) {
        return answer == QLatin1String("other") && body.startsWith("file 3") ? body + "!" : body;
    };
    uploads.checksumFor = [&](const QByteArray& body) {
        return answer == QLatin1String("none") ? QString() : sha256Checksum(arrived(body));
    };
    if (xxh128) {
        uploads.xxh128For = [&](const QByteArray& body) {
            return answer == QLatin1String("none") ? QString() : ContentHash::xxh128(arrived(body));
        };
    }
    server.handler = [&](const Recorded& request) { return uploads.answer(request); };
    QTemporaryDir dir;
    const QList<IngestFile> files = writeRaws(dir, uploads.count, QStringLiteral("f"), [](int i) {
        return QByteArray("file ") + QByteArray::number(i) + QByteArray(1000 * i, 'x');
    });
    QCOMPARE(files.size(), uploads.count);
    UploadOptions options;
    options.newRun = true;
    options.undoOnFailure = false;
    UploadReport report;
    const Result<QList<DatasetRef>> refs = butler->uploadFiles("u/alice/run", files, options, &report);
    // Reserved once, before any hash was known; every file went up.
    QCOMPARE(uploads.reservations, 1);
    QCOMPARE(uploads.reservationsWithSha256, 0);
    QCOMPARE(server.count("/uploads/commit"), committed ? 1 : 0);
    QCOMPARE(refs.ok(), committed);
    if (committed) {
        QCOMPARE(refs->size(), uploads.count);
        QCOMPARE(report.sentFiles, uploads.count);
        QVERIFY(!report.leftOnServer);
    } else {
        QVERIFY2(refs.error().message().contains(error), qPrintable(refs.error().message()));
        if (answer == QLatin1String("other")) {
            const QString kind = xxh128 ? QStringLiteral("xxh128:") : QStringLiteral("sha256:");
            QVERIFY2(refs.error().message().contains(QStringLiteral("the server received ") + kind),
                     qPrintable(refs.error().message()));
            QVERIFY2(refs.error().message().contains(QStringLiteral("f3.bin")),
                     qPrintable(refs.error().message()));
        }
        QVERIFY(report.leftOnServer); // for a rerun, which hashes first
    }
}

void TstRemoteButler::newRunUploadFallsBackToHashingFirst()
{
    // A slot the server says it holds already cannot be checked afterwards: the batch is
    // reserved again, this time with the hashes.
    FakeServer server;
    const auto butler = connectOrFail(server);
    FakeUploads uploads(server, 3, QStringLiteral("uploaded"));
    uploads.checksumFor = [](const QByteArray& body) { return sha256Checksum(body); };
    server.handler = [&](const Recorded& request) { return uploads.answer(request); };
    QTemporaryDir dir;
    const QList<IngestFile> files = writeRaws(dir, uploads.count, QStringLiteral("g"),
                                              [](int i) { return QByteArray(100 + i, char('a' + i)); });
    QCOMPARE(files.size(), uploads.count);
    UploadOptions options;
    options.newRun = true;
    const Result<QList<DatasetRef>> refs = butler->uploadFiles("u/alice/run", files, options, nullptr);
    QVERIFY2(refs.ok(), refs.ok() ? "" : qPrintable(refs.error().message()));
    QCOMPARE(uploads.reservations, 2);
    QCOMPARE(uploads.reservationsWithSha256, 1);
    QCOMPARE(server.count("/uploads/abort"), 1);
    QCOMPARE(server.count("/uploads/commit"), 1);
    QCOMPARE(refs->size(), 3);
}

namespace {

// A fake server's side of uploads in several batches: each reservation gets as many slots as it
// asks for, each commit the refs of its own upload, and the order of events is kept.
struct FakeBatches
{
    explicit FakeBatches(FakeServer& fake)
        : server(fake)
    {
    }

    FakeServer& server;
    QHash<QString, QList<QUuid>> idsByUpload;
    QList<QUuid> ids;         // every slot's, in the order reserved
    QList<int> reservedFiles; // files per reservation
    QStringList events;       // "reserve N", "commit N"

    Reply answer(const Recorded& request)
    {
        if (request.path.endsWith("/uploads")) {
            const QJsonArray files = QJsonDocument::fromJson(request.body).object().value("files").toArray();
            reservedFiles.append(int(files.size()));
            const QString upload = QStringLiteral("up-%1").arg(reservedFiles.size());
            events << QStringLiteral("reserve %1").arg(reservedFiles.size());
            QJsonArray slotArray;
            for (qsizetype i = 0; i < files.size(); ++i) {
                const QUuid id = QUuid::createUuid();
                idsByUpload[upload].append(id);
                ids.append(id);
                const QString path = QStringLiteral("u/alice/run/%1-f%2.bin").arg(upload).arg(i);
                slotArray.append(
                    QJsonObject{{"dataset_id", id.toString(QUuid::WithoutBraces)},
                                {"status", "upload"},
                                {"path", path},
                                {"url", server.base() + "/files/main/" + path + "?method=PUT&sig=x"}});
            }
            return json(QJsonObject{{"upload_id", upload}, {"expires", 2000000000}, {"files", slotArray}},
                        201);
        }
        if (request.path.startsWith("/files/"))
            return json(QJsonObject{{"size", request.body.size()},
                                    {"checksum", sha256Checksum(request.body)},
                                    {"xxh128", ContentHash::xxh128(request.body)}},
                        201);
        if (request.path.endsWith("/uploads/commit")) {
            const QString upload =
                QJsonDocument::fromJson(request.body).object().value("upload_id").toString();
            events << QStringLiteral("commit %1").arg(upload.mid(3));
            const DatasetRef model = makeRef();
            QJsonArray datasets;
            for (const QUuid& id : idsByUpload.value(upload))
                datasets.append(DatasetRef(id, model.datasetType(), model.dataId(), model.run()).toJson());
            return json(QJsonObject{{"datasets", datasets}});
        }
        return FakeServer::defaultReply(request);
    }
};

} // namespace

void TstRemoteButler::batchesOverlapIntoANewRun_data()
{
    QTest::addColumn<bool>("newRun");
    QTest::addColumn<int>("batchFiles");
    QTest::addColumn<QList<int>>("reserved");
    // Into a new run: a small first and last batch, so that the next reservation and the
    // commit before go on while files are sent.
    QTest::newRow("new run") << true << 8 << QList<int>{1, 6, 1};
    QTest::newRow("new run, larger middle") << true << 4 << QList<int>{1, 3, 3, 1};
    // Hashing first (an existing run): one batch after the other, each as full as allowed.
    QTest::newRow("existing run") << false << 3 << QList<int>{3, 3, 2};
}

void TstRemoteButler::batchesOverlapIntoANewRun()
{
    QFETCH(bool, newRun);
    QFETCH(int, batchFiles);
    QFETCH(QList<int>, reserved);
    FakeServer server;
    const auto butler = connectOrFail(server);
    FakeBatches batches(server);
    server.handler = [&](const Recorded& request) { return batches.answer(request); };
    QTemporaryDir dir;
    const QList<IngestFile> files = writeRaws(dir, 8, QStringLiteral("b"), [](int i) {
        return QByteArray("batch file ") + QByteArray::number(i) + QByteArray(500 * i, 'y');
    });
    QCOMPARE(files.size(), 8);
    UploadOptions options;
    options.newRun = newRun;
    options.batchFiles = batchFiles;
    UploadReport report;
    const Result<QList<DatasetRef>> refs = butler->uploadFiles("u/alice/run", files, options, &report);
    QVERIFY2(refs.ok(), refs.ok() ? "" : qPrintable(refs.error().message()));
    QCOMPARE(batches.reservedFiles, reserved);
    QCOMPARE(server.count("/uploads/commit"), reserved.size());
    QCOMPARE(report.sentFiles, 8);
    QVERIFY(!report.leftOnServer);
    // The refs come in the order of the files, batch after batch.
    QCOMPARE(refs->size(), 8);
    for (qsizetype i = 0; i < refs->size(); ++i)
        QCOMPARE(refs->at(i).id(), batches.ids[i]);
    // Batch 2 is reserved while batch 1 is sent, so before batch 1 is committed; hashing first,
    // only after.
    const qsizetype reserve2 = batches.events.indexOf(QStringLiteral("reserve 2"));
    const qsizetype commit1 = batches.events.indexOf(QStringLiteral("commit 1"));
    QVERIFY(reserve2 >= 0 && commit1 >= 0);
    QVERIFY2(newRun ? reserve2 < commit1 : reserve2 > commit1, qPrintable(batches.events.join(", ")));
}

void TstRemoteButler::ingestRefusesOtherTransferModes()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    const int before = server.requests.size();
    QTemporaryFile data;
    QVERIFY(data.open());
    data.write("bytes");
    data.close();
    IngestFile file;
    file.path = data.fileName();
    file.datasetType = "raw";
    for (TransferMode mode :
         {TransferMode::Move, TransferMode::Symlink, TransferMode::Hardlink, TransferMode::Direct}) {
        const Result<QList<DatasetRef>> refs = butler->ingest("u/alice/run", {file}, mode);
        QVERIFY(!refs.ok());
        QCOMPARE(refs.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(refs.error().message().contains("--transfer copy"), qPrintable(refs.error().message()));
    }
    QCOMPARE(server.requests.size(), before);
}

void TstRemoteButler::collectionQueryParameters()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    server.handler = [&](const Recorded& request) {
        if (request.path.endsWith("/collections"))
            return json(QJsonObject{
                {"collections",
                 QJsonArray{CollectionInfo{"a", CollectionType::Chained, "doc", {"b", "c"}}.toJson()}}});
        return FakeServer::defaultReply(request);
    };
    CollectionQuery query;
    query.globs = {"u/*", "x[ab]"};
    query.types = {CollectionType::Run, CollectionType::Chained};
    query.flattenChains = true;
    query.includeChains = false;
    const Result<QList<CollectionInfo>> collections = butler->queryCollections(query);
    QVERIFY2(collections.ok(), collections.ok() ? "" : qPrintable(collections.error().message()));
    QCOMPARE(collections->size(), 1);
    QCOMPARE(collections->first().children, (QStringList{"b", "c"}));
    const QUrlQuery& sent = server.requests.last().query;
    QCOMPARE(sent.allQueryItemValues("glob", QUrl::FullyDecoded), (QStringList{"u/*", "x[ab]"}));
    QCOMPARE(sent.allQueryItemValues("type"), (QStringList{"RUN", "CHAINED"}));
    QCOMPARE(sent.queryItemValue("flatten"), QStringLiteral("1"));
    QCOMPARE(sent.queryItemValue("include_chains"), QStringLiteral("0"));
}

void TstRemoteButler::worksOnAnotherThread()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    std::optional<Result<RemoteIdentity>> fromThread;
    QThread* worker = QThread::create([&] { fromThread.emplace(butler->whoami()); });
    worker->start();
    // The server answers on this thread while the worker waits in its own event loop.
    QTRY_VERIFY_WITH_TIMEOUT(worker->isFinished(), 30000);
    delete worker;
    QVERIFY(fromThread.has_value());
    QVERIFY2(fromThread->ok(), fromThread->ok() ? "" : qPrintable(fromThread->error().message()));
    QCOMPARE(fromThread->value().user, QStringLiteral("alice"));
}

void TstRemoteButler::coroutineApi()
{
    FakeServer server;
    const auto butler = connectOrFail(server);
    std::optional<Result<RemoteIdentity>> got;
    // then() awaits the task it is called on, so that task must stay alive.
    QCoro::Task<Result<RemoteIdentity>> call = butler->whoamiAsync();
    auto continuation = call.then([&](Result<RemoteIdentity> identity) { got.emplace(std::move(identity)); });
    // The call does not block: the answer arrives through this thread's event loop.
    QVERIFY(!got.has_value());
    QTRY_VERIFY(got.has_value());
    QVERIFY(got->ok());
    QCOMPARE(got->value().groups, (QStringList{"g1", "g2"}));
}

QTEST_GUILESS_MAIN(TstRemoteButler)
#include "tst_remotebutler.moc"
