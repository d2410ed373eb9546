// ContentHash against published digests (xxh128sum's hex for XXH3-128). FileHasher: the digest
// and size of every file, for both kinds, also with more threads than files and from a
// list the caller still shares; the first failure in list order; stopping early on destruction.
#include "ContentHash.h"
#include "FileHasher.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

QByteArray content(int seed, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char((i * 13 + seed * 29) & 0xff);
    return bytes;
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

} // namespace

class TestFileHasher : public QObject
{
    Q_OBJECT

private slots:
    void knownDigests();
    void hashesEveryFile_data();
    void hashesEveryFile();
    void firstFailureInListOrder();
    void destroyedWhileHashing();
};

void TestFileHasher::knownDigests()
{
    QCOMPARE(ContentHash::sha256("abc"),
             QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(ContentHash::xxh128(QByteArray()), QStringLiteral("99aa06d3014798d86001c324468d497f"));
    QCOMPARE(ContentHash::xxh128("Butler"), QStringLiteral("59337a9390f3f3538f66eb82305b7fed"));
    // A file read in several pieces has the digest of its whole content.
    QTemporaryDir dir;
    const QByteArray big = content(7, 1000 * 1000);
    const QString path = writeFile(dir, QStringLiteral("big.bin"), big);
    qint64 size = 0;
    const Result<QString> xxh = ContentHash::ofFile(ContentHash::Kind::Xxh128, path, &size);
    QVERIFY(xxh.ok());
    QCOMPARE(*xxh, ContentHash::xxh128(big));
    QCOMPARE(size, qint64(big.size()));
    const Result<QString> sha = ContentHash::ofFile(ContentHash::Kind::Sha256, path);
    QVERIFY(sha.ok());
    QCOMPARE(*sha, QString::fromLatin1(QCryptographicHash::hash(big, QCryptographicHash::Sha256).toHex()));
    QVERIFY(*xxh != ContentHash::xxh128(big.left(big.size() - 1)));
}

void TestFileHasher::hashesEveryFile_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<bool>("xxh128");
    QTest::newRow("one thread") << 1 << false;
    QTest::newRow("four threads") << 4 << false;
    QTest::newRow("more threads than files") << 500 << false;
    QTest::newRow("xxh128, one thread") << 1 << true;
    QTest::newRow("xxh128, four threads") << 4 << true;
}

void TestFileHasher::hashesEveryFile()
{
    QFETCH(int, threads);
    QFETCH(bool, xxh128);
    QTemporaryDir dir;
    QList<QString> paths;
    QList<QByteArray> bodies;
    for (int i = 0; i < 300; ++i) {
        bodies.append(content(i, (i * 977) % 5000));
        paths.append(writeFile(dir, QStringLiteral("f%1.bin").arg(i), bodies.last()));
    }
    // The caller keeps its copy of the list: the threads must not detach it.
    FileHasher hasher(paths, threads, xxh128 ? ContentHash::Kind::Xxh128 : ContentHash::Kind::Sha256);
    const Status status = hasher.wait();
    QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
    for (qsizetype i = 0; i < paths.size(); ++i) {
        QCOMPARE(hasher.size(i), qint64(bodies[i].size()));
        const QString expected =
            xxh128 ? ContentHash::xxh128(bodies[i])
                   : QString::fromLatin1(
                         QCryptographicHash::hash(bodies[i], QCryptographicHash::Sha256).toHex());
        QCOMPARE(hasher.digest(i), expected);
    }
    QCOMPARE(paths.size(), 300); // untouched
}

void TestFileHasher::firstFailureInListOrder()
{
    QTemporaryDir dir;
    QList<QString> paths;
    for (int i = 0; i < 20; ++i)
        paths.append(writeFile(dir, QStringLiteral("f%1.bin").arg(i), content(i, 100)));
    paths[5] = dir.filePath(QStringLiteral("missing-5.bin"));
    FileHasher hasher(paths, 1);
    const Status status = hasher.wait();
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message().contains(QStringLiteral("missing-5.bin")),
             qPrintable(status.error().message()));
}

void TestFileHasher::destroyedWhileHashing()
{
    QTemporaryDir dir;
    QList<QString> paths;
    for (int i = 0; i < 200; ++i)
        paths.append(writeFile(dir, QStringLiteral("f%1.bin").arg(i), content(i, 64 * 1024)));
    // Stops and joins without wait(): a thread left joinable would terminate the process.
    for (int round = 0; round < 20; ++round)
        FileHasher hasher(paths, 3);
    FileHasher last(paths, 3);
    QVERIFY(last.wait().ok());
}

QTEST_GUILESS_MAIN(TestFileHasher)
#include "tst_filehasher.moc"
