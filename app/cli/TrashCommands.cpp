#include "TrashCommands.h"

#include "Butler.h"
#include "CommonOptions.h"

#include <QDateTime>
#include <QLocale>
#include <QSet>

#include <algorithm>
#include <limits>

namespace butler {

namespace {

QString isoTime(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

QString sizeText(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes);
}

// "1 dataset", "3 datasets"; many defaults to one plus "s".
QString countText(qint64 n, const QString& one, const QString& many = {})
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many.isEmpty() ? one + QLatin1Char('s') : many);
}

// "r (RUN, 3 datasets, 12 KB)"
QString describe(const TrashEntry& entry)
{
    QStringList parts{entry.typeText()};
    if (entry.kind != TrashEntry::Kind::Collection || entry.datasets > 0)
        parts << countText(entry.datasets, QStringLiteral("dataset"));
    if (entry.files > 0)
        parts << sizeText(entry.bytes);
    return QStringLiteral("%1 (%2)").arg(entry.name(), parts.join(QStringLiteral(", ")));
}

qint64 earliestExpiry(const QList<TrashEntry>& entries)
{
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const TrashEntry& entry : entries)
        earliest = std::min(earliest, entry.expiresAt);
    return earliest;
}

QString restoreHint(const CommandContext& context, const QString& name)
{
    return QStringLiteral("'butler trash %1 restore %2'").arg(context.repo(), name);
}

} // namespace

void TrashCommands::registerCommands(CommandRegistry& registry)
{
    registry.add(
        {.name = QStringLiteral("trash"),
         .summary = QStringLiteral("list removed things that can still be restored; restore or empty them"),
         .description = QStringLiteral(
             "remove-runs, remove-collections and prune-datasets --purge move what they remove to the "
             "trash, where it stays restorable for the repository's retention period (30 days unless "
             "configured); its files stay on disk, and on quotas, until then. 'empty' deletes entries "
             "for good now: the named ones, every one you may empty, or with --expired those past "
             "their date."),
         .positionals = {CommonOptions::repo(),
                         {.name = QStringLiteral("ACTION"),
                          .help = QStringLiteral("list (default), restore NAME... or empty [NAME...]"),
                          .optional = true},
                         {.name = QStringLiteral("NAME"),
                          .help = QStringLiteral("entries as 'list' names them (or #ID)"),
                          .optional = true,
                          .variadic = true}},
         .options = {{.name = QStringLiteral("expired"),
                      .help = QStringLiteral("empty: only entries past their date")},
                     CommonOptions::force(QStringLiteral("the trash entries")),
                     CommonOptions::format()}},
        &TrashCommands::trash);
}

Status TrashCommands::trash(CommandContext& context)
{
    const QString action = context.args().positional(QStringLiteral("ACTION"));
    const QStringList names = context.args().positionals(QStringLiteral("NAME"));
    const bool listing = action.isEmpty() || action == QLatin1String("list");
    if (!listing && action != QLatin1String("restore") && action != QLatin1String("empty"))
        return context.usageError(
            QStringLiteral("unknown trash action '%1' (use list, restore NAME... or empty [NAME...])")
                .arg(action));
    if (action == QLatin1String("restore") && names.isEmpty())
        return context.usageError(QStringLiteral("trash restore needs the names to restore"));
    if (listing && !names.isEmpty())
        return context.usageError(QStringLiteral("unexpected argument '%1'").arg(names.first()));
    if (action != QLatin1String("empty") && context.args().isSet(QStringLiteral("expired")))
        return context.usageError(QStringLiteral("--expired goes with 'trash REPO empty'"));
    BUTLER_ASSIGN_OR_RETURN(std::unique_ptr<Butler> butler, context.openButler());
    if (listing)
        return list(context, *butler);
    if (action == QLatin1String("restore"))
        return restore(context, *butler, names);
    return empty(context, *butler, names);
}

Status TrashCommands::list(CommandContext& context, Butler& butler)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> entries, butler.trashEntries());
    if (context.format() == OutputFormat::Json) {
        OutputTable table({QStringLiteral("name"), QStringLiteral("kind"), QStringLiteral("collection"),
                           QStringLiteral("collection_type"), QStringLiteral("removed_by"),
                           QStringLiteral("removed_at"), QStringLiteral("expires_at"),
                           QStringLiteral("datasets"), QStringLiteral("files"), QStringLiteral("bytes"),
                           QStringLiteral("id")});
        for (const TrashEntry& entry : entries)
            table.addRow(entry.toJson());
        table.write(context.out(), OutputFormat::Json);
        return {};
    }
    const bool csv = context.format() == OutputFormat::Csv;
    if (entries.isEmpty() && !csv) {
        context.out() << "The trash is empty.\n";
        return {};
    }
    OutputTable table({QStringLiteral("Name"), QStringLiteral("Type"), QStringLiteral("Removed by"),
                       QStringLiteral("Removed at"), QStringLiteral("Expires"), QStringLiteral("Datasets"),
                       QStringLiteral("Files"), csv ? QStringLiteral("Bytes") : QStringLiteral("Size")});
    for (const TrashEntry& entry : entries) {
        table.addRow();
        table.setCell(0, entry.name());
        table.setCell(1, entry.typeText());
        table.setCell(2, entry.removedBy);
        table.setCell(3, isoTime(entry.removedAt));
        table.setCell(4, isoTime(entry.expiresAt));
        table.setCell(5, QVariant(entry.datasets));
        table.setCell(6, QVariant(entry.files));
        table.setCell(7, csv ? QVariant(entry.bytes) : QVariant(sizeText(entry.bytes)));
    }
    table.write(context.out(), context.format());
    if (!csv)
        context.out() << "\nTrashed files stay on disk, and count against their owners' quotas, until the "
                         "entry expires or the trash is emptied. "
                      << restoreHint(context, QStringLiteral("NAME")) << " brings an entry back.\n";
    return {};
}

Status TrashCommands::restore(CommandContext& context, Butler& butler, const QStringList& names)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> restored, butler.restoreFromTrash(names));
    for (const TrashEntry& entry : restored)
        context.out() << "Restored " << describe(entry) << ".\n";
    return {};
}

Status TrashCommands::empty(CommandContext& context, Butler& butler, const QStringList& names)
{
    const bool expired = context.args().isSet(QStringLiteral("expired"));
    if (!expired) {
        // Emptying cannot be undone: show what goes and ask, as the removal commands do.
        BUTLER_ASSIGN_OR_RETURN(QList<TrashEntry> shown, butler.trashEntries());
        if (!names.isEmpty()) {
            BUTLER_ASSIGN_OR_RETURN(shown, TrashEntry::select(shown, names));
        }
        if (shown.isEmpty()) {
            context.out() << "The trash is empty.\n";
            return {};
        }
        QStringList items;
        for (const TrashEntry& entry : shown)
            items << describe(entry);
        BUTLER_ASSIGN_OR_RETURN(
            const bool confirmed,
            context.confirmRemoval(QStringLiteral("These trash entries will be deleted for good, with their "
                                                  "files (entries you may not empty stay):"),
                                   items));
        if (!confirmed)
            return {};
    }
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> purged, butler.emptyTrash(names, expired));
    if (purged.isEmpty()) {
        context.out() << (expired ? "Nothing in the trash has expired.\n" : "Nothing was emptied.\n");
        return {};
    }
    qint64 files = 0;
    qint64 bytes = 0;
    for (const TrashEntry& entry : purged) {
        files += entry.files;
        bytes += entry.bytes;
    }
    context.out() << "Emptied "
                  << countText(purged.size(), QStringLiteral("entry"), QStringLiteral("entries"))
                  << " from the trash (" << countText(files, QStringLiteral("file")) << ", "
                  << sizeText(bytes) << " freed).\n";
    return {};
}

QList<qint64> TrashCommands::entryIds(Butler& butler)
{
    QList<qint64> ids;
    const Result<QList<TrashEntry>> entries = butler.trashEntries();
    if (entries.ok())
        for (const TrashEntry& entry : *entries)
            ids << entry.id;
    return ids;
}

void TrashCommands::reportRemoval(CommandContext& context, Butler& butler, const QStringList& names,
                                  const QString& what)
{
    const QSet<QString> wanted(names.cbegin(), names.cend());
    QList<TrashEntry> trashed;
    if (const Result<QList<TrashEntry>> entries = butler.trashEntries(); entries.ok())
        for (const TrashEntry& entry : *entries)
            if (entry.kind != TrashEntry::Kind::Datasets && wanted.contains(entry.collection))
                trashed << entry;
    QStringList trashedNames;
    for (const TrashEntry& entry : std::as_const(trashed))
        trashedNames << entry.collection;
    QStringList atOnce;
    for (const QString& name : names)
        if (!trashedNames.contains(name))
            atOnce << name;
    QTextStream& out = context.out();
    if (!trashed.isEmpty()) {
        out << "Moved " << countText(trashed.size(), what) << " to the trash until "
            << isoTime(earliestExpiry(trashed)) << ": " << trashedNames.join(QStringLiteral(", ")) << ".\n"
            << restoreHint(context, trashed.size() == 1 ? trashedNames.first() : QStringLiteral("NAME"))
            << (trashed.size() == 1 ? " brings it back" : " brings one back")
            << "; the files stay on disk until the trash is emptied.\n";
    }
    if (!atOnce.isEmpty())
        out << "Removed " << countText(atOnce.size(), what) << " at once, as "
            << (atOnce.size() == 1 ? "it" : "they") << " held nothing: " << atOnce.join(QStringLiteral(", "))
            << ".\n";
}

void TrashCommands::reportPruned(CommandContext& context, Butler& butler, const QList<qint64>& before,
                                 qsizetype datasets)
{
    QList<TrashEntry> made;
    if (const Result<QList<TrashEntry>> entries = butler.trashEntries(); entries.ok())
        for (const TrashEntry& entry : *entries)
            if (entry.kind == TrashEntry::Kind::Datasets && !before.contains(entry.id))
                made << entry;
    QTextStream& out = context.out();
    if (made.isEmpty()) {
        out << "Purged " << countText(datasets, QStringLiteral("dataset")) << ".\n";
        return;
    }
    QStringList entryNames;
    for (const TrashEntry& entry : std::as_const(made))
        entryNames << entry.name();
    out << "Moved " << countText(datasets, QStringLiteral("dataset")) << " to the trash until "
        << isoTime(earliestExpiry(made)) << " as " << entryNames.join(QStringLiteral(", ")) << ".\n"
        << restoreHint(context, made.size() == 1 ? entryNames.first() : QStringLiteral("NAME"))
        << " brings them back; the files stay on disk until the trash is emptied.\n";
}

} // namespace butler
