#include "ImageStretch.h"

#include "FitsImage.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace butler {

QList<ImageStretch::Kind> ImageStretch::kinds()
{
    return {Kind::ZScale, Kind::Asinh, Kind::MinMax};
}

QString ImageStretch::displayName(Kind kind)
{
    switch (kind) {
    case Kind::ZScale:
        return tr("zscale");
    case Kind::Asinh:
        return tr("asinh");
    case Kind::MinMax:
        return tr("min-max");
    }
    return QString();
}

ImageStretch::Limits ImageStretch::zscaleLimits(const QVector<float>& pixels, const ZScaleOptions& options)
{
    const qsizetype finite =
        std::count_if(pixels.begin(), pixels.end(), [](float value) { return std::isfinite(value); });
    if (finite == 0)
        return {};
    const qsizetype wanted = std::max(1, options.samples);
    const qsizetype stride = qsizetype(std::max(1.0, double(finite) / double(wanted)));
    std::vector<double> samples;
    samples.reserve(size_t(std::min(wanted, finite)));
    qsizetype index = 0;
    for (const float value : pixels) {
        if (!std::isfinite(value))
            continue;
        if (index++ % stride != 0)
            continue;
        samples.push_back(value);
        if (qsizetype(samples.size()) == wanted)
            break;
    }
    std::sort(samples.begin(), samples.end());

    const qsizetype count = qsizetype(samples.size());
    Limits limits{samples.front(), samples.back()};
    const qsizetype minPixels =
        std::max<qsizetype>(std::max(options.minPixels, 2), qsizetype(double(count) * options.maxReject));
    // Rejected samples are widened by this many neighbours: numpy.convolve(mode="same") with a
    // kernel of ones.
    const qsizetype grow = std::max<qsizetype>(1, qsizetype(double(count) * 0.01));
    const qsizetype growOffset = (grow - 1) / 2;

    std::vector<char> bad(size_t(count), 0);
    std::vector<char> grown(size_t(count), 0);
    qsizetype good = count;
    qsizetype lastGood = count + 1;
    double slope = 0.0;
    bool fitted = false;
    for (int iteration = 0; iteration < options.maxIterations; ++iteration) {
        if (good >= lastGood || good < minPixels)
            break;

        // Least squares over the good samples, about their mean for precision.
        double sumX = 0.0;
        double sumY = 0.0;
        for (qsizetype i = 0; i < count; ++i) {
            if (!bad[i]) {
                sumX += double(i);
                sumY += samples[i];
            }
        }
        const double meanX = sumX / double(good);
        const double meanY = sumY / double(good);
        double sxx = 0.0;
        double sxy = 0.0;
        for (qsizetype i = 0; i < count; ++i) {
            if (!bad[i]) {
                const double dx = double(i) - meanX;
                sxx += dx * dx;
                sxy += dx * (samples[i] - meanY);
            }
        }
        slope = sxy / sxx;
        fitted = true;

        std::vector<double> flat(static_cast<size_t>(count));
        double sumFlat = 0.0;
        for (qsizetype i = 0; i < count; ++i) {
            flat[i] = samples[i] - (meanY + slope * (double(i) - meanX));
            if (!bad[i])
                sumFlat += flat[i];
        }
        const double meanFlat = sumFlat / double(good);
        double sumSquares = 0.0;
        for (qsizetype i = 0; i < count; ++i) {
            if (!bad[i])
                sumSquares += (flat[i] - meanFlat) * (flat[i] - meanFlat);
        }
        const double threshold = options.krej * std::sqrt(sumSquares / double(good));
        for (qsizetype i = 0; i < count; ++i) {
            if (flat[i] < -threshold || flat[i] > threshold)
                bad[i] = 1;
        }
        std::fill(grown.begin(), grown.end(), 0);
        for (qsizetype j = 0; j < count; ++j) {
            if (!bad[j])
                continue;
            const qsizetype from = std::max<qsizetype>(0, j - growOffset);
            const qsizetype to = std::min(count, j - growOffset + grow);
            std::fill(grown.begin() + from, grown.begin() + to, 1);
        }
        bad.swap(grown);

        lastGood = good;
        good = std::count(bad.begin(), bad.end(), 0);
    }

    if (fitted && good >= minPixels) {
        if (options.contrast > 0.0)
            slope /= options.contrast;
        const qsizetype center = (count - 1) / 2;
        const double median =
            count % 2 ? samples[count / 2] : (samples[count / 2 - 1] + samples[count / 2]) / 2.0;
        limits.low = std::max(limits.low, median - double(center - 1) * slope);
        limits.high = std::min(limits.high, median + double(count - center) * slope);
    }
    return limits;
}

ImageStretch::Limits ImageStretch::zscaleLimits(const QVector<float>& pixels)
{
    return zscaleLimits(pixels, ZScaleOptions());
}

ImageStretch::Limits ImageStretch::minMaxLimits(const QVector<float>& pixels)
{
    bool any = false;
    Limits limits;
    for (const float value : pixels) {
        if (!std::isfinite(value))
            continue;
        if (!any) {
            limits = {value, value};
            any = true;
        }
        limits.low = std::min(limits.low, double(value));
        limits.high = std::max(limits.high, double(value));
    }
    return limits;
}

ImageStretch::Limits ImageStretch::limits(const QVector<float>& pixels, Kind kind)
{
    return kind == Kind::ZScale ? zscaleLimits(pixels) : minMaxLimits(pixels);
}

int ImageStretch::greyLevel(double value, const Limits& limits, bool asinh, double softening)
{
    if (std::isnan(value) || !(limits.high > limits.low))
        return 0;
    double x = std::clamp((value - limits.low) / (limits.high - limits.low), 0.0, 1.0);
    if (asinh && softening > 0.0)
        x = std::asinh(x / softening) / std::asinh(1.0 / softening);
    return int(std::lround(x * 255.0));
}

QImage ImageStretch::render(const FitsImage& image, Kind kind, double softening)
{
    if (!image.hasImage())
        return QImage();
    return render(image.pixels(), image.width(), image.height(), limits(image.pixels(), kind),
                  kind == Kind::Asinh, softening);
}

QImage ImageStretch::render(const QVector<float>& pixels, int width, int height, const Limits& limits,
                            bool asinh, double softening)
{
    if (width <= 0 || height <= 0 || pixels.size() != qsizetype(width) * height)
        return QImage();
    QImage result(width, height, QImage::Format_Grayscale8);
    if (result.isNull())
        return result;
    for (int y = 0; y < height; ++y) {
        uchar* line = result.scanLine(height - 1 - y);
        const float* row = pixels.constData() + qsizetype(y) * width;
        for (int x = 0; x < width; ++x)
            line[x] = uchar(greyLevel(row[x], limits, asinh, softening));
    }
    return result;
}

} // namespace butler
