#include "ColumnFitter.h"

#include <QHeaderView>
#include <QStyle>
#include <QTableView>

#include <array>
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

// Text widths as the sum of their characters' advances: the texts of these tables are ASCII
// (IDs, names, numbers), and shaping each of a page's hundreds of strings took milliseconds of
// the first page. Kerning is left out; the margin covers it.
class TextWidths
{
public:
    explicit TextWidths(const QFont& font)
        : m_metrics(font)
    {
        m_ascii.fill(-1);
    }

    int of(const QString& text)
    {
        int width = 0;
        for (const QChar c : text) {
            const char16_t u = c.unicode();
            if (u >= m_ascii.size())
                return m_metrics.horizontalAdvance(text);
            if (m_ascii[u] < 0)
                m_ascii[u] = m_metrics.horizontalAdvance(c);
            width += m_ascii[u];
        }
        return width;
    }

    const QFontMetrics& metrics() const { return m_metrics; }

private:
    QFontMetrics m_metrics;
    std::array<int, 128> m_ascii;
};

// The widest of the header and the first rows' texts, at most a third of the view.
void fitColumn(QTableView* view, const QAbstractItemModel* model, int column, int rows, TextWidths& widths)
{
    const QFontMetrics& metrics = widths.metrics();
    int text = 0;
    for (int row = 0; row < rows; ++row)
        text = qMax(text, widths.of(model->index(row, column).data().toString()));
    // The item's margins: the style's focus frame on each side (where QCommonStyle and
    // CachedTextDelegate put the text), and a little air.
    const int margin = 2 * (view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1) +
                       metrics.averageCharWidth();
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
