#include "DemoRepoCommandHook.h"

#include "DemoRepoBuilder.h"
#include "DirectButler.h"
#include "ProgressBar.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>

#include <memory>

namespace butler {

Status DemoRepoCommandHook::run(const DemoRepoRequest& request, QTextStream& out)
{
    DemoRepoOptions options;
    if (request.nights)
        options.nights = *request.nights;
    if (request.seed)
        options.seed = quint64(*request.seed);
    options.small = request.small;

    // DirectButler::create refuses a folder that is not empty, so on failure everything in the
    // folder was made here and may go.
    const bool existed = QFileInfo::exists(request.path);
    BUTLER_TRY(DirectButler::create(request.path));
    const auto discard = [&](const Error& error) -> Status {
        QDir(request.path).removeRecursively();
        if (existed)
            QDir().mkpath(request.path);
        return error;
    };
    Result<std::unique_ptr<DirectButler>> butler = DirectButler::open(request.path);
    if (!butler.ok())
        return discard(butler.error());

    std::unique_ptr<ProgressBar> bar;
    QString barStage;
    options.progress = [&](const QString& stage, qint64 done, qint64 total) {
        if (!bar || stage != barStage) {
            bar = std::make_unique<ProgressBar>(stage, total);
            barStage = stage;
        }
        bar->setTotal(total);
        if (done > bar->current())
            bar->advance(done - bar->current());
    };
    const Result<DemoRepoSummary> summary = DemoRepoBuilder::build(**butler, options);
    bar.reset();
    butler->reset();
    if (!summary.ok())
        return discard(summary.error());

    out << "Made a demo repository at " << request.path << ": " << summary->nights
        << (summary->nights == 1 ? " night, " : " nights, ") << summary->exposures
        << " exposures and visits on " << summary->detectors << " detectors; " << summary->raws << " raw, "
        << summary->calexps << " calexp, " << summary->sourceTables << " sourceTable_visit, "
        << summary->coadds << " deepCoadd, " << summary->biases << " bias and " << summary->flats
        << " flat datasets, "
        << QLocale::c().formattedDataSize(summary->fileBytes, 1, QLocale::DataSizeTraditionalFormat) << ".\n"
        << "Search LSSTCam/defaults for raws and calibrations, LSSTCam/runs/DM-00001 for processed data.\n";
    return {};
}

} // namespace butler
