#include "TokenSource.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

const QString kServer = QStringLiteral("https://butler.example.org:8443");

QString writeFile(const QString& path, const QByteArray& content,
                  QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    file.close();
    QFile::setPermissions(path, permissions);
    return path;
}

} // namespace

class TstTokenSource : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void firstFoundWins();
    void noTokenSaysWhatToDo();
    void badTokenFiles_data();
    void badTokenFiles();
    void storeRoundTrip();
    void storeRefusesLooseFiles();
    void storedTokenExpired();
    void malformedStore();
    void defaultStoreFile();

private:
    QTemporaryDir m_dir;
    QByteArray m_savedToken;
    QByteArray m_savedConfig;
};

void TstTokenSource::init()
{
    QVERIFY(m_dir.isValid());
    m_savedToken = qgetenv(TokenSource::EnvironmentVariable);
    m_savedConfig = qgetenv("XDG_CONFIG_HOME");
    qunsetenv(TokenSource::EnvironmentVariable);
}

void TstTokenSource::cleanup()
{
    if (m_savedToken.isNull())
        qunsetenv(TokenSource::EnvironmentVariable);
    else
        qputenv(TokenSource::EnvironmentVariable, m_savedToken);
    if (m_savedConfig.isNull())
        qunsetenv("XDG_CONFIG_HOME");
    else
        qputenv("XDG_CONFIG_HOME", m_savedConfig);
}

void TstTokenSource::firstFoundWins()
{
    const QString store = m_dir.filePath("tokens.json");
    QVERIFY(TokenSource::storeToken(kServer, "from-store", store).ok());
    const QString tokenFile = writeFile(m_dir.filePath("token"), "  from-file\n");

    QCOMPARE(TokenSource::find(kServer, {}, store).value(), QStringLiteral("from-store"));
    qputenv(TokenSource::EnvironmentVariable, "from-env");
    QCOMPARE(TokenSource::find(kServer, {}, store).value(), QStringLiteral("from-env"));
    QCOMPARE(TokenSource::find(kServer, tokenFile, store).value(), QStringLiteral("from-file"));
    // The store is keyed by server: another server gets nothing from it.
    qunsetenv(TokenSource::EnvironmentVariable);
    QVERIFY(!TokenSource::find("https://other:1", {}, store).ok());
}

void TstTokenSource::noTokenSaysWhatToDo()
{
    const Result<QString> token = TokenSource::find(kServer, {}, m_dir.filePath("absent.json"));
    QVERIFY(!token.ok());
    QCOMPARE(token.error().kind(), ErrorKind::Unauthenticated);
    const QString message = token.error().message();
    QVERIFY2(message.contains(kServer), qPrintable(message));
    QVERIFY2(message.contains("butler login"), qPrintable(message));
    QVERIFY2(message.contains("--token-file"), qPrintable(message));
    QVERIFY2(message.contains("BUTLER_ACCESS_TOKEN"), qPrintable(message));
}

void TstTokenSource::badTokenFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QByteArray("\n  \n") << "is empty";
    QTest::newRow("two words") << QByteArray("token with spaces") << "single token";
    QTest::newRow("two lines") << QByteArray("line1\nline2\n") << "single token";
    QTest::newRow("missing") << QByteArray() << "cannot read token file";
}

void TstTokenSource::badTokenFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QString path = m_dir.filePath("bad-token");
    if (content.isNull())
        path = m_dir.filePath("no-such-token");
    else
        writeFile(path, content);
    const Result<QString> token = TokenSource::find(kServer, path, m_dir.filePath("absent.json"));
    QVERIFY(!token.ok());
    QVERIFY2(token.error().message().contains(message), qPrintable(token.error().message()));
    QVERIFY2(token.error().message().contains(path), qPrintable(token.error().message()));
}

void TstTokenSource::storeRoundTrip()
{
    const QString store = m_dir.filePath("config/butler/tokens.json");
    QVERIFY(TokenSource::storeToken(kServer + "/", "t1", store).ok());
    QVERIFY(TokenSource::storeToken("http://127.0.0.1:8080", "t2", store).ok());
    QCOMPARE(QFile::permissions(store) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QCOMPARE(TokenSource::storedToken(kServer, store).value(), QStringLiteral("t1"));
    QCOMPARE(TokenSource::storedToken("http://127.0.0.1:8080", store).value(), QStringLiteral("t2"));
    // Logging in again replaces the token.
    QVERIFY(TokenSource::storeToken(kServer, "t3", store).ok());
    QCOMPARE(TokenSource::storedToken(kServer, store).value(), QStringLiteral("t3"));
    QCOMPARE(TokenSource::storedToken("http://127.0.0.1:8080", store).value(), QStringLiteral("t2"));
    QCOMPARE(TokenSource::storedToken("http://elsewhere", store).value(), QString());
}

void TstTokenSource::storeRefusesLooseFiles()
{
    const QString store = writeFile(
        m_dir.filePath("loose.json"), R"({"https://butler.example.org:8443":"t"})",
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    const Result<QString> token = TokenSource::find(kServer, {}, store);
    QVERIFY(!token.ok());
    QCOMPARE(token.error().kind(), ErrorKind::PermissionDenied);
    QVERIFY2(token.error().message().contains("chmod 600"), qPrintable(token.error().message()));
}

void TstTokenSource::storedTokenExpired()
{
    const QString store = m_dir.filePath("tokens.json");
    QVERIFY(TokenSource::storeToken(kServer, "old", store, QDateTime::currentSecsSinceEpoch() - 60).ok());
    const Result<QString> token = TokenSource::find(kServer, {}, store);
    QVERIFY(!token.ok());
    QCOMPARE(token.error().kind(), ErrorKind::Unauthenticated);
    QVERIFY2(token.error().message().contains("expired"), qPrintable(token.error().message()));
    QVERIFY(TokenSource::storeToken(kServer, "new", store, QDateTime::currentSecsSinceEpoch() + 3600).ok());
    QCOMPARE(TokenSource::find(kServer, {}, store).value(), QStringLiteral("new"));
}

void TstTokenSource::malformedStore()
{
    const QString store = writeFile(m_dir.filePath("broken.json"), "{not json");
    const Result<QString> token = TokenSource::find(kServer, {}, store);
    QVERIFY(!token.ok());
    QCOMPARE(token.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(token.error().message().contains("butler login"), qPrintable(token.error().message()));
}

void TstTokenSource::defaultStoreFile()
{
    qputenv("XDG_CONFIG_HOME", m_dir.path().toUtf8());
    QCOMPARE(TokenSource::defaultStoreFile(), m_dir.path() + "/butler/tokens.json");
    qunsetenv("XDG_CONFIG_HOME");
    QVERIFY(TokenSource::defaultStoreFile().endsWith("/.config/butler/tokens.json"));
}

QTEST_GUILESS_MAIN(TstTokenSource)
#include "tst_tokensource.moc"
