#include "ColumnFitter.h"

#include "TextWidths.h"

#include <QHeaderView>
#include <QStyle>
#include <QTableView>
#include <QtMath>

#include <utility>

namespace butler {

ColumnFitter::ColumnFitter(QTableView* view)
    : QObject(view)
    , m_view(view)
{
}

void ColumnFitter::watchModel()
{
    for (const QMetaObject::Connection& connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_model = m_view->model();
    m_pendingColumns.clear();
    m_fitAll = true;
    if (!m_model)
        return;
    m_connections << connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_pendingColumns.clear();
        m_fitAll = true;
        fitPending();
    });
    m_connections << connect(m_model, &QAbstractItemModel::columnsInserted, this,
                             [this](const QModelIndex& parent, int first, int last) {
                                 if (parent.isValid() || m_fitAll)
                                     return;
                                 for (int& column : m_pendingColumns) {
                                     if (column >= first)
                                         column += last - first + 1;
                                 }
                                 for (int column = first; column <= last; ++column)
                                     m_pendingColumns << column;
                             });
    m_connections << connect(m_model, &QAbstractItemModel::rowsInserted, this,
                             [this](const QModelIndex& parent) {
                                 if (!parent.isValid())
                                     fitPending();
                             });
    fitPending();
}

namespace {

// The widest of the header and the first rows' texts, at most a third of the view.
void fitColumn(QTableView* view, const QAbstractItemModel* model, int column, int rows, TextWidths& widths)
{
    const QFontMetricsF& metrics = widths.metrics();
    int text = 0;
    for (int row = 0; row < rows; ++row)
        text = qMax(text, qCeil(widths.of(model->index(row, column).data().toString())));
    // The item's margins: the style's focus frame on each side (where QCommonStyle and
    // CachedTextDelegate put the text), and a little air.
    const int margin = 2 * (view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1) +
                       qCeil(metrics.averageCharWidth());
    QHeaderView* header = view->horizontalHeader();
    const int width = qMax(text + margin, header->sectionSizeHint(column));
    view->setColumnWidth(column,
                         qMin(width, qMax(header->minimumSectionSize(), view->viewport()->width() / 3)));
}

} // namespace

void ColumnFitter::fitPending()
{
    const int rows = m_model ? qMin(m_model->rowCount(), kRowsMeasured) : 0;
    if (rows == 0 || (!m_fitAll && m_pendingColumns.isEmpty()))
        return;
    TextWidths widths(m_view->font());
    if (std::exchange(m_fitAll, false)) {
        m_pendingColumns.clear();
        for (int column = 0; column < m_model->columnCount(); ++column)
            fitColumn(m_view, m_model, column, rows, widths);
        return;
    }
    for (int column : std::exchange(m_pendingColumns, {})) {
        if (column < m_model->columnCount())
            fitColumn(m_view, m_model, column, rows, widths);
    }
}

} // namespace butler
