#pragma once

#include "Result.h"
#include "TrashEntry.h"

#include <QAtomicInt>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <chrono>

namespace butler {

class AclStore;
class DirectButler;

// Purges a served repository's expired trash entries on a timer, the way expired upload slots
// are cleaned up: each round runs on a thread of its own pool (never the event loop's), and a
// round still running makes the next tick a no-op. Purged collections' ACL rows go too.
// Lives in the thread that made it; the timer needs that thread's event loop.
class TrashPurger : public QObject
{
public:
    TrashPurger(DirectButler& butler, AclStore& acls, std::chrono::seconds interval);
    // Stops the timer and waits for a round in progress.
    ~TrashPurger() override;

    // Starts the timer; the first round runs at once, for what expired while the server was down.
    void start();
    // One round in the calling thread: what it purged.
    Result<QList<TrashEntry>> purgeNow();

private:
    void scheduleRound();

    DirectButler& m_butler;
    AclStore& m_acls;
    QTimer m_timer;
    QThreadPool m_pool;
    QAtomicInt m_running = 0;
};

} // namespace butler
