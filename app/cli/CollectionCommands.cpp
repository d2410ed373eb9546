#include "CollectionCommands.h"

#include "CommonOptions.h"
#include "TrashCommands.h"

#include <QJsonArray>
#include <QSet>

namespace butler {

namespace {

QJsonObject collectionRow(const CollectionInfo& info)
{
    QJsonObject row;
    row.insert(QLatin1String("name"), info.name);
    row.insert(QLatin1String("type"), collectionTypeName(info.type));
    row.insert(QLatin1String("doc"), info.doc);
    if (info.type == CollectionType::Chained)
        row.insert(QLatin1String("children"), QJsonArray::fromStringList(info.children));
    return row;
}

// Table and CSV show capitalised headers (as daf_butler does); JSON uses the wire field names.
void writeCollections(CommandContext& context, const QList<QJsonObject>& rows, bool withChildren)
{
    if (context.format() == OutputFormat::Json) {
        OutputTable table({QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("children"),
                           QStringLiteral("doc")});
        for (const QJsonObject& row : rows)
            table.addRow(row);
        table.write(context.out(), OutputFormat::Json);
        return;
    }
    QStringList headers{QStringLiteral("Name"), QStringLiteral("Type")};
    if (withChildren)
        headers.append(QStringLiteral("Children"));
    OutputTable table(headers);
    for (const QJsonObject& row : rows) {
        QJsonObject cells;
        cells.insert(QLatin1String("Name"), row.value(QLatin1String("name")));
        cells.insert(QLatin1String("Type"), row.value(QLatin1String("type")));
        QStringList children;
        for (const QJsonValue& child : row.value(QLatin1String("children")).toArray())
            children.append(child.toString());
        cells.insert(QLatin1String("Children"), children.join(QLatin1Char(',')));
        table.addRow(cells);
    }
    table.write(context.out(), context.format());
}

// Appends a collection and, for chains, its children below it, each level indented by two spaces.
// `path` holds the chains above, so that a cycle in stored data cannot recurse forever.
void appendTree(const QHash<QString, CollectionInfo>& all, const CollectionInfo& info, int depth,
                QSet<QString>& path, QList<QJsonObject>& rows)
{
    QJsonObject row = collectionRow(info);
    row.insert(QLatin1String("name"), QString(depth * 2, QLatin1Char(' ')) + info.name);
    rows.append(row);
    if (info.type != CollectionType::Chained || path.contains(info.name))
        return;
    path.insert(info.name);
    for (const QString& child : info.children) {
        const auto it = all.constFind(child);
        CollectionInfo childInfo;
        if (it != all.constEnd()) {
            childInfo = *it;
        } else {
            childInfo.name = child;
        }
        appendTree(all, childInfo, depth + 1, path, rows);
    }
    path.remove(info.name);
}

// The collections of the given types that match the globs, with their names.
Result<QList<CollectionInfo>> matchingCollections(Butler& butler, const QStringList& globs,
                                                  const QList<CollectionType>& types)
{
    CollectionQuery query;
    query.globs = globs;
    query.types = types;
    return butler.queryCollections(query);
}

} // namespace

void CollectionCommands::registerCommands(CommandRegistry& registry)
{
    registry.add(
        {.name = QStringLiteral("register-collection"),
         .summary = QStringLiteral("register a RUN, TAGGED or CALIBRATION collection"),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("NAME"), .help = QStringLiteral("the collection's name")}},
         .options = {{.name = QStringLiteral("type"),
                      .valueName = QStringLiteral("TYPE"),
                      .help = QStringLiteral("the collection type"),
                      .required = true,
                      .choices = {QStringLiteral("RUN"), QStringLiteral("TAGGED"),
                                  QStringLiteral("CALIBRATION")}},
                     {.name = QStringLiteral("doc"),
                      .valueName = QStringLiteral("TEXT"),
                      .help = QStringLiteral("a description")}}},
        &CollectionCommands::registerCollection);
    registry.add(
        {.name = QStringLiteral("collection-chain"),
         .summary = QStringLiteral("create or edit a CHAINED collection"),
         .description = QStringLiteral(
             "redefine (the default) sets the children; extend appends them; prepend puts them first;\n"
             "remove takes them out; pop removes children by position (CHILD is an index, default 0).\n"
             "redefine, extend and prepend create PARENT when it does not exist."),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("PARENT"), .help = QStringLiteral("the chained collection")},
                         {.name = QStringLiteral("CHILD"),
                          .help = QStringLiteral("child collections, in search order"),
                          .optional = true,
                          .variadic = true}},
         .options = {{.name = QStringLiteral("mode"),
                      .valueName = QStringLiteral("MODE"),
                      .help = QStringLiteral("how the children change the chain"),
                      .choices = {QStringLiteral("redefine"), QStringLiteral("extend"),
                                  QStringLiteral("prepend"), QStringLiteral("remove"),
                                  QStringLiteral("pop")}},
                     {.name = QStringLiteral("flatten"),
                      .help = QStringLiteral("replace chained children by the collections they reach")},
                     {.name = QStringLiteral("doc"),
                      .valueName = QStringLiteral("TEXT"),
                      .help = QStringLiteral("a description of the chain")}}},
        &CollectionCommands::collectionChain);
    registry.add(
        {.name = QStringLiteral("query-collections"),
         .summary = QStringLiteral("list collections"),
         .description = QStringLiteral(
             "--chains table (the default) lists each collection with the children of chains;\n"
             "tree shows chains with their children indented below them; flatten lists the collections\n"
             "the matches reach, chains expanded and left out; no-children lists only the matches.\n"
             "JSON output is one object per collection: name, type, children (chains), doc."),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("GLOB"),
                          .help = QStringLiteral("names or globs (default: every collection)"),
                          .optional = true,
                          .variadic = true}},
         .options = {{.name = QStringLiteral("collection-type"),
                      .valueName = QStringLiteral("TYPE"),
                      .help = QStringLiteral("only collections of these types"),
                      .multiple = true,
                      .choices = {QStringLiteral("RUN"), QStringLiteral("TAGGED"), QStringLiteral("CHAINED"),
                                  QStringLiteral("CALIBRATION")}},
                     {.name = QStringLiteral("chains"),
                      .valueName = QStringLiteral("MODE"),
                      .help = QStringLiteral("how to show chained collections"),
                      .choices = {QStringLiteral("table"), QStringLiteral("tree"), QStringLiteral("flatten"),
                                  QStringLiteral("no-children")}},
                     CommonOptions::format()}},
        &CollectionCommands::queryCollections);
    registry.add({.name = QStringLiteral("remove-runs"),
                  .summary = QStringLiteral("move RUN collections with their datasets to the trash"),
                  .description = QStringLiteral(
                      "They stay restorable ('butler trash') until the retention period ends; the "
                      "files go then. A run that holds nothing and is in no chain is removed at once."),
                  .positionals = {CommonOptions::repo(),
                                  {.name = QStringLiteral("GLOB"),
                                   .help = QStringLiteral("run names or globs"),
                                   .variadic = true}},
                  .options = {CommonOptions::force(QStringLiteral("the runs"))}},
                 &CollectionCommands::removeRuns);
    registry.add({.name = QStringLiteral("remove-collections"),
                  .summary = QStringLiteral("move TAGGED, CHAINED and CALIBRATION collections to the trash"),
                  .description = QStringLiteral(
                      "The datasets stay in their runs; use remove-runs for RUN collections. They stay "
                      "restorable ('butler trash') until the retention period ends; one that holds nothing "
                      "and is in no chain is removed at once."),
                  .positionals = {CommonOptions::repo(),
                                  {.name = QStringLiteral("GLOB"),
                                   .help = QStringLiteral("collection names or globs"),
                                   .variadic = true}},
                  .options = {CommonOptions::force(QStringLiteral("the collections"))}},
                 &CollectionCommands::removeCollections);
}

Status CollectionCommands::registerCollection(CommandContext& context)
{
    BUTLER_ASSIGN_OR_RETURN(const CollectionType type,
                            parseCollectionType(context.args().value(QStringLiteral("type"))));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    return butler->registerCollection(context.args().positional(QStringLiteral("NAME")), type,
                                      context.args().value(QStringLiteral("doc")));
}

Status CollectionCommands::collectionChain(CommandContext& context)
{
    BUTLER_ASSIGN_OR_RETURN(const ChainMode mode, parseChainMode(context.args().value(
                                                      QStringLiteral("mode"), QStringLiteral("redefine"))));
    QStringList children = CommonOptions::splitCommas(context.args().positionals(QStringLiteral("CHILD")));
    if (mode == ChainMode::Pop) {
        for (const QString& child : children) {
            bool ok = false;
            child.toInt(&ok);
            if (!ok)
                return context.usageError(
                    QStringLiteral("--mode pop takes child positions (0, 1, ...), not '%1'").arg(child));
        }
        if (children.isEmpty())
            children.append(QStringLiteral("0"));
    }
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    return butler->setCollectionChain(context.args().positional(QStringLiteral("PARENT")), children, mode,
                                      context.args().isSet(QStringLiteral("flatten")),
                                      context.args().value(QStringLiteral("doc")));
}

Status CollectionCommands::queryCollections(CommandContext& context)
{
    QList<CollectionType> types;
    for (const QString& name : context.args().values(QStringLiteral("collection-type"))) {
        BUTLER_ASSIGN_OR_RETURN(const CollectionType type, parseCollectionType(name));
        if (!types.contains(type))
            types.append(type);
    }
    const QString chains = context.args().value(QStringLiteral("chains"), QStringLiteral("table")).toLower();
    const QStringList globs = CommonOptions::splitCommas(context.args().positionals(QStringLiteral("GLOB")));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());

    CollectionQuery query;
    query.globs = globs;
    query.types = types;
    if (chains == QLatin1String("flatten")) {
        query.flattenChains = true;
        query.includeChains = false;
    }
    BUTLER_ASSIGN_OR_RETURN(const QList<CollectionInfo> collections, butler->queryCollections(query));

    QList<QJsonObject> rows;
    if (chains == QLatin1String("tree")) {
        BUTLER_ASSIGN_OR_RETURN(const QList<CollectionInfo> everything,
                                butler->queryCollections(CollectionQuery()));
        QHash<QString, CollectionInfo> all;
        for (const CollectionInfo& info : everything)
            all.insert(info.name, info);
        QSet<QString> path;
        for (const CollectionInfo& info : collections)
            appendTree(all, info, 0, path, rows);
        if (context.format() == OutputFormat::Json) {
            // The tree is a reading aid; JSON gets the plain objects with their children lists.
            rows.clear();
            for (const CollectionInfo& info : collections)
                rows.append(collectionRow(info));
        }
    } else {
        for (const CollectionInfo& info : collections)
            rows.append(collectionRow(info));
    }
    writeCollections(context, rows, chains == QLatin1String("table"));
    return {};
}

Status CollectionCommands::removeRuns(CommandContext& context)
{
    const QStringList globs = CommonOptions::splitCommas(context.args().positionals(QStringLiteral("GLOB")));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const QList<CollectionInfo> runs,
                            matchingCollections(*butler, globs, {CollectionType::Run}));
    if (runs.isEmpty()) {
        context.out() << "No RUN collections match " << globs.join(QStringLiteral(", ")) << ".\n";
        return {};
    }
    QStringList names;
    for (const CollectionInfo& info : runs)
        names.append(info.name);
    BUTLER_ASSIGN_OR_RETURN(
        const bool confirmed,
        context.confirmRemoval(
            QStringLiteral("These runs will be moved to the trash with all their datasets:"), names));
    if (!confirmed)
        return {};
    BUTLER_TRY(butler->removeRuns(names));
    TrashCommands::reportRemoval(context, *butler, names, QStringLiteral("run"));
    return {};
}

Status CollectionCommands::removeCollections(CommandContext& context)
{
    const QStringList globs = CommonOptions::splitCommas(context.args().positionals(QStringLiteral("GLOB")));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const QList<CollectionInfo> matches, matchingCollections(*butler, globs, {}));
    QStringList names;
    QStringList runs;
    for (const CollectionInfo& info : matches)
        (info.type == CollectionType::Run ? runs : names).append(info.name);
    if (names.isEmpty()) {
        if (!runs.isEmpty())
            return invalidInput(
                runs.size() == 1
                    ? QStringLiteral("'%1' is a RUN collection: remove it with remove-runs").arg(runs.first())
                    : QStringLiteral("%1 are RUN collections: remove them with remove-runs")
                          .arg(runs.join(QStringLiteral(", "))));
        context.out() << "No collections match " << globs.join(QStringLiteral(", ")) << ".\n";
        return {};
    }
    QString heading =
        QStringLiteral("These collections will be moved to the trash (their datasets stay in their runs):");
    if (!runs.isEmpty())
        heading.prepend(QStringLiteral("Skipping RUN collections (use remove-runs): %1\n")
                            .arg(runs.join(QStringLiteral(", "))));
    BUTLER_ASSIGN_OR_RETURN(const bool confirmed, context.confirmRemoval(heading, names));
    if (!confirmed)
        return {};
    BUTLER_TRY(butler->removeCollections(names));
    TrashCommands::reportRemoval(context, *butler, names, QStringLiteral("collection"));
    return {};
}

} // namespace butler
