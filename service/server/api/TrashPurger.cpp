#include "TrashPurger.h"

#include "AclStore.h"
#include "DirectButler.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTrash, "butler.server.trash")

namespace butler {

TrashPurger::TrashPurger(DirectButler& butler, AclStore& acls, std::chrono::seconds interval)
    : m_butler(butler)
    , m_acls(acls)
{
    m_pool.setMaxThreadCount(1);
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &TrashPurger::scheduleRound);
}

TrashPurger::~TrashPurger()
{
    m_timer.stop();
    m_pool.waitForDone();
}

void TrashPurger::start()
{
    m_timer.start();
    scheduleRound();
}

void TrashPurger::scheduleRound()
{
    if (!m_running.testAndSetAcquire(0, 1))
        return; // the previous round is still running
    m_pool.start([this] {
        const Result<QList<TrashEntry>> purged = purgeNow();
        if (!purged)
            qCWarning(lcTrash).noquote()
                << "purging expired trash entries failed:" << purged.error().message();
        m_running.storeRelease(0);
    });
}

Result<QList<TrashEntry>> TrashPurger::purgeNow()
{
    BUTLER_ASSIGN_OR_RETURN(const QList<TrashEntry> purged, m_butler.purgeExpiredTrash());
    QStringList collections;
    for (const TrashEntry& entry : purged) {
        qCInfo(lcTrash).noquote() << "purged" << entry.typeText() << entry.name() << "removed by"
                                  << entry.removedBy << "(" << entry.files << "files," << entry.bytes
                                  << "bytes)";
        if (entry.kind != TrashEntry::Kind::Datasets)
            collections << entry.collection;
    }
    if (!collections.isEmpty())
        BUTLER_TRY(m_acls.forget(collections));
    return purged;
}

} // namespace butler
