#include "TextPreviewWidget.h"

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
    setAccessibleName(tr("Text preview"));

    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(QStringLiteral("textNoteLabel"));
    m_noteLabel->setAccessibleName(tr("Preview note"));
    m_noteLabel->setWordWrap(true);
    m_noteLabel->hide();

    m_textEdit = new QPlainTextEdit(this);
    m_textEdit->setObjectName(QStringLiteral("textPreviewEdit"));
    m_textEdit->setAccessibleName(tr("File contents"));
    m_textEdit->setReadOnly(true);
    m_textEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_textEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_noteLabel);
    layout->addWidget(m_textEdit, 1);
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
    QStringList notes;
    if (m_truncated)
        notes << tr("Showing the first %1 of %2.")
                     .arg(QLocale().formattedDataSize(shown), QLocale().formattedDataSize(bytes.size()));

    QString text;
    // A cut JSON document cannot parse, so only whole ones are indented.
    if (formatterLabel.compare(QLatin1String("json"), Qt::CaseInsensitive) == 0 && !m_truncated) {
        QString error;
        text = prettyJson(bytes, &error);
        if (!error.isEmpty())
            notes << tr("Not valid JSON (%1); shown as it is.").arg(error);
    }
    if (text.isEmpty())
        text = QString::fromUtf8(bytes.constData(), shown);
    m_textEdit->setPlainText(text);
    setNote(notes.join(QLatin1Char(' ')));
}

void TextPreviewWidget::clear()
{
    m_truncated = false;
    m_textEdit->clear();
    setNote(QString());
}

QString TextPreviewWidget::text() const
{
    return m_textEdit->toPlainText();
}

QString TextPreviewWidget::noteText() const
{
    return m_noteLabel->isHidden() ? QString() : m_noteLabel->text();
}

void TextPreviewWidget::setNote(const QString& note)
{
    m_noteLabel->setText(note);
    m_noteLabel->setVisible(!note.isEmpty());
}

} // namespace butler
