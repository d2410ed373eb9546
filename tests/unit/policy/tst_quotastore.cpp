// QuotaStore on a real repository: reservations against the limit (also from many threads at
// once), overrides, charging stored files, and the bytes coming back when datasets, their
// files or whole runs are removed, with or without the server.

#include "DirectButler.h"
#include "FileDatastore.h"
#include "QuotaStore.h"
#include "QuotaVerifier.h"
#include "Registry.h"
#include "UploadStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace butler;

#define BUTLER_VERIFY_OK(expr)                                                                               \
    do {                                                                                                     \
        const auto& butlerCheck_ = (expr);                                                                   \
        QVERIFY2(butlerCheck_.ok(), butlerCheck_.ok() ? "" : qPrintable(butlerCheck_.error().message()));    \
    } while (false)

namespace {

const QString kAlice = QStringLiteral("alice");
const QString kBob = QStringLiteral("bob");
const QString kRun = QStringLiteral("u/alice/run");
constexpr qint64 kLimit = 1000;

QVariantMap detectorId(int detector)
{
    return {{QStringLiteral("instrument"), QStringLiteral("Cam")}, {QStringLiteral("detector"), detector}};
}

} // namespace

class TestQuotaStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void reservesWithinTheLimit();
    void refusesBeyondTheLimitWithTheFigures();
    void overridesReplaceTheDefault();
    void rolledBackReservationLeavesNoTrace();
    void chargeMovesBytesFromReservedToUsed();
    void pruningGivesBytesBack_data();
    void pruningGivesBytesBack();
    void removingARunGivesBytesBack();
    void onlyChargedFilesCount();
    void concurrentReservationsNeverExceedTheLimit();
    void uploadSlotsClaimADataIdWhileOpen();
    void commitRecordsTheChecksumsOfWhatArrived();
    void verifyFindsNothingWhenAllAgrees();
    void verifyReportsAndFixesDrift();
    void verifyListsAndRemovesOrphans();
    void recountReservedFollowsOpenSlots();

private:
    // A file of `size` bytes stored as dataset `detector` of run kRun, charged to `user`.
    DatasetRef storeCharged(const QString& user, int detector, qint64 size);
    qint64 used(const QString& user);
    qint64 reserved(const QString& user);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DirectButler> m_butler;
    std::unique_ptr<QuotaStore> m_quotas;
};

void TestQuotaStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const QString path = m_dir->filePath(QStringLiteral("repo"));
    BUTLER_VERIFY_OK(DirectButler::create(path));
    auto opened = DirectButler::open(path);
    BUTLER_VERIFY_OK(opened);
    m_butler = std::move(opened).value();
    BUTLER_VERIFY_OK(m_butler->insertDimensionRecords(
        QStringLiteral("instrument"),
        {DimensionRecord(QStringLiteral("instrument"), {{QStringLiteral("name"), QStringLiteral("Cam")},
                                                        {QStringLiteral("detector_max"), 100}})}));
    QList<DimensionRecord> detectors;
    for (int d = 0; d < 50; ++d)
        detectors << DimensionRecord(QStringLiteral("detector"),
                                     {{QStringLiteral("instrument"), QStringLiteral("Cam")},
                                      {QStringLiteral("id"), d},
                                      {QStringLiteral("full_name"), QStringLiteral("D%1").arg(d)}});
    BUTLER_VERIFY_OK(m_butler->insertDimensionRecords(QStringLiteral("detector"), detectors));
    auto type = DatasetType::make(m_butler->universe(), QStringLiteral("blob"),
                                  {QStringLiteral("instrument"), QStringLiteral("detector")},
                                  QStringLiteral("Bytes"));
    BUTLER_VERIFY_OK(type);
    BUTLER_VERIFY_OK(m_butler->registerDatasetType(type.value()));
    BUTLER_VERIFY_OK(m_butler->registerCollection(kRun, CollectionType::Run));
    auto quotas = QuotaStore::open(m_butler->registry(), kLimit);
    BUTLER_VERIFY_OK(quotas);
    m_quotas = std::move(quotas).value();
}

void TestQuotaStore::cleanup()
{
    m_quotas.reset();
    m_butler.reset();
    m_dir.reset();
}

DatasetRef TestQuotaStore::storeCharged(const QString& user, int detector, qint64 size)
{
    Transaction tx(m_butler->registry().database());
    if (!tx.begin().ok())
        return {};
    auto ref = m_butler->put(QByteArray(int(size), 'x'), QStringLiteral("bytes"), QStringLiteral("blob"),
                             detectorId(detector), kRun);
    if (!ref.ok() || !m_quotas->charge(user, {{ref->id(), size}}).ok() || !tx.commit().ok())
        return {};
    return ref.value();
}

qint64 TestQuotaStore::used(const QString& user)
{
    auto usage = m_quotas->usage(user);
    return usage.ok() ? usage->usedBytes : -1;
}

qint64 TestQuotaStore::reserved(const QString& user)
{
    auto usage = m_quotas->usage(user);
    return usage.ok() ? usage->reservedBytes : -1;
}

void TestQuotaStore::reservesWithinTheLimit()
{
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 600));
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 400));
    auto usage = m_quotas->usage(kAlice);
    BUTLER_VERIFY_OK(usage);
    QCOMPARE(usage->reservedBytes, qint64(1000));
    QCOMPARE(usage->availableBytes(), qint64(0));
    QVERIFY(usage->defaultLimit);
    BUTLER_VERIFY_OK(m_quotas->release(kAlice, 600));
    QCOMPARE(reserved(kAlice), qint64(400));
    // Other users have their own counters.
    QCOMPARE(reserved(kBob), qint64(0));
}

void TestQuotaStore::refusesBeyondTheLimitWithTheFigures()
{
    storeCharged(kAlice, 1, 200);
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 700));
    const Status refused = m_quotas->reserve(kAlice, 101);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind(), ErrorKind::QuotaExceeded);
    const QString message = refused.error().message();
    QVERIFY2(message.contains(QStringLiteral("needed 101")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("used 200")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("reserved 700")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("limit 1000")), qPrintable(message));
    // Nothing changed; exactly what is left still fits.
    QCOMPARE(reserved(kAlice), qint64(700));
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 100));
}

void TestQuotaStore::overridesReplaceTheDefault()
{
    BUTLER_VERIFY_OK(m_quotas->setLimit(kAlice, 5000));
    auto usage = m_quotas->usage(kAlice);
    BUTLER_VERIFY_OK(usage);
    QCOMPARE(usage->limitBytes, qint64(5000));
    QVERIFY(!usage->defaultLimit);
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 4000));
    QCOMPARE(m_quotas->usage(kBob)->limitBytes, kLimit);
    BUTLER_VERIFY_OK(m_quotas->setLimit(kAlice, std::nullopt));
    QCOMPARE(m_quotas->usage(kAlice)->limitBytes, kLimit);
    // Over the limit now: nothing more fits, what is reserved stays.
    QCOMPARE(m_quotas->reserve(kAlice, 1).error().kind(), ErrorKind::QuotaExceeded);
    QCOMPARE(reserved(kAlice), qint64(4000));
    QVERIFY(!m_quotas->setLimit(kAlice, -1).ok());
}

void TestQuotaStore::rolledBackReservationLeavesNoTrace()
{
    {
        Transaction tx(m_butler->registry().database());
        BUTLER_VERIFY_OK(tx.begin());
        BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 500));
    }
    QCOMPARE(reserved(kAlice), qint64(0));
}

void TestQuotaStore::chargeMovesBytesFromReservedToUsed()
{
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 300));
    const DatasetRef ref = storeCharged(kAlice, 2, 300);
    QVERIFY(ref.isValid());
    QCOMPARE(used(kAlice), qint64(300));
    QCOMPARE(reserved(kAlice), qint64(0));
}

void TestQuotaStore::pruningGivesBytesBack_data()
{
    QTest::addColumn<bool>("purge");
    QTest::newRow("purge") << true;
    QTest::newRow("unstore") << false;
}

void TestQuotaStore::pruningGivesBytesBack()
{
    QFETCH(bool, purge);
    const DatasetRef kept = storeCharged(kAlice, 3, 100);
    const DatasetRef gone = storeCharged(kAlice, 4, 250);
    QVERIFY(kept.isValid() && gone.isValid());
    QCOMPARE(used(kAlice), qint64(350));
    BUTLER_VERIFY_OK(m_butler->pruneDatasets({gone.id()}, purge, !purge));
    if (purge) {
        // Purged datasets wait in the trash with their files, still charged, until it is emptied.
        QCOMPARE(used(kAlice), qint64(350));
        auto emptied = m_butler->emptyTrash({});
        BUTLER_VERIFY_OK(emptied);
        QCOMPARE(emptied->size(), 1);
    }
    QCOMPARE(used(kAlice), qint64(100));
    // The freed bytes can be reserved again.
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 900));
}

void TestQuotaStore::removingARunGivesBytesBack()
{
    storeCharged(kAlice, 5, 100);
    storeCharged(kBob, 6, 200);
    QCOMPARE(used(kAlice), qint64(100));
    QCOMPARE(used(kBob), qint64(200));
    BUTLER_VERIFY_OK(m_butler->removeRuns({kRun}));
    // In the trash the files stay, and stay charged; the purge gives the bytes back.
    QCOMPARE(used(kAlice), qint64(100));
    QCOMPARE(used(kBob), qint64(200));
    BUTLER_VERIFY_OK(m_butler->emptyTrash({kRun}));
    QCOMPARE(used(kAlice), qint64(0));
    QCOMPARE(used(kBob), qint64(0));
}

void TestQuotaStore::onlyChargedFilesCount()
{
    // A file stored without the server (no charge) changes nobody's usage, now or when it goes.
    auto local = m_butler->put(QByteArray(500, 'y'), QStringLiteral("bytes"), QStringLiteral("blob"),
                               detectorId(7), kRun);
    BUTLER_VERIFY_OK(local);
    storeCharged(kAlice, 8, 100);
    BUTLER_VERIFY_OK(m_butler->pruneDatasets({local->id()}, true, true));
    QCOMPARE(used(kAlice), qint64(100));
}

void TestQuotaStore::concurrentReservationsNeverExceedTheLimit()
{
    // 30 threads each reserve 100 bytes of a 1000-byte quota; exactly ten may succeed.
    constexpr int kThreads = 30;
    std::atomic<int> granted{0};
    std::atomic<int> refused{0};
    std::atomic<int> failed{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back(QThread::create([&] {
            const Status status = m_quotas->reserve(kAlice, 100);
            if (status.ok())
                ++granted;
            else if (status.error().kind() == ErrorKind::QuotaExceeded)
                ++refused;
            else
                ++failed;
        }));
        threads.back()->start();
    }
    for (auto& thread : threads)
        QVERIFY(thread->wait(60000));
    QCOMPARE(failed.load(), 0);
    QCOMPARE(granted.load(), 10);
    QCOMPARE(refused.load(), kThreads - 10);
    QCOMPARE(reserved(kAlice), kLimit);
}

void TestQuotaStore::uploadSlotsClaimADataIdWhileOpen()
{
    auto uploads = UploadStore::open(m_butler->registry());
    BUTLER_VERIFY_OK(uploads);
    UploadSlot slot;
    slot.datasetId = QUuid::createUuid();
    slot.uploadId = QStringLiteral("up-1");
    slot.user = kAlice;
    slot.run = kRun;
    slot.datasetType = QStringLiteral("blob");
    slot.dataIdKey = QStringLiteral("Cam\x1f"
                                    "9");
    slot.path = QStringLiteral("a/b.bin");
    slot.size = 10;
    slot.formatter = QStringLiteral("bytes");
    slot.expires = 100;
    BUTLER_VERIFY_OK((*uploads)->insertSlot(slot));
    UploadSlot twin = slot;
    twin.datasetId = QUuid::createUuid();
    twin.path = QStringLiteral("a/c.bin");
    const Status clash = (*uploads)->insertSlot(twin);
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().kind(), ErrorKind::Conflict);
    // Committed, the data ID is free again; the slot itself stays findable.
    BUTLER_VERIFY_OK((*uploads)->markCommitted(QStringLiteral("up-1"), 50));
    BUTLER_VERIFY_OK((*uploads)->insertSlot(twin));
    auto found = (*uploads)->slotByPath(QStringLiteral("a/b.bin"));
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE(found->value().state, UploadSlot::State::Committed);
    auto expired = (*uploads)->expiredSlots(200);
    BUTLER_VERIFY_OK(expired);
    QCOMPARE(expired->size(), 1);
    QCOMPARE(expired->first().path, QStringLiteral("a/c.bin"));
}

void TestQuotaStore::commitRecordsTheChecksumsOfWhatArrived()
{
    auto uploads = UploadStore::open(m_butler->registry());
    BUTLER_VERIFY_OK(uploads);
    // More slots than one statement takes, some with an announced sha256, and slots of another
    // batch that this commit must leave alone.
    QList<UploadSlot> slotList;
    QHash<QUuid, QString> unannounced;
    for (int i = 0; i < 1003; ++i) {
        UploadSlot slot;
        slot.datasetId = QUuid::createUuid();
        slot.uploadId = i < 1000 ? QStringLiteral("up-bulk") : QStringLiteral("up-other");
        slot.user = kAlice;
        slot.run = kRun;
        slot.datasetType = QStringLiteral("blob");
        slot.dataIdKey = QStringLiteral("Cam\x1f%1").arg(i);
        slot.path = QStringLiteral("bulk/%1.bin").arg(i);
        slot.size = 10;
        slot.formatter = QStringLiteral("bytes");
        slot.expires = 100;
        if (i % 7 == 0)
            slot.expectedSha256 = QString(64, QLatin1Char('a' + i % 6));
        else if (i < 1000)
            unannounced.insert(slot.datasetId, QStringLiteral("sha256:%1").arg(i, 64, 10, QLatin1Char('0')));
        slotList.append(slot);
    }
    BUTLER_VERIFY_OK((*uploads)->insertSlots(slotList));
    BUTLER_VERIFY_OK((*uploads)->setChecksums(unannounced));
    BUTLER_VERIFY_OK((*uploads)->markCommitted(QStringLiteral("up-bulk"), 50));
    auto stored = (*uploads)->slotsOf(QStringLiteral("up-bulk"));
    BUTLER_VERIFY_OK(stored);
    QCOMPARE(stored->size(), 1000);
    for (const UploadSlot& slot : stored.value()) {
        const QString expected = slot.expectedSha256.isEmpty()
                                     ? unannounced.value(slot.datasetId)
                                     : QStringLiteral("sha256:") + slot.expectedSha256;
        QVERIFY(!expected.isEmpty());
        QCOMPARE(slot.checksum, expected);
        QCOMPARE(slot.state, UploadSlot::State::Committed);
    }
    auto other = (*uploads)->slotsOf(QStringLiteral("up-other"));
    BUTLER_VERIFY_OK(other);
    QCOMPARE(other->size(), 3);
    for (const UploadSlot& slot : other.value()) {
        QVERIFY2(slot.checksum.isEmpty(), qPrintable(slot.checksum));
        QVERIFY(slot.isOpen());
    }
}

void TestQuotaStore::verifyFindsNothingWhenAllAgrees()
{
    storeCharged(kAlice, 10, 120);
    BUTLER_VERIFY_OK(m_quotas->reserve(kBob, 0));
    auto uploads = UploadStore::open(m_butler->registry());
    BUTLER_VERIFY_OK(uploads);
    auto report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, false);
    BUTLER_VERIFY_OK(report);
    QCOMPARE(report->driftCount(), 0);
    QVERIFY(report->orphans.isEmpty());
    QVERIFY(report->missingFiles.isEmpty());
    QCOMPARE(report->users.size(), 2);
    QCOMPARE(report->users.first().user, kAlice);
    QCOMPARE(report->users.first().actualUsed, qint64(120));
}

void TestQuotaStore::verifyReportsAndFixesDrift()
{
    storeCharged(kAlice, 11, 300);
    auto uploads = UploadStore::open(m_butler->registry());
    BUTLER_VERIFY_OK(uploads);
    UploadSlot slot;
    slot.datasetId = QUuid::createUuid();
    slot.uploadId = QStringLiteral("up-2");
    slot.user = kAlice;
    slot.run = kRun;
    slot.datasetType = QStringLiteral("blob");
    slot.dataIdKey = QStringLiteral("Cam\x1f"
                                    "12");
    slot.path = QStringLiteral("u/alice/run/pending.bin");
    slot.size = 40;
    slot.formatter = QStringLiteral("bytes");
    slot.expires = 1;
    BUTLER_VERIFY_OK((*uploads)->insertSlot(slot));
    // Counters that drifted away from the rows (a crash, a manual edit).
    BUTLER_VERIFY_OK(m_quotas->setCounters(kAlice, 999, 5));
    auto report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, false);
    BUTLER_VERIFY_OK(report);
    QCOMPARE(report->driftCount(), 1);
    const QuotaVerifier::UserReport alice = report->users.first();
    QCOMPARE(alice.recordedUsed, qint64(999));
    QCOMPARE(alice.actualUsed, qint64(300));
    QCOMPARE(alice.recordedReserved, qint64(5));
    QCOMPARE(alice.actualReserved, qint64(40));
    QVERIFY(!report->fixed);
    QCOMPARE(used(kAlice), qint64(999)); // reporting changes nothing

    report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, true);
    BUTLER_VERIFY_OK(report);
    QVERIFY(report->fixed);
    QCOMPARE(used(kAlice), qint64(300));
    QCOMPARE(reserved(kAlice), qint64(40));
    report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, false);
    BUTLER_VERIFY_OK(report);
    QCOMPARE(report->driftCount(), 0);
}

void TestQuotaStore::verifyListsAndRemovesOrphans()
{
    const DatasetRef stored = storeCharged(kAlice, 13, 64);
    QVERIFY(stored.isValid());
    auto uploads = UploadStore::open(m_butler->registry());
    BUTLER_VERIFY_OK(uploads);
    UploadSlot slot;
    slot.datasetId = QUuid::createUuid();
    slot.uploadId = QStringLiteral("up-3");
    slot.user = kAlice;
    slot.run = kRun;
    slot.datasetType = QStringLiteral("blob");
    slot.dataIdKey = QStringLiteral("Cam\x1f"
                                    "14");
    slot.path = QStringLiteral("u/alice/run/open.bin");
    slot.size = 3;
    slot.formatter = QStringLiteral("bytes");
    slot.expires = 1;
    BUTLER_VERIFY_OK((*uploads)->insertSlot(slot));
    const QString root = m_butler->datastore().root();
    const auto write = [&](const QString& relative) {
        QDir().mkpath(QFileInfo(root + QLatin1Char('/') + relative).absolutePath());
        QFile file(root + QLatin1Char('/') + relative);
        return file.open(QIODevice::WriteOnly) && file.write("abc") == 3;
    };
    // Accounted for: the open slot's file and a body arriving in the upload folder.
    const QString inFlight = UploadStore::temporaryFolder() + QStringLiteral("/1f2e.upload-part");
    QVERIFY(write(QStringLiteral("u/alice/run/open.bin")));
    QVERIFY(write(inFlight));
    // Orphans: a stray file, and a temporary file outside the upload folder.
    QVERIFY(write(QStringLiteral("stray/deep/orphan.fits")));
    QVERIFY(write(QStringLiteral("u/alice/run/gone.bin.upload-77")));

    auto report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, false);
    BUTLER_VERIFY_OK(report);
    QCOMPARE(report->orphans, QStringList({QStringLiteral("stray/deep/orphan.fits"),
                                           QStringLiteral("u/alice/run/gone.bin.upload-77")}));
    QCOMPARE(report->orphanBytes, qint64(6));
    QCOMPARE(report->inFlightFiles, 1);
    QVERIFY(QFile::exists(root + QStringLiteral("/stray/deep/orphan.fits")));

    report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, true);
    BUTLER_VERIFY_OK(report);
    QVERIFY(!QFile::exists(root + QStringLiteral("/stray/deep/orphan.fits")));
    QVERIFY(!QDir(root + QStringLiteral("/stray")).exists());
    QVERIFY(!QFile::exists(root + QStringLiteral("/u/alice/run/gone.bin.upload-77")));
    QVERIFY(QFile::exists(root + QStringLiteral("/u/alice/run/open.bin")));
    QVERIFY(QFile::exists(root + u'/' + inFlight));
    auto stillThere = m_butler->get(stored.id());
    BUTLER_VERIFY_OK(stillThere);
    report = QuotaVerifier::verify(*m_butler, *m_quotas, **uploads, false);
    BUTLER_VERIFY_OK(report);
    QVERIFY(report->orphans.isEmpty());
}

void TestQuotaStore::recountReservedFollowsOpenSlots()
{
    auto uploads = UploadStore::open(m_butler->registry());
    BUTLER_VERIFY_OK(uploads);
    UploadSlot slot;
    slot.datasetId = QUuid::createUuid();
    slot.uploadId = QStringLiteral("up-4");
    slot.user = kAlice;
    slot.run = kRun;
    slot.datasetType = QStringLiteral("blob");
    slot.dataIdKey = QStringLiteral("Cam\x1f"
                                    "15");
    slot.path = QStringLiteral("u/alice/run/recount.bin");
    slot.size = 70;
    slot.formatter = QStringLiteral("bytes");
    slot.expires = 1;
    BUTLER_VERIFY_OK((*uploads)->insertSlot(slot));
    BUTLER_VERIFY_OK(m_quotas->reserve(kAlice, 70));
    BUTLER_VERIFY_OK(m_quotas->reserve(kBob, 25)); // no open slot pays for these
    auto corrected = m_quotas->recountReserved();
    BUTLER_VERIFY_OK(corrected);
    QCOMPARE(corrected.value(), QStringList{kBob});
    QCOMPARE(reserved(kAlice), qint64(70));
    QCOMPARE(reserved(kBob), qint64(0));
    // Committed slots reserve nothing.
    BUTLER_VERIFY_OK((*uploads)->markCommitted(QStringLiteral("up-4"), 2));
    corrected = m_quotas->recountReserved();
    BUTLER_VERIFY_OK(corrected);
    QCOMPARE(corrected.value(), QStringList{kAlice});
    QCOMPARE(reserved(kAlice), qint64(0));
    corrected = m_quotas->recountReserved();
    BUTLER_VERIFY_OK(corrected);
    QVERIFY(corrected->isEmpty());
}

QTEST_GUILESS_MAIN(TestQuotaStore)
#include "tst_quotastore.moc"
