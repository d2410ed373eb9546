#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace butler {

// The arguments of one subcommand after parsing: positional values by their PositionalSpec
// name and option values by option name (without "--"). Made by ArgumentParser.
class ParsedArguments
{
public:
    // The value of a positional argument; empty when an optional one was not given.
    QString positional(const QString& name) const;
    // The values of a variadic positional argument.
    QStringList positionals(const QString& name) const { return m_positionals.value(name); }
    bool hasPositional(const QString& name) const { return !m_positionals.value(name).isEmpty(); }

    bool isSet(const QString& option) const { return m_options.contains(option); }
    // The value of a single-valued option (the last one given), or fallback when absent.
    QString value(const QString& option, const QString& fallback = {}) const;
    // Every value of a multiple option, in the order given.
    QStringList values(const QString& option) const { return m_options.value(option); }
    // The value of an integer option; the parser has checked that it parses.
    qint64 integer(const QString& option, qint64 fallback = 0) const;

    void addPositional(const QString& name, const QString& value) { m_positionals[name].append(value); }
    // A flag is stored with no values; isSet() is then true.
    void addOption(const QString& name, const QStringList& values) { m_options[name].append(values); }

private:
    QHash<QString, QStringList> m_positionals;
    QHash<QString, QStringList> m_options;
};

} // namespace butler
