// Upload URLs (UrlSigner::signPut/verifyPut) and the receiver that stores an upload's body
// (UploadReceiver): a PUT URL binds method, path, expiry and exact size, and nothing but a
// body of that size (and, when announced, that sha256) ever reaches its final path.

#include "FileRequest.h"
#include "UploadReceiver.h"
#include "UrlSigner.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <cstdint>
#include <optional>
#include <sys/syscall.h>
#include <unistd.h>

using namespace butler;

namespace {

const QByteArray kKey(48, 'u');
const QString kPath = QStringLiteral("/files/main/u/alice/run/blob/blob_1_abc.bin");
constexpr qint64 kNow = 1700000000;

UrlSigner signer()
{
    auto s = UrlSigner::fromKey(kKey);
    if (!s.ok())
        qFatal("%s", qPrintable(s.error().message()));
    return std::move(s).value();
}

QUrlQuery putQuery(const UrlSigner& s, qint64 size, const QString& path = kPath, qint64 ttl = 600)
{
    auto out = s.signPut(path, size, ttl, kNow);
    if (!out.ok())
        qFatal("%s", qPrintable(out.error().message()));
    return QUrlQuery(out->query);
}

QUrlQuery replaced(QUrlQuery query, const QString& key, const QString& value)
{
    query.removeAllQueryItems(key);
    query.addQueryItem(key, value);
    return query;
}

// The kernel's count of a file's dirty pages (cachestat, Linux 6.5; the C library has no
// wrapper yet), or nothing where the kernel lacks it.
std::optional<std::uint64_t> dirtyPages(const QString& path)
{
    struct Range
    {
        std::uint64_t offset;
        std::uint64_t length;
    } range{0, 0};
    struct Stat
    {
        std::uint64_t cache, dirty, writeback, evicted, recentlyEvicted;
    } stat{};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    constexpr long kCachestat = 451; // the same number on every architecture
    if (::syscall(kCachestat, file.handle(), &range, &stat, 0) != 0)
        return std::nullopt;
    return stat.dirty;
}

QString files(const QTemporaryDir& dir)
{
    return QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).join(u',');
}

} // namespace

class TestUploadSigning : public QObject
{
    Q_OBJECT

private slots:
    void putUrlRoundTrips();
    void putUrlBindsSizePathExpiryAndMethod_data();
    void putUrlBindsSizePathExpiryAndMethod();
    void kindsOfUrlDoNotMix();
    void negativeSizeIsNotSigned();

    void receiverStoresExactBody();
    void receiverStartsWriteBackWhenAsked();
    void receiverReplacesAnEarlierUpload();
    void receiverRefusesTooManyBytes();
    void receiverRefusesTooFewBytes();
    void receiverChecksAnnouncedSha256();
    void droppedReceiverLeavesNothing();
    void resolveForWriteStaysInRoot();
};

void TestUploadSigning::putUrlRoundTrips()
{
    const UrlSigner s = signer();
    const QUrlQuery query = putQuery(s, 12345);
    QCOMPARE(query.queryItemValue(QStringLiteral("size")), QStringLiteral("12345"));
    QCOMPARE(query.queryItemValue(QStringLiteral("method")), QStringLiteral("PUT"));
    auto size = s.verifyPut(kPath, query, kNow + 10);
    QVERIFY2(size.ok(), size.ok() ? "" : qPrintable(size.error().message()));
    QCOMPARE(size.value(), qint64(12345));
    QCOMPARE(putQuery(s, 0).queryItemValue(QStringLiteral("size")), QStringLiteral("0"));
    QVERIFY(s.verifyPut(kPath, putQuery(s, 0), kNow).ok());
}

void TestUploadSigning::putUrlBindsSizePathExpiryAndMethod_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<qint64>("when");
    QTest::addColumn<QString>("reason");
    const QString none;
    QTest::newRow("other size") << kPath << "size"
                                << "12346" << kNow << "does not match";
    QTest::newRow("size with a sign") << kPath << "size"
                                      << "+12345" << kNow << "not a number";
    QTest::newRow("other path") << QStringLiteral("/files/main/u/bob/run/blob/blob_1_abc.bin") << none << none
                                << kNow << "does not match";
    QTest::newRow("other expiry") << kPath << "expires" << QString::number(kNow + 601) << kNow
                                  << "does not match";
    QTest::newRow("method GET") << kPath << "method"
                                << "GET" << kNow << "signed for GET";
    QTest::newRow("expired") << kPath << none << none << kNow + 601 << "expired";
    QTest::newRow("tampered signature") << kPath << "signature"
                                        << "AAAA" << kNow << "malformed";
}

void TestUploadSigning::putUrlBindsSizePathExpiryAndMethod()
{
    QFETCH(QString, path);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(qint64, when);
    QFETCH(QString, reason);
    const UrlSigner s = signer();
    QUrlQuery query = putQuery(s, 12345);
    if (!key.isEmpty())
        query = replaced(query, key, value);
    const auto size = s.verifyPut(path, query, when);
    QVERIFY(!size.ok());
    QCOMPARE(size.error().kind(), ErrorKind::PermissionDenied);
    QVERIFY2(size.error().message().contains(reason), qPrintable(size.error().message()));
}

void TestUploadSigning::kindsOfUrlDoNotMix()
{
    const UrlSigner s = signer();
    // A download URL is no upload URL, with or without a size added to it.
    auto get = s.sign("GET", kPath, 600, kNow);
    QVERIFY(get.ok());
    const QUrlQuery getQuery(get->query);
    QVERIFY(!s.verifyPut(kPath, getQuery, kNow).ok());
    QVERIFY(!s.verifyPut(kPath, replaced(getQuery, QStringLiteral("size"), QStringLiteral("5")), kNow).ok());
    auto put = s.sign("PUT", kPath, 600, kNow); // a PUT signed without a size
    QVERIFY(put.ok());
    QVERIFY(!s.verifyPut(kPath, QUrlQuery(put->query), kNow).ok());
    // An upload URL opens nothing for GET or HEAD.
    const QUrlQuery upload = putQuery(s, 10);
    QVERIFY(!s.verify("GET", kPath, upload, kNow).ok());
    QVERIFY(!s.verify("HEAD", kPath, upload, kNow).ok());
    QVERIFY(!s.verify("PUT", kPath, upload, kNow).ok());
    // One size only.
    QUrlQuery twice = upload;
    twice.addQueryItem(QStringLiteral("size"), QStringLiteral("10"));
    QVERIFY(!s.verifyPut(kPath, twice, kNow).ok());
}

void TestUploadSigning::negativeSizeIsNotSigned()
{
    QVERIFY(!signer().signPut(kPath, -1, 600, kNow).ok());
    QVERIFY(!signer().signPut(QStringLiteral("/elsewhere/x"), 1, 600, kNow).ok());
}

void TestUploadSigning::receiverStoresExactBody()
{
    QTemporaryDir dir;
    const QByteArray body = QByteArray("0123456789").repeated(1000);
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    const QString target = dir.filePath(QStringLiteral("blob.bin"));
    // The body arrives in a folder of its own (made when missing), then moves to its place.
    const QString incoming = dir.filePath(QStringLiteral("incoming"));
    auto receiver = UploadReceiver::create(target, QStringLiteral("blob.bin"), incoming, body.size(), sha);
    QVERIFY(receiver.ok());
    for (qsizetype offset = 0; offset < body.size(); offset += 777)
        QVERIFY(
            (*receiver)->write(body.constData() + offset, std::min<qsizetype>(777, body.size() - offset)));
    QVERIFY(!QFile::exists(target)); // nothing at the final path before it is complete and placed
    QVERIFY((*receiver)->finish());
    QCOMPARE((*receiver)->checksum(), QStringLiteral("sha256:") + sha);
    // xxh128sum of the body: what the client compares with its file.
    QCOMPARE((*receiver)->xxh128(), QStringLiteral("26b9e8677f17f17f2da683cfe7106d98"));
    QVERIFY((*receiver)->place().ok());
    receiver->reset();
    QFile stored(target);
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QCOMPARE(stored.readAll(), body);
    QCOMPARE(files(dir), QStringLiteral("blob.bin"));
    QVERIFY(QDir(incoming).isEmpty());
}

void TestUploadSigning::receiverStartsWriteBackWhenAsked()
{
    QTemporaryDir dir;
    const QByteArray body(4 << 20, 'w');
    auto store = [&](const QString& name, bool early) -> QString {
        const QString target = dir.filePath(name);
        auto receiver =
            UploadReceiver::create(target, name, dir.filePath(QStringLiteral("incoming")), body.size(), {});
        if (!receiver.ok())
            return {};
        (*receiver)->setEarlyWriteBack(early);
        if (!(*receiver)->write(body.constData(), body.size()) || !(*receiver)->finish() ||
            !(*receiver)->place().ok())
            return {};
        return target;
    };
    // Without it, the pages stay dirty until the kernel's own write-back (30 s by default).
    const QString late = store(QStringLiteral("late.bin"), false);
    QVERIFY(!late.isEmpty());
    const std::optional<std::uint64_t> lateDirty = dirtyPages(late);
    if (!lateDirty)
        QSKIP("the kernel cannot count a file's dirty pages (cachestat needs Linux 6.5)");
    if (*lateDirty == 0)
        QSKIP("this file system keeps no dirty pages (tmpfs, or a busy kernel wrote them back)");
    const QString early = store(QStringLiteral("early.bin"), true);
    QVERIFY(!early.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(dirtyPages(early).value_or(1), std::uint64_t(0), 5000);
}

void TestUploadSigning::receiverReplacesAnEarlierUpload()
{
    QTemporaryDir dir;
    const QString target = dir.filePath(QStringLiteral("again.bin"));
    const QString incoming = dir.filePath(QStringLiteral("incoming"));
    for (const QByteArray& body : {QByteArray("first"), QByteArray("other")}) {
        auto receiver =
            UploadReceiver::create(target, QStringLiteral("again.bin"), incoming, body.size(), {});
        QVERIFY(receiver.ok());
        QVERIFY((*receiver)->write(body.constData(), body.size()));
        QVERIFY((*receiver)->finish());
        QVERIFY((*receiver)->place().ok());
        receiver->reset();
        QFile stored(target);
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), body);
    }
    QCOMPARE(files(dir), QStringLiteral("again.bin"));
    QVERIFY(!QDir(incoming).exists() || QDir(incoming).isEmpty());
}

void TestUploadSigning::receiverRefusesTooManyBytes()
{
    QTemporaryDir dir;
    auto receiver = UploadReceiver::create(dir.filePath(QStringLiteral("x.bin")), QStringLiteral("x.bin"),
                                           dir.path(), 4, {});
    QVERIFY(receiver.ok());
    QVERIFY((*receiver)->write("abc", 3));
    QVERIFY(!(*receiver)->write("de", 2));
    QCOMPARE((*receiver)->failure().status, 400);
    QVERIFY((*receiver)->failure().message.contains(QStringLiteral("4 bytes")));
    QCOMPARE(files(dir), QString()); // the partial file is gone at once
}

void TestUploadSigning::receiverRefusesTooFewBytes()
{
    QTemporaryDir dir;
    auto receiver = UploadReceiver::create(dir.filePath(QStringLiteral("x.bin")), QStringLiteral("x.bin"),
                                           dir.path(), 4, {});
    QVERIFY(receiver.ok());
    QVERIFY((*receiver)->write("abc", 3));
    QVERIFY(!(*receiver)->finish());
    QCOMPARE((*receiver)->failure().status, 400);
    QVERIFY(!(*receiver)->place().ok());
    QCOMPARE(files(dir), QString());
}

void TestUploadSigning::receiverChecksAnnouncedSha256()
{
    QTemporaryDir dir;
    const QString announced = QString(64, u'a');
    auto receiver = UploadReceiver::create(dir.filePath(QStringLiteral("x.bin")), QStringLiteral("x.bin"),
                                           dir.path(), 4, announced);
    QVERIFY(receiver.ok());
    QVERIFY((*receiver)->write("abcd", 4));
    QVERIFY(!(*receiver)->finish());
    QVERIFY((*receiver)->failure().message.contains(QStringLiteral("sha256")));
    QCOMPARE(files(dir), QString());
}

void TestUploadSigning::droppedReceiverLeavesNothing()
{
    QTemporaryDir dir;
    {
        auto receiver = UploadReceiver::create(dir.filePath(QStringLiteral("x.bin")), QStringLiteral("x.bin"),
                                               dir.path(), 8, {});
        QVERIFY(receiver.ok());
        QVERIFY((*receiver)->write("abcd", 4));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.bin"))));
    }
    QCOMPARE(files(dir), QString());
    {
        // Complete but never placed (its slot went meanwhile): also dropped.
        auto receiver = UploadReceiver::create(dir.filePath(QStringLiteral("y.bin")), QStringLiteral("y.bin"),
                                               dir.path(), 2, {});
        QVERIFY(receiver.ok());
        QVERIFY((*receiver)->write("ab", 2));
        QVERIFY((*receiver)->finish());
    }
    QCOMPARE(files(dir), QString());
}

void TestUploadSigning::resolveForWriteStaysInRoot()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("root"));
    QVERIFY(QDir().mkpath(root));
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("outside"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("outside")), root + QStringLiteral("/escape")));
    auto inside = FileRequest::fromParts(QStringLiteral("main"), QStringLiteral("u/alice/new/file.bin"));
    QVERIFY(inside.ok());
    auto resolved = inside->resolveForWrite(root);
    QVERIFY2(resolved.ok(), resolved.ok() ? "" : qPrintable(resolved.error().message()));
    QVERIFY(resolved->endsWith(QStringLiteral("/root/u/alice/new/file.bin")));
    QVERIFY(QDir(root + QStringLiteral("/u/alice/new")).exists());
    auto escaping = FileRequest::fromParts(QStringLiteral("main"), QStringLiteral("escape/file.bin"));
    QVERIFY(escaping.ok());
    const auto refused = escaping->resolveForWrite(root);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind(), ErrorKind::PermissionDenied);
}

QTEST_GUILESS_MAIN(TestUploadSigning)
#include "tst_uploadsigning.moc"
