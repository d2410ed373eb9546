#include "BindParameters.h"

namespace butler {

namespace {

bool isIdentifier(const QString& name)
{
    if (name.isEmpty() || name[0].isDigit())
        return false;
    for (QChar c : name) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_')) || c.unicode() > 0x7f)
            return false;
    }
    return true;
}

bool hasDigit(const QString& text)
{
    for (QChar c : text) {
        if (c.isDigit())
            return true;
    }
    return false;
}

} // namespace

QVariant BindParameters::typedValue(const QString& text)
{
    const QString trimmed = text.trimmed();
    bool ok = false;
    const qint64 integer = trimmed.toLongLong(&ok);
    if (ok)
        return QVariant(integer);
    // toDouble() also reads "inf" and "nan", which nobody means as a number here.
    const double number = trimmed.toDouble(&ok);
    if (ok && hasDigit(trimmed))
        return QVariant(number);
    return QVariant(text);
}

Result<QVariantMap> BindParameters::parse(const QStringList& items)
{
    QVariantMap bind;
    for (const QString& item : items) {
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        if (eq < 0)
            return invalidInput(QStringLiteral("--bind takes NAME=VALUE, not '%1'").arg(item));
        const QString name = item.left(eq).trimmed();
        if (!isIdentifier(name))
            return invalidInput(
                QStringLiteral("--bind name '%1' is not an identifier (letters, digits, '_')").arg(name));
        if (bind.contains(name))
            return invalidInput(QStringLiteral("--bind gives '%1' twice").arg(name));
        const QString value = item.mid(eq + 1);
        if (value.contains(QLatin1Char(','))) {
            QVariantList list;
            for (const QString& part : value.split(QLatin1Char(',')))
                list.append(typedValue(part.trimmed()));
            bind.insert(name, list);
        } else {
            bind.insert(name, typedValue(value));
        }
    }
    return bind;
}

} // namespace butler
