#include "DemoRepoBuilder.h"

#include "FitsImageWriter.h"
#include "TaiTime.h"

#include <QCryptographicHash>
#include <QDate>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QtConcurrent/QtConcurrentMap>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <random>

namespace butler {

namespace {

// ------------------------------------------------------------------ what the repository holds

const QString kInstrument = QStringLiteral("LSSTCam");
const QString kSkyMap = QStringLiteral("lsst_cells_v1");

const QString kRawRun = QStringLiteral("LSSTCam/raw/all");
const QString kCalibCollection = QStringLiteral("LSSTCam/calib");
const QString kBiasRunEarly = QStringLiteral("LSSTCam/calib/bias/20250601");
const QString kBiasRunLate = QStringLiteral("LSSTCam/calib/bias/20250616");
const QString kFlatRun = QStringLiteral("LSSTCam/calib/flat/20250601");
const QString kSkyMapRun = QStringLiteral("skymaps");
const QString kProcessingChain = QStringLiteral("LSSTCam/runs/DM-00001");
const QString kCalexpRun = QStringLiteral("LSSTCam/runs/DM-00001/calexp");
const QString kCoaddRun = QStringLiteral("LSSTCam/runs/DM-00001/coadd");
const QString kBestSeeing = QStringLiteral("LSSTCam/tagged/best-seeing");
const QString kDefaults = QStringLiteral("LSSTCam/defaults");

// The first night's day_obs, and the day_obs on which each calibration generation starts.
const QDate kFirstNight(2025, 6, 15);
const QDate kEarlyCalibDate(2025, 6, 1);
const QDate kLateCalibDate(2025, 6, 16);

constexpr int kMaxNights = 31;
constexpr int kImageSize = 24; // 576 float32 pixels fill one 2880-byte FITS block
constexpr int kCoaddSize = 64;
constexpr int kChunkFiles = 512; // files generated and ingested per transaction
constexpr int kPatchesPerSide = 10;

struct FilterInfo
{
    const char* name;
    const char* band;
    double skyAdu; // sky level in a 30 s exposure
};

// LSSTCam's filters as named in its exposure records, with rough dark-sky levels.
constexpr FilterInfo kFilters[] = {
    {"u_24", "u", 30.0},  {"g_6", "g", 180.0},   {"r_57", "r", 400.0},
    {"i_39", "i", 650.0}, {"z_20", "z", 1000.0}, {"y_10", "y", 1400.0},
};
constexpr int kFilterCount = int(std::size(kFilters));

// Cerro Pachon.
constexpr double kSiteLatitude = -30.2446;
constexpr double kSiteLongitude = -70.7494;

// The focal plane, in degrees on the sky: 0.2"/pixel, 4k x 4k sensors on 127 mm rafts.
constexpr double kRaftPitch = 0.7056;
constexpr double kSensorPitch = 0.2347;
constexpr double kSensorHalf = 0.1138;

// lsst_cells_v1: a rings sky map of 120 dec rings and 10 x 10 patches of 3200 pixels.
constexpr int kNumRings = 120;
constexpr double kPatchSize = 3200 * 0.2 / 3600.0;

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr qint64 kNsPerSecond = 1'000'000'000;

// ------------------------------------------------------------------ random numbers

quint64 splitMix64(quint64 x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// A seed for one purpose (a tag) and one item, so that every file's content depends only on the
// build seed and what the file is, not on the order in which files are made.
quint64 deriveSeed(quint64 seed, quint64 tag, quint64 a = 0, quint64 b = 0, quint64 c = 0)
{
    quint64 h = splitMix64(seed);
    for (const quint64 part : {tag, a, b, c})
        h = splitMix64(h ^ part);
    return h;
}

enum SeedTag : quint64
{
    PlanTag = 1,
    DetectorTag,
    StarTag,
    RawNoiseTag,
    CalexpNoiseTag,
    SourceTag,
    CoaddTag,
    BiasTag,
    FlatTag
};

// Uniform and normal deviates computed here rather than by <random>'s distributions, whose
// algorithms differ between standard libraries: a seed makes the same choices with any of them.
class Random
{
public:
    explicit Random(quint64 seed)
        : m_engine(seed)
    {
    }
    double uniform() { return double(m_engine() >> 11) * 0x1.0p-53; }
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    int integer(int low, int high) { return low + int(m_engine() % quint64(high - low + 1)); }
    double normal()
    {
        if (m_spare) {
            const double value = *m_spare;
            m_spare.reset();
            return value;
        }
        const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
        const double angle = 2.0 * std::numbers::pi * uniform();
        m_spare = radius * std::sin(angle);
        return radius * std::cos(angle);
    }

private:
    std::mt19937_64 m_engine;
    std::optional<double> m_spare;
};

// ------------------------------------------------------------------ sky geometry

struct Vec3
{
    double x = 0.0;
    double y = 0.0;
    double z = 0.0;
};

Vec3 cross(const Vec3& a, const Vec3& b)
{
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

double dot(const Vec3& a, const Vec3& b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

Vec3 unitVector(double raDeg, double decDeg)
{
    const double ra = raDeg * kDeg;
    const double dec = decDeg * kDeg;
    return {std::cos(dec) * std::cos(ra), std::cos(dec) * std::sin(ra), std::sin(dec)};
}

double wrapDegrees(double degrees)
{
    const double wrapped = std::fmod(degrees, 360.0);
    return wrapped < 0.0 ? wrapped + 360.0 : wrapped;
}

// The point at gnomonic (TAN) offsets xi (east) and eta (north), in degrees, from a center.
Vec3 tangentPoint(double raDeg, double decDeg, double xiDeg, double etaDeg)
{
    const double ra = raDeg * kDeg;
    const double dec = decDeg * kDeg;
    const Vec3 center = unitVector(raDeg, decDeg);
    const Vec3 east{-std::sin(ra), std::cos(ra), 0.0};
    const Vec3 north{-std::sin(dec) * std::cos(ra), -std::sin(dec) * std::sin(ra), std::cos(dec)};
    const double xi = std::tan(xiDeg * kDeg);
    const double eta = std::tan(etaDeg * kDeg);
    Vec3 p{center.x + xi * east.x + eta * north.x, center.y + xi * east.y + eta * north.y,
           center.z + xi * east.z + eta * north.z};
    const double norm = std::sqrt(dot(p, p));
    return {p.x / norm, p.y / norm, p.z / norm};
}

void toRaDec(const Vec3& v, double* raDeg, double* decDeg)
{
    *raDeg = wrapDegrees(std::atan2(v.y, v.x) / kDeg);
    *decDeg = std::asin(std::clamp(v.z, -1.0, 1.0)) / kDeg;
}

// An lsst.sphgeom ConvexPolygon as its encode() writes it: the type byte 'p' and the vertices
// as little-endian doubles, counter-clockwise seen from outside the sphere.
QByteArray encodePolygon(QList<Vec3> vertices)
{
    double turn = 0.0;
    for (qsizetype i = 0; i < vertices.size(); ++i)
        turn +=
            dot(cross(vertices[i], vertices[(i + 1) % vertices.size()]), vertices[(i + 2) % vertices.size()]);
    if (turn < 0.0)
        std::reverse(vertices.begin(), vertices.end());
    QByteArray bytes(1 + vertices.size() * 24, Qt::Uninitialized);
    bytes[0] = 'p';
    char* out = bytes.data() + 1;
    for (const Vec3& v : std::as_const(vertices)) {
        for (const double c : {v.x, v.y, v.z}) {
            qToLittleEndian(c, out);
            out += 8;
        }
    }
    return bytes;
}

// Square-cornered region around a center from tangent-plane corners (xi, eta) in degrees.
QByteArray tangentPolygon(double raDeg, double decDeg, const QList<std::pair<double, double>>& corners)
{
    QList<Vec3> vertices;
    for (const auto& [xi, eta] : corners)
        vertices.append(tangentPoint(raDeg, decDeg, xi, eta));
    return encodePolygon(vertices);
}

double galacticLatitude(double raDeg, double decDeg)
{
    constexpr double poleRa = 192.85948 * kDeg;
    constexpr double poleDec = 27.12825 * kDeg;
    const double ra = raDeg * kDeg;
    const double dec = decDeg * kDeg;
    return std::asin(std::sin(dec) * std::sin(poleDec) +
                     std::cos(dec) * std::cos(poleDec) * std::cos(ra - poleRa)) /
           kDeg;
}

// Local sidereal time at the site, degrees (UT1 taken as UTC).
double localSiderealTime(qint64 utcNs)
{
    const double jd = double(utcNs) / (86400.0 * kNsPerSecond) + 2440587.5;
    return wrapDegrees(280.46061837 + 360.98564736629 * (jd - 2451545.0) + kSiteLongitude);
}

// Azimuth (from north through east) and zenith angle at the site, degrees.
void horizontal(double raDeg, double decDeg, qint64 utcNs, double* azimuth, double* zenithAngle)
{
    const double hourAngle = (localSiderealTime(utcNs) - raDeg) * kDeg;
    const double lat = kSiteLatitude * kDeg;
    const double dec = decDeg * kDeg;
    const double sinAlt = std::sin(lat) * std::sin(dec) + std::cos(lat) * std::cos(dec) * std::cos(hourAngle);
    *zenithAngle = 90.0 - std::asin(std::clamp(sinAlt, -1.0, 1.0)) / kDeg;
    *azimuth = wrapDegrees(
        std::atan2(-std::cos(dec) * std::sin(hourAngle),
                   std::sin(dec) * std::cos(lat) - std::cos(dec) * std::cos(hourAngle) * std::sin(lat)) /
        kDeg);
}

// ------------------------------------------------------------------ the rings sky map

// lsst.skymap.RingsSkyMap: a cap at each pole and kNumRings rings of tracts between them,
// numbered from the south pole; lsst_cells_v1 has 18938 tracts.
class RingsSkyMap
{
public:
    RingsSkyMap()
        : m_ringSize(std::numbers::pi / (kNumRings + 1))
    {
        int first = 1;
        for (int i = 0; i < kNumRings; ++i) {
            const double startDec = m_ringSize * (i + 0.5) - 0.5 * std::numbers::pi;
            const double nearEquator = std::min(std::fabs(startDec), std::fabs(startDec + m_ringSize));
            const int count = int(2.0 * std::numbers::pi * std::cos(nearEquator) / m_ringSize) + 1;
            m_ringCounts.append(count);
            m_ringFirst.append(first);
            first += count;
        }
        m_tractMax = first + 1;
    }

    int tractMax() const { return m_tractMax; }

    int tractAt(double raDeg, double decDeg) const
    {
        const int ring = int(std::floor((decDeg * kDeg + 0.5 * std::numbers::pi) / m_ringSize - 0.5));
        if (ring < 0)
            return 0;
        if (ring >= kNumRings)
            return m_tractMax - 1;
        const int count = m_ringCounts[ring];
        const int index = int(std::lround(raDeg / (360.0 / count))) % count;
        return m_ringFirst[ring] + index;
    }

    void center(int tract, double* raDeg, double* decDeg) const
    {
        if (tract == 0 || tract == m_tractMax - 1) {
            *raDeg = 0.0;
            *decDeg = tract == 0 ? -90.0 : 90.0;
            return;
        }
        const int ring =
            int(std::upper_bound(m_ringFirst.begin(), m_ringFirst.end(), tract) - m_ringFirst.begin()) - 1;
        *raDeg = 360.0 * (tract - m_ringFirst[ring]) / m_ringCounts[ring];
        *decDeg = (m_ringSize * (ring + 1) - 0.5 * std::numbers::pi) / kDeg;
    }

private:
    double m_ringSize;
    QList<int> m_ringCounts;
    QList<int> m_ringFirst;
    int m_tractMax = 0;
};

// Tangent-plane corners of patch (x, y) of a tract, or of the whole tract; x grows westward.
QList<std::pair<double, double>> patchCorners(double x0, double y0, double x1, double y1)
{
    const double half = kPatchesPerSide / 2.0;
    auto corner = [&](double x, double y) {
        return std::pair{-(x - half) * kPatchSize, (y - half) * kPatchSize};
    };
    return {corner(x0, y0), corner(x1, y0), corner(x1, y1), corner(x0, y1)};
}

// ------------------------------------------------------------------ the camera

struct Detector
{
    int id = 0;
    QString fullName;
    QString raft;
    QString sensor;
    double x = 0.0; // focal-plane position of the center, degrees
    double y = 0.0;
};

// The 189 science sensors: 21 rafts (5 x 5 without the corner rafts) of 3 x 3 sensors, numbered
// as obs_lsst does (R22_S11 is 94).
QList<Detector> scienceDetectors()
{
    QList<Detector> detectors;
    for (int row = 0; row < 5; ++row) {
        for (int col = 0; col < 5; ++col) {
            if ((row == 0 || row == 4) && (col == 0 || col == 4))
                continue;
            const QString raft = QStringLiteral("R%1%2").arg(row).arg(col);
            for (int sRow = 0; sRow < 3; ++sRow) {
                for (int sCol = 0; sCol < 3; ++sCol) {
                    Detector d;
                    d.id = int(detectors.size());
                    d.raft = raft;
                    d.sensor = QStringLiteral("S%1%2").arg(sRow).arg(sCol);
                    d.fullName = raft + QLatin1Char('_') + d.sensor;
                    d.x = (col - 2) * kRaftPitch + (sCol - 1) * kSensorPitch;
                    d.y = (row - 2) * kRaftPitch + (sRow - 1) * kSensorPitch;
                    detectors.append(d);
                }
            }
        }
    }
    return detectors;
}

// Focal-plane (x, y) to tangent-plane (xi, eta) at a sky angle.
std::pair<double, double> rotate(double x, double y, double skyAngleDeg)
{
    const double c = std::cos(skyAngleDeg * kDeg);
    const double s = std::sin(skyAngleDeg * kDeg);
    return {x * c - y * s, x * s + y * c};
}

// ------------------------------------------------------------------ the observing plan

struct PlannedExposure
{
    qint64 id = 0;
    int dayObs = 0;
    int seqNum = 0;
    QString obsId;
    QString group;
    int filter = 0;
    double exposureTime = 0.0;
    double darkTime = 0.0;
    qint64 utcBegin = 0; // ns since 1970 UTC
    Timespan span;       // TAI
    double ra = 0.0;
    double dec = 0.0;
    double skyAngle = 0.0;
    double azimuth = 0.0;
    double zenithAngle = 0.0;
    double seeing = 0.0; // arcsec FWHM
    QString targetName;
};

struct PlannedNight
{
    QDate date;
    int dayObs = 0;
    Timespan span;
    QList<PlannedExposure> exposures;
};

int dayObsOf(const QDate& date)
{
    return date.year() * 10000 + date.month() * 100 + date.day();
}

qint64 utcMidnightNs(const QDate& date)
{
    return QDateTime(date, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch() * 1'000'000;
}

Result<qint64> utcToTai(qint64 utcNs)
{
    const qint64 ms = utcNs / 1'000'000;
    BUTLER_ASSIGN_OR_RETURN(const qint64 tai,
                            TaiTime::fromDateTime(QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())));
    return tai + (utcNs - ms * 1'000'000);
}

// The start of a day_obs: LSSTCam's observing day turns over at 12:00 TAI (as its exported
// day_obs records show), well after dawn in Chile.
Result<qint64> dayObsStart(const QDate& date)
{
    return TaiTime::fromIsoTai(date.toString(Qt::ISODate) + QStringLiteral("T12:00:00"));
}

QString utcText(qint64 utcNs)
{
    return QDateTime::fromMSecsSinceEpoch(utcNs / 1'000'000, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz"));
}

double utcMjd(qint64 utcNs)
{
    return double(utcNs) / (86400.0 * kNsPerSecond) + 40587.0;
}

QString targetFor(double ra, double dec)
{
    if (std::fabs(galacticLatitude(ra, dec)) < 15.0)
        return QStringLiteral("dusty_plane");
    if (dec < -60.0)
        return QStringLiteral("scp");
    return QStringLiteral("lowdust");
}

// One block of 30-34 science exposures per night (four in small mode) at a random time of the
// dark night: fields on a raster of 3-degree steps near the meridian, a filter change every
// ~10 exposures, 30 s exposures (38 s in u) a few seconds apart.
Result<QList<PlannedNight>> planNights(const DemoRepoOptions& options)
{
    Random rng(deriveSeed(options.seed, PlanTag));
    QList<PlannedNight> nights;
    for (int n = 0; n < options.nights; ++n) {
        PlannedNight night;
        night.date = kFirstNight.addDays(n);
        night.dayObs = dayObsOf(night.date);
        BUTLER_ASSIGN_OR_RETURN(const qint64 begin, dayObsStart(night.date));
        BUTLER_ASSIGN_OR_RETURN(const qint64 end, dayObsStart(night.date.addDays(1)));
        night.span = Timespan(begin, end);

        const int count = options.small ? 4 : rng.integer(30, 34);
        int seqNum = options.small ? rng.integer(5, 40) : rng.integer(40, 320);
        // 23:30 to 08:30 UTC: 19:30 to 04:30 in Chile.
        qint64 t = utcMidnightNs(night.date) + qint64(rng.uniform(23.5, 32.5) * 3600.0 * kNsPerSecond);
        const double nightSeeing = rng.uniform(0.6, 1.1);
        int filter = -1;
        int blockLeft = 0;
        int inBlock = 0;
        double fieldRa = 0.0;
        double fieldDec = 0.0;
        for (int k = 0; k < count; ++k, ++seqNum, ++inBlock, --blockLeft) {
            if (blockLeft == 0) {
                if (filter < 0) {
                    filter = rng.integer(0, kFilterCount - 1);
                } else {
                    filter = (filter + rng.integer(1, kFilterCount - 1)) % kFilterCount;
                    t += qint64(rng.uniform(95.0, 125.0) * kNsPerSecond); // the filter change
                }
                blockLeft = options.small ? 2 : rng.integer(8, 12);
                inBlock = 0;
                fieldRa = wrapDegrees(localSiderealTime(t) + rng.uniform(-25.0, 10.0));
                fieldDec = rng.uniform(-68.0, -8.0);
            }
            PlannedExposure e;
            e.dayObs = night.dayObs;
            e.seqNum = seqNum;
            e.id = qint64(night.dayObs) * 100000 + seqNum;
            e.obsId = QStringLiteral("MC_O_%1_%2").arg(night.dayObs).arg(seqNum, 6, 10, QLatin1Char('0'));
            e.filter = filter;
            e.exposureTime = filter == 0 ? 38.0 : 30.0;
            e.darkTime = e.exposureTime + rng.uniform(0.92, 0.94);
            e.utcBegin = t;
            e.group = utcText(t - qint64(rng.uniform(15.0, 25.0) * kNsPerSecond));
            BUTLER_ASSIGN_OR_RETURN(const qint64 taiBegin, utcToTai(t));
            e.span = Timespan(taiBegin, taiBegin + qint64(e.darkTime * kNsPerSecond));
            e.dec = std::clamp(fieldDec + (inBlock / 5) * 3.0 + rng.uniform(-0.2, 0.2), -89.0, 89.0);
            e.ra = wrapDegrees(fieldRa + (inBlock % 5) * 3.2 / std::cos(fieldDec * kDeg) +
                               rng.uniform(-0.2, 0.2));
            e.skyAngle = rng.uniform(0.0, 360.0);
            horizontal(e.ra, e.dec, t + qint64(e.darkTime * kNsPerSecond / 2), &e.azimuth, &e.zenithAngle);
            e.seeing = std::max(0.45, nightSeeing + 0.08 * rng.normal());
            e.targetName = targetFor(e.ra, e.dec);
            night.exposures.append(e);
            t += qint64(e.darkTime * kNsPerSecond) + qint64(rng.uniform(2.4, 4.0) * kNsPerSecond);
        }
        nights.append(night);
    }
    return nights;
}

// ------------------------------------------------------------------ images

struct Star
{
    double x = 0.0;
    double y = 0.0;
    double flux = 0.0; // total, ADU or nJy
    double sigma = 0.0;
};

QList<Star> makeStars(Random& rng, int count, int size, double sigma, double minFlux, double maxFlux)
{
    QList<Star> stars;
    for (int i = 0; i < count; ++i) {
        // Log-uniform fluxes: many faint stars, a few bright ones.
        const double flux = minFlux * std::pow(maxFlux / minFlux, rng.uniform());
        stars.append({rng.uniform(1.0, size - 2.0), rng.uniform(1.0, size - 2.0), flux, sigma});
    }
    return stars;
}

void addStars(QVector<float>& pixels, int size, const QList<Star>& stars, double scale)
{
    for (const Star& s : stars) {
        const double norm = s.flux * scale / (2.0 * std::numbers::pi * s.sigma * s.sigma);
        for (int y = 0; y < size; ++y) {
            for (int x = 0; x < size; ++x) {
                const double dx = x - s.x;
                const double dy = y - s.y;
                pixels[y * size + x] +=
                    float(norm * std::exp(-(dx * dx + dy * dy) / (2.0 * s.sigma * s.sigma)));
            }
        }
    }
}

using Card = FitsImageWriter::Card;

// The stars one detector saw in one exposure, shared by its raw and its calexp.
QList<Star> exposureStars(quint64 seed, const PlannedExposure& e, int detector)
{
    Random rng(deriveSeed(seed, StarTag, quint64(e.id), quint64(detector)));
    // A 24-pixel image stands for a 4k sensor, where real stars would be single points: draw
    // them a few pixels wide, wider in worse seeing.
    return makeStars(rng, rng.integer(1, 4), kImageSize, 0.6 + e.seeing, 300.0, 60000.0);
}

struct DetectorTraits
{
    double biasLevel = 0.0;
    double gain = 0.0;
    double readNoise = 0.0;
};

DetectorTraits detectorTraits(quint64 seed, int detector)
{
    Random rng(deriveSeed(seed, DetectorTag, quint64(detector)));
    return {rng.uniform(14000.0, 16000.0), rng.uniform(1.5, 1.8), rng.uniform(5.0, 8.0)};
}

QList<Card> detectorCards(const Detector& d)
{
    return {{QStringLiteral("INSTRUME"), kInstrument, QStringLiteral("instrument")},
            {QStringLiteral("DETECTOR"), d.id, QStringLiteral("detector id")},
            {QStringLiteral("DETNAME"), d.fullName, QStringLiteral("raft and sensor")},
            {QStringLiteral("RAFTBAY"), d.raft, QString()},
            {QStringLiteral("CCDSLOT"), d.sensor, QString()}};
}

QList<Card> observationCards(const PlannedExposure& e)
{
    const FilterInfo& f = kFilters[e.filter];
    return {{QStringLiteral("FILTER"), QString::fromLatin1(f.name), QStringLiteral("physical filter")},
            {QStringLiteral("FILTBAND"), QString::fromLatin1(f.band), QStringLiteral("band")},
            {QStringLiteral("EXPTIME"), e.exposureTime, QStringLiteral("exposure time [s]")},
            {QStringLiteral("DATE-OBS"), utcText(e.utcBegin), QStringLiteral("start of exposure (UTC)")},
            {QStringLiteral("MJD-OBS"), utcMjd(e.utcBegin), QStringLiteral("start of exposure (MJD, UTC)")},
            {QStringLiteral("RA"), e.ra, QStringLiteral("boresight right ascension [deg]")},
            {QStringLiteral("DEC"), e.dec, QStringLiteral("boresight declination [deg]")},
            {QStringLiteral("ROTPA"), e.skyAngle, QStringLiteral("sky angle [deg]")},
            {QStringLiteral("SEEING"), std::round(e.seeing * 1000.0) / 1000.0,
             QStringLiteral("PSF FWHM [arcsec]")}};
}

Result<QByteArray> rawImage(quint64 seed, const PlannedExposure& e, const Detector& d)
{
    const FilterInfo& f = kFilters[e.filter];
    const DetectorTraits traits = detectorTraits(seed, d.id);
    const double sky = f.skyAdu * e.exposureTime / 30.0;
    QVector<float> pixels(kImageSize * kImageSize, 0.0f);
    addStars(pixels, kImageSize, exposureStars(seed, e, d.id), 1.0);
    Random noise(deriveSeed(seed, RawNoiseTag, quint64(e.id), quint64(d.id)));
    for (float& p : pixels) {
        const double signal = sky + p;
        const double sigma = std::sqrt(traits.readNoise * traits.readNoise + signal / traits.gain);
        p = float(std::round(traits.biasLevel + signal + sigma * noise.normal()));
    }
    QList<Card> cards = {{QStringLiteral("TELESCOP"), QStringLiteral("Simonyi Survey Telescope"), QString()}};
    cards += detectorCards(d);
    cards +=
        {{QStringLiteral("OBSID"), e.obsId, QStringLiteral("observation id")},
         {QStringLiteral("DAYOBS"), QString::number(e.dayObs), QStringLiteral("observing day")},
         {QStringLiteral("SEQNUM"), e.seqNum, QStringLiteral("sequence number")},
         {QStringLiteral("IMGTYPE"), QStringLiteral("science"), QString()},
         {QStringLiteral("OBJECT"), e.targetName, QStringLiteral("target")},
         {QStringLiteral("DARKTIME"), std::round(e.darkTime * 1e4) / 1e4, QStringLiteral("dark time [s]")}};
    cards += observationCards(e);
    cards += {{QStringLiteral("BUNIT"), QStringLiteral("adu"), QString()}};
    return FitsImageWriter::writeImage(kImageSize, kImageSize, pixels, cards);
}

// Background-subtracted and calibrated: the raw's stars in nJy.
Result<QByteArray> calexpImage(quint64 seed, const PlannedExposure& e, const Detector& d)
{
    const FilterInfo& f = kFilters[e.filter];
    const DetectorTraits traits = detectorTraits(seed, d.id);
    const double nJyPerAdu = 5.0 * 30.0 / e.exposureTime;
    const double sigma = std::sqrt(f.skyAdu * e.exposureTime / 30.0 / traits.gain) * nJyPerAdu;
    QVector<float> pixels(kImageSize * kImageSize, 0.0f);
    addStars(pixels, kImageSize, exposureStars(seed, e, d.id), nJyPerAdu);
    Random noise(deriveSeed(seed, CalexpNoiseTag, quint64(e.id), quint64(d.id)));
    for (float& p : pixels)
        p += float(sigma * noise.normal());
    QList<Card> cards = detectorCards(d);
    cards += {{QStringLiteral("VISIT"), e.id, QStringLiteral("visit id")}};
    cards += observationCards(e);
    cards += {{QStringLiteral("MAGZERO"), 31.4, QStringLiteral("AB zero point of the nJy scale")},
              {QStringLiteral("BUNIT"), QStringLiteral("nJy"), QString()}};
    return FitsImageWriter::writeImage(kImageSize, kImageSize, pixels, cards);
}

Result<QByteArray> biasImage(quint64 seed, int generation, const QDate& date, const Detector& d)
{
    Random rng(deriveSeed(seed, BiasTag, quint64(generation), quint64(d.id)));
    const double slope = rng.uniform(-0.1, 0.1);
    QVector<float> pixels(kImageSize * kImageSize);
    for (int y = 0; y < kImageSize; ++y) {
        for (int x = 0; x < kImageSize; ++x)
            pixels[y * kImageSize + x] = float(slope * (x - kImageSize / 2.0) + 1.5 * rng.normal());
    }
    QList<Card> cards = detectorCards(d);
    cards += {{QStringLiteral("OBSTYPE"), QStringLiteral("bias"), QString()},
              {QStringLiteral("CALIBDAT"), date.toString(Qt::ISODate), QStringLiteral("calibration date")},
              {QStringLiteral("BUNIT"), QStringLiteral("adu"), QString()}};
    return FitsImageWriter::writeImage(kImageSize, kImageSize, pixels, cards);
}

Result<QByteArray> flatImage(quint64 seed, int filter, const QDate& date, const Detector& d)
{
    Random rng(deriveSeed(seed, FlatTag, quint64(filter), quint64(d.id)));
    const FilterInfo& f = kFilters[filter];
    QVector<float> pixels(kImageSize * kImageSize);
    for (int y = 0; y < kImageSize; ++y) {
        for (int x = 0; x < kImageSize; ++x) {
            // Vignetting: the response falls towards the edge of the focal plane.
            const double fx = d.x + (x - kImageSize / 2.0) / kImageSize * 2.0 * kSensorHalf;
            const double fy = d.y + (y - kImageSize / 2.0) / kImageSize * 2.0 * kSensorHalf;
            const double vignetting = 1.0 - 0.02 * (fx * fx + fy * fy);
            pixels[y * kImageSize + x] = float(vignetting + 0.004 * rng.normal());
        }
    }
    QList<Card> cards = detectorCards(d);
    cards += {{QStringLiteral("OBSTYPE"), QStringLiteral("flat"), QString()},
              {QStringLiteral("FILTER"), QString::fromLatin1(f.name), QStringLiteral("physical filter")},
              {QStringLiteral("FILTBAND"), QString::fromLatin1(f.band), QStringLiteral("band")},
              {QStringLiteral("CALIBDAT"), date.toString(Qt::ISODate), QStringLiteral("calibration date")}};
    return FitsImageWriter::writeImage(kImageSize, kImageSize, pixels, cards);
}

struct CoaddPatch
{
    int tract = 0;
    int patch = 0;
    double ra = 0.0; // patch center
    double dec = 0.0;
};

Result<QByteArray> coaddImage(quint64 seed, const CoaddPatch& p, int filter)
{
    Random rng(deriveSeed(seed, CoaddTag, quint64(p.tract), quint64(p.patch), quint64(filter)));
    QVector<float> pixels(kCoaddSize * kCoaddSize, 0.0f);
    addStars(pixels, kCoaddSize, makeStars(rng, rng.integer(10, 25), kCoaddSize, 1.3, 500.0, 200000.0), 1.0);
    for (float& v : pixels)
        v += float(20.0 * rng.normal());
    const QList<Card> cards = {
        {QStringLiteral("SKYMAP"), kSkyMap, QString()},
        {QStringLiteral("TRACT"), p.tract, QString()},
        {QStringLiteral("PATCH"), p.patch, QString()},
        {QStringLiteral("FILTBAND"), QString::fromLatin1(kFilters[filter].band), QStringLiteral("band")},
        {QStringLiteral("RA"), p.ra, QStringLiteral("patch center right ascension [deg]")},
        {QStringLiteral("DEC"), p.dec, QStringLiteral("patch center declination [deg]")},
        {QStringLiteral("NINPUTS"), rng.integer(8, 40), QStringLiteral("visits coadded")},
        {QStringLiteral("BUNIT"), QStringLiteral("nJy"), QString()}};
    return FitsImageWriter::writeImage(kCoaddSize, kCoaddSize, pixels, cards);
}

// A few detected sources per visit, as the columns of a sourceTable_visit.
QByteArray sourceTable(quint64 seed, const PlannedExposure& e, const QList<Detector>& detectors, int rows)
{
    Random rng(deriveSeed(seed, SourceTag, quint64(e.id)));
    QJsonArray data;
    for (int i = 0; i < rows; ++i) {
        const Detector& d = detectors[rng.integer(0, int(detectors.size()) - 1)];
        const auto [xi, eta] = rotate(d.x + rng.uniform(-kSensorHalf, kSensorHalf),
                                      d.y + rng.uniform(-kSensorHalf, kSensorHalf), e.skyAngle);
        double ra = 0.0;
        double dec = 0.0;
        toRaDec(tangentPoint(e.ra, e.dec, xi, eta), &ra, &dec);
        const double flux = 500.0 * std::pow(1000.0, rng.uniform());
        const double error = std::sqrt(flux * 5.0 + 2500.0);
        data.append(QJsonArray{e.id * 1000 + i, d.id, std::round(ra * 1e7) / 1e7, std::round(dec * 1e7) / 1e7,
                               std::round(flux * 10.0) / 10.0, std::round(error * 10.0) / 10.0,
                               rng.uniform() < 0.2 ? 1.0 : 0.0});
    }
    const QJsonObject table{
        {QStringLiteral("visit"), e.id},
        {QStringLiteral("band"), QString::fromLatin1(kFilters[e.filter].band)},
        {QStringLiteral("columns"),
         QJsonArray{QStringLiteral("sourceId"), QStringLiteral("detector"), QStringLiteral("coord_ra"),
                    QStringLiteral("coord_dec"), QStringLiteral("psfFlux"), QStringLiteral("psfFluxErr"),
                    QStringLiteral("extendedness")}},
        {QStringLiteral("units"),
         QJsonArray{QString(), QString(), QStringLiteral("deg"), QStringLiteral("deg"), QStringLiteral("nJy"),
                    QStringLiteral("nJy"), QString()}},
        {QStringLiteral("data"), data}};
    return QJsonDocument(table).toJson(QJsonDocument::Compact);
}

QByteArray skyMapConfig(int tractMax)
{
    const QJsonObject config{{QStringLiteral("name"), kSkyMap},
                             {QStringLiteral("class"), QStringLiteral("lsst.skymap.ringsSkyMap.RingsSkyMap")},
                             {QStringLiteral("numRings"), kNumRings},
                             {QStringLiteral("raStart"), 0.0},
                             {QStringLiteral("projection"), QStringLiteral("TAN")},
                             {QStringLiteral("pixelScale"), 0.2},
                             {QStringLiteral("patchInnerDimensions"), QJsonArray{3200, 3200}},
                             {QStringLiteral("patchBorder"), 100},
                             {QStringLiteral("tractOverlap"), 1.0 / 60.0},
                             {QStringLiteral("tractMax"), tractMax},
                             {QStringLiteral("patchNxMax"), kPatchesPerSide},
                             {QStringLiteral("patchNyMax"), kPatchesPerSide}};
    return QJsonDocument(config).toJson(QJsonDocument::Indented);
}

// ------------------------------------------------------------------ building

// A file to make and ingest: what it is, and how to make its bytes (run on a worker thread).
struct FileJob
{
    QString datasetType;
    QVariantMap dataId;
    QString formatter;
    std::function<Result<QByteArray>()> content;
};

class Build
{
public:
    Build(Butler& butler, const DemoRepoOptions& options)
        : m_butler(butler)
        , m_options(options)
    {
    }

    Result<DemoRepoSummary> run();

private:
    void progress(const QString& stage, qint64 done, qint64 total)
    {
        if (m_options.progress)
            m_options.progress(stage, done, total);
    }

    Status checkEmpty();
    Status registerTypesAndRuns();
    Status insertRecords();
    Result<QList<DatasetRef>> ingest(const QString& run, const QList<FileJob>& jobs, const QString& stage,
                                     qint64 doneBefore, qint64 total);
    Status ingestRaws();
    Status ingestProcessed();
    Status ingestCoadds();
    Status ingestCalibrations();
    Status defineCollections();

    Butler& m_butler;
    const DemoRepoOptions& m_options;
    std::unique_ptr<QTemporaryDir> m_staging;
    qint64 m_staged = 0;
    bool m_hardLinks = true;
    QList<Detector> m_detectors;
    QList<Detector> m_calexpDetectors;
    QList<PlannedNight> m_nights;
    QList<PlannedExposure> m_exposures;
    RingsSkyMap m_skyMap;
    QList<int> m_tracts;
    QList<CoaddPatch> m_coaddPatches;
    QList<DatasetRef> m_calexps;
    DemoRepoSummary m_summary;
};

Status Build::checkEmpty()
{
    if (m_butler.getCollection(kRawRun).ok())
        return conflict(
            QStringLiteral("the repository already has a collection '%1': the demo content goes into a "
                           "new, empty repository")
                .arg(kRawRun));
    DimensionRecordQuery query;
    query.element = QStringLiteral("instrument");
    BUTLER_ASSIGN_OR_RETURN(const DimensionRecordPage instruments, m_butler.queryDimensionRecords(query));
    for (const DimensionRecord& r : instruments.records) {
        if (r.value(QStringLiteral("name")).toString() == kInstrument)
            return conflict(
                QStringLiteral("the repository already has instrument %1: the demo content goes into a "
                               "new, empty repository")
                    .arg(kInstrument));
    }
    return {};
}

Status Build::registerTypesAndRuns()
{
    struct TypeSpec
    {
        QString name;
        QStringList dimensions;
        QString storageClass;
        bool isCalibration;
    };
    const QList<TypeSpec> types = {
        {QStringLiteral("raw"),
         {QStringLiteral("instrument"), QStringLiteral("exposure"), QStringLiteral("detector")},
         QStringLiteral("Exposure"),
         false},
        {QStringLiteral("calexp"),
         {QStringLiteral("instrument"), QStringLiteral("visit"), QStringLiteral("detector")},
         QStringLiteral("ExposureF"),
         false},
        {QStringLiteral("sourceTable_visit"),
         {QStringLiteral("instrument"), QStringLiteral("visit")},
         QStringLiteral("DataFrame"),
         false},
        {QStringLiteral("skyMap"), {QStringLiteral("skymap")}, QStringLiteral("SkyMap"), false},
        {QStringLiteral("deepCoadd"),
         {QStringLiteral("skymap"), QStringLiteral("tract"), QStringLiteral("patch"), QStringLiteral("band")},
         QStringLiteral("ExposureF"),
         false},
        {QStringLiteral("bias"),
         {QStringLiteral("instrument"), QStringLiteral("detector")},
         QStringLiteral("ExposureF"),
         true},
        {QStringLiteral("flat"),
         {QStringLiteral("instrument"), QStringLiteral("detector"), QStringLiteral("physical_filter")},
         QStringLiteral("ExposureF"),
         true},
    };
    for (const TypeSpec& spec : types) {
        BUTLER_ASSIGN_OR_RETURN(const DatasetType type,
                                DatasetType::make(m_butler.universe(), spec.name, spec.dimensions,
                                                  spec.storageClass, spec.isCalibration));
        BUTLER_TRY(m_butler.registerDatasetType(type));
    }

    const QList<std::pair<QString, QString>> runs = {
        {kRawRun, QStringLiteral("Raw LSSTCam science exposures, one FITS file per exposure and detector, as "
                                 "ingested from the summit.")},
        {kBiasRunEarly, QStringLiteral("Master biases from the 2025-06-01 calibration sequence.")},
        {kBiasRunLate,
         QStringLiteral("Master biases from the 2025-06-16 calibration sequence, taken after the "
                        "camera electronics were retuned.")},
        {kFlatRun,
         QStringLiteral("Master flats per detector and filter from the 2025-06-01 calibration sequence.")},
        {kSkyMapRun, QStringLiteral("Sky map definitions (lsst_cells_v1).")},
        {kCalexpRun,
         QStringLiteral("Processing run DM-00001, step 1: calibrated exposures (calexp) of raft R22 and "
                        "per-visit source tables.")},
        {kCoaddRun,
         QStringLiteral("Processing run DM-00001, step 3: deep coadds of a few patches in every band.")},
    };
    for (const auto& [name, doc] : runs)
        BUTLER_TRY(m_butler.registerCollection(name, CollectionType::Run, doc));
    return {};
}

Status Build::insertRecords()
{
    const QString i = kInstrument;
    auto value = [](std::initializer_list<std::pair<const char*, QVariant>> fields) {
        QVariantMap map;
        for (const auto& [key, v] : fields)
            map.insert(QString::fromLatin1(key), v);
        return map;
    };
    QList<std::pair<QString, QList<DimensionRecord>>> elements;
    auto add = [&](const QString& element, QList<DimensionRecord> records) {
        elements.append({element, std::move(records)});
    };

    add(QStringLiteral("instrument"),
        {DimensionRecord(QStringLiteral("instrument"),
                         value({{"name", i},
                                {"visit_max", qint64(6050123199999)},
                                {"visit_system", 2},
                                {"exposure_max", qint64(6050123199999)},
                                {"detector_max", 189},
                                {"class_name", QStringLiteral("lsst.obs.lsst.LsstCam")}}))});
    QList<DimensionRecord> filters;
    for (const FilterInfo& f : kFilters)
        filters.append(DimensionRecord(QStringLiteral("physical_filter"),
                                       value({{"instrument", i},
                                              {"name", QString::fromLatin1(f.name)},
                                              {"band", QString::fromLatin1(f.band)}})));
    add(QStringLiteral("physical_filter"), filters);
    QList<DimensionRecord> detectors;
    for (const Detector& d : std::as_const(m_detectors))
        detectors.append(
            DimensionRecord(QStringLiteral("detector"), value({{"instrument", i},
                                                               {"id", d.id},
                                                               {"full_name", d.fullName},
                                                               {"name_in_raft", d.sensor},
                                                               {"raft", d.raft},
                                                               {"purpose", QStringLiteral("SCIENCE")}})));
    add(QStringLiteral("detector"), detectors);
    add(QStringLiteral("visit_system"),
        {DimensionRecord(QStringLiteral("visit_system"),
                         value({{"instrument", i}, {"id", 0}, {"name", QStringLiteral("one-to-one")}})),
         DimensionRecord(
             QStringLiteral("visit_system"),
             value({{"instrument", i}, {"id", 2}, {"name", QStringLiteral("by-seq-start-end")}}))});

    QList<DimensionRecord> days;
    QList<DimensionRecord> groups;
    QList<DimensionRecord> exposures;
    QList<DimensionRecord> visits;
    QList<DimensionRecord> definitions;
    QList<DimensionRecord> memberships;
    QList<DimensionRecord> detectorRegions;
    for (const PlannedNight& night : std::as_const(m_nights))
        days.append(DimensionRecord(QStringLiteral("day_obs"),
                                    value({{"instrument", i}, {"id", night.dayObs}}), night.span));
    // The visit's outline: the convex hull of the focal plane, an octagon (no corner rafts).
    const double outer = 2 * kRaftPitch + kSensorPitch + kSensorHalf;
    const double inner = kRaftPitch + kSensorPitch + kSensorHalf;
    const QList<std::pair<double, double>> hull = {{outer, -inner},  {outer, inner},  {inner, outer},
                                                   {-inner, outer},  {-outer, inner}, {-outer, -inner},
                                                   {-inner, -outer}, {inner, -outer}};
    for (const PlannedExposure& e : std::as_const(m_exposures)) {
        const FilterInfo& f = kFilters[e.filter];
        const QString filter = QString::fromLatin1(f.name);
        const QString reason = QStringLiteral("singles_") + QString::fromLatin1(f.band);
        const QString program = QStringLiteral("BLOCK-407");
        const double exposureTime = e.exposureTime;
        const double darkTime = std::round(e.darkTime * 1e4) / 1e4;
        groups.append(
            DimensionRecord(QStringLiteral("group"), value({{"instrument", i}, {"name", e.group}})));
        exposures.append(DimensionRecord(QStringLiteral("exposure"),
                                         value({{"instrument", i},
                                                {"id", e.id},
                                                {"day_obs", e.dayObs},
                                                {"group", e.group},
                                                {"physical_filter", filter},
                                                {"obs_id", e.obsId},
                                                {"exposure_time", exposureTime},
                                                {"dark_time", darkTime},
                                                {"observation_type", QStringLiteral("science")},
                                                {"observation_reason", reason},
                                                {"seq_num", e.seqNum},
                                                {"seq_start", e.seqNum},
                                                {"seq_end", e.seqNum},
                                                {"target_name", e.targetName},
                                                {"science_program", program},
                                                {"tracking_ra", e.ra},
                                                {"tracking_dec", e.dec},
                                                {"sky_angle", e.skyAngle},
                                                {"azimuth", e.azimuth},
                                                {"zenith_angle", e.zenithAngle},
                                                {"has_simulated", false},
                                                {"can_see_sky", true}}),
                                         e.span));
        QList<std::pair<double, double>> corners;
        for (const auto& [x, y] : hull)
            corners.append(rotate(x, y, e.skyAngle));
        visits.append(DimensionRecord(QStringLiteral("visit"),
                                      value({{"instrument", i},
                                             {"id", e.id},
                                             {"name", e.obsId},
                                             {"day_obs", e.dayObs},
                                             {"physical_filter", filter},
                                             {"seq_num", e.seqNum},
                                             {"exposure_time", exposureTime},
                                             {"target_name", e.targetName},
                                             {"observation_reason", reason},
                                             {"science_program", program},
                                             {"azimuth", e.azimuth},
                                             {"zenith_angle", e.zenithAngle}}),
                                      e.span, tangentPolygon(e.ra, e.dec, corners)));
        definitions.append(DimensionRecord(QStringLiteral("visit_definition"),
                                           value({{"instrument", i}, {"exposure", e.id}, {"visit", e.id}})));
        for (const int system : {0, 2})
            memberships.append(
                DimensionRecord(QStringLiteral("visit_system_membership"),
                                value({{"instrument", i}, {"visit_system", system}, {"visit", e.id}})));
        for (const Detector& d : std::as_const(m_detectors)) {
            QList<std::pair<double, double>> detectorCorners;
            for (const auto& [dx, dy] :
                 {std::pair{-1, -1}, std::pair{1, -1}, std::pair{1, 1}, std::pair{-1, 1}})
                detectorCorners.append(rotate(d.x + dx * kSensorHalf, d.y + dy * kSensorHalf, e.skyAngle));
            detectorRegions.append(
                DimensionRecord(QStringLiteral("visit_detector_region"),
                                value({{"instrument", i}, {"visit", e.id}, {"detector", d.id}}), std::nullopt,
                                tangentPolygon(e.ra, e.dec, detectorCorners)));
        }
    }
    add(QStringLiteral("day_obs"), days);
    add(QStringLiteral("group"), groups);
    add(QStringLiteral("exposure"), exposures);
    add(QStringLiteral("visit"), visits);
    add(QStringLiteral("visit_definition"), definitions);
    add(QStringLiteral("visit_system_membership"), memberships);
    add(QStringLiteral("visit_detector_region"), detectorRegions);

    const QByteArray config = skyMapConfig(m_skyMap.tractMax());
    add(QStringLiteral("skymap"),
        {DimensionRecord(QStringLiteral("skymap"),
                         value({{"name", kSkyMap},
                                {"hash", QCryptographicHash::hash(config, QCryptographicHash::Sha1)},
                                {"tract_max", m_skyMap.tractMax()},
                                {"patch_nx_max", kPatchesPerSide},
                                {"patch_ny_max", kPatchesPerSide}}))});
    QList<DimensionRecord> tracts;
    QList<DimensionRecord> patches;
    for (const int tract : std::as_const(m_tracts)) {
        double ra = 0.0;
        double dec = 0.0;
        m_skyMap.center(tract, &ra, &dec);
        tracts.append(DimensionRecord(
            QStringLiteral("tract"), value({{"skymap", kSkyMap}, {"id", tract}}), std::nullopt,
            tangentPolygon(ra, dec, patchCorners(0, 0, kPatchesPerSide, kPatchesPerSide))));
        for (int y = 0; y < kPatchesPerSide; ++y) {
            for (int x = 0; x < kPatchesPerSide; ++x) {
                patches.append(DimensionRecord(QStringLiteral("patch"),
                                               value({{"skymap", kSkyMap},
                                                      {"tract", tract},
                                                      {"id", y * kPatchesPerSide + x},
                                                      {"cell_x", x},
                                                      {"cell_y", y}}),
                                               std::nullopt,
                                               tangentPolygon(ra, dec, patchCorners(x, y, x + 1, y + 1))));
            }
        }
    }
    add(QStringLiteral("tract"), tracts);
    add(QStringLiteral("patch"), patches);

    qint64 total = 0;
    for (const auto& element : std::as_const(elements))
        total += element.second.size();
    qint64 done = 0;
    progress(QStringLiteral("records"), 0, total);
    for (const auto& [element, records] : std::as_const(elements)) {
        BUTLER_TRY(m_butler.insertDimensionRecords(element, records));
        done += records.size();
        progress(QStringLiteral("records"), done, total);
    }
    m_summary.patches = int(patches.size());
    return {};
}

// Makes the files in parallel in the staging folder, then brings them into the datastore, one
// transaction per chunk. Hard links come first: moving would copy each file and delete the
// original, and on ext4 without a journal every new file then waits for the allocator to step
// around the just-freed inodes, which made the default build several times slower.
Result<QList<DatasetRef>> Build::ingest(const QString& run, const QList<FileJob>& jobs, const QString& stage,
                                        qint64 doneBefore, qint64 total)
{
    QList<DatasetRef> refs;
    for (qsizetype start = 0; start < jobs.size(); start += kChunkFiles) {
        const qsizetype count = std::min<qsizetype>(kChunkFiles, jobs.size() - start);
        QList<IngestFile> files(count);
        QList<std::optional<Error>> errors(count);
        QList<qint64> sizes(count, 0);
        QList<qsizetype> indices(count);
        for (qsizetype k = 0; k < count; ++k) {
            const FileJob& job = jobs[start + k];
            indices[k] = k;
            files[k] = {m_staging->filePath(QStringLiteral("%1.%2").arg(m_staged++).arg(job.formatter)),
                        job.datasetType, job.dataId, job.formatter, QUuid()};
        }
        QtConcurrent::blockingMap(indices, [&](qsizetype k) {
            Result<QByteArray> bytes = jobs[start + k].content();
            if (!bytes.ok()) {
                errors[k] = bytes.error();
                return;
            }
            QFile file(files[k].path);
            if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size()) {
                errors[k] =
                    ioError(QStringLiteral("cannot write '%1': %2").arg(files[k].path, file.errorString()));
                return;
            }
            sizes[k] = bytes->size();
        });
        for (const std::optional<Error>& error : std::as_const(errors)) {
            if (error)
                return error->withContext(QStringLiteral("making the %1 files").arg(stage));
        }
        Result<QList<DatasetRef>> chunk = Error();
        if (m_hardLinks) {
            chunk = m_butler.ingest(run, files, TransferMode::Hardlink, DatasetIdMode::DataIdTypeRun);
            // A datastore on another file system takes no hard links; the failed chunk left nothing.
            if (!chunk.ok() && chunk.error().kind() == ErrorKind::Io)
                m_hardLinks = false;
        }
        if (!m_hardLinks)
            chunk = m_butler.ingest(run, files, TransferMode::Move, DatasetIdMode::DataIdTypeRun);
        if (!chunk.ok())
            return chunk.error();
        for (const IngestFile& file : std::as_const(files))
            QFile::remove(file.path);
        refs += *chunk;
        for (const qint64 size : std::as_const(sizes))
            m_summary.fileBytes += size;
        progress(stage, doneBefore + start + count, total);
    }
    return refs;
}

QVariantMap dataId(std::initializer_list<std::pair<const char*, QVariant>> values)
{
    QVariantMap map;
    for (const auto& [key, v] : values)
        map.insert(QString::fromLatin1(key), v);
    return map;
}

Status Build::ingestRaws()
{
    const quint64 seed = m_options.seed;
    QList<FileJob> jobs;
    for (const PlannedExposure& e : std::as_const(m_exposures)) {
        for (const Detector& d : std::as_const(m_detectors))
            jobs.append({QStringLiteral("raw"),
                         dataId({{"instrument", kInstrument}, {"exposure", e.id}, {"detector", d.id}}),
                         QStringLiteral("fits"), [seed, e, d] { return rawImage(seed, e, d); }});
    }
    progress(QStringLiteral("raw"), 0, jobs.size());
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs,
                            ingest(kRawRun, jobs, QStringLiteral("raw"), 0, jobs.size()));
    m_summary.raws = int(refs.size());
    return {};
}

Status Build::ingestProcessed()
{
    const quint64 seed = m_options.seed;
    QList<FileJob> calexps;
    QList<FileJob> tables;
    const QList<Detector> all = m_detectors;
    const int rows = m_options.small ? 6 : 20;
    for (const PlannedExposure& e : std::as_const(m_exposures)) {
        for (const Detector& d : std::as_const(m_calexpDetectors))
            calexps.append({QStringLiteral("calexp"),
                            dataId({{"instrument", kInstrument}, {"visit", e.id}, {"detector", d.id}}),
                            QStringLiteral("fits"), [seed, e, d] { return calexpImage(seed, e, d); }});
        tables.append(
            {QStringLiteral("sourceTable_visit"), dataId({{"instrument", kInstrument}, {"visit", e.id}}),
             QStringLiteral("json"),
             [seed, e, all, rows]() -> Result<QByteArray> { return sourceTable(seed, e, all, rows); }});
    }
    progress(QStringLiteral("calexp"), 0, calexps.size());
    BUTLER_ASSIGN_OR_RETURN(m_calexps,
                            ingest(kCalexpRun, calexps, QStringLiteral("calexp"), 0, calexps.size()));
    m_summary.calexps = int(m_calexps.size());
    progress(QStringLiteral("sourceTable_visit"), 0, tables.size());
    BUTLER_ASSIGN_OR_RETURN(
        const QList<DatasetRef> tableRefs,
        ingest(kCalexpRun, tables, QStringLiteral("sourceTable_visit"), 0, tables.size()));
    m_summary.sourceTables = int(tableRefs.size());
    return {};
}

Status Build::ingestCoadds()
{
    const quint64 seed = m_options.seed;
    const int tractMax = m_skyMap.tractMax();
    QList<FileJob> skyMap = {{QStringLiteral("skyMap"), dataId({{"skymap", kSkyMap}}), QStringLiteral("json"),
                              [tractMax]() -> Result<QByteArray> { return skyMapConfig(tractMax); }}};
    QList<FileJob> jobs;
    for (const CoaddPatch& p : std::as_const(m_coaddPatches)) {
        for (int f = 0; f < kFilterCount; ++f)
            jobs.append({QStringLiteral("deepCoadd"),
                         dataId({{"skymap", kSkyMap},
                                 {"tract", p.tract},
                                 {"patch", p.patch},
                                 {"band", QString::fromLatin1(kFilters[f].band)}}),
                         QStringLiteral("fits"), [seed, p, f] { return coaddImage(seed, p, f); }});
    }
    const qint64 total = jobs.size() + 1;
    progress(QStringLiteral("deepCoadd"), 0, total);
    BUTLER_TRY(ingest(kSkyMapRun, skyMap, QStringLiteral("deepCoadd"), 0, total));
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs,
                            ingest(kCoaddRun, jobs, QStringLiteral("deepCoadd"), 1, total));
    m_summary.coadds = int(refs.size());
    return {};
}

QList<QUuid> idsOf(const QList<DatasetRef>& refs)
{
    QList<QUuid> ids;
    ids.reserve(refs.size());
    for (const DatasetRef& ref : refs)
        ids.append(ref.id());
    return ids;
}

Status Build::ingestCalibrations()
{
    const quint64 seed = m_options.seed;
    QList<FileJob> early;
    QList<FileJob> late;
    QList<FileJob> flats;
    for (const Detector& d : std::as_const(m_detectors)) {
        const QVariantMap id = dataId({{"instrument", kInstrument}, {"detector", d.id}});
        early.append({QStringLiteral("bias"), id, QStringLiteral("fits"),
                      [seed, d] { return biasImage(seed, 0, kEarlyCalibDate, d); }});
        late.append({QStringLiteral("bias"), id, QStringLiteral("fits"),
                     [seed, d] { return biasImage(seed, 1, kLateCalibDate, d); }});
        for (int f = 0; f < kFilterCount; ++f) {
            QVariantMap flatId = id;
            flatId.insert(QStringLiteral("physical_filter"), QString::fromLatin1(kFilters[f].name));
            flats.append({QStringLiteral("flat"), flatId, QStringLiteral("fits"),
                          [seed, d, f] { return flatImage(seed, f, kEarlyCalibDate, d); }});
        }
    }
    const QString stage = QStringLiteral("calibrations");
    const qint64 total = early.size() + late.size() + flats.size();
    progress(stage, 0, total);
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> earlyRefs, ingest(kBiasRunEarly, early, stage, 0, total));
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> lateRefs,
                            ingest(kBiasRunLate, late, stage, early.size(), total));
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> flatRefs,
                            ingest(kFlatRun, flats, stage, early.size() + late.size(), total));

    BUTLER_ASSIGN_OR_RETURN(const qint64 earlyStart, dayObsStart(kEarlyCalibDate));
    BUTLER_ASSIGN_OR_RETURN(const qint64 lateStart, dayObsStart(kLateCalibDate));
    BUTLER_TRY(m_butler.registerCollection(
        kCalibCollection, CollectionType::Calibration,
        QStringLiteral(
            "Certified LSSTCam calibrations. Biases: the 2025-06-01 generation is valid for day_obs "
            "20250601-20250615, the 2025-06-16 one from day_obs 20250616 on; flats from day_obs "
            "20250601 on. Lookups take the exposure's time.")));
    BUTLER_TRY(m_butler.certify(kCalibCollection, idsOf(earlyRefs), Timespan(earlyStart, lateStart)));
    BUTLER_TRY(m_butler.certify(kCalibCollection, idsOf(lateRefs), Timespan(lateStart, Timespan::Unbounded)));
    BUTLER_TRY(
        m_butler.certify(kCalibCollection, idsOf(flatRefs), Timespan(earlyStart, Timespan::Unbounded)));
    m_summary.biases = int(earlyRefs.size() + lateRefs.size());
    m_summary.flats = int(flatRefs.size());
    return {};
}

Status Build::defineCollections()
{
    const QString stage = QStringLiteral("collections");
    progress(stage, 0, 3);
    // The visits with the best seeing, as an observer would pick them for a template.
    QList<PlannedExposure> bySeeing = m_exposures;
    std::stable_sort(bySeeing.begin(), bySeeing.end(),
                     [](const PlannedExposure& a, const PlannedExposure& b) { return a.seeing < b.seeing; });
    const qsizetype best = std::min<qsizetype>(m_options.small ? 2 : 5, bySeeing.size());
    QSet<qint64> bestVisits;
    for (qsizetype k = 0; k < best; ++k)
        bestVisits.insert(bySeeing[k].id);
    QList<QUuid> tagged;
    for (const DatasetRef& ref : std::as_const(m_calexps)) {
        if (bestVisits.contains(ref.dataId().value(QStringLiteral("visit")).toLongLong()))
            tagged.append(ref.id());
    }
    BUTLER_TRY(m_butler.registerCollection(
        kBestSeeing, CollectionType::Tagged,
        QStringLiteral("Calexps of the %1 visits with the best seeing, hand-picked as coadd templates.")
            .arg(best)));
    BUTLER_TRY(m_butler.associate(kBestSeeing, tagged));
    m_summary.tagged = int(tagged.size());
    progress(stage, 1, 3);

    BUTLER_TRY(m_butler.setCollectionChain(
        kProcessingChain, {kCalexpRun, kCoaddRun}, ChainMode::Redefine, false,
        QStringLiteral("Everything processing run DM-00001 made: calexps, source tables and coadds.")));
    progress(stage, 2, 3);
    BUTLER_TRY(m_butler.setCollectionChain(
        kDefaults, {kRawRun, kCalibCollection, kSkyMapRun}, ChainMode::Redefine, false,
        QStringLiteral(
            "The usual inputs for LSSTCam processing: raws, certified calibrations and sky maps.")));
    progress(stage, 3, 3);
    return {};
}

Result<DemoRepoSummary> Build::run()
{
    if (m_options.nights < 1 || m_options.nights > kMaxNights)
        return invalidInput(QStringLiteral("the number of nights must be between 1 and %1, not %2")
                                .arg(kMaxNights)
                                .arg(m_options.nights));
    BUTLER_TRY(checkEmpty());

    // Stage files next to the repository when it is local, so that moving them in is a rename.
    const QFileInfo location(m_butler.location());
    m_staging = std::make_unique<QTemporaryDir>(
        location.isDir() ? location.absoluteFilePath() + QStringLiteral("/.demo-staging-XXXXXX") : QString());
    if (m_staging->path().isEmpty() || !m_staging->isValid()) {
        m_staging = std::make_unique<QTemporaryDir>();
        if (!m_staging->isValid())
            return ioError(QStringLiteral("cannot make a staging folder: %1").arg(m_staging->errorString()));
    }

    for (const Detector& d : scienceDetectors()) {
        if (!m_options.small || d.raft == QLatin1String("R22"))
            m_detectors.append(d);
        if (d.raft == QLatin1String("R22"))
            m_calexpDetectors.append(d);
    }
    BUTLER_ASSIGN_OR_RETURN(m_nights, planNights(m_options));
    for (const PlannedNight& night : std::as_const(m_nights))
        m_exposures += night.exposures;

    // Coadds where the survey went most often: the tracts holding the most visit centers.
    QMap<int, int> visitsPerTract;
    for (const PlannedExposure& e : std::as_const(m_exposures))
        ++visitsPerTract[m_skyMap.tractAt(e.ra, e.dec)];
    QList<std::pair<int, int>> ranked;
    for (auto it = visitsPerTract.cbegin(); it != visitsPerTract.cend(); ++it)
        ranked.append({-it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end());
    for (qsizetype k = 0; k < std::min<qsizetype>(m_options.small ? 1 : 3, ranked.size()); ++k)
        m_tracts.append(ranked[k].second);
    std::sort(m_tracts.begin(), m_tracts.end());
    for (const int tract : std::as_const(m_tracts)) {
        double ra = 0.0;
        double dec = 0.0;
        m_skyMap.center(tract, &ra, &dec);
        for (const auto& [x, y] : {std::pair{4, 4}, std::pair{5, 4}, std::pair{4, 5}, std::pair{5, 5}}) {
            CoaddPatch p;
            p.tract = tract;
            p.patch = y * kPatchesPerSide + x;
            toRaDec(tangentPoint(ra, dec, -(x + 0.5 - kPatchesPerSide / 2.0) * kPatchSize,
                                 (y + 0.5 - kPatchesPerSide / 2.0) * kPatchSize),
                    &p.ra, &p.dec);
            m_coaddPatches.append(p);
        }
    }

    BUTLER_TRY(registerTypesAndRuns());
    BUTLER_TRY(insertRecords());
    BUTLER_TRY(ingestRaws());
    BUTLER_TRY(ingestProcessed());
    BUTLER_TRY(ingestCoadds());
    BUTLER_TRY(ingestCalibrations());
    BUTLER_TRY(defineCollections());

    m_summary.detectors = int(m_detectors.size());
    m_summary.nights = int(m_nights.size());
    m_summary.exposures = int(m_exposures.size());
    m_summary.visits = int(m_exposures.size());
    m_summary.tracts = int(m_tracts.size());
    return m_summary;
}

} // namespace

Result<DemoRepoSummary> DemoRepoBuilder::build(Butler& butler, const DemoRepoOptions& options)
{
    Build build(butler, options);
    return build.run();
}

} // namespace butler
