// Undoing upload batches against the real butler-server: POST /uploads/abort with
// "undo_commit" removes what the caller's own committed batch made, for good (no trash, files
// deleted, quota given back); nobody else may, and a commit afterwards finds nothing. A
// RemoteUploader whose later batch fails leaves neither datasets, nor trash entries, nor files.
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

const QString kType = QStringLiteral("blob");

QByteArray content(int seed, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char((i * 13 + seed * 7) & 0xff);
    return bytes;
}

QString pathAndQuery(const QString& url)
{
    const QUrl parsed(url);
    return parsed.path(QUrl::FullyEncoded) + u'?' + parsed.query(QUrl::FullyEncoded);
}

} // namespace

class TestUploadUndo : public QObject
{
    Q_OBJECT

private:
    ServerFixture m_server;
    QList<int> m_detectors;

    QStringList datastoreFiles(const QString& under) const
    {
        const QString root = m_server.repoPath() + QStringLiteral("/datastore");
        QStringList files;
        QDirIterator it(root + u'/' + under, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next().mid(root.size() + 1));
        files.sort();
        return files;
    }

    QStringList trashOf(const QString& user)
    {
        QStringList names;
        for (const QJsonValue& entry :
             m_server.get(QStringLiteral("/trash"), user).json().value(QStringLiteral("entries")).toArray())
            names << entry.toObject().value(QStringLiteral("name")).toString();
        return names;
    }

    qint64 quotaField(const QString& user, const QString& field)
    {
        return m_server.get(QStringLiteral("/quota"), user).json().value(field).toInteger(-1);
    }

    bool registerRun(const QString& user, const QString& run)
    {
        return m_server
                   .post(QStringLiteral("/collections"), user,
                         QJsonObject{{QStringLiteral("name"), run},
                                     {QStringLiteral("type"), QStringLiteral("RUN")}})
                   .status == 201;
    }

    // Reserves, PUTs and commits one file; the upload ID, or empty.
    QString commitOne(const QString& user, const QString& run, int detector, const QByteArray& bytes)
    {
        const auto reserved = m_server.post(
            QStringLiteral("/uploads"), user,
            QJsonObject{{QStringLiteral("run"), run},
                        {QStringLiteral("dataset_type"), kType},
                        {QStringLiteral("files"),
                         QJsonArray{QJsonObject{
                             {QStringLiteral("data_id"),
                              QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                          {QStringLiteral("detector"), detector}}},
                             {QStringLiteral("size"), qint64(bytes.size())}}}}});
        if (reserved.status != 201) {
            qWarning() << describe(reserved);
            return {};
        }
        const QString uploadId = reserved.json().value(QStringLiteral("upload_id")).toString();
        const QString url = reserved.json()
                                .value(QStringLiteral("files"))
                                .toArray()
                                .at(0)
                                .toObject()
                                .value(QStringLiteral("url"))
                                .toString();
        const auto put = m_server.request("PUT", pathAndQuery(url), QString(), bytes);
        const auto committed = m_server.post(QStringLiteral("/uploads/commit"), user,
                                             QJsonObject{{QStringLiteral("upload_id"), uploadId}});
        if (put.status != 201 || committed.status != 200) {
            qWarning() << describe(put) << describe(committed);
            return {};
        }
        return uploadId;
    }

    ServerFixture::Reply abort(const QString& user, const QString& uploadId, bool undo)
    {
        QJsonObject body{{QStringLiteral("upload_id"), uploadId}};
        if (undo)
            body.insert(QStringLiteral("undo_commit"), true);
        return m_server.post(QStringLiteral("/uploads/abort"), user, body);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
        auto admin = RemoteButler::connect(m_server.repoUrl(), m_server.token(QStringLiteral("dave")));
        QVERIFY(admin.ok());
        auto type = DatasetType::make((*admin)->universe(), kType,
                                      {QStringLiteral("instrument"), QStringLiteral("detector")},
                                      QStringLiteral("Bytes"));
        QVERIFY(type.ok());
        QVERIFY((*admin)->registerDatasetType(type.value()).ok());
        DimensionRecordQuery query;
        query.element = QStringLiteral("detector");
        auto records = (*admin)->queryDimensionRecords(query);
        QVERIFY(records.ok());
        for (const DimensionRecord& record : records->records)
            m_detectors.append(record.value(QStringLiteral("id")).toInt());
        QVERIFY(m_detectors.size() >= 4);
    }

    void cleanupTestCase() { QCOMPARE(m_server.stop(), 0); }

    void undoRemovesACommittedBatchForGood()
    {
        const QString run = QStringLiteral("u/alice/undo");
        QVERIFY(registerRun(QStringLiteral("alice"), run));
        const qint64 usedBefore = quotaField(QStringLiteral("alice"), QStringLiteral("used_bytes"));
        const QByteArray bytes = content(1, 1500);
        const QString uploadId = commitOne(QStringLiteral("alice"), run, m_detectors[0], bytes);
        QVERIFY(!uploadId.isEmpty());
        QCOMPARE(datastoreFiles(run).size(), 1);
        QCOMPARE(quotaField(QStringLiteral("alice"), QStringLiteral("used_bytes")),
                 usedBefore + bytes.size());

        // Plain abort of a committed batch still refuses, and says how.
        const auto plain = abort(QStringLiteral("alice"), uploadId, false);
        QCOMPARE(plain.status, 409);
        QVERIFY2(plain.body.contains("undo_commit"), qPrintable(describe(plain)));
        // Someone else's batch does not exist for them, admins included.
        QCOMPARE(abort(QStringLiteral("bob"), uploadId, true).status, 404);
        QCOMPARE(abort(QStringLiteral("dave"), uploadId, true).status, 404);

        const auto undone = abort(QStringLiteral("alice"), uploadId, true);
        QVERIFY2(undone.status == 200, qPrintable(describe(undone)));
        QCOMPARE(undone.json().value(QStringLiteral("released_bytes")).toInteger(), qint64(bytes.size()));
        QCOMPARE(datastoreFiles(run), QStringList());
        QVERIFY2(trashOf(QStringLiteral("alice")).filter(run).isEmpty(),
                 qPrintable(trashOf(QStringLiteral("alice")).join(u' ')));
        QCOMPARE(quotaField(QStringLiteral("alice"), QStringLiteral("used_bytes")), usedBefore);
        const auto query = m_server.post(QStringLiteral("/datasets/count"), QStringLiteral("dave"),
                                         QJsonObject{{QStringLiteral("collections"), QJsonArray{run}}});
        QCOMPARE(query.json().value(QStringLiteral("count")).toInteger(-1), qint64(0));
        // The batch is gone: no second undo, no repeated commit answering refs of nothing.
        QCOMPARE(abort(QStringLiteral("alice"), uploadId, true).status, 404);
        QCOMPARE(m_server
                     .post(QStringLiteral("/uploads/commit"), QStringLiteral("alice"),
                           QJsonObject{{QStringLiteral("upload_id"), uploadId}})
                     .status,
                 404);
    }

    void undoKeepsWhatWasPrunedMeanwhile()
    {
        const QString run = QStringLiteral("u/alice/undo-pruned");
        QVERIFY(registerRun(QStringLiteral("alice"), run));
        const QString uploadId = commitOne(QStringLiteral("alice"), run, m_detectors[1], content(2, 700));
        QVERIFY(!uploadId.isEmpty());
        const auto refs = m_server.post(QStringLiteral("/datasets/query"), QStringLiteral("alice"),
                                        QJsonObject{{QStringLiteral("collections"), QJsonArray{run}}});
        const QString id = refs.json()
                               .value(QStringLiteral("datasets"))
                               .toArray()
                               .at(0)
                               .toObject()
                               .value(QStringLiteral("id"))
                               .toString();
        QVERIFY(!id.isEmpty());
        QCOMPARE(
            m_server
                .post(QStringLiteral("/datasets/prune"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("ids"), QJsonArray{id}}, {QStringLiteral("purge"), true}})
                .status,
            200);
        const auto undone = abort(QStringLiteral("alice"), uploadId, true);
        QVERIFY2(undone.status == 200, qPrintable(describe(undone)));
        QCOMPARE(undone.json().value(QStringLiteral("released_bytes")).toInteger(), qint64(0));
        // The prune stands: restorable from the trash.
        QCOMPARE(trashOf(QStringLiteral("alice")).filter(run).size(), 1);
    }

    void undoOfAnOpenBatchAborts()
    {
        const QString run = QStringLiteral("u/alice/undo-open");
        QVERIFY(registerRun(QStringLiteral("alice"), run));
        const auto reserved = m_server.post(
            QStringLiteral("/uploads"), QStringLiteral("alice"),
            QJsonObject{{QStringLiteral("run"), run},
                        {QStringLiteral("dataset_type"), kType},
                        {QStringLiteral("files"),
                         QJsonArray{QJsonObject{
                             {QStringLiteral("data_id"),
                              QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                          {QStringLiteral("detector"), m_detectors[0]}}},
                             {QStringLiteral("size"), 100}}}}});
        QCOMPARE(reserved.status, 201);
        const auto undone = abort(QStringLiteral("alice"),
                                  reserved.json().value(QStringLiteral("upload_id")).toString(), true);
        QVERIFY2(undone.status == 200, qPrintable(describe(undone)));
        QCOMPARE(undone.json().value(QStringLiteral("released_bytes")).toInteger(), qint64(100));
        QCOMPARE(m_server
                     .post(QStringLiteral("/uploads/abort"), QStringLiteral("alice"),
                           QJsonObject{{QStringLiteral("upload_id"), QStringLiteral("x")},
                                       {QStringLiteral("undo_commit"), QStringLiteral("yes")}})
                     .status,
                 400);
    }

    void failedMultiBatchUploadLeavesNoTrash_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<bool>("newRun");
        QTest::addColumn<int>("batchFiles");
        QTest::addColumn<QList<int>>("sizes");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<int>("sent");
        // Hashing first, one batch after another: the quota holds the first batch (2 x 1000
        // bytes) but not the second (1000 + 2000).
        QTest::newRow("one batch after another") << QStringLiteral("frank") << false << 2
                                                 << QList<int>{1000, 1000, 1000, 2000} << qint64(3000) << 2;
        // Into a new run, batches of 1, 6 and 1 files that overlap: the third is refused while
        // the second is sent and the first committed; both are undone.
        QTest::newRow("overlapping batches")
            << QStringLiteral("erin") << true << 8 << QList<int>(8, 1000) << qint64(7000) << 7;
    }

    void failedMultiBatchUploadLeavesNoTrash()
    {
        QFETCH(QString, user);
        QFETCH(bool, newRun);
        QFETCH(int, batchFiles);
        QFETCH(QList<int>, sizes);
        QFETCH(qint64, limit);
        QFETCH(int, sent);
        QVERIFY(m_detectors.size() >= sizes.size());
        QCOMPARE(
            m_server
                .post(QStringLiteral("/quota"), QStringLiteral("dave"),
                      QJsonObject{{QStringLiteral("user"), user}, {QStringLiteral("limit_bytes"), limit}})
                .status,
            200);
        const QString run = QStringLiteral("u/%1/batches").arg(user);
        QVERIFY(registerRun(user, run));
        QTemporaryDir dir;
        QList<IngestFile> files;
        for (int i = 0; i < sizes.size(); ++i) {
            const QString path = dir.filePath(QStringLiteral("f%1.bin").arg(i));
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content(10 + i, sizes[i]));
            file.close();
            IngestFile entry;
            entry.path = path;
            entry.datasetType = kType;
            entry.dataId = {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                            {QStringLiteral("detector"), m_detectors[i]}};
            entry.formatter = QStringLiteral("bytes");
            files.append(entry);
        }
        auto butler = RemoteButler::connect(m_server.repoUrl(), m_server.token(user));
        QVERIFY(butler.ok());
        UploadOptions options;
        options.batchFiles = batchFiles;
        options.newRun = newRun;
        UploadReport report;
        auto refs = (*butler)->uploadFiles(run, files, options, &report);
        QVERIFY(!refs.ok());
        QCOMPARE(refs.error().kind(), ErrorKind::QuotaExceeded);
        QCOMPARE(report.sentFiles, sent); // the batches before the refused one made it
        QVERIFY(!report.leftOnServer);

        // Nothing of it is left: no dataset, no trash entry holding files for weeks, no file,
        // no charge.
        QCOMPARE(m_server
                     .post(QStringLiteral("/datasets/count"), user,
                           QJsonObject{{QStringLiteral("collections"), QJsonArray{run}}})
                     .json()
                     .value(QStringLiteral("count"))
                     .toInteger(-1),
                 qint64(0));
        QCOMPARE(trashOf(user), QStringList());
        QCOMPARE(datastoreFiles(run), QStringList());
        QCOMPARE(quotaField(user, QStringLiteral("used_bytes")), qint64(0));
        QCOMPARE(quotaField(user, QStringLiteral("reserved_bytes")), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestUploadUndo)
#include "tst_uploadundo.moc"
