#pragma once

#include <QList>
#include <QLocale>
#include <QString>

class QCoreApplication;
class QTranslator;

namespace butler {

// The language of the user interface: the setting ui/language (empty: the system's; "en",
// "es", "fr") and the catalogues that go with it. A change applies at once: installing the
// catalogues sends QEvent::LanguageChange to every widget, and each widget class sets its texts
// again in its changeEvent().
class AppLanguage
{
public:
    struct Choice
    {
        QString code; // the setting's value; empty for the system's language
        QString name; // as its speakers write it (the system choice in the current language)
    };

    static QList<Choice> choices();
    static QString configured();
    static void setConfigured(const QString& code);
    // The configured language, or the system's.
    static QLocale locale();
    // Loads Qt's and Butler's catalogues for locale() and installs them in place of those an
    // earlier call installed (which it deletes); the translators are children of app. Also
    // makes locale() the default locale (numbers, dates, sizes).
    static QList<QTranslator*> install(QCoreApplication* app);
    // Edit > Preferences: saves the choice and installs its catalogues in the running app. The
    // LanguageChange events are delivered before this returns, so open windows and dialogs
    // show the new language when it does.
    static void apply(const QString& code);
    // The catalogues installed by install(), Qt's first; empty when locale() has none.
    static QList<QTranslator*> installed();
};

} // namespace butler
