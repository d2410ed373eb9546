// Foundation benchmark: registry inserts, find-first through a 3-deep chain, puts and ingest,
// each printed next to a baseline measured in the same run. `--smoke` runs a tiny size for CI.
// Writes the repository path and the SQL of the big query-datasets call for bench_foundation.sh.

#include "DirectButler.h"
#include "FileDatastore.h"
#include "Registry.h"
#include "TaiTime.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace butler;

namespace {

[[noreturn]] void die(const QString& what, const Error& e)
{
    std::fprintf(stderr, "bench: %s: %s\n", qPrintable(what), qPrintable(e.message()));
    std::exit(1);
}

template <typename T> T check(Result<T> r, const char* what)
{
    if (!r)
        die(QString::fromLatin1(what), r.error());
    return std::move(r).value();
}

void check(const Status& s, const char* what)
{
    if (!s.ok())
        die(QString::fromLatin1(what), s.error());
}

void line(const char* name, double value, const char* unit, double baseline, const char* baselineName)
{
    std::printf("%-44s %12.1f %-10s baseline %-28s %12.1f  ratio %.2f\n", name, value, unit, baselineName,
                baseline, baseline > 0 ? value / baseline : 0.0);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("butler.*.debug=false"));
    const QStringList args = app.arguments();
    const bool smoke = args.contains(QStringLiteral("--smoke"));
    QString outDir;
    const int outIndex = int(args.indexOf(QStringLiteral("--out")));
    if (outIndex > 0 && outIndex + 1 < args.size())
        outDir = args[outIndex + 1];
    const int detectors = smoke ? 9 : 189;
    const int exposures = smoke ? 10 : 100;
    int puts = smoke ? 100 : 5000;
    const int putsIndex = int(args.indexOf(QStringLiteral("--puts")));
    if (putsIndex > 0 && putsIndex + 1 < args.size())
        puts = args[putsIndex + 1].toInt();
    const int finds = smoke ? 1000 : 20000;

    QTemporaryDir tmp;
    const QString base = outDir.isEmpty() ? tmp.path() : outDir;
    const QString repo = base + QStringLiteral("/repo");
    QDir(repo).removeRecursively();
    check(DirectButler::create(repo), "create");
    auto butler = check(DirectButler::open(repo), "open");
    const DimensionUniverse& u = butler->universe();

    check(
        butler->insertDimensionRecords(QStringLiteral("instrument"),
                                       {DimensionRecord(QStringLiteral("instrument"),
                                                        {{QStringLiteral("name"), QStringLiteral("LSSTCam")},
                                                         {QStringLiteral("detector_max"), 189}})}),
        "instrument");
    check(butler->insertDimensionRecords(
              QStringLiteral("physical_filter"),
              {DimensionRecord(QStringLiteral("physical_filter"),
                               {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                {QStringLiteral("name"), QStringLiteral("r_57")},
                                {QStringLiteral("band"), QStringLiteral("r")}})}),
          "filter");
    check(butler->insertDimensionRecords(
              QStringLiteral("day_obs"),
              {DimensionRecord(QStringLiteral("day_obs"),
                               {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                {QStringLiteral("id"), 20250615}})}),
          "day_obs");
    QList<DimensionRecord> dets;
    for (int d = 0; d < detectors; ++d)
        dets << DimensionRecord(QStringLiteral("detector"),
                                {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                 {QStringLiteral("id"), d},
                                 {QStringLiteral("full_name"), QStringLiteral("D%1").arg(d)}});
    check(butler->insertDimensionRecords(QStringLiteral("detector"), dets), "detectors");
    QList<DimensionRecord> groups;
    QList<DimensionRecord> exps;
    const qint64 t0 = check(TaiTime::fromIsoUtc(QStringLiteral("2025-06-16T01:00:00")), "time");
    for (int e = 0; e < exposures; ++e) {
        const QString g = QStringLiteral("g%1").arg(e);
        groups << DimensionRecord(
            QStringLiteral("group"),
            {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}, {QStringLiteral("name"), g}});
        const qint64 begin = t0 + qint64(e) * 40'000'000'000LL;
        exps << DimensionRecord(
            QStringLiteral("exposure"),
            {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
             {QStringLiteral("id"), 2025061500000LL + e},
             {QStringLiteral("obs_id"), QStringLiteral("MC_O_20250615_%1").arg(e, 6, 10, QLatin1Char('0'))},
             {QStringLiteral("physical_filter"), QStringLiteral("r_57")},
             {QStringLiteral("group"), g},
             {QStringLiteral("day_obs"), 20250615},
             {QStringLiteral("exposure_time"), 30.0}},
            Timespan(begin, begin + 30'000'000'000LL));
    }
    check(butler->insertDimensionRecords(QStringLiteral("group"), groups), "groups");
    check(butler->insertDimensionRecords(QStringLiteral("exposure"), exps), "exposures");
    check(butler->registerDatasetType(
              check(DatasetType::make(u, QStringLiteral("raw"),
                                      {QStringLiteral("instrument"), QStringLiteral("exposure"),
                                       QStringLiteral("detector")},
                                      QStringLiteral("Exposure")),
                    "type")),
          "register type");
    check(butler->registerCollection(QStringLiteral("bench/run"), CollectionType::Run), "run");

    // 1. Registering datasets without files, in one batch.
    QList<IngestFile> entries;
    for (int e = 0; e < exposures; ++e)
        for (int d = 0; d < detectors; ++d)
            entries << IngestFile{{},
                                  QStringLiteral("raw"),
                                  {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                   {QStringLiteral("exposure"), 2025061500000LL + e},
                                   {QStringLiteral("detector"), d}},
                                  {},
                                  {}};
    QElapsedTimer timer;
    timer.start();
    check(butler->registerDatasets(QStringLiteral("bench/run"), entries), "register datasets");
    const double registerRate = entries.size() / (timer.nsecsElapsed() / 1e9);

    // Baseline: the same number of rows into a bare two-table schema with prepared inserts.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("baseline"));
        db.setDatabaseName(base + QStringLiteral("/baseline.sqlite3"));
        db.open();
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        q.exec(QStringLiteral("CREATE TABLE d (id TEXT PRIMARY KEY, t INTEGER, r INTEGER)"));
        q.exec(QStringLiteral("CREATE TABLE tg (id TEXT, c INTEGER, i TEXT, e INTEGER, det INTEGER, PRIMARY "
                              "KEY (id, c), UNIQUE (c, i, e, det))"));
        timer.restart();
        db.transaction();
        QSqlQuery a(db);
        QSqlQuery b(db);
        a.prepare(QStringLiteral("INSERT INTO d VALUES (?, ?, ?)"));
        b.prepare(QStringLiteral("INSERT INTO tg VALUES (?, ?, ?, ?, ?)"));
        int n = 0;
        for (int e = 0; e < exposures; ++e)
            for (int d = 0; d < detectors; ++d) {
                const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
                a.bindValue(0, id);
                a.bindValue(1, 1);
                a.bindValue(2, 1);
                a.exec();
                b.bindValue(0, id);
                b.bindValue(1, 1);
                b.bindValue(2, QStringLiteral("LSSTCam"));
                b.bindValue(3, 2025061500000LL + e);
                b.bindValue(4, d);
                b.exec();
                ++n;
            }
        db.commit();
        const double baseRate = n / (timer.nsecsElapsed() / 1e9);
        line("register datasets (datasets/s)", registerRate, "ds/s", baseRate, "bare SQLite inserts");
    }

    // 2. Find-first through a 3-deep chain: outer -> middle -> inner -> [empty run, bench/run].
    check(butler->registerCollection(QStringLiteral("bench/empty"), CollectionType::Run), "empty run");
    check(butler->setCollectionChain(QStringLiteral("bench/inner"),
                                     {QStringLiteral("bench/empty"), QStringLiteral("bench/run")},
                                     ChainMode::Redefine),
          "inner");
    check(butler->setCollectionChain(QStringLiteral("bench/middle"), {QStringLiteral("bench/inner")},
                                     ChainMode::Redefine),
          "middle");
    check(butler->setCollectionChain(QStringLiteral("bench/outer"), {QStringLiteral("bench/middle")},
                                     ChainMode::Redefine),
          "outer");
    int found = 0;
    timer.restart();
    for (int i = 0; i < finds; ++i) {
        const QVariantMap dataId{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                 {QStringLiteral("exposure"), 2025061500000LL + (i % exposures)},
                                 {QStringLiteral("detector"), (i * 7) % detectors}};
        auto ref = check(butler->findDataset(QStringLiteral("raw"), dataId, {QStringLiteral("bench/outer")}),
                         "find");
        found += ref.has_value();
    }
    const double findUs = timer.nsecsElapsed() / 1e3 / finds;
    if (found != finds) {
        std::fprintf(stderr, "bench: find-first found %d of %d\n", found, finds);
        return 1;
    }
    {
        Database& db = butler->registry().database();
        timer.restart();
        for (int i = 0; i < finds; ++i) {
            auto q =
                check(db.exec(QStringLiteral(
                                  "SELECT dataset_id FROM dataset_tags_1 WHERE dataset_type_id = ? AND "
                                  "collection_id = ? AND instrument = ? AND exposure = ? AND detector = ?"),
                              {1, 1, QStringLiteral("LSSTCam"), 2025061500000LL + (i % exposures),
                               (i * 7) % detectors}),
                      "baseline find");
            q->next();
            q->finish();
        }
        line("find through 3-deep chain (us/find)", findUs, "us", timer.nsecsElapsed() / 1e3 / finds,
             "one indexed SELECT");
    }

    // 3. put of 1 KB datasets one by one.
    check(butler->registerDatasetType(
              check(DatasetType::make(u, QStringLiteral("blob"),
                                      {QStringLiteral("instrument"), QStringLiteral("exposure"),
                                       QStringLiteral("detector")},
                                      QStringLiteral("Bytes")),
                    "type")),
          "register blob");
    check(butler->registerCollection(QStringLiteral("bench/puts"), CollectionType::Run), "puts run");
    const QByteArray kb(1024, 'x');
    const int putsDone = puts;
    const int perRun = exposures * detectors;
    for (int r = 1; r <= (puts - 1) / perRun; ++r)
        check(butler->registerCollection(QStringLiteral("bench/puts%1").arg(r), CollectionType::Run),
              "puts run");
    // Puts and the baseline's files alternate in rounds, so that both meet the same file system:
    // creating files right after many were deleted (a previous run's clean-up) is several times
    // slower for a while on ext4 without a journal, and whichever ran first paid for it alone.
    const QString baselineDir = base + QStringLiteral("/baseline-files");
    QDir().mkpath(baselineDir);
    qint64 putNs = 0;
    qint64 baselineNs = 0;
    constexpr int Round = 250;
    for (int start = 0; start < putsDone; start += Round) {
        const int end = std::min(putsDone, start + Round);
        timer.restart();
        for (int i = start; i < end; ++i) {
            const QVariantMap dataId{
                {QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                {QStringLiteral("exposure"), 2025061500000LL + (i / detectors) % exposures},
                {QStringLiteral("detector"), i % detectors}};
            const QString run =
                i < perRun ? QStringLiteral("bench/puts") : QStringLiteral("bench/puts%1").arg(i / perRun);
            check(butler->put(kb, QStringLiteral("bytes"), QStringLiteral("blob"), dataId, run), "put");
        }
        putNs += timer.nsecsElapsed();
        timer.restart();
        for (int i = start; i < end; ++i) {
            QFile f(baselineDir + QStringLiteral("/f%1.tmp").arg(i));
            f.open(QIODevice::WriteOnly);
            f.write(kb);
            f.close();
            QFile::rename(f.fileName(), baselineDir + QStringLiteral("/f%1").arg(i));
        }
        baselineNs += timer.nsecsElapsed();
    }
    line("put 1 KB one by one (puts/s)", putsDone / (putNs / 1e9), "puts/s", putsDone / (baselineNs / 1e9),
         "write+rename of 1 KB files");

    // 4. Ingest of small files with copy, against copying the same files.
    {
        const QString src = base + QStringLiteral("/ingest-src");
        QDir().mkpath(src);
        QList<IngestFile> files;
        const QByteArray body(4096, 'y');
        for (int e = 0; e < exposures; ++e)
            for (int d = 0; d < detectors; ++d) {
                const QString path = src + QStringLiteral("/raw_%1_%2.fits").arg(e).arg(d);
                QFile f(path);
                f.open(QIODevice::WriteOnly);
                f.write(body);
                files << IngestFile{path,
                                    QStringLiteral("raw"),
                                    {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                     {QStringLiteral("exposure"), 2025061500000LL + e},
                                     {QStringLiteral("detector"), d}},
                                    QStringLiteral("fits"),
                                    {}};
            }
        check(butler->registerCollection(QStringLiteral("bench/ingest"), CollectionType::Run), "ingest run");
        const QString copyDir = base + QStringLiteral("/copy-dst");
        QDir().mkpath(copyDir);
        timer.restart();
        // The baseline is what cp does: read each file and write it to a new one.
        QByteArray buffer(1 << 16, Qt::Uninitialized);
        for (const IngestFile& f : std::as_const(files)) {
            const QByteArray from = QFile::encodeName(f.path);
            const QByteArray to =
                QFile::encodeName(copyDir + QLatin1Char('/') + QFileInfo(f.path).fileName());
            const int in = ::open(from.constData(), O_RDONLY);
            const int out = ::open(to.constData(), O_WRONLY | O_CREAT | O_EXCL, 0644);
            ssize_t n = 0;
            while ((n = ::read(in, buffer.data(), size_t(buffer.size()))) > 0)
                if (::write(out, buffer.constData(), size_t(n)) != n)
                    break;
            ::close(in);
            ::close(out);
        }
        const double copyRate = files.size() / (timer.nsecsElapsed() / 1e9);
        timer.restart();
        check(butler->ingest(QStringLiteral("bench/ingest"), files, TransferMode::Copy), "ingest");
        const double ingestRate = files.size() / (timer.nsecsElapsed() / 1e9);
        line("ingest 4 KB files with copy (files/s)", ingestRate, "files/s", copyRate,
             "read+write copy of the same");
    }

    // Hand the big query to the shell part of the benchmark.
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("raw")};
    query.collections = {QStringLiteral("bench/run")};
    const QString sql = check(butler->registry().explainDatasetQuery(query), "explain");
    {
        timer.restart();
        const DatasetPage page = check(butler->queryDatasets(query), "query");
        const double queryMs = timer.nsecsElapsed() / 1e6;
        Database& db = butler->registry().database();
        timer.restart();
        auto q = check(db.exec(sql), "baseline query");
        int rows = 0;
        while (q->next()) {
            for (int c = 0; c < 10; ++c)
                (void)q->value(c);
            ++rows;
        }
        q->finish();
        line("queryDatasets in-process (ms)", queryMs, "ms", timer.nsecsElapsed() / 1e6,
             "same SQL through QSqlQuery");
        if (rows != page.refs.size()) {
            std::fprintf(stderr, "bench: query gave %lld refs, SQL %d rows\n", qlonglong(page.refs.size()),
                         rows);
            return 1;
        }
    }
    if (!outDir.isEmpty()) {
        QFile f(outDir + QStringLiteral("/query.sql"));
        f.open(QIODevice::WriteOnly);
        f.write(sql.toUtf8() + ";\n");
    }
    std::printf("datasets registered: %lld\n", qlonglong(entries.size()));
    return 0;
}
