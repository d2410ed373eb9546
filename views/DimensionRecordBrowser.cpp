#include "DimensionRecordBrowser.h"

#include "ColumnFitter.h"
#include "DimensionRecordModel.h"
#include "OperationsModel.h"
#include "RepositorySession.h"
#include "RequestGroup.h"
#include "SkyPlotWidget.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace butler {

DimensionRecordBrowser::DimensionRecordBrowser(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    m_element = new QComboBox(this);
    m_filter = new QLineEdit(this);
    m_elementLabel = new QLabel(this);
    m_elementLabel->setBuddy(m_element);
    bar->addWidget(m_elementLabel);
    bar->addWidget(m_element);
    bar->addWidget(m_filter, 1);
    layout->addLayout(bar);
    m_error = new QLabel(this);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);
    m_view = new QTableView(this);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setTextElideMode(Qt::ElideMiddle); // record IDs share their beginnings
    m_fitter = new ColumnFitter(m_view);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->hide();
    layout->addWidget(m_view);
    retranslateUi();

    connect(m_element, &QComboBox::currentTextChanged, this, &DimensionRecordBrowser::setElement);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        if (m_model)
            m_model->setFilter(m_filter->text().trimmed());
    });
}

void DimensionRecordBrowser::retranslateUi()
{
    m_element->setAccessibleName(tr("Dimension element"));
    m_filter->setPlaceholderText(tr("where, e.g. exposure.exposure_time > 20"));
    m_filter->setAccessibleName(tr("Dimension record filter"));
    m_elementLabel->setText(tr("&Element:"));
    m_view->setAccessibleName(tr("Dimension records"));
}

void DimensionRecordBrowser::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

DimensionRecordBrowser::~DimensionRecordBrowser()
{
    endLoadOperation();
}

void DimensionRecordBrowser::setSession(RepositorySession* session)
{
    endLoadOperation();
    m_session = session;
    m_view->setModel(nullptr);
    delete m_model;
    m_model = nullptr;
    m_group.reset();
    const QSignalBlocker block(m_element);
    m_element->clear();
    if (!session)
        return;
    m_group = std::make_shared<RequestGroup>();
    m_model = new DimensionRecordModel(session->groupButler(m_group), this);
    connect(m_model, &DimensionRecordModel::loadingChanged, this, &DimensionRecordBrowser::loadingChanged);
    m_view->setModel(m_model);
    m_fitter->watchModel();
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DimensionRecordBrowser::selectionChanged);
    connect(m_model, &DimensionRecordModel::errorOccurred, this, [this](const QString& message) {
        m_error->setText(message);
        m_error->show();
    });
    connect(m_model, &DimensionRecordModel::queryFinished, m_error, &QLabel::hide);
    for (const DimensionElement& element : session->butler().universe().elements())
        m_element->addItem(element.name);
    m_element->setCurrentText(QStringLiteral("exposure"));
    setElement(m_element->currentText());
}

void DimensionRecordBrowser::setElement(const QString& element)
{
    if (!m_model || element.isEmpty())
        return;
    if (m_element->currentText() != element) {
        m_element->setCurrentText(element);
        return; // currentTextChanged comes back here
    }
    m_filter->clear();
    m_error->hide();
    m_model->setElement(element);
}

void DimensionRecordBrowser::loadingChanged(bool loading)
{
    if (!m_operations)
        return;
    if (loading && !m_loadOperation) {
        const std::weak_ptr<RequestGroup> group = m_group;
        m_loadOperation = m_operations->start(tr("Load %1 records").arg(m_model->element()), [group] {
            if (const auto g = group.lock())
                g->abortAll();
        });
    } else if (!loading && m_loadOperation) {
        m_operations->finish(std::exchange(m_loadOperation, 0), m_model->lastError());
    }
}

void DimensionRecordBrowser::endLoadOperation()
{
    // The model goes with its session: its load ends here, cancelled.
    const quint64 operation = std::exchange(m_loadOperation, 0);
    if (!operation || !m_operations)
        return;
    m_operations->cancel(operation);
    m_operations->finish(operation);
}

void DimensionRecordBrowser::selectionChanged()
{
    if (!m_model)
        return;
    QStringList clauses;
    QList<DimensionRecord> records;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex& index : rows) {
        const QString where = m_model->whereForRow(index.row());
        if (!where.isEmpty())
            clauses << QStringLiteral("(%1)").arg(where);
        QVariantMap values;
        for (int column = 0; column < m_model->columnCount(); ++column) {
            const QModelIndex cell = m_model->index(index.row(), column);
            values.insert(cell.data(DimensionRecordModel::FieldRole).toString(),
                          cell.data(DimensionRecordModel::ValueRole));
        }
        records << DimensionRecord(m_model->element(), values);
    }
    if (!clauses.isEmpty())
        emit recordsSelected(clauses.join(QStringLiteral(" OR ")));
    const QList<SkyPointing> pointings = SkyPlotWidget::pointingsFromRecords(records);
    if (!pointings.isEmpty())
        emit pointingsSelected(pointings);
}

void DimensionRecordBrowser::setOperations(OperationsModel* operations)
{
    m_operations = operations;
}

} // namespace butler
