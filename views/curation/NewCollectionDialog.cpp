#include "NewCollectionDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace butler {

NewCollectionDialog::NewCollectionDialog(const QString& user, QWidget* parent)
    : QDialog(parent)
{
    auto* form = new QFormLayout(this);
    m_name = new QLineEdit(QStringLiteral("u/%1/").arg(user), this);
    m_type = new QComboBox(this);
    for (const CollectionType type :
         {CollectionType::Tagged, CollectionType::Chained, CollectionType::Run, CollectionType::Calibration})
        m_type->addItem(QString(), int(type));
    m_doc = new QLineEdit(this);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    m_nameLabel = new QLabel(this);
    m_nameLabel->setBuddy(m_name);
    m_typeLabel = new QLabel(this);
    m_typeLabel->setBuddy(m_type);
    m_docLabel = new QLabel(this);
    m_docLabel->setBuddy(m_doc);
    form->addRow(m_nameLabel, m_name);
    form->addRow(m_typeLabel, m_type);
    form->addRow(m_docLabel, m_doc);
    form->addRow(m_hint);
    form->addRow(buttons);
    connect(m_name, &QLineEdit::textChanged, this, &NewCollectionDialog::validate);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        emit createRequested(m_name->text().trimmed(), CollectionType(m_type->currentData().toInt()),
                             m_doc->text().trimmed());
        accept();
    });
    retranslateUi();
}

void NewCollectionDialog::retranslateUi()
{
    setWindowTitle(tr("New collection"));
    m_name->setAccessibleName(tr("Collection name"));
    m_type->setAccessibleName(tr("Collection type"));
    m_type->setItemText(0, tr("TAGGED — a hand-picked set of datasets"));
    m_type->setItemText(1, tr("CHAINED — a search path of other collections"));
    m_type->setItemText(2, tr("RUN — where new datasets are written"));
    m_type->setItemText(3, tr("CALIBRATION — datasets with validity ranges"));
    m_doc->setAccessibleName(tr("Collection documentation"));
    m_ok->setText(tr("Create"));
    m_nameLabel->setText(tr("&Name:"));
    m_typeLabel->setText(tr("&Type:"));
    m_docLabel->setText(tr("&Documentation:"));
    validate();
}

void NewCollectionDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void NewCollectionDialog::validate()
{
    const QString name = m_name->text().trimmed();
    QString problem;
    if (name.isEmpty() || name.endsWith(QLatin1Char('/')))
        problem = tr("Give the collection a name.");
    else if (name.contains(QLatin1Char(' ')) || name.contains(QLatin1Char('*')) ||
             name.contains(QLatin1Char('?')))
        problem = tr("Names cannot contain spaces or glob characters.");
    m_hint->setText(problem);
    m_ok->setEnabled(problem.isEmpty());
}

} // namespace butler
