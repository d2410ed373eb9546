// butler-server refreshes stale query planner statistics when it starts: a repository that
// grew past Registry::statisticsMinRows() datasets without them (an import, a repository made by
// an older version) has them shortly after the server is up, gathered on a worker thread.

#include "DirectButler.h"
#include "Registry.h"
#include "ServerFixture.h"

#include <QTest>

#include <optional>

using namespace butler;

class TestServerStatistics : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void staleStatisticsAreRefreshedAtStart();

private:
    ServerFixture m_server;
};

void TestServerStatistics::initTestCase()
{
    QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
}

void TestServerStatistics::cleanupTestCase()
{
    if (m_server.process().state() != QProcess::NotRunning)
        m_server.stop();
}

void TestServerStatistics::staleStatisticsAreRefreshedAtStart()
{
    auto opened = DirectButler::open(m_server.repoPath());
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message()));
    DirectButler& butler = **opened;
    Registry& registry = butler.registry();
    const auto analyzed = [&registry]() -> std::optional<qint64> {
        const Result<std::optional<qint64>> rows =
            registry.database().analyzedRows(QStringLiteral("dataset"));
        return rows.ok() ? *rows : std::optional<qint64>(-1);
    };

    // Datasets without files, straight into the registry (DirectButler would refresh the
    // statistics itself) in one batch: one per detector and observation group, with as many
    // new groups as the minimum needs.
    DataIdQuery detectorQuery;
    detectorQuery.dimensions = {QStringLiteral("detector")};
    const Result<QList<DataCoordinate>> detectors = registry.queryDataIds(detectorQuery);
    QVERIFY(detectors.ok());
    QVERIFY(!detectors->isEmpty());
    const QString instrument = detectors->first().toMap().value(QStringLiteral("instrument")).toString();
    const qint64 groups = registry.statisticsMinRows() / detectors->size() + 1;
    QList<DimensionRecord> groupRecords;
    for (qint64 g = 0; g < groups; ++g)
        groupRecords.append(DimensionRecord(QStringLiteral("group"),
                                            {{QStringLiteral("instrument"), instrument},
                                             {QStringLiteral("name"), QStringLiteral("bulk%1").arg(g)}},
                                            std::nullopt));
    QVERIFY(registry.insertDimensionRecords(QStringLiteral("group"), groupRecords, false).ok());
    const auto type =
        DatasetType::make(butler.universe(), QStringLiteral("statsProbe"),
                          {QStringLiteral("instrument"), QStringLiteral("group"), QStringLiteral("detector")},
                          QStringLiteral("StructuredDataDict"));
    QVERIFY(type.ok());
    QVERIFY(butler.registerDatasetType(*type).ok());
    QVERIFY(butler.registerCollection(QStringLiteral("bulk/run"), CollectionType::Run).ok());
    QList<Registry::NewDataset> datasets;
    for (qint64 g = 0; g < groups; ++g) {
        for (const DataCoordinate& detector : *detectors) {
            QVariantMap dataId = detector.toMap();
            dataId.insert(QStringLiteral("group"), QStringLiteral("bulk%1").arg(g));
            datasets.append({QStringLiteral("statsProbe"), dataId, QUuid()});
        }
    }
    const auto refs = registry.insertDatasets(QStringLiteral("bulk/run"), datasets, DatasetIdMode::Unique);
    QVERIFY2(refs.ok(), qPrintable(refs.ok() ? QString() : refs.error().message()));
    const qint64 inserted = refs->size();
    QVERIFY(inserted >= registry.statisticsMinRows());
    QCOMPARE(analyzed(), std::optional<qint64>()); // no statistics yet

    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    QCOMPARE(m_server.request("GET", QStringLiteral("/healthz"), {}).status, 200);
    // Soon sqlite_stat1 describes the dataset table, with every dataset of the repository.
    QTRY_VERIFY_WITH_TIMEOUT(analyzed().value_or(0) >= inserted, 30000);
    QByteArray log;
    QTRY_VERIFY_WITH_TIMEOUT((log += m_server.process().readAllStandardError())
                                 .contains("repository main: refreshed the query planner's statistics in"),
                             10000);

    // The next start finds them current (no growth since) and leaves them alone; a changed
    // row shows that nothing was gathered again.
    QCOMPARE(m_server.stop(), 0);
    QVERIFY(registry.database()
                .exec(QStringLiteral("UPDATE sqlite_stat1 SET stat = '7 1' WHERE tbl = 'dataset'"))
                .ok());
    QCOMPARE(analyzed(), std::optional<qint64>(7));
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    log.clear();
    QTRY_VERIFY_WITH_TIMEOUT((log += m_server.process().readAllStandardError())
                                 .contains("repository main: the query planner's statistics are current"),
                             10000);
    QCOMPARE(analyzed(), std::optional<qint64>(7));
}

QTEST_GUILESS_MAIN(TestServerStatistics)
#include "tst_serverstatistics.moc"
