#include "CertifyDialog.h"

#include "RepositorySession.h"
#include "TaiTime.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace butler {

CertifyDialog::CertifyDialog(RepositorySession* session, QWidget* parent)
    : QDialog(parent)
{
    auto* form = new QFormLayout(this);
    m_collection = new QComboBox(this);
    m_collection->setEditable(true);
    const auto makeEdit = [this](const QDateTime& value) {
        auto* edit = new QDateTimeEdit(value, this);
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
        edit->setCalendarPopup(true);
        return edit;
    };
    const QDateTime today(QDate::currentDate(), QTime(0, 0), Qt::UTC);
    m_begin = makeEdit(today);
    m_end = makeEdit(today.addDays(30));
    m_openBegin = new QCheckBox(this);
    m_openEnd = new QCheckBox(this);
    auto* beginRow = new QHBoxLayout;
    beginRow->addWidget(m_begin, 1);
    beginRow->addWidget(m_openBegin);
    auto* endRow = new QHBoxLayout;
    endRow->addWidget(m_end, 1);
    endRow->addWidget(m_openEnd);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    m_collectionLabel = new QLabel(this);
    m_collectionLabel->setBuddy(m_collection);
    m_beginLabel = new QLabel(this);
    m_beginLabel->setBuddy(m_begin);
    m_endLabel = new QLabel(this);
    m_endLabel->setBuddy(m_end);
    form->addRow(m_collectionLabel, m_collection);
    form->addRow(m_beginLabel, beginRow);
    form->addRow(m_endLabel, endRow);
    form->addRow(m_hint);
    form->addRow(buttons);

    connect(m_begin, &QDateTimeEdit::dateTimeChanged, this, &CertifyDialog::validate);
    connect(m_end, &QDateTimeEdit::dateTimeChanged, this, &CertifyDialog::validate);
    connect(m_openBegin, &QCheckBox::toggled, m_begin, &QWidget::setDisabled);
    connect(m_openEnd, &QCheckBox::toggled, m_end, &QWidget::setDisabled);
    connect(m_openBegin, &QCheckBox::toggled, this, &CertifyDialog::validate);
    connect(m_openEnd, &QCheckBox::toggled, this, &CertifyDialog::validate);
    connect(m_collection, &QComboBox::currentTextChanged, this, &CertifyDialog::validate);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        emit certifyRequested(m_collection->currentText().trimmed(), validity());
        accept();
    });

    if (session) {
        CollectionQuery query;
        query.types = {CollectionType::Calibration};
        QCoro::connect(session->butler().queryCollectionsAsync(query), this,
                       [this, session](const Result<QList<CollectionInfo>>& found) {
                           if (!found)
                               return;
                           for (const CollectionInfo& info : *found)
                               if (session->canWrite(info.name))
                                   m_collection->addItem(info.name);
                       });
    }
    retranslateUi();
}

void CertifyDialog::retranslateUi()
{
    setWindowTitle(tr("Certify datasets"));
    m_collection->setAccessibleName(tr("Calibration collection"));
    m_begin->setAccessibleName(tr("Validity begin"));
    m_end->setAccessibleName(tr("Validity end"));
    m_openBegin->setText(tr("from the beginning of time"));
    m_openEnd->setText(tr("until further notice"));
    m_ok->setText(tr("Certify"));
    m_collectionLabel->setText(tr("&Collection:"));
    m_beginLabel->setText(tr("Valid &from:"));
    m_endLabel->setText(tr("Valid &until:"));
    validate();
}

void CertifyDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

Timespan CertifyDialog::validity() const
{
    qint64 begin = Timespan::UnboundedBegin;
    qint64 end = Timespan::Unbounded;
    if (!m_openBegin->isChecked())
        begin = TaiTime::fromDateTime(m_begin->dateTime()).valueOr(Timespan::UnboundedBegin);
    if (!m_openEnd->isChecked())
        end = TaiTime::fromDateTime(m_end->dateTime()).valueOr(Timespan::Unbounded);
    return Timespan(begin, end);
}

void CertifyDialog::validate()
{
    QString problem;
    const Timespan range = validity();
    if (m_collection->currentText().trimmed().isEmpty())
        problem = tr("Choose a CALIBRATION collection.");
    else if (range.begin() >= range.end())
        problem = tr("The validity range must end after it begins.");
    m_hint->setText(problem);
    m_ok->setEnabled(problem.isEmpty());
}

} // namespace butler
