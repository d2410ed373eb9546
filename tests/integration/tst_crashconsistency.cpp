// Signed uploads survive SIGKILL (docs/server-api.md, "Uploads"). A client thread runs small
// batches against the real butler-server (register a run, reserve, PUT the files, then commit,
// abort, or walk away), carrying on across restarts, while the test kills the server with
// SIGKILL after a random delay, 100 times, and starts it again (now and then it kills the
// server while it starts, too). After every kill, with the server down:
//   - every dataset of the client's runs has its file, with the recorded size and sha256 and
//     the bytes the client sent for that dataset ID;
//   - every commit the client saw succeed is there; nothing the client aborted or abandoned is;
//   - QuotaVerifier finds no drift, no orphan file, no missing file and no stale charge.
// After every start: no temporary upload file is left. Every 25 cycles the client pauses until
// the server's cleanup has freed the expired reservations: then nothing is reserved or open,
// the datastore holds exactly the recorded files, and `butler verify-quotas` agrees.
// The seed is printed; BUTLER_CRASH_SEED=<n> replays the kill delays and batch shapes (thread
// timing aside).
#include "ButlerCli.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "QuotaStore.h"
#include "QuotaVerifier.h"
#include "Registry.h"
#include "ServerFixture.h"
#include "UploadStore.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QMutex>
#include <QProcess>
#include <QTest>
#include <QThread>

#include <atomic>
#include <csignal>
#include <memory>
#include <sys/prctl.h>

using namespace butler;

namespace {

constexpr int kCycles = 100;
constexpr int kMaxKillDelayMs = 300;
constexpr int kDrainEvery = 25; // cycles between waits for the server's cleanup
constexpr int kTtlSeconds = 2;
const QString kType = QStringLiteral("blob");
const QString kUser = QStringLiteral("alice");
const QString kRunPrefix = QStringLiteral("u/alice/crash/");

QString sha256Hex(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// What the client knows about one dataset ID it reserved.
struct Sent
{
    QString sha256;
    qint64 size = 0;
};

// What the client saw, shared with the test thread.
struct Ledger
{
    QMutex mutex;
    QHash<QUuid, Sent> reserved; // every dataset ID a reservation handed out
    QSet<QUuid> committed;       // a commit answered 200 with these
    QSet<QUuid> neverCommitted;  // aborted, abandoned, expired: must never become datasets
    int committedBatches = 0;
    int abortedBatches = 0;
    int abandonedBatches = 0;
    int unknownBatches = 0;        // the commit's answer never came
    int batchesAcrossRestarts = 0; // committed or aborted after meeting a dead server
    QStringList anomalies;         // answers no kill can explain
};

// The client thread: batches one after another, each retrying through restarts until its
// reservation would have expired. send() waits while the gate is closed, so the test can
// inspect a quiet repository and restart the server without a request in flight.
class UploadClient
{
public:
    UploadClient(Ledger& ledger, QString token, QList<int> detectors, quint32 seed)
        : m_ledger(ledger)
        , m_token(std::move(token))
        , m_detectors(std::move(detectors))
        , m_random(seed)
    {
    }

    void setPort(quint16 port) { m_port.storeRelease(port); }
    void stop() { m_stop.storeRelease(1); }
    void openGate() { m_gateOpen.storeRelease(1); }
    // Returns once no request of the client is in flight.
    bool closeGate(int timeoutMs)
    {
        m_gateOpen.storeRelease(0);
        QElapsedTimer timer;
        timer.start();
        while (m_inFlight.loadAcquire() > 0) {
            if (timer.elapsed() > timeoutMs)
                return false;
            QThread::msleep(2);
        }
        return true;
    }
    int batches() const { return m_batch; }

    void run()
    {
        m_network = std::make_unique<QNetworkAccessManager>();
        while (!m_stop.loadAcquire())
            runBatch();
        m_network.reset();
    }

private:
    struct Answer
    {
        int status = 0; // 0: no HTTP answer (server down, connection reset)
        QByteArray body;
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    };
    struct Call
    {
        QByteArray method;
        QString path; // and query
        QByteArray body;
        bool authorized = true;
    };

    bool passGate()
    {
        while (!m_gateOpen.loadAcquire()) {
            if (m_stop.loadAcquire())
                return false;
            QThread::msleep(2);
        }
        return true;
    }

    // The calls at once (the PUTs of a batch go in parallel), answers in the same order.
    QList<Answer> sendAll(const QList<Call>& calls)
    {
        QList<Answer> answers(calls.size());
        if (!passGate())
            return answers;
        m_inFlight.ref();
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(m_port.loadAcquire());
        QEventLoop loop;
        int open = int(calls.size());
        QList<QNetworkReply*> replies;
        for (const Call& call : calls) {
            QNetworkRequest request(QUrl(base + call.path));
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                 QNetworkRequest::ManualRedirectPolicy);
            request.setTransferTimeout(5000);
            if (call.authorized)
                request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              call.method == "PUT" ? QByteArrayLiteral("application/octet-stream")
                                                   : QByteArrayLiteral("application/json"));
            // Also for an empty body: an upload without Content-Length is refused.
            request.setHeader(QNetworkRequest::ContentLengthHeader, call.body.size());
            QNetworkReply* reply = m_network->sendCustomRequest(request, call.method, call.body);
            QObject::connect(reply, &QNetworkReply::finished, &loop, [&open, &loop] {
                if (--open == 0)
                    loop.quit();
            });
            replies.append(reply);
        }
        if (open > 0)
            loop.exec();
        for (qsizetype i = 0; i < replies.size(); ++i) {
            answers[i].status = replies[i]->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            answers[i].body = replies[i]->readAll();
            delete replies[i];
        }
        m_inFlight.deref();
        return answers;
    }

    Answer post(const QString& route, const QJsonObject& body)
    {
        return sendAll({Call{"POST", QStringLiteral("/api/butler/repo/main/v1") + route,
                             QJsonDocument(body).toJson(QJsonDocument::Compact)}})
            .first();
    }

    // Asks again while the server is down, until the deadline.
    Answer postUntil(const QString& route, const QJsonObject& body, const QDeadlineTimer& deadline,
                     bool* metDeadServer)
    {
        for (;;) {
            Answer answer = post(route, body);
            if (answer.status != 0 || deadline.hasExpired() || m_stop.loadAcquire())
                return answer;
            *metDeadServer = true;
            QThread::msleep(20);
        }
    }

    void anomaly(const QString& what, const Answer& answer)
    {
        QMutexLocker lock(&m_ledger.mutex);
        m_ledger.anomalies.append(QStringLiteral("%1: %2 %3")
                                      .arg(what)
                                      .arg(answer.status)
                                      .arg(QString::fromUtf8(answer.body.left(300))));
    }

    void giveUp(const QList<QUuid>& ids, int Ledger::*counter)
    {
        QMutexLocker lock(&m_ledger.mutex);
        for (const QUuid& id : ids)
            m_ledger.neverCommitted.insert(id);
        ++(m_ledger.*counter);
    }

    void runBatch()
    {
        const int index = m_batch++;
        const QString run = kRunPrefix + QString::number(index);
        const int count = 1 + int(m_random.bounded(4));
        const int fate = int(m_random.bounded(100)); // < 70 commit, < 85 abort, else walk away
        QList<QByteArray> contents;
        QJsonArray specs;
        for (int i = 0; i < count; ++i) {
            const int size = m_random.bounded(20) == 0 ? 0 : 1 + int(m_random.bounded(16 * 1024));
            QByteArray bytes(size, Qt::Uninitialized);
            for (int b = 0; b < size; ++b)
                bytes[b] = char(m_random.bounded(256));
            contents.append(bytes);
            specs.append(
                QJsonObject{{QStringLiteral("data_id"),
                             QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                         {QStringLiteral("detector"), m_detectors[i % m_detectors.size()]}}},
                            {QStringLiteral("size"), size},
                            {QStringLiteral("sha256"), sha256Hex(bytes)},
                            {QStringLiteral("formatter"), QStringLiteral("bytes")}});
        }
        // Past the upload TTL there is nothing left to finish.
        const QDeadlineTimer deadline(std::chrono::seconds(kTtlSeconds + 1));
        bool metDeadServer = false;

        const Answer made = postUntil(
            QStringLiteral("/collections"),
            QJsonObject{{QStringLiteral("name"), run}, {QStringLiteral("type"), QStringLiteral("RUN")}},
            deadline, &metDeadServer);
        if (made.status != 201 && made.status != 409) {
            if (made.status != 0)
                anomaly(QStringLiteral("register ") + run, made);
            return;
        }
        // A lost answer is asked again: the server hands the same open slots back.
        const Answer grant = postUntil(QStringLiteral("/uploads"),
                                       QJsonObject{{QStringLiteral("run"), run},
                                                   {QStringLiteral("dataset_type"), kType},
                                                   {QStringLiteral("files"), specs}},
                                       deadline, &metDeadServer);
        if (grant.status != 201) {
            if (grant.status != 0)
                anomaly(QStringLiteral("reserve in ") + run, grant);
            return;
        }
        const QString uploadId = grant.json().value(QStringLiteral("upload_id")).toString();
        const QJsonArray granted = grant.json().value(QStringLiteral("files")).toArray();
        if (granted.size() != count || uploadId.isEmpty()) {
            anomaly(QStringLiteral("grant of ") + run, grant);
            return;
        }
        QList<QUuid> ids;
        QList<Call> puts;
        {
            QMutexLocker lock(&m_ledger.mutex);
            for (int i = 0; i < count; ++i) {
                const QJsonObject slot = granted.at(i).toObject();
                const QUuid id = QUuid::fromString(slot.value(QStringLiteral("dataset_id")).toString());
                ids.append(id);
                m_ledger.reserved.insert(id, Sent{sha256Hex(contents[i]), contents[i].size()});
                const QUrl url(slot.value(QStringLiteral("url")).toString());
                if (slot.value(QStringLiteral("status")).toString() == QLatin1String("upload"))
                    puts.append(Call{"PUT",
                                     url.path(QUrl::FullyEncoded) + u'?' + url.query(QUrl::FullyEncoded),
                                     contents[i], false});
            }
        }
        // Walking away: some files are sent, the reservation is left to expire.
        if (fate >= 85 && !puts.isEmpty())
            puts = puts.mid(0, qsizetype(m_random.bounded(quint32(puts.size()))));
        while (!puts.isEmpty()) {
            const QList<Answer> answers = sendAll(puts);
            QList<Call> again;
            for (qsizetype i = 0; i < puts.size(); ++i) {
                if (answers[i].status == 201)
                    continue;
                if (answers[i].status != 0) {
                    // Refused: the slot expired while the server was down.
                    if (!deadline.hasExpired() && answers[i].status != 404 && answers[i].status != 403)
                        anomaly(QStringLiteral("PUT into ") + run, answers[i]);
                    giveUp(ids, &Ledger::abandonedBatches);
                    return;
                }
                again.append(puts[i]);
            }
            if (again.isEmpty())
                break;
            metDeadServer = true;
            if (deadline.hasExpired() || m_stop.loadAcquire()) {
                giveUp(ids, &Ledger::abandonedBatches);
                return;
            }
            QThread::msleep(20);
            puts = again;
        }
        if (fate >= 85) {
            giveUp(ids, &Ledger::abandonedBatches);
            return;
        }
        const QJsonObject which{{QStringLiteral("upload_id"), uploadId}};
        if (fate >= 70) {
            const Answer aborted =
                postUntil(QStringLiteral("/uploads/abort"), which, deadline, &metDeadServer);
            // 404: an earlier abort went through and its answer was lost, or the slots expired.
            if (aborted.status != 200 && aborted.status != 404 && aborted.status != 0)
                anomaly(QStringLiteral("abort of ") + run, aborted);
            giveUp(ids, &Ledger::abortedBatches);
            if (metDeadServer) {
                QMutexLocker lock(&m_ledger.mutex);
                ++m_ledger.batchesAcrossRestarts;
            }
            return;
        }
        const Answer committed =
            postUntil(QStringLiteral("/uploads/commit"), which, deadline, &metDeadServer);
        if (committed.status == 200) {
            const QJsonArray datasets = committed.json().value(QStringLiteral("datasets")).toArray();
            QMutexLocker lock(&m_ledger.mutex);
            QList<QUuid> answered;
            for (const QJsonValue& ref : datasets)
                answered.append(QUuid::fromString(ref.toObject().value(QStringLiteral("id")).toString()));
            if (answered != ids)
                m_ledger.anomalies.append(QStringLiteral("commit of %1 answered other datasets").arg(run));
            for (const QUuid& id : std::as_const(answered))
                m_ledger.committed.insert(id);
            ++m_ledger.committedBatches;
            if (metDeadServer)
                ++m_ledger.batchesAcrossRestarts;
            return;
        }
        if (committed.status == 404) {
            // Expired before any commit went through (a committed batch is remembered).
            giveUp(ids, &Ledger::abandonedBatches);
            return;
        }
        if (committed.status != 0)
            anomaly(QStringLiteral("commit of ") + run, committed);
        QMutexLocker lock(&m_ledger.mutex);
        ++m_ledger.unknownBatches;
    }

    Ledger& m_ledger;
    const QString m_token;
    const QList<int> m_detectors;
    QRandomGenerator m_random;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QAtomicInt m_port{0};
    QAtomicInt m_stop{0};
    QAtomicInt m_gateOpen{0};
    QAtomicInt m_inFlight{0};
    std::atomic<int> m_batch{0};
};

} // namespace

class TestCrashConsistency : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void killsDuringUploadsLoseNothing();

private:
    // The checks on a repository with no server running (or a quiet one, with idle true).
    void checkRepository(const QString& when, bool idle);
    void checkNoUnfinishedUploads(const QString& when);
    void killServer();
    void killWhileStarting(int delayMs);
    void restartServer();
    QStringList datastoreFiles() const;

    ServerFixture m_server;
    Ledger m_ledger;
    QList<int> m_detectors;
    QHash<QUuid, QString> m_hashed; // dataset ID -> sha256 of its file, checked once
    QByteArray m_serverLog;         // the end of the server's output, for failures
    int m_kills = 0;
    int m_unfinishedAfterKill = 0; // kills that left a file in the upload folder (no O_TMPFILE)
    int m_openSlotsAfterKill = 0;  // kills that left open reservations
};

void TestCrashConsistency::initTestCase()
{
    QVERIFY2(m_server.prepare(QStringLiteral("quotas: { default_bytes: 100000000000, upload_ttl_seconds: %1, "
                                             "cleanup_interval_seconds: 1 }\n")
                                  .arg(kTtlSeconds)),
             qPrintable(m_server.lastError()));
    {
        // Set up on the repository itself, before the server runs.
        auto butler = DirectButler::open(m_server.repoPath());
        QVERIFY(butler.ok());
        auto type = DatasetType::make((*butler)->universe(), kType,
                                      {QStringLiteral("instrument"), QStringLiteral("detector")},
                                      QStringLiteral("Bytes"));
        QVERIFY(type.ok());
        QVERIFY((*butler)->registerDatasetType(type.value()).ok());
        DimensionRecordQuery query;
        query.element = QStringLiteral("detector");
        auto records = (*butler)->queryDimensionRecords(query);
        QVERIFY(records.ok());
        for (const DimensionRecord& record : records->records)
            m_detectors.append(record.value(QStringLiteral("id")).toInt());
        QVERIFY2(m_detectors.size() >= 4, "the demo repository has too few detectors");
    }
    // The server goes with the test, also when the test itself dies.
    m_server.process().setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
}

void TestCrashConsistency::cleanupTestCase()
{
    m_server.stop();
}

QStringList TestCrashConsistency::datastoreFiles() const
{
    const QString root = m_server.repoPath() + QStringLiteral("/datastore");
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next().mid(root.size() + 1));
    files.sort();
    return files;
}

void TestCrashConsistency::killServer()
{
    QProcess& process = m_server.process();
    const bool running = process.state() != QProcess::NotRunning;
    if (running) {
        process.kill(); // SIGKILL
        QVERIFY(process.waitForFinished(10000));
    }
    m_serverLog =
        (m_serverLog + process.readAllStandardError() + process.readAllStandardOutput()).right(20000);
    QVERIFY2(running,
             qPrintable(QStringLiteral("the server stopped on its own (exit %1); its last output:\n%2")
                            .arg(process.exitCode())
                            .arg(QString::fromUtf8(m_serverLog.right(4000)))));
    ++m_kills;
}

void TestCrashConsistency::killWhileStarting(int delayMs)
{
    QProcess& process = m_server.process();
    process.start(QStringLiteral(BUTLER_SERVER_BIN), {QStringLiteral("--config"), m_server.configPath()});
    QVERIFY(process.waitForStarted(10000));
    QTest::qWait(delayMs);
    killServer();
}

void TestCrashConsistency::restartServer()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError() + QStringLiteral("\nearlier output: ") +
                                          QString::fromUtf8(m_serverLog.right(3000))));
}

void TestCrashConsistency::checkNoUnfinishedUploads(const QString& when)
{
    const QStringList unfinished = datastoreFiles().filter(QStringLiteral(".upload-"));
    QVERIFY2(unfinished.isEmpty(), qPrintable(when + QStringLiteral(": temporary upload files left: ") +
                                              unfinished.join(QStringLiteral(", "))));
}

void TestCrashConsistency::checkRepository(const QString& when, bool idle)
{
    Ledger snapshot;
    {
        QMutexLocker lock(&m_ledger.mutex);
        snapshot.reserved = m_ledger.reserved;
        snapshot.committed = m_ledger.committed;
        snapshot.neverCommitted = m_ledger.neverCommitted;
    }
    auto opened = DirectButler::open(m_server.repoPath());
    QVERIFY2(opened.ok(), qPrintable(when + u' ' + (opened.ok() ? QString() : opened.error().message())));
    DirectButler& butler = *opened.value();

    // Every dataset of the client's runs: its file, as recorded and as sent.
    DatasetQuery query;
    query.datasetTypes = {kType};
    query.collections = {kRunPrefix + u'*'};
    auto page = butler.queryDatasets(query);
    QVERIFY2(page.ok(), qPrintable(when + u' ' + (page.ok() ? QString() : page.error().message())));
    QList<QUuid> ids;
    for (const DatasetRef& ref : page->refs)
        ids.append(ref.id());
    QVERIFY2(page->nextPageToken.isEmpty(), "the datasets did not fit one page");
    auto infos = butler.fileInfo(ids);
    QVERIFY2(infos.ok(), qPrintable(when + u' ' + (infos.ok() ? QString() : infos.error().message())));
    QHash<QUuid, FileInfo> byId;
    for (const FileInfo& info : infos.value())
        byId.insert(info.id, info);
    const QString root = butler.datastore().root();
    for (const QUuid& id : std::as_const(ids)) {
        const QString name = id.toString(QUuid::WithoutBraces);
        QVERIFY2(byId.contains(id),
                 qPrintable(when + QStringLiteral(": dataset %1 has no file record").arg(name)));
        const FileInfo& info = byId[id];
        QVERIFY2(snapshot.reserved.contains(id),
                 qPrintable(when + QStringLiteral(": dataset %1 was never reserved").arg(name)));
        QVERIFY2(!snapshot.neverCommitted.contains(id),
                 qPrintable(when + QStringLiteral(": dataset %1 exists, but its upload was aborted or "
                                                  "abandoned")
                                       .arg(name)));
        const Sent& sent = snapshot.reserved[id];
        QFile file(root + u'/' + info.path);
        QVERIFY2(file.exists(),
                 qPrintable(when +
                            QStringLiteral(": the file of dataset %1 (%2) is missing").arg(name, info.path)));
        QCOMPARE(file.size(), info.size);
        QCOMPARE(info.size, sent.size);
        QCOMPARE(info.checksum, QStringLiteral("sha256:") + sent.sha256);
        // Each file is read once, and all again when the repository is quiet.
        if (idle || !m_hashed.contains(id)) {
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QString actual = sha256Hex(file.readAll());
            QVERIFY2(
                actual == sent.sha256,
                qPrintable(when +
                           QStringLiteral(": the file of dataset %1 does not hold what was sent").arg(name)));
            m_hashed.insert(id, actual);
        }
    }
    // Every commit that answered 200 is there.
    const QSet<QUuid> present(ids.cbegin(), ids.cend());
    for (const QUuid& id : std::as_const(snapshot.committed))
        QVERIFY2(present.contains(id), qPrintable(when + QStringLiteral(": committed dataset %1 is gone")
                                                             .arg(id.toString(QUuid::WithoutBraces))));

    // Counters, charges and files agree.
    auto quotas = QuotaStore::open(butler.registry(), 0);
    QVERIFY(quotas.ok());
    auto uploads = UploadStore::open(butler.registry());
    QVERIFY(uploads.ok());
    auto report = QuotaVerifier::verify(butler, **quotas, **uploads, false);
    QVERIFY2(report.ok(), qPrintable(when + u' ' + (report.ok() ? QString() : report.error().message())));
    for (const QuotaVerifier::UserReport& user : report->users)
        QVERIFY2(!user.drifted(),
                 qPrintable(when + QStringLiteral(": drift for %1: used %2 recorded, %3 actual; reserved %4 "
                                                  "recorded, %5 actual")
                                       .arg(user.user)
                                       .arg(user.recordedUsed)
                                       .arg(user.actualUsed)
                                       .arg(user.recordedReserved)
                                       .arg(user.actualReserved)));
    QVERIFY2(report->orphans.isEmpty(), qPrintable(when + QStringLiteral(": orphan files: ") +
                                                   report->orphans.join(QStringLiteral(", "))));
    QVERIFY2(report->missingFiles.isEmpty(), qPrintable(when + QStringLiteral(": missing files: ") +
                                                        report->missingFiles.join(QStringLiteral(", "))));
    QCOMPARE(report->staleCharges, 0);
    auto open = (*uploads)->openSlots();
    QVERIFY(open.ok());
    if (!idle) {
        m_unfinishedAfterKill += report->inFlightFiles > 0 ? 1 : 0;
        m_openSlotsAfterKill += open->isEmpty() ? 0 : 1;
        return;
    }
    // Quiet and cleaned up: nothing reserved, nothing open, nothing but recorded files.
    QVERIFY2(open->isEmpty(),
             qPrintable(when + QStringLiteral(": %1 upload slots still open").arg(open->size())));
    for (const QuotaVerifier::UserReport& user : report->users)
        QCOMPARE(user.recordedReserved, qint64(0));
    QCOMPARE(report->inFlightFiles, 0);
}

void TestCrashConsistency::killsDuringUploadsLoseNothing()
{
    quint32 seed = quint32(QDateTime::currentMSecsSinceEpoch() & 0x7fffffff);
    if (qEnvironmentVariableIsSet("BUTLER_CRASH_SEED"))
        seed = quint32(qEnvironmentVariableIntValue("BUTLER_CRASH_SEED"));
    qInfo("crash-consistency seed: %u (BUTLER_CRASH_SEED=%u replays it)", seed, seed);
    QRandomGenerator random(seed);

    UploadClient client(m_ledger, m_server.token(kUser), m_detectors, seed + 1);
    client.setPort(m_server.port());
    std::unique_ptr<QThread> thread(QThread::create([&client] { client.run(); }));
    thread->start();
    auto stopClient = qScopeGuard([&] {
        client.stop();
        thread->wait();
    });
    QElapsedTimer elapsed;
    elapsed.start();

    for (int cycle = 1; cycle <= kCycles; ++cycle) {
        const QString when = QStringLiteral("cycle %1 (seed %2)").arg(cycle).arg(seed);
        client.openGate();
        QTest::qWait(int(random.bounded(kMaxKillDelayMs + 1)));
        killServer();
        QVERIFY2(client.closeGate(10000), "the client kept a request open");
        checkRepository(when + QStringLiteral(", after the kill"), false);
        if (QTest::currentTestFailed())
            return;
        // Now and then the server dies again while it starts (recovery, first cleanup).
        if (random.bounded(10) == 0) {
            killWhileStarting(int(random.bounded(120)));
            checkRepository(when + QStringLiteral(", after a kill while starting"), false);
            if (QTest::currentTestFailed())
                return;
        }
        restartServer();
        if (QTest::currentTestFailed())
            return;
        client.setPort(m_server.port());
        checkNoUnfinishedUploads(when + QStringLiteral(", after the restart"));

        if (cycle % kDrainEvery == 0) {
            // The client stays paused; the server's cleanup frees every expired reservation.
            QTRY_VERIFY_WITH_TIMEOUT(m_server.get(QStringLiteral("/quota"), kUser)
                                             .json()
                                             .value(QStringLiteral("reserved_bytes"))
                                             .toInteger(-1) == 0,
                                     (kTtlSeconds + 4) * 1000);
            checkRepository(when + QStringLiteral(", after the cleanup"), true);
            if (QTest::currentTestFailed())
                return;
            const CliResult verified = runButler({QStringLiteral("verify-quotas"), m_server.repoPath()});
            QVERIFY2(verified.status == 0 && verified.out.contains(QStringLiteral("Quotas agree")) &&
                         !verified.out.contains(QStringLiteral("orphan")),
                     qPrintable(when + QStringLiteral(": verify-quotas: exit %1\n%2%3")
                                           .arg(verified.status)
                                           .arg(verified.out, verified.err)));
        }
    }
    stopClient.dismiss();
    client.stop();
    client.openGate();
    thread->wait();

    QMutexLocker lock(&m_ledger.mutex);
    qInfo("%d kills in %.1f s; %d batches: %d committed, %d aborted, %d abandoned or expired, %d with an "
          "unknown outcome, %d finished across a restart; %d kills left a file in the upload folder, %d left "
          "open "
          "reservations",
          m_kills, double(elapsed.elapsed()) / 1000.0, client.batches(), m_ledger.committedBatches,
          m_ledger.abortedBatches, m_ledger.abandonedBatches, m_ledger.unknownBatches,
          m_ledger.batchesAcrossRestarts, m_unfinishedAfterKill, m_openSlotsAfterKill);
    QVERIFY2(m_ledger.anomalies.isEmpty(), qPrintable(m_ledger.anomalies.join(u'\n')));
    // The kills must have met the client at work, or the test proved nothing.
    QVERIFY(m_ledger.committedBatches > 0);
    QVERIFY(m_ledger.abortedBatches > 0);
    QVERIFY(m_openSlotsAfterKill > 0);
}

QTEST_GUILESS_MAIN(TestCrashConsistency)
#include "tst_crashconsistency.moc"
