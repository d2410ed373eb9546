#pragma once

#include <QCache>
#include <QFont>
#include <QStaticText>
#include <QStyledItemDelegate>

#include <memory>

namespace butler {

class TextWidths;

// QStyledItemDelegate for cells of one line of text, painting the text from a cache of laid-out
// (and elided) strings. The stock delegate lays a cell's text out four times per paint (size,
// elision, layout, draw): on a table of a few hundred visible cells that was most of every
// repaint, and a table repaints on each scroll step and each page of rows. Values recur down
// a column (dataset types, runs, dates) and a row is painted again when rows arrive below it,
// so most cells hit the cache. Background, selection and focus still come from the style;
// cells with an icon, a check box or several lines, and views that wrap words, go to the stock
// delegate.
class CachedTextDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit CachedTextDelegate(QObject* parent = nullptr);
    ~CachedTextDelegate() override;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

    // Texts laid out so far and kept (at most maxCachedTexts()).
    int cachedTexts() const { return int(m_texts.size()); }
    static constexpr int maxCachedTexts() { return 4096; }

private:
    struct Key
    {
        QString text;
        int width = 0;
        Qt::TextElideMode elide = Qt::ElideRight;
        Qt::LayoutDirection direction = Qt::LeftToRight;
        bool operator==(const Key& other) const
        {
            return width == other.width && elide == other.elide && direction == other.direction &&
                   text == other.text;
        }
        friend size_t qHash(const Key& key, size_t seed = 0) { return qHashMulti(seed, key.text, key.width); }
    };

    // The text as drawn in width pixels with font (elided if it does not fit), in the
    // direction of the view.
    const QStaticText& laidOut(const QString& text, const QFont& font, int width, Qt::TextElideMode elide,
                               Qt::LayoutDirection direction) const;

    mutable QCache<Key, QStaticText> m_texts;
    mutable QFont m_font;                         // of the cached texts
    mutable std::unique_ptr<TextWidths> m_widths; // in m_font
};

} // namespace butler
