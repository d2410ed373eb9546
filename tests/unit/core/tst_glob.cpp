#include "Glob.h"

#include <QTest>

using namespace butler;

namespace {

Glob compiled(const QString& pattern)
{
    Result<Glob> r = Glob::compile(pattern);
    if (!r.ok())
        qFatal("Glob::compile(%s) failed: %s", qPrintable(pattern), qPrintable(r.error().message()));
    return std::move(r).value();
}

} // namespace

class TstGlob : public QObject
{
    Q_OBJECT

private slots:
    void matches_data();
    void matches();
    void literal_data();
    void literal();
    void sqlLike_data();
    void sqlLike();
    void invalid_data();
    void invalid();
    void pathologicalPatternsStayFast();
    void keepsPattern();
};

void TstGlob::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("expected");

    QTest::newRow("literal equal") << "HSC/raw/all"
                                   << "HSC/raw/all" << true;
    QTest::newRow("literal differs") << "HSC/raw/all"
                                     << "HSC/raw/al" << false;
    QTest::newRow("literal longer name") << "HSC/raw"
                                         << "HSC/raw/all" << false;
    QTest::newRow("case sensitive") << "calexp"
                                    << "Calexp" << false;

    QTest::newRow("star alone, empty name") << "*"
                                            << "" << true;
    QTest::newRow("star alone") << "*"
                                << "anything/at/all" << true;
    QTest::newRow("prefix") << "HSC/runs/*"
                            << "HSC/runs/RC2/w_2025_01" << true;
    QTest::newRow("prefix, empty rest") << "HSC/runs/*"
                                        << "HSC/runs/" << true;
    QTest::newRow("prefix mismatch") << "HSC/runs/*"
                                     << "HSC/run" << false;
    QTest::newRow("suffix") << "*_config"
                            << "isr_config" << true;
    QTest::newRow("suffix mismatch") << "*_config"
                                     << "isr_config_x" << false;
    QTest::newRow("infix") << "u/*/test"
                           << "u/alice/x/test" << true;
    QTest::newRow("two stars") << "*raw*"
                               << "HSC/raw/all" << true;
    QTest::newRow("stars collapse") << "a***b"
                                    << "ab" << true;
    QTest::newRow("star needs backtracking") << "*ab*abc"
                                             << "abababcab abc" << true;
    QTest::newRow("star then tail mismatch") << "*abc"
                                             << "ababab" << false;

    QTest::newRow("question") << "visit_?"
                              << "visit_1" << true;
    QTest::newRow("question needs one") << "visit_?"
                                        << "visit_" << false;
    QTest::newRow("question only one") << "visit_?"
                                       << "visit_12" << false;
    QTest::newRow("question and star") << "?*"
                                       << "" << false;
    QTest::newRow("question and star, one") << "?*"
                                            << "x" << true;

    QTest::newRow("class") << "[abc]x"
                           << "bx" << true;
    QTest::newRow("class mismatch") << "[abc]x"
                                    << "dx" << false;
    QTest::newRow("range") << "r[0-9]"
                           << "r7" << true;
    QTest::newRow("range mismatch") << "r[0-9]"
                                    << "ra" << false;
    QTest::newRow("two ranges") << "[a-cx-z]"
                                << "y" << true;
    QTest::newRow("negated !") << "[!abc]"
                               << "d" << true;
    QTest::newRow("negated ! mismatch") << "[!abc]"
                                        << "a" << false;
    QTest::newRow("negated ^") << "[^a-c]"
                               << "d" << true;
    QTest::newRow("negated ^ mismatch") << "[^a-c]"
                                        << "b" << false;
    QTest::newRow("class consumes one") << "[ab]"
                                        << "ab" << false;
    QTest::newRow("] first is a member") << "[]a]"
                                         << "]" << true;
    QTest::newRow("] first after !") << "[!]a]"
                                     << "]" << false;
    QTest::newRow("- first is a member") << "[-a]"
                                         << "-" << true;
    QTest::newRow("- last is a member") << "[a-]"
                                        << "-" << true;
    QTest::newRow("- between is a range") << "[a-c]"
                                          << "-" << false;
    QTest::newRow("* inside class") << "[*]"
                                    << "*" << true;
    QTest::newRow("* inside class is literal") << "[*]"
                                               << "x" << false;
    QTest::newRow("escaped ] in class") << "[\\]x]"
                                        << "]" << true;

    QTest::newRow("escaped star") << "a\\*b"
                                  << "a*b" << true;
    QTest::newRow("escaped star is literal") << "a\\*b"
                                             << "axb" << false;
    QTest::newRow("escaped question") << "a\\?"
                                      << "a?" << true;
    QTest::newRow("escaped question is literal") << "a\\?"
                                                 << "ab" << false;
    QTest::newRow("escaped bracket") << "\\[x]"
                                     << "[x]" << true;
    QTest::newRow("escaped backslash") << "a\\\\b"
                                       << "a\\b" << true;
    QTest::newRow("escaped letter") << "\\a"
                                    << "a" << true;
    QTest::newRow("lone ]") << "a]"
                            << "a]" << true;

    // Regex syntax means nothing special: these are globs.
    QTest::newRow("regex anchors") << "^foo.*$"
                                   << "^foo.*$" << true;
    QTest::newRow("regex anchors are literal") << "^foo.*$"
                                               << "foobar" << false;
    QTest::newRow("regex dot-star is literal dot and star") << "^foo.*$"
                                                            << "^foo.xyz$" << true;
    QTest::newRow("regex group") << "(a|b)+"
                                 << "(a|b)+" << true;
    QTest::newRow("regex group is literal") << "(a|b)+"
                                            << "a" << false;
    QTest::newRow("regex plus") << "a+"
                                << "aa" << false;

    QTest::newRow("non-ASCII") << "caf?" << QString::fromUtf8("café") << true;
    QTest::newRow("astral character is one ?") << "x?y" << QString::fromUtf8("x\U0001F52Dy") << true;
    QTest::newRow("astral character in class")
        << QString::fromUtf8("[\U0001F52Da]") << QString::fromUtf8("\U0001F52D") << true;
}

void TstGlob::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, name);
    QFETCH(bool, expected);
    QCOMPARE(compiled(pattern).matches(name), expected);
}

void TstGlob::literal_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("expected");
    QTest::newRow("plain name") << "HSC/raw/all" << true;
    QTest::newRow("dots and dashes") << "u/alice/w_2025-01.v2" << true;
    QTest::newRow("lone ]") << "a]" << true;
    QTest::newRow("regex-looking") << "^foo.$" << true;
    QTest::newRow("star") << "HSC/*" << false;
    QTest::newRow("question") << "visit?" << false;
    QTest::newRow("class") << "[ab]" << false;
    // An escape is not a wildcard, but pattern() is then not the name itself.
    QTest::newRow("escape") << "a\\*b" << false;
}

void TstGlob::literal()
{
    QFETCH(QString, pattern);
    QFETCH(bool, expected);
    const Glob glob = compiled(pattern);
    QCOMPARE(glob.isLiteral(), expected);
    if (expected)
        QVERIFY(glob.matches(pattern));
}

void TstGlob::sqlLike_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("translatable");
    QTest::addColumn<QString>("like");
    QTest::newRow("literal") << "HSC/raw/all" << true << "HSC/raw/all";
    QTest::newRow("star") << "HSC/runs/*" << true << "HSC/runs/%";
    QTest::newRow("stars collapse") << "a**b" << true << "a%b";
    QTest::newRow("question") << "visit_?" << true << "visit\\__";
    QTest::newRow("percent escaped") << "100%" << true << "100\\%";
    QTest::newRow("underscore escaped") << "isr_config" << true << "isr\\_config";
    QTest::newRow("backslash escaped") << "a\\\\b" << true << "a\\\\b";
    QTest::newRow("glob escapes dropped") << "a\\*\\?" << true << "a*?";
    QTest::newRow("class") << "visit_[12]" << false << "";
    QTest::newRow("negated class") << "*[!x]" << false << "";
}

void TstGlob::sqlLike()
{
    QFETCH(QString, pattern);
    QFETCH(bool, translatable);
    QFETCH(QString, like);
    const std::optional<QString> result = compiled(pattern).toSqlLike();
    QCOMPARE(result.has_value(), translatable);
    if (translatable)
        QCOMPARE(*result, like);
}

void TstGlob::invalid_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("empty") << ""
                           << "empty";
    QTest::newRow("unterminated class") << "visit_[12"
                                        << "no closing ']'";
    QTest::newRow("lone [") << "["
                            << "no closing ']'";
    QTest::newRow("[] is unterminated") << "a[]"
                                        << "no closing ']'";
    QTest::newRow("escaped closing bracket") << "[a\\]"
                                             << "no closing ']'";
    QTest::newRow("backwards range") << "[z-a]"
                                     << "backwards";
    QTest::newRow("trailing backslash") << "abc\\"
                                        << "escape";
}

void TstGlob::invalid()
{
    QFETCH(QString, pattern);
    QFETCH(QString, messagePart);
    const Result<Glob> r = Glob::compile(pattern);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(r.error().message().contains(messagePart), qPrintable(r.error().message()));
    if (!pattern.isEmpty())
        QVERIFY2(r.error().message().contains(pattern), qPrintable(r.error().message()));
}

void TstGlob::pathologicalPatternsStayFast()
{
    // Exponential backtracking would never finish these; the two-pointer matcher does
    // 10,000 × 16 steps at most.
    const QString as(10'000, u'a');
    QVERIFY(!compiled(QStringLiteral("*a*a*a*a*a*a*a*b")).matches(as));
    QVERIFY(compiled(QStringLiteral("*a*a*a*a*a*a*a*b")).matches(as + u'b'));
    QVERIFY(compiled(QStringLiteral("*a*a*a*a*a*a*a*a")).matches(as));
    QVERIFY(!compiled(QStringLiteral("a*a*a*a*a*a*a*a*a*a*c")).matches(as + u'b'));
    QVERIFY(!compiled(QStringLiteral("*?*?*?*?*?*?*?*?b")).matches(as));
    QVERIFY(compiled(QString(20, u'?') + u'*').matches(as));
    QVERIFY(!compiled(QString(10'001, u'?')).matches(as));
}

void TstGlob::keepsPattern()
{
    const QString pattern = QStringLiteral("u/*/[!x]?\\*");
    QCOMPARE(compiled(pattern).pattern(), pattern);
}

QTEST_APPLESS_MAIN(TstGlob)
#include "tst_glob.moc"
