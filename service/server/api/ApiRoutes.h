#pragma once

#include "ApiRoute.h"

#include <QList>

namespace butler {

// The table of repository routes. Dispatch and the OpenAPI description both read it.
class ApiRoutes
{
public:
    static const QList<ApiRoute>& repositoryRoutes();

    // The route for this path (below the repository base) and method; HEAD finds GET routes.
    // When the path exists with other methods only, returns nullptr and fills allowed.
    static const ApiRoute* find(QStringView path, const QByteArray& method, QByteArrayList* allowed);
};

} // namespace butler
