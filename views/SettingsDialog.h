#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;

namespace butler {

// Edit > Preferences: the language of the user interface and whether sign-ins are shared with
// the butler command line. Accepting writes the settings; a new language applies at once
// (AppLanguage::apply), in every open window and dialog.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    static const QString ShareTokensKey; // "auth/shareWithCommandLine", true unless set

    explicit SettingsDialog(QWidget* parent = nullptr);

    QComboBox* languageBox() const { return m_language; }
    QCheckBox* shareTokensBox() const { return m_shareTokens; }
    QLabel* languageLabel() const { return m_languageLabel; }
    QDialogButtonBox* buttonBox() const { return m_buttons; }
    // The language note as shown (empty until the choice differs from the running language).
    QString languageNote() const;

    static bool shareTokensWithCommandLine();

public slots:
    void accept() override;

signals:
    // The choice was saved and is the language of the app now.
    void languageChanged(const QString& code);
    void shareTokensChanged(bool share);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void updateNote();

    QComboBox* m_language = nullptr;
    QLabel* m_languageLabel = nullptr;
    QLabel* m_languageNote = nullptr;
    QCheckBox* m_shareTokens = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QString m_startLanguage;
};

} // namespace butler
