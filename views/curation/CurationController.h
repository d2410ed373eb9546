#pragma once

#include "CollectionInfo.h"
#include "Timespan.h"

#include "ServerCommand.h"

#include <QObject>
#include <QPointer>
#include <QUuid>
#include <functional>
#include <memory>

class QUndoStack;

namespace butler {

class OperationsModel;
class RemoteButler;
class RepositorySession;

// The curation actions of the browser: each asks the server first and, once it confirms,
// pushes an undoable command and announces which collections changed so the models reload
// them. A refusal (permission, conflict, quota) leaves everything as it was and is reported
// through refused() with the server's explanation.
//
// With an OperationsModel, every request to the server (the action, and later undos and redos)
// is an operation there that the user can cancel: the requests are aborted, nothing is pushed,
// and the collections are reloaded since the server may have made the change all the same.
class CurationController : public QObject
{
    Q_OBJECT

public:
    CurationController(RepositorySession* session, QUndoStack* stack, QObject* parent = nullptr);

    void createCollection(const QString& name, CollectionType type, const QString& doc);
    // Adds datasets to a TAGGED collection; those already in it are left out of the undo.
    void associate(const QString& tagged, const QList<QUuid>& ids);
    void disassociate(const QString& tagged, const QList<QUuid>& ids);
    // Replaces a chain's children (reordering by drag and drop, adding, removing).
    void setChain(const QString& chain, const QStringList& children);
    // Puts collections into a chain before its child at row (-1: at the end); those already in
    // it move there (reordering by drag and drop).
    void insertIntoChain(const QString& chain, const QStringList& names, int row);
    void certify(const QString& calibration, const QList<QUuid>& ids, const Timespan& validity);

    // Whether an operation is waiting for the server (the UI may show a busy state).
    int pending() const { return m_pending; }
    // Where the requests show as operations; not owned.
    void setOperations(OperationsModel* operations);

signals:
    // The contents of these collections changed (after an action, an undo or a redo).
    void collectionsChanged(const QStringList& names);
    // The list of collections changed (created or removed).
    void collectionListChanged();
    void refused(const QString& message);
    void pendingChanged(int pending);

private:
    // A butler whose requests form one operation (the session's own without an operations model).
    struct Tracked
    {
        std::shared_ptr<RemoteButler> butler;
        quint64 id = 0;
    };
    Tracked track(const QString& title);
    // A command step run as an operation of its own each time.
    ServerCommand::Step trackedStep(const QString& title,
                                    std::function<QCoro::Task<Status>(RemoteButler*)> step);
    // Explains a failed action; a cancelled one also reloads what it may have changed.
    void reportFailure(const Error& error, const QString& text, const QStringList& changed, bool listChanged);

    void begin();
    void end();
    // Reports an undo/redo outcome: on failure the stack is reset (its state is unknown).
    void tag(const QString& tagged, const QList<QUuid>& ids, bool add);
    void changeChain(const QString& chain, std::function<QStringList(const QStringList&)> edit);
    void stepFinished(const Status& status, bool undone, const QString& text, const QStringList& changed,
                      bool listChanged);

    RepositorySession* m_session;
    QUndoStack* m_stack;
    QPointer<OperationsModel> m_operations;
    int m_pending = 0;
};

} // namespace butler
