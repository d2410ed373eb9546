// The browser driven from the keyboard alone, on the demo repository through the embedded
// server: every key goes to the widget that has the focus, as a user's would. Open a
// collection from the tree, move through the panes with F6 and Ctrl+1..5, move in the table,
// open a dataset's details (with the dimension records of its data ID), create a TAGGED
// collection, tag datasets into it from the Edit menu's action, undo and redo, remove one with
// Delete. Also: the main widgets' accessible names, and a mnemonic on every menu entry.

#include "CollectionTreeModel.h"
#include "CurationController.h"
#include "DatasetDetailsPanel.h"
#include "DatasetFilterBar.h"
#include "DatasetTableModel.h"
#include "DemoRepoBuilder.h"
#include "DimensionRecordBrowser.h"
#include "DirectButler.h"
#include "EmbeddedServer.h"
#include "MainWindow.h"
#include "NewCollectionDialog.h"
#include "OperationsModel.h"
#include "OperationsPanel.h"
#include "QuotaBar.h"
#include "TagDialog.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>
#include <QUndoStack>

using namespace butler;

namespace {

constexpr int kTimeout = 30000;
using Pane = MainWindow::Pane;

LocalServerFactory embedded()
{
    return [](const QString& path) -> Result<LocalEndpoint> {
        auto server = EmbeddedServer::start(path, QStringLiteral("astro"));
        if (!server)
            return server.error();
        std::shared_ptr<EmbeddedServer> running(std::move(*server));
        return LocalEndpoint{running->repoUrl(), running->token(), running};
    };
}

QWidget* focus()
{
    return QApplication::focusWidget();
}

// A key to whatever has the focus.
void press(Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QWidget* target = focus();
    QVERIFY2(target, "nothing has the keyboard focus");
    QTest::keyClick(target, key, modifiers);
}

void type(const QString& text)
{
    QWidget* target = focus();
    QVERIFY2(target, "nothing has the keyboard focus");
    QTest::keyClicks(target, text);
}

} // namespace

class TestBrowserKeyboard : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void mainWidgetsHaveAccessibleNames();
    void everyMenuEntryHasAMnemonic();
    void opensACollectionFromTheTree();
    void movesBetweenPanes();
    void movesInTheTableAndOpensDetails();
    void createsACollectionAndTagsIntoIt();
    void undoesAndRedoesFromTheKeyboard();
    void removesWithDelete();
    void operationsAreReachable();

private:
    int waitForRows();
    // Types the start of a collection's name into the tree (its type-ahead search).
    void openCollection(const QString& name);
    template <typename Dialog> Dialog* waitForDialog();
    // A closed dialog hands the focus back to the window (the window system's part, not a key).
    void backToWindow();

    QTemporaryDir m_dir;
    QString m_repo;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_treeTester;
    std::unique_ptr<QAbstractItemModelTester> m_tableTester;
    std::unique_ptr<QAbstractItemModelTester> m_operationsTester;
};

void TestBrowserKeyboard::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("ButlerTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_browserkeyboard"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
    m_repo = m_dir.filePath(QStringLiteral("repo"));
    QVERIFY(DirectButler::create(m_repo).ok());
    auto butler = DirectButler::open(m_repo);
    QVERIFY(butler.ok());
    DemoRepoOptions options;
    options.nights = 1;
    options.small = true;
    QVERIFY(DemoRepoBuilder::build(**butler, options).ok());

    m_window = std::make_unique<MainWindow>(embedded());
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_operationsTester = std::make_unique<QAbstractItemModelTester>(
        m_window->operations(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    QSignalSpy opened(m_window.get(), &MainWindow::sessionOpened);
    m_window->openLocal(m_repo);
    QVERIFY(opened.wait(kTimeout));
    m_treeTester = std::make_unique<QAbstractItemModelTester>(
        m_window->collectionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_tableTester = std::make_unique<QAbstractItemModelTester>(
        m_window->datasetModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestBrowserKeyboard::cleanupTestCase()
{
    m_treeTester.reset();
    m_tableTester.reset();
    m_operationsTester.reset();
    m_window.reset();
}

int TestBrowserKeyboard::waitForRows()
{
    DatasetTableModel* model = m_window->datasetModel();
    (void)QTest::qWaitFor([&] { return !model->isLoading(); }, kTimeout);
    return model->rowCount();
}

void TestBrowserKeyboard::openCollection(const QString& name)
{
    CollectionTreeModel* model = m_window->collectionModel();
    QVERIFY(QTest::qWaitFor([&] { return model->indexForCollection(name).isValid(); }, kTimeout));
    press(Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(focus(), m_window->collectionView());
    press(Qt::Key_Home);
    type(name);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->currentCollection(), name, kTimeout);
}

template <typename Dialog> Dialog* TestBrowserKeyboard::waitForDialog()
{
    Dialog* dialog = nullptr;
    (void)QTest::qWaitFor(
        [&] {
            dialog = m_window->findChild<Dialog*>();
            return dialog && dialog->isVisible() && QApplication::activeWindow() == dialog;
        },
        kTimeout);
    return dialog;
}

void TestBrowserKeyboard::backToWindow()
{
    if (!QTest::qWaitFor([this] { return QApplication::activeWindow() == m_window.get(); }, 2000))
        m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestBrowserKeyboard::mainWidgetsHaveAccessibleNames()
{
    QCOMPARE(m_window->collectionView()->accessibleName(), QStringLiteral("Collections"));
    QCOMPARE(m_window->datasetView()->accessibleName(), QStringLiteral("Datasets"));
    QCOMPARE(m_window->detailsPanel()->textView()->accessibleName(), QStringLiteral("Dataset details"));
    QCOMPARE(m_window->filterBar()->whereEdit()->accessibleName(), QStringLiteral("Where expression"));
    QCOMPARE(m_window->filterBar()->typesEdit()->accessibleName(), QStringLiteral("Dataset types"));
    QCOMPARE(m_window->recordBrowser()->view()->accessibleName(), QStringLiteral("Dimension records"));
    QCOMPARE(m_window->recordBrowser()->elementBox()->accessibleName(), QStringLiteral("Dimension element"));
    QCOMPARE(m_window->operationsPanel()->view()->accessibleName(), QStringLiteral("Operations"));
    QCOMPARE(m_window->quotaBar()->accessibleName(), QStringLiteral("Storage quota"));
    QCOMPARE(m_window->userLabel()->accessibleName(), QStringLiteral("Signed-in user"));
    QCOMPARE(m_window->operationsButton()->accessibleName(), QStringLiteral("Show background operations"));
    // Every widget that takes the keyboard focus says what it is.
    QStringList unnamed;
    for (QWidget* widget : m_window->findChildren<QWidget*>()) {
        // The dock tabs that QMainWindow makes are read out by their tab titles.
        if (widget->focusPolicy() == Qt::NoFocus || !widget->isVisible() || qobject_cast<QMenu*>(widget) ||
            qobject_cast<QTabBar*>(widget))
            continue;
        const bool labelled = !widget->accessibleName().isEmpty() || qobject_cast<QAbstractButton*>(widget) ||
                              qobject_cast<QLineEdit*>(widget->focusProxy()) ||
                              qobject_cast<QComboBox*>(widget->parentWidget());
        if (!labelled)
            unnamed << QStringLiteral("%1 %2").arg(QString::fromLatin1(widget->metaObject()->className()),
                                                   widget->objectName());
    }
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
    // The status bar says who is signed in.
    QVERIFY2(m_window->userLabel()->text().startsWith(QLatin1String("astro")),
             qPrintable(m_window->userLabel()->text()));
    QVERIFY(m_window->userLabel()->toolTip().contains(QLatin1String("astro")));
}

void TestBrowserKeyboard::everyMenuEntryHasAMnemonic()
{
    const auto mnemonic = [](const QString& text) {
        const qsizetype at = text.indexOf(QLatin1Char('&'));
        return at >= 0 && at + 1 < text.size() ? text.at(at + 1).toLower() : QChar();
    };
    QSet<QChar> bar;
    for (QAction* top : m_window->menuBar()->actions()) {
        const QChar key = mnemonic(top->text());
        QVERIFY2(!key.isNull(), qPrintable(top->text()));
        QVERIFY2(!bar.contains(key), qPrintable(top->text()));
        bar.insert(key);
        QSet<QChar> inMenu;
        for (QAction* action : top->menu()->actions()) {
            if (action->isSeparator() || !action->isEnabled())
                continue;
            const QChar entry = mnemonic(action->text());
            QVERIFY2(!entry.isNull(), qPrintable(top->text() + QStringLiteral(" > ") + action->text()));
            QVERIFY2(!inMenu.contains(entry),
                     qPrintable(top->text() + QStringLiteral(" > ") + action->text()));
            inMenu.insert(entry);
        }
    }
    QVERIFY(bar.size() >= 5);
}

void TestBrowserKeyboard::opensACollectionFromTheTree()
{
    openCollection(QStringLiteral("LSSTCam/raw/all"));
    QCOMPARE(waitForRows(), 36);
    QCOMPARE(m_window->focusedPane(), std::optional<Pane>(Pane::Collections));
}

void TestBrowserKeyboard::movesBetweenPanes()
{
    press(Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(m_window->focusedPane(), std::optional<Pane>(Pane::Collections));
    const QList<Pane> order{Pane::Filter,  Pane::Datasets,   Pane::Details,
                            Pane::Records, Pane::Operations, Pane::Collections};
    for (Pane pane : order) {
        press(Qt::Key_F6);
        QCOMPARE(m_window->focusedPane(), std::optional<Pane>(pane));
    }
    press(Qt::Key_F6, Qt::ShiftModifier);
    QCOMPARE(m_window->focusedPane(), std::optional<Pane>(Pane::Operations));
    press(Qt::Key_F6, Qt::ShiftModifier);
    QCOMPARE(m_window->focusedPane(), std::optional<Pane>(Pane::Records));

    // Ctrl+L goes to the where filter, its text selected for typing over.
    m_window->filterBar()->whereEdit()->setText(QStringLiteral("detector = 1"));
    press(Qt::Key_L, Qt::ControlModifier);
    QCOMPARE(focus(), m_window->filterBar()->whereEdit());
    QCOMPARE(m_window->filterBar()->whereEdit()->selectedText(), QStringLiteral("detector = 1"));
    type(QStringLiteral("detector = 94"));
    press(Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 4, kTimeout);
    press(Qt::Key_L, Qt::ControlModifier);
    press(Qt::Key_Backspace);
    press(Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 36, kTimeout);

    for (const auto& [key, pane] :
         {std::pair{Qt::Key_2, Pane::Datasets}, std::pair{Qt::Key_3, Pane::Details},
          std::pair{Qt::Key_4, Pane::Records}, std::pair{Qt::Key_5, Pane::Operations}}) {
        press(key, Qt::ControlModifier);
        QCOMPARE(m_window->focusedPane(), std::optional<Pane>(pane));
    }
}

void TestBrowserKeyboard::movesInTheTableAndOpensDetails()
{
    press(Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(focus(), m_window->datasetView());
    QTableView* table = m_window->datasetView();
    press(Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(table->currentIndex().row(), 0);
    press(Qt::Key_Down);
    press(Qt::Key_Down);
    QCOMPARE(table->currentIndex().row(), 2);
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    const QUuid id = m_window->datasetModel()->index(2, 0).data(DatasetTableModel::IdRole).toUuid();

    // Enter opens the details of the current dataset.
    DatasetDetailsPanel* details = m_window->detailsPanel();
    press(Qt::Key_Return);
    QCOMPARE(focus(), details->textView());
    QVERIFY(details->detailsText().contains(id.toString(QUuid::WithoutBraces)));

    // The dimension records of its data ID, with their metadata.
    QTRY_VERIFY_WITH_TIMEOUT(details->dimensionRecordsLoaded(), kTimeout);
    QHash<QString, DimensionRecord> byElement;
    for (const DimensionRecord& record : details->dimensionRecords())
        byElement.insert(record.element(), record);
    for (const char* element : {"instrument", "detector", "exposure", "physical_filter", "day_obs"})
        QVERIFY2(byElement.contains(QLatin1String(element)), element);
    QVERIFY(byElement.value(QStringLiteral("exposure")).timespan().has_value());
    const QString band =
        byElement.value(QStringLiteral("physical_filter")).value(QStringLiteral("band")).toString();
    QVERIFY(!band.isEmpty());
    const QString text = details->detailsText();
    QVERIFY2(text.contains(QLatin1String("Dimension records")), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("obs_id")));
    QVERIFY(text.contains(QLatin1String("timespan")));
    QVERIFY(text.contains(QLatin1String("band")));
    // The exposure's begin in ISO form, as the dimension record browser shows it.
    QVERIFY(text.contains(QLatin1String("Z to ")));

    // Page Down and back up keep a single selection that follows the cursor.
    press(Qt::Key_2, Qt::ControlModifier);
    press(Qt::Key_PageDown);
    QVERIFY(table->currentIndex().row() > 2);
    press(Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(table->currentIndex().row(), 0);
}

void TestBrowserKeyboard::createsACollectionAndTagsIntoIt()
{
    QUndoStack* undo = m_window->undoStack();
    const int before = undo->count();

    // Collection > New collection (Ctrl+N): the name starts in the user's namespace; TAGGED is the default.
    press(Qt::Key_N, Qt::ControlModifier);
    auto* create = waitForDialog<NewCollectionDialog>();
    QVERIFY(create);
    QCOMPARE(focus(), create->nameEdit());
    press(Qt::Key_End);
    type(QStringLiteral("keyboard"));
    QCOMPARE(create->nameEdit()->text(), QStringLiteral("u/astro/keyboard"));
    press(Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(undo->count(), before + 1, kTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->curation()->pending(), 0, kTimeout);
    backToWindow();

    // Three raws: the first row, then Shift+Down twice.
    openCollection(QStringLiteral("LSSTCam/raw/all"));
    QCOMPARE(waitForRows(), 36);
    press(Qt::Key_2, Qt::ControlModifier);
    // Ctrl+Home moves without selecting; Down and Up select the first row alone.
    press(Qt::Key_Home, Qt::ControlModifier);
    press(Qt::Key_Down);
    press(Qt::Key_Up);
    press(Qt::Key_Down, Qt::ShiftModifier);
    press(Qt::Key_Down, Qt::ShiftModifier);
    QTableView* table = m_window->datasetView();
    QCOMPARE(table->selectionModel()->selectedRows().size(), 3);
    QSet<QUuid> picked;
    for (const QModelIndex& row : table->selectionModel()->selectedRows())
        picked.insert(row.data(DatasetTableModel::IdRole).toUuid());

    // Edit > Add selected to tagged collection (Ctrl+T): type the name, Enter.
    press(Qt::Key_T, Qt::ControlModifier);
    auto* tag = waitForDialog<TagDialog>();
    QVERIFY(tag);
    QTRY_VERIFY_WITH_TIMEOUT(tag->isLoaded(), kTimeout);
    QVERIFY(tag->collectionBox()->findText(QStringLiteral("u/astro/keyboard")) >= 0);
    QVERIFY(tag->collectionBox()->isAncestorOf(focus()) || focus() == tag->collectionBox());
    press(Qt::Key_A, Qt::ControlModifier);
    type(QStringLiteral("u/astro/keyboard"));
    press(Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(undo->count(), before + 2, kTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->curation()->pending(), 0, kTimeout);
    backToWindow();
    QVERIFY(undo->undoText().contains(QLatin1String("u/astro/keyboard")));

    openCollection(QStringLiteral("u/astro/keyboard"));
    QCOMPARE(waitForRows(), 3);
    QSet<QUuid> shown;
    for (int row = 0; row < 3; ++row)
        shown.insert(m_window->datasetModel()->index(row, 0).data(DatasetTableModel::IdRole).toUuid());
    QCOMPARE(shown, picked);
}

void TestBrowserKeyboard::undoesAndRedoesFromTheKeyboard()
{
    press(Qt::Key_2, Qt::ControlModifier);
    press(Qt::Key_Z, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 0, kTimeout);
    press(Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 3, kTimeout);
}

void TestBrowserKeyboard::removesWithDelete()
{
    QCOMPARE(m_window->currentCollection(), QStringLiteral("u/astro/keyboard"));
    press(Qt::Key_2, Qt::ControlModifier);
    press(Qt::Key_Home, Qt::ControlModifier);
    press(Qt::Key_Down);
    press(Qt::Key_Up);
    QCOMPARE(m_window->datasetView()->selectionModel()->selectedRows().size(), 1);
    const int before = m_window->undoStack()->count();
    press(Qt::Key_Delete);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 2, kTimeout);
    QCOMPARE(m_window->undoStack()->count(), before + 1);
}

void TestBrowserKeyboard::operationsAreReachable()
{
    press(Qt::Key_5, Qt::ControlModifier);
    QTreeView* view = m_window->operationsPanel()->view();
    QCOMPARE(focus(), view);
    OperationsModel* operations = m_window->operations();
    QTRY_COMPARE_WITH_TIMEOUT(operations->runningCount(), 0, kTimeout);
    // The work of this session is listed: dataset loads and the curation requests.
    QStringList titles;
    for (int row = 0; row < operations->rowCount(); ++row)
        titles << operations->index(row, OperationsModel::TitleColumn).data().toString();
    QVERIFY2(titles.contains(QStringLiteral("Load datasets of u/astro/keyboard")),
             qPrintable(titles.join('|')));
    QVERIFY2(titles.contains(QStringLiteral("Tag 3 datasets into u/astro/keyboard")),
             qPrintable(titles.join('|')));
    QVERIFY2(titles.contains(QStringLiteral("Remove 1 dataset from u/astro/keyboard")),
             qPrintable(titles.join('|')));
    press(Qt::Key_End);
    QCOMPARE(view->currentIndex().row(), operations->rowCount() - 1);
    QCOMPARE(m_window->focusedPane(), std::optional<Pane>(Pane::Operations));
}

QTEST_MAIN(TestBrowserKeyboard)
#include "tst_browserkeyboard.moc"
