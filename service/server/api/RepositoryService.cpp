#include "RepositoryService.h"

#include "AccessPolicy.h"
#include "AclStore.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "FileRequest.h"
#include "QuotaStore.h"
#include "ServerConfig.h"
#include "TrashPurger.h"
#include "UploadService.h"
#include "UploadStore.h"
#include "UrlSigner.h"

#include <QJsonDocument>
#include <QUrl>

namespace butler {

Result<std::unique_ptr<RepositoryService>>
RepositoryService::open(const QString& label, const QString& path, const PolicyConfig& policy,
                        const QuotaConfig& quotas, const UrlSigner* signer, const QString& publicUrl)
{
    std::unique_ptr<RepositoryService> service(new RepositoryService());
    service->m_label = label;
    auto butler = DirectButler::open(path);
    if (!butler)
        return butler.error().withContext(QStringLiteral("repository '%1'").arg(label));
    service->m_butler = std::move(butler).value();
    BUTLER_ASSIGN_OR_RETURN(service->m_acls, AclStore::open(service->m_butler->registry()));
    BUTLER_ASSIGN_OR_RETURN(service->m_quotas,
                            QuotaStore::open(service->m_butler->registry(), quotas.defaultBytes));
    BUTLER_ASSIGN_OR_RETURN(service->m_uploads, UploadStore::open(service->m_butler->registry()));
    UploadService::Options uploadOptions;
    uploadOptions.ttlSeconds = quotas.uploadTtlSeconds;
    uploadOptions.maxFileBytes = quotas.maxFileBytes;
    uploadOptions.maxBatchFiles = quotas.maxBatchFiles;
    uploadOptions.syncOnCommit = quotas.syncOnCommit;
    service->m_uploadService = std::make_unique<UploadService>(*service, uploadOptions);
    BUTLER_TRY(service->m_uploadService->recover());
    service->m_policy = std::make_unique<AccessPolicy>(policy);
    service->m_butler->setTrashRetention(std::max<qint64>(1, qint64(policy.trashRetentionDays * 86400)));
    service->m_trashPurger =
        std::make_unique<TrashPurger>(*service->m_butler, *service->m_acls,
                                      std::chrono::seconds(std::max(1, policy.trashPurgeIntervalSeconds)));
    service->m_trashPurger->start();
    service->m_signer = signer;
    service->m_publicUrl = publicUrl.endsWith(u'/') ? publicUrl.chopped(1) : publicUrl;
    service->m_universeJson =
        QJsonDocument(service->m_butler->universe().toJson()).toJson(QJsonDocument::Compact);
    return service;
}

RepositoryService::~RepositoryService() = default;

QString RepositoryService::datastoreRoot() const
{
    return m_butler->datastore().root();
}

Result<SignedLocation> RepositoryService::signedUrl(const QString& relativePath, qint64 ttlSeconds,
                                                    bool hidePath) const
{
    // The path is signed decoded and sent encoded, so names with spaces or '#' survive.
    BUTLER_ASSIGN_OR_RETURN(FileRequest file, FileRequest::fromParts(m_label, relativePath));
    // A datastore path that looks opaque goes out sealed too, or the endpoint would take it for
    // a token.
    if (hidePath || file.isOpaque()) {
        BUTLER_ASSIGN_OR_RETURN(file, FileRequest::sealed(m_label, relativePath, m_signer->sealer()));
    }
    BUTLER_ASSIGN_OR_RETURN(
        const UrlSigner::Signed signedQuery,
        m_signer->sign(QByteArrayLiteral("GET"), file.signedPath(),
                       ttlSeconds > 0 ? std::optional<qint64>(ttlSeconds) : std::nullopt));
    SignedLocation location;
    location.url = m_publicUrl + QString::fromLatin1(file.encodedPath()) + u'?' + signedQuery.query;
    location.expires = signedQuery.expires;
    return location;
}

Result<SignedLocation> RepositoryService::signedPutUrl(const QString& relativePath, qint64 size,
                                                       qint64 ttlSeconds, qint64 signedAt) const
{
    BUTLER_ASSIGN_OR_RETURN(const FileRequest file, FileRequest::fromParts(m_label, relativePath));
    BUTLER_ASSIGN_OR_RETURN(
        const UrlSigner::Signed signedQuery,
        m_signer->signPut(file.signedPath(), size,
                          ttlSeconds > 0 ? std::optional<qint64>(ttlSeconds) : std::nullopt, signedAt));
    SignedLocation location;
    location.url = m_publicUrl + QString::fromLatin1(file.encodedPath()) + u'?' + signedQuery.query;
    location.expires = signedQuery.expires;
    return location;
}

} // namespace butler
