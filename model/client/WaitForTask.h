#pragma once

#include <QCoroTask>

#include <optional>

namespace butler {

namespace detail {
template <typename T> QCoro::Task<> storeTaskResult(QCoro::Task<T>& task, std::optional<T>& out)
{
    out.emplace(co_await task);
}
} // namespace detail

// QCoro::waitFor for results without a default constructor (Result<T>): runs a local event
// loop until the task has finished. For command-line code and tests, never for the UI thread.
template <typename T> T waitForTask(QCoro::Task<T> task)
{
    std::optional<T> out;
    QCoro::waitFor(detail::storeTaskResult(task, out));
    return std::move(*out);
}

} // namespace butler
