#pragma once

#include "DatasetRef.h"
#include "DimensionRecord.h"
#include "SignedFileInfo.h"

#include <QNetworkReply>
#include <QPointer>
#include <QWidget>

#include <memory>

class QLabel;
class QNetworkAccessManager;

class QProgressBar;
class QPushButton;
class QSaveFile;
class QCryptographicHash;
class QTextBrowser;

namespace butler {

class OperationsModel;
class PreviewPanel;
class RemoteButler;
class RepositorySession;
class RequestGroup;

// What the browser shows about the selected dataset: its type, run, UUID and data ID, the
// dimension records of its data ID with their metadata (an exposure's timespan and filter, the
// physical filter's band, ...: the records of the data ID's dimensions, then of the dimensions
// those imply), its file (size, checksum, formatter, a signed URL to copy), a download with
// progress and cancel that checks the bytes against the recorded size and sha256, and a
// preview. Downloads and previews are operations of the OperationsModel, when one is set; a
// new selection stops the requests made for the previous one.
class DatasetDetailsPanel : public QWidget
{
    Q_OBJECT

public:
    // Files up to this size are previewed without asking.
    static constexpr qint64 kPreviewLimit = 64 * 1024 * 1024;

    explicit DatasetDetailsPanel(QWidget* parent = nullptr);
    ~DatasetDetailsPanel() override;

    void setSession(RepositorySession* session);
    // Where downloads and previews show as operations; not owned.
    void setOperations(OperationsModel* operations);
    void showDataset(const DatasetRef& ref);
    void clear();

    // Saves the shown dataset's file to path (the Download button asks for it).
    void downloadTo(const QString& path);
    void cancelDownload();

    PreviewPanel* preview() const { return m_preview; }
    // The details text, the panel's keyboard focus.
    QTextBrowser* textView() const { return m_text; }
    QString detailsText() const;
    // The signed URL of the shown dataset's file, once known.
    QString signedUrl() const;
    bool isDownloading() const { return m_reply != nullptr; }
    // The dimension records shown, once loaded.
    const QList<DimensionRecord>& dimensionRecords() const { return m_records; }
    bool dimensionRecordsLoaded() const { return m_recordsLoaded; }
    // The operation of the running download, 0 when none.
    quint64 downloadOperation() const { return m_downloadOperation; }

signals:
    // Preview bytes arrived and were handed to the preview panel.
    void previewShown();
    void dimensionRecordsShown();
    void downloadFinished(bool ok, const QString& message);
    void errorOccurred(const QString& message);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void render();
    void fetchFile(quint64 generation);
    void fetchRecords(quint64 generation);
    void finishDownload();
    void failDownload(const QString& message);
    void abortDownload();
    void endDownloadOperation(const QString& error);
    // A butler for the requests of the current selection, stopped by the next one.
    void renewSelectionRequests();

    RepositorySession* m_session = nullptr;
    DatasetRef m_ref;
    bool m_hasRef = false;
    std::optional<SignedFileInfo> m_file;
    QString m_fileError;
    quint64 m_generation = 0; // answers for an earlier selection are dropped
    QList<DimensionRecord> m_records;
    QString m_recordsError;
    bool m_recordsLoaded = false;
    std::shared_ptr<RequestGroup> m_selectionGroup;
    std::shared_ptr<RemoteButler> m_selectionButler;
    QPointer<OperationsModel> m_operations;
    quint64 m_downloadOperation = 0;
    quint64 m_previewOperation = 0;

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
