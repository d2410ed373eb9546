#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QStringList>

namespace butler {

enum class CollectionType
{
    Run = 1,
    Tagged = 2,
    Chained = 3,
    Calibration = 4
};

QString collectionTypeName(CollectionType type);                 // "RUN", "TAGGED", "CHAINED", "CALIBRATION"
Result<CollectionType> parseCollectionType(const QString& text); // case-insensitive

// What the registry knows of a collection. children is set for CHAINED collections, in
// search order.
class CollectionInfo
{
public:
    QString name;
    CollectionType type = CollectionType::Run;
    QString doc;
    QStringList children;

    // Checks a collection name: printable, no leading/trailing '/', no empty path segments,
    // no '..' or '.' segments, no glob characters, at most 256 characters.
    static Status validateName(const QString& name);

    QJsonObject toJson() const; // {"name", "type", "doc", "children"}
    static Result<CollectionInfo> fromJson(const QJsonObject& json);
};

} // namespace butler
