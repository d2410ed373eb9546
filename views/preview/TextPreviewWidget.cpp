#include "TextPreviewWidget.h"

#include <QEvent>
#include <QFontDatabase>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace butler {

namespace {

// The length of the longest prefix of at most `limit` bytes that does not end inside a UTF-8
// sequence.
qsizetype utf8Prefix(const QByteArray& bytes, qsizetype limit)
{
    if (bytes.size() <= limit)
        return bytes.size();
    qsizetype end = limit;
    // Back up over continuation bytes (10xxxxxx) to the start of the cut sequence.
    while (end > 0 && end > limit - 4 && (uchar(bytes.at(end)) & 0xC0) == 0x80)
        --end;
    return end;
}

} // namespace

TextPreviewWidget::TextPreviewWidget(QWidget* parent)
    : QWidget(parent)
{
    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(QStringLiteral("textNoteLabel"));
    m_noteLabel->setWordWrap(true);
    m_noteLabel->hide();

    m_textEdit = new QPlainTextEdit(this);
    m_textEdit->setObjectName(QStringLiteral("textPreviewEdit"));
    m_textEdit->setReadOnly(true);
    m_textEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_textEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_noteLabel);
    layout->addWidget(m_textEdit, 1);
    retranslateUi();
}

void TextPreviewWidget::retranslateUi()
{
    setAccessibleName(tr("Text preview"));
    m_noteLabel->setAccessibleName(tr("Preview note"));
    m_textEdit->setAccessibleName(tr("File contents"));
}

void TextPreviewWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        updateNote();
    }
    QWidget::changeEvent(event);
}

QString TextPreviewWidget::prettyJson(const QByteArray& bytes, QString* errorMessage)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        if (errorMessage)
            *errorMessage = tr("%1 at byte %2").arg(error.errorString()).arg(error.offset);
        return QString();
    }
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

void TextPreviewWidget::setBytes(const QByteArray& bytes, const QString& formatterLabel)
{
    const qsizetype shown = utf8Prefix(bytes, kMaxBytes);
    m_truncated = shown < bytes.size();
    m_shownBytes = shown;
    m_totalBytes = bytes.size();
    m_jsonError.clear();

    QString text;
    // A cut JSON document cannot parse, so only whole ones are indented.
    if (formatterLabel.compare(QLatin1String("json"), Qt::CaseInsensitive) == 0 && !m_truncated)
        text = prettyJson(bytes, &m_jsonError);
    if (text.isEmpty())
        text = QString::fromUtf8(bytes.constData(), shown);
    m_textEdit->setPlainText(text);
    updateNote();
}

void TextPreviewWidget::clear()
{
    m_truncated = false;
    m_shownBytes = m_totalBytes = 0;
    m_jsonError.clear();
    m_textEdit->clear();
    updateNote();
}

QString TextPreviewWidget::text() const
{
    return m_textEdit->toPlainText();
}

QString TextPreviewWidget::noteText() const
{
    return m_noteLabel->isHidden() ? QString() : m_noteLabel->text();
}

void TextPreviewWidget::updateNote()
{
    QStringList notes;
    if (m_truncated)
        notes << tr("Showing the first %1 of %2.")
                     .arg(QLocale().formattedDataSize(m_shownBytes),
                          QLocale().formattedDataSize(m_totalBytes));
    if (!m_jsonError.isEmpty())
        notes << tr("Not valid JSON (%1); shown as it is.").arg(m_jsonError);
    const QString note = notes.join(QLatin1Char(' '));
    m_noteLabel->setText(note);
    m_noteLabel->setVisible(!note.isEmpty());
}

} // namespace butler
