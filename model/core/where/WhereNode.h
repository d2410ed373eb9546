#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <memory>

namespace butler {

// A node of a parsed where-expression. The tree is immutable once parsed and shared.
struct WhereNode
{
    enum class Kind
    {
        Or,         // children: 2 operands
        And,        // children: 2 operands
        Not,        // children: 1 operand
        Compare,    // op: = != < <= > >=; children: lhs, rhs
        Arithmetic, // op: + - * / %; children: lhs, rhs
        Negate,     // unary minus; children: 1 operand
        In,         // negated for NOT IN; children[0]: lhs, children[1..]: items (values, Range, Bind)
        Overlaps,   // children: lhs, rhs (identifier timespans, Tuple pairs, binds, time literals)
        Identifier, // parts: ["visit"], ["exposure", "exposure_time"], ["visit", "timespan", "begin"]
        Bind,       // text: the bind name without ':'
        String,     // text: the value, quotes removed and escapes resolved
        Integer,    // intValue
        Float,      // floatValue
        Time,       // intValue: TAI ns (see TaiTime); text: the literal as written
        Uuid,       // text: canonical lower-case UUID
        Boolean,    // intValue: 0 or 1 (TRUE/FALSE keywords)
        Range,      // a..b:s; rangeStart, rangeStop (inclusive), rangeStride (default 1)
        Tuple,      // (a, b): a timespan pair; children: 2 items
    };

    Kind kind;
    int position = 0; // 0-based character offset of the node in the expression
    QString op;
    QString text;
    QStringList parts;
    qint64 intValue = 0;
    double floatValue = 0;
    qint64 rangeStart = 0;
    qint64 rangeStop = 0;
    qint64 rangeStride = 1;
    bool negated = false;
    QList<std::shared_ptr<const WhereNode>> children;

    // A normalized text of the subtree, for tests and error messages.
    QString toString() const;
};

using WhereNodePtr = std::shared_ptr<const WhereNode>;

} // namespace butler
