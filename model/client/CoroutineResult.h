#pragma once

#include "Result.h"

// BUTLER_TRY and BUTLER_ASSIGN_OR_RETURN for coroutines, which must co_return.
#define BUTLER_CO_TRY(expr)                                                                                  \
    do {                                                                                                     \
        auto&& butlerTryResult_ = (expr);                                                                    \
        if (!butlerTryResult_.ok())                                                                          \
            co_return butlerTryResult_.error();                                                              \
    } while (false)

#define BUTLER_CO_ASSIGN_OR_RETURN(decl, expr)                                                               \
    auto BUTLER_CONCAT_(butlerCoResult_, __LINE__) = (expr);                                                 \
    if (!BUTLER_CONCAT_(butlerCoResult_, __LINE__).ok())                                                     \
        co_return BUTLER_CONCAT_(butlerCoResult_, __LINE__).error();                                         \
    decl = std::move(BUTLER_CONCAT_(butlerCoResult_, __LINE__)).value()
