#include "DimensionRecord.h"
#include "SkyPlotWidget.h"

#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <numbers>

using namespace butler;

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

struct Vec3
{
    double x, y, z;
};

Vec3 unitVector(double raDeg, double decDeg)
{
    return {std::cos(decDeg * kDeg) * std::cos(raDeg * kDeg),
            std::cos(decDeg * kDeg) * std::sin(raDeg * kDeg), std::sin(decDeg * kDeg)};
}

void appendDouble(QByteArray& bytes, double value)
{
    char buffer[8];
    qToLittleEndian(value, buffer);
    bytes.append(buffer, 8);
}

// An lsst.sphgeom ConvexPolygon: a square of half-size `half` degrees on the tangent plane at
// (ra, dec), counter-clockwise seen from outside.
QByteArray squarePolygon(double raDeg, double decDeg, double half)
{
    const Vec3 centre = unitVector(raDeg, decDeg);
    const Vec3 east{-std::sin(raDeg * kDeg), std::cos(raDeg * kDeg), 0.0};
    const Vec3 north{-std::sin(decDeg * kDeg) * std::cos(raDeg * kDeg),
                     -std::sin(decDeg * kDeg) * std::sin(raDeg * kDeg), std::cos(decDeg * kDeg)};
    QByteArray bytes(1, 'p');
    const double t = std::tan(half * kDeg);
    for (const auto& [e, n] : {std::pair{1, -1}, std::pair{1, 1}, std::pair{-1, 1}, std::pair{-1, -1}}) {
        Vec3 v{centre.x + t * (e * east.x + n * north.x), centre.y + t * (e * east.y + n * north.y),
               centre.z + t * (e * east.z + n * north.z)};
        const double norm = std::sqrt(v.x * v.x + v.y * v.y + v.z * v.z);
        for (const double c : {v.x / norm, v.y / norm, v.z / norm})
            appendDouble(bytes, c);
    }
    return bytes;
}

QByteArray circle(double raDeg, double decDeg, double radiusDeg)
{
    QByteArray bytes(1, 'c');
    const Vec3 v = unitVector(raDeg, decDeg);
    for (const double c : {v.x, v.y, v.z})
        appendDouble(bytes, c);
    const double chord = 2.0 * std::sin(radiusDeg * kDeg / 2.0);
    appendDouble(bytes, chord * chord);
    appendDouble(bytes, radiusDeg * kDeg);
    return bytes;
}

QByteArray box(double lonA, double lonB, double latA, double latB)
{
    QByteArray bytes(1, 'b');
    for (const double v : {lonA, lonB, latA, latB})
        appendDouble(bytes, v * kDeg);
    return bytes;
}

DimensionRecord exposure(qint64 id, const QString& obsId, const QVariant& ra, const QVariant& dec)
{
    return DimensionRecord(QStringLiteral("exposure"),
                           {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                            {QStringLiteral("id"), id},
                            {QStringLiteral("obs_id"), obsId},
                            {QStringLiteral("tracking_ra"), ra},
                            {QStringLiteral("tracking_dec"), dec}});
}

DimensionRecord visit(qint64 id, const QString& name, const QByteArray& region)
{
    return DimensionRecord(QStringLiteral("visit"),
                           {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                            {QStringLiteral("id"), id},
                            {QStringLiteral("name"), name}},
                           std::nullopt, region);
}

// The difference of two right ascensions the short way round.
double raDistance(double a, double b)
{
    return std::abs(std::remainder(a - b, 360.0));
}

} // namespace

class TestSkyPlotWidget : public QObject
{
    Q_OBJECT

private slots:
    void raInterval_data();
    void raInterval();
    void raIncreasesToTheLeft();
    void equalAngularScale();
    void wrapsAroundZero();
    void roundTripsPositions_data();
    void roundTripsPositions();
    void pointAtAndHover();
    void paintsWithoutPoints();
    void pointingsFromExposures();
    void pointingsFromVisitRegions();
    void skipsOtherRecords();
};

void TestSkyPlotWidget::raInterval_data()
{
    QTest::addColumn<QList<double>>("ras");
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("end");
    QTest::newRow("one") << QList<double>{42.0} << 42.0 << 42.0;
    QTest::newRow("plain") << QList<double>{30.0, 10.0, 20.0} << 10.0 << 30.0;
    QTest::newRow("across zero") << QList<double>{359.0, 1.0} << 359.0 << 361.0;
    QTest::newRow("across zero, more") << QList<double>{5.0, 350.0, 10.0, 355.0} << 350.0 << 370.0;
    QTest::newRow("negative and over 360") << QList<double>{-2.0, 362.0} << 358.0 << 362.0;
    QTest::newRow("widely spread") << QList<double>{0.0, 100.0, 200.0} << 0.0 << 200.0;
    QTest::newRow("largest gap inside") << QList<double>{10.0, 20.0, 200.0, 300.0} << 200.0 << 380.0;
}

void TestSkyPlotWidget::raInterval()
{
    QFETCH(QList<double>, ras);
    QFETCH(double, start);
    QFETCH(double, end);
    const SkyPlotWidget::RaInterval interval = SkyPlotWidget::raInterval(ras);
    QCOMPARE(interval.start, start);
    QCOMPARE(interval.end, end);
}

void TestSkyPlotWidget::raIncreasesToTheLeft()
{
    SkyPlotWidget plot;
    plot.resize(400, 300);
    plot.setPointings({{QStringLiteral("a"), 10.0, 0.0},
                       {QStringLiteral("b"), 20.0, 0.0},
                       {QStringLiteral("c"), 15.0, 4.0}});
    QCOMPARE(plot.raCenter(), 15.0);
    QCOMPARE(plot.decCenter(), 2.0);
    const QPointF a = plot.toWidget(10.0, 0.0);
    const QPointF b = plot.toWidget(20.0, 0.0);
    const QPointF c = plot.toWidget(15.0, 4.0);
    QVERIFY2(b.x() < a.x(), "larger RA is further left");
    QCOMPARE(a.y(), b.y());
    QVERIFY2(c.y() < a.y(), "larger Dec is higher");
    // The view is centred on the points and holds them all.
    const QRectF plotRect = plot.plotRect();
    QVERIFY(std::abs((a.x() + b.x()) / 2.0 - plotRect.center().x()) < 1e-9);
    for (const QPointF& p : {a, b, c})
        QVERIFY(plotRect.contains(p));
}

void TestSkyPlotWidget::equalAngularScale()
{
    SkyPlotWidget plot;
    plot.resize(500, 400);
    // At Dec 60 a degree of RA is half a degree of arc.
    plot.setPointings({{QStringLiteral("a"), 100.0, 59.0}, {QStringLiteral("b"), 104.0, 61.0}});
    QCOMPARE(plot.decCenter(), 60.0);
    const double raStep = plot.toWidget(100.0, 60.0).x() - plot.toWidget(101.0, 60.0).x();
    const double decStep = plot.toWidget(100.0, 60.0).y() - plot.toWidget(100.0, 61.0).y();
    QVERIFY(raStep > 0.0);
    QVERIFY2(std::abs(raStep / decStep - 0.5) < 1e-9, qPrintable(QString::number(raStep / decStep)));
}

void TestSkyPlotWidget::wrapsAroundZero()
{
    SkyPlotWidget plot;
    plot.resize(400, 300);
    plot.setPointings({{QStringLiteral("west"), 359.0, -10.0},
                       {QStringLiteral("east"), 1.5, -10.5},
                       {QStringLiteral("middle"), 0.2, -9.8}});
    QVERIFY2(raDistance(plot.raCenter(), 0.25) < 1e-9, qPrintable(QString::number(plot.raCenter())));
    const QPointF west = plot.toWidget(359.0, -10.0);
    const QPointF middle = plot.toWidget(0.2, -9.8);
    const QPointF east = plot.toWidget(1.5, -10.5);
    QVERIFY(east.x() < middle.x());
    QVERIFY(middle.x() < west.x());
    const QRectF plotRect = plot.plotRect();
    for (const QPointF& p : {west, middle, east})
        QVERIFY2(plotRect.contains(p), qPrintable(QStringLiteral("%1, %2").arg(p.x()).arg(p.y())));
    // 2.5 degrees of RA at Dec -10 fill most of the width, not 357 of them.
    QVERIFY(west.x() - east.x() > plotRect.width() / 2.0);
    // Right ascensions 360 and 0 are the same place.
    QCOMPARE(plot.toWidget(360.0, -10.0), plot.toWidget(0.0, -10.0));
    QCOMPARE(plot.toWidget(-1.0, -10.0), plot.toWidget(359.0, -10.0));
}

void TestSkyPlotWidget::roundTripsPositions_data()
{
    QTest::addColumn<QList<SkyPointing>>("pointings");
    QTest::newRow("equator") << QList<SkyPointing>{{{}, 150.0, 2.0}, {{}, 151.0, 2.5}};
    QTest::newRow("across zero") << QList<SkyPointing>{{{}, 359.5, -30.0}, {{}, 0.5, -31.0}};
    QTest::newRow("south") << QList<SkyPointing>{{{}, 80.0, -70.0}, {{}, 95.0, -72.0}};
}

void TestSkyPlotWidget::roundTripsPositions()
{
    QFETCH(QList<SkyPointing>, pointings);
    SkyPlotWidget plot;
    plot.resize(420, 320);
    plot.setPointings(pointings);
    for (const SkyPointing& p : pointings) {
        const QPointF back = plot.fromWidget(plot.toWidget(p.raDeg, p.decDeg));
        QVERIFY(back.x() >= 0.0 && back.x() < 360.0);
        QVERIFY2(raDistance(back.x(), p.raDeg) < 1e-9, qPrintable(QString::number(back.x())));
        QVERIFY(std::abs(back.y() - p.decDeg) < 1e-9);
    }
}

void TestSkyPlotWidget::pointAtAndHover()
{
    SkyPlotWidget plot;
    plot.resize(400, 300);
    plot.setPointings({{QStringLiteral("first"), 10.0, 0.0}, {QStringLiteral("second"), 12.0, 1.0}});
    const QPointF second = plot.toWidget(12.0, 1.0);
    QCOMPARE(plot.pointAt(second), 1);
    QCOMPARE(plot.pointAt(second + QPointF(3.0, -3.0)), 1);
    QCOMPARE(plot.pointAt(plot.toWidget(10.0, 0.0)), 0);
    QCOMPARE(plot.pointAt(plot.toWidget(11.0, 0.5)), -1);

    QSignalSpy spy(&plot, &SkyPlotWidget::hoveredIndexChanged);
    QMouseEvent move(QEvent::MouseMove, second, plot.mapToGlobal(second), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(&plot, &move);
    QCOMPARE(plot.hoveredIndex(), 1);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 1);
    // The hovered point is painted with its label.
    QImage image(plot.size(), QImage::Format_ARGB32);
    plot.render(&image);
    QVERIFY(!image.isNull());

    const QPointF away = plot.toWidget(11.0, 0.5);
    QMouseEvent leave(QEvent::MouseMove, away, plot.mapToGlobal(away), Qt::NoButton, Qt::NoButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(&plot, &leave);
    QCOMPARE(plot.hoveredIndex(), -1);
    QCOMPARE(spy.count(), 2);
}

void TestSkyPlotWidget::paintsWithoutPoints()
{
    SkyPlotWidget plot;
    plot.resize(300, 200);
    QImage image(plot.size(), QImage::Format_ARGB32);
    plot.render(&image);
    plot.setPointings({{QStringLiteral("pole"), 0.0, 90.0}});
    plot.render(&image);
    QCOMPARE(plot.pointAt(plot.toWidget(0.0, 90.0)), 0);
    plot.clear();
    QVERIFY(plot.pointings().isEmpty());
}

void TestSkyPlotWidget::pointingsFromExposures()
{
    const QList<SkyPointing> pointings = SkyPlotWidget::pointingsFromRecords(
        {exposure(1, QStringLiteral("MC_O_20250615_000001"), 150.25, -2.5),
         exposure(2, QStringLiteral("MC_C_20250615_000002"), QVariant(), QVariant()), // a dark: not on sky
         exposure(3, QStringLiteral("MC_O_20250615_000003"), -10.0, 45.0)});
    QCOMPARE(pointings.size(), 2);
    QCOMPARE(pointings[0].label, QStringLiteral("MC_O_20250615_000001"));
    QCOMPARE(pointings[0].raDeg, 150.25);
    QCOMPARE(pointings[0].decDeg, -2.5);
    QCOMPARE(pointings[1].raDeg, 350.0);
    QCOMPARE(pointings[1].decDeg, 45.0);
}

void TestSkyPlotWidget::pointingsFromVisitRegions()
{
    const QList<SkyPointing> pointings = SkyPlotWidget::pointingsFromRecords(
        {visit(10, QStringLiteral("polygon"), squarePolygon(359.9, -10.0, 1.75)),
         visit(11, QStringLiteral("circle"), circle(53.1, -27.8, 0.5)),
         visit(12, QStringLiteral("box"), box(350.0, 10.0, -5.0, 3.0)),
         visit(13, QStringLiteral("no region"), QByteArray()),
         visit(14, QStringLiteral("cut short"), squarePolygon(10.0, 10.0, 1.0).left(50)),
         visit(15, QStringLiteral("ellipse"), QByteArray(1, 'e') + QByteArray(112, '\0'))});
    QCOMPARE(pointings.size(), 3);
    QCOMPARE(pointings[0].label, QStringLiteral("polygon"));
    QVERIFY2(raDistance(pointings[0].raDeg, 359.9) < 1e-9, qPrintable(QString::number(pointings[0].raDeg)));
    QVERIFY(std::abs(pointings[0].decDeg + 10.0) < 1e-9);
    QCOMPARE(pointings[1].label, QStringLiteral("circle"));
    QVERIFY(raDistance(pointings[1].raDeg, 53.1) < 1e-9);
    QVERIFY(std::abs(pointings[1].decDeg + 27.8) < 1e-9);
    // A box from 350 to 10 wraps through 0.
    QCOMPARE(pointings[2].label, QStringLiteral("box"));
    QVERIFY2(raDistance(pointings[2].raDeg, 0.0) < 1e-9, qPrintable(QString::number(pointings[2].raDeg)));
    QVERIFY(std::abs(pointings[2].decDeg + 1.0) < 1e-9);

    double ra = 0.0;
    double dec = 0.0;
    QVERIFY(!SkyPlotWidget::regionCentre(QByteArray("p"), &ra, &dec));
    QVERIFY(!SkyPlotWidget::regionCentre(QByteArray(1 + 3 * 24, '\0').replace(0, 1, "p"), &ra, &dec));
    QVERIFY(!SkyPlotWidget::regionCentre(box(0.0, 10.0, 5.0, -5.0), &ra, &dec)); // empty box
}

void TestSkyPlotWidget::skipsOtherRecords()
{
    const DimensionRecord detector(
        QStringLiteral("detector"),
        {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}, {QStringLiteral("id"), 94}});
    const DimensionRecord region(QStringLiteral("visit_detector_region"),
                                 {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}}, std::nullopt,
                                 squarePolygon(1.0, 1.0, 0.1));
    QVERIFY(SkyPlotWidget::pointingsFromRecords({detector, region}).isEmpty());
}

QTEST_MAIN(TestSkyPlotWidget)
#include "tst_skyplotwidget.moc"
