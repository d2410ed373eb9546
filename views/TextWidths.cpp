#include "TextWidths.h"

namespace butler {

TextWidths::TextWidths(const QFont& font)
    : m_metrics(font)
{
    m_ascii.fill(-1);
}

qreal TextWidths::of(const QString& text)
{
    qreal width = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= m_ascii.size())
            return m_metrics.horizontalAdvance(text);
        if (m_ascii[u] < 0)
            m_ascii[u] = m_metrics.horizontalAdvance(c);
        width += m_ascii[u];
    }
    return width;
}

} // namespace butler
