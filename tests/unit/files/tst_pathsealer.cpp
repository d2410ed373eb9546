// PathSealer and the opaque form of FileRequest: a token opens only under the key and label it
// was sealed with, any change to it is refused as PermissionDenied, it does not show the path,
// and the opaque form round-trips through parse(), the signer and unsealed().

#include "FileRequest.h"
#include "PathSealer.h"
#include "UrlSigner.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace butler;

namespace {

const QByteArray kKey = QByteArray("0123456789abcdefghijklmnopqrstuvwxyz-test-key");
const QString kPath = QStringLiteral("u/alice/private-run/note/LSSTCam/note_LSSTCam_1234.json");

QString flip(const QString& token, qsizetype at)
{
    QString out = token;
    out[at] = out[at] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    return out;
}

} // namespace

class TestPathSealer : public QObject
{
    Q_OBJECT

private slots:
    void roundtrip_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("run path") << kPath;
        QTest::newRow("one byte") << QStringLiteral("x");
        QTest::newRow("exactly one block") << QString(PathSealer::kPadBytes, QLatin1Char('p'));
        QTest::newRow("unicode and spaces") << QStringLiteral("r\u00e9sum\u00e9 run/a b#c.fits");
        QTest::newRow("looks opaque itself") << QStringLiteral("o/AAAAbbbb");
        QTest::newRow("long") << QString(4000, QLatin1Char('z'));
    }
    void roundtrip()
    {
        QFETCH(QString, path);
        const PathSealer sealer(kKey);
        auto token = sealer.seal(QStringLiteral("main"), path);
        QVERIFY2(token.ok(), token.ok() ? "" : qPrintable(token.error().message()));
        QVERIFY(PathSealer::looksLikeToken(*token));
        QVERIFY(!token->contains(QLatin1String("alice")));
        auto opened = sealer.open(QStringLiteral("main"), *token);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message()));
        QCOMPARE(*opened, path);
        // A second sealer from the same key (a restarted server) opens it too.
        auto again = PathSealer(kKey).open(QStringLiteral("main"), *token);
        QVERIFY(again.ok());
        QCOMPARE(*again, path);
    }

    void tokensDifferAndHideTheLength()
    {
        const PathSealer sealer(kKey);
        QSet<QString> tokens;
        for (int i = 0; i < 20; ++i)
            tokens.insert(sealer.seal(QStringLiteral("main"), kPath).value());
        QCOMPARE(tokens.size(), 20); // a fresh nonce every time
        // Paths of one padding block give tokens of one length.
        const auto shortToken = sealer.seal(QStringLiteral("main"), QStringLiteral("a/b")).value();
        const auto longToken = sealer.seal(QStringLiteral("main"), QString(60, QLatin1Char('r'))).value();
        QCOMPARE(shortToken.size(), longToken.size());
    }

    void everyChangeRefused()
    {
        const PathSealer sealer(kKey);
        const QString token = sealer.seal(QStringLiteral("main"), kPath).value();
        for (qsizetype i = 0; i < token.size(); ++i) {
            auto opened = sealer.open(QStringLiteral("main"), flip(token, i));
            QVERIFY2(!opened.ok(), qPrintable(QStringLiteral("position %1 opened").arg(i)));
            QCOMPARE(opened.error().kind(), ErrorKind::PermissionDenied);
            QVERIFY(!opened.error().message().contains(QLatin1String("alice")));
        }
        const QStringList broken{QString(),
                                 token.left(token.size() - 1),
                                 token.left(20),
                                 token + QLatin1Char('A'),
                                 token + QStringLiteral("AAAA"),
                                 QString(token).replace(0, 1, QLatin1Char('+')),
                                 QString(token).insert(10, QLatin1Char('=')),
                                 QStringLiteral("not a token"),
                                 QString(200, QLatin1Char('A'))};
        for (const QString& bad : broken) {
            auto opened = sealer.open(QStringLiteral("main"), bad);
            QVERIFY2(!opened.ok(), qPrintable(bad.left(40)));
            QCOMPARE(opened.error().kind(), ErrorKind::PermissionDenied);
        }
    }

    void otherKeyOrLabelRefused()
    {
        const QString token = PathSealer(kKey).seal(QStringLiteral("main"), kPath).value();
        auto foreign = PathSealer(QByteArray(48, 'k')).open(QStringLiteral("main"), token);
        QVERIFY(!foreign.ok());
        QCOMPARE(foreign.error().kind(), ErrorKind::PermissionDenied);
        auto otherRepo = PathSealer(kKey).open(QStringLiteral("other"), token);
        QVERIFY(!otherRepo.ok());
        QCOMPARE(otherRepo.error().kind(), ErrorKind::PermissionDenied);
    }

    // NUL is the padding: a path with one cannot be sealed (and fromParts() refuses it anyway).
    void nulRefusedWhenSealing()
    {
        auto sealed = PathSealer(kKey).seal(QStringLiteral("main"), QStringLiteral("a") + QChar(0) + u'b');
        QVERIFY(!sealed.ok());
        QCOMPARE(sealed.error().kind(), ErrorKind::InvalidInput);
    }

    void opaqueForm_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("opaque");
        QTest::newRow("token") << "o/AbC-_9" << true;
        QTest::newRow("run path") << "run/o/x" << false;
        QTest::newRow("o folder with a file with a dot") << "o/x.fits" << false;
        QTest::newRow("o folder with a subfolder") << "o/x/y" << false;
        QTest::newRow("empty token") << "o/" << false;
        QTest::newRow("other letter") << "p/AAAA" << false;
    }
    void opaqueForm()
    {
        QFETCH(QString, path);
        QFETCH(bool, opaque);
        QCOMPARE(FileRequest::isOpaqueForm(path), opaque);
    }

    // sealed() -> URL -> parse() -> verify -> unsealed() gives the datastore path back; the
    // URL names no part of it, and a plain request unseals to itself.
    void requestRoundtrip()
    {
        auto signer = UrlSigner::fromKey(kKey);
        QVERIFY(signer.ok());
        auto sealed = FileRequest::sealed(QStringLiteral("main"), kPath, signer->sealer());
        QVERIFY2(sealed.ok(), sealed.ok() ? "" : qPrintable(sealed.error().message()));
        QVERIFY(sealed->isOpaque());
        QVERIFY(sealed->signedPath().startsWith(QLatin1String("/files/main/o/")));
        const QByteArray encoded = sealed->encodedPath();
        QVERIFY(!encoded.contains("alice"));
        QVERIFY(!encoded.contains("note"));
        auto s = signer->sign("GET", sealed->signedPath(), 600);
        QVERIFY(s.ok());

        auto parsed = FileRequest::parse(encoded);
        QVERIFY(parsed.ok());
        QVERIFY(parsed->isOpaque());
        QVERIFY(signer->verify("GET", parsed->signedPath(), QUrlQuery(s->query)).ok());
        auto target = parsed->unsealed(signer->sealer());
        QVERIFY2(target.ok(), target.ok() ? "" : qPrintable(target.error().message()));
        QCOMPARE(target->relativePath(), kPath);
        QCOMPARE(target->label(), QStringLiteral("main"));
        QVERIFY(!target->isOpaque());

        auto plain = FileRequest::fromParts(QStringLiteral("main"), kPath);
        auto same = plain->unsealed(signer->sealer());
        QVERIFY(same.ok());
        QCOMPARE(same->relativePath(), kPath);

        // Sealing checks the path as fromParts() does.
        QVERIFY(!FileRequest::sealed(QStringLiteral("main"), QStringLiteral("../x"), signer->sealer()).ok());
        QVERIFY(!FileRequest::sealed(QStringLiteral("main"), QStringLiteral("/etc/passwd"), signer->sealer())
                     .ok());
    }

    void unsealRefusals()
    {
        auto signer = UrlSigner::fromKey(kKey);
        auto other = UrlSigner::fromKey(QByteArray(48, 'x'));
        QVERIFY(signer.ok() && other.ok());
        const QString token = signer->sealer().seal(QStringLiteral("main"), kPath).value();

        const auto unseal = [&](const UrlSigner& by, const QString& label, const QString& t) {
            auto request = FileRequest::fromParts(label, QStringLiteral("o/") + t);
            return request.value().unsealed(by.sealer());
        };
        QVERIFY(unseal(*signer, QStringLiteral("main"), token).ok());
        for (const auto& r :
             {unseal(*other, QStringLiteral("main"), token), unseal(*signer, QStringLiteral("other"), token),
              unseal(*signer, QStringLiteral("main"), flip(token, 30))}) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().kind(), ErrorKind::PermissionDenied);
            QVERIFY(r.error().message().startsWith(QLatin1String("signed URL refused")));
        }

        // A sealed path that would leave the root is refused even though the token is genuine
        // (this server never seals one; the check stays).
        const QString traversal =
            signer->sealer().seal(QStringLiteral("main"), QStringLiteral("../secret")).value();
        auto r = unseal(*signer, QStringLiteral("main"), traversal);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind(), ErrorKind::PermissionDenied);
    }

    // The opaque request resolves like the plain one: inside the root, symlinks out refused.
    void unsealedResolvesInsideTheRoot()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString root = dir.filePath(QStringLiteral("root"));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/u/alice")));
        QFile f(root + QStringLiteral("/u/alice/a.json"));
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write("{}") == 2);
        f.close();
        auto signer = UrlSigner::fromKey(kKey);
        auto sealed =
            FileRequest::sealed(QStringLiteral("main"), QStringLiteral("u/alice/a.json"), signer->sealer());
        QVERIFY(sealed.ok());
        // The opaque path itself names no file.
        QCOMPARE(sealed->resolve(root).error().kind(), ErrorKind::NotFound);
        auto target = sealed->unsealed(signer->sealer());
        QVERIFY(target.ok());
        auto resolved = target->resolve(root);
        QVERIFY2(resolved.ok(), resolved.ok() ? "" : qPrintable(resolved.error().message()));
        QVERIFY(resolved->endsWith(QLatin1String("/u/alice/a.json")));
    }
};

QTEST_GUILESS_MAIN(TestPathSealer)
#include "tst_pathsealer.moc"
