#pragma once

#include "HttpBodyPlan.h"

#include <QtGlobal>

namespace butler {

// What the HTTP front tolerates from a client before it answers an error and closes.
struct HttpLimits
{
    int maxHeaderBytes = 16 * 1024;   // request line + headers; over it: 431 and close
    qint64 maxBodyBytes = 64LL << 20; // over it (Content-Length or chunked total): 413 and close
    int headerTimeoutMs =
        10000; // whole header must arrive within this (slowloris): close (408 if any byte came)
    int bodyTimeoutMs = 60000;  // body must keep arriving; close on stall
    int idleTimeoutMs = 60000;  // keep-alive idle connection: close
    int maxConnections = 10000; // over it: answer 503 + close immediately, keep serving others
    int listenBacklog = 1024;
    int threads = 0; // listener threads, 0 = QThread::idealThreadCount()
    // When set, decides per request whether its body is buffered (under maxBodyBytes),
    // streamed to a sink (uploads, no size limit here) or refused unread.
    HttpBodyPlanner bodyPlanner;
};

} // namespace butler
