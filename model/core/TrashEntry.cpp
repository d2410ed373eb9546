#include "TrashEntry.h"

#include <QDateTime>

#include <algorithm>

namespace butler {

namespace {

QString isoTime(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

Result<qint64> timeField(const QJsonObject& json, const char* key)
{
    const QDateTime time =
        QDateTime::fromString(json.value(QLatin1String(key)).toString(), Qt::ISODateWithMs);
    if (!time.isValid())
        return invalidInput(QStringLiteral("trash entry: field '%1' must be an ISO-8601 time").arg(key));
    return time.toSecsSinceEpoch();
}

} // namespace

QString TrashEntry::name() const
{
    if (kind == Kind::Datasets)
        return collection + QLatin1Char('#') + QString::number(id);
    return collection;
}

QString TrashEntry::typeText() const
{
    if (kind == Kind::Datasets)
        return QStringLiteral("DATASETS");
    return collectionTypeName(collectionType);
}

QString TrashEntry::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Run:
        return QStringLiteral("run");
    case Kind::Collection:
        return QStringLiteral("collection");
    case Kind::Datasets:
        return QStringLiteral("datasets");
    }
    return QStringLiteral("run");
}

Result<TrashEntry::Kind> TrashEntry::parseKind(const QString& text)
{
    if (text == QLatin1String("run"))
        return Kind::Run;
    if (text == QLatin1String("collection"))
        return Kind::Collection;
    if (text == QLatin1String("datasets"))
        return Kind::Datasets;
    return invalidInput(
        QStringLiteral("unknown trash entry kind '%1' (run, collection or datasets)").arg(text));
}

QJsonObject TrashEntry::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("name"), name()},
                       {QStringLiteral("kind"), kindName(kind)},
                       {QStringLiteral("collection"), collection},
                       {QStringLiteral("collection_type"), collectionTypeName(collectionType)},
                       {QStringLiteral("removed_by"), removedBy},
                       {QStringLiteral("removed_at"), isoTime(removedAt)},
                       {QStringLiteral("expires_at"), isoTime(expiresAt)},
                       {QStringLiteral("datasets"), datasets},
                       {QStringLiteral("files"), files},
                       {QStringLiteral("bytes"), bytes}};
}

Result<TrashEntry> TrashEntry::fromJson(const QJsonObject& json)
{
    TrashEntry entry;
    if (!json.value(QLatin1String("id")).isDouble())
        return invalidInput(QStringLiteral("trash entry: field 'id' must be a number"));
    entry.id = json.value(QLatin1String("id")).toInteger();
    BUTLER_ASSIGN_OR_RETURN(entry.kind, parseKind(json.value(QLatin1String("kind")).toString()));
    entry.collection = json.value(QLatin1String("collection")).toString();
    if (entry.collection.isEmpty())
        return invalidInput(QStringLiteral("trash entry: field 'collection' is missing"));
    BUTLER_ASSIGN_OR_RETURN(entry.collectionType,
                            parseCollectionType(json.value(QLatin1String("collection_type")).toString()));
    entry.removedBy = json.value(QLatin1String("removed_by")).toString();
    BUTLER_ASSIGN_OR_RETURN(entry.removedAt, timeField(json, "removed_at"));
    BUTLER_ASSIGN_OR_RETURN(entry.expiresAt, timeField(json, "expires_at"));
    entry.datasets = json.value(QLatin1String("datasets")).toInteger();
    entry.files = json.value(QLatin1String("files")).toInteger();
    entry.bytes = json.value(QLatin1String("bytes")).toInteger();
    return entry;
}

Result<QList<TrashEntry>> TrashEntry::select(const QList<TrashEntry>& entries, const QStringList& names)
{
    QList<TrashEntry> chosen;
    for (const QString& name : names) {
        const TrashEntry* match = nullptr;
        for (const TrashEntry& entry : entries) {
            if (entry.name() == name) {
                match = &entry;
                break;
            }
        }
        if (!match) {
            bool numeric = false;
            const qint64 id = (name.startsWith(QLatin1Char('#')) ? name.mid(1) : name).toLongLong(&numeric);
            for (const TrashEntry& entry : entries) {
                if (numeric && entry.id == id) {
                    match = &entry;
                    break;
                }
            }
        }
        if (!match)
            return notFound(QStringLiteral("nothing named '%1' is in the trash (list it with 'butler trash "
                                           "REPO list')")
                                .arg(name));
        const bool seen = std::any_of(chosen.cbegin(), chosen.cend(),
                                      [match](const TrashEntry& e) { return e.id == match->id; });
        if (!seen)
            chosen.append(*match);
    }
    return chosen;
}

} // namespace butler
