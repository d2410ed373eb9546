#pragma once

#include <QCoreApplication>
#include <QImage>
#include <QString>
#include <QVector>

namespace butler {

class FitsImage;

// Maps float pixels to display grey levels: the limits (zscale, min/max) and the transfer
// (linear or asinh) of astropy.visualization, so that previews match what astronomers see in
// ds9 and notebooks.
class ImageStretch
{
    Q_DECLARE_TR_FUNCTIONS(ImageStretch)

public:
    enum class Kind
    {
        ZScale, // linear between the zscale limits
        Asinh,  // asinh between the minimum and the maximum
        MinMax, // linear between the minimum and the maximum
    };

    struct Limits
    {
        double low = 0.0;
        double high = 0.0;
    };

    // The parameters of astropy's ZScaleInterval, with its defaults.
    struct ZScaleOptions
    {
        int samples = 1000;
        double contrast = 0.25;
        double maxReject = 0.5;
        int minPixels = 5;
        double krej = 2.5;
        int maxIterations = 5;
    };

    static constexpr double kDefaultSoftening = 0.1;

    // The stretch kinds in menu order, with their user-visible names.
    static QList<Kind> kinds();
    static QString displayName(Kind kind);

    // IRAF's zscale as astropy computes it: up to `samples` finite pixels taken at an even
    // stride, sorted, a line fitted with iterative k-sigma rejection, and the limits widened
    // from the median by the slope over `contrast`, clipped to the sampled range. Falls back to
    // the sampled minimum and maximum when the rejection leaves too few pixels. NaN and
    // infinite pixels are ignored; {0, 0} without a finite pixel.
    static Limits zscaleLimits(const QVector<float>& pixels, const ZScaleOptions& options);
    static Limits zscaleLimits(const QVector<float>& pixels);
    // The smallest and largest finite pixel; {0, 0} without one.
    static Limits minMaxLimits(const QVector<float>& pixels);
    static Limits limits(const QVector<float>& pixels, Kind kind);

    // The grey level (0-255) of a value: clipped to the limits, normalised to [0, 1], then
    // linear, or asinh(x / softening) / asinh(1 / softening). NaN maps to 0; so does every value
    // when the limits are empty.
    static int greyLevel(double value, const Limits& limits, bool asinh,
                         double softening = kDefaultSoftening);

    // An 8-bit greyscale image of the pixels, with the first FITS row at the bottom as ds9
    // and matplotlib's origin="lower" show it. A null image when there are no pixels.
    static QImage render(const FitsImage& image, Kind kind, double softening = kDefaultSoftening);
    static QImage render(const QVector<float>& pixels, int width, int height, const Limits& limits,
                         bool asinh, double softening = kDefaultSoftening);
};

} // namespace butler
