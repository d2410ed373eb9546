#pragma once

#include <QCoroTask>

#include <functional>

namespace butler {

// Blocking work on a thread of its own, awaited by a coroutine whose thread keeps its event loop.
// QCoro 0.8's qCoro(QThread*).waitForFinished() checks isRunning() and then connects to
// finished(): a thread that ends in between is never heard of and the awaiting coroutine hangs.
// A future's watcher also hears of work that ended before the watch began.
class ThreadTask
{
public:
    // Resumes the caller on its own thread once work() has returned and its thread has ended.
    static QCoro::Task<> run(std::function<void()> work);
};

} // namespace butler
