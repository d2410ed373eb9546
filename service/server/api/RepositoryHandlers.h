#pragma once

#include "ApiAnswer.h"
#include "Result.h"

namespace butler {

struct ApiCall;

// The handlers of the repository routes (docs/server-api.md). Each decodes its request, calls
// the caller's AuthorizedButler (where the policy already applies) and encodes the answer;
// none of them decides who may do what.
class RepositoryHandlers
{
public:
    static Result<ApiAnswer> whoami(ApiCall& call);
    static Result<ApiAnswer> universe(ApiCall& call);

    static Result<ApiAnswer> queryCollections(ApiCall& call);
    static Result<ApiAnswer> getCollection(ApiCall& call);
    static Result<ApiAnswer> registerCollection(ApiCall& call);
    static Result<ApiAnswer> setChain(ApiCall& call);
    static Result<ApiAnswer> flattenCollections(ApiCall& call);
    static Result<ApiAnswer> removeCollections(ApiCall& call);
    static Result<ApiAnswer> removeRuns(ApiCall& call);
    static Result<ApiAnswer> getAcl(ApiCall& call);
    static Result<ApiAnswer> editAcl(ApiCall& call);

    static Result<ApiAnswer> queryDatasetTypes(ApiCall& call);
    static Result<ApiAnswer> getDatasetType(ApiCall& call);
    static Result<ApiAnswer> registerDatasetType(ApiCall& call);
    static Result<ApiAnswer> removeDatasetTypes(ApiCall& call);

    static Result<ApiAnswer> insertDimensionRecords(ApiCall& call);
    static Result<ApiAnswer> queryDimensionRecords(ApiCall& call);

    static Result<ApiAnswer> queryDatasets(ApiCall& call);
    static Result<ApiAnswer> countDatasets(ApiCall& call);
    static Result<ApiAnswer> queryDataIds(ApiCall& call);
    static Result<ApiAnswer> findDataset(ApiCall& call);
    static Result<ApiAnswer> getDataset(ApiCall& call);
    static Result<ApiAnswer> fileInfo(ApiCall& call);
    static Result<ApiAnswer> download(ApiCall& call);
    static Result<ApiAnswer> registerDatasets(ApiCall& call);
    static Result<ApiAnswer> associate(ApiCall& call);
    static Result<ApiAnswer> disassociate(ApiCall& call);
    static Result<ApiAnswer> certify(ApiCall& call);
    static Result<ApiAnswer> decertify(ApiCall& call);
    static Result<ApiAnswer> prune(ApiCall& call);

    static Result<ApiAnswer> listTrash(ApiCall& call);
    static Result<ApiAnswer> restoreTrash(ApiCall& call);
    static Result<ApiAnswer> emptyTrash(ApiCall& call);
};

} // namespace butler
