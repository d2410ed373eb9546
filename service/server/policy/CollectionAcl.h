#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QStringView>
#include <optional>

namespace butler {

// Who may read a collection besides what its name implies: the groups granted read, and for
// release collections the dates that end the proprietary period. Dates are unix seconds (UTC).
struct CollectionAcl
{
    enum class OwnerKind
    {
        User,    // u/<user>/...
        Group,   // g/<group>/...
        Release, // everything else: written by admins only
    };

    // The owner a collection name implies. name points into collection.
    struct Owner
    {
        OwnerKind kind = OwnerKind::Release;
        QStringView name;
    };
    static Owner ownerOf(QStringView collection);

    QString collection;
    OwnerKind ownerKind = OwnerKind::Release;
    QString ownerName;                      // the user or group; empty for release collections
    QStringList readers;                    // groups granted read (user and group collections), sorted
    qint64 releaseDate = 0;                 // when the collection was registered, unless set; 0: unknown
    std::optional<qint64> proprietaryUntil; // explicit end of the proprietary period

    // An ACL with no grants for a collection, its owner taken from the name.
    static CollectionAcl forCollection(const QString& collection, qint64 releaseDate = 0);

    // The end of the proprietary period: the explicit date, or the release date plus the default
    // period.
    qint64 proprietaryEnd(int proprietaryPeriodDays) const;

    // "u/<user>", "g/<group>" or "release".
    QString ownerText() const;

    // {"collection", "owner", "readers", "release_date"?, "proprietary_until"?} with ISO-8601
    // UTC dates; the proprietary date is given for release collections only.
    QJsonObject toJson(int proprietaryPeriodDays) const;
};

} // namespace butler
