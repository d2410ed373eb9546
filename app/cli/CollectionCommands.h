#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands on collections: register-collection, collection-chain, query-collections,
// remove-runs, remove-collections.
class CollectionCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status registerCollection(CommandContext& context);
    static Status collectionChain(CommandContext& context);
    static Status queryCollections(CommandContext& context);
    static Status removeRuns(CommandContext& context);
    static Status removeCollections(CommandContext& context);
};

} // namespace butler
