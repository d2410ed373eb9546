#include "Queries.h"

namespace butler {

Result<TransferMode> parseTransferMode(const QString& text)
{
    const QString t = text.toLower();
    if (t == QLatin1String("copy") || t == QLatin1String("auto"))
        return TransferMode::Copy;
    if (t == QLatin1String("move"))
        return TransferMode::Move;
    if (t == QLatin1String("symlink"))
        return TransferMode::Symlink;
    if (t == QLatin1String("direct"))
        return TransferMode::Direct;
    if (t == QLatin1String("hardlink") || t == QLatin1String("link"))
        return TransferMode::Hardlink;
    return invalidInput(
        QStringLiteral("unknown transfer mode '%1' (use copy, move, symlink, hardlink or direct)").arg(text));
}

Result<ChainMode> parseChainMode(const QString& text)
{
    const QString t = text.toLower();
    if (t == QLatin1String("redefine"))
        return ChainMode::Redefine;
    if (t == QLatin1String("extend"))
        return ChainMode::Extend;
    if (t == QLatin1String("prepend"))
        return ChainMode::Prepend;
    if (t == QLatin1String("remove"))
        return ChainMode::Remove;
    if (t == QLatin1String("pop"))
        return ChainMode::Pop;
    return invalidInput(
        QStringLiteral("unknown chain mode '%1' (use redefine, extend, prepend, remove or pop)").arg(text));
}

} // namespace butler
