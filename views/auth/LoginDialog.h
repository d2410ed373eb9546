#pragma once

#include <QDateTime>
#include <QDialog>
#include <QUrl>

#include <chrono>
#include <memory>

class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;

namespace butler {

class OidcLogin;
class TokenStore;

// Asks for a server and a way in: signing in at the server's OpenID Connect provider in the
// system browser (issuer, client ID and scopes, remembered per server in QSettings under
// "login/"; for a server with none remembered, the provider the server advertises fills the
// empty fields), or a pasted access token. A successful sign-in accepts the dialog by itself.
// Accepting stores the token through the TokenStore, when one is set, before the dialog closes
// (it stays open with the error if that fails), then emits tokenObtained().
class LoginDialog : public QDialog
{
    Q_OBJECT

public:
    // settings: where the provider fields are remembered; nullptr means the application's QSettings.
    // It must outlive the dialog.
    explicit LoginDialog(QWidget* parent = nullptr, QSettings* settings = nullptr);
    ~LoginDialog() override;

    void setServerUrl(const QString& url);
    QString serverUrl() const;
    // Asks for a repository URL (http(s)://HOST:PORT/api/butler/repo/LABEL) instead of a server
    // address, and accepts only that: for opening a repository.
    void setRepositoryRequired(bool required);
    bool repositoryRequired() const { return m_repositoryRequired; }
    // The token from signing in, else the pasted one (trimmed); empty when there is neither.
    QString token() const;
    // When the signed-in token expires; invalid for a pasted token.
    QDateTime tokenExpiresAt() const { return m_expiresAt; }

    // Not owned; must outlive the dialog.
    void setTokenStore(TokenStore* store) { m_store = store; }
    // The sign-in machinery, to replace its browser step (tests) or scopes.
    OidcLogin* oidcLogin() const { return m_login; }
    void setSignInTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    // The status line as the user sees it.
    QString statusText() const { return m_statusText; }

public Q_SLOTS:
    void accept() override;
    void reject() override;

Q_SIGNALS:
    void tokenObtained(const QString& serverUrl, const QString& token);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void signIn();
    void loadProviderSettings();
    // Asks the server which provider it names (RFC 9728) when the issuer field is empty.
    void askServerForProvider();
    void saveProviderSettings();
    void setBusy(bool busy);
    void updateButtons();
    // Plain text; a link goes on a line of its own.
    void showStatus(const QString& text, bool error = false, const QUrl& link = {});
    void finishAccept();
    QString settingsGroup() const;

    std::unique_ptr<QSettings> m_ownSettings;
    QSettings* m_settings;
    TokenStore* m_store = nullptr;
    OidcLogin* m_login;
    std::chrono::milliseconds m_timeout = std::chrono::minutes(5);

    QLabel* m_serverLabel;
    QLineEdit* m_serverEdit;
    QLineEdit* m_issuerEdit;
    QLineEdit* m_clientIdEdit;
    QLineEdit* m_scopeEdit;
    QPushButton* m_signInButton;
    QLineEdit* m_tokenEdit;
    QLabel* m_statusLabel;
    QGroupBox* m_providerBox;
    QGroupBox* m_tokenBox;
    QLabel* m_issuerLabel;
    QLabel* m_clientIdLabel;
    QLabel* m_scopeLabel;
    QLabel* m_tokenLabel;
    QDialogButtonBox* m_buttons;
    // Buttons of our own rather than standard ones, whose text QDialogButtonBox sets back to
    // Qt's on every language change.
    QPushButton* m_openButton;
    QPushButton* m_cancelButton;

    QString m_signedInToken;
    QString m_signedInServer; // the server the signed-in token was obtained for
    QDateTime m_expiresAt;
    QString m_statusText;
    quint64 m_providerQuestion = 0; // answers to older questions are dropped
    bool m_busy = false;
    bool m_repositoryRequired = false;
};

} // namespace butler
