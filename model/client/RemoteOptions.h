#pragma once

#include <QCoroTask>

#include <chrono>
#include <functional>

namespace butler {

// How RemoteButler talks to the server. The defaults suit the CLI and the desktop app.
struct RemoteOptions
{
    // The longest total wait for retried answers (429, and 503 on idempotent requests) of one
    // call: Retry-After when given, else 0.25 s doubling up to 8 s. An answer that asks for
    // longer than is left fails at once.
    std::chrono::milliseconds retryBudget{std::chrono::seconds(30)};
    // A transfer that moves no bytes for this long fails.
    std::chrono::milliseconds transferTimeout{std::chrono::seconds(120)};
    // Waits between retries; tests replace it to see the waits without spending them.
    std::function<QCoro::Task<>(std::chrono::milliseconds)> sleep{};
};

} // namespace butler
