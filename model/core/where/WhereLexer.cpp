#include "WhereLexer.h"

namespace butler {

namespace {

using Type = WhereLexer::Token::Type;

constexpr int maxIdentifierParts = 3; // dimension, field, timespan bound
constexpr int maxDescribedLength = 40;

bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}
bool isIdentifierStart(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}
bool isIdentifierChar(char16_t c)
{
    return isIdentifierStart(c) || isDigit(c);
}

Type keywordType(const QString& word, bool* isKeyword)
{
    static const struct
    {
        const char* name;
        Type type;
    } keywords[] = {
        {"AND", Type::And},           {"OR", Type::Or},     {"NOT", Type::Not},     {"IN", Type::In},
        {"OVERLAPS", Type::Overlaps}, {"TRUE", Type::True}, {"FALSE", Type::False},
    };
    for (const auto& keyword : keywords) {
        if (word.compare(QLatin1String(keyword.name), Qt::CaseInsensitive) == 0) {
            *isKeyword = true;
            return keyword.type;
        }
    }
    *isKeyword = false;
    return Type::Identifier;
}

QString describeCharacter(char16_t c)
{
    const QChar ch(c);
    if (ch.isPrint() && !ch.isSpace())
        return QStringLiteral("'%1'").arg(ch);
    return QStringLiteral("U+%1").arg(int(c), 4, 16, QLatin1Char('0')).toUpper();
}

// Reads a quoted body starting at the quote at `quote`. Backslash escapes \' \" and \\ stand for
// the character; any other backslash is kept as written (daf_butler has no escapes at all, so
// 'C:\data' must keep meaning what it says). Returns false when the closing quote is missing.
bool readQuoted(const QString& expression, qsizetype quote, QString* body, qsizetype* end)
{
    const char16_t delimiter = expression.at(quote).unicode();
    body->clear();
    for (qsizetype i = quote + 1; i < expression.size(); ++i) {
        const char16_t c = expression.at(i).unicode();
        if (c == u'\\' && i + 1 < expression.size()) {
            const char16_t next = expression.at(i + 1).unicode();
            if (next == u'\'' || next == u'"' || next == u'\\') {
                body->append(QChar(next));
                ++i;
                continue;
            }
        }
        if (c == delimiter) {
            *end = i + 1;
            return true;
        }
        body->append(QChar(c));
    }
    return false;
}

} // namespace

Result<QList<WhereLexer::Token>> WhereLexer::tokenize(const QString& expression, int* errorPosition)
{
    const qsizetype n = expression.size();
    const auto at = [&](qsizetype k) -> char16_t { return k < n ? expression.at(k).unicode() : u'\0'; };
    const auto fail = [&](qsizetype position, const QString& message) -> Error {
        if (errorPosition)
            *errorPosition = int(position);
        return invalidInput(message);
    };

    QList<Token> tokens;
    qsizetype i = 0;
    while (true) {
        while (i < n && expression.at(i).isSpace())
            ++i;
        if (i >= n)
            break;

        const qsizetype start = i;
        const char16_t c = at(i);
        Token token;
        token.position = int(start);

        if ((c == u'T' || c == u't') && (at(i + 1) == u'\'' || at(i + 1) == u'"')) {
            if (!readQuoted(expression, i + 1, &token.text, &i))
                return fail(start, QStringLiteral("unterminated time literal starting at %1")
                                       .arg(location(expression, int(start))));
            token.type = Type::Time;
        } else if (c == u'\'' || c == u'"') {
            if (!readQuoted(expression, i, &token.text, &i))
                return fail(start, QStringLiteral("unterminated string starting at %1")
                                       .arg(location(expression, int(start))));
            token.type = Type::String;
        } else if (isDigit(c) || (c == u'.' && isDigit(at(i + 1)))) {
            bool isFloat = false;
            while (isDigit(at(i)))
                ++i;
            // "1..5" is a range, so a dot followed by a dot ends the integer.
            if (at(i) == u'.' && at(i + 1) != u'.') {
                isFloat = true;
                ++i;
                while (isDigit(at(i)))
                    ++i;
            }
            if (at(i) == u'e' || at(i) == u'E') {
                qsizetype k = i + 1;
                if (at(k) == u'+' || at(k) == u'-')
                    ++k;
                if (isDigit(at(k))) {
                    isFloat = true;
                    i = k;
                    while (isDigit(at(i)))
                        ++i;
                }
            }
            if (isIdentifierChar(at(i))) {
                while (isIdentifierChar(at(i)) || at(i) == u'.')
                    ++i;
                return fail(start,
                            QStringLiteral("malformed number '%1' at %2")
                                .arg(expression.mid(start, i - start), location(expression, int(start))));
            }
            token.type = isFloat ? Type::Float : Type::Integer;
            token.text = expression.mid(start, i - start);
        } else if (isIdentifierStart(c)) {
            while (isIdentifierChar(at(i)))
                ++i;
            while (at(i) == u'.' && isIdentifierStart(at(i + 1))) {
                i += 2;
                while (isIdentifierChar(at(i)))
                    ++i;
            }
            token.text = expression.mid(start, i - start);
            token.parts = token.text.split(QLatin1Char('.'));
            if (token.parts.size() > maxIdentifierParts)
                return fail(start, QStringLiteral("identifier '%1' at %2 has more than %3 parts")
                                       .arg(token.text, location(expression, int(start)))
                                       .arg(maxIdentifierParts));
            bool isKeyword = false;
            token.type = token.parts.size() == 1 ? keywordType(token.text, &isKeyword) : Type::Identifier;
            if (isKeyword)
                token.parts.clear();
        } else if (c == u':' && isIdentifierStart(at(i + 1))) {
            ++i;
            while (isIdentifierChar(at(i)))
                ++i;
            token.type = Type::Bind;
            token.text = expression.mid(start + 1, i - start - 1);
        } else {
            const char16_t next = at(i + 1);
            qsizetype width = 1;
            switch (c) {
            case u'(':
                token.type = Type::LParen;
                break;
            case u')':
                token.type = Type::RParen;
                break;
            case u',':
                token.type = Type::Comma;
                break;
            case u':':
                token.type = Type::Colon;
                break;
            case u'+':
                token.type = Type::Plus;
                break;
            case u'-':
                token.type = Type::Minus;
                break;
            case u'*':
                token.type = Type::Star;
                break;
            case u'/':
                token.type = Type::Slash;
                break;
            case u'%':
                token.type = Type::Percent;
                break;
            case u'.':
                if (next != u'.')
                    return fail(start,
                                QStringLiteral("unexpected '.' at %1").arg(location(expression, int(start))));
                token.type = Type::DotDot;
                width = 2;
                break;
            case u'=':
                if (next == u'=')
                    return fail(start, QStringLiteral("unexpected '==' at %1; use '=' to compare")
                                           .arg(location(expression, int(start))));
                token.type = Type::Eq;
                break;
            case u'!':
                if (next != u'=')
                    return fail(start,
                                QStringLiteral("unexpected '!' at %1; use '!=' to compare or NOT to negate")
                                    .arg(location(expression, int(start))));
                token.type = Type::Ne;
                width = 2;
                break;
            case u'<':
                token.type = next == u'=' ? Type::Le : next == u'>' ? Type::Ne : Type::Lt;
                width = (next == u'=' || next == u'>') ? 2 : 1;
                break;
            case u'>':
                token.type = next == u'=' ? Type::Ge : Type::Gt;
                width = next == u'=' ? 2 : 1;
                break;
            case u'&':
                return fail(
                    start,
                    QStringLiteral("unexpected '&' at %1; use AND").arg(location(expression, int(start))));
            case u'|':
                return fail(
                    start,
                    QStringLiteral("unexpected '|' at %1; use OR").arg(location(expression, int(start))));
            default:
                return fail(start, QStringLiteral("unexpected character %1 at %2")
                                       .arg(describeCharacter(c), location(expression, int(start))));
            }
            i += width;
        }
        token.length = int(i - start);
        tokens.append(std::move(token));
    }

    Token end;
    end.type = Type::End;
    end.position = int(n);
    tokens.append(std::move(end));
    return tokens;
}

QString WhereLexer::location(const QString& expression, int position)
{
    if (!expression.contains(QLatin1Char('\n')))
        return QStringLiteral("column %1").arg(position + 1);
    int line = 1;
    int lineStart = 0;
    for (int k = 0; k < position && k < expression.size(); ++k) {
        if (expression.at(k) == QLatin1Char('\n')) {
            ++line;
            lineStart = k + 1;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(position - lineStart + 1);
}

QString WhereLexer::describe(const QString& expression, const Token& token)
{
    QString raw = expression.mid(token.position, token.length);
    if (raw.size() > maxDescribedLength)
        raw = raw.left(maxDescribedLength) + QStringLiteral("...");
    switch (token.type) {
    case Type::End:
        return QStringLiteral("the end of the expression");
    case Type::Identifier:
        return QStringLiteral("identifier '%1'").arg(raw);
    case Type::Integer:
    case Type::Float:
        return QStringLiteral("number %1").arg(raw);
    case Type::String:
        return QStringLiteral("string %1").arg(raw);
    case Type::Time:
        return QStringLiteral("time literal %1").arg(raw);
    case Type::Bind:
        return QStringLiteral("bind parameter %1").arg(raw);
    default:
        return QStringLiteral("'%1'").arg(raw);
    }
}

} // namespace butler
