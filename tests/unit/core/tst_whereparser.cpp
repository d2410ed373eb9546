#include "WhereLexer.h"
#include "WhereParser.h"

#include <QRandomGenerator>
#include <QTest>

using namespace butler;

namespace {

using Kind = WhereNode::Kind;

constexpr qint64 nsPerDay = 86400LL * 1000000000LL;

QString describe(const Result<WhereNodePtr>& result)
{
    if (!result.ok())
        return QStringLiteral("error: ") + result.error().message();
    return result.value() ? result.value()->toString() : QStringLiteral("<null>");
}

// Parses an expression that must be valid and non-empty; fails the calling test otherwise.
#define PARSE_OK(node, expression)                                                                           \
    const Result<WhereNodePtr> node##Result = WhereParser::parse(expression);                                \
    QVERIFY2(node##Result.ok() && node##Result.value(), qPrintable(describe(node##Result)));                 \
    const WhereNodePtr node = node##Result.value()

QString repeated(const QString& text, int count)
{
    QString out;
    for (int i = 0; i < count; ++i)
        out += text;
    return out;
}

} // namespace

class TestWhereParser : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void empty_data();
    void empty();
    void nodeFields();
    void positions();
    void ranges_data();
    void ranges();
    void integerExtremes();
    void uuidLiterals_data();
    void uuidLiterals();
    void timeLiterals();
    void timespanPairs();
    void depthLimit();
    void deepNestingFailsEarly();
    void termLimit();
    void lengthLimit();
    void errorPosition_data();
    void errorPosition();
    void caretLine_data();
    void caretLine();
    void lexerPositions();
    void mutatedExpressions();
};

void TestWhereParser::valid_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("normal");

    QTest::newRow("design example")
        << "instrument = 'LSSTCam' AND visit IN (100..200:2) AND exposure.exposure_time > 20"
        << "(((instrument = 'LSSTCam') AND (visit IN (100..200:2))) AND (exposure.exposure_time > 20))";
    QTest::newRow("not of or") << "NOT (a = 1 OR b = 2)"
                               << "(NOT ((a = 1) OR (b = 2)))";
    QTest::newRow("mul before add") << "a + b * c"
                                    << "(a + (b * c))";
    QTest::newRow("parens override") << "(a + b) * c"
                                     << "((a + b) * c)";
    QTest::newRow("minus is left-assoc") << "a - b - c"
                                         << "((a - b) - c)";
    QTest::newRow("mul div mod left-assoc") << "a * b / c % d"
                                            << "(((a * b) / c) % d)";
    QTest::newRow("no spaces") << "visit-1>=x*2"
                               << "((visit - 1) >= (x * 2))";
    QTest::newRow("negate identifier") << "-x"
                                       << "(-x)";
    QTest::newRow("negate binds tighter than mul") << "-x * y"
                                                   << "((-x) * y)";
    QTest::newRow("double negate") << "- -x"
                                   << "(-(-x))";
    QTest::newRow("negate parenthesized") << "-(a + b)"
                                          << "(-(a + b))";
    QTest::newRow("negative literal") << "a = -5"
                                      << "(a = -5)";
    QTest::newRow("minus negative literal") << "a - -5"
                                            << "(a - -5)";
    QTest::newRow("negated parenthesized literal folds") << "a = -(5)"
                                                         << "(a = -5)";
    QTest::newRow("double minus literal folds") << "a = - -5"
                                                << "(a = 5)";
    QTest::newRow("unary plus") << "a = +5 + +b"
                                << "(a = (5 + b))";
    QTest::newRow("and before or") << "a OR b AND c"
                                   << "(a OR (b AND c))";
    QTest::newRow("two ands in or") << "a AND b OR c AND d"
                                    << "((a AND b) OR (c AND d))";
    QTest::newRow("not before and") << "NOT a AND b"
                                    << "((NOT a) AND b)";
    QTest::newRow("not not") << "NOT NOT a"
                             << "(NOT (NOT a))";
    QTest::newRow("not of comparison") << "NOT a = 1"
                                       << "(NOT (a = 1))";
    QTest::newRow("or chain is left-assoc") << "a = 1 OR b = 2 OR c = 3"
                                            << "(((a = 1) OR (b = 2)) OR (c = 3))";
    QTest::newRow("ne") << "a != 1"
                        << "(a != 1)";
    QTest::newRow("sql ne") << "a <> 1"
                            << "(a != 1)";
    QTest::newRow("le") << "a<=1"
                        << "(a <= 1)";
    QTest::newRow("ge") << "a>=1"
                        << "(a >= 1)";
    QTest::newRow("lt") << "a<1"
                        << "(a < 1)";
    QTest::newRow("gt") << "a>1"
                        << "(a > 1)";
    QTest::newRow("keywords any case") << "a = 1 and not b = 2 Or c iN (1)"
                                       << "(((a = 1) AND (NOT (b = 2))) OR (c IN (1)))";
    QTest::newRow("arithmetic comparison") << "exposure.exposure_time * 2 >= 30 + x % 7"
                                           << "((exposure.exposure_time * 2) >= (30 + (x % 7)))";
    QTest::newRow("overlaps time pair")
        << "visit.timespan OVERLAPS (T'2025-06-15T00:00:00', T'2025-06-16T00:00:00')"
        << "(visit.timespan OVERLAPS (T'2025-06-15T00:00:00', T'2025-06-16T00:00:00'))";
    QTest::newRow("overlaps bind pair") << "visit.timespan OVERLAPS (:t1, :t2)"
                                        << "(visit.timespan OVERLAPS (:t1, :t2))";
    QTest::newRow("overlaps bind") << "visit.timespan overlaps :ts"
                                   << "(visit.timespan OVERLAPS :ts)";
    QTest::newRow("overlaps time literal") << "visit.timespan OVERLAPS T'2025-06-15T03:00:00'"
                                           << "(visit.timespan OVERLAPS T'2025-06-15T03:00:00')";
    QTest::newRow("overlaps identifier pair") << "(visit.timespan.begin, visit.timespan.end) OVERLAPS :ts"
                                              << "((visit.timespan.begin, visit.timespan.end) OVERLAPS :ts)";
    QTest::newRow("overlaps in and") << "instrument = 'HSC' AND exposure.timespan OVERLAPS :window"
                                     << "((instrument = 'HSC') AND (exposure.timespan OVERLAPS :window))";
    QTest::newRow("lower-case time prefix") << "t < t'2025-06-15T03:00:00'"
                                            << "(t < T'2025-06-15T03:00:00')";
    QTest::newRow("mjd time") << "visit.timespan.begin < T'mjd/60000.5'"
                              << "(visit.timespan.begin < T'mjd/60000.5')";
    QTest::newRow("binds") << "instrument = :instrument AND visit > :min_visit"
                           << "((instrument = :instrument) AND (visit > :min_visit))";
    QTest::newRow("list bind") << "visit IN (:visits)"
                               << "(visit IN (:visits))";
    QTest::newRow("uuid") << "dataset_id = UUID('1F0E3F7E-2B51-4A3F-9C57-5E0D1B6C7A89')"
                          << "(dataset_id = UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89'))";
    QTest::newRow("uuid braces lower-case call") << "id = uuid(\"{1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89}\")"
                                                 << "(id = UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89'))";
    QTest::newRow("not in with range") << "detector NOT IN (1, 2, 3..10)"
                                       << "(detector NOT IN (1, 2, 3..10))";
    QTest::newRow("negative ranges") << "detector IN (-5..-1, 0..10:1, 20..30:5)"
                                     << "(detector IN (-5..-1, 0..10, 20..30:5))";
    QTest::newRow("range with spaces") << "detector IN (1 .. 10 : 3)"
                                       << "(detector IN (1..10:3))";
    QTest::newRow("mixed in list") << "x IN ('a', \"b\", 1.5, -2, TRUE, T'2025-06-15T03:00:00', "
                                      "UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89'), :y)"
                                   << "(x IN ('a', 'b', 1.5, -2, TRUE, T'2025-06-15T03:00:00', "
                                      "UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89'), :y))";
    QTest::newRow("in and not in") << "a IN (1) AND NOT b NOT IN (2)"
                                   << "((a IN (1)) AND (NOT (b NOT IN (2))))";
    QTest::newRow("double-quoted string") << "name = \"double\""
                                          << "(name = 'double')";
    QTest::newRow("escaped single quote") << "name = 'it\\'s'"
                                          << "(name = 'it\\'s')";
    QTest::newRow("escaped double quotes") << "name = \"say \\\"hi\\\"\""
                                           << "(name = 'say \"hi\"')";
    QTest::newRow("other backslash kept") << "path = 'C:\\data'"
                                          << "(path = 'C:\\\\data')";
    QTest::newRow("escaped backslash") << "path = 'x\\\\y'"
                                       << "(path = 'x\\\\y')";
    QTest::newRow("empty string") << "name = ''"
                                  << "(name = '')";
    QTest::newRow("float") << "x > 1.5"
                           << "(x > 1.5)";
    QTest::newRow("float exponent") << "x > 1e3"
                                    << "(x > 1000.0)";
    QTest::newRow("float leading dot") << "x > .5"
                                       << "(x > 0.5)";
    QTest::newRow("float trailing dot") << "x > 1."
                                        << "(x > 1.0)";
    QTest::newRow("float negative exponent") << "x > 2.5e-3"
                                             << "(x > 0.0025)";
    QTest::newRow("negative float") << "x < -1.5E2"
                                    << "(x < -150.0)";
    QTest::newRow("true") << "flag = TRUE"
                          << "(flag = TRUE)";
    QTest::newRow("false lower-case") << "flag != false"
                                      << "(flag != FALSE)";
    QTest::newRow("underscore identifier") << "_private = 1"
                                           << "(_private = 1)";
    QTest::newRow("keyword inside qualified name") << "visit.in = 1"
                                                   << "(visit.in = 1)";
    QTest::newRow("bare identifier") << "visit"
                                     << "visit";
    QTest::newRow("bare boolean") << "TRUE"
                                  << "TRUE";
    QTest::newRow("redundant parens") << "((a = 1))"
                                      << "(a = 1)";
    QTest::newRow("multi-line") << "a = 1\n  AND\tb = 2\r\n"
                                << "((a = 1) AND (b = 2))";
    QTest::newRow("leading and trailing spaces") << "   a = 1   "
                                                 << "(a = 1)";
}

void TestWhereParser::valid()
{
    QFETCH(QString, expression);
    QFETCH(QString, normal);

    const Result<WhereNodePtr> result = WhereParser::parse(expression);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QVERIFY(result.value());
    QCOMPARE(result.value()->toString(), normal);

    // The normal form is itself valid and a fixed point.
    const Result<WhereNodePtr> again = WhereParser::parse(normal);
    QVERIFY2(again.ok() && again.value(), qPrintable(describe(again)));
    QCOMPARE(again.value()->toString(), normal);
}

void TestWhereParser::invalid_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("missing operand after AND")
        << "a = 1 AND"
        << QStringList{"expected an expression after 'AND' at column 10", "end of the expression"};
    QTest::newRow("missing operand after OR")
        << "a = 1 OR" << QStringList{"expected an expression after 'OR' at column 9"};
    QTest::newRow("AND AND") << "a = 1 AND AND b"
                             << QStringList{"expected an expression after 'AND' at column 11", "found 'AND'"};
    QTest::newRow("lone NOT") << "NOT" << QStringList{"expected an expression after 'NOT' at column 4"};
    QTest::newRow("lone paren") << ")" << QStringList{"expected an expression at column 1", "found ')'"};
    QTest::newRow("stray close paren") << "(a = 1 AND b = 2))" << QStringList{"unexpected ')' at column 18"};
    QTest::newRow("missing operand after =")
        << "a = = 1" << QStringList{"expected an expression after '=' at column 5", "found '='"};
    QTest::newRow("unterminated string")
        << "name = 'abc" << QStringList{"unterminated string starting at column 8"};
    QTest::newRow("unterminated double-quoted string")
        << "a = 'x' AND b = \"y" << QStringList{"unterminated string starting at column 17"};
    QTest::newRow("unterminated time")
        << "t = T'2025-06-15" << QStringList{"unterminated time literal starting at column 5"};
    QTest::newRow("unclosed paren") << "(a = 1"
                                    << QStringList{"expected ')' to close '(' at column 1",
                                                   "found the end of the expression at column 7"};
    QTest::newRow("unclosed inner paren")
        << "a = 'x' AND (b = 1 OR (c = 2)" << QStringList{"expected ')' to close '(' at column 13"};
    QTest::newRow("junk inside paren")
        << "(a = 1 b = 2)"
        << QStringList{"expected ')' to close '(' at column 1", "found identifier 'b' at column 8"};
    QTest::newRow("unclosed IN list")
        << "a IN (1, 2" << QStringList{"expected ',' or ')' to close '(' at column 6", "column 11"};
    QTest::newRow("zero stride") << "visit IN (1..10:0)"
                                 << QStringList{"range stride must be positive at column 17"};
    QTest::newRow("negative stride") << "visit IN (1..10:-2)"
                                     << QStringList{"range stride must be positive at column 17", "-2"};
    QTest::newRow("range outside IN")
        << "a = 1..5" << QStringList{"range is only allowed in an IN list", "column 5"};
    QTest::newRow("float range") << "visit IN (1.5..3)"
                                 << QStringList{"range bounds must be integers at column 11"};
    QTest::newRow("range stop not integer")
        << "visit IN (1..x)" << QStringList{"expected an integer after '..' at column 14"};
    QTest::newRow("invalid uuid") << "id = UUID('not-a-uuid')"
                                  << QStringList{"invalid UUID literal 'not-a-uuid' at column 11"};
    QTest::newRow("short uuid") << "id = UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a8')"
                                << QStringList{"invalid UUID literal", "column 11"};
    QTest::newRow("uuid with trailing junk") << "id = UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89x')"
                                             << QStringList{"invalid UUID literal", "column 11"};
    QTest::newRow("uuid without dashes") << "id = UUID('1f0e3f7e2b514a3f9c575e0d1b6c7a89')"
                                         << QStringList{"invalid UUID literal", "column 11"};
    QTest::newRow("empty uuid") << "id = UUID('')" << QStringList{"invalid UUID literal '' at column 11"};
    QTest::newRow("uuid without string")
        << "id = UUID(123)" << QStringList{"expected a quoted UUID", "column 11"};
    QTest::newRow("uuid unclosed") << "id = UUID('1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89'"
                                   << QStringList{"expected ')' to close '(' at column 10"};
    QTest::newRow("two expressions") << "a = 1 b = 2"
                                     << QStringList{"unexpected identifier 'b' at column 7",
                                                    "expected AND, OR"};
    QTest::newRow("chained comparison") << "a = 1 = 2" << QStringList{"at column 7", "cannot be chained"};
    QTest::newRow("IN without parens")
        << "visit IN 1, 2" << QStringList{"expected '(' after IN at column 10"};
    QTest::newRow("empty IN list") << "visit IN ()" << QStringList{"expected at least one item", "column 11"};
    QTest::newRow("trailing comma in IN")
        << "visit IN (1, 2,)"
        << QStringList{"expected a literal, range or bind parameter in the IN list", "column 16",
                       "found ')'"};
    QTest::newRow("identifier in IN list")
        << "visit IN (a)"
        << QStringList{"expected a literal, range or bind parameter", "column 11", "identifier 'a'"};
    QTest::newRow("NOT without IN") << "a NOT b" << QStringList{"expected IN after NOT at column 7"};
    QTest::newRow("integer overflow")
        << "x = 9223372036854775808" << QStringList{"out of the 64-bit range", "column 5"};
    QTest::newRow("negative integer overflow")
        << "x = -9223372036854775809" << QStringList{"out of the 64-bit range", "column 5"};
    QTest::newRow("negating minimum overflows")
        << "x = -(-9223372036854775808)" << QStringList{"out of the 64-bit range", "column 5"};
    QTest::newRow("float overflow") << "x > 1e999" << QStringList{"out of range", "column 5"};
    QTest::newRow("unexpected character")
        << "a = 1 # comment" << QStringList{"unexpected character '#' at column 7"};
    QTest::newRow("double equals") << "a == 1" << QStringList{"'=='", "column 3"};
    QTest::newRow("ampersands") << "a = 1 && b = 2" << QStringList{"column 7", "use AND"};
    QTest::newRow("pipes") << "a = 1 || b = 2" << QStringList{"column 7", "use OR"};
    QTest::newRow("bang") << "a ! b" << QStringList{"unexpected '!' at column 3"};
    QTest::newRow("lone dot") << "a . b" << QStringList{"unexpected '.' at column 3"};
    QTest::newRow("malformed number") << "a = 12abc" << QStringList{"malformed number '12abc' at column 5"};
    QTest::newRow("too many identifier parts")
        << "a.b.c.d = 1" << QStringList{"'a.b.c.d'", "column 1", "more than 3 parts"};
    QTest::newRow("invalid time literal")
        << "t = T'not a time'" << QStringList{"invalid time literal T'not a time' at column 5"};
    QTest::newRow("overlaps number") << "visit.timespan OVERLAPS 5"
                                     << QStringList{"expected a timespan", "after OVERLAPS at column 25"};
    QTest::newRow("overlaps string lhs") << "'abc' OVERLAPS visit.timespan"
                                         << QStringList{"expected a timespan", "before OVERLAPS at column 1"};
    QTest::newRow("pair of numbers") << "t OVERLAPS (1, 2)" << QStringList{"(begin, end) pair at column 13"};
    QTest::newRow("NULL in pair") << "t OVERLAPS (T'2025-06-15T00:00:00', null)"
                                  << QStringList{"NULL is not supported", "column 37"};
    QTest::newRow("triple") << "t OVERLAPS (:a, :b, :c)" << QStringList{"column 19", "exactly two items"};
    QTest::newRow("unknown function") << "foo(1) = 2" << QStringList{"unknown function 'foo' at column 1"};
    QTest::newRow("colon without name")
        << "a = :" << QStringList{"bind parameter name after ':' at column 5"};
    QTest::newRow("multi-line location") << "a = 1\nAND" << QStringList{"after 'AND' at line 2, column 4"};
    QTest::newRow("non-ascii character") << "a = é" << QStringList{"unexpected character 'é' at column 5"};
}

void TestWhereParser::invalid()
{
    QFETCH(QString, expression);
    QFETCH(QStringList, expected);

    const Result<WhereNodePtr> result = WhereParser::parse(expression);
    QVERIFY2(!result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.error().kind(), ErrorKind::InvalidInput);
    for (const QString& part : expected)
        QVERIFY2(result.error().message().contains(part),
                 qPrintable(QStringLiteral("'%1' not in '%2'").arg(part, result.error().message())));
}

void TestWhereParser::empty_data()
{
    QTest::addColumn<QString>("expression");
    QTest::newRow("empty") << QString();
    QTest::newRow("spaces") << "   ";
    QTest::newRow("mixed whitespace") << " \n\t\r\n ";
}

void TestWhereParser::empty()
{
    QFETCH(QString, expression);
    const Result<WhereNodePtr> result = WhereParser::parse(expression);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QVERIFY(!result.value());
}

void TestWhereParser::nodeFields()
{
    PARSE_OK(root,
             "visit.timespan.begin > :start AND name = 'x' AND flag = FALSE AND f < 2.5 AND NOT b IN (1)");
    // ((((c1 AND c2) AND c3) AND c4) AND (NOT ...))
    QCOMPARE(root->kind, Kind::And);
    const WhereNodePtr notNode = root->children.at(1);
    QCOMPARE(notNode->kind, Kind::Not);
    QCOMPARE(notNode->children.size(), 1);
    const WhereNodePtr in = notNode->children.at(0);
    QCOMPARE(in->kind, Kind::In);
    QVERIFY(!in->negated);
    QCOMPARE(in->children.size(), 2);
    QCOMPARE(in->children.at(1)->kind, Kind::Integer);
    QCOMPARE(in->children.at(1)->intValue, qint64(1));

    const WhereNodePtr c4 = root->children.at(0)->children.at(1);
    QCOMPARE(c4->kind, Kind::Compare);
    QCOMPARE(c4->op, QStringLiteral("<"));
    QCOMPARE(c4->children.at(1)->kind, Kind::Float);
    QCOMPARE(c4->children.at(1)->floatValue, 2.5);

    const WhereNodePtr c3 = root->children.at(0)->children.at(0)->children.at(1);
    QCOMPARE(c3->children.at(1)->kind, Kind::Boolean);
    QCOMPARE(c3->children.at(1)->intValue, qint64(0));

    const WhereNodePtr c2 = root->children.at(0)->children.at(0)->children.at(0)->children.at(1);
    QCOMPARE(c2->children.at(1)->kind, Kind::String);
    QCOMPARE(c2->children.at(1)->text, QStringLiteral("x"));

    const WhereNodePtr c1 = root->children.at(0)->children.at(0)->children.at(0)->children.at(0);
    QCOMPARE(c1->op, QStringLiteral(">"));
    QCOMPARE(c1->children.at(0)->kind, Kind::Identifier);
    QCOMPARE(c1->children.at(0)->parts, (QStringList{"visit", "timespan", "begin"}));
    QCOMPARE(c1->children.at(1)->kind, Kind::Bind);
    QCOMPARE(c1->children.at(1)->text, QStringLiteral("start"));

    PARSE_OK(notIn, "detector NOT IN (:list)");
    QCOMPARE(notIn->kind, Kind::In);
    QVERIFY(notIn->negated);
    QCOMPARE(notIn->children.at(1)->kind, Kind::Bind);

    PARSE_OK(negate, "-(a * 2)");
    QCOMPARE(negate->kind, Kind::Negate);
    QCOMPARE(negate->children.at(0)->kind, Kind::Arithmetic);
    QCOMPARE(negate->children.at(0)->op, QStringLiteral("*"));

    PARSE_OK(sqlNe, "a <> 1");
    QCOMPARE(sqlNe->op, QStringLiteral("!="));
}

void TestWhereParser::positions()
{
    //                   0         1         2         3
    //                   0123456789012345678901234567890123456789
    PARSE_OK(root, "instrument = 'LSSTCam' AND visit IN (1)");
    QCOMPARE(root->position, 23); // AND
    const WhereNodePtr compare = root->children.at(0);
    QCOMPARE(compare->position, 11); // =
    QCOMPARE(compare->children.at(0)->position, 0);
    QCOMPARE(compare->children.at(1)->position, 13);
    const WhereNodePtr in = root->children.at(1);
    QCOMPARE(in->position, 33); // IN
    QCOMPARE(in->children.at(0)->position, 27);
    QCOMPARE(in->children.at(1)->position, 37);

    PARSE_OK(negative, "x = -5");
    QCOMPARE(negative->children.at(1)->position, 4); // the sign

    PARSE_OK(notIn, "x NOT IN (1)");
    QCOMPARE(notIn->position, 2); // NOT
}

void TestWhereParser::ranges_data()
{
    QTest::addColumn<QString>("item");
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("stop");
    QTest::addColumn<qint64>("stride");

    QTest::newRow("default stride") << "100..200" << qint64(100) << qint64(200) << qint64(1);
    QTest::newRow("stride") << "100..200:2" << qint64(100) << qint64(200) << qint64(2);
    QTest::newRow("negative bounds") << "-5..-1:2" << qint64(-5) << qint64(-1) << qint64(2);
    QTest::newRow("descending is kept") << "10..1" << qint64(10) << qint64(1) << qint64(1);
    QTest::newRow("plus signs") << "+1..+3:+1" << qint64(1) << qint64(3) << qint64(1);
}

void TestWhereParser::ranges()
{
    QFETCH(QString, item);
    QFETCH(qint64, start);
    QFETCH(qint64, stop);
    QFETCH(qint64, stride);

    PARSE_OK(root, "visit IN (" + item + ")");
    QCOMPARE(root->children.size(), 2);
    const WhereNodePtr range = root->children.at(1);
    QCOMPARE(range->kind, Kind::Range);
    QCOMPARE(range->rangeStart, start);
    QCOMPARE(range->rangeStop, stop);
    QCOMPARE(range->rangeStride, stride);
}

void TestWhereParser::integerExtremes()
{
    PARSE_OK(maximum, "x = 9223372036854775807");
    QCOMPARE(maximum->children.at(1)->intValue, std::numeric_limits<qint64>::max());
    PARSE_OK(minimum, "x = -9223372036854775808");
    QCOMPARE(minimum->children.at(1)->intValue, std::numeric_limits<qint64>::min());
    QCOMPARE(minimum->toString(), QStringLiteral("(x = -9223372036854775808)"));
}

void TestWhereParser::uuidLiterals_data()
{
    QTest::addColumn<QString>("literal");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("upper-case") << "'1F0E3F7E-2B51-4A3F-9C57-5E0D1B6C7A89'"
                                << "1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89";
    QTest::newRow("braces") << "'{1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89}'"
                            << "1f0e3f7e-2b51-4a3f-9c57-5e0d1b6c7a89";
    QTest::newRow("nil") << "'00000000-0000-0000-0000-000000000000'"
                         << "00000000-0000-0000-0000-000000000000";
}

void TestWhereParser::uuidLiterals()
{
    QFETCH(QString, literal);
    QFETCH(QString, canonical);
    PARSE_OK(root, "id = UUID(" + literal + ")");
    const WhereNodePtr uuid = root->children.at(1);
    QCOMPARE(uuid->kind, Kind::Uuid);
    QCOMPARE(uuid->text, canonical);
    QCOMPARE(uuid->position, 5);
}

void TestWhereParser::timeLiterals()
{
    PARSE_OK(iso, "t < T'2025-06-15T03:00:00' OR t > T'2025-06-16T03:00:00'");
    const WhereNodePtr first = iso->children.at(0)->children.at(1);
    const WhereNodePtr second = iso->children.at(1)->children.at(1);
    QCOMPARE(first->kind, Kind::Time);
    QCOMPARE(first->text, QStringLiteral("2025-06-15T03:00:00"));
    QCOMPARE(second->text, QStringLiteral("2025-06-16T03:00:00"));
    QCOMPARE(second->intValue - first->intValue, nsPerDay);
    QVERIFY(first->intValue > 0);

    PARSE_OK(mjd, "t IN (T'mjd/60000.5', T'mjd/60001.5', T'60000.5')");
    const WhereNodePtr day0 = mjd->children.at(1);
    const WhereNodePtr day1 = mjd->children.at(2);
    const WhereNodePtr bare = mjd->children.at(3);
    QCOMPARE(day0->kind, Kind::Time);
    QCOMPARE(day0->text, QStringLiteral("mjd/60000.5"));
    QCOMPARE(day1->intValue - day0->intValue, nsPerDay);
    QCOMPARE(bare->intValue, day0->intValue);
}

void TestWhereParser::timespanPairs()
{
    PARSE_OK(root, "visit.timespan OVERLAPS (T'2025-06-15T00:00:00', :end)");
    QCOMPARE(root->kind, Kind::Overlaps);
    QCOMPARE(root->children.at(0)->kind, Kind::Identifier);
    QCOMPARE(root->children.at(0)->parts, (QStringList{"visit", "timespan"}));
    const WhereNodePtr pair = root->children.at(1);
    QCOMPARE(pair->kind, Kind::Tuple);
    QCOMPARE(pair->position, 24);
    QCOMPARE(pair->children.size(), 2);
    QCOMPARE(pair->children.at(0)->kind, Kind::Time);
    QCOMPARE(pair->children.at(1)->kind, Kind::Bind);
}

void TestWhereParser::depthLimit()
{
    const auto nested = [](int depth) { return repeated("(", depth) + "a = 1" + repeated(")", depth); };

    QVERIFY2(WhereParser::parse(nested(100)).ok(), "100 levels are allowed by default");
    const Result<WhereNodePtr> tooDeep = WhereParser::parse(nested(101));
    QVERIFY(!tooDeep.ok());
    QCOMPARE(tooDeep.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(tooDeep.error().message().contains("depth limit of 100"), qPrintable(tooDeep.error().message()));
    QVERIFY2(tooDeep.error().message().contains("column 101"), qPrintable(tooDeep.error().message()));

    const Result<WhereNodePtr> nots = WhereParser::parse(repeated("NOT ", 101) + "a");
    QVERIFY(!nots.ok());
    QVERIFY2(nots.error().message().contains("depth limit"), qPrintable(nots.error().message()));
    QVERIFY(WhereParser::parse(repeated("NOT ", 100) + "a").ok());

    const Result<WhereNodePtr> minuses = WhereParser::parse(repeated("- ", 101) + "x");
    QVERIFY(!minuses.ok());
    QVERIFY2(minuses.error().message().contains("depth limit"), qPrintable(minuses.error().message()));

    WhereParser::Limits limits;
    limits.maxDepth = 2;
    QVERIFY(WhereParser::parse("((a))", limits).ok());
    QVERIFY(WhereParser::parse("(a, (b))", limits).ok());
    const Result<WhereNodePtr> custom = WhereParser::parse("(((a)))", limits);
    QVERIFY(!custom.ok());
    QVERIFY2(custom.error().message().contains("depth limit of 2"), qPrintable(custom.error().message()));
}

void TestWhereParser::deepNestingFailsEarly()
{
    // With the length limit raised, only the depth check stands between this and a stack overflow.
    WhereParser::Limits limits;
    limits.maxLength = 1000000;
    const QString expression(100000, QLatin1Char('('));
    int position = -1;
    const Result<WhereNodePtr> result = WhereParser::parse(expression, limits, &position);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message().contains("depth limit of 100"), qPrintable(result.error().message()));
    QCOMPARE(position, 100);

    const Result<WhereNodePtr> nots = WhereParser::parse(repeated("NOT ", 100000) + "a", limits);
    QVERIFY(!nots.ok());
    QVERIFY2(nots.error().message().contains("depth limit"), qPrintable(nots.error().message()));
}

void TestWhereParser::termLimit()
{
    // "a" plus n list items.
    const auto inList = [](int n) { return "a IN (" + repeated("1, ", n - 1) + "1)"; };
    QVERIFY(WhereParser::parse(inList(4999)).ok());
    const Result<WhereNodePtr> tooMany = WhereParser::parse(inList(5000));
    QVERIFY(!tooMany.ok());
    QCOMPARE(tooMany.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(tooMany.error().message().contains("term limit of 5000"), qPrintable(tooMany.error().message()));

    WhereParser::Limits limits;
    limits.maxTerms = 3;
    QVERIFY(WhereParser::parse("a = 1 AND b", limits).ok());
    const Result<WhereNodePtr> custom = WhereParser::parse("a = 1 AND b = 2", limits);
    QVERIFY(!custom.ok());
    QVERIFY2(custom.error().message().contains("term limit of 3"), qPrintable(custom.error().message()));
    QVERIFY2(custom.error().message().contains("column 15"), qPrintable(custom.error().message()));

    // A long flat chain stays usable: 2500 comparisons are 5000 terms.
    limits = WhereParser::Limits();
    limits.maxLength = 100000;
    const QString chain = repeated("x = 1 OR ", 2499) + "x = 1";
    const Result<WhereNodePtr> chained = WhereParser::parse(chain, limits);
    QVERIFY2(chained.ok(), qPrintable(describe(chained)));
    QVERIFY(chained.value()->toString().startsWith(repeated("(", 2499 + 1)));
}

void TestWhereParser::lengthLimit()
{
    const QString longExpression = "a = '" + QString(20000, QLatin1Char('x')) + "'";
    const Result<WhereNodePtr> tooLong = WhereParser::parse(longExpression);
    QVERIFY(!tooLong.ok());
    QCOMPARE(tooLong.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(tooLong.error().message().contains("length limit of 20000"),
             qPrintable(tooLong.error().message()));

    QVERIFY(WhereParser::parse("a = '" + QString(19990, QLatin1Char('x')) + "'").ok());

    WhereParser::Limits limits;
    limits.maxLength = 5;
    QVERIFY(WhereParser::parse("a = 1", limits).ok());
    const Result<WhereNodePtr> custom = WhereParser::parse("a = 10", limits);
    QVERIFY(!custom.ok());
    QVERIFY2(custom.error().message().contains("length limit of 5"), qPrintable(custom.error().message()));
}

void TestWhereParser::errorPosition_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("position");
    QTest::newRow("valid") << "a = 1" << -1;
    QTest::newRow("end of input") << "a = 1 AND" << 9;
    QTest::newRow("lexer error") << "name = 'abc" << 7;
    QTest::newRow("stride") << "visit IN (1..10:0)" << 16;
    QTest::newRow("stray paren") << "a = 1)" << 5;
}

void TestWhereParser::errorPosition()
{
    QFETCH(QString, expression);
    QFETCH(int, position);
    int actual = -2;
    const Result<WhereNodePtr> result = WhereParser::parse(expression, WhereParser::Limits(), &actual);
    QCOMPARE(result.ok(), position < 0);
    QCOMPARE(actual, position);
}

void TestWhereParser::caretLine_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("position");
    QTest::addColumn<QString>("expected");
    QTest::newRow("middle") << "a = = 1" << 4 << "a = = 1\n    ^";
    QTest::newRow("start") << "a = = 1" << 0 << "a = = 1\n^";
    QTest::newRow("end") << "a = 1 AND" << 9 << "a = 1 AND\n         ^";
    QTest::newRow("clamped") << "abc" << 99 << "abc\n   ^";
    QTest::newRow("tab") << "a\t= )" << 4 << "a = )\n    ^";
    QTest::newRow("second line") << "a = 1\nAND )" << 10 << "AND )\n    ^";
    QTest::newRow("first line of two") << "a = )\nAND b" << 4 << "a = )\n    ^";
}

void TestWhereParser::caretLine()
{
    QFETCH(QString, expression);
    QFETCH(int, position);
    QFETCH(QString, expected);
    QCOMPARE(WhereParser::caretLine(expression, position), expected);
}

void TestWhereParser::lexerPositions()
{
    using Type = WhereLexer::Token::Type;
    const auto tokens = WhereLexer::tokenize("a.b <> 'x' AND :p IN (1..3:2)");
    QVERIFY(tokens.ok());
    const QList<Type> types{Type::Identifier, Type::Ne,      Type::String,  Type::And,    Type::Bind,
                            Type::In,         Type::LParen,  Type::Integer, Type::DotDot, Type::Integer,
                            Type::Colon,      Type::Integer, Type::RParen,  Type::End};
    const QList<int> positions{0, 4, 7, 11, 15, 18, 21, 22, 23, 25, 26, 27, 28, 29};
    QCOMPARE(tokens->size(), types.size());
    for (qsizetype i = 0; i < types.size(); ++i) {
        QCOMPARE(tokens->at(i).type, types.at(i));
        QCOMPARE(tokens->at(i).position, positions.at(i));
    }
    QCOMPARE(tokens->at(0).parts, (QStringList{"a", "b"}));
    QCOMPARE(tokens->at(2).text, QStringLiteral("x"));
    QCOMPARE(tokens->at(2).length, 3);
    QCOMPARE(tokens->at(4).text, QStringLiteral("p"));
}

// Random edits of valid expressions (characters deleted, doubled, swapped, replaced by ones
// the grammar cares about; the text cut short): each either parses, and then its normal form
// parses to itself, or fails with a message and a position inside the text. A typo in the
// browser's filter bar or a script's --where never crashes, hangs or misplaces the caret.
void TestWhereParser::mutatedExpressions()
{
    const QStringList seeds{
        QStringLiteral("instrument = 'LSSTCam' AND visit IN (100..200:2) AND exposure.exposure_time > 20"),
        QStringLiteral("NOT (a = 1 OR b = 2)"),
        QStringLiteral("visit-1>=x*2 % 7 / -y"),
        QStringLiteral("visit.timespan OVERLAPS (T'2025-06-15T00:00:00', T'mjd/60000.5')"),
        QStringLiteral("(visit.timespan.begin, visit.timespan.end) OVERLAPS :ts"),
        QStringLiteral("dataset_id = UUID('1F0E3F7E-2B51-4A3F-9C57-5E0D1B6C7A89')"),
        QStringLiteral("detector NOT IN (1, 2, 3..10) and band iN ('g', \"r\", 'i')"),
        QStringLiteral("name = 'it''s' OR x <> -9223372036854775807 OR y = 1.5e10"),
        QStringLiteral("instrument = :instrument AND visit > :min_visit AND a.b.c = -(5)"),
    };
    const QString alphabet = QStringLiteral("()'\",.:-+*/%=<>!0123456789 aNDTe\\\u00e9\u2028");
    QRandomGenerator random(20261203);
    int parsed = 0;
    int refused = 0;
    for (int round = 0; round < 20000; ++round) {
        QString text = seeds[random.bounded(int(seeds.size()))];
        const int edits = 1 + random.bounded(4);
        for (int e = 0; e < edits && !text.isEmpty(); ++e) {
            const int at = random.bounded(int(text.size()));
            switch (random.bounded(5)) {
            case 0:
                text.remove(at, 1 + random.bounded(3));
                break;
            case 1:
                text.insert(at, text.mid(at, 1 + random.bounded(4)));
                break;
            case 2:
                text[at] = alphabet[random.bounded(int(alphabet.size()))];
                break;
            case 3:
                text.insert(at, alphabet[random.bounded(int(alphabet.size()))]);
                break;
            default:
                text.truncate(at);
            }
        }
        int position = -2;
        const Result<WhereNodePtr> result = WhereParser::parse(text, {}, &position);
        if (!result.ok()) {
            ++refused;
            QVERIFY2(!result.error().message().isEmpty(), qPrintable(text));
            QVERIFY2(position >= 0 && position <= text.size(),
                     qPrintable(QStringLiteral("position %1 in '%2'").arg(position).arg(text)));
            continue;
        }
        ++parsed;
        if (!result.value())
            continue; // blank: no constraint
        const QString normal = result.value()->toString();
        const Result<WhereNodePtr> again = WhereParser::parse(normal);
        QVERIFY2(again.ok() && again.value(),
                 qPrintable(QStringLiteral("'%1' -> '%2': %3").arg(text, normal, describe(again))));
        QCOMPARE(again.value()->toString(), normal);
    }
    // Both outcomes were exercised.
    QVERIFY(parsed > 500);
    QVERIFY(refused > 500);
}

QTEST_GUILESS_MAIN(TestWhereParser)
#include "tst_whereparser.moc"
