#pragma once

#include "SkyPointing.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace butler {

class ColumnFitter;
class DimensionRecordModel;
class OperationsModel;
class RepositorySession;
class RequestGroup;

// Browses the records of one dimension element (exposures, visits, detectors, ...) with a
// where filter. Selecting records asks the dataset table to show their datasets, and, for
// exposures and visits, the sky plot to show where they pointed. Loading records is an
// operation of the OperationsModel, when one is set, and can be cancelled there.
class DimensionRecordBrowser : public QWidget
{
    Q_OBJECT

public:
    explicit DimensionRecordBrowser(QWidget* parent = nullptr);
    ~DimensionRecordBrowser() override;

    void setSession(RepositorySession* session);
    // Where loads show as operations; not owned.
    void setOperations(OperationsModel* operations);
    void setElement(const QString& element);

    DimensionRecordModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QComboBox* elementBox() const { return m_element; }

signals:
    // The where-expression that selects the datasets of the selected records.
    void recordsSelected(const QString& where);
    void pointingsSelected(const QList<SkyPointing>& pointings);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void selectionChanged();
    void loadingChanged(bool loading);
    void endLoadOperation();

    RepositorySession* m_session = nullptr;
    DimensionRecordModel* m_model = nullptr;
    QComboBox* m_element = nullptr;
    QLabel* m_elementLabel = nullptr;
    QLineEdit* m_filter = nullptr;
    QLabel* m_error = nullptr;
    QTableView* m_view = nullptr;
    ColumnFitter* m_fitter = nullptr;
    QPointer<OperationsModel> m_operations;
    std::shared_ptr<RequestGroup> m_group;
    quint64 m_loadOperation = 0;
};

} // namespace butler
