#include "TaiTime.h"

#include <erfa.h>

#include <QStringList>
#include <algorithm>
#include <cmath>
#include <optional>

namespace butler {

namespace {

// 128-bit intermediates: day arithmetic near the ends of the qint64 range must not overflow
// before the final range check.
__extension__ typedef __int128 Wide;

constexpr qint64 NsPerSecond = 1'000'000'000;
constexpr qint64 NsPerDay = 86'400 * NsPerSecond;
constexpr int MjdOf1970 = 40587;
constexpr double MjdZeroAsJd = 2400000.5;

// A calendar date and time of day; second is 60 during a UTC leap second.
struct CalendarTime
{
    int year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    qint64 nanosecond = 0;
};

Wide floorDiv(Wide a, Wide b)
{
    Wide q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

QString rangeMessage(const QString& text)
{
    return QStringLiteral("time \"%1\" is outside the representable range (1677-09-21 to 2262-04-11 TAI)")
        .arg(text);
}

Result<qint64> narrow(Wide ns, const QString& text)
{
    if (ns < std::numeric_limits<qint64>::min() || ns > std::numeric_limits<qint64>::max())
        return invalidInput(rangeMessage(text));
    return static_cast<qint64>(ns);
}

std::optional<int> mjdOfDate(int year, int month, int day)
{
    double djm0 = 0.0;
    double djm = 0.0;
    if (eraCal2jd(year, month, day, &djm0, &djm) != 0)
        return std::nullopt;
    return static_cast<int>(djm);
}

void dateOfMjd(int mjd, int& year, int& month, int& day)
{
    // Both parts are exact in a double, and eraJd2cal keeps them apart, so the date is exact.
    double fraction = 0.0;
    eraJd2cal(MjdZeroAsJd, static_cast<double>(mjd), &year, &month, &day, &fraction);
}

// TAI-UTC in ns on UTC day `mjd`, sUtcNs into that day. From 1972 on ERFA returns whole
// seconds, which stay exact; before 1972 the offset drifts within the day and the double it
// comes back as is rounded to the nearest ns.
qint64 offsetNs(int mjd, qint64 sUtcNs)
{
    int year = 0;
    int month = 0;
    int day = 0;
    dateOfMjd(mjd, year, month, day);
    const double fd = std::clamp(static_cast<double>(sUtcNs) / static_cast<double>(NsPerDay), 0.0, 1.0);
    double dat = 0.0;
    if (eraDat(year, month, day, fd, &dat) < 0)
        return 0;
    return std::llround(dat * static_cast<double>(NsPerSecond));
}

// How much longer than 86400 s UTC day `mjd` is: 1 s on a leap-second day.
qint64 extraNsAtEndOfDay(int mjd)
{
    return offsetNs(mjd + 1, 0) - offsetNs(mjd, NsPerDay);
}

Wide dayStartTai(int mjd)
{
    return Wide(mjd - MjdOf1970) * NsPerDay + offsetNs(mjd, 0);
}

Wide taiOfUtcDay(int mjd, qint64 sUtcNs)
{
    return Wide(mjd - MjdOf1970) * NsPerDay + sUtcNs + offsetNs(mjd, sUtcNs);
}

CalendarTime splitDay(int mjd, qint64 nsOfDay)
{
    CalendarTime c;
    dateOfMjd(mjd, c.year, c.month, c.day);
    c.nanosecond = nsOfDay % NsPerSecond;
    qint64 seconds = nsOfDay / NsPerSecond;
    if (seconds >= 86'400) {
        // Past the end of a 86400 s day: a leap second, written 23:59:60.
        c.hour = 23;
        c.minute = 59;
        c.second = static_cast<int>(seconds - 86'340);
        return c;
    }
    c.hour = static_cast<int>(seconds / 3600);
    c.minute = static_cast<int>(seconds / 60 % 60);
    c.second = static_cast<int>(seconds % 60);
    return c;
}

CalendarTime taiToUtc(qint64 ns)
{
    const Wide t = ns;
    // TAI-UTC is never negative, so the UTC day is the TAI day or the one before it.
    int mjd = static_cast<int>(floorDiv(t, NsPerDay)) + MjdOf1970;
    if (t < dayStartTai(mjd))
        --mjd;
    const qint64 sinceMidnightLabel = static_cast<qint64>(t - Wide(mjd - MjdOf1970) * NsPerDay);
    // Solve s + offset(s) = sinceMidnightLabel; the offset changes by at most ~1.3 ms per day
    // (pre-1972 drift), so this converges in one or two steps.
    qint64 s = sinceMidnightLabel - offsetNs(mjd, 0);
    for (int i = 0; i < 4; ++i) {
        const qint64 next = sinceMidnightLabel - offsetNs(mjd, s);
        if (next == s)
            break;
        s = next;
    }
    return splitDay(mjd, std::max<qint64>(s, 0));
}

CalendarTime taiToCalendar(qint64 ns)
{
    const Wide t = ns;
    const Wide days = floorDiv(t, NsPerDay);
    return splitDay(static_cast<int>(days) + MjdOf1970, static_cast<qint64>(t - days * NsPerDay));
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

// Reads exactly `count` ASCII digits at `pos`.
bool readDigits(QStringView text, qsizetype& pos, int count, int& value)
{
    if (pos + count > text.size())
        return false;
    value = 0;
    for (int i = 0; i < count; ++i) {
        const QChar c = text[pos + i];
        if (!isAsciiDigit(c))
            return false;
        value = value * 10 + (c.unicode() - u'0');
    }
    pos += count;
    return true;
}

QString isoFormMessage(const QString& text)
{
    return QStringLiteral("invalid time \"%1\": expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or "
                          "YYYY-MM-DD HH:MM:SS.fffffffff")
        .arg(text);
}

// Parses the ISO forms; `utc` allows a trailing 'Z' or "+00:00" and a leap second.
Result<CalendarTime> parseIso(const QString& original, bool utc)
{
    QStringView text = QStringView(original).trimmed();
    if (text.endsWith(u'Z') || text.endsWith(u'z') || text.endsWith(u"+00:00")) {
        if (!utc)
            return invalidInput(
                QStringLiteral("invalid TAI time \"%1\": a trailing 'Z' or '+00:00' marks UTC")
                    .arg(original));
        text.chop(text.endsWith(u"+00:00") ? 6 : 1);
    }
    CalendarTime c;
    qsizetype pos = 0;
    auto expect = [&](char16_t ch) {
        if (pos < text.size() && text[pos] == ch) {
            ++pos;
            return true;
        }
        return false;
    };
    if (!readDigits(text, pos, 4, c.year) || !expect(u'-') || !readDigits(text, pos, 2, c.month) ||
        !expect(u'-') || !readDigits(text, pos, 2, c.day))
        return invalidInput(isoFormMessage(original));
    if (pos < text.size()) {
        if (!(expect(u'T') || expect(u't') || expect(u' ')))
            return invalidInput(isoFormMessage(original));
        if (!readDigits(text, pos, 2, c.hour) || !expect(u':') || !readDigits(text, pos, 2, c.minute))
            return invalidInput(isoFormMessage(original));
        if (expect(u':')) {
            if (!readDigits(text, pos, 2, c.second))
                return invalidInput(isoFormMessage(original));
            if (expect(u'.')) {
                int digits = 0;
                while (pos < text.size() && isAsciiDigit(text[pos]) && digits < 10) {
                    c.nanosecond = c.nanosecond * 10 + (text[pos].unicode() - u'0');
                    ++pos;
                    ++digits;
                }
                if (digits == 0 || digits > 9)
                    return invalidInput(
                        QStringLiteral("invalid time \"%1\": the fraction of a second needs 1 to 9 digits")
                            .arg(original));
                for (; digits < 9; ++digits)
                    c.nanosecond *= 10;
            }
        }
        if (pos != text.size())
            return invalidInput(isoFormMessage(original));
    }
    if (!mjdOfDate(c.year, c.month, c.day))
        return invalidInput(QStringLiteral("invalid time \"%1\": no such date").arg(original));
    if (c.hour > 23 || c.minute > 59 || c.second > (utc ? 60 : 59))
        return invalidInput(QStringLiteral("invalid time \"%1\": time of day out of range").arg(original));
    return c;
}

Result<qint64> utcToTai(const CalendarTime& c, const QString& text)
{
    const std::optional<int> mjd = mjdOfDate(c.year, c.month, c.day);
    if (!mjd)
        return invalidInput(QStringLiteral("invalid time \"%1\": no such date").arg(text));
    const qint64 sUtc = ((qint64(c.hour) * 60 + c.minute) * 60 + c.second) * NsPerSecond + c.nanosecond;
    if (c.second == 60 && (c.hour != 23 || c.minute != 59 || sUtc >= NsPerDay + extraNsAtEndOfDay(*mjd)))
        return invalidInput(QStringLiteral("invalid time \"%1\": there was no leap second then").arg(text));
    return narrow(taiOfUtcDay(*mjd, sUtc), text);
}

// Decimal days since MJD 0 as ns, exactly: integer days plus up to 18 fraction digits, rounded
// to the nearest ns (digits past the 18th are below 1e-13 s and ignored).
Result<Wide> parseMjd(const QString& original)
{
    const QStringView text = QStringView(original).trimmed();
    const auto fail = [&] {
        return invalidInput(
            QStringLiteral("invalid MJD \"%1\": expected a decimal number such as 60476.125").arg(original));
    };
    qsizetype pos = 0;
    bool negative = false;
    if (pos < text.size() && (text[pos] == u'-' || text[pos] == u'+'))
        negative = text[pos++] == u'-';
    Wide days = 0;
    int intDigits = 0;
    while (pos < text.size() && isAsciiDigit(text[pos])) {
        if (++intDigits > 9)
            return invalidInput(rangeMessage(original));
        days = days * 10 + (text[pos++].unicode() - u'0');
    }
    Wide numerator = 0;
    Wide denominator = 1;
    int fracDigits = 0;
    if (pos < text.size() && text[pos] == u'.') {
        ++pos;
        while (pos < text.size() && isAsciiDigit(text[pos])) {
            if (fracDigits < 18) {
                numerator = numerator * 10 + (text[pos].unicode() - u'0');
                denominator *= 10;
            }
            ++fracDigits;
            ++pos;
        }
    }
    if (pos != text.size() || (intDigits == 0 && fracDigits == 0))
        return fail();
    const Wide fracNs = (numerator * NsPerDay * 2 + denominator) / (denominator * 2);
    const Wide ns = days * NsPerDay + fracNs;
    return negative ? -ns : ns;
}

QString formatCalendar(const CalendarTime& c, char separator)
{
    return QString::asprintf("%04d-%02d-%02d%c%02d:%02d:%02d.%09lld", c.year, c.month, c.day, separator,
                             c.hour, c.minute, c.second, static_cast<long long>(c.nanosecond));
}

// A bare number (optional sign, digits, at most one '.') is an MJD; anything else is ISO.
bool looksNumeric(const QString& text)
{
    const QStringView body = text.startsWith(u'-') || text.startsWith(u'+') ? QStringView(text).mid(1) : text;
    return !body.isEmpty() && body.count(u'.') <= 1 &&
           std::all_of(body.begin(), body.end(), [](QChar c) { return isAsciiDigit(c) || c == u'.'; });
}

// MJD on the UTC scale: on a leap-second day the fraction is of the 86401 s day, as in ERFA's
// quasi-JD convention.
Result<qint64> mjdUtcToTai(const QString& value, const QString& text)
{
    BUTLER_ASSIGN_OR_RETURN(const Wide label, parseMjd(value));
    const Wide mjdWide = floorDiv(label, NsPerDay);
    if (mjdWide < -1'000'000 || mjdWide > 1'000'000)
        return invalidInput(rangeMessage(text));
    const int mjd = static_cast<int>(mjdWide);
    const Wide fraction = label - mjdWide * NsPerDay;
    const Wide dayLength = NsPerDay + extraNsAtEndOfDay(mjd);
    const qint64 sUtc = static_cast<qint64>((fraction * dayLength * 2 + NsPerDay) / (Wide(NsPerDay) * 2));
    return narrow(taiOfUtcDay(mjd, sUtc), text);
}

} // namespace

Result<qint64> TaiTime::fromIsoUtc(const QString& text)
{
    BUTLER_ASSIGN_OR_RETURN(const CalendarTime c, parseIso(text, true));
    return utcToTai(c, text);
}

Result<qint64> TaiTime::fromIsoTai(const QString& text)
{
    BUTLER_ASSIGN_OR_RETURN(const CalendarTime c, parseIso(text, false));
    const int mjd = *mjdOfDate(c.year, c.month, c.day);
    const qint64 sinceMidnight =
        ((qint64(c.hour) * 60 + c.minute) * 60 + c.second) * NsPerSecond + c.nanosecond;
    return narrow(Wide(mjd - MjdOf1970) * NsPerDay + sinceMidnight, text);
}

Result<qint64> TaiTime::fromMjdTai(const QString& text)
{
    BUTLER_ASSIGN_OR_RETURN(const Wide ns, parseMjd(text));
    return narrow(ns - Wide(MjdOf1970) * NsPerDay, text);
}

Result<qint64> TaiTime::fromLiteral(const QString& text)
{
    const QString trimmed = text.trimmed();
    const QStringList parts = trimmed.split(u'/');
    const auto isFormat = [](const QString& s) {
        const QString lower = s.toLower();
        return lower == u"iso" || lower == u"isot" || lower == u"mjd";
    };
    const auto isScale = [](const QString& s) {
        const QString lower = s.toLower();
        return lower == u"tai" || lower == u"utc";
    };
    QString format;
    QString value;
    QString scale;
    if (parts.size() == 1) {
        value = parts[0];
    } else if (parts.size() == 2 && isFormat(parts[0])) {
        format = parts[0].toLower();
        value = parts[1];
    } else if (parts.size() == 2 && isScale(parts[1])) {
        value = parts[0];
        scale = parts[1].toLower();
    } else if (parts.size() == 3 && isFormat(parts[0]) && isScale(parts[2])) {
        format = parts[0].toLower();
        value = parts[1];
        scale = parts[2].toLower();
    } else {
        return invalidInput(
            QStringLiteral("invalid time literal \"%1\": expected [format/]value[/scale] with format "
                           "iso, isot or mjd and scale tai or utc")
                .arg(text));
    }
    if (value.isEmpty())
        return invalidInput(QStringLiteral("invalid time literal \"%1\": no time value").arg(text));
    if (format.isEmpty())
        format = looksNumeric(value) ? QStringLiteral("mjd") : QStringLiteral("iso");
    if (scale.isEmpty())
        scale = format == u"mjd" ? QStringLiteral("tai") : QStringLiteral("utc");

    Result<qint64> result = qint64(0);
    if (format == u"mjd")
        result = scale == u"tai" ? fromMjdTai(value) : mjdUtcToTai(value, text);
    else
        result = scale == u"tai" ? fromIsoTai(value) : fromIsoUtc(value);
    if (!result.ok() && parts.size() > 1)
        return result.error().withContext(QStringLiteral("in time literal \"%1\"").arg(text));
    return result;
}

Result<qint64> TaiTime::fromDateTime(const QDateTime& utc)
{
    if (!utc.isValid())
        return invalidInput(QStringLiteral("invalid date-time"));
    const QDateTime u = utc.toUTC();
    CalendarTime c;
    c.year = u.date().year();
    c.month = u.date().month();
    c.day = u.date().day();
    c.hour = u.time().hour();
    c.minute = u.time().minute();
    c.second = u.time().second();
    c.nanosecond = qint64(u.time().msec()) * 1'000'000;
    return utcToTai(c, u.toString(Qt::ISODateWithMs));
}

QString TaiTime::toIsoUtc(qint64 ns)
{
    return formatCalendar(taiToUtc(ns), 'T') + u'Z';
}

QString TaiTime::toIsoTai(qint64 ns)
{
    return formatCalendar(taiToCalendar(ns), ' ');
}

QDateTime TaiTime::toDateTime(qint64 ns)
{
    const CalendarTime c = taiToUtc(ns);
    // QTime has no 23:59:60: a leap second shows as the last representable millisecond.
    const bool leap = c.second >= 60;
    const QTime time(c.hour, c.minute, leap ? 59 : c.second,
                     leap ? 999 : static_cast<int>(c.nanosecond / 1'000'000));
    return QDateTime(QDate(c.year, c.month, c.day), time, Qt::UTC);
}

double TaiTime::toMjdTai(qint64 ns)
{
    const Wide days = floorDiv(ns, NsPerDay);
    const qint64 rest = static_cast<qint64>(Wide(ns) - days * NsPerDay);
    return double(MjdOf1970) + double(days) + double(rest) / double(NsPerDay);
}

} // namespace butler
