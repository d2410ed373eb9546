#pragma once

#include <QString>

namespace butler {

class DimensionUniverse;

// The verdict on a where-expression typed in a query field: ok, or a message and the
// 0-based character position to mark.
struct WhereValidation
{
    bool ok = true;
    QString message;
    int position = -1;
};

// Parses the expression with the query language's parser and checks every identifier against
// the universe the way the server's query compiler does (element names, keys, metadata fields,
// timespans). Cheap enough to run on every keystroke; relations between dimensions and bind
// values are left to the server. An empty expression is ok.
WhereValidation validateWhere(const DimensionUniverse& universe, const QString& expression);

} // namespace butler
