#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands that make or fill a repository and manage dataset types: create, import,
// make-demo-repo, insert-dimension-records, register-dataset-type, remove-dataset-type,
// verify-quotas.
class RepoCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status create(CommandContext& context);
    static Status importExport(CommandContext& context);
    static Status makeDemoRepo(CommandContext& context);
    static Status insertDimensionRecords(CommandContext& context);
    static Status registerDatasetType(CommandContext& context);
    static Status removeDatasetType(CommandContext& context);
    static Status verifyQuotas(CommandContext& context);
};

} // namespace butler
