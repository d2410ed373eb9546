#include "MainWindow.h"

#include "AppLanguage.h"
#include "CertifyDialog.h"
#include "CollectionTreeModel.h"
#include "CurationController.h"
#include "DatasetDetailsPanel.h"
#include "DatasetFilterBar.h"
#include "DatasetTableModel.h"
#include "DatasetTableView.h"
#include "DimensionRecordBrowser.h"
#include "LoginDialog.h"
#include "NewCollectionDialog.h"
#include "OperationsModel.h"
#include "OperationsPanel.h"
#include "PreviewPanel.h"
#include "QuotaBar.h"
#include "RecentRepositories.h"
#include "RequestGroup.h"
#include "SettingsDialog.h"
#include "TagDialog.h"
#include "TokenStore.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QShowEvent>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

namespace butler {

Q_LOGGING_CATEGORY(lcWindow, "butler.views.window")

MainWindow::MainWindow(LocalServerFactory localServers, QWidget* parent)
    : QMainWindow(parent)
    , m_localServers(std::move(localServers))
    , m_tokens(std::make_unique<TokenStore>())
    , m_recent(std::make_unique<RecentRepositories>())
    , m_undo(new QUndoStack(this))
    , m_operations(new OperationsModel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    m_tokens->setShareWithCommandLine(SettingsDialog::shareTokensWithCommandLine());
    buildUi();
    buildMenus();
    retranslateUi();
    restoreLayout();
}

MainWindow::~MainWindow()
{
    // Work still running stops now, so that the session can go soon after.
    endModelOperations();
    m_operations->cancelAll();
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
    m_datasetView = new DatasetTableView(centre);
    m_datasetView->setObjectName(QStringLiteral("datasetView"));
    layout->addWidget(m_datasetView, 1);
    m_tableStatus = new QLabel(centre);
    m_tableStatus->setObjectName(QStringLiteral("messageLine"));
    m_tableStatus->setWordWrap(true);
    layout->addWidget(m_tableStatus);
    setCentralWidget(centre);
    connect(m_filter, &DatasetFilterBar::filterApplied, this, &MainWindow::applyFilter);
    // Enter on a dataset goes to its details.
    connect(m_datasetView, &QAbstractItemView::activated, this, [this] { focusPane(Pane::Details); });

    // Left: collections.
    m_collectionsDock = new QDockWidget(this);
    m_collectionsDock->setObjectName(QStringLiteral("collectionsDock"));
    auto* collectionsPane = new QWidget(m_collectionsDock);
    auto* collectionsLayout = new QVBoxLayout(collectionsPane);
    collectionsLayout->setContentsMargins(2, 2, 2, 2);
    auto* bar = new QHBoxLayout;
    m_grouping = new QComboBox(collectionsPane);
    m_grouping->addItem(QString(), int(CollectionTreeModel::Grouping::Flat));
    m_grouping->addItem(QString(), int(CollectionTreeModel::Grouping::ByNamespace));
    m_newButton = new QPushButton(collectionsPane);
    bar->addWidget(m_grouping, 1);
    bar->addWidget(m_newButton);
    collectionsLayout->addLayout(bar);
    m_collectionView = new QTreeView(collectionsPane);
    m_collectionView->setObjectName(QStringLiteral("collectionView"));
    m_collectionView->setUniformRowHeights(true);
    // Names like LSSTCam/calib/DM-123/bias differ at the end.
    m_collectionView->setTextElideMode(Qt::ElideMiddle);
    m_collectionView->setAcceptDrops(true);
    m_collectionView->setDragEnabled(true);
    m_collectionView->setDropIndicatorShown(true);
    m_collectionView->setDragDropMode(QAbstractItemView::DragDrop);
    m_collectionView->setDefaultDropAction(Qt::CopyAction);
    collectionsLayout->addWidget(m_collectionView);
    m_collectionsDock->setWidget(collectionsPane);
    addDockWidget(Qt::LeftDockWidgetArea, m_collectionsDock);
    connect(m_newButton, &QPushButton::clicked, this, &MainWindow::newCollection);
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this] {
        if (m_collections)
            m_collections->setGrouping(CollectionTreeModel::Grouping(m_grouping->currentData().toInt()));
    });

    // Right: details and preview.
    m_detailsDock = new QDockWidget(this);
    m_detailsDock->setObjectName(QStringLiteral("detailsDock"));
    m_details = new DatasetDetailsPanel(m_detailsDock);
    m_details->setOperations(m_operations);
    m_detailsDock->setWidget(m_details);
    addDockWidget(Qt::RightDockWidgetArea, m_detailsDock);
    connect(m_details, &DatasetDetailsPanel::errorOccurred, this, &MainWindow::showMessage);

    // Bottom: dimension records, and the operations beside them.
    m_recordsDock = new QDockWidget(this);
    m_recordsDock->setObjectName(QStringLiteral("recordsDock"));
    m_records = new DimensionRecordBrowser(m_recordsDock);
    m_records->setOperations(m_operations);
    m_recordsDock->setWidget(m_records);
    addDockWidget(Qt::BottomDockWidgetArea, m_recordsDock);
    connect(m_records, &DimensionRecordBrowser::recordsSelected, m_filter, &DatasetFilterBar::setWhere);
    connect(m_records, &DimensionRecordBrowser::pointingsSelected, this,
            [this](const QList<SkyPointing>& pointings) { m_details->preview()->showPointings(pointings); });

    m_operationsDock = new QDockWidget(this);
    m_operationsDock->setObjectName(QStringLiteral("operationsDock"));
    m_operationsPanel = new OperationsPanel(m_operations, m_operationsDock);
    m_operationsDock->setWidget(m_operationsPanel);
    addDockWidget(Qt::BottomDockWidgetArea, m_operationsDock);
    tabifyDockWidget(m_recordsDock, m_operationsDock);
    m_recordsDock->raise();

    // Status bar: who, how much room is left, and what is in progress.
    m_userLabel = new QLabel(this);
    m_userLabel->setObjectName(QStringLiteral("userLabel"));
    m_quotaBar = new QuotaBar(this);
    m_busyLabel = new QLabel(this);
    m_busyLabel->setObjectName(QStringLiteral("busyLabel"));
    m_busyBar = new QProgressBar(this);
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(120);
    m_busyBar->hide();
    m_operationsButton = new QToolButton(this);
    m_operationsButton->setObjectName(QStringLiteral("operationsButton"));
    m_operationsButton->setAutoRaise(true);
    statusBar()->addPermanentWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_busyBar);
    statusBar()->addPermanentWidget(m_operationsButton);
    statusBar()->addPermanentWidget(m_quotaBar);
    statusBar()->addPermanentWidget(m_userLabel);
    connect(m_operationsButton, &QToolButton::clicked, this, [this] { focusPane(Pane::Operations); });
    connect(m_operations, &OperationsModel::runningCountChanged, this, &MainWindow::updateBusy);

    m_quotaTimer = new QTimer(this);
    m_quotaTimer->setInterval(kQuotaRefreshMs);
    connect(m_quotaTimer, &QTimer::timeout, this, &MainWindow::refreshQuota);
}

void MainWindow::buildMenus()
{
    const auto named = [](QAction* action, const char* name) {
        action->setObjectName(QString::fromLatin1(name));
        return action;
    };

    m_fileMenu = menuBar()->addMenu(QString());
    m_openLocalAction =
        named(m_fileMenu->addAction(QString(), this, &MainWindow::openLocalDialog), "openLocalAction");
    m_openLocalAction->setShortcut(QKeySequence::Open);
    m_connectAction =
        named(m_fileMenu->addAction(QString(), this, [this] { showLoginDialog(); }), "connectAction");
    m_connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    m_fileMenu->addSeparator();
    m_quitAction = named(m_fileMenu->addAction(QString(), this, &QWidget::close), "quitAction");
    m_quitAction->setShortcut(QKeySequence::Quit);

    m_editMenu = menuBar()->addMenu(QString());
    // Own actions rather than QUndoStack's, whose "Undo" prefix is fixed when they are made.
    m_undoAction = named(new QAction(this), "undoAction");
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_undoAction->setEnabled(m_undo->canUndo());
    connect(m_undoAction, &QAction::triggered, m_undo, &QUndoStack::undo);
    connect(m_undo, &QUndoStack::canUndoChanged, m_undoAction, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, this, &MainWindow::updateUndoTexts);
    m_redoAction = named(new QAction(this), "redoAction");
    m_redoAction->setEnabled(m_undo->canRedo());
    connect(m_redoAction, &QAction::triggered, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canRedoChanged, m_redoAction, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::redoTextChanged, this, &MainWindow::updateUndoTexts);
    // Ctrl+Shift+Z everywhere, plus the platform's own redo keys (which may already hold it:
    // a shortcut listed twice would be ambiguous and never fire).
    QList<QKeySequence> redoKeys{QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)};
    for (const QKeySequence& keys : QKeySequence::keyBindings(QKeySequence::Redo))
        if (!redoKeys.contains(keys))
            redoKeys << keys;
    m_redoAction->setShortcuts(redoKeys);
    m_editMenu->addAction(m_undoAction);
    m_editMenu->addAction(m_redoAction);
    m_editMenu->addSeparator();
    m_tagAction = named(m_editMenu->addAction(QString(), this, [this] { tagSelected(); }), "tagAction");
    m_tagAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_removeAction = named(m_editMenu->addAction(QString(), this, &MainWindow::removeSelectedFromCollection),
                           "removeAction");
    m_removeAction->setShortcut(QKeySequence::Delete);
    m_removeAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_datasetView->addAction(m_removeAction);
    m_certifyAction =
        named(m_editMenu->addAction(QString(), this, &MainWindow::certifySelected), "certifyAction");
    m_editMenu->addSeparator();
    m_preferencesAction =
        named(m_editMenu->addAction(QString(), this, [this] { showPreferences(); }), "preferencesAction");
    QList<QKeySequence> preferenceKeys{QKeySequence(Qt::CTRL | Qt::Key_Comma)};
    for (const QKeySequence& keys : QKeySequence::keyBindings(QKeySequence::Preferences))
        if (!preferenceKeys.contains(keys))
            preferenceKeys << keys;
    m_preferencesAction->setShortcuts(preferenceKeys);
    m_preferencesAction->setMenuRole(QAction::PreferencesRole);

    m_collectionMenu = menuBar()->addMenu(QString());
    m_newCollectionAction = named(m_collectionMenu->addAction(QString(), this, &MainWindow::newCollection),
                                  "newCollectionAction");
    m_newCollectionAction->setShortcut(QKeySequence::New);
    m_refreshAction = named(m_collectionMenu->addAction(QString(), this,
                                                        [this] {
                                                            if (m_collections)
                                                                m_collections->refresh();
                                                        }),
                            "refreshAction");
    m_refreshAction->setShortcut(QKeySequence::Refresh);

    m_viewMenu = menuBar()->addMenu(QString());
    for (QDockWidget* dock : {m_collectionsDock, m_detailsDock, m_recordsDock, m_operationsDock})
        m_viewMenu->addAction(dock->toggleViewAction());

    // Keyboard moves between the panes.
    m_goMenu = menuBar()->addMenu(QString());
    const auto goTo = [&](Pane pane, QKeySequence keys, const char* name) {
        QAction* action =
            named(m_goMenu->addAction(QString(), this, [this, pane] { focusPane(pane); }), name);
        action->setShortcut(keys);
        return action;
    };
    m_goCollectionsAction =
        goTo(Pane::Collections, QKeySequence(Qt::CTRL | Qt::Key_1), "goCollectionsAction");
    m_goDatasetsAction = goTo(Pane::Datasets, QKeySequence(Qt::CTRL | Qt::Key_2), "goDatasetsAction");
    m_goDetailsAction = goTo(Pane::Details, QKeySequence(Qt::CTRL | Qt::Key_3), "goDetailsAction");
    m_goRecordsAction = goTo(Pane::Records, QKeySequence(Qt::CTRL | Qt::Key_4), "goRecordsAction");
    m_goOperationsAction = goTo(Pane::Operations, QKeySequence(Qt::CTRL | Qt::Key_5), "goOperationsAction");
    m_goFilterAction = goTo(Pane::Filter, QKeySequence(Qt::CTRL | Qt::Key_L), "goFilterAction");
    m_goMenu->addSeparator();
    m_nextPaneAction =
        named(m_goMenu->addAction(QString(), this, [this] { focusNextPane(false); }), "nextPaneAction");
    m_nextPaneAction->setShortcut(QKeySequence(Qt::Key_F6));
    m_previousPaneAction =
        named(m_goMenu->addAction(QString(), this, [this] { focusNextPane(true); }), "previousPaneAction");
    m_previousPaneAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F6));
}

void MainWindow::retranslateUi()
{
    updateTitle();

    m_datasetView->setAccessibleName(tr("Datasets"));
    m_tableStatus->setAccessibleName(tr("Messages"));
    m_collectionsDock->setWindowTitle(tr("Collections"));
    m_grouping->setAccessibleName(tr("Collection grouping"));
    m_grouping->setItemText(0, tr("All collections"));
    m_grouping->setItemText(1, tr("By namespace"));
    m_newButton->setText(tr("&New…"));
    m_newButton->setAccessibleName(tr("New collection"));
    m_collectionView->setAccessibleName(tr("Collections"));
    m_detailsDock->setWindowTitle(tr("Details"));
    m_recordsDock->setWindowTitle(tr("Dimension records"));
    m_operationsDock->setWindowTitle(tr("Operations"));

    m_userLabel->setAccessibleName(tr("Signed-in user"));
    m_busyBar->setAccessibleName(tr("Work in progress"));
    m_operationsButton->setAccessibleName(tr("Show background operations"));
    m_operationsButton->setToolTip(tr("Show the background operations"));

    m_fileMenu->setTitle(tr("&File"));
    m_openLocalAction->setText(tr("Open &local repository…"));
    m_connectAction->setText(tr("Connect to &server…"));
    m_recentMenu->setTitle(tr("&Recent repositories"));
    m_quitAction->setText(tr("&Quit"));
    m_editMenu->setTitle(tr("&Edit"));
    updateUndoTexts();
    m_tagAction->setText(tr("&Add selected to tagged collection…"));
    m_removeAction->setText(tr("Re&move selected from collection"));
    m_certifyAction->setText(tr("&Certify…"));
    m_preferencesAction->setText(tr("&Preferences…"));
    m_collectionMenu->setTitle(tr("&Collection"));
    m_newCollectionAction->setText(tr("&New collection…"));
    m_refreshAction->setText(tr("&Refresh"));
    m_viewMenu->setTitle(tr("&View"));
    // After the dock titles, which the toggle actions take over.
    m_collectionsDock->toggleViewAction()->setText(tr("&Collections"));
    m_detailsDock->toggleViewAction()->setText(tr("&Details"));
    m_recordsDock->toggleViewAction()->setText(tr("Dimension &records"));
    m_operationsDock->toggleViewAction()->setText(tr("&Operations"));
    m_goMenu->setTitle(tr("&Go"));
    m_goCollectionsAction->setText(tr("&Collections"));
    m_goDatasetsAction->setText(tr("&Datasets"));
    m_goDetailsAction->setText(tr("D&etails"));
    m_goRecordsAction->setText(tr("Dimension &records"));
    m_goOperationsAction->setText(tr("&Operations"));
    m_goFilterAction->setText(tr("&Where filter"));
    m_nextPaneAction->setText(tr("&Next pane"));
    m_previousPaneAction->setText(tr("&Previous pane"));
    updateRecentMenu();

    updateBusy();
    setBusyText(std::move(m_busyText));
    if (m_quotaNote != QuotaNote::None)
        m_quotaBar->setUnavailable(quotaNoteText());
    updateUserLabel();

    // The models say their headers through tr() when asked: the views are told to ask again.
    for (QAbstractItemModel* model :
         {static_cast<QAbstractItemModel*>(m_datasets), static_cast<QAbstractItemModel*>(m_collections)})
        if (model && model->columnCount() > 0)
            emit model->headerDataChanged(Qt::Horizontal, 0, model->columnCount() - 1);
}

void MainWindow::changeEvent(QEvent* event)
{
    switch (event->type()) {
    case QEvent::LanguageChange:
        retranslateUi();
        break;
    case QEvent::LocaleChange:
        // The system's language changed while the app follows it.
        if (AppLanguage::configured().isEmpty() && AppLanguage::locale() != QLocale())
            AppLanguage::install(QCoreApplication::instance());
        break;
    default:
        break;
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::updateUndoTexts()
{
    const QString undo = m_undo->undoText();
    const QString redo = m_undo->redoText();
    m_undoAction->setText(undo.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(undo));
    m_redoAction->setText(redo.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(redo));
}

void MainWindow::setBusyText(std::function<QString()> text)
{
    m_busyText = std::move(text);
    m_busyLabel->setText(m_busyText ? m_busyText() : QString());
}

QString MainWindow::quotaNoteText() const
{
    switch (m_quotaNote) {
    case QuotaNote::None:
        return {};
    case QuotaNote::NoQuota:
        return tr("This server keeps no storage quota.");
    case QuotaNote::Unknown:
        return tr("The storage quota is unknown: %1").arg(m_quotaError);
    }
    return {};
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QList<RecentRepository> entries = m_recent->entries();
    int number = 0;
    for (const RecentRepository& entry : entries) {
        ++number;
        // "&1 name", so the first nine open with their digit.
        const QString text =
            number < 10 ? QStringLiteral("&%1 %2").arg(number).arg(entry.label) : entry.label;
        QAction* action = m_recentMenu->addAction(text);
        action->setToolTip(entry.location);
        action->setStatusTip(entry.location);
        const QString location = entry.location;
        connect(action, &QAction::triggered, this, [this, location] {
            if (TokenStore::normalizeServerUrl(location).ok())
                connectToServer(location);
            else
                openLocal(location);
        });
    }
    if (entries.isEmpty()) {
        m_recentMenu->addAction(tr("No recent repositories"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("&Clear the list"), this, [this] { m_recent->clear(); });
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // First run: most of the screen rather than the widgets' minimal size.
        if (const QScreen* screen = QGuiApplication::primaryScreen()) {
            const QRect area = screen->availableGeometry();
            resize(area.width() * 4 / 5, area.height() * 4 / 5);
            move(area.center() - rect().center());
        }
    }
    m_layoutOnShow = true;
    if (settings.contains(QStringLiteral("window/grouping")))
        m_grouping->setCurrentIndex(settings.value(QStringLiteral("window/grouping")).toInt());
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    if (!std::exchange(m_layoutOnShow, false))
        return;
    // Once the shown window has its final size: docks restored earlier are squeezed while the
    // window still has its initial one.
    QTimer::singleShot(0, this, [this] {
        if (restoreState(QSettings().value(QStringLiteral("window/state")).toByteArray()))
            return;
        // First run: room for collection names on the left and for a preview on the right;
        // the table keeps the rest.
        resizeDocks({m_collectionsDock, m_detailsDock}, {width() / 5, width() * 3 / 10}, Qt::Horizontal);
    });
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
    setBusyText([this, path] { return tr("Opening %1…").arg(path); });
    const quint64 operation = m_operations->start(tr("Opening %1…").arg(path));
    QCoro::connect(RepositorySession::openLocal(path, m_localServers), this,
                   [this, path, operation](Result<std::unique_ptr<RepositorySession>>&& session) {
                       --m_opening;
                       m_operations->finish(operation, session ? QString() : session.error().message());
                       if (!session) {
                           setBusyText({});
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
    setBusyText([this, url] { return tr("Connecting to %1…").arg(url); });
    const quint64 operation = m_operations->start(tr("Connecting to %1…").arg(url));
    QCoro::connect(RepositorySession::openRemote(url, token), this,
                   [this, url, operation](Result<std::unique_ptr<RepositorySession>>&& session) {
                       --m_opening;
                       m_operations->finish(operation, session ? QString() : session.error().message());
                       if (!session) {
                           setBusyText({});
                           showMessage(tr("Cannot connect to %1: %2").arg(url, session.error().message()));
                           emit sessionFailed(session.error().message());
                           // A token the server no longer takes: sign in again.
                           if (session.error().kind() == ErrorKind::Unauthenticated)
                               showLoginDialog(url);
                           return;
                       }
                       setSession(std::move(*session));
                   });
}

void MainWindow::connectToServer(const QString& url)
{
    if (url.isEmpty()) {
        showLoginDialog();
        return;
    }
    QCoro::connect(m_tokens->loadAsync(url), this, [this, url](const Result<QString>& token) {
        if (token.ok())
            openRemote(url, *token);
        else
            showLoginDialog(url);
    });
}

LoginDialog* MainWindow::showLoginDialog(const QString& url)
{
    auto* dialog = new LoginDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRepositoryRequired(true);
    dialog->setTokenStore(m_tokens.get());
    QString location = url;
    if (location.isEmpty()) {
        // The server opened last, as a start.
        for (const RecentRepository& entry : m_recent->entries())
            if (TokenStore::normalizeServerUrl(entry.location).ok()) {
                location = entry.location;
                break;
            }
    }
    dialog->setServerUrl(location);
    connect(dialog, &LoginDialog::tokenObtained, this,
            [this](const QString& server, const QString& token) { openRemote(server, token); });
    dialog->open();
    return dialog;
}

SettingsDialog* MainWindow::showPreferences()
{
    auto* dialog = new SettingsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::shareTokensChanged, this,
            [this](bool share) { m_tokens->setShareWithCommandLine(share); });
    dialog->open();
    return dialog;
}

void MainWindow::endModelOperations()
{
    // The models of a session that goes: their operations end as cancelled.
    for (const std::shared_ptr<RequestGroup>& group : {m_tableRequests, m_treeRequests})
        if (group)
            group->disconnect(this);
    QList<quint64> ended;
    m_countRequests.clear();
    if (m_countOperation)
        ended << std::exchange(m_countOperation, 0);
    if (m_tableOperation)
        ended << std::exchange(m_tableOperation, 0);
    for (quint64 operation : std::as_const(ended)) {
        m_operations->cancel(operation);
        m_operations->finish(operation);
    }
}

void MainWindow::setSession(std::unique_ptr<RepositorySession> session)
{
    // Tear down what belongs to the previous session first, stopping its work.
    endModelOperations();
    m_operations->cancelAll();
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
    m_tableRequests.reset();
    m_treeRequests.reset();
    m_currentCollection.clear();
    ++m_quotaRequest;
    m_quotaBar->clear();
    m_quotaNote = QuotaNote::None;
    m_quotaError.clear();
    RepositorySession::retire(std::move(m_session));
    m_session = std::move(session);
    connectSessionModels();

    m_recent->add(m_session->displayName(), m_session->location());
    updateRecentMenu();
    updateUserLabel();
    setBusyText({});
    m_tableStatus->clear();
    updateTitle();
    updateBusy();
    refreshQuota();
    m_quotaTimer->start();
    emit sessionOpened();
}

void MainWindow::connectSessionModels()
{
    m_treeRequests = std::make_shared<RequestGroup>();
    m_collections = new CollectionTreeModel(m_session->groupButler(m_treeRequests), this);
    m_collections->setGrouping(CollectionTreeModel::Grouping(m_grouping->currentData().toInt()));
    m_collectionView->setModel(m_collections);
    m_collectionView->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_collectionView->header()->setStretchLastSection(false);
    // The counts take what a seven-digit count or the header needs; the names get the rest.
    const int countWidth = m_collectionView->fontMetrics().horizontalAdvance(QStringLiteral("88888888"));
    m_collectionView->header()->resizeSection(
        1, qMax(countWidth, m_collectionView->header()->sectionSizeHint(1)));
    connect(m_collectionView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::collectionActivated);
    connect(m_collections, &CollectionTreeModel::errorOccurred, this, &MainWindow::showMessage);
    connect(m_treeRequests.get(), &RequestGroup::requestStarted, this, &MainWindow::countRequestStarted);
    connect(m_treeRequests.get(), &RequestGroup::requestFinished, this, &MainWindow::countRequestFinished);

    m_tableRequests = std::make_shared<RequestGroup>();
    m_datasets = new DatasetTableModel(m_session->groupButler(m_tableRequests), this);
    m_datasetView->setModel(m_datasets);
    connect(m_datasetView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::datasetSelectionChanged);
    connect(m_datasets, &DatasetTableModel::errorOccurred, this, [this](const QString& message) {
        showMessage(RequestGroup::isCancellationMessage(message) ? tr("Loading the datasets was cancelled.")
                                                                 : message);
    });
    connect(m_datasets, &DatasetTableModel::loadingChanged, this, &MainWindow::datasetLoadingChanged);

    m_curation = new CurationController(m_session.get(), m_undo, this);
    m_curation->setOperations(m_operations);
    connect(m_curation, &CurationController::refused, this, &MainWindow::showMessage);
    connect(m_curation, &CurationController::collectionsChanged, this, &MainWindow::collectionsChanged);
    connect(m_curation, &CurationController::collectionListChanged, m_collections,
            &CollectionTreeModel::refresh);
    connect(m_curation, &CurationController::collectionListChanged, this, &MainWindow::refreshQuota);
    connect(m_curation, &CurationController::pendingChanged, this, &MainWindow::updateBusy);
    connect(m_collections, &CollectionTreeModel::datasetsDropped, m_curation, &CurationController::associate);
    connect(m_collections, &CollectionTreeModel::collectionsDropped, m_curation,
            &CurationController::insertIntoChain);

    RemoteButler* butler = &m_session->butler();
    m_filter->setUniverse(&butler->universe());
    m_details->setSession(m_session.get());
    m_records->setSession(m_session.get());
}

void MainWindow::datasetLoadingChanged(bool loading)
{
    if (loading) {
        const QString title = tr("Load datasets of %1").arg(m_currentCollection);
        if (m_tableOperation && m_operations->state(m_tableOperation) == OperationsModel::State::Running) {
            m_operations->setTitle(m_tableOperation, title);
            return;
        }
        const std::weak_ptr<RequestGroup> group = m_tableRequests;
        m_tableOperation = m_operations->start(title, [group] {
            if (const auto g = group.lock())
                g->abortAll();
        });
        return;
    }
    if (m_tableOperation)
        m_operations->finish(std::exchange(m_tableOperation, 0), m_datasets->lastError());
    setBusyText([this, shown = m_datasets->rowCount()] { return tr("%n dataset(s) shown", nullptr, shown); });
}

void MainWindow::countRequestStarted(quint64 request, const QByteArray&, const QUrl& url,
                                     const QByteArray& body)
{
    if (!url.path().endsWith(QLatin1String("/datasets/count")))
        return;
    QStringList names;
    for (const QJsonValue& name :
         QJsonDocument::fromJson(body).object().value(QLatin1String("collections")).toArray())
        names << name.toString();
    m_countRequests.insert(request, names.join(QStringLiteral(", ")));
    if (!m_countOperation) {
        m_countsDone = 0;
        const std::weak_ptr<RequestGroup> group = m_treeRequests;
        m_countOperation = m_operations->start(QString(), [this, group] {
            if (const auto g = group.lock())
                for (quint64 id : m_countRequests.keys())
                    g->abort(id);
        });
    }
    updateCountTitle();
}

void MainWindow::countRequestFinished(quint64 request)
{
    if (!m_countRequests.remove(request))
        return;
    ++m_countsDone;
    if (!m_countRequests.isEmpty()) {
        updateCountTitle();
        return;
    }
    m_operations->finish(std::exchange(m_countOperation, 0));
}

void MainWindow::updateCountTitle()
{
    const int total = m_countsDone + int(m_countRequests.size());
    if (total == 1 && !m_countRequests.isEmpty())
        m_operations->setTitle(m_countOperation,
                               tr("Count datasets in %1").arg(m_countRequests.cbegin().value()));
    else
        m_operations->setTitle(m_countOperation, tr("Count datasets in %n collection(s)", nullptr, total));
    m_operations->setProgress(m_countOperation, m_countsDone, total, OperationsModel::Unit::Items);
}

void MainWindow::updateBusy()
{
    const int running = m_operations->runningCount();
    m_busyBar->setVisible(running > 0);
    m_operationsButton->setText(running > 0 ? tr("%n operation(s) running", nullptr, running)
                                            : tr("Operations"));
    const QString current = m_operations->currentTitle();
    m_busyBar->setToolTip(current);
    m_operationsButton->setAccessibleDescription(current);
}

void MainWindow::updateUserLabel()
{
    if (!m_session) {
        m_userLabel->clear();
        m_userLabel->setToolTip(QString());
        return;
    }
    const RemoteIdentity& who = m_session->identity();
    m_userLabel->setText(
        who.groups.isEmpty() ? who.user : tr("%1 (%2)").arg(who.user, who.groups.join(QStringLiteral(", "))));
    QStringList lines{tr("Signed in as %1").arg(who.user)};
    lines << (who.groups.isEmpty() ? tr("No groups")
                                   : tr("Groups: %1").arg(who.groups.join(QStringLiteral(", "))));
    if (who.admin)
        lines << tr("Administrator");
    if (m_quotaNote != QuotaNote::None)
        lines << quotaNoteText();
    const QString details = lines.join(QLatin1Char('\n'));
    m_userLabel->setToolTip(details);
    m_userLabel->setAccessibleDescription(details);
}

void MainWindow::refreshQuota()
{
    if (!m_session) {
        m_quotaBar->clear();
        return;
    }
    const quint64 request = ++m_quotaRequest;
    QCoro::connect(m_session->butler().quotaAsync(), this, [this, request](const Result<RemoteQuota>& quota) {
        if (request != m_quotaRequest)
            return;
        if (quota && quota->limitBytes > 0) {
            m_quotaNote = QuotaNote::None;
            m_quotaError.clear();
            m_quotaBar->setQuota(*quota);
        } else {
            // A server without quotas has no such route, or no limit to report.
            const bool none = quota.ok() || quota.error().kind() == ErrorKind::NotFound;
            m_quotaNote = none ? QuotaNote::NoQuota : QuotaNote::Unknown;
            m_quotaError = none ? QString() : quota.error().message();
            m_quotaBar->setUnavailable(quotaNoteText());
        }
        updateUserLabel();
        emit quotaRefreshed();
    });
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
    // Curation may have moved bytes between users (a removed run gives its files back).
    refreshQuota();
}

QList<QUuid> MainWindow::selectedDatasetIds() const
{
    QList<QUuid> ids;
    if (!m_datasetView->selectionModel())
        return ids;
    for (const QModelIndex& row : m_datasetView->selectionModel()->selectedRows())
        ids << row.data(DatasetTableModel::IdRole).toUuid();
    return ids;
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
    m_curation->disassociate(m_currentCollection, selectedDatasetIds());
}

TagDialog* MainWindow::tagSelected()
{
    if (!m_curation)
        return nullptr;
    const QList<QUuid> ids = selectedDatasetIds();
    if (ids.isEmpty()) {
        showMessage(tr("Select the datasets to tag first."));
        return nullptr;
    }
    auto* dialog = new TagDialog(m_session.get(), int(ids.size()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(
        dialog, &TagDialog::tagRequested, m_curation,
        [curation = m_curation, ids](const QString& collection) { curation->associate(collection, ids); });
    dialog->open();
    return dialog;
}

void MainWindow::certifySelected()
{
    if (!m_curation)
        return;
    const QList<QUuid> ids = selectedDatasetIds();
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

QWidget* MainWindow::paneWidget(Pane pane) const
{
    switch (pane) {
    case Pane::Collections:
        return m_collectionView;
    case Pane::Filter:
        return m_filter->whereEdit();
    case Pane::Datasets:
        return m_datasetView;
    case Pane::Details:
        return m_details->textView();
    case Pane::Records:
        return m_records->view();
    case Pane::Operations:
        return m_operationsPanel->view();
    }
    return nullptr;
}

QDockWidget* MainWindow::paneDock(Pane pane) const
{
    switch (pane) {
    case Pane::Collections:
        return m_collectionsDock;
    case Pane::Details:
        return m_detailsDock;
    case Pane::Records:
        return m_recordsDock;
    case Pane::Operations:
        return m_operationsDock;
    case Pane::Filter:
    case Pane::Datasets:
        return nullptr;
    }
    return nullptr;
}

void MainWindow::focusPane(Pane pane)
{
    if (QDockWidget* dock = paneDock(pane)) {
        dock->show();
        dock->raise();
    }
    QWidget* target = paneWidget(pane);
    target->setFocus(Qt::ShortcutFocusReason);
    if (pane == Pane::Filter)
        m_filter->whereEdit()->selectAll();
}

std::optional<MainWindow::Pane> MainWindow::focusedPane() const
{
    const QWidget* focus = QApplication::focusWidget();
    if (!focus)
        return std::nullopt;
    const std::pair<Pane, QWidget*> containers[] = {{Pane::Collections, m_collectionsDock->widget()},
                                                    {Pane::Filter, m_filter},
                                                    {Pane::Datasets, m_datasetView},
                                                    {Pane::Details, m_details},
                                                    {Pane::Records, m_records},
                                                    {Pane::Operations, m_operationsPanel}};
    for (const auto& [pane, container] : containers)
        if (container == focus || container->isAncestorOf(focus))
            return pane;
    return std::nullopt;
}

void MainWindow::focusNextPane(bool backwards)
{
    const QList<Pane> order{Pane::Collections, Pane::Filter,  Pane::Datasets,
                            Pane::Details,     Pane::Records, Pane::Operations};
    const std::optional<Pane> now = focusedPane();
    qsizetype at = now ? order.indexOf(*now) : (backwards ? 0 : order.size() - 1);
    for (qsizetype step = 0; step < order.size(); ++step) {
        at = (at + (backwards ? order.size() - 1 : 1)) % order.size();
        const Pane pane = order[at];
        // Panes whose dock the user closed are skipped; tabbed ones are brought forward.
        QDockWidget* dock = paneDock(pane);
        if (dock && !dock->toggleViewAction()->isChecked())
            continue;
        focusPane(pane);
        return;
    }
}

} // namespace butler
