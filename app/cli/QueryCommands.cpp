#include "QueryCommands.h"

#include "BindParameters.h"
#include "ButlerQueries.h"
#include "CommonOptions.h"
#include "TaiTime.h"

#include <QJsonArray>

#include <algorithm>

namespace butler {

namespace {

const QString kTimespanBegin = QStringLiteral("timespan_begin");
const QString kTimespanEnd = QStringLiteral("timespan_end");

const QVariant& nullCell()
{
    static const QVariant null = QVariant::fromValue(nullptr);
    return null;
}

// A run the server does not name to this user (it reached the dataset through a release
// collection): an empty cell in tables and CSV, null in JSON.
void setRunCell(OutputTable& table, int column, const DatasetRef& ref)
{
    if (ref.run().isEmpty())
        table.setCell(column, nullCell());
    else
        table.setCell(column, ref.run());
}

QVariant timeCell(qint64 ns, bool bounded)
{
    return bounded ? QVariant(TaiTime::toIsoUtc(ns)) : nullCell();
}

// Sets the values of data IDs in their columns of a table's last row. Where each dimension
// goes is worked out once per dimension group, which the data IDs of a listing mostly share.
class DataIdCells
{
public:
    explicit DataIdCells(const QStringList& columns)
        : m_columns(columns)
    {
    }

    void set(OutputTable& table, const DataCoordinate& dataId)
    {
        const QStringList& names = dataId.group().names();
        if (names != m_names) {
            m_names = names;
            m_slots.clear();
            for (const QString& name : names)
                m_slots.append(int(m_columns.indexOf(name)));
        }
        const QList<QVariant>& values = dataId.values();
        const qsizetype count = std::min(values.size(), m_slots.size());
        for (qsizetype i = 0; i < count; ++i) {
            if (m_slots[i] >= 0 && values[i].isValid())
                table.setCell(m_slots[i], values[i]);
        }
    }

private:
    const QStringList& m_columns;
    QStringList m_names;
    QList<int> m_slots;
};

void setUriCell(OutputTable& table, int column, const QHash<QUuid, FileInfo>& files, const QUuid& id)
{
    const auto it = files.constFind(id);
    if (it != files.constEnd())
        table.setCell(column, it->uri);
    else
        table.setCell(column, nullCell());
}

// Cells are set straight from the refs, as a listing can have tens of thousands of them.
void writeDatasetTable(CommandContext& context, const QList<DatasetRef>& refs,
                       const QHash<QUuid, FileInfo>& files, bool showUri, const DimensionUniverse& universe,
                       OutputFormat format)
{
    QStringList columns = QStringList{QStringLiteral("type"), QStringLiteral("run"), QStringLiteral("id")} +
                          ButlerQueries::dimensionColumns(universe, refs);
    if (showUri)
        columns.append(QStringLiteral("uri"));
    const int uriColumn = int(columns.size()) - 1;
    OutputTable table(columns);
    table.reserve(int(refs.size()));
    DataIdCells dataIdCells(columns);
    for (const DatasetRef& ref : refs) {
        table.addRow();
        dataIdCells.set(table, ref.dataId());
        table.setCell(0, ref.datasetType().name());
        setRunCell(table, 1, ref);
        table.setCell(2, ref.id());
        if (showUri)
            setUriCell(table, uriColumn, files, ref.id());
    }
    table.write(context.out(), format);
}

void writeDatasetTables(CommandContext& context, QList<DatasetRef> refs, const QHash<QUuid, FileInfo>& files,
                        bool showUri, const DimensionUniverse& universe)
{
    if (context.format() == OutputFormat::Csv || refs.isEmpty()) {
        writeDatasetTable(context, refs, files, showUri, universe, context.format());
        return;
    }
    // One table per dataset type, in the order the types first appear. A listing of one type, the
    // usual case, needs no regrouping.
    const QString firstType = refs.first().datasetType().name();
    if (std::all_of(refs.cbegin(), refs.cend(),
                    [&](const DatasetRef& ref) { return ref.datasetType().name() == firstType; })) {
        writeDatasetTable(context, refs, files, showUri, universe, OutputFormat::Table);
        return;
    }
    QStringList typeOrder;
    QHash<QString, qsizetype> counts;
    for (const DatasetRef& ref : std::as_const(refs)) {
        if (++counts[ref.datasetType().name()] == 1)
            typeOrder.append(ref.datasetType().name());
    }
    QHash<QString, QList<DatasetRef>> byType;
    for (const QString& type : std::as_const(typeOrder))
        byType[type].reserve(counts.value(type));
    for (DatasetRef& ref : refs) {
        const QString type = ref.datasetType().name();
        byType[type].append(std::move(ref));
    }
    refs.clear();
    for (qsizetype t = 0; t < typeOrder.size(); ++t) {
        if (t > 0)
            context.out() << '\n';
        writeDatasetTable(context, byType.value(typeOrder[t]), files, showUri, universe, OutputFormat::Table);
    }
}

void writeDatasetJson(CommandContext& context, const QList<DatasetRef>& refs,
                      const QHash<QUuid, FileInfo>& files, bool showUri)
{
    OutputTable table({QStringLiteral("id"), QStringLiteral("dataset_type"), QStringLiteral("run"),
                       QStringLiteral("data_id"), QStringLiteral("uri")});
    table.reserve(int(refs.size()));
    for (const DatasetRef& ref : refs) {
        table.addRow();
        table.setCell(0, ref.id());
        table.setCell(1, ref.datasetType().name());
        setRunCell(table, 2, ref);
        table.setCell(3, ref.dataId());
        if (showUri)
            setUriCell(table, 4, files, ref.id());
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
        QList<DatasetRef> refs,
        ButlerQueries::datasets(*butler, query, int(args.integer(QStringLiteral("limit")))));
    QHash<QUuid, FileInfo> files;
    if (showUri) {
        BUTLER_ASSIGN_OR_RETURN(files, ButlerQueries::files(*butler, ButlerQueries::ids(refs)));
    }
    if (context.format() == OutputFormat::Json)
        writeDatasetJson(context, refs, files, showUri);
    else
        writeDatasetTables(context, std::move(refs), files, showUri, butler->universe());
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
    DataIdCells dataIdCells(columns);
    for (const DataCoordinate& dataId : dataIds) {
        table.addRow();
        dataIdCells.set(table, dataId);
    }
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
        const std::optional<Timespan>& timespan = record.timespan();
        table.addRow();
        for (int c = 0; c < int(columns.size()); ++c) {
            const QString& column = columns[c];
            if (column == kTimespanBegin || column == kTimespanEnd) {
                if (!element->hasTimespan)
                    continue;
                if (!timespan)
                    table.setCell(c, nullCell());
                else if (column == kTimespanBegin)
                    table.setCell(c, timeCell(timespan->begin(), timespan->hasBegin()));
                else
                    table.setCell(c, timeCell(timespan->end(), timespan->hasEnd()));
                continue;
            }
            QVariant value = record.value(column);
            // The primary key may be stored under the element's name instead of the key's.
            if (!value.isValid() && element->isDimension() && column == element->primaryKey().name)
                value = record.value(element->name);
            table.setCell(c, value.isValid() ? value : nullCell());
        }
    }
    table.write(context.out(), context.format());
    return {};
}

} // namespace butler
