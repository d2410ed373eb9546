#include "CommandHooks.h"
#include "DirectButler.h"
#include "ImportCommandHook.h"

#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

QString exportPath(const QString& name)
{
    return QStringLiteral(BUTLER_SHARED_DATA "/daf_butler-exports/") + name;
}

} // namespace

// Evaluates the expression once, then fails with its error message.
#define VERIFY_RESULT(expr)                                                                                  \
    do {                                                                                                     \
        const auto& verifiedResult_ = (expr);                                                                \
        QVERIFY2(verifiedResult_.ok(),                                                                       \
                 verifiedResult_.ok() ? "" : qPrintable(verifiedResult_.error().message()));                 \
    } while (false)

class TestImportCommandHook : public QObject
{
    Q_OBJECT

private slots:
    void builtInHasTheImporter();
    void reportsWhatWasImported();
    void passesErrorsOn();

private:
    std::unique_ptr<DirectButler> openRepo(const QTemporaryDir& dir);
};

std::unique_ptr<DirectButler> TestImportCommandHook::openRepo(const QTemporaryDir& dir)
{
    const QString repo = dir.filePath(QStringLiteral("repo"));
    if (!DirectButler::create(repo).ok())
        return nullptr;
    Result<std::unique_ptr<DirectButler>> opened = DirectButler::open(repo);
    return opened.ok() ? std::move(opened).value() : nullptr;
}

void TestImportCommandHook::builtInHasTheImporter()
{
    QVERIFY(bool(CommandHooks::builtIn().importExport));
}

void TestImportCommandHook::reportsWhatWasImported()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::unique_ptr<DirectButler> butler = openRepo(dir);
    QVERIFY(butler);
    QString text;
    QTextStream out(&text);
    ImportRequest request;
    request.exportFile = exportPath(QStringLiteral("base.yaml"));
    VERIFY_RESULT(ImportCommandHook::run(*butler, request, out));
    request.exportFile = exportPath(QStringLiteral("datasets.yaml"));
    VERIFY_RESULT(ImportCommandHook::run(*butler, request, out));
    out.flush();
    QCOMPARE(text,
             QStringLiteral("Imported 8 dimension records, 2 dataset types, 0 collections and 0 datasets (0 "
                            "with files).\n"
                            "Imported 0 dimension records, 0 dataset types, 2 collections and 13 datasets (0 "
                            "with files).\n"));
}

void TestImportCommandHook::passesErrorsOn()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::unique_ptr<DirectButler> butler = openRepo(dir);
    QVERIFY(butler);
    QString text;
    QTextStream out(&text);
    ImportRequest request;
    // datasets.yaml needs base.yaml's instrument, detectors and dataset types.
    request.exportFile = exportPath(QStringLiteral("datasets.yaml"));
    const Status status = ImportCommandHook::run(*butler, request, out);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().kind(), ErrorKind::NotFound);
    QVERIFY2(status.error().message().startsWith(QLatin1String("datasets.yaml:")),
             qPrintable(status.error().message()));
    out.flush();
    QVERIFY(text.isEmpty());
}

QTEST_GUILESS_MAIN(TestImportCommandHook)
#include "tst_importcommandhook.moc"
