#include "ImportCommandHook.h"

#include "ExportImporter.h"
#include "ProgressBar.h"

namespace butler {

namespace {

QString counted(qint64 n, const char* singular, const char* plural)
{
    return QString::number(n) + QLatin1Char(' ') + QLatin1String(n == 1 ? singular : plural);
}

} // namespace

Status ImportCommandHook::run(Butler& butler, const ImportRequest& request, QTextStream& out)
{
    ProgressBar progress(QStringLiteral("import"), 0);
    ImportOptions options;
    options.directory = request.directory;
    options.transfer = request.transfer;
    options.progress = [&progress](qint64 done, qint64 total) {
        progress.setTotal(total);
        progress.advance(done - progress.current());
    };
    const Result<ImportSummary> summary = ExportImporter::importFile(butler, request.exportFile, options);
    progress.finish();
    if (!summary.ok())
        return summary.error();
    out << "Imported " << counted(summary->records, "dimension record", "dimension records") << ", "
        << counted(summary->datasetTypes, "dataset type", "dataset types") << ", "
        << counted(summary->collections, "collection", "collections") << " and "
        << counted(summary->datasets, "dataset", "datasets") << " (" << summary->files << " with files";
    if (summary->associations > 0)
        out << ", " << counted(summary->associations, "association", "associations");
    out << ").\n";
    return {};
}

} // namespace butler
