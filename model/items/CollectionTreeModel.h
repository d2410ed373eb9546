#pragma once

#include "CollectionInfo.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QIcon>
#include <QUuid>
#include <memory>
#include <vector>

class QMimeData;

namespace butler {

class RemoteButler;

// The collections the signed-in user may read, as a lazily populated tree.
//
// Top level: every collection the server lists (or, grouped ByNamespace, the folders "u/",
// "g/" and "release", with "u/<user>/" and "g/<group>/" subfolders under the first two).
// A CHAINED collection expands to its children in search order; a child chain expands
// again. A child that repeats one of its enclosing chains is shown once, without children,
// so a cycle in the registry never recurses. Hidden collections never appear: the server
// leaves them out of listings and chains.
//
// Loading is asynchronous: canFetchMore()/fetchMore() fetch the top level and each chain's
// children; rows are inserted, one beginInsertRows per batch, when the answer arrives, and
// answers for rows that a refresh() removed in the meantime are dropped. Dataset counts
// (column 1) are fetched the first time a view asks for them, once per collection name.
//
// The RemoteButler is not owned and must outlive the model and its requests
// (hasPendingRequests()).
class CollectionTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column
    {
        NameColumn,
        DatasetCountColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role
    {
        NameRole = Qt::UserRole + 1, // QString: the collection name; folders: their prefix ("u/alice/")
        TypeRole,                    // int: CollectionType; invalid for folders
        DatasetCountRole,            // qint64 once counted, invalid before (asking starts the count)
        FetchStateRole,              // int: FetchState of the row's children (or count, in column 1)
        ErrorRole,                   // QString: why fetching children (or the count) failed
        IsFolderRole,                // bool: a namespace folder of the ByNamespace grouping
    };
    Q_ENUM(Role)

    enum class FetchState
    {
        NotFetched,
        Fetching,
        Fetched,
        Failed
    };
    Q_ENUM(FetchState)

    enum class Grouping
    {
        Flat,        // every collection at the top level, by name
        ByNamespace, // under "u/", "g/" and "release" folders
    };
    Q_ENUM(Grouping)

    explicit CollectionTreeModel(RemoteButler* butler, QObject* parent = nullptr);
    ~CollectionTreeModel() override;

    Grouping grouping() const { return m_grouping; }
    // Regroups the collections already loaded; expanded chains are fetched again when asked.
    void setGrouping(Grouping grouping);

    // Drops everything and loads the top level again.
    void refresh();
    // Forgets a collection's dataset count; it is fetched again when next shown.
    void invalidateCount(const QString& name);
    // Loads the children of every row showing this chain again (after an edit).
    void reloadChain(const QString& name);

    // Drag and drop. Collection rows drag their names; a TAGGED row accepts datasets
    // (DatasetTableModel's MIME type) and a CHAINED row accepts collection names. A drop changes
    // nothing here: it asks, through datasetsDropped() or collectionsDropped(), for the change
    // that the server must make, and the rows follow once it has.
    static QString collectionMimeType() { return QStringLiteral("application/x-butler-collection-names"); }
    static QStringList namesFromMimeData(const QMimeData* mime);

    // The state of a row's children; an invalid index is the top level.
    FetchState fetchState(const QModelIndex& index) const;
    // The shallowest row showing the collection (breadth first), or an invalid index.
    QModelIndex indexForCollection(const QString& name) const;
    // Requests still in flight. They run inside the RemoteButler even after the model is gone,
    // so whoever deletes the butler waits for this to turn false first.
    bool hasPendingRequests() const { return m_pendingRequests > 0; }

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QHash<int, QByteArray> roleNames() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                         const QModelIndex& parent) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;

signals:
    void errorOccurred(const QString& message);
    // Datasets were dropped on a TAGGED collection: associate them.
    void datasetsDropped(const QString& tagged, const QList<QUuid>& ids);
    // Collections were dropped on a chain, before child row (-1: at the end): insert or move them.
    void collectionsDropped(const QString& chain, const QStringList& names, int row);

private:
    struct Node;
    struct Count
    {
        FetchState state = FetchState::NotFetched;
        qint64 value = 0;
        QString error;
        quint64 request = 0; // which request the state belongs to
    };

    Node* nodeFor(const QModelIndex& index) const;
    QModelIndex indexFor(const Node* node, int column = 0) const;
    Node* makeNode(Node* parent, int row);
    Node* makeCollectionNode(Node* parent, int row, const CollectionInfo& info);
    void forgetSubtree(Node* node);
    void buildTopLevel(std::vector<std::unique_ptr<Node>>& out);

    void fetchTopLevel();
    void fetchChildren(Node* chain);
    void applyTopLevel(const QList<CollectionInfo>& collections);
    void applyChildren(quint64 nodeId, const QList<CollectionInfo>& children);
    void failFetch(quint64 nodeId, const QString& message);
    void requestCount(const QString& name) const;
    void applyCount(quint64 request, const QString& name, qint64 value, const QString& error);
    // dataChanged for the row, deferred while rows are being inserted (a model tester or
    // view may call fetchMore from inside rowsAboutToBeInserted).
    void notifyChanged(quint64 nodeId, int firstColumn, int lastColumn, const QList<int>& roles);
    QIcon iconFor(const Node* node) const;

    RemoteButler* m_butler;
    Grouping m_grouping = Grouping::Flat;
    std::unique_ptr<Node> m_root;
    QHash<quint64, Node*> m_nodes;
    QList<CollectionInfo> m_collections; // the last top-level answer, for regrouping
    mutable QHash<QString, Count> m_counts;
    mutable QHash<int, QIcon> m_icons;
    quint64 m_nextId = 1; // node IDs; the root keeps 0
    mutable quint64 m_nextCountRequest = 1;
    mutable int m_pendingRequests = 0;
    quint64 m_generation = 0;
    bool m_changing = false;
};

} // namespace butler
