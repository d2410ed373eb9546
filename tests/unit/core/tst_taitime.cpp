#include "TaiTime.h"

#include <QTest>

using namespace butler;

namespace {

constexpr qint64 Second = 1'000'000'000;
constexpr qint64 Day = 86'400 * Second;

qint64 utc(const QString& text)
{
    const Result<qint64> r = TaiTime::fromIsoUtc(text);
    if (!r.ok())
        qFatal("fromIsoUtc(%s) failed: %s", qPrintable(text), qPrintable(r.error().message()));
    return r.value();
}

qint64 tai(const QString& text)
{
    const Result<qint64> r = TaiTime::fromIsoTai(text);
    if (!r.ok())
        qFatal("fromIsoTai(%s) failed: %s", qPrintable(text), qPrintable(r.error().message()));
    return r.value();
}

} // namespace

#define VERIFY_RESULT(r) QVERIFY2((r).ok(), (r).ok() ? "" : qPrintable((r).error().message()))

class TstTaiTime : public QObject
{
    Q_OBJECT

private slots:
    void epoch();
    void knownOffsets_data();
    void knownOffsets();
    void leapSecondBoundary();
    void leapSecondLabels_data();
    void leapSecondLabels();
    void notALeapSecond_data();
    void notALeapSecond();
    void formatsAcrossLeapSecond();
    void isoForms_data();
    void isoForms();
    void roundTripText_data();
    void roundTripText();
    void roundTripNanoseconds();
    void taiRejectsUtcMarkers();
    void invalidIso_data();
    void invalidIso();
    void mjd_data();
    void mjd();
    void toMjd();
    void invalidMjd_data();
    void invalidMjd();
    void literal_data();
    void literal();
    void invalidLiteral_data();
    void invalidLiteral();
    void dateTime();
    void dateTimeDuringLeapSecond();
    void invalidDateTime();
    void beforeLeapSeconds();
    void outOfRange_data();
    void outOfRange();
};

void TstTaiTime::epoch()
{
    QCOMPARE(tai(QStringLiteral("1970-01-01T00:00:00")), 0);
    QCOMPARE(TaiTime::toIsoTai(0), QStringLiteral("1970-01-01 00:00:00.000000000"));
    QCOMPARE(TaiTime::toIsoTai(-1), QStringLiteral("1969-12-31 23:59:59.999999999"));
    QCOMPARE(tai(QStringLiteral("1970-01-02")), Day);
}

void TstTaiTime::knownOffsets_data()
{
    QTest::addColumn<QString>("when");
    QTest::addColumn<int>("taiMinusUtc");
    QTest::newRow("1972 start") << "1972-01-01T00:00:00" << 10;
    QTest::newRow("1972 mid-year leap") << "1972-07-01T00:00:00" << 11;
    QTest::newRow("1999") << "1999-01-01T00:00:00" << 32;
    QTest::newRow("2003") << "2003-06-01T12:00:00" << 32;
    QTest::newRow("end of 2005") << "2005-12-31T23:59:59" << 32;
    QTest::newRow("2006") << "2006-01-01T00:00:00" << 33;
    QTest::newRow("before the 2016 leap") << "2016-12-31T23:59:59" << 36;
    QTest::newRow("2017") << "2017-01-01T00:00:00" << 37;
    QTest::newRow("2025") << "2025-06-15T03:00:00.123456789" << 37;
}

void TstTaiTime::knownOffsets()
{
    QFETCH(QString, when);
    QFETCH(int, taiMinusUtc);
    QCOMPARE(utc(when) - tai(when), taiMinusUtc * Second);
}

void TstTaiTime::leapSecondBoundary()
{
    const qint64 before = utc(QStringLiteral("2016-12-31T23:59:59"));
    const qint64 leap = utc(QStringLiteral("2016-12-31T23:59:60"));
    const qint64 after = utc(QStringLiteral("2017-01-01T00:00:00"));
    QCOMPARE(after - before, 2 * Second);
    QCOMPARE(leap - before, Second);
    QCOMPARE(after, tai(QStringLiteral("2017-01-01T00:00:37")));
    QCOMPARE(leap, tai(QStringLiteral("2017-01-01T00:00:36")));
    QCOMPARE(utc(QStringLiteral("2016-12-31T23:59:60.999999999")), after - 1);
    // Across a day without a leap second, midnight is one second after 23:59:59.
    QCOMPARE(utc(QStringLiteral("2017-01-02T00:00:00")) - utc(QStringLiteral("2017-01-01T23:59:59")), Second);
}

void TstTaiTime::leapSecondLabels_data()
{
    QTest::addColumn<QString>("label");
    QTest::newRow("1972-06-30") << "1972-06-30T23:59:60.000000000Z";
    QTest::newRow("1998-12-31") << "1998-12-31T23:59:60.250000000Z";
    QTest::newRow("2015-06-30") << "2015-06-30T23:59:60.500000000Z";
    QTest::newRow("2016-12-31") << "2016-12-31T23:59:60.999999999Z";
}

void TstTaiTime::leapSecondLabels()
{
    QFETCH(QString, label);
    QCOMPARE(TaiTime::toIsoUtc(utc(label)), label);
}

void TstTaiTime::notALeapSecond_data()
{
    QTest::addColumn<QString>("label");
    QTest::newRow("day before the leap") << "2016-12-30T23:59:60";
    QTest::newRow("not the last minute") << "2016-12-31T23:58:60";
    QTest::newRow("not the last hour") << "2016-12-31T22:59:60";
    QTest::newRow("no leap that year") << "2019-12-31T23:59:60";
    QTest::newRow("second 61") << "2016-12-31T23:59:61";
}

void TstTaiTime::notALeapSecond()
{
    QFETCH(QString, label);
    const Result<qint64> r = TaiTime::fromIsoUtc(label);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(r.error().message().contains(label), qPrintable(r.error().message()));
}

void TstTaiTime::formatsAcrossLeapSecond()
{
    const qint64 t = tai(QStringLiteral("2017-01-01T00:00:36"));
    QCOMPARE(TaiTime::toIsoUtc(t - 1), QStringLiteral("2016-12-31T23:59:59.999999999Z"));
    QCOMPARE(TaiTime::toIsoUtc(t), QStringLiteral("2016-12-31T23:59:60.000000000Z"));
    QCOMPARE(TaiTime::toIsoUtc(t + Second - 1), QStringLiteral("2016-12-31T23:59:60.999999999Z"));
    QCOMPARE(TaiTime::toIsoUtc(t + Second), QStringLiteral("2017-01-01T00:00:00.000000000Z"));
    QCOMPARE(TaiTime::toIsoTai(t), QStringLiteral("2017-01-01 00:00:36.000000000"));
}

void TstTaiTime::isoForms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("offsetFromReference");
    // Reference: 2025-06-15T03:00:00 UTC.
    QTest::newRow("T") << "2025-06-15T03:00:00" << qint64(0);
    QTest::newRow("space") << "2025-06-15 03:00:00" << qint64(0);
    QTest::newRow("lower-case t") << "2025-06-15t03:00:00" << qint64(0);
    QTest::newRow("Z") << "2025-06-15T03:00:00Z" << qint64(0);
    QTest::newRow("+00:00") << "2025-06-15T03:00:00+00:00" << qint64(0);
    QTest::newRow("no seconds") << "2025-06-15T03:00" << qint64(0);
    QTest::newRow("surrounding blanks") << "  2025-06-15T03:00:00 " << qint64(0);
    QTest::newRow("one fraction digit") << "2025-06-15T03:00:00.5" << qint64(500'000'000);
    QTest::newRow("nine fraction digits") << "2025-06-15T03:00:00.123456789" << qint64(123'456'789);
    QTest::newRow("one ns") << "2025-06-15 03:00:00.000000001Z" << qint64(1);
    QTest::newRow("date only") << "2025-06-15" << qint64(-3 * 3600 * Second);
    QTest::newRow("end of day") << "2025-06-15T23:59:59.999999999" << qint64(21 * 3600 * Second - 1);
}

void TstTaiTime::isoForms()
{
    QFETCH(QString, text);
    QFETCH(qint64, offsetFromReference);
    const Result<qint64> r = TaiTime::fromIsoUtc(text);
    VERIFY_RESULT(r);
    QCOMPARE(r.value() - utc(QStringLiteral("2025-06-15T03:00:00")), offsetFromReference);
}

void TstTaiTime::roundTripText_data()
{
    QTest::addColumn<QString>("utcText");
    QTest::addColumn<QString>("taiText");
    QTest::newRow("2025") << "2025-06-15T03:00:00.000000000Z"
                          << "2025-06-15 03:00:37.000000000";
    QTest::newRow("ns") << "2025-06-15T03:00:00.123456789Z"
                        << "2025-06-15 03:00:37.123456789";
    QTest::newRow("crosses midnight") << "2024-12-31T23:59:30.000000001Z"
                                      << "2025-01-01 00:00:07.000000001";
    QTest::newRow("leap year day") << "2024-02-29T12:00:00.999999999Z"
                                   << "2024-02-29 12:00:37.999999999";
    QTest::newRow("1999") << "1999-03-04T05:06:07.080000000Z"
                          << "1999-03-04 05:06:39.080000000";
    QTest::newRow("1972") << "1972-01-01T00:00:00.000000000Z"
                          << "1972-01-01 00:00:10.000000000";
    QTest::newRow("2200") << "2200-01-01T00:00:00.000000000Z"
                          << "2200-01-01 00:00:37.000000000";
}

void TstTaiTime::roundTripText()
{
    QFETCH(QString, utcText);
    QFETCH(QString, taiText);
    const qint64 fromUtc = utc(utcText);
    QCOMPARE(fromUtc, tai(taiText));
    QCOMPARE(TaiTime::toIsoUtc(fromUtc), utcText);
    QCOMPARE(TaiTime::toIsoTai(fromUtc), taiText);
}

void TstTaiTime::roundTripNanoseconds()
{
    // Every instant survives TAI -> UTC text -> TAI exactly, including those inside and around
    // leap seconds, and arbitrary ns offsets anywhere in the leap-second era.
    const qint64 leap2016 = tai(QStringLiteral("2017-01-01T00:00:36"));
    const qint64 leap1998 = tai(QStringLiteral("1999-01-01T00:00:31"));
    QList<qint64> instants;
    for (qint64 base : {leap2016, leap1998}) {
        for (qint64 t = base - 2 * Second; t <= base + 2 * Second; t += Second / 4) {
            instants << t - 1 << t << t + 1;
        }
    }
    qint64 t = utc(QStringLiteral("1972-01-01T00:00:00"));
    const qint64 end = utc(QStringLiteral("2250-01-01T00:00:00"));
    const qint64 step = 123 * Day + 4'567'890'123'457;
    for (; t < end; t += step)
        instants << t;
    for (qint64 instant : std::as_const(instants)) {
        const QString text = TaiTime::toIsoUtc(instant);
        const Result<qint64> back = TaiTime::fromIsoUtc(text);
        VERIFY_RESULT(back);
        QCOMPARE(back.value(), instant);
        const Result<qint64> backTai = TaiTime::fromIsoTai(TaiTime::toIsoTai(instant));
        VERIFY_RESULT(backTai);
        QCOMPARE(backTai.value(), instant);
    }
}

void TstTaiTime::taiRejectsUtcMarkers()
{
    for (const QString& text :
         {QStringLiteral("2025-06-15T03:00:00Z"), QStringLiteral("2025-06-15T03:00:00+00:00"),
          QStringLiteral("2016-12-31T23:59:60")}) {
        const Result<qint64> r = TaiTime::fromIsoTai(text);
        QVERIFY2(!r.ok(), qPrintable(text));
        QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
        QVERIFY(r.error().message().contains(text));
    }
}

void TstTaiTime::invalidIso_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("garbage") << "yesterday";
    QTest::newRow("month 13") << "2025-13-01";
    QTest::newRow("month 0") << "2025-00-01";
    QTest::newRow("30 February") << "2025-02-30";
    QTest::newRow("29 February, no leap year") << "2025-02-29T00:00:00";
    QTest::newRow("hour 24") << "2025-06-15T24:00:00";
    QTest::newRow("minute 60") << "2025-06-15T03:60:00";
    QTest::newRow("short month") << "2025-6-15";
    QTest::newRow("two-digit year") << "25-06-15";
    QTest::newRow("bad separator") << "2025-06-15X03:00:00";
    QTest::newRow("dangling separator") << "2025-06-15T";
    QTest::newRow("hour only") << "2025-06-15T03";
    QTest::newRow("ten fraction digits") << "2025-06-15T03:00:00.1234567890";
    QTest::newRow("empty fraction") << "2025-06-15T03:00:00.";
    QTest::newRow("two Z") << "2025-06-15T03:00:00ZZ";
    QTest::newRow("other zone") << "2025-06-15T03:00:00+01:00";
    QTest::newRow("trailing text") << "2025-06-15T03:00:00 UTC";
    QTest::newRow("non-ASCII digits") << QString::fromUtf8("٢٠٢٥-06-15");
    QTest::newRow("sign") << "-2025-06-15";
}

void TstTaiTime::invalidIso()
{
    QFETCH(QString, text);
    for (const Result<qint64>& r : {TaiTime::fromIsoUtc(text), TaiTime::fromIsoTai(text)}) {
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
        QVERIFY2(r.error().message().contains(QLatin1Char('"') + text + QLatin1Char('"')),
                 qPrintable(r.error().message()));
    }
}

void TstTaiTime::mjd_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("1970") << "40587" << qint64(0);
    QTest::newRow("1970 with point") << "40587." << qint64(0);
    QTest::newRow("1970 with zeros") << "40587.000" << qint64(0);
    QTest::newRow("noon") << "40587.5" << Day / 2;
    QTest::newRow("leading +") << "+40587.5" << Day / 2;
    QTest::newRow("day before") << "40586" << -Day;
    QTest::newRow("nine digits exact") << "58938.123456789" << (58938 - 40587) * Day + 123'456'789LL * 86'400;
    QTest::newRow("rounds to ns") << "40587.00000000000001" << qint64(1); // 0.864 ns
    QTest::newRow("rounds down") << "40587.000000000000005" << qint64(0); // 0.432 ns
    QTest::newRow("beyond 18 digits") << "40587.0000000000000000009" << qint64(0);
    QTest::newRow("fraction only") << ".5" << (-40587 * Day + Day / 2);
    QTest::newRow("negative") << "-1" << (-40588 * Day);
    QTest::newRow("blanks") << " 40588 " << Day;
}

void TstTaiTime::mjd()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const Result<qint64> r = TaiTime::fromMjdTai(text);
    VERIFY_RESULT(r);
    QCOMPARE(r.value(), expected);
}

void TstTaiTime::toMjd()
{
    QCOMPARE(TaiTime::toMjdTai(0), 40587.0);
    QCOMPARE(TaiTime::toMjdTai(Day / 2), 40587.5);
    QCOMPARE(TaiTime::toMjdTai(-Day / 4), 40586.75);
    const Result<qint64> t = TaiTime::fromMjdTai(QStringLiteral("58938.5"));
    VERIFY_RESULT(t);
    QCOMPARE(TaiTime::toMjdTai(t.value()), 58938.5);
    // MJD 57754 is 2017-01-01, and MJD is on the TAI scale here.
    QCOMPARE(TaiTime::toMjdTai(tai(QStringLiteral("2017-01-01T06:00:00"))), 57754.25);
}

void TstTaiTime::invalidMjd_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("point only") << ".";
    QTest::newRow("letters") << "abc";
    QTest::newRow("exponent") << "5.8e4";
    QTest::newRow("two points") << "58938.5.5";
    QTest::newRow("two signs") << "--5";
    QTest::newRow("iso") << "2025-06-15";
    QTest::newRow("inner blank") << "58 938";
}

void TstTaiTime::invalidMjd()
{
    QFETCH(QString, text);
    const Result<qint64> r = TaiTime::fromMjdTai(text);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(r.error().message().contains(QLatin1Char('"') + text + QLatin1Char('"')),
             qPrintable(r.error().message()));
}

void TstTaiTime::literal_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected");
    const qint64 utcRef = utc(QStringLiteral("2025-06-15T03:00:00"));
    const qint64 taiRef = tai(QStringLiteral("2025-06-15T03:00:00"));
    const qint64 mjdRef = (58938 - 40587) * Day + Day / 2;
    QTest::newRow("bare ISO is UTC") << "2025-06-15T03:00:00" << utcRef;
    QTest::newRow("bare ISO with space") << "2025-06-15 03:00:00" << utcRef;
    QTest::newRow("bare ISO with Z") << "2025-06-15T03:00:00Z" << utcRef;
    QTest::newRow("/utc") << "2025-06-15T03:00:00/utc" << utcRef;
    QTest::newRow("/tai") << "2025-06-15T03:00:00/tai" << taiRef;
    QTest::newRow("/TAI") << "2025-06-15T03:00:00/TAI" << taiRef;
    QTest::newRow("iso/") << "iso/2025-06-15 03:00:00" << utcRef;
    QTest::newRow("isot/") << "isot/2025-06-15T03:00:00" << utcRef;
    QTest::newRow("iso/ /tai") << "iso/2025-06-15 03:00:00/tai" << taiRef;
    QTest::newRow("ISOT/ /UTC") << "ISOT/2025-06-15T03:00:00/UTC" << utcRef;
    QTest::newRow("date only") << "2025-06-15" << utcRef - 3 * 3600 * Second;
    QTest::newRow("mjd/") << "mjd/58938.5" << mjdRef;
    QTest::newRow("mjd/ /tai") << "mjd/58938.5/tai" << mjdRef;
    QTest::newRow("bare number is MJD TAI") << "58938.5" << mjdRef;
    QTest::newRow("bare integer") << "58938" << mjdRef - Day / 2;
    QTest::newRow("bare number /tai") << "58938.5/tai" << mjdRef;
    QTest::newRow("mjd/ /utc") << "mjd/57754/utc" << utc(QStringLiteral("2017-01-01T00:00:00"));
    // On a leap-second day, an MJD fraction in UTC is of the 86401 s day (ERFA's convention).
    QTest::newRow("mjd utc on leap day") << "mjd/57753.5/utc" << utc(QStringLiteral("2016-12-31T12:00:00.5"));
    QTest::newRow("blanks") << " 2025-06-15T03:00:00 " << utcRef;
}

void TstTaiTime::literal()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const Result<qint64> r = TaiTime::fromLiteral(text);
    VERIFY_RESULT(r);
    QCOMPARE(r.value(), expected);
}

void TstTaiTime::invalidLiteral_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("garbage") << "now";
    QTest::newRow("unknown format") << "fits/2025-06-15T03:00:00";
    QTest::newRow("unknown scale") << "2025-06-15T03:00:00/tt";
    QTest::newRow("too many parts") << "iso/2025-06-15/tai/utc";
    QTest::newRow("no value") << "mjd/";
    QTest::newRow("scale only") << "/tai";
    QTest::newRow("bad mjd") << "mjd/abc";
    QTest::newRow("exponent") << "5.8e4";
    QTest::newRow("mjd given iso") << "mjd/2025-06-15";
    QTest::newRow("iso given mjd") << "iso/58938.5";
    QTest::newRow("Z on TAI") << "2025-06-15T03:00:00Z/tai";
    QTest::newRow("bad date") << "2025-02-30/utc";
}

void TstTaiTime::invalidLiteral()
{
    QFETCH(QString, text);
    const Result<qint64> r = TaiTime::fromLiteral(text);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(r.error().message().contains(QLatin1Char('"') + text.trimmed()),
             qPrintable(r.error().message()));
}

void TstTaiTime::dateTime()
{
    const QDateTime dt(QDate(2025, 6, 15), QTime(3, 0, 0, 123), Qt::UTC);
    const Result<qint64> r = TaiTime::fromDateTime(dt);
    VERIFY_RESULT(r);
    QCOMPARE(r.value(), utc(QStringLiteral("2025-06-15T03:00:00.123")));
    QCOMPARE(TaiTime::toDateTime(r.value()), dt);
    QCOMPARE(TaiTime::toDateTime(r.value()).timeSpec(), Qt::UTC);
    // Sub-millisecond digits are dropped, not rounded.
    QCOMPARE(TaiTime::toDateTime(r.value() + 999'999), dt);

    const QDateTime plusOne(QDate(2025, 6, 15), QTime(4, 0, 0, 123), Qt::OffsetFromUTC, 3600);
    const Result<qint64> shifted = TaiTime::fromDateTime(plusOne);
    VERIFY_RESULT(shifted);
    QCOMPARE(shifted.value(), r.value());
}

void TstTaiTime::dateTimeDuringLeapSecond()
{
    const QDateTime dt = TaiTime::toDateTime(utc(QStringLiteral("2016-12-31T23:59:60.5")));
    QCOMPARE(dt, QDateTime(QDate(2016, 12, 31), QTime(23, 59, 59, 999), Qt::UTC));
}

void TstTaiTime::invalidDateTime()
{
    const Result<qint64> r = TaiTime::fromDateTime(QDateTime());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    const Result<qint64> far = TaiTime::fromDateTime(QDateTime(QDate(3000, 1, 1), QTime(0, 0), Qt::UTC));
    QVERIFY(!far.ok());
    QCOMPARE(far.error().kind(), ErrorKind::InvalidInput);
}

void TstTaiTime::beforeLeapSeconds()
{
    // 1970-01-01T00:00:00 UTC was 1970-01-01T00:00:08.000082 TAI (the 1968-1971 drift formula);
    // pre-1972 offsets go through a double, so allow a few ns.
    const qint64 t = utc(QStringLiteral("1970-01-01T00:00:00"));
    QVERIFY2(qAbs(t - 8'000'082'000) <= 5, qPrintable(QString::number(t)));
    QCOMPARE(TaiTime::toIsoUtc(t), QStringLiteral("1970-01-01T00:00:00.000000000Z"));
    // UTC seconds were longer than SI seconds then: TAI-UTC grew by 0.002592 s a day, so
    // 1.234567891 UTC seconds lasted 37 ns more than that in TAI.
    const qint64 later = utc(QStringLiteral("1970-01-01T00:00:01.234567891"));
    QVERIFY2(qAbs(later - t - 1'234'567'891 - 37) <= 2, qPrintable(QString::number(later - t)));
    QCOMPARE(TaiTime::toIsoUtc(later), QStringLiteral("1970-01-01T00:00:01.234567891Z"));
    // The step of 1972-01-01 (9.892242 s to 10 s) lengthens the last UTC second of 1971.
    QCOMPARE(TaiTime::toIsoUtc(utc(QStringLiteral("1971-12-31T23:59:60.1"))),
             QStringLiteral("1971-12-31T23:59:60.100000000Z"));
    QVERIFY(!TaiTime::fromIsoUtc(QStringLiteral("1971-12-31T23:59:60.2")).ok());
    // Instants between 1960 and 1972 still survive TAI -> UTC text -> TAI.
    const qint64 end = utc(QStringLiteral("1972-01-01T00:00:00"));
    for (qint64 instant = tai(QStringLiteral("1960-01-01T00:00:00")); instant < end;
         instant += 17 * Day + 3'210'987'654'321) {
        const Result<qint64> back = TaiTime::fromIsoUtc(TaiTime::toIsoUtc(instant));
        VERIFY_RESULT(back);
        QCOMPARE(back.value(), instant);
    }
    // Before 1960 UTC had no defined offset; ERFA reports 0.
    QCOMPARE(utc(QStringLiteral("1950-01-01T00:00:00")), tai(QStringLiteral("1950-01-01T00:00:00")));
}

void TstTaiTime::outOfRange_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("isMjd");
    QTest::newRow("2263") << "2263-01-01" << false;
    QTest::newRow("1600") << "1600-01-01T00:00:00" << false;
    QTest::newRow("9999") << "9999-12-31T23:59:59" << false;
    QTest::newRow("big mjd") << "1000000" << true;
    QTest::newRow("huge mjd") << "123456789012345678901234567890" << true;
    QTest::newRow("very negative mjd") << "-100000" << true;
}

void TstTaiTime::outOfRange()
{
    QFETCH(QString, text);
    QFETCH(bool, isMjd);
    const Result<qint64> r = isMjd ? TaiTime::fromMjdTai(text) : TaiTime::fromIsoUtc(text);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(r.error().message().contains(QStringLiteral("range")), qPrintable(r.error().message()));
    QVERIFY2(r.error().message().contains(text), qPrintable(r.error().message()));
}

QTEST_APPLESS_MAIN(TstTaiTime)
#include "tst_taitime.moc"
