#include "DimensionUniverse.h"

#include "DimensionGroup.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>

Q_LOGGING_CATEGORY(lcUniverse, "butler.core.universe")

// The universe is compiled into a static library; referencing its initializer keeps the
// linker from dropping it.
static void initButlerResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace butler {

struct DimensionUniverse::Data
{
    QString nameSpace;
    int version = 0;
    QList<int> compatibleVersions;
    QList<DimensionElement> elements;
    QHash<QString, int> indexByName;
    QStringList dimensionNames;
    QJsonObject json;
};

namespace {

Result<FieldType> parseFieldType(const QString& text)
{
    if (text == QLatin1String("int"))
        return FieldType::Int;
    if (text == QLatin1String("string"))
        return FieldType::String;
    if (text == QLatin1String("float"))
        return FieldType::Float;
    if (text == QLatin1String("bool"))
        return FieldType::Bool;
    if (text == QLatin1String("hash"))
        return FieldType::Hash;
    return invalidInput(QStringLiteral("unknown field type '%1'").arg(text));
}

Result<QList<FieldSpec>> parseFields(const QJsonArray& array, const QString& where)
{
    QList<FieldSpec> fields;
    for (const QJsonValue& value : array) {
        const QJsonObject object = value.toObject();
        FieldSpec spec;
        spec.name = object.value(QLatin1String("name")).toString();
        if (spec.name.isEmpty())
            return invalidInput(QStringLiteral("%1: a field has no name").arg(where));
        auto type = parseFieldType(object.value(QLatin1String("type")).toString());
        if (!type)
            return type.error().withContext(where + QLatin1Char('.') + spec.name);
        spec.type = *type;
        spec.length = object.value(QLatin1String("length")).toInt();
        spec.doc = object.value(QLatin1String("doc")).toString();
        spec.nullable = object.value(QLatin1String("nullable")).toBool(true);
        fields.append(spec);
    }
    return fields;
}

QStringList toStringList(const QJsonValue& value)
{
    QStringList result;
    for (const QJsonValue& item : value.toArray())
        result.append(item.toString());
    return result;
}

} // namespace

const DimensionUniverse& DimensionUniverse::defaultUniverse()
{
    static const DimensionUniverse universe = [] {
        initButlerResources();
        auto loaded = fromFile(QStringLiteral(":/butler/universe/dimensions.json"));
        if (!loaded)
            qFatal("default dimension universe does not load: %s", qPrintable(loaded.error().message()));
        return std::move(loaded).value();
    }();
    return universe;
}

Result<DimensionUniverse> DimensionUniverse::fromFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read universe %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return invalidInput(
            QStringLiteral("universe %1 is not a JSON object: %2").arg(path, parseError.errorString()));
    return fromJson(doc.object());
}

Result<DimensionUniverse> DimensionUniverse::fromJson(const QJsonObject& json)
{
    auto data = std::make_shared<Data>();
    data->json = json;
    data->nameSpace = json.value(QLatin1String("namespace")).toString();
    data->version = json.value(QLatin1String("version")).toInt();
    for (const QJsonValue& v : json.value(QLatin1String("compatible_versions")).toArray())
        data->compatibleVersions.append(v.toInt());
    if (!data->compatibleVersions.contains(data->version))
        data->compatibleVersions.append(data->version);

    for (const QJsonValue& value : json.value(QLatin1String("elements")).toArray()) {
        const QJsonObject object = value.toObject();
        DimensionElement element;
        element.name = object.value(QLatin1String("name")).toString();
        if (element.name.isEmpty())
            return invalidInput(QStringLiteral("universe: an element has no name"));
        if (data->indexByName.contains(element.name))
            return invalidInput(QStringLiteral("universe: element '%1' defined twice").arg(element.name));
        element.doc = object.value(QLatin1String("doc")).toString();
        BUTLER_ASSIGN_OR_RETURN(element.keys,
                                parseFields(object.value(QLatin1String("keys")).toArray(), element.name));
        BUTLER_ASSIGN_OR_RETURN(element.metadata,
                                parseFields(object.value(QLatin1String("metadata")).toArray(), element.name));
        element.required = toStringList(object.value(QLatin1String("requires")));
        element.implies = toStringList(object.value(QLatin1String("implies")));
        element.governor = object.value(QLatin1String("governor")).toBool();
        element.alwaysJoin = object.value(QLatin1String("always_join")).toBool();
        element.hasTimespan = object.value(QLatin1String("timespan")).toBool();
        element.hasRegion = object.value(QLatin1String("region")).toBool();
        element.populatedBy = object.value(QLatin1String("populated_by")).toString();
        element.viewOf = object.value(QLatin1String("view_of")).toString();
        data->indexByName.insert(element.name, data->elements.size());
        data->elements.append(element);
    }

    // Every dependency must name a dimension defined earlier: that keeps universe order
    // topological, which schema creation and sorting rely on.
    for (const DimensionElement& element : std::as_const(data->elements)) {
        const int own = data->indexByName.value(element.name);
        for (const QString& dep : element.required + element.implies) {
            const int index = data->indexByName.value(dep, -1);
            if (index < 0 || !data->elements[index].isDimension())
                return invalidInput(QStringLiteral("universe: element '%1' depends on unknown dimension '%2'")
                                        .arg(element.name, dep));
            if (index >= own)
                return invalidInput(QStringLiteral("universe: element '%1' depends on '%2', defined after it")
                                        .arg(element.name, dep));
        }
        if (element.isDimension())
            data->dimensionNames.append(element.name);
    }
    if (data->elements.isEmpty())
        return invalidInput(QStringLiteral("universe has no elements"));
    // Required dimensions are closed over: visit_detector_region requires visit and detector,
    // and through them instrument, which its primary key must then hold too.
    for (DimensionElement& element : data->elements) {
        QSet<QString> closure;
        QStringList pending = element.required;
        while (!pending.isEmpty()) {
            const QString dim = pending.takeLast();
            if (closure.contains(dim))
                continue;
            closure.insert(dim);
            pending.append(data->elements[data->indexByName.value(dim)].required);
        }
        QStringList ordered;
        for (const QString& name : std::as_const(data->dimensionNames))
            if (closure.contains(name))
                ordered.append(name);
        element.required = ordered;
    }

    DimensionUniverse universe;
    universe.m_data = std::move(data);
    qCDebug(lcUniverse) << "loaded universe" << universe.nameSpace() << universe.version() << "with"
                        << universe.elements().size() << "elements";
    return universe;
}

QString DimensionUniverse::nameSpace() const
{
    return m_data->nameSpace;
}
int DimensionUniverse::version() const
{
    return m_data->version;
}
bool DimensionUniverse::isCompatibleVersion(int version) const
{
    return m_data->compatibleVersions.contains(version);
}
const QList<DimensionElement>& DimensionUniverse::elements() const
{
    return m_data->elements;
}

const DimensionElement* DimensionUniverse::element(const QString& name) const
{
    const int index = m_data->indexByName.value(name, -1);
    return index < 0 ? nullptr : &m_data->elements[index];
}

QStringList DimensionUniverse::dimensionNames() const
{
    return m_data->dimensionNames;
}

bool DimensionUniverse::isDimension(const QString& name) const
{
    const DimensionElement* e = element(name);
    return e && e->isDimension();
}

int DimensionUniverse::index(const QString& name) const
{
    return m_data->indexByName.value(name, -1);
}

Result<DimensionGroup> DimensionUniverse::group(const QStringList& names) const
{
    QSet<QString> all;
    QStringList pending = names;
    while (!pending.isEmpty()) {
        const QString name = pending.takeLast();
        if (all.contains(name))
            continue;
        const DimensionElement* e = element(name);
        if (!e)
            return invalidInput(QStringLiteral("unknown dimension '%1'").arg(name));
        if (!e->isDimension())
            return invalidInput(QStringLiteral("'%1' is a dimension element, not a dimension").arg(name));
        all.insert(name);
        pending.append(e->required);
        pending.append(e->implies);
    }
    QSet<QString> impliedSet;
    for (const QString& name : std::as_const(all))
        for (const QString& implied : element(name)->implies)
            impliedSet.insert(implied);
    QStringList required;
    QStringList implied;
    for (const QString& name : std::as_const(m_data->dimensionNames)) {
        if (!all.contains(name))
            continue;
        (impliedSet.contains(name) ? implied : required).append(name);
    }
    return DimensionGroup(required, implied);
}

QStringList DimensionUniverse::elementsIn(const DimensionGroup& group) const
{
    QStringList result;
    for (const DimensionElement& e : m_data->elements) {
        bool inside = !e.isDimension() || group.contains(e.name);
        for (const QString& dep : e.required)
            inside = inside && group.contains(dep);
        if (inside)
            result.append(e.name);
    }
    return result;
}

QJsonObject DimensionUniverse::toJson() const
{
    return m_data->json;
}

} // namespace butler
