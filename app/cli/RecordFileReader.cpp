#include "RecordFileReader.h"

#include "CsvTable.h"
#include "DimensionUniverse.h"
#include "TaiTime.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace butler {

namespace {

const QStringList kBeginColumns{QStringLiteral("timespan_begin"), QStringLiteral("datetime_begin")};
const QStringList kEndColumns{QStringLiteral("timespan_end"), QStringLiteral("datetime_end")};
const QString kRegion = QStringLiteral("region");

// A bound of a timespan: unbounded when empty or null.
Result<std::optional<qint64>> parseBound(const QVariant& value, const QString& column)
{
    if (!value.isValid() || value.isNull() || value.toString().trimmed().isEmpty())
        return std::optional<qint64>();
    if (value.typeId() != QMetaType::QString)
        return invalidInput(
            QStringLiteral("%1 takes an ISO UTC time such as 2025-06-15T03:00:00").arg(column));
    Result<qint64> t = TaiTime::fromIsoUtc(value.toString());
    if (!t.ok())
        return t.error().withContext(column);
    return std::optional<qint64>(t.value());
}

// Splits timespan and region fields from the values and validates the record.
Result<DimensionRecord> makeRecord(const DimensionUniverse& universe, const QString& element,
                                   QVariantMap values, std::optional<Timespan> timespan)
{
    std::optional<qint64> begin;
    std::optional<qint64> end;
    bool anyBound = false;
    for (const QString& column : kBeginColumns) {
        if (!values.contains(column))
            continue;
        BUTLER_ASSIGN_OR_RETURN(begin, parseBound(values.take(column), column));
        anyBound = true;
    }
    for (const QString& column : kEndColumns) {
        if (!values.contains(column))
            continue;
        BUTLER_ASSIGN_OR_RETURN(end, parseBound(values.take(column), column));
        anyBound = true;
    }
    if (anyBound && (begin || end)) {
        if (timespan)
            return invalidInput(
                QStringLiteral("give the timespan once: as 'timespan' or as begin/end columns"));
        timespan = Timespan(begin.value_or(Timespan::UnboundedBegin), end.value_or(Timespan::Unbounded));
    }
    QByteArray region;
    if (values.contains(kRegion)) {
        const QVariant value = values.take(kRegion);
        if (value.isValid() && !value.isNull() && !value.toString().isEmpty()) {
            region = QByteArray::fromHex(value.toString().toLatin1());
            if (region.isEmpty())
                return invalidInput(QStringLiteral("region takes hex bytes"));
        }
    }
    return DimensionRecord::validated(universe, element, values, timespan, region);
}

} // namespace

Result<QList<DimensionRecord>> RecordFileReader::read(const DimensionUniverse& universe,
                                                      const QString& element, const QString& path)
{
    if (!universe.element(element)) {
        QStringList known;
        for (const DimensionElement& e : universe.elements())
            known.append(e.name);
        return notFound(QStringLiteral("unknown dimension element '%1' (known: %2)")
                            .arg(element, known.join(QStringLiteral(", "))));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read '%1': %2").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();

    const QString suffix = QFileInfo(path).suffix().toLower();
    bool json = suffix == QLatin1String("json");
    if (suffix != QLatin1String("json") && suffix != QLatin1String("csv")) {
        const QByteArray start = bytes.trimmed().left(1);
        json = start == "[" || start == "{";
    }
    Result<QList<DimensionRecord>> records =
        json ? readJson(universe, element, bytes) : readCsv(universe, element, QString::fromUtf8(bytes));
    if (!records.ok())
        return records.error().withContext(path);
    if (records->isEmpty())
        return invalidInput(QStringLiteral("%1: no records in the file").arg(path));
    return records;
}

Result<QList<DimensionRecord>> RecordFileReader::readJson(const DimensionUniverse& universe,
                                                          const QString& element, const QByteArray& bytes)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalidInput(QStringLiteral("not valid JSON at offset %1: %2")
                                .arg(parseError.offset)
                                .arg(parseError.errorString()));
    QJsonArray array;
    if (document.isArray()) {
        array = document.array();
    } else if (document.object().value(QLatin1String("records")).isArray()) {
        array = document.object().value(QLatin1String("records")).toArray();
    } else {
        return invalidInput(
            QStringLiteral("expected a JSON array of records or an object {\"records\": [...]}"));
    }

    QList<DimensionRecord> records;
    records.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("record %1").arg(i + 1);
        if (!array[i].isObject())
            return invalidInput(QStringLiteral("%1: expected an object").arg(where));
        QJsonObject object = array[i].toObject();
        std::optional<Timespan> timespan;
        if (object.contains(QLatin1String("timespan"))) {
            const QJsonValue value = object.take(QLatin1String("timespan"));
            if (!value.isNull()) {
                Result<Timespan> parsed = Timespan::fromJson(value);
                if (!parsed.ok())
                    return parsed.error().withContext(where);
                timespan = parsed.value();
            }
        }
        QVariantMap values;
        for (auto it = object.begin(); it != object.end(); ++it)
            values.insert(it.key(), it.value().toVariant());
        Result<DimensionRecord> record = makeRecord(universe, element, values, timespan);
        if (!record.ok())
            return record.error().withContext(where);
        records.append(record.value());
    }
    return records;
}

Result<QList<DimensionRecord>> RecordFileReader::readCsv(const DimensionUniverse& universe,
                                                         const QString& element, const QString& text)
{
    BUTLER_ASSIGN_OR_RETURN(const CsvTable table, CsvTable::parse(text));
    QList<DimensionRecord> records;
    records.reserve(table.rowCount());
    for (int r = 0; r < table.rowCount(); ++r) {
        QVariantMap values;
        for (int c = 0; c < table.header().size(); ++c) {
            const QString& field = table.row(r)[c];
            values.insert(table.header()[c], field.isEmpty() ? QVariant() : QVariant(field));
        }
        Result<DimensionRecord> record = makeRecord(universe, element, values, std::nullopt);
        if (!record.ok())
            return record.error().withContext(QStringLiteral("line %1").arg(table.line(r)));
        records.append(record.value());
    }
    return records;
}

} // namespace butler
