#include "OperationsPanel.h"

#include "OperationsModel.h"

#include <QAction>
#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>

namespace butler {

namespace {

// Draws the progress column as a progress bar (busy while the total is unknown).
class ProgressDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        const auto state = OperationsModel::State(index.data(OperationsModel::StateRole).toInt());
        const bool running =
            state == OperationsModel::State::Running || state == OperationsModel::State::Cancelling;
        if (!running) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(1, 2, -1, -2);
        bar.state = option.state | QStyle::State_Horizontal;
        bar.direction = option.direction;
        bar.fontMetrics = option.fontMetrics;
        bar.palette = option.palette;
        const int permille = index.data(OperationsModel::ProgressRole).toInt();
        bar.minimum = 0;
        bar.maximum = permille >= 0 ? 1000 : 0;
        bar.progress = permille >= 0 ? permille : 0;
        bar.text = index.data(Qt::DisplayRole).toString();
        bar.textVisible = !bar.text.isEmpty();
        bar.textAlignment = Qt::AlignCenter;
        const QWidget* widget = option.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }
};

} // namespace

OperationsPanel::OperationsPanel(OperationsModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("operationsView"));
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setModel(model);
    m_view->setItemDelegateForColumn(OperationsModel::ProgressColumn, new ProgressDelegate(m_view));
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(OperationsModel::TitleColumn, QHeaderView::Stretch);
    m_view->header()->resizeSection(OperationsModel::ProgressColumn, 160);
    layout->addWidget(m_view, 1);

    auto* buttons = new QHBoxLayout;
    m_cancel = new QPushButton(this);
    m_cancelAll = new QPushButton(this);
    m_clear = new QPushButton(this);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_cancelAll);
    buttons->addStretch(1);
    buttons->addWidget(m_clear);
    layout->addLayout(buttons);

    // Delete cancels the current operation while the list has the focus.
    m_cancelKey = new QAction(m_view);
    m_cancelKey->setShortcut(QKeySequence::Delete);
    m_cancelKey->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(m_cancelKey);
    connect(m_cancelKey, &QAction::triggered, this, &OperationsPanel::cancelCurrent);
    retranslateUi();

    connect(m_cancel, &QPushButton::clicked, this, &OperationsPanel::cancelCurrent);
    connect(m_cancelAll, &QPushButton::clicked, model, &OperationsModel::cancelAll);
    connect(m_clear, &QPushButton::clicked, model, &OperationsModel::clearFinished);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &OperationsPanel::updateButtons);
    connect(model, &QAbstractItemModel::dataChanged, this, &OperationsPanel::updateButtons);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int, int last) {
        // The newest operation becomes current, so Cancel stops what was just started.
        m_view->setCurrentIndex(m_model->index(last, OperationsModel::TitleColumn));
        updateButtons();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, &OperationsPanel::updateButtons);
    updateButtons();
}

void OperationsPanel::retranslateUi()
{
    setAccessibleName(tr("Background operations"));
    m_view->setAccessibleName(tr("Operations"));
    m_cancel->setText(tr("&Cancel operation"));
    m_cancel->setAccessibleName(tr("Cancel the selected operation"));
    m_cancelAll->setText(tr("Cancel a&ll"));
    m_cancelAll->setAccessibleName(tr("Cancel all operations"));
    m_clear->setText(tr("Clear &finished"));
    m_clear->setAccessibleName(tr("Clear finished operations"));
    m_cancelKey->setText(tr("Cancel operation"));
}

void OperationsPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        // The model is not a widget: the panel that shows it passes the change on.
        m_model->retranslate();
    }
    QWidget::changeEvent(event);
}

void OperationsPanel::cancelCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid())
        m_model->cancel(m_model->idAt(current.row()));
}

void OperationsPanel::updateButtons()
{
    const QModelIndex current = m_view->currentIndex();
    m_cancel->setEnabled(current.isValid() &&
                         m_model->index(current.row(), 0).data(OperationsModel::CancellableRole).toBool());
    m_cancelAll->setEnabled(m_model->runningCount() > 0);
    bool anyFinished = false;
    for (int row = 0; row < m_model->rowCount() && !anyFinished; ++row) {
        const auto state =
            OperationsModel::State(m_model->index(row, 0).data(OperationsModel::StateRole).toInt());
        anyFinished = state != OperationsModel::State::Running && state != OperationsModel::State::Cancelling;
    }
    m_clear->setEnabled(anyFinished);
}

} // namespace butler
