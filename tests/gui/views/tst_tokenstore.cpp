// TokenStore's file fallback (what headless machines and CI use: no Secret Service on the bus),
// which is the command line's token file, shared both ways with `butler login` (TokenSource),
// and RecentRepositories over a QSettings on a temporary ini file.

#include "RecentRepositories.h"
#include "RemoteLocation.h"
#include "TokenSource.h"
#include "TokenStore.h"
#include "WaitForTask.h"

#include <QCoroTask>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace butler;

namespace {

const QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QFileDevice::Permissions withoutUserBits(QFileDevice::Permissions permissions)
{
    // QFileInfo repeats the owner's bits as "user" bits when we are the owner.
    return permissions & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
}

} // namespace

#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto& check_ = (expr);                                                                         \
        QVERIFY2(check_.ok(), check_.ok() ? "" : qPrintable(check_.error().message()));                      \
    } while (false)

class TestTokenStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void normalizesServerUrls_data();
    void normalizesServerUrls();
    void rejectsNonServerUrls_data();
    void rejectsNonServerUrls();
    void fileRoundTrip();
    void fileIsOwnerOnly();
    void sharedKeyAcrossUrlForms();
    void refusesReadableFile();
    void removeDeletesOnlyThatServer();
    void rejectsMalformedTokens();
    void keychainFallsBackToFile();
    void fileKeysFollowTheCommandLine_data();
    void fileKeysFollowTheCommandLine();
    void readsWhatTheCommandLineStored();
    void commandLineReadsWhatTheBrowserStored();
    void defaultFileIsTheCommandLines();
    void expiredCommandLineTokenIsNotUsed();
    void keychainStoreSharesWithCommandLine();

    void recentOrder();
    void recentDeduplicates();
    void recentCapped();
    void recentRemoveAndClear();

private:
    QString tokenFile() const { return m_dir->filePath(QStringLiteral("config/tokens.json")); }

    std::optional<QTemporaryDir> m_dir;
};

void TestTokenStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestTokenStore::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
}

void TestTokenStore::normalizesServerUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("key");
    QTest::newRow("explicit port") << "http://127.0.0.1:8080"
                                   << "http://127.0.0.1:8080";
    QTest::newRow("http default port") << "http://butler.example.org"
                                       << "http://butler.example.org:80";
    QTest::newRow("https default port") << "https://butler.example.org/"
                                        << "https://butler.example.org:443";
    QTest::newRow("case and path") << "HTTPS://Butler.Example.ORG:8443/api/butler/repo/main?x=1"
                                   << "https://butler.example.org:8443";
    QTest::newRow("spaces") << "  http://localhost:9000/  "
                            << "http://localhost:9000";
    QTest::newRow("ipv6") << "http://[::1]:8080/api"
                          << "http://[::1]:8080";
}

void TestTokenStore::normalizesServerUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, key);
    const Result<QString> normalized = TokenStore::normalizeServerUrl(url);
    VERIFY_OK(normalized);
    QCOMPARE(*normalized, key);
}

void TestTokenStore::rejectsNonServerUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("empty") << "";
    QTest::newRow("local path") << "/data/repo";
    QTest::newRow("file url") << "file:///data/repo";
    QTest::newRow("other scheme") << "ftp://example.org";
    QTest::newRow("no host") << "http://";
}

void TestTokenStore::rejectsNonServerUrls()
{
    QFETCH(QString, url);
    const Result<QString> normalized = TokenStore::normalizeServerUrl(url);
    QVERIFY(!normalized.ok());
    QCOMPARE(normalized.error().kind(), ErrorKind::InvalidInput);
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    QVERIFY(!store.store(url, QStringLiteral("token")).ok());
    QVERIFY(!QFile::exists(tokenFile()));
}

void TestTokenStore::fileRoundTrip()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    const QString server = QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main");

    const Result<QString> missing = waitForTask(store.loadAsync(server));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind(), ErrorKind::NotFound);
    QVERIFY2(missing.error().message().contains(QLatin1String("http://127.0.0.1:8080")),
             qPrintable(missing.error().message()));

    VERIFY_OK(waitForTask(store.storeAsync(server, QStringLiteral("first.token"))));
    Result<QString> loaded = waitForTask(store.loadAsync(server));
    VERIFY_OK(loaded);
    QCOMPARE(*loaded, QStringLiteral("first.token"));

    // Replacing keeps one entry.
    VERIFY_OK(store.store(server, QStringLiteral("second.token")));
    loaded = store.load(server);
    VERIFY_OK(loaded);
    QCOMPARE(*loaded, QStringLiteral("second.token"));

    // A fresh store (the next start of the app) reads what the last one wrote.
    TokenStore again(tokenFile(), TokenStore::Backend::FileOnly);
    loaded = again.load(server);
    VERIFY_OK(loaded);
    QCOMPARE(*loaded, QStringLiteral("second.token"));

    QFile file(tokenFile());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(json.keys(), QStringList{QStringLiteral("http://127.0.0.1:8080")});
    QCOMPARE(json.value("http://127.0.0.1:8080").toObject().value("access_token").toString(),
             QStringLiteral("second.token"));
}

void TestTokenStore::fileIsOwnerOnly()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    VERIFY_OK(store.store(QStringLiteral("http://localhost:1234"), QStringLiteral("secret")));
    QCOMPARE(withoutUserBits(QFileInfo(tokenFile()).permissions()), kOwnerOnly);

    // Rewriting an existing file keeps it owner-only.
    VERIFY_OK(store.store(QStringLiteral("http://localhost:5678"), QStringLiteral("other")));
    QCOMPARE(withoutUserBits(QFileInfo(tokenFile()).permissions()), kOwnerOnly);
    // The folder it made is private too.
    QCOMPARE(withoutUserBits(QFileInfo(QFileInfo(tokenFile()).absolutePath()).permissions()),
             kOwnerOnly | QFileDevice::ExeOwner);
}

void TestTokenStore::sharedKeyAcrossUrlForms()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    VERIFY_OK(
        store.store(QStringLiteral("https://Butler.Example.org/api/butler/repo/a"), QStringLiteral("t1")));
    const Result<QString> sameServer =
        store.load(QStringLiteral("https://butler.example.org:443/api/butler/repo/b"));
    VERIFY_OK(sameServer);
    QCOMPARE(*sameServer, QStringLiteral("t1"));
    // Another port or scheme is another server.
    QCOMPARE(store.load(QStringLiteral("https://butler.example.org:8443")).error().kind(),
             ErrorKind::NotFound);
    QCOMPARE(store.load(QStringLiteral("http://butler.example.org")).error().kind(), ErrorKind::NotFound);
}

void TestTokenStore::refusesReadableFile()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    const QString server = QStringLiteral("http://127.0.0.1:8080");
    VERIFY_OK(store.store(server, QStringLiteral("secret")));

    QVERIFY(QFile::setPermissions(tokenFile(), kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    const Result<QString> loaded = store.load(server);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().message().contains(QLatin1String("readable or writable by other users")),
             qPrintable(loaded.error().message()));
    QVERIFY2(loaded.error().message().contains(QLatin1String("chmod 600")),
             qPrintable(loaded.error().message()));
    // Nor is a new secret added to it.
    QVERIFY(!store.store(QStringLiteral("http://other:1"), QStringLiteral("more")).ok());

    // Group-writable is refused as well; owner-only works again.
    QVERIFY(QFile::setPermissions(tokenFile(), kOwnerOnly | QFileDevice::WriteGroup));
    QVERIFY(!store.load(server).ok());
    QVERIFY(QFile::setPermissions(tokenFile(), kOwnerOnly));
    VERIFY_OK(store.load(server));
}

void TestTokenStore::removeDeletesOnlyThatServer()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    VERIFY_OK(store.store(QStringLiteral("http://a:1"), QStringLiteral("ta")));
    VERIFY_OK(store.store(QStringLiteral("http://b:2"), QStringLiteral("tb")));

    VERIFY_OK(waitForTask(store.removeAsync(QStringLiteral("HTTP://A:1/some/path"))));
    QCOMPARE(store.load(QStringLiteral("http://a:1")).error().kind(), ErrorKind::NotFound);
    const Result<QString> other = store.load(QStringLiteral("http://b:2"));
    VERIFY_OK(other);
    QCOMPARE(*other, QStringLiteral("tb"));
    QCOMPARE(withoutUserBits(QFileInfo(tokenFile()).permissions()), kOwnerOnly);

    // Removing what is not there is fine, also without a file at all.
    VERIFY_OK(store.remove(QStringLiteral("http://a:1")));
    TokenStore empty(m_dir->filePath(QStringLiteral("none/tokens.json")), TokenStore::Backend::FileOnly);
    VERIFY_OK(empty.remove(QStringLiteral("http://a:1")));
    QVERIFY(!QFile::exists(empty.filePath()));
}

void TestTokenStore::rejectsMalformedTokens()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    for (const QString& bad : {QString(), QStringLiteral("two words"), QStringLiteral("line\nbreak")}) {
        const Status stored = store.store(QStringLiteral("http://a:1"), bad);
        QVERIFY2(!stored.ok(), qPrintable(bad));
        QCOMPARE(stored.error().kind(), ErrorKind::InvalidInput);
    }
    QVERIFY(!QFile::exists(tokenFile()));
    // Surrounding whitespace from a paste is dropped.
    VERIFY_OK(store.store(QStringLiteral("http://a:1"), QStringLiteral("  pasted.token\n")));
    QCOMPARE(*store.load(QStringLiteral("http://a:1")), QStringLiteral("pasted.token"));
}

void TestTokenStore::keychainFallsBackToFile()
{
    // Whatever this machine has: with a keychain the token lives there, without one (the usual
    // case under test) in the file. Either way it comes back and goes away.
    TokenStore store(tokenFile());
    store.setShareWithCommandLine(false);
    const QString server = QStringLiteral("http://127.0.0.1:65001");
    VERIFY_OK(store.store(server, QStringLiteral("fallback.token")));
    QCOMPARE(QFile::exists(tokenFile()), store.usingFileFallback());
    const Result<QString> loaded = store.load(server);
    VERIFY_OK(loaded);
    QCOMPARE(*loaded, QStringLiteral("fallback.token"));
    VERIFY_OK(store.remove(server));
    QCOMPARE(store.load(server).error().kind(), ErrorKind::NotFound);
}

void TestTokenStore::fileKeysFollowTheCommandLine_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("keys");
    QTest::newRow("repository") << "http://127.0.0.1:8080/api/butler/repo/main"
                                << QStringList{"http://127.0.0.1:8080"};
    QTest::newRow("no port") << "https://Butler.Example.org/api/butler/repo/main/"
                             << QStringList{"https://butler.example.org", "https://butler.example.org:443"};
    QTest::newRow("default port") << "http://butler.example.org:80/api/butler/repo/x"
                                  << QStringList{"http://butler.example.org:80", "http://butler.example.org"};
    QTest::newRow("prefix") << "http://host:8080/lsst/api/butler/repo/main"
                            << QStringList{"http://host:8080/lsst"};
    QTest::newRow("bare server") << "http://host:9000/" << QStringList{"http://host:9000"};
    QTest::newRow("not a server") << "/data/repo" << QStringList{};
}

void TestTokenStore::fileKeysFollowTheCommandLine()
{
    QFETCH(QString, url);
    QFETCH(QStringList, keys);
    QCOMPARE(TokenStore::fileKeys(url), keys);
    // The first key is what `butler login` stores the repository's token under.
    const Result<RemoteLocation> location = RemoteLocation::parse(url);
    if (location.ok())
        QCOMPARE(keys.first(), location->serverBase());
}

void TestTokenStore::readsWhatTheCommandLineStored()
{
    // What `butler login http://127.0.0.1:8080/api/butler/repo/main` writes.
    const QString repo = QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main");
    const Result<RemoteLocation> location = RemoteLocation::parse(repo);
    VERIFY_OK(location);
    VERIFY_OK(TokenSource::storeToken(location->serverBase(), QStringLiteral("cli.token"), tokenFile()));

    for (const TokenStore::Backend backend :
         {TokenStore::Backend::FileOnly, TokenStore::Backend::KeychainWithFileFallback}) {
        TokenStore store(tokenFile(), backend);
        // The keychain (if any) has nothing for this server: the command line's token is used.
        const Result<QString> loaded = store.load(repo);
        VERIFY_OK(loaded);
        QCOMPARE(*loaded, QStringLiteral("cli.token"));
        // Another repository of the same server shares it.
        QCOMPARE(store.load(QStringLiteral("http://127.0.0.1:8080/api/butler/repo/other")).valueOr({}),
                 QStringLiteral("cli.token"));
    }
    // Stored without a port, found with the default one written out, and the other way round.
    VERIFY_OK(TokenSource::storeToken(QStringLiteral("https://butler.example.org"), QStringLiteral("t443"),
                                      tokenFile()));
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    QCOMPARE(store.load(QStringLiteral("https://butler.example.org:443/api/butler/repo/x")).valueOr({}),
             QStringLiteral("t443"));
}

void TestTokenStore::commandLineReadsWhatTheBrowserStored()
{
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    const QString repo = QStringLiteral("https://butler.example.org/api/butler/repo/main");
    const QDateTime expires = QDateTime::currentDateTimeUtc().addSecs(3600);
    VERIFY_OK(store.store(repo, QStringLiteral("browser.token"), expires));

    // The command line's own lookup, as `butler <command> URL` runs it.
    qunsetenv(TokenSource::EnvironmentVariable);
    const Result<RemoteLocation> location = RemoteLocation::parse(repo);
    VERIFY_OK(location);
    const Result<QString> found = TokenSource::find(location->serverBase(), QString(), tokenFile());
    VERIFY_OK(found);
    QCOMPARE(*found, QStringLiteral("browser.token"));

    // In its format: the expiry goes along.
    QFile file(tokenFile());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject entry =
        QJsonDocument::fromJson(file.readAll()).object().value(location->serverBase()).toObject();
    QCOMPARE(entry.value("access_token").toString(), QStringLiteral("browser.token"));
    QCOMPARE(entry.value("expires_at").toInteger(), expires.toSecsSinceEpoch());
    QCOMPARE(withoutUserBits(QFileInfo(tokenFile()).permissions()), kOwnerOnly);

    // Signing out in the browser signs the command line out too.
    VERIFY_OK(store.remove(repo));
    QCOMPARE(TokenSource::find(location->serverBase(), QString(), tokenFile()).error().kind(),
             ErrorKind::Unauthenticated);
}

void TestTokenStore::defaultFileIsTheCommandLines()
{
    const QByteArray saved = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", m_dir->path().toUtf8());
    QCOMPARE(TokenStore::defaultFilePath(), m_dir->path() + QStringLiteral("/butler/tokens.json"));
    QCOMPARE(TokenStore::defaultFilePath(), TokenSource::defaultStoreFile());
    QCOMPARE(TokenStore().filePath(), TokenSource::defaultStoreFile());
    if (saved.isNull())
        qunsetenv("XDG_CONFIG_HOME");
    else
        qputenv("XDG_CONFIG_HOME", saved);
}

void TestTokenStore::expiredCommandLineTokenIsNotUsed()
{
    VERIFY_OK(TokenSource::storeToken(QStringLiteral("http://a:1"), QStringLiteral("old"), tokenFile(),
                                      QDateTime::currentSecsSinceEpoch() - 60));
    TokenStore store(tokenFile(), TokenStore::Backend::FileOnly);
    const Result<QString> loaded = store.load(QStringLiteral("http://a:1/api/butler/repo/main"));
    QVERIFY(!loaded.ok());
    QCOMPARE(loaded.error().kind(), ErrorKind::Unauthenticated);
    QVERIFY2(loaded.error().message().contains(QLatin1String("expired")),
             qPrintable(loaded.error().message()));
}

void TestTokenStore::keychainStoreSharesWithCommandLine()
{
    // With or without a keychain on this machine, the command line finds the token afterwards.
    TokenStore store(tokenFile());
    QVERIFY(store.shareWithCommandLine());
    const QString repo = QStringLiteral("http://127.0.0.1:65002/api/butler/repo/main");
    VERIFY_OK(store.store(repo, QStringLiteral("shared.token")));
    QCOMPARE(TokenSource::storedToken(QStringLiteral("http://127.0.0.1:65002"), tokenFile()).valueOr({}),
             QStringLiteral("shared.token"));
    VERIFY_OK(store.remove(repo));
    QCOMPARE(TokenSource::storedToken(QStringLiteral("http://127.0.0.1:65002"), tokenFile()).valueOr({}),
             QString());
}

void TestTokenStore::recentOrder()
{
    QSettings settings(m_dir->filePath(QStringLiteral("recent.ini")), QSettings::IniFormat);
    RecentRepositories recent(&settings);
    QVERIFY(recent.entries().isEmpty());
    const QDateTime t0 = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
    recent.add(QStringLiteral("main"), QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main"), t0);
    recent.add(QStringLiteral("local"), QStringLiteral("/data/repo"), t0.addSecs(60));

    const QList<RecentRepository> entries = recent.entries();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries[0].label, QStringLiteral("local"));
    QCOMPARE(entries[0].location, QStringLiteral("/data/repo"));
    QCOMPARE(entries[0].lastOpened, t0.addSecs(60));
    QCOMPARE(entries[1].label, QStringLiteral("main"));
    QCOMPARE(entries[1].location, QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main"));

    // It is in the file, for the next start.
    settings.sync();
    QSettings reread(m_dir->filePath(QStringLiteral("recent.ini")), QSettings::IniFormat);
    QCOMPARE(RecentRepositories(&reread).entries().size(), 2);
    QCOMPARE(RecentRepositories(&reread).entries().at(1).label, QStringLiteral("main"));
}

void TestTokenStore::recentDeduplicates()
{
    QSettings settings(m_dir->filePath(QStringLiteral("recent.ini")), QSettings::IniFormat);
    RecentRepositories recent(&settings);
    recent.add(QStringLiteral("main"), QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main"));
    recent.add(QStringLiteral("local"), QStringLiteral("/data/repo"));
    recent.add(QStringLiteral("other"), QStringLiteral("/data/other"));

    // The same places written differently move to the front instead of being added again.
    recent.add(QString(), QStringLiteral("HTTP://127.0.0.1:8080/api/butler/repo/main/"));
    QList<RecentRepository> entries = recent.entries();
    QCOMPARE(entries.size(), 3);
    QCOMPARE(entries[0].location, QStringLiteral("http://127.0.0.1:8080/api/butler/repo/main"));
    QCOMPARE(entries[0].label, QStringLiteral("main")); // an empty label keeps the old one

    recent.add(QStringLiteral("renamed"), QStringLiteral("/data/./repo/"));
    entries = recent.entries();
    QCOMPARE(entries.size(), 3);
    QCOMPARE(entries[0].location, QStringLiteral("/data/repo"));
    QCOMPARE(entries[0].label, QStringLiteral("renamed"));
    QCOMPARE(entries[1].label, QStringLiteral("main"));
    QCOMPARE(entries[2].label, QStringLiteral("other"));

    // No label at all: named after the location.
    recent.add(QString(), QStringLiteral("/data/new"));
    QCOMPARE(recent.entries().first().label, QStringLiteral("/data/new"));
}

void TestTokenStore::recentCapped()
{
    QSettings settings(m_dir->filePath(QStringLiteral("recent.ini")), QSettings::IniFormat);
    RecentRepositories recent(&settings);
    for (int i = 0; i < RecentRepositories::MaxEntries + 5; ++i)
        recent.add(QStringLiteral("repo %1").arg(i), QStringLiteral("/data/repo%1").arg(i));
    const QList<RecentRepository> entries = recent.entries();
    QCOMPARE(entries.size(), RecentRepositories::MaxEntries);
    QCOMPARE(entries.first().label, QStringLiteral("repo 14"));
    QCOMPARE(entries.last().label, QStringLiteral("repo 5"));
    QCOMPARE(settings.value(QStringLiteral("recentRepositories/size")).toInt(),
             RecentRepositories::MaxEntries);
}

void TestTokenStore::recentRemoveAndClear()
{
    QSettings settings(m_dir->filePath(QStringLiteral("recent.ini")), QSettings::IniFormat);
    RecentRepositories recent(&settings);
    recent.add(QStringLiteral("a"), QStringLiteral("/data/a"));
    recent.add(QStringLiteral("b"), QStringLiteral("/data/b"));
    recent.remove(QStringLiteral("/data/a/"));
    QCOMPARE(recent.entries().size(), 1);
    QCOMPARE(recent.entries().first().label, QStringLiteral("b"));
    recent.clear();
    QVERIFY(recent.entries().isEmpty());
}

QTEST_GUILESS_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
