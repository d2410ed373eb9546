#include "AccessPolicy.h"

#include <QDateTime>

namespace butler {

namespace {

bool inGroup(const Identity& identity, QStringView group)
{
    for (const QString& g : identity.groups)
        if (g == group)
            return true;
    return false;
}

QString groupText(const QString& name)
{
    return name.isEmpty() ? QStringLiteral("(none configured)") : QStringLiteral("'%1'").arg(name);
}

} // namespace

qint64 AccessPolicy::systemNow()
{
    return QDateTime::currentSecsSinceEpoch();
}

AccessPolicy::AccessPolicy(PolicyConfig config, Clock clock)
    : m_config(std::move(config))
    , m_clock(std::move(clock))
{
}

Identity AccessPolicy::withRoles(Identity identity) const
{
    identity.admin = !m_config.adminGroup.isEmpty() && identity.inGroup(m_config.adminGroup);
    identity.dataRights = !m_config.dataRightsGroup.isEmpty() && identity.inGroup(m_config.dataRightsGroup);
    return identity;
}

bool AccessPolicy::owns(const Identity& identity, QStringView collection) const
{
    const CollectionAcl::Owner owner = CollectionAcl::ownerOf(collection);
    switch (owner.kind) {
    case CollectionAcl::OwnerKind::User:
        return !identity.user.isEmpty() && owner.name == identity.user;
    case CollectionAcl::OwnerKind::Group:
        return inGroup(identity, owner.name);
    case CollectionAcl::OwnerKind::Release:
        break;
    }
    return false;
}

bool AccessPolicy::isProprietary(const CollectionAcl& acl, qint64 now) const
{
    return now < acl.proprietaryEnd(m_config.proprietaryPeriodDays);
}

bool AccessPolicy::canRead(const Identity& identity, QStringView collection, const CollectionAcl& acl,
                           qint64 now) const
{
    if (identity.admin)
        return true;
    if (CollectionAcl::ownerOf(collection).kind == CollectionAcl::OwnerKind::Release)
        return identity.dataRights || !isProprietary(acl, now);
    if (owns(identity, collection))
        return true;
    for (const QString& reader : acl.readers)
        if (inGroup(identity, reader))
            return true;
    return false;
}

bool AccessPolicy::canWrite(const Identity& identity, QStringView collection) const
{
    return identity.admin || owns(identity, collection);
}

bool AccessPolicy::canEditAcl(const Identity& identity, QStringView collection) const
{
    return identity.admin || owns(identity, collection);
}

bool AccessPolicy::canRegisterDatasetType(const Identity& identity) const
{
    return identity.admin || identity.dataRights;
}

bool AccessPolicy::canRemoveDatasetTypes(const Identity& identity) const
{
    return identity.admin;
}

bool AccessPolicy::canInsertDimensionRecords(const Identity& identity) const
{
    return identity.admin;
}

Error AccessPolicy::writeDenied(const Identity& identity, const QString& collection) const
{
    const CollectionAcl::Owner owner = CollectionAcl::ownerOf(collection);
    const QString own = QStringLiteral("you (%1) may write only under u/%1/ and g/<group>/ of your groups")
                            .arg(identity.user);
    if (owner.kind == CollectionAcl::OwnerKind::Release)
        return Error(
            ErrorKind::PermissionDenied,
            QStringLiteral("collection '%1' is release space, written only by the admin group %2; %3")
                .arg(collection, groupText(m_config.adminGroup), own));
    return Error(ErrorKind::PermissionDenied,
                 QStringLiteral("collection '%1' belongs to %2 %3; %4")
                     .arg(collection,
                          owner.kind == CollectionAcl::OwnerKind::User ? QStringLiteral("user")
                                                                       : QStringLiteral("group"),
                          owner.name.toString(), own));
}

Error AccessPolicy::aclEditDenied(const Identity& identity, const QString& collection) const
{
    Q_UNUSED(identity);
    const CollectionAcl::Owner owner = CollectionAcl::ownerOf(collection);
    QString who;
    switch (owner.kind) {
    case CollectionAcl::OwnerKind::User:
        who = QStringLiteral("user %1").arg(owner.name.toString());
        break;
    case CollectionAcl::OwnerKind::Group:
        who = QStringLiteral("members of group %1").arg(owner.name.toString());
        break;
    case CollectionAcl::OwnerKind::Release:
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("only the admin group %1 changes the access of release collection '%2'")
                         .arg(groupText(m_config.adminGroup), collection));
    }
    return Error(ErrorKind::PermissionDenied,
                 QStringLiteral("only %1 or the admin group %2 may change who reads '%3'")
                     .arg(who, groupText(m_config.adminGroup), collection));
}

Error AccessPolicy::adminOnly(const QString& what) const
{
    return Error(ErrorKind::PermissionDenied,
                 QStringLiteral("%1 needs the admin group %2").arg(what, groupText(m_config.adminGroup)));
}

Error AccessPolicy::dataRightsOrAdminOnly(const QString& what) const
{
    return Error(ErrorKind::PermissionDenied,
                 QStringLiteral("%1 needs the data-rights group %2 or the admin group %3")
                     .arg(what, groupText(m_config.dataRightsGroup), groupText(m_config.adminGroup)));
}

} // namespace butler
