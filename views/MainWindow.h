#pragma once

#include "RepositorySession.h"

#include <QMainWindow>
#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QTableView;
class QTreeView;
class QUndoStack;

namespace butler {

class CollectionTreeModel;
class CurationController;
class DatasetDetailsPanel;
class DatasetFilterBar;
class DatasetTableModel;
class DimensionRecordBrowser;

// The browser's main window: the collection tree (left), the datasets of the selected
// collection with a filter (centre), the selected dataset's details and preview (right), the
// dimension-record browser (bottom), and a status bar with the user, the groups and the work
// in progress. Docks, splitters and the window's geometry are remembered between runs.
//
// Everything goes through a RepositorySession, so a local repository (served by the embedded
// server) and a remote one behave the same. Curation (tagging by drag and drop, chains,
// certification, new collections) goes through CurationController and is undoable.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(LocalServerFactory localServers, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Open a repository; the window stays usable while it opens. sessionOpened() or
    // sessionFailed() says how it went.
    void openLocal(const QString& path);
    void openRemote(const QString& url, const QString& token);

    RepositorySession* session() const { return m_session.get(); }
    // The collection whose datasets the table shows.
    QString currentCollection() const { return m_currentCollection; }
    void showCollection(const QString& name);

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
    // The last message shown to the user about a refused or failed action.
    QString lastMessage() const { return m_lastMessage; }

signals:
    void sessionOpened();
    void sessionFailed(const QString& message);
    // A refused or failed action was explained to the user.
    void messageShown(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildUi();
    void buildMenus();
    void setSession(std::unique_ptr<RepositorySession> session);
    void collectionActivated(const QModelIndex& index);
    void datasetSelectionChanged();
    void applyFilter(const QStringList& globs, const QString& where);
    void showMessage(const QString& message);
    void collectionsChanged(const QStringList& names);
    void newCollection();
    void certifySelected();
    void removeSelectedFromCollection();
    void openLocalDialog();
    void openRemoteDialog();
    void updateTitle();
    void restoreLayout();

    LocalServerFactory m_localServers;
    std::unique_ptr<RepositorySession> m_session;
    QString m_currentCollection;
    QString m_lastMessage;

    QTreeView* m_collectionView = nullptr;
    QComboBox* m_grouping = nullptr;
    QTableView* m_datasetView = nullptr;
    DatasetFilterBar* m_filter = nullptr;
    QLabel* m_tableStatus = nullptr;
    DatasetDetailsPanel* m_details = nullptr;
    DimensionRecordBrowser* m_records = nullptr;
    QLabel* m_userLabel = nullptr;
    QLabel* m_busyLabel = nullptr;
    QProgressBar* m_busyBar = nullptr;

    CollectionTreeModel* m_collections = nullptr;
    DatasetTableModel* m_datasets = nullptr;
    CurationController* m_curation = nullptr;
    QUndoStack* m_undo = nullptr;
    int m_opening = 0;
};

} // namespace butler
