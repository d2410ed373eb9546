#include "TokenStore.h"

#include "CoroutineResult.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>

#include <QCoroSignal>

#include <qt6keychain/keychain.h>

#include <memory>
#include <optional>

namespace butler {

Q_LOGGING_CATEGORY(lcViewsTokens, "butler.views.tokens")

namespace {

const QString kKeychainService = QStringLiteral("butler");
const QString kAccessToken = QStringLiteral("access_token");

template <typename T> QCoro::Task<> storeResult(QCoro::Task<T>& task, std::optional<T>& out)
{
    out.emplace(co_await task);
}

// QCoro::waitFor for results without a default constructor.
template <typename T> T waitForTask(QCoro::Task<T> task)
{
    std::optional<T> out;
    QCoro::waitFor(storeResult(task, out));
    return std::move(*out);
}

// A token is one printable word; anything else would corrupt a header or hide a paste mistake.
bool isPlausibleToken(const QString& token)
{
    if (token.isEmpty() || token.size() > 65536)
        return false;
    for (QChar c : token) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

struct StoreFile
{
    bool exists = false;
    QJsonObject tokens;
};

Result<StoreFile> readStoreFile(const QString& path)
{
    StoreFile store;
    QFile file(path);
    if (!file.exists())
        return store;
    store.exists = true;
    // Like ssh: a file others can read may have leaked already, so it is not used.
    const QFileDevice::Permissions others =
        QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther;
    if (QFileInfo(path).permissions() & others)
        return ioError(QStringLiteral("the token file %1 is readable or writable by other users, so its "
                                      "tokens may have leaked; run 'chmod 600 %1' or delete it, and sign "
                                      "in again")
                           .arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the token file %1: %2").arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return invalidInput(
            QStringLiteral("the token file %1 is not a JSON object; delete it and sign in again").arg(path));
    store.tokens = document.object();
    return store;
}

Status writeStoreFile(const QString& path, const QJsonObject& tokens)
{
    const QFileInfo info(path);
    const QString folder = info.absolutePath();
    if (!QDir(folder).exists()) {
        if (!QDir().mkpath(folder))
            return ioError(QStringLiteral("cannot create the folder %1").arg(folder));
        QFile::setPermissions(folder,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return ioError(QStringLiteral("cannot write the token file %1: %2").arg(path, file.errorString()));
    // Restricted before the first byte of a secret is written, so no other user can ever read it.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return ioError(QStringLiteral("cannot restrict the permissions of the token file %1").arg(path));
    file.write(QJsonDocument(tokens).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return ioError(QStringLiteral("cannot write the token file %1: %2").arg(path, file.errorString()));
    return {};
}

// Errors that mean "there is no usable keychain here" rather than "the keychain said no".
bool keychainUnavailable(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented ||
           error == QKeychain::OtherError;
}

Error noToken(const QString& key)
{
    return notFound(QStringLiteral("no access token is stored for %1; sign in first").arg(key));
}

} // namespace

TokenStore::TokenStore()
    : TokenStore(defaultFilePath())
{
}

TokenStore::TokenStore(QString filePath, Backend backend)
    : m_filePath(std::move(filePath))
    , m_backend(backend)
{
}

QString TokenStore::defaultFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/tokens.json");
}

Result<QString> TokenStore::normalizeServerUrl(const QString& serverUrl)
{
    const QUrl url(serverUrl.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) ||
        url.host().isEmpty())
        return invalidInput(
            QStringLiteral("'%1' is not a server address; use http(s)://HOST[:PORT]").arg(serverUrl));
    QUrl key;
    key.setScheme(scheme);
    key.setHost(url.host().toLower());
    key.setPort(url.port(scheme == QLatin1String("https") ? 443 : 80));
    return key.toString(QUrl::FullyEncoded);
}

QCoro::Task<Result<QString>> TokenStore::loadAsync(QString serverUrl)
{
    BUTLER_CO_ASSIGN_OR_RETURN(const QString key, normalizeServerUrl(serverUrl));
    if (useKeychain()) {
        const KeychainAnswer answer = co_await readKeychain(key);
        switch (answer.outcome) {
        case KeychainOutcome::Done:
            co_return answer.text;
        case KeychainOutcome::Failed:
            co_return Error(ErrorKind::Unavailable,
                            QStringLiteral("cannot read the token for %1 from the system keychain: %2")
                                .arg(key, answer.message));
        case KeychainOutcome::Unavailable:
            noteUnavailable(answer.message);
            break;
        case KeychainOutcome::NotFound:
            break; // it may have been stored while the keychain was away
        }
    }
    co_return loadFromFile(key);
}

QCoro::Task<Status> TokenStore::storeAsync(QString serverUrl, QString token)
{
    BUTLER_CO_ASSIGN_OR_RETURN(const QString key, normalizeServerUrl(serverUrl));
    token = token.trimmed();
    if (!isPlausibleToken(token))
        co_return invalidInput(
            QStringLiteral("that is not an access token (it is empty or has spaces or control characters)"));
    if (useKeychain()) {
        const KeychainAnswer answer = co_await writeKeychain(key, token);
        switch (answer.outcome) {
        case KeychainOutcome::Done:
            // A copy left in the file from a time without keychain would outlive this token.
            if (QFile::exists(m_filePath)) {
                const Status removed = removeFromFile(key);
                if (!removed.ok())
                    qCWarning(lcViewsTokens) << removed.error().message();
            }
            co_return Status();
        case KeychainOutcome::Unavailable:
            noteUnavailable(answer.message);
            break;
        case KeychainOutcome::NotFound:
        case KeychainOutcome::Failed:
            co_return Error(ErrorKind::Unavailable,
                            QStringLiteral("cannot store the token for %1 in the system keychain: %2")
                                .arg(key, answer.message));
        }
    }
    co_return storeInFile(key, token);
}

QCoro::Task<Status> TokenStore::removeAsync(QString serverUrl)
{
    BUTLER_CO_ASSIGN_OR_RETURN(const QString key, normalizeServerUrl(serverUrl));
    if (useKeychain()) {
        const KeychainAnswer answer = co_await deleteKeychain(key);
        if (answer.outcome == KeychainOutcome::Unavailable)
            noteUnavailable(answer.message);
        else if (answer.outcome == KeychainOutcome::Failed)
            co_return Error(ErrorKind::Unavailable,
                            QStringLiteral("cannot remove the token for %1 from the system keychain: %2")
                                .arg(key, answer.message));
    }
    co_return removeFromFile(key);
}

Result<QString> TokenStore::load(const QString& serverUrl)
{
    return waitForTask(loadAsync(serverUrl));
}

Status TokenStore::store(const QString& serverUrl, const QString& token)
{
    return waitForTask(storeAsync(serverUrl, token));
}

Status TokenStore::remove(const QString& serverUrl)
{
    return waitForTask(removeAsync(serverUrl));
}

bool TokenStore::useKeychain() const
{
    return m_backend == Backend::KeychainWithFileFallback && !m_keychainUnavailable;
}

void TokenStore::noteUnavailable(const QString& message)
{
    if (!m_keychainUnavailable)
        qCInfo(lcViewsTokens).noquote()
            << QStringLiteral("no system keychain (%1); tokens go to %2").arg(message, m_filePath);
    m_keychainUnavailable = true;
}

TokenStore::KeychainAnswer TokenStore::answerOf(const QKeychain::Job& job)
{
    KeychainAnswer answer;
    answer.message = job.errorString();
    if (job.error() == QKeychain::NoError)
        answer.outcome = KeychainOutcome::Done;
    else if (job.error() == QKeychain::EntryNotFound)
        answer.outcome = KeychainOutcome::NotFound;
    else if (keychainUnavailable(job.error()))
        answer.outcome = KeychainOutcome::Unavailable;
    else
        answer.outcome = KeychainOutcome::Failed;
    return answer;
}

QCoro::Task<TokenStore::KeychainAnswer> TokenStore::readKeychain(QString key)
{
    auto job = std::make_unique<QKeychain::ReadPasswordJob>(kKeychainService);
    job->setAutoDelete(false);
    job->setKey(key);
    auto finished = qCoro(job.get(), &QKeychain::Job::finished);
    job->start();
    co_await finished;
    KeychainAnswer answer = answerOf(*job);
    if (answer.outcome == KeychainOutcome::Done)
        answer.text = job->textData();
    co_return answer;
}

QCoro::Task<TokenStore::KeychainAnswer> TokenStore::writeKeychain(QString key, QString token)
{
    auto job = std::make_unique<QKeychain::WritePasswordJob>(kKeychainService);
    job->setAutoDelete(false);
    job->setKey(key);
    job->setTextData(token);
    auto finished = qCoro(job.get(), &QKeychain::Job::finished);
    job->start();
    co_await finished;
    co_return answerOf(*job);
}

QCoro::Task<TokenStore::KeychainAnswer> TokenStore::deleteKeychain(QString key)
{
    auto job = std::make_unique<QKeychain::DeletePasswordJob>(kKeychainService);
    job->setAutoDelete(false);
    job->setKey(key);
    auto finished = qCoro(job.get(), &QKeychain::Job::finished);
    job->start();
    co_await finished;
    co_return answerOf(*job);
}

Result<QString> TokenStore::loadFromFile(const QString& key) const
{
    BUTLER_ASSIGN_OR_RETURN(const StoreFile store, readStoreFile(m_filePath));
    const QJsonValue entry = store.tokens.value(key);
    const QString token =
        entry.isObject() ? entry.toObject().value(kAccessToken).toString() : entry.toString();
    if (token.isEmpty())
        return noToken(key);
    if (!isPlausibleToken(token))
        return invalidInput(
            QStringLiteral("the token stored for %1 in %2 is malformed; sign in again").arg(key, m_filePath));
    return token;
}

Status TokenStore::storeInFile(const QString& key, const QString& token) const
{
    BUTLER_ASSIGN_OR_RETURN(StoreFile store, readStoreFile(m_filePath));
    store.tokens.insert(key, QJsonObject{{kAccessToken, token}});
    BUTLER_TRY(writeStoreFile(m_filePath, store.tokens));
    qCDebug(lcViewsTokens) << "stored the token for" << key << "in" << m_filePath;
    return {};
}

Status TokenStore::removeFromFile(const QString& key) const
{
    BUTLER_ASSIGN_OR_RETURN(StoreFile store, readStoreFile(m_filePath));
    if (!store.exists || !store.tokens.contains(key))
        return {};
    store.tokens.remove(key);
    return writeStoreFile(m_filePath, store.tokens);
}

} // namespace butler
