#pragma once

#include "DatasetRef.h"
#include "SignedFileInfo.h"

#include <QNetworkReply>
#include <QPointer>
#include <QWidget>

class QLabel;
class QNetworkAccessManager;

class QProgressBar;
class QPushButton;
class QSaveFile;
class QCryptographicHash;
class QTextBrowser;

namespace butler {

class PreviewPanel;
class RepositorySession;

// What the browser shows about the selected dataset: its type, run, UUID and expanded data ID,
// its file (size, checksum, formatter, a signed URL to copy), a download with progress and
// cancel that checks the bytes against the recorded size and sha256, and a preview.
class DatasetDetailsPanel : public QWidget
{
    Q_OBJECT

public:
    // Files up to this size are previewed without asking.
    static constexpr qint64 kPreviewLimit = 64 * 1024 * 1024;

    explicit DatasetDetailsPanel(QWidget* parent = nullptr);
    ~DatasetDetailsPanel() override;

    void setSession(RepositorySession* session);
    void showDataset(const DatasetRef& ref);
    void clear();

    // Saves the shown dataset's file to path (the Download button asks for it).
    void downloadTo(const QString& path);
    void cancelDownload();

    PreviewPanel* preview() const { return m_preview; }
    QString detailsText() const;
    // The signed URL of the shown dataset's file, once known.
    QString signedUrl() const;
    bool isDownloading() const { return m_reply != nullptr; }

signals:
    // Preview bytes arrived and were handed to the preview panel.
    void previewShown();
    void downloadFinished(bool ok, const QString& message);
    void errorOccurred(const QString& message);

private:
    void render();
    void fetchFile(quint64 generation);
    void finishDownload();
    void failDownload(const QString& message);

    RepositorySession* m_session = nullptr;
    DatasetRef m_ref;
    bool m_hasRef = false;
    std::optional<SignedFileInfo> m_file;
    QString m_fileError;
    quint64 m_generation = 0; // answers for an earlier selection are dropped

    QTextBrowser* m_text = nullptr;
    QPushButton* m_copyUrl = nullptr;
    QPushButton* m_download = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    PreviewPanel* m_preview = nullptr;

    QNetworkAccessManager* m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    std::unique_ptr<QSaveFile> m_target;
    std::unique_ptr<QCryptographicHash> m_hash;
    qint64 m_received = 0;
};

} // namespace butler
