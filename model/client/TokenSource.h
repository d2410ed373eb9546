#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QString>

namespace butler {

// Finds the access token for a server. First found wins: an explicit token file
// (--token-file), the environment variable BUTLER_ACCESS_TOKEN, then the token that
// `butler login` stored for the server's base URL in the token store
// ($XDG_CONFIG_HOME/butler/tokens.json, else ~/.config/butler/tokens.json; mode 0600):
//   {"http://host:port": {"access_token": "...", "expires_at": unix seconds (optional)}}
class TokenSource
{
public:
    static constexpr const char* EnvironmentVariable = "BUTLER_ACCESS_TOKEN";

    // serverBase as RemoteLocation::serverBase() gives it.
    static Result<QString> find(const QString& serverBase, const QString& tokenFile = {});
    // The same search with an explicit store file (tests, other configuration roots).
    static Result<QString> find(const QString& serverBase, const QString& tokenFile,
                                const QString& storeFile);

    static QString defaultStoreFile();
    // A token file holds the token alone; surrounding whitespace is dropped.
    static Result<QString> readTokenFile(const QString& path);
    // The stored token for the server; an empty string when the store has none.
    static Result<QString> storedToken(const QString& serverBase, const QString& storeFile);
    // Stores (or replaces) the server's token, creating the store with mode 0600.
    static Status storeToken(const QString& serverBase, const QString& token, const QString& storeFile,
                             qint64 expiresAtUnix = 0);
    // The server's whole entry (an object with access_token, and whatever else `butler login` keeps:
    // expires_at, refresh_token, issuer, client_id, scope); an empty object when there is none.
    // Unlike storedToken(), an expired token is no error here.
    static Result<QJsonObject> storedEntry(const QString& serverBase, const QString& storeFile);
    // Stores (or replaces) the server's whole entry; its access_token must be a well-formed token.
    static Status storeEntry(const QString& serverBase, const QJsonObject& entry, const QString& storeFile);
    // Removes the server's token from the store (a missing store or token is no error).
    static Status removeToken(const QString& serverBase, const QString& storeFile);

    // What a user can do to get a token for this server, for error messages.
    static QString howToGetToken(const QString& serverBase);
};

} // namespace butler
