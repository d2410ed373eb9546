#include "DatasetDetailsPanel.h"

#include "OperationsModel.h"
#include "PreviewPanel.h"
#include "RepositorySession.h"
#include "RequestGroup.h"
#include "TaiTime.h"

#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace butler {

namespace {

QString humanSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes);
}

// The records of the data ID's dimensions, then of the dimensions their records imply (an
// exposure's physical_filter, whose record gives the band), each found by its full key. A
// dimension whose record cannot be found is left out; the first error is returned when none
// could be.
QCoro::Task<Result<QList<DimensionRecord>>> expandRecords(std::shared_ptr<RemoteButler> butler,
                                                          DataCoordinate dataId)
{
    const DimensionUniverse& universe = butler->universe();
    QVariantMap known = dataId.toMap();
    QStringList order = dataId.group().names();
    QList<DimensionRecord> records;
    std::optional<Error> firstError;
    for (qsizetype i = 0; i < order.size(); ++i) {
        const QString name = order[i];
        const DimensionElement* element = universe.element(name);
        if (!element || !element->isDimension())
            continue;
        DimensionRecordQuery query;
        query.element = name;
        query.limit = 1;
        QStringList terms;
        bool keyed = true;
        for (const QString& dimension : element->requiredDimensions()) {
            if (!known.contains(dimension)) {
                keyed = false;
                break;
            }
            const QString parameter = QStringLiteral("key%1").arg(query.bind.size());
            terms << QStringLiteral("%1 = :%2").arg(dimension, parameter);
            query.bind.insert(parameter, known.value(dimension));
        }
        if (!keyed)
            continue;
        query.where = terms.join(QStringLiteral(" AND "));
        Result<DimensionRecordPage> page = co_await butler->queryDimensionRecordsAsync(query);
        if (!page) {
            if (RequestGroup::isCancellation(page.error()))
                co_return page.error();
            if (!firstError)
                firstError = page.error();
            continue;
        }
        if (page->records.isEmpty())
            continue;
        const DimensionRecord record = page->records.first();
        records << record;
        for (const QString& implied : element->implies) {
            const QVariant value = record.value(implied);
            if (value.isValid() && !known.contains(implied)) {
                known.insert(implied, value);
                if (!order.contains(implied))
                    order << implied;
            }
        }
    }
    if (records.isEmpty() && firstError)
        co_return *firstError;
    co_return records;
}

QString recordValueText(const QVariant& value)
{
    if (value.typeId() == QMetaType::Double)
        return QLocale::c().toString(value.toDouble(), 'g', 10);
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return value.toString();
}

} // namespace

DatasetDetailsPanel::DatasetDetailsPanel(QWidget* parent)
    : QWidget(parent)
    , m_network(new QNetworkAccessManager(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("detailsSplitter"));
    auto* top = new QWidget(splitter);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_text = new QTextBrowser(top);
    m_text->setOpenLinks(false);
    topLayout->addWidget(m_text);
    auto* buttons = new QHBoxLayout;
    m_copyUrl = new QPushButton(top);
    m_download = new QPushButton(top);
    m_cancel = new QPushButton(top);
    m_progress = new QProgressBar(top);
    m_progress->setTextVisible(true);
    buttons->addWidget(m_copyUrl);
    buttons->addWidget(m_download);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_cancel);
    topLayout->addLayout(buttons);
    m_status = new QLabel(top);
    m_status->setWordWrap(true);
    topLayout->addWidget(m_status);
    m_preview = new PreviewPanel(splitter);
    splitter->addWidget(top);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter);

    connect(m_copyUrl, &QPushButton::clicked, this, [this] {
        if (!signedUrl().isEmpty())
            QGuiApplication::clipboard()->setText(signedUrl());
        m_status->setText(tr("Signed URL copied; it expires %1.")
                              .arg(QLocale().toString(m_file->expires.toLocalTime(), QLocale::ShortFormat)));
    });
    connect(m_download, &QPushButton::clicked, this, [this] {
        if (!m_file)
            return;
        const QString name = m_file->file.path.section(QLatin1Char('/'), -1);
        const QString path = QFileDialog::getSaveFileName(this, tr("Save dataset file"), name);
        if (!path.isEmpty())
            downloadTo(path);
    });
    connect(m_cancel, &QPushButton::clicked, this, &DatasetDetailsPanel::cancelDownload);
    retranslateUi();
    clear();
}

void DatasetDetailsPanel::retranslateUi()
{
    m_text->setAccessibleName(tr("Dataset details"));
    m_copyUrl->setText(tr("Copy signed &URL"));
    m_copyUrl->setAccessibleName(tr("Copy signed URL"));
    m_download->setText(tr("&Download…"));
    m_download->setAccessibleName(tr("Download file"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setAccessibleName(tr("Cancel download"));
    m_progress->setAccessibleName(tr("Download progress"));
    m_status->setAccessibleName(tr("Download status"));
}

void DatasetDetailsPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        // The details are made from tr() texts and locale formats: made again.
        render();
    }
    QWidget::changeEvent(event);
}

DatasetDetailsPanel::~DatasetDetailsPanel()
{
    ++m_generation; // answers that the cancellation below brings in are dropped
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    if (m_selectionGroup)
        m_selectionGroup->cancel();
    if (m_operations && m_downloadOperation)
        m_operations->finish(m_downloadOperation, tr("closed"));
}

void DatasetDetailsPanel::setSession(RepositorySession* session)
{
    cancelDownload();
    m_session = session;
    clear();
}

void DatasetDetailsPanel::renewSelectionRequests()
{
    // Cancelled through the operation, so that it shows as cancelled rather than failed.
    if (m_operations && m_previewOperation)
        m_operations->cancel(m_previewOperation);
    m_previewOperation = 0;
    if (m_selectionGroup)
        m_selectionGroup->cancel();
    m_selectionGroup.reset();
    m_selectionButler.reset();
    if (!m_session)
        return;
    m_selectionGroup = std::make_shared<RequestGroup>();
    m_selectionButler = std::shared_ptr<RemoteButler>(m_session->butler().withRequestGroup(m_selectionGroup));
}

void DatasetDetailsPanel::clear()
{
    ++m_generation;
    m_hasRef = false;
    m_file.reset();
    m_fileError.clear();
    m_records.clear();
    m_recordsError.clear();
    m_recordsLoaded = false;
    m_preview->clear();
    renewSelectionRequests();
    render();
}

void DatasetDetailsPanel::showDataset(const DatasetRef& ref)
{
    if (m_hasRef && ref.id() == m_ref.id())
        return;
    ++m_generation;
    m_ref = ref;
    m_hasRef = true;
    m_file.reset();
    m_fileError.clear();
    m_records.clear();
    m_recordsError.clear();
    m_recordsLoaded = false;
    m_preview->clear();
    renewSelectionRequests();
    render();
    if (m_session) {
        fetchFile(m_generation);
        fetchRecords(m_generation);
    }
}

void DatasetDetailsPanel::fetchRecords(quint64 generation)
{
    const std::shared_ptr<RemoteButler> butler = m_selectionButler;
    QCoro::connect(expandRecords(butler, m_ref.dataId()), this,
                   [this, generation](const Result<QList<DimensionRecord>>& records) {
                       if (generation != m_generation)
                           return;
                       m_recordsLoaded = true;
                       if (records)
                           m_records = *records;
                       else
                           m_recordsError = records.error().message();
                       render();
                       emit dimensionRecordsShown();
                   });
}

void DatasetDetailsPanel::fetchFile(quint64 generation)
{
    const QList<QUuid> ids{m_ref.id()};
    const std::shared_ptr<RemoteButler> butler = m_selectionButler;
    QCoro::connect(
        butler->signedFileInfoAsync(ids), this,
        [this, generation, butler](const Result<QList<SignedFileInfo>>& files) {
            if (generation != m_generation)
                return;
            if (!files || files->isEmpty()) {
                m_fileError = files ? tr("This dataset has no file.") : files.error().message();
                render();
                return;
            }
            m_file = files->first();
            render();
            if (m_file->file.size > kPreviewLimit) {
                m_status->setText(
                    tr("The file is too large to preview (%1).").arg(humanSize(m_file->file.size)));
                return;
            }
            // The preview is an operation of its own: the next selection cancels it.
            quint64 operation = 0;
            if (m_operations) {
                operation = m_previewOperation = m_operations->startWithGroup(
                    tr("Preview of %1 %2").arg(m_ref.datasetType().name(), m_ref.dataId().toString()),
                    m_selectionGroup);
                m_operations->setProgress(operation, 0, m_file->file.size);
            }
            const QPointer<OperationsModel> operations = m_operations;
            QCoro::connect(
                butler->downloadAsync(m_file->file), this,
                [this, generation, butler, operations, operation](const Result<QByteArray>& bytes) {
                    if (operations)
                        operations->finish(operation, bytes ? QString() : bytes.error().message());
                    if (generation != m_generation)
                        return;
                    if (!bytes) {
                        m_status->setText(tr("Preview failed: %1").arg(bytes.error().message()));
                        return;
                    }
                    m_preview->showBytes(*bytes, m_file->file.formatter);
                    emit previewShown();
                });
        });
}

QString DatasetDetailsPanel::signedUrl() const
{
    return m_file ? m_file->file.uri : QString();
}

QString DatasetDetailsPanel::detailsText() const
{
    return m_text->toPlainText();
}

void DatasetDetailsPanel::render()
{
    const bool busy = m_reply != nullptr;
    m_copyUrl->setEnabled(m_file.has_value());
    m_download->setEnabled(m_file.has_value() && !busy);
    m_cancel->setVisible(busy);
    m_progress->setVisible(busy);
    if (!m_hasRef) {
        m_text->setHtml(tr("<p><i>Select a dataset to see its details.</i></p>"));
        if (!busy)
            m_status->clear();
        return;
    }
    QString html;
    const auto row = [&html](const QString& key, const QString& value) {
        html += QStringLiteral("<tr><th align=left>%1</th><td>%2</td></tr>").arg(key.toHtmlEscaped(), value);
    };
    html += QStringLiteral("<table cellspacing=2>");
    row(tr("Dataset type"), m_ref.datasetType().name().toHtmlEscaped());
    row(tr("Storage class"), m_ref.datasetType().storageClass().toHtmlEscaped());
    row(tr("Run"), m_ref.run().toHtmlEscaped());
    row(tr("UUID"), QStringLiteral("<tt>%1</tt>").arg(m_ref.id().toString(QUuid::WithoutBraces)));
    const QVariantMap dataId = m_ref.dataId().toMap();
    for (auto it = dataId.cbegin(); it != dataId.cend(); ++it)
        row(it.key(), it.value().toString().toHtmlEscaped());
    const auto heading = [&html](const QString& text) {
        html += QStringLiteral("<tr><th colspan=2 align=left><br>%1</th></tr>").arg(text.toHtmlEscaped());
    };
    if (m_file) {
        row(tr("File"), m_file->file.path.toHtmlEscaped());
        row(tr("Size"),
            QStringLiteral("%1 (%2 bytes)").arg(humanSize(m_file->file.size)).arg(m_file->file.size));
        row(tr("Formatter"), m_file->file.formatter.toHtmlEscaped());
        row(tr("Checksum"), QStringLiteral("<tt>%1</tt>").arg(m_file->file.checksum.toHtmlEscaped()));
        if (m_file->expires.isValid())
            row(tr("URL expires"), QLocale().toString(m_file->expires.toLocalTime(), QLocale::ShortFormat));
    } else if (!m_fileError.isEmpty()) {
        row(tr("File"), QStringLiteral("<i>%1</i>").arg(m_fileError.toHtmlEscaped()));
    } else {
        row(tr("File"), tr("<i>loading…</i>"));
    }
    heading(tr("Dimension records"));
    if (!m_recordsLoaded) {
        row(QString(), tr("<i>loading…</i>"));
    } else if (!m_recordsError.isEmpty()) {
        row(QString(), QStringLiteral("<i>%1</i>").arg(m_recordsError.toHtmlEscaped()));
    } else if (m_records.isEmpty()) {
        row(QString(), tr("<i>none</i>"));
    }
    for (const DimensionRecord& record : std::as_const(m_records)) {
        html += QStringLiteral("<tr><td colspan=2><b>%1</b></td></tr>").arg(record.element().toHtmlEscaped());
        const QVariantMap& values = record.values();
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            row(QStringLiteral("\u2003") + it.key(), recordValueText(it.value()).toHtmlEscaped());
        if (const auto& span = record.timespan()) {
            const QString begin = span->hasBegin() ? TaiTime::toIsoUtc(span->begin()) : tr("unbounded");
            const QString end = span->hasEnd() ? TaiTime::toIsoUtc(span->end()) : tr("unbounded");
            row(QStringLiteral("\u2003") + tr("timespan"), tr("%1 to %2").arg(begin, end).toHtmlEscaped());
        }
        if (!record.region().isEmpty())
            row(QStringLiteral("\u2003") + tr("region"), tr("yes"));
    }
    html += QStringLiteral("</table>");
    m_text->setHtml(html);
}

void DatasetDetailsPanel::downloadTo(const QString& path)
{
    if (!m_file || m_reply)
        return;
    m_target = std::make_unique<QSaveFile>(path);
    if (!m_target->open(QIODevice::WriteOnly)) {
        const QString message = tr("Cannot write %1: %2").arg(path, m_target->errorString());
        m_target.reset();
        failDownload(message);
        return;
    }
    m_hash = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256);
    m_received = 0;
    QNetworkRequest request{QUrl(m_file->file.uri)};
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    m_reply = m_network->get(request);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_status->setText(tr("Downloading %1…").arg(humanSize(m_file->file.size)));
    connect(m_reply, &QNetworkReply::readyRead, this, [this] {
        const QByteArray chunk = m_reply->readAll();
        m_received += chunk.size();
        m_hash->addData(chunk);
        if (m_target->write(chunk) != chunk.size()) {
            const QString message = tr("Cannot write the file: %1").arg(m_target->errorString());
            m_reply->abort();
            failDownload(message);
        }
    });
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64 total) {
        const qint64 expected = total > 0 ? total : m_file->file.size;
        if (expected > 0)
            m_progress->setValue(int(1000 * received / expected));
        if (m_operations)
            m_operations->setProgress(m_downloadOperation, received, expected);
    });
    if (m_operations) {
        m_downloadOperation =
            m_operations->start(tr("Download %1").arg(m_file->file.path.section(QLatin1Char('/'), -1)),
                                [this] { abortDownload(); });
        m_operations->setProgress(m_downloadOperation, 0, m_file->file.size);
    }
    connect(m_reply, &QNetworkReply::finished, this, &DatasetDetailsPanel::finishDownload);
    render();
}

void DatasetDetailsPanel::cancelDownload()
{
    if (!m_reply)
        return;
    // Through the operation when there is one, so that it shows as cancelled.
    if (m_operations && m_downloadOperation && m_operations->cancel(m_downloadOperation))
        return;
    abortDownload();
}

void DatasetDetailsPanel::abortDownload()
{
    if (!m_reply)
        return;
    m_reply->disconnect(this);
    m_reply->abort();
    m_reply->deleteLater();
    m_reply = nullptr;
    if (m_target)
        m_target->cancelWriting();
    m_target.reset();
    m_status->setText(tr("Download cancelled."));
    endDownloadOperation(tr("cancelled"));
    render();
    emit downloadFinished(false, tr("cancelled"));
}

void DatasetDetailsPanel::endDownloadOperation(const QString& error)
{
    const quint64 operation = m_downloadOperation;
    m_downloadOperation = 0;
    if (m_operations && operation)
        m_operations->finish(operation, error);
}

void DatasetDetailsPanel::failDownload(const QString& message)
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    if (m_target)
        m_target->cancelWriting();
    m_target.reset();
    m_status->setText(message);
    endDownloadOperation(message);
    render();
    emit downloadFinished(false, message);
}

void DatasetDetailsPanel::finishDownload()
{
    QNetworkReply* reply = m_reply;
    if (!reply || !m_target)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        failDownload(tr("Download failed: %1").arg(reply->errorString()));
        return;
    }
    const QByteArray rest = reply->readAll();
    m_hash->addData(rest);
    m_received += rest.size();
    m_target->write(rest);
    const QString checksum = QStringLiteral("sha256:") + QString::fromLatin1(m_hash->result().toHex());
    if (m_received != m_file->file.size ||
        (!m_file->file.checksum.isEmpty() && checksum != m_file->file.checksum)) {
        failDownload(
            tr("The download does not match the recorded file (size %1 of %2, %3): nothing was saved.")
                .arg(m_received)
                .arg(m_file->file.size)
                .arg(checksum));
        return;
    }
    if (!m_target->commit()) {
        failDownload(tr("Cannot save the file: %1").arg(m_target->errorString()));
        return;
    }
    const QString path = m_target->fileName();
    m_target.reset();
    reply->deleteLater();
    m_reply = nullptr;
    m_progress->setValue(1000);
    m_status->setText(tr("Saved %1 (checksum verified).").arg(path));
    endDownloadOperation({});
    render();
    emit downloadFinished(true, path);
}

void DatasetDetailsPanel::setOperations(OperationsModel* operations)
{
    m_operations = operations;
}

} // namespace butler
