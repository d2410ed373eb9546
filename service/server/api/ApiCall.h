#pragma once

#include "ApiRequest.h"

#include <functional>

namespace butler {

class AuthorizedButler;
class RepositoryService;

// One request on its way through a repository route, on a worker thread: the request, the
// caller's view of the repository (every operation already checked by the policy) and the
// repository's server-side parts.
struct ApiCall
{
    const ApiRequest& request;
    AuthorizedButler& butler;
    RepositoryService& repository;
    // For streamed answers: the first call sends the headers; last=true ends the stream.
    std::function<void(const QByteArray& chunk, bool last)> stream;
};

} // namespace butler
