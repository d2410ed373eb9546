#include "ServerCommand.h"

namespace butler {

ServerCommand::ServerCommand(const QString& text, Step forward, Step backward, QObject* context,
                             Finished finished)
    : QUndoCommand(text)
    , m_forward(std::move(forward))
    , m_backward(std::move(backward))
    , m_context(context)
    , m_finished(std::move(finished))
{
}

void ServerCommand::undo()
{
    run(m_backward, true);
}

void ServerCommand::redo()
{
    if (m_confirmed) {
        m_confirmed = false;
        return;
    }
    run(m_forward, false);
}

void ServerCommand::run(const Step& step, bool undone)
{
    if (!m_context)
        return;
    // The command may be deleted (stack cleared) before the answer: capture copies only.
    Finished finished = m_finished;
    QCoro::connect(step(), m_context.data(),
                   [finished, undone](const Status& status) { finished(status, undone); });
}

} // namespace butler
