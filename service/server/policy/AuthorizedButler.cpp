#include "AuthorizedButler.h"

#include "Database.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "Glob.h"
#include "Registry.h"
#include "TimeOrderedUuid.h"

#include <QLoggingCategory>
#include <QSet>

#include <algorithm>

Q_LOGGING_CATEGORY(lcAccess, "butler.policy.access")

namespace butler {

namespace {

bool hasGlobChars(const QString& s)
{
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?')) || s.contains(QLatin1Char('['));
}

// Data ID values as the registry orders them: integers by value, strings by text.
int compareValues(const QVariant& a, const QVariant& b)
{
    const auto isInteger = [](const QVariant& v) {
        const int type = v.metaType().id();
        return type == QMetaType::LongLong || type == QMetaType::Int || type == QMetaType::UInt ||
               type == QMetaType::ULongLong;
    };
    if (isInteger(a) && isInteger(b)) {
        const qint64 x = a.toLongLong();
        const qint64 y = b.toLongLong();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    return QString::compare(a.toString(), b.toString());
}

bool requiredLess(const DataCoordinate& a, const DataCoordinate& b)
{
    const QList<QVariant> x = a.requiredValues();
    const QList<QVariant> y = b.requiredValues();
    for (qsizetype i = 0; i < std::min(x.size(), y.size()); ++i) {
        if (const int c = compareValues(x[i], y[i]); c != 0)
            return c < 0;
    }
    return x.size() < y.size();
}

} // namespace

AuthorizedButler::AuthorizedButler(DirectButler& butler, AclStore& acls, const AccessPolicy& policy,
                                   Identity identity)
    : m_butler(butler)
    , m_acls(acls)
    , m_policy(policy)
    , m_identity(std::move(identity))
    , m_now(policy.now())
{
}

// ---------------------------------------------------------------- helpers

// The same text the registry gives for a name it does not know, so that a hidden collection
// and a missing one cannot be told apart.
Error AuthorizedButler::unknownCollection(const QString& name)
{
    return notFound(QStringLiteral("collection '%1' does not exist").arg(name));
}

Error AuthorizedButler::unknownDataset(const QUuid& id)
{
    return notFound(QStringLiteral("dataset %1 does not exist").arg(id.toString(QUuid::WithoutBraces)));
}

Error AuthorizedButler::denied(Error error, const char* operation, const QString& target) const
{
    qCDebug(lcAccess).noquote() << "denied" << operation << "of" << target << "to user" << m_identity.user
                                << "(" << error.kindName() << ")";
    return error;
}

Result<std::shared_ptr<const AclStore::Snapshot>> AuthorizedButler::snapshot()
{
    return m_acls.snapshot();
}

bool AuthorizedButler::canRead(const Entry& entry) const
{
    return m_policy.canRead(m_identity, entry.info.name, entry.acl, m_now);
}

bool AuthorizedButler::confersVisibility(const Entry& entry) const
{
    if (!canRead(entry))
        return false;
    return entry.info.type == CollectionType::Run || entry.acl.ownerKind == CollectionAcl::OwnerKind::Release;
}

MemberFilter AuthorizedButler::memberFilter(const Snapshot& s) const
{
    MemberFilter filter;
    if (m_identity.admin)
        return filter; // admins read every run
    // The snapshot outlives the request's queries: the caller holds it.
    filter.restricted = [&s](const QString& collection) {
        const Entry* entry = s.find(collection);
        return !entry || entry->acl.ownerKind != CollectionAcl::OwnerKind::Release;
    };
    filter.runAllowed = [this, &s](const QString& run) {
        const Entry* entry = s.find(run);
        return entry && canRead(*entry);
    };
    return filter;
}

bool AuthorizedButler::namesRun(const Snapshot& s, const QString& run) const
{
    if (m_identity.admin)
        return true;
    const Entry* entry = s.find(run);
    return entry && canRead(*entry);
}

DatasetRef AuthorizedButler::redactRun(const Snapshot& s, DatasetRef ref) const
{
    if (ref.run().isEmpty() || namesRun(s, ref.run()))
        return ref;
    return DatasetRef(ref.id(), ref.datasetType(), ref.dataId(), QString());
}

void AuthorizedButler::redactRuns(const Snapshot& s, QList<DatasetRef>& refs) const
{
    if (m_identity.admin)
        return;
    // Pages hold thousands of refs of a few runs: each run is decided once.
    QHash<QString, bool> readableRuns;
    for (DatasetRef& ref : refs) {
        if (ref.run().isEmpty())
            continue;
        auto known = readableRuns.constFind(ref.run());
        if (known == readableRuns.constEnd())
            known = readableRuns.insert(ref.run(), namesRun(s, ref.run()));
        if (!*known)
            ref = DatasetRef(ref.id(), ref.datasetType(), ref.dataId(), QString());
    }
}

Result<const AclStore::Entry*> AuthorizedButler::readable(const Snapshot& s, const QString& name) const
{
    const Entry* entry = s.find(name);
    if (!entry)
        return unknownCollection(name);
    if (!canRead(*entry))
        return denied(unknownCollection(name), "read", name);
    return entry;
}

Result<const AclStore::Entry*> AuthorizedButler::writable(const Snapshot& s, const QString& name,
                                                          const char* operation) const
{
    BUTLER_ASSIGN_OR_RETURN(const Entry* entry, readable(s, name));
    if (!m_policy.canWrite(m_identity, name))
        return denied(m_policy.writeDenied(m_identity, name), operation, name);
    return entry;
}

Status AuthorizedButler::checkWrite(const QString& name, const char* operation) const
{
    // Decided on the name alone: whether the collection exists stays unknown to those who
    // may not write there.
    if (!m_policy.canWrite(m_identity, name))
        return denied(m_policy.writeDenied(m_identity, name), operation, name);
    return {};
}

Status AuthorizedButler::visit(const Snapshot& s, const Entry& entry, int depth, QStringList& leaves) const
{
    if (depth > 100)
        return conflict(QStringLiteral("collection chain '%1' is nested too deeply").arg(entry.info.name));
    if (entry.info.type != CollectionType::Chained) {
        if (!leaves.contains(entry.info.name))
            leaves << entry.info.name;
        return {};
    }
    for (const QString& child : entry.info.children) {
        const Entry* childEntry = s.find(child);
        if (childEntry && canRead(*childEntry))
            BUTLER_TRY(visit(s, *childEntry, depth + 1, leaves));
    }
    return {};
}

Result<QStringList> AuthorizedButler::expand(const Snapshot& s, const QStringList& namesOrGlobs) const
{
    QStringList leaves;
    for (const QString& item : namesOrGlobs) {
        if (!hasGlobChars(item)) {
            BUTLER_ASSIGN_OR_RETURN(const Entry* entry, readable(s, item));
            BUTLER_TRY(visit(s, *entry, 0, leaves));
            continue;
        }
        BUTLER_ASSIGN_OR_RETURN(Glob glob, Glob::compile(item));
        for (const QString& name : s.names) {
            if (!glob.matches(name))
                continue;
            const Entry* entry = s.find(name);
            if (canRead(*entry))
                BUTLER_TRY(visit(s, *entry, 0, leaves));
        }
    }
    return leaves;
}

CollectionInfo AuthorizedButler::visibleInfo(const Snapshot& s, const CollectionInfo& info) const
{
    if (info.children.isEmpty())
        return info;
    CollectionInfo result = info;
    result.children.clear();
    for (const QString& child : info.children) {
        const Entry* entry = s.find(child);
        if (entry && canRead(*entry))
            result.children << child;
    }
    return result;
}

Status AuthorizedButler::checkVisible(const Snapshot& s, const QList<QUuid>& ids,
                                      QHash<QUuid, QStringList>* containing) const
{
    if (ids.isEmpty())
        return {};
    const auto confers = [&](const QString& name) {
        const Entry* entry = s.find(name);
        return entry && confersVisibility(*entry);
    };
    // The search stops at the first collection that confers visibility: usually the RUN, in one
    // query.
    BUTLER_ASSIGN_OR_RETURN(auto holders, m_butler.registry().collectionsContaining(ids, confers));
    for (const QUuid& id : ids) {
        const auto it = holders.constFind(id);
        if (it == holders.constEnd())
            return unknownDataset(id);
        if (it->isEmpty() || !confers(it->last()))
            return denied(unknownDataset(id), "read dataset", id.toString(QUuid::WithoutBraces));
    }
    if (containing)
        *containing = std::move(holders);
    return {};
}

Status AuthorizedButler::checkGroups(const QStringList& groups) const
{
    for (const QString& group : groups) {
        bool bad = group.trimmed().isEmpty() || group.size() > 256;
        for (const QChar c : group)
            bad = bad || c.category() == QChar::Other_Control;
        if (bad)
            return invalidInput(QStringLiteral("'%1' is not a group name").arg(group));
    }
    return {};
}

// ---------------------------------------------------------------- universe, records, types

const DimensionUniverse& AuthorizedButler::universe() const
{
    return m_butler.universe();
}

QString AuthorizedButler::location() const
{
    return m_butler.location();
}

Status AuthorizedButler::insertDimensionRecords(const QString& element, const QList<DimensionRecord>& records,
                                                bool skipExisting)
{
    if (!m_policy.canInsertDimensionRecords(m_identity))
        return denied(m_policy.adminOnly(QStringLiteral("inserting dimension records")), "insert records",
                      element);
    return m_butler.insertDimensionRecords(element, records, skipExisting);
}

Result<DimensionRecordPage> AuthorizedButler::queryDimensionRecords(const DimensionRecordQuery& query)
{
    return m_butler.queryDimensionRecords(query);
}

Status AuthorizedButler::registerDatasetType(const DatasetType& type)
{
    if (!m_policy.canRegisterDatasetType(m_identity))
        return denied(m_policy.dataRightsOrAdminOnly(QStringLiteral("registering dataset types")),
                      "register dataset type", type.name());
    return m_butler.registerDatasetType(type);
}

Result<DatasetType> AuthorizedButler::getDatasetType(const QString& name)
{
    return m_butler.getDatasetType(name);
}

Result<QList<DatasetType>> AuthorizedButler::queryDatasetTypes(const QStringList& globs,
                                                               const QStringList& collections)
{
    if (collections.isEmpty())
        return m_butler.queryDatasetTypes(globs);
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(QStringList leaves, expand(*s, collections));
    if (leaves.isEmpty()) // no collections would mean no restriction
        return QList<DatasetType>();
    return m_butler.queryDatasetTypes(globs, leaves);
}

Result<QStringList> AuthorizedButler::removeDatasetTypes(const QStringList& globs)
{
    if (!m_policy.canRemoveDatasetTypes(m_identity))
        return denied(m_policy.adminOnly(QStringLiteral("removing dataset types")), "remove dataset types",
                      globs.join(QLatin1Char(',')));
    return m_butler.removeDatasetTypes(globs);
}

// ---------------------------------------------------------------- collections

Status AuthorizedButler::registerCollection(const QString& name, CollectionType type, const QString& doc)
{
    BUTLER_TRY(checkWrite(name, "register collection"));
    Registry& registry = m_butler.registry();
    Transaction tx(registry.database());
    BUTLER_TRY(tx.begin());
    auto existing = registry.getCollection(name);
    if (!existing && existing.error().kind() != ErrorKind::NotFound)
        return existing.error();
    if (existing && existing->type == CollectionType::Chained && type == CollectionType::Chained)
        return {}; // registering an existing chain again must not empty it
    BUTLER_TRY(m_butler.registerCollection(name, type, doc));
    if (!existing)
        BUTLER_TRY(m_acls.resetCollection(name, m_now));
    return tx.commit();
}

Result<CollectionInfo> AuthorizedButler::getCollection(const QString& name)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(const Entry* entry, readable(*s, name));
    return visibleInfo(*s, entry->info);
}

Result<QList<CollectionInfo>> AuthorizedButler::queryCollections(const CollectionQuery& query)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    QList<Glob> globs;
    for (const QString& g : query.globs) {
        BUTLER_ASSIGN_OR_RETURN(Glob glob, Glob::compile(g));
        globs << glob;
    }
    QList<CollectionInfo> result;
    QSet<QString> added;
    const auto accept = [&](const Entry& entry) {
        const CollectionInfo& info = entry.info;
        if (added.contains(info.name))
            return;
        if (!query.types.isEmpty() && !query.types.contains(info.type))
            return;
        if (!query.includeChains && info.type == CollectionType::Chained)
            return;
        added.insert(info.name);
        result << visibleInfo(*s, info);
    };
    for (const QString& name : s->names) {
        bool match = globs.isEmpty();
        for (const Glob& g : std::as_const(globs))
            match = match || g.matches(name);
        if (!match)
            continue;
        const Entry& entry = *s->find(name);
        if (!canRead(entry))
            continue;
        accept(entry);
        if (query.flattenChains && entry.info.type == CollectionType::Chained) {
            QStringList leaves;
            BUTLER_TRY(visit(*s, entry, 0, leaves));
            for (const QString& leaf : std::as_const(leaves))
                accept(*s->find(leaf));
        }
    }
    return result;
}

Status AuthorizedButler::setCollectionChain(const QString& parent, const QStringList& children,
                                            ChainMode mode, bool flatten, const QString& doc)
{
    BUTLER_TRY(checkWrite(parent, "change chain"));
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    QStringList next = children;
    const Entry* entry = s->find(parent);
    if (mode == ChainMode::Pop && entry && entry->info.type == CollectionType::Chained) {
        // Positions count the children this user sees; the registry counts all of them.
        next.clear();
        QList<int> visiblePositions;
        for (int i = 0; i < entry->info.children.size(); ++i) {
            const Entry* child = s->find(entry->info.children[i]);
            if (child && canRead(*child))
                visiblePositions << i;
        }
        for (const QString& item : children) {
            bool ok = false;
            const int i = item.toInt(&ok);
            if (!ok || i < 0 || i >= visiblePositions.size())
                return invalidInput(QStringLiteral("pop takes child positions 0..%1, not '%2'")
                                        .arg(visiblePositions.size() - 1)
                                        .arg(item));
            next << QString::number(visiblePositions[i]);
        }
        if (children.isEmpty()) {
            if (visiblePositions.isEmpty())
                return {}; // nothing this user sees to pop
            next << QString::number(visiblePositions.first());
        }
    } else if (mode != ChainMode::Pop) {
        for (const QString& child : children) {
            if (hasGlobChars(child))
                return invalidInput(
                    QStringLiteral("chain children must be collection names, not globs ('%1')").arg(child));
            BUTLER_TRY(readable(*s, child));
        }
        if (flatten) {
            // Flattened here so that no hidden grandchild becomes a child.
            BUTLER_ASSIGN_OR_RETURN(next, expand(*s, children));
        }
    }
    Registry& registry = m_butler.registry();
    Transaction tx(registry.database());
    BUTLER_TRY(tx.begin());
    auto existing = registry.getCollection(parent);
    if (!existing && existing.error().kind() != ErrorKind::NotFound)
        return existing.error();
    BUTLER_TRY(m_butler.setCollectionChain(parent, next, mode, false, doc));
    if (!existing)
        BUTLER_TRY(m_acls.resetCollection(parent, m_now));
    return tx.commit();
}

Result<QStringList> AuthorizedButler::flattenCollections(const QStringList& namesOrGlobs)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    return expand(*s, namesOrGlobs);
}

Status AuthorizedButler::removeCollections(const QStringList& names)
{
    return removeAll(names, false);
}

Status AuthorizedButler::removeRuns(const QStringList& names)
{
    return removeAll(names, true);
}

Status AuthorizedButler::removeAll(const QStringList& names, bool run)
{
    // A chain that holds a removed collection, seen or not, skips it while it is in the trash.
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    for (const QString& name : names)
        BUTLER_TRY(writable(*s, name, run ? "remove run" : "remove collection"));
    for (const QString& name : names) {
        BUTLER_ASSIGN_OR_RETURN(const std::optional<TrashEntry> trashed,
                                m_butler.removeCollectionAs(name, run, m_identity.user));
        // One in the trash keeps its ACL: it decides who sees the entry, and comes back with it.
        if (trashed)
            continue;
        if (Status forgotten = m_acls.forget({name}); !forgotten.ok())
            qCWarning(lcAccess) << "could not drop the ACL of removed collection" << name << ":"
                                << forgotten.error().message();
    }
    return {};
}

// ---------------------------------------------------------------- datasets

Result<DatasetPage> AuthorizedButler::queryDatasets(const DatasetQuery& query)
{
    if (query.collections.isEmpty())
        return m_butler.queryDatasets(query); // the registry explains
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    DatasetQuery restricted = query;
    BUTLER_ASSIGN_OR_RETURN(restricted.collections, expand(*s, query.collections));
    if (restricted.collections.isEmpty())
        return DatasetPage();
    BUTLER_ASSIGN_OR_RETURN(DatasetPage page,
                            m_butler.registry().queryDatasets(restricted, memberFilter(*s)));
    redactRuns(*s, page.refs);
    return page;
}

Result<qint64> AuthorizedButler::countDatasets(const DatasetQuery& query)
{
    if (query.collections.isEmpty())
        return m_butler.registry().countDatasets(query); // the registry explains
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    DatasetQuery restricted = query;
    BUTLER_ASSIGN_OR_RETURN(restricted.collections, expand(*s, query.collections));
    if (restricted.collections.isEmpty())
        return qint64(0);
    return m_butler.registry().countDatasets(restricted, memberFilter(*s));
}

Result<QList<DataCoordinate>> AuthorizedButler::queryDataIds(const DataIdQuery& query)
{
    if (query.collections.isEmpty())
        return m_butler.queryDataIds(query);
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    DataIdQuery restricted = query;
    BUTLER_ASSIGN_OR_RETURN(restricted.collections, expand(*s, query.collections));
    if (restricted.collections.isEmpty() && !query.datasetTypes.isEmpty())
        return QList<DataCoordinate>();
    if (query.datasetTypes.isEmpty() || m_identity.admin)
        return m_butler.queryDataIds(restricted);
    return queryDataIdsFiltered(*s, restricted);
}

// The registry's data-ID query has no member filter: a user's or group's TAGGED collection
// holding datasets of runs the user may not read would show their data IDs. Such collections
// are left out of it. Their visible members come from a dataset query, which applies the
// filter, when their data IDs give the answer directly: one dataset type whose dimensions hold
// the asked ones, in the default order. Otherwise those collections add nothing (the answer
// may miss data IDs, but never shows one the user may not see). Collections whose members are
// all visible take the registry's path unchanged.
Result<QList<DataCoordinate>> AuthorizedButler::queryDataIdsFiltered(const Snapshot& s,
                                                                     const DataIdQuery& query)
{
    Registry& registry = m_butler.registry();
    const MemberFilter filter = memberFilter(s);
    QStringList clean;
    QStringList tainted;
    for (const QString& leaf : query.collections) {
        const Entry* entry = s.find(leaf);
        // CALIBRATION collections do not take part in data-ID queries.
        if (entry && entry->info.type == CollectionType::Tagged && filter.restricted(leaf)) {
            DatasetQuery members;
            members.datasetTypes = query.datasetTypes;
            members.collections = {leaf};
            BUTLER_ASSIGN_OR_RETURN(const qint64 all, registry.countDatasets(members));
            BUTLER_ASSIGN_OR_RETURN(const qint64 visible, registry.countDatasets(members, filter));
            if (visible != all) {
                tainted << leaf;
                continue;
            }
        }
        clean << leaf;
    }
    if (tainted.isEmpty())
        return m_butler.queryDataIds(query);

    BUTLER_ASSIGN_OR_RETURN(const DimensionGroup group, universe().group(query.dimensions));
    QList<DataCoordinate> result;
    if (!clean.isEmpty()) {
        DataIdQuery base = query;
        base.collections = clean;
        BUTLER_ASSIGN_OR_RETURN(result, m_butler.queryDataIds(base));
    }
    if (query.datasetTypes.size() != 1 || !query.orderBy.isEmpty())
        return result;
    BUTLER_ASSIGN_OR_RETURN(const DatasetType type, m_butler.getDatasetType(query.datasetTypes.first()));
    for (const QString& dimension : group.required()) {
        if (!type.dimensions().contains(dimension))
            return result;
    }
    QSet<QString> seen;
    for (const DataCoordinate& dataId : std::as_const(result))
        seen.insert(dataId.key());
    DatasetQuery members;
    members.datasetTypes = query.datasetTypes;
    members.collections = tainted;
    members.where = query.where;
    members.bind = query.bind;
    members.limit = 5000;
    for (;;) {
        auto page = registry.queryDatasets(members, filter);
        if (!page) {
            // A where-expression a dataset query cannot apply: the collections add nothing.
            if (page.error().kind() == ErrorKind::InvalidInput)
                break;
            return page.error();
        }
        for (const DatasetRef& ref : std::as_const(page->refs)) {
            QVariantMap values;
            for (const QString& dimension : group.required())
                values.insert(dimension, ref.dataId().value(dimension));
            BUTLER_ASSIGN_OR_RETURN(const DataCoordinate bare,
                                    DataCoordinate::fromMap(universe(), group, values));
            if (seen.contains(bare.key()))
                continue;
            seen.insert(bare.key());
            BUTLER_ASSIGN_OR_RETURN(DataCoordinate expanded, registry.expandDataId(group, values));
            result.append(std::move(expanded));
        }
        if (page->nextPageToken.isEmpty() || page->refs.isEmpty())
            break;
        members.pageToken = page->nextPageToken;
    }
    std::stable_sort(result.begin(), result.end(), requiredLess);
    if (query.limit > 0 && result.size() > query.limit)
        result.resize(query.limit);
    return result;
}

Result<std::optional<DatasetRef>> AuthorizedButler::findDataset(const QString& datasetType,
                                                                const QVariantMap& dataId,
                                                                const QStringList& collections,
                                                                std::optional<qint64> time)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(QStringList leaves, expand(*s, collections));
    BUTLER_ASSIGN_OR_RETURN(
        std::optional<DatasetRef> found,
        m_butler.registry().findDataset(datasetType, dataId, leaves, time, memberFilter(*s)));
    if (found)
        found = redactRun(*s, std::move(*found));
    return found;
}

Result<DatasetRef> AuthorizedButler::getDataset(const QUuid& id)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    // The ref names its RUN: when that is readable no further query is needed.
    BUTLER_ASSIGN_OR_RETURN(DatasetRef ref, m_butler.getDataset(id));
    const Entry* run = s->find(ref.run());
    if (run && canRead(*run))
        return ref;
    BUTLER_TRY(checkVisible(*s, {id}));
    return redactRun(*s, std::move(ref));
}

Result<QList<FileInfo>> AuthorizedButler::fileInfo(const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<ServedFile> files, servedFiles(ids));
    QList<FileInfo> infos;
    infos.reserve(files.size());
    for (const ServedFile& file : files)
        infos.append(file.info);
    return infos;
}

Result<QList<AuthorizedButler::ServedFile>> AuthorizedButler::servedFiles(const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    QHash<QUuid, QStringList> containing; // each ID's RUN first
    BUTLER_TRY(checkVisible(*s, ids, &containing));
    BUTLER_ASSIGN_OR_RETURN(QList<FileInfo> infos, m_butler.fileInfo(ids));
    QList<ServedFile> files;
    files.reserve(infos.size());
    QHash<QString, bool> readableRuns;
    QList<QUuid> hidden;
    for (FileInfo& info : infos) {
        ServedFile file;
        file.datastorePath = info.path;
        const QString run = containing.value(info.id).value(0);
        auto known = readableRuns.constFind(run);
        if (known == readableRuns.constEnd())
            known = readableRuns.insert(run, namesRun(*s, run));
        file.hidePath = !*known;
        if (file.hidePath)
            hidden.append(info.id);
        file.info = std::move(info);
        files.append(std::move(file));
    }
    if (hidden.isEmpty())
        return files;
    // The dataset type is visible with the dataset; the ID keeps the names apart.
    BUTLER_ASSIGN_OR_RETURN(const auto types, m_butler.registry().datasetTypeNames(hidden));
    for (ServedFile& file : files) {
        if (!file.hidePath)
            continue;
        FileInfo& info = file.info;
        info.path = types.value(info.id, QStringLiteral("dataset")) + u'/' +
                    info.id.toString(QUuid::WithoutBraces) + u'.' +
                    FileDatastore::extensionFor(info.formatter);
        info.uri.clear(); // file:// with the datastore path
    }
    return files;
}

Result<DatasetRef> AuthorizedButler::put(const QByteArray& bytes, const QString& formatter,
                                         const QString& datasetType, const QVariantMap& dataId,
                                         const QString& run)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, run, "put"));
    return m_butler.put(bytes, formatter, datasetType, dataId, run);
}

Status AuthorizedButler::checkPutInto(const QString& run)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(const Entry* entry, writable(*s, run, "upload"));
    if (entry->info.type != CollectionType::Run)
        return invalidInput(QStringLiteral("'%1' is a %2 collection; datasets are put into RUN collections")
                                .arg(run, collectionTypeName(entry->info.type)));
    return {};
}

Result<QByteArray> AuthorizedButler::get(const QUuid& id, QString* formatter)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(checkVisible(*s, {id}));
    return m_butler.get(id, formatter);
}

Result<QList<DatasetRef>> AuthorizedButler::ingest(const QString& run, const QList<IngestFile>& files,
                                                   TransferMode mode, DatasetIdMode idMode)
{
    if (!m_identity.admin)
        return denied(
            m_policy.adminOnly(QStringLiteral("ingesting files from the server's file system (upload "
                                              "with put instead)")),
            "ingest", run);
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, run, "ingest"));
    return m_butler.ingest(run, files, mode, idMode);
}

Result<QList<DatasetRef>> AuthorizedButler::registerDatasets(const QString& run,
                                                             const QList<IngestFile>& datasets,
                                                             DatasetIdMode idMode)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, run, "register datasets"));
    BUTLER_TRY(checkIdChoice(run, datasets, idMode));
    Result<QList<DatasetRef>> refs = m_butler.registerDatasets(run, datasets, idMode);
    if (refs.ok() || m_identity.admin || refs.error().kind() != ErrorKind::Conflict)
        return refs;
    // The registry says whether a taken ID's dataset is in the trash; for an ID of a dataset
    // the user may not see that is already too much. One answer for every taken ID.
    for (const IngestFile& entry : datasets) {
        if (!entry.id.isNull() && refs.error().message().contains(entry.id.toString(QUuid::WithoutBraces)))
            return denied(conflict(QStringLiteral("dataset ID %1 is already taken; leave out 'id' to have "
                                                  "one made")
                                       .arg(entry.id.toString(QUuid::WithoutBraces))),
                          "register datasets", run);
    }
    return refs;
}

Status AuthorizedButler::checkIdChoice(const QString& run, const QList<IngestFile>& datasets,
                                       DatasetIdMode idMode)
{
    if (m_identity.admin)
        return {};
    if (idMode == DatasetIdMode::DataIdType)
        return denied(invalidInput(QStringLiteral(
                          "id_mode 'dataid_type' is for admins: its IDs leave out the run, so they are "
                          "the same in every run and registering one would tell whether a dataset you "
                          "cannot see exists; use 'unique' or 'dataid_type_run'")),
                      "register datasets", run);
    for (qsizetype i = 0; i < datasets.size(); ++i) {
        const IngestFile& entry = datasets[i];
        if (entry.id.isNull() || TimeOrderedUuid::isRandom(entry.id))
            continue;
        // Any other ID must be the one dataid_type_run gives this dataset in this run: derived
        // IDs of other runs, or without the run, can be computed for datasets one cannot see.
        BUTLER_ASSIGN_OR_RETURN(const DatasetType type, m_butler.getDatasetType(entry.datasetType));
        auto dataId = DataCoordinate::fromMap(universe(), type.dimensions(), entry.dataId);
        if (!dataId)
            return dataId.error().withContext(QStringLiteral("datasets[%1]").arg(i));
        if (entry.id != DatasetRef::makeId(DatasetIdMode::DataIdTypeRun, type, *dataId, run))
            return denied(
                invalidInput(QStringLiteral("datasets[%1]: an explicit ID must be random (a version 4 "
                                            "or 7 UUID) or the 'dataid_type_run' ID of the dataset in "
                                            "run '%2'; other derived IDs could name datasets of "
                                            "runs you cannot see")
                                 .arg(i)
                                 .arg(run)),
                "register datasets", run);
    }
    return {};
}

Result<QList<QUuid>> AuthorizedButler::discardUploadedDatasets(const UploadBatch& batch,
                                                               const QList<QUuid>& ids)
{
    // Removal without the trash is only for what the caller's own batch just made.
    if (batch.user != m_identity.user || !batch.committed)
        return denied(
            notFound(
                QStringLiteral("there is no committed upload '%1' of yours").arg(batch.uploadId.left(64))),
            "undo upload", batch.uploadId);
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, batch.run, "undo upload"));
    Registry& registry = m_butler.registry();
    Transaction tx(registry.database());
    BUTLER_TRY(tx.begin());
    QList<QUuid> present;
    for (const QUuid& id : ids) {
        auto ref = registry.getDataset(id);
        if (!ref) {
            if (ref.error().kind() == ErrorKind::NotFound)
                continue; // pruned since, or in the trash: that removal stands
            return ref.error();
        }
        if (ref->run() == batch.run)
            present << id;
    }
    if (!present.isEmpty()) {
        // Through the trash and out of it at once: the registry's one way to drop datasets with
        // their memberships, file records (their bytes go back to the quota) and files.
        BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> entries,
                                m_butler.trashDatasetsAs(present, m_identity.user));
        BUTLER_TRY(m_butler.purgeTrashEntries(entries));
    }
    BUTLER_TRY(tx.commit());
    qCInfo(lcAccess).noquote() << "user" << m_identity.user << "removed" << present.size()
                               << "datasets of upload" << batch.uploadId << "for good";
    return present;
}

Status AuthorizedButler::associate(const QString& tagged, const QList<QUuid>& ids)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, tagged, "associate"));
    BUTLER_TRY(checkVisible(*s, ids));
    return m_butler.associate(tagged, ids);
}

Status AuthorizedButler::disassociate(const QString& tagged, const QList<QUuid>& ids)
{
    // IDs need no check: taking out what is not there changes nothing, hidden or not.
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, tagged, "disassociate"));
    return m_butler.disassociate(tagged, ids);
}

Status AuthorizedButler::certify(const QString& calibration, const QList<QUuid>& ids,
                                 const Timespan& validity)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, calibration, "certify"));
    BUTLER_TRY(checkVisible(*s, ids));
    return m_butler.certify(calibration, ids, validity);
}

Status AuthorizedButler::decertify(const QString& calibration, const QString& datasetType,
                                   const Timespan& validity, const QList<DataCoordinate>& dataIds)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_TRY(writable(*s, calibration, "decertify"));
    return m_butler.decertify(calibration, datasetType, validity, dataIds);
}

Status AuthorizedButler::pruneDatasets(const QList<QUuid>& ids, bool purge, bool unstore)
{
    if (!purge && !unstore)
        return m_butler.pruneDatasets({}, purge, unstore); // the butler explains the options
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    QHash<QUuid, QStringList> containing;
    BUTLER_TRY(checkVisible(*s, ids, &containing));
    for (const QUuid& id : ids) {
        const QString run = containing.value(id).value(0);
        if (!m_policy.canWrite(m_identity, run))
            return denied(m_policy.writeDenied(m_identity, run)
                              .withContext(QStringLiteral("dataset %1 is in run '%2'")
                                               .arg(id.toString(QUuid::WithoutBraces), run)),
                          "prune", run);
    }
    if (purge) {
        BUTLER_TRY(m_butler.trashDatasetsAs(ids, m_identity.user));
        return {};
    }
    return m_butler.pruneDatasets(ids, purge, unstore);
}

// ---------------------------------------------------------------- trash

Result<QList<TrashEntry>> AuthorizedButler::visibleTrash(bool withExpired)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> all, m_butler.allTrashEntries());
    // Removal dates come from the butler's clock; read rights from the policy's.
    const qint64 now = m_butler.now();
    QList<TrashEntry> visible;
    for (const TrashEntry& entry : all) {
        if (!withExpired && entry.isExpired(now))
            continue;
        BUTLER_ASSIGN_OR_RETURN(const CollectionAcl acl, m_acls.aclOf(entry.collection, m_now));
        if (m_policy.canRead(m_identity, entry.collection, acl, m_now))
            visible << entry;
    }
    return visible;
}

Status AuthorizedButler::checkMayEmpty(const TrashEntry& entry, const char* operation) const
{
    if (m_policy.canWrite(m_identity, entry.collection))
        return {};
    return denied(m_policy.writeDenied(m_identity, entry.collection)
                      .withContext(QStringLiteral("only its owners or an admin may %1 '%2'")
                                       .arg(QLatin1String(operation), entry.name())),
                  operation, entry.name());
}

Result<QList<TrashEntry>> AuthorizedButler::trashEntries()
{
    return visibleTrash(false);
}

Result<QList<TrashEntry>> AuthorizedButler::restoreFromTrash(const QStringList& names)
{
    // Entries the user may not read fail as names never removed.
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> visible, visibleTrash(false));
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> chosen, TrashEntry::select(visible, names));
    for (const TrashEntry& entry : chosen)
        BUTLER_TRY(checkMayEmpty(entry, "restore"));
    BUTLER_TRY(m_butler.restoreTrashEntries(chosen));
    return chosen;
}

Result<QList<TrashEntry>> AuthorizedButler::emptyTrash(const QStringList& names, bool expiredOnly)
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> visible, visibleTrash(true));
    QList<TrashEntry> chosen;
    if (names.isEmpty()) {
        for (const TrashEntry& entry : visible)
            if (m_policy.canWrite(m_identity, entry.collection))
                chosen << entry;
    } else {
        BUTLER_ASSIGN_OR_RETURN(chosen, TrashEntry::select(visible, names));
        for (const TrashEntry& entry : std::as_const(chosen))
            BUTLER_TRY(checkMayEmpty(entry, "empty"));
    }
    if (expiredOnly) {
        const qint64 now = m_butler.now();
        chosen.removeIf([now](const TrashEntry& entry) { return !entry.isExpired(now); });
    }
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> purged, m_butler.purgeTrashEntries(chosen));
    QStringList collections;
    for (const TrashEntry& entry : purged)
        if (entry.kind != TrashEntry::Kind::Datasets)
            collections << entry.collection;
    if (!collections.isEmpty()) {
        if (Status forgotten = m_acls.forget(collections); !forgotten.ok())
            qCWarning(lcAccess) << "could not drop the ACLs of purged collections" << collections << ":"
                                << forgotten.error().message();
    }
    return purged;
}

// ---------------------------------------------------------------- ACLs

Result<CollectionAcl> AuthorizedButler::acl(const QString& collection)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(const Entry* entry, readable(*s, collection));
    return entry->acl;
}

Result<CollectionAcl> AuthorizedButler::editAcl(const QString& collection, const QStringList& grant,
                                                const QStringList& revoke)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(const Entry* entry, readable(*s, collection));
    if (!m_policy.canEditAcl(m_identity, collection))
        return denied(m_policy.aclEditDenied(m_identity, collection), "edit ACL", collection);
    if (entry->acl.ownerKind == CollectionAcl::OwnerKind::Release)
        return invalidInput(
            QStringLiteral("'%1' is a release collection: it is read by the data-rights group "
                           "until its proprietary date and by everyone after; ACLs grant "
                           "read on u/ and g/ collections only")
                .arg(collection));
    BUTLER_TRY(checkGroups(grant));
    BUTLER_TRY(checkGroups(revoke));
    BUTLER_TRY(m_acls.editReaders(collection, grant, revoke));
    BUTLER_ASSIGN_OR_RETURN(s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(entry, readable(*s, collection));
    return entry->acl;
}

Result<CollectionAcl> AuthorizedButler::setReleaseDates(const QString& collection, qint64 releaseDate,
                                                        std::optional<qint64> proprietaryUntil)
{
    BUTLER_ASSIGN_OR_RETURN(auto s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(const Entry* entry, readable(*s, collection));
    if (!m_identity.admin)
        return denied(m_policy.adminOnly(QStringLiteral("setting release dates")), "set release dates",
                      collection);
    if (entry->acl.ownerKind != CollectionAcl::OwnerKind::Release)
        return invalidInput(
            QStringLiteral("'%1' is not a release collection; only release collections have a proprietary "
                           "period")
                .arg(collection));
    if (proprietaryUntil && *proprietaryUntil < releaseDate)
        return invalidInput(
            QStringLiteral("the proprietary date of '%1' is before its release date").arg(collection));
    BUTLER_TRY(m_acls.setDates(collection, releaseDate, proprietaryUntil));
    BUTLER_ASSIGN_OR_RETURN(s, snapshot());
    BUTLER_ASSIGN_OR_RETURN(entry, readable(*s, collection));
    return entry->acl;
}

} // namespace butler
