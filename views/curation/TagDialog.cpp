#include "TagDialog.h"

#include "RepositorySession.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>

namespace butler {

namespace {

const QString kLastTagged = QStringLiteral("curation/lastTagged");

} // namespace

TagDialog::TagDialog(RepositorySession* session, int datasetCount, QWidget* parent)
    : QDialog(parent)
    , m_datasetCount(datasetCount)
{
    auto* form = new QFormLayout(this);
    m_intro = new QLabel(this);
    m_collection = new QComboBox(this);
    m_collection->setObjectName(QStringLiteral("taggedCollectionBox"));
    m_collection->setEditable(true);
    m_collection->setInsertPolicy(QComboBox::NoInsert);
    const QString last = QSettings().value(kLastTagged).toString();
    m_collection->setEditText(last);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    m_collectionLabel = new QLabel(this);
    m_collectionLabel->setBuddy(m_collection);
    form->addRow(m_intro);
    form->addRow(m_collectionLabel, m_collection);
    form->addRow(m_hint);
    form->addRow(buttons);

    connect(m_collection, &QComboBox::editTextChanged, this, &TagDialog::validate);
    connect(buttons, &QDialogButtonBox::accepted, this, &TagDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    if (session) {
        CollectionQuery query;
        query.types = {CollectionType::Tagged};
        QCoro::connect(session->butler().queryCollectionsAsync(query), this,
                       [this, session, last](const Result<QList<CollectionInfo>>& found) {
                           // What was typed meanwhile stays.
                           const QString typed = m_collection->currentText();
                           if (found) {
                               QStringList names;
                               for (const CollectionInfo& info : *found)
                                   if (session->canWrite(info.name))
                                       names << info.name;
                               if (names.removeOne(last))
                                   names.prepend(last);
                               m_collection->addItems(names);
                           }
                           m_collection->setEditText(typed);
                           m_collection->lineEdit()->selectAll();
                           m_loaded = true;
                           validate();
                           emit loaded();
                       });
    }
    m_collection->lineEdit()->selectAll();
    retranslateUi();
}

void TagDialog::retranslateUi()
{
    setWindowTitle(tr("Add to a tagged collection"));
    setAccessibleName(tr("Add to a tagged collection"));
    m_intro->setText(tr("Add %n selected dataset(s) to:", nullptr, m_datasetCount));
    m_collection->setAccessibleName(tr("Tagged collection"));
    m_hint->setAccessibleName(tr("Hint"));
    m_ok->setText(tr("&Add"));
    m_ok->setAccessibleName(tr("Add to collection"));
    m_collectionLabel->setText(tr("&Collection:"));
    validate();
}

void TagDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

QString TagDialog::collection() const
{
    return m_collection->currentText().trimmed();
}

void TagDialog::accept()
{
    if (collection().isEmpty()) {
        validate();
        return;
    }
    QSettings().setValue(kLastTagged, collection());
    emit tagRequested(collection());
    QDialog::accept();
}

void TagDialog::validate()
{
    const QString name = collection();
    QString problem;
    if (name.isEmpty())
        problem = tr("Choose or type the name of a TAGGED collection.");
    else if (m_loaded && m_collection->findText(name) < 0)
        problem = tr("'%1' is not a TAGGED collection you may write; the server will say if it can take the "
                     "datasets.")
                      .arg(name);
    m_hint->setText(problem);
    m_ok->setEnabled(!name.isEmpty());
}

} // namespace butler
