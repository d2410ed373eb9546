#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands that only make sense against butler-server: login, whoami, quota, acl, jobs, trash.
// Their arguments are parsed and checked here; on a local path they fail saying a server URL is
// needed, and on a URL they go through RepositoryAccess::openButler like every other command.
class RemoteCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status login(CommandContext& context);
    static Status serverOnly(CommandContext& context);
    static Status jobs(CommandContext& context);
    static Status trash(CommandContext& context);
};

} // namespace butler
