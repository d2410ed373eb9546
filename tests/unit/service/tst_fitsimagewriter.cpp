#include "FitsImageWriter.h"

#include <QDate>
#include <QTest>
#include <QtEndian>

#include <fitsio.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace butler;

using Card = FitsImageWriter::Card;

namespace {

QVector<float> testPixels(int width, int height)
{
    QVector<float> pixels(qsizetype(width) * height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            pixels[y * width + x] = float(x) * 1.5f - float(y) * 1000.25f + 1.0f / float(1 + x + y);
    }
    return pixels;
}

// A file as other software writes it: an empty primary HDU and the image in an extension,
// optionally tile-compressed (lossless GZIP).
QByteArray writeExtensionImage(int width, int height, QVector<float> pixels, bool compressed)
{
    size_t size = 2880;
    void* buffer = std::malloc(size);
    fitsfile* file = nullptr;
    int status = 0;
    fits_create_memfile(&file, &buffer, &size, 2880, std::realloc, &status);
    fits_create_img(file, FLOAT_IMG, 0, nullptr, &status);
    long axes[2] = {width, height};
    if (compressed) {
        fits_set_compression_type(file, GZIP_1, &status);
        fits_set_quantize_level(file, 0.0f, &status);
    }
    fits_create_img(file, FLOAT_IMG, 2, axes, &status);
    fits_write_img(file, TFLOAT, 1, LONGLONG(pixels.size()), pixels.data(), &status);
    fits_close_file(file, &status);
    const QByteArray bytes =
        status ? QByteArray() : QByteArray(static_cast<const char*>(buffer), qsizetype(size));
    std::free(buffer);
    return bytes;
}

const Card* findCard(const QList<Card>& cards, const QString& key)
{
    for (const Card& card : cards) {
        if (card.key == key)
            return &card;
    }
    return nullptr;
}

} // namespace

class TestFitsImageWriter : public QObject
{
    Q_OBJECT

private slots:
    void writesStandardFits();
    void roundTripsHeader();
    void readsHeaderOfUnpaddedBytes();
    void roundTripsPixels();
    void readsExtensionImages_data();
    void readsExtensionImages();
    void roundTripsValues_data();
    void roundTripsValues();
    void commentaryCards();
    void rejectsBadCards_data();
    void rejectsBadCards();
    void rejectsBadImages_data();
    void rejectsBadImages();
    void rejectsBadBytes_data();
    void rejectsBadBytes();

private:
    const QList<Card> m_cards{
        {QStringLiteral("OBJECT"), QStringLiteral("M31 field"), QStringLiteral("target name")},
        {QStringLiteral("EXPTIME"), 30.0, QStringLiteral("exposure time [s]")},
        {QStringLiteral("DETECTOR"), 42, QStringLiteral("detector id")},
        {QStringLiteral("SHUTTER"), true, QString()},
        {QStringLiteral("FILTER"), QStringLiteral("r_57"), QString()},
    };
};

void TestFitsImageWriter::writesStandardFits()
{
    const QVector<float> pixels = testPixels(64, 32);
    const Result<QByteArray> fits = FitsImageWriter::writeImage(64, 32, pixels, m_cards);
    QVERIFY2(fits.ok(), fits.ok() ? "" : qPrintable(fits.error().message()));
    const QByteArray& bytes = *fits;
    QVERIFY(bytes.startsWith("SIMPLE  ="));
    QCOMPARE(bytes.size() % 2880, 0);

    // Read the file by the standard, without cfitsio: 80-character cards up to END, data at
    // the next 2880-byte boundary, big-endian IEEE floats with x varying fastest.
    qsizetype endCard = -1;
    QHash<QByteArray, QByteArray> values;
    for (qsizetype offset = 0; offset + 80 <= bytes.size(); offset += 80) {
        const QByteArray card = bytes.mid(offset, 80);
        if (card.startsWith("END ")) {
            endCard = offset;
            break;
        }
        if (card.mid(8, 2) == "= ")
            values.insert(card.left(8).trimmed(), card.mid(10).split('/').first().trimmed());
    }
    QVERIFY(endCard > 0);
    QCOMPARE(values.value("BITPIX"), QByteArray("-32"));
    QCOMPARE(values.value("NAXIS"), QByteArray("2"));
    QCOMPARE(values.value("NAXIS1"), QByteArray("64"));
    QCOMPARE(values.value("NAXIS2"), QByteArray("32"));
    QCOMPARE(values.value("OBJECT"), QByteArray("'M31 field'"));
    QCOMPARE(values.value("EXPTIME"), QByteArray("30."));
    QCOMPARE(values.value("DETECTOR"), QByteArray("42"));
    QCOMPARE(values.value("SHUTTER"), QByteArray("T"));
    const qsizetype dataStart = (endCard / 2880 + 1) * 2880;
    QCOMPARE(bytes.size(), dataStart + (64 * 32 * 4 + 2879) / 2880 * 2880);
    for (int i : {0, 1, 63, 64, 1000, 64 * 32 - 1}) {
        const quint32 raw = qFromBigEndian<quint32>(bytes.constData() + dataStart + 4 * i);
        float value = 0;
        std::memcpy(&value, &raw, sizeof value);
        QCOMPARE(value, pixels[i]);
    }
}

void TestFitsImageWriter::roundTripsHeader()
{
    const Result<QByteArray> fits = FitsImageWriter::writeImage(64, 32, testPixels(64, 32), m_cards);
    QVERIFY(fits.ok());
    const Result<QList<Card>> header = FitsImageWriter::readHeader(*fits);
    QVERIFY2(header.ok(), header.ok() ? "" : qPrintable(header.error().message()));

    // Structural cards are not returned; the user's come back in order.
    QVERIFY(!findCard(*header, QStringLiteral("SIMPLE")));
    QVERIFY(!findCard(*header, QStringLiteral("NAXIS1")));
    QStringList keys;
    for (const Card& card : *header) {
        if (card.key != QLatin1String("COMMENT"))
            keys.append(card.key);
    }
    QCOMPARE(keys, (QStringList{"OBJECT", "EXPTIME", "DETECTOR", "SHUTTER", "FILTER"}));

    const Card* object = findCard(*header, QStringLiteral("OBJECT"));
    QCOMPARE(object->value.typeId(), int(QMetaType::QString));
    QCOMPARE(object->value.toString(), QStringLiteral("M31 field"));
    QCOMPARE(object->comment, QStringLiteral("target name"));
    const Card* exptime = findCard(*header, QStringLiteral("EXPTIME"));
    QCOMPARE(exptime->value.typeId(), int(QMetaType::Double));
    QCOMPARE(exptime->value.toDouble(), 30.0);
    QCOMPARE(exptime->comment, QStringLiteral("exposure time [s]"));
    const Card* detector = findCard(*header, QStringLiteral("DETECTOR"));
    QCOMPARE(detector->value.typeId(), int(QMetaType::LongLong));
    QCOMPARE(detector->value.toLongLong(), 42);
    const Card* shutter = findCard(*header, QStringLiteral("SHUTTER"));
    QCOMPARE(shutter->value.typeId(), int(QMetaType::Bool));
    QCOMPARE(shutter->value.toBool(), true);
    QCOMPARE(shutter->comment, QString());
}

void TestFitsImageWriter::readsHeaderOfUnpaddedBytes()
{
    // Some writers stop at the end of the data instead of padding the last block.
    const Result<QByteArray> fits = FitsImageWriter::writeImage(
        10, 10, testPixels(10, 10), {{QStringLiteral("OBJECT"), QStringLiteral("M31"), {}}});
    QVERIFY(fits.ok());
    const QByteArray unpadded = fits->left(2880 + 10 * 10 * 4);
    const Result<QList<Card>> header = FitsImageWriter::readHeader(unpadded);
    QVERIFY2(header.ok(), header.ok() ? "" : qPrintable(header.error().message()));
    QVERIFY(std::any_of(header->begin(), header->end(),
                        [](const Card& card) { return card.key == QLatin1String("OBJECT"); }));
    int width = 0;
    const Result<QVector<float>> pixels = FitsImageWriter::readImage(unpadded, &width, nullptr);
    QVERIFY2(pixels.ok(), pixels.ok() ? "" : qPrintable(pixels.error().message()));
    QCOMPARE(*pixels, testPixels(10, 10));
}

void TestFitsImageWriter::roundTripsPixels()
{
    const QVector<float> pixels = testPixels(64, 32);
    const Result<QByteArray> fits = FitsImageWriter::writeImage(64, 32, pixels, {});
    QVERIFY(fits.ok());
    int width = 0;
    int height = 0;
    const Result<QVector<float>> back = FitsImageWriter::readImage(*fits, &width, &height);
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message()));
    QCOMPARE(width, 64);
    QCOMPARE(height, 32);
    QCOMPARE(*back, pixels);

    // Larger than one write chunk, and with special values.
    QVector<float> big = testPixels(300, 211);
    big[5] = std::numeric_limits<float>::quiet_NaN();
    big[6] = std::numeric_limits<float>::infinity();
    big[7] = -0.0f;
    big[8] = std::numeric_limits<float>::denorm_min();
    const Result<QByteArray> bigFits = FitsImageWriter::writeImage(300, 211, big, {});
    QVERIFY(bigFits.ok());
    const Result<QVector<float>> bigBack = FitsImageWriter::readImage(*bigFits, &width, &height);
    QVERIFY(bigBack.ok());
    QCOMPARE(width, 300);
    QCOMPARE(height, 211);
    QVERIFY(std::isnan((*bigBack)[5]));
    for (qsizetype i = 0; i < big.size(); ++i) {
        if (i != 5 && std::memcmp(&big[i], &(*bigBack)[i], sizeof(float)) != 0)
            QFAIL(qPrintable(QStringLiteral("pixel %1: %2 != %3").arg(i).arg(big[i]).arg((*bigBack)[i])));
    }
}

void TestFitsImageWriter::readsExtensionImages_data()
{
    QTest::addColumn<bool>("compressed");
    QTest::newRow("plain") << false;
    QTest::newRow("tile-compressed") << true;
}

void TestFitsImageWriter::readsExtensionImages()
{
    QFETCH(bool, compressed);
    const QVector<float> pixels = testPixels(40, 25);
    const QByteArray fits = writeExtensionImage(40, 25, pixels, compressed);
    QVERIFY(!fits.isEmpty());
    int width = 0;
    int height = 0;
    const Result<QVector<float>> back = FitsImageWriter::readImage(fits, &width, &height);
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message()));
    QCOMPARE(width, 40);
    QCOMPARE(height, 25);
    QCOMPARE(*back, pixels);
}

void TestFitsImageWriter::roundTripsValues_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QVariant>("expected");
    QTest::newRow("tenth") << QVariant(0.1) << QVariant(0.1);
    QTest::newRow("third") << QVariant(1.0 / 3.0) << QVariant(1.0 / 3.0);
    QTest::newRow("tiny") << QVariant(-1.25e-300) << QVariant(-1.25e-300);
    QTest::newRow("largest") << QVariant(std::numeric_limits<double>::max())
                             << QVariant(std::numeric_limits<double>::max());
    QTest::newRow("float") << QVariant(0.1f) << QVariant(0.1);
    QTest::newRow("int64") << QVariant(qint64(-9007199254740993LL)) << QVariant(qint64(-9007199254740993LL));
    QTest::newRow("false") << QVariant(false) << QVariant(false);
    QTest::newRow("quotes") << QVariant(QStringLiteral("it's 'quoted'"))
                            << QVariant(QStringLiteral("it's 'quoted'"));
    QTest::newRow("empty string") << QVariant(QString()) << QVariant(QString());
    QTest::newRow("ampersand") << QVariant(QStringLiteral("R&D&")) << QVariant(QStringLiteral("R&D&"));
    const QString longText =
        QStringLiteral("a long value / with a slash and 'quotes' ").repeated(5) + QStringLiteral("end");
    QTest::newRow("long string") << QVariant(longText) << QVariant(longText);
    QTest::newRow("undefined") << QVariant() << QVariant();
}

void TestFitsImageWriter::roundTripsValues()
{
    QFETCH(QVariant, value);
    QFETCH(QVariant, expected);
    const QList<Card> cards{{QStringLiteral("VALUE"), value, QStringLiteral("the value")},
                            {QStringLiteral("AFTER"), 1, QString()}};
    const Result<QByteArray> fits = FitsImageWriter::writeImage(2, 2, {1, 2, 3, 4}, cards);
    QVERIFY2(fits.ok(), fits.ok() ? "" : qPrintable(fits.error().message()));
    const Result<QList<Card>> header = FitsImageWriter::readHeader(*fits);
    QVERIFY(header.ok());
    const Card* card = findCard(*header, QStringLiteral("VALUE"));
    QVERIFY(card);
    QCOMPARE(card->value.isValid(), expected.isValid());
    if (expected.typeId() == QMetaType::QString)
        QCOMPARE(card->value.toString(), expected.toString());
    else
        QCOMPARE(card->value, expected);
    QCOMPARE(card->comment, QStringLiteral("the value"));
    // A long string's CONTINUE cards are consumed, not returned.
    QVERIFY(!findCard(*header, QStringLiteral("CONTINUE")));
    QVERIFY(findCard(*header, QStringLiteral("AFTER")));
}

void TestFitsImageWriter::commentaryCards()
{
    const QList<Card> cards{
        {QStringLiteral("COMMENT"), QStringLiteral("written by the butler tests"), QString()},
        {QStringLiteral("HISTORY"), QStringLiteral("step one"), QString()},
        {QStringLiteral("HISTORY"), QStringLiteral("step two"), QString()}};
    const Result<QByteArray> fits = FitsImageWriter::writeImage(1, 1, {0.5f}, cards);
    QVERIFY2(fits.ok(), fits.ok() ? "" : qPrintable(fits.error().message()));
    const Result<QList<Card>> header = FitsImageWriter::readHeader(*fits);
    QVERIFY(header.ok());
    QStringList comments;
    QStringList history;
    for (const Card& card : *header) {
        if (card.key == QLatin1String("COMMENT"))
            comments.append(card.value.toString());
        else if (card.key == QLatin1String("HISTORY"))
            history.append(card.value.toString());
    }
    QVERIFY(comments.contains(QStringLiteral("written by the butler tests")));
    QCOMPARE(history, (QStringList{"step one", "step two"}));
}

void TestFitsImageWriter::rejectsBadCards_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("comment");
    QTest::newRow("lower case") << "exptime" << QVariant(1) << "";
    QTest::newRow("too long") << "EXPOSURETIME" << QVariant(1) << "";
    QTest::newRow("empty") << "" << QVariant(1) << "";
    QTest::newRow("space") << "A B" << QVariant(1) << "";
    QTest::newRow("dot") << "A.B" << QVariant(1) << "";
    QTest::newRow("structural") << "BITPIX" << QVariant(16) << "";
    QTest::newRow("axis") << "NAXIS1" << QVariant(16) << "";
    QTest::newRow("scaling") << "BZERO" << QVariant(32768) << "";
    QTest::newRow("duplicate") << "OBJECT" << QVariant(QStringLiteral("again")) << "";
    QTest::newRow("non-ascii value") << "OBSERVER" << QVariant(QStringLiteral("Ångström")) << "";
    QTest::newRow("newline in value") << "OBSERVER" << QVariant(QStringLiteral("a\nb")) << "";
    QTest::newRow("non-ascii comment") << "OBSERVER" << QVariant(QStringLiteral("x")) << QStringLiteral("é");
    QTest::newRow("nan") << "SKY" << QVariant(std::nan("")) << "";
    QTest::newRow("infinity") << "SKY" << QVariant(std::numeric_limits<double>::infinity()) << "";
    QTest::newRow("date") << "DATEOBS" << QVariant(QDate(2024, 1, 1)) << "";
    QTest::newRow("huge unsigned") << "BIG" << QVariant(quint64(1) << 63) << "";
}

void TestFitsImageWriter::rejectsBadCards()
{
    QFETCH(QString, key);
    QFETCH(QVariant, value);
    QFETCH(QString, comment);
    QList<Card> cards = m_cards;
    cards.append({key, value, comment});
    const Result<QByteArray> fits = FitsImageWriter::writeImage(2, 1, {1, 2}, cards);
    QVERIFY(!fits.ok());
    QCOMPARE(fits.error().kind(), ErrorKind::InvalidInput);
    QVERIFY2(fits.error().message().contains(key), qPrintable(fits.error().message()));
}

void TestFitsImageWriter::rejectsBadImages_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("pixelCount");
    QTest::newRow("zero width") << 0 << 4 << 0;
    QTest::newRow("negative height") << 4 << -1 << 4;
    QTest::newRow("too few pixels") << 4 << 4 << 15;
    QTest::newRow("too many pixels") << 4 << 4 << 17;
}

void TestFitsImageWriter::rejectsBadImages()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, pixelCount);
    const Result<QByteArray> fits =
        FitsImageWriter::writeImage(width, height, QVector<float>(pixelCount), {});
    QVERIFY(!fits.ok());
    QCOMPARE(fits.error().kind(), ErrorKind::InvalidInput);
}

void TestFitsImageWriter::rejectsBadBytes_data()
{
    const Result<QByteArray> fits = FitsImageWriter::writeImage(64, 32, testPixels(64, 32), {});
    QVERIFY(fits.ok());
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("text") << QByteArray("hello world").repeated(300);
    QTest::newRow("header only") << fits->left(2880);
    QByteArray noEnd = fits->left(2880);
    noEnd.replace(noEnd.indexOf("END     "), 8, "XEND    ");
    QTest::newRow("no END card") << noEnd;
    // Cut inside a block: the reader must neither read past the bytes nor take them for whole.
    QTest::newRow("cut inside the data") << fits->left(2880 + 1000);
}

void TestFitsImageWriter::rejectsBadBytes()
{
    QFETCH(QByteArray, bytes);
    int width = -1;
    const Result<QVector<float>> image = FitsImageWriter::readImage(bytes, &width, nullptr);
    QVERIFY(!image.ok());
    QVERIFY2(!image.error().message().isEmpty(), "an error says what went wrong");
    QCOMPARE(width, -1);
    if (!bytes.startsWith("SIMPLE"))
        QCOMPARE(image.error().kind(), ErrorKind::InvalidInput);
}

QTEST_GUILESS_MAIN(TestFitsImageWriter)
#include "tst_fitsimagewriter.moc"
