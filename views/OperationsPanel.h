#pragma once

#include <QWidget>

class QAction;
class QPushButton;
class QTreeView;

namespace butler {

class OperationsModel;

// The list of long operations with a progress bar each, and buttons to cancel the selected one
// (also the Delete key), cancel everything, or clear the finished ones.
class OperationsPanel : public QWidget
{
    Q_OBJECT

public:
    // The model is not owned; it must outlive the panel.
    explicit OperationsPanel(OperationsModel* model, QWidget* parent = nullptr);

    QTreeView* view() const { return m_view; }
    QPushButton* cancelButton() const { return m_cancel; }
    // Cancels the operation of the current row.
    void cancelCurrent();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void updateButtons();

    OperationsModel* m_model;
    QTreeView* m_view = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_cancelAll = nullptr;
    QPushButton* m_clear = nullptr;
    QAction* m_cancelKey = nullptr;
};

} // namespace butler
