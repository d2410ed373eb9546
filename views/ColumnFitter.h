#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

class QAbstractItemModel;
class QTableView;

namespace butler {

// Sizes a table's columns to their texts when a query's first rows arrive (after a model reset)
// and sizes columns inserted later when their rows arrive. Widths the user sets stay until the
// next reset. Only the first rows are measured, with the view's font: a page of a large query
// costs well under a millisecond, where the style's size hints would lay out every cell.
class ColumnFitter : public QObject
{
    Q_OBJECT

public:
    // Rows measured per column: enough for its typical width.
    static constexpr int kRowsMeasured = 50;

    explicit ColumnFitter(QTableView* view);

    // Call after the view's setModel(): follows the view's model from then on.
    void watchModel();

private:
    void fitPending();

    QTableView* m_view;
    QPointer<QAbstractItemModel> m_model;
    QList<QMetaObject::Connection> m_connections;
    bool m_fitAll = false;
    QList<int> m_pendingColumns; // inserted since the last rows arrived
};

} // namespace butler
