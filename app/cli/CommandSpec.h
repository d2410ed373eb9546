#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace butler {

// One `--name` option of a command. Without a valueName it is a flag. A multiple option takes
// several values: `--collections a b c`, `--collections a,b` (when splitCommas) and repeated
// `--collections a --collections b` all give {a, b, c}.
struct OptionSpec
{
    QString name{};      // without the leading "--"
    QString valueName{}; // empty: a flag
    QString help{};
    bool multiple = false;
    bool splitCommas = true; // multiple options only: "a,b" gives two values
    bool required = false;
    bool integer = false;  // the value must be a non-negative integer
    QStringList choices{}; // when not empty, the value must be one of these (case-insensitive)

    bool isFlag() const { return valueName.isEmpty(); }
};

// One positional argument. At most the last one is variadic.
struct PositionalSpec
{
    QString name{}; // upper case, as shown in the usage line: REPO, ELEMENT, GLOB
    QString help{};
    bool optional = false;
    bool variadic = false;
};

// The declaration of a subcommand: everything the parser and the help text need.
struct CommandSpec
{
    QString name{};
    QString summary{};     // one line for `butler --help`
    QString description{}; // more paragraphs for `butler NAME --help`; may be empty
    QList<PositionalSpec> positionals{};
    QList<OptionSpec> options{};

    const OptionSpec* option(const QString& optionName) const;
    // "butler query-datasets REPO [TYPE_GLOB...] --collections C... [--where EXPR] ..."
    QString usage() const;
    // Usage, summary, description, then one line per argument and option.
    QString help() const;
};

} // namespace butler
