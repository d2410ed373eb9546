#pragma once

// Helpers shared by the auth tests.

#include "Result.h"

#include <QCoroTask>
#include <QTest>

#include <optional>

namespace butler::test {

namespace detail {
template <typename T> QCoro::Task<> store(QCoro::Task<T>& task, std::optional<T>& out)
{
    out.emplace(co_await task);
}
} // namespace detail

// QCoro::waitFor for results that have no default constructor (Result<T>): runs a nested event
// loop until the task is done.
template <typename T> T awaitTask(QCoro::Task<T> task)
{
    std::optional<T> out;
    QCoro::waitFor(detail::store(task, out));
    return std::move(*out);
}

} // namespace butler::test

// Fails the test with the error message when a Result or Status holds an error.
#define AUTH_VERIFY_OK(expr)                                                                                 \
    do {                                                                                                     \
        const auto& authCheck_ = (expr);                                                                     \
        QVERIFY2(authCheck_.ok(), authCheck_.ok() ? "" : qPrintable(authCheck_.error().message()));          \
    } while (false)

// Fails the test unless the Result holds an error of this kind whose message contains part.
#define AUTH_VERIFY_ERROR(expr, expectedKind, part)                                                          \
    do {                                                                                                     \
        const auto& authCheck_ = (expr);                                                                     \
        QVERIFY2(!authCheck_.ok(), "expected an error, the call succeeded");                                 \
        QCOMPARE(authCheck_.error().kindName(), butler::errorKindName(expectedKind));                        \
        QVERIFY2(authCheck_.error().message().contains(part), qPrintable(authCheck_.error().message()));     \
    } while (false)
