#include "FormatterLabel.h"

namespace butler {

QString FormatterLabel::forPath(const QString& path)
{
    const QString lower = path.toLower();
    if (lower.endsWith(QLatin1String(".fits")) || lower.endsWith(QLatin1String(".fits.fz")) ||
        lower.endsWith(QLatin1String(".fz")))
        return QStringLiteral("fits");
    if (lower.endsWith(QLatin1String(".json")))
        return QStringLiteral("json");
    if (lower.endsWith(QLatin1String(".yaml")) || lower.endsWith(QLatin1String(".yml")))
        return QStringLiteral("yaml");
    if (lower.endsWith(QLatin1String(".csv")))
        return QStringLiteral("csv");
    if (lower.endsWith(QLatin1String(".parq")) || lower.endsWith(QLatin1String(".parquet")))
        return QStringLiteral("parquet");
    if (lower.endsWith(QLatin1String(".png")))
        return QStringLiteral("png");
    if (lower.endsWith(QLatin1String(".txt")))
        return QStringLiteral("text");
    return QStringLiteral("bytes");
}

} // namespace butler
