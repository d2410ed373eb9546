// One butler-server serving two repositories ("main" and "second") with the same users and
// tokens: each repository keeps its own collections, ACLs, quotas, uploads, datasets and
// trash; a label the server does not serve is a 404; the server-wide routes still answer.
#include "DemoRepoBuilder.h"
#include "DirectButler.h"
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QJsonArray>
#include <QTest>

using namespace butler;

namespace {

const QString kSecond = QStringLiteral("second");

QString pathAndQuery(const QString& url)
{
    const QUrl parsed(url);
    return parsed.path(QUrl::FullyEncoded) + u'?' + parsed.query(QUrl::FullyEncoded);
}

} // namespace

class TestMultiRepo : public QObject
{
    Q_OBJECT

private:
    ServerFixture m_server;

    QString secondPath() const { return m_server.root() + QStringLiteral("/second"); }
    QString api(const QString& label, const QString& route) const
    {
        return QStringLiteral("/api/butler/repo/%1/v1%2").arg(label, route);
    }
    ServerFixture::Reply get(const QString& label, const QString& route, const QString& user)
    {
        return m_server.request("GET", api(label, route), user);
    }
    ServerFixture::Reply post(const QString& label, const QString& route, const QString& user,
                              const QJsonObject& body)
    {
        return m_server.request("POST", api(label, route), user,
                                QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    int registerRun(const QString& label, const QString& user, const QString& run)
    {
        return post(label, QStringLiteral("/collections"), user,
                    QJsonObject{{QStringLiteral("name"), run},
                                {QStringLiteral("type"), QStringLiteral("RUN")}})
            .status;
    }
    int collectionStatus(const QString& label, const QString& name, const QString& user)
    {
        return get(label, QStringLiteral("/collection?name=") + ServerFixture::enc(name), user).status;
    }
    std::unique_ptr<RemoteButler> connect(const QString& label, const QString& user)
    {
        auto butler = RemoteButler::connect(m_server.baseUrl() + QStringLiteral("/api/butler/repo/") + label,
                                            m_server.token(user));
        if (!butler.ok()) {
            qWarning() << butler.error().message();
            return nullptr;
        }
        return std::move(butler).value();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(QStringLiteral("quotas: { default_bytes: 1000000 }\n")),
                 qPrintable(m_server.lastError()));
        // A second repository, served by the same process.
        {
            const Status created = DirectButler::create(secondPath());
            QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().message()));
            auto opened = DirectButler::open(secondPath());
            QVERIFY(opened.ok());
            DemoRepoOptions options;
            options.nights = 1;
            options.small = true;
            QVERIFY(DemoRepoBuilder::build(**opened, options).ok());
            auto note =
                DatasetType::make((*opened)->universe(), QStringLiteral("note"),
                                  {QStringLiteral("instrument")}, QStringLiteral("StructuredDataDict"));
            QVERIFY(note.ok() && (*opened)->registerDatasetType(note.value()).ok());
        }
        QFile config(m_server.configPath());
        QVERIFY(config.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(config.readAll());
        config.close();
        const QString mainLine = QStringLiteral("  main: { path: %1 }\n").arg(m_server.repoPath());
        QVERIFY(text.contains(mainLine));
        text.replace(mainLine, mainLine + QStringLiteral("  %1: { path: %2 }\n").arg(kSecond, secondPath()));
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(text.toUtf8());
        config.close();
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    }

    void cleanupTestCase() { QCOMPARE(m_server.stop(), 0); }

    void serverWideRoutesAnswer()
    {
        const auto repos =
            m_server.request("GET", QStringLiteral("/api/butler/repos"), QStringLiteral("frank"));
        QCOMPARE(repos.status, 200);
        QCOMPARE(repos.json().value(QStringLiteral("repositories")).toArray(),
                 (QJsonArray{QStringLiteral("main"), kSecond}));
        QCOMPARE(m_server.request("GET", QStringLiteral("/healthz"), {}).status, 200);
        QCOMPARE(m_server.request("GET", QStringLiteral("/readyz"), {}).status, 200);
        const auto metrics = m_server.request("GET", QStringLiteral("/metrics"), {});
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("butler_http_requests_total"));
        // The same token works on both.
        QCOMPARE(get(QStringLiteral("main"), QStringLiteral("/whoami"), QStringLiteral("alice")).status, 200);
        QCOMPARE(get(kSecond, QStringLiteral("/whoami"), QStringLiteral("alice")).status, 200);
    }

    void unknownLabelIsNotFound()
    {
        const auto reply = get(QStringLiteral("third"), QStringLiteral("/whoami"), QStringLiteral("alice"));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorType(), QStringLiteral("not_found"));
        // Without a token, authentication comes first.
        QCOMPARE(get(QStringLiteral("third"), QStringLiteral("/whoami"), QString()).status, 401);
        auto butler = RemoteButler::connect(m_server.baseUrl() + QStringLiteral("/api/butler/repo/third"),
                                            m_server.token(QStringLiteral("alice")));
        QVERIFY(!butler.ok());
        QCOMPARE(butler.error().kind(), ErrorKind::NotFound);
        QVERIFY2(butler.error().message().contains(QLatin1String("main, second")),
                 qPrintable(butler.error().message()));
        // A file URL naming no served repository.
        QCOMPARE(
            m_server.request("GET", QStringLiteral("/files/third/x?method=GET&expires=1&signature=AA"), {})
                .status,
            403);
    }

    void collectionsAndAclsArePerRepository()
    {
        const QString onlyMain = QStringLiteral("u/alice/only-main");
        QCOMPARE(registerRun(QStringLiteral("main"), QStringLiteral("alice"), onlyMain), 201);
        QCOMPARE(collectionStatus(QStringLiteral("main"), onlyMain, QStringLiteral("alice")), 200);
        QCOMPARE(collectionStatus(kSecond, onlyMain, QStringLiteral("alice")), 404);
        QCOMPARE(collectionStatus(kSecond, onlyMain, QStringLiteral("dave")), 404);
        const auto listed =
            get(kSecond, QStringLiteral("/collections?glob=u/alice/*"), QStringLiteral("alice"));
        QVERIFY(!listed.body.contains("only-main"));
        // The fixture's collections exist in main only.
        QCOMPARE(collectionStatus(kSecond, QStringLiteral("u/alice/run"), QStringLiteral("dave")), 404);
        const QString dataset =
            m_server.datasetIn(QStringLiteral("u/alice/run")).toString(QUuid::WithoutBraces);
        QCOMPARE(
            get(QStringLiteral("main"), QStringLiteral("/dataset?id=") + dataset, QStringLiteral("alice"))
                .status,
            200);
        QCOMPARE(get(kSecond, QStringLiteral("/dataset?id=") + dataset, QStringLiteral("dave")).status, 404);

        // The same name in both, read by gamma only where alice granted it.
        const QString both = QStringLiteral("u/alice/both");
        QCOMPARE(registerRun(QStringLiteral("main"), QStringLiteral("alice"), both), 201);
        QCOMPARE(registerRun(kSecond, QStringLiteral("alice"), both), 201);
        const auto granted =
            post(QStringLiteral("main"), QStringLiteral("/acl"), QStringLiteral("alice"),
                 QJsonObject{{QStringLiteral("collection"), both},
                             {QStringLiteral("grant"), QJsonArray{QStringLiteral("gamma")}}});
        QVERIFY2(granted.status == 200, qPrintable(describe(granted)));
        QCOMPARE(collectionStatus(QStringLiteral("main"), both, QStringLiteral("erin")), 200);
        QCOMPARE(collectionStatus(kSecond, both, QStringLiteral("erin")), 404);
        const auto acl = get(kSecond, QStringLiteral("/acl?collection=") + ServerFixture::enc(both),
                             QStringLiteral("alice"));
        QCOMPARE(acl.json().value(QStringLiteral("readers")).toArray(), QJsonArray());

        // Trash too: removing the run in main leaves second's alone.
        QCOMPARE(post(QStringLiteral("main"), QStringLiteral("/runs/remove"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("names"), QJsonArray{both}}})
                     .status,
                 200);
        QCOMPARE(collectionStatus(QStringLiteral("main"), both, QStringLiteral("alice")), 404);
        QCOMPARE(collectionStatus(kSecond, both, QStringLiteral("alice")), 200);
    }

    void quotasAndUploadsArePerRepository()
    {
        const QString frank = QStringLiteral("frank");
        const auto limited =
            post(kSecond, QStringLiteral("/quota"), QStringLiteral("dave"),
                 QJsonObject{{QStringLiteral("user"), frank}, {QStringLiteral("limit_bytes"), 100}});
        QVERIFY2(limited.status == 200, qPrintable(describe(limited)));
        const auto mainQuota = get(QStringLiteral("main"), QStringLiteral("/quota"), frank).json();
        QCOMPARE(mainQuota.value(QStringLiteral("limit_bytes")).toInteger(), qint64(1000000));
        QVERIFY(mainQuota.value(QStringLiteral("default_limit")).toBool());
        QCOMPARE(get(kSecond, QStringLiteral("/quota"), frank)
                     .json()
                     .value(QStringLiteral("limit_bytes"))
                     .toInteger(),
                 qint64(100));

        const QString run = QStringLiteral("u/frank/files");
        QCOMPARE(registerRun(QStringLiteral("main"), frank, run), 201);
        QCOMPARE(registerRun(kSecond, frank, run), 201);
        auto inMain = connect(QStringLiteral("main"), frank);
        auto inSecond = connect(kSecond, frank);
        QVERIFY(inMain && inSecond);
        const QByteArray bytes(500, 'x');
        const QVariantMap dataId{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}};
        auto stored = inMain->put(bytes, QStringLiteral("bytes"), QStringLiteral("note"), dataId, run);
        QVERIFY2(stored.ok(), stored.ok() ? "" : qPrintable(stored.error().message()));
        auto refused = inSecond->put(bytes, QStringLiteral("bytes"), QStringLiteral("note"), dataId, run);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind(), ErrorKind::QuotaExceeded);
        QCOMPARE(get(QStringLiteral("main"), QStringLiteral("/quota"), frank)
                     .json()
                     .value(QStringLiteral("used_bytes"))
                     .toInteger(),
                 qint64(500));
        QCOMPARE(get(kSecond, QStringLiteral("/quota"), frank)
                     .json()
                     .value(QStringLiteral("used_bytes"))
                     .toInteger(),
                 qint64(0));
        // The dataset is main's: second knows neither it nor its bytes.
        QCOMPARE(get(kSecond, QStringLiteral("/dataset?id=") + stored->idString(), frank).status, 404);
        auto back = inMain->get(stored->id());
        QVERIFY(back.ok());
        QCOMPARE(*back, bytes);

        // An upload URL of second, bent to main's label, is refused before anything is written.
        const auto reserved =
            post(kSecond, QStringLiteral("/uploads"), QStringLiteral("alice"),
                 QJsonObject{
                     {QStringLiteral("run"), QStringLiteral("u/alice/both")},
                     {QStringLiteral("dataset_type"), QStringLiteral("note")},
                     {QStringLiteral("files"),
                      QJsonArray{QJsonObject{{QStringLiteral("data_id"), QJsonObject::fromVariantMap(dataId)},
                                             {QStringLiteral("size"), 4}}}}});
        QVERIFY2(reserved.status == 201, qPrintable(describe(reserved)));
        const QString url = reserved.json()
                                .value(QStringLiteral("files"))
                                .toArray()
                                .at(0)
                                .toObject()
                                .value(QStringLiteral("url"))
                                .toString();
        QVERIFY2(url.contains(QLatin1String("/files/second/")), qPrintable(url));
        QString bent = pathAndQuery(url);
        bent.replace(QLatin1String("/files/second/"), QLatin1String("/files/main/"));
        const auto wrong = m_server.request("PUT", bent, QString(), "abcd");
        QCOMPARE(wrong.status, 403);
        const auto right = m_server.request("PUT", pathAndQuery(url), QString(), "abcd");
        QVERIFY2(right.status == 201, qPrintable(describe(right)));
        const auto committed = post(
            kSecond, QStringLiteral("/uploads/commit"), QStringLiteral("alice"),
            QJsonObject{{QStringLiteral("upload_id"), reserved.json().value(QStringLiteral("upload_id"))}});
        QVERIFY2(committed.status == 200, qPrintable(describe(committed)));
        // Its upload ID means nothing to main.
        QCOMPARE(post(QStringLiteral("main"), QStringLiteral("/uploads/commit"), QStringLiteral("alice"),
                      QJsonObject{
                          {QStringLiteral("upload_id"), reserved.json().value(QStringLiteral("upload_id"))}})
                     .status,
                 404);
    }
};

QTEST_GUILESS_MAIN(TestMultiRepo)
#include "tst_multirepo.moc"
