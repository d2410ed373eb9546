#pragma once

#include "SkyPointing.h"

#include <QByteArray>
#include <QStackedWidget>
#include <QString>

class QLabel;

namespace butler {

class FitsPreviewWidget;
class SkyPlotWidget;
class TextPreviewWidget;

// The preview area of the browser: one page per kind of content, chosen from a dataset's
// formatter label (fits, json, yaml, csv, text, ...), plus a sky plot of pointings.
class PreviewPanel : public QStackedWidget
{
    Q_OBJECT

public:
    enum class Page
    {
        Empty,       // nothing selected
        Fits,        // FitsPreviewWidget
        Text,        // TextPreviewWidget
        Sky,         // SkyPlotWidget
        Unsupported, // a formatter label without a preview
    };
    Q_ENUM(Page)

    explicit PreviewPanel(QWidget* parent = nullptr);

    // Shows a file's bytes with the preview its formatter label calls for.
    void showBytes(const QByteArray& bytes, const QString& formatterLabel);
    void showPointings(const QList<SkyPointing>& pointings);
    void clear();

    Page currentPage() const;
    // The page a formatter label gets (Fits, Text or Unsupported).
    static Page pageForLabel(const QString& formatterLabel);

    FitsPreviewWidget* fitsPreview() const { return m_fits; }
    TextPreviewWidget* textPreview() const { return m_text; }
    SkyPlotWidget* skyPlot() const { return m_sky; }
    // The text of the Empty or Unsupported page.
    QString messageText() const;

signals:
    void pageChanged(PreviewPanel::Page page);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void showPage(Page page);

    QLabel* m_empty = nullptr;
    QLabel* m_unsupported = nullptr;
    QString m_unsupportedLabel; // the formatter label the Unsupported page speaks of
    FitsPreviewWidget* m_fits = nullptr;
    TextPreviewWidget* m_text = nullptr;
    SkyPlotWidget* m_sky = nullptr;
};

} // namespace butler
