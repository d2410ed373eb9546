#include "PreviewPanel.h"

#include "FitsPreviewWidget.h"
#include "SkyPlotWidget.h"
#include "TextPreviewWidget.h"

#include <QEvent>
#include <QLabel>
#include <QSet>

namespace butler {

namespace {

QLabel* messageLabel(const QString& name, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace

PreviewPanel::PreviewPanel(QWidget* parent)
    : QStackedWidget(parent)
{
    m_empty = messageLabel(QStringLiteral("emptyPreviewLabel"), this);
    m_unsupported = messageLabel(QStringLiteral("unsupportedPreviewLabel"), this);
    m_fits = new FitsPreviewWidget(this);
    m_text = new TextPreviewWidget(this);
    m_sky = new SkyPlotWidget(this);
    // Insertion order follows Page.
    addWidget(m_empty);
    addWidget(m_fits);
    addWidget(m_text);
    addWidget(m_sky);
    addWidget(m_unsupported);
    retranslateUi();
    showPage(Page::Empty);
}

void PreviewPanel::retranslateUi()
{
    setAccessibleName(tr("Preview"));
    m_empty->setText(tr("Select a dataset to preview it."));
    m_empty->setAccessibleName(tr("No preview"));
    m_unsupported->setAccessibleName(tr("No preview available"));
    m_unsupported->setText(m_unsupportedLabel.isEmpty()
                               ? tr("No preview for this file.")
                               : tr("No preview for %1 files.").arg(m_unsupportedLabel));
}

void PreviewPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QStackedWidget::changeEvent(event);
}

PreviewPanel::Page PreviewPanel::pageForLabel(const QString& formatterLabel)
{
    static const QSet<QString> textLabels = {
        QStringLiteral("json"), QStringLiteral("yaml"), QStringLiteral("yml"), QStringLiteral("csv"),
        QStringLiteral("ecsv"), QStringLiteral("text"), QStringLiteral("txt"), QStringLiteral("log"),
        QStringLiteral("xml"),  QStringLiteral("md"),   QStringLiteral("ini"), QStringLiteral("toml"),
    };
    const QString label = formatterLabel.trimmed().toLower();
    if (label == QLatin1String("fits") || label == QLatin1String("fit") || label == QLatin1String("fz"))
        return Page::Fits;
    if (textLabels.contains(label))
        return Page::Text;
    return Page::Unsupported;
}

void PreviewPanel::showBytes(const QByteArray& bytes, const QString& formatterLabel)
{
    const Page page = pageForLabel(formatterLabel);
    switch (page) {
    case Page::Fits:
        m_text->clear();
        m_fits->setFitsBytes(bytes);
        break;
    case Page::Text:
        m_fits->clear();
        m_text->setBytes(bytes, formatterLabel.trimmed().toLower());
        break;
    default:
        m_fits->clear();
        m_text->clear();
        m_unsupportedLabel = formatterLabel.trimmed();
        retranslateUi();
        break;
    }
    showPage(page);
}

void PreviewPanel::showPointings(const QList<SkyPointing>& pointings)
{
    m_fits->clear();
    m_text->clear();
    m_sky->setPointings(pointings);
    showPage(Page::Sky);
}

void PreviewPanel::clear()
{
    m_fits->clear();
    m_text->clear();
    m_sky->clear();
    showPage(Page::Empty);
}

PreviewPanel::Page PreviewPanel::currentPage() const
{
    return Page(currentIndex());
}

QString PreviewPanel::messageText() const
{
    if (currentPage() == Page::Empty)
        return m_empty->text();
    if (currentPage() == Page::Unsupported)
        return m_unsupported->text();
    return QString();
}

void PreviewPanel::showPage(Page page)
{
    const bool changed = currentPage() != page;
    setCurrentIndex(int(page));
    if (changed)
        emit pageChanged(page);
}

} // namespace butler
