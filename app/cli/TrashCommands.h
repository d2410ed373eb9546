#pragma once

#include "CommandRegistry.h"
#include "TrashEntry.h"

namespace butler {

class Butler;

// trash REPO [list | restore NAME... | empty [NAME...] [--expired]]: what remove-runs,
// remove-collections and prune-datasets --purge put in the trash, on a local repository or a
// server alike. Also the lines those commands print about where things went.
class TrashCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status trash(CommandContext& context);

    // After remove-runs or remove-collections: which of the names went to the trash and until
    // when, and which went at once (they held nothing). what is "run" or "collection".
    static void reportRemoval(CommandContext& context, Butler& butler, const QStringList& names,
                              const QString& what);
    // After prune-datasets --purge: the entries that appeared since `before` (entry IDs).
    static void reportPruned(CommandContext& context, Butler& butler, const QList<qint64>& before,
                             qsizetype datasets);
    // The IDs of the entries the caller sees now (empty when the trash cannot be read).
    static QList<qint64> entryIds(Butler& butler);

private:
    static Status list(CommandContext& context, Butler& butler);
    static Status restore(CommandContext& context, Butler& butler, const QStringList& names);
    static Status empty(CommandContext& context, Butler& butler, const QStringList& names);
};

} // namespace butler
