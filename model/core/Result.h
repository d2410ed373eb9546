#pragma once

#include "Error.h"

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

namespace butler {

// Result<T> holds either a value or an Error, in the spirit of std::expected (C++23), which
// g++ 12 in C++20 mode lacks. Use it for every fallible call across a library boundary.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {
    }
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error))
    {
    }

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() &
    {
        assert(ok());
        return std::get<0>(m_data);
    }
    const T& value() const&
    {
        assert(ok());
        return std::get<0>(m_data);
    }
    T&& value() &&
    {
        assert(ok());
        return std::get<0>(std::move(m_data));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const
    {
        assert(!ok());
        return std::get<1>(m_data);
    }

    T valueOr(T fallback) const { return ok() ? std::get<0>(m_data) : std::move(fallback); }

private:
    std::variant<T, Error> m_data;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    {
    }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const
    {
        assert(!ok());
        return *m_error;
    }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace butler

// Propagates an error from a Result-returning expression; otherwise evaluates to nothing.
#define BUTLER_TRY(expr)                                                                                     \
    do {                                                                                                     \
        auto&& butlerTryResult_ = (expr);                                                                    \
        if (!butlerTryResult_.ok())                                                                          \
            return butlerTryResult_.error();                                                                 \
    } while (false)

// Assigns the value of a Result-returning expression to a new variable, or returns its error.
#define BUTLER_ASSIGN_OR_RETURN(decl, expr)                                                                  \
    auto BUTLER_CONCAT_(butlerResult_, __LINE__) = (expr);                                                   \
    if (!BUTLER_CONCAT_(butlerResult_, __LINE__).ok())                                                       \
        return BUTLER_CONCAT_(butlerResult_, __LINE__).error();                                              \
    decl = std::move(BUTLER_CONCAT_(butlerResult_, __LINE__)).value()
#define BUTLER_CONCAT_(a, b) BUTLER_CONCAT_INNER_(a, b)
#define BUTLER_CONCAT_INNER_(a, b) a##b
