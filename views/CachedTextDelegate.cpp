#include "CachedTextDelegate.h"

#include "TextWidths.h"

#include <QApplication>
#include <QFontMetrics>
#include <QPainter>
#include <QtMath>

namespace butler {

CachedTextDelegate::CachedTextDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
    , m_texts(maxCachedTexts())
{
}

CachedTextDelegate::~CachedTextDelegate() = default;

void CachedTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    constexpr auto kOther = QStyleOptionViewItem::HasCheckIndicator | QStyleOptionViewItem::HasDecoration |
                            QStyleOptionViewItem::WrapText;
    if ((opt.features & kOther) || opt.text.isEmpty() || opt.text.contains(QChar::LineSeparator) ||
        (opt.state & QStyle::State_Editing)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QWidget* widget = opt.widget;
    const QStyle* style = widget ? widget->style() : QApplication::style();

    // The cell without its text: background, selection, focus frame, as the style paints them.
    const QString text = std::exchange(opt.text, QString());
    opt.features &= ~QStyleOptionViewItem::HasDisplay;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    // The text where the style puts it (QCommonStyle's CE_ItemViewItem), from the cache.
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    const QRect textRect =
        style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(margin, 0, -margin, 0);
    if (textRect.width() <= 0)
        return;
    const QStaticText& laid = laidOut(text, opt.font, textRect.width(), opt.textElideMode, opt.direction);
    // Placed as QCommonStyle places its text line: centred vertically on whole pixels, and
    // across by the fraction that the line's alignment leaves.
    const QSizeF size = laid.size();
    const Qt::Alignment align = QStyle::visualAlignment(opt.direction, opt.displayAlignment);
    qreal x = textRect.x();
    if (align & Qt::AlignRight)
        x += textRect.width() - size.width();
    else if (align & Qt::AlignHCenter)
        x += (textRect.width() - size.width()) / 2;
    const int y = QStyle::alignedRect(opt.direction, align & Qt::AlignVertical_Mask,
                                      QSize(textRect.width(), qCeil(size.height())), textRect)
                      .y();
    QPalette::ColorGroup group = opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    if (group == QPalette::Normal && !(opt.state & QStyle::State_Active))
        group = QPalette::Inactive;
    painter->save();
    painter->setClipRect(opt.rect, Qt::IntersectClip);
    painter->setFont(opt.font);
    painter->setPen(opt.palette.color(group, opt.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                                : QPalette::Text));
    painter->drawStaticText(QPointF(x, y), laid);
    painter->restore();
}

const QStaticText& CachedTextDelegate::laidOut(const QString& text, const QFont& font, int width,
                                               Qt::TextElideMode elide, Qt::LayoutDirection direction) const
{
    if (font != m_font || !m_widths) {
        m_texts.clear();
        m_font = font;
        m_widths = std::make_unique<TextWidths>(font);
    }
    Key key{text, width, elide, direction};
    if (const QStaticText* found = m_texts.object(key))
        return *found;
    // A text well inside the width is drawn whole: its summed advances cost far less than
    // elidedText()'s shaping, a third of a cell's layout. Near the edge, kerning could decide.
    const bool fits =
        elide == Qt::ElideNone || m_widths->of(text) + m_widths->metrics().averageCharWidth() <= width;
    auto* laid = new QStaticText(fits ? text : QFontMetrics(font).elidedText(text, elide, width));
    laid->setTextFormat(Qt::PlainText);
    QTextOption option;
    option.setTextDirection(direction); // as QCommonStyle lays out a cell's line
    laid->setTextOption(option);
    laid->prepare(QTransform(), font);
    m_texts.insert(std::move(key), laid);
    return *laid;
}

} // namespace butler
