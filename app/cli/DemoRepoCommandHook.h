#pragma once

#include "CommandHooks.h"

namespace butler {

// The `butler make-demo-repo` hook (CommandHooks::makeDemoRepo): makes a new local repository,
// fills it with DemoRepoBuilder under a progress bar per stage, and reports what it made. A
// repository it could not fill is removed again, so that a failure leaves nothing behind.
class DemoRepoCommandHook
{
public:
    static Status run(const DemoRepoRequest& request, QTextStream& out);
};

} // namespace butler
