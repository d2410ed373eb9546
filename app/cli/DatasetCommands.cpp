#include "DatasetCommands.h"

#include "BindParameters.h"
#include "ButlerQueries.h"
#include "CommonOptions.h"
#include "TaiTime.h"
#include "TrashCommands.h"

#include <QSet>

namespace butler {

namespace {

QString datasetCount(qsizetype n)
{
    return QString::number(n) + (n == 1 ? QStringLiteral(" dataset") : QStringLiteral(" datasets"));
}

OptionSpec dateOption(const QString& name, const QString& help)
{
    return {.name = name, .valueName = QStringLiteral("ISO"), .help = help};
}

// The datasets a command acts on: types and --where/--bind from the arguments, in the given
// collections.
Result<QList<DatasetRef>> selectDatasets(Butler& butler, const ParsedArguments& args,
                                         const QStringList& types, const QStringList& collections,
                                         bool findFirst)
{
    DatasetQuery query;
    query.datasetTypes = types;
    query.collections = collections;
    query.where = args.value(QStringLiteral("where"));
    BUTLER_ASSIGN_OR_RETURN(query.bind, BindParameters::parse(args.values(QStringLiteral("bind"))));
    query.findFirst = findFirst;
    return ButlerQueries::datasets(butler, query);
}

} // namespace

void DatasetCommands::registerCommands(CommandRegistry& registry)
{
    const PositionalSpec typeGlobs{.name = QStringLiteral("TYPE_GLOB"),
                                   .help =
                                       QStringLiteral("dataset type names or globs (default: every type)"),
                                   .optional = true,
                                   .variadic = true};
    registry.add(
        {.name = QStringLiteral("associate"),
         .summary = QStringLiteral("add matching datasets to a TAGGED collection"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("TAGGED"), .help = QStringLiteral("the TAGGED collection")},
                         typeGlobs},
         .options = {CommonOptions::collections(true), CommonOptions::where(), CommonOptions::bind(),
                     CommonOptions::findFirst()}},
        &DatasetCommands::associate);
    registry.add(
        {.name = QStringLiteral("disassociate"),
         .summary = QStringLiteral("remove matching datasets from a TAGGED collection"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("TAGGED"), .help = QStringLiteral("the TAGGED collection")},
                         typeGlobs},
         .options = {CommonOptions::where(), CommonOptions::bind()}},
        &DatasetCommands::disassociate);
    registry.add(
        {.name = QStringLiteral("certify-calibrations"),
         .summary = QStringLiteral("certify the calibrations of a run for a validity range"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("INPUT_RUN"),
                          .help = QStringLiteral("the RUN holding them")},
                         {.name = QStringLiteral("CALIB_COLLECTION"),
                          .help = QStringLiteral("the CALIBRATION collection")},
                         {.name = QStringLiteral("TYPE"),
                          .help = QStringLiteral("the calibration dataset type")}},
         .options = {dateOption(QStringLiteral("begin-date"),
                                QStringLiteral("start of validity, ISO UTC (default: unbounded)")),
                     dateOption(QStringLiteral("end-date"),
                                QStringLiteral("end of validity, ISO UTC, exclusive (default: unbounded)"))}},
        &DatasetCommands::certifyCalibrations);
    registry.add(
        {.name = QStringLiteral("decertify-calibrations"),
         .summary = QStringLiteral("clear or split validity ranges in a CALIBRATION collection"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("CALIB_COLLECTION"),
                          .help = QStringLiteral("the CALIBRATION collection")},
                         {.name = QStringLiteral("TYPE"),
                          .help = QStringLiteral("the calibration dataset type")}},
         .options = {dateOption(QStringLiteral("begin-date"),
                                QStringLiteral("start of the range to clear, ISO UTC (default: unbounded)")),
                     dateOption(QStringLiteral("end-date"),
                                QStringLiteral("end of the range to clear, ISO UTC (default: unbounded)")),
                     CommonOptions::where(), CommonOptions::bind()}},
        &DatasetCommands::decertifyCalibrations);
    registry.add({.name = QStringLiteral("prune-datasets"),
                  .summary = QStringLiteral("move datasets to the trash (--purge) or delete only their files "
                                            "(--unstore)"),
                  .description = QStringLiteral(
                      "--purge moves the datasets, with their TAGGED and CALIBRATION memberships, to the "
                      "trash ('butler trash'); their files go when the retention period ends. --unstore "
                      "alone deletes the files at once and keeps the datasets registered."),
                  .positionals = {CommonOptions::repo(), typeGlobs},
                  .options = {CommonOptions::collections(true),
                              CommonOptions::where(),
                              CommonOptions::bind(),
                              {.name = QStringLiteral("unstore"),
                               .help = QStringLiteral("delete the files, keep the datasets in the registry")},
                              {.name = QStringLiteral("purge"),
                               .help = QStringLiteral("move the datasets to the trash, files and all")}}},
                 &DatasetCommands::pruneDatasets);
}

Result<Timespan> DatasetCommands::validityRange(const ParsedArguments& args)
{
    qint64 begin = Timespan::UnboundedBegin;
    qint64 end = Timespan::Unbounded;
    if (args.isSet(QStringLiteral("begin-date"))) {
        Result<qint64> t = TaiTime::fromIsoUtc(args.value(QStringLiteral("begin-date")));
        if (!t.ok())
            return t.error().withContext(QStringLiteral("--begin-date"));
        begin = t.value();
    }
    if (args.isSet(QStringLiteral("end-date"))) {
        Result<qint64> t = TaiTime::fromIsoUtc(args.value(QStringLiteral("end-date")));
        if (!t.ok())
            return t.error().withContext(QStringLiteral("--end-date"));
        end = t.value();
    }
    if (begin >= end)
        return invalidInput(QStringLiteral("--begin-date must be before --end-date"));
    return Timespan(begin, end);
}

Status DatasetCommands::associate(CommandContext& context)
{
    const QString tagged = context.args().positional(QStringLiteral("TAGGED"));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DatasetRef> refs,
        selectDatasets(*butler, context.args(),
                       CommonOptions::splitCommas(context.args().positionals(QStringLiteral("TYPE_GLOB"))),
                       context.args().values(QStringLiteral("collections")),
                       context.args().isSet(QStringLiteral("find-first"))));
    const QList<QUuid> ids = ButlerQueries::ids(refs);
    if (!ids.isEmpty())
        BUTLER_TRY(butler->associate(tagged, ids));
    context.out() << "Associated " << datasetCount(ids.size()) << " with " << tagged << ".\n";
    return {};
}

Status DatasetCommands::disassociate(CommandContext& context)
{
    const QString tagged = context.args().positional(QStringLiteral("TAGGED"));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const CollectionInfo info, butler->getCollection(tagged));
    if (info.type != CollectionType::Tagged)
        return invalidInput(
            QStringLiteral("'%1' is a %2 collection, not TAGGED").arg(tagged, collectionTypeName(info.type)));
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DatasetRef> refs,
        selectDatasets(*butler, context.args(),
                       CommonOptions::splitCommas(context.args().positionals(QStringLiteral("TYPE_GLOB"))),
                       {tagged}, false));
    const QList<QUuid> ids = ButlerQueries::ids(refs);
    if (!ids.isEmpty())
        BUTLER_TRY(butler->disassociate(tagged, ids));
    context.out() << "Disassociated " << datasetCount(ids.size()) << " from " << tagged << ".\n";
    return {};
}

Status DatasetCommands::certifyCalibrations(CommandContext& context)
{
    const QString run = context.args().positional(QStringLiteral("INPUT_RUN"));
    const QString calibration = context.args().positional(QStringLiteral("CALIB_COLLECTION"));
    const QString type = context.args().positional(QStringLiteral("TYPE"));
    BUTLER_ASSIGN_OR_RETURN(const Timespan validity, validityRange(context.args()));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_TRY(butler->getDatasetType(type));
    BUTLER_ASSIGN_OR_RETURN(const CollectionInfo info, butler->getCollection(run));
    if (info.type != CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a %2 collection; certify-calibrations takes a RUN")
                                .arg(run, collectionTypeName(info.type)));
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs,
                            selectDatasets(*butler, context.args(), {type}, {run}, false));
    if (refs.isEmpty())
        return notFound(QStringLiteral("no datasets of type '%1' in run '%2'").arg(type, run));
    const QList<QUuid> ids = ButlerQueries::ids(refs);

    // Like daf_butler, a missing CALIBRATION collection is made; it goes again if certifying fails.
    bool created = false;
    const Result<CollectionInfo> target = butler->getCollection(calibration);
    if (!target.ok()) {
        if (target.error().kind() != ErrorKind::NotFound)
            return target.error();
        BUTLER_TRY(butler->registerCollection(calibration, CollectionType::Calibration));
        created = true;
    }
    const Status certified = butler->certify(calibration, ids, validity);
    if (!certified.ok()) {
        if (created)
            (void)butler->removeCollections({calibration});
        return certified;
    }
    context.out() << "Certified " << datasetCount(ids.size()) << " in " << calibration << " for "
                  << validity.toString() << ".\n";
    return {};
}

Status DatasetCommands::decertifyCalibrations(CommandContext& context)
{
    const QString calibration = context.args().positional(QStringLiteral("CALIB_COLLECTION"));
    const QString type = context.args().positional(QStringLiteral("TYPE"));
    BUTLER_ASSIGN_OR_RETURN(const Timespan validity, validityRange(context.args()));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_TRY(butler->getDatasetType(type));

    QList<DataCoordinate> dataIds;
    const bool restricted = context.args().isSet(QStringLiteral("where"));
    if (restricted) {
        BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs,
                                selectDatasets(*butler, context.args(), {type}, {calibration}, false));
        QSet<QString> seen;
        for (const DatasetRef& ref : refs) {
            const DataCoordinate dataId = ref.dataId().requiredOnly();
            if (!seen.contains(dataId.key())) {
                seen.insert(dataId.key());
                dataIds.append(dataId);
            }
        }
        // An empty list would mean every data ID: a --where that matches nothing must change nothing.
        if (dataIds.isEmpty()) {
            context.out() << "No datasets match --where; nothing was decertified.\n";
            return {};
        }
    }
    BUTLER_TRY(butler->decertify(calibration, type, validity, dataIds));
    context.out() << "Decertified " << type << " in " << calibration << " for " << validity.toString();
    if (restricted)
        context.out() << " (" << dataIds.size() << (dataIds.size() == 1 ? " data ID)" : " data IDs)");
    context.out() << ".\n";
    return {};
}

Status DatasetCommands::pruneDatasets(CommandContext& context)
{
    const bool purge = context.args().isSet(QStringLiteral("purge"));
    const bool unstore = context.args().isSet(QStringLiteral("unstore"));
    if (!purge && !unstore)
        return context.usageError(
            QStringLiteral("choose --unstore (delete the files, keep the registry entries) or "
                           "--purge (delete the datasets entirely)"));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DatasetRef> refs,
        selectDatasets(*butler, context.args(),
                       CommonOptions::splitCommas(context.args().positionals(QStringLiteral("TYPE_GLOB"))),
                       context.args().values(QStringLiteral("collections")), false));
    if (refs.isEmpty()) {
        context.out() << "No datasets match; nothing was removed.\n";
        return {};
    }
    const QList<QUuid> ids = ButlerQueries::ids(refs);
    const QList<qint64> before = purge ? TrashCommands::entryIds(*butler) : QList<qint64>();
    BUTLER_TRY(butler->pruneDatasets(ids, purge, unstore || purge));
    if (purge)
        TrashCommands::reportPruned(context, *butler, before, ids.size());
    else
        context.out() << "Unstored " << datasetCount(ids.size()) << ".\n";
    return {};
}

} // namespace butler
