#pragma once

#include "Result.h"

#include <QCoroTask>
#include <QPointer>
#include <QUndoCommand>
#include <functional>

namespace butler {

// An undoable change that the server makes. It is pushed only once the server has confirmed
// the change, so its first redo() does nothing; later undo() and redo() calls ask the server
// again and report how it went through finished (false when the server refused: the caller
// then explains and resets the stack, whose state can no longer be trusted).
class ServerCommand : public QUndoCommand
{
public:
    using Step = std::function<QCoro::Task<Status>()>;
    using Finished = std::function<void(const Status& status, bool undone)>;

    ServerCommand(const QString& text, Step forward, Step backward, QObject* context, Finished finished);

    void undo() override;
    void redo() override;

private:
    void run(const Step& step, bool undone);

    Step m_forward;
    Step m_backward;
    QPointer<QObject> m_context; // the answer is dropped once it is gone
    Finished m_finished;
    bool m_confirmed = true; // the change the command was made for is already done
};

} // namespace butler
