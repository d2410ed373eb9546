#pragma once

#include "Result.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVector>

namespace butler {

// A FITS file decoded for display: the pixels of its first 2-D image as float and the header
// cards of every HDU as text. Files without an image (tables, header-only files) decode too;
// hasImage() is false then and only the header is there to show.
class FitsImage
{
    Q_DECLARE_TR_FUNCTIONS(FitsImage)

public:
    // One 80-character header card; `hdu` counts from 0 (the primary HDU), as astropy does.
    struct HeaderCard
    {
        int hdu = 0;
        QString card;
    };

    // An upper bound on the pixels decoded for one image (64 Mpixel, 256 MiB of floats); LSST
    // detector images and coadd patches have about 16 Mpixel.
    static constexpr qint64 kMaxPixels = qint64(1) << 26;

    FitsImage() = default;

    // Decodes FITS bytes held in memory. Integer images come back scaled (BSCALE/BZERO) with
    // NaN for BLANK pixels. Fails with InvalidInput for data that is not FITS and Io for a
    // truncated or corrupt file.
    static Result<FitsImage> fromBytes(const QByteArray& bytes);

    bool hasImage() const { return m_width > 0 && m_height > 0; }
    int width() const { return m_width; }
    int height() const { return m_height; }
    // Row-major, pixel (x, y) at pixels()[y * width() + x]; x runs along NAXIS1 and y = 0 is the
    // first row stored in the file.
    const QVector<float>& pixels() const { return m_pixels; }
    float pixel(int x, int y) const { return m_pixels.at(qsizetype(y) * m_width + x); }

    // The HDU the pixels came from, -1 without an image.
    int imageHdu() const { return m_imageHdu; }
    int hduCount() const { return m_hduCount; }
    const QList<HeaderCard>& headerCards() const { return m_cards; }
    // The cards of one HDU, in file order.
    QStringList headerCards(int hdu) const;
    // All headers as one text, each HDU introduced by a title line.
    QString headerText() const;

private:
    int m_width = 0;
    int m_height = 0;
    int m_imageHdu = -1;
    int m_hduCount = 0;
    QVector<float> m_pixels;
    QList<HeaderCard> m_cards;
};

} // namespace butler
