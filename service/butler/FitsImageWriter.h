#pragma once

#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariant>
#include <QVector>

namespace butler {

// Writes and reads small FITS images entirely in memory (cfitsio memory files), for the demo
// repository's raw/calexp/coadd files and for previews. Nothing touches the disk.
class FitsImageWriter
{
public:
    // One header card. `value` is an int/qint64, double, bool or QString (ASCII; longer than
    // 68 characters is written with the CONTINUE convention); an invalid QVariant writes a
    // keyword with an undefined value. Keys COMMENT and HISTORY write commentary cards whose
    // text is `value`.
    struct Card
    {
        QString key;
        QVariant value;
        QString comment;
    };

    // Writes a primary HDU holding a 2-D float32 image of width x height pixels, row-major
    // (pixel (x, y) at pixels[y * width + x], x along NAXIS1), with the given cards after the
    // mandatory ones. Keys must be 1-8 characters of A-Z, 0-9, '-' and '_', unique, and not
    // one of the structural keys (SIMPLE, BITPIX, NAXISn, EXTEND, BSCALE, BZERO, ...).
    static Result<QByteArray> writeImage(int width, int height, const QVector<float>& pixels,
                                         const QList<Card>& cards);

    // The primary header's cards in order, without the structural ones. Integers read back as
    // qint64, reals as double, logicals as bool, strings as QString.
    static Result<QList<Card>> readHeader(const QByteArray& fits);

    // The pixels of the first HDU holding a 2-D image (the primary HDU, or an extension when
    // the primary is empty), converted to float, row-major as in writeImage().
    static Result<QVector<float>> readImage(const QByteArray& fits, int* width, int* height);
};

} // namespace butler
