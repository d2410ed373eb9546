#include "FileRequest.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace butler;

namespace {

bool writeFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

bool makeSymlink(const QString& target, const QString& link)
{
    return ::symlink(QFile::encodeName(target).constData(), QFile::encodeName(link).constData()) == 0;
}

} // namespace

class TestFileRequest : public QObject
{
    Q_OBJECT

private slots:
    void validPaths_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("path");
        QTest::newRow("plain") << QByteArray("/files/main/run/raw/raw_1.fits") << "main"
                               << "run/raw/raw_1.fits";
        QTest::newRow("one segment") << QByteArray("/files/repo-2/x") << "repo-2"
                                     << "x";
        QTest::newRow("encoded space and letter") << QByteArray("/files/main/a%20b/%41.fits") << "main"
                                                  << "a b/A.fits";
        // A single encoded dot in a name is harmless; only whole '.'/'..' segments are not.
        QTest::newRow("encoded dot inside a name") << QByteArray("/files/main/a%2Efits") << "main"
                                                   << "a.fits";
        QTest::newRow("dots inside names") << QByteArray("/files/main/..a/b..") << "main"
                                           << "..a/b..";
        QTest::newRow("utf-8") << QByteArray("/files/main/caf%C3%A9") << "main"
                               << QStringLiteral("caf\u00e9");
        QTest::newRow("label with dot") << QByteArray("/files/main.v2/x") << "main.v2"
                                        << "x";
    }
    void validPaths()
    {
        QFETCH(QByteArray, encoded);
        QFETCH(QString, label);
        QFETCH(QString, path);
        auto r = FileRequest::parse(encoded);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message()));
        QCOMPARE(r->label(), label);
        QCOMPARE(r->relativePath(), path);
        QCOMPARE(r->signedPath(), QStringLiteral("/files/") + label + QLatin1Char('/') + path);
        // What the server puts in a URL parses back to the same request.
        auto again = FileRequest::parse(r->encodedPath());
        QVERIFY(again.ok());
        QCOMPARE(again->label(), label);
        QCOMPARE(again->relativePath(), path);
    }

    void encodedPathEscapesDelimiters()
    {
        auto r = FileRequest::fromParts(QStringLiteral("main"), QStringLiteral("a b/c?d#e&f.fits"));
        QVERIFY(r.ok());
        QCOMPARE(r->encodedPath(), QByteArray("/files/main/a%20b/c%3Fd%23e%26f.fits"));
    }

    // Every traversal form, in the label and in the path.
    void traversalRefused_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        const QList<QByteArray> bad = {
            "..",
            ".",
            "%2e%2e",
            "%2E%2E",
            ".%2e",
            "%2e.",
            "%2e",
            "%252e%252e",
            "%25252e%25252e",
            "%25",
            "..%2f..%2fetc",
            "a%2f..",
            "a%2F..",
            "%2f",
            "a%5c..%5cb",
            "..\\..\\etc",
            "a\\b",
            "%00",
            "a%00b",
            "%0a",
            "%c0%ae%c0%ae",
            "%e0%80%ae",
            "%",
            "%2",
            "%zz",
            "%u002e%u002e",
        };
        for (const QByteArray& segment : bad) {
            QTest::newRow("path " + segment) << QByteArray("/files/main/" + segment + "/etc/passwd");
            QTest::newRow("path end " + segment) << QByteArray("/files/main/run/" + segment);
            QTest::newRow("label " + segment) << QByteArray("/files/" + segment + "/etc/passwd");
        }
        QTest::newRow("absolute path") << QByteArray("/files/main//etc/passwd");
        QTest::newRow("absolute label") << QByteArray("/files//etc/passwd");
        QTest::newRow("empty segment") << QByteArray("/files/main/a//b");
        QTest::newRow("trailing slash") << QByteArray("/files/main/a/");
        QTest::newRow("no path") << QByteArray("/files/main");
        QTest::newRow("empty path") << QByteArray("/files/main/");
        QTest::newRow("not files") << QByteArray("/etc/passwd");
        QTest::newRow("prefix without slash") << QByteArray("/filesmain/x");
        QTest::newRow("nested traversal") << QByteArray("/files/main/a/b/../../../x");
        QTest::newRow("raw NUL") << QByteArray("/files/main/a\0b", 14);
        QTest::newRow("raw control") << QByteArray("/files/main/a\tb");
        QTest::newRow("raw space") << QByteArray("/files/main/a b");
        QTest::newRow("query inside") << QByteArray("/files/main/a?b");
        QTest::newRow("fragment inside") << QByteArray("/files/main/a#b");
        QTest::newRow("label with space") << QByteArray("/files/ma%20in/x");
        QTest::newRow("label dot first") << QByteArray("/files/.hidden/x");
        QTest::newRow("invalid utf-8") << QByteArray("/files/main/%ff%fe");
    }
    void traversalRefused()
    {
        QFETCH(QByteArray, encoded);
        auto r = FileRequest::parse(encoded);
        QVERIFY2(!r.ok(), qPrintable(r.ok() ? r->signedPath() : QString()));
        QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    }

    void fromPartsRefusesTraversal_data()
    {
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("path");
        QTest::newRow("dotdot") << "main"
                                << "../x";
        QTest::newRow("inner dotdot") << "main"
                                      << "a/../../x";
        QTest::newRow("dot") << "main"
                             << "./x";
        QTest::newRow("absolute") << "main"
                                  << "/etc/passwd";
        QTest::newRow("backslash") << "main"
                                   << "a\\..\\b";
        QTest::newRow("NUL") << "main" << QStringLiteral("a") + QChar(0) + QStringLiteral("b");
        QTest::newRow("percent (double encoding)") << "main"
                                                   << "%2e%2e/x";
        QTest::newRow("empty") << "main"
                               << "";
        QTest::newRow("label dotdot") << ".."
                                      << "x";
        QTest::newRow("label slash") << "a/b"
                                     << "x";
        QTest::newRow("label empty") << ""
                                     << "x";
        QTest::newRow("label backslash") << "a\\b"
                                         << "x";
        QTest::newRow("label percent") << "%2e%2e"
                                       << "x";
        QTest::newRow("too long") << "main" << QString(5000, QLatin1Char('a'));
    }
    void fromPartsRefusesTraversal()
    {
        QFETCH(QString, label);
        QFETCH(QString, path);
        auto r = FileRequest::fromParts(label, path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    }

    void resolveInsideRoot()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath("root");
        QVERIFY(writeFile(root + "/run/a.fits", "data"));
        auto r = FileRequest::fromParts("main", "run/a.fits");
        QVERIFY(r.ok());
        auto resolved = r->resolve(root);
        QVERIFY2(resolved.ok(), resolved.ok() ? "" : qPrintable(resolved.error().message()));
        QCOMPARE(*resolved, QFileInfo(root + "/run/a.fits").canonicalFilePath());

        // A symlink that stays inside the root is followed.
        QVERIFY(makeSymlink(root + "/run/a.fits", root + "/run/alias.fits"));
        auto alias = FileRequest::fromParts("main", "run/alias.fits")->resolve(root);
        QVERIFY(alias.ok());
        QCOMPARE(*alias, QFileInfo(root + "/run/a.fits").canonicalFilePath());

        // The root itself may be reached through a symlink.
        QVERIFY(makeSymlink(root, dir.filePath("rootlink")));
        auto viaLink = r->resolve(dir.filePath("rootlink"));
        QVERIFY(viaLink.ok());
        QCOMPARE(*viaLink, QFileInfo(root + "/run/a.fits").canonicalFilePath());
    }

    void resolveMissingOrNotAFile()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath("root");
        QVERIFY(writeFile(root + "/run/a.fits", "data"));
        const QString missing[] = {QStringLiteral("run/b.fits"), QStringLiteral("nothere/a.fits"),
                                   QStringLiteral("run/a.fits/x"), QStringLiteral("run")};
        for (const QString& path : missing) {
            auto resolved = FileRequest::fromParts("main", path)->resolve(root);
            QVERIFY2(!resolved.ok(), qPrintable(path));
            QCOMPARE(resolved.error().kind(), ErrorKind::NotFound);
        }
        auto noRoot = FileRequest::fromParts("main", "run/a.fits")->resolve(dir.filePath("absent"));
        QVERIFY(!noRoot.ok());
        QCOMPARE(noRoot.error().kind(), ErrorKind::Unavailable);
    }

    void symlinkOutOfRootRefused()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath("root");
        QVERIFY(writeFile(root + "/run/a.fits", "data"));
        QVERIFY(writeFile(dir.filePath("secret"), "secret"));
        // A sibling whose name starts like the root must not pass a prefix check.
        QVERIFY(writeFile(dir.filePath("root2/secret"), "secret"));
        QVERIFY(makeSymlink(dir.filePath("secret"), root + "/run/out.fits"));
        QVERIFY(makeSymlink("../../secret", root + "/run/relative.fits"));
        QVERIFY(makeSymlink(dir.filePath("root2/secret"), root + "/run/sibling.fits"));
        QVERIFY(makeSymlink("/etc", root + "/etc"));
        QVERIFY(makeSymlink(dir.path(), root + "/up"));
        QVERIFY(makeSymlink(root, root + "/self")); // the root is not a file to serve
        const QString paths[] = {QStringLiteral("run/out.fits"),     QStringLiteral("run/relative.fits"),
                                 QStringLiteral("run/sibling.fits"), QStringLiteral("etc/passwd"),
                                 QStringLiteral("up/secret"),        QStringLiteral("up/root2/secret")};
        for (const QString& path : paths) {
            auto resolved = FileRequest::fromParts("main", path)->resolve(root);
            QVERIFY2(!resolved.ok(), qPrintable(path));
            QCOMPARE(resolved.error().kind(), ErrorKind::PermissionDenied);
        }
        auto self = FileRequest::fromParts("main", "self")->resolve(root);
        QVERIFY(!self.ok());
        // Only where a path ends up counts: a detour that lands back inside the root is served.
        QVERIFY(FileRequest::fromParts("main", "up/root/run/a.fits")->resolve(root).ok());
        QVERIFY(FileRequest::fromParts("main", "self/run/a.fits")->resolve(root).ok());
    }
};

QTEST_GUILESS_MAIN(TestFileRequest)
#include "tst_filerequest.moc"
