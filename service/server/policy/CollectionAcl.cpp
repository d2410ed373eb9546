#include "CollectionAcl.h"

#include <QDateTime>
#include <QJsonArray>

namespace butler {

namespace {

QString isoUtc(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

CollectionAcl::Owner CollectionAcl::ownerOf(QStringView collection)
{
    // "u/<name>" and "g/<name>", with or without more segments; "u" alone is release space.
    if (collection.size() < 3 || collection[1] != QLatin1Char('/'))
        return {};
    const QChar prefix = collection[0];
    if (prefix != QLatin1Char('u') && prefix != QLatin1Char('g'))
        return {};
    QStringView rest = collection.mid(2);
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    if (slash >= 0)
        rest = rest.left(slash);
    if (rest.isEmpty())
        return {};
    return {prefix == QLatin1Char('u') ? OwnerKind::User : OwnerKind::Group, rest};
}

CollectionAcl CollectionAcl::forCollection(const QString& collection, qint64 releaseDate)
{
    CollectionAcl acl;
    acl.collection = collection;
    const Owner owner = ownerOf(collection);
    acl.ownerKind = owner.kind;
    acl.ownerName = owner.name.toString();
    acl.releaseDate = releaseDate;
    return acl;
}

qint64 CollectionAcl::proprietaryEnd(int proprietaryPeriodDays) const
{
    if (proprietaryUntil)
        return *proprietaryUntil;
    return releaseDate + qint64(proprietaryPeriodDays) * 86400;
}

QString CollectionAcl::ownerText() const
{
    switch (ownerKind) {
    case OwnerKind::User:
        return QStringLiteral("u/") + ownerName;
    case OwnerKind::Group:
        return QStringLiteral("g/") + ownerName;
    case OwnerKind::Release:
        break;
    }
    return QStringLiteral("release");
}

QJsonObject CollectionAcl::toJson(int proprietaryPeriodDays) const
{
    QJsonObject o;
    o.insert(QLatin1String("collection"), collection);
    o.insert(QLatin1String("owner"), ownerText());
    o.insert(QLatin1String("readers"), QJsonArray::fromStringList(readers));
    if (releaseDate > 0)
        o.insert(QLatin1String("release_date"), isoUtc(releaseDate));
    if (ownerKind == OwnerKind::Release && (releaseDate > 0 || proprietaryUntil))
        o.insert(QLatin1String("proprietary_until"), isoUtc(proprietaryEnd(proprietaryPeriodDays)));
    return o;
}

} // namespace butler
