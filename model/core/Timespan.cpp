#include "Timespan.h"

#include "TaiTime.h"

#include <QJsonObject>

namespace butler {

QString Timespan::toString() const
{
    return QStringLiteral("[%1, %2)")
        .arg(hasBegin() ? TaiTime::toIsoUtc(m_begin) : QStringLiteral("-inf"),
             hasEnd() ? TaiTime::toIsoUtc(m_end) : QStringLiteral("+inf"));
}

QJsonValue Timespan::toJson() const
{
    QJsonObject object;
    object.insert(QLatin1String("begin"), hasBegin() ? QJsonValue(TaiTime::toIsoUtc(m_begin)) : QJsonValue());
    object.insert(QLatin1String("end"), hasEnd() ? QJsonValue(TaiTime::toIsoUtc(m_end)) : QJsonValue());
    return object;
}

Result<Timespan> Timespan::fromJson(const QJsonValue& json)
{
    if (!json.isObject())
        return invalidInput(QStringLiteral("a timespan must be an object with 'begin' and 'end'"));
    const QJsonObject object = json.toObject();
    qint64 begin = UnboundedBegin;
    qint64 end = Unbounded;
    const QJsonValue b = object.value(QLatin1String("begin"));
    const QJsonValue e = object.value(QLatin1String("end"));
    if (!b.isNull() && !b.isUndefined()) {
        BUTLER_ASSIGN_OR_RETURN(begin, TaiTime::fromIsoUtc(b.toString()));
    }
    if (!e.isNull() && !e.isUndefined()) {
        BUTLER_ASSIGN_OR_RETURN(end, TaiTime::fromIsoUtc(e.toString()));
    }
    if (begin > end)
        return invalidInput(QStringLiteral("timespan begins after it ends"));
    return Timespan(begin, end);
}

} // namespace butler
