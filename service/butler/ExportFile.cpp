#include "ExportFile.h"

#include "TaiTime.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>

#include <istream>
#include <limits>
#include <streambuf>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace butler {

namespace {

// yaml-cpp reports "?" for untagged plain scalars and "!" for untagged quoted or block ones.
const std::string TagPlain = "?";
const std::string TagNonPlain = "!";
const std::string TagStr = "tag:yaml.org,2002:str";
const std::string TagInt = "tag:yaml.org,2002:int";
const std::string TagFloat = "tag:yaml.org,2002:float";
const std::string TagBool = "tag:yaml.org,2002:bool";
const std::string TagNull = "tag:yaml.org,2002:null";
const std::string TagBinary = "tag:yaml.org,2002:binary";
const std::string TagUuid = "!uuid";
const std::string TagTaiIso = "!butler_time/tai/iso";
const std::string TagTimespan = "!lsst.daf.butler.Timespan";

// daf_butler maps the integer dataset IDs of old exports to UUIDs with uuid3 in this namespace.
const QUuid LegacyIdNamespace(QStringLiteral("4d4851f4-2890-4d41-8779-5f38a3f5062b"));

// Lets yaml-cpp read the bytes in place instead of through two copies (std::string, then the
// std::stringstream that YAML::Load(std::string) makes).
struct ByteArrayBuffer : std::streambuf
{
    explicit ByteArrayBuffer(const QByteArray& bytes)
    {
        // The get area is only read from; streambuf's interface just lacks a const variant.
        char* begin = const_cast<char*>(bytes.constData());
        setg(begin, begin, begin + bytes.size());
    }
};

// The file name for messages, plus what must stay unique across items.
struct Context
{
    QString fileName;
    QHash<QUuid, int> datasetLines;
    // Values left to visit. YAML aliases let a small file stand for an enormous tree; without them
    // every value takes at least a byte or two of the file, so twice its size is plenty.
    qint64 budget = 0;

    Status spend(const YAML::Node& at, std::size_t count)
    {
        budget -= qint64(count);
        if (budget < 0)
            return error(at,
                         QStringLiteral("the file expands (through YAML aliases) to far more values than it "
                                        "holds"));
        return {};
    }

    Error error(const YAML::Mark& mark, const QString& what) const
    {
        if (mark.is_null())
            return invalidInput(QStringLiteral("%1: %2").arg(fileName, what));
        return invalidInput(
            QStringLiteral("%1:%2:%3: %4")
                .arg(fileName, QString::number(mark.line + 1), QString::number(mark.column + 1), what));
    }
    Error error(const YAML::Node& node, const QString& what) const { return error(node.Mark(), what); }
};

int lineOf(const YAML::Node& node)
{
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? 0 : mark.line + 1;
}

QString quoted(const QString& text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

QString kindName(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Null:
        return QStringLiteral("null");
    default:
        return QStringLiteral("a single value");
    }
}

// A YAML mapping with single-value keys and no duplicates. Nodes are kept in a vector and only
// ever copy-constructed: assigning a YAML::Node would write through to the document.
struct Mapping
{
    YAML::Node node;
    std::vector<std::pair<QString, YAML::Node>> fields;
    QHash<QString, qsizetype> index;

    // Null when absent; a YAML null value is a Null node.
    const YAML::Node* find(const QString& key) const
    {
        const auto it = index.constFind(key);
        return it == index.constEnd() ? nullptr : &fields[size_t(*it)].second;
    }
};

Result<Mapping> asMapping(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (!node.IsMap())
        return ctx.error(node, QStringLiteral("%1 must be a mapping, not %2").arg(what, kindName(node)));
    BUTLER_TRY(ctx.spend(node, node.size() + 1));
    Mapping mapping{node, {}, {}};
    mapping.fields.reserve(node.size());
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar())
            return ctx.error(key,
                             QStringLiteral("keys of %1 must be names, not %2").arg(what, kindName(key)));
        const QString name = QString::fromStdString(key.Scalar());
        if (mapping.index.contains(name))
            return ctx.error(key, QStringLiteral("%1 has key %2 twice").arg(what, quoted(name)));
        mapping.index.insert(name, qsizetype(mapping.fields.size()));
        mapping.fields.emplace_back(name, it->second);
    }
    return mapping;
}

Result<YAML::Node> required(Context& ctx, const Mapping& mapping, const QString& key, const QString& what)
{
    const YAML::Node* value = mapping.find(key);
    if (!value || value->IsNull())
        return ctx.error(mapping.node, QStringLiteral("%1 has no %2").arg(what, quoted(key)));
    return *value;
}

Result<QString> stringValue(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (!node.IsScalar())
        return ctx.error(node, QStringLiteral("%1 must be a string, not %2").arg(what, kindName(node)));
    return QString::fromStdString(node.Scalar());
}

Result<QString> requiredString(Context& ctx, const Mapping& mapping, const QString& key, const QString& what)
{
    BUTLER_ASSIGN_OR_RETURN(const YAML::Node value, required(ctx, mapping, key, what));
    BUTLER_ASSIGN_OR_RETURN(QString text, stringValue(ctx, value, quoted(key)));
    if (text.isEmpty())
        return ctx.error(value, QStringLiteral("%1 must not be empty").arg(quoted(key)));
    return text;
}

// Empty when absent or null.
Result<QString> optionalString(Context& ctx, const Mapping& mapping, const QString& key)
{
    const YAML::Node* value = mapping.find(key);
    if (!value || value->IsNull())
        return QString();
    return stringValue(ctx, *value, quoted(key));
}

Result<QStringList> stringList(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (!node.IsSequence())
        return ctx.error(node, QStringLiteral("%1 must be a list, not %2").arg(what, kindName(node)));
    BUTLER_TRY(ctx.spend(node, node.size()));
    QStringList list;
    list.reserve(qsizetype(node.size()));
    for (auto it = node.begin(); it != node.end(); ++it) {
        BUTLER_ASSIGN_OR_RETURN(QString text,
                                stringValue(ctx, *it, QStringLiteral("an entry of %1").arg(what)));
        list.append(std::move(text));
    }
    return list;
}

// --- Scalars -----------------------------------------------------------------------------------

// PyYAML's YAML 1.1 resolvers (without the sexagesimal forms, which no exporter writes).
const QRegularExpression& intPattern()
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(
        QStringLiteral("[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+")));
    return pattern;
}

const QRegularExpression& floatPattern()
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(
        QStringLiteral("[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
                       "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)")));
    return pattern;
}

std::optional<bool> parseBool(const QString& text)
{
    static const QStringList trueWords = {QStringLiteral("true"), QStringLiteral("yes"),
                                          QStringLiteral("on")};
    static const QStringList falseWords = {QStringLiteral("false"), QStringLiteral("no"),
                                           QStringLiteral("off")};
    // YAML 1.1 allows the lower-case, capitalised and upper-case spellings only.
    const QString lower = text.toLower();
    const bool wellCased = text == lower || text == lower.toUpper() ||
                           (text.size() > 1 && text.at(0).isUpper() && text.mid(1) == lower.mid(1));
    if (!wellCased)
        return std::nullopt;
    if (trueWords.contains(lower))
        return true;
    if (falseWords.contains(lower))
        return false;
    return std::nullopt;
}

// Converts text that matched intPattern(), as PyYAML does (a leading 0 means octal).
std::optional<qint64> convertInt(QString text)
{
    text.remove(QLatin1Char('_'));
    bool negative = false;
    if (text.startsWith(QLatin1Char('-')) || text.startsWith(QLatin1Char('+'))) {
        negative = text.startsWith(QLatin1Char('-'));
        text.remove(0, 1);
    }
    int base = 10;
    if (text.startsWith(QLatin1String("0b"))) {
        base = 2;
        text.remove(0, 2);
    } else if (text.startsWith(QLatin1String("0x"))) {
        base = 16;
        text.remove(0, 2);
    } else if (text.size() > 1 && text.startsWith(QLatin1Char('0'))) {
        base = 8;
        text.remove(0, 1);
    }
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 value = (negative ? QLatin1String("-") + text : text).toLongLong(&ok, base);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

std::optional<double> convertFloat(QString text)
{
    text.remove(QLatin1Char('_'));
    const QString lower = text.toLower();
    if (lower == QLatin1String(".nan"))
        return std::numeric_limits<double>::quiet_NaN();
    if (lower.endsWith(QLatin1String(".inf")))
        return lower.startsWith(QLatin1Char('-')) ? -std::numeric_limits<double>::infinity()
                                                  : std::numeric_limits<double>::infinity();
    bool ok = false;
    const double value = text.toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

Result<QByteArray> decodeBase64(Context& ctx, const YAML::Node& node)
{
    QByteArray text = QByteArray::fromStdString(node.Scalar());
    text.removeIf([](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
    auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return ctx.error(node, QStringLiteral("!!binary value is not valid base64"));
    return decoded.decoded;
}

Result<QVariant> resolvePlain(Context& ctx, const YAML::Node& node, const QString& text, const QString& what)
{
    if (text.isEmpty() || text == QLatin1String("~"))
        return QVariant();
    if (const std::optional<bool> flag = parseBool(text))
        return QVariant(*flag);
    // Cheap first-character test before the patterns, as PyYAML does.
    const QChar first = text.at(0);
    if (!(first.isDigit() || first == QLatin1Char('-') || first == QLatin1Char('+') ||
          first == QLatin1Char('.')))
        return QVariant(text);
    if (intPattern().match(text).hasMatch()) {
        const std::optional<qint64> value = convertInt(text);
        if (!value)
            return ctx.error(node, QStringLiteral("%1: integer %2 is out of range").arg(what, text));
        return QVariant(*value);
    }
    if (floatPattern().match(text).hasMatch()) {
        if (const std::optional<double> value = convertFloat(text))
            return QVariant(*value);
    }
    return QVariant(text);
}

// A record field or data ID value with its natural type (see the class comment).
Result<QVariant> scalarValue(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (node.IsNull())
        return QVariant();
    if (!node.IsScalar())
        return ctx.error(node, QStringLiteral("%1 must be a single value, not %2").arg(what, kindName(node)));
    const std::string& tag = node.Tag();
    const QString text = QString::fromStdString(node.Scalar());
    if (tag == TagNonPlain || tag == TagStr)
        return QVariant(text);
    if (tag == TagPlain)
        return resolvePlain(ctx, node, text, what);
    if (tag == TagNull)
        return QVariant();
    if (tag == TagBinary) {
        BUTLER_ASSIGN_OR_RETURN(QByteArray bytes, decodeBase64(ctx, node));
        return QVariant(bytes);
    }
    if (tag == TagInt) {
        if (!intPattern().match(text).hasMatch())
            return ctx.error(node, QStringLiteral("%1: %2 is not an integer").arg(what, quoted(text)));
        const std::optional<qint64> value = convertInt(text);
        if (!value)
            return ctx.error(node, QStringLiteral("%1: integer %2 is out of range").arg(what, text));
        return QVariant(*value);
    }
    if (tag == TagFloat) {
        const std::optional<double> value = convertFloat(text);
        if (!value)
            return ctx.error(node, QStringLiteral("%1: %2 is not a number").arg(what, quoted(text)));
        return QVariant(*value);
    }
    if (tag == TagBool) {
        const std::optional<bool> flag = parseBool(text);
        if (!flag)
            return ctx.error(node, QStringLiteral("%1: %2 is not a boolean").arg(what, quoted(text)));
        return QVariant(*flag);
    }
    return ctx.error(node,
                     QStringLiteral("%1 has unsupported tag %2").arg(what, QString::fromStdString(tag)));
}

Result<bool> optionalBool(Context& ctx, const Mapping& mapping, const QString& key, bool fallback)
{
    const YAML::Node* node = mapping.find(key);
    if (!node || node->IsNull())
        return fallback;
    BUTLER_ASSIGN_OR_RETURN(const QVariant value, scalarValue(ctx, *node, quoted(key)));
    if (value.typeId() != QMetaType::Bool)
        return ctx.error(*node, QStringLiteral("%1 must be true or false").arg(quoted(key)));
    return value.toBool();
}

// --- Tagged values -------------------------------------------------------------------------------

// Like Python's uuid.UUID(hex=...): hyphens, braces and a "urn:uuid:" prefix are optional.
std::optional<QUuid> parseUuidText(QString text)
{
    text = text.trimmed();
    if (text.startsWith(QLatin1String("urn:")))
        text.remove(0, 4);
    if (text.startsWith(QLatin1String("uuid:")))
        text.remove(0, 5);
    while (text.startsWith(QLatin1Char('{')))
        text.remove(0, 1);
    while (text.endsWith(QLatin1Char('}')))
        text.chop(1);
    text.remove(QLatin1Char('-'));
    if (text.size() != 32)
        return std::nullopt;
    for (const QChar c : std::as_const(text)) {
        if (!c.isDigit() && !(c >= QLatin1Char('a') && c <= QLatin1Char('f')) &&
            !(c >= QLatin1Char('A') && c <= QLatin1Char('F')))
            return std::nullopt;
    }
    return QUuid::fromRfc4122(QByteArray::fromHex(text.toLatin1()));
}

// A dataset ID: a !uuid (or untagged UUID string), or an integer ID of an old export.
Result<QUuid> uuidValue(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (node.IsNull())
        return ctx.error(node, QStringLiteral("%1 is empty").arg(what));
    if (!node.IsScalar())
        return ctx.error(node, QStringLiteral("%1 must be a UUID, not %2").arg(what, kindName(node)));
    const std::string& tag = node.Tag();
    const QString text = QString::fromStdString(node.Scalar());
    if (tag == TagPlain && intPattern().match(text).hasMatch()) {
        const std::optional<qint64> legacy = convertInt(text);
        if (!legacy)
            return ctx.error(node, QStringLiteral("%1: integer %2 is out of range").arg(what, text));
        return QUuid::createUuidV3(LegacyIdNamespace, QString::number(*legacy));
    }
    if (tag != TagUuid && tag != TagPlain && tag != TagNonPlain && tag != TagStr)
        return ctx.error(node,
                         QStringLiteral("%1 has unsupported tag %2").arg(what, QString::fromStdString(tag)));
    const std::optional<QUuid> uuid = parseUuidText(text);
    if (!uuid)
        return ctx.error(node, QStringLiteral("%1: %2 is not a valid UUID").arg(what, quoted(text)));
    return *uuid;
}

Result<QList<QUuid>> uuidList(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (!node.IsSequence())
        return ctx.error(node, QStringLiteral("%1 must be a list, not %2").arg(what, kindName(node)));
    BUTLER_TRY(ctx.spend(node, node.size()));
    QList<QUuid> ids;
    ids.reserve(qsizetype(node.size()));
    for (auto it = node.begin(); it != node.end(); ++it) {
        BUTLER_ASSIGN_OR_RETURN(const QUuid id,
                                uuidValue(ctx, *it, QStringLiteral("an entry of %1").arg(what)));
        ids.append(id);
    }
    return ids;
}

// A time bound in TAI ns: !butler_time/tai/iso text, or a plain YAML timestamp (UTC) as older
// exports wrote them. Null means unbounded.
Result<std::optional<qint64>> timeValue(Context& ctx, const YAML::Node& node, const QString& what)
{
    if (node.IsNull())
        return std::optional<qint64>();
    if (!node.IsScalar())
        return ctx.error(node, QStringLiteral("%1 must be a time, not %2").arg(what, kindName(node)));
    const std::string& tag = node.Tag();
    const QString text = QString::fromStdString(node.Scalar());
    if (tag != TagTaiIso && tag != TagPlain)
        return ctx.error(node, QStringLiteral("%1 must be a !butler_time/tai/iso time").arg(what));
    const Result<qint64> ns = tag == TagTaiIso ? TaiTime::fromIsoTai(text) : TaiTime::fromIsoUtc(text);
    if (!ns.ok())
        return ctx.error(
            node,
            QStringLiteral("%1: %2 is not a valid time: %3").arg(what, quoted(text), ns.error().message()));
    return std::optional<qint64>(ns.value());
}

Result<Timespan> makeTimespan(Context& ctx, const YAML::Node& at, std::optional<qint64> begin,
                              std::optional<qint64> end)
{
    const Timespan timespan(begin.value_or(Timespan::UnboundedBegin), end.value_or(Timespan::Unbounded));
    if (timespan.begin() > timespan.end())
        return ctx.error(at, QStringLiteral("timespan begins after it ends"));
    return timespan;
}

// A !lsst.daf.butler.Timespan: a mapping with begin and end, or the scalar EMPTY.
Result<Timespan> timespanValue(Context& ctx, const YAML::Node& node, const QString& what)
{
    const std::string& tag = node.Tag();
    if (tag != TagTimespan && tag != TagPlain)
        return ctx.error(node, QStringLiteral("%1 must be a !lsst.daf.butler.Timespan").arg(what));
    if (node.IsScalar() && node.Scalar() == "EMPTY")
        return Timespan(Timespan::Unbounded, Timespan::UnboundedBegin);
    BUTLER_ASSIGN_OR_RETURN(const Mapping mapping, asMapping(ctx, node, what));
    const YAML::Node* begin = mapping.find(QStringLiteral("begin"));
    const YAML::Node* end = mapping.find(QStringLiteral("end"));
    if (!begin || !end)
        return ctx.error(node, QStringLiteral("%1 needs both 'begin' and 'end'").arg(what));
    BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> b, timeValue(ctx, *begin, QStringLiteral("'begin'")));
    BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> e, timeValue(ctx, *end, QStringLiteral("'end'")));
    return makeTimespan(ctx, node, b, e);
}

bool isHex(const std::string& text)
{
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

// A !<lsst.sphgeom.X> mapping whose `encoded` holds the hex of sphgeom's binary encoding.
Result<QByteArray> regionValue(Context& ctx, const YAML::Node& node)
{
    if (node.IsNull())
        return QByteArray();
    QString tag = QString::fromStdString(node.Tag());
    if (tag.startsWith(QLatin1Char('!')))
        tag.remove(0, 1);
    if (!tag.startsWith(QLatin1String("lsst.sphgeom.")))
        return ctx.error(node, QStringLiteral("'region' must be a tagged lsst.sphgeom region"));
    BUTLER_ASSIGN_OR_RETURN(const Mapping mapping, asMapping(ctx, node, QStringLiteral("'region'")));
    BUTLER_ASSIGN_OR_RETURN(const YAML::Node encoded,
                            required(ctx, mapping, QStringLiteral("encoded"), QStringLiteral("'region'")));
    if (!encoded.IsScalar())
        return ctx.error(encoded, QStringLiteral("'encoded' must be hexadecimal text"));
    const std::string& hex = encoded.Scalar();
    if (hex.empty() || hex.size() % 2 != 0 || !isHex(hex))
        return ctx.error(encoded, QStringLiteral("'encoded' must be an even number of hexadecimal digits"));
    return QByteArray::fromHex(QByteArray::fromStdString(hex));
}

// --- Items ---------------------------------------------------------------------------------------

// `what` names the record in messages ("a 'visit' record"); built once per item.
Result<ExportFile::Record> parseRecord(Context& ctx, const YAML::Node& node, const QString& what)
{
    BUTLER_ASSIGN_OR_RETURN(const Mapping mapping, asMapping(ctx, node, what));
    ExportFile::Record record;
    record.line = lineOf(node);
    const QString beginKey = QStringLiteral("datetime_begin");
    const QString endKey = QStringLiteral("datetime_end");
    const bool hasBegin = mapping.find(beginKey) != nullptr;
    const bool hasEnd = mapping.find(endKey) != nullptr;
    if (hasBegin != hasEnd)
        return ctx.error(
            node, QStringLiteral("%1 has %2 without %3")
                      .arg(what, quoted(hasBegin ? beginKey : endKey), quoted(hasBegin ? endKey : beginKey)));
    if (hasBegin) {
        if (mapping.find(QStringLiteral("timespan")))
            return ctx.error(node, QStringLiteral("%1 has both 'timespan' and 'datetime_begin'").arg(what));
        BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> begin,
                                timeValue(ctx, *mapping.find(beginKey), quoted(beginKey)));
        BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> end,
                                timeValue(ctx, *mapping.find(endKey), quoted(endKey)));
        BUTLER_ASSIGN_OR_RETURN(record.timespan, makeTimespan(ctx, node, begin, end));
    }
    for (const auto& [key, value] : mapping.fields) {
        if (key == beginKey || key == endKey)
            continue;
        if (key == QLatin1String("region")) {
            BUTLER_ASSIGN_OR_RETURN(record.region, regionValue(ctx, value));
        } else if (key == QLatin1String("timespan")) {
            if (!value.IsNull()) {
                BUTLER_ASSIGN_OR_RETURN(record.timespan, timespanValue(ctx, value, quoted(key)));
            }
        } else {
            BUTLER_ASSIGN_OR_RETURN(QVariant converted, scalarValue(ctx, value, quoted(key)));
            record.values.insert(key, std::move(converted));
        }
    }
    return record;
}

Result<ExportFile::DimensionRecords> parseDimensionItem(Context& ctx, const Mapping& item)
{
    const QString what = QStringLiteral("a dimension item");
    ExportFile::DimensionRecords dimension;
    dimension.line = lineOf(item.node);
    BUTLER_ASSIGN_OR_RETURN(dimension.element, requiredString(ctx, item, QStringLiteral("element"), what));
    BUTLER_ASSIGN_OR_RETURN(const YAML::Node records, required(ctx, item, QStringLiteral("records"), what));
    if (!records.IsSequence())
        return ctx.error(records, QStringLiteral("'records' must be a list, not %1").arg(kindName(records)));
    dimension.records.reserve(qsizetype(records.size()));
    const QString recordWhat = QStringLiteral("a %1 record").arg(quoted(dimension.element));
    for (auto it = records.begin(); it != records.end(); ++it) {
        BUTLER_ASSIGN_OR_RETURN(ExportFile::Record record, parseRecord(ctx, *it, recordWhat));
        dimension.records.append(std::move(record));
    }
    return dimension;
}

Result<ExportFile::DatasetTypeEntry> parseDatasetTypeItem(Context& ctx, const Mapping& item)
{
    const QString what = QStringLiteral("a dataset_type item");
    ExportFile::DatasetTypeEntry entry;
    entry.line = lineOf(item.node);
    BUTLER_ASSIGN_OR_RETURN(entry.name, requiredString(ctx, item, QStringLiteral("name"), what));
    // An empty list (a dimensionless dataset type) is fine, but the key must be there.
    const YAML::Node* dimensions = item.find(QStringLiteral("dimensions"));
    if (!dimensions)
        return ctx.error(item.node, QStringLiteral("%1 has no 'dimensions'").arg(what));
    if (!dimensions->IsNull()) {
        BUTLER_ASSIGN_OR_RETURN(entry.dimensions,
                                stringList(ctx, *dimensions, QStringLiteral("'dimensions'")));
    }
    BUTLER_ASSIGN_OR_RETURN(entry.storageClass,
                            requiredString(ctx, item, QStringLiteral("storage_class"), what));
    BUTLER_ASSIGN_OR_RETURN(entry.isCalibration,
                            optionalBool(ctx, item, QStringLiteral("is_calibration"), false));
    return entry;
}

bool isCollectionType(const QString& type)
{
    return type == QLatin1String("RUN") || type == QLatin1String("TAGGED") ||
           type == QLatin1String("CHAINED") || type == QLatin1String("CALIBRATION");
}

Result<ExportFile::CollectionEntry> parseCollectionItem(Context& ctx, const Mapping& item)
{
    const QString what = QStringLiteral("a collection item");
    ExportFile::CollectionEntry entry;
    entry.line = lineOf(item.node);
    BUTLER_ASSIGN_OR_RETURN(entry.name, requiredString(ctx, item, QStringLiteral("name"), what));
    BUTLER_ASSIGN_OR_RETURN(entry.type, requiredString(ctx, item, QStringLiteral("collection_type"), what));
    if (!isCollectionType(entry.type))
        return ctx.error(
            *item.find(QStringLiteral("collection_type")),
            QStringLiteral("unknown collection type %1 (expected RUN, TAGGED, CHAINED or CALIBRATION)")
                .arg(quoted(entry.type)));
    BUTLER_ASSIGN_OR_RETURN(entry.doc, optionalString(ctx, item, QStringLiteral("doc")));
    if (entry.type == QLatin1String("RUN")) {
        BUTLER_ASSIGN_OR_RETURN(entry.host, optionalString(ctx, item, QStringLiteral("host")));
        std::optional<qint64> begin;
        std::optional<qint64> end;
        if (const YAML::Node* node = item.find(QStringLiteral("timespan_begin"))) {
            BUTLER_ASSIGN_OR_RETURN(begin, timeValue(ctx, *node, QStringLiteral("'timespan_begin'")));
        }
        if (const YAML::Node* node = item.find(QStringLiteral("timespan_end"))) {
            BUTLER_ASSIGN_OR_RETURN(end, timeValue(ctx, *node, QStringLiteral("'timespan_end'")));
        }
        if (begin || end) {
            BUTLER_ASSIGN_OR_RETURN(entry.timespan, makeTimespan(ctx, item.node, begin, end));
        }
    } else if (entry.type == QLatin1String("CHAINED")) {
        BUTLER_ASSIGN_OR_RETURN(const YAML::Node children,
                                required(ctx, item, QStringLiteral("children"), what));
        if (!children.IsSequence())
            return ctx.error(children,
                             QStringLiteral("'children' must be a list, not %1").arg(kindName(children)));
        BUTLER_TRY(ctx.spend(children, children.size()));
        for (auto it = children.begin(); it != children.end(); ++it) {
            // Old exports wrote [child, dataset type restriction] pairs; restrictions are gone.
            const YAML::Node listed = *it;
            const YAML::Node child = listed.IsSequence() && listed.size() > 0 ? listed[0] : listed;
            BUTLER_ASSIGN_OR_RETURN(QString name,
                                    stringValue(ctx, child, QStringLiteral("a child collection")));
            entry.children.append(std::move(name));
        }
    }
    return entry;
}

Result<ExportFile::CollectionEntry> parseRunItem(Context& ctx, const Mapping& item)
{
    ExportFile::CollectionEntry entry;
    entry.line = lineOf(item.node);
    entry.type = QStringLiteral("RUN");
    BUTLER_ASSIGN_OR_RETURN(entry.name,
                            requiredString(ctx, item, QStringLiteral("name"), QStringLiteral("a run item")));
    BUTLER_ASSIGN_OR_RETURN(entry.doc, optionalString(ctx, item, QStringLiteral("doc")));
    return entry;
}

Result<QVariantMap> dataIdValue(Context& ctx, const YAML::Node& node)
{
    BUTLER_ASSIGN_OR_RETURN(const Mapping mapping, asMapping(ctx, node, QStringLiteral("a data ID")));
    QVariantMap dataId;
    for (const auto& [key, value] : mapping.fields) {
        BUTLER_ASSIGN_OR_RETURN(QVariant converted,
                                scalarValue(ctx, value, QStringLiteral("data ID value %1").arg(quoted(key))));
        if (converted.typeId() != QMetaType::LongLong && converted.typeId() != QMetaType::QString)
            return ctx.error(
                value, QStringLiteral("data ID value %1 must be an integer or a string").arg(quoted(key)));
        dataId.insert(key, std::move(converted));
    }
    return dataId;
}

Result<QList<ExportFile::DatasetEntry>> parseDatasetItem(Context& ctx, const Mapping& item)
{
    const QString what = QStringLiteral("a dataset item");
    BUTLER_ASSIGN_OR_RETURN(const QString datasetType,
                            requiredString(ctx, item, QStringLiteral("dataset_type"), what));
    BUTLER_ASSIGN_OR_RETURN(const QString run, requiredString(ctx, item, QStringLiteral("run"), what));
    BUTLER_ASSIGN_OR_RETURN(const YAML::Node records, required(ctx, item, QStringLiteral("records"), what));
    if (!records.IsSequence())
        return ctx.error(records, QStringLiteral("'records' must be a list, not %1").arg(kindName(records)));

    QList<ExportFile::DatasetEntry> entries;
    entries.reserve(qsizetype(records.size()));
    const QString recordWhat = QStringLiteral("a dataset record");
    for (auto it = records.begin(); it != records.end(); ++it) {
        BUTLER_ASSIGN_OR_RETURN(const Mapping record, asMapping(ctx, *it, recordWhat));
        BUTLER_ASSIGN_OR_RETURN(const YAML::Node idNode,
                                required(ctx, record, QStringLiteral("dataset_id"), recordWhat));
        BUTLER_ASSIGN_OR_RETURN(const YAML::Node dataIdNode,
                                required(ctx, record, QStringLiteral("data_id"), recordWhat));

        // A list of IDs with a parallel list of data IDs: several datasets in one file.
        QList<QUuid> ids;
        if (idNode.IsSequence()) {
            BUTLER_ASSIGN_OR_RETURN(ids, uuidList(ctx, idNode, QStringLiteral("'dataset_id'")));
        } else {
            BUTLER_ASSIGN_OR_RETURN(const QUuid id, uuidValue(ctx, idNode, QStringLiteral("'dataset_id'")));
            ids.append(id);
        }
        QList<QVariantMap> dataIds;
        if (dataIdNode.IsSequence()) {
            for (auto d = dataIdNode.begin(); d != dataIdNode.end(); ++d) {
                BUTLER_ASSIGN_OR_RETURN(QVariantMap dataId, dataIdValue(ctx, *d));
                dataIds.append(std::move(dataId));
            }
        } else {
            BUTLER_ASSIGN_OR_RETURN(QVariantMap dataId, dataIdValue(ctx, dataIdNode));
            dataIds.append(std::move(dataId));
        }
        if (ids.isEmpty())
            return ctx.error(idNode, QStringLiteral("'dataset_id' is an empty list"));
        if (ids.size() != dataIds.size())
            return ctx.error(*it, QStringLiteral("a dataset record has %1 dataset IDs but %2 data IDs")
                                      .arg(ids.size())
                                      .arg(dataIds.size()));
        BUTLER_ASSIGN_OR_RETURN(const QString path, optionalString(ctx, record, QStringLiteral("path")));
        BUTLER_ASSIGN_OR_RETURN(const QString formatter,
                                optionalString(ctx, record, QStringLiteral("formatter")));

        for (qsizetype i = 0; i < ids.size(); ++i) {
            const int line = lineOf(*it);
            const auto seen = ctx.datasetLines.constFind(ids[i]);
            if (seen != ctx.datasetLines.constEnd())
                return ctx.error(idNode, QStringLiteral("dataset ID %1 was already used on line %2")
                                             .arg(ids[i].toString(QUuid::WithoutBraces))
                                             .arg(*seen));
            ctx.datasetLines.insert(ids[i], line);
            entries.append(
                ExportFile::DatasetEntry{ids[i], datasetType, run, dataIds[i], path, formatter, line});
        }
    }
    return entries;
}

Result<QList<ExportFile::AssociationEntry>> parseAssociationsItem(Context& ctx, const Mapping& item)
{
    const QString what = QStringLiteral("an associations item");
    ExportFile::AssociationEntry base;
    base.line = lineOf(item.node);
    BUTLER_ASSIGN_OR_RETURN(base.collection, requiredString(ctx, item, QStringLiteral("collection"), what));
    BUTLER_ASSIGN_OR_RETURN(base.collectionType,
                            requiredString(ctx, item, QStringLiteral("collection_type"), what));

    QList<ExportFile::AssociationEntry> entries;
    if (base.collectionType == QLatin1String("TAGGED")) {
        BUTLER_ASSIGN_OR_RETURN(const YAML::Node ids,
                                required(ctx, item, QStringLiteral("dataset_ids"), what));
        BUTLER_ASSIGN_OR_RETURN(base.datasetIds, uuidList(ctx, ids, QStringLiteral("'dataset_ids'")));
        entries.append(std::move(base));
    } else if (base.collectionType == QLatin1String("CALIBRATION")) {
        BUTLER_ASSIGN_OR_RETURN(const YAML::Node ranges,
                                required(ctx, item, QStringLiteral("validity_ranges"), what));
        if (!ranges.IsSequence())
            return ctx.error(
                ranges, QStringLiteral("'validity_ranges' must be a list, not %1").arg(kindName(ranges)));
        for (auto it = ranges.begin(); it != ranges.end(); ++it) {
            const QString rangeWhat = QStringLiteral("a validity range");
            BUTLER_ASSIGN_OR_RETURN(const Mapping range, asMapping(ctx, *it, rangeWhat));
            ExportFile::AssociationEntry entry = base;
            entry.line = lineOf(*it);
            BUTLER_ASSIGN_OR_RETURN(const YAML::Node ids,
                                    required(ctx, range, QStringLiteral("dataset_ids"), rangeWhat));
            BUTLER_ASSIGN_OR_RETURN(entry.datasetIds, uuidList(ctx, ids, QStringLiteral("'dataset_ids'")));
            if (const YAML::Node* timespan = range.find(QStringLiteral("timespan"))) {
                BUTLER_ASSIGN_OR_RETURN(entry.timespan,
                                        timespanValue(ctx, *timespan, QStringLiteral("'timespan'")));
            } else {
                // Older exports wrote the bounds directly into the range.
                const YAML::Node* begin = range.find(QStringLiteral("begin"));
                const YAML::Node* end = range.find(QStringLiteral("end"));
                if (!begin || !end)
                    return ctx.error(
                        *it, QStringLiteral("a validity range needs a 'timespan' or 'begin' and 'end'"));
                BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> b,
                                        timeValue(ctx, *begin, QStringLiteral("'begin'")));
                BUTLER_ASSIGN_OR_RETURN(const std::optional<qint64> e,
                                        timeValue(ctx, *end, QStringLiteral("'end'")));
                BUTLER_ASSIGN_OR_RETURN(entry.timespan, makeTimespan(ctx, *it, b, e));
            }
            entries.append(std::move(entry));
        }
    } else {
        return ctx.error(*item.find(QStringLiteral("collection_type")),
                         QStringLiteral("associations must be for a TAGGED or CALIBRATION collection, not %1")
                             .arg(quoted(base.collectionType)));
    }
    return entries;
}

// daf_butler reads format 1.x.y with x no newer than its own (1.0.2); `version: 0` is 1.0.0.
Result<QString> parseFormatVersion(Context& ctx, const YAML::Node& node)
{
    if (!node.IsScalar())
        return ctx.error(node,
                         QStringLiteral("'version' must be a version number, not %1").arg(kindName(node)));
    const QString text = QString::fromStdString(node.Scalar());
    if (text == QLatin1String("0"))
        return QStringLiteral("1.0.0");
    const QStringList parts = text.split(QLatin1Char('.'));
    bool ok = parts.size() == 3;
    int numbers[3] = {0, 0, 0};
    for (qsizetype i = 0; ok && i < 3; ++i) {
        numbers[i] = parts[i].toInt(&ok);
        ok = ok && numbers[i] >= 0;
    }
    if (!ok)
        return ctx.error(node,
                         QStringLiteral("'version' %1 is not a version number like 1.0.2").arg(quoted(text)));
    if (numbers[0] != 1 || numbers[1] > 0)
        return ctx.error(node,
                         QStringLiteral("export format version %1 is not supported (1.0.x is)").arg(text));
    return text;
}

} // namespace

QString ExportFile::location(int line) const
{
    return line > 0 ? QStringLiteral("%1:%2").arg(m_fileName, QString::number(line)) : m_fileName;
}

Result<ExportFile> ExportFile::read(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read export file %1: %2").arg(path, file.errorString()));
    const auto tooLarge = [&] {
        return invalidInput(QStringLiteral("%1: export file is larger than %2 bytes; split the export")
                                .arg(name, QString::number(MaxInputSize)));
    };
    // size() is 0 for pipes and the like, so the read is bounded as well.
    if (file.size() > MaxInputSize)
        return tooLarge();
    const QByteArray bytes = file.read(MaxInputSize + 1);
    if (file.error() != QFileDevice::NoError)
        return ioError(QStringLiteral("cannot read export file %1: %2").arg(path, file.errorString()));
    if (bytes.size() > MaxInputSize)
        return tooLarge();
    return parse(bytes, name);
}

Result<ExportFile> ExportFile::parse(const QByteArray& yaml, const QString& nameForMessages)
{
    Context ctx{nameForMessages, {}, 2 * qint64(yaml.size()) + 4096};
    if (yaml.size() > MaxInputSize)
        return ctx.error(
            YAML::Mark::null_mark(),
            QStringLiteral("export file is larger than %1 bytes").arg(QString::number(MaxInputSize)));
    try {
        ByteArrayBuffer buffer(yaml);
        std::istream stream(&buffer);
        const YAML::Node root = YAML::Load(stream);
        if (root.IsNull())
            return ctx.error(root, QStringLiteral("the file holds no YAML document"));
        BUTLER_ASSIGN_OR_RETURN(const Mapping top, asMapping(ctx, root, QStringLiteral("an export file")));
        const QString what = QStringLiteral("the export file");

        ExportFile file;
        file.m_fileName = nameForMessages;
        BUTLER_ASSIGN_OR_RETURN(file.m_description, optionalString(ctx, top, QStringLiteral("description")));
        BUTLER_ASSIGN_OR_RETURN(const YAML::Node version,
                                required(ctx, top, QStringLiteral("version"), what));
        BUTLER_ASSIGN_OR_RETURN(file.m_formatVersion, parseFormatVersion(ctx, version));
        if (const YAML::Node* universe = top.find(QStringLiteral("universe_version"));
            universe && !universe->IsNull()) {
            BUTLER_ASSIGN_OR_RETURN(const QVariant value,
                                    scalarValue(ctx, *universe, QStringLiteral("'universe_version'")));
            if (value.typeId() != QMetaType::LongLong || value.toLongLong() < 0 ||
                value.toLongLong() > std::numeric_limits<int>::max())
                return ctx.error(*universe,
                                 QStringLiteral("'universe_version' must be a non-negative integer"));
            file.m_universeVersion = int(value.toLongLong());
        }
        BUTLER_ASSIGN_OR_RETURN(file.m_universeNamespace,
                                optionalString(ctx, top, QStringLiteral("universe_namespace")));
        if (file.m_universeNamespace.isEmpty())
            file.m_universeNamespace = QStringLiteral("daf_butler");

        const YAML::Node* data = top.find(QStringLiteral("data"));
        if (!data)
            return ctx.error(root, QStringLiteral("the export file has no 'data'"));
        if (!data->IsSequence())
            return ctx.error(*data,
                             QStringLiteral("'data' must be a list of items, not %1").arg(kindName(*data)));

        for (auto it = data->begin(); it != data->end(); ++it) {
            BUTLER_ASSIGN_OR_RETURN(const Mapping item,
                                    asMapping(ctx, *it, QStringLiteral("an item of 'data'")));
            BUTLER_ASSIGN_OR_RETURN(const QString type, requiredString(ctx, item, QStringLiteral("type"),
                                                                       QStringLiteral("an item of 'data'")));
            if (type == QLatin1String("dimension")) {
                BUTLER_ASSIGN_OR_RETURN(DimensionRecords records, parseDimensionItem(ctx, item));
                file.m_dimensions.append(std::move(records));
            } else if (type == QLatin1String("dataset_type")) {
                BUTLER_ASSIGN_OR_RETURN(DatasetTypeEntry entry, parseDatasetTypeItem(ctx, item));
                file.m_datasetTypes.append(std::move(entry));
            } else if (type == QLatin1String("collection")) {
                BUTLER_ASSIGN_OR_RETURN(CollectionEntry entry, parseCollectionItem(ctx, item));
                file.m_collections.append(std::move(entry));
            } else if (type == QLatin1String("run")) {
                BUTLER_ASSIGN_OR_RETURN(CollectionEntry entry, parseRunItem(ctx, item));
                file.m_collections.append(std::move(entry));
            } else if (type == QLatin1String("dataset")) {
                BUTLER_ASSIGN_OR_RETURN(const QList<DatasetEntry> entries, parseDatasetItem(ctx, item));
                file.m_datasets.append(entries);
            } else if (type == QLatin1String("associations")) {
                BUTLER_ASSIGN_OR_RETURN(const QList<AssociationEntry> entries,
                                        parseAssociationsItem(ctx, item));
                file.m_associations.append(entries);
            } else {
                return ctx.error(
                    *item.find(QStringLiteral("type")),
                    QStringLiteral("unknown item type %1 (expected dimension, dataset_type, collection, "
                                   "run, dataset or associations)")
                        .arg(quoted(type)));
            }
        }
        return file;
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp's own message for this is just "bad file".
        return ctx.error(e.mark,
                         QStringLiteral("invalid YAML: nested too deeply (yaml-cpp allows 500 levels)"));
    } catch (const YAML::Exception& e) {
        return ctx.error(e.mark, QStringLiteral("invalid YAML: %1").arg(QString::fromStdString(e.msg)));
    } catch (const std::exception& e) {
        return ctx.error(YAML::Mark::null_mark(),
                         QStringLiteral("cannot parse: %1").arg(QString::fromLocal8Bit(e.what())));
    }
}

} // namespace butler
