#include "SkyPlotWidget.h"

#include "DimensionRecord.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace butler {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
// Near the poles a degree of RA shrinks to nothing; this keeps the scale finite.
constexpr double kMinCosDec = 0.05;
constexpr double kMarkerRadius = 4.0;
constexpr double kHoverRadius = 8.0;
// Space around the plot for tick labels and axis titles.
constexpr double kMarginLeft = 64.0;
constexpr double kMarginBottom = 44.0;
constexpr double kMarginTop = 12.0;
constexpr double kMarginRight = 16.0;

double normalizedRa(double ra)
{
    double r = std::fmod(ra, 360.0);
    if (r < 0.0)
        r += 360.0;
    return r >= 360.0 ? 0.0 : r;
}

// A tick spacing from 1-2-5 steps below a degree, and steps that divide the circle above.
double niceStep(double raw)
{
    if (!(raw > 0.0))
        return 1.0;
    if (raw >= 1.0) {
        for (const double step : {1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 45.0, 60.0, 90.0})
            if (step >= raw)
                return step;
        return 90.0;
    }
    const double base = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * base >= raw * (1.0 - 1e-9))
            return m * base;
    return 10.0 * base;
}

int tickDecimals(double step)
{
    return step >= 1.0 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
}

QString degreeLabel(double value, int decimals)
{
    QString text = QString::number(value, 'f', decimals);
    if (text.startsWith(QLatin1Char('-')) && text.mid(1).toDouble() == 0.0)
        text.remove(0, 1);
    return text + QChar(0x00B0);
}

bool readDoubles(const QByteArray& bytes, qsizetype offset, double* out, int count)
{
    if (offset + qsizetype(count) * 8 > bytes.size())
        return false;
    for (int i = 0; i < count; ++i)
        out[i] = qFromLittleEndian<double>(bytes.constData() + offset + i * 8);
    return true;
}

bool vectorToRaDec(double x, double y, double z, double* raDeg, double* decDeg)
{
    const double norm = std::sqrt(x * x + y * y + z * z);
    if (!std::isfinite(norm) || norm < 1e-12)
        return false;
    *raDeg = normalizedRa(std::atan2(y, x) / kDeg);
    *decDeg = std::asin(std::clamp(z / norm, -1.0, 1.0)) / kDeg;
    return true;
}

bool finiteNumber(const QVariant& value, double* out)
{
    if (!value.isValid() || value.isNull())
        return false;
    bool ok = false;
    const double number = value.toDouble(&ok);
    if (!ok || !std::isfinite(number))
        return false;
    *out = number;
    return true;
}

QString firstText(const DimensionRecord& record, const QStringList& fields)
{
    for (const QString& field : fields) {
        const QVariant value = record.value(field);
        if (value.isValid() && !value.isNull() && !value.toString().isEmpty())
            return value.toString();
    }
    return QString();
}

} // namespace

SkyPlotWidget::SkyPlotWidget(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setAccessibleName(tr("Sky plot"));
    setAccessibleDescription(tr("Pointings in right ascension and declination"));
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void SkyPlotWidget::changeEvent(QEvent* event)
{
    // The axes and the empty message are painted from tr() texts: a repaint says them anew.
    if (event->type() == QEvent::LanguageChange) {
        setAccessibleName(tr("Sky plot"));
        setAccessibleDescription(tr("Pointings in right ascension and declination"));
        update();
    }
    QWidget::changeEvent(event);
}

void SkyPlotWidget::setPointings(const QList<SkyPointing>& pointings)
{
    m_pointings = pointings;
    m_hovered = -1;
    updateRange();
    update();
}

void SkyPlotWidget::clear()
{
    setPointings({});
}

QList<SkyPointing> SkyPlotWidget::pointingsFromRecords(const QList<DimensionRecord>& records)
{
    QList<SkyPointing> pointings;
    for (const DimensionRecord& record : records) {
        SkyPointing pointing;
        if (record.element() == QLatin1String("exposure")) {
            if (!finiteNumber(record.value(QStringLiteral("tracking_ra")), &pointing.raDeg) ||
                !finiteNumber(record.value(QStringLiteral("tracking_dec")), &pointing.decDeg))
                continue;
            pointing.raDeg = normalizedRa(pointing.raDeg);
            pointing.label = firstText(
                record, {QStringLiteral("obs_id"), QStringLiteral("id"), QStringLiteral("exposure")});
            if (pointing.label.isEmpty())
                pointing.label = tr("exposure");
        } else if (record.element() == QLatin1String("visit")) {
            if (!regionCentre(record.region(), &pointing.raDeg, &pointing.decDeg))
                continue;
            pointing.label =
                firstText(record, {QStringLiteral("name"), QStringLiteral("id"), QStringLiteral("visit")});
            if (pointing.label.isEmpty())
                pointing.label = tr("visit");
        } else {
            continue;
        }
        if (std::abs(pointing.decDeg) > 90.0)
            continue;
        pointings.append(pointing);
    }
    return pointings;
}

bool SkyPlotWidget::regionCentre(const QByteArray& encoded, double* raDeg, double* decDeg)
{
    if (encoded.isEmpty())
        return false;
    switch (encoded.at(0)) {
    case 'p': {
        // ConvexPolygon: unit-vector vertices; their mean points at the middle of a small polygon.
        const qsizetype count = (encoded.size() - 1) / 24;
        if (count < 3 || (encoded.size() - 1) % 24 != 0)
            return false;
        double sum[3] = {0.0, 0.0, 0.0};
        for (qsizetype i = 0; i < count; ++i) {
            double v[3];
            readDoubles(encoded, 1 + i * 24, v, 3);
            const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            if (!std::isfinite(norm) || norm < 1e-12)
                return false;
            for (int k = 0; k < 3; ++k)
                sum[k] += v[k] / norm;
        }
        return vectorToRaDec(sum[0], sum[1], sum[2], raDeg, decDeg);
    }
    case 'c': {
        // Circle: centre vector, squared chord length, opening angle.
        double values[5];
        if (encoded.size() != 41 || !readDoubles(encoded, 1, values, 5) || !(values[3] >= 0.0))
            return false;
        return vectorToRaDec(values[0], values[1], values[2], raDeg, decDeg);
    }
    case 'b': {
        // Box: longitude interval (may wrap through 0) and latitude interval, in radians.
        double values[4];
        if (encoded.size() != 33 || !readDoubles(encoded, 1, values, 4))
            return false;
        const double lonA = values[0];
        const double lonB = values[1];
        const double latA = values[2];
        const double latB = values[3];
        if (!std::isfinite(lonA) || !std::isfinite(lonB) || !std::isfinite(latA) || !std::isfinite(latB) ||
            latA > latB)
            return false;
        const double lonEnd = lonB < lonA ? lonB + 2.0 * std::numbers::pi : lonB;
        *raDeg = normalizedRa((lonA + lonEnd) / 2.0 / kDeg);
        *decDeg = std::clamp((latA + latB) / 2.0 / kDeg, -90.0, 90.0);
        return true;
    }
    default:
        return false;
    }
}

SkyPlotWidget::RaInterval SkyPlotWidget::raInterval(const QList<double>& raDeg)
{
    if (raDeg.isEmpty())
        return {};
    QList<double> sorted;
    sorted.reserve(raDeg.size());
    for (const double ra : raDeg)
        sorted.append(normalizedRa(ra));
    std::sort(sorted.begin(), sorted.end());
    const qsizetype n = sorted.size();
    qsizetype gapAfter = n - 1;
    double largestGap = sorted.front() + 360.0 - sorted.back();
    for (qsizetype i = 0; i + 1 < n; ++i) {
        const double gap = sorted[i + 1] - sorted[i];
        if (gap > largestGap) {
            largestGap = gap;
            gapAfter = i;
        }
    }
    RaInterval interval{sorted[(gapAfter + 1) % n], sorted[gapAfter]};
    if (interval.end < interval.start)
        interval.end += 360.0;
    return interval;
}

void SkyPlotWidget::updateRange()
{
    if (m_pointings.isEmpty()) {
        m_raCenter = 180.0;
        m_decCenter = 0.0;
        m_raExtent = 360.0;
        m_decExtent = 180.0;
        return;
    }
    QList<double> ras;
    double decMin = 90.0;
    double decMax = -90.0;
    for (const SkyPointing& pointing : std::as_const(m_pointings)) {
        ras.append(pointing.raDeg);
        decMin = std::min(decMin, pointing.decDeg);
        decMax = std::max(decMax, pointing.decDeg);
    }
    const RaInterval interval = raInterval(ras);
    m_raCenter = normalizedRa((interval.start + interval.end) / 2.0);
    m_decCenter = (decMin + decMax) / 2.0;
    // A margin of a tenth on each side, and at least half a degree of sky in view.
    const double cd = cosDec();
    m_raExtent = std::max((interval.end - interval.start) * cd * 1.2, 0.5) / cd;
    m_decExtent = std::max((decMax - decMin) * 1.2, 0.5);
}

double SkyPlotWidget::cosDec() const
{
    return std::max(std::cos(m_decCenter * kDeg), kMinCosDec);
}

QRectF SkyPlotWidget::plotRect() const
{
    return QRectF(kMarginLeft, kMarginTop, std::max(1.0, width() - kMarginLeft - kMarginRight),
                  std::max(1.0, height() - kMarginTop - kMarginBottom));
}

// Pixels per degree of arc, the same along both axes.
double SkyPlotWidget::scale() const
{
    const QRectF plot = plotRect();
    return std::min(plot.width() / (m_raExtent * cosDec()), plot.height() / m_decExtent);
}

QPointF SkyPlotWidget::toWidget(double raDeg, double decDeg) const
{
    const QPointF centre = plotRect().center();
    const double s = scale();
    // The signed RA offset from the centre the short way round, so that 359 and 1 are neighbours.
    const double offset = std::remainder(raDeg - m_raCenter, 360.0);
    return QPointF(centre.x() - offset * cosDec() * s, centre.y() - (decDeg - m_decCenter) * s);
}

QPointF SkyPlotWidget::fromWidget(const QPointF& position) const
{
    const QPointF centre = plotRect().center();
    const double s = scale();
    return QPointF(normalizedRa(m_raCenter - (position.x() - centre.x()) / (s * cosDec())),
                   m_decCenter - (position.y() - centre.y()) / s);
}

int SkyPlotWidget::pointAt(const QPointF& position) const
{
    int best = -1;
    double bestDistance = kHoverRadius * kHoverRadius;
    for (int i = 0; i < m_pointings.size(); ++i) {
        const QPointF delta = toWidget(m_pointings[i].raDeg, m_pointings[i].decDeg) - position;
        const double distance = QPointF::dotProduct(delta, delta);
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

QSize SkyPlotWidget::sizeHint() const
{
    return QSize(480, 360);
}

QSize SkyPlotWidget::minimumSizeHint() const
{
    return QSize(200, 160);
}

QString SkyPlotWidget::tooltipText(int index) const
{
    const SkyPointing& pointing = m_pointings.at(index);
    return tr("%1\nRA %2\u00B0, Dec %3\u00B0")
        .arg(pointing.label)
        .arg(pointing.raDeg, 0, 'f', 4)
        .arg(pointing.decDeg, 0, 'f', 4);
}

void SkyPlotWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF plot = plotRect();
    const QPalette& pal = palette();
    const QFontMetricsF metrics(font());

    if (m_pointings.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No pointings to show"));
        return;
    }

    const QPointF centre = plot.center();
    const double s = scale();
    const double raPerPixel = 1.0 / (s * cosDec());
    const double raLeft = m_raCenter + (centre.x() - plot.left()) * raPerPixel;
    const double raRight = m_raCenter - (plot.right() - centre.x()) * raPerPixel;
    const double decTop = m_decCenter + (centre.y() - plot.top()) / s;
    const double decBottom = m_decCenter - (plot.bottom() - centre.y()) / s;

    QPen gridPen(pal.color(QPalette::Mid), 0.0, Qt::DotLine);
    const QPen textPen(pal.color(QPalette::Text));

    // RA ticks along the bottom, labelled in [0, 360).
    const double raStep = niceStep((raLeft - raRight) / std::max(2.0, plot.width() / 90.0));
    const int raDecimals = tickDecimals(raStep);
    const qint64 raFirst = qint64(std::ceil(raRight / raStep));
    const qint64 raLast = qint64(std::floor(raLeft / raStep));
    for (qint64 k = raFirst; k <= raLast && k - raFirst < 1000; ++k) {
        const double ra = double(k) * raStep;
        const double x = centre.x() - (ra - m_raCenter) / raPerPixel;
        painter.setPen(gridPen);
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(textPen);
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
        double shown = normalizedRa(ra);
        if (360.0 - shown < raStep / 2.0)
            shown = 0.0; // rounding left it just short of a full turn
        const QString label = degreeLabel(shown, raDecimals);
        const double labelWidth = metrics.horizontalAdvance(label);
        painter.drawText(QPointF(x - labelWidth / 2.0, plot.bottom() + 6 + metrics.ascent()), label);
    }

    // Declination ticks along the left, only where declinations exist.
    const double decStep = niceStep((decTop - decBottom) / std::max(2.0, plot.height() / 50.0));
    const int decDecimals = tickDecimals(decStep);
    const qint64 decFirst = qint64(std::ceil(std::max(decBottom, -90.0) / decStep));
    const qint64 decLast = qint64(std::floor(std::min(decTop, 90.0) / decStep));
    for (qint64 k = decFirst; k <= decLast && k - decFirst < 1000; ++k) {
        const double dec = double(k) * decStep;
        const double y = centre.y() - (dec - m_decCenter) * s;
        painter.setPen(gridPen);
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.setPen(textPen);
        painter.drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y));
        const QString label = degreeLabel(dec, decDecimals);
        const double labelWidth = metrics.horizontalAdvance(label);
        painter.drawText(QPointF(plot.left() - 6 - labelWidth, y + metrics.ascent() / 2.0 - 1.0), label);
    }

    painter.setPen(textPen);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(plot);
    const QString raTitle = tr("RA (deg, increasing to the left)");
    painter.drawText(QRectF(plot.left(), height() - metrics.height() - 2, plot.width(), metrics.height()),
                     Qt::AlignHCenter | Qt::AlignBottom, raTitle);
    painter.save();
    painter.translate(metrics.height() / 2.0 + 2.0, plot.center().y());
    painter.rotate(-90.0);
    const QString decTitle = tr("Dec (deg)");
    painter.drawText(QPointF(-metrics.horizontalAdvance(decTitle) / 2.0, metrics.ascent() / 2.0), decTitle);
    painter.restore();

    painter.setClipRect(plot.adjusted(-kHoverRadius, -kHoverRadius, kHoverRadius, kHoverRadius));
    const QColor marker = pal.color(QPalette::Highlight);
    painter.setPen(QPen(marker.darker(150), 1.0));
    painter.setBrush(marker);
    for (int i = 0; i < m_pointings.size(); ++i) {
        if (i == m_hovered)
            continue;
        painter.drawEllipse(toWidget(m_pointings[i].raDeg, m_pointings[i].decDeg), kMarkerRadius,
                            kMarkerRadius);
    }
    if (m_hovered >= 0) {
        const SkyPointing& pointing = m_pointings.at(m_hovered);
        const QPointF position = toWidget(pointing.raDeg, pointing.decDeg);
        painter.setPen(QPen(pal.color(QPalette::Text), 1.5));
        painter.setBrush(pal.color(QPalette::HighlightedText));
        painter.drawEllipse(position, kMarkerRadius + 2.0, kMarkerRadius + 2.0);
        painter.setClipping(false);
        const double labelWidth = metrics.horizontalAdvance(pointing.label);
        // Keep the label inside the plot: flip it to the left of markers near the right edge.
        double x = position.x() + kMarkerRadius + 6.0;
        if (x + labelWidth > plot.right())
            x = position.x() - kMarkerRadius - 6.0 - labelWidth;
        painter.drawText(QPointF(x, position.y() - kMarkerRadius - 2.0), pointing.label);
    }
}

void SkyPlotWidget::mouseMoveEvent(QMouseEvent* event)
{
    setHovered(pointAt(event->position()), event->globalPosition().toPoint());
    QWidget::mouseMoveEvent(event);
}

void SkyPlotWidget::leaveEvent(QEvent* event)
{
    setHovered(-1, QPoint());
    QWidget::leaveEvent(event);
}

void SkyPlotWidget::setHovered(int index, const QPoint& globalPosition)
{
    if (index == m_hovered)
        return;
    m_hovered = index;
    if (index >= 0)
        QToolTip::showText(globalPosition, tooltipText(index), this);
    else
        QToolTip::hideText();
    update();
    emit hoveredIndexChanged(index);
}

} // namespace butler
