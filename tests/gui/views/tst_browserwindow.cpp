// The browser's main window on the demo repository through the embedded server, driven the
// way a user drives it: pick a collection, expand a chain, filter, select datasets, tag them
// into a new TAGGED collection by dragging them onto it (view events, so the view and the
// models' mimeData/dropMimeData both take part), undo and redo, preview a FITS raw, download.
//
// ctest runs it offscreen and, as tst_browserwindow_xvfb, in a real X window under Xvfb; set
// BUTLER_SCREENSHOT_DIR to keep a screenshot of every step.

#include "CollectionTreeModel.h"
#include "CurationController.h"
#include "DatasetDetailsPanel.h"
#include "DatasetFilterBar.h"
#include "DatasetTableModel.h"
#include "DemoRepoBuilder.h"
#include "DirectButler.h"
#include "EmbeddedServer.h"
#include "MainWindow.h"
#include "PreviewPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QHeaderView>
#include <QLineEdit>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

using namespace butler;

namespace {

constexpr int kTimeout = 30000;

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

// Expands tree rows until the collection shows, fetching chains on the way.
QModelIndex waitForCollection(QTreeView* view, const QString& name)
{
    auto* model = qobject_cast<CollectionTreeModel*>(view->model());
    QModelIndex found;
    (void)QTest::qWaitFor(
        [&] {
            found = model->indexForCollection(name);
            return found.isValid();
        },
        kTimeout);
    return found;
}

// Sends the drag of the selected dataset rows onto a row of the collection tree as the
// events a real drag produces.
bool dropOnto(QTableView* source, QTreeView* target, const QModelIndex& targetIndex)
{
    QMimeData* mime = source->model()->mimeData(source->selectionModel()->selectedRows());
    if (!mime)
        return false;
    const QPoint pos = target->visualRect(targetIndex).center();
    QWidget* viewport = target->viewport();
    QDragEnterEvent enter(pos, Qt::CopyAction | Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enter);
    QDragMoveEvent move(pos, Qt::CopyAction | Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
    const bool accepted = move.isAccepted();
    QDropEvent drop(QPointF(pos), Qt::CopyAction | Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &drop);
    delete mime;
    return accepted;
}

} // namespace

class TestBrowserWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void opensTheDemoRepository();
    void showsDatasetsOfACollection();
    void expandsAChain();
    void whereErrorsShowTheirPosition();
    void previewsAFitsRaw();
    void tagsByDragAndDropWithUndo();
    void refusedDropKeepsTheSelection();
    void downloadsAndVerifies();
    void remembersTheLayout();

private:
    void screenshot(const QString& step);
    int waitForRows();

    QTemporaryDir m_dir;
    QString m_repo;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_treeTester;
    std::unique_ptr<QAbstractItemModelTester> m_tableTester;
    int m_shot = 0;
};

void TestBrowserWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("ButlerTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_browserwindow"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));
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
}

void TestBrowserWindow::cleanupTestCase()
{
    m_treeTester.reset();
    m_tableTester.reset();
    m_window.reset();
}

void TestBrowserWindow::screenshot(const QString& step)
{
    const QString dir = qEnvironmentVariable("BUTLER_SCREENSHOT_DIR");
    QApplication::processEvents();
    const QPixmap shot = m_window->grab();
    QVERIFY(!shot.isNull());
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    const QString file =
        QStringLiteral("%1/%2-%3.png").arg(dir).arg(++m_shot, 2, 10, QLatin1Char('0')).arg(step);
    QVERIFY2(shot.save(file), qPrintable(file));
}

int TestBrowserWindow::waitForRows()
{
    DatasetTableModel* model = m_window->datasetModel();
    (void)QTest::qWaitFor([&] { return !model->isLoading(); }, kTimeout);
    return model->rowCount();
}

void TestBrowserWindow::opensTheDemoRepository()
{
    QSignalSpy opened(m_window.get(), &MainWindow::sessionOpened);
    m_window->openLocal(m_repo);
    // The window keeps answering while the repository opens.
    QVERIFY(m_window->isVisible());
    QVERIFY(opened.wait(kTimeout));
    QVERIFY(m_window->session());
    QVERIFY(m_window->session()->isLocal());
    QCOMPARE(m_window->session()->identity().user, QStringLiteral("astro"));
    QVERIFY(m_window->windowTitle().contains(QLatin1String("repo")));
    m_treeTester = std::make_unique<QAbstractItemModelTester>(
        m_window->collectionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_tableTester = std::make_unique<QAbstractItemModelTester>(
        m_window->datasetModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(waitForCollection(m_window->collectionView(), QStringLiteral("LSSTCam/raw/all")).isValid());
    // No layout saved yet: the collections get a fifth of the window, not their minimal width.
    auto* collections = m_window->findChild<QDockWidget*>(QStringLiteral("collectionsDock"));
    QVERIFY(collections);
    QTRY_VERIFY_WITH_TIMEOUT(qAbs(collections->width() - m_window->width() / 5) < 20, kTimeout);
    screenshot(QStringLiteral("opened"));
}

void TestBrowserWindow::showsDatasetsOfACollection()
{
    const QModelIndex raw = waitForCollection(m_window->collectionView(), QStringLiteral("LSSTCam/raw/all"));
    m_window->collectionView()->setCurrentIndex(raw);
    QCOMPARE(m_window->currentCollection(), QStringLiteral("LSSTCam/raw/all"));
    QCOMPARE(waitForRows(), 36); // 4 exposures x 9 detectors
    const int typeColumn = m_window->datasetModel()->column(DatasetTableModel::ColumnKind::DatasetType);
    QCOMPARE(m_window->datasetModel()->index(0, typeColumn).data().toString(), QStringLiteral("raw"));
    screenshot(QStringLiteral("raws"));
}

void TestBrowserWindow::expandsAChain()
{
    QTreeView* view = m_window->collectionView();
    const QModelIndex chain = waitForCollection(view, QStringLiteral("LSSTCam/defaults"));
    QVERIFY(chain.isValid());
    view->expand(chain);
    auto* model = m_window->collectionModel();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount(chain) >= 3, kTimeout);
    // Children in search order.
    QCOMPARE(model->index(0, 0, chain).data(CollectionTreeModel::NameRole).toString(),
             QStringLiteral("LSSTCam/raw/all"));
    QCOMPARE(model->index(1, 0, chain).data(CollectionTreeModel::NameRole).toString(),
             QStringLiteral("LSSTCam/calib"));
    QVERIFY(view->isExpanded(chain));
    screenshot(QStringLiteral("chain-expanded"));
}

void TestBrowserWindow::whereErrorsShowTheirPosition()
{
    DatasetFilterBar* filter = m_window->filterBar();
    auto* collections = m_window->findChild<QDockWidget*>(QStringLiteral("collectionsDock"));
    auto* details = m_window->findChild<QDockWidget*>(QStringLiteral("detailsDock"));
    QVERIFY(collections && details);
    const int collectionsWidth = collections->width();
    const int detailsWidth = details->width();
    QTest::keyClicks(filter->whereEdit(), QStringLiteral("exposure.exposure_time > "));
    QVERIFY(!filter->isValid());
    QVERIFY(!filter->errorText().isEmpty());
    // However long the message, it does not push the docks aside.
    QTest::qWait(50);
    QCOMPARE(collections->width(), collectionsWidth);
    QCOMPARE(details->width(), detailsWidth);
    screenshot(QStringLiteral("where-error"));
    // A valid expression filters on the server.
    filter->whereEdit()->clear();
    QTest::keyClicks(filter->whereEdit(), QStringLiteral("detector = 94"));
    QVERIFY(filter->isValid());
    QTest::keyClick(filter->whereEdit(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 4, kTimeout);
    filter->whereEdit()->clear();
    QTest::keyClick(filter->whereEdit(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 36, kTimeout);
}

void TestBrowserWindow::previewsAFitsRaw()
{
    QTableView* table = m_window->datasetView();
    QSignalSpy previewed(m_window->detailsPanel(), &DatasetDetailsPanel::previewShown);
    table->selectRow(0);
    QVERIFY(previewed.wait(kTimeout));
    QCOMPARE(m_window->detailsPanel()->preview()->currentPage(), PreviewPanel::Page::Fits);
    QVERIFY(m_window->detailsPanel()->detailsText().contains(QLatin1String("raw")));
    QVERIFY(m_window->detailsPanel()->signedUrl().contains(QLatin1String("signature=")));
    screenshot(QStringLiteral("fits-preview"));
}

void TestBrowserWindow::tagsByDragAndDropWithUndo()
{
    CurationController* curation = m_window->curation();
    const QString tagged = QStringLiteral("u/astro/picks");
    curation->createCollection(tagged, CollectionType::Tagged, QStringLiteral("hand-picked raws"));
    QTreeView* tree = m_window->collectionView();
    const QModelIndex target = waitForCollection(tree, tagged);
    QVERIFY(target.isValid());
    QCOMPARE(m_window->undoStack()->count(), 1);

    // Select three raws and drop them on the new collection.
    const QModelIndex raw = waitForCollection(tree, QStringLiteral("LSSTCam/raw/all"));
    tree->setCurrentIndex(raw);
    QCOMPARE(waitForRows(), 36);
    QTableView* table = m_window->datasetView();
    table->clearSelection();
    for (int row : {1, 2, 3})
        table->selectionModel()->select(m_window->datasetModel()->index(row, 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QList<QUuid> picked;
    for (int row : {1, 2, 3})
        picked << m_window->datasetModel()->index(row, 0).data(DatasetTableModel::IdRole).toUuid();
    screenshot(QStringLiteral("selected"));
    QVERIFY(dropOnto(table, tree, waitForCollection(tree, tagged)));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->undoStack()->count(), 2, kTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(curation->pending(), 0, kTimeout);

    tree->setCurrentIndex(waitForCollection(tree, tagged));
    QCOMPARE(waitForRows(), 3);
    QSet<QUuid> shown;
    for (int row = 0; row < 3; ++row)
        shown.insert(m_window->datasetModel()->index(row, 0).data(DatasetTableModel::IdRole).toUuid());
    QCOMPARE(shown, QSet<QUuid>(picked.cbegin(), picked.cend()));
    screenshot(QStringLiteral("tagged"));

    // Ctrl+Z takes them out again on the server; Ctrl+Shift+Z puts them back. Shortcuts need
    // the active window; Xvfb without a window manager may never activate one, and then the
    // Edit menu's actions are triggered instead.
    m_window->activateWindow();
    const bool active = QTest::qWaitForWindowActive(m_window.get(), 3000);
    const auto press = [&](QKeyCombination keys, bool redo) {
        if (active)
            QTest::keyClick(m_window.get(), keys.key(), keys.keyboardModifiers());
        else if (redo)
            m_window->undoStack()->redo();
        else
            m_window->undoStack()->undo();
    };
    press(Qt::ControlModifier | Qt::Key_Z, false);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 0, kTimeout);
    press(Qt::ControlModifier | Qt::ShiftModifier | Qt::Key_Z, true);
    QTRY_COMPARE_WITH_TIMEOUT(waitForRows(), 3, kTimeout);
    screenshot(QStringLiteral("redone"));
}

void TestBrowserWindow::refusedDropKeepsTheSelection()
{
    // A RUN collection takes no drops: nothing changes, the selection stays.
    QTreeView* tree = m_window->collectionView();
    const QString tagged = QStringLiteral("u/astro/picks");
    tree->setCurrentIndex(waitForCollection(tree, tagged));
    QCOMPARE(waitForRows(), 3);
    QTableView* table = m_window->datasetView();
    // (selectRow() would follow the modifier keys the undo test left pressed.)
    table->selectionModel()->select(m_window->datasetModel()->index(1, 0),
                                    QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    const int undoCount = m_window->undoStack()->count();
    QVERIFY(!dropOnto(table, tree, waitForCollection(tree, QStringLiteral("LSSTCam/raw/all"))));
    QCOMPARE(m_window->undoStack()->count(), undoCount);
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(table->selectionModel()->selectedRows().first().row(), 1);

    // The server refuses a chain that would contain itself: explained, selection kept.
    QSignalSpy shown(m_window.get(), &MainWindow::messageShown);
    m_window->curation()->setChain(QStringLiteral("LSSTCam/defaults"), {QStringLiteral("LSSTCam/defaults")});
    QVERIFY(shown.wait(kTimeout));
    QVERIFY(!m_window->lastMessage().isEmpty());
    QCOMPARE(m_window->undoStack()->count(), undoCount);
    QCOMPARE(table->selectionModel()->selectedRows().first().row(), 1);
    screenshot(QStringLiteral("refused"));
}

void TestBrowserWindow::downloadsAndVerifies()
{
    DatasetDetailsPanel* details = m_window->detailsPanel();
    QTRY_VERIFY_WITH_TIMEOUT(!details->signedUrl().isEmpty(), kTimeout);
    QSignalSpy finished(details, &DatasetDetailsPanel::downloadFinished);
    const QString path = m_dir.filePath(QStringLiteral("download.fits"));
    details->downloadTo(path);
    QVERIFY(finished.wait(kTimeout));
    QCOMPARE(finished.first().at(0).toBool(), true);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(6) == "SIMPLE");
}

void TestBrowserWindow::remembersTheLayout()
{
    auto* collections = m_window->findChild<QDockWidget*>(QStringLiteral("collectionsDock"));
    QVERIFY(collections);
    m_window->resizeDocks({collections}, {420}, Qt::Horizontal);
    QTRY_VERIFY_WITH_TIMEOUT(qAbs(collections->width() - 420) < 10, kTimeout);
    m_window->close();
    QSettings settings;
    QVERIFY(!settings.value(QStringLiteral("window/state")).toByteArray().isEmpty());
    QVERIFY(!settings.value(QStringLiteral("window/geometry")).toByteArray().isEmpty());

    // The next window keeps the user's width; the first run's proportions do not apply.
    MainWindow next(embedded());
    next.show();
    QVERIFY(QTest::qWaitForWindowExposed(&next));
    QCOMPARE(next.size(), m_window->size());
    auto* nextCollections = next.findChild<QDockWidget*>(QStringLiteral("collectionsDock"));
    QVERIFY(nextCollections);
    QTest::qWait(50); // past the first show's queued sizing, had it been scheduled
    QVERIFY2(qAbs(nextCollections->width() - 420) < 10,
             qPrintable(QString::number(nextCollections->width())));
}

QTEST_MAIN(TestBrowserWindow)
#include "tst_browserwindow.moc"
