// Drives one upload batch against butler-server through RemoteButler and times its three steps:
// the reservation, the PUTs (several in flight), and the commit. bench_uploads.sh runs it for
// the "commit of a 10,000-dataset batch" figure.
//
// bench_uploads URL TOKEN RUN TYPE INSTRUMENT FIRST_DETECTOR COUNT SIZE [PARALLEL]
// prints: reserve_s=<s> upload_s=<s> commit_s=<s> datasets=<n>

#include "ContentHash.h"
#include "CoroutineResult.h"
#include "RemoteButler.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>

#include <cstdio>
#include <memory>
#include <vector>

using namespace butler;

namespace {

struct Plan
{
    QString url, token, run, type, instrument;
    int firstDetector = 0;
    int count = 0;
    int size = 0;
    int parallel = 8;
};

QCoro::Task<Status> putWorker(RemoteButler* butler, const UploadGrant* grant, QByteArray body,
                              std::shared_ptr<qsizetype> next)
{
    while (*next < grant->files.size()) {
        const UploadGrant::Slot& slot = grant->files[(*next)++];
        if (slot.status != QLatin1String("upload"))
            continue;
        const Status sent = co_await butler->putBytesAsync(slot.url, body);
        if (!sent.ok())
            co_return sent;
    }
    co_return Status();
}

QCoro::Task<int> run(Plan plan)
{
    auto connected = co_await RemoteButler::connectAsync(plan.url, plan.token);
    if (!connected.ok()) {
        std::fprintf(stderr, "bench_uploads: %s\n", qPrintable(connected.error().message()));
        co_return 1;
    }
    std::unique_ptr<RemoteButler> butler = std::move(connected).value();
    const QByteArray body(plan.size, 'b');
    const QString sha = ContentHash::sha256(body);
    QList<UploadSpec> specs;
    specs.reserve(plan.count);
    for (int i = 0; i < plan.count; ++i) {
        UploadSpec spec;
        spec.datasetType = plan.type;
        spec.dataId = {{QStringLiteral("instrument"), plan.instrument},
                       {QStringLiteral("detector"), plan.firstDetector + i}};
        spec.size = plan.size;
        spec.sha256 = sha;
        spec.formatter = QStringLiteral("bytes");
        specs.append(spec);
    }
    QElapsedTimer timer;
    timer.start();
    auto grant = co_await butler->reserveUploadAsync(plan.run, specs);
    const double reserveSeconds = double(timer.nsecsElapsed()) / 1e9;
    if (!grant.ok()) {
        std::fprintf(stderr, "bench_uploads: reserve: %s\n", qPrintable(grant.error().message()));
        co_return 1;
    }
    timer.restart();
    auto next = std::make_shared<qsizetype>(0);
    std::vector<QCoro::Task<Status>> workers;
    for (int i = 0; i < plan.parallel; ++i)
        workers.push_back(putWorker(butler.get(), &grant.value(), body, next));
    for (auto& worker : workers) {
        const Status status = co_await worker;
        if (!status.ok()) {
            std::fprintf(stderr, "bench_uploads: upload: %s\n", qPrintable(status.error().message()));
            co_return 1;
        }
    }
    const double uploadSeconds = double(timer.nsecsElapsed()) / 1e9;
    timer.restart();
    auto refs = co_await butler->commitUploadAsync(grant->uploadId);
    const double commitSeconds = double(timer.nsecsElapsed()) / 1e9;
    if (!refs.ok()) {
        std::fprintf(stderr, "bench_uploads: commit: %s\n", qPrintable(refs.error().message()));
        co_return 1;
    }
    std::printf("reserve_s=%.4f upload_s=%.4f commit_s=%.4f datasets=%lld\n", reserveSeconds, uploadSeconds,
                commitSeconds, static_cast<long long>(refs->size()));
    co_return refs->size() == plan.count ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\n*.info=false"));
    const QStringList args = app.arguments();
    if (args.size() < 9) {
        std::fprintf(
            stderr,
            "usage: bench_uploads URL TOKEN RUN TYPE INSTRUMENT FIRST_DETECTOR COUNT SIZE [PARALLEL]\n");
        return 2;
    }
    Plan plan;
    plan.url = args[1];
    plan.token = args[2];
    plan.run = args[3];
    plan.type = args[4];
    plan.instrument = args[5];
    plan.firstDetector = args[6].toInt();
    plan.count = args[7].toInt();
    plan.size = args[8].toInt();
    if (args.size() > 9)
        plan.parallel = std::max(1, args[9].toInt());
    int status = 1;
    QCoro::Task<> task = [](Plan p, int* out) -> QCoro::Task<> {
        *out = co_await run(std::move(p));
        QCoreApplication::exit(0);
    }(plan, &status);
    app.exec();
    return status;
}
