#include "DatasetTableModel.h"

#include "DimensionUniverse.h"
#include "RemoteButler.h"
#include "TaiTime.h"

#include <QCoroTask>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QMimeData>
#include <QScopedValueRollback>
#include <algorithm>

namespace butler {

Q_LOGGING_CATEGORY(lcItemsDatasets, "butler.items.datasets")

namespace {

// Columns before the dimensions, and after them.
constexpr int kLeadingColumns = 2;  // dataset type, run
constexpr int kTrailingColumns = 3; // UUID, size, ingest date

bool isFixedOrderTerm(const QString& term)
{
    const QString bare = term.startsWith(QLatin1Char('-')) ? term.mid(1) : term;
    return bare == QLatin1String("dataset_type") || bare == QLatin1String("run") ||
           bare == QLatin1String("id") || bare == QLatin1String("ingest_date");
}

} // namespace

QList<QUuid> DatasetTableModel::idsFromMimeData(const QMimeData* mime)
{
    QList<QUuid> ids;
    if (!mime)
        return ids;
    if (mime->hasFormat(mimeType())) {
        const QJsonArray array = QJsonDocument::fromJson(mime->data(mimeType())).array();
        for (const QJsonValue& value : array) {
            const QUuid id = QUuid::fromString(value.toString());
            if (!id.isNull())
                ids << id;
        }
        return ids;
    }
    const QStringList lines = mime->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const QUuid id = QUuid::fromString(line.trimmed());
        if (!id.isNull())
            ids << id;
    }
    return ids;
}

DatasetTableModel::DatasetTableModel(RemoteButler* butler, QObject* parent)
    : QAbstractTableModel(parent)
    , m_butler(butler)
{
}

void DatasetTableModel::setPageSize(int rows)
{
    m_pageSize = std::max(1, rows);
}

void DatasetTableModel::setQuery(const QStringList& collections, const QStringList& datasetTypeGlobs,
                                 const QString& where, const QVariantMap& bind)
{
    m_query = DatasetQuery{};
    m_query.collections = collections;
    m_query.datasetTypes = datasetTypeGlobs;
    m_query.where = where;
    m_query.bind = bind;
    m_hasQuery = true;
    // A dimension of the old rows may not relate to the new dataset types.
    if (!isFixedOrderTerm(m_sortTerm))
        m_sortTerm.clear();
    restart(true);
}

void DatasetTableModel::clear()
{
    ++m_generation;
    beginResetModel();
    clearRows();
    m_dimensions.clear();
    m_nextPageToken.clear();
    m_query = DatasetQuery{};
    m_hasQuery = false;
    dropReadAhead();
    m_atEnd = true;
    m_lastError.clear();
    endResetModel();
    setLoading(false);
}

DatasetRef DatasetTableModel::refAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? makeRef(m_rows[row]) : DatasetRef();
}

DatasetTableModel::ColumnKind DatasetTableModel::columnKind(int column) const
{
    const int dims = int(m_dimensions.size());
    if (column == 0)
        return ColumnKind::DatasetType;
    if (column == 1)
        return ColumnKind::Run;
    if (column < kLeadingColumns + dims)
        return ColumnKind::Dimension;
    if (column == kLeadingColumns + dims)
        return ColumnKind::Id;
    if (column == kLeadingColumns + dims + 1)
        return ColumnKind::Size;
    return ColumnKind::IngestDate;
}

int DatasetTableModel::dimensionColumn(const QString& dimension) const
{
    const int at = int(m_dimensions.indexOf(dimension));
    return at < 0 ? -1 : kLeadingColumns + at;
}

int DatasetTableModel::column(ColumnKind kind) const
{
    const int dims = int(m_dimensions.size());
    switch (kind) {
    case ColumnKind::DatasetType:
        return 0;
    case ColumnKind::Run:
        return 1;
    case ColumnKind::Dimension:
        return dims > 0 ? kLeadingColumns : -1;
    case ColumnKind::Id:
        return kLeadingColumns + dims;
    case ColumnKind::Size:
        return kLeadingColumns + dims + 1;
    case ColumnKind::IngestDate:
        return kLeadingColumns + dims + 2;
    }
    return -1;
}

int DatasetTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DatasetTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : kLeadingColumns + int(m_dimensions.size()) + kTrailingColumns;
}

QVariant DatasetTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[index.row()];
    const ColumnKind kind = columnKind(index.column());
    const DatasetType& type = m_types[row.type].type;
    switch (role) {
    case Qt::DisplayRole:
        switch (kind) {
        case ColumnKind::DatasetType:
            return type.name();
        case ColumnKind::Run:
            return m_runs[row.run];
        case ColumnKind::Dimension:
            return valueAt(row, type.dimensions().indexOf(m_dimensions[index.column() - kLeadingColumns]));
        case ColumnKind::Id:
            return row.id.toString(QUuid::WithoutBraces);
        case ColumnKind::Size:
            return row.size >= 0 ? QVariant(QLocale().formattedDataSize(row.size)) : QVariant();
        case ColumnKind::IngestDate:
            return TaiTime::toDateTime(row.ingestDate).toString(Qt::ISODate);
        }
        return {};
    case Qt::ToolTipRole:
        switch (kind) {
        case ColumnKind::DatasetType:
            return tr("%1 (storage class %2)").arg(type.name(), type.storageClass());
        case ColumnKind::Size:
            return row.size >= 0 ? QVariant(tr("%1 bytes").arg(row.size)) : QVariant();
        case ColumnKind::IngestDate:
            return TaiTime::toIsoUtc(row.ingestDate);
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return kind == ColumnKind::Size ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case DatasetRefRole:
        return QVariant::fromValue(makeRef(row));
    case IdRole:
        return row.id;
    case SizeRole:
        return row.size >= 0 ? QVariant(row.size) : QVariant();
    case IngestDateRole:
        return row.ingestDate;
    default:
        return {};
    }
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    const ColumnKind kind = columnKind(section);
    if (role == SortKeyRole)
        return orderTerm(section);
    if (role == Qt::ToolTipRole && kind == ColumnKind::Dimension) {
        const DimensionElement* element =
            m_butler->universe().element(m_dimensions[section - kLeadingColumns]);
        return element ? element->doc : QString();
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (kind) {
    case ColumnKind::DatasetType:
        return tr("Dataset type");
    case ColumnKind::Run:
        return tr("Run");
    case ColumnKind::Dimension:
        return m_dimensions[section - kLeadingColumns];
    case ColumnKind::Id:
        return tr("UUID");
    case ColumnKind::Size:
        return tr("Size");
    case ColumnKind::IngestDate:
        return tr("Ingest date (UTC)");
    }
    return {};
}

Qt::ItemFlags DatasetTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled | Qt::ItemNeverHasChildren;
}

bool DatasetTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_hasQuery && !m_loading && !m_applying && !m_atEnd;
}

void DatasetTableModel::fetchMore(const QModelIndex& parent)
{
    // Views and QAbstractItemModelTester call this without asking canFetchMore() first.
    if (!canFetchMore(parent))
        return;
    if (m_ahead) {
        Result<DatasetPage> page = std::move(*m_ahead);
        m_ahead.reset();
        applyPage(m_generation, std::move(page));
    } else if (m_aheadInFlight) {
        m_aheadWanted = true;
        setLoading(true);
    } else {
        requestPage();
    }
}

void DatasetTableModel::setReadAhead(bool on)
{
    m_readAhead = on;
}

void DatasetTableModel::dropReadAhead()
{
    // An answer still in flight belongs to an older generation now and is dropped on arrival.
    m_ahead.reset();
    m_aheadInFlight = false;
    m_aheadWanted = false;
}

void DatasetTableModel::sort(int column, Qt::SortOrder order)
{
    const QString term = orderTerm(column);
    if (term.isEmpty())
        return;
    const QString sortTerm = order == Qt::DescendingOrder ? QLatin1Char('-') + term : term;
    if (sortTerm == m_sortTerm)
        return;
    m_sortTerm = sortTerm;
    if (m_hasQuery)
        restart();
}

QStringList DatasetTableModel::mimeTypes() const
{
    return {mimeType(), QStringLiteral("text/plain")};
}

QMimeData* DatasetTableModel::mimeData(const QModelIndexList& indexes) const
{
    QList<int> rows;
    for (const QModelIndex& index : indexes)
        if (index.isValid() && index.model() == this)
            rows << index.row();
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty())
        return nullptr;
    QJsonArray array;
    QStringList lines;
    for (int row : std::as_const(rows)) {
        const QString id = m_rows[row].id.toString(QUuid::WithoutBraces);
        array.append(id);
        lines << id;
    }
    auto* mime = new QMimeData;
    mime->setData(mimeType(), QJsonDocument(array).toJson(QJsonDocument::Compact));
    mime->setText(lines.join(QLatin1Char('\n')));
    return mime;
}

Qt::DropActions DatasetTableModel::supportedDragActions() const
{
    return Qt::CopyAction;
}

QHash<int, QByteArray> DatasetTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(DatasetRefRole, "datasetRef");
    names.insert(IdRole, "id");
    names.insert(SizeRole, "size");
    names.insert(IngestDateRole, "ingestDate");
    return names;
}

QString DatasetTableModel::orderTerm(int column) const
{
    switch (columnKind(column)) {
    case ColumnKind::DatasetType:
        return QStringLiteral("dataset_type");
    case ColumnKind::Run:
        return QStringLiteral("run");
    case ColumnKind::Dimension:
        return m_dimensions[column - kLeadingColumns];
    case ColumnKind::Id:
        return QStringLiteral("id");
    case ColumnKind::Size:
        return {};
    case ColumnKind::IngestDate:
        return QStringLiteral("ingest_date");
    }
    return {};
}

void DatasetTableModel::restart(bool dropColumns)
{
    ++m_generation;
    beginResetModel();
    if (dropColumns)
        m_dimensions.clear();
    clearRows();
    m_nextPageToken.clear();
    dropReadAhead();
    m_atEnd = true; // a view or tester reacting to modelReset must not ask for the first page too
    m_lastError.clear();
    endResetModel();
    m_atEnd = false;
    requestPage();
}

void DatasetTableModel::requestPage(PageUse use)
{
    DatasetQuery query = m_query;
    query.limit = m_pageSize;
    query.pageToken = m_nextPageToken;
    query.withSizes = true; // servers that know it answer sizes with the page
    if (!m_sortTerm.isEmpty())
        query.orderBy = {m_sortTerm};
    const quint64 generation = m_generation;
    qCDebug(lcItemsDatasets) << "requesting a page of" << m_pageSize << "generation" << generation
                             << (use == PageUse::ReadAhead ? "ahead" : "");
    if (use == PageUse::Show)
        setLoading(true);
    else
        m_aheadInFlight = true;
    ++m_pendingRequests;
    QCoro::connect(m_butler->queryDatasetsAsync(std::move(query)), this,
                   [this, generation, use](Result<DatasetPage> page) {
                       --m_pendingRequests;
                       if (use == PageUse::Show) {
                           applyPage(generation, std::move(page));
                           return;
                       }
                       if (generation != m_generation) {
                           qCDebug(lcItemsDatasets) << "dropping a read-ahead of generation" << generation;
                           return;
                       }
                       m_aheadInFlight = false;
                       if (m_aheadWanted) {
                           m_aheadWanted = false;
                           applyPage(generation, std::move(page));
                       } else {
                           m_ahead = std::move(page);
                       }
                   });
}

void DatasetTableModel::applyPage(quint64 generation, Result<DatasetPage> answer)
{
    if (generation != m_generation) {
        qCDebug(lcItemsDatasets) << "dropping a page of generation" << generation;
        return;
    }
    if (!answer) {
        m_lastError = answer.error().message();
        m_atEnd = true; // no retry loop through fetchMore; a new query or sort starts over
        qCWarning(lcItemsDatasets) << "dataset query failed:" << m_lastError;
        setLoading(false);
        emit errorOccurred(m_lastError);
        return;
    }
    DatasetPage& page = answer.value();
    m_nextPageToken = page.nextPageToken;
    m_atEnd = m_nextPageToken.isEmpty();
    // Once the user scrolls past the first page (a look at a collection often stops there),
    // and asked for before this page's rows go in: the server works on it while the view paints.
    if (m_readAhead && !m_atEnd && !m_rows.isEmpty())
        requestPage(PageUse::ReadAhead);
    {
        // Views and testers that ask for more while the rows go in wait for the next call.
        const QScopedValueRollback applying(m_applying, true);
        addDimensions(page.refs);
        if (!page.refs.isEmpty()) {
            const int first = int(m_rows.size());
            beginInsertRows(QModelIndex(), first, first + int(page.refs.size()) - 1);
            for (int i = 0; i < page.refs.size(); ++i)
                appendRow(page.refs[i], page.ingestDates.value(i), page.sizes.value(i, -1));
            endInsertRows();
        }
    }
    if (!page.refs.isEmpty() && page.sizes.size() != page.refs.size()) {
        // A server that does not answer sizes with the page: a second request.
        const int first = int(m_rows.size() - page.refs.size());
        QList<QUuid> ids;
        ids.reserve(page.refs.size());
        for (const DatasetRef& ref : std::as_const(page.refs))
            ids << ref.id();
        ++m_pendingRequests;
        QCoro::connect(m_butler->fileInfoAsync(ids), this,
                       [this, generation, first, ids](Result<QList<FileInfo>> files) {
                           --m_pendingRequests;
                           if (generation != m_generation)
                               return;
                           if (!files) {
                               // Sizes are a courtesy: the rows stand without them.
                               qCDebug(lcItemsDatasets) << "no sizes:" << files.error().message();
                               return;
                           }
                           applySizes(first, ids, files.value());
                       });
    }
    setLoading(false);
    emit queryFinished();
}

void DatasetTableModel::applySizes(int firstRow, const QList<QUuid>& ids, const QList<FileInfo>& files)
{
    // The answer is for one page, whose rows start at firstRow in the order of ids.
    QHash<QUuid, int> rowOf;
    rowOf.reserve(ids.size());
    for (int i = 0; i < ids.size(); ++i)
        rowOf.insert(ids[i], firstRow + i);
    int first = -1;
    int last = -1;
    for (const FileInfo& file : files) {
        const int row = rowOf.value(file.id, -1);
        if (row < 0 || row >= m_rows.size() || m_rows[row].id != file.id)
            continue;
        m_rows[row].size = file.size;
        first = first < 0 ? row : std::min(first, row);
        last = std::max(last, row);
    }
    if (first < 0)
        return;
    const int sizeColumn = column(ColumnKind::Size);
    emit dataChanged(index(first, sizeColumn), index(last, sizeColumn),
                     {Qt::DisplayRole, Qt::ToolTipRole, SizeRole});
}

void DatasetTableModel::clearRows()
{
    m_rows = {};
    m_values = {};
    m_types.clear();
    m_typeIndex.clear();
    m_runs.clear();
    m_runIndex.clear();
    m_strings.clear();
    m_stringIndex.clear();
}

void DatasetTableModel::appendRow(const DatasetRef& ref, qint64 ingestDate, qint64 size)
{
    auto intern = [](QStringList& list, QHash<QString, quint32>& index, const QString& text) {
        auto found = index.constFind(text);
        if (found != index.constEnd())
            return *found;
        const quint32 at = quint32(list.size());
        list << text;
        index.insert(text, at);
        return at;
    };
    Row row;
    row.id = ref.id();
    row.ingestDate = ingestDate;
    row.size = size;
    row.run = intern(m_runs, m_runIndex, ref.run());
    const QString& typeName = ref.datasetType().name();
    auto known = m_typeIndex.constFind(typeName);
    const QList<QVariant>& values = ref.dataId().values();
    if (known == m_typeIndex.constEnd()) {
        TypeInfo info{ref.datasetType(), {}};
        for (const QVariant& value : values)
            info.stringAt << (value.typeId() == QMetaType::QString);
        known = m_typeIndex.insert(typeName, quint32(m_types.size()));
        m_types << info;
    }
    row.type = *known;
    TypeInfo& info = m_types[row.type];
    // Implied values are kept when the server sent them; a later row may have more positions.
    while (info.stringAt.size() < values.size())
        info.stringAt << (values[info.stringAt.size()].typeId() == QMetaType::QString);
    row.values = quint32(m_values.size());
    row.valueCount = quint8(std::min<qsizetype>(values.size(), 255));
    for (int i = 0; i < row.valueCount; ++i) {
        const QVariant& value = values[i];
        m_values.push_back(info.stringAt[i] ? qint64(intern(m_strings, m_stringIndex, value.toString()))
                                            : value.toLongLong());
    }
    m_rows.append(row);
}

QVariant DatasetTableModel::valueAt(const Row& row, int position) const
{
    if (position < 0 || position >= row.valueCount)
        return {};
    const qint64 value = m_values[row.values + position];
    if (m_types[row.type].stringAt.value(position))
        return m_strings.value(int(value));
    return value;
}

DatasetRef DatasetTableModel::makeRef(const Row& row) const
{
    const DatasetType& type = m_types[row.type].type;
    QList<QVariant> values;
    values.reserve(row.valueCount);
    for (int i = 0; i < row.valueCount; ++i)
        values << valueAt(row, i);
    return DatasetRef(row.id, type, DataCoordinate::fromValues(type.dimensions(), std::move(values)),
                      m_runs[row.run]);
}

void DatasetTableModel::addDimensions(const QList<DatasetRef>& refs)
{
    const DimensionUniverse& universe = m_butler->universe();
    QStringList added;
    for (const DatasetRef& ref : refs)
        for (const QString& dim : ref.datasetType().dimensions().required())
            if (!m_dimensions.contains(dim) && !added.contains(dim))
                added << dim;
    std::sort(added.begin(), added.end(),
              [&](const QString& a, const QString& b) { return universe.index(a) < universe.index(b); });
    for (const QString& dim : std::as_const(added)) {
        int at = 0;
        while (at < m_dimensions.size() && universe.index(m_dimensions[at]) < universe.index(dim))
            ++at;
        beginInsertColumns(QModelIndex(), kLeadingColumns + at, kLeadingColumns + at);
        m_dimensions.insert(at, dim);
        endInsertColumns();
    }
}

void DatasetTableModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged(loading);
}

} // namespace butler
