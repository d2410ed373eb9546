// Hiding beyond collections, over HTTP against the real butler-server: a dataset seen through
// a release TAGGED collection answers "run": null to those who may not read its RUN (pages,
// JSON lines, find, single refs; RemoteButler and the CLI read it), deterministic IDs without
// the run are for admins only and taken IDs answer alike, and data-ID queries do not show what
// only hidden members of a user's TAGGED collection hold. Nor do the files of such datasets:
// their file-info path is run-free and their signed URLs (file-info and the download redirect)
// are opaque, yet serve the same bytes, ranges and HEAD; retrieve-artifacts still works.
#include "ButlerCli.h"
#include "FileRequest.h"
#include "PathSealer.h"
#include "RemoteButler.h"
#include "ServerFixture.h"
#include "UrlSigner.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

const QString kPicks = QStringLiteral("DR1/picks");
const QString kHiddenRun = QStringLiteral("u/alice/run");

QJsonObject noteQuery(const QString& collection)
{
    return QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("note")}},
                       {QStringLiteral("collections"), QJsonArray{collection}}};
}

QJsonObject lsstCam()
{
    return QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}};
}

// "/files/..." and its query, from a signed URL, for ServerFixture::request().
QString filesTarget(const QString& url)
{
    return url.mid(url.indexOf(QLatin1String("/files/")));
}

// The fixture's signing key (ServerFixture::prepare()).
const QByteArray kFixtureKey("0123456789abcdefghijklmnopqrstuvwxyz-fixture-key");

} // namespace

class TestServerHiding : public QObject
{
    Q_OBJECT

private:
    ServerFixture m_server;
    QUuid m_pick; // alice's note, published through the release TAGGED collection DR1/picks
    QByteArray m_pickBytes;

    // The "run" of the one dataset a user finds in DR1/picks through each route.
    QList<QJsonValue> runsSeenBy(const QString& user)
    {
        QList<QJsonValue> runs;
        const auto page = m_server.post(QStringLiteral("/datasets/query"), user, noteQuery(kPicks));
        runs << page.json()
                    .value(QStringLiteral("datasets"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(QStringLiteral("run"));
        const auto lines =
            m_server.request("POST", m_server.api(QStringLiteral("/datasets/query")), user,
                             QJsonDocument(noteQuery(kPicks)).toJson(QJsonDocument::Compact),
                             {{QByteArrayLiteral("Accept"), QByteArrayLiteral("application/x-ndjson")}});
        runs
            << QJsonDocument::fromJson(lines.body.split('\n').value(0)).object().value(QStringLiteral("run"));
        const auto found = m_server.post(QStringLiteral("/datasets/find"), user,
                                         QJsonObject{{QStringLiteral("dataset_type"), QStringLiteral("note")},
                                                     {QStringLiteral("data_id"), lsstCam()},
                                                     {QStringLiteral("collections"), QJsonArray{kPicks}}});
        runs << found.json().value(QStringLiteral("dataset")).toObject().value(QStringLiteral("run"));
        const auto single =
            m_server.get(QStringLiteral("/dataset?id=") + m_pick.toString(QUuid::WithoutBraces), user);
        runs << single.json().value(QStringLiteral("run"));
        return runs;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
        m_pick = m_server.datasetIn(kHiddenRun);
        m_pickBytes = QByteArray("{\"run\": \"") + kHiddenRun.toUtf8() + "\"}";
        const QString dave = QStringLiteral("dave");
        auto made = m_server.post(QStringLiteral("/collections"), dave,
                                  QJsonObject{{QStringLiteral("name"), kPicks},
                                              {QStringLiteral("type"), QStringLiteral("TAGGED")}});
        QVERIFY2(made.status == 201, qPrintable(describe(made)));
        auto dated = m_server.post(
            QStringLiteral("/acl"), dave,
            QJsonObject{{QStringLiteral("collection"), kPicks},
                        {QStringLiteral("release_date"), QStringLiteral("2018-01-01T00:00:00Z")},
                        {QStringLiteral("proprietary_until"), QStringLiteral("2020-01-01T00:00:00Z")}});
        QVERIFY2(dated.status == 200, qPrintable(describe(dated)));
        auto tagged = m_server.post(
            QStringLiteral("/datasets/associate"), dave,
            QJsonObject{{QStringLiteral("collection"), kPicks},
                        {QStringLiteral("ids"), QJsonArray{m_pick.toString(QUuid::WithoutBraces)}}});
        QVERIFY2(tagged.status == 200, qPrintable(describe(tagged)));
    }

    void cleanupTestCase() { QCOMPARE(m_server.stop(), 0); }

    void releaseRefsHideTheRunOnEveryRoute_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<bool>("seesRun");
        QTest::newRow("frank reads only the release") << "frank" << false;
        QTest::newRow("bob does not read alice's run") << "bob" << false;
        QTest::newRow("alice owns the run") << "alice" << true;
        QTest::newRow("dave is an admin") << "dave" << true;
    }

    void releaseRefsHideTheRunOnEveryRoute()
    {
        QFETCH(QString, user);
        QFETCH(bool, seesRun);
        const QList<QJsonValue> runs = runsSeenBy(user);
        QCOMPARE(runs.size(), 4);
        for (const QJsonValue& run : runs) {
            if (seesRun)
                QCOMPARE(run.toString(), kHiddenRun);
            else
                QVERIFY2(run.isNull(),
                         qPrintable(QStringLiteral("run is %1").arg(run.toVariant().toString())));
        }
    }

    void remoteButlerReadsNullRuns()
    {
        auto butler = RemoteButler::connect(m_server.repoUrl(), m_server.token(QStringLiteral("frank")));
        QVERIFY2(butler.ok(), butler.ok() ? "" : qPrintable(butler.error().message()));
        RemoteButler& frank = **butler;
        DatasetQuery query;
        query.datasetTypes = {QStringLiteral("note")};
        query.collections = {kPicks, QStringLiteral("DR1/public")};
        auto page = frank.queryDatasets(query);
        QVERIFY2(page.ok(), page.ok() ? "" : qPrintable(page.error().message()));
        QCOMPARE(page->refs.size(), 2);
        for (const DatasetRef& ref : page->refs)
            QCOMPARE(ref.run(), ref.id() == m_pick ? QString() : QStringLiteral("DR1/public"));
        auto found = frank.findDataset(QStringLiteral("note"), lsstCam().toVariantMap(), {kPicks});
        QVERIFY2(found.ok(), found.ok() ? "" : qPrintable(found.error().message()));
        QVERIFY(found->has_value());
        QVERIFY((*found)->run().isEmpty());
        auto ref = frank.getDataset(m_pick);
        QVERIFY2(ref.ok(), ref.ok() ? "" : qPrintable(ref.error().message()));
        QVERIFY(ref->run().isEmpty());
        QCOMPARE(ref->datasetType().name(), QStringLiteral("note"));
        // The dataset itself is readable.
        auto bytes = frank.get(m_pick);
        QVERIFY2(bytes.ok(), bytes.ok() ? "" : qPrintable(bytes.error().message()));
    }

    void cliShowsAnEmptyRun()
    {
        const QString frank = m_server.token(QStringLiteral("frank"));
        const CliResult json = runButler({QStringLiteral("query-datasets"), m_server.repoUrl(),
                                          QStringLiteral("note"), QStringLiteral("--collections"), kPicks,
                                          QStringLiteral("--format"), QStringLiteral("json")},
                                         frank);
        QVERIFY2(json.status == 0, qPrintable(json.err));
        const QJsonArray rows = QJsonDocument::fromJson(json.out.toUtf8()).array();
        QCOMPARE(rows.size(), 1);
        QVERIFY(rows.at(0).toObject().value(QStringLiteral("run")).isNull());
        const CliResult table = runButler({QStringLiteral("query-datasets"), m_server.repoUrl(),
                                           QStringLiteral("note"), QStringLiteral("--collections"), kPicks},
                                          frank);
        QVERIFY2(table.status == 0, qPrintable(table.err));
        QVERIFY2(table.out.contains(m_pick.toString(QUuid::WithoutBraces)), qPrintable(table.out));
        QVERIFY2(!table.out.contains(QLatin1String("u/alice")), qPrintable(table.out));
        // alice sees her run's name.
        const CliResult own = runButler({QStringLiteral("query-datasets"), m_server.repoUrl(),
                                         QStringLiteral("note"), QStringLiteral("--collections"), kPicks},
                                        m_server.token(QStringLiteral("alice")));
        QVERIFY2(own.status == 0 && own.out.contains(kHiddenRun), qPrintable(own.out + own.err));
    }

    void fileInfoNamesNoHiddenRun_data() { releaseRefsHideTheRunOnEveryRoute_data(); }

    // file-info: a run-free path and an opaque URL for those who may not read the run; the URL
    // serves the file (whole, a range, HEAD) and no header names the run. The run's readers
    // keep the datastore path in both.
    void fileInfoNamesNoHiddenRun()
    {
        QFETCH(QString, user);
        QFETCH(bool, seesRun);
        const QString id = m_pick.toString(QUuid::WithoutBraces);
        const auto info = m_server.post(QStringLiteral("/datasets/file-info"), user,
                                        QJsonObject{{QStringLiteral("ids"), QJsonArray{id}}});
        QVERIFY2(info.status == 200, qPrintable(describe(info)));
        const QJsonObject file = info.json().value(QStringLiteral("files")).toArray().at(0).toObject();
        const QString path = file.value(QStringLiteral("path")).toString();
        const QString uri = file.value(QStringLiteral("uri")).toString();
        if (seesRun) {
            QVERIFY2(path.startsWith(kHiddenRun + u'/'), qPrintable(path));
            QVERIFY2(uri.contains(QLatin1String("/files/main/") + kHiddenRun + u'/'), qPrintable(uri));
        } else {
            QCOMPARE(path, QStringLiteral("note/%1.json").arg(id));
            QVERIFY2(uri.contains(QLatin1String("/files/main/o/")), qPrintable(uri));
            QVERIFY2(!info.body.contains("alice"), info.body.constData());
        }
        QCOMPARE(file.value(QStringLiteral("size")).toInteger(), qint64(m_pickBytes.size()));

        const QString target = filesTarget(uri);
        const auto whole = m_server.request("GET", target, QString());
        QVERIFY2(whole.status == 200, qPrintable(describe(whole)));
        QCOMPARE(whole.body, m_pickBytes);
        const auto range = m_server.request("GET", target, QString(), {},
                                            {{QByteArrayLiteral("Range"), QByteArrayLiteral("bytes=2-6")}});
        QCOMPARE(range.status, 206);
        QCOMPARE(range.body, m_pickBytes.mid(2, 5));
        QCOMPARE(range.header("Content-Range"), "bytes 2-6/" + QByteArray::number(m_pickBytes.size()));
        const auto head = m_server.request("HEAD", target, QString());
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QCOMPARE(head.header("Content-Length"), QByteArray::number(m_pickBytes.size()));
        const QByteArray etag = whole.header("ETag");
        QVERIFY(!etag.isEmpty());
        const auto cached =
            m_server.request("GET", target, QString(), {}, {{QByteArrayLiteral("If-None-Match"), etag}});
        QCOMPARE(cached.status, 304);
        if (!seesRun) {
            for (const auto* reply : {&whole, &range, &head, &cached}) {
                for (const auto& [name, value] : reply->headers)
                    QVERIFY2(!value.contains("alice"), (name + ": " + value).constData());
            }
        }
    }

    // The stable download route redirects as file-info signs.
    void downloadRedirectNamesNoHiddenRun()
    {
        const QString route =
            QStringLiteral("/datasets/download?id=") + m_pick.toString(QUuid::WithoutBraces);
        const auto frank = m_server.get(route, QStringLiteral("frank"));
        QCOMPARE(frank.status, 307);
        const QString location = QString::fromUtf8(frank.header("Location"));
        QVERIFY2(location.contains(QLatin1String("/files/main/o/")), qPrintable(location));
        QVERIFY2(!location.contains(QLatin1String("alice")), qPrintable(location));
        const auto bytes = m_server.request("GET", filesTarget(location), QString());
        QCOMPARE(bytes.status, 200);
        QCOMPARE(bytes.body, m_pickBytes);
        const auto alice = m_server.get(route, QStringLiteral("alice"));
        QCOMPARE(alice.status, 307);
        QVERIFY(
            QString::fromUtf8(alice.header("Location")).contains(QLatin1String("/files/main/") + kHiddenRun));
    }

    // A changed token or signature, a token of another key and one for a missing file: refused
    // as a bad signature is (or 404), never a 500, and no answer names a path.
    void opaqueUrlRefusals()
    {
        const auto info = m_server.post(
            QStringLiteral("/datasets/file-info"), QStringLiteral("frank"),
            QJsonObject{{QStringLiteral("ids"), QJsonArray{m_pick.toString(QUuid::WithoutBraces)}}});
        QCOMPARE(info.status, 200);
        const QString target = filesTarget(info.json()
                                               .value(QStringLiteral("files"))
                                               .toArray()
                                               .at(0)
                                               .toObject()
                                               .value(QStringLiteral("uri"))
                                               .toString());
        const qsizetype tokenAt = target.indexOf(QLatin1String("/o/")) + 3;
        const auto flipped = [](QString text, qsizetype at) {
            text[at] = text[at] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
            return text;
        };
        const auto badToken = m_server.request("GET", flipped(target, tokenAt + 20), QString());
        QCOMPARE(badToken.status, 403);
        QCOMPARE(badToken.errorType(), QStringLiteral("permission_denied"));
        const auto badSignature = m_server.request("GET", flipped(target, target.size() - 2), QString());
        QCOMPARE(badSignature.status, 403);
        QCOMPARE(badSignature.errorType(), QStringLiteral("permission_denied"));

        // Correctly signed (the test knows the fixture's key), but sealed by another key, for
        // another repository, or for a file that does not exist.
        auto signer = UrlSigner::fromKey(kFixtureKey);
        QVERIFY(signer.ok());
        const auto signedTarget = [&](const QString& token) {
            auto request = FileRequest::fromParts(QStringLiteral("main"), QStringLiteral("o/") + token);
            auto query = signer->sign("GET", request->signedPath(), 600);
            return QString::fromLatin1(request->encodedPath()) + u'?' + query->query;
        };
        const QString realPath = QStringLiteral("u/alice/run/note");
        const QString foreign =
            PathSealer(QByteArray(48, 'x')).seal(QStringLiteral("main"), realPath).value();
        const QString otherRepo = signer->sealer().seal(QStringLiteral("other"), realPath).value();
        for (const QString& token : {foreign, otherRepo}) {
            const auto refused = m_server.request("GET", signedTarget(token), QString());
            QCOMPARE(refused.status, 403);
            QCOMPARE(refused.errorType(), QStringLiteral("permission_denied"));
            QVERIFY2(!refused.body.contains("alice"), refused.body.constData());
        }
        const QString missing =
            signer->sealer().seal(QStringLiteral("main"), realPath + QStringLiteral("/gone.json")).value();
        const auto gone = m_server.request("GET", signedTarget(missing), QString());
        QCOMPARE(gone.status, 404);
        QVERIFY2(!gone.body.contains("alice") && !gone.body.contains("gone"), gone.body.constData());
        // The real token still works: nothing above broke the endpoint.
        QCOMPARE(m_server.request("GET", target, QString()).status, 200);
    }

    // retrieve-artifacts through the server for a reader of the release only: the file arrives
    // under its run-free path, or its flat name.
    void retrieveArtifactsWithHiddenRun()
    {
        QTemporaryDir dest;
        QVERIFY(dest.isValid());
        const QString frank = m_server.token(QStringLiteral("frank"));
        const QString kept = dest.filePath(QStringLiteral("kept"));
        const CliResult preserved =
            runButler({QStringLiteral("retrieve-artifacts"), m_server.repoUrl(), kept,
                       QStringLiteral("--collections"), kPicks, QStringLiteral("--preserve-path")},
                      frank);
        QVERIFY2(preserved.status == 0, qPrintable(preserved.out + preserved.err));
        QVERIFY2(!(preserved.out + preserved.err).contains(QLatin1String("alice")),
                 qPrintable(preserved.out + preserved.err));
        QFile file(
            QDir(kept).filePath(QStringLiteral("note/%1.json").arg(m_pick.toString(QUuid::WithoutBraces))));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        QCOMPARE(file.readAll(), m_pickBytes);
        QVERIFY(!QDir(kept).exists(QStringLiteral("u")));

        const QString flat = dest.filePath(QStringLiteral("flat"));
        const CliResult flatRun = runButler({QStringLiteral("retrieve-artifacts"), m_server.repoUrl(), flat,
                                             QStringLiteral("--collections"), kPicks},
                                            frank);
        QVERIFY2(flatRun.status == 0, qPrintable(flatRun.out + flatRun.err));
        const QStringList names = QDir(flat).entryList(QDir::Files);
        QCOMPARE(names.size(), 1);
        QVERIFY2(names.first().endsWith(m_pick.toString(QUuid::WithoutBraces) + QStringLiteral(".json")),
                 qPrintable(names.first()));
    }

    void runlessDeterministicIdsAreForAdmins()
    {
        const auto makeRun = [&](const QString& user, const QString& run) {
            return m_server
                .post(QStringLiteral("/collections"), user,
                      QJsonObject{{QStringLiteral("name"), run},
                                  {QStringLiteral("type"), QStringLiteral("RUN")}})
                .status;
        };
        QCOMPARE(makeRun(QStringLiteral("alice"), QStringLiteral("u/alice/det")), 201);
        QCOMPARE(makeRun(QStringLiteral("dave"), QStringLiteral("DR2/det")), 201);
        const auto registerAs = [&](const QString& user, const QString& run, const QString& mode,
                                    const QJsonObject& entry) {
            return m_server.post(QStringLiteral("/datasets/register"), user,
                                 QJsonObject{{QStringLiteral("run"), run},
                                             {QStringLiteral("id_mode"), mode},
                                             {QStringLiteral("datasets"), QJsonArray{entry}}});
        };
        const QJsonObject note{{QStringLiteral("dataset_type"), QStringLiteral("note")},
                               {QStringLiteral("data_id"), lsstCam()}};
        // bob's run holds a note for LSSTCam: with dataid_type its ID would be the same here.
        auto refused = registerAs(QStringLiteral("alice"), QStringLiteral("u/alice/det"),
                                  QStringLiteral("dataid_type"), note);
        QCOMPARE(refused.status, 400);
        QVERIFY2(errorMessage(refused).contains(QLatin1String("dataid_type_run")),
                 qPrintable(describe(refused)));
        auto admin = registerAs(QStringLiteral("dave"), QStringLiteral("DR2/det"),
                                QStringLiteral("dataid_type"), note);
        QVERIFY2(admin.status == 201, qPrintable(describe(admin)));

        // An explicit ID that is taken: the same answer for bob's hidden dataset and alice's own.
        const auto taken = [&](const QUuid& id) {
            QJsonObject entry = note;
            entry.insert(QStringLiteral("id"), id.toString(QUuid::WithoutBraces));
            const auto reply = registerAs(QStringLiteral("alice"), QStringLiteral("u/alice/det"),
                                          QStringLiteral("unique"), entry);
            return std::make_pair(reply.status, errorMessage(reply).replace(id.toString(QUuid::WithoutBraces),
                                                                            QStringLiteral("<id>")));
        };
        const auto hidden = taken(m_server.datasetIn(QStringLiteral("u/bob/run")));
        const auto own = taken(m_server.datasetIn(QStringLiteral("u/alice/shared")));
        QCOMPARE(hidden.first, 409);
        QCOMPARE(hidden, own);

        auto withRun = registerAs(QStringLiteral("alice"), QStringLiteral("u/alice/det"),
                                  QStringLiteral("dataid_type_run"), note);
        QVERIFY2(withRun.status == 201, qPrintable(describe(withRun)));
    }

    void dataIdsOfHiddenTagMembersStayHidden()
    {
        // An admin puts bob's note into a TAGGED collection of alice's: she reads the
        // collection, not bob's run.
        const QString dave = QStringLiteral("dave");
        const QString peek = QStringLiteral("u/alice/peek");
        QCOMPARE(m_server
                     .post(QStringLiteral("/collections"), dave,
                           QJsonObject{{QStringLiteral("name"), peek},
                                       {QStringLiteral("type"), QStringLiteral("TAGGED")}})
                     .status,
                 201);
        QCOMPARE(m_server
                     .post(QStringLiteral("/datasets/associate"), dave,
                           QJsonObject{{QStringLiteral("collection"), peek},
                                       {QStringLiteral("ids"),
                                        QJsonArray{m_server.datasetIn(QStringLiteral("u/bob/run"))
                                                       .toString(QUuid::WithoutBraces)}}})
                     .status,
                 200);
        const QJsonObject query{{QStringLiteral("dimensions"), QJsonArray{QStringLiteral("instrument")}},
                                {QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("note")}},
                                {QStringLiteral("collections"), QJsonArray{peek}}};
        const auto alice = m_server.post(QStringLiteral("/data-ids/query"), QStringLiteral("alice"), query);
        QVERIFY2(alice.status == 200, qPrintable(describe(alice)));
        QCOMPARE(alice.json().value(QStringLiteral("data_ids")).toArray().size(), 0);
        const auto count =
            m_server.post(QStringLiteral("/datasets/count"), QStringLiteral("alice"), noteQuery(peek));
        QCOMPARE(count.json().value(QStringLiteral("count")).toInt(-1), 0);
        const auto admin = m_server.post(QStringLiteral("/data-ids/query"), dave, query);
        QCOMPARE(admin.json().value(QStringLiteral("data_ids")).toArray().size(), 1);
        const auto bob = m_server.post(QStringLiteral("/data-ids/query"), QStringLiteral("bob"), query);
        QCOMPARE(bob.status, 404); // bob cannot read alice's collection at all
    }
};

QTEST_GUILESS_MAIN(TestServerHiding)
#include "tst_serverhiding.moc"
