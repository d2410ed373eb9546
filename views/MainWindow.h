#pragma once

#include "RepositorySession.h"

#include <QHash>
#include <QMainWindow>
#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;
class QToolButton;
class QTreeView;
class QUndoStack;

namespace butler {

class CollectionTreeModel;
class CurationController;
class DatasetDetailsPanel;
class DatasetFilterBar;
class DatasetTableModel;
class DimensionRecordBrowser;
class LoginDialog;
class OperationsModel;
class OperationsPanel;
class QuotaBar;
class RecentRepositories;
class RequestGroup;
class SettingsDialog;
class TagDialog;
class TokenStore;

// The browser's main window: the collection tree (left), the datasets of the selected
// collection with a filter (centre), the selected dataset's details and preview (right), the
// dimension-record browser and the background operations (bottom), and a status bar with the
// user and groups, the storage quota and the work in progress. Docks, splitters and the
// window's geometry are remembered between runs.
//
// Everything goes through a RepositorySession, so a local repository (served by the embedded
// server) and a remote one behave the same. Curation (tagging by drag and drop or from the
// Edit menu, chains, certification, new collections) goes through CurationController and is
// undoable. Long work (dataset loads and counts, downloads, previews, curation requests) is
// listed in the operations panel, where it can be cancelled.
//
// Every action has a menu entry with a mnemonic; F6 and Shift+F6 move between the panes,
// Ctrl+1 to Ctrl+5 go to one of them, Ctrl+L to the where filter, and Enter on a dataset to
// its details.
//
// A language chosen in Edit > Preferences applies at once: on QEvent::LanguageChange the
// window sets its menus, docks, status bar and table headers again, and each panel and open
// dialog does the same for itself. Messages already shown and the titles of operations already
// listed stay as they were said.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // The panes, in F6 order.
    enum class Pane
    {
        Collections,
        Filter,
        Datasets,
        Details,
        Records,
        Operations,
    };
    Q_ENUM(Pane)

    // The storage quota is asked for again this often (and after curation).
    static constexpr int kQuotaRefreshMs = 60000;

    explicit MainWindow(LocalServerFactory localServers, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Open a repository; the window stays usable while it opens. sessionOpened() or
    // sessionFailed() says how it went; an opened one goes into the recent repositories.
    void openLocal(const QString& path);
    void openRemote(const QString& url, const QString& token);
    // Opens a server repository with the token stored for it (keychain, then the command line's
    // file); without one, or with an empty url, asks through the login dialog.
    void connectToServer(const QString& url = {});
    // File > Connect to server: the login dialog (OpenID Connect sign-in or a pasted token),
    // open and not modal; the token is stored and the repository opened once it is accepted.
    LoginDialog* showLoginDialog(const QString& url = {});
    // Edit > Preferences.
    SettingsDialog* showPreferences();
    // Edit > Add selected to tagged collection: asks for the collection; undoable like a drop.
    TagDialog* tagSelected();

    RepositorySession* session() const { return m_session.get(); }
    // The collection whose datasets the table shows.
    QString currentCollection() const { return m_currentCollection; }
    void showCollection(const QString& name);

    // Asks the server for the signed-in user's quota now.
    void refreshQuota();
    // Gives the keyboard focus to a pane (showing its dock).
    void focusPane(Pane pane);
    // F6 / Shift+F6.
    void focusNextPane(bool backwards = false);
    // The pane holding the keyboard focus, if any.
    std::optional<Pane> focusedPane() const;

    // For tests and automation.
    QTreeView* collectionView() const { return m_collectionView; }
    QTableView* datasetView() const { return m_datasetView; }
    CollectionTreeModel* collectionModel() const { return m_collections; }
    DatasetTableModel* datasetModel() const { return m_datasets; }
    DatasetFilterBar* filterBar() const { return m_filter; }
    DatasetDetailsPanel* detailsPanel() const { return m_details; }
    DimensionRecordBrowser* recordBrowser() const { return m_records; }
    CurationController* curation() const { return m_curation; }
    QUndoStack* undoStack() const { return m_undo; }
    OperationsModel* operations() const { return m_operations; }
    OperationsPanel* operationsPanel() const { return m_operationsPanel; }
    QuotaBar* quotaBar() const { return m_quotaBar; }
    QLabel* userLabel() const { return m_userLabel; }
    // The status bar's progress text ("Opening …", "12 datasets shown").
    QLabel* busyLabel() const { return m_busyLabel; }
    QToolButton* operationsButton() const { return m_operationsButton; }
    TokenStore* tokenStore() const { return m_tokens.get(); }
    RecentRepositories* recentRepositories() const { return m_recent.get(); }
    // The last message shown to the user about a refused or failed action.
    QString lastMessage() const { return m_lastMessage; }

signals:
    void sessionOpened();
    void sessionFailed(const QString& message);
    // A refused or failed action was explained to the user.
    void messageShown(const QString& message);
    // The quota bar shows the server's latest answer.
    void quotaRefreshed();

protected:
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    // Why the quota bar is hidden; the user label's tooltip says it too.
    enum class QuotaNote
    {
        None,
        NoQuota,
        Unknown, // asking failed: m_quotaError
    };

    void buildUi();
    void buildMenus();
    // Every text of the window that comes from tr(), again.
    void retranslateUi();
    void updateUndoTexts();
    // The status bar's progress text, made again on a language change; empty clears it.
    void setBusyText(std::function<QString()> text);
    QString quotaNoteText() const;
    void setSession(std::unique_ptr<RepositorySession> session);
    void connectSessionModels();
    void collectionActivated(const QModelIndex& index);
    void datasetSelectionChanged();
    void applyFilter(const QStringList& globs, const QString& where);
    void showMessage(const QString& message);
    void collectionsChanged(const QStringList& names);
    void newCollection();
    void certifySelected();
    void removeSelectedFromCollection();
    void openLocalDialog();
    void updateTitle();
    void updateUserLabel();
    void updateBusy();
    void updateRecentMenu();
    void restoreLayout();
    void datasetLoadingChanged(bool loading);
    void countRequestStarted(quint64 request, const QByteArray& method, const QUrl& url,
                             const QByteArray& body);
    void countRequestFinished(quint64 request);
    void updateCountTitle();
    void endModelOperations();
    QList<QUuid> selectedDatasetIds() const;
    QWidget* paneWidget(Pane pane) const;
    QDockWidget* paneDock(Pane pane) const;

    LocalServerFactory m_localServers;
    std::unique_ptr<RepositorySession> m_session;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<RecentRepositories> m_recent;
    QString m_currentCollection;
    QString m_lastMessage;
    QuotaNote m_quotaNote = QuotaNote::None;
    QString m_quotaError;
    std::function<QString()> m_busyText;

    QTreeView* m_collectionView = nullptr;
    QComboBox* m_grouping = nullptr;
    QPushButton* m_newButton = nullptr;
    QTableView* m_datasetView = nullptr;
    DatasetFilterBar* m_filter = nullptr;
    QLabel* m_tableStatus = nullptr;
    DatasetDetailsPanel* m_details = nullptr;
    DimensionRecordBrowser* m_records = nullptr;
    OperationsPanel* m_operationsPanel = nullptr;
    QDockWidget* m_collectionsDock = nullptr;
    QDockWidget* m_detailsDock = nullptr;
    QDockWidget* m_recordsDock = nullptr;
    QDockWidget* m_operationsDock = nullptr;
    QLabel* m_userLabel = nullptr;
    QLabel* m_busyLabel = nullptr;
    QProgressBar* m_busyBar = nullptr;
    QToolButton* m_operationsButton = nullptr;
    QuotaBar* m_quotaBar = nullptr;
    QTimer* m_quotaTimer = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_fileMenu = nullptr;
    QMenu* m_editMenu = nullptr;
    QMenu* m_collectionMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_goMenu = nullptr;
    QAction* m_openLocalAction = nullptr;
    QAction* m_connectAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_tagAction = nullptr;
    QAction* m_removeAction = nullptr;
    QAction* m_certifyAction = nullptr;
    QAction* m_preferencesAction = nullptr;
    QAction* m_newCollectionAction = nullptr;
    QAction* m_refreshAction = nullptr;
    QAction* m_goCollectionsAction = nullptr;
    QAction* m_goDatasetsAction = nullptr;
    QAction* m_goDetailsAction = nullptr;
    QAction* m_goRecordsAction = nullptr;
    QAction* m_goOperationsAction = nullptr;
    QAction* m_goFilterAction = nullptr;
    QAction* m_nextPaneAction = nullptr;
    QAction* m_previousPaneAction = nullptr;

    CollectionTreeModel* m_collections = nullptr;
    DatasetTableModel* m_datasets = nullptr;
    CurationController* m_curation = nullptr;
    QUndoStack* m_undo = nullptr;
    OperationsModel* m_operations = nullptr;
    // The requests of the long-lived models, so that their work can be cancelled.
    std::shared_ptr<RequestGroup> m_tableRequests;
    std::shared_ptr<RequestGroup> m_treeRequests;
    quint64 m_tableOperation = 0;
    // The tree's dataset counts in flight are one operation: a view asks for dozens at once.
    quint64 m_countOperation = 0;
    QHash<quint64, QString> m_countRequests; // request -> collection
    int m_countsDone = 0;
    quint64 m_quotaRequest = 0; // answers for an older session or request are dropped
    int m_opening = 0;
    // The docks are laid out (as saved, or proportioned on the first run) when first shown.
    bool m_layoutOnShow = false;
};

} // namespace butler
