#include "MainWindow.h"

#include "CertifyDialog.h"
#include "CollectionTreeModel.h"
#include "CurationController.h"
#include "DatasetDetailsPanel.h"
#include "DatasetFilterBar.h"
#include "DatasetTableModel.h"
#include "DimensionRecordBrowser.h"
#include "NewCollectionDialog.h"
#include "PreviewPanel.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

namespace butler {

Q_LOGGING_CATEGORY(lcWindow, "butler.views.window")

MainWindow::MainWindow(LocalServerFactory localServers, QWidget* parent)
    : QMainWindow(parent)
    , m_localServers(std::move(localServers))
    , m_undo(new QUndoStack(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    buildUi();
    buildMenus();
    updateTitle();
    restoreLayout();
}

MainWindow::~MainWindow()
{
    // Views and models go before the session whose butler they hold.
    m_details->setSession(nullptr);
    m_records->setSession(nullptr);
    m_collectionView->setModel(nullptr);
    m_datasetView->setModel(nullptr);
    delete m_collections;
    delete m_datasets;
    delete m_curation;
    m_undo->clear();
    RepositorySession::retire(std::move(m_session));
    RepositorySession::waitForRetired(5000);
}

void MainWindow::buildUi()
{
    // Centre: filter, datasets, a line for messages.
    auto* centre = new QWidget(this);
    auto* layout = new QVBoxLayout(centre);
    m_filter = new DatasetFilterBar(centre);
    layout->addWidget(m_filter);
    m_datasetView = new QTableView(centre);
    m_datasetView->setObjectName(QStringLiteral("datasetView"));
    m_datasetView->setAccessibleName(tr("Datasets"));
    m_datasetView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_datasetView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_datasetView->setDragEnabled(true);
    m_datasetView->setDragDropMode(QAbstractItemView::DragOnly);
    m_datasetView->setSortingEnabled(true);
    m_datasetView->setAlternatingRowColors(true);
    m_datasetView->verticalHeader()->hide();
    m_datasetView->horizontalHeader()->setSortIndicatorShown(true);
    m_datasetView->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    layout->addWidget(m_datasetView, 1);
    m_tableStatus = new QLabel(centre);
    m_tableStatus->setObjectName(QStringLiteral("messageLine"));
    m_tableStatus->setAccessibleName(tr("Messages"));
    m_tableStatus->setWordWrap(true);
    layout->addWidget(m_tableStatus);
    setCentralWidget(centre);
    connect(m_filter, &DatasetFilterBar::filterApplied, this, &MainWindow::applyFilter);

    // Left: collections.
    auto* collectionsDock = new QDockWidget(tr("Collections"), this);
    collectionsDock->setObjectName(QStringLiteral("collectionsDock"));
    auto* collectionsPane = new QWidget(collectionsDock);
    auto* collectionsLayout = new QVBoxLayout(collectionsPane);
    collectionsLayout->setContentsMargins(2, 2, 2, 2);
    auto* bar = new QHBoxLayout;
    m_grouping = new QComboBox(collectionsPane);
    m_grouping->setAccessibleName(tr("Collection grouping"));
    m_grouping->addItem(tr("All collections"), int(CollectionTreeModel::Grouping::Flat));
    m_grouping->addItem(tr("By namespace"), int(CollectionTreeModel::Grouping::ByNamespace));
    auto* newButton = new QPushButton(tr("&New…"), collectionsPane);
    newButton->setAccessibleName(tr("New collection"));
    bar->addWidget(m_grouping, 1);
    bar->addWidget(newButton);
    collectionsLayout->addLayout(bar);
    m_collectionView = new QTreeView(collectionsPane);
    m_collectionView->setObjectName(QStringLiteral("collectionView"));
    m_collectionView->setAccessibleName(tr("Collections"));
    m_collectionView->setUniformRowHeights(true);
    m_collectionView->setAcceptDrops(true);
    m_collectionView->setDragEnabled(true);
    m_collectionView->setDropIndicatorShown(true);
    m_collectionView->setDragDropMode(QAbstractItemView::DragDrop);
    m_collectionView->setDefaultDropAction(Qt::CopyAction);
    collectionsLayout->addWidget(m_collectionView);
    collectionsDock->setWidget(collectionsPane);
    addDockWidget(Qt::LeftDockWidgetArea, collectionsDock);
    connect(newButton, &QPushButton::clicked, this, &MainWindow::newCollection);
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this] {
        if (m_collections)
            m_collections->setGrouping(CollectionTreeModel::Grouping(m_grouping->currentData().toInt()));
    });

    // Right: details and preview.
    auto* detailsDock = new QDockWidget(tr("Details"), this);
    detailsDock->setObjectName(QStringLiteral("detailsDock"));
    m_details = new DatasetDetailsPanel(detailsDock);
    detailsDock->setWidget(m_details);
    addDockWidget(Qt::RightDockWidgetArea, detailsDock);
    connect(m_details, &DatasetDetailsPanel::errorOccurred, this, &MainWindow::showMessage);

    // Bottom: dimension records.
    auto* recordsDock = new QDockWidget(tr("Dimension records"), this);
    recordsDock->setObjectName(QStringLiteral("recordsDock"));
    m_records = new DimensionRecordBrowser(recordsDock);
    recordsDock->setWidget(m_records);
    addDockWidget(Qt::BottomDockWidgetArea, recordsDock);
    connect(m_records, &DimensionRecordBrowser::recordsSelected, m_filter, &DatasetFilterBar::setWhere);
    connect(m_records, &DimensionRecordBrowser::pointingsSelected, this,
            [this](const QList<SkyPointing>& pointings) { m_details->preview()->showPointings(pointings); });

    // Status bar: who, and what is in progress.
    m_userLabel = new QLabel(this);
    m_userLabel->setAccessibleName(tr("Signed-in user"));
    m_busyLabel = new QLabel(this);
    m_busyBar = new QProgressBar(this);
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(120);
    m_busyBar->setAccessibleName(tr("Work in progress"));
    m_busyBar->hide();
    statusBar()->addPermanentWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_busyBar);
    statusBar()->addPermanentWidget(m_userLabel);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openLocal = file->addAction(tr("Open &local repository…"), this, &MainWindow::openLocalDialog);
    openLocal->setShortcut(QKeySequence::Open);
    file->addAction(tr("Connect to &server…"), this, &MainWindow::openRemoteDialog);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    // Ctrl+Shift+Z everywhere, plus the platform's own redo keys (which may already hold it:
    // a shortcut listed twice would be ambiguous and never fire).
    QList<QKeySequence> redoKeys{QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)};
    for (const QKeySequence& keys : QKeySequence::keyBindings(QKeySequence::Redo))
        if (!redoKeys.contains(keys))
            redoKeys << keys;
    redo->setShortcuts(redoKeys);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    QAction* remove =
        edit->addAction(tr("Remove from &collection"), this, &MainWindow::removeSelectedFromCollection);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_datasetView->addAction(remove);
    edit->addAction(tr("&Certify…"), this, &MainWindow::certifySelected);

    QMenu* collection = menuBar()->addMenu(tr("&Collection"));
    QAction* create = collection->addAction(tr("&New collection…"), this, &MainWindow::newCollection);
    create->setShortcut(QKeySequence::New);
    collection
        ->addAction(tr("&Refresh"), this,
                    [this] {
                        if (m_collections)
                            m_collections->refresh();
                    })
        ->setShortcut(QKeySequence::Refresh);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (settings.contains(QStringLiteral("window/grouping")))
        m_grouping->setCurrentIndex(settings.value(QStringLiteral("window/grouping")).toInt());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/grouping"), m_grouping->currentIndex());
    QMainWindow::closeEvent(event);
}

void MainWindow::openLocal(const QString& path)
{
    ++m_opening;
    m_busyBar->show();
    m_busyLabel->setText(tr("Opening %1…").arg(path));
    QCoro::connect(RepositorySession::openLocal(path, m_localServers), this,
                   [this, path](Result<std::unique_ptr<RepositorySession>>&& session) {
                       --m_opening;
                       if (!session) {
                           m_busyBar->setVisible(m_opening > 0);
                           m_busyLabel->clear();
                           showMessage(tr("Cannot open %1: %2").arg(path, session.error().message()));
                           emit sessionFailed(session.error().message());
                           return;
                       }
                       setSession(std::move(*session));
                   });
}

void MainWindow::openRemote(const QString& url, const QString& token)
{
    ++m_opening;
    m_busyBar->show();
    m_busyLabel->setText(tr("Connecting to %1…").arg(url));
    QCoro::connect(RepositorySession::openRemote(url, token), this,
                   [this, url](Result<std::unique_ptr<RepositorySession>>&& session) {
                       --m_opening;
                       if (!session) {
                           m_busyBar->setVisible(m_opening > 0);
                           m_busyLabel->clear();
                           showMessage(tr("Cannot connect to %1: %2").arg(url, session.error().message()));
                           emit sessionFailed(session.error().message());
                           return;
                       }
                       setSession(std::move(*session));
                   });
}

void MainWindow::setSession(std::unique_ptr<RepositorySession> session)
{
    // Tear down what belongs to the previous session first.
    m_undo->clear();
    m_details->setSession(nullptr);
    m_records->setSession(nullptr);
    m_collectionView->setModel(nullptr);
    m_datasetView->setModel(nullptr);
    delete m_collections;
    delete m_datasets;
    delete m_curation;
    m_collections = nullptr;
    m_datasets = nullptr;
    m_curation = nullptr;
    m_currentCollection.clear();
    RepositorySession::retire(std::move(m_session));
    m_session = std::move(session);

    RemoteButler* butler = &m_session->butler();
    m_collections = new CollectionTreeModel(butler, this);
    m_collections->setGrouping(CollectionTreeModel::Grouping(m_grouping->currentData().toInt()));
    m_collectionView->setModel(m_collections);
    m_collectionView->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_collectionView->header()->setStretchLastSection(false);
    connect(m_collectionView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::collectionActivated);
    connect(m_collections, &CollectionTreeModel::errorOccurred, this, &MainWindow::showMessage);

    m_datasets = new DatasetTableModel(butler, this);
    m_datasetView->setModel(m_datasets);
    connect(m_datasetView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::datasetSelectionChanged);
    connect(m_datasets, &DatasetTableModel::errorOccurred, this, &MainWindow::showMessage);
    connect(m_datasets, &DatasetTableModel::loadingChanged, this, [this](bool loading) {
        m_busyBar->setVisible(loading || (m_curation && m_curation->pending() > 0));
        if (!loading)
            m_busyLabel->setText(tr("%n dataset(s) shown", nullptr, m_datasets->rowCount()));
    });

    m_curation = new CurationController(m_session.get(), m_undo, this);
    connect(m_curation, &CurationController::refused, this, &MainWindow::showMessage);
    connect(m_curation, &CurationController::collectionsChanged, this, &MainWindow::collectionsChanged);
    connect(m_curation, &CurationController::collectionListChanged, m_collections,
            &CollectionTreeModel::refresh);
    connect(m_curation, &CurationController::pendingChanged, this,
            [this](int pending) { m_busyBar->setVisible(pending > 0 || m_datasets->isLoading()); });
    connect(m_collections, &CollectionTreeModel::datasetsDropped, m_curation, &CurationController::associate);
    connect(m_collections, &CollectionTreeModel::collectionsDropped, m_curation,
            &CurationController::insertIntoChain);

    m_filter->setUniverse(&butler->universe());
    m_details->setSession(m_session.get());
    m_records->setSession(m_session.get());

    const RemoteIdentity& who = m_session->identity();
    m_userLabel->setText(
        who.groups.isEmpty() ? who.user : tr("%1 (%2)").arg(who.user, who.groups.join(QStringLiteral(", "))));
    m_busyBar->hide();
    m_busyLabel->clear();
    m_tableStatus->clear();
    updateTitle();
    emit sessionOpened();
}

void MainWindow::updateTitle()
{
    setWindowTitle(m_session ? tr("%1 — Butler").arg(m_session->displayName()) : tr("Butler"));
}

void MainWindow::collectionActivated(const QModelIndex& index)
{
    if (!index.isValid() || index.data(CollectionTreeModel::IsFolderRole).toBool())
        return;
    showCollection(index.data(CollectionTreeModel::NameRole).toString());
}

void MainWindow::showCollection(const QString& name)
{
    if (!m_datasets)
        return;
    m_currentCollection = name;
    m_details->clear();
    m_datasets->setQuery({name}, m_filter->datasetTypeGlobs(),
                         m_filter->isValid() ? m_filter->where() : QString());
}

void MainWindow::applyFilter(const QStringList& globs, const QString& where)
{
    if (!m_datasets || m_currentCollection.isEmpty())
        return;
    m_details->clear();
    m_datasets->setQuery({m_currentCollection}, globs, where);
}

void MainWindow::datasetSelectionChanged()
{
    const QModelIndex current = m_datasetView->selectionModel()->currentIndex();
    const QModelIndexList rows = m_datasetView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_details->clear();
        return;
    }
    const QModelIndex row = current.isValid() && m_datasetView->selectionModel()->isRowSelected(current.row())
                                ? current
                                : rows.first();
    const QVariant ref = m_datasets->index(row.row(), 0).data(DatasetTableModel::DatasetRefRole);
    if (ref.canConvert<DatasetRef>())
        m_details->showDataset(ref.value<DatasetRef>());
}

void MainWindow::showMessage(const QString& message)
{
    m_lastMessage = message;
    m_tableStatus->setText(message);
    statusBar()->showMessage(message, 10000);
    qCInfo(lcWindow) << message;
    emit messageShown(message);
}

void MainWindow::collectionsChanged(const QStringList& names)
{
    if (!m_collections)
        return;
    for (const QString& name : names) {
        m_collections->invalidateCount(name);
        m_collections->reloadChain(name);
    }
    // The table shows what the server now says; the filter stays.
    if (names.contains(m_currentCollection))
        m_datasets->setQuery({m_currentCollection}, m_filter->datasetTypeGlobs(),
                             m_filter->isValid() ? m_filter->where() : QString());
}

void MainWindow::removeSelectedFromCollection()
{
    if (!m_curation || m_currentCollection.isEmpty())
        return;
    const QModelIndex current = m_collections->indexForCollection(m_currentCollection);
    if (current.data(CollectionTreeModel::TypeRole).toInt() != int(CollectionType::Tagged)) {
        showMessage(tr("Datasets can be removed from TAGGED collections only; '%1' is not one.")
                        .arg(m_currentCollection));
        return;
    }
    QList<QUuid> ids;
    for (const QModelIndex& row : m_datasetView->selectionModel()->selectedRows())
        ids << row.data(DatasetTableModel::IdRole).toUuid();
    m_curation->disassociate(m_currentCollection, ids);
}

void MainWindow::certifySelected()
{
    if (!m_curation)
        return;
    QList<QUuid> ids;
    for (const QModelIndex& row : m_datasetView->selectionModel()->selectedRows())
        ids << row.data(DatasetTableModel::IdRole).toUuid();
    if (ids.isEmpty()) {
        showMessage(tr("Select the datasets to certify first."));
        return;
    }
    auto* dialog = new CertifyDialog(m_session.get(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CertifyDialog::certifyRequested, this,
            [this, ids](const QString& collection, const Timespan& validity) {
                m_curation->certify(collection, ids, validity);
            });
    dialog->open();
}

void MainWindow::newCollection()
{
    if (!m_curation)
        return;
    auto* dialog = new NewCollectionDialog(m_session->identity().user, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &NewCollectionDialog::createRequested, m_curation, &CurationController::createCollection);
    dialog->open();
}

void MainWindow::openLocalDialog()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open local repository"));
    if (!path.isEmpty())
        openLocal(path);
}

void MainWindow::openRemoteDialog()
{
    bool ok = false;
    const QString url = QInputDialog::getText(
        this, tr("Connect to server"), tr("Repository URL (http(s)://HOST:PORT/api/butler/repo/LABEL):"),
        QLineEdit::Normal, QString(), &ok);
    if (!ok || url.isEmpty())
        return;
    const QString token = QInputDialog::getText(this, tr("Connect to server"), tr("Access token:"),
                                                QLineEdit::Password, QString(), &ok);
    if (ok)
        openRemote(url, token);
}

} // namespace butler
