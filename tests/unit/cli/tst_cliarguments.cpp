#include "ArgumentParser.h"
#include "CliApplication.h"
#include "DatasetCommands.h"
#include "Glob.h"
#include "QueryCommands.h"
#include "TaiTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

namespace {

// What the fake repository holds and what the commands asked of it; shared by every FakeButler
// the opener hands out, so that it outlives one command.
struct FakeState
{
    QList<CollectionInfo> collections;
    QList<DatasetRef> refs;
    QList<DimensionRecord> detectors;
    int pageSize = 2;
    QList<DatasetQuery> datasetQueries;
    QStringList removedRuns;
    QStringList opened;
};

Error unused()
{
    return internalError(QStringLiteral("not used by these tests"));
}

// A Butler over in-memory data: enough for the listing commands and removal prompts, so that
// these tests check the CLI alone. Dataset queries come back in pages of pageSize rows.
class FakeButler : public Butler
{
public:
    explicit FakeButler(FakeState& state)
        : m_state(state)
    {
    }

    const DimensionUniverse& universe() const override { return DimensionUniverse::defaultUniverse(); }
    QString location() const override { return QStringLiteral("fake"); }

    Status insertDimensionRecords(const QString&, const QList<DimensionRecord>&, bool) override
    {
        return unused();
    }
    Result<DimensionRecordPage> queryDimensionRecords(const DimensionRecordQuery& query) override
    {
        if (query.element != QLatin1String("detector"))
            return DimensionRecordPage();
        DimensionRecordPage page;
        page.records = m_state.detectors;
        return page;
    }
    Status registerDatasetType(const DatasetType&) override { return unused(); }
    Result<DatasetType> getDatasetType(const QString& name) override
    {
        for (const DatasetRef& ref : m_state.refs) {
            if (ref.datasetType().name() == name)
                return ref.datasetType();
        }
        return notFound(QStringLiteral("unknown dataset type '%1'").arg(name));
    }
    Result<QList<DatasetType>> queryDatasetTypes(const QStringList&, const QStringList&) override
    {
        return unused();
    }
    Result<QStringList> removeDatasetTypes(const QStringList&) override { return unused(); }
    Status registerCollection(const QString&, CollectionType, const QString&) override { return unused(); }
    Result<CollectionInfo> getCollection(const QString& name) override
    {
        for (const CollectionInfo& info : m_state.collections) {
            if (info.name == name)
                return info;
        }
        return notFound(QStringLiteral("no collection '%1'").arg(name));
    }
    Result<QList<CollectionInfo>> queryCollections(const CollectionQuery& query) override
    {
        QList<CollectionInfo> result;
        for (const CollectionInfo& info : m_state.collections) {
            bool nameMatches = query.globs.isEmpty();
            for (const QString& pattern : query.globs)
                nameMatches = nameMatches || Glob::compile(pattern).value().matches(info.name);
            if (nameMatches && (query.types.isEmpty() || query.types.contains(info.type)))
                result.append(info);
        }
        return result;
    }
    Status setCollectionChain(const QString&, const QStringList&, ChainMode, bool, const QString&) override
    {
        return unused();
    }
    Result<QStringList> flattenCollections(const QStringList&) override { return unused(); }
    Status removeCollections(const QStringList&) override { return unused(); }
    Status removeRuns(const QStringList& names) override
    {
        m_state.removedRuns.append(names);
        return {};
    }
    Result<DatasetPage> queryDatasets(const DatasetQuery& query) override
    {
        m_state.datasetQueries.append(query);
        QList<DatasetRef> matching;
        for (const DatasetRef& ref : m_state.refs) {
            if (query.datasetTypes.isEmpty() || query.datasetTypes.contains(ref.datasetType().name()))
                matching.append(ref);
        }
        const int start = query.pageToken.isEmpty() ? 0 : query.pageToken.toInt();
        int count = m_state.pageSize;
        if (query.limit > 0)
            count = std::min(count, query.limit);
        DatasetPage page;
        page.refs = matching.mid(start, count);
        if (start + count < matching.size())
            page.nextPageToken = QString::number(start + count);
        return page;
    }
    Result<QList<DataCoordinate>> queryDataIds(const DataIdQuery&) override { return unused(); }
    Result<std::optional<DatasetRef>> findDataset(const QString&, const QVariantMap&, const QStringList&,
                                                  std::optional<qint64>) override
    {
        return unused();
    }
    Result<DatasetRef> getDataset(const QUuid&) override { return unused(); }
    Result<QList<FileInfo>> fileInfo(const QList<QUuid>& ids) override
    {
        QList<FileInfo> files;
        for (const QUuid& id : ids) {
            FileInfo info;
            info.id = id;
            info.uri = QStringLiteral("file:///repo/") + id.toString(QUuid::WithoutBraces);
            files.append(info);
        }
        return files;
    }
    Result<DatasetRef> put(const QByteArray&, const QString&, const QString&, const QVariantMap&,
                           const QString&) override
    {
        return unused();
    }
    Result<QByteArray> get(const QUuid&, QString*) override { return unused(); }
    Result<QList<DatasetRef>> ingest(const QString&, const QList<IngestFile>&, TransferMode,
                                     DatasetIdMode) override
    {
        return unused();
    }
    Result<QList<DatasetRef>> registerDatasets(const QString&, const QList<IngestFile>&,
                                               DatasetIdMode) override
    {
        return unused();
    }
    Status associate(const QString&, const QList<QUuid>&) override { return unused(); }
    Status disassociate(const QString&, const QList<QUuid>&) override { return unused(); }
    Status certify(const QString&, const QList<QUuid>&, const Timespan&) override { return unused(); }
    Status decertify(const QString&, const QString&, const Timespan&, const QList<DataCoordinate>&) override
    {
        return unused();
    }
    Status pruneDatasets(const QList<QUuid>&, bool, bool) override { return unused(); }
    // Removals here go at once: the trash stays empty.
    Result<QList<TrashEntry>> trashEntries() override { return QList<TrashEntry>(); }
    Result<QList<TrashEntry>> restoreFromTrash(const QStringList&) override { return unused(); }
    Result<QList<TrashEntry>> emptyTrash(const QStringList&, bool) override { return unused(); }

private:
    FakeState& m_state;
};

DatasetRef makeRef(const QString& type, const QStringList& dimensions, const QVariantMap& dataId,
                   const QString& run)
{
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    const DatasetType datasetType =
        DatasetType::make(universe, type, dimensions, QStringLiteral("Exposure")).value();
    const DataCoordinate coordinate =
        DataCoordinate::fromMap(universe, datasetType.dimensions(), dataId).value();
    return DatasetRef(QUuid::createUuid(), datasetType, coordinate, run);
}

FakeState makeState()
{
    FakeState state;
    state.collections = {
        {QStringLiteral("run1"), CollectionType::Run, {}, {}},
        {QStringLiteral("run2"), CollectionType::Run, {}, {}},
        {QStringLiteral("tagged"), CollectionType::Tagged, QStringLiteral("picked"), {}},
        {QStringLiteral("chain"),
         CollectionType::Chained,
         {},
         {QStringLiteral("run1"), QStringLiteral("inner")}},
        {QStringLiteral("inner"), CollectionType::Chained, {}, {QStringLiteral("run2")}},
    };
    const QStringList rawDims{QStringLiteral("instrument"), QStringLiteral("detector"),
                              QStringLiteral("exposure")};
    const QStringList biasDims{QStringLiteral("instrument"), QStringLiteral("detector")};
    for (int detector = 1; detector <= 3; ++detector) {
        state.refs.append(
            makeRef(QStringLiteral("raw"), rawDims,
                    {{"instrument", "LSSTCam"}, {"detector", detector}, {"exposure", qint64(2025061500001)}},
                    QStringLiteral("run1")));
    }
    state.refs.append(makeRef(QStringLiteral("bias"), biasDims, {{"instrument", "LSSTCam"}, {"detector", 7}},
                              QStringLiteral("run2")));
    const DimensionUniverse& universe = DimensionUniverse::defaultUniverse();
    state.detectors.append(
        DimensionRecord::validated(
            universe, QStringLiteral("detector"),
            {{"instrument", "LSSTCam"}, {"id", 42}, {"full_name", "R22_S11"}, {"purpose", "SCIENCE"}})
            .value());
    return state;
}

// Runs the CLI in-process on the fake repository and keeps what it printed.
struct Run
{
    int status = -1;
    QString out;
    QString err;
};

Run runCli(const QStringList& args, FakeState* state = nullptr, const QString& input = {},
           bool interactive = false)
{
    CliApplication cli;
    if (state) {
        cli.setButlerOpener([state](const QString& repo) -> Result<std::unique_ptr<Butler>> {
            state->opened.append(repo);
            return std::unique_ptr<Butler>(new FakeButler(*state));
        });
    }
    QString inputText = input;
    QTextStream in(&inputText);
    cli.setInput(&in, interactive);
    Run run;
    QTextStream out(&run.out);
    QTextStream err(&run.err);
    run.status = cli.run(args, out, err);
    out.flush();
    err.flush();
    return run;
}

QStringList lines(const QString& text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

const CommandSpec& querySpec()
{
    static const CommandSpec spec = [] {
        CliApplication cli;
        return cli.commands().find(QStringLiteral("query-datasets"))->spec;
    }();
    return spec;
}

} // namespace

class TestCliArguments : public QObject
{
    Q_OBJECT

private slots:
    void parseOptions_data();
    void parseOptions();
    void parseErrors_data();
    void parseErrors();
    void helpWins();
    void usageExitCodes_data();
    void usageExitCodes();
    void userErrorExitCodes_data();
    void userErrorExitCodes();
    void helpOutput();
    void everyCommandHasHelp();
    void queryDatasetsJson();
    void queryDatasetsTablePerType();
    void queryDatasetsCsvUnion();
    void queryDatasetsPassesQuery();
    void queryDatasetsLimitStopsPaging();
    void queryCollectionsModes();
    void queryCollectionsJson();
    void queryDimensionRecordsColumns();
    void removeRunsConfirmation_data();
    void removeRunsConfirmation();
    void validityRange_data();
    void validityRange();
};

void TestCliArguments::parseOptions_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QString>("option");
    QTest::addColumn<QStringList>("expected");

    const QStringList abc{"a", "b", "c"};
    QTest::newRow("spaces") << QStringList{"repo", "--collections", "a", "b", "c"} << "collections" << abc;
    QTest::newRow("commas") << QStringList{"repo", "--collections", "a,b,c"} << "collections" << abc;
    QTest::newRow("equals") << QStringList{"repo", "--collections=a,b,c"} << "collections" << abc;
    QTest::newRow("repeated") << QStringList{"repo", "--collections", "a", "--collections=b", "--collections",
                                             "c"}
                              << "collections" << abc;
    QTest::newRow("mixed") << QStringList{"repo", "--collections", "a,b", "c", "--find-first"}
                           << "collections" << abc;
    QTest::newRow("where with =") << QStringList{"repo", "--where=visit = 5"} << "where"
                                  << QStringList{"visit = 5"};
    QTest::newRow("descending order") << QStringList{"repo", "--order-by", "-visit", "detector"} << "order-by"
                                      << QStringList{"-visit", "detector"};
    QTest::newRow("bind keeps commas") << QStringList{"repo", "--bind", "ids=1,2,3", "name=x"} << "bind"
                                       << QStringList{"ids=1,2,3", "name=x"};
    QTest::newRow("limit") << QStringList{"repo", "--limit", "10"} << "limit" << QStringList{"10"};
    QTest::newRow("format any case") << QStringList{"repo", "--format", "JSON"} << "format"
                                     << QStringList{"JSON"};
    QTest::newRow("last single value wins")
        << QStringList{"repo", "--where", "a", "--where", "b"} << "where" << QStringList{"a", "b"};
    QTest::newRow("flag") << QStringList{"repo", "--show-uri"} << "show-uri" << QStringList{};
}

void TestCliArguments::parseOptions()
{
    QFETCH(QStringList, words);
    QFETCH(QString, option);
    QFETCH(QStringList, expected);
    const Result<ParsedArguments> parsed = ArgumentParser::parse(querySpec(), words);
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message()));
    QVERIFY(parsed->isSet(option));
    QCOMPARE(parsed->values(option), expected);
    QCOMPARE(parsed->positional("REPO"), QStringLiteral("repo"));
    if (option == QLatin1String("where"))
        QCOMPARE(parsed->value(option), expected.last());
}

void TestCliArguments::parseErrors_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown option") << QStringList{"repo", "--colections", "a"}
                                    << "unknown option '--colections'";
    QTest::newRow("unknown short option") << QStringList{"repo", "-x"} << "unknown option '-x'";
    QTest::newRow("missing repo") << QStringList{} << "missing argument REPO";
    QTest::newRow("missing value") << QStringList{"repo", "--where"} << "--where needs a value";
    QTest::newRow("value is an option")
        << QStringList{"repo", "--limit", "--find-first"} << "--limit needs a value";
    QTest::newRow("empty multiple") << QStringList{"repo", "--collections", "--find-first"}
                                    << "--collections needs a value";
    QTest::newRow("bad integer") << QStringList{"repo", "--limit", "ten"} << "non-negative integer";
    QTest::newRow("negative integer") << QStringList{"repo", "--limit=-3"} << "non-negative integer";
    QTest::newRow("bad choice") << QStringList{"repo", "--format", "xml"} << "one of table, json, csv";
    QTest::newRow("flag with value") << QStringList{"repo", "--show-uri=yes"} << "takes no value";
}

void TestCliArguments::parseErrors()
{
    QFETCH(QStringList, words);
    QFETCH(QString, message);
    const Result<ParsedArguments> parsed = ArgumentParser::parse(querySpec(), words);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message().contains(message), qPrintable(parsed.error().message()));
}

void TestCliArguments::helpWins()
{
    QVERIFY(ArgumentParser::wantsHelp({"--bogus", "--help"}));
    QVERIFY(ArgumentParser::wantsHelp({"-h"}));
    QVERIFY(!ArgumentParser::wantsHelp({"repo", "--", "--help"}));

    // After "--" everything is positional, and a negative number is a value, not an option.
    CommandSpec spec{.name = "t",
                     .positionals = {{.name = "REPO"}, {.name = "X", .optional = true, .variadic = true}}};
    const Result<ParsedArguments> parsed = ArgumentParser::parse(spec, {"repo", "-5", "--", "--help", "-x"});
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->positionals("X"), (QStringList{"-5", "--help", "-x"}));
    const Result<ParsedArguments> extra =
        ArgumentParser::parse(CommandSpec{.name = "t", .positionals = {{.name = "REPO"}}}, {"repo", "more"});
    QVERIFY(!extra.ok());
    QVERIFY(extra.error().message().contains("unexpected argument 'more'"));
}

void TestCliArguments::usageExitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");

    QTest::newRow("no command") << QStringList{} << "no command given";
    QTest::newRow("unknown command") << QStringList{"query-everything", "repo"}
                                     << "unknown command 'query-everything'";
    QTest::newRow("option before command")
        << QStringList{"--collections", "x"} << "options follow the command";
    QTest::newRow("unknown option") << QStringList{"query-datasets", "repo", "--bogus"}
                                    << "unknown option '--bogus'";
    QTest::newRow("missing repo") << QStringList{"query-datasets"} << "missing argument REPO";
    QTest::newRow("missing element") << QStringList{"insert-dimension-records", "repo"}
                                     << "missing argument ELEMENT";
    QTest::newRow("missing required option")
        << QStringList{"register-collection", "repo", "c"} << "missing option --type";
    QTest::newRow("bad collection type") << QStringList{"register-collection", "repo", "c", "--type", "BAG"}
                                         << "takes one of RUN, TAGGED, CALIBRATION";
    QTest::newRow("bad format") << QStringList{"query-collections", "repo", "--format", "yaml"} << "--format";
    QTest::newRow("bad chains mode") << QStringList{"query-collections", "repo", "--chains", "forest"}
                                     << "--chains";
    QTest::newRow("prune without mode")
        << QStringList{"prune-datasets", "/nonexistent", "--collections", "x"} << "choose --unstore";
    QTest::newRow("pop with a name") << QStringList{"collection-chain", "/nonexistent", "p", "x",
                                                    "--mode",           "pop"}
                                     << "--mode pop takes child positions";
    QTest::newRow("jobs show without id")
        << QStringList{"jobs", "https://x/api/butler/repo/main", "show"} << "needs a job ID";
    QTest::newRow("help for unknown") << QStringList{"help", "nope"} << "unknown command 'nope'";
}

void TestCliArguments::usageExitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run run = runCli(args);
    QCOMPARE(run.status, 2);
    QVERIFY2(run.err.startsWith("error: "), qPrintable(run.err));
    QVERIFY2(lines(run.err).first().contains(message), qPrintable(run.err));
    // The usage hint follows on its own line.
    QVERIFY2(lines(run.err).size() >= 2, qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

void TestCliArguments::userErrorExitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");

    const QString missing = QDir::tempPath() + QStringLiteral("/butler-no-such-repo-") +
                            QUuid::createUuid().toString(QUuid::Id128);
    QTest::newRow("nonexistent repo") << QStringList{"query-collections", missing} << "no repository at";
    QTest::newRow("remote repo, bad URL")
        << QStringList{"query-collections", "https://example.org/butler/main"} << "is not a repository URL";
    QTest::newRow("remote repo, unreadable token file")
        << QStringList{"query-collections", "https://example.org/api/butler/repo/main", "--token-file",
                       missing + "/token"}
        << "cannot read token file";
    QTest::newRow("whoami on a path") << QStringList{"whoami", missing} << "whoami needs a server URL";
    QTest::newRow("login on a path") << QStringList{"login", "repo"} << "login needs a server URL";
    QTest::newRow("acl on a path") << QStringList{"acl", missing, "u/x/c", "--grant", "g"}
                                   << "needs a server URL";
    QTest::newRow("trash, no repository") << QStringList{"trash", missing} << "no repository at";
    QTest::newRow("create remote") << QStringList{"create", "http://example.org/api/butler/repo/x"}
                                   << "works on a local repository path";
    QTest::newRow("bad begin date") << QStringList{"certify-calibrations", missing,    "run", "calib", "bias",
                                                   "--begin-date",         "yesterday"}
                                    << "--begin-date";
    QTest::newRow("import missing file")
        << QStringList{"import", missing, missing + "/export.yaml"} << "no export file";
}

void TestCliArguments::userErrorExitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run run = runCli(args);
    QCOMPARE(run.status, 1);
    QCOMPARE(lines(run.err).size(), 1);
    QVERIFY2(run.err.startsWith("error: "), qPrintable(run.err));
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
}

void TestCliArguments::helpOutput()
{
    const Run general = runCli({"--help"});
    QCOMPARE(general.status, 0);
    QVERIFY(general.out.contains("query-datasets"));
    QVERIFY(general.out.contains("certify-calibrations"));
    QVERIFY(general.err.isEmpty());

    const Run command = runCli({"query-datasets", "--bogus", "--help"});
    QCOMPARE(command.status, 0);
    QVERIFY(command.out.startsWith("usage: butler query-datasets REPO [TYPE_GLOB...]"));
    QVERIFY(command.out.contains("--collections C..."));
    QVERIFY(command.out.contains("--format table|json|csv"));

    const Run viaHelp = runCli({"help", "query-datasets"});
    QCOMPARE(viaHelp.status, 0);
    QCOMPARE(viaHelp.out, command.out);
}

void TestCliArguments::everyCommandHasHelp()
{
    const QStringList contract{"create",
                               "make-demo-repo",
                               "import",
                               "insert-dimension-records",
                               "register-dataset-type",
                               "register-collection",
                               "collection-chain",
                               "query-collections",
                               "query-dataset-types",
                               "query-datasets",
                               "query-data-ids",
                               "query-dimension-records",
                               "associate",
                               "disassociate",
                               "certify-calibrations",
                               "decertify-calibrations",
                               "ingest-files",
                               "retrieve-artifacts",
                               "prune-datasets",
                               "remove-runs",
                               "remove-collections",
                               "remove-dataset-type",
                               "login",
                               "whoami",
                               "quota",
                               "acl",
                               "verify-quotas",
                               "jobs",
                               "trash"};
    for (const QString& name : contract) {
        const Run run = runCli({name, "-h"});
        QVERIFY2(run.status == 0, qPrintable(name));
        QVERIFY2(run.out.startsWith("usage: butler " + name), qPrintable(run.out));
    }
    // Every query command offers --format.
    CliApplication cli;
    for (const Command& command : cli.commands().commands()) {
        if (command.spec.name.startsWith(QLatin1String("query-")))
            QVERIFY2(command.spec.option("format"), qPrintable(command.spec.name));
    }
}

void TestCliArguments::queryDatasetsJson()
{
    FakeState state = makeState();
    const Run run =
        runCli({"query-datasets", "repo", "--collections", "run1", "run2", "--format", "json", "--show-uri"},
               &state);
    QCOMPARE(run.status, 0);
    QVERIFY(run.err.isEmpty());
    QJsonParseError error;
    const QJsonArray array = QJsonDocument::fromJson(run.out.toUtf8(), &error).array();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(array.size(), state.refs.size());
    for (int i = 0; i < array.size(); ++i) {
        const QJsonObject object = array[i].toObject();
        const DatasetRef& ref = state.refs[i];
        QCOMPARE(object.value("id").toString(), ref.idString());
        QCOMPARE(object.value("dataset_type").toString(), ref.datasetType().name());
        QCOMPARE(object.value("run").toString(), ref.run());
        QCOMPARE(object.value("data_id").toObject().value("detector").toInteger(),
                 ref.dataId().value("detector").toLongLong());
        QCOMPARE(object.value("data_id").toObject().value("instrument").toString(),
                 QStringLiteral("LSSTCam"));
        QCOMPARE(object.value("uri").toString(), "file:///repo/" + ref.idString());
    }
}

void TestCliArguments::queryDatasetsTablePerType()
{
    FakeState state = makeState();
    const Run run = runCli({"query-datasets", "repo"}, &state);
    QCOMPARE(run.status, 0);
    const QStringList tables = run.out.split(QStringLiteral("\n\n"));
    QCOMPARE(tables.size(), 2);
    const QStringList raw = lines(tables[0]);
    QCOMPARE(raw.first().split(' ', Qt::SkipEmptyParts),
             (QStringList{"type", "run", "id", "instrument", "detector", "exposure"}));
    QCOMPARE(raw.size(), 2 + 3);
    QVERIFY(raw[2].startsWith("raw"));
    const QStringList bias = lines(tables[1]);
    QCOMPARE(bias.first().split(' ', Qt::SkipEmptyParts),
             (QStringList{"type", "run", "id", "instrument", "detector"}));
    QVERIFY(bias[2].contains(state.refs.last().idString()));
    // Without --collections every collection is searched.
    QCOMPARE(state.datasetQueries.first().collections, QStringList{"*"});
}

void TestCliArguments::queryDatasetsCsvUnion()
{
    FakeState state = makeState();
    const Run run = runCli({"query-datasets", "repo", "--format=csv"}, &state);
    QCOMPARE(run.status, 0);
    const QStringList rows = lines(run.out);
    QCOMPARE(rows.first(), QStringLiteral("type,run,id,instrument,detector,exposure"));
    QCOMPARE(rows.size(), 1 + state.refs.size());
    QCOMPARE(rows.last(), QStringLiteral("bias,run2,%1,LSSTCam,7,").arg(state.refs.last().idString()));
}

void TestCliArguments::queryDatasetsPassesQuery()
{
    FakeState state = makeState();
    const Run run = runCli({"query-datasets", "repo", "raw", "--collections", "run1,chain", "--where",
                            "detector IN (:dets) AND exposure.exposure_time > :t", "--bind", "dets=1,2",
                            "t=2.5", "name=LSSTCam", "--find-first", "--order-by", "-detector"},
                           &state);
    QCOMPARE(run.status, 0);
    QVERIFY(!state.datasetQueries.isEmpty());
    const DatasetQuery& query = state.datasetQueries.first();
    QCOMPARE(query.datasetTypes, QStringList{"raw"});
    QCOMPARE(query.collections, (QStringList{"run1", "chain"}));
    QVERIFY(query.findFirst);
    QCOMPARE(query.orderBy, QStringList{"-detector"});
    QCOMPARE(query.bind.value("dets").toList(), (QVariantList{qint64(1), qint64(2)}));
    QCOMPARE(query.bind.value("t").typeId(), int(QMetaType::Double));
    QCOMPARE(query.bind.value("name").toString(), QStringLiteral("LSSTCam"));
    // Three raws in pages of two: the CLI followed the page token.
    QCOMPARE(state.datasetQueries.size(), 2);
    QCOMPARE(state.datasetQueries[1].pageToken, QStringLiteral("2"));
    QCOMPARE(lines(run.out).size(), 2 + 3);

    const Run findFirstAlone = runCli({"query-datasets", "repo", "--find-first"}, &state);
    QCOMPARE(findFirstAlone.status, 2);
    QVERIFY(findFirstAlone.err.contains("--find-first needs --collections"));
}

void TestCliArguments::queryDatasetsLimitStopsPaging()
{
    FakeState state = makeState();
    state.pageSize = 1;
    const Run run = runCli({"query-datasets", "repo", "--limit", "2", "--format", "json"}, &state);
    QCOMPARE(run.status, 0);
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).array().size(), 2);
    QCOMPARE(state.datasetQueries.size(), 2);
    QCOMPARE(state.datasetQueries[0].limit, 2);
    QCOMPARE(state.datasetQueries[1].limit, 1);
}

void TestCliArguments::queryCollectionsModes()
{
    FakeState state = makeState();
    const Run table = runCli({"query-collections", "repo"}, &state);
    QCOMPARE(table.status, 0);
    QStringList rows = lines(table.out);
    QCOMPARE(rows.first().split(' ', Qt::SkipEmptyParts), (QStringList{"Name", "Type", "Children"}));
    QVERIFY(table.out.contains(QRegularExpression("chain +CHAINED +run1,inner")));

    const Run tree = runCli({"query-collections", "repo", "chain", "--chains", "tree"}, &state);
    QCOMPARE(tree.status, 0);
    rows = lines(tree.out);
    QCOMPARE(rows.size(), 2 + 4);
    QVERIFY(rows[2].startsWith("chain "));
    QVERIFY(rows[3].startsWith("  run1 "));
    QVERIFY(rows[4].startsWith("  inner "));
    QVERIFY(rows[5].startsWith("    run2 "));
    QVERIFY(rows[5].contains("RUN"));

    const Run noChildren =
        runCli({"query-collections", "repo", "--chains", "no-children", "--format", "csv"}, &state);
    QCOMPARE(noChildren.status, 0);
    QCOMPARE(lines(noChildren.out).first(), QStringLiteral("Name,Type"));
    QCOMPARE(lines(noChildren.out).size(), 1 + state.collections.size());

    const Run typed = runCli(
        {"query-collections", "repo", "--collection-type", "run", "TAGGED", "--format", "csv"}, &state);
    QCOMPARE(typed.status, 0);
    QCOMPARE(lines(typed.out),
             (QStringList{"Name,Type,Children", "run1,RUN,", "run2,RUN,", "tagged,TAGGED,"}));
}

void TestCliArguments::queryCollectionsJson()
{
    FakeState state = makeState();
    const Run run = runCli({"query-collections", "repo", "--format", "json", "--chains", "tree"}, &state);
    QCOMPARE(run.status, 0);
    const QJsonArray array = QJsonDocument::fromJson(run.out.toUtf8()).array();
    QCOMPARE(array.size(), state.collections.size());
    const QJsonObject chain = array[3].toObject();
    QCOMPARE(chain.value("name").toString(), QStringLiteral("chain"));
    QCOMPARE(chain.value("type").toString(), QStringLiteral("CHAINED"));
    QCOMPARE(chain.value("children").toArray(), (QJsonArray{"run1", "inner"}));
    QCOMPARE(array[2].toObject().value("doc").toString(), QStringLiteral("picked"));
    QVERIFY(!array[0].toObject().contains("children"));
}

void TestCliArguments::queryDimensionRecordsColumns()
{
    const DimensionElement* exposure = DimensionUniverse::defaultUniverse().element("exposure");
    QVERIFY(exposure);
    const QStringList columns = QueryCommands::recordColumns(*exposure);
    QCOMPARE(columns.mid(0, 3), (QStringList{"instrument", "id", "obs_id"}));
    QVERIFY(columns.contains("physical_filter"));
    QVERIFY(columns.contains("exposure_time"));
    QCOMPARE(columns.mid(columns.size() - 2), (QStringList{"timespan_begin", "timespan_end"}));

    FakeState state = makeState();
    const Run run = runCli({"query-dimension-records", "repo", "detector", "--format", "csv"}, &state);
    QCOMPARE(run.status, 0);
    QCOMPARE(lines(run.out), (QStringList{"instrument,id,full_name,name_in_raft,raft,purpose",
                                          "LSSTCam,42,R22_S11,,,SCIENCE"}));
    const Run unknown = runCli({"query-dimension-records", "repo", "detectors"}, &state);
    QCOMPARE(unknown.status, 1);
    QVERIFY(unknown.err.contains("'detectors'"));
}

void TestCliArguments::removeRunsConfirmation_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("interactive");
    QTest::addColumn<int>("status");
    QTest::addColumn<QStringList>("removed");

    const QStringList both{"run1", "run2"};
    QTest::newRow("not a terminal") << QStringList{} << QString() << false << 1 << QStringList{};
    QTest::newRow("answer no") << QStringList{} << "n\n" << true << 0 << QStringList{};
    QTest::newRow("empty answer") << QStringList{} << "\n" << true << 0 << QStringList{};
    QTest::newRow("answer yes") << QStringList{} << "y\n" << true << 0 << both;
    QTest::newRow("force") << QStringList{"--force"} << QString() << false << 0 << both;
}

void TestCliArguments::removeRunsConfirmation()
{
    QFETCH(QStringList, extra);
    QFETCH(QString, input);
    QFETCH(bool, interactive);
    QFETCH(int, status);
    QFETCH(QStringList, removed);
    FakeState state = makeState();
    const Run run = runCli(QStringList{"remove-runs", "repo", "run*"} + extra, &state, input, interactive);
    QCOMPARE(run.status, status);
    QCOMPARE(state.removedRuns, removed);
    // What would go is always shown first.
    QVERIFY(run.out.contains("  run1\n"));
    QVERIFY(run.out.contains("  run2\n"));
    QVERIFY(!run.out.contains("tagged"));
    if (status == 1) {
        QVERIFY(run.err.startsWith("error: "));
        QVERIFY(run.err.contains("--force"));
    }
}

void TestCliArguments::validityRange_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<bool>("hasBegin");
    QTest::addColumn<bool>("hasEnd");

    QTest::newRow("unbounded") << QStringList{} << true << false << false;
    QTest::newRow("begin only") << QStringList{"--begin-date", "2025-06-15T00:00:00"} << true << true
                                << false;
    QTest::newRow("both") << QStringList{"--begin-date", "2025-06-15", "--end-date", "2025-06-16T12:00:00Z"}
                          << true << true << true;
    QTest::newRow("reversed") << QStringList{"--begin-date", "2025-06-16", "--end-date", "2025-06-15"}
                              << false << false << false;
    QTest::newRow("garbage") << QStringList{"--end-date", "soon"} << false << false << false;
}

void TestCliArguments::validityRange()
{
    QFETCH(QStringList, words);
    QFETCH(bool, ok);
    QFETCH(bool, hasBegin);
    QFETCH(bool, hasEnd);
    CliApplication cli;
    const CommandSpec& spec = cli.commands().find("certify-calibrations")->spec;
    const Result<ParsedArguments> parsed =
        ArgumentParser::parse(spec, QStringList{"repo", "run", "calib", "bias"} + words);
    QVERIFY(parsed.ok());
    const Result<Timespan> range = DatasetCommands::validityRange(parsed.value());
    QCOMPARE(range.ok(), ok);
    if (!ok)
        return;
    QCOMPARE(range->hasBegin(), hasBegin);
    QCOMPARE(range->hasEnd(), hasEnd);
    if (hasBegin)
        QCOMPARE(range->begin(), TaiTime::fromIsoUtc("2025-06-15T00:00:00").value());
}

QTEST_GUILESS_MAIN(TestCliArguments)
#include "tst_cliarguments.moc"
