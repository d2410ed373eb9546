#include "FitsImageWriter.h"
#include "FitsPreviewWidget.h"
#include "ImageCanvas.h"
#include "PreviewPanel.h"
#include "SkyPlotWidget.h"
#include "TextPreviewWidget.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QJsonDocument>
#include <QLabel>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

using namespace butler;

namespace {

constexpr int kWidth = 64;
constexpr int kHeight = 48;
const QPoint kHotPixel(10, 10);
constexpr float kHotValue = 1.0e4f;

float rampValue(int x, int y)
{
    return 1000.0f + float(y * kWidth + x) * 0.1f;
}

// A gentle ramp with one very hot pixel, which min-max shows and zscale ignores.
QByteArray rampFits()
{
    QVector<float> pixels(kWidth * kHeight);
    for (int y = 0; y < kHeight; ++y)
        for (int x = 0; x < kWidth; ++x)
            pixels[y * kWidth + x] = rampValue(x, y);
    pixels[kHotPixel.y() * kWidth + kHotPixel.x()] = kHotValue;
    const Result<QByteArray> bytes = FitsImageWriter::writeImage(
        kWidth, kHeight, pixels, {{QStringLiteral("OBJECT"), QStringLiteral("ramp"), {}}});
    return bytes.ok() ? bytes.value() : QByteArray();
}

QByteArray headerOnlyFits()
{
    QByteArray header;
    for (const char* card : {"SIMPLE  =                    T", "BITPIX  =                    8",
                             "NAXIS   =                    0", "OBJECT  = 'summary'", "END"})
        header += QByteArray(card).leftJustified(80, ' ');
    return header.leftJustified(2880, ' ');
}

// The grey level the widget shows for FITS pixel (x, y): rows are flipped for display.
int shownGrey(const QImage& image, int x, int y)
{
    return qGray(image.pixel(x, image.height() - 1 - y));
}

void moveMouse(QWidget* widget, const QPointF& position)
{
    QMouseEvent event(QEvent::MouseMove, position, widget->mapToGlobal(position), Qt::NoButton, Qt::NoButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &event);
}

} // namespace

class TestPreviewWidgets : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void fitsPreviewShowsImageAndHeader();
    void stretchComboSwitchesRendering();
    void fitsPreviewShowsDecodeErrors();
    void fitsPreviewHeaderOnly();
    void zoomControls();
    void hoverShowsPixelValue();
    void fitsPreviewClear();

    void textPreviewPrettyPrintsJson();
    void textPreviewShowsInvalidJsonAsIs();
    void textPreviewShowsYamlAndCsvVerbatim();
    void textPreviewSizeCap();
    void textPreviewCapKeepsWholeCharacters();

    void pageForLabel_data();
    void pageForLabel();
    void previewPanelShowsPages();
    void accessibleNames();

private:
    QByteArray m_ramp;
};

void TestPreviewWidgets::initTestCase()
{
    m_ramp = rampFits();
    QVERIFY(!m_ramp.isEmpty());
}

void TestPreviewWidgets::fitsPreviewShowsImageAndHeader()
{
    FitsPreviewWidget widget;
    QVERIFY(widget.setFitsBytes(m_ramp));
    QVERIFY(widget.errorText().isEmpty());
    QVERIFY(!widget.tabs()->isHidden());
    QCOMPARE(widget.tabs()->currentIndex(), 0);
    QCOMPARE(widget.renderedImage().size(), QSize(kWidth, kHeight));
    QCOMPARE(widget.canvas()->image(), widget.renderedImage());
    QCOMPARE(widget.stretch(), ImageStretch::Kind::ZScale);
    QCOMPARE(widget.stretchComboBox()->count(), 3);
    QCOMPARE(widget.fitsImage().pixel(3, 4), rampValue(3, 4));
    QVERIFY(widget.headerText().contains(QLatin1String("SIMPLE  =                    T")));
    QVERIFY(widget.headerText().contains(QLatin1String("OBJECT  = 'ramp    '")));
    auto* headerView = widget.findChild<QPlainTextEdit*>(QStringLiteral("fitsHeaderView"));
    QVERIFY(headerView);
    QVERIFY(headerView->isReadOnly());
    QCOMPARE(headerView->font(), QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

void TestPreviewWidgets::stretchComboSwitchesRendering()
{
    FitsPreviewWidget widget;
    QVERIFY(widget.setFitsBytes(m_ramp));
    QSignalSpy spy(&widget, &FitsPreviewWidget::stretchChanged);
    const FitsImage& image = widget.fitsImage();
    const QPoint middle(kWidth / 2, kHeight / 2);
    const float value = image.pixel(middle.x(), middle.y());

    const QImage zscale = widget.renderedImage();
    const ImageStretch::Limits zscaleLimits = ImageStretch::zscaleLimits(image.pixels());
    QVERIFY2(zscaleLimits.high < 2000.0, "the hot pixel must not set the zscale limits");
    QCOMPARE(shownGrey(zscale, middle.x(), middle.y()), ImageStretch::greyLevel(value, zscaleLimits, false));
    QVERIFY(shownGrey(zscale, middle.x(), middle.y()) > 64);
    QCOMPARE(shownGrey(zscale, kHotPixel.x(), kHotPixel.y()), 255);

    QComboBox* combo = widget.stretchComboBox();
    combo->setCurrentIndex(combo->findData(int(ImageStretch::Kind::MinMax)));
    QCOMPARE(widget.stretch(), ImageStretch::Kind::MinMax);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<ImageStretch::Kind>(), ImageStretch::Kind::MinMax);
    const QImage minMax = widget.renderedImage();
    QCOMPARE(widget.canvas()->image(), minMax);
    // Under min-max the hot pixel takes the whole range: the ramp is nearly black.
    const ImageStretch::Limits minMaxLimits{image.pixel(0, 0), kHotValue};
    const int minMaxGrey = shownGrey(minMax, middle.x(), middle.y());
    QCOMPARE(minMaxGrey, ImageStretch::greyLevel(value, minMaxLimits, false));
    QVERIFY2(minMaxGrey < 16, qPrintable(QString::number(minMaxGrey)));
    QCOMPARE(shownGrey(minMax, kHotPixel.x(), kHotPixel.y()), 255);
    QVERIFY(minMax != zscale);

    combo->setCurrentIndex(combo->findData(int(ImageStretch::Kind::Asinh)));
    QCOMPARE(widget.stretch(), ImageStretch::Kind::Asinh);
    const QImage asinh = widget.renderedImage();
    // asinh lifts the faint ramp that min-max leaves nearly black.
    const int asinhGrey = shownGrey(asinh, middle.x(), middle.y());
    QCOMPARE(asinhGrey, ImageStretch::greyLevel(value, minMaxLimits, true));
    QVERIFY2(asinhGrey > 2 * minMaxGrey, qPrintable(QStringLiteral("%1 %2").arg(asinhGrey).arg(minMaxGrey)));
    QCOMPARE(shownGrey(asinh, kHotPixel.x(), kHotPixel.y()), 255);

    widget.setStretch(ImageStretch::Kind::ZScale);
    QCOMPARE(combo->currentData().toInt(), int(ImageStretch::Kind::ZScale));
    QCOMPARE(widget.renderedImage(), zscale);
    QCOMPARE(spy.count(), 3);
}

void TestPreviewWidgets::fitsPreviewShowsDecodeErrors()
{
    FitsPreviewWidget widget;
    QVERIFY(!widget.setFitsBytes(QByteArray("this is not FITS").repeated(300)));
    QVERIFY2(widget.errorText().contains(QLatin1String("Not a FITS file")), qPrintable(widget.errorText()));
    QVERIFY(widget.tabs()->isHidden());
    QVERIFY(widget.renderedImage().isNull());
    QVERIFY(widget.headerText().isEmpty());

    QVERIFY(!widget.setFitsBytes(m_ramp.left(m_ramp.size() - 3000)));
    QVERIFY2(widget.errorText().contains(QLatin1String("truncated")), qPrintable(widget.errorText()));

    QVERIFY(widget.setFitsBytes(m_ramp));
    QVERIFY(widget.errorText().isEmpty());
    QVERIFY(!widget.tabs()->isHidden());
    QVERIFY(!widget.renderedImage().isNull());
}

void TestPreviewWidgets::fitsPreviewHeaderOnly()
{
    FitsPreviewWidget widget;
    QVERIFY(widget.setFitsBytes(headerOnlyFits()));
    QVERIFY(widget.errorText().isEmpty());
    QVERIFY(!widget.fitsImage().hasImage());
    QVERIFY(widget.renderedImage().isNull());
    QCOMPARE(widget.tabs()->currentIndex(), 1);
    QVERIFY(widget.headerText().contains(QLatin1String("OBJECT  = 'summary'")));
    QVERIFY(!widget.canvas()->placeholderText().isEmpty());
}

void TestPreviewWidgets::zoomControls()
{
    FitsPreviewWidget widget;
    widget.resize(500, 400);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    QVERIFY(widget.setFitsBytes(m_ramp));
    ImageCanvas* canvas = widget.canvas();
    auto* scrollArea = widget.findChild<QScrollArea*>();
    auto* fit = widget.findChild<QToolButton*>(QStringLiteral("fitButton"));
    auto* zoomIn = widget.findChild<QToolButton*>(QStringLiteral("zoomInButton"));
    auto* zoomOut = widget.findChild<QToolButton*>(QStringLiteral("zoomOutButton"));
    auto* actualSize = widget.findChild<QToolButton*>(QStringLiteral("actualSizeButton"));
    QVERIFY(scrollArea && fit && zoomIn && zoomOut && actualSize);

    QVERIFY(canvas->fitToWindow());
    QVERIFY(fit->isChecked());
    QVERIFY(scrollArea->widgetResizable());
    // The 64 x 48 image fitted into a viewport of a few hundred pixels is scaled up.
    const double fitted = canvas->scale();
    QVERIFY2(fitted > 2.0, qPrintable(QString::number(fitted)));

    actualSize->click();
    QVERIFY(!canvas->fitToWindow());
    QVERIFY(!fit->isChecked());
    QVERIFY(!scrollArea->widgetResizable());
    QCOMPARE(canvas->zoom(), 1.0);
    QCOMPARE(canvas->size(), QSize(kWidth, kHeight));

    zoomIn->click();
    QCOMPARE(canvas->zoom(), 2.0);
    QCOMPARE(canvas->size(), QSize(2 * kWidth, 2 * kHeight));
    zoomOut->click();
    zoomOut->click();
    QCOMPARE(canvas->zoom(), 0.5);
    QCOMPARE(canvas->size(), QSize(kWidth / 2, kHeight / 2));

    fit->click();
    QVERIFY(canvas->fitToWindow());
    QVERIFY(scrollArea->widgetResizable());
    QTRY_COMPARE(canvas->scale(), fitted);
    // From a fitted scale, zooming in goes to the next power of two.
    zoomIn->click();
    QCOMPARE(canvas->zoom(), std::pow(2.0, std::floor(std::log2(fitted)) + 1.0));
}

void TestPreviewWidgets::hoverShowsPixelValue()
{
    FitsPreviewWidget widget;
    widget.resize(500, 400);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    QVERIFY(widget.setFitsBytes(m_ramp));
    auto* status = widget.findChild<QLabel*>(QStringLiteral("fitsStatusLabel"));
    QVERIFY(status);
    QVERIFY2(status->text().contains(QLatin1String("64 x 48")), qPrintable(status->text()));

    // At 1:1 the canvas is the image: FITS pixel (5, 7) is display row 47 - 7.
    widget.canvas()->setZoom(1.0);
    QSignalSpy spy(widget.canvas(), &ImageCanvas::hoveredPixelChanged);
    moveMouse(widget.canvas(), QPointF(5.5, kHeight - 1 - 7 + 0.5));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toPoint(), QPoint(5, kHeight - 1 - 7));
    const QString expected = QStringLiteral("x 5, y 7: %1").arg(double(rampValue(5, 7)), 0, 'g', 7);
    QCOMPARE(status->text(), expected);

    moveMouse(widget.canvas(), QPointF(kHotPixel.x() + 0.5, kHeight - 1 - kHotPixel.y() + 0.5));
    QCOMPARE(status->text(), QStringLiteral("x 10, y 10: 10000"));
}

void TestPreviewWidgets::fitsPreviewClear()
{
    FitsPreviewWidget widget;
    QVERIFY(widget.setFitsBytes(m_ramp));
    widget.clear();
    QVERIFY(widget.renderedImage().isNull());
    QVERIFY(widget.canvas()->image().isNull());
    QVERIFY(widget.headerText().isEmpty());
    QVERIFY(widget.errorText().isEmpty());
    QVERIFY(!widget.fitsImage().hasImage());
}

void TestPreviewWidgets::textPreviewPrettyPrintsJson()
{
    TextPreviewWidget widget;
    const QByteArray json = R"({"name":"calexp","dims":["visit","detector"],"size":{"x":4096,"y":4096}})";
    widget.setBytes(json, QStringLiteral("json"));
    QCOMPARE(widget.text(), QString::fromUtf8(QJsonDocument::fromJson(json).toJson(QJsonDocument::Indented)));
    QVERIFY(widget.text().contains(QLatin1String("    \"dims\": [\n        \"visit\",\n")));
    QVERIFY(widget.noteText().isEmpty());
    QVERIFY(!widget.isTruncated());
    QVERIFY(widget.textEdit()->isReadOnly());
    QCOMPARE(widget.textEdit()->font(), QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // The label is matched without regard to case.
    widget.setBytes(json, QStringLiteral("JSON"));
    QVERIFY(widget.text().contains(QLatin1String("\n    \"name\": \"calexp\"")));
}

void TestPreviewWidgets::textPreviewShowsInvalidJsonAsIs()
{
    TextPreviewWidget widget;
    widget.setBytes("{\"a\": 1,", QStringLiteral("json"));
    QCOMPARE(widget.text(), QStringLiteral("{\"a\": 1,"));
    QVERIFY2(widget.noteText().contains(QLatin1String("Not valid JSON")), qPrintable(widget.noteText()));
    widget.setBytes("[1, 2]", QStringLiteral("json"));
    QVERIFY(widget.noteText().isEmpty());
}

void TestPreviewWidgets::textPreviewShowsYamlAndCsvVerbatim()
{
    TextPreviewWidget widget;
    const QByteArray yaml = "# config\nvisit: {id: 1}\nbands: [g, r]\n";
    widget.setBytes(yaml, QStringLiteral("yaml"));
    QCOMPARE(widget.text(), QString::fromUtf8(yaml));
    QVERIFY(widget.noteText().isEmpty());
    const QByteArray csv = "id,ra,dec\n1,150.1,2.2\n";
    widget.setBytes(csv, QStringLiteral("csv"));
    QCOMPARE(widget.text(), QString::fromUtf8(csv));
    // JSON-looking text under another label is left alone.
    widget.setBytes("{\"a\":1}", QStringLiteral("text"));
    QCOMPARE(widget.text(), QStringLiteral("{\"a\":1}"));
    widget.clear();
    QVERIFY(widget.text().isEmpty());
}

void TestPreviewWidgets::textPreviewSizeCap()
{
    TextPreviewWidget widget;
    const QByteArray big = QByteArray("0123456789abcde\n").repeated(TextPreviewWidget::kMaxBytes / 16 + 100);
    QVERIFY(big.size() > TextPreviewWidget::kMaxBytes);
    widget.setBytes(big, QStringLiteral("text"));
    QVERIFY(widget.isTruncated());
    QCOMPARE(widget.text().size(), TextPreviewWidget::kMaxBytes);
    QVERIFY(big.startsWith(widget.text().toUtf8()));
    QVERIFY2(widget.noteText().contains(QLatin1String("first")), qPrintable(widget.noteText()));

    // A JSON document over the cap cannot be parsed whole: its beginning is shown as it is.
    QByteArray json = "[";
    while (json.size() <= TextPreviewWidget::kMaxBytes)
        json += "{\"k\":12345},";
    json += "{}]";
    widget.setBytes(json, QStringLiteral("json"));
    QVERIFY(widget.isTruncated());
    QCOMPARE(widget.text().toUtf8(), json.left(TextPreviewWidget::kMaxBytes));

    widget.setBytes("small", QStringLiteral("text"));
    QVERIFY(!widget.isTruncated());
    QVERIFY(widget.noteText().isEmpty());
}

void TestPreviewWidgets::textPreviewCapKeepsWholeCharacters()
{
    // The cap falls between the two bytes of an "é": the partial character is left out.
    const QByteArray bytes = QByteArray(TextPreviewWidget::kMaxBytes - 1, 'a') +
                             QString(QStringLiteral("é")).repeated(10).toUtf8();
    TextPreviewWidget widget;
    widget.setBytes(bytes, QStringLiteral("text"));
    QVERIFY(widget.isTruncated());
    QCOMPARE(widget.text().size(), TextPreviewWidget::kMaxBytes - 1);
    QVERIFY(!widget.text().contains(QChar::ReplacementCharacter));
}

void TestPreviewWidgets::pageForLabel_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<PreviewPanel::Page>("page");
    QTest::newRow("fits") << QStringLiteral("fits") << PreviewPanel::Page::Fits;
    QTest::newRow("FITS") << QStringLiteral("FITS") << PreviewPanel::Page::Fits;
    QTest::newRow("json") << QStringLiteral("json") << PreviewPanel::Page::Text;
    QTest::newRow("yaml") << QStringLiteral("yaml") << PreviewPanel::Page::Text;
    QTest::newRow("csv") << QStringLiteral("csv") << PreviewPanel::Page::Text;
    QTest::newRow("text") << QStringLiteral("text") << PreviewPanel::Page::Text;
    QTest::newRow("parquet") << QStringLiteral("parquet") << PreviewPanel::Page::Unsupported;
    QTest::newRow("png") << QStringLiteral("png") << PreviewPanel::Page::Unsupported;
    QTest::newRow("bytes") << QStringLiteral("bytes") << PreviewPanel::Page::Unsupported;
    QTest::newRow("empty") << QString() << PreviewPanel::Page::Unsupported;
}

void TestPreviewWidgets::pageForLabel()
{
    QFETCH(QString, label);
    QFETCH(PreviewPanel::Page, page);
    QCOMPARE(PreviewPanel::pageForLabel(label), page);
}

void TestPreviewWidgets::previewPanelShowsPages()
{
    PreviewPanel panel;
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Empty);
    QVERIFY(!panel.messageText().isEmpty());
    QSignalSpy spy(&panel, &PreviewPanel::pageChanged);

    panel.showBytes(m_ramp, QStringLiteral("fits"));
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Fits);
    QCOMPARE(panel.currentWidget(), panel.fitsPreview());
    QCOMPARE(panel.fitsPreview()->renderedImage().size(), QSize(kWidth, kHeight));

    panel.showBytes("{\"a\":1}", QStringLiteral("json"));
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Text);
    QCOMPARE(panel.currentWidget(), panel.textPreview());
    QCOMPARE(panel.textPreview()->text(), QStringLiteral("{\n    \"a\": 1\n}\n"));
    // The page left behind lets go of its content.
    QVERIFY(panel.fitsPreview()->renderedImage().isNull());

    panel.showBytes("PAR1....", QStringLiteral("parquet"));
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Unsupported);
    QVERIFY2(panel.messageText().contains(QLatin1String("No preview for parquet")),
             qPrintable(panel.messageText()));
    QVERIFY(panel.textPreview()->text().isEmpty());

    // A FITS label with bytes that are not FITS stays on the FITS page and says why.
    panel.showBytes("garbage", QStringLiteral("fits"));
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Fits);
    QVERIFY(!panel.fitsPreview()->errorText().isEmpty());

    panel.showPointings({{QStringLiteral("a"), 10.0, -5.0}, {QStringLiteral("b"), 11.0, -6.0}});
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Sky);
    QCOMPARE(panel.currentWidget(), panel.skyPlot());
    QCOMPARE(panel.skyPlot()->pointings().size(), 2);

    panel.clear();
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Empty);
    QVERIFY(panel.skyPlot()->pointings().isEmpty());

    const QList<PreviewPanel::Page> expected = {PreviewPanel::Page::Fits,        PreviewPanel::Page::Text,
                                                PreviewPanel::Page::Unsupported, PreviewPanel::Page::Fits,
                                                PreviewPanel::Page::Sky,         PreviewPanel::Page::Empty};
    QCOMPARE(spy.count(), expected.size());
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(spy.at(i).at(0).value<PreviewPanel::Page>(), expected.at(i));
}

void TestPreviewWidgets::accessibleNames()
{
    PreviewPanel panel;
    QList<QWidget*> widgets = {&panel,
                               panel.fitsPreview(),
                               panel.fitsPreview()->stretchComboBox(),
                               panel.fitsPreview()->canvas(),
                               panel.fitsPreview()->tabs(),
                               panel.textPreview(),
                               panel.textPreview()->textEdit(),
                               panel.skyPlot()};
    widgets << panel.fitsPreview()->findChild<QPlainTextEdit*>(QStringLiteral("fitsHeaderView"));
    for (const QString& name : {QStringLiteral("fitButton"), QStringLiteral("zoomInButton"),
                                QStringLiteral("zoomOutButton"), QStringLiteral("actualSizeButton")})
        widgets << panel.fitsPreview()->findChild<QToolButton*>(name);
    QSet<QString> names;
    for (QWidget* widget : std::as_const(widgets)) {
        QVERIFY(widget);
        QVERIFY2(!widget->accessibleName().isEmpty(), widget->metaObject()->className());
        names.insert(widget->accessibleName());
    }
    QCOMPARE(names.size(), widgets.size());
}

QTEST_MAIN(TestPreviewWidgets)
#include "tst_previewwidgets.moc"
