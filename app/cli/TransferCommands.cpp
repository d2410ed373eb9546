#include "TransferCommands.h"

#include "BindParameters.h"
#include "ButlerQueries.h"
#include "CommonOptions.h"
#include "CsvTable.h"
#include "ProgressBar.h"
#include "RemoteButler.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>

namespace butler {

namespace {

const QString kFileColumn = QStringLiteral("file");
const QString kFormatterColumn = QStringLiteral("formatter");

Result<DatasetIdMode> parseIdMode(const QString& text)
{
    const QString t = text.toLower();
    if (t == QLatin1String("unique"))
        return DatasetIdMode::Unique;
    if (t == QLatin1String("dataid_type"))
        return DatasetIdMode::DataIdType;
    if (t == QLatin1String("dataid_type_run"))
        return DatasetIdMode::DataIdTypeRun;
    return invalidInput(QStringLiteral("unknown ID generation mode '%1'").arg(text));
}

Result<QVariantMap> parseDataIdOptions(const QStringList& items)
{
    QVariantMap values;
    for (const QString& item : items) {
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return invalidInput(QStringLiteral("--data-id takes DIMENSION=VALUE, not '%1'").arg(item));
        values.insert(item.left(eq).trimmed(), item.mid(eq + 1).trimmed());
    }
    return values;
}

// The files of the table, checked: every column known, every file present, no data ID twice.
Result<QList<IngestFile>> ingestList(const CsvTable& table, const DatasetType& type,
                                     const QVariantMap& constants, const QDir& base)
{
    const DimensionGroup& dimensions = type.dimensions();
    if (table.columnIndex(kFileColumn) < 0)
        return invalidInput(QStringLiteral("the table has no '%1' column").arg(kFileColumn));
    for (const QString& column : table.header()) {
        if (column != kFileColumn && column != kFormatterColumn && !dimensions.contains(column))
            return invalidInput(QStringLiteral("column '%1' is not a dimension of %2 (its dimensions: %3)")
                                    .arg(column, type.name(), dimensions.names().join(QStringLiteral(", "))));
    }
    for (auto it = constants.begin(); it != constants.end(); ++it) {
        if (!dimensions.contains(it.key()))
            return invalidInput(
                QStringLiteral("--data-id %1 is not a dimension of %2").arg(it.key(), type.name()));
    }
    for (const QString& dimension : dimensions.required()) {
        if (table.columnIndex(dimension) < 0 && !constants.contains(dimension))
            return invalidInput(
                QStringLiteral("no value for dimension '%1': add a '%1' column to the table or "
                               "--data-id %1=VALUE")
                    .arg(dimension));
    }

    QList<IngestFile> files;
    QHash<QString, int> seen;
    for (int r = 0; r < table.rowCount(); ++r) {
        const QString where = QStringLiteral("line %1").arg(table.line(r));
        IngestFile file;
        file.datasetType = type.name();
        file.dataId = constants;
        for (int c = 0; c < table.header().size(); ++c) {
            const QString& column = table.header()[c];
            const QString value = table.row(r)[c].trimmed();
            if (column == kFileColumn) {
                file.path = value;
            } else if (column == kFormatterColumn) {
                file.formatter = value;
            } else if (!value.isEmpty()) {
                file.dataId.insert(column, value);
            } else if (dimensions.required().contains(column)) {
                return invalidInput(QStringLiteral("%1: no value for dimension '%2'").arg(where, column));
            }
        }
        if (file.path.isEmpty())
            return invalidInput(QStringLiteral("%1: no file").arg(where));
        file.path = QDir::cleanPath(base.absoluteFilePath(file.path));
        if (!QFileInfo(file.path).isFile())
            return notFound(QStringLiteral("%1: no file at '%2'").arg(where, file.path));

        QStringList key;
        for (const QString& dimension : dimensions.required())
            key.append(file.dataId.value(dimension).toString());
        const QString joined = key.join(QChar(0x1f));
        if (seen.contains(joined))
            return conflict(
                QStringLiteral("%1: the same data ID as line %2").arg(where).arg(seen.value(joined)));
        seen.insert(joined, table.line(r));
        files.append(file);
    }
    if (files.isEmpty())
        return invalidInput(QStringLiteral("the table lists no files"));
    return files;
}

QString sanitize(const QString& text)
{
    QString out = text;
    for (QChar& c : out) {
        const char16_t u = c.unicode();
        const bool keep = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                          u == u'.' || u == u'-' || u == u'+';
        if (!keep)
            c = QLatin1Char('_');
    }
    return out;
}

QString extensionOf(const FileInfo& info)
{
    const QString name = QFileInfo(info.path).fileName();
    static const QStringList compressions{QStringLiteral("gz"), QStringLiteral("fz"), QStringLiteral("bz2"),
                                          QStringLiteral("xz"), QStringLiteral("zst")};
    const QStringList parts = name.split(QLatin1Char('.'));
    if (parts.size() >= 3 && compressions.contains(parts.last().toLower()))
        return parts[parts.size() - 2] + QLatin1Char('.') + parts.last();
    if (parts.size() >= 2 && !parts.last().isEmpty())
        return parts.last();
    if (info.formatter.isEmpty() || info.formatter == QLatin1String("bytes"))
        return QStringLiteral("dat");
    return info.formatter;
}

Status verifyBytes(const QByteArray& bytes, const FileInfo& info, const DatasetRef& ref)
{
    if (info.size > 0 && bytes.size() != info.size)
        return Error(ErrorKind::Io, QStringLiteral("dataset %1: got %2 bytes, expected %3")
                                        .arg(ref.idString())
                                        .arg(bytes.size())
                                        .arg(info.size));
    if (info.checksum.startsWith(QLatin1String("sha256:"))) {
        const QString actual =
            QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        if (actual.compare(info.checksum.mid(7), Qt::CaseInsensitive) != 0)
            return Error(
                ErrorKind::Io,
                QStringLiteral("dataset %1: checksum mismatch (the file is damaged)").arg(ref.idString()));
    }
    return {};
}

// ingest-files on a server: the files go up through signed URLs in batches. A failure leaves
// what arrived on the server, so the same command run again sends only what is missing.
Status uploadToServer(CommandContext& context, RemoteButler& butler, const QString& run,
                      const QList<IngestFile>& files, bool createdRun)
{
    qint64 total = 0;
    for (const IngestFile& file : files)
        total += QFileInfo(file.path).size();
    ProgressBar progress(QStringLiteral("upload"), total);
    progress.setByteUnits(true);
    UploadOptions options;
    options.resume = true;
    options.undoOnFailure = false;
    // Nothing in a run made a moment ago to resume: hashing can go on while the files go up.
    options.newRun = createdRun;
    options.progress = [&progress](qint64 done, qint64) { progress.advance(done - progress.current()); };
    UploadReport report;
    const Result<QList<DatasetRef>> refs = butler.uploadFiles(run, files, options, &report);
    progress.finish();
    if (!refs.ok()) {
        if (!report.leftOnServer) {
            // Nothing of this run reached the server: leave it as it was.
            if (createdRun)
                (void)butler.removeRuns({run});
            return refs.error();
        }
        return Error(refs.error().kind(),
                     refs.error().message() +
                         QStringLiteral(" (%1 files were uploaded; run the same command again to upload only "
                                        "what is missing)")
                             .arg(report.sentFiles));
    }
    context.out() << "Ingested " << refs->size() << (refs->size() == 1 ? " dataset" : " datasets") << " into "
                  << run << " (" << report.sentFiles << " uploaded, " << report.skippedFiles
                  << " already on the server).\n";
    return {};
}

} // namespace

void TransferCommands::registerCommands(CommandRegistry& registry)
{
    registry.add(
        {.name = QStringLiteral("ingest-files"),
         .summary = QStringLiteral("ingest files listed in a CSV table"),
         .description = QStringLiteral(
             "TABLE is a CSV file with a header row: a 'file' column, one column per required dimension of\n"
             "TYPE (values common to every row may be given with --data-id instead) and optionally a\n"
             "'formatter' column (fits, json, yaml, ...; guessed from the extension otherwise).\n"
             "Relative file paths start at --prefix, or the current folder. RUN is created when missing.\n"
             "Either every file is ingested or none is. Through a server URL the files are uploaded in\n"
             "batches through signed URLs; after a failure, the same command run again uploads only what\n"
             "is missing (datasets already in RUN with the same content count as done)."),
         .positionals =
             {CommonOptions::repo(),
              {.name = QStringLiteral("TYPE"), .help = QStringLiteral("dataset type of the files")},
              {.name = QStringLiteral("RUN"), .help = QStringLiteral("RUN collection to put them in")},
              {.name = QStringLiteral("TABLE"), .help = QStringLiteral("CSV table of files and data IDs")}},
         .options = {{.name = QStringLiteral("transfer"),
                      .valueName = QStringLiteral("MODE"),
                      .help = QStringLiteral("how files get into the datastore (default copy)"),
                      .choices = {QStringLiteral("copy"), QStringLiteral("move"), QStringLiteral("symlink"),
                                  QStringLiteral("hardlink"), QStringLiteral("direct"),
                                  QStringLiteral("auto")}},
                     {.name = QStringLiteral("prefix"),
                      .valueName = QStringLiteral("DIR"),
                      .help = QStringLiteral("folder that relative paths in TABLE start from")},
                     {.name = QStringLiteral("data-id"),
                      .valueName = QStringLiteral("K=V"),
                      .help = QStringLiteral("a data ID value shared by every file"),
                      .multiple = true},
                     {.name = QStringLiteral("id-generation-mode"),
                      .valueName = QStringLiteral("MODE"),
                      .help = QStringLiteral("how dataset IDs are made (default unique)"),
                      .choices = {QStringLiteral("unique"), QStringLiteral("dataid_type"),
                                  QStringLiteral("dataid_type_run")}}}},
        &TransferCommands::ingestFiles);
    registry.add(
        {.name = QStringLiteral("retrieve-artifacts"),
         .summary = QStringLiteral("copy the files of matching datasets into a folder"),
         .description = QStringLiteral(
             "Each file is checked against its recorded size and checksum. Without --preserve-path the\n"
             "files are named <type>_<data ID values>_<dataset id>.<extension> (so are files ingested in\n"
             "place, which have no datastore path). Existing files are not replaced unless --clobber is\n"
             "given. Either every file arrives or none does."),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("DEST"), .help = QStringLiteral("destination folder")}},
         .options = {{.name = QStringLiteral("dataset-type"),
                      .valueName = QStringLiteral("T"),
                      .help = QStringLiteral("dataset type names or globs (default: every type)"),
                      .multiple = true},
                     CommonOptions::collections(true),
                     CommonOptions::where(),
                     CommonOptions::bind(),
                     {.name = QStringLiteral("preserve-path"),
                      .help = QStringLiteral("keep each file's path inside the datastore")},
                     {.name = QStringLiteral("clobber"),
                      .help = QStringLiteral("replace files that exist in DEST")}}},
        &TransferCommands::retrieveArtifacts);
}

Status TransferCommands::ingestFiles(CommandContext& context)
{
    const ParsedArguments& args = context.args();
    const QString typeName = args.positional(QStringLiteral("TYPE"));
    const QString run = args.positional(QStringLiteral("RUN"));
    BUTLER_ASSIGN_OR_RETURN(const TransferMode mode, parseTransferMode(args.value(QStringLiteral("transfer"),
                                                                                  QStringLiteral("copy"))));
    BUTLER_ASSIGN_OR_RETURN(
        const DatasetIdMode idMode,
        parseIdMode(args.value(QStringLiteral("id-generation-mode"), QStringLiteral("unique"))));
    BUTLER_ASSIGN_OR_RETURN(const QVariantMap constants,
                            parseDataIdOptions(args.values(QStringLiteral("data-id"))));
    const QString prefix = args.value(QStringLiteral("prefix"));
    if (!prefix.isEmpty() && !QFileInfo(prefix).isDir())
        return notFound(QStringLiteral("--prefix '%1' is not a folder").arg(prefix));
    const QString tablePath = args.positional(QStringLiteral("TABLE"));
    BUTLER_ASSIGN_OR_RETURN(const CsvTable table, CsvTable::readFile(tablePath));

    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const DatasetType type, butler->getDatasetType(typeName));
    Result<QList<IngestFile>> files =
        ingestList(table, type, constants, QDir(prefix.isEmpty() ? QDir::currentPath() : prefix));
    if (!files.ok())
        return files.error().withContext(tablePath);

    bool createdRun = false;
    const Result<CollectionInfo> existing = butler->getCollection(run);
    if (existing.ok()) {
        if (existing->type != CollectionType::Run)
            return invalidInput(QStringLiteral("'%1' is a %2 collection; files go into a RUN")
                                    .arg(run, collectionTypeName(existing->type)));
    } else if (existing.error().kind() == ErrorKind::NotFound) {
        BUTLER_TRY(butler->registerCollection(run, CollectionType::Run));
        createdRun = true;
    } else {
        return existing.error();
    }

    if (auto* remote = dynamic_cast<RemoteButler*>(butler.get())) {
        if (mode != TransferMode::Copy)
            return invalidInput(
                QStringLiteral("transfer mode '%1' does not work with a server repository: files "
                               "are uploaded, so use --transfer copy")
                    .arg(args.value(QStringLiteral("transfer"))));
        if (idMode != DatasetIdMode::Unique)
            return invalidInput(QStringLiteral("a server repository makes the IDs of uploaded datasets; use "
                                               "--id-generation-mode unique"));
        return uploadToServer(context, *remote, run, files.value(), createdRun);
    }
    ProgressBar progress(QStringLiteral("ingest"), files->size());
    const Result<QList<DatasetRef>> refs = butler->ingest(run, files.value(), mode, idMode);
    if (!refs.ok()) {
        progress.finish();
        // The run was made for this ingest only: take it away again so that nothing changed.
        if (createdRun)
            (void)butler->removeRuns({run});
        return refs.error();
    }
    progress.advance(refs->size());
    progress.finish();
    context.out() << "Ingested " << refs->size() << (refs->size() == 1 ? " dataset" : " datasets") << " into "
                  << run << ".\n";
    return {};
}

QString TransferCommands::flatFileName(const DatasetRef& ref, const FileInfo& info)
{
    QStringList parts{ref.datasetType().name()};
    for (const QVariant& value : ref.dataId().requiredValues())
        parts.append(value.toString());
    parts.append(ref.idString());
    return sanitize(parts.join(QLatin1Char('_'))) + QLatin1Char('.') + sanitize(extensionOf(info));
}

Result<QString> TransferCommands::safeRelativePath(const QString& path)
{
    const QString normalized = QString(path).replace(QLatin1Char('\\'), QLatin1Char('/'));
    const auto unsafe = [&] {
        return invalidInput(QStringLiteral("the datastore gave an unsafe file path '%1'").arg(path));
    };
    const bool drive =
        normalized.size() >= 2 && normalized[0].isLetter() && normalized[1] == QLatin1Char(':');
    if (normalized.isEmpty() || normalized.startsWith(QLatin1Char('/')) || drive)
        return unsafe();
    for (const QString& segment : normalized.split(QLatin1Char('/'))) {
        if (segment.isEmpty() || segment == QLatin1String(".") || segment == QLatin1String(".."))
            return unsafe();
    }
    return normalized;
}

Status TransferCommands::retrieveArtifacts(CommandContext& context)
{
    const ParsedArguments& args = context.args();
    const QString dest = args.positional(QStringLiteral("DEST"));
    const bool preservePath = args.isSet(QStringLiteral("preserve-path"));
    const bool clobber = args.isSet(QStringLiteral("clobber"));
    if (QFileInfo(dest).exists() && !QFileInfo(dest).isDir())
        return invalidInput(QStringLiteral("'%1' exists and is not a folder").arg(dest));

    DatasetQuery query;
    query.datasetTypes = args.values(QStringLiteral("dataset-type"));
    query.collections = args.values(QStringLiteral("collections"));
    query.where = args.value(QStringLiteral("where"));
    BUTLER_ASSIGN_OR_RETURN(query.bind, BindParameters::parse(args.values(QStringLiteral("bind"))));

    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs, ButlerQueries::datasets(*butler, query));
    using FileMap = QHash<QUuid, FileInfo>;
    BUTLER_ASSIGN_OR_RETURN(const FileMap files, ButlerQueries::files(*butler, ButlerQueries::ids(refs)));

    // Plan every target first, so that a clash or an existing file stops us before anything is written.
    struct Item
    {
        DatasetRef ref;
        FileInfo info;
        QString relative;
    };
    QList<Item> items;
    QHash<QString, QString> checksumByTarget;
    QSet<QUuid> planned;
    int withoutFile = 0;
    for (const DatasetRef& ref : refs) {
        if (planned.contains(ref.id()))
            continue;
        planned.insert(ref.id());
        const auto it = files.constFind(ref.id());
        if (it == files.constEnd()) {
            ++withoutFile;
            continue;
        }
        QString relative;
        if (preservePath && !QDir::isAbsolutePath(it->path)) {
            BUTLER_ASSIGN_OR_RETURN(relative, safeRelativePath(it->path));
        } else {
            // Files ingested in place (direct) have no path inside the datastore to keep.
            relative = flatFileName(ref, *it);
        }
        // Several datasets can share one file (exports do this): fetch it once.
        if (checksumByTarget.contains(relative)) {
            if (checksumByTarget.value(relative) != it->checksum || it->checksum.isEmpty())
                return conflict(QStringLiteral("two different files would be written to '%1'").arg(relative));
            continue;
        }
        checksumByTarget.insert(relative, it->checksum);
        if (!clobber && QFileInfo::exists(QDir(dest).filePath(relative)))
            return conflict(QStringLiteral("'%1' already exists: remove it or add --clobber")
                                .arg(QDir(dest).filePath(relative)));
        items.append({ref, *it, relative});
    }

    if (!QDir().mkpath(dest))
        return ioError(QStringLiteral("cannot create folder '%1'").arg(dest));
    // Files land in a staging folder inside DEST and move into place only when all have arrived.
    QTemporaryDir staging(QDir(dest).filePath(QStringLiteral(".butler-retrieve-XXXXXX")));
    if (!staging.isValid())
        return ioError(QStringLiteral("cannot write in '%1': %2").arg(dest, staging.errorString()));

    ProgressBar progress(QStringLiteral("retrieve"), items.size());
    for (const Item& item : items) {
        BUTLER_ASSIGN_OR_RETURN(const QByteArray bytes, butler->get(item.ref.id()));
        BUTLER_TRY(verifyBytes(bytes, item.info, item.ref));
        const QString target = QDir(staging.path()).filePath(item.relative);
        if (!QDir().mkpath(QFileInfo(target).absolutePath()))
            return ioError(QStringLiteral("cannot create folder for '%1'").arg(item.relative));
        QSaveFile file(target);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            return ioError(QStringLiteral("cannot write '%1': %2").arg(target, file.errorString()));
        progress.advance();
    }
    progress.finish();

    for (const Item& item : items) {
        const QString from = QDir(staging.path()).filePath(item.relative);
        const QString to = QDir(dest).filePath(item.relative);
        if (!QDir().mkpath(QFileInfo(to).absolutePath()))
            return ioError(QStringLiteral("cannot create folder for '%1'").arg(to));
        if (clobber && QFileInfo::exists(to))
            QFile::remove(to);
        if (!QFile::rename(from, to))
            return ioError(QStringLiteral("cannot move '%1' into place").arg(to));
    }
    context.out() << "Number of artifacts retrieved into destination " << dest << ": " << items.size()
                  << '\n';
    if (withoutFile > 0)
        context.err() << "note: " << withoutFile << (withoutFile == 1 ? " dataset has" : " datasets have")
                      << " no stored file and " << (withoutFile == 1 ? "was" : "were") << " skipped\n";
    return {};
}

} // namespace butler
