#include "DimensionGroup.h"

namespace butler {

DimensionGroup::DimensionGroup(QStringList required, QStringList implied)
    : m_required(std::move(required))
    , m_implied(std::move(implied))
    , m_names(m_required + m_implied)
{
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
