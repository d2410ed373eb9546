// Edit > Preferences: the language is saved to ui/language, applies at once (tst_browserlanguage
// follows a running window through the switch) and again at the next start (played here the way
// butler-browser's main() does it: AppLanguage::install(), then the window), and the choice to
// share sign-ins with the command line reaches the token store.

#include "AppLanguage.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "TokenStore.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace butler;

namespace {

QStringList menuTitles(const MainWindow& window)
{
    QStringList titles;
    for (QAction* action : window.menuBar()->actions())
        titles << action->text();
    return titles;
}

void removeTranslators(const QList<QTranslator*>& translators)
{
    for (QTranslator* translator : translators) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
}

} // namespace

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void offersTheLanguages();
    void savesTheLanguageForTheNextStart_data();
    void savesTheLanguageForTheNextStart();
    void systemDefaultRemovesTheSetting();
    void cancelKeepsTheSettings();
    void sharingReachesTheTokenStore();

private:
    QTemporaryDir m_dir;
};

void TestSettingsDialog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("ButlerTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_settingsdialog"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
}

void TestSettingsDialog::init()
{
    QSettings().clear();
    QLocale::setDefault(QLocale::c());
}

void TestSettingsDialog::offersTheLanguages()
{
    SettingsDialog dialog;
    QComboBox* box = dialog.languageBox();
    QCOMPARE(box->accessibleName(), QStringLiteral("Language"));
    QCOMPARE(box->count(), 4);
    QCOMPARE(box->itemData(0).toString(), QString());
    QCOMPARE(box->itemText(0), QStringLiteral("System default"));
    QCOMPARE(box->itemText(1), QStringLiteral("English"));
    QCOMPARE(box->itemText(2), QStringLiteral("Español"));
    QCOMPARE(box->itemText(3), QStringLiteral("Français"));
    QCOMPARE(box->currentIndex(), 0);
    QVERIFY(dialog.languageNote().isEmpty());
    // The note says when a change applies.
    box->setCurrentIndex(3);
    QCOMPARE(dialog.languageNote(), QStringLiteral("Butler switches to the new language when you confirm."));
    box->setCurrentIndex(0);
    QVERIFY(dialog.languageNote().isEmpty());
}

void TestSettingsDialog::savesTheLanguageForTheNextStart_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("edit");
    QTest::addColumn<QString>("go");
    QTest::newRow("fr") << "fr"
                        << "&Fichier"
                        << "&Édition"
                        << "A&ller";
    QTest::newRow("es") << "es"
                        << "&Archivo"
                        << "&Editar"
                        << "&Ir";
    QTest::newRow("en") << "en"
                        << "&File"
                        << "&Edit"
                        << "&Go";
}

void TestSettingsDialog::savesTheLanguageForTheNextStart()
{
    QFETCH(QString, code);
    QFETCH(QString, file);
    QFETCH(QString, edit);
    QFETCH(QString, go);

    {
        SettingsDialog dialog;
        QSignalSpy changed(&dialog, &SettingsDialog::languageChanged);
        dialog.languageBox()->setCurrentIndex(dialog.languageBox()->findData(code));
        dialog.accept();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().first().toString(), code);
    }
    QCOMPARE(QSettings().value(QStringLiteral("ui/language")).toString(), code);
    QCOMPARE(AppLanguage::configured(), code);
    QCOMPARE(AppLanguage::locale().name().left(2), code);

    // The next start: catalogues first, then the window.
    const QList<QTranslator*> installed = AppLanguage::install(qApp);
    {
        MainWindow window(LocalServerFactory{});
        const QStringList titles = menuTitles(window);
        QVERIFY2(titles.contains(file), qPrintable(titles.join(QLatin1Char('|'))));
        QVERIFY2(titles.contains(edit), qPrintable(titles.join(QLatin1Char('|'))));
        QVERIFY2(titles.contains(go), qPrintable(titles.join(QLatin1Char('|'))));
        // A dialog made now speaks the language too and shows the choice.
        SettingsDialog again;
        QCOMPARE(again.languageBox()->currentData().toString(), code);
    }
    removeTranslators(installed);
    QLocale::setDefault(QLocale::c());
}

void TestSettingsDialog::systemDefaultRemovesTheSetting()
{
    AppLanguage::setConfigured(QStringLiteral("es"));
    SettingsDialog dialog;
    QCOMPARE(dialog.languageBox()->currentData().toString(), QStringLiteral("es"));
    dialog.languageBox()->setCurrentIndex(0);
    dialog.accept();
    QVERIFY(!QSettings().contains(QStringLiteral("ui/language")));
    QCOMPARE(AppLanguage::locale(), QLocale::system());
}

void TestSettingsDialog::cancelKeepsTheSettings()
{
    SettingsDialog dialog;
    QSignalSpy changed(&dialog, &SettingsDialog::languageChanged);
    dialog.languageBox()->setCurrentIndex(2);
    dialog.shareTokensBox()->setChecked(false);
    dialog.reject();
    QCOMPARE(changed.size(), 0);
    QVERIFY(!QSettings().contains(QStringLiteral("ui/language")));
    QVERIFY(SettingsDialog::shareTokensWithCommandLine());
}

void TestSettingsDialog::sharingReachesTheTokenStore()
{
    MainWindow window(LocalServerFactory{});
    QVERIFY(window.tokenStore()->shareWithCommandLine());
    SettingsDialog* dialog = window.showPreferences();
    QVERIFY(dialog);
    QCOMPARE(dialog->shareTokensBox()->accessibleName(),
             QStringLiteral("Share sign-ins with the butler command line"));
    QVERIFY(dialog->shareTokensBox()->isChecked());
    dialog->shareTokensBox()->setChecked(false);
    dialog->accept();
    QVERIFY(!window.tokenStore()->shareWithCommandLine());
    QCOMPARE(QSettings().value(SettingsDialog::ShareTokensKey).toBool(), false);
    // A new window (the next start) keeps the choice.
    MainWindow next(LocalServerFactory{});
    QVERIFY(!next.tokenStore()->shareWithCommandLine());
    // Edit > Preferences has the platform's keys and Ctrl+Comma.
    auto* action = window.findChild<QAction*>(QStringLiteral("preferencesAction"));
    QVERIFY(action);
    QVERIFY(action->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_Comma)));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
