#include "ArgumentParser.h"

namespace butler {

namespace {

bool isHelpWord(const QString& word)
{
    return word == QLatin1String("--help") || word == QLatin1String("-h");
}

// "-5" and "-0.5" are values (a negative number), "-x" would be an option we do not have.
bool looksLikeNumber(const QString& word)
{
    bool ok = false;
    word.toDouble(&ok);
    return ok;
}

bool startsOption(const QString& word)
{
    return (word.startsWith(QLatin1String("--")) && word.size() > 2) || isHelpWord(word);
}

Status checkValue(const CommandSpec& spec, const OptionSpec& option, const QString& value)
{
    if (option.integer) {
        bool ok = false;
        const qint64 v = value.toLongLong(&ok);
        if (!ok || v < 0)
            return invalidInput(QStringLiteral("option --%1 of '%2' takes a non-negative integer, not '%3'")
                                    .arg(option.name, spec.name, value));
    }
    if (!option.choices.isEmpty() && !option.choices.contains(value, Qt::CaseInsensitive))
        return invalidInput(
            QStringLiteral("option --%1 of '%2' takes one of %3, not '%4'")
                .arg(option.name, spec.name, option.choices.join(QStringLiteral(", ")), value));
    return {};
}

QStringList splitValue(const OptionSpec& option, const QString& value)
{
    if (!option.multiple || !option.splitCommas)
        return {value};
    QStringList parts;
    for (const QString& part : value.split(QLatin1Char(','))) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            parts.append(trimmed);
    }
    return parts;
}

} // namespace

bool ArgumentParser::wantsHelp(const QStringList& words)
{
    for (const QString& word : words) {
        if (word == QLatin1String("--"))
            return false;
        if (isHelpWord(word))
            return true;
    }
    return false;
}

Result<ParsedArguments> ArgumentParser::parse(const CommandSpec& spec, const QStringList& words)
{
    ParsedArguments parsed;
    QStringList positionals;
    bool optionsEnded = false;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString& word = words[i];
        if (optionsEnded) {
            positionals.append(word);
            continue;
        }
        if (word == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (!word.startsWith(QLatin1String("--"))) {
            if (word.startsWith(QLatin1Char('-')) && word.size() > 1 && !looksLikeNumber(word))
                return invalidInput(QStringLiteral("unknown option '%1' for '%2'").arg(word, spec.name));
            positionals.append(word);
            continue;
        }

        const qsizetype eq = word.indexOf(QLatin1Char('='));
        const QString name = word.mid(2, eq < 0 ? -1 : eq - 2);
        const OptionSpec* option = spec.option(name);
        if (!option)
            return invalidInput(QStringLiteral("unknown option '--%1' for '%2'").arg(name, spec.name));

        if (option->isFlag()) {
            if (eq >= 0)
                return invalidInput(QStringLiteral("option --%1 takes no value").arg(name));
            parsed.addOption(name, {});
            continue;
        }

        QStringList values;
        if (eq >= 0) {
            values = splitValue(*option, word.mid(eq + 1));
        } else if (!option->multiple) {
            if (i + 1 >= words.size() || startsOption(words[i + 1]))
                return invalidInput(
                    QStringLiteral("option --%1 needs a value (%2)").arg(name, option->valueName));
            values.append(words[++i]);
        } else {
            // A multiple option takes every following word up to the next option.
            while (i + 1 < words.size() && !startsOption(words[i + 1]) && words[i + 1] != QLatin1String("--"))
                values.append(splitValue(*option, words[++i]));
        }
        if (values.isEmpty())
            return invalidInput(
                QStringLiteral("option --%1 needs a value (%2)").arg(name, option->valueName));
        for (const QString& value : values)
            BUTLER_TRY(checkValue(spec, *option, value));
        parsed.addOption(name, values);
    }

    qsizetype next = 0;
    for (const PositionalSpec& positional : spec.positionals) {
        if (next >= positionals.size()) {
            if (!positional.optional)
                return invalidInput(QStringLiteral("missing argument %1").arg(positional.name));
            break;
        }
        if (positional.variadic) {
            for (; next < positionals.size(); ++next)
                parsed.addPositional(positional.name, positionals[next]);
        } else {
            parsed.addPositional(positional.name, positionals[next++]);
        }
    }
    if (next < positionals.size())
        return invalidInput(QStringLiteral("unexpected argument '%1'").arg(positionals[next]));

    for (const OptionSpec& option : spec.options) {
        if (option.required && !parsed.isSet(option.name))
            return invalidInput(QStringLiteral("missing option --%1").arg(option.name));
    }
    return parsed;
}

} // namespace butler
