#include "Glob.h"

#include <QStringList>

namespace butler {

namespace {

QString describe(const QString& pattern)
{
    return QStringLiteral("invalid glob \"%1\"").arg(pattern);
}

} // namespace

bool Glob::Token::matches(char32_t c) const
{
    switch (kind) {
    case Kind::Literal:
        return c == ch;
    case Kind::AnyChar:
        return true;
    case Kind::AnyRun:
        return false;
    case Kind::Class:
        break;
    }
    bool inClass = false;
    for (const Range& range : ranges) {
        if (range.first <= c && c <= range.last) {
            inClass = true;
            break;
        }
    }
    return inClass != negated;
}

Result<Glob> Glob::compile(const QString& pattern)
{
    if (pattern.isEmpty())
        return invalidInput(QStringLiteral("empty glob: give a name or a pattern such as 'run*'"));
    // Code points, not UTF-16 units, so that '?' matches one character outside the BMP too.
    const QList<uint> chars = pattern.toUcs4();
    const qsizetype n = chars.size();

    Glob glob;
    glob.m_pattern = pattern;
    for (qsizetype i = 0; i < n; ++i) {
        const char32_t c = chars[i];
        Token token;
        if (c == U'\\') {
            if (i + 1 == n)
                return invalidInput(describe(pattern) + QStringLiteral(": it ends with an escape '\\'"));
            token.ch = chars[++i];
            glob.m_literal = false;
        } else if (c == U'*') {
            glob.m_literal = false;
            // A run of stars means the same as one.
            if (!glob.m_tokens.isEmpty() && glob.m_tokens.back().kind == Token::Kind::AnyRun)
                continue;
            token.kind = Token::Kind::AnyRun;
        } else if (c == U'?') {
            token.kind = Token::Kind::AnyChar;
            glob.m_literal = false;
        } else if (c == U'[') {
            const qsizetype open = i;
            token.kind = Token::Kind::Class;
            glob.m_literal = false;
            qsizetype j = i + 1;
            if (j < n && (chars[j] == U'!' || chars[j] == U'^')) {
                token.negated = true;
                ++j;
            }
            bool closed = false;
            bool first = true;
            while (j < n) {
                char32_t lo = chars[j];
                // ']' right after '[' or '[!' is a member, as in the shell.
                if (lo == U']' && !first) {
                    closed = true;
                    break;
                }
                first = false;
                if (lo == U'\\') {
                    if (++j == n)
                        break;
                    lo = chars[j];
                }
                ++j;
                char32_t hi = lo;
                if (j + 1 < n && chars[j] == U'-' && chars[j + 1] != U']') {
                    j += 1;
                    if (chars[j] == U'\\') {
                        if (++j == n)
                            break;
                    }
                    hi = chars[j++];
                    if (hi < lo)
                        return invalidInput(describe(pattern) +
                                            QStringLiteral(": the range '%1-%2' is backwards")
                                                .arg(QString::fromUcs4(&lo, 1), QString::fromUcs4(&hi, 1)));
                }
                token.ranges.append(Range{lo, hi});
            }
            if (!closed)
                return invalidInput(describe(pattern) +
                                    QStringLiteral(": the '[' at position %1 has no closing ']' "
                                                   "(write '\\[' for a literal '[')")
                                        .arg(open + 1));
            i = j;
        } else {
            token.ch = c;
        }
        glob.m_tokens.append(std::move(token));
    }
    return glob;
}

bool Glob::matches(const QString& name) const
{
    const QList<uint> text = name.toUcs4();
    const qsizetype n = text.size();
    const qsizetype m = m_tokens.size();
    // Two pointers plus the position of the last '*': on a mismatch, let that star absorb one
    // more character and retry. Earlier stars never need revisiting, so this is O(n × m).
    qsizetype p = 0;
    qsizetype s = 0;
    qsizetype starToken = -1;
    qsizetype starText = 0;
    while (s < n) {
        if (p < m && m_tokens[p].kind == Token::Kind::AnyRun) {
            starToken = p++;
            starText = s;
        } else if (p < m && m_tokens[p].matches(text[s])) {
            ++p;
            ++s;
        } else if (starToken >= 0) {
            p = starToken + 1;
            s = ++starText;
        } else {
            return false;
        }
    }
    while (p < m && m_tokens[p].kind == Token::Kind::AnyRun)
        ++p;
    return p == m;
}

std::optional<QString> Glob::toSqlLike() const
{
    QString like;
    for (const Token& token : m_tokens) {
        switch (token.kind) {
        case Token::Kind::Literal:
            if (token.ch == U'%' || token.ch == U'_' || token.ch == U'\\')
                like += u'\\';
            like += QString::fromUcs4(&token.ch, 1);
            break;
        case Token::Kind::AnyChar:
            like += u'_';
            break;
        case Token::Kind::AnyRun:
            like += u'%';
            break;
        case Token::Kind::Class:
            return std::nullopt;
        }
    }
    return like;
}

} // namespace butler
