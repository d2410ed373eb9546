#pragma once

#include "Result.h"

#include <QList>
#include <QString>
#include <optional>

namespace butler {

// A shell-style name pattern: '*' any run of characters, '?' one character, '[abc]', '[a-z]'
// and '[!abc]' (or '[^abc]') classes; a backslash makes the next character literal. Every name
// search takes globs, never regular expressions: matching takes at most pattern length × name
// length steps, and no pattern can make it backtrack exponentially.
class Glob
{
public:
    // Fails with InvalidInput for an unterminated '[' class or an empty pattern.
    static Result<Glob> compile(const QString& pattern);

    const QString& pattern() const { return m_pattern; }
    // True when the pattern has no wildcard and no escape: pattern() is exactly the one name
    // it matches.
    bool isLiteral() const { return m_literal; }
    bool matches(const QString& name) const;
    // An SQL LIKE pattern (escape character '\') equivalent to the glob, when one exists
    // (no character classes); the caller still filters with matches() otherwise. SQLite's LIKE
    // ignores ASCII case unless case_sensitive_like is on, so filter there too.
    std::optional<QString> toSqlLike() const;

private:
    struct Range
    {
        char32_t first;
        char32_t last;
    };
    struct Token
    {
        enum class Kind
        {
            Literal,
            AnyChar,
            AnyRun,
            Class
        };
        Kind kind = Kind::Literal;
        char32_t ch = 0;      // Literal
        bool negated = false; // Class
        QList<Range> ranges;  // Class; a single character is a one-element range
        bool matches(char32_t c) const;
    };

    QString m_pattern;
    QList<Token> m_tokens;
    bool m_literal = true;
};

} // namespace butler
