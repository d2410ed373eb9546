#include "AppLanguage.h"

#include <QCoreApplication>
#include <QEvent>
#include <QLibraryInfo>
#include <QLoggingCategory>
#include <QPointer>
#include <QSettings>
#include <QTranslator>

namespace butler {

Q_LOGGING_CATEGORY(lcLanguage, "butler.views.language")

namespace {

const QString kLanguageKey = QStringLiteral("ui/language");

// What install() put in place, so that the next call can take it out again. A translator
// deleted elsewhere (a test tidying up) removes itself from the app and drops out here.
QList<QPointer<QTranslator>>& current()
{
    static QList<QPointer<QTranslator>> translators;
    return translators;
}

QTranslator* load(QCoreApplication* app, const QLocale& language, const QString& catalogue,
                  const QString& directory)
{
    auto* translator = new QTranslator(app);
    if (translator->load(language, catalogue, QStringLiteral("_"), directory) &&
        QCoreApplication::installTranslator(translator))
        return translator;
    delete translator;
    return nullptr;
}

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
    // Before the catalogues: widgets that retranslate format their numbers in the new locale.
    QLocale::setDefault(language);
    for (const QPointer<QTranslator>& old : std::as_const(current()))
        delete old.data(); // its destructor removes it from the app
    current().clear();
    QList<QTranslator*> installed;
    if (QTranslator* qt =
            load(app, language, QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        installed << qt;
    if (QTranslator* own = load(app, language, QStringLiteral("butler"), QStringLiteral(":/i18n")))
        installed << own;
    for (QTranslator* translator : std::as_const(installed))
        current() << translator;
    qCDebug(lcLanguage) << "language" << language.name() << "catalogues" << installed.size();
    return installed;
}

void AppLanguage::apply(const QString& code)
{
    setConfigured(code);
    QCoreApplication* app = QCoreApplication::instance();
    if (!app)
        return;
    install(app);
    // Installing and removing catalogues already announced the change, but between two
    // languages without one (English, C) only the locale changed: widgets format numbers anew.
    QEvent change(QEvent::LanguageChange);
    QCoreApplication::sendEvent(app, &change);
    // Widgets get the change as posted events (one each, compressed); delivering them now means
    // that nothing shows a mix of languages once the dialog has closed.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LanguageChange);
}

QList<QTranslator*> AppLanguage::installed()
{
    QList<QTranslator*> translators;
    for (const QPointer<QTranslator>& translator : std::as_const(current()))
        if (translator)
            translators << translator.data();
    return translators;
}

} // namespace butler
