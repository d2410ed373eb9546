#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands that move files in and out of a repository: ingest-files and retrieve-artifacts.
// Both show a progress bar on a terminal.
class TransferCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status ingestFiles(CommandContext& context);
    static Status retrieveArtifacts(CommandContext& context);

    // The file name retrieve-artifacts gives a dataset without --preserve-path:
    // <type>_<required data ID values>_<uuid>.<extension>, with characters other than letters,
    // digits, '.', '-' and '+' replaced by '_'.
    static QString flatFileName(const DatasetRef& ref, const FileInfo& info);
    // A datastore-relative path made safe to put below a destination folder: relative, no '.'
    // or '..' segments, no empty segments. Fails for anything else.
    static Result<QString> safeRelativePath(const QString& path);
};

} // namespace butler
