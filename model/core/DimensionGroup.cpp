#include "DimensionGroup.h"

#include <algorithm>
#include <numeric>

namespace butler {

DimensionGroup::DimensionGroup(QStringList required, QStringList implied)
    : m_required(std::move(required))
    , m_implied(std::move(implied))
    , m_names(m_required + m_implied)
{
    const auto sorted = [this](qsizetype n) {
        QList<int> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [this](int a, int b) { return m_names[a] < m_names[b]; });
        return order;
    };
    m_namesSorted = sorted(m_names.size());
    m_requiredSorted = sorted(m_required.size());
}

bool DimensionGroup::isSubsetOf(const DimensionGroup& other) const
{
    for (const QString& name : m_names)
        if (!other.contains(name))
            return false;
    return true;
}

QString DimensionGroup::toString() const
{
    return QLatin1Char('{') + m_required.join(QStringLiteral(", ")) + QLatin1Char('}');
}

} // namespace butler
