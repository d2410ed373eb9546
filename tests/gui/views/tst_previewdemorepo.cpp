#include "DemoRepoBuilder.h"
#include "DirectButler.h"
#include "FitsImage.h"
#include "FitsImageWriter.h"
#include "FitsPreviewWidget.h"
#include "PreviewPanel.h"
#include "SkyPlotWidget.h"
#include "TextPreviewWidget.h"

#include <QHash>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <memory>
#include <numbers>

using namespace butler;

namespace {

#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto& verifyOkResult_ = (expr);                                                                \
        QVERIFY2(verifyOkResult_.ok(),                                                                       \
                 qPrintable(verifyOkResult_.ok() ? QString() : verifyOkResult_.error().message()));          \
    } while (false)

} // namespace

// The previews on what the demo repository really holds: its FITS images, JSON tables and the
// exposure and visit records of its observing night.
class TestPreviewDemoRepo : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void previewsRawAndCalexp_data();
    void previewsRawAndCalexp();
    void previewsJsonTable();
    void visitRegionsMatchExposurePointings();

private:
    QList<DatasetRef> datasets(const QString& type, const QString& collection);
    QList<DimensionRecord> records(const QString& element);

    QTemporaryDir m_dir;
    std::unique_ptr<DirectButler> m_butler;
};

void TestPreviewDemoRepo::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("repo"));
    VERIFY_OK(DirectButler::create(path));
    auto butler = DirectButler::open(path);
    VERIFY_OK(butler);
    m_butler = std::move(butler).value();
    DemoRepoOptions options;
    options.small = true;
    options.nights = 1;
    VERIFY_OK(DemoRepoBuilder::build(*m_butler, options));
}

QList<DatasetRef> TestPreviewDemoRepo::datasets(const QString& type, const QString& collection)
{
    DatasetQuery query;
    query.datasetTypes = {type};
    query.collections = {collection};
    query.limit = 3;
    const Result<DatasetPage> page = m_butler->queryDatasets(query);
    return page.ok() ? page->refs : QList<DatasetRef>();
}

QList<DimensionRecord> TestPreviewDemoRepo::records(const QString& element)
{
    DimensionRecordQuery query;
    query.element = element;
    const Result<DimensionRecordPage> page = m_butler->queryDimensionRecords(query);
    return page.ok() ? page->records : QList<DimensionRecord>();
}

void TestPreviewDemoRepo::previewsRawAndCalexp_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("collection");
    QTest::newRow("raw") << QStringLiteral("raw") << QStringLiteral("LSSTCam/raw/all");
    QTest::newRow("calexp") << QStringLiteral("calexp") << QStringLiteral("LSSTCam/runs/DM-00001/calexp");
}

void TestPreviewDemoRepo::previewsRawAndCalexp()
{
    QFETCH(QString, type);
    QFETCH(QString, collection);
    const QList<DatasetRef> refs = datasets(type, collection);
    QVERIFY(!refs.isEmpty());
    for (const DatasetRef& ref : refs) {
        QString formatter;
        const Result<QByteArray> bytes = m_butler->get(ref.id(), &formatter);
        VERIFY_OK(bytes);
        QCOMPARE(formatter, QStringLiteral("fits"));

        // The preview's decoder and the repository's own reader agree on every pixel.
        int width = 0;
        int height = 0;
        const Result<QVector<float>> expected = FitsImageWriter::readImage(*bytes, &width, &height);
        VERIFY_OK(expected);
        const Result<FitsImage> image = FitsImage::fromBytes(*bytes);
        VERIFY_OK(image);
        QCOMPARE(image->width(), width);
        QCOMPARE(image->height(), height);
        QCOMPARE(image->pixels().size(), expected->size());
        for (qsizetype i = 0; i < expected->size(); ++i) {
            const float a = image->pixels().at(i);
            const float b = expected->at(i);
            QVERIFY(a == b || (std::isnan(a) && std::isnan(b)));
        }
        const Result<QList<FitsImageWriter::Card>> cards = FitsImageWriter::readHeader(*bytes);
        VERIFY_OK(cards);
        for (const FitsImageWriter::Card& card : *cards) {
            const QString prefix = card.key.leftJustified(8, QLatin1Char(' '));
            QVERIFY2(std::any_of(image->headerCards().begin(), image->headerCards().end(),
                                 [&](const FitsImage::HeaderCard& c) { return c.card.startsWith(prefix); }),
                     qPrintable(card.key));
        }

        PreviewPanel panel;
        panel.showBytes(*bytes, formatter);
        QCOMPARE(panel.currentPage(), PreviewPanel::Page::Fits);
        QVERIFY(panel.fitsPreview()->errorText().isEmpty());
        QCOMPARE(panel.fitsPreview()->renderedImage().size(), QSize(width, height));
        // A sky image under zscale is neither all black nor all white.
        const QImage rendered = panel.fitsPreview()->renderedImage();
        int dark = 0;
        int bright = 0;
        for (int y = 0; y < rendered.height(); ++y) {
            for (int x = 0; x < rendered.width(); ++x) {
                const int grey = qGray(rendered.pixel(x, y));
                dark += grey < 64;
                bright += grey > 192;
            }
        }
        QVERIFY2(dark < rendered.width() * rendered.height(), "all dark");
        QVERIFY2(bright < rendered.width() * rendered.height() / 2, "mostly saturated");
    }
}

void TestPreviewDemoRepo::previewsJsonTable()
{
    const QList<DatasetRef> refs =
        datasets(QStringLiteral("sourceTable_visit"), QStringLiteral("LSSTCam/runs/DM-00001/calexp"));
    QVERIFY(!refs.isEmpty());
    QString formatter;
    const Result<QByteArray> bytes = m_butler->get(refs.first().id(), &formatter);
    VERIFY_OK(bytes);
    QCOMPARE(formatter, QStringLiteral("json"));
    PreviewPanel panel;
    panel.showBytes(*bytes, formatter);
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Text);
    QCOMPARE(panel.textPreview()->text(),
             QString::fromUtf8(QJsonDocument::fromJson(*bytes).toJson(QJsonDocument::Indented)));
    QVERIFY(panel.textPreview()->noteText().isEmpty());
}

void TestPreviewDemoRepo::visitRegionsMatchExposurePointings()
{
    const QList<DimensionRecord> exposures = records(QStringLiteral("exposure"));
    const QList<DimensionRecord> visits = records(QStringLiteral("visit"));
    QVERIFY(!exposures.isEmpty());
    QCOMPARE(visits.size(), exposures.size());
    const QList<SkyPointing> fromExposures = SkyPlotWidget::pointingsFromRecords(exposures);
    const QList<SkyPointing> fromVisits = SkyPlotWidget::pointingsFromRecords(visits);
    QCOMPARE(fromExposures.size(), exposures.size());
    QCOMPARE(fromVisits.size(), visits.size());
    // Visits are one-to-one with exposures and share their names; the focal plane outline is
    // symmetric about the boresight, so the region's centre is the tracking position.
    QHash<QString, SkyPointing> byName;
    for (const SkyPointing& p : fromExposures)
        byName.insert(p.label, p);
    for (const SkyPointing& v : fromVisits) {
        QVERIFY2(byName.contains(v.label), qPrintable(v.label));
        const SkyPointing e = byName.value(v.label);
        const double dRa =
            std::remainder(v.raDeg - e.raDeg, 360.0) * std::cos(e.decDeg * std::numbers::pi / 180.0);
        const double dDec = v.decDeg - e.decDeg;
        QVERIFY2(std::hypot(dRa, dDec) < 0.01, qPrintable(QStringLiteral("%1: visit %2 %3, exposure %4 %5")
                                                              .arg(v.label)
                                                              .arg(v.raDeg)
                                                              .arg(v.decDeg)
                                                              .arg(e.raDeg)
                                                              .arg(e.decDeg)));
    }

    PreviewPanel panel;
    panel.resize(500, 400);
    panel.showPointings(fromVisits);
    QCOMPARE(panel.currentPage(), PreviewPanel::Page::Sky);
    const QRectF plotRect = panel.skyPlot()->plotRect();
    for (const SkyPointing& v : fromVisits)
        QVERIFY(plotRect.contains(panel.skyPlot()->toWidget(v.raDeg, v.decDeg)));
}

QTEST_MAIN(TestPreviewDemoRepo)
#include "tst_previewdemorepo.moc"
