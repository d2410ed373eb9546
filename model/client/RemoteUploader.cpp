#include "RemoteUploader.h"

#include "ContentHash.h"
#include "CoroutineResult.h"
#include "FileHasher.h"
#include "FormatterLabel.h"
#include "RemoteButler.h"
#include "ThreadTask.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace butler {

Q_LOGGING_CATEGORY(lcClientUpload, "butler.client.upload")

RemoteUploader::RemoteUploader(RemoteButler& butler, UploadOptions options)
    : m_butler(butler)
    , m_options(std::move(options))
{
    m_options.parallel = std::max(1, m_options.parallel);
    m_options.batchFiles = std::max(1, m_options.batchFiles);
}

void RemoteUploader::advance(qint64 bytes)
{
    m_done += bytes;
    if (m_options.progress)
        m_options.progress(m_done, m_total);
}

QCoro::Task<Result<QList<DatasetRef>>> RemoteUploader::uploadAsync(QString run, QList<IngestFile> files)
{
    m_report = UploadReport();
    m_done = 0;
    m_total = 0;
    QList<qint64> sizes;
    sizes.reserve(files.size());
    for (const IngestFile& file : files) {
        if (!file.id.isNull())
            co_return invalidInput(
                QStringLiteral("a server repository makes the IDs of uploaded datasets; '%1' names its own")
                    .arg(file.path));
        const QFileInfo info(file.path);
        if (!info.isFile())
            co_return notFound(QStringLiteral("file to ingest %1 does not exist").arg(file.path));
        sizes.append(info.size());
        m_total += info.size();
    }
    advance(0);
    // Reserving before hashing needs the server's word on what it received, which only the
    // plain-http sender reads.
    const bool hashWhileSending =
        m_options.newRun && QUrl(m_butler.location()).scheme() == QLatin1String("http");
    const int cores = QThread::idealThreadCount();

    QList<DatasetRef> refs;
    refs.reserve(files.size());
    QStringList openUploads;
    QList<Committed> committed;
    for (qsizetype start = 0; start < files.size(); start += m_options.batchFiles) {
        const qsizetype count = std::min<qsizetype>(m_options.batchFiles, files.size() - start);
        QList<UploadSpec> specs;
        specs.reserve(count);
        QList<QString> paths;
        paths.reserve(count);
        for (qsizetype i = start; i < start + count; ++i) {
            const IngestFile& file = files[i];
            UploadSpec spec;
            spec.datasetType = file.datasetType;
            spec.dataId = file.dataId;
            spec.formatter = file.formatter.isEmpty() ? FormatterLabel::forPath(file.path) : file.formatter;
            spec.size = sizes[i];
            specs.append(std::move(spec));
            paths.append(file.path);
        }
        // Checked after sending: the XXH3-128 the server answers, which one thread computes
        // while the batch is reserved and sent. Else the sha256s, for the reservation.
        const auto sha256Hasher = [&paths, cores] {
            return std::make_unique<FileHasher>(paths, std::clamp(cores, 1, 4), ContentHash::Kind::Sha256);
        };
        auto hasher = hashWhileSending ? std::make_unique<FileHasher>(paths, 1, ContentHash::Kind::Xxh128)
                                       : sha256Hasher();
        std::optional<UploadGrant> grant;
        bool checkAfterSending = false;
        if (hashWhileSending) {
            auto early = co_await m_butler.reserveUploadAsync(run, specs, m_options.resume);
            if (!early)
                co_return co_await fail(early.error(), openUploads, committed);
            if (isPlainUploadGrant(early.value(), specs.size())) {
                grant = std::move(early).value();
                checkAfterSending = true;
            } else if (!early->uploadId.isEmpty()) {
                // Slots whose content nothing checked (files the server holds already), or URLs
                // the plain sender does not take: reserved again, with the hashes.
                const auto aborted = co_await m_butler.abortUploadAsync(early->uploadId);
                if (!aborted) {
                    openUploads.append(early->uploadId);
                    m_report.leftOnServer = true;
                    co_return co_await fail(aborted.error(), openUploads, committed);
                }
            }
        }
        if (!checkAfterSending) {
            if (hasher->kind() != ContentHash::Kind::Sha256)
                hasher = sha256Hasher();
            const Status hashed = co_await waitForHashes(*hasher);
            if (!hashed.ok())
                co_return co_await fail(hashed.error(), openUploads, committed);
            for (qsizetype i = 0; i < specs.size(); ++i) {
                specs[i].sha256 = hasher->digest(i);
                specs[i].size = hasher->size(i);
            }
            auto reserved = co_await m_butler.reserveUploadAsync(run, specs, m_options.resume);
            if (!reserved)
                co_return co_await fail(reserved.error(), openUploads, committed);
            grant = std::move(reserved).value();
        }
        if (grant->files.size() != specs.size()) {
            const Error mismatch = ioError(QStringLiteral("the server answered %1 upload slots for %2 files")
                                               .arg(grant->files.size())
                                               .arg(specs.size()));
            co_return co_await fail(mismatch, openUploads, committed);
        }
        if (!grant->uploadId.isEmpty()) {
            openUploads.append(grant->uploadId);
            m_report.leftOnServer = true;
        }
        QList<Pending> pending;
        for (qsizetype i = 0; i < specs.size(); ++i) {
            const UploadGrant::Slot& slot = grant->files[i];
            if (slot.status == QLatin1String("upload")) {
                pending.append(Pending{slot.url, files[start + i].path, specs[i].size, i});
            } else {
                ++m_report.skippedFiles;
                advance(specs[i].size);
            }
        }
        QList<SignedPutSender::Received> received;
        // Not a ?: inside the co_await expression (GCC 12).
        QList<SignedPutSender::Received>* answers = nullptr;
        if (checkAfterSending)
            answers = &received;
        const Status sent = co_await sendAll(pending, answers);
        if (!sent.ok())
            co_return co_await fail(sent.error(), openUploads, committed);
        if (checkAfterSending) {
            const Status checked = co_await checkReceived(*hasher, pending, received);
            if (!checked.ok())
                co_return co_await fail(checked.error(), openUploads, committed);
        }
        hasher.reset();
        QHash<QUuid, DatasetRef> made;
        if (!grant->uploadId.isEmpty()) {
            auto batchRefs = co_await m_butler.commitUploadAsync(grant->uploadId);
            if (!batchRefs)
                co_return co_await fail(batchRefs.error(), openUploads, committed);
            openUploads.removeOne(grant->uploadId);
            Committed batch{grant->uploadId, {}};
            for (const DatasetRef& ref : std::as_const(batchRefs.value())) {
                made.insert(ref.id(), ref);
                batch.ids.append(ref.id());
            }
            committed.append(std::move(batch));
        }
        for (const UploadGrant::Slot& slot : std::as_const(grant->files)) {
            if (slot.dataset) {
                refs.append(*slot.dataset);
                continue;
            }
            const auto it = made.constFind(slot.datasetId);
            if (it == made.constEnd()) {
                const Error missing = ioError(QStringLiteral("the server committed no dataset %1")
                                                  .arg(slot.datasetId.toString(QUuid::WithoutBraces)));
                co_return co_await fail(missing, openUploads, committed);
            }
            refs.append(*it);
        }
    }
    m_report.leftOnServer = false;
    co_return refs;
}

bool RemoteUploader::isPlainUploadGrant(const UploadGrant& grant, qsizetype fileCount)
{
    if (grant.uploadId.isEmpty() || grant.files.size() != fileCount)
        return false;
    QList<SignedPutSender::File> files;
    files.reserve(grant.files.size());
    for (const UploadGrant::Slot& slot : grant.files) {
        if (slot.status != QLatin1String("upload"))
            return false;
        files.append(SignedPutSender::File{QUrl(slot.url), QString(), 0});
    }
    return SignedPutSender::supports(files);
}

QCoro::Task<Status> RemoteUploader::waitForHashes(FileHasher& hasher)
{
    // On a thread of its own: this thread keeps its event loop.
    Status status;
    std::function<void()> wait = [&status, &hasher] { status = hasher.wait(); };
    co_await ThreadTask::run(std::move(wait));
    co_return status;
}

QCoro::Task<Status> RemoteUploader::checkReceived(FileHasher& hasher, QList<Pending> pending,
                                                  QList<SignedPutSender::Received> received)
{
    const Status hashed = co_await waitForHashes(hasher);
    if (!hashed.ok())
        co_return hashed;
    const auto differs = [](const Pending& item, const QString& remote, const QString& local) {
        return conflict(QStringLiteral("%1 changed while it was being uploaded, or was damaged on the way "
                                       "(the server received %2, the file has %3); run the upload again")
                            .arg(item.path, remote, local));
    };
    // Answers that name only a sha256 (a server without XXH3-128): those files are hashed again.
    QList<qsizetype> bySha256;
    for (qsizetype i = 0; i < pending.size(); ++i) {
        const Pending& item = pending[i];
        const SignedPutSender::Received remote = received.value(i);
        if (remote.xxh128.isEmpty() || hasher.kind() != ContentHash::Kind::Xxh128) {
            if (remote.checksum.isEmpty())
                co_return ioError(QStringLiteral("the server did not say what it received of %1; run the "
                                                 "upload again")
                                      .arg(item.path));
            bySha256.append(i);
            continue;
        }
        const QString local = hasher.digest(item.index);
        if (hasher.size(item.index) != item.size || remote.xxh128.compare(local, Qt::CaseInsensitive) != 0)
            co_return differs(item, QStringLiteral("xxh128:") + remote.xxh128,
                              QStringLiteral("xxh128:") + local);
    }
    if (bySha256.isEmpty())
        co_return Status();
    QList<QString> paths;
    for (const qsizetype i : std::as_const(bySha256))
        paths.append(pending[i].path);
    FileHasher sha256(paths, std::clamp(QThread::idealThreadCount(), 1, 4), ContentHash::Kind::Sha256);
    const Status rehashed = co_await waitForHashes(sha256);
    if (!rehashed.ok())
        co_return rehashed;
    for (qsizetype k = 0; k < bySha256.size(); ++k) {
        const Pending& item = pending[bySha256[k]];
        const QString remote = received.value(bySha256[k]).checksum;
        const QString local = QStringLiteral("sha256:") + sha256.digest(k);
        if (sha256.size(k) != item.size || remote.compare(local, Qt::CaseInsensitive) != 0)
            co_return differs(item, remote, local);
    }
    co_return Status();
}

QCoro::Task<Status> RemoteUploader::sendAll(QList<Pending> pending,
                                            QList<SignedPutSender::Received>* received)
{
    if (pending.isEmpty())
        co_return Status();
    QList<SignedPutSender::File> files;
    files.reserve(pending.size());
    for (const Pending& item : std::as_const(pending))
        files.append(SignedPutSender::File{QUrl(item.url), item.path, item.size});
    if (SignedPutSender::supports(files))
        co_return co_await sendPlain(std::move(files), received);
    // Workers take the next file until none is left or one failed.
    struct Shared
    {
        QList<Pending> items;
        qsizetype next = 0;
        bool failed = false;
    };
    auto shared = std::make_shared<Shared>();
    shared->items = std::move(pending);
    auto worker = [](RemoteUploader* self, std::shared_ptr<Shared> state) -> QCoro::Task<Status> {
        while (!state->failed && state->next < state->items.size()) {
            const Pending item = state->items[state->next++];
            auto sent = std::make_shared<qint64>(0);
            // Named, not a temporary of the co_await expression: GCC 12 may destroy those twice.
            std::function<void(qint64)> progress = [self, sent](qint64 bytes) {
                self->advance(bytes - *sent);
                *sent = bytes;
            };
            const Status status =
                co_await self->m_butler.putFileAsync(item.url, item.path, item.size, progress);
            if (!status.ok()) {
                state->failed = true;
                co_return status;
            }
            self->advance(item.size - *sent);
            ++self->m_report.sentFiles;
            self->m_report.sentBytes += item.size;
        }
        co_return Status();
    };
    std::vector<QCoro::Task<Status>> workers;
    const int count = int(std::min<qsizetype>(m_options.parallel, shared->items.size()));
    workers.reserve(count);
    for (int i = 0; i < count; ++i)
        workers.push_back(worker(this, shared));
    Status first;
    for (QCoro::Task<Status>& task : workers) {
        const Status status = co_await task;
        if (!status.ok() && first.ok())
            first = status;
    }
    co_return first;
}

QCoro::Task<Status> RemoteUploader::sendPlain(QList<SignedPutSender::File> files,
                                              QList<SignedPutSender::Received>* received)
{
    // The sender blocks on its own threads; this thread keeps its event loop and hears of each
    // file that arrived through a queued call.
    auto sender = std::make_shared<SignedPutSender>(files, m_options.parallel, std::chrono::minutes(2));
    QObject context;
    const auto arrived = [this, &context, &files](qsizetype index) {
        const qint64 size = files[index].size;
        QMetaObject::invokeMethod(
            &context,
            [this, size] {
                advance(size);
                ++m_report.sentFiles;
                m_report.sentBytes += size;
            },
            Qt::QueuedConnection);
    };
    Status status;
    std::function<void()> send = [&status, &sender, &arrived] { status = sender->run(arrived); };
    co_await ThreadTask::run(std::move(send));
    // What the sending threads reported last is still queued.
    QCoreApplication::sendPostedEvents(&context);
    if (received) {
        received->clear();
        for (qsizetype i = 0; i < files.size(); ++i)
            received->append(sender->received(i));
    }
    co_return status;
}

QCoro::Task<Error> RemoteUploader::fail(Error error, QStringList openUploads, QList<Committed> committed)
{
    if (!m_options.undoOnFailure)
        co_return error;
    // All or nothing: what this call made goes again.
    for (const QString& uploadId : std::as_const(openUploads)) {
        const auto aborted = co_await m_butler.abortUploadAsync(uploadId);
        if (!aborted)
            qCWarning(lcClientUpload)
                << "could not abort upload" << uploadId << ":" << aborted.error().message();
    }
    // Datasets made a moment ago by this very call go for good: the trash is for removals
    // someone may regret, and would keep their files (and quota) for weeks.
    QList<QUuid> left;
    for (const Committed& batch : std::as_const(committed)) {
        const auto undone = co_await m_butler.undoUploadAsync(batch.uploadId);
        if (!undone) {
            qCWarning(lcClientUpload) << "could not undo upload" << batch.uploadId << ":"
                                      << undone.error().message() << "; pruning its datasets instead";
            left.append(batch.ids);
        }
    }
    if (!left.isEmpty()) {
        const Status pruned = co_await m_butler.pruneDatasetsAsync(left, true, true);
        if (!pruned.ok())
            qCWarning(lcClientUpload)
                << "could not remove the datasets of a failed upload:" << pruned.error().message();
    }
    m_report.leftOnServer = false;
    co_return error;
}

} // namespace butler
