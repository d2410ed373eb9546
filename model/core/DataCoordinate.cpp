#include "DataCoordinate.h"

#include "DimensionUniverse.h"
#include "JsonWriter.h"

#include <QJsonValue>

#include <algorithm>
#include <numeric>
#include <vector>

namespace butler {

Result<QVariant> coerceDimensionValue(const DimensionUniverse& universe, const QString& dimension,
                                      const QVariant& value)
{
    const DimensionElement* element = universe.element(dimension);
    if (!element || !element->isDimension())
        return invalidInput(QStringLiteral("unknown dimension '%1'").arg(dimension));
    const FieldType type = element->primaryKey().type;
    if (!value.isValid() || value.isNull())
        return invalidInput(QStringLiteral("no value for dimension '%1'").arg(dimension));
    if (type == FieldType::Int) {
        switch (value.typeId()) {
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::Long:
            return QVariant(value.toLongLong());
        case QMetaType::ULongLong:
            if (value.toULongLong() > quint64(std::numeric_limits<qint64>::max()))
                break;
            return QVariant(value.toLongLong());
        case QMetaType::Double: {
            const double d = value.toDouble();
            if (d == double(qint64(d)) && std::abs(d) < 9.0e15)
                return QVariant(qint64(d));
            break;
        }
        case QMetaType::QString: {
            bool ok = false;
            const qint64 v = value.toString().trimmed().toLongLong(&ok);
            if (ok)
                return QVariant(v);
            break;
        }
        default:
            break;
        }
        return invalidInput(
            QStringLiteral("dimension '%1' takes an integer, not '%2'").arg(dimension, value.toString()));
    }
    if (value.typeId() == QMetaType::QString) {
        const QString s = value.toString();
        if (element->primaryKey().length > 0 && s.size() > element->primaryKey().length)
            return invalidInput(QStringLiteral("value for dimension '%1' is longer than %2 characters")
                                    .arg(dimension)
                                    .arg(element->primaryKey().length));
        if (s.isEmpty())
            return invalidInput(QStringLiteral("empty value for dimension '%1'").arg(dimension));
        return QVariant(s);
    }
    if (value.typeId() == QMetaType::Int || value.typeId() == QMetaType::LongLong)
        return QVariant(value.toString());
    return invalidInput(QStringLiteral("dimension '%1' takes a string").arg(dimension));
}

Result<DataCoordinate> DataCoordinate::fromMap(const DimensionUniverse& universe, const DimensionGroup& group,
                                               const QVariantMap& values)
{
    // A key outside the group is the first complaint, whatever else is wrong; it is looked
    // for only when the group's names did not account for every key, or on an error.
    const auto firstError = [&](Error error) -> Error {
        for (auto it = values.begin(); it != values.end(); ++it) {
            if (group.contains(it.key()))
                continue;
            if (!universe.isDimension(it.key()))
                return invalidInput(QStringLiteral("unknown dimension '%1' in data ID").arg(it.key()));
            return invalidInput(
                QStringLiteral("dimension '%1' is not one of %2").arg(it.key(), group.toString()));
        }
        return error;
    };
    qsizetype matched = 0;
    QList<QVariant> result;
    result.reserve(group.names().size());
    for (const QString& name : group.required()) {
        const auto it = values.constFind(name);
        if (it == values.constEnd())
            return firstError(invalidInput(
                QStringLiteral("data ID lacks required dimension '%1' of %2").arg(name, group.toString())));
        ++matched;
        Result<QVariant> v = coerceDimensionValue(universe, name, *it);
        if (!v.ok())
            return firstError(v.error());
        result.append(std::move(v).value());
    }
    bool allImplied = !group.implied().isEmpty();
    QList<QVariant> implied;
    for (const QString& name : group.implied()) {
        const auto it = values.constFind(name);
        if (it != values.constEnd())
            ++matched;
        if (it == values.constEnd() || it->isNull()) {
            allImplied = false;
            continue;
        }
        Result<QVariant> v = coerceDimensionValue(universe, name, *it);
        if (!v.ok())
            return firstError(v.error());
        implied.append(std::move(v).value());
    }
    if (matched != values.size())
        return firstError(Error(ErrorKind::Internal, QStringLiteral("data ID keys do not match its group")));
    if (allImplied)
        result.append(implied);
    DataCoordinate dc;
    dc.m_group = group;
    dc.m_values = std::move(result);
    return dc;
}

Result<DataCoordinate> DataCoordinate::fromMapInferGroup(const DimensionUniverse& universe,
                                                         const QVariantMap& values)
{
    BUTLER_ASSIGN_OR_RETURN(DimensionGroup group, universe.group(values.keys()));
    return fromMap(universe, group, values);
}

Result<DataCoordinate> DataCoordinate::fromJson(const DimensionUniverse& universe,
                                                const DimensionGroup& group, const QJsonObject& json)
{
    QVariantMap values;
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!it->isString() && !it->isDouble())
            return invalidInput(
                QStringLiteral("data ID value for '%1' must be a string or an integer").arg(it.key()));
        values.insert(it.key(), it->toVariant());
    }
    return fromMap(universe, group, values);
}

DataCoordinate DataCoordinate::fromValues(const DimensionGroup& group, QList<QVariant> values)
{
    DataCoordinate dc;
    dc.m_group = group;
    dc.m_values = std::move(values);
    return dc;
}

QVariant DataCoordinate::value(const QString& dimension) const
{
    const int index = m_group.indexOf(dimension);
    if (index < 0 || index >= m_values.size())
        return {};
    return m_values[index];
}

DataCoordinate DataCoordinate::withImplied(const QList<QVariant>& impliedValues) const
{
    DataCoordinate dc = requiredOnly();
    if (impliedValues.size() == m_group.implied().size())
        dc.m_values.append(impliedValues);
    return dc;
}

DataCoordinate DataCoordinate::requiredOnly() const
{
    DataCoordinate dc;
    dc.m_group = m_group;
    dc.m_values = m_values.mid(0, m_group.required().size());
    return dc;
}

Result<DataCoordinate> DataCoordinate::subset(const DimensionUniverse& universe,
                                              const DimensionGroup& subgroup) const
{
    QVariantMap values;
    for (const QString& name : subgroup.names()) {
        const QVariant v = value(name);
        if (v.isValid())
            values.insert(name, v);
    }
    return fromMap(universe, subgroup, values);
}

QVariantMap DataCoordinate::toMap() const
{
    QVariantMap map;
    for (int i = 0; i < m_values.size(); ++i)
        map.insert(m_group.names()[i], m_values[i]);
    return map;
}

QJsonObject DataCoordinate::toJson() const
{
    QJsonObject object;
    for (int i = 0; i < m_values.size(); ++i)
        object.insert(m_group.names()[i], QJsonValue::fromVariant(m_values[i]));
    return object;
}

void DataCoordinate::writeJson(JsonWriter& writer) const
{
    // QJsonObject orders keys; the group knows that order for full and required-only values.
    const QStringList& names = m_group.names();
    writer.beginObject();
    if (m_values.size() == names.size() || m_values.size() == m_group.required().size()) {
        for (const int i : m_group.sortedOrder(m_values.size() != names.size())) {
            writer.key(names[i]);
            writer.value(m_values[i]);
        }
    } else {
        // Some implied values only (fromValues): sort the ones there are.
        std::vector<int> order(size_t(std::min(m_values.size(), names.size())));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&names](int a, int b) { return names[a] < names[b]; });
        for (const int i : order) {
            writer.key(names[i]);
            writer.value(m_values[i]);
        }
    }
    writer.endObject();
}

QString DataCoordinate::toString() const
{
    QStringList parts;
    for (int i = 0; i < m_values.size(); ++i) {
        const QVariant& v = m_values[i];
        parts.append(m_group.names()[i] + QStringLiteral(": ") +
                     (v.typeId() == QMetaType::QString ? QLatin1Char('\'') + v.toString() + QLatin1Char('\'')
                                                       : v.toString()));
    }
    return QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
}

QString DataCoordinate::key() const
{
    QString k;
    const int n = m_group.required().size();
    for (int i = 0; i < n && i < m_values.size(); ++i) {
        if (i)
            k += QChar(0x1f);
        k += m_values[i].toString();
    }
    return k;
}

bool DataCoordinate::operator==(const DataCoordinate& other) const
{
    if (m_group != other.m_group)
        return false;
    const int n = m_group.required().size();
    for (int i = 0; i < n; ++i)
        if (m_values.value(i) != other.m_values.value(i))
            return false;
    return true;
}

} // namespace butler
