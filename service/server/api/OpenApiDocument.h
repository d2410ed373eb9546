#pragma once

#include "ApiRoute.h"

#include <QByteArray>
#include <QList>

namespace butler {

// The OpenAPI 3.0 description served at /api/butler/openapi.json, made from the same route
// table the dispatcher uses.
class OpenApiDocument
{
public:
    static QByteArray build(const QList<ApiRoute>& repositoryRoutes);
};

} // namespace butler
