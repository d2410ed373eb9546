#include "QuotaBar.h"

#include <QEvent>
#include <QLocale>
#include <QPainter>
#include <QStyle>
#include <QStyleOption>

namespace butler {

namespace {

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes);
}

} // namespace

QuotaBar::QuotaBar(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("quotaBar"));
    setAccessibleName(tr("Storage quota"));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    hide();
}

void QuotaBar::setQuota(const RemoteQuota& quota)
{
    m_quota = quota;
    describe();
    show();
}

void QuotaBar::describe()
{
    if (!m_quota)
        return;
    const RemoteQuota& quota = *m_quota;
    m_text = tr("%1 of %2 used").arg(sizeText(quota.usedBytes), sizeText(quota.limitBytes));
    QString tip =
        tr("Storage quota of %1\nUsed: %2\nReserved by uploads in progress: %3\nLimit: %4%5\n"
           "Available: %6")
            .arg(quota.user, sizeText(quota.usedBytes), sizeText(quota.reservedBytes),
                 sizeText(quota.limitBytes), quota.defaultLimit ? tr(" (the server's default)") : QString(),
                 sizeText(quota.availableBytes));
    setToolTip(tip);
    setAccessibleDescription(tip);
    updateGeometry();
    update();
}

void QuotaBar::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        setAccessibleName(tr("Storage quota"));
        describe();
    }
    QWidget::changeEvent(event);
}

void QuotaBar::setUnavailable(const QString& reason)
{
    m_quota.reset();
    m_text.clear();
    setToolTip(reason);
    setAccessibleDescription(reason);
    hide();
}

void QuotaBar::clear()
{
    setUnavailable(QString());
}

QSize QuotaBar::sizeHint() const
{
    const QFontMetrics metrics = fontMetrics();
    return {100 + 8 + metrics.horizontalAdvance(m_text) + 4, metrics.height() + 4};
}

QSize QuotaBar::minimumSizeHint() const
{
    return sizeHint();
}

void QuotaBar::paintEvent(QPaintEvent*)
{
    if (!m_quota)
        return;
    QPainter painter(this);
    const QPalette& colours = palette();
    const QRect bar(0, 3, 100, height() - 6);
    painter.setPen(colours.color(QPalette::Mid));
    painter.setBrush(colours.color(QPalette::Base));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    const qint64 limit = qMax<qint64>(m_quota->limitBytes, 1);
    const auto widthOf = [&](qint64 bytes) {
        return int(qMin<qint64>(bytes, limit) * (bar.width() - 2) / limit);
    };
    const int used = widthOf(m_quota->usedBytes);
    const int held = widthOf(m_quota->usedBytes + m_quota->reservedBytes) - used;
    // Near the limit the bar turns to the warning colour.
    const bool nearlyFull = m_quota->availableBytes < limit / 10;
    const QColor usedColour = nearlyFull ? QColor(0xc6, 0x28, 0x28) : colours.color(QPalette::Highlight);
    painter.setPen(Qt::NoPen);
    painter.setBrush(usedColour);
    painter.drawRect(bar.left() + 1, bar.top() + 1, used, bar.height() - 2);
    QColor reserved = usedColour;
    reserved.setAlpha(100);
    painter.setBrush(reserved);
    painter.drawRect(bar.left() + 1 + used, bar.top() + 1, held, bar.height() - 2);
    painter.setPen(colours.color(QPalette::WindowText));
    painter.drawText(QRect(bar.right() + 8, 0, width() - bar.right() - 8, height()),
                     Qt::AlignVCenter | Qt::AlignLeft, m_text);
}

} // namespace butler
