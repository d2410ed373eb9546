#include "UploadService.h"

#include "AuthorizedButler.h"
#include "Database.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "FileRequest.h"
#include "QuotaStore.h"
#include "Registry.h"
#include "RepositoryService.h"
#include "UploadReceiver.h"
#include "UploadStore.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcUploads, "butler.server.uploads")

namespace butler {

namespace {

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

bool isSha256Hex(const QString& text)
{
    if (text.size() != 64)
        return false;
    for (const QChar c : text) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

bool isFormatterLabel(const QString& label)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9][a-z0-9_+.-]{0,31}$"));
    return pattern.match(label).hasMatch();
}

Error unknownUpload(const QString& uploadId)
{
    return notFound(
        QStringLiteral("there is no open upload '%1' of yours: it was aborted, it expired, or it was "
                       "committed long ago; reserve the files again")
            .arg(uploadId.left(64)));
}

} // namespace

QJsonObject UploadService::Slot::toJson() const
{
    QJsonObject json{{QStringLiteral("dataset_id"), datasetId.toString(QUuid::WithoutBraces)},
                     {QStringLiteral("status"), status},
                     {QStringLiteral("path"), path}};
    if (!url.isEmpty()) {
        json.insert(QStringLiteral("url"), url);
        json.insert(QStringLiteral("expires"), expires);
    }
    if (ref)
        json.insert(QStringLiteral("dataset"), ref->toJson());
    return json;
}

QJsonObject UploadService::Grant::toJson() const
{
    QJsonArray array;
    for (const Slot& slot : files)
        array.append(slot.toJson());
    QJsonObject json{{QStringLiteral("files"), array}, {QStringLiteral("reserved_bytes"), reservedBytes}};
    json.insert(QStringLiteral("upload_id"), uploadId.isEmpty() ? QJsonValue() : QJsonValue(uploadId));
    if (!uploadId.isEmpty())
        json.insert(QStringLiteral("expires"), expires);
    return json;
}

UploadService::UploadService(RepositoryService& repository, Options options)
    : m_repository(repository)
    , m_options(options)
{
}

Result<UploadService::Grant> UploadService::reserve(AuthorizedButler& butler, const Request& request)
{
    const QString& user = butler.identity().user;
    const qint64 now = nowSeconds();
    if (request.files.isEmpty())
        return invalidInput(QStringLiteral("an upload needs at least one file"));
    if (request.files.size() > m_options.maxBatchFiles)
        return invalidInput(QStringLiteral("an upload takes at most %1 files, not %2: split it into batches")
                                .arg(m_options.maxBatchFiles)
                                .arg(request.files.size()));
    BUTLER_TRY(butler.checkPutInto(request.run));

    DirectButler& direct = m_repository.butler();
    Registry& registry = direct.registry();
    FileDatastore& datastore = direct.datastore();
    QuotaStore& quotas = m_repository.quotas();
    UploadStore& uploads = m_repository.uploads();

    // Everything that needs no lock first: types, data IDs, sizes, duplicates.
    struct Planned
    {
        DatasetType type;
        DataCoordinate dataId;
        QString formatter;
        QString sha256;
    };
    QList<Planned> planned;
    planned.reserve(request.files.size());
    QHash<QString, DatasetType> types;
    QHash<QString, qsizetype> seen;
    for (qsizetype i = 0; i < request.files.size(); ++i) {
        const File& file = request.files[i];
        const QString where = QStringLiteral("files[%1]").arg(i);
        if (file.size < 0)
            return invalidInput(QStringLiteral("%1: a size of 0 or more bytes is needed").arg(where));
        if (file.size > m_options.maxFileBytes)
            return Error(ErrorKind::QuotaExceeded,
                         QStringLiteral("%1: %2 bytes is more than the %3 bytes this server takes per file")
                             .arg(where)
                             .arg(file.size)
                             .arg(m_options.maxFileBytes));
        Planned p;
        p.sha256 = file.sha256.toLower();
        if (!p.sha256.isEmpty() && !isSha256Hex(p.sha256))
            return invalidInput(QStringLiteral("%1: sha256 must be 64 hexadecimal digits").arg(where));
        p.formatter = file.formatter.isEmpty() ? QStringLiteral("bytes") : file.formatter;
        if (!isFormatterLabel(p.formatter))
            return invalidInput(
                QStringLiteral("%1: '%2' is not a formatter label (such as fits, json, bytes)")
                    .arg(where, p.formatter.left(40)));
        auto type = types.constFind(file.datasetType);
        if (type == types.constEnd()) {
            auto found = butler.getDatasetType(file.datasetType);
            if (!found)
                return found.error().withContext(where);
            type = types.insert(file.datasetType, std::move(found).value());
        }
        p.type = *type;
        auto dataId = registry.expandDataId(p.type.dimensions(), file.dataId);
        if (!dataId)
            return dataId.error().withContext(where);
        p.dataId = std::move(dataId).value();
        const QString key = p.type.name() + QChar(0x1e) + p.dataId.key();
        if (const auto it = seen.constFind(key); it != seen.constEnd())
            return invalidInput(QStringLiteral("%1 names the same %2 dataset as files[%3]: %4")
                                    .arg(where, p.type.name())
                                    .arg(*it)
                                    .arg(p.dataId.requiredOnly().toString()));
        seen.insert(key, i);
        planned.append(std::move(p));
    }

    Grant grant;
    grant.uploadId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    grant.expires = now + m_options.ttlSeconds;
    QStringList replacedFiles;
    bool anySlot = false;
    {
        Transaction tx(registry.database());
        BUTLER_TRY(tx.begin());
        qint64 needed = 0;
        for (qsizetype i = 0; i < planned.size(); ++i) {
            const Planned& p = planned[i];
            const File& file = request.files[i];
            const QString where = QStringLiteral("files[%1]").arg(i);
            const QVariantMap required = p.dataId.requiredOnly().toMap();
            BUTLER_ASSIGN_OR_RETURN(const std::optional<DatasetRef> existing,
                                    direct.findDataset(p.type.name(), required, {request.run}));
            if (existing) {
                // Already stored: fine when it is this very file (a rerun), else a conflict.
                BUTLER_ASSIGN_OR_RETURN(const QList<FileInfo> stored, direct.fileInfo({existing->id()}));
                const bool same = request.resume && !stored.isEmpty() && stored.first().size == file.size &&
                                  !p.sha256.isEmpty() &&
                                  stored.first().checksum == QStringLiteral("sha256:") + p.sha256;
                if (!same)
                    return conflict(QStringLiteral("%1: run '%2' already has a %3 dataset for %4%5")
                                        .arg(where, request.run, p.type.name(),
                                             p.dataId.requiredOnly().toString(),
                                             !request.resume || p.sha256.isEmpty()
                                                 ? QString()
                                                 : QStringLiteral(" with other content")));
                Slot slot;
                slot.datasetId = existing->id();
                slot.status = QStringLiteral("exists");
                slot.path = stored.first().path;
                slot.ref = existing;
                grant.files.append(slot);
                continue;
            }
            BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadSlot> open,
                                    uploads.openSlotFor(request.run, p.type.name(), p.dataId.key()));
            if (open) {
                if (open->user != user)
                    return conflict(
                        QStringLiteral("%1: another user is uploading the %2 dataset for %3 into run "
                                       "'%4'; try again when that upload is over")
                            .arg(where, p.type.name(), p.dataId.requiredOnly().toString(), request.run));
                const bool sameContent =
                    open->size == file.size && open->formatter == p.formatter &&
                    (p.sha256.isEmpty() ? open->expectedSha256.isEmpty()
                                        : open->expectedSha256 == p.sha256 ||
                                              open->checksum == QStringLiteral("sha256:") + p.sha256);
                if (sameContent) {
                    // A resumed upload: the slot moves into this batch and keeps what arrived.
                    BUTLER_TRY(uploads.adoptSlot(open->datasetId, grant.uploadId, grant.expires, int(i)));
                    Slot slot;
                    slot.datasetId = open->datasetId;
                    slot.path = open->path;
                    slot.status = open->state == UploadSlot::State::Uploaded ? QStringLiteral("uploaded")
                                                                             : QStringLiteral("upload");
                    grant.files.append(slot);
                    anySlot = true;
                    continue;
                }
                // Other content for the same dataset: the old slot goes.
                BUTLER_TRY(uploads.removeSlots({open->datasetId}));
                BUTLER_TRY(quotas.release(user, open->size));
                replacedFiles.append(open->path);
            }
            UploadSlot slot;
            slot.datasetId = QUuid::createUuid();
            slot.uploadId = grant.uploadId;
            slot.user = user;
            slot.run = request.run;
            slot.datasetType = p.type.name();
            slot.dataId = p.dataId.requiredOnly().toJson();
            slot.dataIdKey = p.dataId.key();
            BUTLER_ASSIGN_OR_RETURN(
                slot.path, datastore.pathFor(DatasetRef(slot.datasetId, p.type, p.dataId, request.run),
                                             FileDatastore::extensionFor(p.formatter)));
            slot.size = file.size;
            slot.formatter = p.formatter;
            slot.expectedSha256 = p.sha256;
            slot.expires = grant.expires;
            slot.ordinal = int(i);
            BUTLER_TRY(uploads.insertSlot(slot));
            needed += slot.size;
            anySlot = true;
            Slot granted;
            granted.datasetId = slot.datasetId;
            granted.status = QStringLiteral("upload");
            granted.path = slot.path;
            grant.files.append(granted);
        }
        if (anySlot) {
            UploadBatch batch;
            batch.uploadId = grant.uploadId;
            batch.user = user;
            batch.run = request.run;
            batch.createdAt = now;
            BUTLER_TRY(uploads.insertBatch(batch));
        }
        BUTLER_TRY(quotas.reserve(user, needed));
        BUTLER_TRY(tx.commit());
        grant.reservedBytes = needed;
    }
    deleteFiles(replacedFiles);
    if (!anySlot)
        grant.uploadId.clear();
    for (qsizetype i = 0; i < grant.files.size(); ++i) {
        Slot& slot = grant.files[i];
        if (slot.status != QLatin1String("upload"))
            continue;
        BUTLER_ASSIGN_OR_RETURN(
            const SignedLocation url,
            m_repository.signedPutUrl(slot.path, request.files[i].size, m_options.ttlSeconds));
        slot.url = url.url;
        slot.expires = url.expires;
    }
    qCInfo(lcUploads).noquote() << "user" << user << "reserved" << grant.reservedBytes << "bytes for"
                                << request.files.size() << "files into" << request.run << "as upload"
                                << (grant.uploadId.isEmpty() ? QStringLiteral("(none)") : grant.uploadId);
    return grant;
}

Result<QList<DatasetRef>> UploadService::committedRefs(const QString& uploadId)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> slotList, m_repository.uploads().slotsOf(uploadId));
    QList<DatasetRef> refs;
    refs.reserve(slotList.size());
    for (const UploadSlot& slot : slotList) {
        auto ref = m_repository.butler().getDataset(slot.datasetId);
        if (ref)
            refs.append(std::move(ref).value());
        else if (ref.error().kind() != ErrorKind::NotFound)
            return ref.error();
    }
    return refs;
}

Result<QList<DatasetRef>> UploadService::commit(AuthorizedButler& butler, const QString& uploadId)
{
    const QString& user = butler.identity().user;
    UploadStore& uploads = m_repository.uploads();
    BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> found, uploads.batch(uploadId));
    if (!found || found->user != user)
        return unknownUpload(uploadId);
    if (found->committed)
        return committedRefs(uploadId);
    const QString run = found->run;
    BUTLER_TRY(butler.checkPutInto(run));

    DirectButler& direct = m_repository.butler();
    Registry& registry = direct.registry();
    QList<DatasetRef> refs;
    {
        Transaction tx(registry.database());
        BUTLER_TRY(tx.begin());
        // Again under the write lock: a concurrent commit or abort of the same batch wins.
        BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> batch, uploads.batch(uploadId));
        if (!batch)
            return unknownUpload(uploadId);
        if (batch->committed) {
            BUTLER_TRY(tx.commit());
            return committedRefs(uploadId);
        }
        BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> slotList, uploads.slotsOf(uploadId));
        if (slotList.isEmpty())
            return unknownUpload(uploadId);
        QStringList missing;
        for (const UploadSlot& slot : slotList) {
            bool arrived = slot.state == UploadSlot::State::Uploaded;
            if (arrived) {
                BUTLER_ASSIGN_OR_RETURN(const QString full, direct.datastore().absolutePath(slot.path));
                const QFileInfo info(full);
                arrived = info.isFile() && info.size() == slot.size;
            }
            if (!arrived)
                missing.append(slot.path);
        }
        if (!missing.isEmpty())
            return conflict(
                QStringLiteral("upload '%1' is not complete: %2 of %3 files have not arrived (the first "
                               "is %4); upload them and commit again")
                    .arg(uploadId)
                    .arg(missing.size())
                    .arg(slotList.size())
                    .arg(missing.first()));
        QList<Registry::NewDataset> entries;
        entries.reserve(slotList.size());
        for (const UploadSlot& slot : slotList)
            entries.append(
                Registry::NewDataset{slot.datasetType, slot.dataId.toVariantMap(), slot.datasetId});
        BUTLER_ASSIGN_OR_RETURN(refs, registry.insertDatasets(run, entries, DatasetIdMode::Unique));
        QHash<QString, QString> storageClasses;
        for (const DatasetRef& ref : std::as_const(refs))
            storageClasses.insert(ref.datasetType().name(), ref.datasetType().storageClass());
        BUTLER_TRY(uploads.insertFileRecords(uploadId, storageClasses));
        BUTLER_TRY(m_repository.quotas().chargeUpload(user, uploadId));
        BUTLER_TRY(uploads.markCommitted(uploadId, nowSeconds()));
        BUTLER_TRY(tx.commit());
    }
    qCInfo(lcUploads).noquote() << "user" << user << "committed upload" << uploadId << "with" << refs.size()
                                << "datasets into" << run;
    return refs;
}

Result<qint64> UploadService::abort(AuthorizedButler& butler, const QString& uploadId)
{
    const QString& user = butler.identity().user;
    UploadStore& uploads = m_repository.uploads();
    qint64 released = 0;
    QStringList files;
    {
        Transaction tx(m_repository.butler().registry().database());
        BUTLER_TRY(tx.begin());
        BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> batch, uploads.batch(uploadId));
        if (!batch || batch->user != user)
            return unknownUpload(uploadId);
        if (batch->committed)
            return conflict(
                QStringLiteral("upload '%1' was committed; prune its datasets to remove them").arg(uploadId));
        BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> slotList, uploads.slotsOf(uploadId));
        for (const UploadSlot& slot : slotList) {
            released += slot.size;
            files.append(slot.path);
        }
        BUTLER_TRY(uploads.removeBatch(uploadId));
        BUTLER_TRY(m_repository.quotas().release(user, released));
        BUTLER_TRY(tx.commit());
    }
    deleteFiles(files);
    qCInfo(lcUploads).noquote() << "user" << user << "aborted upload" << uploadId << "releasing" << released
                                << "bytes";
    return released;
}

Result<DatasetRef> UploadService::put(AuthorizedButler& butler, const QByteArray& bytes,
                                      const QString& formatter, const QString& datasetType,
                                      const QVariantMap& dataId, const QString& run)
{
    const QString& user = butler.identity().user;
    BUTLER_TRY(butler.checkPutInto(run));
    if (bytes.size() > m_options.maxFileBytes)
        return Error(ErrorKind::QuotaExceeded,
                     QStringLiteral("%1 bytes is more than the %2 bytes this server "
                                    "takes per file")
                         .arg(bytes.size())
                         .arg(m_options.maxFileBytes));
    Transaction tx(m_repository.butler().registry().database());
    BUTLER_TRY(tx.begin());
    BUTLER_TRY(m_repository.quotas().reserve(user, bytes.size()));
    BUTLER_ASSIGN_OR_RETURN(DatasetRef ref,
                            m_repository.butler().put(bytes, formatter, datasetType, dataId, run));
    BUTLER_TRY(m_repository.quotas().charge(user, {{ref.id(), qint64(bytes.size())}}));
    BUTLER_TRY(tx.commit());
    return ref;
}

Result<std::shared_ptr<UploadReceiver>> UploadService::openReceiver(const FileRequest& file, qint64 size)
{
    BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadSlot> slot,
                            m_repository.uploads().slotByPath(file.relativePath()));
    if (!slot)
        return notFound(
            QStringLiteral("no upload is open for this URL: it was aborted, it expired, or it was "
                           "never reserved"));
    if (!slot->isOpen())
        return conflict(QStringLiteral("this upload was committed; its file cannot change"));
    if (slot->size != size)
        return Error(ErrorKind::PermissionDenied, QStringLiteral("this URL was not signed for this upload"));
    if (slot->expires < nowSeconds())
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("this upload expired; reserve the files again"));
    BUTLER_ASSIGN_OR_RETURN(const QString absolute, file.resolveForWrite(m_repository.datastoreRoot()));
    return UploadReceiver::create(absolute, file.relativePath(), size, slot->expectedSha256);
}

Result<QJsonObject> UploadService::receive(UploadReceiver& receiver)
{
    Arrival arrival;
    arrival.receiver = &receiver;
    std::unique_lock lock(m_arrivalMutex);
    m_arrivals.append(&arrival);
    while (!arrival.result) {
        if (m_storing) {
            m_arrivalStored.wait(lock);
            continue;
        }
        m_storing = true;
        while (!m_arrivals.isEmpty()) {
            const QList<Arrival*> group = std::exchange(m_arrivals, {});
            lock.unlock();
            storeGroup(group);
            lock.lock();
            m_arrivalStored.notify_all();
        }
        m_storing = false;
        m_arrivalStored.notify_all();
    }
    return std::move(*arrival.result);
}

void UploadService::storeGroup(const QList<Arrival*>& group)
{
    Transaction tx(m_repository.butler().registry().database());
    if (const Status began = tx.begin(); !began.ok()) {
        for (Arrival* arrival : group)
            arrival->result = began.error();
        return;
    }
    for (Arrival* arrival : group)
        arrival->result = storeArrival(*arrival->receiver);
    if (const Status committed = tx.commit(); !committed.ok()) {
        // The files are in place; their slots still say otherwise, so a repeated PUT works.
        for (Arrival* arrival : group)
            arrival->result = committed.error();
    }
}

Result<QJsonObject> UploadService::storeArrival(UploadReceiver& receiver)
{
    UploadStore& uploads = m_repository.uploads();
    // Checked again under the write lock: a commit, abort or expiry since the header came wins,
    // and the receiver then deletes what it wrote.
    BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadSlot> slot,
                            uploads.slotByPath(receiver.relativePath()));
    if (!slot)
        return notFound(QStringLiteral("the upload was aborted or expired while its file arrived"));
    if (!slot->isOpen())
        return conflict(QStringLiteral("this upload was committed; its file cannot change"));
    if (slot->size != receiver.size())
        return Error(ErrorKind::PermissionDenied, QStringLiteral("this URL was not signed for this upload"));
    BUTLER_TRY(receiver.place());
    BUTLER_TRY(uploads.markUploaded(slot->datasetId, receiver.checksum()));
    return QJsonObject{{QStringLiteral("dataset_id"), slot->datasetId.toString(QUuid::WithoutBraces)},
                       {QStringLiteral("size"), receiver.size()},
                       {QStringLiteral("checksum"), receiver.checksum()}};
}

Result<int> UploadService::expire(qint64 now)
{
    UploadStore& uploads = m_repository.uploads();
    QStringList files;
    int freed = 0;
    {
        Transaction tx(m_repository.butler().registry().database());
        BUTLER_TRY(tx.begin());
        BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> expired, uploads.expiredSlots(now));
        QHash<QString, qint64> releasedByUser;
        QList<QUuid> ids;
        for (const UploadSlot& slot : expired) {
            releasedByUser[slot.user] += slot.size;
            ids.append(slot.datasetId);
            files.append(slot.path);
        }
        BUTLER_TRY(uploads.removeSlots(ids));
        for (auto it = releasedByUser.cbegin(); it != releasedByUser.cend(); ++it)
            BUTLER_TRY(m_repository.quotas().release(it.key(), it.value()));
        BUTLER_TRY(uploads.removeStaleBatches(now - m_options.committedRetentionSeconds));
        BUTLER_TRY(tx.commit());
        freed = int(expired.size());
    }
    deleteFiles(files);
    if (freed > 0)
        qCInfo(lcUploads) << "freed" << freed << "expired upload slots in" << m_repository.label();
    return freed;
}

void UploadService::deleteFiles(const QStringList& relativePaths)
{
    FileDatastore& datastore = m_repository.butler().datastore();
    for (const QString& path : relativePaths) {
        if (const Status removed = datastore.remove(path); !removed.ok())
            qCWarning(lcUploads).noquote() << "could not remove" << path << ":" << removed.error().message();
    }
}

} // namespace butler
