#pragma once

#include "CommandSpec.h"

namespace butler {

// The options several commands share, declared once so that they read the same everywhere.
class CommonOptions
{
public:
    static OptionSpec format();
    static OptionSpec collections(bool required, const QString& help = {});
    static OptionSpec where();
    static OptionSpec bind();
    static OptionSpec findFirst();
    static OptionSpec orderBy();
    static OptionSpec limit();
    static OptionSpec force(const QString& what);
    static PositionalSpec repo();

    // Splits every word at commas ("a,b c" gives a, b, c), dropping empty parts.
    static QStringList splitCommas(const QStringList& words);
};

} // namespace butler
