#include "ParsedArguments.h"

namespace butler {

QString ParsedArguments::positional(const QString& name) const
{
    const QStringList values = m_positionals.value(name);
    return values.isEmpty() ? QString() : values.first();
}

QString ParsedArguments::value(const QString& option, const QString& fallback) const
{
    const auto it = m_options.constFind(option);
    if (it == m_options.constEnd() || it->isEmpty())
        return fallback;
    return it->last();
}

qint64 ParsedArguments::integer(const QString& option, qint64 fallback) const
{
    if (!isSet(option))
        return fallback;
    bool ok = false;
    const qint64 v = value(option).toLongLong(&ok);
    return ok ? v : fallback;
}

} // namespace butler
