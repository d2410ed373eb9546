#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands that only make sense against butler-server: login, whoami, quota, acl, jobs.
// On a local path they fail saying a server URL is needed; on a URL they open the repository
// like every other command. login checks a given token (--token-file or BUTLER_ACCESS_TOKEN)
// with the server and stores it; the OAuth sign-in flow and jobs wait for their server routes.
class RemoteCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status login(CommandContext& context);
    static Status whoami(CommandContext& context);
    static Status quota(CommandContext& context);
    static Status acl(CommandContext& context);
    static Status serverOnly(CommandContext& context);
    static Status jobs(CommandContext& context);
};

} // namespace butler
