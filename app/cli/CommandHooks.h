#pragma once

#include "Butler.h"

#include <QTextStream>
#include <functional>
#include <optional>

namespace butler {

// What `butler import` asks of the importer.
struct ImportRequest
{
    QString exportFile;
    QString directory; // where the export's relative file paths start; empty: the export's folder
    TransferMode transfer = TransferMode::Copy;
};

// What `butler make-demo-repo` asks of the demo repository builder.
struct DemoRepoRequest
{
    QString path;
    std::optional<int> nights; // unset: the builder's default
    std::optional<qint64> seed;
    bool small = false; // a few detectors only, for tests
};

// The commands whose work lives in other parts of the code base (the export importer, the demo
// repository builder, the quota verifier). The CLI parses their arguments and opens the
// repository; a hook does the rest. A hook left empty makes its command fail with a message
// that it is not part of this build.
struct CommandHooks
{
    using ImportHook = std::function<Status(Butler& butler, const ImportRequest& request, QTextStream& out)>;
    using DemoRepoHook = std::function<Status(const DemoRepoRequest& request, QTextStream& out)>;
    using VerifyQuotasHook = std::function<Status(const QString& repoPath, bool fix, QTextStream& out)>;

    ImportHook importExport;
    DemoRepoHook makeDemoRepo;
    VerifyQuotasHook verifyQuotas;

    // The hooks this build provides.
    static CommandHooks builtIn();
};

} // namespace butler
