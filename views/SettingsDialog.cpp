#include "SettingsDialog.h"

#include "AppLanguage.h"
#include "TokenStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
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
    setWindowTitle(tr("Preferences"));
    setAccessibleName(tr("Preferences"));

    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("languageBox"));
    m_language->setAccessibleName(tr("Language"));
    for (const AppLanguage::Choice& choice : AppLanguage::choices())
        m_language->addItem(choice.name, choice.code);
    m_language->setCurrentIndex(qMax(0, m_language->findData(m_startLanguage)));
    m_languageNote = new QLabel(this);
    m_languageNote->setObjectName(QStringLiteral("languageNote"));
    m_languageNote->setWordWrap(true);
    m_languageNote->setAccessibleName(tr("Language note"));

    m_shareTokens = new QCheckBox(tr("&Share sign-ins with the butler command line"), this);
    m_shareTokens->setAccessibleName(tr("Share sign-ins with the butler command line"));
    m_shareTokens->setChecked(shareTokensWithCommandLine());
    m_shareTokens->setToolTip(
        tr("Also keeps the access tokens in %1, where 'butler login' keeps them, so that "
           "signing in here or there works in both")
            .arg(TokenStore::defaultFilePath()));

    auto* form = new QFormLayout;
    auto* languageLabel = new QLabel(tr("&Language:"), this);
    languageLabel->setBuddy(m_language);
    form->addRow(languageLabel, m_language);
    form->addRow(m_languageNote);
    form->addRow(m_shareTokens);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_language, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateNote);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateNote();
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
        code == m_startLanguage ? QString() : tr("The new language applies the next time Butler starts."));
}

void SettingsDialog::accept()
{
    const QString code = m_language->currentData().toString();
    if (code != m_startLanguage) {
        AppLanguage::setConfigured(code);
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
