// What AuthorizedButler hides beyond collections: the name of a hidden RUN in refs seen through
// release collections, dataset IDs that could be computed for hidden datasets, data IDs that
// only hidden members of a user's TAGGED collection hold, and the undo of an upload batch that
// removes its datasets for good.

#include "AuthorizedButler.h"
#include "DirectButler.h"
#include "FileDatastore.h"
#include "Registry.h"
#include "TimeOrderedUuid.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace butler;

#define BUTLER_VERIFY_OK(expr)                                                                               \
    do {                                                                                                     \
        const auto& butlerCheck_ = (expr);                                                                   \
        QVERIFY2(butlerCheck_.ok(), butlerCheck_.ok() ? "" : qPrintable(butlerCheck_.error().message()));    \
    } while (false)

#define BUTLER_VERIFY_ERROR(expr, expectedKind)                                                              \
    do {                                                                                                     \
        const auto& butlerCheck_ = (expr);                                                                   \
        QVERIFY2(!butlerCheck_.ok(), "expected an error, the call succeeded");                               \
        QCOMPARE(butlerCheck_.error().kindName(), errorKindName(expectedKind));                              \
    } while (false)

namespace {

constexpr qint64 Now = 1'750'000'000;
constexpr qint64 Day = 86400;

QVariantMap skyId(int detector)
{
    return {{QStringLiteral("instrument"), QStringLiteral("Cam")}, {QStringLiteral("detector"), detector}};
}

QString idText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

// Users: alice (group cosmo), bob (galaxy), eve (no groups), adam (admins). Runs u/alice/run,
// u/bob/private and the public release run HSC/old hold "sky" datasets of detectors 0 and 1.
// HSC/picks is a public release TAGGED collection holding bob's private detector-1 dataset.
class Repo
{
public:
    std::unique_ptr<DirectButler> direct;
    std::unique_ptr<AclStore> acls;
    std::unique_ptr<AccessPolicy> policy;
    QHash<QString, QList<QUuid>> sky;

    static Identity identity(const QString& user)
    {
        static const QHash<QString, QStringList> groups{
            {QStringLiteral("alice"), {QStringLiteral("cosmo")}},
            {QStringLiteral("bob"), {QStringLiteral("galaxy")}},
            {QStringLiteral("eve"), {}},
            {QStringLiteral("adam"), {QStringLiteral("admins")}},
        };
        return AccessPolicy(config()).withRoles({user, groups.value(user)});
    }

    AuthorizedButler as(const QString& user)
    {
        return AuthorizedButler(*direct, *acls, *policy, identity(user));
    }

    Status build()
    {
        if (!m_dir.isValid())
            return ioError(QStringLiteral("no temporary folder"));
        const QString path = m_dir.filePath(QStringLiteral("repo"));
        BUTLER_TRY(DirectButler::create(path));
        BUTLER_ASSIGN_OR_RETURN(direct, DirectButler::open(path));
        const auto clock = [] { return Now; };
        BUTLER_ASSIGN_OR_RETURN(acls, AclStore::open(direct->registry(), clock));
        policy = std::make_unique<AccessPolicy>(config(), clock);

        AuthorizedButler admin = as(QStringLiteral("adam"));
        BUTLER_TRY(admin.insertDimensionRecords(
            QStringLiteral("instrument"),
            {DimensionRecord(QStringLiteral("instrument"), {{QStringLiteral("name"), QStringLiteral("Cam")},
                                                            {QStringLiteral("detector_max"), 10}})}));
        QList<DimensionRecord> detectors;
        for (int d = 0; d < 4; ++d)
            detectors << DimensionRecord(QStringLiteral("detector"),
                                         {{QStringLiteral("instrument"), QStringLiteral("Cam")},
                                          {QStringLiteral("id"), d},
                                          {QStringLiteral("full_name"), QStringLiteral("D%1").arg(d)}});
        BUTLER_TRY(admin.insertDimensionRecords(QStringLiteral("detector"), detectors));
        const QStringList dims{QStringLiteral("instrument"), QStringLiteral("detector")};
        BUTLER_ASSIGN_OR_RETURN(DatasetType skyType,
                                DatasetType::make(direct->universe(), QStringLiteral("sky"), dims,
                                                  QStringLiteral("StructuredDataDict")));
        BUTLER_ASSIGN_OR_RETURN(
            DatasetType flatType,
            DatasetType::make(direct->universe(), QStringLiteral("flat"), dims, QStringLiteral("ExposureF")));
        BUTLER_TRY(admin.registerDatasetType(skyType));
        BUTLER_TRY(admin.registerDatasetType(flatType));
        for (const QString& run :
             {QStringLiteral("u/alice/run"), QStringLiteral("u/bob/private"), QStringLiteral("HSC/old")}) {
            BUTLER_TRY(admin.registerCollection(run, CollectionType::Run));
            for (int d = 0; d < 2; ++d) {
                BUTLER_ASSIGN_OR_RETURN(
                    DatasetRef ref,
                    admin.put(QStringLiteral("{\"run\": \"%1\", \"detector\": %2}").arg(run).arg(d).toUtf8(),
                              QStringLiteral("json"), QStringLiteral("sky"), skyId(d), run));
                sky[run] << ref.id();
            }
        }
        BUTLER_TRY(admin.setReleaseDates(QStringLiteral("HSC/old"), Now - 800 * Day, std::nullopt));
        BUTLER_TRY(admin.registerCollection(QStringLiteral("HSC/picks"), CollectionType::Tagged));
        BUTLER_TRY(admin.setReleaseDates(QStringLiteral("HSC/picks"), Now - 800 * Day, std::nullopt));
        BUTLER_TRY(admin.associate(QStringLiteral("HSC/picks"), {sky[QStringLiteral("u/bob/private")][1]}));
        return {};
    }

    QString datastoreFile(const QUuid& id) const
    {
        auto files = direct->fileInfo({id});
        if (!files || files->isEmpty())
            return {};
        auto absolute = direct->datastore().absolutePath(files->first().path);
        return absolute ? absolute.value() : QString();
    }

private:
    static PolicyConfig config()
    {
        PolicyConfig config;
        config.adminGroup = QStringLiteral("admins");
        config.dataRightsGroup = QStringLiteral("data-rights");
        return config;
    }

    QTemporaryDir m_dir;
};

QStringList detectorsOf(const QList<DataCoordinate>& dataIds)
{
    QStringList result;
    for (const DataCoordinate& dataId : dataIds)
        result << dataId.value(QStringLiteral("detector")).toString();
    return result;
}

} // namespace

class TestAuthorizedHiding : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { BUTLER_VERIFY_OK(m_repo.build()); }

    void hiddenRunIsBlankedInEveryRef_data();
    void hiddenRunIsBlankedInEveryRef();
    void hiddenRunLeavesNoFilePath_data();
    void hiddenRunLeavesNoFilePath();
    void dataIdTypeModeIsForAdmins();
    void derivedIdsOfOtherRunsAreRefused();
    void takenIdsAnswerAlike();
    void dataIdsOfHiddenTagMembersStayHidden();
    void dataIdsWithSeveralTypesOrOrderLeaveTaintedTagsOut();
    void undoneUploadSkipsTheTrash();
    void undoIsOnlyForTheBatchOwner();

private:
    Repo m_repo;
};

void TestAuthorizedHiding::hiddenRunIsBlankedInEveryRef_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<bool>("seesRun");
    QTest::newRow("eve, who reads only the release") << "eve" << false;
    QTest::newRow("alice, who does not read bob's run") << "alice" << false;
    QTest::newRow("bob reads his run") << "bob" << true;
    QTest::newRow("adam, an admin") << "adam" << true;
}

void TestAuthorizedHiding::hiddenRunIsBlankedInEveryRef()
{
    QFETCH(QString, user);
    QFETCH(bool, seesRun);
    const QString hiddenRun = QStringLiteral("u/bob/private");
    const QUuid pick = m_repo.sky[hiddenRun][1];
    const QString expectedRun = seesRun ? hiddenRun : QString();
    auto butler = m_repo.as(user);

    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("HSC/*")};
    auto page = butler.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QHash<QUuid, QString> runs;
    for (const DatasetRef& ref : page->refs)
        runs.insert(ref.id(), ref.run());
    QVERIFY(runs.contains(pick));
    QCOMPARE(runs.value(pick), expectedRun);
    // Runs the user reads keep their name in the same page.
    QCOMPARE(runs.value(m_repo.sky[QStringLiteral("HSC/old")][0]), QStringLiteral("HSC/old"));

    auto found = butler.findDataset(QStringLiteral("sky"), skyId(1), {QStringLiteral("HSC/picks")});
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), pick);
    QCOMPARE((*found)->run(), expectedRun);

    auto ref = butler.getDataset(pick);
    BUTLER_VERIFY_OK(ref);
    QCOMPARE(ref->run(), expectedRun);
    QCOMPARE(ref->dataId().value(QStringLiteral("detector")).toInt(), 1);
    // The rest of the ref is whole.
    QCOMPARE(ref->datasetType().name(), QStringLiteral("sky"));
}

void TestAuthorizedHiding::hiddenRunLeavesNoFilePath_data()
{
    hiddenRunIsBlankedInEveryRef_data();
}

// The datastore path starts with the run: readers of the release get a run-free path, and the
// server is told to hand out a URL that names no path; the run's readers keep the real one.
void TestAuthorizedHiding::hiddenRunLeavesNoFilePath()
{
    QFETCH(QString, user);
    QFETCH(bool, seesRun);
    const QString hiddenRun = QStringLiteral("u/bob/private");
    const QUuid pick = m_repo.sky[hiddenRun][1];
    const QUuid old = m_repo.sky[QStringLiteral("HSC/old")][0];
    auto direct = m_repo.direct->fileInfo({pick, old});
    BUTLER_VERIFY_OK(direct);
    QCOMPARE(direct->size(), 2);
    QVERIFY(direct->at(0).path.startsWith(hiddenRun + u'/'));
    auto butler = m_repo.as(user);

    auto served = butler.servedFiles({pick, old});
    BUTLER_VERIFY_OK(served);
    QCOMPARE(served->size(), 2);
    const AuthorizedButler::ServedFile& file = served->at(0);
    QCOMPARE(file.info.id, pick);
    QCOMPARE(file.datastorePath, direct->at(0).path);
    QCOMPARE(file.hidePath, !seesRun);
    QCOMPARE(file.info.size, direct->at(0).size);
    QCOMPARE(file.info.checksum, direct->at(0).checksum);
    QCOMPARE(file.info.formatter, QStringLiteral("json"));
    if (seesRun) {
        QCOMPARE(file.info.path, direct->at(0).path);
        QCOMPARE(file.info.uri, direct->at(0).uri);
    } else {
        QCOMPARE(file.info.path, QStringLiteral("sky/%1.json").arg(idText(pick)));
        QVERIFY(file.info.uri.isEmpty());
    }
    // The release run's file is as it was, in the same answer.
    QVERIFY(!served->at(1).hidePath);
    QCOMPARE(served->at(1).info.path, direct->at(1).path);

    // fileInfo() gives the same infos.
    auto infos = butler.fileInfo({pick});
    BUTLER_VERIFY_OK(infos);
    QCOMPARE(infos->size(), 1);
    QCOMPARE(infos->first().path, file.info.path);
    QVERIFY(seesRun || !infos->first().path.contains(QLatin1String("bob")));
    QVERIFY(seesRun || !infos->first().uri.contains(QLatin1String("bob")));

    // A dataset the user cannot see at all fails as before.
    auto hidden = butler.servedFiles({m_repo.sky[hiddenRun][0]});
    if (user == QLatin1String("eve") || user == QLatin1String("alice"))
        BUTLER_VERIFY_ERROR(hidden, ErrorKind::NotFound);
    else
        BUTLER_VERIFY_OK(hidden);
}

void TestAuthorizedHiding::dataIdTypeModeIsForAdmins()
{
    const IngestFile entry{QString(), QStringLiteral("sky"), skyId(3), QString(), QUuid()};
    auto alice = m_repo.as(QStringLiteral("alice"));
    auto refused = alice.registerDatasets(QStringLiteral("u/alice/run"), {entry}, DatasetIdMode::DataIdType);
    BUTLER_VERIFY_ERROR(refused, ErrorKind::InvalidInput);
    QVERIFY2(refused.error().message().contains(QLatin1String("dataid_type_run")),
             qPrintable(refused.error().message()));
    // The run-including mode and random IDs are fine.
    auto withRun =
        alice.registerDatasets(QStringLiteral("u/alice/run"), {entry}, DatasetIdMode::DataIdTypeRun);
    BUTLER_VERIFY_OK(withRun);
    QCOMPARE(withRun->first().id(),
             DatasetRef::makeId(DatasetIdMode::DataIdTypeRun, withRun->first().datasetType(),
                                withRun->first().dataId(), QStringLiteral("u/alice/run")));
    // An admin may use the mode.
    const IngestFile other{QString(), QStringLiteral("sky"), skyId(2), QString(), QUuid()};
    BUTLER_VERIFY_OK(m_repo.as(QStringLiteral("adam"))
                         .registerDatasets(QStringLiteral("HSC/old"), {other}, DatasetIdMode::DataIdType));
}

void TestAuthorizedHiding::derivedIdsOfOtherRunsAreRefused()
{
    // A hidden dataset registered with a derived ID: anyone can compute it from the type and
    // data ID.
    auto adam = m_repo.as(QStringLiteral("adam"));
    const IngestFile hidden{QString(), QStringLiteral("flat"), skyId(2), QString(), QUuid()};
    auto made = adam.registerDatasets(QStringLiteral("u/bob/private"), {hidden}, DatasetIdMode::DataIdType);
    BUTLER_VERIFY_OK(made);
    const QUuid computed = made->first().id();
    QCOMPARE(computed.version(), QUuid::Sha1);

    auto alice = m_repo.as(QStringLiteral("alice"));
    IngestFile probe{QString(), QStringLiteral("flat"), skyId(2), QString(), QUuid()};
    probe.id = computed;
    auto refused = alice.registerDatasets(QStringLiteral("u/alice/run"), {probe}, DatasetIdMode::Unique);
    // Refused for what the ID is, not because it is taken: a 409 would tell it exists.
    BUTLER_VERIFY_ERROR(refused, ErrorKind::InvalidInput);
    probe.id = DatasetRef::makeId(DatasetIdMode::DataIdTypeRun, made->first().datasetType(),
                                  made->first().dataId(), QStringLiteral("u/bob/private"));
    BUTLER_VERIFY_ERROR(alice.registerDatasets(QStringLiteral("u/alice/run"), {probe}, DatasetIdMode::Unique),
                        ErrorKind::InvalidInput);
    // The ID dataid_type_run gives in her own run is hers to use.
    probe.id = DatasetRef::makeId(DatasetIdMode::DataIdTypeRun, made->first().datasetType(),
                                  made->first().dataId(), QStringLiteral("u/alice/run"));
    auto own = alice.registerDatasets(QStringLiteral("u/alice/run"), {probe}, DatasetIdMode::Unique);
    BUTLER_VERIFY_OK(own);
    QCOMPARE(own->first().id(), probe.id);
}

void TestAuthorizedHiding::takenIdsAnswerAlike()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    const QUuid hidden = repo.sky[QStringLiteral("u/bob/private")][0];
    const QUuid visible = repo.sky[QStringLiteral("HSC/old")][0];
    // One of her own, pruned into the trash.
    const QUuid trashed = repo.sky[QStringLiteral("u/alice/run")][0];
    BUTLER_VERIFY_OK(alice.pruneDatasets({trashed}, true, false));

    const auto attempt = [&](const QUuid& id) {
        IngestFile entry{QString(), QStringLiteral("flat"), skyId(3), QString(), QUuid()};
        entry.id = id;
        return alice.registerDatasets(QStringLiteral("u/alice/run"), {entry}, DatasetIdMode::Unique);
    };
    QStringList messages;
    for (const QUuid& id : {hidden, visible, trashed}) {
        auto result = attempt(id);
        BUTLER_VERIFY_ERROR(result, ErrorKind::Conflict);
        messages << QString(result.error().message()).replace(idText(id), QStringLiteral("<id>"));
        QVERIFY2(!result.error().message().contains(QLatin1String("u/bob")),
                 qPrintable(result.error().message()));
    }
    QCOMPARE(messages[0], messages[1]);
    QCOMPARE(messages[0], messages[2]);
    // A random ID nobody has is simply used.
    BUTLER_VERIFY_OK(attempt(QUuid::createUuid()));
    // So is a time-ordered one (version 7), as the server makes them.
    IngestFile later{QString(), QStringLiteral("flat"), skyId(2), QString(), QUuid()};
    later.id = TimeOrderedUuid::generate();
    auto made = alice.registerDatasets(QStringLiteral("u/alice/run"), {later}, DatasetIdMode::Unique);
    BUTLER_VERIFY_OK(made);
    QCOMPARE(made->first().id(), later.id);
}

void TestAuthorizedHiding::dataIdsOfHiddenTagMembersStayHidden()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto adam = repo.as(QStringLiteral("adam"));
    // alice's TAGGED collection: her own detector 0, and bob's private detector 1 (put there by
    // an admin) that she may not see.
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("u/alice/tags"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(
        adam.associate(QStringLiteral("u/alice/tags"), {repo.sky[QStringLiteral("u/alice/run")][0],
                                                        repo.sky[QStringLiteral("u/bob/private")][1]}));
    DataIdQuery query;
    query.dimensions = {QStringLiteral("detector")};
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("u/alice/tags")};

    auto alice = repo.as(QStringLiteral("alice"));
    auto ids = alice.queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QCOMPARE(detectorsOf(*ids), QStringList{QStringLiteral("0")});
    QVERIFY(ids->first().hasFull());
    // The admin reads every run.
    auto all = adam.queryDataIds(query);
    BUTLER_VERIFY_OK(all);
    QCOMPARE(detectorsOf(*all), (QStringList{QStringLiteral("0"), QStringLiteral("1")}));

    // A where-expression that only the hidden member meets.
    query.where = QStringLiteral("detector = 1");
    ids = alice.queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QVERIFY(ids->isEmpty());

    // With a readable run in the search too: merged, in order, limited.
    query.where.clear();
    query.collections = {QStringLiteral("u/alice/tags"), QStringLiteral("HSC/old")};
    ids = alice.queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QCOMPARE(detectorsOf(*ids), (QStringList{QStringLiteral("0"), QStringLiteral("1")}));
    query.collections = {QStringLiteral("u/alice/tags")};
    query.dimensions = {QStringLiteral("instrument"), QStringLiteral("detector")};
    query.limit = 1;
    ids = alice.queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QCOMPARE(detectorsOf(*ids), QStringList{QStringLiteral("0")});

    // Once bob lets cosmo read his run, its member counts for alice.
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob"))
                         .editAcl(QStringLiteral("u/bob/private"), {QStringLiteral("cosmo")}, {}));
    query.limit = 0;
    ids = repo.as(QStringLiteral("alice")).queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QCOMPARE(detectorsOf(*ids), (QStringList{QStringLiteral("0"), QStringLiteral("1")}));
}

void TestAuthorizedHiding::dataIdsWithSeveralTypesOrOrderLeaveTaintedTagsOut()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto adam = repo.as(QStringLiteral("adam"));
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("u/alice/tags"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(
        adam.associate(QStringLiteral("u/alice/tags"), {repo.sky[QStringLiteral("u/bob/private")][1]}));
    auto flat = adam.put("f", QStringLiteral("bytes"), QStringLiteral("flat"), skyId(1),
                         QStringLiteral("u/bob/private"));
    BUTLER_VERIFY_OK(flat);
    BUTLER_VERIFY_OK(adam.associate(QStringLiteral("u/alice/tags"), {flat->id()}));
    auto alice = repo.as(QStringLiteral("alice"));
    DataIdQuery query;
    query.dimensions = {QStringLiteral("detector")};
    query.datasetTypes = {QStringLiteral("sky"), QStringLiteral("flat")};
    query.collections = {QStringLiteral("u/alice/tags")};
    auto ids = alice.queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QVERIFY(ids->isEmpty());
    query.datasetTypes = {QStringLiteral("sky")};
    query.orderBy = {QStringLiteral("-detector")};
    ids = alice.queryDataIds(query);
    BUTLER_VERIFY_OK(ids);
    QVERIFY(ids->isEmpty());
    auto all = adam.queryDataIds(query);
    BUTLER_VERIFY_OK(all);
    QCOMPARE(detectorsOf(*all), QStringList{QStringLiteral("1")});
}

void TestAuthorizedHiding::undoneUploadSkipsTheTrash()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    auto made = alice.put("fresh", QStringLiteral("bytes"), QStringLiteral("flat"), skyId(2),
                          QStringLiteral("u/alice/run"));
    BUTLER_VERIFY_OK(made);
    const QString file = repo.datastoreFile(made->id());
    QVERIFY(QFileInfo::exists(file));
    UploadBatch batch;
    batch.uploadId = QStringLiteral("batch-1");
    batch.user = QStringLiteral("alice");
    batch.run = QStringLiteral("u/alice/run");
    batch.committed = true;
    // An unknown ID and one pruned since are left alone.
    const QUuid pruned = repo.sky[QStringLiteral("u/alice/run")][1];
    BUTLER_VERIFY_OK(alice.pruneDatasets({pruned}, true, false));
    auto removed = alice.discardUploadedDatasets(batch, {made->id(), pruned, QUuid::createUuid()});
    BUTLER_VERIFY_OK(removed);
    QCOMPARE(*removed, QList<QUuid>{made->id()});
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("adam")).getDataset(made->id()), ErrorKind::NotFound);
    QVERIFY(!QFileInfo::exists(file));
    // Not in the trash: only the earlier prune is.
    auto trash = repo.as(QStringLiteral("adam")).trashEntries();
    BUTLER_VERIFY_OK(trash);
    QCOMPARE(trash->size(), 1);
    QCOMPARE(trash->first().datasets, qint64(1));
}

void TestAuthorizedHiding::undoIsOnlyForTheBatchOwner()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    const QUuid bobs = repo.sky[QStringLiteral("u/bob/private")][0];
    UploadBatch batch;
    batch.uploadId = QStringLiteral("batch-2");
    batch.user = QStringLiteral("bob");
    batch.run = QStringLiteral("u/bob/private");
    batch.committed = true;
    // Not alice's batch, nor an admin's: to them it does not exist.
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("alice")).discardUploadedDatasets(batch, {bobs}),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("adam")).discardUploadedDatasets(batch, {bobs}),
                        ErrorKind::NotFound);
    // A batch not committed has nothing to undo.
    batch.committed = false;
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("bob")).discardUploadedDatasets(batch, {bobs}),
                        ErrorKind::NotFound);
    // A batch naming a run its user may not write (here: claimed for a release run).
    batch.committed = true;
    batch.run = QStringLiteral("HSC/old");
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("bob"))
                            .discardUploadedDatasets(batch, {repo.sky[QStringLiteral("HSC/old")][0]}),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("adam")).getDataset(repo.sky[QStringLiteral("HSC/old")][0]));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("adam")).getDataset(bobs));
}

QTEST_GUILESS_MAIN(TestAuthorizedHiding)
#include "tst_authorizedhiding.moc"
