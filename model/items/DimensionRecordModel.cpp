#include "DimensionRecordModel.h"

#include "DimensionUniverse.h"
#include "Queries.h"
#include "RemoteButler.h"
#include "TaiTime.h"

#include <QCoroTask>
#include <QLoggingCategory>
#include <algorithm>

namespace butler {

Q_LOGGING_CATEGORY(lcItemsRecords, "butler.items.records")

namespace {

const QString kTimespanBegin = QStringLiteral("timespan_begin");
const QString kTimespanEnd = QStringLiteral("timespan_end");

// A where-language string literal: backslash escapes the quote and itself.
QString quoted(const QString& text)
{
    QString body = text;
    body.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    body.replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QLatin1Char('\'') + body + QLatin1Char('\'');
}

} // namespace

DimensionRecordModel::DimensionRecordModel(RemoteButler* butler, QObject* parent)
    : QAbstractTableModel(parent)
    , m_butler(butler)
{
}

void DimensionRecordModel::setPageSize(int rows)
{
    m_pageSize = std::max(1, rows);
}

void DimensionRecordModel::setElement(const QString& element)
{
    m_element = element;
    // A filter names the fields of the element it was written for.
    m_where.clear();
    m_bind.clear();
    restart(true);
}

void DimensionRecordModel::setFilter(const QString& where, const QVariantMap& bind)
{
    m_where = where;
    m_bind = bind;
    restart(false);
}

void DimensionRecordModel::refresh()
{
    restart(false);
}

DimensionRecord DimensionRecordModel::recordAt(int row) const
{
    return row >= 0 && row < m_records.size() ? m_records[row] : DimensionRecord();
}

QString DimensionRecordModel::whereForRow(int row) const
{
    if (row < 0 || row >= m_records.size())
        return {};
    const DimensionRecord& record = m_records[row];
    const DimensionUniverse& universe = m_butler->universe();
    QStringList terms;
    for (const QString& dim : m_keyDimensions) {
        const QVariant value = rawValue(record, dim);
        const DimensionElement* element = universe.element(dim);
        const bool isString = element && element->primaryKey().type == FieldType::String;
        terms << QStringLiteral("%1 = %2").arg(dim, isString ? quoted(value.toString())
                                                             : QString::number(value.toLongLong()));
    }
    return terms.join(QStringLiteral(" AND "));
}

int DimensionRecordModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int DimensionRecordModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_fields.size());
}

QVariant DimensionRecordModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DimensionRecord& record = m_records[index.row()];
    const QString& field = m_fields[index.column()];
    const bool isTime = field == kTimespanBegin || field == kTimespanEnd;
    switch (role) {
    case Qt::DisplayRole: {
        const QVariant value = rawValue(record, field);
        if (isTime && value.isValid())
            return TaiTime::toDateTime(value.toLongLong()).toString(Qt::ISODate);
        return value;
    }
    case Qt::ToolTipRole: {
        const QVariant value = rawValue(record, field);
        if (isTime && value.isValid())
            return TaiTime::toIsoUtc(value.toLongLong());
        return {};
    }
    case ValueRole:
        return rawValue(record, field);
    case FieldRole:
        return field;
    default:
        return {};
    }
}

QVariant DimensionRecordModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_fields.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    const QString& field = m_fields[section];
    switch (role) {
    case Qt::DisplayRole:
    case FieldRole:
        return field;
    case Qt::ToolTipRole: {
        const DimensionElement* element = m_butler->universe().element(m_element);
        if (const FieldSpec* spec = element ? element->field(field) : nullptr)
            return spec->doc;
        if (const DimensionElement* dim = m_butler->universe().element(field))
            return dim->doc;
        return {};
    }
    default:
        return {};
    }
}

Qt::ItemFlags DimensionRecordModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

bool DimensionRecordModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && !m_element.isEmpty() && !m_loading && !m_atEnd;
}

void DimensionRecordModel::fetchMore(const QModelIndex& parent)
{
    // Views and QAbstractItemModelTester call this without asking canFetchMore() first.
    if (canFetchMore(parent))
        requestPage();
}

QHash<int, QByteArray> DimensionRecordModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ValueRole, "value");
    names.insert(FieldRole, "field");
    return names;
}

void DimensionRecordModel::restart(bool newColumns)
{
    ++m_generation;
    const DimensionElement* element = m_butler->universe().element(m_element);
    beginResetModel();
    if (newColumns) {
        m_fields.clear();
        m_keyDimensions.clear();
        if (element) {
            m_keyDimensions = element->requiredDimensions();
            m_fields = m_keyDimensions;
            for (const FieldSpec& key : element->alternateKeys())
                if (key.type != FieldType::Hash)
                    m_fields << key.name;
            m_fields << element->implies;
            for (const FieldSpec& field : element->metadata)
                if (field.type != FieldType::Hash)
                    m_fields << field.name;
            if (element->hasTimespan)
                m_fields << kTimespanBegin << kTimespanEnd;
        }
    }
    m_records.clear();
    m_nextPageToken.clear();
    m_atEnd = true; // a view or tester reacting to modelReset must not ask for the first page too
    m_lastError.clear();
    endResetModel();
    m_atEnd = !element;
    if (m_element.isEmpty()) {
        setLoading(false);
        return;
    }
    if (!element) {
        m_lastError = tr("unknown dimension element '%1'").arg(m_element);
        setLoading(false);
        emit errorOccurred(m_lastError);
        return;
    }
    requestPage();
}

void DimensionRecordModel::requestPage()
{
    DimensionRecordQuery query;
    query.element = m_element;
    query.where = m_where;
    query.bind = m_bind;
    query.limit = m_pageSize;
    query.pageToken = m_nextPageToken;
    const quint64 generation = m_generation;
    setLoading(true);
    ++m_pendingRequests;
    QCoro::connect(m_butler->queryDimensionRecordsAsync(std::move(query)), this,
                   [this, generation](Result<DimensionRecordPage> page) {
                       --m_pendingRequests;
                       applyPage(generation, std::move(page));
                   });
}

void DimensionRecordModel::applyPage(quint64 generation, Result<DimensionRecordPage> answer)
{
    if (generation != m_generation) {
        qCDebug(lcItemsRecords) << "dropping a page of generation" << generation;
        return;
    }
    if (!answer) {
        m_lastError = answer.error().message();
        m_atEnd = true; // no retry loop through fetchMore; a new element or filter starts over
        qCWarning(lcItemsRecords) << "dimension record query failed:" << m_lastError;
        setLoading(false);
        emit errorOccurred(m_lastError);
        return;
    }
    const QList<DimensionRecord>& records = answer.value().records;
    if (!records.isEmpty()) {
        const int first = int(m_records.size());
        beginInsertRows(QModelIndex(), first, first + int(records.size()) - 1);
        m_records << records;
        endInsertRows();
    }
    m_nextPageToken = answer.value().nextPageToken;
    m_atEnd = m_nextPageToken.isEmpty();
    setLoading(false);
    emit queryFinished();
}

void DimensionRecordModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged(loading);
}

QVariant DimensionRecordModel::rawValue(const DimensionRecord& record, const QString& field) const
{
    if (field == kTimespanBegin || field == kTimespanEnd) {
        const auto& timespan = record.timespan();
        if (!timespan)
            return {};
        if (field == kTimespanBegin)
            return timespan->hasBegin() ? QVariant(timespan->begin()) : QVariant();
        return timespan->hasEnd() ? QVariant(timespan->end()) : QVariant();
    }
    // Records hold their own key under the key's name ("id", "name"); the column is named
    // after the dimension, as in data IDs.
    if (field == m_element && !record.values().contains(field)) {
        const DimensionElement* element = m_butler->universe().element(m_element);
        if (element && element->isDimension())
            return record.value(element->primaryKey().name);
    }
    return record.value(field);
}

} // namespace butler
