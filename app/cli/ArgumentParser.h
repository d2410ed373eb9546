#pragma once

#include "CommandSpec.h"
#include "ParsedArguments.h"
#include "Result.h"

namespace butler {

// Parses the words after the subcommand name against its CommandSpec. Supports `--opt value`,
// `--opt=value`, repeated options, several values per multiple option (space- or
// comma-separated), `--` to end the options and `-h`/`--help`. Every failure is a usage error
// (exit status 2) with a message that names the offending word.
class ArgumentParser
{
public:
    // True when the words ask for help (before any `--`); the caller prints the help instead of
    // parsing, so that `butler cmd --help` works even with other arguments missing.
    static bool wantsHelp(const QStringList& words);
    static Result<ParsedArguments> parse(const CommandSpec& spec, const QStringList& words);
};

} // namespace butler
