#pragma once

#include "CommandHooks.h"
#include "CommandSpec.h"
#include "OutputTable.h"
#include "ParsedArguments.h"
#include "RepositoryAccess.h"

#include <QTextStream>

namespace butler {

// What a command handler gets: its parsed arguments, the output streams, the way to open the
// repository and to ask the user, and the hooks. Handlers return a Status; an error becomes
// `error: <message>` and exit status 1, or 2 when the handler called usageError().
class CommandContext
{
public:
    CommandContext(const CommandSpec& spec, const ParsedArguments& args, QTextStream& out, QTextStream& err,
                   QTextStream& in, bool interactive, const CommandHooks& hooks, ButlerOpener opener);

    const CommandSpec& spec() const { return m_spec; }
    const ParsedArguments& args() const { return m_args; }
    QTextStream& out() { return m_out; }
    QTextStream& err() { return m_err; }
    const CommandHooks& hooks() const { return m_hooks; }

    // The REPO argument.
    QString repo() const { return m_args.positional(QStringLiteral("REPO")); }
    // Opens the repository named by REPO (or by the given location).
    Result<std::unique_ptr<Butler>> openButler() const { return m_opener(repo()); }
    Result<std::unique_ptr<Butler>> openButler(const QString& location) const { return m_opener(location); }

    // The --format option (table by default); the parser has checked its value.
    OutputFormat format() const;

    // Reports a usage error: the command then exits with status 2 and shows its usage line.
    Error usageError(const QString& message);
    bool isUsageError() const { return m_usageError; }

    // Asks "Continue? [y/N]" after the caller has shown what would happen. Returns true when the
    // user agrees. Fails when nobody can answer (stdin is not a terminal), telling to use --force.
    Result<bool> confirm();
    // Shows the heading and the items, then asks unless --force was given.
    Result<bool> confirmRemoval(const QString& heading, const QStringList& items);

private:
    const CommandSpec& m_spec;
    const ParsedArguments& m_args;
    QTextStream& m_out;
    QTextStream& m_err;
    QTextStream& m_in;
    bool m_interactive = false;
    const CommandHooks& m_hooks;
    ButlerOpener m_opener;
    bool m_usageError = false;
};

} // namespace butler
