#pragma once

// Shared fixture for the registry tests: a fresh SQLite registry in a temporary folder with a
// small, fully known set of dimension records, dataset types and helpers to insert datasets.
// The expected answers of the tests are computed from the same tables (exposures(), visits()),
// so a test states only the rule it checks.

#include "Registry.h"
#include "SqliteDatabase.h"
#include "TaiTime.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

// Fails the test with the error message when a Result or Status holds an error.
#define BUTLER_VERIFY_OK(expr)                                                                               \
    do {                                                                                                     \
        const auto& butlerCheck_ = (expr);                                                                   \
        QVERIFY2(butlerCheck_.ok(), butlerCheck_.ok() ? "" : qPrintable(butlerCheck_.error().message()));    \
    } while (false)

// Fails the test unless the Result or Status holds an error of this kind.
#define BUTLER_VERIFY_ERROR(expr, expectedKind)                                                              \
    do {                                                                                                     \
        const auto& butlerCheck_ = (expr);                                                                   \
        QVERIFY2(!butlerCheck_.ok(), "expected an error, the call succeeded");                               \
        QCOMPARE(butlerCheck_.error().kindName(), butler::errorKindName(expectedKind));                      \
    } while (false)

namespace butler {

class RegistryFixture
{
public:
    static constexpr qint64 Second = 1'000'000'000LL;
    static constexpr qint64 Hour = 3600 * Second;
    static constexpr qint64 ExposureLength = 30 * Second;

    struct Exposure
    {
        QString instrument;
        qint64 id = 0;
        QString physicalFilter;
        qint64 dayObs = 0;
        QString group;
        std::optional<double> exposureTime;
        qint64 begin = 0;
        qint64 end = 0;
    };

    struct Visit
    {
        qint64 id = 0;
        QList<qint64> exposures;
        QList<qint64> visitSystems;
    };

    // UTC ISO text to TAI ns; the fixture's times are all valid.
    static qint64 utc(const char* iso) { return TaiTime::fromIsoUtc(QString::fromLatin1(iso)).valueOr(0); }

    static QString cam() { return QStringLiteral("Cam"); }
    static QString other() { return QStringLiteral("Other"); }
    static QList<qint64> camDetectors() { return {0, 1, 2, 3, 4}; }
    static QList<qint64> camExposureIds() { return {101, 102, 103, 104, 105, 106, 107, 108, 109, 110}; }
    static QString bandOf(const QString& physicalFilter) { return physicalFilter.left(1); }

    // Cam: exposures 101..110. Filters cycle g_01, r_03, i_06. 101..105 begin on whole hours
    // from 2025-06-15T20:00Z (day_obs 20250615); 106..110 begin 1 us after whole hours from
    // 2025-06-16T20:00Z (day_obs 20250616), times that a double cannot hold exactly.
    // exposure_time is 10 * (id - 100) s, except 110 which has none. Other: exposure 101 with
    // g_01, at the same time as Cam's 101.
    static QList<Exposure> exposures()
    {
        static const QStringList filters{QStringLiteral("g_01"), QStringLiteral("r_03"),
                                         QStringLiteral("i_06")};
        QList<Exposure> result;
        for (qint64 id : camExposureIds()) {
            Exposure e;
            e.instrument = cam();
            e.id = id;
            e.physicalFilter = filters[int((id - 101) % 3)];
            const bool firstNight = id <= 105;
            e.dayObs = firstNight ? 20250615 : 20250616;
            e.group = id % 2 ? QStringLiteral("grpA") : QStringLiteral("grpB");
            if (id != 110)
                e.exposureTime = double(10 * (id - 100));
            e.begin = firstNight ? utc("2025-06-15T20:00:00") + (id - 101) * Hour
                                 : utc("2025-06-16T20:00:00.000001") + (id - 106) * Hour;
            e.end = e.begin + ExposureLength;
            result << e;
        }
        Exposure o;
        o.instrument = other();
        o.id = 101;
        o.physicalFilter = QStringLiteral("g_01");
        o.dayObs = 20250615;
        o.group = QStringLiteral("grpA");
        o.exposureTime = 15.0;
        o.begin = utc("2025-06-15T20:00:00");
        o.end = o.begin + ExposureLength;
        result << o;
        return result;
    }

    static Exposure camExposure(qint64 id)
    {
        for (const Exposure& e : exposures())
            if (e.instrument == cam() && e.id == id)
                return e;
        return {};
    }

    // Cam visits: 1000 + e for each exposure e (visit system 0), and 1199 made of exposures 101
    // and 104 (visit system 1). Visit 1101 is in both systems.
    static QList<Visit> visits()
    {
        QList<Visit> result;
        for (qint64 e : camExposureIds())
            result << Visit{1000 + e, {e}, e == 101 ? QList<qint64>{0, 1} : QList<qint64>{0}};
        result << Visit{1199, {101, 104}, {1}};
        return result;
    }

    // The Cam exposures matching a predicate, as ids.
    template <typename Predicate> static QList<qint64> camExposuresWhere(Predicate predicate)
    {
        QList<qint64> ids;
        for (const Exposure& e : exposures())
            if (e.instrument == cam() && predicate(e))
                ids << e.id;
        return ids;
    }

    Registry& registry() { return *m_registry; }
    static const DimensionUniverse& universe() { return DimensionUniverse::defaultUniverse(); }
    QString databasePath() const { return m_dir.filePath(QStringLiteral("r.sqlite3")); }

    // An empty registry.
    Status create()
    {
        if (!m_dir.isValid())
            return ioError(QStringLiteral("cannot make a temporary folder"));
        m_registry.reset();
        auto db = SqliteDatabase::open(databasePath());
        if (!db)
            return db.error();
        auto registry = Registry::create(std::move(db).value(), universe());
        if (!registry)
            return registry.error();
        m_registry = std::move(registry).value();
        return {};
    }

    // A registry with every fixture record and dataset type, but no collections.
    Status createStandard()
    {
        BUTLER_TRY(create());
        BUTLER_TRY(insertDimensions());
        return registerDatasetTypes();
    }

    Status insert(const QString& element, const QList<QVariantMap>& rows,
                  const QList<std::optional<Timespan>>& timespans = {})
    {
        QList<DimensionRecord> records;
        for (int i = 0; i < rows.size(); ++i)
            records << DimensionRecord(element, rows[i], i < timespans.size() ? timespans[i] : std::nullopt);
        return m_registry->insertDimensionRecords(element, records, false);
    }

    Status insertDimensions()
    {
        using M = QVariantMap;
        const auto s = [](const char* text) { return QString::fromLatin1(text); };
        BUTLER_TRY(
            insert(s("instrument"), {M{{s("name"), cam()}, {s("detector_max"), 5}, {s("visit_max"), 10000}},
                                     M{{s("name"), other()}, {s("detector_max"), 1}}}));
        BUTLER_TRY(insert(s("physical_filter"),
                          {M{{s("instrument"), cam()}, {s("name"), s("g_01")}, {s("band"), s("g")}},
                           M{{s("instrument"), cam()}, {s("name"), s("r_03")}, {s("band"), s("r")}},
                           M{{s("instrument"), cam()}, {s("name"), s("i_06")}, {s("band"), s("i")}},
                           M{{s("instrument"), other()}, {s("name"), s("g_01")}, {s("band"), s("g")}}}));
        QList<QVariantMap> detectors;
        for (qint64 d : camDetectors())
            detectors << M{{s("instrument"), cam()},
                           {s("id"), d},
                           {s("full_name"), QStringLiteral("R0_S%1").arg(d)},
                           {s("raft"), s("R0")},
                           {s("purpose"), d == 4 ? s("WAVEFRONT") : s("SCIENCE")}};
        detectors << M{{s("instrument"), other()},
                       {s("id"), 0},
                       {s("full_name"), s("only")},
                       {s("purpose"), s("SCIENCE")}};
        BUTLER_TRY(insert(s("detector"), detectors));
        BUTLER_TRY(insert(s("day_obs"),
                          {M{{s("instrument"), cam()}, {s("id"), 20250615}},
                           M{{s("instrument"), cam()}, {s("id"), 20250616}},
                           M{{s("instrument"), other()}, {s("id"), 20250615}}},
                          {Timespan(utc("2025-06-15T12:00:00"), utc("2025-06-16T12:00:00")),
                           Timespan(utc("2025-06-16T12:00:00"), utc("2025-06-17T12:00:00")),
                           Timespan(utc("2025-06-15T12:00:00"), utc("2025-06-16T12:00:00"))}));
        BUTLER_TRY(insert(s("group"), {M{{s("instrument"), cam()}, {s("name"), s("grpA")}},
                                       M{{s("instrument"), cam()}, {s("name"), s("grpB")}},
                                       M{{s("instrument"), other()}, {s("name"), s("grpA")}}}));
        QList<QVariantMap> exposureRows;
        QList<std::optional<Timespan>> exposureSpans;
        for (const Exposure& e : exposures()) {
            M row{{s("instrument"), e.instrument},
                  {s("id"), e.id},
                  {s("obs_id"), QStringLiteral("%1_%2").arg(e.instrument).arg(e.id)},
                  {s("physical_filter"), e.physicalFilter},
                  {s("group"), e.group},
                  {s("day_obs"), e.dayObs},
                  {s("observation_type"), s("science")}};
            if (e.exposureTime)
                row.insert(s("exposure_time"), *e.exposureTime);
            exposureRows << row;
            exposureSpans << Timespan(e.begin, e.end);
        }
        BUTLER_TRY(insert(s("exposure"), exposureRows, exposureSpans));
        BUTLER_TRY(insert(s("visit_system"),
                          {M{{s("instrument"), cam()}, {s("id"), 0}, {s("name"), s("one-to-one")}},
                           M{{s("instrument"), cam()}, {s("id"), 1}, {s("name"), s("by-seq-num")}}}));
        QList<QVariantMap> visitRows;
        QList<std::optional<Timespan>> visitSpans;
        QList<QVariantMap> definitions;
        QList<QVariantMap> memberships;
        QList<QVariantMap> regions;
        for (const Visit& v : visits()) {
            const Exposure first = camExposure(v.exposures.first());
            const Exposure last = camExposure(v.exposures.last());
            M row{{s("instrument"), cam()},
                  {s("id"), v.id},
                  {s("name"), QStringLiteral("v%1").arg(v.id)},
                  {s("physical_filter"), first.physicalFilter},
                  {s("day_obs"), first.dayObs}};
            if (first.exposureTime)
                row.insert(s("exposure_time"), *first.exposureTime);
            visitRows << row;
            visitSpans << Timespan(first.begin, last.end);
            for (qint64 e : v.exposures)
                definitions << M{{s("instrument"), cam()}, {s("exposure"), e}, {s("visit"), v.id}};
            for (qint64 system : v.visitSystems)
                memberships << M{{s("instrument"), cam()}, {s("visit"), v.id}, {s("visit_system"), system}};
            // define-visits fills visit_detector_region for every detector a visit covers.
            for (qint64 d : camDetectors())
                regions << M{{s("instrument"), cam()}, {s("visit"), v.id}, {s("detector"), d}};
        }
        BUTLER_TRY(insert(s("visit"), visitRows, visitSpans));
        BUTLER_TRY(insert(s("visit_definition"), definitions));
        BUTLER_TRY(insert(s("visit_system_membership"), memberships));
        return insert(s("visit_detector_region"), regions);
    }

    static DatasetType rawType()
    {
        return DatasetType::make(
                   universe(), QStringLiteral("raw"),
                   {QStringLiteral("instrument"), QStringLiteral("detector"), QStringLiteral("exposure")},
                   QStringLiteral("Exposure"))
            .valueOr({});
    }
    static DatasetType calexpType()
    {
        return DatasetType::make(
                   universe(), QStringLiteral("calexp"),
                   {QStringLiteral("instrument"), QStringLiteral("detector"), QStringLiteral("visit")},
                   QStringLiteral("ExposureF"))
            .valueOr({});
    }
    static DatasetType biasType()
    {
        return DatasetType::make(universe(), QStringLiteral("bias"),
                                 {QStringLiteral("instrument"), QStringLiteral("detector")},
                                 QStringLiteral("ExposureF"), true)
            .valueOr({});
    }
    static DatasetType flatType()
    {
        return DatasetType::make(universe(), QStringLiteral("flat"),
                                 {QStringLiteral("instrument"), QStringLiteral("detector"),
                                  QStringLiteral("physical_filter")},
                                 QStringLiteral("ExposureF"), true)
            .valueOr({});
    }

    Status registerDatasetTypes()
    {
        for (const DatasetType& type : {rawType(), calexpType(), biasType(), flatType()}) {
            if (!type.isValid())
                return internalError(QStringLiteral("fixture dataset type is invalid"));
            BUTLER_TRY(m_registry->registerDatasetType(type));
        }
        return {};
    }

    Status registerRuns(const QStringList& names)
    {
        for (const QString& name : names)
            BUTLER_TRY(m_registry->registerCollection(name, CollectionType::Run, {}));
        return {};
    }

    static QVariantMap rawDataId(qint64 exposure, qint64 detector, const QString& instrument = cam())
    {
        return {{QStringLiteral("instrument"), instrument},
                {QStringLiteral("exposure"), exposure},
                {QStringLiteral("detector"), detector}};
    }
    static QVariantMap calexpDataId(qint64 visit, qint64 detector)
    {
        return {{QStringLiteral("instrument"), cam()},
                {QStringLiteral("visit"), visit},
                {QStringLiteral("detector"), detector}};
    }
    static QVariantMap detectorDataId(qint64 detector)
    {
        return {{QStringLiteral("instrument"), cam()}, {QStringLiteral("detector"), detector}};
    }

    // Raws for every exposure x detector, in one batch.
    Result<QList<DatasetRef>> insertRaws(const QString& run, const QList<qint64>& exposureIds,
                                         const QList<qint64>& detectors,
                                         DatasetIdMode mode = DatasetIdMode::Unique,
                                         const QString& instrument = cam())
    {
        QList<Registry::NewDataset> batch;
        for (qint64 e : exposureIds)
            for (qint64 d : detectors)
                batch << Registry::NewDataset{QStringLiteral("raw"), rawDataId(e, d, instrument), {}};
        return m_registry->insertDatasets(run, batch, mode);
    }

    Result<QList<DatasetRef>> insertCalexps(const QString& run, const QList<qint64>& visitIds,
                                            const QList<qint64>& detectors)
    {
        QList<Registry::NewDataset> batch;
        for (qint64 v : visitIds)
            for (qint64 d : detectors)
                batch << Registry::NewDataset{QStringLiteral("calexp"), calexpDataId(v, d), {}};
        return m_registry->insertDatasets(run, batch, DatasetIdMode::Unique);
    }

    Result<DatasetRef> insertOne(const QString& run, const QString& datasetType, const QVariantMap& dataId)
    {
        BUTLER_ASSIGN_OR_RETURN(QList<DatasetRef> refs,
                                m_registry->insertDatasets(run,
                                                           {Registry::NewDataset{datasetType, dataId, {}}},
                                                           DatasetIdMode::Unique));
        return refs.first();
    }

    // Every page of a dataset query, following page tokens (at most maxPages).
    Result<QList<DatasetRef>> allPages(DatasetQuery query, int maxPages = 1000)
    {
        QList<DatasetRef> refs;
        for (int page = 0; page < maxPages; ++page) {
            BUTLER_ASSIGN_OR_RETURN(DatasetPage p, m_registry->queryDatasets(query));
            refs << p.refs;
            if (p.nextPageToken.isEmpty())
                return refs;
            query.pageToken = p.nextPageToken;
        }
        return internalError(QStringLiteral("paging did not end after %1 pages").arg(maxPages));
    }

    // "exposure/detector" keys of raws, for order-insensitive comparisons.
    static QStringList rawKeys(const QList<DatasetRef>& refs)
    {
        QStringList keys;
        for (const DatasetRef& ref : refs)
            keys << QStringLiteral("%1:%2/%3")
                        .arg(ref.dataId().value(QStringLiteral("instrument")).toString())
                        .arg(ref.dataId().value(QStringLiteral("exposure")).toLongLong())
                        .arg(ref.dataId().value(QStringLiteral("detector")).toLongLong());
        return keys;
    }
    static QStringList rawKeys(const QList<qint64>& exposureIds, const QList<qint64>& detectors,
                               const QString& instrument = cam())
    {
        QStringList keys;
        for (qint64 e : exposureIds)
            for (qint64 d : detectors)
                keys << QStringLiteral("%1:%2/%3").arg(instrument).arg(e).arg(d);
        return keys;
    }
    static QStringList sorted(QStringList list)
    {
        list.sort();
        return list;
    }
    static QList<QUuid> ids(const QList<DatasetRef>& refs)
    {
        QList<QUuid> result;
        for (const DatasetRef& ref : refs)
            result << ref.id();
        return result;
    }
    static int distinctCount(const QList<QUuid>& list)
    {
        return int(QSet<QUuid>(list.begin(), list.end()).size());
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Registry> m_registry;
};

} // namespace butler
