// butler-server as a process, fed bodies and parameters of the wrong shape on every route: each
// field the API knows set to values of every JSON type and to awkward strings, alone and all
// together (seeded). A user's malformed request is answered with a 4xx, never a 500, and the
// server stays up and keeps answering.
#include "ApiRoutes.h"
#include "ServerFixture.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

using namespace butler;

namespace {

// Every field name of the API's request bodies and query parameters (docs/server-api.md).
const QStringList kFields{"all",
                          "begin",
                          "bind",
                          "calibration_time",
                          "children",
                          "collection",
                          "collections",
                          "count",
                          "data_id",
                          "data_ids",
                          "dataset",
                          "dataset_type",
                          "dataset_types",
                          "datasets",
                          "dimensions",
                          "element",
                          "end",
                          "entries",
                          "files",
                          "find_first",
                          "flatten",
                          "glob",
                          "globs",
                          "grant",
                          "groups",
                          "id",
                          "id_mode",
                          "ids",
                          "ingest_dates",
                          "limit",
                          "limit_bytes",
                          "mode",
                          "name",
                          "names",
                          "next_page_token",
                          "order_by",
                          "page_token",
                          "purge",
                          "records",
                          "resume",
                          "revoke",
                          "run",
                          "sha256",
                          "size",
                          "sizes",
                          "skip_existing",
                          "storage_class",
                          "time",
                          "timespan",
                          "ttl_seconds",
                          "type",
                          "undo_commit",
                          "unstore",
                          "upload_id",
                          "user",
                          "where",
                          "with_sizes"};

QList<QJsonValue> awkwardValues()
{
    return {QJsonValue(QJsonValue::Null),
            true,
            0,
            -1,
            1e308,
            -9.3e18,
            0.5,
            QString(),
            QStringLiteral("x"),
            QStringLiteral("*"),
            QStringLiteral("../../etc/passwd"),
            QStringLiteral("u/dave/\u00fc\u2028"),
            QStringLiteral("instrument = "),
            QStringLiteral("00000000-0000-0000-0000-000000000000"),
            QString(5000, u'a'),
            QJsonArray(),
            QJsonArray{QJsonValue(QJsonValue::Null)},
            QJsonArray{QStringLiteral("x"), 1, QJsonArray()},
            QJsonObject(),
            QJsonObject{{QStringLiteral("a"), QJsonArray{1}}},
            QJsonObject{{QStringLiteral("instrument"), QJsonObject()}}};
}

} // namespace

class TestServerMistyped : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    }

    void cleanupTestCase()
    {
        if (m_server.process().state() != QProcess::NotRunning)
            m_server.stop();
    }

    void mistypedBodiesAreRefusedWithout500()
    {
        const QList<QJsonValue> values = awkwardValues();
        QRandomGenerator random(20261203);
        int refused = 0;
        int requests = 0;
        for (const ApiRoute& route : ApiRoutes::repositoryRoutes()) {
            if (route.method != "POST" || route.requestSchema == QLatin1String("Bytes"))
                continue;
            QList<QJsonObject> bodies;
            // Each field alone, with a few of the values.
            for (const QString& field : kFields) {
                for (int i = 0; i < 3; ++i)
                    bodies << QJsonObject{{field, values[random.bounded(int(values.size()))]}};
            }
            // Many fields at once, so that a handler gets past its first check.
            for (int i = 0; i < 20; ++i) {
                QJsonObject body;
                for (const QString& field : kFields) {
                    if (random.bounded(3) == 0)
                        body.insert(field, values[random.bounded(int(values.size()))]);
                }
                bodies << body;
            }
            for (const QJsonObject& body : std::as_const(bodies)) {
                const QByteArray text = QJsonDocument(body).toJson(QJsonDocument::Compact);
                const auto answer =
                    m_server.request("POST", m_server.api(route.path), QStringLiteral("dave"), text);
                ++requests;
                QVERIFY2(
                    answer.status >= 200 && answer.status < 500,
                    qPrintable(QStringLiteral("%1 %2 -> %3 %4")
                                   .arg(route.path, QString::fromUtf8(text.left(300)))
                                   .arg(answer.status)
                                   .arg(QString::fromUtf8(answer.body.left(300)) + answer.networkError)));
                if (answer.status >= 400) {
                    ++refused;
                    QVERIFY2(!answer.errorType().isEmpty(), qPrintable(route.path + u' ' + answer.body));
                }
            }
        }
        QVERIFY(requests > 1000);
        QVERIFY(refused > requests / 2);
        QCOMPARE(m_server.request("GET", QStringLiteral("/healthz"), {}).status, 200);
    }

    void awkwardQueryParametersAreRefusedWithout500()
    {
        const QStringList strings{QString(),
                                  QStringLiteral("*"),
                                  QStringLiteral("[a-"),
                                  QStringLiteral("../../etc/passwd"),
                                  QStringLiteral("%00"),
                                  QStringLiteral("u/dave/\u00fc"),
                                  QStringLiteral("00000000-0000-0000-0000-000000000000"),
                                  QStringLiteral("not-a-uuid"),
                                  QStringLiteral("-1"),
                                  QStringLiteral("99999999999999999999"),
                                  QString(3000, u'b')};
        int requests = 0;
        for (const ApiRoute& route : ApiRoutes::repositoryRoutes()) {
            if (route.method != "GET")
                continue;
            for (const QString& field : kFields) {
                for (const QString& value : strings) {
                    const QString path = route.path + u'?' + field + u'=' + ServerFixture::enc(value);
                    const auto answer = m_server.request("GET", m_server.api(path), QStringLiteral("dave"));
                    ++requests;
                    QVERIFY2(
                        answer.status >= 200 && answer.status < 500,
                        qPrintable(QStringLiteral("%1 -> %2 %3")
                                       .arg(path.left(200))
                                       .arg(answer.status)
                                       .arg(QString::fromUtf8(answer.body.left(300)) + answer.networkError)));
                }
            }
        }
        QVERIFY(requests > 1000);
        QCOMPARE(m_server.request("GET", QStringLiteral("/healthz"), {}).status, 200);
    }

private:
    ServerFixture m_server;
};

QTEST_GUILESS_MAIN(TestServerMistyped)
#include "tst_servermistyped.moc"
