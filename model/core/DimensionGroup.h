#pragma once

#include <QStringList>

namespace butler {

// A closed set of dimensions: the required ones (which data IDs must give) and the implied
// ones (determined by the required ones through dimension records), each in universe order.
// Made by DimensionUniverse::group().
class DimensionGroup
{
public:
    DimensionGroup() = default;
    DimensionGroup(QStringList required, QStringList implied);

    const QStringList& required() const { return m_required; }
    const QStringList& implied() const { return m_implied; }
    // Required first, then implied: the order of DataCoordinate values.
    const QStringList& names() const { return m_names; }
    bool contains(const QString& name) const { return m_names.contains(name); }
    bool isEmpty() const { return m_names.isEmpty(); }
    int indexOf(const QString& name) const { return m_names.indexOf(name); }
    bool isSubsetOf(const DimensionGroup& other) const;
    // Indices into names() in the order of the names themselves (QJsonObject's key order): of
    // every name, or of the required ones only.
    const QList<int>& sortedOrder(bool requiredOnly) const
    {
        return requiredOnly ? m_requiredSorted : m_namesSorted;
    }

    // "{instrument, detector, exposure}": the required dimensions.
    QString toString() const;

    bool operator==(const DimensionGroup& other) const { return m_required == other.m_required; }
    bool operator!=(const DimensionGroup& other) const { return !(*this == other); }

private:
    QStringList m_required;
    QStringList m_implied;
    QStringList m_names;
    QList<int> m_namesSorted;
    QList<int> m_requiredSorted;
};

} // namespace butler
