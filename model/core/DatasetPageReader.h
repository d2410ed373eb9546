#pragma once

#include "DimensionUniverse.h"
#include "JsonReader.h"
#include "Queries.h"
#include "Result.h"

#include <QHash>

namespace butler {

// Reads a dataset page answer (docs/server-api.md, /datasets/query) straight from its text.
// Through QJsonDocument a page of a thousand refs costs ~12M instructions, most of them
// building and searching the document; this reads every value once, and decodes each dataset
// type once per distinct text. Same checks and error fields as WireFormat::datasetPageFromJson.
class DatasetPageReader
{
public:
    explicit DatasetPageReader(const DimensionUniverse& universe)
        : m_universe(universe)
    {
    }

    Result<DatasetPage> read(QByteArrayView json);

private:
    Result<DatasetRef> readRef(JsonReader& reader);
    Result<DatasetType> readType(JsonReader& reader);
    Result<QList<qint64>> readIntegers(JsonReader& reader, const char* field, qint64 min, const char* what);

    const DimensionUniverse& m_universe;
    QByteArrayView m_text; // the page being read
    // Dataset types by the exact text the server wrote for them.
    QHash<QByteArray, DatasetType> m_types;
};

} // namespace butler
