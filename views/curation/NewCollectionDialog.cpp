#include "NewCollectionDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace butler {

NewCollectionDialog::NewCollectionDialog(const QString& user, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("New collection"));
    auto* form = new QFormLayout(this);
    m_name = new QLineEdit(QStringLiteral("u/%1/").arg(user), this);
    m_name->setAccessibleName(tr("Collection name"));
    m_type = new QComboBox(this);
    m_type->setAccessibleName(tr("Collection type"));
    m_type->addItem(tr("TAGGED — a hand-picked set of datasets"), int(CollectionType::Tagged));
    m_type->addItem(tr("CHAINED — a search path of other collections"), int(CollectionType::Chained));
    m_type->addItem(tr("RUN — where new datasets are written"), int(CollectionType::Run));
    m_type->addItem(tr("CALIBRATION — datasets with validity ranges"), int(CollectionType::Calibration));
    m_doc = new QLineEdit(this);
    m_doc->setAccessibleName(tr("Collection documentation"));
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Create"));
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("&Documentation:"), m_doc);
    form->addRow(m_hint);
    form->addRow(buttons);
    connect(m_name, &QLineEdit::textChanged, this, &NewCollectionDialog::validate);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        emit createRequested(m_name->text().trimmed(), CollectionType(m_type->currentData().toInt()),
                             m_doc->text().trimmed());
        accept();
    });
    validate();
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
