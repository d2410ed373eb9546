#include "QueryCommands.h"

#include "BindParameters.h"
#include "ButlerQueries.h"
#include "CommonOptions.h"
#include "TaiTime.h"

#include <QJsonArray>

namespace butler {

namespace {

const QString kTimespanBegin = QStringLiteral("timespan_begin");
const QString kTimespanEnd = QStringLiteral("timespan_end");

QJsonObject dataIdObject(const DataCoordinate& dataId)
{
    QJsonObject object;
    const QStringList& names = dataId.group().names();
    for (qsizetype i = 0; i < dataId.values().size() && i < names.size(); ++i) {
        if (dataId.values()[i].isValid())
            object.insert(names[i], ButlerQueries::jsonValue(dataId.values()[i]));
    }
    return object;
}

QJsonValue timeCell(qint64 ns, bool bounded)
{
    return bounded ? QJsonValue(TaiTime::toIsoUtc(ns)) : QJsonValue();
}

void writeDatasetTables(CommandContext& context, const QList<DatasetRef>& refs,
                        const QHash<QUuid, FileInfo>& files, bool showUri, const DimensionUniverse& universe)
{
    const QStringList fixed{QStringLiteral("type"), QStringLiteral("run"), QStringLiteral("id")};
    auto tableRow = [&](const DatasetRef& ref) {
        QJsonObject row = dataIdObject(ref.dataId());
        row.insert(QLatin1String("type"), ref.datasetType().name());
        row.insert(QLatin1String("run"), ref.run());
        row.insert(QLatin1String("id"), ref.idString());
        if (showUri)
            row.insert(QLatin1String("uri"),
                       files.contains(ref.id()) ? QJsonValue(files.value(ref.id()).uri) : QJsonValue());
        return row;
    };
    auto columnsFor = [&](const QList<DatasetRef>& group) {
        QList<DataCoordinate> dataIds;
        for (const DatasetRef& ref : group)
            dataIds.append(ref.dataId());
        QStringList columns = fixed + ButlerQueries::dimensionColumns(universe, dataIds);
        if (showUri)
            columns.append(QStringLiteral("uri"));
        return columns;
    };

    if (context.format() == OutputFormat::Csv || refs.isEmpty()) {
        OutputTable table(columnsFor(refs));
        for (const DatasetRef& ref : refs)
            table.addRow(tableRow(ref));
        table.write(context.out(), context.format());
        return;
    }
    QStringList typeOrder;
    QHash<QString, QList<DatasetRef>> byType;
    for (const DatasetRef& ref : refs) {
        const QString& name = ref.datasetType().name();
        if (!byType.contains(name))
            typeOrder.append(name);
        byType[name].append(ref);
    }
    for (qsizetype t = 0; t < typeOrder.size(); ++t) {
        if (t > 0)
            context.out() << '\n';
        const QList<DatasetRef>& group = byType.value(typeOrder[t]);
        OutputTable table(columnsFor(group));
        for (const DatasetRef& ref : group)
            table.addRow(tableRow(ref));
        table.write(context.out(), OutputFormat::Table);
    }
}

void writeDatasetJson(CommandContext& context, const QList<DatasetRef>& refs,
                      const QHash<QUuid, FileInfo>& files, bool showUri)
{
    OutputTable table({QStringLiteral("id"), QStringLiteral("dataset_type"), QStringLiteral("run"),
                       QStringLiteral("data_id"), QStringLiteral("uri")});
    table.reserve(int(refs.size()));
    for (const DatasetRef& ref : refs) {
        QJsonObject row;
        row.insert(QLatin1String("id"), ref.idString());
        row.insert(QLatin1String("dataset_type"), ref.datasetType().name());
        row.insert(QLatin1String("run"), ref.run());
        row.insert(QLatin1String("data_id"), dataIdObject(ref.dataId()));
        if (showUri)
            row.insert(QLatin1String("uri"),
                       files.contains(ref.id()) ? QJsonValue(files.value(ref.id()).uri) : QJsonValue());
        table.addRow(row);
    }
    table.write(context.out(), OutputFormat::Json);
}

} // namespace

void QueryCommands::registerCommands(CommandRegistry& registry)
{
    registry.add(
        {.name = QStringLiteral("query-dataset-types"),
         .summary = QStringLiteral("list dataset types"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("GLOB"),
                          .help = QStringLiteral("names or globs (default: every type)"),
                          .optional = true,
                          .variadic = true}},
         .options = {CommonOptions::collections(false, QStringLiteral("only types with datasets in these "
                                                                      "collections")),
                     CommonOptions::format()}},
        &QueryCommands::queryDatasetTypes);
    registry.add(
        {.name = QStringLiteral("query-datasets"),
         .summary = QStringLiteral("list datasets"),
         .description = QStringLiteral(
             "As a table, each dataset type gets its own table: type, run, id, one column per data ID\n"
             "dimension, and uri with --show-uri. CSV is one table with the union of the columns. JSON is\n"
             "an array of {\"id\", \"dataset_type\", \"run\", \"data_id\", \"uri\"}.\n"
             "Without --collections every collection is searched."),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("TYPE_GLOB"),
                          .help = QStringLiteral("dataset type names or globs (default: every type)"),
                          .optional = true,
                          .variadic = true}},
         .options = {CommonOptions::collections(false),
                     CommonOptions::where(),
                     CommonOptions::bind(),
                     CommonOptions::findFirst(),
                     CommonOptions::orderBy(),
                     CommonOptions::limit(),
                     {.name = QStringLiteral("show-uri"),
                      .help = QStringLiteral("add the location of each dataset's file")},
                     CommonOptions::format()}},
        &QueryCommands::queryDatasets);
    registry.add(
        {.name = QStringLiteral("query-data-ids"),
         .summary = QStringLiteral("list data IDs"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("DIMENSION"),
                          .help = QStringLiteral("dimensions of the data IDs (default: those of --datasets)"),
                          .optional = true,
                          .variadic = true}},
         .options = {{.name = QStringLiteral("datasets"),
                      .valueName = QStringLiteral("TYPE"),
                      .help = QStringLiteral("only data IDs that have datasets of these types"),
                      .multiple = true},
                     CommonOptions::collections(false, QStringLiteral("where to look for --datasets")),
                     CommonOptions::where(),
                     CommonOptions::bind(),
                     CommonOptions::orderBy(),
                     CommonOptions::limit(),
                     CommonOptions::format()}},
        &QueryCommands::queryDataIds);
    registry.add({.name = QStringLiteral("query-dimension-records"),
                  .summary = QStringLiteral("list dimension records"),
                  .description =
                      QStringLiteral("Columns: required dimensions, keys, implied dimensions, metadata, and "
                                     "timespan_begin/timespan_end (ISO UTC)."),
                  .positionals = {CommonOptions::repo(),
                                  {.name = QStringLiteral("ELEMENT"),
                                   .help = QStringLiteral("dimension element, e.g. exposure")}},
                  .options = {CommonOptions::where(), CommonOptions::bind(), CommonOptions::orderBy(),
                              CommonOptions::limit(), CommonOptions::format()}},
                 &QueryCommands::queryDimensionRecords);
}

Status QueryCommands::queryDatasetTypes(CommandContext& context)
{
    const QStringList globs = CommonOptions::splitCommas(context.args().positionals(QStringLiteral("GLOB")));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DatasetType> types,
        butler->queryDatasetTypes(globs, context.args().values(QStringLiteral("collections"))));
    OutputTable table({QStringLiteral("name"), QStringLiteral("dimensions"), QStringLiteral("storage_class"),
                       QStringLiteral("is_calibration")});
    for (const DatasetType& type : types) {
        QJsonObject row;
        row.insert(QLatin1String("name"), type.name());
        row.insert(QLatin1String("dimensions"), QJsonArray::fromStringList(type.dimensions().required()));
        row.insert(QLatin1String("storage_class"), type.storageClass());
        row.insert(QLatin1String("is_calibration"), type.isCalibration());
        table.addRow(row);
    }
    table.write(context.out(), context.format());
    return {};
}

Status QueryCommands::queryDatasets(CommandContext& context)
{
    const ParsedArguments& args = context.args();
    DatasetQuery query;
    query.datasetTypes = CommonOptions::splitCommas(args.positionals(QStringLiteral("TYPE_GLOB")));
    query.collections = args.values(QStringLiteral("collections"));
    query.where = args.value(QStringLiteral("where"));
    BUTLER_ASSIGN_OR_RETURN(query.bind, BindParameters::parse(args.values(QStringLiteral("bind"))));
    query.findFirst = args.isSet(QStringLiteral("find-first"));
    query.orderBy = args.values(QStringLiteral("order-by"));
    if (query.findFirst && query.collections.isEmpty())
        return context.usageError(
            QStringLiteral("--find-first needs --collections: the search order decides which "
                           "dataset comes first"));
    query.collections = ButlerQueries::collectionsOrAll(query.collections);
    const bool showUri = args.isSet(QStringLiteral("show-uri"));

    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DatasetRef> refs,
        ButlerQueries::datasets(*butler, query, int(args.integer(QStringLiteral("limit")))));
    QHash<QUuid, FileInfo> files;
    if (showUri) {
        BUTLER_ASSIGN_OR_RETURN(files, ButlerQueries::files(*butler, ButlerQueries::ids(refs)));
    }
    if (context.format() == OutputFormat::Json)
        writeDatasetJson(context, refs, files, showUri);
    else
        writeDatasetTables(context, refs, files, showUri, butler->universe());
    return {};
}

Status QueryCommands::queryDataIds(CommandContext& context)
{
    const ParsedArguments& args = context.args();
    DataIdQuery query;
    query.dimensions = CommonOptions::splitCommas(args.positionals(QStringLiteral("DIMENSION")));
    query.datasetTypes = args.values(QStringLiteral("datasets"));
    query.collections = args.values(QStringLiteral("collections"));
    query.where = args.value(QStringLiteral("where"));
    BUTLER_ASSIGN_OR_RETURN(query.bind, BindParameters::parse(args.values(QStringLiteral("bind"))));
    query.orderBy = args.values(QStringLiteral("order-by"));
    query.limit = int(args.integer(QStringLiteral("limit")));
    if (query.dimensions.isEmpty() && query.datasetTypes.isEmpty())
        return context.usageError(
            QStringLiteral("give the dimensions of the data IDs, or --datasets to take them from"));
    if (!query.datasetTypes.isEmpty())
        query.collections = ButlerQueries::collectionsOrAll(query.collections);

    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    if (query.dimensions.isEmpty()) {
        BUTLER_ASSIGN_OR_RETURN(const QList<DatasetType> types,
                                butler->queryDatasetTypes(query.datasetTypes));
        if (types.isEmpty())
            return notFound(QStringLiteral("no dataset type matches %1")
                                .arg(query.datasetTypes.join(QStringLiteral(", "))));
        for (const DatasetType& type : types) {
            for (const QString& dimension : type.dimensions().required()) {
                if (!query.dimensions.contains(dimension))
                    query.dimensions.append(dimension);
            }
        }
    }
    BUTLER_ASSIGN_OR_RETURN(QList<DataCoordinate> dataIds, butler->queryDataIds(query));
    if (query.limit > 0 && dataIds.size() > query.limit)
        dataIds.resize(query.limit);

    QStringList columns = ButlerQueries::dimensionColumns(butler->universe(), dataIds);
    if (columns.isEmpty()) {
        const Result<DimensionGroup> group = butler->universe().group(query.dimensions);
        columns = group.ok() ? group->names() : query.dimensions;
    }
    OutputTable table(columns);
    table.reserve(int(dataIds.size()));
    for (const DataCoordinate& dataId : dataIds)
        table.addRow(dataIdObject(dataId));
    table.write(context.out(), context.format());
    return {};
}

QStringList QueryCommands::recordColumns(const DimensionElement& element)
{
    QStringList columns = element.required;
    for (const FieldSpec& key : element.keys)
        columns.append(key.name);
    columns.append(element.implies);
    for (const FieldSpec& field : element.metadata)
        columns.append(field.name);
    if (element.hasTimespan)
        columns << kTimespanBegin << kTimespanEnd;
    return columns;
}

Status QueryCommands::queryDimensionRecords(CommandContext& context)
{
    const ParsedArguments& args = context.args();
    DimensionRecordQuery query;
    query.element = args.positional(QStringLiteral("ELEMENT"));
    query.where = args.value(QStringLiteral("where"));
    BUTLER_ASSIGN_OR_RETURN(query.bind, BindParameters::parse(args.values(QStringLiteral("bind"))));
    query.orderBy = args.values(QStringLiteral("order-by"));

    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    const DimensionElement* element = butler->universe().element(query.element);
    if (!element)
        return notFound(QStringLiteral("unknown dimension element '%1'").arg(query.element));
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DimensionRecord> records,
        ButlerQueries::dimensionRecords(*butler, query, int(args.integer(QStringLiteral("limit")))));

    const QStringList columns = recordColumns(*element);
    OutputTable table(columns);
    table.reserve(int(records.size()));
    for (const DimensionRecord& record : records) {
        QJsonObject row;
        for (const QString& column : columns) {
            if (column == kTimespanBegin || column == kTimespanEnd)
                continue;
            QVariant value = record.value(column);
            // The primary key may be stored under the element's name instead of the key's.
            if (!value.isValid() && element->isDimension() && column == element->primaryKey().name)
                value = record.value(element->name);
            row.insert(column, ButlerQueries::jsonValue(value));
        }
        if (element->hasTimespan) {
            const std::optional<Timespan>& timespan = record.timespan();
            row.insert(kTimespanBegin,
                       timespan ? timeCell(timespan->begin(), timespan->hasBegin()) : QJsonValue());
            row.insert(kTimespanEnd, timespan ? timeCell(timespan->end(), timespan->hasEnd()) : QJsonValue());
        }
        table.addRow(row);
    }
    table.write(context.out(), context.format());
    return {};
}

} // namespace butler
