#pragma once

#include "FitsImage.h"
#include "ImageStretch.h"

#include <QByteArray>
#include <QImage>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QTabWidget;
class QToolButton;

namespace butler {

class ImageCanvas;

// A FITS file at a glance: the first image under a chosen stretch, with zoom and the value of
// the pixel under the mouse, and the headers of all HDUs as text. Decoding errors replace both.
class FitsPreviewWidget : public QWidget
{
    Q_OBJECT

public:
    explicit FitsPreviewWidget(QWidget* parent = nullptr);

    // Decodes and shows the bytes of a FITS file; false (and the error shown) when they do not
    // decode.
    bool setFitsBytes(const QByteArray& bytes);
    void setFitsImage(FitsImage image);
    void clear();

    ImageStretch::Kind stretch() const { return m_stretch; }
    void setStretch(ImageStretch::Kind kind);

    const FitsImage& fitsImage() const { return m_image; }
    // The image as displayed (before zoom): null without one.
    const QImage& renderedImage() const { return m_rendered; }
    // The decoding error on display; empty when there is none.
    QString errorText() const;
    QString headerText() const;

    ImageCanvas* canvas() const { return m_canvas; }
    QComboBox* stretchComboBox() const { return m_stretchCombo; }
    QTabWidget* tabs() const { return m_tabs; }

signals:
    void stretchChanged(ImageStretch::Kind kind);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void render();
    void showError(const QString& message);
    void showHoveredPixel(const QPoint& pixel);
    QString imageSummary() const;

    FitsImage m_image;
    QImage m_rendered;
    ImageStretch::Kind m_stretch = ImageStretch::Kind::ZScale;

    QLabel* m_errorLabel = nullptr;
    QString m_error; // the decoding error on display
    QLabel* m_stretchLabel = nullptr;
    QWidget* m_imagePage = nullptr;
    QTabWidget* m_tabs = nullptr;
    QComboBox* m_stretchCombo = nullptr;
    QToolButton* m_fitButton = nullptr;
    QToolButton* m_zoomInButton = nullptr;
    QToolButton* m_zoomOutButton = nullptr;
    QToolButton* m_actualSizeButton = nullptr;
    QLabel* m_statusLabel = nullptr;
    QPoint m_hovered{-1, -1}; // the pixel the status label speaks of
    QScrollArea* m_scrollArea = nullptr;
    ImageCanvas* m_canvas = nullptr;
    QPlainTextEdit* m_headerView = nullptr;
};

} // namespace butler
