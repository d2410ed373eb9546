#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace butler {

class AclStore;
class AccessPolicy;
class DirectButler;
class QuotaStore;
class TrashPurger;
class UploadService;
class UploadStore;
class UrlSigner;
struct PolicyConfig;
struct QuotaConfig;

// A signed URL for a client and when it stops working (unix seconds).
struct SignedLocation
{
    QString url;
    qint64 expires = 0;
};

// One repository served under /api/butler/repo/<label>: the DirectButler, its ACLs and the
// policy applied to it, its quotas and uploads, its trash purger, and how its files are handed
// out.
class RepositoryService
{
public:
    static Result<std::unique_ptr<RepositoryService>> open(const QString& label, const QString& path,
                                                           const PolicyConfig& policy,
                                                           const QuotaConfig& quotas, const UrlSigner* signer,
                                                           const QString& publicUrl);
    ~RepositoryService();

    const QString& label() const { return m_label; }
    DirectButler& butler() { return *m_butler; }
    AclStore& acls() { return *m_acls; }
    QuotaStore& quotas() { return *m_quotas; }
    UploadStore& uploads() { return *m_uploads; }
    UploadService& uploadService() { return *m_uploadService; }
    // Purges expired trash entries every policy.trashPurgeIntervalSeconds, from the thread that
    // opened the service (its event loop drives the timer).
    TrashPurger& trashPurger() { return *m_trashPurger; }
    const AccessPolicy& policy() const { return *m_policy; }
    const QByteArray& universeJson() const { return m_universeJson; }
    QString datastoreRoot() const;
    // Before serving starts only: signed URLs are built on it from worker threads.
    void setPublicUrl(const QString& publicUrl) { m_publicUrl = publicUrl; }

    // The signed download URL of a file of the datastore (path relative to its root); ttl 0
    // means the configured default. With hidePath the URL has the opaque form and names
    // neither the path nor the run it starts with (see FileRequest).
    Result<SignedLocation> signedUrl(const QString& relativePath, qint64 ttlSeconds,
                                     bool hidePath = false) const;
    // The signed upload URL for exactly `size` bytes to a datastore-relative path, valid for
    // ttlSeconds from signedAt (unix seconds): an upload's URLs then expire with its slots.
    Result<SignedLocation> signedPutUrl(const QString& relativePath, qint64 size, qint64 ttlSeconds,
                                        qint64 signedAt) const;

private:
    RepositoryService() = default;

    QString m_label;
    std::unique_ptr<DirectButler> m_butler;
    std::unique_ptr<AclStore> m_acls;
    std::unique_ptr<QuotaStore> m_quotas;
    std::unique_ptr<UploadStore> m_uploads;
    std::unique_ptr<UploadService> m_uploadService;
    std::unique_ptr<AccessPolicy> m_policy;
    std::unique_ptr<TrashPurger> m_trashPurger; // destroyed before what it purges
    const UrlSigner* m_signer = nullptr;
    QString m_publicUrl;
    QByteArray m_universeJson;
};

} // namespace butler
