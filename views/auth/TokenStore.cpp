#include "TokenStore.h"
#include "WaitForTask.h"

#include "CoroutineResult.h"
#include "RemoteLocation.h"
#include "TokenSource.h"

#include <QFile>
#include <QLoggingCategory>
#include <QUrl>

#include <QCoroSignal>

#include <qt6keychain/keychain.h>

#include <memory>
#include <optional>

namespace butler {

Q_LOGGING_CATEGORY(lcViewsTokens, "butler.views.tokens")

namespace {

const QString kKeychainService = QStringLiteral("butler");

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
    return TokenSource::defaultStoreFile();
}

QStringList TokenStore::fileKeys(const QString& serverUrl)
{
    const QUrl url(serverUrl.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) ||
        url.host().isEmpty())
        return {};
    // What `butler login` stores a repository URL under; a bare server address stands for its root.
    const Result<RemoteLocation> location = RemoteLocation::parse(serverUrl);
    QUrl base;
    if (location.ok()) {
        base = QUrl(location->serverBase());
    } else {
        base.setScheme(scheme);
        base.setHost(url.host().toLower());
        base.setPort(url.port());
    }
    QStringList keys{base.toString(QUrl::FullyEncoded)};
    // The same server written with or without its default port.
    const int defaultPort = scheme == QLatin1String("https") ? 443 : 80;
    QUrl other = base;
    other.setPort(base.port() == -1 ? defaultPort : (base.port() == defaultPort ? -1 : base.port()));
    if (other != base)
        keys << other.toString(QUrl::FullyEncoded);
    return keys;
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
    co_return loadFromFile(serverUrl);
}

QCoro::Task<Status> TokenStore::storeAsync(QString serverUrl, QString token, QDateTime expiresAt)
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
            // The command-line tool reads the file only.
            if (m_shareWithCommandLine) {
                const Status shared = storeInFile(serverUrl, token, expiresAt);
                if (!shared.ok())
                    qCWarning(lcViewsTokens)
                        << "not shared with the command line:" << shared.error().message();
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
    co_return storeInFile(serverUrl, token, expiresAt);
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
    co_return removeFromFile(serverUrl);
}

Result<QString> TokenStore::load(const QString& serverUrl)
{
    return waitForTask(loadAsync(serverUrl));
}

Status TokenStore::store(const QString& serverUrl, const QString& token, const QDateTime& expiresAt)
{
    return waitForTask(storeAsync(serverUrl, token, expiresAt));
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

Result<QString> TokenStore::loadFromFile(const QString& serverUrl) const
{
    const QStringList keys = fileKeys(serverUrl);
    for (const QString& key : keys) {
        BUTLER_ASSIGN_OR_RETURN(const QString token, TokenSource::storedToken(key, m_filePath));
        if (!token.isEmpty())
            return token;
    }
    return noToken(normalizeServerUrl(serverUrl).valueOr(serverUrl));
}

Status TokenStore::storeInFile(const QString& serverUrl, const QString& token,
                               const QDateTime& expiresAt) const
{
    const QStringList keys = fileKeys(serverUrl);
    if (keys.isEmpty())
        return invalidInput(QStringLiteral("'%1' is not a server address").arg(serverUrl));
    BUTLER_TRY(TokenSource::storeToken(keys.first(), token, m_filePath,
                                       expiresAt.isValid() ? expiresAt.toSecsSinceEpoch() : 0));
    qCDebug(lcViewsTokens) << "stored the token for" << keys.first() << "in" << m_filePath;
    return {};
}

Status TokenStore::removeFromFile(const QString& serverUrl) const
{
    const QStringList keys = fileKeys(serverUrl);
    for (const QString& key : keys)
        BUTLER_TRY(TokenSource::removeToken(key, m_filePath));
    return {};
}

} // namespace butler
