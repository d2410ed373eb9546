#pragma once

#include <QByteArray>
#include <QString>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace butler {

// Text datasets (JSON, YAML, CSV, plain text) read-only in a monospace font. JSON is shown
// indented; anything beyond the size cap is left out, with a note saying so.
class TextPreviewWidget : public QWidget
{
    Q_OBJECT

public:
    // The most bytes shown; larger files show their beginning.
    static constexpr qsizetype kMaxBytes = qsizetype(1) << 20;

    explicit TextPreviewWidget(QWidget* parent = nullptr);

    // Shows UTF-8 bytes; `formatterLabel` ("json", "yaml", "csv", ...) selects the formatting.
    void setBytes(const QByteArray& bytes, const QString& formatterLabel);
    void clear();

    QString text() const;
    // The note above the text (truncation, invalid JSON); empty when there is none.
    QString noteText() const;
    bool isTruncated() const { return m_truncated; }

    QPlainTextEdit* textEdit() const { return m_textEdit; }

    // JSON indented as QJsonDocument::Indented writes it; an empty string when it is not
    // valid JSON.
    static QString prettyJson(const QByteArray& bytes, QString* errorMessage = nullptr);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    // The note for what setBytes() found, in the current language.
    void updateNote();

    QLabel* m_noteLabel = nullptr;
    QPlainTextEdit* m_textEdit = nullptr;
    bool m_truncated = false;
    qsizetype m_shownBytes = 0;
    qsizetype m_totalBytes = 0;
    QString m_jsonError; // QJsonParseError's words and offset; empty when none
};

} // namespace butler
