#include "ThreadScheduling.h"

#include <QLoggingCategory>
#include <QtGlobal>

#ifdef Q_OS_LINUX
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#endif

Q_LOGGING_CATEGORY(lcThreads, "butler.server.threads")

namespace butler {

#ifdef Q_OS_LINUX
namespace {

// The kernel's struct sched_attr (linux/sched/types.h, which clashes with glibc's sched.h).
struct SchedAttr
{
    uint32_t size;
    uint32_t policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime; // for SCHED_OTHER since Linux 6.12: the slice, in nanoseconds
    uint64_t deadline;
    uint64_t period;
    uint32_t utilMin;
    uint32_t utilMax;
};

constexpr uint64_t kResetOnFork = 0x01; // SCHED_FLAG_RESET_ON_FORK

pid_t threadId()
{
    return pid_t(::syscall(SYS_gettid));
}

bool readAttributes(SchedAttr* attr)
{
    *attr = SchedAttr{};
    return ::syscall(SYS_sched_getattr, threadId(), attr, sizeof(SchedAttr), 0) == 0;
}

} // namespace
#endif

bool ThreadScheduling::lowerPriority(int steps)
{
#ifdef Q_OS_LINUX
    if (steps <= 0)
        return true;
    // setpriority() sets a value: the thread's own (the process's, if no one changed it) plus steps.
    errno = 0;
    const int now = ::getpriority(PRIO_PROCESS, id_t(threadId()));
    if (errno == 0 && ::setpriority(PRIO_PROCESS, id_t(threadId()), std::min(now + steps, 19)) == 0)
        return true;
    qCWarning(lcThreads) << "could not lower a thread's priority:" << strerror(errno);
    return false;
#else
    Q_UNUSED(steps);
    return false;
#endif
}

bool ThreadScheduling::requestSlice(std::chrono::microseconds slice)
{
#ifdef Q_OS_LINUX
    SchedAttr attr;
    if (!readAttributes(&attr))
        return false;
    if (attr.policy != SCHED_OTHER && attr.policy != SCHED_BATCH)
        return false; // real-time and idle threads are scheduled otherwise
    attr.size = sizeof attr;
    attr.flags &= kResetOnFork; // the rest describe the clamps and deadlines asked for, not these
    attr.runtime = uint64_t(std::chrono::nanoseconds(slice).count());
    if (::syscall(SYS_sched_setattr, threadId(), &attr, 0) == 0)
        return true;
    // A kernel or sandbox that refuses it once refuses it for every thread: say it once.
    static std::atomic<bool> said{false};
    if (!said.exchange(true))
        qCInfo(lcThreads) << "the kernel keeps its own time slices:" << strerror(errno);
    return false;
#else
    Q_UNUSED(slice);
    return false;
#endif
}

bool ThreadScheduling::runInBackground()
{
#ifdef Q_OS_LINUX
    const sched_param none{};
    if (::sched_setscheduler(0, SCHED_IDLE, &none) == 0) // 0: the calling thread
        return true;
    qCWarning(lcThreads) << "could not move a thread to SCHED_IDLE:" << strerror(errno);
#endif
    return false;
}

bool ThreadScheduling::inBackground()
{
#ifdef Q_OS_LINUX
    return ::sched_getscheduler(0) == SCHED_IDLE;
#else
    return false;
#endif
}

std::chrono::microseconds ThreadScheduling::slice()
{
#ifdef Q_OS_LINUX
    SchedAttr attr;
    if (readAttributes(&attr))
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::nanoseconds(attr.runtime));
#endif
    return std::chrono::microseconds(0);
}

} // namespace butler
