#include "FitsImage.h"
#include "ImageStretch.h"

#include <QRandomGenerator>
#include <QTest>

#include <fitsio.h>

#include <cmath>
#include <cstdlib>
#include <limits>

using namespace butler;

namespace {

// Collects a cfitsio memory file into bytes; empty when any call failed.
class FitsBuilder
{
public:
    FitsBuilder()
    {
        m_buffer = std::malloc(m_size);
        fits_create_memfile(&m_file, &m_buffer, &m_size, 2880, std::realloc, &m_status);
    }
    ~FitsBuilder()
    {
        if (m_file) {
            int status = 0;
            fits_close_file(m_file, &status);
        }
        std::free(m_buffer);
    }
    fitsfile* file() { return m_file; }
    int* status() { return &m_status; }
    QByteArray finish()
    {
        fits_close_file(m_file, &m_status);
        m_file = nullptr;
        return m_status ? QByteArray() : QByteArray(static_cast<const char*>(m_buffer), qsizetype(m_size));
    }

private:
    fitsfile* m_file = nullptr;
    void* m_buffer = nullptr;
    size_t m_size = 2880;
    int m_status = 0;
};

float primaryValue(int x, int y)
{
    return float(x) * 0.5f - float(y) * 100.0f + 0.25f;
}

// A float image in the primary HDU with a few keywords, one NaN pixel at (3, 2).
QByteArray primaryImageFile(int width, int height)
{
    FitsBuilder fits;
    long axes[2] = {width, height};
    fits_create_img(fits.file(), FLOAT_IMG, 2, axes, fits.status());
    char object[] = "M31 field";
    fits_write_key(fits.file(), TSTRING, "OBJECT", object, "target", fits.status());
    fits_write_key_dbl(fits.file(), "EXPTIME", 30.0, -6, "seconds", fits.status());
    QVector<float> pixels(width * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            pixels[y * width + x] = primaryValue(x, y);
    pixels[2 * width + 3] = std::numeric_limits<float>::quiet_NaN();
    fits_write_img(fits.file(), TFLOAT, 1, pixels.size(), pixels.data(), fits.status());
    return fits.finish();
}

constexpr double kBscale = 2.0;
constexpr double kBzero = 100.0;
constexpr short kBlank = -32768;

short storedValue(int x, int y)
{
    return short(x * 10 - y * 7);
}

// As LSST raws and calexps: an empty primary HDU, the image in extension 1 (16-bit integers
// with BSCALE, BZERO and BLANK), and a second image (a mask) in extension 2 that must not be
// the one shown.
QByteArray extensionImageFile(int width, int height)
{
    FitsBuilder fits;
    fits_create_img(fits.file(), SHORT_IMG, 0, nullptr, fits.status());
    char telescope[] = "LSST";
    fits_write_key(fits.file(), TSTRING, "TELESCOP", telescope, nullptr, fits.status());

    long axes[2] = {width, height};
    fits_create_img(fits.file(), SHORT_IMG, 2, axes, fits.status());
    char extname[] = "IMAGE";
    fits_write_key(fits.file(), TSTRING, "EXTNAME", extname, nullptr, fits.status());
    fits_write_key_dbl(fits.file(), "BSCALE", kBscale, -6, nullptr, fits.status());
    fits_write_key_dbl(fits.file(), "BZERO", kBzero, -6, nullptr, fits.status());
    long blank = kBlank;
    fits_write_key(fits.file(), TLONG, "BLANK", &blank, nullptr, fits.status());
    // Write the stored integers as they are, not through the scaling just declared.
    fits_set_bscale(fits.file(), 1.0, 0.0, fits.status());
    fits_set_imgnull(fits.file(), 0, fits.status());
    QVector<short> stored(width * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            stored[y * width + x] = storedValue(x, y);
    stored[1 * width + 4] = kBlank;
    fits_write_img(fits.file(), TSHORT, 1, stored.size(), stored.data(), fits.status());

    long maskAxes[2] = {3, 3};
    fits_create_img(fits.file(), LONG_IMG, 2, maskAxes, fits.status());
    char maskName[] = "MASK";
    fits_write_key(fits.file(), TSTRING, "EXTNAME", maskName, nullptr, fits.status());
    QVector<int> mask(9, 7);
    fits_write_img(fits.file(), TINT, 1, mask.size(), mask.data(), fits.status());
    return fits.finish();
}

// A tile-compressed (lossless GZIP) float image, as LSST writes some of its outputs.
QByteArray compressedImageFile(int width, int height)
{
    FitsBuilder fits;
    fits_create_img(fits.file(), FLOAT_IMG, 0, nullptr, fits.status());
    fits_set_compression_type(fits.file(), GZIP_1, fits.status());
    fits_set_quantize_level(fits.file(), 0.0f, fits.status());
    long axes[2] = {width, height};
    fits_create_img(fits.file(), FLOAT_IMG, 2, axes, fits.status());
    QVector<float> pixels(width * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            pixels[y * width + x] = primaryValue(x, y);
    fits_write_img(fits.file(), TFLOAT, 1, pixels.size(), pixels.data(), fits.status());
    return fits.finish();
}

QByteArray headerOnlyFile()
{
    FitsBuilder fits;
    fits_create_img(fits.file(), BYTE_IMG, 0, nullptr, fits.status());
    char object[] = "calibration summary";
    fits_write_key(fits.file(), TSTRING, "OBJECT", object, nullptr, fits.status());
    fits_write_comment(fits.file(), "no pixels here", fits.status());
    return fits.finish();
}

// The same pseudo-random flat field as the reference values below were computed from: a linear
// congruential generator, the sum of four uniforms as noise, every `hotEvery`-th pixel hot.
QVector<float> lcgFlat(int width, int height, double level, double sigma, int hotEvery, double hotValue,
                       quint32 seed)
{
    QVector<float> pixels(width * height);
    quint64 state = seed;
    for (qsizetype i = 0; i < pixels.size(); ++i) {
        double u = 0.0;
        for (int k = 0; k < 4; ++k) {
            state = (state * 1664525u + 1013904223u) % (quint64(1) << 32);
            u += double(state) / 4294967296.0;
        }
        double value = level + (u - 2.0) * sigma * std::sqrt(3.0);
        if (i % hotEvery == 0)
            value = hotValue;
        pixels[i] = float(value);
    }
    return pixels;
}

QVector<float> ramp(int count)
{
    QVector<float> pixels(count);
    for (int i = 0; i < count; ++i)
        pixels[i] = float(i);
    return pixels;
}

const char* describe(const Result<FitsImage>& result)
{
    static QByteArray text;
    text = result.ok() ? QByteArray("decoded") : result.error().message().toUtf8();
    return text.constData();
}

} // namespace

class TestFitsImage : public QObject
{
    Q_OBJECT

private slots:
    void primaryImage();
    void extensionImageWithScaling();
    void headerOnlyFile();
    void compressedImage();
    void cubeWithOnePlane();
    void rejectsNonFits_data();
    void rejectsNonFits();
    void rejectsTruncatedFiles_data();
    void rejectsTruncatedFiles();
    void survivesCorruptedBytes();
    void rejectsHugeImage();

    void zscaleOfRamp_data();
    void zscaleOfRamp();
    void zscaleIgnoresHotPixels();
    void zscaleMatchesReference();
    void zscaleIgnoresNaN();
    void zscaleOfNothing();
    void minMaxLimits();
    void greyLevels();
    void renderFlipsRowsAndMapsNaN();
    void renderStretches();
};

void TestFitsImage::primaryImage()
{
    const QByteArray bytes = primaryImageFile(7, 5);
    QVERIFY(!bytes.isEmpty());
    const Result<FitsImage> image = FitsImage::fromBytes(bytes);
    QVERIFY2(image.ok(), describe(image));
    QVERIFY(image->hasImage());
    QCOMPARE(image->width(), 7);
    QCOMPARE(image->height(), 5);
    QCOMPARE(image->imageHdu(), 0);
    QCOMPARE(image->hduCount(), 1);
    QCOMPARE(image->pixels().size(), 35);
    for (int y = 0; y < 5; ++y) {
        for (int x = 0; x < 7; ++x) {
            if (x == 3 && y == 2)
                QVERIFY(std::isnan(image->pixel(x, y)));
            else
                QCOMPARE(image->pixel(x, y), primaryValue(x, y));
        }
    }
    const QStringList cards = image->headerCards(0);
    QVERIFY(!cards.isEmpty());
    QVERIFY2(cards.first().startsWith(QLatin1String("SIMPLE  =                    T")),
             qPrintable(cards.first()));
    QVERIFY(cards.contains(QLatin1String("NAXIS1  =                    7 / length of data axis 1")));
    QVERIFY(std::any_of(cards.begin(), cards.end(), [](const QString& c) {
        return c.startsWith(QLatin1String("OBJECT  = 'M31 field'"));
    }));
    for (const FitsImage::HeaderCard& card : image->headerCards()) {
        QCOMPARE(card.hdu, 0);
        QVERIFY(card.card.size() <= 80);
    }
    const qsizetype exptime = image->headerText().indexOf(QLatin1String("EXPTIME ="));
    QVERIFY(exptime > 0);
    QCOMPARE(image->headerText().mid(exptime + 10, 20).trimmed().toDouble(), 30.0);
}

void TestFitsImage::extensionImageWithScaling()
{
    const QByteArray bytes = extensionImageFile(6, 4);
    QVERIFY(!bytes.isEmpty());
    const Result<FitsImage> image = FitsImage::fromBytes(bytes);
    QVERIFY2(image.ok(), describe(image));
    QCOMPARE(image->imageHdu(), 1);
    QCOMPARE(image->hduCount(), 3);
    QCOMPARE(image->width(), 6);
    QCOMPARE(image->height(), 4);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 6; ++x) {
            if (x == 4 && y == 1)
                QVERIFY2(std::isnan(image->pixel(x, y)), "BLANK must read as NaN");
            else
                QCOMPARE(image->pixel(x, y), float(storedValue(x, y) * kBscale + kBzero));
        }
    }
    // Every HDU's header is kept, the mask's too.
    QVERIFY(image->headerCards(0).contains(QLatin1String("TELESCOP= 'LSST    '")));
    const QStringList imageCards = image->headerCards(1);
    QVERIFY2(imageCards.first().startsWith(QLatin1String("XTENSION= 'IMAGE   '")),
             qPrintable(imageCards.first()));
    QVERIFY(imageCards.contains(QLatin1String("EXTNAME = 'IMAGE   '")));
    QVERIFY(std::any_of(imageCards.begin(), imageCards.end(), [](const QString& c) {
        return c.startsWith(QLatin1String("BLANK   =               -32768"));
    }));
    QVERIFY(std::any_of(imageCards.begin(), imageCards.end(),
                        [](const QString& c) { return c.startsWith(QLatin1String("BZERO   =")); }));
    QVERIFY(image->headerCards(2).contains(QLatin1String("EXTNAME = 'MASK    '")));
    const QString text = image->headerText();
    QVERIFY(text.indexOf(QLatin1String("# HDU 0")) < text.indexOf(QLatin1String("# HDU 1")));
    QVERIFY(text.indexOf(QLatin1String("# HDU 1")) < text.indexOf(QLatin1String("# HDU 2")));
}

void TestFitsImage::headerOnlyFile()
{
    const Result<FitsImage> image = FitsImage::fromBytes(::headerOnlyFile());
    QVERIFY2(image.ok(), describe(image));
    QVERIFY(!image->hasImage());
    QCOMPARE(image->width(), 0);
    QCOMPARE(image->imageHdu(), -1);
    QCOMPARE(image->hduCount(), 1);
    QVERIFY(image->pixels().isEmpty());
    const QStringList cards = image->headerCards(0);
    QVERIFY(cards.contains(QLatin1String("NAXIS   =                    0 / number of data axes")));
    QVERIFY(cards.contains(QLatin1String("OBJECT  = 'calibration summary'")));
    QVERIFY(cards.contains(QLatin1String("COMMENT no pixels here")));
}

void TestFitsImage::compressedImage()
{
    const Result<FitsImage> image = FitsImage::fromBytes(compressedImageFile(33, 21));
    QVERIFY2(image.ok(), describe(image));
    QCOMPARE(image->imageHdu(), 1);
    QCOMPARE(image->width(), 33);
    QCOMPARE(image->height(), 21);
    for (int y = 0; y < 21; ++y)
        for (int x = 0; x < 33; ++x)
            QCOMPARE(image->pixel(x, y), primaryValue(x, y));
    // The header as stored: the table that holds the compressed tiles.
    QVERIFY(image->headerCards(1).first().startsWith(QLatin1String("XTENSION= 'BINTABLE'")));
}

void TestFitsImage::cubeWithOnePlane()
{
    FitsBuilder fits;
    long axes[3] = {3, 2, 1};
    fits_create_img(fits.file(), FLOAT_IMG, 3, axes, fits.status());
    float pixels[6] = {1, 2, 3, 4, 5, 6};
    fits_write_img(fits.file(), TFLOAT, 1, 6, pixels, fits.status());
    const Result<FitsImage> image = FitsImage::fromBytes(fits.finish());
    QVERIFY2(image.ok(), describe(image));
    QCOMPARE(image->width(), 3);
    QCOMPARE(image->height(), 2);
    QCOMPARE(image->pixel(2, 1), 6.0f);

    FitsBuilder cube;
    long cubeAxes[3] = {3, 2, 2};
    fits_create_img(cube.file(), FLOAT_IMG, 3, cubeAxes, cube.status());
    float cubePixels[12] = {};
    fits_write_img(cube.file(), TFLOAT, 1, 12, cubePixels, cube.status());
    const Result<FitsImage> notPlanar = FitsImage::fromBytes(cube.finish());
    QVERIFY2(notPlanar.ok(), describe(notPlanar));
    QVERIFY(!notPlanar->hasImage());
}

void TestFitsImage::rejectsNonFits_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QByteArray() << int(ErrorKind::InvalidInput) << QStringLiteral("empty");
    QTest::newRow("text") << QByteArray("hello world\n").repeated(400) << int(ErrorKind::InvalidInput)
                          << QStringLiteral("Not a FITS file");
    QTest::newRow("json") << QByteArray("{\"a\": 1}") << int(ErrorKind::InvalidInput)
                          << QStringLiteral("Not a FITS file");
    QByteArray random(8 * 2880, Qt::Uninitialized);
    QRandomGenerator generator(17);
    for (char& c : random)
        c = char(generator.bounded(256));
    QTest::newRow("random") << random << int(ErrorKind::InvalidInput) << QStringLiteral("Not a FITS file");
    QTest::newRow("short header") << QByteArray("SIMPLE  =                    T") << int(ErrorKind::Io)
                                  << QStringLiteral("less than one 2880-byte header block");
    // A SIMPLE card followed by noise: no END card, nothing cfitsio can read.
    QByteArray noise = QByteArray("SIMPLE  =                    T").leftJustified(80, ' ');
    for (int i = 0; i < 3 * 2880; ++i)
        noise.append(char(generator.bounded(256)));
    QTest::newRow("SIMPLE then noise")
        << noise << int(ErrorKind::Io) << QStringLiteral("truncated or corrupt");
    // Blanks after the SIMPLE card: a header that never ends.
    QTest::newRow("no END card") << QByteArray("SIMPLE  =                    T").leftJustified(5760, ' ')
                                 << int(ErrorKind::Io) << QStringLiteral("truncated or corrupt");
}

void TestFitsImage::rejectsNonFits()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, kind);
    QFETCH(QString, message);
    const Result<FitsImage> image = FitsImage::fromBytes(bytes);
    QVERIFY(!image.ok());
    QCOMPARE(int(image.error().kind()), kind);
    QVERIFY2(image.error().message().contains(message), qPrintable(image.error().message()));
}

void TestFitsImage::rejectsTruncatedFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    // For each HDU, where its data ends and where its padding ends: a cut between the two (both
    // included) leaves a file of that many whole HDUs, missing only padding.
    QTest::addColumn<QList<QPair<qsizetype, qsizetype>>>("hduEnds");
    // 40 x 30 float pixels: 2880 header + 4800 data bytes, padded to 8640.
    QTest::newRow("primary image") << primaryImageFile(40, 30)
                                   << QList<QPair<qsizetype, qsizetype>>{{7680, 8640}};
    // Empty primary; 50 x 40 shorts (4000 bytes) from 5760; a 3 x 3 mask (36 bytes) from 14400.
    QTest::newRow("extension image") << extensionImageFile(50, 40)
                                     << QList<QPair<qsizetype, qsizetype>>{
                                            {2880, 2880}, {9760, 11520}, {14436, 17280}};
    QTest::newRow("header only") << ::headerOnlyFile() << QList<QPair<qsizetype, qsizetype>>{{2880, 2880}};
}

void TestFitsImage::rejectsTruncatedFiles()
{
    QFETCH(QByteArray, bytes);
    using Ends = QList<QPair<qsizetype, qsizetype>>;
    QFETCH(Ends, hduEnds);
    QVERIFY(!bytes.isEmpty());
    QCOMPARE(bytes.size(), hduEnds.last().second);
    const Result<FitsImage> whole = FitsImage::fromBytes(bytes);
    QVERIFY2(whole.ok(), describe(whole));
    QCOMPARE(whole->hduCount(), hduEnds.size());
    // Cuts on and between card boundaries throughout the file.
    QList<qsizetype> cuts;
    for (qsizetype card = 80; card < bytes.size(); card += 80)
        cuts << card << card + 1 << card + 41;
    for (const qsizetype cut : std::as_const(cuts)) {
        int hdus = 0;
        for (qsizetype i = 0; i < hduEnds.size(); ++i) {
            if (cut >= hduEnds[i].first && cut <= hduEnds[i].second)
                hdus = int(i) + 1;
        }
        const Result<FitsImage> image = FitsImage::fromBytes(bytes.left(cut));
        if (hdus > 0) {
            QVERIFY2(image.ok(), qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(describe(image))));
            QCOMPARE(image->hduCount(), hdus);
            continue;
        }
        QVERIFY2(!image.ok(), qPrintable(QStringLiteral("cut at %1 decoded").arg(cut)));
        QVERIFY2(image.error().message().contains(QLatin1String("truncated")),
                 qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(image.error().message())));
    }
}

// Flipped bytes anywhere, headers included: decoding may fail but must not crash, hang or
// return an image that disagrees with itself.
void TestFitsImage::survivesCorruptedBytes()
{
    const QList<QByteArray> files = {primaryImageFile(16, 12), extensionImageFile(20, 10),
                                     ::headerOnlyFile()};
    QRandomGenerator generator(4242);
    int decoded = 0;
    int failed = 0;
    for (const QByteArray& file : files) {
        QVERIFY(!file.isEmpty());
        for (int round = 0; round < 300; ++round) {
            QByteArray bytes = file;
            const int flips = 1 + generator.bounded(8);
            for (int i = 0; i < flips; ++i) {
                // Mostly the headers, where a flip changes meaning.
                const qsizetype at = generator.bounded(100) < 80
                                         ? generator.bounded(qMin<qsizetype>(bytes.size(), 2 * 2880))
                                         : generator.bounded(bytes.size());
                bytes[at] = char(generator.bounded(256));
            }
            const Result<FitsImage> image = FitsImage::fromBytes(bytes);
            if (!image.ok()) {
                QVERIFY(!image.error().message().isEmpty());
                ++failed;
                continue;
            }
            ++decoded;
            QCOMPARE(image->pixels().size(), qsizetype(image->width()) * image->height());
            QVERIFY(image->imageHdu() < image->hduCount());
        }
    }
    QVERIFY(decoded > 0);
    QVERIFY(failed > 0);
}

void TestFitsImage::rejectsHugeImage()
{
    // A header that claims 100000 x 100000 pixels over one block of data.
    FitsBuilder fits;
    long axes[2] = {10, 10};
    fits_create_img(fits.file(), BYTE_IMG, 2, axes, fits.status());
    QByteArray bytes = fits.finish();
    QVERIFY(!bytes.isEmpty());
    const QByteArray from1 = QByteArray("NAXIS1  =                   10");
    const QByteArray from2 = QByteArray("NAXIS2  =                   10");
    QVERIFY(bytes.contains(from1) && bytes.contains(from2));
    bytes.replace(from1, QByteArray("NAXIS1  =               100000"));
    bytes.replace(from2, QByteArray("NAXIS2  =               100000"));
    Result<FitsImage> image = FitsImage::fromBytes(bytes);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().message().contains(QLatin1String("truncated")),
             qPrintable(image.error().message()));

    // A compressed image's pixels are not in the file to count: its size is checked instead.
    bytes = compressedImageFile(24, 16);
    const QByteArray z1 = QByteArray("ZNAXIS1 =                   24");
    const QByteArray z2 = QByteArray("ZNAXIS2 =                   16");
    QVERIFY(bytes.contains(z1) && bytes.contains(z2));
    bytes.replace(z1, QByteArray("ZNAXIS1 =                 9000"));
    bytes.replace(z2, QByteArray("ZNAXIS2 =                 9000"));
    image = FitsImage::fromBytes(bytes);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().message().contains(QLatin1String("9000 x 9000 pixels, too large")),
             qPrintable(image.error().message()));
}

void TestFitsImage::zscaleOfRamp_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<double>("contrast");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    // 10000 values 0..9999 sample as 0, 10, ..., 9990: an exact line of slope 10 through the
    // median 4995. The limits are median - (499 - 1) * slope / contrast and median + 501 * slope /
    // contrast, clipped to the sampled range.
    QTest::newRow("default contrast") << 10000 << 0.25 << 0.0 << 9990.0;
    QTest::newRow("contrast 1") << 10000 << 1.0 << 15.0 << 9990.0;
    QTest::newRow("contrast 2") << 10000 << 2.0 << 2505.0 << 7500.0;
    // Fewer pixels than samples: all of them, slope 1, median 49.5.
    QTest::newRow("small, contrast 1") << 100 << 1.0 << 1.5 << 99.0;
}

void TestFitsImage::zscaleOfRamp()
{
    QFETCH(int, count);
    QFETCH(double, contrast);
    QFETCH(double, low);
    QFETCH(double, high);
    ImageStretch::ZScaleOptions options;
    options.contrast = contrast;
    const ImageStretch::Limits limits = ImageStretch::zscaleLimits(ramp(count), options);
    QCOMPARE(limits.low, low);
    QCOMPARE(limits.high, high);
}

void TestFitsImage::zscaleIgnoresHotPixels()
{
    // A flat field of 1000 +- 10 with every 997th pixel at 60000.
    const QVector<float> pixels = lcgFlat(100, 100, 1000.0, 10.0, 997, 60000.0, 12345);
    const ImageStretch::Limits minMax = ImageStretch::minMaxLimits(pixels);
    QCOMPARE(minMax.high, 60000.0);
    const ImageStretch::Limits zscale = ImageStretch::zscaleLimits(pixels);
    QVERIFY2(zscale.high < 1100.0, qPrintable(QString::number(zscale.high)));
    QVERIFY2(zscale.low > 900.0, qPrintable(QString::number(zscale.low)));
    QVERIFY(zscale.high - zscale.low > 20.0);
}

// Reference values from a plain transcription of astropy's ZScaleInterval.get_limits run on
// the same pixels.
void TestFitsImage::zscaleMatchesReference()
{
    const QVector<float> flat = lcgFlat(100, 100, 1000.0, 10.0, 997, 60000.0, 12345);
    ImageStretch::Limits limits = ImageStretch::zscaleLimits(flat);
    QVERIFY2(std::abs(limits.low - 969.7841186523) < 1e-6, qPrintable(QString::number(limits.low, 'f', 10)));
    QVERIFY2(std::abs(limits.high - 1060.0584139510) < 1e-6,
             qPrintable(QString::number(limits.high, 'f', 10)));
    ImageStretch::ZScaleOptions options;
    options.contrast = 1.0;
    limits = ImageStretch::zscaleLimits(flat, options);
    QVERIFY2(std::abs(limits.low - 984.6771458615) < 1e-6, qPrintable(QString::number(limits.low, 'f', 10)));
    QVERIFY2(std::abs(limits.high - 1014.7754219692) < 1e-6,
             qPrintable(QString::number(limits.high, 'f', 10)));

    const QVector<float> other = lcgFlat(64, 48, 500.0, 5.0, 101, 30000.0, 7);
    limits = ImageStretch::zscaleLimits(other);
    QVERIFY2(std::abs(limits.low - 486.6176452637) < 1e-6, qPrintable(QString::number(limits.low, 'f', 10)));
    QVERIFY2(std::abs(limits.high - 529.0234318929) < 1e-6,
             qPrintable(QString::number(limits.high, 'f', 10)));
}

void TestFitsImage::zscaleIgnoresNaN()
{
    // The finite pixels are the 100-value ramp; NaN and infinities between them change nothing.
    QVector<float> pixels;
    for (int i = 0; i < 100; ++i) {
        pixels << float(i) << std::numeric_limits<float>::quiet_NaN();
        if (i % 10 == 0)
            pixels << std::numeric_limits<float>::infinity();
    }
    ImageStretch::ZScaleOptions options;
    options.contrast = 1.0;
    const ImageStretch::Limits limits = ImageStretch::zscaleLimits(pixels, options);
    QCOMPARE(limits.low, 1.5);
    QCOMPARE(limits.high, 99.0);
}

void TestFitsImage::zscaleOfNothing()
{
    const QVector<float> nans(10, std::numeric_limits<float>::quiet_NaN());
    ImageStretch::Limits limits = ImageStretch::zscaleLimits(nans);
    QCOMPARE(limits.low, 0.0);
    QCOMPARE(limits.high, 0.0);
    limits = ImageStretch::zscaleLimits(QVector<float>{5.0f});
    QCOMPARE(limits.low, 5.0);
    QCOMPARE(limits.high, 5.0);
    limits = ImageStretch::zscaleLimits(QVector<float>(2000, 3.0f));
    QCOMPARE(limits.low, 3.0);
    QCOMPARE(limits.high, 3.0);
}

void TestFitsImage::minMaxLimits()
{
    const QVector<float> pixels = {3.0f, std::numeric_limits<float>::quiet_NaN(), -2.5f, 7.0f,
                                   -std::numeric_limits<float>::infinity()};
    const ImageStretch::Limits limits = ImageStretch::minMaxLimits(pixels);
    QCOMPARE(limits.low, -2.5);
    QCOMPARE(limits.high, 7.0);
}

void TestFitsImage::greyLevels()
{
    const ImageStretch::Limits limits{100.0, 200.0};
    QCOMPARE(ImageStretch::greyLevel(100.0, limits, false), 0);
    QCOMPARE(ImageStretch::greyLevel(50.0, limits, false), 0);
    QCOMPARE(ImageStretch::greyLevel(200.0, limits, false), 255);
    QCOMPARE(ImageStretch::greyLevel(1e9, limits, false), 255);
    QCOMPARE(ImageStretch::greyLevel(150.0, limits, false), 128);
    QCOMPARE(ImageStretch::greyLevel(std::nan(""), limits, false), 0);
    QCOMPARE(ImageStretch::greyLevel(std::nan(""), limits, true), 0);
    // asinh(0.5 / 0.1) / asinh(1 / 0.1) = 0.7713: faint values are lifted.
    QCOMPARE(ImageStretch::greyLevel(150.0, limits, true, 0.1), 197);
    QCOMPARE(ImageStretch::greyLevel(100.0, limits, true), 0);
    QCOMPARE(ImageStretch::greyLevel(200.0, limits, true), 255);
    // Empty limits map everything to black, as astropy's normalisation does.
    QCOMPARE(ImageStretch::greyLevel(5.0, ImageStretch::Limits{5.0, 5.0}, false), 0);
}

void TestFitsImage::renderFlipsRowsAndMapsNaN()
{
    // 2 x 3: rows 0, 1, 2 hold 0, 50, 100 and one NaN.
    const QVector<float> pixels = {0, 0, 50, 50, 100, std::numeric_limits<float>::quiet_NaN()};
    const QImage image = ImageStretch::render(pixels, 2, 3, {0.0, 100.0}, false);
    QCOMPARE(image.format(), QImage::Format_Grayscale8);
    QCOMPARE(image.size(), QSize(2, 3));
    // The first FITS row is the bottom of the image.
    QCOMPARE(qGray(image.pixel(0, 2)), 0);
    QCOMPARE(qGray(image.pixel(0, 1)), 128);
    QCOMPARE(qGray(image.pixel(0, 0)), 255);
    QCOMPARE(qGray(image.pixel(1, 0)), 0); // NaN
    QVERIFY(ImageStretch::render(pixels, 3, 3, {0.0, 1.0}, false).isNull());
    QVERIFY(ImageStretch::render(FitsImage(), ImageStretch::Kind::ZScale).isNull());
}

void TestFitsImage::renderStretches()
{
    const Result<FitsImage> image = FitsImage::fromBytes(extensionImageFile(30, 20));
    QVERIFY2(image.ok(), describe(image));
    for (const ImageStretch::Kind kind : ImageStretch::kinds()) {
        const QImage rendered = ImageStretch::render(*image, kind);
        QCOMPARE(rendered.size(), QSize(30, 20));
        const ImageStretch::Limits limits = ImageStretch::limits(image->pixels(), kind);
        for (int y = 0; y < 20; ++y) {
            for (int x = 0; x < 30; ++x) {
                const int expected =
                    ImageStretch::greyLevel(image->pixel(x, y), limits, kind == ImageStretch::Kind::Asinh);
                QCOMPARE(qGray(rendered.pixel(x, 19 - y)), expected);
            }
        }
        QVERIFY(!ImageStretch::displayName(kind).isEmpty());
    }
    QCOMPARE(qGray(ImageStretch::render(*image, ImageStretch::Kind::MinMax).pixel(4, 18)), 0); // BLANK
}

QTEST_GUILESS_MAIN(TestFitsImage)
#include "tst_fitsimage.moc"
