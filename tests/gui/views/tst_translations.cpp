// The Spanish and French catalogues: compiled into butler_views as :/i18n/butler_<lang>.qm,
// loaded the way butler-browser's main() loads them, and complete in the .ts sources.

#include "DatasetFilterBar.h"
#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace butler;

namespace {

// The .ts sources sit in <source>/translations; BUTLER_TEST_DATA is <source>/tests/data.
QString translationsDir()
{
    return QDir::cleanPath(QStringLiteral(BUTLER_TEST_DATA "/../../translations"));
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void catalogueLoads_data();
    void catalogueLoads();
    void translatesWidgets_data();
    void translatesWidgets();
    void tsFileComplete_data();
    void tsFileComplete();
    void translatesTheBrowsersNewStrings_data();
    void translatesTheBrowsersNewStrings();
    void menusKeepDistinctMnemonics_data();
    void menusKeepDistinctMnemonics();
};

void TestTranslations::catalogueLoads_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("apply");
    QTest::addColumn<QString>("chained");
    QTest::addColumn<QString>("oneShown");
    QTest::addColumn<QString>("manyShown");
    QTest::newRow("es") << "es"
                        << "&Archivo"
                        << "A&plicar"
                        << "'x' no es una colección CHAINED"
                        << "1 conjunto de datos mostrado"
                        << "3 conjuntos de datos mostrados";
    QTest::newRow("es_MX") << "es_MX"
                           << "&Archivo"
                           << "A&plicar"
                           << "'x' no es una colección CHAINED"
                           << "1 conjunto de datos mostrado"
                           << "3 conjuntos de datos mostrados";
    QTest::newRow("fr") << "fr"
                        << "&Fichier"
                        << "A&ppliquer"
                        << "'x' n'est pas une collection CHAINED"
                        << "1 jeu de données affiché"
                        << "3 jeux de données affichés";
    QTest::newRow("fr_CA") << "fr_CA"
                           << "&Fichier"
                           << "A&ppliquer"
                           << "'x' n'est pas une collection CHAINED"
                           << "1 jeu de données affiché"
                           << "3 jeux de données affichés";
}

void TestTranslations::catalogueLoads()
{
    QFETCH(QString, locale);
    QFETCH(QString, file);
    QFETCH(QString, apply);
    QFETCH(QString, chained);
    QFETCH(QString, oneShown);
    QFETCH(QString, manyShown);

    QTranslator translator;
    QVERIFY(translator.load(QLocale(locale), QStringLiteral("butler"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QVERIFY(!translator.isEmpty());
    QCOMPARE(translator.filePath(), QStringLiteral(":/i18n/butler_%1.qm").arg(locale.left(2)));

    QCOMPARE(translator.translate("butler::MainWindow", "&File"), file);
    QCOMPARE(translator.translate("butler::DatasetFilterBar", "&Apply"), apply);
    QCOMPARE(translator.translate("QObject", "'%1' is not a CHAINED collection").arg(QStringLiteral("x")),
             chained);
    // %n is filled in by QCoreApplication::translate, as tr() does in the widgets.
    QVERIFY(QCoreApplication::installTranslator(&translator));
    const QString one = QCoreApplication::translate("butler::MainWindow", "%n dataset(s) shown", nullptr, 1);
    const QString many = QCoreApplication::translate("butler::MainWindow", "%n dataset(s) shown", nullptr, 3);
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(one, oneShown);
    QCOMPARE(many, manyShown);
    // Technical terms stay as they are.
    QCOMPARE(translator.translate("butler::DatasetDetailsPanel", "UUID"), QStringLiteral("UUID"));
}

void TestTranslations::translatesWidgets_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QString>("apply");
    QTest::addColumn<QString>("types");
    QTest::newRow("es") << "es"
                        << "A&plicar"
                        << "&Tipos:";
    QTest::newRow("fr") << "fr"
                        << "A&ppliquer" << QStringLiteral("T&ypes\u00a0:");
}

void TestTranslations::translatesWidgets()
{
    QFETCH(QString, locale);
    QFETCH(QString, apply);
    QFETCH(QString, types);

    QTranslator translator;
    QVERIFY(translator.load(QLocale(locale), QStringLiteral("butler"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    DatasetFilterBar bar;
    QCoreApplication::removeTranslator(&translator);

    QStringList buttons;
    for (const QPushButton* button : bar.findChildren<QPushButton*>())
        buttons << button->text();
    QVERIFY2(buttons.contains(apply), qPrintable(buttons.join(QLatin1Char('|'))));
    QStringList labels;
    for (const QLabel* label : bar.findChildren<QLabel*>())
        labels << label->text();
    QVERIFY2(labels.contains(types), qPrintable(labels.join(QLatin1Char('|'))));
}

void TestTranslations::tsFileComplete_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("es") << "es";
    QTest::newRow("fr") << "fr";
}

void TestTranslations::tsFileComplete()
{
    QFETCH(QString, language);

    QFile file(translationsDir() + QStringLiteral("/butler_%1.ts").arg(language));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QXmlStreamReader xml(&file);
    QString context;
    QString source;
    int messages = 0;
    int translated = 0;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            QCOMPARE(xml.attributes().value(QLatin1String("language")).toString(), language);
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            ++messages;
        } else if (name == QLatin1String("source")) {
            source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            const QString where = context + QStringLiteral(": ") + source;
            const QString type = xml.attributes().value(QLatin1String("type")).toString();
            QVERIFY2(type.isEmpty(), qPrintable(type + QStringLiteral(" - ") + where));
            // Plural messages hold <numerusform> children; the others hold the text itself.
            QStringList forms;
            while (xml.readNext() != QXmlStreamReader::EndElement ||
                   xml.name() != QLatin1String("translation")) {
                if (xml.hasError())
                    break;
                if (xml.isCharacters())
                    forms << xml.text().toString();
                else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform"))
                    forms << xml.readElementText();
            }
            forms.removeIf([](const QString& text) { return text.trimmed().isEmpty(); });
            QVERIFY2(!forms.isEmpty(), qPrintable(QStringLiteral("empty translation - ") + where));
            ++translated;
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(messages > 100);
    QCOMPARE(translated, messages);
}

void TestTranslations::translatesTheBrowsersNewStrings_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("expected");
    const auto rows = [](const char* locale, const QStringList& expected) {
        const QList<std::tuple<QByteArray, QByteArray, int>> sources{
            {"butler::MainWindow", "&Go", -1},
            {"butler::MainWindow", "&Add selected to tagged collection…", -1},
            {"butler::MainWindow", "%n operation(s) running", 2},
            {"butler::OperationsModel", "Cancelled", -1},
            {"butler::OperationsPanel", "&Cancel operation", -1},
            {"butler::QuotaBar", "%1 of %2 used", -1},
            {"butler::SettingsDialog", "Butler switches to the new language when you confirm.", -1},
            {"butler::MainWindow", "&Undo %1", -1},
            {"butler::TagDialog", "Add %n selected dataset(s) to:", 1},
            {"butler::AppLanguage", "System default", -1},
            {"butler::DatasetDetailsPanel", "Dimension records", -1},
        };
        for (qsizetype i = 0; i < sources.size(); ++i) {
            const auto& [context, source, n] = sources[i];
            QTest::addRow("%s %s", locale, source.constData())
                << QString::fromLatin1(locale) << context << source << n << expected[i];
        }
    };
    rows("es", {QStringLiteral("&Ir"), QStringLiteral("&Añadir la selección a una colección etiquetada…"),
                QStringLiteral("2 operaciones en curso"), QStringLiteral("Cancelada"),
                QStringLiteral("&Cancelar la operación"), QStringLiteral("%1 de %2 usados"),
                QStringLiteral("Butler cambiará al nuevo idioma cuando lo confirme."),
                QStringLiteral("&Deshacer %1"), QStringLiteral("Añadir 1 conjunto de datos seleccionado a:"),
                QStringLiteral("Predeterminado del sistema"), QStringLiteral("Registros de dimensión")});
    rows("fr",
         {QStringLiteral("A&ller"), QStringLiteral("A&jouter la sélection à une collection étiquetée…"),
          QStringLiteral("2 opérations en cours"), QStringLiteral("Annulée"),
          QStringLiteral("&Annuler l'opération"), QStringLiteral("%1 sur %2 utilisés"),
          QStringLiteral("Butler passera à la nouvelle langue dès que vous aurez confirmé."),
          QStringLiteral("&Annuler %1"), QStringLiteral("Ajouter 1 jeu de données sélectionné à\u00a0:"),
          QStringLiteral("Langue du système"), QStringLiteral("Enregistrements de dimension")});
}

void TestTranslations::translatesTheBrowsersNewStrings()
{
    QFETCH(QString, locale);
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, source);
    QFETCH(int, n);
    QFETCH(QString, expected);

    QTranslator translator;
    QVERIFY(translator.load(QLocale(locale), QStringLiteral("butler"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    const QString shown = QCoreApplication::translate(context.constData(), source.constData(), nullptr, n);
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(shown, expected);
}

void TestTranslations::menusKeepDistinctMnemonics_data()
{
    QTest::addColumn<QString>("locale");
    QTest::newRow("es") << "es";
    QTest::newRow("fr") << "fr";
}

void TestTranslations::menusKeepDistinctMnemonics()
{
    QFETCH(QString, locale);
    QTemporaryDir dir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    QTranslator translator;
    QVERIFY(translator.load(QLocale(locale), QStringLiteral("butler"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    QStringList problems;
    {
        MainWindow window(LocalServerFactory{});
        const auto mnemonic = [](const QString& text) {
            const qsizetype at = text.indexOf(QLatin1Char('&'));
            return at >= 0 && at + 1 < text.size() ? text.at(at + 1).toLower() : QChar();
        };
        QSet<QChar> bar;
        for (QAction* top : window.menuBar()->actions()) {
            const QChar key = mnemonic(top->text());
            if (key.isNull() || bar.contains(key))
                problems << top->text();
            bar.insert(key);
            QSet<QChar> entries;
            for (QAction* action : top->menu()->actions()) {
                if (action->isSeparator() || !action->isEnabled())
                    continue;
                const QChar entry = mnemonic(action->text());
                if (entry.isNull() || entries.contains(entry))
                    problems << top->text() + QStringLiteral(" > ") + action->text();
                entries.insert(entry);
            }
        }
    }
    QCoreApplication::removeTranslator(&translator);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral(", "))));
}

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
