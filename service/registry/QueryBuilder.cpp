#include "QueryBuilder.h"

#include "Database.h"
#include "RegistrySchema.h"
#include "TaiTime.h"

#include <QUuid>
#include <algorithm>

namespace butler {

namespace {

constexpr int MaxJoinDepth = 8;
constexpr qint64 MaxRangeItems = 100000;

QString typeName(QueryBuilder::ValueType t)
{
    switch (t) {
    case QueryBuilder::ValueType::Int:
        return QStringLiteral("integer");
    case QueryBuilder::ValueType::Float:
        return QStringLiteral("number");
    case QueryBuilder::ValueType::String:
        return QStringLiteral("string");
    case QueryBuilder::ValueType::Bool:
        return QStringLiteral("boolean");
    case QueryBuilder::ValueType::Time:
        return QStringLiteral("time");
    case QueryBuilder::ValueType::Timespan:
        return QStringLiteral("timespan");
    case QueryBuilder::ValueType::Null:
        return QStringLiteral("null");
    case QueryBuilder::ValueType::Unknown:
        break;
    }
    return QStringLiteral("value");
}

bool isNumeric(QueryBuilder::ValueType t)
{
    return t == QueryBuilder::ValueType::Int || t == QueryBuilder::ValueType::Float;
}

QueryBuilder::ValueType fieldValueType(FieldType t)
{
    switch (t) {
    case FieldType::Int:
        return QueryBuilder::ValueType::Int;
    case FieldType::Float:
        return QueryBuilder::ValueType::Float;
    case FieldType::Bool:
        return QueryBuilder::ValueType::Bool;
    case FieldType::String:
        return QueryBuilder::ValueType::String;
    case FieldType::Hash:
        return QueryBuilder::ValueType::Unknown;
    }
    return QueryBuilder::ValueType::Unknown;
}

bool comparable(QueryBuilder::ValueType a, QueryBuilder::ValueType b)
{
    using VT = QueryBuilder::ValueType;
    if (a == VT::Null || b == VT::Null || a == VT::Unknown || b == VT::Unknown)
        return true;
    if (isNumeric(a) && isNumeric(b))
        return true;
    if ((a == VT::Bool && b == VT::Int) || (a == VT::Int && b == VT::Bool))
        return true;
    return a == b && a != VT::Timespan;
}

Error at(const WhereNode& node, const QString& message)
{
    return invalidInput(QStringLiteral("%1 at column %2").arg(message).arg(node.position + 1));
}

} // namespace

QueryBuilder::QueryBuilder(const DimensionUniverse& universe)
    : m_universe(universe)
{
}

void QueryBuilder::setBase(const QString& tableSql, const QString& alias, const QStringList& dimensions)
{
    m_baseSql = tableSql + QLatin1Char(' ') + alias;
    m_baseAlias = alias;
    for (const QString& dim : dimensions) {
        m_dimensionColumns.insert(dim, alias + QLatin1Char('.') + Database::quote(dim));
        m_ownDimensions.insert(dim);
    }
}

Status QueryBuilder::addDimensionSources(const DimensionGroup& group)
{
    for (const QString& dim : group.required())
        m_ownDimensions.insert(dim);
    for (const QString& dim : group.required()) {
        if (m_dimensionColumns.contains(dim))
            continue;
        BUTLER_TRY(joinElement(dim));
    }
    // Relationship tables (visit_definition) tie together dimensions that are both present.
    for (const DimensionElement& e : m_universe.elements()) {
        if (!e.alwaysJoin || m_elementAliases.contains(e.name))
            continue;
        bool all = true;
        for (const QString& d : e.required)
            all = all && group.contains(d);
        if (all)
            BUTLER_TRY(joinElement(e.name));
    }
    return {};
}

Result<QString> QueryBuilder::joinElement(const QString& elementName)
{
    return joinElementAt(elementName, 0);
}

Result<QString> QueryBuilder::joinElementAt(const QString& elementName, int depth)
{
    if (m_elementAliases.contains(elementName))
        return m_elementAliases.value(elementName);
    const DimensionElement* e = m_universe.element(elementName);
    if (!e)
        return invalidInput(QStringLiteral("unknown dimension element '%1'").arg(elementName));
    const QString alias = QStringLiteral("e_") + elementName;
    QStringList on;
    // Resolve the element's required dimensions that are already known; a dimension that is
    // not yet known (or is being resolved through this very join) becomes known through this table.
    QStringList unknown;
    for (const QString& dim : e->requiredDimensions()) {
        if (!m_dimensionColumns.contains(dim) && dim != elementName && !m_resolving.contains(dim)) {
            auto col = resolveDimension(dim, depth + 1);
            if (!col) {
                unknown.append(dim);
                continue;
            }
        }
        if (m_dimensionColumns.contains(dim))
            on << QStringLiteral("%1.%2 = %3")
                      .arg(alias, Database::quote(dim), m_dimensionColumns.value(dim));
        else
            unknown.append(dim);
    }
    const QString table = RegistrySchema::elementTable(elementName);
    if (m_baseSql.isEmpty()) {
        m_baseSql = table + QLatin1Char(' ') + alias;
        m_baseAlias = alias;
        for (const QString& dim : e->requiredDimensions())
            m_ownDimensions.insert(dim);
    } else if (on.isEmpty()) {
        m_joins << QStringLiteral(" CROSS JOIN %1 %2").arg(table, alias);
    } else {
        m_joins << QStringLiteral(" %1 %2 %3 ON %4")
                       .arg(m_leftJoins ? QStringLiteral("LEFT JOIN") : QStringLiteral("JOIN"), table, alias,
                            on.join(QStringLiteral(" AND ")));
    }
    m_elementAliases.insert(elementName, alias);
    for (const QString& dim : unknown)
        m_dimensionColumns.insert(dim, alias + QLatin1Char('.') + Database::quote(dim));
    for (const QString& dim : e->implies)
        if (!m_dimensionColumns.contains(dim) && !impliedByOwnDimension(dim, elementName))
            m_dimensionColumns.insert(dim, alias + QLatin1Char('.') + Database::quote(dim));
    return alias;
}

bool QueryBuilder::impliedByOwnDimension(const QString& dimension, const QString& except) const
{
    for (const QString& own : m_ownDimensions) {
        if (own == except || !m_dimensionColumns.contains(own))
            continue;
        const DimensionElement* e = m_universe.element(own);
        if (e && e->implies.contains(dimension))
            return true;
    }
    return false;
}

Result<QString> QueryBuilder::joinForImplied(const QString& element, const QString& implied, int depth)
{
    BUTLER_ASSIGN_OR_RETURN(QString alias, joinElementAt(element, depth));
    // The element may have been joined before without providing this column.
    if (!m_dimensionColumns.contains(implied))
        m_dimensionColumns.insert(implied, alias + QLatin1Char('.') + Database::quote(implied));
    return m_dimensionColumns.value(implied);
}

Result<QString> QueryBuilder::resolveDimension(const QString& dimension, int depth)
{
    if (m_dimensionColumns.contains(dimension))
        return m_dimensionColumns.value(dimension);
    if (depth > MaxJoinDepth || m_resolving.contains(dimension))
        return invalidInput(QStringLiteral("cannot relate dimension '%1' to this query").arg(dimension));
    const DimensionElement* target = m_universe.element(dimension);
    if (!target || !target->isDimension())
        return invalidInput(QStringLiteral("unknown dimension '%1'").arg(dimension));
    m_resolving.insert(dimension);
    auto result = resolveUnguarded(dimension, depth);
    m_resolving.remove(dimension);
    return result;
}

Result<QString> QueryBuilder::resolveUnguarded(const QString& dimension, int depth)
{
    auto allKnown = [&](const QStringList& dims, const QString& except) {
        for (const QString& d : dims)
            if (d != except && !m_dimensionColumns.contains(d))
                return false;
        return true;
    };
    // 1. An element whose key is already known implies it (exposure -> physical_filter). The
    // query's own dimensions come first: a raw's filter is its exposure's, even when a visit
    // was joined for the where-clause.
    for (const bool own : {true, false}) {
        for (const DimensionElement& e : m_universe.elements()) {
            if (e.isDimension() && m_ownDimensions.contains(e.name) == own && e.implies.contains(dimension) &&
                m_dimensionColumns.contains(e.name) && allKnown(e.required, QString()))
                return joinForImplied(e.name, dimension, depth + 1);
        }
    }
    // 2. A relationship table that is always joined and whose other dimensions are known
    // (visit_definition: exposure -> visit). Tables that merely carry per-combination data
    // (visit_detector_region) do not relate their dimensions.
    for (const DimensionElement& e : m_universe.elements()) {
        if (!e.isDimension() && e.alwaysJoin && e.required.contains(dimension) &&
            allKnown(e.required, dimension)) {
            BUTLER_TRY(joinElementAt(e.name, depth + 1));
            if (m_dimensionColumns.contains(dimension))
                return m_dimensionColumns.value(dimension);
        }
    }
    // 3. Through an intermediate dimension that implies it (exposure -> physical_filter -> band).
    for (const DimensionElement& e : m_universe.elements()) {
        if (e.isDimension() && e.implies.contains(dimension)) {
            auto via = resolveDimension(e.name, depth + 1);
            if (via)
                return joinForImplied(e.name, dimension, depth + 1);
        }
    }
    m_unrelated = true;
    return invalidInput(
        QStringLiteral("dimension '%1' is not related to the dimensions of this query").arg(dimension));
}

void QueryBuilder::resolveKeyOf(const DimensionElement& element)
{
    if (!element.isDimension() || m_baseSql.isEmpty() || m_dimensionColumns.contains(element.name))
        return;
    // When the key cannot be related, the table joins by its required dimensions alone and
    // adds the dimension to the query.
    (void)resolveDimension(element.name, 0);
}

Result<QString> QueryBuilder::dimensionColumn(const QString& dimension)
{
    return resolveDimension(dimension, 0);
}

Result<QueryBuilder::Expr> QueryBuilder::identifier(const QStringList& parts, int position)
{
    auto fail = [&](const QString& message) {
        return invalidInput(QStringLiteral("%1 at column %2").arg(message).arg(position + 1));
    };
    const QString& name = parts.first();
    const DimensionElement* element = m_universe.element(name);
    if (!element)
        return fail(QStringLiteral("unknown dimension or element '%1'").arg(name));
    if (parts.size() == 1) {
        if (!element->isDimension())
            return fail(QStringLiteral("'%1' is a dimension element: name one of its fields").arg(name));
        auto col = resolveDimension(name, 0);
        if (!col)
            return fail(col.error().message());
        return Expr{*col, fieldValueType(element->primaryKey().type), {}, name};
    }
    const QString& field = parts[1];
    if (field == QLatin1String("timespan")) {
        if (!element->hasTimespan)
            return fail(QStringLiteral("'%1' has no timespan").arg(name));
        resolveKeyOf(*element);
        auto alias = joinElement(name);
        if (!alias)
            return fail(alias.error().message());
        const QString begin = *alias + QStringLiteral(".timespan_begin");
        const QString end = *alias + QStringLiteral(".timespan_end");
        if (parts.size() == 2)
            return Expr{begin, ValueType::Timespan, end, name + QStringLiteral(".timespan")};
        if (parts.size() == 3 && parts[2] == QLatin1String("begin"))
            return Expr{begin, ValueType::Time, {}, parts.join(QLatin1Char('.'))};
        if (parts.size() == 3 && parts[2] == QLatin1String("end"))
            return Expr{end, ValueType::Time, {}, parts.join(QLatin1Char('.'))};
        return fail(QStringLiteral("a timespan has only 'begin' and 'end'"));
    }
    if (parts.size() > 2)
        return fail(QStringLiteral("'%1' has too many parts").arg(parts.join(QLatin1Char('.'))));
    if (element->isDimension() && field == element->primaryKey().name) {
        auto col = resolveDimension(name, 0);
        if (!col)
            return fail(col.error().message());
        return Expr{*col, fieldValueType(element->primaryKey().type), {}, name};
    }
    if (element->required.contains(field) || element->implies.contains(field)) {
        resolveKeyOf(*element);
        auto alias = joinElement(name);
        if (!alias)
            return fail(alias.error().message());
        const DimensionElement* dimElement = m_universe.element(field);
        return Expr{*alias + QLatin1Char('.') + Database::quote(field),
                    fieldValueType(dimElement->primaryKey().type),
                    {},
                    parts.join(QLatin1Char('.'))};
    }
    const FieldSpec* spec = element->field(field);
    if (!spec || spec->type == FieldType::Hash)
        return fail(QStringLiteral("'%1' has no field '%2'").arg(name, field));
    resolveKeyOf(*element);
    auto alias = joinElement(name);
    if (!alias)
        return fail(alias.error().message());
    return Expr{*alias + QLatin1Char('.') + Database::quote(field),
                fieldValueType(spec->type),
                {},
                parts.join(QLatin1Char('.'))};
}

QString QueryBuilder::addBind(const QVariant& value)
{
    m_pendingBinds.append(value);
    return QStringLiteral("?");
}

Result<QueryBuilder::Expr> QueryBuilder::bindValue(const QVariant& value, int position, const QString& name)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return Expr{addBind(value.toLongLong()), ValueType::Int, {}, {}};
    case QMetaType::Double:
        return Expr{addBind(value.toDouble()), ValueType::Float, {}, {}};
    case QMetaType::Bool:
        return Expr{addBind(value.toBool() ? 1 : 0), ValueType::Bool, {}, {}};
    case QMetaType::QString:
        return Expr{addBind(value.toString()), ValueType::String, {}, {}};
    default:
        break;
    }
    return invalidInput(QStringLiteral("bind parameter ':%1' has an unsupported value at column %2")
                            .arg(name)
                            .arg(position + 1));
}

Status QueryBuilder::addWhere(const WhereNodePtr& node, const QVariantMap& bind)
{
    if (!node)
        return {};
    m_bind = bind;
    m_pendingBinds.clear();
    BUTLER_ASSIGN_OR_RETURN(Expr expr, compileBoolean(*node, 0));
    addCondition(expr.sql, m_pendingBinds);
    m_pendingBinds.clear();
    return {};
}

void QueryBuilder::addCondition(const QString& sql, const QVariantList& binds)
{
    m_conditions << QLatin1Char('(') + sql + QLatin1Char(')');
    m_binds.append(binds);
}

Result<QueryBuilder::Expr> QueryBuilder::compileBoolean(const WhereNode& node, int depth)
{
    BUTLER_ASSIGN_OR_RETURN(Expr e, compile(node, depth));
    if (e.type != ValueType::Bool && e.type != ValueType::Unknown)
        return at(node, QStringLiteral("expected a condition, not a %1").arg(typeName(e.type)));
    return e;
}

Result<QueryBuilder::Expr> QueryBuilder::compile(const WhereNode& node, int depth)
{
    if (depth > 200)
        return at(node, QStringLiteral("expression nested too deeply"));
    using K = WhereNode::Kind;
    switch (node.kind) {
    case K::Or:
    case K::And: {
        BUTLER_ASSIGN_OR_RETURN(Expr a, compileBoolean(*node.children[0], depth + 1));
        BUTLER_ASSIGN_OR_RETURN(Expr b, compileBoolean(*node.children[1], depth + 1));
        return Expr{QStringLiteral("(%1 %2 %3)")
                        .arg(a.sql, node.kind == K::Or ? QStringLiteral("OR") : QStringLiteral("AND"), b.sql),
                    ValueType::Bool,
                    {},
                    {}};
    }
    case K::Not: {
        BUTLER_ASSIGN_OR_RETURN(Expr a, compileBoolean(*node.children[0], depth + 1));
        return Expr{QStringLiteral("(NOT %1)").arg(a.sql), ValueType::Bool, {}, {}};
    }
    case K::Compare: {
        const qsizetype mark = m_pendingBinds.size();
        BUTLER_ASSIGN_OR_RETURN(Expr a, compile(*node.children[0], depth + 1));
        const qsizetype aEnd = m_pendingBinds.size();
        BUTLER_ASSIGN_OR_RETURN(Expr b, compile(*node.children[1], depth + 1));
        if (a.type == ValueType::Timespan || b.type == ValueType::Timespan) {
            if (a.type == ValueType::Timespan && b.type == ValueType::Timespan &&
                (node.op == QLatin1String("=") || node.op == QLatin1String("!="))) {
                // Begins are compared first, then ends: reorder the binds to match.
                const QVariantList aBinds = m_pendingBinds.mid(mark, aEnd - mark);
                const QVariantList bBinds = m_pendingBinds.mid(aEnd);
                const qsizetype na = a.sql.count(QLatin1Char('?'));
                const qsizetype nb = b.sql.count(QLatin1Char('?'));
                m_pendingBinds.resize(mark);
                m_pendingBinds << aBinds.mid(0, na) << bBinds.mid(0, nb) << aBinds.mid(na) << bBinds.mid(nb);
                return Expr{QStringLiteral("(%1(%2 = %3 AND %4 = %5))")
                                .arg(node.op == QLatin1String("!=") ? QStringLiteral("NOT ") : QString(),
                                     a.sql, b.sql, a.end, b.end),
                            ValueType::Bool,
                            {},
                            {}};
            }
            return at(node, QStringLiteral("a timespan can only be compared with OVERLAPS, = or !="));
        }
        if (!comparable(a.type, b.type))
            return at(
                node,
                QStringLiteral("cannot compare %1 %2 with %3 %4")
                    .arg(a.label.isEmpty() ? QStringLiteral("a") : QStringLiteral("'%1' (").arg(a.label),
                         typeName(a.type) + (a.label.isEmpty() ? QString() : QStringLiteral(")")),
                         b.label.isEmpty() ? QStringLiteral("a") : QStringLiteral("'%1' (").arg(b.label),
                         typeName(b.type) + (b.label.isEmpty() ? QString() : QStringLiteral(")"))));
        const QString op = node.op == QLatin1String("!=") ? QStringLiteral("<>") : node.op;
        return Expr{QStringLiteral("(%1 %2 %3)").arg(a.sql, op, b.sql), ValueType::Bool, {}, {}};
    }
    case K::Arithmetic: {
        BUTLER_ASSIGN_OR_RETURN(Expr a, compile(*node.children[0], depth + 1));
        BUTLER_ASSIGN_OR_RETURN(Expr b, compile(*node.children[1], depth + 1));
        if (!isNumeric(a.type) && a.type != ValueType::Unknown)
            return at(*node.children[0],
                      QStringLiteral("arithmetic needs numbers, not a %1").arg(typeName(a.type)));
        if (!isNumeric(b.type) && b.type != ValueType::Unknown)
            return at(*node.children[1],
                      QStringLiteral("arithmetic needs numbers, not a %1").arg(typeName(b.type)));
        const ValueType t =
            (a.type == ValueType::Float || b.type == ValueType::Float || node.op == QLatin1String("/"))
                ? ValueType::Float
                : ValueType::Int;
        QString lhs = a.sql;
        if (node.op == QLatin1String("/"))
            lhs = QStringLiteral("CAST(%1 AS DOUBLE PRECISION)").arg(a.sql);
        return Expr{QStringLiteral("(%1 %2 %3)").arg(lhs, node.op, b.sql), t, {}, {}};
    }
    case K::Negate: {
        BUTLER_ASSIGN_OR_RETURN(Expr a, compile(*node.children[0], depth + 1));
        if (!isNumeric(a.type))
            return at(node, QStringLiteral("unary minus needs a number, not a %1").arg(typeName(a.type)));
        return Expr{QStringLiteral("(-%1)").arg(a.sql), a.type, {}, {}};
    }
    case K::In:
        return compileIn(node, depth);
    case K::Overlaps:
        return compileOverlaps(node, depth);
    case K::Identifier:
        return identifier(node.parts, node.position);
    case K::Bind: {
        if (!m_bind.contains(node.text))
            return at(node, QStringLiteral("no value given for bind parameter ':%1'").arg(node.text));
        const QVariant v = m_bind.value(node.text);
        if (v.typeId() == QMetaType::QVariantList || v.typeId() == QMetaType::QStringList)
            return at(
                node,
                QStringLiteral("bind parameter ':%1' holds a list: use it inside IN (...)").arg(node.text));
        return bindValue(v, node.position, node.text);
    }
    case K::String:
        return Expr{addBind(node.text), ValueType::String, {}, {}};
    case K::Integer:
        return Expr{addBind(node.intValue), ValueType::Int, {}, {}};
    case K::Float:
        return Expr{addBind(node.floatValue), ValueType::Float, {}, {}};
    case K::Time:
        return Expr{addBind(node.intValue), ValueType::Time, {}, {}};
    case K::Boolean:
        return Expr{addBind(node.intValue ? 1 : 0), ValueType::Bool, {}, {}};
    case K::Uuid:
        return Expr{addBind(node.text), ValueType::String, {}, {}};
    case K::Range:
        return at(node, QStringLiteral("a range a..b is only allowed inside IN (...)"));
    case K::Tuple:
        return timespanOperand(node, depth);
    }
    return at(node, QStringLiteral("unsupported expression"));
}

Result<QueryBuilder::Expr> QueryBuilder::compileIn(const WhereNode& node, int depth)
{
    // The left side appears once per piece (and twice in a strided range): its binds are
    // repeated with it, and every piece's binds follow the order of the SQL text.
    const qsizetype mark = m_pendingBinds.size();
    BUTLER_ASSIGN_OR_RETURN(Expr lhs, compile(*node.children[0], depth + 1));
    if (lhs.type == ValueType::Timespan || lhs.type == ValueType::Bool)
        return at(node, QStringLiteral("IN needs a dimension or field on its left"));
    const QVariantList lhsBinds = m_pendingBinds.mid(mark);
    m_pendingBinds.resize(mark);
    QStringList values;
    QList<const WhereNode*> ranges;
    auto checkType = [&](const WhereNode& item, ValueType t) -> Status {
        if (!comparable(lhs.type, t))
            return at(item, QStringLiteral("a %1 in a list compared with '%2' (%3)")
                                .arg(typeName(t), lhs.label, typeName(lhs.type)));
        return {};
    };
    for (int i = 1; i < node.children.size(); ++i) {
        const WhereNode& item = *node.children[i];
        if (item.kind == WhereNode::Kind::Range) {
            BUTLER_TRY(checkType(item, ValueType::Int));
            if (item.rangeStride <= 0)
                return at(item, QStringLiteral("range stride must be positive"));
            ranges << &item;
            continue;
        }
        if (item.kind == WhereNode::Kind::Bind) {
            if (!m_bind.contains(item.text))
                return at(item, QStringLiteral("no value given for bind parameter ':%1'").arg(item.text));
            const QVariant v = m_bind.value(item.text);
            const QVariantList list = v.toList();
            if (v.typeId() == QMetaType::QVariantList || v.typeId() == QMetaType::QStringList) {
                if (list.size() > MaxRangeItems)
                    return at(item, QStringLiteral("bind list ':%1' is too long").arg(item.text));
                for (const QVariant& element : list) {
                    BUTLER_ASSIGN_OR_RETURN(Expr e, bindValue(element, item.position, item.text));
                    BUTLER_TRY(checkType(item, e.type));
                    values << e.sql;
                }
                continue;
            }
        }
        BUTLER_ASSIGN_OR_RETURN(Expr e, compile(item, depth + 1));
        BUTLER_TRY(checkType(item, e.type));
        values << e.sql;
    }
    const QVariantList valueBinds = m_pendingBinds.mid(mark);
    m_pendingBinds.resize(mark);
    QStringList parts;
    if (!values.isEmpty()) {
        parts << QStringLiteral("%1 IN (%2)").arg(lhs.sql, values.join(QStringLiteral(", ")));
        m_pendingBinds << lhsBinds << valueBinds;
    }
    for (const WhereNode* range : std::as_const(ranges)) {
        m_pendingBinds << lhsBinds << range->rangeStart << range->rangeStop;
        if (range->rangeStride == 1) {
            parts << QStringLiteral("(%1 BETWEEN ? AND ?)").arg(lhs.sql);
        } else {
            parts << QStringLiteral("(%1 BETWEEN ? AND ? AND ((%1 - ?) % ?) = 0)").arg(lhs.sql);
            m_pendingBinds << lhsBinds << range->rangeStart << range->rangeStride;
        }
    }
    QString sql = parts.isEmpty() ? QStringLiteral("0 = 1") : parts.join(QStringLiteral(" OR "));
    if (node.negated)
        sql = QStringLiteral("NOT (%1)").arg(sql);
    return Expr{QStringLiteral("(%1)").arg(sql), ValueType::Bool, {}, {}};
}

Result<QueryBuilder::Expr> QueryBuilder::timespanOperand(const WhereNode& node, int depth)
{
    if (node.kind == WhereNode::Kind::Tuple) {
        if (node.children.size() != 2)
            return at(node, QStringLiteral("a timespan is a pair (begin, end)"));
        BUTLER_ASSIGN_OR_RETURN(Expr b, compile(*node.children[0], depth + 1));
        BUTLER_ASSIGN_OR_RETURN(Expr e, compile(*node.children[1], depth + 1));
        if ((b.type != ValueType::Time && b.type != ValueType::Null) ||
            (e.type != ValueType::Time && e.type != ValueType::Null))
            return at(node, QStringLiteral("a timespan pair needs two times"));
        return Expr{b.sql, ValueType::Timespan, e.sql, {}};
    }
    BUTLER_ASSIGN_OR_RETURN(Expr x, compile(node, depth + 1));
    if (x.type == ValueType::Timespan)
        return x;
    if (x.type == ValueType::Time) {
        // An instant is the timespan [t, t + 1 ns); the end repeats the begin's binds.
        const int n = int(x.sql.count(QLatin1Char('?')));
        m_pendingBinds.append(m_pendingBinds.mid(m_pendingBinds.size() - n));
        return Expr{x.sql, ValueType::Timespan, QStringLiteral("(%1 + 1)").arg(x.sql), {}};
    }
    return at(node, QStringLiteral("OVERLAPS needs timespans or times, not a %1").arg(typeName(x.type)));
}

Result<QueryBuilder::Expr> QueryBuilder::compileOverlaps(const WhereNode& node, int depth)
{
    // Each operand's SQL may appear twice; bind values are repeated in the same order.
    const QVariantList before = m_pendingBinds;
    BUTLER_ASSIGN_OR_RETURN(Expr a, timespanOperand(*node.children[0], depth + 1));
    const QVariantList aBinds = m_pendingBinds.mid(before.size());
    m_pendingBinds = before;
    BUTLER_ASSIGN_OR_RETURN(Expr b, timespanOperand(*node.children[1], depth + 1));
    const QVariantList bBinds = m_pendingBinds.mid(before.size());
    m_pendingBinds = before;
    // Split operand binds into begin and end parts by counting placeholders.
    auto split = [](const Expr& e, const QVariantList& binds) {
        const int nb = int(e.sql.count(QLatin1Char('?')));
        return std::make_pair(binds.mid(0, nb), binds.mid(nb));
    };
    const auto [aBegin, aEnd] = split(a, aBinds);
    const auto [bBegin, bEnd] = split(b, bBinds);
    // Half-open: [a0, a1) and [b0, b1) overlap when a0 < b1 and b0 < a1.
    m_pendingBinds.append(aBegin);
    m_pendingBinds.append(bEnd);
    m_pendingBinds.append(bBegin);
    m_pendingBinds.append(aEnd);
    return Expr{
        QStringLiteral("(%1 < %2 AND %3 < %4)").arg(a.sql, b.end, b.sql, a.end), ValueType::Bool, {}, {}};
}

Result<QueryBuilder::OrderTerm> QueryBuilder::orderTerm(const QString& spec)
{
    QString s = spec.trimmed();
    bool desc = false;
    if (s.startsWith(QLatin1Char('-'))) {
        desc = true;
        s = s.mid(1);
    }
    if (s.isEmpty())
        return invalidInput(QStringLiteral("empty --order-by term"));
    auto expr = identifier(s.split(QLatin1Char('.')), 0);
    if (!expr)
        return invalidInput(QStringLiteral("cannot order by '%1': %2").arg(spec, expr.error().message()));
    if (expr->type == ValueType::Timespan)
        return OrderTerm{expr->sql, desc};
    return OrderTerm{expr->sql, desc};
}

void QueryBuilder::addKeysetCondition(const QList<OrderTerm>& terms, const QVariantList& lastValues)
{
    const auto [sql, binds] = keysetCondition(terms, lastValues);
    addCondition(sql, binds);
}

std::pair<QString, QVariantList> QueryBuilder::keysetCondition(const QList<OrderTerm>& terms,
                                                               const QVariantList& lastValues)
{
    // (t1 after v1) OR (t1 = v1 AND t2 after v2) OR ...: rows strictly after the last one
    // delivered. NULL is the smallest value (first ascending, last descending), and a NULL key
    // needs IS NULL / IS NOT NULL, as comparisons with NULL are never true.
    if (terms.isEmpty() || lastValues.isEmpty())
        return {QStringLiteral("1 = 1"), {}};
    // All ascending after a row without NULLs: one row-value comparison says the same (a NULL
    // sorts first, and comparing it yields NULL, i.e. "before"), and the database seeks to it in
    // an index instead of scanning every earlier row, so deep pages cost what the first does.
    const bool ascending =
        std::none_of(terms.begin(), terms.end(), [](const OrderTerm& t) { return t.descending; });
    const bool noNulls =
        std::none_of(lastValues.begin(), lastValues.end(), [](const QVariant& v) { return v.isNull(); });
    if (ascending && noNulls && lastValues.size() >= terms.size()) {
        QStringList columns;
        QStringList marks;
        for (const OrderTerm& term : terms) {
            columns << term.sql;
            marks << QStringLiteral("?");
        }
        if (terms.size() == 1)
            return {QStringLiteral("%1 > ?").arg(columns.first()), {lastValues.first()}};
        return {QStringLiteral("(%1) > (%2)")
                    .arg(columns.join(QStringLiteral(", ")), marks.join(QStringLiteral(", "))),
                lastValues.mid(0, terms.size())};
    }
    QStringList ors;
    QVariantList binds;
    for (int i = 0; i < terms.size() && i < lastValues.size(); ++i) {
        const QVariant& last = lastValues[i];
        const QString& col = terms[i].sql;
        QString after;
        QVariantList afterBinds;
        if (last.isNull()) {
            if (terms[i].descending)
                continue; // nothing sorts after NULL descending
            after = QStringLiteral("%1 IS NOT NULL").arg(col);
        } else if (terms[i].descending) {
            after = QStringLiteral("(%1 < ? OR %1 IS NULL)").arg(col);
            afterBinds << last;
        } else {
            after = QStringLiteral("%1 > ?").arg(col);
            afterBinds << last;
        }
        QStringList ands;
        for (int j = 0; j < i; ++j) {
            if (lastValues[j].isNull()) {
                ands << QStringLiteral("%1 IS NULL").arg(terms[j].sql);
            } else {
                ands << QStringLiteral("%1 = ?").arg(terms[j].sql);
                binds << lastValues[j];
            }
        }
        ands << after;
        binds << afterBinds;
        ors << QLatin1Char('(') + ands.join(QStringLiteral(" AND ")) + QLatin1Char(')');
    }
    if (ors.isEmpty())
        return {QStringLiteral("0 = 1"), {}}; // the last row had NULLs descending: nothing follows
    return {ors.join(QStringLiteral(" OR ")), binds};
}

QString QueryBuilder::orderBySql(const OrderTerm& term)
{
    return term.sql + (term.descending ? QStringLiteral(" DESC NULLS LAST") : QStringLiteral(" NULLS FIRST"));
}

bool QueryBuilder::mayDuplicate() const
{
    for (auto it = m_elementAliases.begin(); it != m_elementAliases.end(); ++it) {
        const DimensionElement* e = m_universe.element(it.key());
        if (e && !e->isDimension())
            return true;
    }
    return false;
}

QString QueryBuilder::fromSql() const
{
    return m_baseSql + m_joins.join(QString());
}

QString QueryBuilder::whereSql() const
{
    return m_conditions.isEmpty() ? QString()
                                  : QStringLiteral(" WHERE ") + m_conditions.join(QStringLiteral(" AND "));
}

} // namespace butler
