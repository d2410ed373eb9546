#include "RepoCommands.h"

#include "CommonOptions.h"
#include "DirectButler.h"
#include "RecordFileReader.h"

#include <QFileInfo>

namespace butler {

namespace {

Error notInThisBuild(const QString& command, const QString& what)
{
    return Error(
        ErrorKind::Unavailable,
        QStringLiteral("%1 is not available in this build: %2 is not part of it").arg(command, what));
}

} // namespace

void RepoCommands::registerCommands(CommandRegistry& registry)
{
    registry.add(
        {.name = QStringLiteral("create"),
         .summary = QStringLiteral("create an empty repository (local)"),
         .description = QStringLiteral("Makes REPO with a SQLite registry and a file datastore inside it, "
                                       "unless --postgres or --datastore say otherwise."),
         .positionals = {{.name = QStringLiteral("REPO"),
                          .help = QStringLiteral("the new repository's path")}},
         .options = {{.name = QStringLiteral("postgres"),
                      .valueName = QStringLiteral("CONNINFO"),
                      .help = QStringLiteral("keep the registry in this PostgreSQL database")},
                     {.name = QStringLiteral("datastore"),
                      .valueName = QStringLiteral("ROOT_OR_S3_URI"),
                      .help = QStringLiteral("keep the files here instead of REPO/datastore")}}},
        &RepoCommands::create);
    registry.add(
        {.name = QStringLiteral("import"),
         .summary = QStringLiteral("load a daf_butler YAML export (local)"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("EXPORT"),
                          .help = QStringLiteral("the export file (YAML)")}},
         .options = {{.name = QStringLiteral("dir"),
                      .valueName = QStringLiteral("DIR"),
                      .help = QStringLiteral("where the export's file paths start (default: the export's "
                                             "folder)")},
                     {.name = QStringLiteral("transfer"),
                      .valueName = QStringLiteral("MODE"),
                      .help = QStringLiteral("how files get into the datastore (default copy)"),
                      .choices = {QStringLiteral("copy"), QStringLiteral("symlink"),
                                  QStringLiteral("direct")}}}},
        &RepoCommands::importExport);
    registry.add(
        {.name = QStringLiteral("make-demo-repo"),
         .summary = QStringLiteral("create a repository filled with realistic observatory content (local)"),
         .positionals = {{.name = QStringLiteral("REPO"),
                          .help = QStringLiteral("the new repository's path")}},
         .options = {{.name = QStringLiteral("nights"),
                      .valueName = QStringLiteral("N"),
                      .help = QStringLiteral("nights of observations to make"),
                      .integer = true},
                     {.name = QStringLiteral("seed"),
                      .valueName = QStringLiteral("S"),
                      .help = QStringLiteral("random seed, for the same content every time"),
                      .integer = true},
                     {.name = QStringLiteral("small"),
                      .help = QStringLiteral("a few detectors and exposures only (for tests)")}}},
        &RepoCommands::makeDemoRepo);
    registry.add(
        {.name = QStringLiteral("insert-dimension-records"),
         .summary = QStringLiteral("insert dimension records from a JSON or CSV file"),
         .description = QStringLiteral(
             "FILE is a JSON array of objects (or {\"records\": [...]}) or a CSV file with a header row.\n"
             "Fields are the element's keys, required and implied dimensions and metadata; timespans go in\n"
             "timespan_begin/timespan_end (or datetime_begin/datetime_end) as ISO UTC times, empty for\n"
             "unbounded. Either every record is inserted or none is."),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("ELEMENT"),
                          .help = QStringLiteral("dimension element, e.g. detector")},
                         {.name = QStringLiteral("FILE"),
                          .help = QStringLiteral("records as .json or .csv")}},
         .options = {{.name = QStringLiteral("skip-existing"),
                      .help = QStringLiteral("leave records that already exist alone instead of failing")}}},
        &RepoCommands::insertDimensionRecords);
    registry.add(
        {.name = QStringLiteral("register-dataset-type"),
         .summary = QStringLiteral("register a dataset type"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("NAME"), .help = QStringLiteral("dataset type name")},
                         {.name = QStringLiteral("STORAGE_CLASS"),
                          .help = QStringLiteral("storage class name")},
                         {.name = QStringLiteral("DIMENSION"),
                          .help = QStringLiteral("dimensions of its data IDs"),
                          .optional = true,
                          .variadic = true}},
         .options = {{.name = QStringLiteral("is-calibration"),
                      .help = QStringLiteral("datasets of this type are calibrations")}}},
        &RepoCommands::registerDatasetType);
    registry.add({.name = QStringLiteral("remove-dataset-type"),
                  .summary = QStringLiteral("remove dataset types that have no datasets"),
                  .positionals = {CommonOptions::repo(),
                                  {.name = QStringLiteral("GLOB"),
                                   .help = QStringLiteral("dataset type names or globs"),
                                   .variadic = true}},
                  .options = {CommonOptions::force(QStringLiteral("the dataset types"))}},
                 &RepoCommands::removeDatasetType);
    registry.add({.name = QStringLiteral("verify-quotas"),
                  .summary = QStringLiteral("recompute quota usage and report drift (local, admin)"),
                  .positionals = {CommonOptions::repo()},
                  .options = {{.name = QStringLiteral("fix"),
                               .help = QStringLiteral("also correct the recorded usage")}}},
                 &RepoCommands::verifyQuotas);
}

Status RepoCommands::create(CommandContext& context)
{
    const QString repo = context.repo();
    BUTLER_TRY(RepositoryAccess::requireLocal(repo, QStringLiteral("create")));
    RepositoryOptions options;
    options.postgres = context.args().value(QStringLiteral("postgres"));
    options.datastoreRoot = context.args().value(QStringLiteral("datastore"));
    return DirectButler::create(repo, options);
}

Status RepoCommands::importExport(CommandContext& context)
{
    BUTLER_TRY(RepositoryAccess::requireLocal(context.repo(), QStringLiteral("import")));
    ImportRequest request;
    request.exportFile = context.args().positional(QStringLiteral("EXPORT"));
    request.directory = context.args().value(QStringLiteral("dir"));
    BUTLER_ASSIGN_OR_RETURN(request.transfer, parseTransferMode(context.args().value(
                                                  QStringLiteral("transfer"), QStringLiteral("copy"))));
    if (!QFileInfo(request.exportFile).isFile())
        return notFound(QStringLiteral("no export file at '%1'").arg(request.exportFile));
    if (!request.directory.isEmpty() && !QFileInfo(request.directory).isDir())
        return notFound(QStringLiteral("--dir '%1' is not a folder").arg(request.directory));
    if (!context.hooks().importExport)
        return notInThisBuild(QStringLiteral("import"), QStringLiteral("the export importer"));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    return context.hooks().importExport(*butler, request, context.out());
}

Status RepoCommands::makeDemoRepo(CommandContext& context)
{
    BUTLER_TRY(RepositoryAccess::requireLocal(context.repo(), QStringLiteral("make-demo-repo")));
    DemoRepoRequest request;
    request.path = context.repo();
    if (context.args().isSet(QStringLiteral("nights")))
        request.nights = int(context.args().integer(QStringLiteral("nights")));
    if (context.args().isSet(QStringLiteral("seed")))
        request.seed = context.args().integer(QStringLiteral("seed"));
    request.small = context.args().isSet(QStringLiteral("small"));
    if (!context.hooks().makeDemoRepo)
        return notInThisBuild(QStringLiteral("make-demo-repo"),
                              QStringLiteral("the demo repository builder"));
    return context.hooks().makeDemoRepo(request, context.out());
}

Status RepoCommands::insertDimensionRecords(CommandContext& context)
{
    const QString element = context.args().positional(QStringLiteral("ELEMENT"));
    const QString path = context.args().positional(QStringLiteral("FILE"));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const QList<DimensionRecord> records,
                            RecordFileReader::read(butler->universe(), element, path));
    return butler->insertDimensionRecords(element, records,
                                          context.args().isSet(QStringLiteral("skip-existing")));
}

Status RepoCommands::registerDatasetType(CommandContext& context)
{
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(
        const DatasetType type,
        DatasetType::make(butler->universe(), context.args().positional(QStringLiteral("NAME")),
                          CommonOptions::splitCommas(context.args().positionals(QStringLiteral("DIMENSION"))),
                          context.args().positional(QStringLiteral("STORAGE_CLASS")),
                          context.args().isSet(QStringLiteral("is-calibration"))));
    return butler->registerDatasetType(type);
}

Status RepoCommands::removeDatasetType(CommandContext& context)
{
    const QStringList globs = CommonOptions::splitCommas(context.args().positionals(QStringLiteral("GLOB")));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetType> types, butler->queryDatasetTypes(globs));
    if (types.isEmpty()) {
        context.out() << "No dataset types match " << globs.join(QStringLiteral(", ")) << ".\n";
        return {};
    }
    QStringList names;
    for (const DatasetType& type : types)
        names.append(type.name());
    BUTLER_ASSIGN_OR_RETURN(
        const bool confirmed,
        context.confirmRemoval(QStringLiteral("These dataset types will be removed:"), names));
    if (!confirmed)
        return {};
    BUTLER_ASSIGN_OR_RETURN(const QStringList removed, butler->removeDatasetTypes(names));
    context.out() << "Removed " << removed.size()
                  << (removed.size() == 1 ? " dataset type.\n" : " dataset types.\n");
    return {};
}

Status RepoCommands::verifyQuotas(CommandContext& context)
{
    BUTLER_TRY(RepositoryAccess::requireLocal(context.repo(), QStringLiteral("verify-quotas")));
    if (!QFileInfo::exists(context.repo()))
        return notFound(QStringLiteral("no repository at '%1'").arg(context.repo()));
    if (!context.hooks().verifyQuotas)
        return notInThisBuild(QStringLiteral("verify-quotas"),
                              QStringLiteral("the server's quota accounting"));
    return context.hooks().verifyQuotas(context.repo(), context.args().isSet(QStringLiteral("fix")),
                                        context.out());
}

} // namespace butler
