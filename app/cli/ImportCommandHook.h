#pragma once

#include "CommandHooks.h"

namespace butler {

// The `butler import` hook (CommandHooks::importExport): runs ExportImporter with a progress bar
// and reports what the import wrote.
class ImportCommandHook
{
public:
    static Status run(Butler& butler, const ImportRequest& request, QTextStream& out);
};

} // namespace butler
