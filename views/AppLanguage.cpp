#include "AppLanguage.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLoggingCategory>
#include <QSettings>
#include <QTranslator>

namespace butler {

Q_LOGGING_CATEGORY(lcLanguage, "butler.views.language")

namespace {

const QString kLanguageKey = QStringLiteral("ui/language");

} // namespace

QList<AppLanguage::Choice> AppLanguage::choices()
{
    return {{QString(), QCoreApplication::translate("butler::AppLanguage", "System default")},
            {QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("es"), QStringLiteral("Español")},
            {QStringLiteral("fr"), QStringLiteral("Français")}};
}

QString AppLanguage::configured()
{
    return QSettings().value(kLanguageKey).toString();
}

void AppLanguage::setConfigured(const QString& code)
{
    QSettings settings;
    if (code.isEmpty())
        settings.remove(kLanguageKey);
    else
        settings.setValue(kLanguageKey, code);
}

QLocale AppLanguage::locale()
{
    const QString code = configured();
    return code.isEmpty() ? QLocale::system() : QLocale(code);
}

QList<QTranslator*> AppLanguage::install(QCoreApplication* app)
{
    const QLocale language = locale();
    if (!configured().isEmpty())
        QLocale::setDefault(language);
    QList<QTranslator*> installed;
    auto* qt = new QTranslator(app);
    if (qt->load(language, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)) &&
        QCoreApplication::installTranslator(qt))
        installed << qt;
    else
        delete qt;
    auto* own = new QTranslator(app);
    if (own->load(language, QStringLiteral("butler"), QStringLiteral("_"), QStringLiteral(":/i18n")) &&
        QCoreApplication::installTranslator(own))
        installed << own;
    else
        delete own;
    qCDebug(lcLanguage) << "language" << language.name() << "catalogues" << installed.size();
    return installed;
}

} // namespace butler
