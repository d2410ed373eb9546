#include "TagDialog.h"

#include "RepositorySession.h"

#include <QComboBox>
#include <QDialogButtonBox>
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
{
    setWindowTitle(tr("Add to a tagged collection"));
    setAccessibleName(tr("Add to a tagged collection"));
    auto* form = new QFormLayout(this);
    auto* intro = new QLabel(tr("Add %n selected dataset(s) to:", nullptr, datasetCount), this);
    m_collection = new QComboBox(this);
    m_collection->setObjectName(QStringLiteral("taggedCollectionBox"));
    m_collection->setEditable(true);
    m_collection->setInsertPolicy(QComboBox::NoInsert);
    m_collection->setAccessibleName(tr("Tagged collection"));
    const QString last = QSettings().value(kLastTagged).toString();
    m_collection->setEditText(last);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_hint->setAccessibleName(tr("Hint"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("&Add"));
    m_ok->setAccessibleName(tr("Add to collection"));
    form->addRow(intro);
    form->addRow(tr("&Collection:"), m_collection);
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
    validate();
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
