#pragma once

#include "Result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace butler {

// Splits a where-expression into tokens with 0-based character positions. Keywords are
// recognized case-insensitively; numbers keep their digits so that the parser can apply a
// leading minus before checking the 64-bit range.
class WhereLexer
{
public:
    struct Token
    {
        enum class Type
        {
            End, // after the last token; position is the length of the expression
            Identifier,
            Integer,
            Float,
            String,
            Time,
            Bind,
            And,
            Or,
            Not,
            In,
            Overlaps,
            True,
            False,
            LParen,
            RParen,
            Comma,
            DotDot,
            Colon,
            Eq,
            Ne,
            Lt,
            Le,
            Gt,
            Ge,
            Plus,
            Minus,
            Star,
            Slash,
            Percent,
        };

        Type type = Type::End;
        int position = 0; // 0-based offset of the first character
        int length = 0;   // characters in the source, quotes included
        // Identifier: as written; Integer/Float: the characters; String/Time: the body with
        // escapes resolved; Bind: the name without ':'.
        QString text;
        QStringList parts; // Identifier: the dot-separated parts (one to three)
    };

    // The tokens, always ending with one End token. On failure, *errorPosition (when given)
    // receives the offending position.
    static Result<QList<Token>> tokenize(const QString& expression, int* errorPosition = nullptr);

    // "column 5" for a single-line expression, "line 2, column 3" for a multi-line one.
    static QString location(const QString& expression, int position);

    // How a token reads in an error message: "identifier 'visit'", "')'", "the end of the expression".
    static QString describe(const QString& expression, const Token& token);
};

} // namespace butler
