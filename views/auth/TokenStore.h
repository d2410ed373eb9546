#pragma once

#include "Result.h"

#include <QCoroTask>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace QKeychain {
class Job;
}

namespace butler {

// Keeps one access token per server. Tokens go to the system keychain (service "butler", one
// entry per server, keyed by normalizeServerUrl()) through QtKeychain. The file is the one the
// command-line tool keeps (TokenSource: $XDG_CONFIG_HOME/butler/tokens.json, mode 0600, in its
// format and under the keys `butler login` uses), so a sign-in made with either works in both:
//   {"http://host:port": {"access_token": "...", "expires_at": unix seconds (optional)}}
// Loading asks the keychain first and falls back to the file when the keychain has no token
// for the server or is unavailable (no Secret Service on the session bus: headless machines,
// CI). Storing writes the keychain and, while shareWithCommandLine() holds, the file too, so
// the command line finds the token; without a keychain the file alone. A file that others can
// read or write is refused, as ssh does.
//
// The tasks capture `this`: the store must outlive them. The blocking wrappers run a nested
// event loop; keep them out of paint and model code.
class TokenStore
{
public:
    enum class Backend
    {
        KeychainWithFileFallback, // the keychain first, then the file
        FileOnly,                 // the file alone (tests, or a user who opted out of the keychain)
    };

    // The keychain, falling back to defaultFilePath().
    TokenStore();
    explicit TokenStore(QString filePath, Backend backend = Backend::KeychainWithFileFallback);

    // The command line's token file (TokenSource::defaultStoreFile()).
    static QString defaultFilePath();
    // The keys of the server in the file, the one `butler login` would write first: a
    // repository URL's server base (scheme://host[:port][/prefix]), then the same with or
    // without the default port. Empty for anything that is not an http(s) URL with a host.
    static QStringList fileKeys(const QString& serverUrl);
    // scheme://host:port with the scheme and host in lower case and the default port filled in;
    // an InvalidInput error for anything that is not an http(s) URL with a host.
    static Result<QString> normalizeServerUrl(const QString& serverUrl);

    QString filePath() const { return m_filePath; }
    Backend backend() const { return m_backend; }
    // True once the keychain failed and this store went over to the file.
    bool usingFileFallback() const { return m_keychainUnavailable; }
    // Whether a token stored in the keychain is also written to the file (on by default).
    bool shareWithCommandLine() const { return m_shareWithCommandLine; }
    void setShareWithCommandLine(bool share) { m_shareWithCommandLine = share; }

    // NotFound when no token is stored for the server.
    QCoro::Task<Result<QString>> loadAsync(QString serverUrl);
    // expiresAt, when valid, goes to the file for the command line to check.
    QCoro::Task<Status> storeAsync(QString serverUrl, QString token, QDateTime expiresAt = {});
    // Removes the token from the keychain and the file; removing a missing token succeeds.
    QCoro::Task<Status> removeAsync(QString serverUrl);

    Result<QString> load(const QString& serverUrl);
    Status store(const QString& serverUrl, const QString& token, const QDateTime& expiresAt = {});
    Status remove(const QString& serverUrl);

private:
    enum class KeychainOutcome
    {
        Done,
        NotFound,
        Unavailable,
        Failed,
    };
    struct KeychainAnswer
    {
        KeychainOutcome outcome = KeychainOutcome::Failed;
        QString text;
        QString message;
    };

    static KeychainAnswer answerOf(const QKeychain::Job& job);
    QCoro::Task<KeychainAnswer> readKeychain(QString key);
    QCoro::Task<KeychainAnswer> writeKeychain(QString key, QString token);
    QCoro::Task<KeychainAnswer> deleteKeychain(QString key);
    bool useKeychain() const;
    void noteUnavailable(const QString& message);

    Result<QString> loadFromFile(const QString& serverUrl) const;
    Status storeInFile(const QString& serverUrl, const QString& token, const QDateTime& expiresAt) const;
    Status removeFromFile(const QString& serverUrl) const;

    QString m_filePath;
    Backend m_backend;
    bool m_keychainUnavailable = false;
    bool m_shareWithCommandLine = true;
};

} // namespace butler
