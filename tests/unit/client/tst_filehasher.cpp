// FileHasher: the sha256 and size of every file, also with more threads than files and from a
// list the caller still shares; the first failure in list order; stopping early on destruction.
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
    void hashesEveryFile_data();
    void hashesEveryFile();
    void firstFailureInListOrder();
    void destroyedWhileHashing();
};

void TestFileHasher::hashesEveryFile_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("one thread") << 1;
    QTest::newRow("four threads") << 4;
    QTest::newRow("more threads than files") << 500;
}

void TestFileHasher::hashesEveryFile()
{
    QFETCH(int, threads);
    QTemporaryDir dir;
    QList<QString> paths;
    QList<QByteArray> bodies;
    for (int i = 0; i < 300; ++i) {
        bodies.append(content(i, (i * 977) % 5000));
        paths.append(writeFile(dir, QStringLiteral("f%1.bin").arg(i), bodies.last()));
    }
    // The caller keeps its copy of the list: the threads must not detach it.
    FileHasher hasher(paths, threads);
    const Status status = hasher.wait();
    QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message()));
    for (qsizetype i = 0; i < paths.size(); ++i) {
        QCOMPARE(hasher.size(i), qint64(bodies[i].size()));
        QCOMPARE(
            hasher.sha256(i),
            QString::fromLatin1(QCryptographicHash::hash(bodies[i], QCryptographicHash::Sha256).toHex()));
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
