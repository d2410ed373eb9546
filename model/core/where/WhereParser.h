#pragma once

#include "Result.h"
#include "WhereLexer.h"
#include "WhereNode.h"

#include <QList>
#include <QString>

namespace butler {

// Parses the butler query language (daf_butler's where-expressions) into a WhereNode tree.
//
// A hand-written recursive-descent parser. Precedence, loosest first: OR, AND, NOT, comparisons
// and OVERLAPS (not chainable), IN / NOT IN, + -, * / %, unary minus. Node positions: the operator
// for binary nodes, IN and OVERLAPS; the keyword or sign for NOT and unary minus; '(' for a
// Tuple; the first character for leaves (the sign for a negative number, 'UUID' for a UUID).
//
// Errors are InvalidInput and name the 1-based column ("at column 17", or "at line 2, column 5"
// for a multi-line expression) and what was expected.
class WhereParser
{
public:
    // Guards against hostile or runaway input. The depth limit is checked during descent, so
    // deep nesting fails cleanly whatever the length limit is.
    struct Limits
    {
        int maxLength = 20000; // characters
        int maxDepth = 100;    // nested parentheses, NOT and unary signs
        int maxTerms = 5000;   // leaves: identifiers, binds, literals, ranges
    };

    // An empty or whitespace-only expression gives a null pointer: no constraint. (Overloads
    // rather than "limits = {}": g++ rejects a default argument built from a nested struct's
    // member initializers inside the enclosing class.)
    static Result<WhereNodePtr> parse(const QString& expression);
    static Result<WhereNodePtr> parse(const QString& expression, const Limits& limits);
    // The same, also reporting the 0-based position of the error (for caretLine()).
    static Result<WhereNodePtr> parse(const QString& expression, const Limits& limits, int* errorPosition);

    // Two lines: the line of the expression holding `position`, and a '^' under that position.
    static QString caretLine(const QString& expression, int position);

private:
    using Token = WhereLexer::Token;
    using Type = WhereLexer::Token::Type;

    WhereParser(const QString& expression, const Limits& limits, QList<Token> tokens);

    Result<WhereNodePtr> parseExpression();
    Result<WhereNodePtr> parseOr();
    Result<WhereNodePtr> parseAnd();
    Result<WhereNodePtr> parseNot();
    Result<WhereNodePtr> parseComparison();
    Result<WhereNodePtr> parseIn();
    Result<WhereNodePtr> parseAdditive();
    Result<WhereNodePtr> parseMultiplicative();
    Result<WhereNodePtr> parseUnary();
    Result<WhereNodePtr> parsePrimary();
    Result<WhereNodePtr> parseParenthesized();
    Result<WhereNodePtr> parseInItem();
    // Takes the number token; with allowRange, also a following "..stop[:stride]".
    Result<WhereNodePtr> parseNumber(int signPosition, bool negative, bool allowRange);
    Result<WhereNodePtr> parseLiteral();
    Result<WhereNodePtr> parseUuid();
    Result<qint64> parseRangeBound(const QString& what);
    Result<qint64> integerValue(const Token& token, bool negative, int position);

    const Token& peek(int ahead = 0) const;
    const Token& take();
    bool isNext(Type type) const { return peek().type == type; }
    bool startsUuid() const;

    // Nesting is tracked during descent so that "((((..." fails before the stack runs out.
    Status enter(int position);
    void leave() { --m_depth; }
    Status countTerm(int position);
    Error fail(int position, const QString& message);
    Error expectedExpression();
    Error unclosed(const Token& open, const QString& expected);
    QString at(int position) const; // "at column 5"
    QString found() const;          // the next token, described

    const QString& m_expression;
    Limits m_limits;
    QList<Token> m_tokens;
    int m_index = 0;
    int m_depth = 0;
    int m_terms = 0;
    int m_errorPosition = -1;
};

} // namespace butler
