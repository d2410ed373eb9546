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

private:
    CachedTextDelegate* m_delegate;
    ColumnFitter* m_fitter;
};

} // namespace butler
