#include "Metrics.h"

#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <charconv>
#include <cmath>
#include <unordered_map>

Q_LOGGING_CATEGORY(lcMetrics, "butler.server.metrics")

namespace butler {

namespace {

std::atomic<quint64> nextMetricsId{1};

struct RequestKey
{
    QString route;
    QByteArray method;
    int status = 0;

    bool operator==(const RequestKey& other) const
    {
        return status == other.status && method == other.method && route == other.route;
    }
};

size_t qHash(const RequestKey& key, size_t seed = 0)
{
    return qHashMulti(seed, key.route, key.method, key.status);
}

// Unknown methods are folded together so that a client cannot create series at will.
QByteArray normalizedMethod(const QByteArray& method)
{
    static const QByteArray known[] = {"GET",   "HEAD",    "POST",    "PUT",  "DELETE",
                                       "PATCH", "OPTIONS", "CONNECT", "TRACE"};
    for (const QByteArray& name : known) {
        if (method == name)
            return name;
    }
    return QByteArrayLiteral("OTHER");
}

QByteArray formatNumber(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

QByteArray escapeHelp(const QByteArray& help)
{
    QByteArray out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void appendHeader(QByteArray& out, const char* name, const QByteArray& help, const char* type)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += escapeHelp(help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

} // namespace

struct Metrics::ThreadIndex
{
    struct RequestSlot
    {
        std::atomic<quint64>* count = nullptr;
        LatencyHistogram* duration = nullptr;
    };
    QHash<RequestKey, RequestSlot> requests;
    QHash<const char*, CacheSeries*> caches; // by address: callers pass string literals
};

Metrics::Metrics()
    : m_id(nextMetricsId.fetch_add(1))
{
}

Metrics::~Metrics() = default;

Metrics::ThreadIndex& Metrics::threadIndex() const
{
    // Indexes of destroyed Metrics stay behind until their thread ends; their ids are never
    // looked up again.
    thread_local std::unordered_map<quint64, std::unique_ptr<ThreadIndex>> indexes;
    thread_local quint64 lastId = 0;
    thread_local ThreadIndex* last = nullptr;
    if (lastId == m_id)
        return *last;
    std::unique_ptr<ThreadIndex>& index = indexes[m_id];
    if (!index)
        index = std::make_unique<ThreadIndex>();
    lastId = m_id;
    last = index.get();
    return *index;
}

void Metrics::observeRequest(const QString& route, const QByteArray& method, int status, double seconds)
{
    ThreadIndex& index = threadIndex();
    RequestKey key{route, method, status};
    auto it = index.requests.constFind(key);
    if (it == index.requests.cend()) {
        const int boundedStatus = status >= 100 && status <= 599 ? status : 0;
        std::lock_guard lock(m_mutex);
        auto routeIt = m_routes.find(route);
        if (routeIt == m_routes.end()) {
            const QString name = int(m_routes.size()) < MaxRoutes ? route : QStringLiteral("other");
            if (name != route && !m_warnedAboutRoutes) {
                m_warnedAboutRoutes = true;
                qCWarning(lcMetrics) << "more than" << MaxRoutes << "routes; counting" << route
                                     << "and later ones as 'other'";
            }
            routeIt = m_routes.find(name);
            if (routeIt == m_routes.end())
                routeIt = m_routes.emplace(name, std::make_unique<RouteSeries>()).first;
        }
        RouteSeries& series = *routeIt->second;
        auto& count = series.requests[{normalizedMethod(method), boundedStatus}];
        if (!count)
            count = std::make_unique<std::atomic<quint64>>(0);
        it = index.requests.insert(std::move(key), {count.get(), &series.duration});
    }
    it->count->fetch_add(1, std::memory_order_relaxed);
    it->duration->observe(seconds);
}

void Metrics::countCache(const char* cache, bool hit)
{
    ThreadIndex& index = threadIndex();
    auto it = index.caches.constFind(cache);
    if (it == index.caches.cend()) {
        std::lock_guard lock(m_mutex);
        std::unique_ptr<CacheSeries>& series = m_caches[QByteArray(cache)];
        if (!series)
            series = std::make_unique<CacheSeries>();
        it = index.caches.insert(cache, series.get());
    }
    (hit ? (*it)->hits : (*it)->misses).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::addGauge(const QByteArray& name, const QByteArray& help, std::function<double()> read)
{
    addReading(name, help, std::move(read), "gauge");
}

void Metrics::addCounter(const QByteArray& name, const QByteArray& help, std::function<double()> read)
{
    addReading(name, help, std::move(read), "counter");
}

void Metrics::addReading(const QByteArray& name, const QByteArray& help, std::function<double()> read,
                         const char* type)
{
    static const QRegularExpression valid(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    if (!valid.match(QString::fromLatin1(name)).hasMatch() || !read) {
        qCWarning(lcMetrics) << "ignoring metric with invalid name or no callback:" << name;
        return;
    }
    std::lock_guard lock(m_mutex);
    for (Gauge& gauge : m_gauges) {
        if (gauge.name == name) {
            gauge.help = help;
            gauge.read = std::move(read);
            gauge.type = type;
            return;
        }
    }
    m_gauges.push_back({name, help, std::move(read), type});
}

QByteArray Metrics::escapeLabelValue(const QByteArray& value)
{
    QByteArray out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray Metrics::render() const
{
    QByteArray out;
    std::vector<Gauge> gauges;
    {
        std::lock_guard lock(m_mutex);
        out.reserve(4096 + int(m_routes.size()) * 2048);

        appendHeader(out, "butler_http_requests_total",
                     "HTTP requests answered, by route template, method and status.", "counter");
        for (const auto& [route, series] : m_routes) {
            const QByteArray routeLabel = escapeLabelValue(route.toUtf8());
            for (const auto& [key, count] : series->requests) {
                out += "butler_http_requests_total{route=\"" + routeLabel + "\",method=\"" +
                       escapeLabelValue(key.first) + "\",status=\"" + QByteArray::number(key.second) +
                       "\"} " + QByteArray::number(count->load(std::memory_order_relaxed)) + '\n';
            }
        }

        appendHeader(out, "butler_http_request_duration_seconds",
                     "Time from a request's arrival to its answer, by route template.", "histogram");
        for (const auto& [route, series] : m_routes) {
            const QByteArray routeLabel = escapeLabelValue(route.toUtf8());
            const LatencyHistogram::Snapshot snapshot = series->duration.snapshot();
            for (std::size_t i = 0; i < LatencyHistogram::BucketCount; ++i) {
                // 'g' with 15 digits writes the bounds as 0.0005 ... 10, as people expect.
                const QByteArray le = i < LatencyHistogram::Bounds.size()
                                          ? QByteArray::number(LatencyHistogram::Bounds[i], 'g', 15)
                                          : QByteArrayLiteral("+Inf");
                out += "butler_http_request_duration_seconds_bucket{route=\"" + routeLabel + "\",le=\"" + le +
                       "\"} " + QByteArray::number(snapshot.cumulative[i]) + '\n';
            }
            out += "butler_http_request_duration_seconds_sum{route=\"" + routeLabel + "\"} " +
                   formatNumber(snapshot.sum) + '\n';
            out += "butler_http_request_duration_seconds_count{route=\"" + routeLabel + "\"} " +
                   QByteArray::number(snapshot.count) + '\n';
        }

        appendHeader(out, "butler_cache_hits_total", "Cache lookups that found their entry, by cache.",
                     "counter");
        for (const auto& [cache, series] : m_caches) {
            out += "butler_cache_hits_total{cache=\"" + escapeLabelValue(cache) + "\"} " +
                   QByteArray::number(series->hits.load(std::memory_order_relaxed)) + '\n';
        }
        appendHeader(out, "butler_cache_misses_total",
                     "Cache lookups that did not find their entry, by cache.", "counter");
        for (const auto& [cache, series] : m_caches) {
            out += "butler_cache_misses_total{cache=\"" + escapeLabelValue(cache) + "\"} " +
                   QByteArray::number(series->misses.load(std::memory_order_relaxed)) + '\n';
        }
        gauges = m_gauges;
    }
    // Outside the lock: a callback may take its own locks.
    for (const Gauge& gauge : gauges) {
        appendHeader(out, gauge.name.constData(), gauge.help, gauge.type);
        out += gauge.name + ' ' + formatNumber(gauge.read()) + '\n';
    }
    return out;
}

} // namespace butler
