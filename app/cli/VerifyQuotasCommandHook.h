#pragma once

#include "CommandHooks.h"

namespace butler {

// The `butler verify-quotas` hook (CommandHooks::verifyQuotas): runs QuotaVerifier on a local
// repository (the one a butler-server serves) and prints, per user, the recorded and the
// recomputed usage, then the orphan files; with fix it corrects both.
class VerifyQuotasCommandHook
{
public:
    static Status run(const QString& repoPath, bool fix, QTextStream& out);
};

} // namespace butler
