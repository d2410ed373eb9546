#pragma once

#include "ApiAnswer.h"
#include "Result.h"

namespace butler {

struct ApiCall;

// The handlers of the upload and quota routes (docs/server-api.md, "Uploads" and "Quotas"):
// each decodes its request, hands it to the repository's UploadService or QuotaStore with the
// caller's AuthorizedButler, and encodes the answer.
class UploadHandlers
{
public:
    static Result<ApiAnswer> reserve(ApiCall& call);
    static Result<ApiAnswer> commit(ApiCall& call);
    static Result<ApiAnswer> abort(ApiCall& call);
    // POST /datasets/put: one dataset from the request body, through the quota.
    static Result<ApiAnswer> put(ApiCall& call);

    static Result<ApiAnswer> getQuota(ApiCall& call);
    static Result<ApiAnswer> setQuota(ApiCall& call);
};

} // namespace butler
