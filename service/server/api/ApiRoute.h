#pragma once

#include "ApiAnswer.h"
#include "Result.h"

#include <QByteArray>

namespace butler {

struct ApiCall;

// One route under /api/butler/repo/<label>/v1. The table of them (ApiRoutes) drives both the
// dispatch and the OpenAPI description, so the two cannot drift apart.
struct ApiRoute
{
    using Handler = Result<ApiAnswer> (*)(ApiCall& call);

    QByteArray method;      // GET or POST (HEAD is served by GET routes)
    QString path;           // below the repository base, e.g. "/collections"
    QString summary;        // one line for the OpenAPI description
    QString requestSchema;  // name of the body's schema ("" for none)
    QString responseSchema; // name of the answer's schema
    Handler handler = nullptr;
    bool streams = false; // may answer as JSON lines
    // A registry search: a user runs at most limits.concurrent_queries_per_user of these at
    // once (ApiRoutes marks them).
    bool query = false;
    // A GET route's query parameters as "name:type" fields (OpenApiDocument's notation): "!"
    // after the name for a required one, an array type for a repeatable one.
    QString queryParameters;
};

} // namespace butler
