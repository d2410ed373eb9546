#include "WhereValidation.h"

#include "DimensionUniverse.h"
#include "WhereLexer.h"
#include "WhereParser.h"

namespace butler {

namespace {

WhereValidation invalid(const QString& expression, int position, const QString& message)
{
    return WhereValidation{
        false, QStringLiteral("%1 at %2").arg(message, WhereLexer::location(expression, position)), position};
}

// The same static rules as the server's QueryBuilder::identifier(), without the joins.
WhereValidation checkIdentifier(const DimensionUniverse& universe, const QString& expression,
                                const WhereNode& node)
{
    const QStringList& parts = node.parts;
    const QString& name = parts.first();
    const DimensionElement* element = universe.element(name);
    if (!element)
        return invalid(expression, node.position,
                       QStringLiteral("unknown dimension or element '%1'").arg(name));
    if (parts.size() == 1) {
        if (!element->isDimension())
            return invalid(expression, node.position,
                           QStringLiteral("'%1' is a dimension element: name one of its fields").arg(name));
        return {};
    }
    const QString& field = parts[1];
    if (field == QLatin1String("timespan")) {
        if (!element->hasTimespan)
            return invalid(expression, node.position, QStringLiteral("'%1' has no timespan").arg(name));
        if (parts.size() == 2 ||
            (parts.size() == 3 && (parts[2] == QLatin1String("begin") || parts[2] == QLatin1String("end"))))
            return {};
        return invalid(expression, node.position, QStringLiteral("a timespan has only 'begin' and 'end'"));
    }
    if (parts.size() > 2)
        return invalid(expression, node.position,
                       QStringLiteral("'%1' has too many parts").arg(parts.join(QLatin1Char('.'))));
    if (element->required.contains(field) || element->implies.contains(field))
        return {};
    const FieldSpec* spec = element->field(field);
    if (!spec || spec->type == FieldType::Hash)
        return invalid(expression, node.position, QStringLiteral("'%1' has no field '%2'").arg(name, field));
    return {};
}

WhereValidation checkTree(const DimensionUniverse& universe, const QString& expression, const WhereNode& node)
{
    if (node.kind == WhereNode::Kind::Identifier)
        return checkIdentifier(universe, expression, node);
    for (const WhereNodePtr& child : node.children) {
        WhereValidation verdict = checkTree(universe, expression, *child);
        if (!verdict.ok)
            return verdict;
    }
    return {};
}

} // namespace

WhereValidation validateWhere(const DimensionUniverse& universe, const QString& expression)
{
    int position = -1;
    const auto parsed = WhereParser::parse(expression, WhereParser::Limits{}, &position);
    if (!parsed)
        return WhereValidation{false, parsed.error().message(), position};
    if (!parsed.value())
        return {};
    return checkTree(universe, expression, *parsed.value());
}

} // namespace butler
