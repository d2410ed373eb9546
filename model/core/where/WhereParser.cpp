#include "WhereParser.h"

#include "TaiTime.h"

#include <QUuid>

#include <algorithm>
#include <cmath>
#include <limits>

namespace butler {

namespace {

using Kind = WhereNode::Kind;
using Type = WhereLexer::Token::Type;

std::shared_ptr<WhereNode> makeNode(Kind kind, int position)
{
    auto node = std::make_shared<WhereNode>();
    node->kind = kind;
    node->position = position;
    return node;
}

WhereNodePtr makeBinary(Kind kind, int position, const QString& op, WhereNodePtr lhs, WhereNodePtr rhs)
{
    auto node = makeNode(kind, position);
    node->op = op;
    node->children = {std::move(lhs), std::move(rhs)};
    return node;
}

bool isComparison(Type type)
{
    return type == Type::Eq || type == Type::Ne || type == Type::Lt || type == Type::Le || type == Type::Gt ||
           type == Type::Ge;
}

QString comparisonOp(Type type)
{
    switch (type) {
    case Type::Eq:
        return QStringLiteral("=");
    case Type::Ne:
        return QStringLiteral("!=");
    case Type::Lt:
        return QStringLiteral("<");
    case Type::Le:
        return QStringLiteral("<=");
    case Type::Gt:
        return QStringLiteral(">");
    case Type::Ge:
        return QStringLiteral(">=");
    default:
        return QString();
    }
}

// What may stand for one end of a timespan: the parser cannot know an identifier's or a
// bind's type, so those are left to validation against the universe.
bool isTimeItem(const WhereNode& node)
{
    return node.kind == Kind::Time || node.kind == Kind::Bind || node.kind == Kind::Identifier;
}

bool isTimespanOperand(const WhereNode& node)
{
    return isTimeItem(node) || node.kind == Kind::Tuple;
}

// QUuid::fromString ignores trailing characters, so the literal must read back unchanged.
QString canonicalUuid(const QString& text)
{
    QString bare = text;
    if (bare.startsWith(QLatin1Char('{')) && bare.endsWith(QLatin1Char('}')))
        bare = bare.mid(1, bare.size() - 2);
    const QString canonical = QUuid::fromString(bare).toString(QUuid::WithoutBraces);
    return canonical == bare.toLower() ? canonical : QString();
}

} // namespace

WhereParser::WhereParser(const QString& expression, const Limits& limits, QList<Token> tokens)
    : m_expression(expression)
    , m_limits(limits)
    , m_tokens(std::move(tokens))
{
}

Result<WhereNodePtr> WhereParser::parse(const QString& expression)
{
    return parse(expression, Limits(), nullptr);
}

Result<WhereNodePtr> WhereParser::parse(const QString& expression, const Limits& limits)
{
    return parse(expression, limits, nullptr);
}

Result<WhereNodePtr> WhereParser::parse(const QString& expression, const Limits& limits, int* errorPosition)
{
    if (errorPosition)
        *errorPosition = -1;
    if (expression.size() > limits.maxLength) {
        if (errorPosition)
            *errorPosition = limits.maxLength;
        return invalidInput(
            QStringLiteral("expression is %1 characters long, more than the length limit of %2")
                .arg(expression.size())
                .arg(limits.maxLength));
    }
    if (expression.trimmed().isEmpty())
        return WhereNodePtr();

    BUTLER_ASSIGN_OR_RETURN(QList<Token> tokens, WhereLexer::tokenize(expression, errorPosition));
    WhereParser parser(expression, limits, std::move(tokens));
    Result<WhereNodePtr> result = parser.parseExpression();
    if (result.ok() && !parser.isNext(Type::End)) {
        const int position = parser.peek().position;
        if (parser.isNext(Type::RParen))
            result = parser.fail(
                position, QStringLiteral("unexpected ')' %1 with no '(' to close").arg(parser.at(position)));
        else
            result = parser.fail(
                position, QStringLiteral("unexpected %1 %2; expected AND, OR or the end of the expression")
                              .arg(parser.found(), parser.at(position)));
    }
    if (!result.ok() && errorPosition)
        *errorPosition = parser.m_errorPosition;
    return result;
}

QString WhereParser::caretLine(const QString& expression, int position)
{
    position = std::clamp(position, 0, int(expression.size()));
    const int lineStart =
        position == 0 ? 0 : int(expression.lastIndexOf(QLatin1Char('\n'), position - 1)) + 1;
    qsizetype lineEnd = expression.indexOf(QLatin1Char('\n'), position);
    if (lineEnd < 0)
        lineEnd = expression.size();
    QString line = expression.mid(lineStart, lineEnd - lineStart);
    // A tab would shift the caret by a terminal-dependent amount.
    line.replace(QLatin1Char('\t'), QLatin1Char(' '));
    line.replace(QLatin1Char('\r'), QLatin1Char(' '));
    return line + QLatin1Char('\n') + QString(position - lineStart, QLatin1Char(' ')) + QLatin1Char('^');
}

Result<WhereNodePtr> WhereParser::parseExpression()
{
    return parseOr();
}

Result<WhereNodePtr> WhereParser::parseOr()
{
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr lhs, parseAnd());
    while (isNext(Type::Or)) {
        const int position = take().position;
        BUTLER_ASSIGN_OR_RETURN(WhereNodePtr rhs, parseAnd());
        lhs = makeBinary(Kind::Or, position, QStringLiteral("OR"), std::move(lhs), std::move(rhs));
    }
    return lhs;
}

Result<WhereNodePtr> WhereParser::parseAnd()
{
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr lhs, parseNot());
    while (isNext(Type::And)) {
        const int position = take().position;
        BUTLER_ASSIGN_OR_RETURN(WhereNodePtr rhs, parseNot());
        lhs = makeBinary(Kind::And, position, QStringLiteral("AND"), std::move(lhs), std::move(rhs));
    }
    return lhs;
}

Result<WhereNodePtr> WhereParser::parseNot()
{
    if (!isNext(Type::Not))
        return parseComparison();
    const int position = take().position;
    BUTLER_TRY(enter(position));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr operand, parseNot());
    leave();
    auto node = makeNode(Kind::Not, position);
    node->op = QStringLiteral("NOT");
    node->children = {std::move(operand)};
    return WhereNodePtr(std::move(node));
}

Result<WhereNodePtr> WhereParser::parseComparison()
{
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr lhs, parseIn());
    const Type type = peek().type;
    if (!isComparison(type) && type != Type::Overlaps)
        return lhs;
    const Token& op = take();
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr rhs, parseIn());

    WhereNodePtr node;
    if (op.type == Type::Overlaps) {
        const QString timespan =
            QStringLiteral("a timespan (an identifier, bind parameter, time literal or (begin, end) pair)");
        if (!isTimespanOperand(*lhs))
            return fail(lhs->position,
                        QStringLiteral("expected %1 before OVERLAPS %2").arg(timespan, at(lhs->position)));
        if (!isTimespanOperand(*rhs))
            return fail(rhs->position,
                        QStringLiteral("expected %1 after OVERLAPS %2").arg(timespan, at(rhs->position)));
        node = makeBinary(Kind::Overlaps, op.position, QStringLiteral("OVERLAPS"), std::move(lhs),
                          std::move(rhs));
    } else {
        node = makeBinary(Kind::Compare, op.position, comparisonOp(op.type), std::move(lhs), std::move(rhs));
    }

    if (isComparison(peek().type) || isNext(Type::Overlaps))
        return fail(peek().position,
                    QStringLiteral("unexpected %1 %2; comparisons cannot be chained, combine them with AND")
                        .arg(found(), at(peek().position)));
    return node;
}

Result<WhereNodePtr> WhereParser::parseIn()
{
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr lhs, parseAdditive());
    const int position = peek().position;
    bool negated = false;
    if (isNext(Type::Not)) {
        if (peek(1).type != Type::In)
            return fail(peek(1).position,
                        QStringLiteral("expected IN after NOT %1, found %2")
                            .arg(at(peek(1).position), WhereLexer::describe(m_expression, peek(1))));
        take();
        negated = true;
    } else if (!isNext(Type::In)) {
        return lhs;
    }
    take();
    if (!isNext(Type::LParen))
        return fail(peek().position,
                    QStringLiteral("expected '(' after IN %1, found %2").arg(at(peek().position), found()));
    const Token& open = take();

    auto node = makeNode(Kind::In, position);
    node->negated = negated;
    node->op = negated ? QStringLiteral("NOT IN") : QStringLiteral("IN");
    node->children.append(std::move(lhs));
    while (true) {
        if (isNext(Type::RParen) && node->children.size() == 1)
            return fail(
                peek().position,
                QStringLiteral("expected at least one item in the IN list %1").arg(at(peek().position)));
        BUTLER_ASSIGN_OR_RETURN(WhereNodePtr item, parseInItem());
        node->children.append(std::move(item));
        if (isNext(Type::Comma)) {
            take();
            continue;
        }
        if (!isNext(Type::RParen))
            return unclosed(open, QStringLiteral("',' or ')'"));
        take();
        break;
    }
    return WhereNodePtr(std::move(node));
}

Result<WhereNodePtr> WhereParser::parseInItem()
{
    const Token& token = peek();
    switch (token.type) {
    case Type::Bind: {
        take();
        BUTLER_TRY(countTerm(token.position));
        auto node = makeNode(Kind::Bind, token.position);
        node->text = token.text;
        return WhereNodePtr(std::move(node));
    }
    case Type::Minus:
    case Type::Plus:
        if (peek(1).type == Type::Integer || peek(1).type == Type::Float) {
            take();
            return parseNumber(token.position, token.type == Type::Minus, true);
        }
        break;
    case Type::Integer:
    case Type::Float:
        return parseNumber(token.position, false, true);
    case Type::String:
    case Type::Time:
    case Type::True:
    case Type::False:
        return parseLiteral();
    case Type::Identifier:
        if (startsUuid())
            return parseUuid();
        break;
    default:
        break;
    }
    return fail(token.position,
                QStringLiteral("expected a literal, range or bind parameter in the IN list %1, found %2")
                    .arg(at(token.position), found()));
}

Result<WhereNodePtr> WhereParser::parseAdditive()
{
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr lhs, parseMultiplicative());
    while (isNext(Type::Plus) || isNext(Type::Minus)) {
        const Token& op = take();
        BUTLER_ASSIGN_OR_RETURN(WhereNodePtr rhs, parseMultiplicative());
        lhs = makeBinary(Kind::Arithmetic, op.position,
                         op.type == Type::Plus ? QStringLiteral("+") : QStringLiteral("-"), std::move(lhs),
                         std::move(rhs));
    }
    return lhs;
}

Result<WhereNodePtr> WhereParser::parseMultiplicative()
{
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr lhs, parseUnary());
    while (isNext(Type::Star) || isNext(Type::Slash) || isNext(Type::Percent)) {
        const Token& op = take();
        const QString symbol = op.type == Type::Star    ? QStringLiteral("*")
                               : op.type == Type::Slash ? QStringLiteral("/")
                                                        : QStringLiteral("%");
        BUTLER_ASSIGN_OR_RETURN(WhereNodePtr rhs, parseUnary());
        lhs = makeBinary(Kind::Arithmetic, op.position, symbol, std::move(lhs), std::move(rhs));
    }
    return lhs;
}

Result<WhereNodePtr> WhereParser::parseUnary()
{
    if (!isNext(Type::Minus) && !isNext(Type::Plus))
        return parsePrimary();
    const Token& sign = take();
    const bool negative = sign.type == Type::Minus;
    // A signed number is one literal, so that -9223372036854775808 fits.
    if (isNext(Type::Integer) || isNext(Type::Float))
        return parseNumber(sign.position, negative, false);

    BUTLER_TRY(enter(sign.position));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr operand, parseUnary());
    leave();
    if (!negative)
        return operand;
    if (operand->kind == Kind::Integer || operand->kind == Kind::Float) {
        // "-(5)" folds like "-5", which keeps toString() a fixed point of parsing.
        if (operand->kind == Kind::Integer && operand->intValue == std::numeric_limits<qint64>::min())
            return fail(
                sign.position,
                QStringLiteral("integer literal %1 is out of the 64-bit range").arg(at(sign.position)));
        auto folded = std::make_shared<WhereNode>(*operand);
        folded->position = sign.position;
        folded->intValue = -folded->intValue;
        folded->floatValue = -folded->floatValue;
        return WhereNodePtr(std::move(folded));
    }
    auto node = makeNode(Kind::Negate, sign.position);
    node->op = QStringLiteral("-");
    node->children = {std::move(operand)};
    return WhereNodePtr(std::move(node));
}

Result<WhereNodePtr> WhereParser::parsePrimary()
{
    const Token& token = peek();
    switch (token.type) {
    case Type::LParen:
        return parseParenthesized();
    case Type::Integer:
    case Type::Float:
        return parseNumber(token.position, false, false);
    case Type::String:
    case Type::Time:
    case Type::True:
    case Type::False:
        return parseLiteral();
    case Type::Bind: {
        take();
        BUTLER_TRY(countTerm(token.position));
        auto node = makeNode(Kind::Bind, token.position);
        node->text = token.text;
        return WhereNodePtr(std::move(node));
    }
    case Type::Identifier: {
        if (startsUuid())
            return parseUuid();
        if (peek(1).type == Type::LParen)
            return fail(token.position,
                        QStringLiteral("unknown function '%1' %2; only UUID('...') is supported")
                            .arg(token.text, at(token.position)));
        take();
        BUTLER_TRY(countTerm(token.position));
        auto node = makeNode(Kind::Identifier, token.position);
        node->parts = token.parts;
        return WhereNodePtr(std::move(node));
    }
    case Type::Colon:
        return fail(token.position,
                    QStringLiteral("expected a bind parameter name after ':' %1").arg(at(token.position)));
    default:
        return expectedExpression();
    }
}

Result<WhereNodePtr> WhereParser::parseParenthesized()
{
    const Token& open = take();
    BUTLER_TRY(enter(open.position));
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr first, parseExpression());
    if (!isNext(Type::Comma)) {
        if (!isNext(Type::RParen))
            return unclosed(open, QStringLiteral("')'"));
        take();
        leave();
        return first;
    }

    take();
    BUTLER_ASSIGN_OR_RETURN(WhereNodePtr second, parseExpression());
    for (const WhereNodePtr& item : {first, second}) {
        // NULL is not a keyword (as in daf_butler), so it would otherwise pass as a dimension name.
        if (item->kind == Kind::Identifier && item->parts.size() == 1 &&
            item->parts.front().compare(QLatin1String("NULL"), Qt::CaseInsensitive) == 0)
            return fail(item->position,
                        QStringLiteral("NULL is not supported in a (begin, end) pair %1; bind a "
                                       "timespan with an open end instead")
                            .arg(at(item->position)));
        if (!isTimeItem(*item))
            return fail(item->position,
                        QStringLiteral(
                            "expected a time literal, bind parameter or identifier in a (begin, end) pair %1")
                            .arg(at(item->position)));
    }
    if (isNext(Type::Comma))
        return fail(peek().position,
                    QStringLiteral("unexpected ',' %1; a (begin, end) pair has exactly two items")
                        .arg(at(peek().position)));
    if (!isNext(Type::RParen))
        return unclosed(open, QStringLiteral("')'"));
    take();
    leave();
    auto node = makeNode(Kind::Tuple, open.position);
    node->children = {std::move(first), std::move(second)};
    return WhereNodePtr(std::move(node));
}

Result<WhereNodePtr> WhereParser::parseNumber(int signPosition, bool negative, bool allowRange)
{
    const Token& token = take();
    BUTLER_TRY(countTerm(signPosition));
    auto node = makeNode(token.type == Type::Integer ? Kind::Integer : Kind::Float, signPosition);
    if (token.type == Type::Integer) {
        BUTLER_ASSIGN_OR_RETURN(node->intValue, integerValue(token, negative, signPosition));
    } else {
        bool ok = false;
        const double value = token.text.toDouble(&ok);
        if (!ok || !std::isfinite(value))
            return fail(signPosition,
                        QStringLiteral("number %1 %2 is out of range").arg(token.text, at(signPosition)));
        node->floatValue = negative ? -value : value;
    }
    if (!isNext(Type::DotDot))
        return WhereNodePtr(std::move(node));

    if (!allowRange)
        return fail(signPosition,
                    QStringLiteral("a range is only allowed in an IN list, as in 'x IN (1..10)' %1")
                        .arg(at(signPosition)));
    if (node->kind != Kind::Integer)
        return fail(signPosition, QStringLiteral("range bounds must be integers %1").arg(at(signPosition)));
    take();
    auto range = makeNode(Kind::Range, signPosition);
    range->rangeStart = node->intValue;
    BUTLER_ASSIGN_OR_RETURN(range->rangeStop, parseRangeBound(QStringLiteral("an integer after '..'")));
    if (isNext(Type::Colon)) {
        take();
        const int stridePosition = peek().position;
        BUTLER_ASSIGN_OR_RETURN(range->rangeStride,
                                parseRangeBound(QStringLiteral("an integer stride after ':'")));
        if (range->rangeStride <= 0)
            return fail(stridePosition, QStringLiteral("range stride must be positive %1, found %2")
                                            .arg(at(stridePosition))
                                            .arg(range->rangeStride));
    }
    return WhereNodePtr(std::move(range));
}

Result<qint64> WhereParser::parseRangeBound(const QString& what)
{
    const int position = peek().position;
    bool negative = false;
    if ((isNext(Type::Minus) || isNext(Type::Plus)) && peek(1).type == Type::Integer)
        negative = take().type == Type::Minus;
    if (!isNext(Type::Integer))
        return fail(peek().position,
                    QStringLiteral("expected %1 %2, found %3").arg(what, at(peek().position), found()));
    return integerValue(take(), negative, position);
}

Result<qint64> WhereParser::integerValue(const Token& token, bool negative, int position)
{
    bool ok = false;
    const qint64 value = (negative ? QLatin1Char('-') + token.text : token.text).toLongLong(&ok, 10);
    if (!ok)
        return fail(position, QStringLiteral("integer literal %1%2 %3 is out of the 64-bit range")
                                  .arg(negative ? QStringLiteral("-") : QString(), token.text, at(position)));
    return value;
}

Result<WhereNodePtr> WhereParser::parseLiteral()
{
    const Token& token = take();
    BUTLER_TRY(countTerm(token.position));
    std::shared_ptr<WhereNode> node;
    switch (token.type) {
    case Type::String:
        node = makeNode(Kind::String, token.position);
        node->text = token.text;
        break;
    case Type::Time: {
        const Result<qint64> ns = TaiTime::fromLiteral(token.text);
        if (!ns.ok())
            return fail(token.position, QStringLiteral("invalid time literal %1 %2: %3")
                                            .arg(m_expression.mid(token.position, token.length),
                                                 at(token.position), ns.error().message()));
        node = makeNode(Kind::Time, token.position);
        node->text = token.text;
        node->intValue = ns.value();
        break;
    }
    case Type::True:
    case Type::False:
        node = makeNode(Kind::Boolean, token.position);
        node->intValue = token.type == Type::True ? 1 : 0;
        break;
    default:
        return fail(token.position,
                    QStringLiteral("expected a literal %1, found %2").arg(at(token.position), found()));
    }
    return WhereNodePtr(std::move(node));
}

Result<WhereNodePtr> WhereParser::parseUuid()
{
    const Token& name = take();
    const Token& open = take();
    if (!isNext(Type::String))
        return fail(peek().position, QStringLiteral("expected a quoted UUID in UUID(...) %1, found %2")
                                         .arg(at(peek().position), found()));
    const Token& literal = take();
    const QString uuid = canonicalUuid(literal.text);
    if (uuid.isEmpty())
        return fail(literal.position,
                    QStringLiteral("invalid UUID literal %1 %2")
                        .arg(m_expression.mid(literal.position, literal.length), at(literal.position)));
    if (!isNext(Type::RParen))
        return unclosed(open, QStringLiteral("')'"));
    take();
    BUTLER_TRY(countTerm(name.position));
    auto node = makeNode(Kind::Uuid, name.position);
    node->text = uuid;
    return WhereNodePtr(std::move(node));
}

const WhereLexer::Token& WhereParser::peek(int ahead) const
{
    return m_tokens.at(std::min<qsizetype>(m_index + ahead, m_tokens.size() - 1));
}

const WhereLexer::Token& WhereParser::take()
{
    const Token& token = peek();
    if (m_index < m_tokens.size() - 1)
        ++m_index;
    return token;
}

bool WhereParser::startsUuid() const
{
    const Token& token = peek();
    return token.type == Type::Identifier && token.parts.size() == 1 &&
           token.text.compare(QLatin1String("UUID"), Qt::CaseInsensitive) == 0 &&
           peek(1).type == Type::LParen;
}

Status WhereParser::enter(int position)
{
    if (++m_depth > m_limits.maxDepth)
        return fail(position, QStringLiteral("expression nesting %1 exceeds the depth limit of %2")
                                  .arg(at(position))
                                  .arg(m_limits.maxDepth));
    return {};
}

Status WhereParser::countTerm(int position)
{
    if (++m_terms > m_limits.maxTerms)
        return fail(position, QStringLiteral("expression has more terms than the term limit of %1 (%2)")
                                  .arg(m_limits.maxTerms)
                                  .arg(at(position)));
    return {};
}

Error WhereParser::fail(int position, const QString& message)
{
    m_errorPosition = position;
    return invalidInput(message);
}

Error WhereParser::expectedExpression()
{
    const int position = peek().position;
    if (m_index == 0)
        return fail(position,
                    QStringLiteral("expected an expression %1, found %2").arg(at(position), found()));
    const Token& previous = m_tokens.at(m_index - 1);
    return fail(position,
                QStringLiteral("expected an expression after '%1' %2, found %3")
                    .arg(m_expression.mid(previous.position, previous.length), at(position), found()));
}

Error WhereParser::unclosed(const Token& open, const QString& expected)
{
    const int position = peek().position;
    return fail(position, QStringLiteral("expected %1 to close '(' %2, found %3 %4")
                              .arg(expected, at(open.position), found(), at(position)));
}

QString WhereParser::at(int position) const
{
    return QStringLiteral("at ") + WhereLexer::location(m_expression, position);
}

QString WhereParser::found() const
{
    return WhereLexer::describe(m_expression, peek());
}

} // namespace butler
