#pragma once

#include "CommandRegistry.h"

namespace butler {

// Commands that only make sense against butler-server: login, whoami, quota, acl, jobs.
// On a local path they fail saying a server URL is needed; on a URL they open the repository
// like every other command; jobs waits for its server routes.
//
// login signs in at the server's OpenID Connect provider (OidcLogin: authorization code + PKCE
// with a loopback redirect, or the device flow with --device), checks the token with the
// server's whoami and keeps it in the token store (TokenSource) with what a later refresh needs:
//   {"access_token", "expires_at", "refresh_token", "issuer", "client_id", "scope"}
// The provider: --issuer/--client-id, else what the server advertises (RFC 9728), else the one
// of the last login to that server; the client ID defaults to "butler-cli". With --token-file
// (or BUTLER_ACCESS_TOKEN and no sign-in option) it checks and stores that token instead.
class RemoteCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    // Before a command uses the stored token: replaces it through its refresh token when it has
    // expired or is about to. Does nothing without a stored refresh token; a failed refresh
    // leaves the store alone, so the expiry is reported as before.
    static void refreshStoredToken(const QString& serverBase);

    static Status login(CommandContext& context);
    static Status whoami(CommandContext& context);
    static Status quota(CommandContext& context);
    static Status acl(CommandContext& context);
    static Status serverOnly(CommandContext& context);
    static Status jobs(CommandContext& context);
};

} // namespace butler
