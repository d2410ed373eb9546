#include "UrlSigner.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <sys/stat.h>

#include <cstddef>

using namespace butler;

// Replaces OpenSSL's CRYPTO_memcmp for this executable, to prove verify() compares MACs with it
// rather than with an early-exit comparison. Still constant-time, so behaviour is unchanged.
static int g_memcmpCalls = 0;
extern "C" int CRYPTO_memcmp(const volatile void* a, const volatile void* b, size_t length)
{
    ++g_memcmpCalls;
    const auto* x = static_cast<const volatile unsigned char*>(a);
    const auto* y = static_cast<const volatile unsigned char*>(b);
    unsigned char diff = 0;
    for (size_t i = 0; i < length; ++i)
        diff |= x[i] ^ y[i];
    return diff;
}

namespace {

const QByteArray kKey(48, 'k');
const QString kPath = QStringLiteral("/files/main/run/raw/raw_1_2.fits");
constexpr qint64 kNow = 1700000000;

UrlSigner signer(UrlSigner::Options options = UrlSigner::Options())
{
    auto s = UrlSigner::fromKey(kKey, options);
    if (!s.ok())
        qFatal("%s", qPrintable(s.error().message()));
    return std::move(s).value();
}

QUrlQuery signedQuery(const UrlSigner& s, const QByteArray& method, const QString& path = kPath,
                      std::optional<qint64> ttl = std::nullopt)
{
    auto out = s.sign(method, path, ttl, kNow);
    if (!out.ok())
        qFatal("%s", qPrintable(out.error().message()));
    return QUrlQuery(out->query);
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content);
    return path;
}

} // namespace

class TestUrlSigner : public QObject
{
    Q_OBJECT

private slots:
    void roundtrip()
    {
        const UrlSigner s = signer();
        auto out = s.sign("GET", kPath, std::nullopt, kNow);
        QVERIFY(out.ok());
        QCOMPARE(out->expires, kNow + 3600);
        const QUrlQuery q(out->query);
        QCOMPARE(q.queryItemValue("method"), QStringLiteral("GET"));
        QCOMPARE(q.queryItemValue("expires"), QString::number(kNow + 3600));
        QVERIFY(!q.queryItemValue("signature").contains(QLatin1Char('=')));
        QVERIFY(s.verify("GET", kPath, q, kNow).ok());
        QVERIFY(s.verify("GET", kPath, q, kNow + 3600).ok()); // valid through its last second
        // The same key signs the same input identically; another key does not verify it.
        QCOMPARE(s.sign("GET", kPath, std::nullopt, kNow)->query, out->query);
        auto other = UrlSigner::fromKey(QByteArray(48, 'x'));
        QVERIFY(other.ok());
        QVERIFY(!other->verify("GET", kPath, q, kNow).ok());
    }

    void pathsWithUnicodeAndSpaces()
    {
        const UrlSigner s = signer();
        const QString path = QStringLiteral("/files/main/u/ana/caf\u00e9 run/x.fits");
        QVERIFY(s.verify("GET", path, signedQuery(s, "GET", path), kNow).ok());
        QVERIFY(!s.verify("GET", QStringLiteral("/files/main/u/ana/cafe run/x.fits"),
                          signedQuery(s, "GET", path), kNow)
                     .ok());
    }

    void tamperedSignatureEveryPosition()
    {
        const UrlSigner s = signer();
        const QUrlQuery good = signedQuery(s, "GET");
        const QString signature = good.queryItemValue("signature");
        QCOMPARE(signature.size(), 43); // 32 bytes, base64url without padding
        for (int i = 0; i < signature.size(); ++i) {
            for (const QChar replacement : {QLatin1Char('A'), QLatin1Char('_')}) {
                QString bad = signature;
                if (bad[i] == replacement)
                    continue;
                bad[i] = replacement;
                QUrlQuery q = good;
                q.removeAllQueryItems("signature");
                q.addQueryItem("signature", bad);
                const Status st = s.verify("GET", kPath, q, kNow);
                QVERIFY2(!st.ok(), qPrintable(QStringLiteral("position %1 accepted").arg(i)));
                QCOMPARE(st.error().kind(), ErrorKind::PermissionDenied);
            }
        }
    }

    void tamperedFields_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("later expiry") << "expires" << QString::number(kNow + 3601) << "does not match";
        QTest::newRow("earlier expiry") << "expires" << QString::number(kNow + 10) << "does not match";
        QTest::newRow("expiry with sign") << "expires"
                                          << "+" + QString::number(kNow + 3600) << "not a unix time";
        QTest::newRow("expiry not a number") << "expires"
                                             << "soon"
                                             << "not a unix time";
        QTest::newRow("empty expiry") << "expires"
                                      << ""
                                      << "not a unix time";
        QTest::newRow("signature with padding") << "signature"
                                                << ""
                                                << "malformed";
        QTest::newRow("short signature") << "signature"
                                         << "AAAA"
                                         << "malformed";
        QTest::newRow("standard base64 alphabet") << "signature"
                                                  << "+/"
                                                  << "malformed";
        QTest::newRow("method PUT") << "method"
                                    << "PUT"
                                    << "signed for PUT";
        QTest::newRow("method DELETE") << "method"
                                       << "DELETE"
                                       << "cannot be signed";
        QTest::newRow("method lower case") << "method"
                                           << "get"
                                           << "cannot be signed";
    }
    void tamperedFields()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, message);
        const UrlSigner s = signer();
        QUrlQuery q = signedQuery(s, "GET");
        const QString original = q.queryItemValue(name);
        if (QByteArray(QTest::currentDataTag()) == "signature with padding")
            value = original + QStringLiteral("=");
        if (QByteArray(QTest::currentDataTag()) == "standard base64 alphabet")
            value = original.left(41) + value;
        q.removeAllQueryItems(name);
        q.addQueryItem(name, value);
        const Status st = s.verify("GET", kPath, q, kNow);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().kind(), ErrorKind::PermissionDenied);
        QVERIFY2(st.error().message().contains(message), qPrintable(st.error().message()));
    }

    void missingAndRepeatedParameters_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("repeat");
        for (const char* name : {"method", "expires", "signature"}) {
            QTest::newRow(QByteArray(name) + " missing") << QString::fromLatin1(name) << false;
            QTest::newRow(QByteArray(name) + " twice") << QString::fromLatin1(name) << true;
        }
    }
    void missingAndRepeatedParameters()
    {
        QFETCH(QString, name);
        QFETCH(bool, repeat);
        const UrlSigner s = signer();
        QUrlQuery q = signedQuery(s, "GET");
        if (repeat)
            q.addQueryItem(name, q.queryItemValue(name));
        else
            q.removeAllQueryItems(name);
        const Status st = s.verify("GET", kPath, q, kNow);
        QVERIFY(!st.ok());
        QVERIFY2(st.error().message().contains(name), qPrintable(st.error().message()));
    }

    void expired()
    {
        const UrlSigner s = signer();
        const QUrlQuery q = signedQuery(s, "GET", kPath, 60);
        QVERIFY(s.verify("GET", kPath, q, kNow + 60).ok());
        const Status st = s.verify("GET", kPath, q, kNow + 61);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().kind(), ErrorKind::PermissionDenied);
        QVERIFY2(st.error().message().contains("expired 1 s ago"), qPrintable(st.error().message()));
        QVERIFY(!s.verify("GET", kPath, q, kNow + 10 * 86400).ok());
    }

    // Over the maximum, a TTL is clamped (not refused): the answer's expiry says what was granted.
    void ttlClampedToSevenDays()
    {
        const UrlSigner s = signer();
        auto out = s.sign("GET", kPath, 30 * 86400, kNow);
        QVERIFY(out.ok());
        QCOMPARE(out->expires, kNow + 604800);
        QVERIFY(s.verify("GET", kPath, QUrlQuery(out->query), kNow + 604800).ok());
        QVERIFY(!s.verify("GET", kPath, QUrlQuery(out->query), kNow + 604801).ok());
        QCOMPARE(s.sign("GET", kPath, 604800, kNow)->expires, kNow + 604800);
        QCOMPARE(s.sign("GET", kPath, 1, kNow)->expires, kNow + 1);
    }

    void ttlBelowOneSecondRefused()
    {
        const UrlSigner s = signer();
        for (qint64 ttl : {qint64(0), qint64(-1), qint64(-3600)}) {
            auto out = s.sign("GET", kPath, ttl, kNow);
            QVERIFY(!out.ok());
            QCOMPARE(out.error().kind(), ErrorKind::InvalidInput);
        }
    }

    void configuredLimits()
    {
        UrlSigner::Options options;
        options.defaultTtlSeconds = 120;
        options.maxTtlSeconds = 600;
        const UrlSigner s = signer(options);
        QCOMPARE(s.sign("GET", kPath, std::nullopt, kNow)->expires, kNow + 120);
        QCOMPARE(s.sign("GET", kPath, 3600, kNow)->expires, kNow + 600);
        // A URL reaching further than this server's maximum was not made by it.
        const QUrlQuery far = signedQuery(signer(), "GET", kPath, 3600);
        const Status st = s.verify("GET", kPath, far, kNow);
        QVERIFY(!st.ok());
        QVERIFY(st.error().message().contains("maximum lifetime"));
    }

    void badOptionsRefused_data()
    {
        QTest::addColumn<qint64>("defaultTtl");
        QTest::addColumn<qint64>("maxTtl");
        QTest::newRow("max above 7 days") << qint64(3600) << qint64(604801);
        QTest::newRow("max zero") << qint64(3600) << qint64(0);
        QTest::newRow("default above max") << qint64(7200) << qint64(3600);
        QTest::newRow("default zero") << qint64(0) << qint64(3600);
    }
    void badOptionsRefused()
    {
        QFETCH(qint64, defaultTtl);
        QFETCH(qint64, maxTtl);
        UrlSigner::Options options;
        options.defaultTtlSeconds = defaultTtl;
        options.maxTtlSeconds = maxTtl;
        auto s = UrlSigner::fromKey(kKey, options);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().kind(), ErrorKind::InvalidInput);
        QVERIFY(s.error().message().contains("signed_urls."));
    }

    void otherMethod()
    {
        const UrlSigner s = signer();
        const QUrlQuery get = signedQuery(s, "GET");
        const QUrlQuery put = signedQuery(s, "PUT");
        const QUrlQuery head = signedQuery(s, "HEAD");
        QVERIFY(!s.verify("PUT", kPath, get, kNow).ok());
        QVERIFY(!s.verify("POST", kPath, get, kNow).ok());
        QVERIFY(!s.verify("GET", kPath, put, kNow).ok());
        QVERIFY(!s.verify("HEAD", kPath, put, kNow).ok());
        QVERIFY(s.verify("PUT", kPath, put, kNow).ok());
        // HEAD may use a GET signature, not the other way round.
        QVERIFY(s.verify("HEAD", kPath, get, kNow).ok());
        QVERIFY(s.verify("HEAD", kPath, head, kNow).ok());
        QVERIFY(!s.verify("GET", kPath, head, kNow).ok());
        // A method swapped in the query breaks the signature.
        QUrlQuery swapped = put;
        swapped.removeAllQueryItems("method");
        swapped.addQueryItem("method", "GET");
        const Status st = s.verify("GET", kPath, swapped, kNow);
        QVERIFY(!st.ok());
        QVERIFY(st.error().message().contains("does not match"));
    }

    void deleteNeverSignedNorAccepted()
    {
        const UrlSigner s = signer();
        auto out = s.sign("DELETE", kPath, std::nullopt, kNow);
        QVERIFY(!out.ok());
        QCOMPARE(out.error().kind(), ErrorKind::PermissionDenied);
        QVERIFY(!s.sign("POST", kPath, std::nullopt, kNow).ok());
        for (const QByteArray& method : {QByteArray("GET"), QByteArray("PUT"), QByteArray("HEAD")}) {
            const Status st = s.verify("DELETE", kPath, signedQuery(s, method), kNow);
            QVERIFY(!st.ok());
            QCOMPARE(st.error().kind(), ErrorKind::PermissionDenied);
            QVERIFY(st.error().message().contains("DELETE"));
        }
    }

    void otherPath_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("other file") << "/files/main/run/raw/raw_1_3.fits";
        QTest::newRow("other label") << "/files/other/run/raw/raw_1_2.fits";
        QTest::newRow("prefix") << "/files/main/run/raw";
        QTest::newRow("longer") << "/files/main/run/raw/raw_1_2.fits.bak";
        QTest::newRow("trailing slash") << "/files/main/run/raw/raw_1_2.fits/";
        QTest::newRow("case") << "/files/main/run/raw/RAW_1_2.fits";
        QTest::newRow("dot segment") << "/files/main/run/./raw/raw_1_2.fits";
        QTest::newRow("encoded form") << "/files/main/run/raw/raw_1_2%2Efits";
    }
    void otherPath()
    {
        QFETCH(QString, path);
        const UrlSigner s = signer();
        const Status st = s.verify("GET", path, signedQuery(s, "GET"), kNow);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().kind(), ErrorKind::PermissionDenied);
    }

    void signsOnlyFilePaths()
    {
        const UrlSigner s = signer();
        QVERIFY(!s.sign("GET", QStringLiteral("/api/butler/repos"), std::nullopt, kNow).ok());
        QVERIFY(s.sign("GET", kPath).ok());
    }

    void constantTimeComparisonUsed()
    {
        const UrlSigner s = signer();
        QVERIFY(UrlSigner::constantTimeEquals("abc", "abc"));
        QVERIFY(!UrlSigner::constantTimeEquals("abc", "abd"));
        QVERIFY(!UrlSigner::constantTimeEquals("abc", "abcd"));
        QUrlQuery q = signedQuery(s, "GET");
        g_memcmpCalls = 0;
        QVERIFY(s.verify("GET", kPath, q, kNow).ok());
        QVERIFY(g_memcmpCalls >= 1);
        // A wrong MAC of the right shape must also reach the constant-time comparison.
        QString sig = q.queryItemValue("signature");
        sig[0] = sig[0] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        q.removeAllQueryItems("signature");
        q.addQueryItem("signature", sig);
        g_memcmpCalls = 0;
        QVERIFY(!s.verify("GET", kPath, q, kNow).ok());
        QVERIFY(g_memcmpCalls >= 1);
    }

    void keyFileMessages()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        struct Case
        {
            QString path;
            QString message;
        };
        const Case cases[] = {
            {dir.filePath("missing.key"), "does not exist"},
            {writeFile(dir, "empty.key", ""), "is empty"},
            {writeFile(dir, "blank.key", "  \n\n"), "is empty"},
            {writeFile(dir, "short.key", QByteArray(31, 'a') + "\n"), "31-byte key; at least 32"},
            {writeFile(dir, "big.key", QByteArray(5000, 'a')), "larger than"},
            {dir.path(), "cannot be read"},
            {QString(), "not set"},
        };
        for (const Case& c : cases) {
            auto s = UrlSigner::fromKeyFile(c.path);
            QVERIFY2(!s.ok(), qPrintable(c.path));
            QCOMPARE(s.error().kind(), ErrorKind::InvalidInput);
            QVERIFY2(s.error().message().contains(c.message), qPrintable(s.error().message()));
            if (!c.path.isEmpty())
                QVERIFY(s.error().message().contains(c.path));
        }
        auto tooShort = UrlSigner::fromKey(QByteArray(31, 'a'));
        QVERIFY(!tooShort.ok());
        QVERIFY(tooShort.error().message().contains("at least 32"));
        // Exactly 32 bytes, with the trailing newline an editor adds, is enough.
        const QString ok = writeFile(dir, "ok.key", QByteArray(32, 'a') + "\n");
        QVERIFY(UrlSigner::fromKeyFile(ok).ok());
    }

    void generatedKey()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.key");
        const QString b = dir.filePath("b.key");
        QVERIFY(UrlSigner::generateKeyFile(a).ok());
        QVERIFY(UrlSigner::generateKeyFile(b).ok());
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(a).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        QFile fa(a), fb(b);
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
        const QByteArray ka = fa.readAll();
        QCOMPARE(ka.size(), 65); // 48 bytes as base64url, newline
        QVERIFY(ka != fb.readAll());
        // Never overwrites an existing key.
        const Status again = UrlSigner::generateKeyFile(a);
        QVERIFY(!again.ok());
        QFile fa2(a);
        QVERIFY(fa2.open(QIODevice::ReadOnly));
        QCOMPARE(fa2.readAll(), ka);

        auto sa = UrlSigner::fromKeyFile(a);
        auto sb = UrlSigner::fromKeyFile(b);
        QVERIFY(sa.ok() && sb.ok());
        auto out = sa->sign("GET", kPath, std::nullopt, kNow);
        QVERIFY(sa->verify("GET", kPath, QUrlQuery(out->query), kNow).ok());
        QVERIFY(!sb->verify("GET", kPath, QUrlQuery(out->query), kNow).ok());
    }
};

QTEST_GUILESS_MAIN(TestUrlSigner)
#include "tst_urlsigner.moc"
