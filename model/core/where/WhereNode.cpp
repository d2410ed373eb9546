#include "WhereNode.h"

#include <QLocale>

namespace butler {

namespace {

QString quoted(const QString& text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('\'');
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('\''))
            out += QLatin1Char('\\');
        out += c;
    }
    out += QLatin1Char('\'');
    return out;
}

// Shortest round-trip form, always with '.' or an exponent so that it reads back as a float.
QString floatText(double value)
{
    QString text = QString::number(value, 'g', QLocale::FloatingPointShortest);
    if (!text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e')) &&
        !text.contains(QLatin1String("inf")) && !text.contains(QLatin1String("nan")))
        text += QLatin1String(".0");
    return text;
}

void append(QString& out, const WhereNode& node);

void appendChild(QString& out, const WhereNode& node, qsizetype index)
{
    if (index < node.children.size() && node.children.at(index))
        append(out, *node.children.at(index));
    else
        out += QLatin1String("<missing>");
}

void appendBinary(QString& out, const WhereNode& node, const QString& op)
{
    out += QLatin1Char('(');
    appendChild(out, node, 0);
    out += QLatin1Char(' ') + op + QLatin1Char(' ');
    appendChild(out, node, 1);
    out += QLatin1Char(')');
}

void append(QString& out, const WhereNode& node)
{
    using Kind = WhereNode::Kind;
    switch (node.kind) {
    case Kind::Or:
        appendBinary(out, node, QStringLiteral("OR"));
        break;
    case Kind::And:
        appendBinary(out, node, QStringLiteral("AND"));
        break;
    case Kind::Overlaps:
        appendBinary(out, node, QStringLiteral("OVERLAPS"));
        break;
    case Kind::Compare:
    case Kind::Arithmetic:
        appendBinary(out, node, node.op);
        break;
    case Kind::Not:
        out += QLatin1String("(NOT ");
        appendChild(out, node, 0);
        out += QLatin1Char(')');
        break;
    case Kind::Negate:
        out += QLatin1String("(-");
        appendChild(out, node, 0);
        out += QLatin1Char(')');
        break;
    case Kind::In:
        out += QLatin1Char('(');
        appendChild(out, node, 0);
        out += node.negated ? QLatin1String(" NOT IN (") : QLatin1String(" IN (");
        for (qsizetype i = 1; i < node.children.size(); ++i) {
            if (i > 1)
                out += QLatin1String(", ");
            appendChild(out, node, i);
        }
        out += QLatin1String("))");
        break;
    case Kind::Identifier:
        out += node.parts.join(QLatin1Char('.'));
        break;
    case Kind::Bind:
        out += QLatin1Char(':') + node.text;
        break;
    case Kind::String:
        out += quoted(node.text);
        break;
    case Kind::Integer:
        out += QString::number(node.intValue);
        break;
    case Kind::Float:
        out += floatText(node.floatValue);
        break;
    case Kind::Time:
        out += QLatin1Char('T') + quoted(node.text);
        break;
    case Kind::Uuid:
        out += QLatin1String("UUID(") + quoted(node.text) + QLatin1Char(')');
        break;
    case Kind::Boolean:
        out += node.intValue ? QLatin1String("TRUE") : QLatin1String("FALSE");
        break;
    case Kind::Range:
        out += QString::number(node.rangeStart) + QLatin1String("..") + QString::number(node.rangeStop);
        if (node.rangeStride != 1)
            out += QLatin1Char(':') + QString::number(node.rangeStride);
        break;
    case Kind::Tuple:
        out += QLatin1Char('(');
        appendChild(out, node, 0);
        out += QLatin1String(", ");
        appendChild(out, node, 1);
        out += QLatin1Char(')');
        break;
    }
}

} // namespace

QString WhereNode::toString() const
{
    QString out;
    append(out, *this);
    return out;
}

} // namespace butler
