// Signed uploads and quotas against the real butler-server (docs/server-api.md, "Uploads" and
// "Quotas"): reserve, PUT, commit and abort; quota enforcement under 50 concurrent batches;
// the attacks on upload URLs; expiry; bytes coming back when datasets go; the CLI's resumable
// ingest-files, quota and whoami through the server, and verify-quotas on its repository.
#include "ButlerCli.h"
#include "ContentHash.h"
#include "QuotaStore.h"
#include "RemoteButler.h"
#include "ServerFixture.h"
#include "UploadStore.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <vector>

using namespace butler;

namespace {

const QString kType = QStringLiteral("blob");
constexpr qint64 kDefaultQuota = 10'000'000;

QString sha256Hex(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray content(int seed, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char((i * 31 + seed * 17) & 0xff);
    return bytes;
}

QJsonObject dataId(int detector)
{
    return QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                       {QStringLiteral("detector"), detector}};
}

QJsonObject fileSpec(int detector, const QByteArray& bytes, bool withSha = true)
{
    QJsonObject spec{{QStringLiteral("data_id"), dataId(detector)},
                     {QStringLiteral("size"), qint64(bytes.size())},
                     {QStringLiteral("formatter"), QStringLiteral("bytes")}};
    if (withSha)
        spec.insert(QStringLiteral("sha256"), sha256Hex(bytes));
    return spec;
}

// Entry i of the "files" list of an answer.
QJsonObject fileOf(const ServerFixture::Reply& reply, int i)
{
    return reply.json().value(QStringLiteral("files")).toArray().at(i).toObject();
}

// "/files/...?..." of an absolute signed URL.
QString pathAndQuery(const QString& url)
{
    const QUrl parsed(url);
    return parsed.path(QUrl::FullyEncoded) + u'?' + parsed.query(QUrl::FullyEncoded);
}

QString describe(const CliResult& result)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(result.status).arg(result.out, result.err);
}

} // namespace

class TestUploads : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void reserveUploadCommit();
    void commitIsIdempotent();
    void commitNeedsEveryFile();
    void abortFreesReservationAndFiles();
    void putAndIngestUseUploads();
    void quotaRefusesWholeBatchWithFigures();
    void adminsSetQuotasUsersSeeTheirs();
    void deletingGivesBytesBack();
    void attackWrongSize();
    void attackWrongPath();
    void attackReusedUrlAfterCommit();
    void attackGetUrlUsedToPut();
    void attackOtherNamespaces();
    void expiredSlotsAreRefusedAndCleanedUp();
    void quotaRace();
    void resumableIngestThroughCli();
    void cliIngestIntoNewRunRecordsWhatArrived();
    void failedCliIngestLeavesNothing();
    void cliQuotaAndWhoami();
    void verifyQuotasFindsAndFixesDrift();

private:
    std::unique_ptr<RemoteButler> connectAs(const QString& user, ServerFixture* server = nullptr);
    bool registerRun(const QString& user, const QString& run, ServerFixture* server = nullptr);
    ServerFixture::Reply reserve(const QString& user, const QString& run, const QJsonArray& files,
                                 bool resume = false, ServerFixture* server = nullptr);
    ServerFixture::Reply putTo(const QString& url, const QByteArray& body, ServerFixture* server = nullptr);
    ServerFixture::Reply commit(const QString& user, const QString& uploadId,
                                ServerFixture* server = nullptr);
    QJsonObject quotaOf(const QString& user, ServerFixture* server = nullptr);
    QStringList datastoreFiles(ServerFixture* server = nullptr) const;

    ServerFixture m_server;
    QList<int> m_detectors;
};

std::unique_ptr<RemoteButler> TestUploads::connectAs(const QString& user, ServerFixture* server)
{
    ServerFixture& s = server ? *server : m_server;
    auto butler = RemoteButler::connect(s.repoUrl(), s.token(user));
    if (!butler.ok()) {
        qWarning() << butler.error().message();
        return nullptr;
    }
    return std::move(butler).value();
}

bool TestUploads::registerRun(const QString& user, const QString& run, ServerFixture* server)
{
    ServerFixture& s = server ? *server : m_server;
    const auto reply =
        s.post(QStringLiteral("/collections"), user,
               QJsonObject{{QStringLiteral("name"), run}, {QStringLiteral("type"), QStringLiteral("RUN")}});
    return reply.status == 201;
}

ServerFixture::Reply TestUploads::reserve(const QString& user, const QString& run, const QJsonArray& files,
                                          bool resume, ServerFixture* server)
{
    ServerFixture& s = server ? *server : m_server;
    return s.post(QStringLiteral("/uploads"), user,
                  QJsonObject{{QStringLiteral("run"), run},
                              {QStringLiteral("dataset_type"), kType},
                              {QStringLiteral("files"), files},
                              {QStringLiteral("resume"), resume}});
}

ServerFixture::Reply TestUploads::putTo(const QString& url, const QByteArray& body, ServerFixture* server)
{
    ServerFixture& s = server ? *server : m_server;
    return s.request("PUT", pathAndQuery(url), QString(), body);
}

ServerFixture::Reply TestUploads::commit(const QString& user, const QString& uploadId, ServerFixture* server)
{
    ServerFixture& s = server ? *server : m_server;
    return s.post(QStringLiteral("/uploads/commit"), user,
                  QJsonObject{{QStringLiteral("upload_id"), uploadId}});
}

QJsonObject TestUploads::quotaOf(const QString& user, ServerFixture* server)
{
    ServerFixture& s = server ? *server : m_server;
    return s.get(QStringLiteral("/quota"), user).json();
}

QStringList TestUploads::datastoreFiles(ServerFixture* server) const
{
    const ServerFixture& s = server ? *server : m_server;
    const QString root = s.repoPath() + QStringLiteral("/datastore");
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next().mid(root.size() + 1));
    files.sort();
    return files;
}

void TestUploads::initTestCase()
{
    QVERIFY2(m_server.prepare(QStringLiteral("quotas: { default_bytes: %1, upload_ttl_seconds: 600, "
                                             "cleanup_interval_seconds: 1 }\n")
                                  .arg(kDefaultQuota)),
             qPrintable(m_server.lastError()));
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    auto admin = connectAs(QStringLiteral("dave"));
    QVERIFY(admin);
    auto type = DatasetType::make(admin->universe(), kType,
                                  {QStringLiteral("instrument"), QStringLiteral("detector")},
                                  QStringLiteral("Bytes"));
    QVERIFY(type.ok());
    QVERIFY(admin->registerDatasetType(type.value()).ok());
    DimensionRecordQuery query;
    query.element = QStringLiteral("detector");
    auto records = admin->queryDimensionRecords(query);
    QVERIFY(records.ok());
    for (const DimensionRecord& record : records->records)
        m_detectors.append(record.value(QStringLiteral("id")).toInt());
    QVERIFY2(m_detectors.size() >= 5, "the demo repository has too few detectors");
}

void TestUploads::cleanupTestCase()
{
    QCOMPARE(m_server.stop(), 0);
}

void TestUploads::reserveUploadCommit()
{
    const QString run = QStringLiteral("u/alice/basic");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const qint64 usedBefore = quotaOf(QStringLiteral("alice")).value("used_bytes").toInteger();
    const QByteArray a = content(1, 3000);
    const QByteArray b = content(2, 5000);
    auto reply =
        reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], a), fileSpec(m_detectors[1], b)});
    QCOMPARE(reply.status, 201);
    const QJsonObject grant = reply.json();
    QCOMPARE(grant.value("reserved_bytes").toInteger(), qint64(8000));
    const QJsonArray files = grant.value("files").toArray();
    QCOMPARE(files.size(), 2);
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("reserved_bytes").toInteger(), qint64(8000));
    for (const QJsonValue& file : files) {
        QCOMPARE(file["status"].toString(), QStringLiteral("upload"));
        // The server chose the path from its template: under the run, named after the dataset.
        QVERIFY(file["path"].toString().startsWith(run + u'/'));
        QVERIFY(file["path"].toString().contains(file["dataset_id"].toString()));
        QVERIFY(file["url"].toString().contains(QStringLiteral("size=")));
        QVERIFY(file["expires"].toInteger() > QDateTime::currentSecsSinceEpoch());
    }
    auto put = putTo(files[0]["url"].toString(), a);
    QCOMPARE(put.status, 201);
    QCOMPARE(put.json().value("checksum").toString(), QStringLiteral("sha256:") + sha256Hex(a));
    QCOMPARE(put.json().value("xxh128").toString(), ContentHash::xxh128(a));
    QCOMPARE(putTo(files[1]["url"].toString(), b).status, 201);
    reply = commit(QStringLiteral("alice"), grant.value("upload_id").toString());
    QCOMPARE(reply.status, 200);
    const QJsonArray datasets = reply.json().value("datasets").toArray();
    QCOMPARE(datasets.size(), 2);
    QCOMPARE(datasets[0]["id"].toString(), files[0]["dataset_id"].toString());
    QCOMPARE(datasets[0]["run"].toString(), run);
    const QJsonObject quota = quotaOf(QStringLiteral("alice"));
    QCOMPARE(quota.value("used_bytes").toInteger(), usedBefore + 8000);
    QCOMPARE(quota.value("reserved_bytes").toInteger(), qint64(0));
    // The bytes read back as they went in.
    auto butler = connectAs(QStringLiteral("alice"));
    QVERIFY(butler);
    auto stored = butler->get(QUuid::fromString(files[1]["dataset_id"].toString()));
    QVERIFY2(stored.ok(), stored.ok() ? "" : qPrintable(stored.error().message()));
    QVERIFY(stored.value() == b);
}

void TestUploads::commitIsIdempotent()
{
    const QString run = QStringLiteral("u/alice/idempotent");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QByteArray bytes = content(3, 1234);
    auto reply = reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], bytes)});
    QCOMPARE(reply.status, 201);
    const QString uploadId = reply.json().value("upload_id").toString();
    QCOMPARE(putTo(fileOf(reply, 0).value(QStringLiteral("url")).toString(), bytes).status, 201);
    const qint64 usedBefore = quotaOf(QStringLiteral("alice")).value("used_bytes").toInteger();
    const auto first = commit(QStringLiteral("alice"), uploadId);
    QCOMPARE(first.status, 200);
    const auto second = commit(QStringLiteral("alice"), uploadId);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.json(), first.json());
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("used_bytes").toInteger(), usedBefore + 1234);
    // Nobody else can commit, abort or even see it.
    const auto other = commit(QStringLiteral("bob"), uploadId);
    QCOMPARE(other.status, 404);
    const auto abort = m_server.post(QStringLiteral("/uploads/abort"), QStringLiteral("alice"),
                                     QJsonObject{{QStringLiteral("upload_id"), uploadId}});
    QCOMPARE(abort.status, 409);
}

void TestUploads::commitNeedsEveryFile()
{
    const QString run = QStringLiteral("u/alice/partial");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QByteArray a = content(4, 100);
    const QByteArray b = content(5, 200);
    auto reply =
        reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], a), fileSpec(m_detectors[1], b)});
    QCOMPARE(reply.status, 201);
    const QJsonObject grant = reply.json();
    QCOMPARE(putTo(grant["files"][0]["url"].toString(), a).status, 201);
    reply = commit(QStringLiteral("alice"), grant.value("upload_id").toString());
    QCOMPARE(reply.status, 409);
    QVERIFY2(errorMessage(reply).contains(QStringLiteral("1 of 2")), reply.body.constData());
    // Nothing was made; once the last file arrives the commit goes through.
    auto butler = connectAs(QStringLiteral("alice"));
    DatasetQuery query;
    query.datasetTypes = {kType};
    query.collections = {run};
    QCOMPARE(butler->queryDatasets(query)->refs.size(), 0);
    QCOMPARE(putTo(grant["files"][1]["url"].toString(), b).status, 201);
    QCOMPARE(commit(QStringLiteral("alice"), grant.value("upload_id").toString()).status, 200);
    QCOMPARE(butler->queryDatasets(query)->refs.size(), 2);
}

void TestUploads::abortFreesReservationAndFiles()
{
    const QString run = QStringLiteral("u/alice/aborted");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QStringList before = datastoreFiles();
    const qint64 reservedBefore = quotaOf(QStringLiteral("alice")).value("reserved_bytes").toInteger();
    const QByteArray a = content(6, 700);
    auto reply =
        reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], a), fileSpec(m_detectors[1], a)});
    QCOMPARE(reply.status, 201);
    const QJsonObject grant = reply.json();
    QCOMPARE(putTo(grant["files"][0]["url"].toString(), a).status, 201);
    QVERIFY(datastoreFiles().contains(grant["files"][0]["path"].toString()));
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("reserved_bytes").toInteger(), reservedBefore + 1400);
    reply = m_server.post(QStringLiteral("/uploads/abort"), QStringLiteral("alice"),
                          QJsonObject{{QStringLiteral("upload_id"), grant.value("upload_id").toString()}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("released_bytes").toInteger(), qint64(1400));
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("reserved_bytes").toInteger(), reservedBefore);
    QCOMPARE(datastoreFiles(), before);
    QCOMPARE(commit(QStringLiteral("alice"), grant.value("upload_id").toString()).status, 404);
    // Its URLs are dead too.
    const auto late = putTo(grant["files"][1]["url"].toString(), a);
    QVERIFY2(late.status == 404 || late.status == 403, late.body.constData());
    QCOMPARE(datastoreFiles(), before);
}

void TestUploads::putAndIngestUseUploads()
{
    const QString run = QStringLiteral("u/alice/remote");
    auto butler = connectAs(QStringLiteral("alice"));
    QVERIFY(butler);
    QVERIFY(butler->registerCollection(run, CollectionType::Run).ok());
    const qint64 usedBefore = butler->quota().value().usedBytes;
    const QByteArray bytes = content(7, 4321);
    auto ref = butler->put(bytes, QStringLiteral("bytes"), kType, dataId(m_detectors[0]).toVariantMap(), run);
    QVERIFY2(ref.ok(), ref.ok() ? "" : qPrintable(ref.error().message()));
    QCOMPARE(butler->quota().value().usedBytes, usedBefore + 4321);
    QVERIFY(butler->get(ref->id()).value() == bytes);
    // A second put of the same dataset is a conflict, as locally.
    auto again =
        butler->put(bytes, QStringLiteral("bytes"), kType, dataId(m_detectors[0]).toVariantMap(), run);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().kind(), ErrorKind::Conflict);
    QCOMPARE(butler->quota().value().reservedBytes, qint64(0));

    QTemporaryDir dir;
    QList<IngestFile> files;
    for (int i = 1; i <= 3; ++i) {
        IngestFile file;
        file.path = dir.filePath(QStringLiteral("f%1.fits").arg(i));
        QFile out(file.path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(content(10 + i, 1000 * i));
        out.close();
        file.datasetType = kType;
        file.dataId = dataId(m_detectors[i]).toVariantMap();
        files.append(file);
    }
    auto refs = butler->ingest(run, files, TransferMode::Copy);
    QVERIFY2(refs.ok(), refs.ok() ? "" : qPrintable(refs.error().message()));
    QCOMPARE(refs->size(), 3);
    QCOMPARE(refs->at(2).dataId().value(QStringLiteral("detector")).toInt(), m_detectors[3]);
    QCOMPARE(butler->quota().value().usedBytes, usedBefore + 4321 + 6000);
    auto infos = butler->fileInfo({refs->at(0).id()});
    QVERIFY(infos.ok());
    QCOMPARE(infos->first().formatter, QStringLiteral("fits"));
}

void TestUploads::quotaRefusesWholeBatchWithFigures()
{
    const QString run = QStringLiteral("u/bob/big");
    QVERIFY(registerRun(QStringLiteral("bob"), run));
    const QJsonObject before = quotaOf(QStringLiteral("bob"));
    const QStringList filesBefore = datastoreFiles();
    QJsonObject small = fileSpec(m_detectors[0], content(8, 10), false);
    QJsonObject huge = fileSpec(m_detectors[1], content(8, 10), false);
    huge.insert(QStringLiteral("size"), kDefaultQuota);
    const auto reply = reserve(QStringLiteral("bob"), run, {small, huge});
    QCOMPARE(reply.status, 413);
    QCOMPARE(reply.errorType(), QStringLiteral("quota_exceeded"));
    const QString message = errorMessage(reply);
    for (const QString& word : {QStringLiteral("needed %1").arg(kDefaultQuota + 10), QStringLiteral("used"),
                                QStringLiteral("reserved"), QStringLiteral("limit %1").arg(kDefaultQuota)})
        QVERIFY2(message.contains(word), qPrintable(message));
    // Whole: not even the small file got a slot.
    QCOMPARE(quotaOf(QStringLiteral("bob")), before);
    QCOMPARE(datastoreFiles(), filesBefore);
    QCOMPARE(reserve(QStringLiteral("bob"), run, {small}).status, 201);
}

void TestUploads::adminsSetQuotasUsersSeeTheirs()
{
    auto set = m_server.post(QStringLiteral("/quota"), QStringLiteral("dave"),
                             QJsonObject{{QStringLiteral("user"), QStringLiteral("carol")},
                                         {QStringLiteral("limit_bytes"), 5000}});
    QCOMPARE(set.status, 200);
    QCOMPARE(set.json().value("limit_bytes").toInteger(), qint64(5000));
    QJsonObject carol = quotaOf(QStringLiteral("carol"));
    QCOMPARE(carol.value("user").toString(), QStringLiteral("carol"));
    QCOMPARE(carol.value("limit_bytes").toInteger(), qint64(5000));
    QCOMPARE(carol.value("default_limit").toBool(), false);
    // Users neither set quotas nor read other users'.
    const auto selfService = m_server.post(QStringLiteral("/quota"), QStringLiteral("carol"),
                                           QJsonObject{{QStringLiteral("user"), QStringLiteral("carol")},
                                                       {QStringLiteral("limit_bytes"), 999999999}});
    QCOMPARE(selfService.status, 403);
    QCOMPARE(m_server.get(QStringLiteral("/quota?user=alice"), QStringLiteral("carol")).status, 403);
    QCOMPARE(m_server.get(QStringLiteral("/quota?user=carol"), QStringLiteral("dave")).status, 200);
    set = m_server.post(QStringLiteral("/quota"), QStringLiteral("dave"),
                        QJsonObject{{QStringLiteral("user"), QStringLiteral("carol")},
                                    {QStringLiteral("limit_bytes"), QJsonValue()}});
    QCOMPARE(set.status, 200);
    carol = quotaOf(QStringLiteral("carol"));
    QCOMPARE(carol.value("limit_bytes").toInteger(), kDefaultQuota);
    QCOMPARE(carol.value("default_limit").toBool(), true);
}

void TestUploads::deletingGivesBytesBack()
{
    auto butler = connectAs(QStringLiteral("alice"));
    QVERIFY(butler);
    const QString run = QStringLiteral("u/alice/deleted");
    QVERIFY(butler->registerCollection(run, CollectionType::Run).ok());
    const qint64 base = butler->quota().value().usedBytes;
    QList<QUuid> ids;
    for (int i = 0; i < 3; ++i) {
        auto ref = butler->put(content(20 + i, 2000), QStringLiteral("bytes"), kType,
                               dataId(m_detectors[i]).toVariantMap(), run);
        QVERIFY(ref.ok());
        ids.append(ref->id());
    }
    QCOMPARE(butler->quota().value().usedBytes, base + 6000);
    // Purged datasets and removed runs wait in the trash, still charged, until it is emptied.
    QVERIFY(butler->pruneDatasets({ids[0]}, true, true).ok());
    QCOMPARE(butler->quota().value().usedBytes, base + 6000);
    QVERIFY(butler->pruneDatasets({ids[1]}, false, true).ok()); // unstore: the file goes, so do its bytes
    QCOMPARE(butler->quota().value().usedBytes, base + 4000);
    QVERIFY(butler->removeRuns({run}).ok());
    QCOMPARE(butler->quota().value().usedBytes, base + 4000);
    auto emptied = butler->emptyTrash({run}); // the run takes the datasets pruned from it along
    QVERIFY2(emptied.ok(), emptied.ok() ? "" : qPrintable(emptied.error().message()));
    QCOMPARE(butler->quota().value().usedBytes, base);
    // Someone else deleting a group's dataset gives the bytes back to who uploaded it.
    auto bob = connectAs(QStringLiteral("bob"));
    const QString group = QStringLiteral("g/alpha/shared");
    QVERIFY(butler->registerCollection(group, CollectionType::Run).ok());
    auto ref = butler->put(content(30, 500), QStringLiteral("bytes"), kType,
                           dataId(m_detectors[0]).toVariantMap(), group);
    QVERIFY(ref.ok());
    QCOMPARE(butler->quota().value().usedBytes, base + 500);
    auto dave = connectAs(QStringLiteral("dave"));
    QVERIFY(dave->pruneDatasets({ref->id()}, true, true).ok());
    QCOMPARE(butler->quota().value().usedBytes, base + 500);
    const auto entries = dave->trashEntries();
    QVERIFY(entries.ok());
    QStringList pruned;
    for (const TrashEntry& entry : *entries)
        if (entry.collection == group)
            pruned << entry.name();
    QCOMPARE(pruned.size(), 1);
    QVERIFY(dave->emptyTrash(pruned).ok());
    QCOMPARE(butler->quota().value().usedBytes, base);
    QVERIFY(bob);
}

void TestUploads::attackWrongSize()
{
    const QString run = QStringLiteral("u/alice/attack-size");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QByteArray bytes = content(40, 1000);
    auto reply = reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], bytes, false)});
    QCOMPARE(reply.status, 201);
    const QString url = fileOf(reply, 0).value(QStringLiteral("url")).toString();
    const QStringList before = datastoreFiles();
    // Shorter and longer bodies: refused on the Content-Length, before a byte is stored.
    for (const QByteArray& body : {bytes.left(999), bytes + "x", QByteArray()}) {
        const auto put = putTo(url, body);
        QVERIFY2(put.status == 400, put.body.constData());
        QCOMPARE(datastoreFiles(), before);
    }
    // The signed size changed in the URL: the signature no longer holds.
    QString forged = url;
    forged.replace(QStringLiteral("size=1000"), QStringLiteral("size=999"));
    QCOMPARE(putTo(forged, bytes.left(999)).status, 403);
    QCOMPARE(datastoreFiles(), before);
    // The exact body is taken.
    QCOMPARE(putTo(url, bytes).status, 201);
}

void TestUploads::attackWrongPath()
{
    const QString run = QStringLiteral("u/alice/attack-path");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QByteArray bytes = content(41, 500);
    auto reply = reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], bytes)});
    QCOMPARE(reply.status, 201);
    const QString url = fileOf(reply, 0).value(QStringLiteral("url")).toString();
    const QString path = fileOf(reply, 0).value(QStringLiteral("path")).toString();
    const QStringList before = datastoreFiles();
    // Another file of the same run, a file of another user, an existing dataset's file.
    const QString existing = before.filter(QStringLiteral("u/bob/run")).value(0);
    QVERIFY(!existing.isEmpty());
    for (const QString& target : {QString(path).replace(QStringLiteral(".bin"), QStringLiteral(".fits")),
                                  QString(path).replace(QStringLiteral("u/alice/"), QStringLiteral("u/bob/")),
                                  existing, QStringLiteral("../escape.bin")}) {
        QString forged = url;
        forged.replace(QString::fromLatin1(QUrl::toPercentEncoding(path, "/")),
                       QString::fromLatin1(QUrl::toPercentEncoding(target, "/")));
        QVERIFY(forged != url);
        const auto put = putTo(forged, bytes);
        QVERIFY2(put.status == 403 || put.status == 400, qPrintable(target + u' ' + put.body));
    }
    QCOMPARE(datastoreFiles(), before);
}

void TestUploads::attackReusedUrlAfterCommit()
{
    const QString run = QStringLiteral("u/alice/attack-reuse");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QByteArray bytes = content(42, 800);
    auto reply = reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], bytes, false)});
    QCOMPARE(reply.status, 201);
    const QString url = fileOf(reply, 0).value(QStringLiteral("url")).toString();
    const QString path = fileOf(reply, 0).value(QStringLiteral("path")).toString();
    QCOMPARE(putTo(url, bytes).status, 201);
    QCOMPARE(
        commit(QStringLiteral("alice"), reply.json().value(QStringLiteral("upload_id")).toString()).status,
        200);
    const QByteArray replacement = content(43, 800);
    const auto put = putTo(url, replacement);
    QCOMPARE(put.status, 409);
    QFile stored(m_server.repoPath() + QStringLiteral("/datastore/") + path);
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QVERIFY(stored.readAll() == bytes);
    QVERIFY(datastoreFiles().filter(QStringLiteral(".upload-")).isEmpty());
}

void TestUploads::attackGetUrlUsedToPut()
{
    // A signed download URL of an existing dataset cannot overwrite it.
    const QUuid id = m_server.datasetIn(QStringLiteral("u/alice/run"));
    const auto info =
        m_server.post(QStringLiteral("/datasets/file-info"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("ids"), QJsonArray{id.toString(QUuid::WithoutBraces)}}});
    QCOMPARE(info.status, 200);
    const QString getUrl = fileOf(info, 0).value(QStringLiteral("uri")).toString();
    const QString path = fileOf(info, 0).value(QStringLiteral("path")).toString();
    QFile file(m_server.repoPath() + QStringLiteral("/datastore/") + path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray original = file.readAll();
    file.close();
    for (const QByteArray& body : {QByteArray("overwritten"), QByteArray(original.size(), 'z')}) {
        const auto put = putTo(getUrl, body);
        QCOMPARE(put.status, 403);
    }
    QString asPut = getUrl;
    asPut.replace(QStringLiteral("method=GET"), QStringLiteral("method=PUT"));
    QCOMPARE(putTo(asPut, QByteArray(original.size(), 'z')).status, 403);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll() == original);
    // And an upload URL does not download.
    const QString run = QStringLiteral("u/alice/attack-get");
    QVERIFY(registerRun(QStringLiteral("alice"), run));
    const QByteArray bytes = content(44, 300);
    auto reply = reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], bytes)});
    const QString putUrl = fileOf(reply, 0).value(QStringLiteral("url")).toString();
    QCOMPARE(putTo(putUrl, bytes).status, 201);
    QCOMPARE(m_server.request("GET", pathAndQuery(putUrl), QString()).status, 403);
}

void TestUploads::attackOtherNamespaces()
{
    const QStringList before = datastoreFiles();
    const QByteArray bytes = content(45, 100);
    // Another user's namespace, a group the user is not in, release space.
    for (const QString& run : {QStringLiteral("u/bob/run"), QStringLiteral("g/beta/run"),
                               QStringLiteral("DR1/public"), QStringLiteral("LSSTCam/raw/all")}) {
        const auto reply = reserve(QStringLiteral("alice"), run, {fileSpec(m_detectors[0], bytes)});
        QVERIFY2(reply.status == 403 || reply.status == 404, qPrintable(run + u' ' + reply.body));
        QVERIFY(!reply.body.contains("url"));
    }
    // Own group: fine. Admins: anywhere.
    QVERIFY(registerRun(QStringLiteral("alice"), QStringLiteral("g/alpha/uploads")));
    QCOMPARE(
        reserve(QStringLiteral("alice"), QStringLiteral("g/alpha/uploads"), {fileSpec(m_detectors[0], bytes)})
            .status,
        201);
    QCOMPARE(reserve(QStringLiteral("dave"), QStringLiteral("DR1/public"), {fileSpec(m_detectors[1], bytes)})
                 .status,
             201);
    // An unauthenticated reservation gets nowhere.
    QCOMPARE(m_server.request("POST", m_server.api(QStringLiteral("/uploads")), QString(), "{}").status, 401);
    QCOMPARE(datastoreFiles(), before);
}

void TestUploads::expiredSlotsAreRefusedAndCleanedUp()
{
    ServerFixture shortLived;
    QVERIFY2(shortLived.prepare(
                 QStringLiteral("quotas: { upload_ttl_seconds: 2, cleanup_interval_seconds: 1 }\n")),
             qPrintable(shortLived.lastError()));
    QVERIFY2(shortLived.start(), qPrintable(shortLived.lastError()));
    auto admin = connectAs(QStringLiteral("dave"), &shortLived);
    QVERIFY(admin);
    auto type = DatasetType::make(admin->universe(), kType,
                                  {QStringLiteral("instrument"), QStringLiteral("detector")},
                                  QStringLiteral("Bytes"));
    QVERIFY(admin->registerDatasetType(type.value()).ok());
    const QString run = QStringLiteral("u/alice/expiring");
    QVERIFY(registerRun(QStringLiteral("alice"), run, &shortLived));
    const QStringList before = datastoreFiles(&shortLived);
    const QByteArray a = content(50, 600);
    auto reply = reserve(QStringLiteral("alice"), run,
                         {fileSpec(m_detectors[0], a), fileSpec(m_detectors[1], a)}, false, &shortLived);
    QCOMPARE(reply.status, 201);
    const QJsonObject grant = reply.json();
    QCOMPARE(putTo(grant["files"][0]["url"].toString(), a, &shortLived).status, 201);
    QCOMPARE(quotaOf(QStringLiteral("alice"), &shortLived).value("reserved_bytes").toInteger(), qint64(1200));
    // The server frees the reservation and deletes the received file on its own.
    QTRY_COMPARE_WITH_TIMEOUT(
        quotaOf(QStringLiteral("alice"), &shortLived).value("reserved_bytes").toInteger(), qint64(0), 20000);
    QCOMPARE(datastoreFiles(&shortLived), before);
    // The remaining URL is expired, the upload unknown.
    const auto late = putTo(grant["files"][1]["url"].toString(), a, &shortLived);
    QCOMPARE(late.status, 403);
    QVERIFY2(late.body.contains("expired"), late.body.constData());
    QCOMPARE(commit(QStringLiteral("alice"), grant["upload_id"].toString(), &shortLived).status, 404);
    QCOMPARE(datastoreFiles(&shortLived), before);
    QCOMPARE(shortLived.stop(), 0);
}

void TestUploads::quotaRace()
{
    // 50 batches of 10,000 bytes at once against a quota with room for ten and a half.
    constexpr int kBatches = 50;
    constexpr int kSize = 10000;
    constexpr qint64 kQuota = 105000;
    const QString user = QStringLiteral("erin");
    const auto set =
        m_server.post(QStringLiteral("/quota"), QStringLiteral("dave"),
                      QJsonObject{{QStringLiteral("user"), user}, {QStringLiteral("limit_bytes"), kQuota}});
    QCOMPARE(set.status, 200);
    QCOMPARE(quotaOf(user).value("used_bytes").toInteger(), qint64(0));
    const int perRun = 5;
    for (int r = 0; r < kBatches / perRun; ++r)
        QVERIFY(registerRun(user, QStringLiteral("u/erin/race/%1").arg(r)));

    std::atomic<int> committed{0};
    std::atomic<int> refused{0};
    std::atomic<int> failed{0};
    QMutex messagesMutex;
    QStringList messages;
    const QString url = m_server.repoUrl();
    const QString token = m_server.token(user);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < kBatches; ++i) {
        const QString run = QStringLiteral("u/erin/race/%1").arg(i / perRun);
        const QVariantMap id = dataId(m_detectors[i % perRun]).toVariantMap();
        threads.emplace_back(QThread::create([&, run, id, i] {
            auto butler = RemoteButler::connect(url, token);
            if (!butler.ok()) {
                ++failed;
                return;
            }
            const auto ref = (*butler)->put(content(100 + i, kSize), QStringLiteral("bytes"), kType, id, run);
            if (ref.ok()) {
                ++committed;
            } else if (ref.error().kind() == ErrorKind::QuotaExceeded) {
                ++refused;
            } else {
                ++failed;
                QMutexLocker lock(&messagesMutex);
                messages.append(ref.error().message());
            }
        }));
    }
    for (auto& thread : threads)
        thread->start();
    for (auto& thread : threads)
        QVERIFY(thread->wait(180000));
    QVERIFY2(failed.load() == 0, qPrintable(messages.join(u'\n')));
    const QJsonObject quota = quotaOf(user);
    QCOMPARE(committed.load(), int(kQuota / kSize));
    QCOMPARE(refused.load(), kBatches - int(kQuota / kSize));
    QCOMPARE(quota.value("used_bytes").toInteger(), qint64(committed.load()) * kSize);
    QVERIFY(quota.value("used_bytes").toInteger() <= kQuota);
    QCOMPARE(quota.value("reserved_bytes").toInteger(), qint64(0));
    // What was counted is what was stored.
    auto butler = connectAs(user);
    DatasetQuery query;
    query.datasetTypes = {kType};
    query.collections = {QStringLiteral("u/erin/race/*")};
    QCOMPARE(butler->queryDatasets(query)->refs.size(), committed.load());
}

void TestUploads::resumableIngestThroughCli()
{
    const QString user = QStringLiteral("alice");
    const QString run = QStringLiteral("u/alice/resume");
    QTemporaryDir dir;
    QFile table(dir.filePath(QStringLiteral("files.csv")));
    QVERIFY(table.open(QIODevice::WriteOnly));
    table.write("file,detector\n");
    QJsonArray specs;
    QList<QByteArray> bodies;
    for (int i = 0; i < 5; ++i) {
        const QByteArray body = content(60 + i, 1000 * (i + 1));
        bodies.append(body);
        QFile file(dir.filePath(QStringLiteral("part%1.fits").arg(i)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(body);
        table.write(QStringLiteral("part%1.fits,%2\n").arg(i).arg(m_detectors[i]).toUtf8());
        QJsonObject spec = fileSpec(m_detectors[i], body);
        spec.insert(QStringLiteral("formatter"), QStringLiteral("fits"));
        specs.append(spec);
    }
    table.close();
    const qint64 reservedBefore = quotaOf(user).value("reserved_bytes").toInteger();
    // An earlier run that died after two uploads: its reservation and files are on the server.
    QVERIFY(registerRun(user, run));
    auto reply = reserve(user, run, specs, true);
    QCOMPARE(reply.status, 201);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(putTo(fileOf(reply, i).value(QStringLiteral("url")).toString(), bodies[i]).status, 201);

    const QStringList args{QStringLiteral("ingest-files"),
                           m_server.repoUrl(),
                           kType,
                           run,
                           table.fileName(),
                           QStringLiteral("--data-id"),
                           QStringLiteral("instrument=LSSTCam"),
                           QStringLiteral("--prefix"),
                           dir.path()};
    CliResult result = runButler(args, m_server.token(user));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(
                 QStringLiteral("Ingested 5 datasets into u/alice/resume (3 uploaded, 2 already on "
                                "the server)")),
             qPrintable(describe(result)));
    // Run again: nothing is sent, nothing is doubled.
    result = runButler(args, m_server.token(user));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("(0 uploaded, 5 already on the server)")),
             qPrintable(describe(result)));
    auto butler = connectAs(user);
    DatasetQuery query;
    query.datasetTypes = {kType};
    query.collections = {run};
    const auto refs = butler->queryDatasets(query);
    QCOMPARE(refs->refs.size(), 5);
    QCOMPARE(butler->quota().value().reservedBytes, reservedBefore);
    for (const DatasetRef& ref : refs->refs) {
        const int detector = ref.dataId().value(QStringLiteral("detector")).toInt();
        QVERIFY(butler->get(ref.id()).value() == bodies[m_detectors.indexOf(detector)]);
    }
    // A changed file is a conflict, not silently skipped.
    QFile changed(dir.filePath(QStringLiteral("part0.fits")));
    QVERIFY(changed.open(QIODevice::WriteOnly));
    changed.write(content(99, 1000));
    changed.close();
    result = runButler(args, m_server.token(user));
    QCOMPARE(result.status, 1);
    QVERIFY2(result.err.contains(QStringLiteral("other content")), qPrintable(describe(result)));
}

void TestUploads::cliIngestIntoNewRunRecordsWhatArrived()
{
    // A run the command makes: the files are hashed while they go up, and the server records
    // the checksums of what it received (nothing was announced at the reservation).
    const QString run = QStringLiteral("u/alice/fresh");
    QTemporaryDir dir;
    QFile table(dir.filePath(QStringLiteral("files.csv")));
    QVERIFY(table.open(QIODevice::WriteOnly));
    table.write("file,detector\n");
    QList<QByteArray> bodies;
    for (int i = 0; i < 5; ++i) {
        bodies.append(content(80 + i, 3000 * i + 7));
        QFile file(dir.filePath(QStringLiteral("new%1.bin").arg(i)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bodies.last());
        table.write(QStringLiteral("new%1.bin,%2\n").arg(i).arg(m_detectors[i]).toUtf8());
    }
    table.close();
    const QJsonObject before = quotaOf(QStringLiteral("alice"));
    const CliResult result =
        runButler({QStringLiteral("ingest-files"), m_server.repoUrl(), kType, run, table.fileName(),
                   QStringLiteral("--data-id"), QStringLiteral("instrument=LSSTCam"),
                   QStringLiteral("--prefix"), dir.path()},
                  m_server.token(QStringLiteral("alice")));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("Ingested 5 datasets into u/alice/fresh (5 uploaded")),
             qPrintable(describe(result)));
    auto butler = connectAs(QStringLiteral("alice"));
    QVERIFY(butler);
    DatasetQuery query;
    query.datasetTypes = {kType};
    query.collections = {run};
    const auto refs = butler->queryDatasets(query);
    QVERIFY(refs.ok());
    QCOMPARE(refs->refs.size(), 5);
    QList<QUuid> ids;
    for (const DatasetRef& ref : refs->refs)
        ids.append(ref.id());
    const auto infos = butler->fileInfo(ids);
    QVERIFY2(infos.ok(), infos.ok() ? "" : qPrintable(infos.error().message()));
    QCOMPARE(infos->size(), 5);
    for (const FileInfo& info : infos.value()) {
        const auto ref = std::find_if(refs->refs.cbegin(), refs->refs.cend(),
                                      [&](const DatasetRef& r) { return r.id() == info.id; });
        QVERIFY(ref != refs->refs.cend());
        const int detector = ref->dataId().value(QStringLiteral("detector")).toInt();
        const QByteArray& body = bodies[m_detectors.indexOf(detector)];
        QCOMPARE(info.checksum, QStringLiteral("sha256:") + sha256Hex(body));
        QCOMPARE(info.size, qint64(body.size()));
        QVERIFY(butler->get(info.id).value() == body);
    }
    const QJsonObject quota = quotaOf(QStringLiteral("alice"));
    QCOMPARE(quota.value("used_bytes").toInteger(), before.value("used_bytes").toInteger() + 3000 * 10 + 35);
    QCOMPARE(quota.value("reserved_bytes").toInteger(), before.value("reserved_bytes").toInteger());
}

void TestUploads::failedCliIngestLeavesNothing()
{
    const auto set = m_server.post(
        QStringLiteral("/quota"), QStringLiteral("dave"),
        QJsonObject{{QStringLiteral("user"), QStringLiteral("frank")}, {QStringLiteral("limit_bytes"), 100}});
    QCOMPARE(set.status, 200);
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("big.bin")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content(70, 5000));
    file.close();
    QFile table(dir.filePath(QStringLiteral("files.csv")));
    QVERIFY(table.open(QIODevice::WriteOnly));
    table.write(QStringLiteral("file,detector\nbig.bin,%1\n").arg(m_detectors[0]).toUtf8());
    table.close();
    const QStringList before = datastoreFiles();
    const CliResult result =
        runButler({QStringLiteral("ingest-files"), m_server.repoUrl(), kType, QStringLiteral("u/frank/new"),
                   table.fileName(), QStringLiteral("--data-id"), QStringLiteral("instrument=LSSTCam"),
                   QStringLiteral("--prefix"), dir.path()},
                  m_server.token(QStringLiteral("frank")));
    QCOMPARE(result.status, 1);
    QVERIFY2(result.err.startsWith(QStringLiteral("error: ")) && result.err.contains(QStringLiteral("quota")),
             qPrintable(describe(result)));
    QVERIFY2(result.err.contains(QStringLiteral("limit 100")), qPrintable(describe(result)));
    // The run it made for this ingest is gone again; no file stayed.
    QCOMPARE(m_server.get(QStringLiteral("/collection?name=u/frank/new"), QStringLiteral("frank")).status,
             404);
    QCOMPARE(datastoreFiles(), before);
}

void TestUploads::cliQuotaAndWhoami()
{
    CliResult result =
        runButler({QStringLiteral("whoami"), m_server.repoUrl()}, m_server.token(QStringLiteral("bob")));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("quota:")) &&
                 result.out.contains(QStringLiteral("reserved:")),
             qPrintable(describe(result)));
    result = runButler({QStringLiteral("quota"), m_server.repoUrl()}, m_server.token(QStringLiteral("bob")));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("(%1 bytes), the default").arg(kDefaultQuota)),
             qPrintable(describe(result)));
    // Only admins set quotas.
    result = runButler({QStringLiteral("quota"), m_server.repoUrl(), QStringLiteral("bob"),
                        QStringLiteral("--set"), QStringLiteral("123456")},
                       m_server.token(QStringLiteral("bob")));
    QCOMPARE(result.status, 1);
    QVERIFY2(result.err.startsWith(QStringLiteral("error: ")), qPrintable(describe(result)));
    result = runButler({QStringLiteral("quota"), m_server.repoUrl(), QStringLiteral("bob"),
                        QStringLiteral("--set"), QStringLiteral("123456")},
                       m_server.token(QStringLiteral("dave")));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("(123456 bytes), set by an admin")),
             qPrintable(describe(result)));
    QCOMPARE(quotaOf(QStringLiteral("bob")).value("limit_bytes").toInteger(), qint64(123456));
    result = runButler(
        {QStringLiteral("quota"), m_server.repoUrl(), QStringLiteral("bob"), QStringLiteral("--reset")},
        m_server.token(QStringLiteral("dave")));
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QCOMPARE(quotaOf(QStringLiteral("bob")).value("limit_bytes").toInteger(), kDefaultQuota);
    // A local path is not a server.
    result = runButler({QStringLiteral("quota"), m_server.repoPath()});
    QCOMPARE(result.status, 1);
}

void TestUploads::verifyQuotasFindsAndFixesDrift()
{
    // Let the open reservations of earlier tests expire out of the picture: verify what is
    // stored and reserved now.
    CliResult result = runButler({QStringLiteral("verify-quotas"), m_server.repoPath()});
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("Quotas agree")), qPrintable(describe(result)));

    const qint64 aliceUsed = quotaOf(QStringLiteral("alice")).value("used_bytes").toInteger();
    const qint64 aliceReserved = quotaOf(QStringLiteral("alice")).value("reserved_bytes").toInteger();
    {
        // Drift, as a crash between a file and its counter would leave it.
        auto direct = DirectButler::open(m_server.repoPath());
        QVERIFY(direct.ok());
        auto quotas = QuotaStore::open((*direct)->registry(), 0);
        QVERIFY(quotas.ok());
        QVERIFY((*quotas)->setCounters(QStringLiteral("alice"), aliceUsed + 12345, aliceReserved + 7).ok());
    }
    const QString orphan = m_server.repoPath() + QStringLiteral("/datastore/u/alice/lost/orphan.fits");
    QVERIFY(QDir().mkpath(QFileInfo(orphan).absolutePath()));
    QFile file(orphan);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("orphaned bytes");
    file.close();

    result = runButler({QStringLiteral("verify-quotas"), m_server.repoPath()});
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("drift")) &&
                 result.out.contains(QString::number(aliceUsed + 12345)),
             qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("u/alice/lost/orphan.fits")), qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("--fix")), qPrintable(describe(result)));
    QVERIFY(QFile::exists(orphan));
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("used_bytes").toInteger(), aliceUsed + 12345);

    result = runButler({QStringLiteral("verify-quotas"), m_server.repoPath(), QStringLiteral("--fix")});
    QVERIFY2(result.status == 0, qPrintable(describe(result)));
    QVERIFY2(result.out.contains(QStringLiteral("Fixed")), qPrintable(describe(result)));
    QVERIFY(!QFile::exists(orphan));
    // The running server sees the corrected counters at once.
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("used_bytes").toInteger(), aliceUsed);
    QCOMPARE(quotaOf(QStringLiteral("alice")).value("reserved_bytes").toInteger(), aliceReserved);
    result = runButler({QStringLiteral("verify-quotas"), m_server.repoPath()});
    QVERIFY2(result.out.contains(QStringLiteral("Quotas agree")), qPrintable(describe(result)));
    // A server URL is refused: verification runs on the repository itself.
    result = runButler({QStringLiteral("verify-quotas"), m_server.repoUrl()});
    QCOMPARE(result.status, 1);
}

QTEST_GUILESS_MAIN(TestUploads)
#include "tst_uploads.moc"
