#pragma once

#include "DimensionElement.h"
#include "Result.h"

#include <QHash>
#include <QJsonObject>
#include <memory>

namespace butler {

class DimensionGroup;

// The versioned graph of dimension elements, loaded from data (resources/universe), never
// code. Shared and immutable once loaded; copies are cheap.
class DimensionUniverse
{
public:
    // The universe compiled into the binaries (:/butler/universe/dimensions.json).
    static const DimensionUniverse& defaultUniverse();
    static Result<DimensionUniverse> fromJson(const QJsonObject& json);
    static Result<DimensionUniverse> fromFile(const QString& path);

    QString nameSpace() const;
    int version() const;
    // Universe versions whose exports and repositories this universe reads.
    bool isCompatibleVersion(int version) const;

    const QList<DimensionElement>& elements() const;
    const DimensionElement* element(const QString& name) const;
    // Only elements that are dimensions, in universe order.
    QStringList dimensionNames() const;
    bool isDimension(const QString& name) const;
    // Position in universe order, -1 when unknown; used to sort dimension names.
    int index(const QString& name) const;

    // The closed group for these dimension names (required and implied added).
    Result<DimensionGroup> group(const QStringList& names) const;
    // Elements whose required dimensions are all in the group, in universe order.
    QStringList elementsIn(const DimensionGroup& group) const;

    QJsonObject toJson() const;

private:
    struct Data;
    std::shared_ptr<const Data> m_data;
};

} // namespace butler
