// Edit > Preferences switches the language of the running browser: with a repository of the
// real butler-server open, a collection's datasets in the table, the quota in the status bar and
// two dialogs open, choosing Español, then Français, then English (through SettingsDialog, as
// the user does) changes the menus, a dock title, status-bar texts, the table headers and the
// open dialogs' buttons and labels at once, keeps the session, and saves ui/language; a sweep
// of every text of the window and the dialogs (labels, buttons, titles, actions, menus, tool
// tips, accessible names, combo items, headers and item texts) finds none of the catalogue's
// English sources left. The
// System choice removes the setting and follows the system's locale (C here: English). Set
// BUTLER_SCREENSHOT_DIR to keep a screenshot of the window and the dialogs in each language.

#include "AppLanguage.h"
#include "DatasetDetailsPanel.h"
#include "DatasetTableModel.h"
#include "DimensionRecordModel.h"
#include "DimensionUniverse.h"
#include "LoginDialog.h"
#include "MainWindow.h"
#include "NewCollectionDialog.h"
#include "OperationsModel.h"
#include "OperationsPanel.h"
#include "QuotaBar.h"
#include "ServerFixture.h"
#include "SettingsDialog.h"
#include "TokenSource.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTranslator>
#include <QTreeView>
#include <QXmlStreamReader>

using namespace butler;

namespace {

constexpr int kTimeout = 30000;

QStringList menuTitles(const MainWindow& window)
{
    QStringList titles;
    for (QAction* action : window.menuBar()->actions())
        titles << action->text();
    return titles;
}

// The English sources of the catalogue for `code` whose translation differs from them.
QSet<QString> translatedSources(const QString& code)
{
    QFile file(QStringLiteral(BUTLER_TRANSLATIONS_SOURCE "/butler_%1.ts").arg(code));
    QSet<QString> sources;
    if (!file.open(QIODevice::ReadOnly))
        return sources;
    QXmlStreamReader xml(&file);
    QString source;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("source")) {
            source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation")) {
            // Plural messages keep their forms in children: their sources hold %n and are not
            // shown as they are anyway.
            const QString translation = xml.readElementText(QXmlStreamReader::SkipChildElements);
            if (!translation.isEmpty() && translation != source)
                sources.insert(source);
        }
    }
    return sources;
}

// Every text a user may read in the window: labels, buttons, titles, actions, menus, tabs,
// placeholders, tool tips and the column headers of every view.
QStringList textsOn(QWidget* root)
{
    QStringList texts;
    QList<QWidget*> widgets = root->findChildren<QWidget*>();
    widgets.prepend(root);
    for (QWidget* widget : std::as_const(widgets)) {
        texts << widget->windowTitle() << widget->toolTip() << widget->accessibleName();
        if (auto* label = qobject_cast<QLabel*>(widget))
            texts << label->text();
        if (auto* button = qobject_cast<QAbstractButton*>(widget))
            texts << button->text();
        if (auto* group = qobject_cast<QGroupBox*>(widget))
            texts << group->title();
        if (auto* edit = qobject_cast<QLineEdit*>(widget))
            texts << edit->placeholderText();
        if (auto* tabs = qobject_cast<QTabWidget*>(widget))
            for (int i = 0; i < tabs->count(); ++i)
                texts << tabs->tabText(i) << tabs->tabToolTip(i);
        if (auto* combo = qobject_cast<QComboBox*>(widget))
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i);
        if (auto* menu = qobject_cast<QMenu*>(widget))
            texts << menu->title();
        if (auto* view = qobject_cast<QAbstractItemView*>(widget); view && view->model()) {
            // Dimension columns and record fields are named by the universe (the names that
            // where-expressions use); the other headers and the items' texts are the app's.
            const QAbstractItemModel* model = view->model();
            if (qobject_cast<const DimensionRecordModel*>(model))
                continue;
            const auto* datasets = qobject_cast<const DatasetTableModel*>(model);
            for (int column = 0; column < model->columnCount(); ++column)
                if (!datasets || datasets->columnKind(column) != DatasetTableModel::ColumnKind::Dimension)
                    texts << model->headerData(column, Qt::Horizontal).toString();
            if (!datasets)
                for (int row = 0; row < model->rowCount(); ++row)
                    for (int column = 0; column < model->columnCount(); ++column)
                        for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
                            texts << model->index(row, column).data(role).toString();
        }
    }
    for (QAction* action : root->findChildren<QAction*>())
        texts << action->text() << action->toolTip() << action->statusTip();
    texts.removeAll(QString());
    texts.removeDuplicates();
    return texts;
}

QStringList labelTexts(QWidget* dialog)
{
    QStringList texts;
    for (const QLabel* label : dialog->findChildren<QLabel*>())
        texts << label->text();
    return texts;
}

void saveScreenshot(QWidget* widget, const QString& name)
{
    const QString dir = qEnvironmentVariable("BUTLER_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QApplication::processEvents(); // the layouts take the new texts' sizes
    widget->grab().save(QStringLiteral("%1/language-%2.png").arg(dir, name));
}

// Whether Qt's own catalogue for the language is on this machine (Debian's
// qt6-translations-l10n).
bool haveQtCatalogue(const QString& code)
{
    return QFile::exists(QLibraryInfo::path(QLibraryInfo::TranslationsPath) +
                         QStringLiteral("/qtbase_%1.qm").arg(code));
}

} // namespace

class TestBrowserLanguage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void switchesWhileRunning_data();
    void switchesWhileRunning();
    void systemChoiceFollowsTheSystem();
    void cancelKeepsTheLanguage();

private:
    // Edit > Preferences, the language chosen, OK.
    void choose(const QString& code);

    ServerFixture m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
    QPointer<LoginDialog> m_login;
    QPointer<NewCollectionDialog> m_newCollection;
    RepositorySession* m_session = nullptr;
};

void TestBrowserLanguage::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("ButlerTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_browserlanguage"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
    qunsetenv(TokenSource::EnvironmentVariable);
    // The start, as butler-browser's main() makes it: the system's language (C here).
    AppLanguage::install(qApp);
    QVERIFY(AppLanguage::installed().isEmpty() || AppLanguage::locale().language() == QLocale::C);

    QVERIFY(m_server.prepare());
    QVERIFY(m_server.start());
    m_window = std::make_unique<MainWindow>(LocalServerFactory{});
    m_window->resize(1300, 850);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

    QSignalSpy opened(m_window.get(), &MainWindow::sessionOpened);
    m_window->openRemote(m_server.repoUrl(), m_server.token(QStringLiteral("alice")));
    QVERIFY(opened.wait(kTimeout));
    m_session = m_window->session();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->quotaBar()->quota().has_value(), kTimeout);
    m_window->showCollection(QStringLiteral("u/alice/run"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->busyLabel()->text(), QStringLiteral("1 dataset(s) shown"), kTimeout);
    QVERIFY(m_window->datasetModel()->columnCount() > 0);
    // Its details (file, records, preview) on screen too.
    m_window->datasetView()->selectRow(0);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->detailsPanel()->dimensionRecordsLoaded(), kTimeout);

    // Two dialogs stay open through every switch: File > Connect to server (not modal) and
    // Collection > New collection.
    m_login = m_window->showLoginDialog();
    QVERIFY(m_login);
    auto* newCollection = m_window->findChild<QAction*>(QStringLiteral("newCollectionAction"));
    QVERIFY(newCollection);
    newCollection->trigger();
    QTRY_VERIFY((m_newCollection = m_window->findChild<NewCollectionDialog*>()) &&
                m_newCollection->isVisible());
    QVERIFY(m_login->isVisible());
}

void TestBrowserLanguage::cleanupTestCase()
{
    if (m_login)
        m_login->reject();
    if (m_newCollection)
        m_newCollection->reject();
    m_window.reset();
    m_server.stop();
    AppLanguage::setConfigured(QString());
    AppLanguage::install(qApp);
}

void TestBrowserLanguage::choose(const QString& code)
{
    SettingsDialog* dialog = m_window->showPreferences();
    QVERIFY(dialog);
    QSignalSpy changed(dialog, &SettingsDialog::languageChanged);
    const int index = dialog->languageBox()->findData(code);
    QVERIFY(index >= 0);
    dialog->languageBox()->setCurrentIndex(index);
    QVERIFY(!dialog->languageNote().isEmpty());
    // OK, as the user presses it.
    QPushButton* ok = dialog->buttonBox()->button(QDialogButtonBox::Ok);
    QVERIFY(ok);
    QTest::mouseClick(ok, Qt::LeftButton);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().first().toString(), code);
}

void TestBrowserLanguage::switchesWhileRunning_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QStringList>("menus"); // File, Edit, View, Go
    QTest::addColumn<QString>("detailsDock");
    QTest::addColumn<QString>("operationsButton");
    QTest::addColumn<QString>("shown");     // "%n dataset(s) shown" for 1
    QTest::addColumn<QString>("quotaWord"); // in "%1 of %2 used"
    QTest::addColumn<QString>("datasetTypeHeader");
    QTest::addColumn<QString>("operationHeader");
    QTest::addColumn<QString>("loginTitle");
    QTest::addColumn<QString>("openButton");
    QTest::addColumn<QString>("repositoryLabel");
    QTest::addColumn<QString>("createButton");
    QTest::addColumn<QString>("nameLabel");
    QTest::addColumn<QString>("qtCancel"); // Qt's own catalogue: the standard Cancel button

    QTest::newRow("es") << "es"
                        << QStringList{QStringLiteral("&Archivo"), QStringLiteral("&Editar"),
                                       QStringLiteral("&Ver"), QStringLiteral("&Ir")}
                        << "Detalles"
                        << "Operaciones"
                        << "1 conjunto de datos mostrado"
                        << "usados"
                        << "Tipo de conjunto de datos"
                        << "Operación"
                        << "Abrir un servidor"
                        << "&Abrir"
                        << "&Repositorio:"
                        << "Crear"
                        << "&Nombre:"
                        << "Cancelar";
    QTest::newRow("fr") << "fr"
                        << QStringList{QStringLiteral("&Fichier"), QStringLiteral("&Édition"),
                                       QStringLiteral("&Affichage"), QStringLiteral("A&ller")}
                        << "Détails"
                        << "Opérations"
                        << "1 jeu de données affiché"
                        << "utilisés"
                        << "Type de jeu de données"
                        << "Opération"
                        << "Ouvrir un serveur"
                        << "&Ouvrir" << QStringLiteral("&Dépôt\u00a0:") << "Créer"
                        << QStringLiteral("&Nom\u00a0:") << "Annuler";
    QTest::newRow("en") << "en"
                        << QStringList{QStringLiteral("&File"), QStringLiteral("&Edit"),
                                       QStringLiteral("&View"), QStringLiteral("&Go")}
                        << "Details"
                        << "Operations"
                        << "1 dataset(s) shown"
                        << "used"
                        << "Dataset type"
                        << "Operation"
                        << "Open a Server"
                        << "&Open"
                        << "&Repository:"
                        << "Create"
                        << "&Name:"
                        << "Cancel";
}

void TestBrowserLanguage::switchesWhileRunning()
{
    QFETCH(QString, code);
    QFETCH(QStringList, menus);
    QFETCH(QString, detailsDock);
    QFETCH(QString, operationsButton);
    QFETCH(QString, shown);
    QFETCH(QString, quotaWord);
    QFETCH(QString, datasetTypeHeader);
    QFETCH(QString, operationHeader);
    QFETCH(QString, loginTitle);
    QFETCH(QString, openButton);
    QFETCH(QString, repositoryLabel);
    QFETCH(QString, createButton);
    QFETCH(QString, nameLabel);
    QFETCH(QString, qtCancel);

    QVERIFY(m_login && m_newCollection);
    QAbstractItemModel* table = m_window->datasetView()->model();
    QCOMPARE(table, static_cast<QAbstractItemModel*>(m_window->datasetModel()));
    QSignalSpy tableHeaders(table, &QAbstractItemModel::headerDataChanged);
    QSignalSpy operationHeaders(m_window->operations(), &QAbstractItemModel::headerDataChanged);
    const int rows = table->rowCount();

    choose(code);

    // Saved for the next start.
    QCOMPARE(QSettings().value(QStringLiteral("ui/language")).toString(), code);
    QCOMPARE(AppLanguage::configured(), code);
    QCOMPARE(AppLanguage::locale().name().left(2), code);
    QCOMPARE(QLocale().name().left(2), code);
    if (code != QLatin1String("en")) {
        // Butler's catalogue, and Qt's where the machine has it.
        QCOMPARE(AppLanguage::installed().size(), haveQtCatalogue(code) ? 2 : 1);
    }

    // Everything below holds as soon as the dialog has closed: no event loop turn, no restart.
    const QStringList titles = menuTitles(*m_window);
    for (const QString& menu : menus)
        QVERIFY2(titles.contains(menu), qPrintable(titles.join(QLatin1Char('|'))));
    auto* details = m_window->findChild<QDockWidget*>(QStringLiteral("detailsDock"));
    QVERIFY(details);
    QCOMPARE(details->windowTitle(), detailsDock);

    // Status bar.
    QCOMPARE(m_window->operationsButton()->text(), operationsButton);
    QCOMPARE(m_window->busyLabel()->text(), shown);
    QVERIFY2(m_window->quotaBar()->text().endsWith(quotaWord), qPrintable(m_window->quotaBar()->text()));

    // Table headers: the views were told, and the header the user sees says it.
    QVERIFY(tableHeaders.size() >= 1);
    QCOMPARE(table->headerData(0, Qt::Horizontal).toString(), datasetTypeHeader);
    QCOMPARE(m_window->datasetView()->horizontalHeader()->model()->headerData(0, Qt::Horizontal).toString(),
             datasetTypeHeader);
    QVERIFY(operationHeaders.size() >= 1);
    QCOMPARE(m_window->operationsPanel()->view()->model()->headerData(0, Qt::Horizontal).toString(),
             operationHeader);

    // The open dialogs.
    QVERIFY(m_login->isVisible());
    QCOMPARE(m_login->windowTitle(), loginTitle);
    QStringList buttonTexts;
    for (QPushButton* button : m_login->findChildren<QPushButton*>())
        buttonTexts << button->text();
    QVERIFY2(buttonTexts.contains(openButton), qPrintable(buttonTexts.join(QLatin1Char('|'))));
    QVERIFY2(labelTexts(m_login).contains(repositoryLabel),
             qPrintable(labelTexts(m_login).join(QLatin1Char('|'))));

    QVERIFY(m_newCollection->isVisible());
    auto* box = m_newCollection->findChild<QDialogButtonBox*>();
    QVERIFY(box);
    QStringList boxTexts;
    for (QAbstractButton* button : box->buttons())
        boxTexts << button->text();
    QVERIFY2(boxTexts.contains(createButton), qPrintable(boxTexts.join(QLatin1Char('|'))));
    QVERIFY2(labelTexts(m_newCollection).contains(nameLabel),
             qPrintable(labelTexts(m_newCollection).join(QLatin1Char('|'))));
    // The standard Cancel is named by Qt's catalogue.
    QPushButton* cancel = box->button(QDialogButtonBox::Cancel);
    QVERIFY(cancel);
    if (code == QLatin1String("en") || haveQtCatalogue(code))
        QCOMPARE(cancel->text().remove(QLatin1Char('&')), qtCancel);
    else
        qWarning("Qt's catalogue for %s is not installed (qt6-translations-l10n)", qPrintable(code));

    // Nothing of the window or the open dialogs is left in English.
    if (code != QLatin1String("en")) {
        const QSet<QString> english = translatedSources(code);
        QVERIFY(english.size() > 100);
        QStringList leftovers;
        for (QWidget* root : {static_cast<QWidget*>(m_window.get()), static_cast<QWidget*>(m_login),
                              static_cast<QWidget*>(m_newCollection)})
            for (const QString& text : textsOn(root))
                // Element names (an element picker, say) are the universe's, not English.
                if (english.contains(text) && !DimensionUniverse::defaultUniverse().element(text))
                    leftovers << text;
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1String(" | "))));
    }

    saveScreenshot(m_window.get(), code + QStringLiteral("-window"));
    saveScreenshot(m_login, code + QStringLiteral("-login"));
    saveScreenshot(m_newCollection, code + QStringLiteral("-newcollection"));

    // The same window and session, with what it showed.
    QCOMPARE(m_window->session(), m_session);
    QCOMPARE(table->rowCount(), rows);
    QVERIFY(m_window->quotaBar()->quota().has_value());
}

void TestBrowserLanguage::systemChoiceFollowsTheSystem()
{
    choose(QStringLiteral("es"));
    QCOMPARE(m_window->operationsButton()->text(), QStringLiteral("Operaciones"));
    choose(QString());
    QVERIFY(!QSettings().contains(QStringLiteral("ui/language")));
    QCOMPARE(AppLanguage::locale(), QLocale::system());
    // The tests run with LANG=C: no catalogue, English.
    QCOMPARE(QLocale::system().language(), QLocale::C);
    QVERIFY(AppLanguage::installed().isEmpty() ||
            AppLanguage::installed().first()->language().startsWith(QLatin1String("en")));
    QCOMPARE(m_window->operationsButton()->text(), QStringLiteral("Operations"));
    QVERIFY(menuTitles(*m_window).contains(QStringLiteral("&File")));
    QCOMPARE(m_window->datasetModel()->headerData(0, Qt::Horizontal).toString(),
             QStringLiteral("Dataset type"));
}

void TestBrowserLanguage::cancelKeepsTheLanguage()
{
    const QString before = AppLanguage::configured();
    const QStringList titles = menuTitles(*m_window);
    SettingsDialog* dialog = m_window->showPreferences();
    QVERIFY(dialog);
    const QString other = before == QLatin1String("fr") ? QStringLiteral("es") : QStringLiteral("fr");
    dialog->languageBox()->setCurrentIndex(dialog->languageBox()->findData(other));
    dialog->reject();
    QCOMPARE(AppLanguage::configured(), before);
    QCOMPARE(menuTitles(*m_window), titles);
}

QTEST_MAIN(TestBrowserLanguage)
#include "tst_browserlanguage.moc"
