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
    const QList<qsizetype> counts = batchSizes(files.size(), m_options.batchFiles, hashWhileSending);

    QList<DatasetRef> refs;
    refs.reserve(files.size());
    QStringList openUploads;
    QList<Committed> committed;
    if (counts.isEmpty())
        co_return refs;
    // Every task started here is awaited before this returns: a task's frame must not go while
    // it still runs.
    qsizetype start = 0;
    std::unique_ptr<Batch> current = prepare(files, sizes, start, counts[0], hashWhileSending);
    Status status = co_await reserveBatch(run, current.get(), hashWhileSending, &openUploads);
    std::unique_ptr<Batch> committing;
    std::optional<QCoro::Task<Status>> commitDone;
    for (qsizetype b = 0; status.ok() && b < counts.size(); ++b) {
        const qsizetype nextStart = start + counts[b];
        // Overlapping batches: the next one is reserved, and this one's predecessor committed,
        // while this one's files are sent.
        std::unique_ptr<Batch> next;
        std::optional<QCoro::Task<Status>> nextReserved;
        if (b + 1 < counts.size() && hashWhileSending) {
            next = prepare(files, sizes, nextStart, counts[b + 1], hashWhileSending);
            nextReserved.emplace(reserveBatch(run, next.get(), hashWhileSending, &openUploads));
        }
        status = co_await sendBatch(current.get());
        if (commitDone) {
            const Status previous = co_await *commitDone;
            commitDone.reset();
            committing.reset();
            if (status.ok())
                status = previous;
        }
        if (status.ok()) {
            committing = std::move(current);
            commitDone.emplace(commitBatch(committing.get(), &openUploads, &committed, &refs));
            if (!hashWhileSending) {
                // One batch at a time: the next one's sha256s are read while nothing else is.
                const Status done = co_await *commitDone;
                commitDone.reset();
                committing.reset();
                status = done;
            }
        }
        if (nextReserved) {
            const Status reserved = co_await *nextReserved;
            if (status.ok())
                status = reserved;
        } else if (status.ok() && b + 1 < counts.size()) {
            next = prepare(files, sizes, nextStart, counts[b + 1], hashWhileSending);
            status = co_await reserveBatch(run, next.get(), hashWhileSending, &openUploads);
        }
        current = std::move(next);
        start = nextStart;
    }
    if (commitDone) {
        const Status last = co_await *commitDone;
        if (status.ok())
            status = last;
    }
    if (!status.ok())
        co_return co_await fail(status.error(), openUploads, committed);
    m_report.leftOnServer = false;
    co_return refs;
}

QList<qsizetype> RemoteUploader::batchSizes(qsizetype total, int batchFiles, bool pipelined)
{
    QList<qsizetype> counts;
    const qsizetype most = std::max(1, batchFiles);
    const qsizetype edge = std::max<qsizetype>(1, most / 8);
    qsizetype middle = total;
    // Too few files for three batches worth overlapping: as many full batches as it takes.
    if (pipelined && total >= 4 * edge)
        middle = total - 2 * edge;
    else
        pipelined = false;
    if (pipelined)
        counts.append(edge);
    // The files between, in as few batches as the limit allows, of sizes within one of another.
    const qsizetype parts = (middle + most - 1) / most;
    for (qsizetype i = 0; i < parts; ++i)
        counts.append(middle / parts + (i < middle % parts ? 1 : 0));
    if (pipelined)
        counts.append(edge);
    return counts;
}

std::unique_ptr<RemoteUploader::Batch> RemoteUploader::prepare(const QList<IngestFile>& files,
                                                               const QList<qint64>& sizes, qsizetype start,
                                                               qsizetype count, bool hashWhileSending) const
{
    auto batch = std::make_unique<Batch>();
    batch->specs.reserve(count);
    batch->paths.reserve(count);
    for (qsizetype i = start; i < start + count; ++i) {
        const IngestFile& file = files[i];
        UploadSpec spec;
        spec.datasetType = file.datasetType;
        spec.dataId = file.dataId;
        spec.formatter = file.formatter.isEmpty() ? FormatterLabel::forPath(file.path) : file.formatter;
        spec.size = sizes[i];
        batch->specs.append(std::move(spec));
        batch->paths.append(file.path);
    }
    // Checked after sending: the XXH3-128 the server answers, which one thread computes while
    // the batch is reserved and sent. Else the sha256s, for the reservation.
    batch->hasher = hashWhileSending
                        ? std::make_unique<FileHasher>(batch->paths, 1, ContentHash::Kind::Xxh128)
                        : sha256Hasher(batch->paths);
    return batch;
}

QCoro::Task<Status> RemoteUploader::reserveBatch(QString run, Batch* batch, bool hashWhileSending,
                                                 QStringList* openUploads)
{
    if (hashWhileSending) {
        auto early = co_await m_butler.reserveUploadAsync(run, batch->specs, m_options.resume);
        if (!early)
            co_return early.error();
        if (isPlainUploadGrant(early.value(), batch->specs.size())) {
            batch->grant = std::move(early).value();
            batch->checkAfterSending = true;
        } else if (!early->uploadId.isEmpty()) {
            // Slots whose content nothing checked (files the server holds already), or URLs
            // the plain sender does not take: reserved again, with the hashes.
            const auto aborted = co_await m_butler.abortUploadAsync(early->uploadId);
            if (!aborted) {
                openUploads->append(early->uploadId);
                m_report.leftOnServer = true;
                co_return aborted.error();
            }
        }
    }
    if (!batch->checkAfterSending) {
        if (batch->hasher->kind() != ContentHash::Kind::Sha256)
            batch->hasher = sha256Hasher(batch->paths);
        const Status hashed = co_await waitForHashes(*batch->hasher);
        if (!hashed.ok())
            co_return hashed;
        for (qsizetype i = 0; i < batch->specs.size(); ++i) {
            batch->specs[i].sha256 = batch->hasher->digest(i);
            batch->specs[i].size = batch->hasher->size(i);
        }
        auto reserved = co_await m_butler.reserveUploadAsync(run, batch->specs, m_options.resume);
        if (!reserved)
            co_return reserved.error();
        batch->grant = std::move(reserved).value();
    }
    if (!batch->grant->uploadId.isEmpty()) {
        openUploads->append(batch->grant->uploadId);
        m_report.leftOnServer = true;
    }
    if (batch->grant->files.size() != batch->specs.size())
        co_return ioError(QStringLiteral("the server answered %1 upload slots for %2 files")
                              .arg(batch->grant->files.size())
                              .arg(batch->specs.size()));
    co_return Status();
}

QCoro::Task<Status> RemoteUploader::sendBatch(Batch* batch)
{
    QList<Pending> pending;
    for (qsizetype i = 0; i < batch->specs.size(); ++i) {
        const UploadGrant::Slot& slot = batch->grant->files[i];
        if (slot.status == QLatin1String("upload")) {
            pending.append(Pending{slot.url, batch->paths[i], batch->specs[i].size, i});
        } else {
            ++m_report.skippedFiles;
            advance(batch->specs[i].size);
        }
    }
    QList<SignedPutSender::Received> received;
    // Not a ?: inside the co_await expression (GCC 12).
    QList<SignedPutSender::Received>* answers = nullptr;
    if (batch->checkAfterSending)
        answers = &received;
    const Status sent = co_await sendAll(pending, answers);
    if (!sent.ok())
        co_return sent;
    if (batch->checkAfterSending) {
        const Status checked = co_await checkReceived(*batch->hasher, pending, received);
        if (!checked.ok())
            co_return checked;
    }
    batch->hasher.reset();
    co_return Status();
}

QCoro::Task<Status> RemoteUploader::commitBatch(Batch* batch, QStringList* openUploads,
                                                QList<Committed>* committed, QList<DatasetRef>* refs)
{
    QHash<QUuid, DatasetRef> made;
    if (!batch->grant->uploadId.isEmpty()) {
        auto batchRefs = co_await m_butler.commitUploadAsync(batch->grant->uploadId);
        if (!batchRefs)
            co_return batchRefs.error();
        openUploads->removeOne(batch->grant->uploadId);
        Committed done{batch->grant->uploadId, {}};
        for (const DatasetRef& ref : std::as_const(batchRefs.value())) {
            made.insert(ref.id(), ref);
            done.ids.append(ref.id());
        }
        committed->append(std::move(done));
    }
    for (const UploadGrant::Slot& slot : std::as_const(batch->grant->files)) {
        if (slot.dataset) {
            refs->append(*slot.dataset);
            continue;
        }
        const auto it = made.constFind(slot.datasetId);
        if (it == made.constEnd())
            co_return ioError(QStringLiteral("the server committed no dataset %1")
                                  .arg(slot.datasetId.toString(QUuid::WithoutBraces)));
        refs->append(*it);
    }
    co_return Status();
}

std::unique_ptr<FileHasher> RemoteUploader::sha256Hasher(const QList<QString>& paths)
{
    return std::make_unique<FileHasher>(paths, std::clamp(QThread::idealThreadCount(), 1, 4),
                                        ContentHash::Kind::Sha256);
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
    const std::unique_ptr<FileHasher> sha256 = sha256Hasher(paths);
    const Status rehashed = co_await waitForHashes(*sha256);
    if (!rehashed.ok())
        co_return rehashed;
    for (qsizetype k = 0; k < bySha256.size(); ++k) {
        const Pending& item = pending[bySha256[k]];
        const QString remote = received.value(bySha256[k]).checksum;
        const QString local = QStringLiteral("sha256:") + sha256->digest(k);
        if (sha256->size(k) != item.size || remote.compare(local, Qt::CaseInsensitive) != 0)
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
