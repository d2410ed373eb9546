#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands that change which collections hold datasets, or remove them: associate,
// disassociate, certify-calibrations, decertify-calibrations, prune-datasets.
class DatasetCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status associate(CommandContext& context);
    static Status disassociate(CommandContext& context);
    static Status certifyCalibrations(CommandContext& context);
    static Status decertifyCalibrations(CommandContext& context);
    static Status pruneDatasets(CommandContext& context);

    // The validity range of --begin-date/--end-date (ISO UTC); a missing end is unbounded.
    static Result<Timespan> validityRange(const ParsedArguments& args);
};

} // namespace butler
