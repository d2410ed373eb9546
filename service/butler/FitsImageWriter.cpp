#include "FitsImageWriter.h"

#include <QMutex>
#include <QMutexLocker>
#include <QSet>

#include <fitsio.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace butler {

namespace {

constexpr qsizetype kFitsBlock = 2880;
constexpr qsizetype kCardLength = 80;
// Pixels are handed to cfitsio through a scratch buffer of this many values, because its
// writers may byte-swap their input in place and the caller's vector is const and may be shared.
constexpr qsizetype kWriteChunk = 16384;
// A bound on what readImage() allocates for one image (256 Mpixel, 1 GiB of floats).
constexpr qint64 kMaxReadPixels = qint64(1) << 28;

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

Error writeFailure(int status, const QString& what)
{
    return internalError(QStringLiteral("cannot write FITS image: %1: cfitsio error %2: %3")
                             .arg(what)
                             .arg(status)
                             .arg(cfitsioMessage(status)));
}

Error readFailure(int status, const QString& what)
{
    return ioError(QStringLiteral("cannot read FITS data: %1: cfitsio error %2: %3")
                       .arg(what)
                       .arg(status)
                       .arg(cfitsioMessage(status)));
}

bool isCommentaryKey(const QString& key)
{
    return key == QLatin1String("COMMENT") || key == QLatin1String("HISTORY");
}

// Keys that describe the HDU's structure; cfitsio writes the ones an image needs.
bool isStructuralKey(const QString& key)
{
    static const QSet<QString> keys = {
        QStringLiteral("SIMPLE"), QStringLiteral("BITPIX"), QStringLiteral("NAXIS"),
        QStringLiteral("EXTEND"), QStringLiteral("END"),    QStringLiteral("XTENSION"),
        QStringLiteral("PCOUNT"), QStringLiteral("GCOUNT"), QStringLiteral("CONTINUE"),
    };
    if (keys.contains(key))
        return true;
    if (key.startsWith(QLatin1String("NAXIS"))) {
        bool isNumber = false;
        key.mid(5).toInt(&isNumber);
        return isNumber;
    }
    return false;
}

// Keys that change how stored pixels read back; a user-supplied one would make the file lie
// about its float data.
bool isScalingKey(const QString& key)
{
    return key == QLatin1String("BSCALE") || key == QLatin1String("BZERO") || key == QLatin1String("BLANK");
}

// Header text must be printable ASCII (FITS standard 4.2.1).
bool isPrintableAscii(const QString& text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

Status validateCards(const QList<FitsImageWriter::Card>& cards)
{
    QSet<QString> seen;
    for (const FitsImageWriter::Card& card : cards) {
        const QString& key = card.key;
        if (key.isEmpty() || key.size() > 8)
            return invalidInput(
                QStringLiteral("invalid FITS keyword '%1': keywords have 1 to 8 characters").arg(key));
        for (const QChar c : key) {
            const char16_t u = c.unicode();
            if (!((u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_'))
                return invalidInput(
                    QStringLiteral("invalid FITS keyword '%1': use only A-Z, 0-9, '-' and '_'").arg(key));
        }
        if (isStructuralKey(key) || isScalingKey(key))
            return invalidInput(
                QStringLiteral("FITS keyword '%1' is reserved: it is written from the image itself")
                    .arg(key));
        if (!isCommentaryKey(key) && !card.value.isNull()) {
            const int type = card.value.typeId();
            const bool supported = type == QMetaType::Bool || type == QMetaType::Int ||
                                   type == QMetaType::UInt || type == QMetaType::LongLong ||
                                   type == QMetaType::ULongLong || type == QMetaType::Double ||
                                   type == QMetaType::Float || type == QMetaType::QString;
            if (!supported)
                return invalidInput(QStringLiteral("FITS keyword '%1': unsupported value type %2")
                                        .arg(key, QString::fromLatin1(card.value.typeName())));
            if (type == QMetaType::ULongLong &&
                card.value.toULongLong() > quint64(std::numeric_limits<qint64>::max()))
                return invalidInput(QStringLiteral("FITS keyword '%1': integer value too large").arg(key));
            if ((type == QMetaType::Double || type == QMetaType::Float) &&
                !std::isfinite(card.value.toDouble()))
                return invalidInput(
                    QStringLiteral("FITS keyword '%1': NaN and infinity cannot be stored in a header")
                        .arg(key));
        }
        const QString text = card.value.toString();
        if (card.value.typeId() == QMetaType::QString || isCommentaryKey(key)) {
            if (!isPrintableAscii(text))
                return invalidInput(
                    QStringLiteral("FITS keyword '%1': values may contain only printable ASCII").arg(key));
        }
        if (!isPrintableAscii(card.comment))
            return invalidInput(
                QStringLiteral("FITS keyword '%1': comments may contain only printable ASCII").arg(key));
        if (!isCommentaryKey(key) && seen.contains(key))
            return invalidInput(QStringLiteral("FITS keyword '%1' appears twice").arg(key));
        seen.insert(key);
    }
    return {};
}

// The fewest significant digits that read back as the same value, so that 0.1 is written as
// "0.1", not "0.10000000000000001". Integral parts keep all their digits: cfitsio formats with
// %G, which would write 30.0 with one digit as "3.0E+01".
int significantDigits(double value, bool isFloat)
{
    int digits = 17;
    // QByteArray::number and toDouble ignore the C locale, unlike printf and strtod.
    for (int candidate = 1; candidate < 17; ++candidate) {
        const double back = QByteArray::number(value, 'G', candidate).toDouble();
        if (isFloat ? float(back) == float(value) : back == value) {
            digits = candidate;
            break;
        }
    }
    const double magnitude = std::fabs(value);
    if (magnitude >= 1.0 && magnitude < 1e17)
        digits = std::max(digits, int(std::floor(std::log10(magnitude))) + 1);
    return std::min(digits, 17);
}

int writeCard(fitsfile* file, const FitsImageWriter::Card& card, int* status)
{
    const QByteArray key = card.key.toLatin1();
    const QByteArray comment = card.comment.toLatin1();
    if (isCommentaryKey(card.key)) {
        const QByteArray text = card.value.toString().toLatin1();
        return card.key == QLatin1String("COMMENT") ? fits_write_comment(file, text.constData(), status)
                                                    : fits_write_history(file, text.constData(), status);
    }
    if (card.value.isNull())
        return fits_write_key_null(file, key.constData(), comment.constData(), status);
    switch (card.value.typeId()) {
    case QMetaType::Bool:
        return fits_write_key_log(file, key.constData(), card.value.toBool() ? 1 : 0, comment.constData(),
                                  status);
    case QMetaType::Double:
    case QMetaType::Float: {
        const double value = card.value.toDouble();
        const int digits = significantDigits(value, card.value.typeId() == QMetaType::Float);
        return fits_write_key_dbl(file, key.constData(), value, -digits, comment.constData(), status);
    }
    case QMetaType::QString: {
        // The long-string writer produces an ordinary card when the value fits in one.
        QByteArray value = card.value.toString().toLatin1();
        return fits_write_key_longstr(file, key.constData(), value.data(), comment.constData(), status);
    }
    default:
        return fits_write_key_lng(file, key.constData(), LONGLONG(card.value.toLongLong()),
                                  comment.constData(), status);
    }
}

// The size of the buffer that the current thread's writeImage() hands to cfitsio. cfitsio
// reads parts of the buffer it has not written yet (to decide whether fill must be written),
// so every byte it gets must be initialised, including those added when it grows the buffer.
thread_local size_t t_memoryFileSize = 0;

void* growZeroed(void* buffer, size_t size)
{
    void* grown = std::realloc(buffer, size);
    if (grown && size > t_memoryFileSize)
        std::memset(static_cast<char*>(grown) + t_memoryFileSize, 0, size - t_memoryFileSize);
    if (grown)
        t_memoryFileSize = size;
    return grown;
}

// Closes the cfitsio file and frees the memory buffer on every path out of writeImage().
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
        std::free(buffer);
    }
};

// An open read-only view on a caller's bytes.
struct ReadFile
{
    fitsfile* file = nullptr;
    void* buffer = nullptr;
    size_t size = 0;
    QByteArray padded;

    ~ReadFile()
    {
        if (file) {
            int status = 0;
            fits_close_file(file, &status);
        }
    }

    Status open(const QByteArray& fits)
    {
        if (fits.size() < kFitsBlock || !fits.startsWith("SIMPLE  ="))
            return invalidInput(QStringLiteral("not a FITS file: it does not start with a SIMPLE card"));
        // cfitsio's memory driver reads whole 2880-byte blocks, past the end of a buffer that
        // stops inside one; give it a zero-padded copy then. Callers check sizes on the real bytes.
        const char* data = fits.constData();
        size = size_t(fits.size());
        if (fits.size() % kFitsBlock != 0) {
            padded = fits;
            padded.append(QByteArray(kFitsBlock - fits.size() % kFitsBlock, '\0'));
            data = padded.constData();
            size = size_t(padded.size());
        }
        // Opened READONLY and without a realloc function, cfitsio never writes to the buffer.
        buffer = const_cast<char*>(data);
        int status = 0;
        if (fits_open_memfile(&file, "memory.fits", READONLY, &buffer, &size, 0, nullptr, &status)) {
            file = nullptr;
            return readFailure(status, QStringLiteral("open"));
        }
        return {};
    }
};

// Unquotes the FITS string that starts at the first quote at or after `from` ('' stands for
// one quote); returns the index just past the closing quote through `end`.
QString unquote(const QByteArray& text, qsizetype from, qsizetype* end)
{
    qsizetype i = text.indexOf('\'', from);
    QString value;
    if (i < 0) {
        *end = text.size();
        return value;
    }
    for (++i; i < text.size(); ++i) {
        if (text[i] == '\'') {
            if (i + 1 < text.size() && text[i + 1] == '\'') {
                value += QLatin1Char('\'');
                ++i;
                continue;
            }
            ++i;
            break;
        }
        value += QLatin1Char(text[i]);
    }
    *end = i;
    return value;
}

// Parses the quoted string of a CONTINUE card and sets `comment` to what follows a '/'.
QString parseContinueCard(const char* card, QString* comment)
{
    const QByteArray text(card);
    qsizetype end = 0;
    const QString value = unquote(text, 8, &end);
    const qsizetype slash = text.indexOf('/', end);
    *comment = slash >= 0 ? QString::fromLatin1(text.mid(slash + 1)).trimmed() : QString();
    return value;
}

// A value that cfitsio cannot classify or that does not convert is returned as its raw text,
// so that a header from elsewhere with one odd card still reads.
QVariant parseValue(const char* value)
{
    if (value[0] == '\0')
        return QVariant();
    char type = 0;
    int status = 0;
    if (fits_get_keytype(value, &type, &status))
        return QString::fromLatin1(value);
    const QByteArray text = QByteArray(value).trimmed();
    bool ok = false;
    switch (type) {
    case 'L':
        return QVariant(text == "T");
    case 'I': {
        const qlonglong integer = text.toLongLong(&ok);
        if (ok)
            return QVariant(integer);
        [[fallthrough]];
    }
    case 'F': {
        // Fortran-style exponents ("1.5D+03") are legal FITS.
        const double real = QByteArray(text).replace('D', 'E').replace('d', 'e').toDouble(&ok);
        return ok ? QVariant(real) : QVariant(QString::fromLatin1(value));
    }
    case 'C': {
        qsizetype end = 0;
        QString string = unquote(text, 0, &end);
        // Trailing blanks in a FITS string are not significant.
        while (string.endsWith(QLatin1Char(' ')))
            string.chop(1);
        return string;
    }
    default:
        return QString::fromLatin1(value);
    }
}

} // namespace

Result<QByteArray> FitsImageWriter::writeImage(int width, int height, const QVector<float>& pixels,
                                               const QList<Card>& cards)
{
    if (width <= 0 || height <= 0)
        return invalidInput(
            QStringLiteral("FITS image size %1x%2: both must be positive").arg(width).arg(height));
    const qint64 pixelCount = qint64(width) * height;
    if (pixelCount != pixels.size())
        return invalidInput(QStringLiteral("FITS image %1x%2 needs %3 pixels, got %4")
                                .arg(width)
                                .arg(height)
                                .arg(pixelCount)
                                .arg(pixels.size()));
    BUTLER_TRY(validateCards(cards));

    QMutexLocker lock(cfitsioMutex());
    // Start with room for the whole file, so that cfitsio rarely needs to grow the buffer.
    qint64 headerCards = 12;
    for (const Card& card : cards)
        headerCards += 2 + card.value.toString().size() / 60;
    const qint64 headerBytes = (headerCards * kCardLength + kFitsBlock - 1) / kFitsBlock * kFitsBlock;
    const qint64 dataBytes = (pixelCount * qint64(sizeof(float)) + kFitsBlock - 1) / kFitsBlock * kFitsBlock;
    MemoryFile memory;
    memory.size = size_t(headerBytes + dataBytes);
    memory.buffer = std::calloc(memory.size, 1);
    t_memoryFileSize = memory.size;
    if (!memory.buffer)
        return internalError(QStringLiteral("cannot write FITS image: out of memory"));

    int status = 0;
    if (fits_create_memfile(&memory.file, &memory.buffer, &memory.size, size_t(kFitsBlock) * 16, growZeroed,
                            &status)) {
        memory.file = nullptr;
        return writeFailure(status, QStringLiteral("create memory file"));
    }
    long axes[2] = {width, height};
    if (fits_create_img(memory.file, FLOAT_IMG, 2, axes, &status))
        return writeFailure(status, QStringLiteral("create image"));
    for (const Card& card : cards) {
        if (writeCard(memory.file, card, &status))
            return writeFailure(status, QStringLiteral("keyword %1").arg(card.key));
    }

    QVector<float> chunk(std::min<qsizetype>(pixelCount, kWriteChunk));
    for (qint64 first = 0; first < pixelCount; first += chunk.size()) {
        const qint64 count = std::min<qint64>(chunk.size(), pixelCount - first);
        std::copy_n(pixels.constBegin() + first, count, chunk.begin());
        if (fits_write_img(memory.file, TFLOAT, LONGLONG(first + 1), LONGLONG(count), chunk.data(), &status))
            return writeFailure(status, QStringLiteral("pixels"));
    }

    // The buffer may be larger than the file; the end of the HDU's padded data is the file's end.
    LONGLONG headStart = 0;
    LONGLONG dataStart = 0;
    LONGLONG dataEnd = 0;
    if (fits_get_hduaddrll(memory.file, &headStart, &dataStart, &dataEnd, &status))
        return writeFailure(status, QStringLiteral("locate data"));
    fitsfile* file = memory.file;
    memory.file = nullptr;
    if (fits_close_file(file, &status))
        return writeFailure(status, QStringLiteral("close"));
    if (dataEnd <= 0 || size_t(dataEnd) > memory.size || dataEnd % kFitsBlock != 0)
        return internalError(QStringLiteral("cannot write FITS image: unexpected file size %1").arg(dataEnd));
    return QByteArray(static_cast<const char*>(memory.buffer), qsizetype(dataEnd));
}

Result<QList<FitsImageWriter::Card>> FitsImageWriter::readHeader(const QByteArray& fits)
{
    QMutexLocker lock(cfitsioMutex());
    ReadFile input;
    BUTLER_TRY(input.open(fits));
    int status = 0;
    int keyCount = 0;
    if (fits_get_hdrspace(input.file, &keyCount, nullptr, &status))
        return readFailure(status, QStringLiteral("header size"));

    QList<Card> cards;
    for (int i = 1; i <= keyCount; ++i) {
        char name[FLEN_KEYWORD] = {};
        char value[FLEN_VALUE] = {};
        char comment[FLEN_COMMENT] = {};
        if (fits_read_keyn(input.file, i, name, value, comment, &status))
            return readFailure(status, QStringLiteral("keyword %1").arg(i));
        const QString key = QString::fromLatin1(name);
        // Blank keys are spacing; a CONTINUE outside a long string carries nothing to return.
        if (key.isEmpty() || isStructuralKey(key))
            continue;
        if (isCommentaryKey(key)) {
            cards.append({key, QString::fromLatin1(comment), QString()});
            continue;
        }
        Card card{key, parseValue(value), QString::fromLatin1(comment)};
        // Long strings: a value ending in '&' continues in the CONTINUE cards that follow it.
        if (card.value.typeId() == QMetaType::QString) {
            QString text = card.value.toString();
            while (text.endsWith(QLatin1Char('&')) && i < keyCount) {
                char next[FLEN_CARD] = {};
                if (fits_read_record(input.file, i + 1, next, &status))
                    return readFailure(status, QStringLiteral("keyword %1").arg(i + 1));
                if (qstrncmp(next, "CONTINUE", 8) != 0)
                    break;
                text.chop(1);
                text += parseContinueCard(next, &card.comment);
                ++i;
            }
            while (text.endsWith(QLatin1Char(' ')))
                text.chop(1);
            card.value = text;
        }
        cards.append(std::move(card));
    }
    return cards;
}

Result<QVector<float>> FitsImageWriter::readImage(const QByteArray& fits, int* width, int* height)
{
    QMutexLocker lock(cfitsioMutex());
    ReadFile input;
    BUTLER_TRY(input.open(fits));
    int status = 0;
    int hduCount = 0;
    if (fits_get_num_hdus(input.file, &hduCount, &status))
        return readFailure(status, QStringLiteral("count HDUs"));
    for (int hdu = 1; hdu <= hduCount; ++hdu) {
        int type = 0;
        if (fits_movabs_hdu(input.file, hdu, &type, &status))
            return readFailure(status, QStringLiteral("HDU %1").arg(hdu));
        if (type != IMAGE_HDU)
            continue;
        int axisCount = 0;
        if (fits_get_img_dim(input.file, &axisCount, &status))
            return readFailure(status, QStringLiteral("image dimensions"));
        if (axisCount != 2)
            continue;
        long axes[2] = {0, 0};
        if (fits_get_img_size(input.file, 2, axes, &status))
            return readFailure(status, QStringLiteral("image size"));
        const qint64 pixelCount = qint64(axes[0]) * axes[1];
        if (axes[0] <= 0 || axes[1] <= 0 || pixelCount > kMaxReadPixels ||
            axes[0] > std::numeric_limits<int>::max() || axes[1] > std::numeric_limits<int>::max())
            return invalidInput(
                QStringLiteral("FITS image %1x%2 is empty or too large").arg(axes[0]).arg(axes[1]));
        int bitpix = 0;
        LONGLONG headStart = 0;
        LONGLONG dataStart = 0;
        LONGLONG dataEnd = 0;
        if (fits_get_img_type(input.file, &bitpix, &status) ||
            fits_get_hduaddrll(input.file, &headStart, &dataStart, &dataEnd, &status))
            return readFailure(status, QStringLiteral("image layout"));
        // cfitsio reads zeros past the end of a memory file instead of failing. A tile-compressed
        // image stores its pixels in a table, so only its HDU's (padded) end can be checked.
        const bool compressed = fits_is_compressed_image(input.file, &status);
        const LONGLONG paddedSize = (LONGLONG(fits.size()) + kFitsBlock - 1) / kFitsBlock * kFitsBlock;
        const bool truncated = compressed
                                   ? dataEnd > paddedSize
                                   : dataStart + pixelCount * (std::abs(bitpix) / 8) > LONGLONG(fits.size());
        if (truncated)
            return ioError(QStringLiteral("cannot read FITS data: the image data is truncated"));
        QVector<float> pixels(pixelCount);
        // Float pixels are copied as they are, NaN and infinity included; in integer images
        // NaN marks the undefined (BLANK) pixels. cfitsio disables null checking for a null
        // value of zero.
        float nullValue = bitpix < 0 ? 0.0f : std::numeric_limits<float>::quiet_NaN();
        int anyNull = 0;
        if (fits_read_img(input.file, TFLOAT, 1, LONGLONG(pixelCount), &nullValue, pixels.data(), &anyNull,
                          &status))
            return readFailure(status, QStringLiteral("pixels"));
        if (width)
            *width = int(axes[0]);
        if (height)
            *height = int(axes[1]);
        return pixels;
    }
    return invalidInput(QStringLiteral("the FITS data holds no 2-D image"));
}

} // namespace butler
