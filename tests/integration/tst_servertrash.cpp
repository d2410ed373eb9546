// The trash over HTTP against the real butler-server: removals hide what they remove from every
// caller, owners and admins restore, readers see but may not restore, hidden entries answer like
// names never removed, and a second server with a tiny retention purges files and gives quota
// back on its timer. The CLI prints the same through a server as on a local repository.
#include "ButlerCli.h"
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

using namespace butler;

namespace {

QJsonObject note(const QString& text)
{
    return QJsonObject{{QStringLiteral("note"), text}};
}

} // namespace

class TestServerTrash : public QObject
{
    Q_OBJECT

private:
    ServerFixture m_server;

    // The names of the trash entries a user sees.
    QStringList trashOf(ServerFixture& server, const QString& user)
    {
        const auto reply = server.get(QStringLiteral("/trash"), user);
        if (reply.status != 200)
            return {QStringLiteral("<%1>").arg(describe(reply))};
        QStringList names;
        for (const QJsonValue& entry : reply.json().value(QStringLiteral("entries")).toArray())
            names << entry.toObject().value(QStringLiteral("name")).toString();
        names.sort();
        return names;
    }

    int collectionStatus(const QString& name, const QString& user)
    {
        return m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(name), user).status;
    }

    // A RUN of user's with one note in it, stored through the server.
    QUuid makeRun(ServerFixture& server, const QString& user, const QString& run)
    {
        auto butler = RemoteButler::connect(server.repoUrl(), server.token(user));
        if (!butler || !(*butler)->registerCollection(run, CollectionType::Run))
            return {};
        auto ref =
            (*butler)->put(QJsonDocument(note(run)).toJson(), QStringLiteral("json"), QStringLiteral("note"),
                           {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}}, run);
        return ref ? ref->id() : QUuid();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.prepare(), qPrintable(m_server.lastError()));
        QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    }

    void cleanupTestCase() { QCOMPARE(m_server.stop(), 0); }

    void removedRunIsHiddenAndOwnerRestores()
    {
        const QString run = QStringLiteral("u/alice/trash-me");
        const QUuid id = makeRun(m_server, QStringLiteral("alice"), run);
        QVERIFY(!id.isNull());
        auto chain = m_server.post(
            QStringLiteral("/collections/chain"), QStringLiteral("alice"),
            QJsonObject{{QStringLiteral("parent"), QStringLiteral("u/alice/trash-chain")},
                        {QStringLiteral("children"), QJsonArray{run, QStringLiteral("u/alice/run")}}});
        QVERIFY2(chain.status == 200, qPrintable(describe(chain)));

        const auto removed = m_server.post(QStringLiteral("/runs/remove"), QStringLiteral("alice"),
                                           QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QVERIFY2(removed.status == 200, qPrintable(describe(removed)));
        // Gone for everyone, admins included, and skipped by the chain.
        QCOMPARE(collectionStatus(run, QStringLiteral("alice")), 404);
        QCOMPARE(collectionStatus(run, QStringLiteral("dave")), 404);
        const auto dataset = m_server.get(QStringLiteral("/dataset?id=") + id.toString(QUuid::WithoutBraces),
                                          QStringLiteral("dave"));
        QCOMPARE(dataset.status, 404);
        const auto chained =
            m_server.get(QStringLiteral("/collection?name=u/alice/trash-chain"), QStringLiteral("alice"));
        QCOMPARE(chained.json().value(QStringLiteral("children")).toArray(),
                 QJsonArray{QStringLiteral("u/alice/run")});
        // The name stays taken.
        const auto again = m_server.post(
            QStringLiteral("/collections"), QStringLiteral("alice"),
            QJsonObject{{QStringLiteral("name"), run}, {QStringLiteral("type"), QStringLiteral("RUN")}});
        QCOMPARE(again.status, 409);
        QVERIFY2(errorMessage(again).contains(QStringLiteral("is in the trash until")),
                 qPrintable(describe(again)));

        // The entry: seen by its owner and admins, not by others.
        const auto listed = m_server.get(QStringLiteral("/trash"), QStringLiteral("alice"));
        QCOMPARE(listed.status, 200);
        QCOMPARE(listed.json().value(QStringLiteral("retention_days")).toDouble(), 30.0);
        QJsonObject entry;
        for (const QJsonValue& value : listed.json().value(QStringLiteral("entries")).toArray())
            if (value.toObject().value(QStringLiteral("name")).toString() == run)
                entry = value.toObject();
        QCOMPARE(entry.value(QStringLiteral("kind")).toString(), QStringLiteral("run"));
        QCOMPARE(entry.value(QStringLiteral("removed_by")).toString(), QStringLiteral("alice"));
        QCOMPARE(entry.value(QStringLiteral("datasets")).toInt(), 1);
        QCOMPARE(entry.value(QStringLiteral("files")).toInt(), 1);
        QVERIFY(QDateTime::fromString(entry.value(QStringLiteral("expires_at")).toString(), Qt::ISODate) >
                QDateTime::currentDateTimeUtc().addDays(29));
        QVERIFY(trashOf(m_server, QStringLiteral("dave")).contains(run));
        QVERIFY(!trashOf(m_server, QStringLiteral("bob")).contains(run));

        // Someone who cannot read it gets exactly the answer for a name never removed.
        const auto hidden = m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("bob"),
                                          QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        const auto never = m_server.post(
            QStringLiteral("/trash/restore"), QStringLiteral("bob"),
            QJsonObject{{QStringLiteral("names"), QJsonArray{QStringLiteral("u/alice/never-was")}}});
        QCOMPARE(hidden.status, 404);
        QCOMPARE(hidden.errorType(), QStringLiteral("not_found"));
        QCOMPARE(errorMessage(hidden).replace(run, QStringLiteral("<name>")),
                 errorMessage(never).replace(QStringLiteral("u/alice/never-was"), QStringLiteral("<name>")));
        const auto hiddenEmpty = m_server.post(QStringLiteral("/trash/empty"), QStringLiteral("bob"),
                                               QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QCOMPARE(hiddenEmpty.status, 404);

        // The owner restores: back in place, with its dataset.
        const auto restored = m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("alice"),
                                            QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QVERIFY2(restored.status == 200, qPrintable(describe(restored)));
        QCOMPARE(restored.json().value(QStringLiteral("entries")).toArray().size(), 1);
        QCOMPARE(collectionStatus(run, QStringLiteral("alice")), 200);
        QCOMPARE(m_server
                     .get(QStringLiteral("/dataset?id=") + id.toString(QUuid::WithoutBraces),
                          QStringLiteral("alice"))
                     .status,
                 200);
        const auto back =
            m_server.get(QStringLiteral("/collection?name=u/alice/trash-chain"), QStringLiteral("alice"));
        QCOMPARE(back.json().value(QStringLiteral("children")).toArray(),
                 (QJsonArray{run, QStringLiteral("u/alice/run")}));
        QVERIFY(!trashOf(m_server, QStringLiteral("alice")).contains(run));
    }

    void readersSeeButOnlyOwnersAndAdminsRestore()
    {
        const QString run = QStringLiteral("u/alice/shared-trash");
        QVERIFY(!makeRun(m_server, QStringLiteral("alice"), run).isNull());
        const auto grant =
            m_server.post(QStringLiteral("/acl"), QStringLiteral("alice"),
                          QJsonObject{{QStringLiteral("collection"), run},
                                      {QStringLiteral("grant"), QJsonArray{QStringLiteral("gamma")}}});
        QVERIFY2(grant.status == 200, qPrintable(describe(grant)));
        const auto removed = m_server.post(QStringLiteral("/runs/remove"), QStringLiteral("alice"),
                                           QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QVERIFY2(removed.status == 200, qPrintable(describe(removed)));

        QVERIFY(trashOf(m_server, QStringLiteral("erin")).contains(run));
        const auto denied = m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("erin"),
                                          QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QCOMPARE(denied.status, 403);
        QCOMPARE(denied.errorType(), QStringLiteral("permission_denied"));
        const auto notEmptied = m_server.post(QStringLiteral("/trash/empty"), QStringLiteral("erin"),
                                              QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QCOMPARE(notEmptied.status, 403);
        // Emptying everything one may leaves others' entries alone.
        const auto mine = m_server.post(QStringLiteral("/trash/empty"), QStringLiteral("erin"),
                                        QJsonObject{{QStringLiteral("all"), true}});
        QVERIFY2(mine.status == 200, qPrintable(describe(mine)));
        QVERIFY(mine.json().value(QStringLiteral("entries")).toArray().isEmpty());
        QVERIFY(trashOf(m_server, QStringLiteral("alice")).contains(run));

        // An admin restores anyone's, and the grant comes back with it.
        const auto restored = m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("dave"),
                                            QJsonObject{{QStringLiteral("names"), QJsonArray{run}}});
        QVERIFY2(restored.status == 200, qPrintable(describe(restored)));
        QCOMPARE(collectionStatus(run, QStringLiteral("erin")), 200);
    }

    void prunedDatasetsAreInvisibleToOthers()
    {
        const QUuid id = m_server.datasetIn(QStringLiteral("u/bob/run"));
        const QString idText = id.toString(QUuid::WithoutBraces);
        QCOMPARE(m_server.get(QStringLiteral("/dataset?id=") + idText, QStringLiteral("dave")).status, 200);
        const auto pruned = m_server.post(
            QStringLiteral("/datasets/prune"), QStringLiteral("bob"),
            QJsonObject{{QStringLiteral("ids"), QJsonArray{idText}}, {QStringLiteral("purge"), true}});
        QVERIFY2(pruned.status == 200, qPrintable(describe(pruned)));
        QCOMPARE(m_server.get(QStringLiteral("/dataset?id=") + idText, QStringLiteral("dave")).status, 404);
        auto dave = RemoteButler::connect(m_server.repoUrl(), m_server.token(QStringLiteral("dave")));
        QVERIFY(dave.ok());
        DatasetQuery query;
        query.datasetTypes = {QStringLiteral("note")};
        query.collections = {QStringLiteral("u/bob/run"), QStringLiteral("u/alice/chain")};
        auto page = (*dave)->queryDatasets(query);
        QVERIFY2(page.ok(), page.ok() ? "" : qPrintable(page.error().message()));
        for (const DatasetRef& ref : page->refs)
            QVERIFY(ref.id() != id);
        QVERIFY(!page->refs.isEmpty()); // u/alice/run's note is still there
        const QStringList entries = trashOf(m_server, QStringLiteral("bob"));
        QCOMPARE(entries.size(), 1);
        QVERIFY(entries.first().startsWith(QStringLiteral("u/bob/run#")));
        QVERIFY(!trashOf(m_server, QStringLiteral("alice")).contains(entries.first()));
        const auto restored =
            m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("bob"),
                          QJsonObject{{QStringLiteral("names"), QJsonArray{entries.first()}}});
        QVERIFY2(restored.status == 200, qPrintable(describe(restored)));
        QCOMPARE(m_server.get(QStringLiteral("/dataset?id=") + idText, QStringLiteral("dave")).status, 200);
    }

    void requestsAreChecked()
    {
        const auto emptyBody =
            m_server.post(QStringLiteral("/trash/empty"), QStringLiteral("dave"), QJsonObject{});
        QCOMPARE(emptyBody.status, 400);
        QVERIFY(errorMessage(emptyBody).contains(QStringLiteral("'all': true")));
        const auto both =
            m_server.post(QStringLiteral("/trash/empty"), QStringLiteral("dave"),
                          QJsonObject{{QStringLiteral("all"), true},
                                      {QStringLiteral("names"), QJsonArray{QStringLiteral("x")}}});
        QCOMPARE(both.status, 400);
        const auto noNames =
            m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("alice"), QJsonObject{});
        QCOMPARE(noNames.status, 400);
        const auto notAList = m_server.post(QStringLiteral("/trash/restore"), QStringLiteral("alice"),
                                            QJsonObject{{QStringLiteral("names"), 3}});
        QCOMPARE(notAList.status, 400);
        QCOMPARE(m_server.get(QStringLiteral("/trash"), QString()).status, 401);
    }

    void cliThroughTheServer()
    {
        const QString run = QStringLiteral("u/alice/cli-trash");
        QVERIFY(!makeRun(m_server, QStringLiteral("alice"), run).isNull());
        const QString token = m_server.token(QStringLiteral("alice"));
        const QString url = m_server.repoUrl();
        const CliResult removed = runButler({"remove-runs", url, run, "--force"}, token);
        QVERIFY2(removed.status == 0, qPrintable(removed.err));
        QVERIFY2(removed.out.contains(QStringLiteral("Moved 1 run to the trash until ")),
                 qPrintable(removed.out));
        QVERIFY2(
            removed.out.contains(QStringLiteral("'butler trash %1 restore %2' brings it back").arg(url, run)),
            qPrintable(removed.out));

        const CliResult listed = runButler({"trash", url, "--format", "csv"}, token);
        QVERIFY2(listed.status == 0, qPrintable(listed.err));
        const QStringList rows = listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.first(),
                 QStringLiteral("Name,Type,Removed by,Removed at,Expires,Datasets,Files,Bytes"));
        bool found = false;
        for (const QString& row : rows)
            found = found || row.startsWith(run + QStringLiteral(",RUN,alice,"));
        QVERIFY2(found, qPrintable(listed.out));
        const CliResult table = runButler({"trash", url}, token);
        QVERIFY(table.out.contains(QStringLiteral("count against their owners' quotas")));

        const CliResult restored = runButler({"trash", url, "restore", run}, token);
        QVERIFY2(restored.status == 0, qPrintable(restored.err));
        QCOMPARE(restored.out,
                 QStringLiteral("Restored %1 (RUN, 1 dataset, %2).\n")
                     .arg(run, QLocale::c().formattedDataSize(QJsonDocument(note(run)).toJson().size())));
        const CliResult unknown = runButler({"trash", url, "restore", run}, token);
        QCOMPARE(unknown.status, 1);
        QVERIFY2(unknown.err.startsWith(QStringLiteral("error: nothing named '%1' is in the trash").arg(run)),
                 qPrintable(unknown.err));

        // Emptying asks first; --force empties.
        QCOMPARE(runButler({"remove-runs", url, run, "--force"}, token).status, 0);
        const CliResult asked = runButler({"trash", url, "empty", run}, token);
        QCOMPARE(asked.status, 1);
        QVERIFY(asked.err.contains(QStringLiteral("--force")));
        const CliResult emptied = runButler({"trash", url, "empty", run, "--force"}, token);
        QVERIFY2(emptied.status == 0, qPrintable(emptied.err));
        QVERIFY2(emptied.out.contains(QStringLiteral("Emptied 1 entry from the trash (1 file, ")),
                 qPrintable(emptied.out));
        QCOMPARE(collectionStatus(run, QStringLiteral("alice")), 404);
        QVERIFY(!trashOf(m_server, QStringLiteral("alice")).contains(run));
    }

    void expiredEntriesArePurgedOnATimer()
    {
        // A second server whose trash keeps things for about three seconds and looks every second.
        ServerFixture server;
        QVERIFY2(
            server.prepare(QStringLiteral("trash: { retention_days: 0.00004, purge_interval_seconds: 1 }\n")),
            qPrintable(server.lastError()));
        QVERIFY2(server.start(), qPrintable(server.lastError()));
        const QString run = QStringLiteral("u/alice/short-lived");
        const QUuid id = makeRun(server, QStringLiteral("alice"), run);
        QVERIFY(!id.isNull());
        auto alice = RemoteButler::connect(server.repoUrl(), server.token(QStringLiteral("alice")));
        QVERIFY(alice.ok());
        auto infos = (*alice)->fileInfo({id});
        QVERIFY(infos.ok() && infos->size() == 1);
        const QString file = server.repoPath() + QStringLiteral("/datastore/") + infos->first().path;
        QVERIFY2(QFileInfo::exists(file), qPrintable(file));
        const qint64 used = (*alice)->quota().value().usedBytes;
        QVERIFY(used >= infos->first().size);

        QVERIFY((*alice)->removeRuns({run}).ok());
        // In the trash: the file stays, and so does its charge.
        QVERIFY(QFileInfo::exists(file));
        QCOMPARE((*alice)->quota().value().usedBytes, used);
        // Past its date the server's purge takes rows, file and charge away.
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(file), 30000);
        QCOMPARE((*alice)->quota().value().usedBytes, used - infos->first().size);
        QVERIFY(trashOf(server, QStringLiteral("dave")).isEmpty());
        // The name is free again.
        const auto again = server.post(
            QStringLiteral("/collections"), QStringLiteral("alice"),
            QJsonObject{{QStringLiteral("name"), run}, {QStringLiteral("type"), QStringLiteral("RUN")}});
        QCOMPARE(again.status, 201);
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestServerTrash)
#include "tst_servertrash.moc"
