#pragma once

#include <QImage>
#include <QPixmap>
#include <QPointF>
#include <QWidget>

namespace butler {

// Paints one image, either fitted to the widget (aspect kept, centred) or at a fixed zoom, in
// which case the widget takes the zoomed size so that a QScrollArea around it can scroll.
class ImageCanvas : public QWidget
{
    Q_OBJECT

public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    const QImage& image() const { return m_image; }

    // Shown in place of the image when there is none.
    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return m_placeholder; }

    bool fitToWindow() const { return m_fit; }
    // The scale in use: the fitted scale when fitting, else the zoom.
    double scale() const;
    double zoom() const { return m_zoom; }

    // The image pixel (QImage coordinates) under a widget position, or (-1, -1) outside it.
    QPoint imagePixelAt(const QPointF& position) const;

    QSize sizeHint() const override;

public slots:
    void setFitToWindow(bool fit);
    // Sets a fixed zoom (clamped to 1/64..64) and leaves fit-to-window.
    void setZoom(double zoom);
    void zoomIn();
    void zoomOut();

signals:
    // The image pixel under the mouse, (-1, -1) when it leaves the image.
    void hoveredPixelChanged(const QPoint& pixel);
    void scaleChanged(double scale);
    void fitToWindowChanged(bool fit);

protected:
    void changeEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QRectF imageRect() const;
    void updateGeometryForZoom();

    QImage m_image;
    QString m_placeholder;
    bool m_fit = true;
    double m_zoom = 1.0;
    QPoint m_hovered{-1, -1};
    // The fitted image, scaled once per size rather than on every paint.
    QPixmap m_fitted;
};

} // namespace butler
