#pragma once

#include "SkyPointing.h"

#include <QList>
#include <QPointF>
#include <QRectF>
#include <QWidget>

namespace butler {

class DimensionRecord;

// Pointings on the sky in RA/Dec with RA increasing to the left, as on a sky chart. The view
// fits the points, across RA 0/360 when they straddle it, with equal angular scale along both
// axes at the centre's declination. The point under the mouse is named in a tooltip and
// beside its marker.
class SkyPlotWidget : public QWidget
{
    Q_OBJECT

public:
    // An arc of right ascension from `start` eastward to `end` (degrees); end may pass 360.
    struct RaInterval
    {
        double start = 0.0;
        double end = 0.0;
    };

    explicit SkyPlotWidget(QWidget* parent = nullptr);

    void setPointings(const QList<SkyPointing>& pointings);
    const QList<SkyPointing>& pointings() const { return m_pointings; }
    void clear();

    // The pointings of "exposure" records (tracking_ra, tracking_dec) and "visit" records (the
    // centre of their lsst.sphgeom region: polygon, circle or box). Records of other elements,
    // and those without coordinates, are left out.
    static QList<SkyPointing> pointingsFromRecords(const QList<DimensionRecord>& records);
    // The centre of an lsst.sphgeom region in its binary encoding, as (RA, Dec) in degrees;
    // false for an empty or unsupported region.
    static bool regionCentre(const QByteArray& encoded, double* raDeg, double* decDeg);
    // The shortest arc holding all the right ascensions: the circle minus its largest gap.
    static RaInterval raInterval(const QList<double>& raDeg);

    // Widget position of a sky position, and back (RA in [0, 360)).
    QPointF toWidget(double raDeg, double decDeg) const;
    QPointF fromWidget(const QPointF& position) const;
    // The area inside the axes.
    QRectF plotRect() const;
    double raCenter() const { return m_raCenter; }
    double decCenter() const { return m_decCenter; }

    // The pointing whose marker is under (within a few pixels of) a position; -1 for none.
    int pointAt(const QPointF& position) const;
    int hoveredIndex() const { return m_hovered; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void hoveredIndexChanged(int index);

protected:
    void changeEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void updateRange();
    void setHovered(int index, const QPoint& globalPosition);
    double scale() const;
    double cosDec() const;
    QString tooltipText(int index) const;

    QList<SkyPointing> m_pointings;
    double m_raCenter = 180.0;
    double m_decCenter = 0.0;
    double m_raExtent = 360.0; // degrees of RA shown at least
    double m_decExtent = 180.0;
    int m_hovered = -1;
};

} // namespace butler
