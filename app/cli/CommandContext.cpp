#include "CommandContext.h"

namespace butler {

CommandContext::CommandContext(const CommandSpec& spec, const ParsedArguments& args, QTextStream& out,
                               QTextStream& err, QTextStream& in, bool interactive, const CommandHooks& hooks,
                               ButlerOpener opener)
    : m_spec(spec)
    , m_args(args)
    , m_out(out)
    , m_err(err)
    , m_in(in)
    , m_interactive(interactive)
    , m_hooks(hooks)
    , m_opener(std::move(opener))
{
}

OutputFormat CommandContext::format() const
{
    const Result<OutputFormat> format =
        OutputTable::parseOutputFormat(m_args.value(QStringLiteral("format"), QStringLiteral("table")));
    return format.ok() ? format.value() : OutputFormat::Table;
}

Error CommandContext::usageError(const QString& message)
{
    m_usageError = true;
    return invalidInput(message);
}

Result<bool> CommandContext::confirm()
{
    if (!m_interactive)
        return invalidInput(
            QStringLiteral("refusing to remove anything without confirmation: standard input is not a "
                           "terminal; add --force to %1 to go ahead")
                .arg(m_spec.name));
    m_out << "Continue? [y/N] ";
    m_out.flush();
    const QString answer = m_in.readLine().trimmed().toLower();
    return answer == QLatin1String("y") || answer == QLatin1String("yes");
}

Result<bool> CommandContext::confirmRemoval(const QString& heading, const QStringList& items)
{
    m_out << heading << '\n';
    for (const QString& item : items)
        m_out << "  " << item << '\n';
    if (m_args.isSet(QStringLiteral("force")))
        return true;
    BUTLER_ASSIGN_OR_RETURN(const bool confirmed, confirm());
    if (!confirmed)
        m_out << "Nothing was removed.\n";
    return confirmed;
}

} // namespace butler
