#include "DatasetPageReader.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace butler {

namespace {

QString typeName(JsonReader::Type type)
{
    switch (type) {
    case JsonReader::Type::Null:
        return QStringLiteral("null");
    case JsonReader::Type::Bool:
        return QStringLiteral("a boolean");
    case JsonReader::Type::Number:
        return QStringLiteral("a number");
    case JsonReader::Type::String:
        return QStringLiteral("a string");
    case JsonReader::Type::Array:
        return QStringLiteral("a list");
    case JsonReader::Type::Object:
        return QStringLiteral("an object");
    case JsonReader::Type::Invalid:
        break;
    }
    return QStringLiteral("nothing");
}

Error wrongType(const QString& field, const char* expected, JsonReader::Type found)
{
    return invalidInput(
        QStringLiteral("field '%1' must be %2, not %3").arg(field, QLatin1String(expected), typeName(found)));
}

// The reader stopped at something that is no JSON value: reading it names what and where.
Error syntaxError(JsonReader& reader)
{
    if (!reader.hasError() && reader.skipValue())
        reader.fail(QStringLiteral("unexpected value"));
    return invalidInput(QStringLiteral("the answer is not valid JSON: %1").arg(reader.error()));
}

} // namespace

Result<DatasetPage> DatasetPageReader::read(QByteArrayView json)
{
    m_text = json;
    JsonReader reader(json);
    if (reader.peek() != JsonReader::Type::Object) {
        if (reader.hasError() || reader.peek() == JsonReader::Type::Invalid)
            return syntaxError(reader);
        return invalidInput(QStringLiteral("the answer must be a JSON object"));
    }
    reader.beginObject();
    DatasetPage page;
    bool haveDatasets = false;
    QByteArrayView name;
    while (reader.nextMember(name)) {
        if (name == "datasets") {
            const JsonReader::Type type = reader.peek();
            if (type == JsonReader::Type::Null) {
                reader.readNull();
                haveDatasets = false;
                continue;
            }
            if (type != JsonReader::Type::Array)
                return type == JsonReader::Type::Invalid
                           ? syntaxError(reader)
                           : wrongType(QStringLiteral("datasets"), "a list", type);
            reader.beginArray();
            page.refs.clear();
            while (reader.nextElement()) {
                Result<DatasetRef> ref = readRef(reader);
                if (!ref.ok())
                    return ref.error().withContext(QStringLiteral("datasets[%1]").arg(page.refs.size()));
                page.refs.append(std::move(ref).value());
            }
            haveDatasets = true;
        } else if (name == "ingest_dates") {
            BUTLER_ASSIGN_OR_RETURN(
                page.ingestDates,
                readIntegers(reader, "ingest_dates", std::numeric_limits<qint64>::min(), "TAI nanoseconds"));
        } else if (name == "sizes") {
            BUTLER_ASSIGN_OR_RETURN(page.sizes, readIntegers(reader, "sizes", -1, "a size in bytes"));
        } else if (name == "next_page_token") {
            const JsonReader::Type type = reader.peek();
            if (type == JsonReader::Type::Null) {
                reader.readNull();
                page.nextPageToken.clear();
            } else if (type == JsonReader::Type::String) {
                reader.readString(page.nextPageToken);
            } else {
                return type == JsonReader::Type::Invalid
                           ? syntaxError(reader)
                           : wrongType(QStringLiteral("next_page_token"), "a string", type);
            }
        } else {
            reader.skipValue();
        }
        if (reader.hasError())
            return syntaxError(reader);
    }
    if (reader.hasError() || !reader.atEnd()) {
        if (!reader.hasError())
            reader.fail(QStringLiteral("unexpected text after the object"));
        return syntaxError(reader);
    }
    if (!haveDatasets)
        return invalidInput(QStringLiteral("missing field 'datasets'"));
    if (!page.ingestDates.isEmpty() && page.ingestDates.size() != page.refs.size())
        return invalidInput(QStringLiteral("field 'ingest_dates' has %1 entries for %2 datasets")
                                .arg(page.ingestDates.size())
                                .arg(page.refs.size()));
    if (!page.sizes.isEmpty() && page.sizes.size() != page.refs.size())
        return invalidInput(QStringLiteral("field 'sizes' has %1 entries for %2 datasets")
                                .arg(page.sizes.size())
                                .arg(page.refs.size()));
    return page;
}

Result<QList<qint64>> DatasetPageReader::readIntegers(JsonReader& reader, const char* field, qint64 min,
                                                      const char* what)
{
    QList<qint64> values;
    const JsonReader::Type type = reader.peek();
    if (type == JsonReader::Type::Null) {
        reader.readNull();
        return values;
    }
    if (type != JsonReader::Type::Array)
        return type == JsonReader::Type::Invalid ? syntaxError(reader)
                                                 : wrongType(QLatin1String(field), "a list", type);
    reader.beginArray();
    while (reader.nextElement()) {
        const QString element = QStringLiteral("%1[%2]").arg(QLatin1String(field)).arg(values.size());
        const JsonReader::Type elementType = reader.peek();
        if (elementType != JsonReader::Type::Number)
            return elementType == JsonReader::Type::Invalid ? syntaxError(reader)
                                                            : wrongType(element, what, elementType);
        JsonReader probe = reader;
        qint64 value = 0;
        if (!probe.readInteger(value) || value < min) {
            if (!reader.skipValue())
                return syntaxError(reader);
            return wrongType(element, what, JsonReader::Type::Number);
        }
        reader = probe;
        values.append(value);
    }
    if (reader.hasError())
        return syntaxError(reader);
    return values;
}

Result<DatasetType> DatasetPageReader::readType(JsonReader& reader)
{
    const qsizetype start = reader.offset();
    if (!reader.skipValue())
        return syntaxError(reader);
    // The text is the cache key: a page repeats the same few types byte for byte.
    const QByteArray text = QByteArray::fromRawData(m_text.data() + start, reader.offset() - start);
    const auto known = m_types.constFind(text);
    if (known != m_types.constEnd())
        return *known;
    const QJsonObject json = QJsonDocument::fromJson(text).object();
    BUTLER_ASSIGN_OR_RETURN(DatasetType type, DatasetType::fromJson(m_universe, json));
    m_types.insert(QByteArray(text.constData(), text.size()), type);
    return type;
}

Result<DatasetRef> DatasetPageReader::readRef(JsonReader& reader)
{
    const JsonReader::Type type = reader.peek();
    if (type != JsonReader::Type::Object)
        return type == JsonReader::Type::Invalid ? syntaxError(reader)
                                                 : wrongType(QStringLiteral("dataset"), "an object", type);
    reader.beginObject();
    std::optional<QString> idText;
    std::optional<DatasetType> datasetType;
    QVariantMap dataId;
    bool haveDataId = false;
    std::optional<QString> run;
    bool runWithheld = false;
    QByteArrayView name;
    while (reader.nextMember(name)) {
        const JsonReader::Type valueType = reader.peek();
        if (valueType == JsonReader::Type::Invalid)
            return syntaxError(reader);
        if (name == "id") {
            if (valueType == JsonReader::Type::Null) {
                reader.readNull();
                idText.reset();
                continue;
            }
            if (valueType != JsonReader::Type::String)
                return wrongType(QStringLiteral("id"), "a string", valueType);
            QString text;
            reader.readString(text);
            idText = std::move(text);
        } else if (name == "dataset_type") {
            if (valueType != JsonReader::Type::Object)
                return wrongType(QStringLiteral("dataset_type"), "an object", valueType);
            BUTLER_ASSIGN_OR_RETURN(datasetType, readType(reader));
        } else if (name == "data_id") {
            if (valueType != JsonReader::Type::Object)
                return wrongType(QStringLiteral("data_id"), "an object", valueType);
            reader.beginObject();
            dataId.clear();
            QByteArrayView dimension;
            while (reader.nextMember(dimension)) {
                const JsonReader::Type dimensionType = reader.peek();
                const QString key = QString::fromUtf8(dimension);
                if (dimensionType != JsonReader::Type::String && dimensionType != JsonReader::Type::Number) {
                    if (dimensionType == JsonReader::Type::Invalid)
                        return syntaxError(reader);
                    return invalidInput(
                        QStringLiteral("data ID value for '%1' must be a string or an integer").arg(key));
                }
                QVariant value;
                if (!reader.readVariant(value))
                    return syntaxError(reader);
                dataId.insert(dataId.cend(), key, value); // sorted keys: constant time
            }
            haveDataId = true;
        } else if (name == "run") {
            if (valueType == JsonReader::Type::Null) {
                reader.readNull();
                run.reset();
                runWithheld = true;
                continue;
            }
            if (valueType != JsonReader::Type::String)
                return wrongType(QStringLiteral("run"), "a string", valueType);
            QString text;
            reader.readString(text);
            run = std::move(text);
            runWithheld = false;
        } else {
            reader.skipValue();
        }
        if (reader.hasError())
            return syntaxError(reader);
    }
    if (reader.hasError())
        return syntaxError(reader);
    if (!idText)
        return invalidInput(QStringLiteral("missing field 'id'"));
    const QUuid id = QUuid::fromString(*idText);
    if (id.isNull())
        return invalidInput(QStringLiteral("field 'id' must be a UUID, not '%1'").arg(idText->left(64)));
    if (!datasetType)
        return wrongType(QStringLiteral("dataset_type"), "an object", JsonReader::Type::Invalid);
    if (!haveDataId)
        return wrongType(QStringLiteral("data_id"), "an object", JsonReader::Type::Invalid);
    BUTLER_ASSIGN_OR_RETURN(DataCoordinate coordinate,
                            DataCoordinate::fromMap(m_universe, datasetType->dimensions(), dataId));
    // null: the server does not name this run to the reader (DatasetRef::toJson()).
    QString runName;
    if (!runWithheld) {
        if (!run)
            return invalidInput(QStringLiteral("missing field 'run'"));
        if (run->isEmpty())
            return invalidInput(QStringLiteral("field 'run' may not be empty"));
        runName = *run;
    }
    return DatasetRef(id, std::move(*datasetType), std::move(coordinate), runName);
}

} // namespace butler
