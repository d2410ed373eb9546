#include "CurationController.h"

#include "OperationsModel.h"
#include "RepositorySession.h"
#include "RequestGroup.h"
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

QString errorText(const Status& status)
{
    return status.ok() ? QString() : status.error().message();
}

template <typename T> QString errorText(const Result<T>& result)
{
    return result.ok() ? QString() : result.error().message();
}

// Awaits a step, then ends its operation; keeps the step's butler alive until then.
template <typename T>
QCoro::Task<T> finishing(QCoro::Task<T> task, [[maybe_unused]] std::shared_ptr<RemoteButler> butler,
                         QPointer<OperationsModel> operations, quint64 id)
{
    T result = co_await task;
    if (operations && id != 0)
        operations->finish(id, errorText(result));
    co_return result;
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

CurationController::Tracked CurationController::track(const QString& title)
{
    RemoteButler* own = &m_session->butler();
    if (!m_operations)
        return {std::shared_ptr<RemoteButler>(std::shared_ptr<RemoteButler>(), own), 0};
    auto group = std::make_shared<RequestGroup>();
    Tracked tracked;
    tracked.butler = std::shared_ptr<RemoteButler>(own->withRequestGroup(group));
    tracked.id = m_operations->startWithGroup(title, group);
    return tracked;
}

ServerCommand::Step CurationController::trackedStep(const QString& title,
                                                    std::function<QCoro::Task<Status>(RemoteButler*)> step)
{
    // ServerCommand calls steps only while this controller lives.
    return [this, title, step] {
        const Tracked op = track(title);
        return finishing(step(op.butler.get()), op.butler, m_operations, op.id);
    };
}

void CurationController::reportFailure(const Error& error, const QString& text, const QStringList& changed,
                                       bool listChanged)
{
    if (!RequestGroup::isCancellation(error)) {
        emit refused(error.message());
        return;
    }
    emit refused(tr("Cancelled: %1. The server may have done it before it stopped; the collections show "
                    "what it holds now.")
                     .arg(text));
    if (listChanged)
        emit collectionListChanged();
    if (!changed.isEmpty())
        emit collectionsChanged(changed);
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
    const QString text = tr("create %1").arg(name);
    const Tracked op = track(tr("Create collection %1").arg(name));
    begin();
    QCoro::connect(
        finishing(createStep(op.butler.get(), name, type, doc), op.butler, m_operations, op.id), this,
        [=, this](const Status& status) {
            end();
            if (!status) {
                reportFailure(status.error(), text, {name}, true);
                return;
            }
            m_stack->push(new ServerCommand(
                text,
                trackedStep(tr("Redo: %1").arg(text),
                            [=](RemoteButler* butler) { return createStep(butler, name, type, doc); }),
                trackedStep(tr("Undo: %1").arg(text),
                            [=](RemoteButler* butler) { return removeStep(butler, name, type); }),
                this, [this, text, name](const Status& s, bool undone) {
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
    const QString asked = add ? tr("tag %1 into %2").arg(countText(ids.size()), tagged)
                              : tr("remove %1 from %2").arg(countText(ids.size()), tagged);
    const Tracked op = track(add ? tr("Tag %1 into %2").arg(countText(ids.size()), tagged)
                                 : tr("Remove %1 from %2").arg(countText(ids.size()), tagged));
    begin();
    QCoro::connect(finishing(tagStep(op.butler.get(), tagged, ids, add), op.butler, m_operations, op.id),
                   this, [=, this](const Result<QList<QUuid>>& changed) {
                       end();
                       if (!changed) {
                           reportFailure(changed.error(), asked, {tagged}, false);
                           return;
                       }
                       if (changed->isEmpty()) {
                           emit collectionsChanged({tagged});
                           return; // nothing changed: nothing to undo
                       }
                       const QList<QUuid> done = *changed;
                       const QString text = add ? tr("tag %1 into %2").arg(countText(done.size()), tagged)
                                                : tr("remove %1 from %2").arg(countText(done.size()), tagged);
                       const auto put = [tagged, done](bool in) {
                           return [tagged, done, in](RemoteButler* butler) {
                               return in ? butler->associateAsync(tagged, done)
                                         : butler->disassociateAsync(tagged, done);
                           };
                       };
                       m_stack->push(new ServerCommand(text, trackedStep(tr("Redo: %1").arg(text), put(add)),
                                                       trackedStep(tr("Undo: %1").arg(text), put(!add)), this,
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
    const QString text = tr("change chain %1").arg(chain);
    const Tracked op = track(tr("Change chain %1").arg(chain));
    begin();
    QCoro::connect(
        finishing(chainStep(op.butler.get(), chain, std::move(edit)), op.butler, m_operations, op.id), this,
        [=, this](const Result<ChainChange>& change) {
            end();
            if (!change) {
                reportFailure(change.error(), text, {chain}, false);
                return;
            }
            const QStringList old = change->first;
            const QStringList children = change->second;
            if (old == children)
                return;
            const auto setTo = [chain](const QStringList& list) {
                return [chain, list](RemoteButler* butler) {
                    return butler->setCollectionChainAsync(chain, list, ChainMode::Redefine);
                };
            };
            m_stack->push(new ServerCommand(text, trackedStep(tr("Redo: %1").arg(text), setTo(children)),
                                            trackedStep(tr("Undo: %1").arg(text), setTo(old)), this,
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
    const QString asked = tr("certify %1 in %2").arg(countText(ids.size()), calibration);
    const Tracked op = track(tr("Certify %1 in %2").arg(countText(ids.size()), calibration));
    begin();
    QCoro::connect(
        finishing(certifyStep(op.butler.get(), calibration, ids, validity), op.butler, m_operations, op.id),
        this, [=, this](const Result<QList<DatasetRef>>& refs) {
            end();
            if (!refs) {
                reportFailure(refs.error(), asked, {calibration}, false);
                return;
            }
            const QList<DatasetRef> done = *refs;
            const QString text = tr("certify %1 in %2").arg(countText(done.size()), calibration);
            m_stack->push(
                new ServerCommand(text,
                                  trackedStep(tr("Redo: %1").arg(text),
                                              [=](RemoteButler* butler) {
                                                  return butler->certifyAsync(calibration, ids, validity);
                                              }),
                                  trackedStep(tr("Undo: %1").arg(text),
                                              [=](RemoteButler* butler) {
                                                  return decertifyStep(butler, calibration, done, validity);
                                              }),
                                  this, [this, text, calibration](const Status& s, bool undone) {
                                      stepFinished(s, undone, text, {calibration}, false);
                                  }));
            emit collectionsChanged({calibration});
        });
}

void CurationController::setOperations(OperationsModel* operations)
{
    m_operations = operations;
}

} // namespace butler
