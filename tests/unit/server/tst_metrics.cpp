#include "LatencyHistogram.h"
#include "Metrics.h"

#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <array>
#include <thread>
#include <vector>

using namespace butler;

namespace {

struct Sample
{
    QByteArray name;
    QMap<QByteArray, QByteArray> labels; // unescaped values
    QByteArray value;
};

struct Exposition
{
    QMap<QByteArray, QByteArray> types; // family -> counter, gauge, histogram
    QMap<QByteArray, QByteArray> helps;
    QList<Sample> samples;
    QString error; // the first line that does not follow the format, with why

    // The value of the one sample with this name and these labels; NaN when absent.
    double value(const QByteArray& name, const QMap<QByteArray, QByteArray>& labels = {}) const
    {
        for (const Sample& sample : samples) {
            if (sample.name == name && sample.labels == labels)
                return sample.value == "+Inf" ? qInf() : sample.value.toDouble();
        }
        return qQNaN();
    }
};

bool isMetricName(const QByteArray& name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    return pattern.match(QString::fromLatin1(name)).hasMatch();
}

bool isLabelName(const QByteArray& name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    return pattern.match(QString::fromLatin1(name)).hasMatch();
}

bool isValue(const QByteArray& value)
{
    if (value == "+Inf" || value == "-Inf" || value == "NaN")
        return true;
    bool ok = false;
    value.toDouble(&ok);
    return ok;
}

// The family a sample belongs to: histograms add _bucket, _sum and _count to the family name.
QByteArray familyOf(const QByteArray& name, const QMap<QByteArray, QByteArray>& types)
{
    if (types.contains(name))
        return name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (name.endsWith(suffix)) {
            const QByteArray base = name.chopped(qstrlen(suffix));
            if (types.value(base) == "histogram")
                return base;
        }
    }
    return QByteArray();
}

// Parses the text format 0.0.4 line by line, strictly.
Exposition parse(const QByteArray& text)
{
    Exposition result;
    if (!text.endsWith('\n')) {
        result.error = QStringLiteral("the text does not end with a line feed");
        return result;
    }
    const QList<QByteArray> lines = text.chopped(1).split('\n');
    for (const QByteArray& line : lines) {
        const auto fail = [&](const char* why) {
            result.error = QStringLiteral("%1: %2").arg(QString::fromUtf8(line), QLatin1String(why));
        };
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            const QByteArray rest = line.mid(7);
            const qsizetype space = rest.indexOf(' ');
            const QByteArray name = space < 0 ? rest : rest.left(space);
            const QByteArray arg = space < 0 ? QByteArray() : rest.mid(space + 1);
            if (!isMetricName(name))
                return fail("bad metric name"), result;
            if (line.startsWith("# TYPE ")) {
                if (result.types.contains(name))
                    return fail("TYPE given twice"), result;
                if (!QByteArrayList{"counter", "gauge", "histogram", "summary", "untyped"}.contains(arg))
                    return fail("bad type"), result;
                for (const Sample& sample : result.samples) {
                    if (sample.name.startsWith(name))
                        return fail("TYPE after the family's samples"), result;
                }
                result.types.insert(name, arg);
            } else {
                result.helps.insert(name, arg);
            }
            continue;
        }
        if (line.isEmpty() || line.startsWith('#'))
            return fail("unexpected comment or empty line"), result;

        Sample sample;
        qsizetype i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ')
            ++i;
        sample.name = line.left(i);
        if (!isMetricName(sample.name))
            return fail("bad metric name"), result;
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                const qsizetype equals = line.indexOf('=', i);
                if (equals < 0 || equals + 1 >= line.size() || line[equals + 1] != '"')
                    return fail("label without =\""), result;
                const QByteArray labelName = line.mid(i, equals - i);
                if (!isLabelName(labelName) || sample.labels.contains(labelName))
                    return fail("bad or repeated label name"), result;
                QByteArray value;
                qsizetype j = equals + 2;
                for (; j < line.size() && line[j] != '"'; ++j) {
                    if (line[j] == '\\') {
                        if (++j >= line.size())
                            return fail("dangling escape"), result;
                        if (line[j] == 'n')
                            value += '\n';
                        else if (line[j] == '\\' || line[j] == '"')
                            value += line[j];
                        else
                            return fail("unknown escape"), result;
                    } else {
                        value += line[j];
                    }
                }
                if (j >= line.size())
                    return fail("unterminated label value"), result;
                sample.labels.insert(labelName, value);
                i = j + 1;
                if (i < line.size() && line[i] == ',')
                    ++i;
            }
            if (i >= line.size())
                return fail("unterminated label set"), result;
            ++i;
        }
        if (i >= line.size() || line[i] != ' ')
            return fail("no space before the value"), result;
        sample.value = line.mid(i + 1);
        if (!isValue(sample.value))
            return fail("bad value"), result;
        if (familyOf(sample.name, result.types).isEmpty())
            return fail("sample without a TYPE line before it"), result;
        result.samples.append(sample);
    }
    return result;
}

using Labels = QMap<QByteArray, QByteArray>;

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private slots:
    void observationsFromSeveralThreads()
    {
        Metrics metrics;
        constexpr int Threads = 4;
        constexpr int PerThread = 3000;
        // Durations cycle through values on and around bucket bounds, in whole microseconds so
        // that the expected sum is exact.
        const std::array<double, 6> durations = {0.0003, 0.0005, 0.0007, 0.02, 0.75, 12.0};
        const QString routeA = QStringLiteral("/api/butler/repo/{label}/v1/collections");
        const QString routeB = QStringLiteral("/healthz");

        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < PerThread; ++i) {
                    const bool a = (i + t) % 3 != 0;
                    metrics.observeRequest(a ? routeA : routeB, i % 2 ? "GET" : "POST", i % 5 ? 200 : 404,
                                           durations[std::size_t(i) % durations.size()]);
                    metrics.countCache("collections", i % 4 != 0);
                    if (i % 10 == 0)
                        metrics.countCache("dataset_types", false);
                }
            });
        }
        for (std::thread& thread : threads)
            thread.join();

        // The same sequence, counted single-threaded.
        QMap<QString, std::array<quint64, LatencyHistogram::BucketCount>> buckets;
        QMap<QString, double> sums;
        QMap<QString, quint64> counts;
        QMap<std::tuple<QString, QByteArray, int>, quint64> requests;
        for (int t = 0; t < Threads; ++t) {
            for (int i = 0; i < PerThread; ++i) {
                const QString route = (i + t) % 3 != 0 ? routeA : routeB;
                const double d = durations[std::size_t(i) % durations.size()];
                ++requests[{route, i % 2 ? "GET" : "POST", i % 5 ? 200 : 404}];
                auto& b = buckets[route];
                for (std::size_t k = 0; k < LatencyHistogram::BucketCount; ++k) {
                    if (k == LatencyHistogram::Bounds.size() || d <= LatencyHistogram::Bounds[k])
                        ++b[k];
                }
                sums[route] += d;
                ++counts[route];
            }
        }

        const QByteArray text = metrics.render();
        // Bounds are written plainly, as dashboards expect them.
        QVERIFY(text.contains("le=\"0.0005\"} "));
        QVERIFY(text.contains("le=\"2.5\"} "));
        QVERIFY(text.contains("le=\"10\"} "));
        const Exposition e = parse(text);
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.types.value("butler_http_requests_total"), QByteArray("counter"));
        QVERIFY(e.samples.size() > 0);
        QCOMPARE(e.types.value("butler_http_request_duration_seconds"), QByteArray("histogram"));
        QCOMPARE(e.types.value("butler_cache_hits_total"), QByteArray("counter"));
        QCOMPARE(e.types.value("butler_cache_misses_total"), QByteArray("counter"));

        for (auto it = requests.cbegin(); it != requests.cend(); ++it) {
            const auto& [route, method, status] = it.key();
            const Labels labels{
                {"route", route.toUtf8()}, {"method", method}, {"status", QByteArray::number(status)}};
            QCOMPARE(e.value("butler_http_requests_total", labels), double(it.value()));
        }
        int requestSamples = 0;
        for (const Sample& sample : e.samples)
            requestSamples += sample.name == "butler_http_requests_total";
        QCOMPARE(requestSamples, requests.size());

        for (const QString& route : {routeA, routeB}) {
            const QByteArray r = route.toUtf8();
            double previous = 0;
            for (std::size_t k = 0; k < LatencyHistogram::BucketCount; ++k) {
                const QByteArray le = k < LatencyHistogram::Bounds.size()
                                          ? QByteArray::number(LatencyHistogram::Bounds[k], 'g', 17)
                                          : QByteArray("+Inf");
                // Find the bucket by numeric bound, whatever its spelling.
                double value = qQNaN();
                for (const Sample& sample : e.samples) {
                    if (sample.name == "butler_http_request_duration_seconds_bucket" &&
                        sample.labels.value("route") == r &&
                        (sample.labels.value("le") == le ||
                         (le != "+Inf" && sample.labels.value("le") != "+Inf" &&
                          sample.labels.value("le").toDouble() == LatencyHistogram::Bounds[k])))
                        value = sample.value.toDouble();
                }
                QCOMPARE(value, double(buckets[route][k]));
                QVERIFY(value >= previous); // cumulative
                previous = value;
            }
            QCOMPARE(e.value("butler_http_request_duration_seconds_count", {{"route", r}}),
                     double(counts[route]));
            QCOMPARE(e.value("butler_http_request_duration_seconds_count", {{"route", r}}),
                     e.value("butler_http_request_duration_seconds_bucket", {{"route", r}, {"le", "+Inf"}}));
            const double sum = e.value("butler_http_request_duration_seconds_sum", {{"route", r}});
            QVERIFY2(qAbs(sum - sums[route]) < 1e-6, qPrintable(QString::number(sum - sums[route])));
        }

        const double lookups = Threads * PerThread;
        QCOMPARE(e.value("butler_cache_hits_total", {{"cache", "collections"}}), lookups * 3 / 4);
        QCOMPARE(e.value("butler_cache_misses_total", {{"cache", "collections"}}), lookups / 4);
        QCOMPARE(e.value("butler_cache_hits_total", {{"cache", "dataset_types"}}), 0.0);
        QCOMPARE(e.value("butler_cache_misses_total", {{"cache", "dataset_types"}}), lookups / 10);
    }

    void bucketBounds()
    {
        LatencyHistogram histogram;
        histogram.observe(0.0005);  // on the first bound: counts in it ("le" is inclusive)
        histogram.observe(0.00051); // just above: the next bucket
        histogram.observe(10);      // the last finite bound
        histogram.observe(10.5);    // +Inf only
        histogram.observe(-1);      // clamped to 0
        histogram.observe(qQNaN()); // counted as 0
        const LatencyHistogram::Snapshot s = histogram.snapshot();
        QCOMPARE(s.cumulative[0], quint64(3));
        QCOMPARE(s.cumulative[1], quint64(4));
        QCOMPARE(s.cumulative[LatencyHistogram::Bounds.size() - 2], quint64(4));
        QCOMPARE(s.cumulative[LatencyHistogram::Bounds.size() - 1], quint64(5));
        QCOMPARE(s.cumulative.back(), quint64(6));
        QCOMPARE(s.count, quint64(6));
        QVERIFY(qAbs(s.sum - (0.0005 + 0.00051 + 10 + 10.5)) < 1e-9);
        QCOMPARE(LatencyHistogram::Bounds.front(), 0.0005);
        QCOMPARE(LatencyHistogram::Bounds.back(), 10.0);
    }

    void emptyRenderIsValid()
    {
        Metrics metrics;
        const QByteArray text = metrics.render();
        const Exposition e = parse(text);
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QVERIFY(e.samples.isEmpty());
        QCOMPARE(e.types.size(), 4);
        QCOMPARE(e.helps.size(), 4);
        QCOMPARE(QByteArray(Metrics::ContentType), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    }

    void labelEscaping()
    {
        QCOMPARE(Metrics::escapeLabelValue("plain"), QByteArray("plain"));
        QCOMPARE(Metrics::escapeLabelValue("a\"b\\c\nd"), QByteArray("a\\\"b\\\\c\\nd"));

        Metrics metrics;
        const QString route = QStringLiteral("/weird\"route\\with\nnewline/é");
        metrics.observeRequest(route, "GET", 200, 0.001);
        metrics.countCache("quote\"cache", true);
        const QByteArray text = metrics.render();
        QVERIFY(text.contains("route=\"/weird\\\"route\\\\with\\nnewline/\xc3\xa9\""));
        const Exposition e = parse(text);
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.value("butler_http_requests_total",
                         {{"route", route.toUtf8()}, {"method", "GET"}, {"status", "200"}}),
                 1.0);
        QCOMPARE(e.value("butler_cache_hits_total", {{"cache", "quote\"cache"}}), 1.0);
    }

    void gauges()
    {
        Metrics metrics;
        std::atomic<int> open{3};
        metrics.addGauge("butler_http_open_connections", "Open client connections\nnow",
                         [&] { return double(open); });
        metrics.addGauge("butler_worker_threads_busy", "Busy workers", [] { return 1.5; });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("invalid name")));
        metrics.addGauge("bad name", "ignored", [] { return 1.0; });

        Exposition e = parse(metrics.render());
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.types.value("butler_http_open_connections"), QByteArray("gauge"));
        QCOMPARE(e.helps.value("butler_http_open_connections"), QByteArray("Open client connections\\nnow"));
        QCOMPARE(e.value("butler_http_open_connections"), 3.0);
        QCOMPARE(e.value("butler_worker_threads_busy"), 1.5);
        QVERIFY(!e.types.contains("bad name"));

        open = 7; // read at scrape time
        e = parse(metrics.render());
        QCOMPARE(e.value("butler_http_open_connections"), 7.0);

        metrics.addGauge("butler_worker_threads_busy", "Busy workers", [] { return qInf(); });
        e = parse(metrics.render());
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QVERIFY(qIsInf(e.value("butler_worker_threads_busy")));
        int busy = 0;
        for (const Sample& sample : e.samples)
            busy += sample.name == "butler_worker_threads_busy";
        QCOMPARE(busy, 1); // replaced, not added
    }

    void countersKeptElsewhere()
    {
        Metrics metrics;
        std::atomic<quint64> refused{0};
        metrics.addCounter("butler_requests_rate_limited_total", "Requests refused with 429",
                           [&] { return double(refused.load()); });
        refused = 5;
        const Exposition e = parse(metrics.render());
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.types.value("butler_requests_rate_limited_total"), QByteArray("counter"));
        QCOMPARE(e.value("butler_requests_rate_limited_total"), 5.0);
    }

    // Label values a client controls cannot grow the set of series without bound.
    void boundedLabels()
    {
        Metrics metrics;
        metrics.observeRequest(QStringLiteral("/healthz"), "BREW", 200, 0.001);
        metrics.observeRequest(QStringLiteral("/healthz"), "XYZZY", 200, 0.001);
        metrics.observeRequest(QStringLiteral("/healthz"), "GET", 1000, 0.001);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("counting .* as 'other'")));
        for (int i = 0; i < Metrics::MaxRoutes + 10; ++i)
            metrics.observeRequest(QStringLiteral("/raw/%1").arg(i), "GET", 200, 0.001);

        const Exposition e = parse(metrics.render());
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.value("butler_http_requests_total",
                         {{"route", "/healthz"}, {"method", "OTHER"}, {"status", "200"}}),
                 2.0);
        QCOMPARE(e.value("butler_http_requests_total",
                         {{"route", "/healthz"}, {"method", "GET"}, {"status", "0"}}),
                 1.0);
        QSet<QByteArray> routes;
        for (const Sample& sample : e.samples) {
            if (sample.name == "butler_http_request_duration_seconds_count")
                routes.insert(sample.labels.value("route"));
        }
        QCOMPARE(routes.size(), Metrics::MaxRoutes + 1); // the cap, plus "other"
        QVERIFY(routes.contains("other"));
        // The routes past the cap (one already there: /healthz) landed in "other".
        QCOMPARE(e.value("butler_http_request_duration_seconds_count", {{"route", "other"}}), 11.0);
    }

    // Two objects never share series, even on the same thread.
    void instancesAreSeparate()
    {
        auto first = std::make_unique<Metrics>();
        first->observeRequest(QStringLiteral("/healthz"), "GET", 200, 0.001);
        first.reset();
        Metrics second;
        second.observeRequest(QStringLiteral("/healthz"), "GET", 200, 0.001);
        const Exposition e = parse(second.render());
        QCOMPARE(e.value("butler_http_requests_total",
                         {{"route", "/healthz"}, {"method", "GET"}, {"status", "200"}}),
                 1.0);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
