#include "DatasetTableView.h"

#include "CachedTextDelegate.h"
#include "ColumnFitter.h"

#include <QHeaderView>

#include <utility>

namespace butler {

DatasetTableView::DatasetTableView(QWidget* parent)
    : QTableView(parent)
    , m_delegate(new CachedTextDelegate(this))
    , m_fitter(new ColumnFitter(this))
{
    setItemDelegate(m_delegate);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setSortingEnabled(true);
    setAlternatingRowColors(true);
    setTabKeyNavigation(false); // Tab leaves the table; arrows move in it
    setWordWrap(false);         // one line per row: no text layout for wrapping
    // Runs, exposure IDs and UUIDs of neighbouring rows share their beginnings: keep the ends.
    setTextElideMode(Qt::ElideMiddle);
    verticalHeader()->hide();
    // Rows of one height: nothing measures them as pages of rows arrive.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    horizontalHeader()->setSortIndicatorShown(true);
    horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
}

void DatasetTableView::setModel(QAbstractItemModel* model)
{
    m_change = Change::Other;
    for (const QMetaObject::Connection& connection : std::exchange(m_modelConnections, {}))
        disconnect(connection);
    QTableView::setModel(model);
    m_fitter->watchModel();
    if (!model)
        return;
    // Whatever else moves rows or columns needs the whole layout and its repaint.
    const auto needsRepaint = [this] { m_change = Change::Other; };
    m_modelConnections = {connect(model, &QAbstractItemModel::layoutChanged, this, needsRepaint),
                          connect(model, &QAbstractItemModel::rowsMoved, this, needsRepaint),
                          connect(model, &QAbstractItemModel::columnsInserted, this, needsRepaint),
                          connect(model, &QAbstractItemModel::columnsRemoved, this, needsRepaint),
                          connect(model, &QAbstractItemModel::columnsMoved, this, needsRepaint),
                          connect(model, &QAbstractItemModel::headerDataChanged, this, needsRepaint)};
}

void DatasetTableView::rowsInserted(const QModelIndex& parent, int start, int end)
{
    QTableView::rowsInserted(parent, start, end);
    // The viewport must already be full of rows that stay where they are: rows after the last
    // one it shows.
    const int lastShown = rowAt(viewport()->height() - 1);
    const bool outOfSight =
        !parent.isValid() && lastShown >= 0 && start > lastShown && end == model()->rowCount() - 1;
    if (!outOfSight)
        m_change = Change::Other;
    else if (m_change == Change::None)
        m_change = Change::AppendedOutOfSight;
}

void DatasetTableView::rowsAboutToBeRemoved(const QModelIndex& parent, int start, int end)
{
    m_change = Change::Other;
    QTableView::rowsAboutToBeRemoved(parent, start, end);
}

void DatasetTableView::dataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight,
                                   const QList<int>& roles)
{
    // QAbstractItemView leaves changed cells to the repaint of a pending layout.
    if (m_change == Change::AppendedOutOfSight)
        m_change = Change::Other;
    QTableView::dataChanged(topLeft, bottomRight, roles);
}

void DatasetTableView::reset()
{
    m_change = Change::Other;
    QTableView::reset();
}

void DatasetTableView::doItemsLayout()
{
    const bool skipRepaint = m_change == Change::AppendedOutOfSight;
    m_change = Change::None;
    if (!skipRepaint) {
        QTableView::doItemsLayout();
        return;
    }
    // QAbstractItemView::doItemsLayout without its viewport()->update(): the scroll bars take
    // the new range and repaint themselves.
    updateGeometries();
}

} // namespace butler
