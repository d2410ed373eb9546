#include "CollectionTreeModel.h"

#include "CoroutineResult.h"
#include "DatasetTableModel.h"
#include "Queries.h"
#include "RemoteButler.h"

#include <QCoroTask>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QMimeData>
#include <QPainter>
#include <QPixmap>
#include <QPointer>
#include <algorithm>

namespace butler {

Q_LOGGING_CATEGORY(lcItemsCollections, "butler.items.collections")

namespace {

// The chain's children in search order, with their types and documentation. The server
// leaves out the children this user may not read.
// Stops after the first answer when the model is gone, so that no second request starts.
QCoro::Task<Result<QList<CollectionInfo>>> fetchChainChildren(RemoteButler* butler, QString chain,
                                                              QPointer<const QObject> owner)
{
    BUTLER_CO_ASSIGN_OR_RETURN(const CollectionInfo info, co_await butler->getCollectionAsync(chain));
    if (info.children.isEmpty() || !owner)
        co_return QList<CollectionInfo>();
    CollectionQuery query;
    query.globs = info.children; // valid names hold no glob characters: each matches itself
    BUTLER_CO_ASSIGN_OR_RETURN(const QList<CollectionInfo> found,
                               co_await butler->queryCollectionsAsync(query));
    QHash<QString, CollectionInfo> byName;
    for (const CollectionInfo& child : found)
        byName.insert(child.name, child);
    QList<CollectionInfo> ordered;
    for (const QString& name : info.children) {
        const auto it = byName.constFind(name);
        if (it != byName.constEnd())
            ordered << *it;
    }
    co_return ordered;
}

QIcon drawnIcon(const QColor& color, QChar letter)
{
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(1, 1, 14, 14), 3, 3);
    if (!letter.isNull()) {
        QFont font = painter.font();
        font.setPixelSize(10);
        font.setBold(true);
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(QRect(0, 0, 16, 16), Qt::AlignCenter, QString(letter));
    }
    painter.end();
    return QIcon(pixmap);
}

constexpr int kFolderIconKey = 0;

} // namespace

struct CollectionTreeModel::Node
{
    enum class Kind
    {
        Root,
        Folder,
        Collection
    };

    quint64 id = 0;
    Kind kind = Kind::Collection;
    Node* parent = nullptr;
    int row = 0; // rows are only appended or reset, so a node's row never changes
    std::vector<std::unique_ptr<Node>> children;
    QString name;
    CollectionType type = CollectionType::Run;
    QString doc;
    FetchState state = FetchState::Fetched;
    QString error;
    bool repeatsAncestor = false; // a chain inside itself: shown, never expanded

    bool isChain() const { return kind == Kind::Collection && type == CollectionType::Chained; }
};

CollectionTreeModel::CollectionTreeModel(RemoteButler* butler, QObject* parent)
    : QAbstractItemModel(parent)
    , m_butler(butler)
{
    m_root = std::make_unique<Node>();
    m_root->kind = Node::Kind::Root;
    m_root->state = FetchState::NotFetched;
}

CollectionTreeModel::~CollectionTreeModel() = default;

void CollectionTreeModel::setGrouping(Grouping grouping)
{
    if (grouping == m_grouping)
        return;
    m_grouping = grouping;
    if (m_root->state != FetchState::Fetched)
        return; // the answer in flight is grouped when it arrives
    m_changing = true;
    beginResetModel();
    ++m_generation;
    for (const auto& child : m_root->children)
        forgetSubtree(child.get());
    m_root->children.clear();
    buildTopLevel(m_root->children);
    endResetModel();
    m_changing = false;
}

void CollectionTreeModel::refresh()
{
    m_changing = true;
    beginResetModel();
    ++m_generation;
    for (const auto& child : m_root->children)
        forgetSubtree(child.get());
    m_root->children.clear();
    m_root->state = FetchState::NotFetched;
    m_root->error.clear();
    m_collections.clear();
    m_counts.clear();
    endResetModel();
    m_changing = false;
    fetchTopLevel();
}

CollectionTreeModel::FetchState CollectionTreeModel::fetchState(const QModelIndex& index) const
{
    return nodeFor(index)->state;
}

QModelIndex CollectionTreeModel::indexForCollection(const QString& name) const
{
    QList<const Node*> queue{m_root.get()};
    while (!queue.isEmpty()) {
        const Node* node = queue.takeFirst();
        for (const auto& child : node->children) {
            if (child->kind == Node::Kind::Collection && child->name == name)
                return indexFor(child.get());
            queue << child.get();
        }
    }
    return {};
}

QModelIndex CollectionTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    return createIndex(row, column, nodeFor(parent)->children[size_t(row)].get());
}

QModelIndex CollectionTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent);
}

int CollectionTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int CollectionTreeModel::columnCount(const QModelIndex& parent) const
{
    Q_UNUSED(parent);
    return ColumnCount;
}

bool CollectionTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return false;
    const Node* node = nodeFor(parent);
    if (!node->children.empty())
        return true;
    const bool pending = node->state == FetchState::NotFetched || node->state == FetchState::Fetching;
    switch (node->kind) {
    case Node::Kind::Root:
        return pending;
    case Node::Kind::Folder:
        return false;
    case Node::Kind::Collection:
        return node->isChain() && !node->repeatsAncestor && pending;
    }
    return false;
}

QVariant CollectionTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node* node = nodeFor(index);
    const bool isFolder = node->kind == Node::Kind::Folder;
    const bool countColumn = index.column() == DatasetCountColumn;

    // The count is asked for in either column; it is fetched once per name.
    auto count = [&]() -> const Count* {
        if (isFolder)
            return nullptr;
        auto it = m_counts.constFind(node->name);
        if (it == m_counts.constEnd()) {
            requestCount(node->name);
            it = m_counts.constFind(node->name);
        }
        return &*it;
    };

    switch (role) {
    case Qt::DisplayRole:
        if (!countColumn)
            return node->name;
        if (const Count* c = count(); c && c->state == FetchState::Fetched)
            return QLocale().toString(c->value);
        return {};
    case Qt::DecorationRole:
        return countColumn ? QVariant() : QVariant(iconFor(node));
    case Qt::ToolTipRole: {
        if (isFolder)
            return tr("Collections under %1").arg(node->name);
        if (countColumn) {
            const Count* c = count();
            return c->state == FetchState::Failed ? c->error : QString();
        }
        const QString type = collectionTypeName(node->type);
        QString tip = node->doc.isEmpty() ? type : QStringLiteral("%1\n%2").arg(node->doc, type);
        if (!node->error.isEmpty())
            tip += QLatin1Char('\n') + node->error;
        return tip;
    }
    case Qt::TextAlignmentRole:
        return countColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case NameRole:
        return node->name;
    case TypeRole:
        return isFolder ? QVariant() : QVariant(int(node->type));
    case DatasetCountRole:
        if (const Count* c = count(); c && c->state == FetchState::Fetched)
            return c->value;
        return {};
    case FetchStateRole:
        if (countColumn) {
            const Count* c = count();
            return c ? QVariant(int(c->state)) : QVariant();
        }
        return int(node->state);
    case ErrorRole:
        if (countColumn) {
            const Count* c = count();
            return c ? c->error : QString();
        }
        return node->error;
    case IsFolderRole:
        return isFolder;
    default:
        return {};
    }
}

QVariant CollectionTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Collection");
    case DatasetCountColumn:
        return tr("Datasets");
    default:
        return {};
    }
}

Qt::ItemFlags CollectionTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const Node* node = nodeFor(index);
    if (node->kind != Node::Kind::Collection)
        return flags;
    flags |= Qt::ItemIsDragEnabled;
    if (node->type == CollectionType::Tagged || (node->isChain() && !node->repeatsAncestor))
        flags |= Qt::ItemIsDropEnabled;
    return flags;
}

QStringList CollectionTreeModel::namesFromMimeData(const QMimeData* mime)
{
    QStringList names;
    if (!mime || !mime->hasFormat(collectionMimeType()))
        return names;
    const QJsonArray array = QJsonDocument::fromJson(mime->data(collectionMimeType())).array();
    for (const QJsonValue& value : array)
        if (value.isString() && !value.toString().isEmpty())
            names << value.toString();
    return names;
}

QStringList CollectionTreeModel::mimeTypes() const
{
    return {collectionMimeType(), DatasetTableModel::mimeType(), QStringLiteral("text/plain")};
}

QMimeData* CollectionTreeModel::mimeData(const QModelIndexList& indexes) const
{
    QStringList names;
    for (const QModelIndex& index : indexes) {
        const Node* node = index.isValid() ? nodeFor(index) : nullptr;
        if (node && node->kind == Node::Kind::Collection && !names.contains(node->name))
            names << node->name;
    }
    if (names.isEmpty())
        return nullptr;
    auto* mime = new QMimeData;
    mime->setData(collectionMimeType(),
                  QJsonDocument(QJsonArray::fromStringList(names)).toJson(QJsonDocument::Compact));
    mime->setText(names.join(QLatin1Char('\n')));
    return mime;
}

Qt::DropActions CollectionTreeModel::supportedDropActions() const
{
    return Qt::CopyAction | Qt::MoveAction;
}

Qt::DropActions CollectionTreeModel::supportedDragActions() const
{
    // Moving a chain child reorders the chain on the server; rows never leave the model here.
    return Qt::CopyAction | Qt::MoveAction;
}

bool CollectionTreeModel::canDropMimeData(const QMimeData* data, Qt::DropAction action, int, int,
                                          const QModelIndex& parent) const
{
    if (!data || !parent.isValid() || (action != Qt::CopyAction && action != Qt::MoveAction))
        return false;
    const Node* node = nodeFor(parent);
    if (node->kind != Node::Kind::Collection)
        return false;
    if (node->type == CollectionType::Tagged)
        return !DatasetTableModel::idsFromMimeData(data).isEmpty() && !data->hasFormat(collectionMimeType());
    if (node->isChain() && !node->repeatsAncestor) {
        const QStringList names = namesFromMimeData(data);
        return !names.isEmpty() && !names.contains(node->name);
    }
    return false;
}

bool CollectionTreeModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                                       const QModelIndex& parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    const Node* node = nodeFor(parent);
    if (node->type == CollectionType::Tagged) {
        emit datasetsDropped(node->name, DatasetTableModel::idsFromMimeData(data));
        // Copy semantics: the source keeps its rows whatever the action was.
        return false;
    }
    emit collectionsDropped(node->name, namesFromMimeData(data), row);
    return false;
}

void CollectionTreeModel::invalidateCount(const QString& name)
{
    if (!m_counts.remove(name))
        return;
    for (const Node* node : std::as_const(m_nodes))
        if (node->kind == Node::Kind::Collection && node->name == name)
            notifyChanged(node->id, DatasetCountColumn, DatasetCountColumn,
                          {Qt::DisplayRole, Qt::ToolTipRole, DatasetCountRole, FetchStateRole});
}

void CollectionTreeModel::reloadChain(const QString& name)
{
    QList<quint64> chains;
    for (const Node* node : std::as_const(m_nodes))
        if (node->isChain() && node->name == name && !node->repeatsAncestor)
            chains << node->id;
    for (quint64 id : std::as_const(chains)) {
        Node* node = m_nodes.value(id);
        if (!node || node->state == FetchState::Fetching)
            continue;
        const bool wasFetched = node->state == FetchState::Fetched;
        if (!node->children.empty()) {
            const QModelIndex index = indexFor(node);
            beginRemoveRows(index, 0, int(node->children.size()) - 1);
            for (const auto& child : node->children)
                forgetSubtree(child.get());
            node->children.clear();
            endRemoveRows();
        }
        node->state = FetchState::NotFetched;
        node->error.clear();
        if (wasFetched)
            fetchChildren(node);
    }
    invalidateCount(name);
}

bool CollectionTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return false;
    const Node* node = nodeFor(parent);
    if (node->state != FetchState::NotFetched)
        return false;
    return node->kind == Node::Kind::Root || (node->isChain() && !node->repeatsAncestor);
}

void CollectionTreeModel::fetchMore(const QModelIndex& parent)
{
    // Views and QAbstractItemModelTester call this without asking canFetchMore() first.
    if (!canFetchMore(parent))
        return;
    Node* node = nodeFor(parent);
    if (node->kind == Node::Kind::Root)
        fetchTopLevel();
    else
        fetchChildren(node);
}

QHash<int, QByteArray> CollectionTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(NameRole, "name");
    names.insert(TypeRole, "type");
    names.insert(DatasetCountRole, "datasetCount");
    names.insert(FetchStateRole, "fetchState");
    names.insert(ErrorRole, "error");
    names.insert(IsFolderRole, "isFolder");
    return names;
}

CollectionTreeModel::Node* CollectionTreeModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex CollectionTreeModel::indexFor(const Node* node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

CollectionTreeModel::Node* CollectionTreeModel::makeNode(Node* parent, int row)
{
    auto* node = new Node;
    node->id = m_nextId++;
    node->parent = parent;
    node->row = row;
    m_nodes.insert(node->id, node);
    return node;
}

CollectionTreeModel::Node* CollectionTreeModel::makeCollectionNode(Node* parent, int row,
                                                                   const CollectionInfo& info)
{
    Node* node = makeNode(parent, row);
    node->kind = Node::Kind::Collection;
    node->name = info.name;
    node->type = info.type;
    node->doc = info.doc;
    node->state = info.type == CollectionType::Chained ? FetchState::NotFetched : FetchState::Fetched;
    return node;
}

void CollectionTreeModel::forgetSubtree(Node* node)
{
    m_nodes.remove(node->id);
    for (const auto& child : node->children)
        forgetSubtree(child.get());
}

void CollectionTreeModel::buildTopLevel(std::vector<std::unique_ptr<Node>>& out)
{
    QList<CollectionInfo> sorted = m_collections;
    std::sort(sorted.begin(), sorted.end(),
              [](const CollectionInfo& a, const CollectionInfo& b) { return a.name < b.name; });
    Node* root = m_root.get();
    if (m_grouping == Grouping::Flat) {
        for (const CollectionInfo& info : std::as_const(sorted))
            out.emplace_back(makeCollectionNode(root, int(out.size()), info));
        return;
    }

    auto addFolder = [this](std::vector<std::unique_ptr<Node>>& siblings, Node* parent, const QString& name) {
        Node* folder = makeNode(parent, int(siblings.size()));
        folder->kind = Node::Kind::Folder;
        folder->name = name;
        siblings.emplace_back(folder);
        return folder;
    };
    // Each namespace's members, then the folders in a fixed order, leaving out empty ones.
    QList<CollectionInfo> users, groups, release;
    for (const CollectionInfo& info : std::as_const(sorted)) {
        if (info.name.startsWith(QLatin1String("u/")))
            users << info;
        else if (info.name.startsWith(QLatin1String("g/")))
            groups << info;
        else
            release << info;
    }
    auto fillNamespace = [&](const QString& folderName, const QList<CollectionInfo>& members) {
        if (members.isEmpty())
            return;
        Node* folder = addFolder(out, root, folderName);
        QHash<QString, Node*> owners;
        for (const CollectionInfo& info : members) {
            // "u/alice/run" -> "u/alice/"; a bare "u/alice" stays directly in the folder.
            const QStringList parts = info.name.split(QLatin1Char('/'));
            Node* parent = folder;
            if (parts.size() > 2) {
                const QString owner = parts[0] + QLatin1Char('/') + parts[1] + QLatin1Char('/');
                Node*& sub = owners[owner];
                if (!sub)
                    sub = addFolder(folder->children, folder, owner);
                parent = sub;
            }
            parent->children.emplace_back(makeCollectionNode(parent, int(parent->children.size()), info));
        }
    };
    fillNamespace(QStringLiteral("u/"), users);
    fillNamespace(QStringLiteral("g/"), groups);
    if (!release.isEmpty()) {
        Node* folder = addFolder(out, root, QStringLiteral("release"));
        for (const CollectionInfo& info : std::as_const(release))
            folder->children.emplace_back(makeCollectionNode(folder, int(folder->children.size()), info));
    }
}

void CollectionTreeModel::fetchTopLevel()
{
    if (m_root->state == FetchState::Fetching)
        return;
    m_root->state = FetchState::Fetching;
    m_root->error.clear();
    qCDebug(lcItemsCollections) << "fetching the collections";
    const quint64 generation = m_generation;
    ++m_pendingRequests;
    QCoro::connect(m_butler->queryCollectionsAsync(CollectionQuery{}), this,
                   [this, generation](Result<QList<CollectionInfo>> answer) {
                       --m_pendingRequests;
                       if (generation != m_generation)
                           return;
                       if (!answer)
                           failFetch(m_root->id, answer.error().message());
                       else
                           applyTopLevel(answer.value());
                   });
}

void CollectionTreeModel::fetchChildren(Node* chain)
{
    chain->state = FetchState::Fetching;
    chain->error.clear();
    notifyChanged(chain->id, NameColumn, NameColumn, {FetchStateRole, ErrorRole});
    qCDebug(lcItemsCollections) << "fetching the children of" << chain->name;
    const quint64 id = chain->id;
    const quint64 generation = m_generation;
    ++m_pendingRequests;
    QCoro::connect(fetchChainChildren(m_butler, chain->name, this), this,
                   [this, id, generation](Result<QList<CollectionInfo>> answer) {
                       --m_pendingRequests;
                       if (generation != m_generation)
                           return;
                       if (!answer)
                           failFetch(id, answer.error().message());
                       else
                           applyChildren(id, answer.value());
                   });
}

void CollectionTreeModel::applyTopLevel(const QList<CollectionInfo>& collections)
{
    m_collections = collections;
    std::vector<std::unique_ptr<Node>> nodes;
    buildTopLevel(nodes);
    if (!nodes.empty()) {
        m_changing = true;
        beginInsertRows(QModelIndex(), 0, int(nodes.size()) - 1);
        m_root->children = std::move(nodes);
        m_root->state = FetchState::Fetched;
        endInsertRows();
        m_changing = false;
    }
    m_root->state = FetchState::Fetched;
    qCDebug(lcItemsCollections) << collections.size() << "collections";
}

void CollectionTreeModel::applyChildren(quint64 nodeId, const QList<CollectionInfo>& children)
{
    Node* chain = m_nodes.value(nodeId);
    if (!chain || chain->state != FetchState::Fetching)
        return;
    std::vector<std::unique_ptr<Node>> nodes;
    for (const CollectionInfo& info : children) {
        Node* child = makeCollectionNode(chain, int(nodes.size()), info);
        for (const Node* up = chain; up && up->kind == Node::Kind::Collection; up = up->parent) {
            if (up->name == info.name) {
                child->repeatsAncestor = true;
                child->state = FetchState::Fetched;
                child->error =
                    tr("'%1' is one of its own enclosing chains; not expanded again").arg(info.name);
                break;
            }
        }
        nodes.emplace_back(child);
    }
    if (!nodes.empty()) {
        m_changing = true;
        beginInsertRows(indexFor(chain), 0, int(nodes.size()) - 1);
        chain->children = std::move(nodes);
        chain->state = FetchState::Fetched;
        endInsertRows();
        m_changing = false;
    }
    chain->state = FetchState::Fetched;
    notifyChanged(chain->id, NameColumn, NameColumn, {FetchStateRole, ErrorRole});
}

void CollectionTreeModel::failFetch(quint64 nodeId, const QString& message)
{
    Node* node = m_nodes.value(nodeId, nodeId == m_root->id ? m_root.get() : nullptr);
    if (!node || node->state != FetchState::Fetching)
        return;
    node->state = FetchState::Failed;
    node->error = message;
    qCWarning(lcItemsCollections) << "cannot fetch"
                                  << (node->name.isEmpty() ? QStringLiteral("the collections") : node->name)
                                  << ":" << message;
    notifyChanged(nodeId, NameColumn, NameColumn, {FetchStateRole, ErrorRole, Qt::ToolTipRole});
    emit errorOccurred(message);
}

void CollectionTreeModel::requestCount(const QString& name) const
{
    const quint64 request = m_nextCountRequest++;
    m_counts.insert(name, Count{FetchState::Fetching, 0, {}, request});
    auto* self = const_cast<CollectionTreeModel*>(this);
    DatasetQuery query;
    query.collections = {name};
    ++m_pendingRequests;
    QCoro::connect(m_butler->countDatasetsAsync(query), self, [self, name, request](Result<qint64> answer) {
        --self->m_pendingRequests;
        if (answer)
            self->applyCount(request, name, answer.value(), {});
        else
            self->applyCount(request, name, 0, answer.error().message());
    });
}

void CollectionTreeModel::applyCount(quint64 request, const QString& name, qint64 value, const QString& error)
{
    // A refresh forgets the counts; an answer to a request made before it is dropped.
    auto it = m_counts.find(name);
    if (it == m_counts.end() || it->request != request)
        return;
    it->state = error.isEmpty() ? FetchState::Fetched : FetchState::Failed;
    it->value = value;
    it->error = error;
    if (!error.isEmpty())
        qCWarning(lcItemsCollections) << "cannot count the datasets of" << name << ":" << error;
    for (const Node* node : std::as_const(m_nodes)) {
        if (node->kind != Node::Kind::Collection || node->name != name)
            continue;
        // Column 0 only serves the count role: its fetch state belongs to the children.
        notifyChanged(node->id, NameColumn, NameColumn, {DatasetCountRole});
        notifyChanged(node->id, DatasetCountColumn, DatasetCountColumn,
                      {Qt::DisplayRole, Qt::ToolTipRole, DatasetCountRole, FetchStateRole, ErrorRole});
    }
}

void CollectionTreeModel::notifyChanged(quint64 nodeId, int firstColumn, int lastColumn,
                                        const QList<int>& roles)
{
    if (m_changing) {
        QMetaObject::invokeMethod(
            this,
            [this, nodeId, firstColumn, lastColumn, roles] {
                notifyChanged(nodeId, firstColumn, lastColumn, roles);
            },
            Qt::QueuedConnection);
        return;
    }
    const Node* node = m_nodes.value(nodeId);
    if (!node)
        return;
    emit dataChanged(indexFor(node, firstColumn), indexFor(node, lastColumn), roles);
}

QIcon CollectionTreeModel::iconFor(const Node* node) const
{
    const int key = node->kind == Node::Kind::Folder ? kFolderIconKey : int(node->type);
    auto it = m_icons.constFind(key);
    if (it != m_icons.constEnd())
        return *it;
    QIcon icon;
    if (node->kind == Node::Kind::Folder) {
        icon = QIcon::fromTheme(QStringLiteral("folder"), drawnIcon(QColor(0x9e, 0x9e, 0x9e), {}));
    } else {
        switch (node->type) {
        case CollectionType::Run:
            icon = QIcon::fromTheme(QStringLiteral("folder-documents"),
                                    drawnIcon(QColor(0x3f, 0x7f, 0xbf), u'R'));
            break;
        case CollectionType::Tagged:
            icon = QIcon::fromTheme(QStringLiteral("tag"), drawnIcon(QColor(0x3f, 0x9f, 0x5f), u'T'));
            break;
        case CollectionType::Chained:
            icon = QIcon::fromTheme(QStringLiteral("insert-link"), drawnIcon(QColor(0xbf, 0x7f, 0x2f), u'C'));
            break;
        case CollectionType::Calibration:
            icon = QIcon::fromTheme(QStringLiteral("chronometer"), drawnIcon(QColor(0x8f, 0x4f, 0xaf), u'K'));
            break;
        }
    }
    m_icons.insert(key, icon);
    return icon;
}

} // namespace butler
