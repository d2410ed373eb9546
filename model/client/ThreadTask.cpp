#include "ThreadTask.h"

#include <QCoroFuture>
#include <QThreadPool>
#include <QtConcurrentRun>

namespace butler {

QCoro::Task<> ThreadTask::run(std::function<void()> work)
{
    // A pool of one for this work alone: the global pool may be busy with other work, and the
    // pool's destructor waits for its thread, so nothing outlives the call.
    QThreadPool pool;
    pool.setMaxThreadCount(1);
    QFuture<void> done = QtConcurrent::run(&pool, std::move(work));
    co_await done;
}

} // namespace butler
