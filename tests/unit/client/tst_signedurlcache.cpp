// SignedUrlCache: entries serve while their URL lives long enough and they are young, can be
// dropped by ID or all at once, and the cache stays bounded.
#include "SignedUrlCache.h"

#include <QTest>

using namespace butler;

namespace {

constexpr qint64 Now = 1'750'000'000;

SignedFileInfo signedFile(const QUuid& id, qint64 expires)
{
    SignedFileInfo info;
    info.file.id = id;
    info.file.uri =
        QStringLiteral("http://127.0.0.1:1/files/main/x?signature=") + id.toString(QUuid::WithoutBraces);
    info.expires = expires > 0 ? QDateTime::fromSecsSinceEpoch(expires, Qt::UTC) : QDateTime();
    return info;
}

} // namespace

class TestSignedUrlCache : public QObject
{
    Q_OBJECT

private slots:
    void servesWhileTheUrlLives()
    {
        SignedUrlCache cache;
        const QUuid id = QUuid::createUuid();
        QVERIFY(!cache.find(id, Now));
        cache.store({signedFile(id, Now + 3600)}, Now);
        const auto found = cache.find(id, Now + 10);
        QVERIFY(found);
        QCOMPARE(found->file.uri, signedFile(id, 0).file.uri);
        // A URL about to expire is not handed out again.
        QVERIFY(!cache.find(id, Now + 3600 - SignedUrlCache::kMinLifeSeconds + 1));
        // Nor one fetched long ago, however long it lives.
        cache.store({signedFile(id, Now + 86400)}, Now);
        QVERIFY(cache.find(id, Now + SignedUrlCache::kMaxAgeSeconds));
        QVERIFY(!cache.find(id, Now + SignedUrlCache::kMaxAgeSeconds + 1));
        // Without an expiry, age alone decides.
        cache.store({signedFile(id, 0)}, Now);
        QVERIFY(cache.find(id, Now + 1));
    }

    void removeAndClear()
    {
        SignedUrlCache cache;
        const QUuid a = QUuid::createUuid();
        const QUuid b = QUuid::createUuid();
        cache.store({signedFile(a, Now + 3600), signedFile(b, Now + 3600)}, Now);
        cache.remove({a});
        QVERIFY(!cache.find(a, Now));
        QVERIFY(cache.find(b, Now));
        cache.clear();
        QVERIFY(!cache.find(b, Now));
        QCOMPARE(cache.size(), 0);
    }

    void staysBounded()
    {
        SignedUrlCache cache;
        QList<SignedFileInfo> batch;
        for (qsizetype i = 0; i < SignedUrlCache::kMaxEntries; ++i)
            batch.append(signedFile(QUuid::createUuid(), Now + 3600));
        cache.store(batch, Now);
        QCOMPARE(cache.size(), SignedUrlCache::kMaxEntries);
        const QUuid late = QUuid::createUuid();
        cache.store({signedFile(late, Now + 3600)}, Now + 1);
        QVERIFY(cache.size() <= SignedUrlCache::kMaxEntries);
        QVERIFY(cache.find(late, Now + 1));
    }
};

QTEST_GUILESS_MAIN(TestSignedUrlCache)
#include "tst_signedurlcache.moc"
