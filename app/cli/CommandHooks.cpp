#include "CommandHooks.h"

#include "DemoRepoCommandHook.h"
#include "ImportCommandHook.h"
#include "VerifyQuotasCommandHook.h"

namespace butler {

CommandHooks CommandHooks::builtIn()
{
    // Each hook is set here once the part of the code base that does its work is linked in.
    CommandHooks hooks;
    hooks.importExport = &ImportCommandHook::run;
    hooks.makeDemoRepo = &DemoRepoCommandHook::run;
    hooks.verifyQuotas = &VerifyQuotasCommandHook::run;
    return hooks;
}

} // namespace butler
