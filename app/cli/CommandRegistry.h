#pragma once

#include "CommandContext.h"
#include "CommandSpec.h"

#include <functional>

namespace butler {

using CommandHandler = std::function<Status(CommandContext& context)>;

// A subcommand: its declaration and what runs it.
struct Command
{
    CommandSpec spec;
    CommandHandler handler;
};

// The subcommands by name, in the order they were added (the order of `butler --help`).
class CommandRegistry
{
public:
    // Every command of this build; each command family adds its own.
    static CommandRegistry builtIn();

    // Adds a command. Commands that take a REPO or URL also get --token-file.
    void add(CommandSpec spec, CommandHandler handler);
    // Replaces the handler of an existing command; false when there is no such command.
    bool setHandler(const QString& name, CommandHandler handler);
    const Command* find(const QString& name) const;
    const QList<Command>& commands() const { return m_commands; }

private:
    QList<Command> m_commands;
};

} // namespace butler
