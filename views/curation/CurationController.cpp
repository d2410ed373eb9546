#include "CurationController.h"

#include "RepositorySession.h"
#include "ServerCommand.h"

#include <QLoggingCategory>
#include <QSet>
#include <QUndoStack>

namespace butler {

Q_LOGGING_CATEGORY(lcCuration, "butler.views.curation")

namespace {

QString countText(qsizetype n)
{
    return n == 1 ? QObject::tr("1 dataset") : QObject::tr("%1 datasets").arg(n);
}

// The IDs among ids that the collection already holds.
QCoro::Task<Result<QSet<QUuid>>> alreadyIn(RemoteButler* butler, QString collection, QList<QUuid> ids)
{
    DatasetQuery query;
    query.collections = {collection};
    const QSet<QUuid> wanted(ids.cbegin(), ids.cend());
    QSet<QUuid> found;
    do {
        auto page = co_await butler->queryDatasetsAsync(query);
        if (!page)
            co_return page.error();
        for (const DatasetRef& ref : std::as_const(page->refs))
            if (wanted.contains(ref.id()))
                found.insert(ref.id());
        query.pageToken = page->nextPageToken;
    } while (!query.pageToken.isEmpty());
    co_return found;
}

// The coroutines take everything by value: a lambda's captures would die with the lambda while
// the coroutine still runs.
QCoro::Task<Status> createStep(RemoteButler* butler, QString name, CollectionType type, QString doc)
{
    const QStringList none; // g++ 12 needs lists built before co_await
    if (type == CollectionType::Chained)
        co_return co_await butler->setCollectionChainAsync(name, none, ChainMode::Redefine, false, doc);
    co_return co_await butler->registerCollectionAsync(name, type, doc);
}

QCoro::Task<Status> removeStep(RemoteButler* butler, QString name, CollectionType type)
{
    // An empty RUN is removed as a run; the others as collections.
    const QStringList names{name};
    if (type == CollectionType::Run)
        co_return co_await butler->removeRunsAsync(names);
    co_return co_await butler->removeCollectionsAsync(names);
}

// Tags or untags the IDs that would change; returns them.
QCoro::Task<Result<QList<QUuid>>> tagStep(RemoteButler* butler, QString tagged, QList<QUuid> ids, bool add)
{
    auto existing = co_await alreadyIn(butler, tagged, ids);
    if (!existing)
        co_return existing.error();
    QList<QUuid> changed;
    for (const QUuid& id : ids)
        if (existing->contains(id) != add && !changed.contains(id))
            changed << id;
    if (changed.isEmpty())
        co_return changed;
    // No co_await inside ?: (g++ 12 miscompiles it).
    Status status;
    if (add)
        status = co_await butler->associateAsync(tagged, changed);
    else
        status = co_await butler->disassociateAsync(tagged, changed);
    if (!status)
        co_return status.error();
    co_return changed;
}

using ChainChange = std::pair<QStringList, QStringList>; // before, after

QCoro::Task<Result<ChainChange>> chainStep(RemoteButler* butler, QString chain,
                                           std::function<QStringList(const QStringList&)> edit)
{
    auto before = co_await butler->getCollectionAsync(chain);
    if (!before)
        co_return before.error();
    if (before->type != CollectionType::Chained)
        co_return Error(ErrorKind::InvalidInput, QObject::tr("'%1' is not a CHAINED collection").arg(chain));
    const QStringList after = edit(before->children);
    if (after == before->children)
        co_return ChainChange{before->children, after};
    const Status status = co_await butler->setCollectionChainAsync(chain, after, ChainMode::Redefine);
    if (!status)
        co_return status.error();
    co_return ChainChange{before->children, after};
}

QCoro::Task<Result<QList<DatasetRef>>> certifyStep(RemoteButler* butler, QString calibration,
                                                   QList<QUuid> ids, Timespan validity)
{
    // Undo needs each dataset's type and data ID to decertify exactly that range.
    QList<DatasetRef> refs;
    for (const QUuid& id : ids) {
        auto ref = co_await butler->getDatasetAsync(id);
        if (!ref)
            co_return ref.error();
        refs << *ref;
    }
    const Status status = co_await butler->certifyAsync(calibration, ids, validity);
    if (!status)
        co_return status.error();
    co_return refs;
}

QCoro::Task<Status> decertifyStep(RemoteButler* butler, QString calibration, QList<DatasetRef> refs,
                                  Timespan validity)
{
    for (const DatasetRef& ref : refs) {
        const QList<DataCoordinate> dataIds{ref.dataId()};
        const Status status =
            co_await butler->decertifyAsync(calibration, ref.datasetType().name(), validity, dataIds);
        if (!status)
            co_return status;
    }
    co_return Status();
}

} // namespace

CurationController::CurationController(RepositorySession* session, QUndoStack* stack, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_stack(stack)
{
}

void CurationController::begin()
{
    emit pendingChanged(++m_pending);
}

void CurationController::end()
{
    emit pendingChanged(--m_pending);
}

void CurationController::stepFinished(const Status& status, bool undone, const QString& text,
                                      const QStringList& changed, bool listChanged)
{
    if (!status) {
        qCWarning(lcCuration) << (undone ? "undo" : "redo") << "of" << text
                              << "failed:" << status.error().message();
        // What the stack says is done may no longer match the server: start afresh.
        m_stack->clear();
        emit refused(tr("Could not %1 \"%2\": %3")
                         .arg(undone ? tr("undo") : tr("redo"), text, status.error().message()));
    }
    if (listChanged)
        emit collectionListChanged();
    emit collectionsChanged(changed);
}

void CurationController::createCollection(const QString& name, CollectionType type, const QString& doc)
{
    RemoteButler* butler = &m_session->butler();
    begin();
    const QString text = tr("create %1").arg(name);
    QCoro::connect(createStep(butler, name, type, doc), this, [=, this](const Status& status) {
        end();
        if (!status) {
            emit refused(status.error().message());
            return;
        }
        m_stack->push(new ServerCommand(
            text, [=] { return createStep(butler, name, type, doc); },
            [=] { return removeStep(butler, name, type); }, this,
            [this, text, name](const Status& s, bool undone) {
                stepFinished(s, undone, text, {name}, true);
            }));
        emit collectionListChanged();
    });
}

void CurationController::associate(const QString& tagged, const QList<QUuid>& ids)
{
    tag(tagged, ids, true);
}

void CurationController::disassociate(const QString& tagged, const QList<QUuid>& ids)
{
    tag(tagged, ids, false);
}

void CurationController::tag(const QString& tagged, const QList<QUuid>& ids, bool add)
{
    if (ids.isEmpty())
        return;
    RemoteButler* butler = &m_session->butler();
    begin();
    QCoro::connect(tagStep(butler, tagged, ids, add), this, [=, this](const Result<QList<QUuid>>& changed) {
        end();
        if (!changed) {
            emit refused(changed.error().message());
            return;
        }
        if (changed->isEmpty()) {
            emit collectionsChanged({tagged});
            return; // nothing changed: nothing to undo
        }
        const QList<QUuid> done = *changed;
        const QString text = add ? tr("tag %1 into %2").arg(countText(done.size()), tagged)
                                 : tr("remove %1 from %2").arg(countText(done.size()), tagged);
        ServerCommand::Step forward = [=] {
            return add ? butler->associateAsync(tagged, done) : butler->disassociateAsync(tagged, done);
        };
        ServerCommand::Step backward = [=] {
            return add ? butler->disassociateAsync(tagged, done) : butler->associateAsync(tagged, done);
        };
        m_stack->push(new ServerCommand(text, forward, backward, this,
                                        [this, text, tagged](const Status& s, bool undone) {
                                            stepFinished(s, undone, text, {tagged}, false);
                                        }));
        emit collectionsChanged({tagged});
    });
}

void CurationController::setChain(const QString& chain, const QStringList& children)
{
    changeChain(chain, [children](const QStringList&) { return children; });
}

void CurationController::insertIntoChain(const QString& chain, const QStringList& names, int row)
{
    changeChain(chain, [names, row](const QStringList& current) {
        QStringList result = current;
        int at = row < 0 || row > result.size() ? int(result.size()) : row;
        for (const QString& name : names) {
            const qsizetype was = result.indexOf(name);
            if (was < 0)
                continue;
            result.removeAt(was);
            if (was < at)
                --at; // the rows above the drop point shrank
        }
        for (qsizetype i = 0; i < names.size(); ++i)
            result.insert(at + i, names[i]);
        return result;
    });
}

void CurationController::changeChain(const QString& chain,
                                     std::function<QStringList(const QStringList&)> edit)
{
    RemoteButler* butler = &m_session->butler();
    begin();
    QCoro::connect(
        chainStep(butler, chain, std::move(edit)), this, [=, this](const Result<ChainChange>& change) {
            end();
            if (!change) {
                emit refused(change.error().message());
                return;
            }
            const QStringList old = change->first;
            const QStringList children = change->second;
            if (old == children)
                return;
            const QString text = tr("change chain %1").arg(chain);
            m_stack->push(new ServerCommand(
                text, [=] { return butler->setCollectionChainAsync(chain, children, ChainMode::Redefine); },
                [=] { return butler->setCollectionChainAsync(chain, old, ChainMode::Redefine); }, this,
                [this, text, chain](const Status& s, bool undone) {
                    stepFinished(s, undone, text, {chain}, false);
                }));
            emit collectionsChanged({chain});
        });
}

void CurationController::certify(const QString& calibration, const QList<QUuid>& ids,
                                 const Timespan& validity)
{
    if (ids.isEmpty())
        return;
    RemoteButler* butler = &m_session->butler();
    begin();
    QCoro::connect(certifyStep(butler, calibration, ids, validity), this,
                   [=, this](const Result<QList<DatasetRef>>& refs) {
                       end();
                       if (!refs) {
                           emit refused(refs.error().message());
                           return;
                       }
                       const QList<DatasetRef> done = *refs;
                       const QString text = tr("certify %1 in %2").arg(countText(done.size()), calibration);
                       m_stack->push(new ServerCommand(
                           text, [=] { return butler->certifyAsync(calibration, ids, validity); },
                           [=] { return decertifyStep(butler, calibration, done, validity); }, this,
                           [this, text, calibration](const Status& s, bool undone) {
                               stepFinished(s, undone, text, {calibration}, false);
                           }));
                       emit collectionsChanged({calibration});
                   });
}

} // namespace butler
