#pragma once

#include "CollectionAcl.h"
#include "Error.h"
#include "Identity.h"
#include "PolicyConfig.h"

#include <functional>

namespace butler {

// Who may read, write and grant what: pure decisions from an Identity, a collection name and
// its ACL, with no I/O. AuthorizedButler applies them to every operation.
class AccessPolicy
{
public:
    // Unix seconds (UTC); tests pass their own to move across proprietary dates.
    using Clock = std::function<qint64()>;
    static qint64 systemNow();

    explicit AccessPolicy(PolicyConfig config, Clock clock = {});

    const PolicyConfig& config() const { return m_config; }
    qint64 now() const { return m_clock ? m_clock() : systemNow(); }

    // Sets admin and dataRights from the configured group names.
    Identity withRoles(Identity identity) const;

    // Admins read everything; owners (the user, members of the group) and the groups granted in
    // the ACL read user and group collections; release collections are read by data-rights
    // holders until the proprietary date, then by everyone.
    bool canRead(const Identity& identity, QStringView collection, const CollectionAcl& acl) const
    {
        return canRead(identity, collection, acl, now());
    }
    bool canRead(const Identity& identity, QStringView collection, const CollectionAcl& acl,
                 qint64 now) const;
    // Owners write their own namespaces, admins everything; release space is admins' only.
    bool canWrite(const Identity& identity, QStringView collection) const;
    // Owners and admins edit the ACL of user and group collections; admins set release dates.
    bool canEditAcl(const Identity& identity, QStringView collection) const;
    bool isProprietary(const CollectionAcl& acl, qint64 now) const;

    bool canReadDatasetTypes(const Identity&) const { return true; }
    bool canRegisterDatasetType(const Identity& identity) const;
    bool canRemoveDatasetTypes(const Identity& identity) const;
    bool canReadDimensionRecords(const Identity&) const { return true; }
    bool canInsertDimensionRecords(const Identity& identity) const;

    // PermissionDenied errors that say why and who may instead.
    Error writeDenied(const Identity& identity, const QString& collection) const;
    Error aclEditDenied(const Identity& identity, const QString& collection) const;
    Error adminOnly(const QString& what) const;
    Error dataRightsOrAdminOnly(const QString& what) const;

private:
    bool owns(const Identity& identity, QStringView collection) const;

    PolicyConfig m_config;
    Clock m_clock;
};

} // namespace butler
