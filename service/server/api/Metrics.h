#pragma once

#include "LatencyHistogram.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace butler {

// The server's Prometheus metrics, served at /metrics in text format 0.0.4. Owned by the
// server; every method is thread-safe. The per-request calls take no shared lock: each thread
// keeps its own index of the series it has used, and the series themselves are atomics. The
// lock is taken only the first time a thread meets a series, and by render().
class Metrics
{
public:
    static constexpr const char* ContentType = "text/plain; version=0.0.4; charset=utf-8";
    // Routes beyond this many are counted under route "other", should a caller pass raw paths.
    static constexpr int MaxRoutes = 256;

    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Counts one answered request in butler_http_requests_total and its duration in
    // butler_http_request_duration_seconds. route is the route template (e.g.
    // "/api/butler/repo/<label>/v1/collections"), never the raw path.
    void observeRequest(const QString& route, const QByteArray& method, int status, double seconds);

    // Counts a lookup in butler_cache_hits_total or butler_cache_misses_total.
    void countCache(const char* cache, bool hit);

    // A gauge read at scrape time, from the scraping thread: read must be thread-safe and must
    // not call back into this object. Adding a name again replaces the earlier callback.
    void addGauge(const QByteArray& name, const QByteArray& help, std::function<double()> read);
    // The same for a counter kept elsewhere (a value that only grows), rendered as a counter.
    void addCounter(const QByteArray& name, const QByteArray& help, std::function<double()> read);

    QByteArray render() const;

    // Escapes a label value for the text format: backslash, double quote and line feed.
    static QByteArray escapeLabelValue(const QByteArray& value);

private:
    struct RouteSeries
    {
        LatencyHistogram duration;
        // (method, status) -> count; entries are added under m_mutex and never removed.
        std::map<std::pair<QByteArray, int>, std::unique_ptr<std::atomic<quint64>>> requests;
    };
    struct CacheSeries
    {
        std::atomic<quint64> hits{0};
        std::atomic<quint64> misses{0};
    };
    struct Gauge
    {
        QByteArray name;
        QByteArray help;
        std::function<double()> read;
        const char* type = "gauge";
    };
    struct ThreadIndex;

    ThreadIndex& threadIndex() const;
    void addReading(const QByteArray& name, const QByteArray& help, std::function<double()> read,
                    const char* type);

    const quint64 m_id; // keys the per-thread indexes; never reused, unlike addresses
    mutable std::mutex m_mutex;
    std::map<QString, std::unique_ptr<RouteSeries>> m_routes;
    std::map<QByteArray, std::unique_ptr<CacheSeries>> m_caches;
    std::vector<Gauge> m_gauges;
    bool m_warnedAboutRoutes = false;
};

} // namespace butler
