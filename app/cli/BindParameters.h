#pragma once

#include "Result.h"

#include <QStringList>
#include <QVariantMap>

namespace butler {

// Turns `--bind K=V` words into the values of :K parameters of a where expression. A value is an
// integer when it parses as one, else a floating-point number when it parses as one, else a
// string; "a,b,c" becomes a list of such values (for IN).
class BindParameters
{
public:
    static Result<QVariantMap> parse(const QStringList& items);
    static QVariant typedValue(const QString& text);
};

} // namespace butler
