#include "DatasetTableView.h"

#include "CachedTextDelegate.h"
#include "ColumnFitter.h"

#include <QHeaderView>

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
    QTableView::setModel(model);
    m_fitter->watchModel();
}

} // namespace butler
