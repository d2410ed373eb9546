#include "CommandRegistry.h"

#include "CollectionCommands.h"
#include "DatasetCommands.h"
#include "QueryCommands.h"
#include "RemoteCommands.h"
#include "RepoCommands.h"
#include "TransferCommands.h"
#include "TrashCommands.h"

namespace butler {

CommandRegistry CommandRegistry::builtIn()
{
    CommandRegistry registry;
    RepoCommands::registerCommands(registry);
    CollectionCommands::registerCommands(registry);
    QueryCommands::registerCommands(registry);
    DatasetCommands::registerCommands(registry);
    TransferCommands::registerCommands(registry);
    RemoteCommands::registerCommands(registry);
    TrashCommands::registerCommands(registry);
    return registry;
}

void CommandRegistry::add(CommandSpec spec, CommandHandler handler)
{
    if (!spec.positionals.isEmpty() &&
        (spec.positionals.first().name == QLatin1String("REPO") ||
         spec.positionals.first().name == QLatin1String("URL")) &&
        !spec.option(QStringLiteral("token-file"))) {
        spec.options.append({.name = QStringLiteral("token-file"),
                             .valueName = QStringLiteral("FILE"),
                             .help = QStringLiteral("server URLs: read the access token from FILE")});
    }
    m_commands.append({std::move(spec), std::move(handler)});
}

bool CommandRegistry::setHandler(const QString& name, CommandHandler handler)
{
    for (Command& command : m_commands) {
        if (command.spec.name == name) {
            command.handler = std::move(handler);
            return true;
        }
    }
    return false;
}

const Command* CommandRegistry::find(const QString& name) const
{
    for (const Command& command : m_commands) {
        if (command.spec.name == name)
            return &command;
    }
    return nullptr;
}

} // namespace butler
