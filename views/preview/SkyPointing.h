#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

namespace butler {

// Where an exposure or visit pointed, in ICRS degrees.
struct SkyPointing
{
    QString label;
    double raDeg = 0.0;
    double decDeg = 0.0;
};

} // namespace butler

Q_DECLARE_METATYPE(butler::SkyPointing)
