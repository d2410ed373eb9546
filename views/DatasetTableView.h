#pragma once

#include <QTableView>

namespace butler {

class CachedTextDelegate;
class ColumnFitter;

// The browser's table of datasets (a DatasetTableModel): whole rows selected and dragged,
// server-side sorting from the header, one line per row. Rows are painted by a
// CachedTextDelegate, so that scrolling through pages of a large query stays quick; columns
// take the width of a query's first rows (ColumnFitter).
class DatasetTableView : public QTableView
{
    Q_OBJECT

public:
    explicit DatasetTableView(QWidget* parent = nullptr);

    CachedTextDelegate* textDelegate() const { return m_delegate; }
    void setModel(QAbstractItemModel* model) override;
    void doItemsLayout() override;
    void reset() override;

protected:
    void rowsInserted(const QModelIndex& parent, int start, int end) override;
    void rowsAboutToBeRemoved(const QModelIndex& parent, int start, int end) override;
    void dataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight,
                     const QList<int>& roles = QList<int>()) override;

private:
    // What changed since the last layout. A page of rows appended below the last visible row
    // changes the scroll range and nothing on screen; its layout then skips QTableView's repaint
    // of the whole viewport (a millisecond or two a page while scrolling a large query).
    enum class Change
    {
        None,
        AppendedOutOfSight,
        Other,
    };
    Change m_change = Change::None;
    QList<QMetaObject::Connection> m_modelConnections;
    CachedTextDelegate* m_delegate;
    ColumnFitter* m_fitter;
};

} // namespace butler
