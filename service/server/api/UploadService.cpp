#include "UploadService.h"

#include "AuthorizedButler.h"
#include "Database.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "FileRequest.h"
#include "QuotaStore.h"
#include "Registry.h"
#include "RepositoryService.h"
#include "Sha256.h"
#include "TimeOrderedUuid.h"
#include "UploadReceiver.h"
#include "UploadStore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

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
    QList<UploadSlot> newSlots;
    QStringList adoptedPaths;
    bool anySlot = false;
    // Replaced slots are closed inside the transaction; forgotten whatever happens.
    const auto forgetReplaced = qScopeGuard([&] { forgetSlots(replacedFiles); });
    {
        Transaction tx(registry.database());
        BUTLER_TRY(tx.begin());
        // A query per dataset type and one for the run's open slots, not one each per file: a
        // type the run has no dataset of needs no look-up per file (a fresh run, usually).
        QSet<QString> typesInRun;
        for (auto type = types.cbegin(); type != types.cend(); ++type) {
            DatasetQuery query;
            query.datasetTypes = {type->name()};
            query.collections = {request.run};
            query.limit = 1;
            BUTLER_ASSIGN_OR_RETURN(const DatasetPage page, registry.queryDatasets(query));
            if (!page.refs.isEmpty())
                typesInRun.insert(type->name());
        }
        QHash<QString, UploadSlot> openSlots; // by dataset type + 0x1e + data ID key
        {
            BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> openInRun, uploads.openSlotsIn(request.run));
            for (const UploadSlot& slot : openInRun)
                openSlots.insert(slot.datasetType + QChar(0x1e) + slot.dataIdKey, slot);
        }
        qint64 needed = 0;
        // Time-ordered: the commit appends the batch to the registry's ID indexes.
        const QList<QUuid> newIds = TimeOrderedUuid::generate(planned.size());
        for (qsizetype i = 0; i < planned.size(); ++i) {
            const Planned& p = planned[i];
            const File& file = request.files[i];
            const QString where = QStringLiteral("files[%1]").arg(i);
            std::optional<DatasetRef> existing;
            if (typesInRun.contains(p.type.name())) {
                BUTLER_ASSIGN_OR_RETURN(
                    existing,
                    direct.findDataset(p.type.name(), p.dataId.requiredOnly().toMap(), {request.run}));
            }
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
            const auto openIt = openSlots.constFind(p.type.name() + QChar(0x1e) + p.dataId.key());
            const std::optional<UploadSlot> open =
                openIt == openSlots.constEnd() ? std::nullopt : std::optional<UploadSlot>(*openIt);
            if (open) {
                if (open->user != user)
                    return conflict(
                        QStringLiteral("%1: another user is uploading the %2 dataset for %3 into run "
                                       "'%4'; try again when that upload is over")
                            .arg(where, p.type.name(), p.dataId.requiredOnly().toString(), request.run));
                const QString arrivedChecksum = [&] {
                    std::lock_guard lock(m_slotMutex);
                    const auto known = m_slots.constFind(open->path);
                    return known != m_slots.constEnd() ? known->checksum : open->checksum;
                }();
                const bool sameContent =
                    open->size == file.size && open->formatter == p.formatter &&
                    (p.sha256.isEmpty() ? open->expectedSha256.isEmpty()
                                        : open->expectedSha256 == p.sha256 ||
                                              arrivedChecksum == QStringLiteral("sha256:") + p.sha256);
                if (sameContent) {
                    // A resumed upload: the slot moves into this batch and keeps what arrived (a
                    // file at a slot's path is a complete upload of it).
                    BUTLER_TRY(uploads.adoptSlot(open->datasetId, grant.uploadId, grant.expires, int(i)));
                    adoptedPaths.append(open->path);
                    BUTLER_ASSIGN_OR_RETURN(const QString full, datastore.absolutePath(open->path));
                    const QFileInfo info(full);
                    Slot slot;
                    slot.datasetId = open->datasetId;
                    slot.path = open->path;
                    slot.status = info.isFile() && info.size() == open->size ? QStringLiteral("uploaded")
                                                                             : QStringLiteral("upload");
                    grant.files.append(slot);
                    anySlot = true;
                    continue;
                }
                // Other content for the same dataset: the old slot goes, once no PUT can place
                // its file any more.
                if (!tryCloseSlots({open->path}))
                    return conflict(QStringLiteral("%1: the earlier upload of the %2 dataset for %3 is "
                                                   "being committed or aborted; try again")
                                        .arg(where, p.type.name(), p.dataId.requiredOnly().toString()));
                replacedFiles.append(open->path);
                BUTLER_TRY(uploads.removeSlots({open->datasetId}));
                BUTLER_TRY(quotas.release(user, open->size));
            }
            UploadSlot slot;
            slot.datasetId = newIds[i];
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
            newSlots.append(slot);
            needed += slot.size;
            anySlot = true;
            Slot granted;
            granted.datasetId = slot.datasetId;
            granted.status = QStringLiteral("upload");
            granted.path = slot.path;
            grant.files.append(granted);
        }
        BUTLER_TRY(uploads.insertSlots(newSlots));
        if (anySlot) {
            UploadBatch batch;
            batch.uploadId = grant.uploadId;
            batch.user = user;
            batch.run = request.run;
            batch.createdAt = now;
            BUTLER_TRY(uploads.insertBatch(batch));
        }
        BUTLER_TRY(quotas.reserve(user, needed));
        deleteFiles(replacedFiles);
        BUTLER_TRY(tx.commit());
        grant.reservedBytes = needed;
    }
    for (const UploadSlot& slot : std::as_const(newSlots))
        rememberSlot(slot.path,
                     SlotState{slot.datasetId, slot.size, slot.expectedSha256, slot.expires, {}, false});
    if (!adoptedPaths.isEmpty()) {
        std::lock_guard lock(m_slotMutex);
        for (const QString& path : std::as_const(adoptedPaths)) {
            if (const auto it = m_slots.find(path); it != m_slots.end())
                it->expires = grant.expires;
        }
    }
    if (!anySlot)
        grant.uploadId.clear();
    for (qsizetype i = 0; i < grant.files.size(); ++i) {
        Slot& slot = grant.files[i];
        if (slot.status != QLatin1String("upload"))
            continue;
        BUTLER_ASSIGN_OR_RETURN(
            const SignedLocation url,
            // Counted from the reservation, as the slots are: signed a second later, the URL
            // outlived its slot by that second (a PUT then found no upload instead of expiry).
            m_repository.signedPutUrl(slot.path, request.files[i].size, m_options.ttlSeconds, now));
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
    FileDatastore& datastore = direct.datastore();
    Registry& registry = direct.registry();
    // From here no PUT changes the files of the batch; a batch only loses slots meanwhile (a
    // resumed upload may take one over), never gains any.
    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> listed, uploads.slotsOf(uploadId));
    QStringList paths;
    for (const UploadSlot& slot : listed)
        paths.append(slot.path);
    QHash<QString, QString> checksums = closeSlots(paths);
    const auto forget = qScopeGuard([&] { forgetSlots(paths); });
    // Read again now that they are closed: an expiry, an abort or another commit of the batch
    // may have had them first, and its files may be gone with it.
    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> before, uploads.slotsOf(uploadId));
    if (before.size() < listed.size()) {
        BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> now, uploads.batch(uploadId));
        if (now && now->committed)
            return committedRefs(uploadId);
        if (!now || before.isEmpty())
            return unknownUpload(uploadId);
    }
    QStringList missing;
    for (const UploadSlot& slot : before) {
        BUTLER_ASSIGN_OR_RETURN(const QString full, datastore.absolutePath(slot.path));
        const QFileInfo info(full);
        if (!info.isFile() || info.size() != slot.size) {
            missing.append(slot.path);
            continue;
        }
        QString& checksum = checksums[slot.path];
        if (checksum.isEmpty() && !slot.expectedSha256.isEmpty())
            checksum = QStringLiteral("sha256:") + slot.expectedSha256; // checked on arrival
        if (checksum.isEmpty()) {
            // Arrived before a restart, with no sha256 announced: hashed again, outside the lock.
            QFile file(full);
            Sha256 hash;
            if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
                return ioError(QStringLiteral("cannot read the upload of '%1'").arg(slot.path));
            checksum = QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
        }
    }
    if (!missing.isEmpty())
        return conflict(
            QStringLiteral("upload '%1' is not complete: %2 of %3 files have not arrived (the first "
                           "is %4); upload them and commit again")
                .arg(uploadId)
                .arg(missing.size())
                .arg(before.size())
                .arg(missing.first()));

    if (m_options.syncOnCommit) {
        // Outside the write lock: the write-back may take a while.
        const int root =
            ::open(QFile::encodeName(datastore.root()).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const bool synced = root >= 0 && ::syncfs(root) == 0;
        const int error = errno;
        if (root >= 0)
            ::close(root);
        if (!synced)
            return ioError(QStringLiteral("cannot flush the datastore before committing upload '%1': %2")
                               .arg(uploadId, QString::fromLocal8Bit(std::strerror(error))));
        qCInfo(lcUploads).noquote() << "flushed the datastore of" << m_repository.label()
                                    << "before committing upload" << uploadId;
    }
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
        // A batch only loses slots meanwhile: the same count is the same slots.
        BUTLER_ASSIGN_OR_RETURN(const qsizetype count, uploads.slotCount(uploadId));
        if (count == 0 || before.isEmpty())
            return unknownUpload(uploadId);
        if (count != before.size())
            return conflict(
                QStringLiteral("upload '%1' changed while it was committed; commit again").arg(uploadId));
        const QList<UploadSlot>& slotList = before;
        QList<Registry::NewDataset> entries;
        entries.reserve(slotList.size());
        QHash<QUuid, QString> unannounced; // checksums of slots without an announced sha256
        for (const UploadSlot& slot : slotList) {
            entries.append(
                Registry::NewDataset{slot.datasetType, slot.dataId.toVariantMap(), slot.datasetId});
            if (slot.expectedSha256.isEmpty())
                unannounced.insert(slot.datasetId, checksums.value(slot.path));
        }
        BUTLER_TRY(uploads.setChecksums(unannounced));
        BUTLER_TRY(uploads.markCommitted(uploadId, nowSeconds())); // also records announced checksums
        BUTLER_ASSIGN_OR_RETURN(refs, registry.insertDatasets(run, entries, DatasetIdMode::Unique));
        QHash<QString, QString> storageClasses;
        for (const DatasetRef& ref : std::as_const(refs))
            storageClasses.insert(ref.datasetType().name(), ref.datasetType().storageClass());
        BUTLER_TRY(uploads.insertFileRecords(uploadId, storageClasses));
        BUTLER_TRY(m_repository.quotas().chargeUpload(user, uploadId));
        BUTLER_TRY(tx.commit());
    }
    qCInfo(lcUploads).noquote() << "user" << user << "committed upload" << uploadId << "with" << refs.size()
                                << "datasets into" << run;
    return refs;
}

Result<qint64> UploadService::abort(AuthorizedButler& butler, const QString& uploadId,
                                    bool undoCommittedBatch)
{
    const QString& user = butler.identity().user;
    UploadStore& uploads = m_repository.uploads();
    BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> owned, uploads.batch(uploadId));
    if (!owned || owned->user != user)
        return unknownUpload(uploadId);
    if (owned->committed && undoCommittedBatch)
        return undoCommitted(butler, *owned);
    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> before, uploads.slotsOf(uploadId));
    QStringList paths;
    for (const UploadSlot& slot : before)
        paths.append(slot.path);
    closeSlots(paths);
    const auto forget = qScopeGuard([&] { forgetSlots(paths); });
    qint64 released = 0;
    {
        Transaction tx(m_repository.butler().registry().database());
        BUTLER_TRY(tx.begin());
        BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> batch, uploads.batch(uploadId));
        if (!batch || batch->user != user)
            return unknownUpload(uploadId);
        if (batch->committed)
            return conflict(
                QStringLiteral("upload '%1' was committed; abort it with \"undo_commit\": true to "
                               "remove its datasets for good, or prune them")
                    .arg(uploadId));
        BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> slotList, uploads.slotsOf(uploadId));
        QStringList files;
        for (const UploadSlot& slot : slotList) {
            released += slot.size;
            files.append(slot.path);
        }
        BUTLER_TRY(uploads.removeBatch(uploadId));
        BUTLER_TRY(m_repository.quotas().release(user, released));
        // Only slots read before are closed; a batch never gains slots.
        deleteFiles(files);
        BUTLER_TRY(tx.commit());
    }
    qCInfo(lcUploads).noquote() << "user" << user << "aborted upload" << uploadId << "releasing" << released
                                << "bytes";
    return released;
}

Result<qint64> UploadService::undoCommitted(AuthorizedButler& butler, const UploadBatch& batch)
{
    UploadStore& uploads = m_repository.uploads();
    qint64 released = 0;
    qsizetype removedCount = 0;
    {
        Transaction tx(m_repository.butler().registry().database());
        BUTLER_TRY(tx.begin());
        // Again under the write lock: a concurrent undo of the same batch finds nothing.
        BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadBatch> current, uploads.batch(batch.uploadId));
        if (!current || current->user != batch.user || !current->committed)
            return unknownUpload(batch.uploadId);
        BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> slotList, uploads.slotsOf(batch.uploadId));
        QList<QUuid> ids;
        QHash<QUuid, qint64> sizes;
        for (const UploadSlot& slot : slotList) {
            ids.append(slot.datasetId);
            sizes.insert(slot.datasetId, slot.size);
        }
        BUTLER_ASSIGN_OR_RETURN(const QList<QUuid> removed, butler.discardUploadedDatasets(*current, ids));
        for (const QUuid& id : removed)
            released += sizes.value(id);
        removedCount = removed.size();
        // A repeated commit must not answer refs of datasets that are gone.
        BUTLER_TRY(uploads.removeBatch(batch.uploadId));
        BUTLER_TRY(tx.commit());
    }
    qCInfo(lcUploads).noquote() << "user" << batch.user << "undid committed upload" << batch.uploadId
                                << "removing" << removedCount << "datasets and" << released << "bytes";
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

Result<UploadService::Lookup> UploadService::lookupLocked(const QString& path, SlotState** state)
{
    auto it = m_slots.find(path);
    if (it == m_slots.end()) {
        BUTLER_ASSIGN_OR_RETURN(const std::optional<UploadSlot> slot,
                                m_repository.uploads().slotByPath(path));
        if (!slot)
            return Lookup::Missing;
        if (!slot->isOpen())
            return Lookup::Committed;
        it = m_slots.insert(path, SlotState{slot->datasetId, slot->size, slot->expectedSha256, slot->expires,
                                            slot->checksum, false});
    }
    *state = &it.value();
    return Lookup::Open;
}

QHash<QString, QString> UploadService::closeSlots(const QStringList& paths)
{
    std::unique_lock lock(m_slotMutex);
    m_slotsReopened.wait(lock, [&] {
        for (const QString& path : paths) {
            const auto it = m_slots.constFind(path);
            if (it != m_slots.constEnd() && it->closing)
                return false;
        }
        return true;
    });
    QHash<QString, QString> checksums;
    for (const QString& path : paths) {
        // A path not known here gets a closed entry too: a PUT must not look it up meanwhile.
        SlotState& state = m_slots[path];
        state.closing = true;
        if (!state.checksum.isEmpty())
            checksums.insert(path, state.checksum);
    }
    return checksums;
}

bool UploadService::tryCloseSlots(const QStringList& paths)
{
    std::lock_guard lock(m_slotMutex);
    for (const QString& path : paths) {
        const auto it = m_slots.constFind(path);
        if (it != m_slots.constEnd() && it->closing)
            return false;
    }
    for (const QString& path : paths)
        m_slots[path].closing = true;
    return true;
}

void UploadService::forgetSlots(const QStringList& paths)
{
    if (paths.isEmpty())
        return;
    {
        std::lock_guard lock(m_slotMutex);
        for (const QString& path : paths)
            m_slots.remove(path);
    }
    m_slotsReopened.notify_all();
}

void UploadService::rememberSlot(const QString& path, const SlotState& state)
{
    std::lock_guard lock(m_slotMutex);
    // A PUT may have looked the slot up already (and stored its file).
    if (!m_slots.contains(path))
        m_slots.insert(path, state);
}

Result<std::shared_ptr<UploadReceiver>> UploadService::openReceiver(const FileRequest& file, qint64 size)
{
    QString expectedSha256;
    {
        std::lock_guard lock(m_slotMutex);
        SlotState* slot = nullptr;
        BUTLER_ASSIGN_OR_RETURN(const Lookup found, lookupLocked(file.relativePath(), &slot));
        if (found == Lookup::Missing)
            return notFound(
                QStringLiteral("no upload is open for this URL: it was aborted, it expired, or it was "
                               "never reserved"));
        if (found == Lookup::Committed)
            return conflict(QStringLiteral("this upload was committed; its file cannot change"));
        if (slot->closing)
            return conflict(QStringLiteral("this upload is being committed or aborted; its files cannot "
                                           "change now"));
        if (slot->size != size)
            return Error(ErrorKind::PermissionDenied,
                         QStringLiteral("this URL was not signed for this upload"));
        if (slot->expires < nowSeconds())
            return Error(ErrorKind::PermissionDenied,
                         QStringLiteral("this upload expired; reserve the files again"));
        expectedSha256 = slot->expectedSha256;
    }
    BUTLER_ASSIGN_OR_RETURN(const QString absolute, file.resolveForWrite(m_repository.datastoreRoot()));
    BUTLER_ASSIGN_OR_RETURN(
        std::shared_ptr<UploadReceiver> receiver,
        UploadReceiver::create(absolute, file.relativePath(), temporaryFolderPath(), size, expectedSha256));
    receiver->setEarlyWriteBack(m_options.syncOnCommit);
    return receiver;
}

Result<QJsonObject> UploadService::receive(UploadReceiver& receiver)
{
    // Checked again when the body is complete: a commit, abort or expiry since the head came
    // wins, and the receiver then deletes what it wrote.
    std::lock_guard lock(m_slotMutex);
    SlotState* slot = nullptr;
    BUTLER_ASSIGN_OR_RETURN(const Lookup found, lookupLocked(receiver.relativePath(), &slot));
    if (found == Lookup::Missing)
        return notFound(QStringLiteral("the upload was aborted or expired while its file arrived"));
    if (found == Lookup::Committed)
        return conflict(QStringLiteral("this upload was committed; its file cannot change"));
    if (slot->closing)
        return conflict(
            QStringLiteral("this upload is being committed or aborted; its files cannot change now"));
    if (slot->size != receiver.size())
        return Error(ErrorKind::PermissionDenied, QStringLiteral("this URL was not signed for this upload"));
    BUTLER_TRY(receiver.place());
    slot->checksum = receiver.checksum();
    return QJsonObject{{QStringLiteral("dataset_id"), slot->datasetId.toString(QUuid::WithoutBraces)},
                       {QStringLiteral("size"), receiver.size()},
                       {QStringLiteral("checksum"), receiver.checksum()},
                       {QStringLiteral("xxh128"), receiver.xxh128()}};
}

Result<int> UploadService::expire(qint64 now)
{
    UploadStore& uploads = m_repository.uploads();
    BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> candidates, uploads.expiredSlots(now));
    QStringList paths;
    for (const UploadSlot& slot : candidates)
        paths.append(slot.path);
    closeSlots(paths);
    const auto forget = qScopeGuard([&] { forgetSlots(paths); });
    const QSet<QString> closed(paths.cbegin(), paths.cend());
    int freed = 0;
    {
        Transaction tx(m_repository.butler().registry().database());
        BUTLER_TRY(tx.begin());
        BUTLER_ASSIGN_OR_RETURN(const QList<UploadSlot> expired, uploads.expiredSlots(now));
        QHash<QString, qint64> releasedByUser;
        QList<QUuid> ids;
        QStringList files;
        for (const UploadSlot& slot : expired) {
            if (!closed.contains(slot.path))
                continue; // expired meanwhile: the next round takes it
            releasedByUser[slot.user] += slot.size;
            ids.append(slot.datasetId);
            files.append(slot.path);
        }
        BUTLER_TRY(uploads.removeSlots(ids));
        for (auto it = releasedByUser.cbegin(); it != releasedByUser.cend(); ++it)
            BUTLER_TRY(m_repository.quotas().release(it.key(), it.value()));
        BUTLER_TRY(uploads.removeStaleBatches(now - m_options.committedRetentionSeconds));
        deleteFiles(files);
        BUTLER_TRY(tx.commit());
        freed = int(ids.size());
    }
    if (freed > 0)
        qCInfo(lcUploads) << "freed" << freed << "expired upload slots in" << m_repository.label();
    return freed;
}

QString UploadService::temporaryFolderPath() const
{
    return m_repository.datastoreRoot() + QLatin1Char('/') + UploadStore::temporaryFolder();
}

Status UploadService::recover()
{
    const QString folder = temporaryFolderPath();
    QDir dir(folder);
    int removed = 0;
    for (const QString& name : dir.entryList(QDir::Files | QDir::Hidden | QDir::System)) {
        if (QFile::remove(dir.filePath(name)))
            ++removed;
        else
            qCWarning(lcUploads).noquote() << "could not remove the unfinished upload" << dir.filePath(name);
    }
    if (!QDir().mkpath(folder))
        return ioError(QStringLiteral("cannot create the upload folder %1").arg(folder));
    if (removed > 0)
        qCInfo(lcUploads) << "removed" << removed << "unfinished uploads of a previous run of"
                          << m_repository.label();
    BUTLER_ASSIGN_OR_RETURN(const QStringList recounted, m_repository.quotas().recountReserved());
    if (!recounted.isEmpty())
        qCWarning(lcUploads).noquote()
            << "corrected the reserved bytes of" << recounted.join(QStringLiteral(", ")) << "in"
            << m_repository.label() << "to match their open uploads";
    return {};
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
