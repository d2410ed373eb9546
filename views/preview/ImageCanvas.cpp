#include "ImageCanvas.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace butler {

namespace {

constexpr double kMinZoom = 1.0 / 64.0;
constexpr double kMaxZoom = 64.0;

} // namespace

ImageCanvas::ImageCanvas(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setBackgroundRole(QPalette::Dark);
    setAutoFillBackground(true);
    setAccessibleName(tr("Image"));
}

void ImageCanvas::changeEvent(QEvent* event)
{
    // The placeholder is its owner's to say again.
    if (event->type() == QEvent::LanguageChange)
        setAccessibleName(tr("Image"));
    QWidget::changeEvent(event);
}

void ImageCanvas::setImage(const QImage& image)
{
    m_image = image;
    m_fitted = QPixmap();
    m_hovered = QPoint(-1, -1);
    updateGeometryForZoom();
    update();
    emit scaleChanged(scale());
}

void ImageCanvas::setPlaceholderText(const QString& text)
{
    m_placeholder = text;
    update();
}

double ImageCanvas::scale() const
{
    if (!m_fit)
        return m_zoom;
    if (m_image.isNull() || width() <= 0 || height() <= 0)
        return 1.0;
    return std::min(double(width()) / m_image.width(), double(height()) / m_image.height());
}

QRectF ImageCanvas::imageRect() const
{
    if (m_image.isNull())
        return QRectF();
    const double s = scale();
    const QSizeF size(m_image.width() * s, m_image.height() * s);
    const QPointF origin(std::max(0.0, (width() - size.width()) / 2.0),
                         std::max(0.0, (height() - size.height()) / 2.0));
    return QRectF(origin, size);
}

QPoint ImageCanvas::imagePixelAt(const QPointF& position) const
{
    const QRectF rect = imageRect();
    if (rect.isEmpty() || !rect.contains(position))
        return QPoint(-1, -1);
    const double s = scale();
    const int x = std::clamp(int((position.x() - rect.left()) / s), 0, m_image.width() - 1);
    const int y = std::clamp(int((position.y() - rect.top()) / s), 0, m_image.height() - 1);
    return QPoint(x, y);
}

QSize ImageCanvas::sizeHint() const
{
    if (m_image.isNull())
        return QSize(320, 240);
    if (m_fit)
        return m_image.size().boundedTo(QSize(640, 480)).expandedTo(QSize(160, 120));
    return QSize(int(std::ceil(m_image.width() * m_zoom)), int(std::ceil(m_image.height() * m_zoom)));
}

void ImageCanvas::setFitToWindow(bool fit)
{
    if (fit == m_fit)
        return;
    if (!fit)
        m_zoom = std::clamp(scale(), kMinZoom, kMaxZoom);
    m_fit = fit;
    m_fitted = QPixmap();
    emit fitToWindowChanged(m_fit);
    updateGeometryForZoom();
    update();
    emit scaleChanged(scale());
}

void ImageCanvas::setZoom(double zoom)
{
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    // Announced before the resize: a scroll area that still sizes the canvas would undo it.
    if (m_fit) {
        m_fit = false;
        emit fitToWindowChanged(false);
    }
    updateGeometryForZoom();
    update();
    emit scaleChanged(m_zoom);
}

// Zoom steps are powers of two, so that zoomed pixels stay whole squares.
void ImageCanvas::zoomIn()
{
    setZoom(std::pow(2.0, std::floor(std::log2(scale()) + 1e-9) + 1.0));
}

void ImageCanvas::zoomOut()
{
    setZoom(std::pow(2.0, std::ceil(std::log2(scale()) - 1e-9) - 1.0));
}

void ImageCanvas::updateGeometryForZoom()
{
    updateGeometry();
    if (!m_fit)
        resize(sizeHint());
}

void ImageCanvas::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::BrightText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const QRectF target = imageRect();
    if (m_fit) {
        const QSize size = target.size().toSize();
        if (m_fitted.size() != size && !size.isEmpty())
            m_fitted = QPixmap::fromImage(m_image.scaled(
                size, Qt::IgnoreAspectRatio,
                size.width() < m_image.width() ? Qt::SmoothTransformation : Qt::FastTransformation));
        painter.drawPixmap(target.topLeft(), m_fitted);
        return;
    }
    // Zoomed in, pixels show as squares; zoomed out, smoothing keeps faint sources visible.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 1.0);
    painter.drawImage(target, m_image);
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pixel = imagePixelAt(event->position());
    if (pixel != m_hovered) {
        m_hovered = pixel;
        emit hoveredPixelChanged(pixel);
    }
    QWidget::mouseMoveEvent(event);
}

void ImageCanvas::leaveEvent(QEvent* event)
{
    if (m_hovered != QPoint(-1, -1)) {
        m_hovered = QPoint(-1, -1);
        emit hoveredPixelChanged(m_hovered);
    }
    QWidget::leaveEvent(event);
}

void ImageCanvas::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_fit)
        emit scaleChanged(scale());
}

} // namespace butler
