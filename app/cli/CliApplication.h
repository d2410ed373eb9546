#pragma once

#include "CommandHooks.h"
#include "CommandRegistry.h"
#include "RepositoryAccess.h"

#include <QStringList>
#include <QTextStream>

namespace butler {

// The `butler` command line as a library: finds the subcommand, parses its options, runs it and
// turns the outcome into an exit status (0 success, 1 user or server error, 2 bad usage).
// Errors go to `err` as one line starting with "error: ".
class CliApplication
{
public:
    CliApplication();

    // args: the words after the program name, e.g. {"query-datasets", "repo", "raw", "--collections", "x"}.
    int run(const QStringList& args, QTextStream& out, QTextStream& err);

    CommandRegistry& commands() { return m_commands; }
    CommandHooks& hooks() { return m_hooks; }
    // Replaces how a REPO is opened (by default RepositoryAccess::openButlerWith, with --token-file).
    void setButlerOpener(ButlerOpener opener) { m_opener = std::move(opener); }
    // Where confirmations are read from and whether someone can answer them; by default stdin,
    // interactive when it is a terminal.
    void setInput(QTextStream* in, bool interactive);

    // The text of `butler --help`.
    QString help() const;

private:
    int runCommand(const Command& command, const QStringList& words, QTextStream& out, QTextStream& err);

    CommandRegistry m_commands;
    CommandHooks m_hooks;
    ButlerOpener m_opener; // empty: the default
    QTextStream* m_in = nullptr;
    bool m_interactive = false;
};

} // namespace butler
