#pragma once

#include <QTableView>

namespace butler {

class CachedTextDelegate;

// The browser's table of datasets (a DatasetTableModel): whole rows selected and dragged,
// server-side sorting from the header, one line per row. Rows are painted by a
// CachedTextDelegate, so that scrolling through pages of a large query stays quick.
class DatasetTableView : public QTableView
{
    Q_OBJECT

public:
    explicit DatasetTableView(QWidget* parent = nullptr);

    CachedTextDelegate* textDelegate() const { return m_delegate; }

private:
    CachedTextDelegate* m_delegate;
};

} // namespace butler
