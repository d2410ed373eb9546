#include "CommandSpec.h"

#include <algorithm>

namespace butler {

namespace {

QString optionSyntax(const OptionSpec& option)
{
    QString text = QStringLiteral("--") + option.name;
    if (!option.isFlag()) {
        if (!option.choices.isEmpty())
            text += QLatin1Char(' ') + option.choices.join(QLatin1Char('|'));
        else
            text += QLatin1Char(' ') + option.valueName;
        if (option.multiple)
            text += QStringLiteral("...");
    }
    return text;
}

QString positionalSyntax(const PositionalSpec& positional)
{
    QString text = positional.name;
    if (positional.variadic)
        text += QStringLiteral("...");
    return positional.optional ? QLatin1Char('[') + text + QLatin1Char(']') : text;
}

// Appends "  name   help" lines with the help column aligned.
void appendRows(QString& out, const QList<QPair<QString, QString>>& rows)
{
    qsizetype width = 0;
    for (const auto& row : rows)
        width = std::max(width, row.first.size());
    for (const auto& row : rows) {
        out += QStringLiteral("  ") + row.first.leftJustified(width) + QStringLiteral("  ") + row.second;
        out += QLatin1Char('\n');
    }
}

} // namespace

const OptionSpec* CommandSpec::option(const QString& optionName) const
{
    for (const OptionSpec& spec : options) {
        if (spec.name == optionName)
            return &spec;
    }
    return nullptr;
}

QString CommandSpec::usage() const
{
    QStringList parts{QStringLiteral("butler"), name};
    for (const PositionalSpec& positional : positionals)
        parts.append(positionalSyntax(positional));
    for (const OptionSpec& option : options) {
        const QString syntax = optionSyntax(option);
        parts.append(option.required ? syntax : QLatin1Char('[') + syntax + QLatin1Char(']'));
    }
    return parts.join(QLatin1Char(' '));
}

QString CommandSpec::help() const
{
    QString text = QStringLiteral("usage: ") + usage() + QStringLiteral("\n\n") + summary + QLatin1Char('\n');
    if (!description.isEmpty())
        text += QLatin1Char('\n') + description + QLatin1Char('\n');
    if (!positionals.isEmpty()) {
        text += QStringLiteral("\narguments:\n");
        QList<QPair<QString, QString>> rows;
        for (const PositionalSpec& positional : positionals)
            rows.append({positionalSyntax(positional), positional.help});
        appendRows(text, rows);
    }
    text += QStringLiteral("\noptions:\n");
    QList<QPair<QString, QString>> rows;
    for (const OptionSpec& option : options)
        rows.append({optionSyntax(option),
                     option.help + (option.required ? QStringLiteral(" (required)") : QString())});
    rows.append({QStringLiteral("-h, --help"), QStringLiteral("show this help and exit")});
    appendRows(text, rows);
    bool anyMultiple =
        std::any_of(options.begin(), options.end(), [](const OptionSpec& o) { return o.multiple; });
    if (anyMultiple) {
        text += QStringLiteral(
            "\nAn option marked '...' takes several values: separate them with spaces or commas, "
            "or repeat the option.\nIt takes every following word up to the next option, so "
            "give positional arguments first.\n");
    }
    return text;
}

} // namespace butler
