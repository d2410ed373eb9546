#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;

namespace butler {

// Edit > Preferences: the language of the user interface (applied at the next start) and
// whether sign-ins are shared with the butler command line. Accepting writes the settings.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    static const QString ShareTokensKey; // "auth/shareWithCommandLine", true unless set

    explicit SettingsDialog(QWidget* parent = nullptr);

    QComboBox* languageBox() const { return m_language; }
    QCheckBox* shareTokensBox() const { return m_shareTokens; }
    // The language note as shown (empty until the choice differs from the running language).
    QString languageNote() const;

    static bool shareTokensWithCommandLine();

public slots:
    void accept() override;

signals:
    // The choice was saved; it shows at the next start.
    void languageChanged(const QString& code);
    void shareTokensChanged(bool share);

private:
    void updateNote();

    QComboBox* m_language = nullptr;
    QLabel* m_languageNote = nullptr;
    QCheckBox* m_shareTokens = nullptr;
    QString m_startLanguage;
};

} // namespace butler
