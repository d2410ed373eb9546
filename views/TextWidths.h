#pragma once

#include <QFontMetricsF>
#include <QString>

#include <array>

namespace butler {

// Widths of one line of text in a font as the sum of their characters' advances, cached per
// ASCII character. The tables' texts are ASCII (IDs, names, numbers, dates): shaping each of a
// page's hundreds of strings took milliseconds where this takes microseconds. Kerning is left
// out, so a shaped text may be a little narrower or wider; callers leave a margin. Texts with
// other characters are shaped.
class TextWidths
{
public:
    explicit TextWidths(const QFont& font);

    qreal of(const QString& text);
    const QFontMetricsF& metrics() const { return m_metrics; }

private:
    QFontMetricsF m_metrics;
    std::array<qreal, 128> m_ascii;
};

} // namespace butler
