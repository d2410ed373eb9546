#pragma once

#include <QList>
#include <QLocale>
#include <QString>

class QCoreApplication;
class QTranslator;

namespace butler {

// The language of the user interface: the setting ui/language (empty: the system's; "en",
// "es", "fr") and the catalogues that go with it. Widgets take their texts when they are
// made, so a change applies at the next start of the app.
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
    // Loads Qt's and Butler's catalogues for locale() and installs them; the translators are
    // children of app. Also makes the configured language the default locale (numbers, dates).
    static QList<QTranslator*> install(QCoreApplication* app);
};

} // namespace butler
