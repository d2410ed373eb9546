#pragma once

#include "Butler.h"
#include "RemoteAcl.h"
#include "RemoteIdentity.h"
#include "RemoteLocation.h"
#include "RemoteOptions.h"
#include "RemoteQuota.h"
#include "RemoteTransport.h"
#include "SignedFileInfo.h"
#include "SignedUrlCache.h"
#include "UploadGrant.h"
#include "UploadOptions.h"
#include "UploadSpec.h"

#include <QCoroTask>
#include <QFuture>
#include <memory>

class QIODevice;
class QThreadPool;
class QJsonArray;
class QNetworkRequest;

namespace butler {

class RequestGroup;

// The Butler over butler-server's HTTP API (docs/server-api.md). Every operation exists twice:
// a coroutine (xxxAsync) for callers with an event loop, and the blocking Butler override,
// which runs the coroutine in a nested event loop. Any thread may call it; each thread uses
// its own QNetworkAccessManager. The object must outlive the coroutines started on it.
class RemoteButler : public Butler
{
public:
    // Parses http(s)://HOST:PORT/api/butler/repo/LABEL, fetches the repository's universe
    // (which decodes every ref) and so checks that the server answers, accepts the token and
    // has the repository.
    static Result<std::unique_ptr<RemoteButler>> connect(const QString& url, const QString& token,
                                                         RemoteOptions options = {});
    static QCoro::Task<Result<std::unique_ptr<RemoteButler>>> connectAsync(QString url, QString token,
                                                                           RemoteOptions options = {});

    const RemoteLocation& remoteLocation() const { return m_transport.location(); }
    // Requests still waiting for the server; destroy the butler only at zero.
    int pendingRequests() const { return m_transport.inFlight(); }
    // A butler for the same repository and token whose requests join group, which can watch
    // and abort them (RequestGroup). It shares this butler's pendingRequests() count and, like
    // any butler, must outlive the coroutines started on it.
    std::unique_ptr<RemoteButler> withRequestGroup(std::shared_ptr<RequestGroup> group) const;

    // Butler
    const DimensionUniverse& universe() const override { return m_universe; }
    QString location() const override { return m_transport.location().repoUrl(); }

    Status insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                  bool skipExisting = false) override;
    Result<DimensionRecordPage> queryDimensionRecords(const DimensionRecordQuery& query) override;
    Status registerDatasetType(const DatasetType& type) override;
    Result<DatasetType> getDatasetType(const QString& name) override;
    Result<QList<DatasetType>> queryDatasetTypes(const QStringList& globs,
                                                 const QStringList& collections = {}) override;
    Result<QStringList> removeDatasetTypes(const QStringList& globs) override;
    Status registerCollection(const QString& name, CollectionType type, const QString& doc = {}) override;
    Result<CollectionInfo> getCollection(const QString& name) override;
    Result<QList<CollectionInfo>> queryCollections(const CollectionQuery& query) override;
    Status setCollectionChain(const QString& parent, const QStringList& children, ChainMode mode,
                              bool flatten = false, const QString& doc = {}) override;
    Result<QStringList> flattenCollections(const QStringList& namesOrGlobs) override;
    Status removeCollections(const QStringList& names) override;
    Status removeRuns(const QStringList& names) override;
    Result<DatasetPage> queryDatasets(const DatasetQuery& query) override;
    Result<QList<DataCoordinate>> queryDataIds(const DataIdQuery& query) override;
    Result<std::optional<DatasetRef>> findDataset(const QString& datasetType, const QVariantMap& dataId,
                                                  const QStringList& collections,
                                                  std::optional<qint64> time = {}) override;
    Result<DatasetRef> getDataset(const QUuid& id) override;
    // uri is the signed URL.
    Result<QList<FileInfo>> fileInfo(const QList<QUuid>& ids) override;
    // Through a signed upload URL: reserve, PUT, commit.
    Result<DatasetRef> put(const QByteArray& bytes, const QString& formatter, const QString& datasetType,
                           const QVariantMap& dataId, const QString& run) override;
    // Downloads through the signed URL and checks size and sha256. A URL fileInfo() or an
    // earlier get() fetched moments ago is used again (SignedUrlCache): one file-info request
    // per dataset at most.
    Result<QByteArray> get(const QUuid& id, QString* formatter = nullptr) override;
    // Uploads the files through signed URLs (RemoteUploader); only TransferMode::Copy and
    // DatasetIdMode::Unique work remotely. All or nothing: when an upload fails, what this call
    // made is removed again.
    Result<QList<DatasetRef>> ingest(const QString& run, const QList<IngestFile>& files, TransferMode mode,
                                     DatasetIdMode idMode = DatasetIdMode::Unique) override;
    Result<QList<DatasetRef>> registerDatasets(const QString& run, const QList<IngestFile>& datasets,
                                               DatasetIdMode idMode = DatasetIdMode::Unique) override;
    Status associate(const QString& tagged, const QList<QUuid>& ids) override;
    Status disassociate(const QString& tagged, const QList<QUuid>& ids) override;
    Status certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity) override;
    Status decertify(const QString& calibration, const QString& datasetType, const Timespan& validity,
                     const QList<DataCoordinate>& dataIds = {}) override;
    Status pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore) override;
    Result<QList<TrashEntry>> trashEntries() override;
    Result<QList<TrashEntry>> restoreFromTrash(const QStringList& names) override;
    Result<QList<TrashEntry>> emptyTrash(const QStringList& names, bool expiredOnly = false) override;

    // Remote only.
    // How many datasets the query matches (limit and page token are ignored).
    Result<qint64> countDatasets(const DatasetQuery& query);
    Result<RemoteIdentity> whoami();
    Result<RemoteAcl> acl(const QString& collection);
    Result<RemoteAcl> editAcl(const QString& collection, const QStringList& grant, const QStringList& revoke);
    // Signed URLs valid for ttlSeconds (0: the server's default).
    Result<QList<SignedFileInfo>> signedFileInfo(const QList<QUuid>& ids, qint64 ttlSeconds = 0);
    Result<SignedFileInfo> downloadUrl(const QUuid& id, qint64 ttlSeconds = 0);
    // Uploads (docs/server-api.md, "Uploads"). uploadFiles runs a RemoteUploader; report, when
    // given, says what it did, also on failure.
    Result<QList<DatasetRef>> uploadFiles(const QString& run, const QList<IngestFile>& files,
                                          const UploadOptions& options = {}, UploadReport* report = nullptr);
    // The steps: reserve slots (resume: datasets already in the run with the same size and
    // sha256 come back as "exists"), PUT each file to its URL, commit (idempotent) or abort.
    Result<UploadGrant> reserveUpload(const QString& run, const QList<UploadSpec>& files,
                                      bool resume = false);
    Result<QList<DatasetRef>> commitUpload(const QString& uploadId);
    Result<qint64> abortUpload(const QString& uploadId); // the bytes given back
    // As abortUpload, and a batch already committed is undone: the datasets it made are
    // deleted for good (no trash), files included. Only the user who committed it.
    Result<qint64> undoUpload(const QString& uploadId);
    // A user's quota (empty: the caller's); admins set limits (nullopt: back to the default).
    Result<RemoteQuota> quota(const QString& user = {});
    Result<RemoteQuota> setQuota(const QString& user, std::optional<qint64> limitBytes);

    // The same operations as coroutines.
    QCoro::Task<Status> insertDimensionRecordsAsync(QString element, QList<DimensionRecord> records,
                                                    bool skipExisting = false);
    QCoro::Task<Result<DimensionRecordPage>> queryDimensionRecordsAsync(DimensionRecordQuery query);
    QCoro::Task<Status> registerDatasetTypeAsync(DatasetType type);
    QCoro::Task<Result<DatasetType>> getDatasetTypeAsync(QString name);
    QCoro::Task<Result<QList<DatasetType>>> queryDatasetTypesAsync(QStringList globs,
                                                                   QStringList collections = {});
    QCoro::Task<Result<QStringList>> removeDatasetTypesAsync(QStringList globs);
    QCoro::Task<Status> registerCollectionAsync(QString name, CollectionType type, QString doc = {});
    QCoro::Task<Result<CollectionInfo>> getCollectionAsync(QString name);
    QCoro::Task<Result<QList<CollectionInfo>>> queryCollectionsAsync(CollectionQuery query);
    QCoro::Task<Status> setCollectionChainAsync(QString parent, QStringList children, ChainMode mode,
                                                bool flatten = false, QString doc = {});
    QCoro::Task<Result<QStringList>> flattenCollectionsAsync(QStringList namesOrGlobs);
    QCoro::Task<Status> removeCollectionsAsync(QStringList names);
    QCoro::Task<Status> removeRunsAsync(QStringList names);
    QCoro::Task<Result<DatasetPage>> queryDatasetsAsync(DatasetQuery query);
    QCoro::Task<Result<qint64>> countDatasetsAsync(DatasetQuery query);
    QCoro::Task<Result<QList<DataCoordinate>>> queryDataIdsAsync(DataIdQuery query);
    QCoro::Task<Result<std::optional<DatasetRef>>> findDatasetAsync(QString datasetType, QVariantMap dataId,
                                                                    QStringList collections,
                                                                    std::optional<qint64> time = {});
    QCoro::Task<Result<DatasetRef>> getDatasetAsync(QUuid id);
    QCoro::Task<Result<QList<FileInfo>>> fileInfoAsync(QList<QUuid> ids);
    QCoro::Task<Result<DatasetRef>> putAsync(QByteArray bytes, QString formatter, QString datasetType,
                                             QVariantMap dataId, QString run);
    // The bytes and the stored formatter label.
    QCoro::Task<Result<std::pair<QByteArray, QString>>> getAsync(QUuid id);
    QCoro::Task<Result<QList<DatasetRef>>> ingestAsync(QString run, QList<IngestFile> files,
                                                       TransferMode mode,
                                                       DatasetIdMode idMode = DatasetIdMode::Unique);
    QCoro::Task<Result<QList<DatasetRef>>>
    registerDatasetsAsync(QString run, QList<IngestFile> datasets,
                          DatasetIdMode idMode = DatasetIdMode::Unique);
    QCoro::Task<Status> associateAsync(QString tagged, QList<QUuid> ids);
    QCoro::Task<Status> disassociateAsync(QString tagged, QList<QUuid> ids);
    QCoro::Task<Status> certifyAsync(QString calibration, QList<QUuid> ids, Timespan validity);
    QCoro::Task<Status> decertifyAsync(QString calibration, QString datasetType, Timespan validity,
                                       QList<DataCoordinate> dataIds = {});
    QCoro::Task<Status> pruneDatasetsAsync(QList<QUuid> ids, bool purge, bool unstore);
    QCoro::Task<Result<QList<TrashEntry>>> trashEntriesAsync();
    QCoro::Task<Result<QList<TrashEntry>>> restoreFromTrashAsync(QStringList names);
    // No names: every entry the caller may empty (only the expired ones with expiredOnly).
    QCoro::Task<Result<QList<TrashEntry>>> emptyTrashAsync(QStringList names, bool expiredOnly = false);
    QCoro::Task<Result<RemoteIdentity>> whoamiAsync();
    QCoro::Task<Result<RemoteAcl>> aclAsync(QString collection);
    QCoro::Task<Result<RemoteAcl>> editAclAsync(QString collection, QStringList grant, QStringList revoke);
    QCoro::Task<Result<QList<SignedFileInfo>>> signedFileInfoAsync(QList<QUuid> ids, qint64 ttlSeconds = 0);
    QCoro::Task<Result<SignedFileInfo>> downloadUrlAsync(QUuid id, qint64 ttlSeconds = 0);
    // Fetches a signed URL (no token sent) and checks the bytes against the file info.
    QCoro::Task<Result<QByteArray>> downloadAsync(FileInfo file);
    QCoro::Task<Result<UploadGrant>> reserveUploadAsync(QString run, QList<UploadSpec> files,
                                                        bool resume = false);
    // PUTs a file, read in pieces, to a signed upload URL (no token sent); progress gets the
    // bytes sent so far.
    QCoro::Task<Status> putFileAsync(QString url, QString path, qint64 size,
                                     std::function<void(qint64)> progress = {});
    QCoro::Task<Status> putBytesAsync(QString url, QByteArray bytes);
    QCoro::Task<Result<QList<DatasetRef>>> commitUploadAsync(QString uploadId);
    QCoro::Task<Result<qint64>> abortUploadAsync(QString uploadId);
    QCoro::Task<Result<qint64>> undoUploadAsync(QString uploadId);
    QCoro::Task<Result<RemoteQuota>> quotaAsync(QString user = {});
    QCoro::Task<Result<RemoteQuota>> setQuotaAsync(QString user, std::optional<qint64> limitBytes);

private:
    RemoteButler(RemoteTransport transport, DimensionUniverse universe);

    using QueryParams = QList<std::pair<QString, QString>>;
    QCoro::Task<Result<QJsonObject>> getJson(QString route, QueryParams params = {}) const;
    // idempotent: the POST only reads, so a 503 may be retried.
    RemoteTransport::Request jsonPost(const QString& route, const QJsonObject& body, bool idempotent) const;
    QCoro::Task<Result<QJsonObject>> postJson(QString route, QJsonObject body, bool idempotent = false) const;
    // postJson() for answers read without a QJsonDocument: the 2xx body as it came.
    QCoro::Task<Result<QByteArray>> postForText(QString route, QJsonObject body,
                                                bool idempotent = false) const;
    // A dataset page read from its text on m_pageReaders.
    QFuture<Result<DatasetPage>> readPage(const QByteArray& text) const;
    // DatasetRefs of a JSON array, each dataset type parsed once.
    Result<QList<DatasetRef>> refsFromJson(const QJsonArray& array) const;
    QCoro::Task<Status> sendUpload(QNetworkRequest request, QIODevice* body, QByteArray bytes,
                                   std::function<void(qint64)> progress);

    RemoteTransport m_transport;
    DimensionUniverse m_universe;
    // Shared with the butlers of withRequestGroup().
    std::shared_ptr<SignedUrlCache> m_signedUrls = std::make_shared<SignedUrlCache>();
    // Dataset pages are read from their text on this thread, not the caller's: the browser's UI
    // thread paints one page while the next is read. Shared with withRequestGroup()'s butlers.
    std::shared_ptr<QThreadPool> m_pageReaders;
};

} // namespace butler
