#include "CliApplication.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

// The `butler` command line; all logic lives in butler_cli (app/cli).
int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("butler"));

    // Logs stay off unless BUTLER_LOG asks (e.g. BUTLER_LOG="butler.*.debug=true;*.warning=true"):
    // the contract is one `error: ` line on stderr, and library warnings would break it.
    QString rules = QStringLiteral("*.debug=false\n*.info=false\n*.warning=false");
    const QString extra = qEnvironmentVariable("BUTLER_LOG");
    if (!extra.isEmpty())
        rules += QLatin1Char('\n') + QString(extra).replace(QLatin1Char(';'), QLatin1Char('\n'));
    QLoggingCategory::setFilterRules(rules);

    QTextStream out(stdout);
    QTextStream err(stderr);
    butler::CliApplication cli;
    const int status = cli.run(QCoreApplication::arguments().mid(1), out, err);
    out.flush();
    err.flush();
    return status;
}
