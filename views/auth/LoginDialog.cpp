#include "LoginDialog.h"

#include "OidcLogin.h"
#include "RemoteLocation.h"
#include "TokenStore.h"

#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>

#include <QCoroTask>

namespace butler {

namespace {

const QString kIssuer = QStringLiteral("issuer");
const QString kClientId = QStringLiteral("clientId");
const QString kScope = QStringLiteral("scope");

} // namespace

LoginDialog::LoginDialog(QWidget* parent, QSettings* settings)
    : QDialog(parent)
    , m_ownSettings(settings ? nullptr : std::make_unique<QSettings>())
    , m_settings(settings ? settings : m_ownSettings.get())
    , m_login(new OidcLogin(this))
{
    // The platform's own way to open a page, which needs QtGui (OidcLogin has none).
    m_login->setOpenBrowserFunction([](const QUrl& url) { return QDesktopServices::openUrl(url); });
    m_serverEdit = new QLineEdit(this);

    m_providerBox = new QGroupBox(this);
    m_issuerEdit = new QLineEdit(m_providerBox);
    m_clientIdEdit = new QLineEdit(m_providerBox);
    m_scopeEdit = new QLineEdit(m_login->scope(), m_providerBox);
    m_signInButton = new QPushButton(m_providerBox);
    const auto fieldLabel = [](QWidget* field, QWidget* parent) {
        auto* label = new QLabel(parent);
        label->setBuddy(field);
        return label;
    };
    m_issuerLabel = fieldLabel(m_issuerEdit, m_providerBox);
    m_clientIdLabel = fieldLabel(m_clientIdEdit, m_providerBox);
    m_scopeLabel = fieldLabel(m_scopeEdit, m_providerBox);
    auto* providerForm = new QFormLayout(m_providerBox);
    providerForm->addRow(m_issuerLabel, m_issuerEdit);
    providerForm->addRow(m_clientIdLabel, m_clientIdEdit);
    providerForm->addRow(m_scopeLabel, m_scopeEdit);
    providerForm->addRow(m_signInButton);

    m_tokenBox = new QGroupBox(this);
    m_tokenEdit = new QLineEdit(m_tokenBox);
    m_tokenEdit->setEchoMode(QLineEdit::Password);
    m_tokenLabel = fieldLabel(m_tokenEdit, m_tokenBox);
    auto* tokenForm = new QFormLayout(m_tokenBox);
    tokenForm->addRow(m_tokenLabel, m_tokenEdit);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextFormat(Qt::RichText);
    m_statusLabel->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_statusLabel->setOpenExternalLinks(true);

    m_buttons = new QDialogButtonBox(this);
    m_openButton = m_buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    m_cancelButton = m_buttons->addButton(QString(), QDialogButtonBox::RejectRole);

    auto* serverForm = new QFormLayout;
    m_serverLabel = fieldLabel(m_serverEdit, this);
    serverForm->addRow(m_serverLabel, m_serverEdit);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(serverForm);
    layout->addWidget(m_providerBox);
    layout->addWidget(m_tokenBox);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_buttons);
    retranslateUi();

    connect(m_buttons, &QDialogButtonBox::accepted, this, &LoginDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &LoginDialog::reject);
    connect(m_signInButton, &QPushButton::clicked, this, &LoginDialog::signIn);
    connect(m_serverEdit, &QLineEdit::textChanged, this, [this] {
        // A token belongs to the server it was issued for.
        if (!m_signedInToken.isEmpty() &&
            TokenStore::normalizeServerUrl(serverUrl()).valueOr({}) != m_signedInServer) {
            m_signedInToken.clear();
            m_expiresAt = QDateTime();
            showStatus({});
        }
        updateButtons();
    });
    connect(m_serverEdit, &QLineEdit::editingFinished, this, &LoginDialog::loadProviderSettings);
    connect(m_issuerEdit, &QLineEdit::textChanged, this, &LoginDialog::updateButtons);
    connect(m_clientIdEdit, &QLineEdit::textChanged, this, &LoginDialog::updateButtons);
    connect(m_tokenEdit, &QLineEdit::textChanged, this, &LoginDialog::updateButtons);
    connect(m_login, &OidcLogin::browserRequested, this, [this](const QUrl& url, bool opened) {
        if (opened) {
            showStatus(tr("Continue in your web browser. Waiting for the identity provider…"));
        } else {
            showStatus(tr("No web browser could be opened. Open this address in one to sign in:"), false,
                       url);
        }
    });
    updateButtons();
}

LoginDialog::~LoginDialog() = default;

void LoginDialog::retranslateUi()
{
    setWindowTitle(tr("Open a Server"));
    setAccessibleName(tr("Open a server"));
    if (m_repositoryRequired) {
        m_serverLabel->setText(tr("&Repository:"));
        m_serverEdit->setAccessibleName(tr("Repository URL"));
        m_serverEdit->setPlaceholderText(tr("https://butler.example.org/api/butler/repo/main"));
    } else {
        m_serverLabel->setText(tr("&Server:"));
        m_serverEdit->setAccessibleName(tr("Server URL"));
        m_serverEdit->setPlaceholderText(tr("https://butler.example.org"));
    }
    m_providerBox->setTitle(tr("Sign in with the identity provider"));
    m_issuerEdit->setAccessibleName(tr("Identity provider URL"));
    m_issuerEdit->setPlaceholderText(tr("https://login.example.org/realms/astro"));
    m_clientIdEdit->setAccessibleName(tr("Client ID"));
    m_scopeEdit->setAccessibleName(tr("Scopes"));
    m_signInButton->setText(tr("Sign in with the identity provider"));
    m_signInButton->setAccessibleName(tr("Sign in with the identity provider"));
    m_signInButton->setAccessibleDescription(
        tr("Opens the identity provider's sign-in page in your web browser"));
    m_issuerLabel->setText(tr("&Identity provider:"));
    m_clientIdLabel->setText(tr("C&lient ID:"));
    m_scopeLabel->setText(tr("S&copes:"));
    m_tokenBox->setTitle(tr("Or paste an access token"));
    m_tokenEdit->setAccessibleName(tr("Access token"));
    m_tokenEdit->setPlaceholderText(tr("Paste a token"));
    m_tokenLabel->setText(tr("&Token:"));
    m_statusLabel->setAccessibleName(tr("Status"));
    m_openButton->setText(tr("&Open"));
    m_openButton->setAccessibleName(tr("Open"));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setAccessibleName(tr("Cancel"));
}

void LoginDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void LoginDialog::setServerUrl(const QString& url)
{
    m_serverEdit->setText(url);
    loadProviderSettings();
}

QString LoginDialog::serverUrl() const
{
    return m_serverEdit->text().trimmed();
}

void LoginDialog::setRepositoryRequired(bool required)
{
    m_repositoryRequired = required;
    retranslateUi();
    updateButtons();
}

QString LoginDialog::token() const
{
    if (!m_signedInToken.isEmpty())
        return m_signedInToken;
    return m_tokenEdit->text().trimmed();
}

QString LoginDialog::settingsGroup() const
{
    const Result<QString> key = TokenStore::normalizeServerUrl(serverUrl());
    if (!key.ok())
        return {};
    // Slashes would nest groups.
    return QStringLiteral("login/") + QString::fromLatin1(QUrl::toPercentEncoding(*key));
}

void LoginDialog::loadProviderSettings()
{
    const QString group = settingsGroup();
    if (group.isEmpty())
        return;
    m_settings->beginGroup(group);
    const QString issuer = m_settings->value(kIssuer).toString();
    const QString clientId = m_settings->value(kClientId).toString();
    const QString scope = m_settings->value(kScope).toString();
    m_settings->endGroup();
    if (!issuer.isEmpty())
        m_issuerEdit->setText(issuer);
    if (!clientId.isEmpty())
        m_clientIdEdit->setText(clientId);
    if (!scope.isEmpty())
        m_scopeEdit->setText(scope);
    askServerForProvider();
}

void LoginDialog::askServerForProvider()
{
    if (!m_issuerEdit->text().trimmed().isEmpty())
        return;
    // A repository URL names its server; anything else is taken as the server's address.
    const Result<RemoteLocation> location = RemoteLocation::parse(serverUrl());
    const QString server = location.ok() ? location->serverBase() : serverUrl();
    if (!TokenStore::normalizeServerUrl(server).ok())
        return;
    const quint64 question = ++m_providerQuestion;
    QCoro::connect(
        OidcLogin::advertisedProviderAsync(server, std::chrono::seconds(10)), this,
        [this, question, asked = serverUrl()](const Result<OidcClientSettings>& advertised) {
            // Silent on failure: the fields stay for the user to fill in, as before.
            if (question != m_providerQuestion || asked != serverUrl() || !advertised.ok() || m_busy ||
                !m_issuerEdit->text().trimmed().isEmpty())
                return;
            m_issuerEdit->setText(advertised->issuer.toString());
            if (m_clientIdEdit->text().trimmed().isEmpty())
                m_clientIdEdit->setText(advertised->clientId);
            // The server's scopes join the default ones unless the user changed them.
            if (!advertised->scope.isEmpty() && m_scopeEdit->text().simplified() == m_login->scope()) {
                QStringList scopes = m_login->scope().split(QLatin1Char(' '), Qt::SkipEmptyParts);
                for (const QString& scope : advertised->scope.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
                    if (!scopes.contains(scope))
                        scopes << scope;
                }
                m_scopeEdit->setText(scopes.join(QLatin1Char(' ')));
            }
        });
}

void LoginDialog::saveProviderSettings()
{
    const QString group = settingsGroup();
    if (group.isEmpty())
        return;
    m_settings->beginGroup(group);
    m_settings->setValue(kIssuer, m_issuerEdit->text().trimmed());
    m_settings->setValue(kClientId, m_clientIdEdit->text().trimmed());
    m_settings->setValue(kScope, m_scopeEdit->text().simplified());
    m_settings->endGroup();
}

void LoginDialog::signIn()
{
    const Result<QString> server = TokenStore::normalizeServerUrl(serverUrl());
    if (!server.ok()) {
        showStatus(tr("Enter the server's address first, such as https://butler.example.org."), true);
        m_serverEdit->setFocus();
        return;
    }
    const QString issuer = m_issuerEdit->text().trimmed();
    const QString clientId = m_clientIdEdit->text().trimmed();
    if (issuer.isEmpty() || clientId.isEmpty()) {
        showStatus(tr("Enter the identity provider's address and the client ID; the server's administrator "
                      "knows them."),
                   true);
        (issuer.isEmpty() ? m_issuerEdit : m_clientIdEdit)->setFocus();
        return;
    }
    saveProviderSettings();
    const QString scope = m_scopeEdit->text().simplified();
    m_login->setScope(scope.isEmpty() ? QStringLiteral("openid") : scope);
    setBusy(true);
    showStatus(tr("Contacting the identity provider…"));
    const QString serverKey = *server;
    QCoro::connect(m_login->loginAsync(QUrl(issuer), clientId, m_timeout), this,
                   [this, serverKey](const Result<OidcTokens>& result) {
                       setBusy(false);
                       if (!result.ok()) {
                           showStatus(tr("Signing in failed: %1").arg(result.error().message()), true);
                           return;
                       }
                       m_signedInToken = result->accessToken;
                       m_signedInServer = serverKey;
                       m_expiresAt = result->expiresAt;
                       if (m_expiresAt.isValid())
                           showStatus(
                               tr("Signed in. The token is valid until %1.")
                                   .arg(QLocale().toString(m_expiresAt.toLocalTime(), QLocale::ShortFormat)));
                       else
                           showStatus(tr("Signed in."));
                       updateButtons();
                       accept();
                   });
}

void LoginDialog::accept()
{
    if (m_busy)
        return;
    const Result<QString> server = TokenStore::normalizeServerUrl(serverUrl());
    if (!server.ok()) {
        showStatus(tr("Enter the server's address, such as https://butler.example.org."), true);
        return;
    }
    if (m_repositoryRequired) {
        const Result<RemoteLocation> location = RemoteLocation::parse(serverUrl());
        if (!location.ok()) {
            showStatus(tr("Enter the repository's address, such as "
                          "https://butler.example.org/api/butler/repo/main."),
                       true);
            return;
        }
    }
    if (token().isEmpty()) {
        showStatus(tr("Sign in with the identity provider or paste an access token first."), true);
        return;
    }
    if (!m_store) {
        finishAccept();
        return;
    }
    setBusy(true);
    showStatus(tr("Saving the token…"));
    QCoro::connect(
        m_store->storeAsync(serverUrl(), token(), m_expiresAt), this, [this](const Status& stored) {
            setBusy(false);
            if (!stored.ok()) {
                showStatus(tr("The token could not be saved: %1").arg(stored.error().message()), true);
                return;
            }
            finishAccept();
        });
}

void LoginDialog::finishAccept()
{
    Q_EMIT tokenObtained(serverUrl(), token());
    QDialog::accept();
}

void LoginDialog::reject()
{
    if (m_login->isActive())
        m_login->cancel();
    QDialog::reject();
}

void LoginDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_serverEdit->setEnabled(!busy);
    m_issuerEdit->setEnabled(!busy);
    m_clientIdEdit->setEnabled(!busy);
    m_scopeEdit->setEnabled(!busy);
    m_tokenEdit->setEnabled(!busy);
    updateButtons();
}

void LoginDialog::updateButtons()
{
    const bool haveServer = TokenStore::normalizeServerUrl(serverUrl()).ok();
    m_signInButton->setEnabled(!m_busy && haveServer && !m_issuerEdit->text().trimmed().isEmpty() &&
                               !m_clientIdEdit->text().trimmed().isEmpty());
    m_openButton->setEnabled(!m_busy && haveServer && !token().isEmpty());
}

void LoginDialog::showStatus(const QString& text, bool error, const QUrl& link)
{
    QString html = text.toHtmlEscaped();
    m_statusText = text;
    if (!link.isEmpty()) {
        const QString address = link.toString(QUrl::FullyEncoded);
        html += QStringLiteral("<br><a href=\"%1\">%1</a>").arg(address.toHtmlEscaped());
        m_statusText += QLatin1Char(' ') + address;
    }
    if (error)
        html = QStringLiteral("<span style=\"color:#b00020\">%1</span>").arg(html);
    m_statusLabel->setText(html);
    m_statusLabel->setAccessibleDescription(m_statusText);
}

} // namespace butler
