#include "DatasetType.h"

#include "DimensionUniverse.h"
#include "JsonWriter.h"

#include <QJsonArray>

namespace butler {

namespace {

bool isIdentifier(QStringView part)
{
    if (part.isEmpty() || part.size() > 64)
        return false;
    if (!(part[0].isLetter() || part[0] == QLatin1Char('_')) || part[0].unicode() > 127)
        return false;
    for (QChar c : part)
        if (c.unicode() > 127 || !(c.isLetterOrNumber() || c == QLatin1Char('_')))
            return false;
    return true;
}

} // namespace

DatasetType::DatasetType(QString name, DimensionGroup dimensions, QString storageClass, bool isCalibration)
    : m_name(std::move(name))
    , m_dimensions(std::move(dimensions))
    , m_storageClass(std::move(storageClass))
    , m_isCalibration(isCalibration)
    , m_json(std::make_shared<JsonText>())
{
}

Status DatasetType::validateName(const QString& name)
{
    const auto parts = QStringView(name).split(QLatin1Char('.'));
    for (QStringView part : parts)
        if (!isIdentifier(part))
            return invalidInput(QStringLiteral("invalid dataset type name '%1': use letters, digits and '_', "
                                               "starting with a letter (components after '.')")
                                    .arg(name));
    return {};
}

Result<DatasetType> DatasetType::make(const DimensionUniverse& universe, const QString& name,
                                      const QStringList& dimensions, const QString& storageClass,
                                      bool isCalibration)
{
    BUTLER_TRY(validateName(name));
    if (storageClass.isEmpty())
        return invalidInput(QStringLiteral("dataset type '%1' needs a storage class").arg(name));
    if (!isIdentifier(QStringView(storageClass).split(QLatin1Char('.')).last()))
        return invalidInput(QStringLiteral("invalid storage class name '%1'").arg(storageClass));
    auto group = universe.group(dimensions);
    if (!group)
        return group.error().withContext(QStringLiteral("dataset type '%1'").arg(name));
    return DatasetType(name, *group, storageClass, isCalibration);
}

QJsonObject DatasetType::toJson() const
{
    QJsonObject object;
    object.insert(QLatin1String("name"), m_name);
    object.insert(QLatin1String("dimensions"), QJsonArray::fromStringList(m_dimensions.required()));
    object.insert(QLatin1String("storage_class"), m_storageClass);
    object.insert(QLatin1String("is_calibration"), m_isCalibration);
    return object;
}

void DatasetType::writeJson(JsonWriter& writer) const
{
    if (!m_json) {
        writeJsonDirectly(writer);
        return;
    }
    std::call_once(m_json->once, [this] {
        JsonWriter text(256);
        writeJsonDirectly(text);
        m_json->text = text.take();
    });
    writer.raw(m_json->text);
}

void DatasetType::writeJsonDirectly(JsonWriter& writer) const
{
    writer.beginObject();
    writer.key("dimensions");
    writer.stringList(m_dimensions.required());
    writer.key("is_calibration");
    writer.value(m_isCalibration);
    writer.key("name");
    writer.value(m_name);
    writer.key("storage_class");
    writer.value(m_storageClass);
    writer.endObject();
}

Result<DatasetType> DatasetType::fromJson(const DimensionUniverse& universe, const QJsonObject& json)
{
    QStringList dimensions;
    for (const QJsonValue& v : json.value(QLatin1String("dimensions")).toArray())
        dimensions.append(v.toString());
    return make(universe, json.value(QLatin1String("name")).toString(), dimensions,
                json.value(QLatin1String("storage_class")).toString(),
                json.value(QLatin1String("is_calibration")).toBool());
}

bool DatasetType::operator==(const DatasetType& other) const
{
    return m_name == other.m_name && m_dimensions == other.m_dimensions &&
           m_storageClass == other.m_storageClass && m_isCalibration == other.m_isCalibration;
}

} // namespace butler
