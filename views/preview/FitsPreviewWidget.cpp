#include "FitsPreviewWidget.h"

#include "ImageCanvas.h"

#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace butler {

Q_LOGGING_CATEGORY(lcFitsPreview, "butler.views.preview")

FitsPreviewWidget::FitsPreviewWidget(QWidget* parent)
    : QWidget(parent)
{
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("fitsErrorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setAlignment(Qt::AlignCenter);
    m_errorLabel->hide();

    m_stretchCombo = new QComboBox(this);
    m_stretchCombo->setObjectName(QStringLiteral("stretchCombo"));
    for (const ImageStretch::Kind kind : ImageStretch::kinds())
        m_stretchCombo->addItem(QString(), int(kind));
    m_stretchLabel = new QLabel(this);
    m_stretchLabel->setBuddy(m_stretchCombo);

    auto makeButton = [this](const QString& name) {
        auto* button = new QToolButton(this);
        button->setObjectName(name);
        return button;
    };
    m_fitButton = makeButton(QStringLiteral("fitButton"));
    m_fitButton->setCheckable(true);
    m_fitButton->setChecked(true);
    m_zoomInButton = makeButton(QStringLiteral("zoomInButton"));
    m_zoomOutButton = makeButton(QStringLiteral("zoomOutButton"));
    m_actualSizeButton = makeButton(QStringLiteral("actualSizeButton"));

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("fitsStatusLabel"));

    m_canvas = new ImageCanvas;
    m_scrollArea = new QScrollArea(this);
    m_scrollArea->setAlignment(Qt::AlignCenter);
    m_scrollArea->setWidgetResizable(true);
    m_scrollArea->setWidget(m_canvas);

    m_imagePage = new QWidget(this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_stretchLabel);
    controls->addWidget(m_stretchCombo);
    controls->addSpacing(8);
    controls->addWidget(m_fitButton);
    controls->addWidget(m_zoomInButton);
    controls->addWidget(m_zoomOutButton);
    controls->addWidget(m_actualSizeButton);
    controls->addSpacing(8);
    controls->addWidget(m_statusLabel, 1);
    auto* imageLayout = new QVBoxLayout(m_imagePage);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->addLayout(controls);
    imageLayout->addWidget(m_scrollArea, 1);

    m_headerView = new QPlainTextEdit(this);
    m_headerView->setObjectName(QStringLiteral("fitsHeaderView"));
    m_headerView->setReadOnly(true);
    m_headerView->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_headerView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_imagePage, QString());
    m_tabs->addTab(m_headerView, QString());

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_tabs, 1);

    connect(m_stretchCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            setStretch(ImageStretch::Kind(m_stretchCombo->itemData(index).toInt()));
    });
    connect(m_fitButton, &QToolButton::toggled, m_canvas, &ImageCanvas::setFitToWindow);
    connect(m_zoomInButton, &QToolButton::clicked, m_canvas, &ImageCanvas::zoomIn);
    connect(m_zoomOutButton, &QToolButton::clicked, m_canvas, &ImageCanvas::zoomOut);
    connect(m_actualSizeButton, &QToolButton::clicked, m_canvas, [this] { m_canvas->setZoom(1.0); });
    // Fitting lets the scroll area size the canvas; a fixed zoom gives it its own size to scroll.
    connect(m_canvas, &ImageCanvas::fitToWindowChanged, this, [this](bool fit) {
        m_scrollArea->setWidgetResizable(fit);
        m_fitButton->setChecked(fit);
    });
    connect(m_canvas, &ImageCanvas::hoveredPixelChanged, this, &FitsPreviewWidget::showHoveredPixel);
    connect(m_canvas, &ImageCanvas::scaleChanged, this, [this] { showHoveredPixel(QPoint(-1, -1)); });

    retranslateUi();
    clear();
}

void FitsPreviewWidget::retranslateUi()
{
    setAccessibleName(tr("FITS preview"));
    m_errorLabel->setAccessibleName(tr("FITS decoding error"));
    if (!m_error.isEmpty())
        m_errorLabel->setText(tr("Cannot show this FITS file: %1").arg(m_error));
    m_stretchCombo->setAccessibleName(tr("Stretch"));
    m_stretchCombo->setToolTip(tr("How pixel values map to grey levels"));
    for (int index = 0; index < m_stretchCombo->count(); ++index)
        m_stretchCombo->setItemText(
            index, ImageStretch::displayName(ImageStretch::Kind(m_stretchCombo->itemData(index).toInt())));
    m_stretchLabel->setText(tr("&Stretch:"));
    const auto describe = [](QToolButton* button, const QString& text, const QString& toolTip) {
        button->setText(text);
        button->setToolTip(toolTip);
        button->setAccessibleName(toolTip);
    };
    describe(m_fitButton, tr("Fit"), tr("Fit the image to the window"));
    describe(m_zoomInButton, tr("+"), tr("Zoom in"));
    describe(m_zoomOutButton, tr("-"), tr("Zoom out"));
    describe(m_actualSizeButton, tr("1:1"), tr("One screen pixel per image pixel"));
    m_statusLabel->setAccessibleName(tr("Image information"));
    m_scrollArea->setAccessibleName(tr("Image view"));
    m_headerView->setAccessibleName(tr("FITS header"));
    m_tabs->setAccessibleName(tr("FITS preview pages"));
    m_tabs->setTabText(m_tabs->indexOf(m_imagePage), tr("&Image"));
    m_tabs->setTabText(m_tabs->indexOf(m_headerView), tr("&Header"));
}

void FitsPreviewWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        // The canvas's placeholder and the status line are this widget's words.
        m_canvas->setPlaceholderText(
            m_image.hasImage() || !m_error.isEmpty() ? QString()
            : m_image.headerText().isEmpty()
                ? tr("No image")
                : tr("This FITS file holds no 2-D image; its header is in the Header tab."));
        showHoveredPixel(m_hovered);
    }
    QWidget::changeEvent(event);
}

bool FitsPreviewWidget::setFitsBytes(const QByteArray& bytes)
{
    Result<FitsImage> image = FitsImage::fromBytes(bytes);
    if (!image) {
        qCDebug(lcFitsPreview) << "cannot decode FITS preview:" << image.error().message();
        showError(image.error().message());
        return false;
    }
    setFitsImage(std::move(image).value());
    return true;
}

void FitsPreviewWidget::setFitsImage(FitsImage image)
{
    m_image = std::move(image);
    m_error.clear();
    m_errorLabel->hide();
    m_errorLabel->clear();
    m_tabs->show();
    m_headerView->setPlainText(m_image.headerText());
    m_canvas->setPlaceholderText(
        m_image.hasImage() ? QString()
                           : tr("This FITS file holds no 2-D image; its header is in the Header tab."));
    render();
    m_tabs->setCurrentIndex(m_image.hasImage() ? 0 : 1);
    showHoveredPixel(QPoint(-1, -1));
}

void FitsPreviewWidget::clear()
{
    m_image = FitsImage();
    m_rendered = QImage();
    m_canvas->setImage(QImage());
    m_canvas->setPlaceholderText(tr("No image"));
    m_headerView->clear();
    m_error.clear();
    m_errorLabel->hide();
    m_errorLabel->clear();
    m_tabs->show();
    m_hovered = QPoint(-1, -1);
    m_statusLabel->clear();
}

void FitsPreviewWidget::setStretch(ImageStretch::Kind kind)
{
    const int index = m_stretchCombo->findData(int(kind));
    if (index != m_stretchCombo->currentIndex())
        m_stretchCombo->setCurrentIndex(index); // calls back here
    if (kind == m_stretch)
        return;
    m_stretch = kind;
    render();
    emit stretchChanged(kind);
}

QString FitsPreviewWidget::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

QString FitsPreviewWidget::headerText() const
{
    return m_headerView->toPlainText();
}

void FitsPreviewWidget::render()
{
    m_rendered = ImageStretch::render(m_image, m_stretch);
    m_canvas->setImage(m_rendered);
}

void FitsPreviewWidget::showError(const QString& message)
{
    m_image = FitsImage();
    m_rendered = QImage();
    m_canvas->setImage(QImage());
    m_headerView->clear();
    m_statusLabel->clear();
    m_error = message;
    m_errorLabel->setText(tr("Cannot show this FITS file: %1").arg(message));
    m_errorLabel->show();
    m_tabs->hide();
}

QString FitsPreviewWidget::imageSummary() const
{
    if (!m_image.hasImage())
        return QString();
    return tr("%1 x %2, HDU %3, %4%")
        .arg(m_image.width())
        .arg(m_image.height())
        .arg(m_image.imageHdu())
        .arg(qRound(m_canvas->scale() * 100.0));
}

void FitsPreviewWidget::showHoveredPixel(const QPoint& pixel)
{
    m_hovered = pixel;
    if (!m_image.hasImage() || pixel.x() < 0 || pixel.y() < 0 || pixel.x() >= m_image.width() ||
        pixel.y() >= m_image.height()) {
        m_statusLabel->setText(imageSummary());
        return;
    }
    // The rendered image has the first FITS row at the bottom.
    const int x = pixel.x();
    const int y = m_image.height() - 1 - pixel.y();
    m_statusLabel->setText(tr("x %1, y %2: %3").arg(x).arg(y).arg(double(m_image.pixel(x, y)), 0, 'g', 7));
}

} // namespace butler
