#include "TokenSource.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>

namespace butler {

Q_LOGGING_CATEGORY(lcClientToken, "butler.client.token")

namespace {

// A token is one printable word: anything else is a file that holds something else.
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

QString normalizedKey(QString base)
{
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base;
}

Result<QJsonObject> readStore(const QString& storeFile)
{
    QFile file(storeFile);
    if (!file.exists())
        return QJsonObject();
    // Like ssh: a store others can read may have leaked already, so refuse to use it.
    const QFileDevice::Permissions others =
        QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther;
    if (file.permissions() & others)
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("the token store %1 is readable or writable by other users; run "
                                    "'chmod 600 %1' (and consider logging in again)")
                         .arg(storeFile));
    if (!file.open(QIODevice::ReadOnly))
        return ioError(
            QStringLiteral("cannot read the token store %1: %2").arg(storeFile, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return invalidInput(QStringLiteral("the token store %1 is not a JSON object; remove it and run "
                                           "'butler login' again")
                                .arg(storeFile));
    return document.object();
}

// The whole store, mode 0600 from the first byte.
Status writeStore(const QString& storeFile, const QJsonObject& store)
{
    const QFileInfo info(storeFile);
    if (!QDir().mkpath(info.absolutePath()))
        return ioError(QStringLiteral("cannot create folder %1").arg(info.absolutePath()));
    QFile::setPermissions(info.absolutePath(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile file(storeFile);
    if (!file.open(QIODevice::WriteOnly))
        return ioError(
            QStringLiteral("cannot write the token store %1: %2").arg(storeFile, file.errorString()));
    // Restrict before the token is written, so it is never readable by others, not even briefly.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return ioError(QStringLiteral("cannot restrict the permissions of %1").arg(storeFile));
    file.write(QJsonDocument(store).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return ioError(
            QStringLiteral("cannot write the token store %1: %2").arg(storeFile, file.errorString()));
    return {};
}

} // namespace

Result<QString> TokenSource::find(const QString& serverBase, const QString& tokenFile)
{
    return find(serverBase, tokenFile, defaultStoreFile());
}

Result<QString> TokenSource::find(const QString& serverBase, const QString& tokenFile,
                                  const QString& storeFile)
{
    if (!tokenFile.isEmpty())
        return readTokenFile(tokenFile);
    const QString fromEnvironment = qEnvironmentVariable(EnvironmentVariable).trimmed();
    if (!fromEnvironment.isEmpty()) {
        if (!isPlausibleToken(fromEnvironment))
            return invalidInput(
                QStringLiteral("%1 does not hold a token (it has spaces or control characters)")
                    .arg(QLatin1String(EnvironmentVariable)));
        return fromEnvironment;
    }
    BUTLER_ASSIGN_OR_RETURN(const QString stored, storedToken(serverBase, storeFile));
    if (!stored.isEmpty())
        return stored;
    return Error(ErrorKind::Unauthenticated,
                 QStringLiteral("no access token for %1: %2").arg(serverBase, howToGetToken(serverBase)));
}

QString TokenSource::defaultStoreFile()
{
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || !QDir::isAbsolutePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/butler/tokens.json");
}

Result<QString> TokenSource::readTokenFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return notFound(QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString()));
    // Tokens are a few kB at most; a huge file is a mistake, not a token.
    const QByteArray bytes = file.read(70000);
    const QString token = QString::fromUtf8(bytes).trimmed();
    if (token.isEmpty())
        return invalidInput(QStringLiteral("token file %1 is empty").arg(path));
    if (!isPlausibleToken(token))
        return invalidInput(
            QStringLiteral("token file %1 does not hold a single token (it has spaces, several lines or "
                           "control characters)")
                .arg(path));
    return token;
}

Result<QString> TokenSource::storedToken(const QString& serverBase, const QString& storeFile)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject store, readStore(storeFile));
    const QJsonValue entry = store.value(normalizedKey(serverBase));
    QString token;
    qint64 expiresAt = 0;
    if (entry.isString()) {
        token = entry.toString();
    } else if (entry.isObject()) {
        token = entry.toObject().value(QLatin1String("access_token")).toString();
        expiresAt = entry.toObject().value(QLatin1String("expires_at")).toInteger();
    }
    token = token.trimmed();
    if (token.isEmpty())
        return QString();
    if (!isPlausibleToken(token))
        return invalidInput(
            QStringLiteral("the token stored for %1 in %2 is malformed; run 'butler login' again")
                .arg(serverBase, storeFile));
    if (expiresAt > 0 && expiresAt <= QDateTime::currentSecsSinceEpoch())
        return Error(ErrorKind::Unauthenticated,
                     QStringLiteral("the token stored for %1 expired at %2: %3")
                         .arg(serverBase,
                              QDateTime::fromSecsSinceEpoch(expiresAt, Qt::UTC).toString(Qt::ISODate),
                              howToGetToken(serverBase)));
    qCDebug(lcClientToken) << "using the stored token for" << serverBase;
    return token;
}

Status TokenSource::storeToken(const QString& serverBase, const QString& token, const QString& storeFile,
                               qint64 expiresAtUnix)
{
    if (!isPlausibleToken(token))
        return invalidInput(QStringLiteral("refusing to store a malformed token"));
    QJsonObject store;
    if (QFile::exists(storeFile)) {
        BUTLER_ASSIGN_OR_RETURN(store, readStore(storeFile));
    }
    QJsonObject entry{{QStringLiteral("access_token"), token}};
    if (expiresAtUnix > 0)
        entry.insert(QStringLiteral("expires_at"), expiresAtUnix);
    store.insert(normalizedKey(serverBase), entry);
    return writeStore(storeFile, store);
}

Result<QJsonObject> TokenSource::storedEntry(const QString& serverBase, const QString& storeFile)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject store, readStore(storeFile));
    const QJsonValue entry = store.value(normalizedKey(serverBase));
    if (entry.isString())
        return QJsonObject{{QStringLiteral("access_token"), entry.toString()}};
    return entry.toObject();
}

Status TokenSource::storeEntry(const QString& serverBase, const QJsonObject& entry, const QString& storeFile)
{
    if (!isPlausibleToken(entry.value(QLatin1String("access_token")).toString()))
        return invalidInput(QStringLiteral("refusing to store a malformed token"));
    QJsonObject store;
    if (QFile::exists(storeFile)) {
        BUTLER_ASSIGN_OR_RETURN(store, readStore(storeFile));
    }
    store.insert(normalizedKey(serverBase), entry);
    return writeStore(storeFile, store);
}

Status TokenSource::removeToken(const QString& serverBase, const QString& storeFile)
{
    if (!QFile::exists(storeFile))
        return {};
    BUTLER_ASSIGN_OR_RETURN(QJsonObject store, readStore(storeFile));
    if (!store.contains(normalizedKey(serverBase)))
        return {};
    store.remove(normalizedKey(serverBase));
    return writeStore(storeFile, store);
}

QString TokenSource::howToGetToken(const QString& serverBase)
{
    return QStringLiteral("sign in with 'butler login %1/api/butler/repo/LABEL', or give a token with "
                          "--token-file FILE or the %2 environment variable")
        .arg(serverBase, QLatin1String(EnvironmentVariable));
}

} // namespace butler
