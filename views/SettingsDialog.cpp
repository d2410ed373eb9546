#include "SettingsDialog.h"

#include "AppLanguage.h"
#include "TokenStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace butler {

const QString SettingsDialog::ShareTokensKey = QStringLiteral("auth/shareWithCommandLine");

SettingsDialog::SettingsDialog(QWidget* parent)
    : QDialog(parent)
    , m_startLanguage(AppLanguage::configured())
{
    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("languageBox"));
    for (const AppLanguage::Choice& choice : AppLanguage::choices())
        m_language->addItem(choice.name, choice.code);
    m_language->setCurrentIndex(qMax(0, m_language->findData(m_startLanguage)));
    m_languageNote = new QLabel(this);
    m_languageNote->setObjectName(QStringLiteral("languageNote"));
    m_languageNote->setWordWrap(true);

    m_shareTokens = new QCheckBox(this);
    m_shareTokens->setChecked(shareTokensWithCommandLine());

    auto* form = new QFormLayout;
    m_languageLabel = new QLabel(this);
    m_languageLabel->setBuddy(m_language);
    form->addRow(m_languageLabel, m_language);
    form->addRow(m_languageNote);
    form->addRow(m_shareTokens);
    // Standard buttons: Qt's own catalogue names them, in the new language too.
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_language, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateNote);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    retranslateUi();
}

void SettingsDialog::retranslateUi()
{
    setWindowTitle(tr("Preferences"));
    setAccessibleName(tr("Preferences"));
    m_language->setAccessibleName(tr("Language"));
    // The languages keep their own names; only the system choice is said in the current one.
    for (const AppLanguage::Choice& choice : AppLanguage::choices())
        if (const int index = m_language->findData(choice.code); index >= 0)
            m_language->setItemText(index, choice.name);
    m_languageLabel->setText(tr("&Language:"));
    m_languageNote->setAccessibleName(tr("Language note"));
    m_shareTokens->setText(tr("&Share sign-ins with the butler command line"));
    m_shareTokens->setAccessibleName(tr("Share sign-ins with the butler command line"));
    m_shareTokens->setToolTip(
        tr("Also keeps the access tokens in %1, where 'butler login' keeps them, so that "
           "signing in here or there works in both")
            .arg(TokenStore::defaultFilePath()));
    updateNote();
}

void SettingsDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

bool SettingsDialog::shareTokensWithCommandLine()
{
    return QSettings().value(ShareTokensKey, true).toBool();
}

QString SettingsDialog::languageNote() const
{
    return m_languageNote->text();
}

void SettingsDialog::updateNote()
{
    const QString code = m_language->currentData().toString();
    m_languageNote->setText(
        code == m_startLanguage ? QString() : tr("Butler switches to the new language when you confirm."));
}

void SettingsDialog::accept()
{
    const QString code = m_language->currentData().toString();
    if (code != m_startLanguage) {
        m_startLanguage = code;
        AppLanguage::apply(code);
        emit languageChanged(code);
    }
    const bool share = m_shareTokens->isChecked();
    if (share != shareTokensWithCommandLine()) {
        QSettings().setValue(ShareTokensKey, share);
        emit shareTokensChanged(share);
    }
    QDialog::accept();
}

} // namespace butler
