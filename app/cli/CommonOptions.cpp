#include "CommonOptions.h"

namespace butler {

OptionSpec CommonOptions::format()
{
    return {.name = QStringLiteral("format"),
            .valueName = QStringLiteral("FORMAT"),
            .help = QStringLiteral("output as an aligned table (default), a JSON array or CSV"),
            .choices = {QStringLiteral("table"), QStringLiteral("json"), QStringLiteral("csv")}};
}

OptionSpec CommonOptions::collections(bool required, const QString& help)
{
    return {.name = QStringLiteral("collections"),
            .valueName = QStringLiteral("C"),
            .help =
                help.isEmpty() ? QStringLiteral("collections (names or globs) to search, in order") : help,
            .multiple = true,
            .required = required};
}

OptionSpec CommonOptions::where()
{
    return {.name = QStringLiteral("where"),
            .valueName = QStringLiteral("EXPR"),
            .help = QStringLiteral("a query expression, e.g. \"instrument = 'LSSTCam' AND visit > 100\"")};
}

OptionSpec CommonOptions::bind()
{
    return {.name = QStringLiteral("bind"),
            .valueName = QStringLiteral("K=V"),
            .help = QStringLiteral(
                "a value for :K in --where; integers and numbers are typed, a,b,c is a list for IN"),
            .multiple = true,
            .splitCommas = false};
}

OptionSpec CommonOptions::findFirst()
{
    return {.name = QStringLiteral("find-first"),
            .help =
                QStringLiteral("per dataset type and data ID, only the dataset of the first collection that "
                               "has one")};
}

OptionSpec CommonOptions::orderBy()
{
    return {.name = QStringLiteral("order-by"),
            .valueName = QStringLiteral("F"),
            .help = QStringLiteral("sort by these fields; a leading '-' sorts descending"),
            .multiple = true};
}

OptionSpec CommonOptions::limit()
{
    return {.name = QStringLiteral("limit"),
            .valueName = QStringLiteral("N"),
            .help = QStringLiteral("print at most N rows"),
            .integer = true};
}

OptionSpec CommonOptions::force(const QString& what)
{
    return {.name = QStringLiteral("force"), .help = QStringLiteral("remove %1 without asking").arg(what)};
}

PositionalSpec CommonOptions::repo()
{
    return {.name = QStringLiteral("REPO"),
            .help =
                QStringLiteral("repository path or server URL (http(s)://HOST:PORT/api/butler/repo/LABEL)")};
}

QStringList CommonOptions::splitCommas(const QStringList& words)
{
    QStringList parts;
    for (const QString& word : words) {
        for (const QString& part : word.split(QLatin1Char(','))) {
            if (!part.trimmed().isEmpty())
                parts.append(part.trimmed());
        }
    }
    return parts;
}

} // namespace butler
