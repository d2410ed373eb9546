// Desktop browsing benchmark: a repository of N datasets (1,000,000 by default) opened the way
// butler-browser opens a local repository (an in-process EmbeddedServer on loopback), a chain
// selected, the first page shown in a QTableView, then scrolled to the end page by page.
// Prints the time to the first page and per fetchMore page (goals: <= 100 ms, <= 30 ms), the
// peak memory of the process (goal <= 300 MB), and as a baseline the same pages fetched with
// bare RemoteButler calls in the same run.
//
// Usage: bench_browser [--smoke] [--datasets N] [--repo DIR] [--pages N] [--stock-delegate]
//   --repo keeps (or reuses) the generated repository in DIR; without it a temporary one is made.
//   The repository is made by a child process (bench_browser --make-repo DIR --datasets N), so
//   that what making it leaves on the heap is not counted as the browser's memory.

#include "DatasetTableModel.h"
#include "DatasetTableView.h"
#include "DirectButler.h"
#include "EmbeddedServer.h"
#include "Registry.h"
#include "RemoteButler.h"
#include "TaiTime.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QStyledItemDelegate>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include <sys/resource.h>

using namespace butler;

namespace {

const QString kInstrument = QStringLiteral("LSSTCam");
const QString kRun = QStringLiteral("bench/raw");
const QString kChain = QStringLiteral("bench/defaults");
constexpr int kDetectors = 189;

[[noreturn]] void die(const QString& what, const QString& message)
{
    std::fprintf(stderr, "bench_browser: %s: %s\n", qPrintable(what), qPrintable(message));
    std::exit(1);
}

template <typename T> T check(Result<T> r, const char* what)
{
    if (!r)
        die(QString::fromLatin1(what), r.error().message());
    return std::move(r).value();
}

void check(const Status& s, const char* what)
{
    if (!s.ok())
        die(QString::fromLatin1(what), s.error().message());
}

// Peak and current resident memory of this process in MB, from /proc.
// The first number after `key` in a /proc file of this process.
double procFigure(const QString& file, const char* key)
{
    QFile proc(file);
    if (!proc.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : proc.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(qstrlen(key)).trimmed().split(' ').value(0).toDouble();
    }
    return 0;
}

// Memory figures of /proc/self/status (kB) in MB.
double procStatusMb(const char* key)
{
    return procFigure(QStringLiteral("/proc/self/status"), key) / 1024.0;
}

// Bytes read from storage by this process (/proc/self/io), in MB.
double diskReadMb()
{
    return procFigure(QStringLiteral("/proc/self/io"), "read_bytes:") / (1024.0 * 1024.0);
}

qint64 exposureId(int e)
{
    return 2025061500000LL + e;
}

void makeRepository(const QString& repo, int datasets)
{
    QElapsedTimer timer;
    timer.start();
    check(DirectButler::create(repo), "create");
    auto butler = check(DirectButler::open(repo), "open");
    const DimensionUniverse& u = butler->universe();
    const int exposures = (datasets + kDetectors - 1) / kDetectors;

    check(butler->insertDimensionRecords(
              QStringLiteral("instrument"),
              {DimensionRecord(QStringLiteral("instrument"), {{QStringLiteral("name"), kInstrument},
                                                              {QStringLiteral("detector_max"), 189}})}),
          "instrument");
    check(butler->insertDimensionRecords(QStringLiteral("physical_filter"),
                                         {DimensionRecord(QStringLiteral("physical_filter"),
                                                          {{QStringLiteral("instrument"), kInstrument},
                                                           {QStringLiteral("name"), QStringLiteral("r_57")},
                                                           {QStringLiteral("band"), QStringLiteral("r")}})}),
          "filter");
    check(butler->insertDimensionRecords(
              QStringLiteral("day_obs"),
              {DimensionRecord(QStringLiteral("day_obs"), {{QStringLiteral("instrument"), kInstrument},
                                                           {QStringLiteral("id"), 20250615}})}),
          "day_obs");
    QList<DimensionRecord> detectors;
    for (int d = 0; d < kDetectors; ++d)
        detectors << DimensionRecord(QStringLiteral("detector"),
                                     {{QStringLiteral("instrument"), kInstrument},
                                      {QStringLiteral("id"), d},
                                      {QStringLiteral("full_name"), QStringLiteral("D%1").arg(d)}});
    check(butler->insertDimensionRecords(QStringLiteral("detector"), detectors), "detectors");
    QList<DimensionRecord> groups;
    QList<DimensionRecord> records;
    const qint64 t0 = check(TaiTime::fromIsoUtc(QStringLiteral("2025-06-16T01:00:00")), "time");
    for (int e = 0; e < exposures; ++e) {
        const QString group = QStringLiteral("g%1").arg(e);
        groups << DimensionRecord(QStringLiteral("group"), {{QStringLiteral("instrument"), kInstrument},
                                                            {QStringLiteral("name"), group}});
        const qint64 begin = t0 + qint64(e) * 40'000'000'000LL;
        records << DimensionRecord(
            QStringLiteral("exposure"),
            {{QStringLiteral("instrument"), kInstrument},
             {QStringLiteral("id"), exposureId(e)},
             {QStringLiteral("obs_id"), QStringLiteral("MC_O_20250615_%1").arg(e, 6, 10, QLatin1Char('0'))},
             {QStringLiteral("physical_filter"), QStringLiteral("r_57")},
             {QStringLiteral("group"), group},
             {QStringLiteral("day_obs"), 20250615},
             {QStringLiteral("exposure_time"), 30.0}},
            Timespan(begin, begin + 30'000'000'000LL));
    }
    check(butler->insertDimensionRecords(QStringLiteral("group"), groups), "groups");
    check(butler->insertDimensionRecords(QStringLiteral("exposure"), records), "exposures");
    check(butler->registerDatasetType(
              check(DatasetType::make(u, QStringLiteral("raw"),
                                      {QStringLiteral("instrument"), QStringLiteral("exposure"),
                                       QStringLiteral("detector")},
                                      QStringLiteral("Exposure")),
                    "type")),
          "register type");
    check(butler->registerCollection(kRun, CollectionType::Run), "run");
    check(butler->setCollectionChain(kChain, {kRun}, ChainMode::Redefine), "chain");

    // Datasets in batches, each with a file record (the table shows sizes); no files on disk:
    // browsing never opens them.
    constexpr int kBatch = 50'000;
    int made = 0;
    while (made < datasets) {
        QList<IngestFile> entries;
        const int count = std::min(kBatch, datasets - made);
        entries.reserve(count);
        for (int i = made; i < made + count; ++i)
            entries << IngestFile{{},
                                  QStringLiteral("raw"),
                                  {{QStringLiteral("instrument"), kInstrument},
                                   {QStringLiteral("exposure"), exposureId(i / kDetectors)},
                                   {QStringLiteral("detector"), i % kDetectors}},
                                  {},
                                  {}};
        const QList<DatasetRef> refs = check(butler->registerDatasets(kRun, entries), "register datasets");
        QList<StoredFileRecord> files;
        files.reserve(refs.size());
        for (const DatasetRef& ref : refs)
            files << StoredFileRecord{ref.id(),
                                      QStringLiteral("raw/%1.fits").arg(ref.idString()),
                                      QStringLiteral("fits"),
                                      QStringLiteral("Exposure"),
                                      18'000'000 + (ref.id().data1 % 1000),
                                      QStringLiteral("sha256:") + QString(64, u'0')};
        check(butler->registry().insertFileRecords(files), "file records");
        made += count;
        std::fprintf(stderr, "\rbench_browser: %d datasets registered", made);
    }
    std::fprintf(stderr, "\nbench_browser: repository made in %.1f s\n", timer.nsecsElapsed() / 1e9);
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min<qsizetype>(values.size() - 1, qsizetype(p * (values.size() - 1) + 0.5))];
}

double mean(const QList<double>& values)
{
    double sum = 0;
    for (double v : values)
        sum += v;
    return values.isEmpty() ? 0 : sum / double(values.size());
}

// What the whole process (every thread) did that can make one page slow: blocks read from disk
// (registry pages the system had evicted) and involuntary context switches (threads that had
// to wait for a core); and what the machine had taken from it: CPU time the hypervisor gave to
// others while this virtual machine wanted it (steal, all cores, from /proc/stat).
struct PageCosts
{
    long diskBlocks = 0;
    long preempted = 0;
    double stolenMs = 0;

    static double stealMs()
    {
        // "cpu  user nice system idle iowait irq softirq steal ..." in clock ticks.
        FILE* stat = std::fopen("/proc/stat", "r");
        if (!stat)
            return 0;
        unsigned long long v[8] = {};
        const int n = std::fscanf(stat, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                                  &v[3], &v[4], &v[5], &v[6], &v[7]);
        std::fclose(stat);
        return n == 8 ? double(v[7]) * 1000.0 / double(sysconf(_SC_CLK_TCK)) : 0;
    }
    static PageCosts now()
    {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return {usage.ru_inblock, usage.ru_nivcsw, stealMs()};
    }
    PageCosts operator-(const PageCosts& before) const
    {
        return {diskBlocks - before.diskBlocks, preempted - before.preempted, stolenMs - before.stolenMs};
    }
};

QList<double> viewMs(const QList<double>& total, const QList<double>& rowsIn)
{
    QList<double> out;
    for (qsizetype i = 0; i < total.size(); ++i)
        out << total[i] - rowsIn[i];
    return out;
}

void line(const char* name, double value, const char* unit, double baseline, const char* goal)
{
    std::printf("%-40s %10.1f %-4s baseline (bare RemoteButler) %9.1f  ratio %5.2f  goal %s\n", name, value,
                unit, baseline, baseline > 0 ? value / baseline : 0.0, goal);
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("butler.*.debug=false\nbutler.server.access.info=false"));
    const QStringList args = app.arguments();
    const bool smoke = args.contains(QStringLiteral("--smoke"));
    int datasets = smoke ? 20'000 : 1'000'000;
    if (const int i = int(args.indexOf(QStringLiteral("--datasets"))); i > 0 && i + 1 < args.size())
        datasets = args[i + 1].toInt();
    QTemporaryDir tmp;
    QString repo = tmp.path() + QStringLiteral("/repo");
    if (const int i = int(args.indexOf(QStringLiteral("--repo"))); i > 0 && i + 1 < args.size())
        repo = args[i + 1];
    if (const int i = int(args.indexOf(QStringLiteral("--make-repo"))); i > 0 && i + 1 < args.size()) {
        makeRepository(args[i + 1], datasets);
        return 0;
    }
    if (!QFile::exists(repo + QStringLiteral("/butler.yaml"))) {
        QDir(repo).removeRecursively();
        QProcess maker;
        maker.setProcessChannelMode(QProcess::ForwardedChannels);
        maker.start(
            QCoreApplication::applicationFilePath(),
            {QStringLiteral("--make-repo"), repo, QStringLiteral("--datasets"), QString::number(datasets)});
        if (!maker.waitForFinished(-1) || maker.exitStatus() != QProcess::NormalExit || maker.exitCode() != 0)
            die(QStringLiteral("make the repository"), QStringLiteral("the child process failed"));
    }
    const double baseMemory = procStatusMb("VmRSS:");

    std::unique_ptr<EmbeddedServer> server =
        check(EmbeddedServer::start(repo, QStringLiteral("bench")), "server");
    std::unique_ptr<RemoteButler> client =
        check(RemoteButler::connect(server->repoUrl(), server->token()), "client");
    const double serverMemory = procStatusMb("VmRSS:");

    // The table as the browser has it, visible, so that rows are really laid out and painted.
    // --stock-delegate paints with Qt's QStyledItemDelegate instead, for comparison.
    DatasetTableModel model(client.get());
    DatasetTableView view;
    QStyledItemDelegate stockDelegate;
    if (args.contains(QStringLiteral("--stock-delegate")))
        view.setItemDelegate(&stockDelegate);
    view.setModel(&model);
    view.resize(1200, 800);
    view.show();

    // Paints of the table, to tell that a page's figure includes the paint after its rows.
    struct PaintCounter : QObject
    {
        int paints = 0;
        bool eventFilter(QObject*, QEvent* event) override
        {
            paints += event->type() == QEvent::Paint;
            return false;
        }
    } paintCounter;
    view.viewport()->installEventFilter(&paintCounter);

    // Waits on an event loop that the model's signal ends: QTest::qWaitFor sleeps in 10 ms steps
    // between its checks, which added up to 10 ms per round of events to every figure.
    QElapsedTimer timer;
    auto waitLoaded = [&] {
        if (model.isLoading()) {
            QEventLoop loop;
            QObject::connect(&model, &DatasetTableModel::loadingChanged, &loop, [&loop](bool loading) {
                if (!loading)
                    loop.quit();
            });
            QTimer::singleShot(60'000, &loop, &QEventLoop::quit);
            loop.exec();
        }
        if (model.isLoading())
            die(QStringLiteral("load"), QStringLiteral("no page within 60 s"));
        if (!model.lastError().isEmpty())
            die(QStringLiteral("load"), model.lastError());
    };
    // What the user waits for after the rows are in: the view's pending layout and its paint,
    // both posted events that one pass handles.
    auto settleView = [&] {
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents();
    };

    // Selecting a collection: a warm-up on another query first, as the app has already shown
    // something when the user clicks.
    model.setQuery({kChain}, {}, QStringLiteral("detector = 1"));
    waitLoaded();
    settleView();
    timer.start();
    model.setQuery({kChain}, {}, QString());
    waitLoaded();
    settleView(); // the paint of the first page
    const double firstPageMs = timer.nsecsElapsed() / 1e6;
    const int pageRows = model.rowCount();

    // Scrolling to the end: each page as the view asks for it at the bottom, timed from the
    // scroll (and its paint of the rows the last page brought) to the page's rows in the view;
    // split into the wait for the rows and the view's work after.
    QList<double> pageMs;
    QList<double> rowsInMs;
    QList<PageCosts> pageCosts;
    int pagesPainted = 0;
    int maxPages = smoke ? 50 : std::numeric_limits<int>::max();
    if (const int i = int(args.indexOf(QStringLiteral("--pages"))); i > 0 && i + 1 < args.size())
        maxPages = args[i + 1].toInt();
    double peakScrolling = 0;
    // Reads that reached the disk: a registry not in the system's file cache (a first run, or
    // pages the system evicted) makes slow pages that say nothing of the app.
    const double diskReadBefore = diskReadMb();
    const int paintsAtStart = paintCounter.paints;
    while (model.canFetchMore({}) && pageMs.size() < maxPages) {
        const PageCosts costsBefore = PageCosts::now();
        timer.restart();
        view.scrollToBottom(); // the view calls fetchMore() when it reaches the last row
        if (!model.isLoading())
            model.fetchMore({});
        waitLoaded();
        rowsInMs << timer.nsecsElapsed() / 1e6;
        const int paintsBefore = paintCounter.paints;
        settleView();
        pageMs << timer.nsecsElapsed() / 1e6;
        pageCosts << PageCosts::now() - costsBefore;
        // Rows that arrive below the view are painted by the next scroll, in the next figure.
        pagesPainted += paintCounter.paints > paintsBefore;
        if (pageMs.size() % 500 == 0) {
            peakScrolling = std::max(peakScrolling, procStatusMb("VmRSS:"));
            std::fprintf(stderr, "\rbench_browser: %d rows, %.0f MB", model.rowCount(), peakScrolling);
        }
    }
    std::fprintf(stderr, "\n");
    const int paintsWhileScrolling = paintCounter.paints - paintsAtStart;
    const double diskRead = diskReadMb() - diskReadBefore;
    const int rows = model.rowCount();
    // The cost of one paint of the table as it stands (part of every page: the view repaints
    // when it scrolls and when rows arrive).
    double repaintMs = 0;
    {
        constexpr int kRepaints = 20;
        QElapsedTimer paintTimer;
        paintTimer.start();
        for (int i = 0; i < kRepaints; ++i)
            view.viewport()->repaint();
        repaintMs = paintTimer.nsecsElapsed() / 1e6 / kRepaints;
    }
    const double peakMemory = procStatusMb("VmHWM:");
    const double anonMemory = procStatusMb("RssAnon:");
    const double fileMemory = procStatusMb("RssFile:");

    // Baseline: the same pages through bare RemoteButler calls (no model, no view).
    QList<double> barePageMs;
    double bareFirstMs = 0;
    {
        DatasetQuery query;
        query.collections = {kChain};
        query.limit = model.pageSize();
        query.withSizes = true; // as the model asks
        const int barePages = std::min<int>(int(pageMs.size()), smoke ? 50 : 300);
        for (int page = 0; page <= barePages; ++page) {
            timer.restart();
            const DatasetPage answer = check(client->queryDatasets(query), "bare page");
            if (answer.sizes.size() != answer.refs.size())
                die(QStringLiteral("bare page"), QStringLiteral("the page came without sizes"));
            const double ms = timer.nsecsElapsed() / 1e6;
            if (page == 0)
                bareFirstMs = ms;
            else
                barePageMs << ms;
            if (answer.nextPageToken.isEmpty())
                break;
            query.pageToken = answer.nextPageToken;
        }
    }

    std::printf("bench_browser: %d datasets in the repository, %d rows loaded in pages of %d (%lld pages)\n",
                datasets, rows, pageRows, qint64(pageMs.size()) + 1);
    line("first page after selecting (ms)", firstPageMs, "ms", bareFirstMs, "<= 100 ms");
    line("fetchMore page p50 (ms)", percentile(pageMs, 0.5), "ms", percentile(barePageMs, 0.5), "<= 30 ms");
    line("fetchMore page p99 (ms)", percentile(pageMs, 0.99), "ms", percentile(barePageMs, 0.99), "<= 30 ms");
    line("fetchMore page max (ms)", percentile(pageMs, 1.0), "ms", percentile(barePageMs, 1.0), "<= 30 ms");
    std::printf("%-40s %10.1f ms   (rows in p50 %0.1f ms, view after them p50 %0.1f ms, repainted on arrival "
                "%d of %lld, %0.1f paints a page)\n",
                "fetchMore page mean (ms)", mean(pageMs), percentile(rowsInMs, 0.5),
                percentile(viewMs(pageMs, rowsInMs), 0.5), pagesPainted, qint64(pageMs.size()),
                double(paintsWhileScrolling) / std::max<qsizetype>(1, pageMs.size()));
    // A page must not cost more as rows pile up: the first and the last tenth of the pages.
    const qsizetype tenth = std::min(pageMs.size(), std::max<qsizetype>(1, pageMs.size() / 10));
    std::printf("%-40s %10.1f ms   (last tenth %0.1f ms)\n", "fetchMore page p50, first tenth (ms)",
                percentile(pageMs.first(tenth), 0.5), percentile(pageMs.last(tenth), 0.5));
    std::printf("%-40s %10.1f MB   (registry pages not in the system's file cache)\n",
                "read from disk while scrolling", diskRead);
    // What the slowest pages were made of: a slow wait for the rows with disk reads is the
    // registry coming back from disk; with preemptions and no reads, threads waiting for a core;
    // with steal, the host running something else on this machine's cores.
    {
        QList<qsizetype> order(pageMs.size());
        std::iota(order.begin(), order.end(), 0);
        const qsizetype shown = std::min<qsizetype>(5, order.size());
        std::partial_sort(order.begin(), order.begin() + shown, order.end(),
                          [&](qsizetype a, qsizetype b) { return pageMs[a] > pageMs[b]; });
        for (qsizetype i = 0; i < shown; ++i) {
            const qsizetype page = order[i];
            std::printf(
                "%-40s %10.1f ms   (page %lld: rows in %0.1f ms; %ld disk blocks read, %ld preemptions, "
                "%0.0f ms stolen)\n",
                i == 0 ? "slowest pages" : "", pageMs[page], qint64(page + 2), rowsInMs[page],
                pageCosts[page].diskBlocks, pageCosts[page].preempted, pageCosts[page].stolenMs);
        }
    }
    std::printf("%-40s %10.1f ms\n", "one repaint of the table (ms)", repaintMs);
    std::printf("%-40s %10.1f MB   (before the server %0.1f MB, with it %0.1f MB)  goal <= 300 MB\n",
                "peak memory while scrolling to the end", peakMemory, baseMemory, serverMemory);
    std::printf("%-40s %10.1f MB   (of which mapped files, e.g. the registry: %0.1f MB)\n",
                "memory at the end: heap", anonMemory, fileMemory);
    model.clear();
    if (!QTest::qWaitFor([&] { return !model.hasPendingRequests(); }, 30'000))
        die(QStringLiteral("stop"), QStringLiteral("requests still in flight"));
    client.reset();
    server.reset();
    return 0;
}
