#pragma once

#include "Result.h"

#include <QCoroTask>
#include <QString>

namespace QKeychain {
class Job;
}

namespace butler {

// Keeps one access token per server. Tokens go to the system keychain (service "butler", one
// entry per server) through QtKeychain. When no keychain answers (no Secret Service on the
// session bus: headless machines, CI) they go to a JSON file readable only by the user:
//   {"http://host:port": {"access_token": "..."}}
// The file is created with mode 0600 before the secret is written, and a file that others can
// read or write is refused, as ssh does. Servers are keyed by scheme://host:port, so
// "HTTP://Host/api/butler/repo/x" and "http://host:80" share a token.
//
// The tasks capture `this`: the store must outlive them. The blocking wrappers run a nested
// event loop; keep them out of paint and model code.
class TokenStore
{
public:
    enum class Backend
    {
        KeychainWithFileFallback, // the keychain; the file only when the keychain is unavailable
        FileOnly,                 // the file alone (tests, or a user who opted out of the keychain)
    };

    // The keychain, falling back to defaultFilePath().
    TokenStore();
    explicit TokenStore(QString filePath, Backend backend = Backend::KeychainWithFileFallback);

    // tokens.json in QStandardPaths::AppConfigLocation.
    static QString defaultFilePath();
    // scheme://host:port with the scheme and host in lower case and the default port filled in;
    // an InvalidInput error for anything that is not an http(s) URL with a host.
    static Result<QString> normalizeServerUrl(const QString& serverUrl);

    QString filePath() const { return m_filePath; }
    Backend backend() const { return m_backend; }
    // True once the keychain failed and this store went over to the file.
    bool usingFileFallback() const { return m_keychainUnavailable; }

    // NotFound when no token is stored for the server.
    QCoro::Task<Result<QString>> loadAsync(QString serverUrl);
    QCoro::Task<Status> storeAsync(QString serverUrl, QString token);
    // Removes the token from the keychain and the file; removing a missing token succeeds.
    QCoro::Task<Status> removeAsync(QString serverUrl);

    Result<QString> load(const QString& serverUrl);
    Status store(const QString& serverUrl, const QString& token);
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

    Result<QString> loadFromFile(const QString& key) const;
    Status storeInFile(const QString& key, const QString& token) const;
    Status removeFromFile(const QString& key) const;

    QString m_filePath;
    Backend m_backend;
    bool m_keychainUnavailable = false;
};

} // namespace butler
