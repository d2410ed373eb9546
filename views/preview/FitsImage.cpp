#include "FitsImage.h"

#include <QMutex>
#include <QMutexLocker>

#include <fitsio.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace butler {

namespace {

constexpr qsizetype kFitsBlock = 2880;
// A hostile file can be nothing but header cards; beyond this many the rest are not kept.
constexpr qsizetype kMaxHeaderCards = 100000;

// A cfitsio build without --enable-reentrant shares unguarded globals (the memory-file table,
// the error stack); serialise all calls then.
QMutex* cfitsioMutex()
{
    static QMutex mutex;
    return fits_is_reentrant() ? nullptr : &mutex;
}

QString cfitsioMessage(int status)
{
    char text[FLEN_STATUS] = {};
    fits_get_errstatus(status, text);
    QString message = QString::fromLatin1(text);
    char detail[FLEN_ERRMSG] = {};
    QString firstDetail;
    while (fits_read_errmsg(detail)) {
        if (firstDetail.isEmpty())
            firstDetail = QString::fromLatin1(detail).trimmed();
    }
    if (!firstDetail.isEmpty() && firstDetail != message)
        message += QStringLiteral(" (") + firstDetail + QLatin1Char(')');
    return message;
}

Error readFailure(int status, int hdu, const QString& what)
{
    return ioError(FitsImage::tr("The FITS file is truncated or corrupt (HDU %1, %2): %3")
                       .arg(hdu)
                       .arg(what, cfitsioMessage(status)));
}

// A read-only cfitsio view on the caller's bytes, closed on every path out.
struct MemoryFile
{
    fitsfile* file = nullptr;
    void* buffer = nullptr;
    size_t size = 0;

    ~MemoryFile()
    {
        if (file) {
            int status = 0;
            fits_close_file(file, &status);
        }
    }
};

// The bytes of the current HDU's data without padding, from its structural keywords:
// |BITPIX| / 8 * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn). For a tile-compressed image these
// are the keywords of the table that holds it. False, with status 0, for impossible values.
bool dataBytes(fitsfile* file, LONGLONG* bytes, int* status)
{
    int bitpix = 0;
    int axisCount = 0;
    if (fits_read_key(file, TINT, "BITPIX", &bitpix, nullptr, status) ||
        fits_read_key(file, TINT, "NAXIS", &axisCount, nullptr, status))
        return false;
    if (axisCount < 0 || axisCount > 999 ||
        (bitpix != 8 && bitpix != 16 && bitpix != 32 && bitpix != 64 && bitpix != -32 && bitpix != -64))
        return false;
    LONGLONG pcount = 0;
    LONGLONG gcount = 1;
    // Optional in primary HDUs; absent means 0 and 1.
    int missing = 0;
    if (fits_read_key_lnglng(file, "PCOUNT", &pcount, nullptr, &missing) == KEY_NO_EXIST)
        pcount = 0;
    missing = 0;
    if (fits_read_key_lnglng(file, "GCOUNT", &gcount, nullptr, &missing) == KEY_NO_EXIST)
        gcount = 1;
    constexpr LONGLONG kLimit = LONGLONG(1) << 50;
    if (pcount < 0 || pcount > kLimit || gcount < 0 || gcount > kLimit)
        return false;
    LONGLONG elements = axisCount == 0 ? 0 : 1;
    for (int axis = 1; axis <= axisCount; ++axis) {
        char key[FLEN_KEYWORD] = {};
        fits_make_keyn("NAXIS", axis, key, status);
        LONGLONG length = 0;
        if (fits_read_key_lnglng(file, key, &length, nullptr, status))
            return false;
        if (length < 0 || length > kLimit || (length > 0 && elements > kLimit / length))
            return false;
        elements *= length;
    }
    const LONGLONG perGroup = pcount + elements;
    if (gcount > 0 && perGroup > kLimit / gcount)
        return false;
    *bytes = LONGLONG(std::abs(bitpix) / 8) * gcount * perGroup;
    // The absent optional keywords left messages on cfitsio's error stack.
    fits_clear_errmsg();
    return true;
}

} // namespace

Result<FitsImage> FitsImage::fromBytes(const QByteArray& bytes)
{
    if (bytes.isEmpty())
        return invalidInput(tr("The file is empty."));
    // cfitsio would take any bytes for a header and say little about why they fail.
    if (!bytes.startsWith("SIMPLE  ="))
        return invalidInput(tr("Not a FITS file: it does not start with a SIMPLE card."));
    if (bytes.size() < kFitsBlock)
        return ioError(tr("The FITS file is truncated: %1 bytes, less than one 2880-byte header block.")
                           .arg(bytes.size()));

    // cfitsio's memory driver reads whole 2880-byte blocks, past the end of a buffer that stops
    // inside one; give it a padded copy then. The checks below use the real size.
    QByteArray padded;
    const char* data = bytes.constData();
    if (bytes.size() % kFitsBlock != 0) {
        padded = bytes;
        padded.append(QByteArray(kFitsBlock - bytes.size() % kFitsBlock, '\0'));
        data = padded.constData();
    }

    QMutexLocker lock(cfitsioMutex());
    MemoryFile input;
    // Opened READONLY and without a realloc function, cfitsio never writes to the buffer.
    input.buffer = const_cast<char*>(data);
    input.size = size_t(padded.isNull() ? bytes.size() : padded.size());
    int status = 0;
    if (fits_open_memfile(&input.file, "memory.fits", READONLY, &input.buffer, &input.size, 0, nullptr,
                          &status)) {
        input.file = nullptr;
        return readFailure(status, 0, tr("header"));
    }

    FitsImage image;
    const LONGLONG fileSize = bytes.size();
    LONGLONG lastEnd = 0;
    for (int hdu = 0;; ++hdu) {
        int type = 0;
        if (fits_movabs_hdu(input.file, hdu + 1, &type, &status)) {
            if (status == END_OF_FILE && hdu > 0)
                break;
            return readFailure(status, hdu, tr("header"));
        }
        image.m_hduCount = hdu + 1;

        int keyCount = 0;
        if (fits_get_hdrspace(input.file, &keyCount, nullptr, &status))
            return readFailure(status, hdu, tr("header"));
        for (int i = 1; i <= keyCount && image.m_cards.size() < kMaxHeaderCards; ++i) {
            char card[FLEN_CARD] = {};
            if (fits_read_record(input.file, i, card, &status))
                return readFailure(status, hdu, tr("card %1").arg(i));
            image.m_cards.append({hdu, QString::fromLatin1(card)});
        }

        LONGLONG headStart = 0;
        LONGLONG dataStart = 0;
        LONGLONG dataEnd = 0;
        if (fits_get_hduaddrll(input.file, &headStart, &dataStart, &dataEnd, &status))
            return readFailure(status, hdu, tr("layout"));
        // cfitsio reads zeros past the end of a memory file instead of failing, so truncation
        // shows only in the sizes. Missing padding after complete data is tolerated.
        LONGLONG dataSize = 0;
        if (!dataBytes(input.file, &dataSize, &status))
            return status ? readFailure(status, hdu, tr("data size"))
                          : ioError(tr("The FITS file is corrupt: HDU %1 declares an impossible data size.")
                                        .arg(hdu));
        if (dataStart + dataSize > fileSize)
            return ioError(tr("The FITS file is truncated: HDU %1 needs %2 bytes but the file has %3.")
                               .arg(hdu)
                               .arg(dataStart + dataSize)
                               .arg(fileSize));
        lastEnd = dataEnd;
        if (type != IMAGE_HDU || image.hasImage())
            continue;

        int axisCount = 0;
        if (fits_get_img_dim(input.file, &axisCount, &status))
            return readFailure(status, hdu, tr("image dimensions"));
        if (axisCount < 2 || axisCount > 999)
            continue;
        QVector<long> axes(axisCount, 0);
        if (fits_get_img_size(input.file, axisCount, axes.data(), &status))
            return readFailure(status, hdu, tr("image size"));
        // A cube with one plane (NAXIS3 = 1) is still a 2-D image.
        if (axes[0] <= 0 || axes[1] <= 0 ||
            std::any_of(axes.begin() + 2, axes.end(), [](long n) { return n != 1; }))
            continue;
        const qint64 pixelCount = qint64(axes[0]) * axes[1];
        if (pixelCount > kMaxPixels || axes[0] > std::numeric_limits<int>::max() ||
            axes[1] > std::numeric_limits<int>::max())
            return invalidInput(tr("The FITS image in HDU %1 is %2 x %3 pixels, too large to preview.")
                                    .arg(hdu)
                                    .arg(axes[0])
                                    .arg(axes[1]));
        int bitpix = 0;
        if (fits_get_img_type(input.file, &bitpix, &status))
            return readFailure(status, hdu, tr("image type"));
        QVector<float> pixels(pixelCount);
        // In integer images NaN marks the BLANK pixels; float NaNs stay NaN anyway, and a null
        // value of zero spares cfitsio the check.
        float nullValue = bitpix < 0 ? 0.0f : std::numeric_limits<float>::quiet_NaN();
        int anyNull = 0;
        if (fits_read_img(input.file, TFLOAT, 1, LONGLONG(pixelCount), &nullValue, pixels.data(), &anyNull,
                          &status))
            return readFailure(status, hdu, tr("pixels"));
        image.m_width = int(axes[0]);
        image.m_height = int(axes[1]);
        image.m_imageHdu = hdu;
        image.m_pixels = std::move(pixels);
    }
    // cfitsio takes a header cut short for the end of the file; whatever follows the last whole
    // HDU may only be padding.
    for (LONGLONG i = lastEnd; i < fileSize; ++i) {
        const char c = bytes.at(qsizetype(i));
        if (c != '\0' && c != ' ')
            return ioError(tr("The FITS file is truncated or corrupt: %1 bytes after HDU %2 are not a "
                              "complete HDU.")
                               .arg(fileSize - lastEnd)
                               .arg(image.m_hduCount - 1));
    }
    return image;
}

QStringList FitsImage::headerCards(int hdu) const
{
    QStringList cards;
    for (const HeaderCard& card : m_cards) {
        if (card.hdu == hdu)
            cards.append(card.card);
    }
    return cards;
}

QString FitsImage::headerText() const
{
    QString text;
    int current = -1;
    for (const HeaderCard& card : m_cards) {
        if (card.hdu != current) {
            current = card.hdu;
            if (!text.isEmpty())
                text += QLatin1Char('\n');
            text += current == 0 ? tr("# HDU 0 (primary)") : tr("# HDU %1").arg(current);
            if (current == m_imageHdu)
                text += tr(" - image shown");
            text += QLatin1Char('\n');
        }
        text += card.card;
        text += QLatin1Char('\n');
    }
    if (m_cards.size() >= kMaxHeaderCards)
        text += tr("# (more header cards not shown)\n");
    return text;
}

} // namespace butler
