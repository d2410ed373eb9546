#pragma once

#include <chrono>

namespace butler {

// What the server's threads ask of the kernel's scheduler for the calling thread (Linux;
// elsewhere these do nothing and answer false). Neither needs a privilege.
class ThreadScheduling
{
public:
    // The slice for threads that wake for short work that a client waits on (the spare
    // workers, which take another user's query while the primaries are busy). The kernel's
    // smallest.
    static constexpr std::chrono::microseconds kShortSlice{100};

    // Raises the calling thread's nice value by `steps` (1-19): it yields its core sooner.
    static bool lowerPriority(int steps);

    // Asks for time slices of `slice` (0.1-100 ms; Linux 6.12 and later, older kernels keep
    // their own). A thread that wakes with a shorter slice than the running one's takes the
    // core at once; with the kernel's default (about 1-3 ms), it can wait up to a scheduler
    // tick for a busy query thread's slice to end. The nice value stays as it is.
    static bool requestSlice(std::chrono::microseconds slice);

    // Moves the calling thread to SCHED_IDLE: it runs only when no thread of normal priority
    // wants its core, and one that wakes takes the core at once. For work that others should
    // never wait behind (a flooding user's queries). There is no way back without a
    // privilege: a thread that asks for this stays so.
    static bool runInBackground();
    // Whether the calling thread is SCHED_IDLE.
    static bool inBackground();

    // The calling thread's slice as the kernel keeps it; 0 where it does not say.
    static std::chrono::microseconds slice();
};

} // namespace butler
