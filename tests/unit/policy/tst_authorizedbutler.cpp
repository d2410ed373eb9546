// AuthorizedButler on a real repository: collections in every namespace, chains that mix
// visible and hidden children, a TAGGED collection holding datasets of a hidden run (which it
// must not pass on), and the same questions asked by every role.

#include "AuthorizedButler.h"
#include "DirectButler.h"
#include "Registry.h"

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

// Two errors about different names (or IDs) must be the same error: same kind, and the same
// message once each name is replaced by a placeholder.
#define BUTLER_COMPARE_ERRORS(a, nameA, b, nameB)                                                            \
    do {                                                                                                     \
        const auto& errorA_ = (a);                                                                           \
        const auto& errorB_ = (b);                                                                           \
        QVERIFY2(!errorA_.ok(), "the first call succeeded");                                                 \
        QVERIFY2(!errorB_.ok(), "the second call succeeded");                                                \
        QCOMPARE(errorA_.error().kind(), errorB_.error().kind());                                            \
        QCOMPARE(QString(errorA_.error().message()).replace(nameA, QStringLiteral("<name>")),                \
                 QString(errorB_.error().message()).replace(nameB, QStringLiteral("<name>")));               \
    } while (false)

namespace {

constexpr qint64 Now = 1'750'000'000;
constexpr qint64 Day = 86400;

QString idText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

QVariantMap skyId(int detector)
{
    return {{QStringLiteral("instrument"), QStringLiteral("Cam")}, {QStringLiteral("detector"), detector}};
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList names(const QList<CollectionInfo>& infos)
{
    QStringList result;
    for (const CollectionInfo& info : infos)
        result << info.name;
    return result;
}

QStringList split(const char* text)
{
    return QString::fromLatin1(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// A repository with collections in every namespace. Users: alice (group cosmo), bob (galaxy),
// carl (partners), dora (data-rights), eve (no groups), adam (admins).
class Repo
{
public:
    qint64 now = Now;
    std::unique_ptr<DirectButler> direct;
    std::unique_ptr<AclStore> acls;
    std::unique_ptr<AccessPolicy> policy;
    QHash<QString, QList<QUuid>> sky; // run -> sky datasets of detectors 0 and 1
    QUuid bias;                       // a bias of detector 0 in u/alice/run

    static Identity identity(const QString& user)
    {
        static const QHash<QString, QStringList> groups{
            {QStringLiteral("alice"), {QStringLiteral("cosmo")}},
            {QStringLiteral("bob"), {QStringLiteral("galaxy")}},
            {QStringLiteral("carl"), {QStringLiteral("partners")}},
            {QStringLiteral("dora"), {QStringLiteral("data-rights")}},
            {QStringLiteral("eve"), {}},
            {QStringLiteral("adam"), {QStringLiteral("admins")}},
        };
        PolicyConfig config;
        config.adminGroup = QStringLiteral("admins");
        config.dataRightsGroup = QStringLiteral("data-rights");
        return AccessPolicy(config).withRoles({user, groups.value(user)});
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
        const auto clock = [this] { return now; };
        BUTLER_ASSIGN_OR_RETURN(acls, AclStore::open(direct->registry(), clock));
        PolicyConfig config;
        config.adminGroup = QStringLiteral("admins");
        config.dataRightsGroup = QStringLiteral("data-rights");
        policy = std::make_unique<AccessPolicy>(config, clock);

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
        BUTLER_ASSIGN_OR_RETURN(DatasetType biasType,
                                DatasetType::make(direct->universe(), QStringLiteral("bias"), dims,
                                                  QStringLiteral("ExposureF"), true));
        BUTLER_TRY(admin.registerDatasetType(skyType));
        BUTLER_TRY(admin.registerDatasetType(biasType));

        for (const QString& run : runs()) {
            BUTLER_TRY(admin.registerCollection(run, CollectionType::Run));
            for (int d = 0; d < 2; ++d) {
                BUTLER_ASSIGN_OR_RETURN(
                    DatasetRef ref,
                    admin.put(QStringLiteral("{\"run\": \"%1\", \"detector\": %2}").arg(run).arg(d).toUtf8(),
                              QStringLiteral("json"), QStringLiteral("sky"), skyId(d), run));
                sky[run] << ref.id();
            }
        }
        BUTLER_ASSIGN_OR_RETURN(DatasetRef biasRef,
                                admin.put("bias", QStringLiteral("bytes"), QStringLiteral("bias"), skyId(0),
                                          QStringLiteral("u/alice/run")));
        bias = biasRef.id();
        for (const char* tagged : {"g/cosmo/picks", "u/alice/tags", "u/bob/tagged"})
            BUTLER_TRY(admin.registerCollection(QString::fromLatin1(tagged), CollectionType::Tagged));
        BUTLER_TRY(admin.registerCollection(QStringLiteral("u/alice/calib"), CollectionType::Calibration));
        // A TAGGED collection that cosmo reads, holding a dataset of a run cosmo cannot read.
        BUTLER_TRY(
            admin.associate(QStringLiteral("g/cosmo/picks"), {sky[QStringLiteral("u/bob/private")][0]}));
        BUTLER_TRY(admin.setCollectionChain(QStringLiteral("HSC/defaults"),
                                            split("u/bob/run HSC/new HSC/old"), ChainMode::Redefine));
        BUTLER_TRY(admin.setCollectionChain(
            QStringLiteral("u/alice/chain"),
            split("u/alice/run u/bob/run g/cosmo/picks g/cosmo/run HSC/new HSC/old"), ChainMode::Redefine));
        // HSC/old and the HSC/defaults chain are past their proprietary period; HSC/new is not.
        BUTLER_TRY(admin.setReleaseDates(QStringLiteral("HSC/old"), Now - 800 * Day, std::nullopt));
        BUTLER_TRY(admin.setReleaseDates(QStringLiteral("HSC/defaults"), Now - 800 * Day, std::nullopt));
        return {};
    }

    static QStringList runs()
    {
        return split("u/alice/run u/bob/run u/bob/private g/cosmo/run g/galaxy/run HSC/new HSC/old");
    }

private:
    QTemporaryDir m_dir;
};

} // namespace

class TestAuthorizedButler : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void listsOnlyReadableCollections_data();
    void listsOnlyReadableCollections();
    void globsSkipHiddenCollections_data();
    void globsSkipHiddenCollections();
    void chainExpansionSkipsHiddenChildren_data();
    void chainExpansionSkipsHiddenChildren();
    void findThroughChainSkipsHiddenChild_data();
    void findThroughChainSkipsHiddenChild();
    void queryDatasetsSeesReadableCollectionsOnly_data();
    void queryDatasetsSeesReadableCollectionsOnly();
    void hiddenCollectionIsUnknown();
    void hiddenDatasetIsUnknown();
    void groupTaggedCollectionPassesOnNothing();
    void groupCalibrationCollectionPassesOnNothing();
    void releaseCuratedCollectionsConferVisibility();
    void hiddenTagRowDoesNotHideReleaseRow();
    void taggingCannotReshareProprietaryData();
    void revokedGrantReachesTags();
    void hiddenTagDoesNotShadowFindFirst();
    void chainingOrTaggingHiddenIsUnknown();
    void chainEditsSeeOnlyVisibleChildren();
    void collectionWrites();
    void datasetWrites();
    void removalSkipsChainsSeenOrNot();
    void trashFollowsReadAndWriteRules();
    void trashedCollectionsKeepTheirAcl();
    void prunedDatasetsAreTrashedPerRun();
    void aclGrantAndRevoke();
    void aclSurvivesReopenAndDiesWithCollection();
    void releaseDatesAndProprietaryPeriod();
    void datasetTypeRules();
    void dimensionRecordRules();

private:
    Repo m_repo; // shared by the tests that only read
};

void TestAuthorizedButler::initTestCase()
{
    BUTLER_VERIFY_OK(m_repo.build());
}

void TestAuthorizedButler::listsOnlyReadableCollections_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("alice")
        << "alice"
        << split("HSC/defaults HSC/old g/cosmo/picks g/cosmo/run u/alice/calib u/alice/chain "
                 "u/alice/run u/alice/tags");
    QTest::newRow("bob") << "bob"
                         << split("HSC/defaults HSC/old g/galaxy/run u/bob/private u/bob/run u/bob/tagged");
    QTest::newRow("carl") << "carl" << split("HSC/defaults HSC/old");
    QTest::newRow("dora") << "dora" << split("HSC/defaults HSC/new HSC/old");
    QTest::newRow("eve") << "eve" << split("HSC/defaults HSC/old");
    QTest::newRow("adam")
        << "adam"
        << split("HSC/defaults HSC/new HSC/old g/cosmo/picks g/cosmo/run g/galaxy/run "
                 "u/alice/calib u/alice/chain u/alice/run u/alice/tags u/bob/private u/bob/run "
                 "u/bob/tagged");
}

void TestAuthorizedButler::listsOnlyReadableCollections()
{
    QFETCH(QString, user);
    QFETCH(QStringList, expected);
    auto butler = m_repo.as(user);
    auto all = butler.queryCollections({});
    BUTLER_VERIFY_OK(all);
    QCOMPARE(sorted(names(*all)), expected);
    // Flattening the listed chains reaches nothing more.
    CollectionQuery flat;
    flat.flattenChains = true;
    auto flattened = butler.queryCollections(flat);
    BUTLER_VERIFY_OK(flattened);
    QCOMPARE(sorted(names(*flattened)), expected);
}

void TestAuthorizedButler::globsSkipHiddenCollections_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("glob");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("alice u/*") << "alice"
                               << "u/*" << split("u/alice/calib u/alice/chain u/alice/run u/alice/tags");
    QTest::newRow("alice u/bob/*") << "alice"
                                   << "u/bob/*" << QStringList();
    QTest::newRow("bob u/*") << "bob"
                             << "u/*" << split("u/bob/private u/bob/run u/bob/tagged");
    QTest::newRow("eve u/*") << "eve"
                             << "u/*" << QStringList();
    QTest::newRow("eve HSC/*") << "eve"
                               << "HSC/*" << split("HSC/defaults HSC/old");
    QTest::newRow("dora HSC/n*") << "dora"
                                 << "HSC/n*" << split("HSC/new");
    QTest::newRow("adam g/*") << "adam"
                              << "g/*" << split("g/cosmo/picks g/cosmo/run g/galaxy/run");
}

void TestAuthorizedButler::globsSkipHiddenCollections()
{
    QFETCH(QString, user);
    QFETCH(QString, glob);
    QFETCH(QStringList, expected);
    auto butler = m_repo.as(user);
    CollectionQuery query;
    query.globs = {glob};
    auto result = butler.queryCollections(query);
    BUTLER_VERIFY_OK(result);
    QCOMPARE(sorted(names(*result)), expected);
    // The same glob as a search path reaches only collections the user reads.
    auto flat = butler.flattenCollections({glob});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(flat->isEmpty(), expected.isEmpty());
    for (const QString& name : *flat)
        QVERIFY2(butler.getCollection(name).ok(), qPrintable(name));
}

void TestAuthorizedButler::chainExpansionSkipsHiddenChildren_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("chain");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("alice defaults") << "alice"
                                    << "HSC/defaults" << split("HSC/old");
    QTest::newRow("bob defaults") << "bob"
                                  << "HSC/defaults" << split("u/bob/run HSC/old");
    QTest::newRow("dora defaults") << "dora"
                                   << "HSC/defaults" << split("HSC/new HSC/old");
    QTest::newRow("eve defaults") << "eve"
                                  << "HSC/defaults" << split("HSC/old");
    QTest::newRow("adam defaults") << "adam"
                                   << "HSC/defaults" << split("u/bob/run HSC/new HSC/old");
    QTest::newRow("alice own chain") << "alice"
                                     << "u/alice/chain"
                                     << split("u/alice/run g/cosmo/picks g/cosmo/run HSC/old");
    QTest::newRow("adam alice's chain")
        << "adam"
        << "u/alice/chain" << split("u/alice/run u/bob/run g/cosmo/picks g/cosmo/run HSC/new HSC/old");
}

void TestAuthorizedButler::chainExpansionSkipsHiddenChildren()
{
    QFETCH(QString, user);
    QFETCH(QString, chain);
    QFETCH(QStringList, expected);
    auto butler = m_repo.as(user);
    auto flat = butler.flattenCollections({chain});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(*flat, expected);
    // The chain's own children list hides the same names.
    auto info = butler.getCollection(chain);
    BUTLER_VERIFY_OK(info);
    QCOMPARE(info->children, expected);
}

void TestAuthorizedButler::findThroughChainSkipsHiddenChild_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("expectedRun");
    QTest::newRow("alice") << "alice"
                           << "HSC/old";
    QTest::newRow("bob") << "bob"
                         << "u/bob/run";
    QTest::newRow("carl") << "carl"
                          << "HSC/old";
    QTest::newRow("dora") << "dora"
                          << "HSC/new";
    QTest::newRow("eve") << "eve"
                         << "HSC/old";
    QTest::newRow("adam") << "adam"
                          << "u/bob/run";
}

void TestAuthorizedButler::findThroughChainSkipsHiddenChild()
{
    QFETCH(QString, user);
    QFETCH(QString, expectedRun);
    auto butler = m_repo.as(user);
    auto found = butler.findDataset(QStringLiteral("sky"), skyId(0), {QStringLiteral("HSC/defaults")});
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->run(), expectedRun);
    QCOMPARE((*found)->id(), m_repo.sky[expectedRun][0]);
    // The found dataset can be read.
    BUTLER_VERIFY_OK(butler.getDataset((*found)->id()));
    BUTLER_VERIFY_OK(butler.fileInfo({(*found)->id()}));
    // A glob that reaches only hidden collections finds nothing, without an error.
    auto none = butler.findDataset(QStringLiteral("sky"), skyId(0), {QStringLiteral("g/galaxy/*")});
    BUTLER_VERIFY_OK(none);
    QCOMPARE(none->has_value(), user == QLatin1String("bob") || user == QLatin1String("adam"));
}

void TestAuthorizedButler::queryDatasetsSeesReadableCollectionsOnly_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("runs"); // runs whose sky datasets the user sees
    QTest::addColumn<bool>("seesPick");    // the dataset of u/bob/private tagged into g/cosmo/picks
    // g/cosmo/picks is readable to alice but passes on nothing of a run she cannot read.
    QTest::newRow("alice") << "alice" << split("u/alice/run g/cosmo/run HSC/old") << false;
    QTest::newRow("bob") << "bob" << split("u/bob/run u/bob/private g/galaxy/run HSC/old") << false;
    QTest::newRow("dora") << "dora" << split("HSC/new HSC/old") << false;
    QTest::newRow("eve") << "eve" << split("HSC/old") << false;
    QTest::newRow("adam") << "adam" << Repo::runs() << false;
}

void TestAuthorizedButler::queryDatasetsSeesReadableCollectionsOnly()
{
    QFETCH(QString, user);
    QFETCH(QStringList, runs);
    QFETCH(bool, seesPick);
    auto butler = m_repo.as(user);
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("*")};
    auto page = butler.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QSet<QUuid> expected;
    for (const QString& run : runs)
        for (const QUuid& id : m_repo.sky.value(run))
            expected.insert(id);
    if (seesPick)
        expected.insert(m_repo.sky[QStringLiteral("u/bob/private")][0]);
    QSet<QUuid> actual;
    for (const DatasetRef& ref : page->refs)
        actual.insert(ref.id());
    QCOMPARE(actual, expected);

    // Data IDs and dataset types follow the same visibility.
    DataIdQuery dataIds;
    dataIds.dimensions = {QStringLiteral("detector")};
    dataIds.datasetTypes = {QStringLiteral("sky")};
    dataIds.collections = {QStringLiteral("g/galaxy/*")};
    auto ids = butler.queryDataIds(dataIds);
    BUTLER_VERIFY_OK(ids);
    const bool seesGalaxy = runs.contains(QStringLiteral("g/galaxy/run"));
    QCOMPARE(ids->size(), seesGalaxy ? 2 : 0);
    auto types = butler.queryDatasetTypes({}, {QStringLiteral("g/galaxy/*")});
    BUTLER_VERIFY_OK(types);
    QCOMPARE(types->size(), seesGalaxy ? 1 : 0);
}

void TestAuthorizedButler::hiddenCollectionIsUnknown()
{
    auto alice = m_repo.as(QStringLiteral("alice"));
    const QString hidden = QStringLiteral("u/bob/run");
    const QString never = QStringLiteral("u/bob/never-registered");
    // The answer for a name nobody registered is the registry's own.
    BUTLER_COMPARE_ERRORS(alice.getCollection(never), never, m_repo.direct->getCollection(never), never);
    BUTLER_COMPARE_ERRORS(alice.getCollection(hidden), hidden, alice.getCollection(never), never);
    BUTLER_COMPARE_ERRORS(alice.flattenCollections({hidden}), hidden, alice.flattenCollections({never}),
                          never);
    BUTLER_COMPARE_ERRORS(alice.findDataset(QStringLiteral("sky"), skyId(0), {hidden}), hidden,
                          alice.findDataset(QStringLiteral("sky"), skyId(0), {never}), never);
    DatasetQuery query;
    query.collections = {hidden};
    DatasetQuery neverQuery;
    neverQuery.collections = {never};
    BUTLER_COMPARE_ERRORS(alice.queryDatasets(query), hidden, alice.queryDatasets(neverQuery), never);
    BUTLER_COMPARE_ERRORS(alice.acl(hidden), hidden, alice.acl(never), never);
    // A hidden chain is unknown as a whole, even where its children are readable.
    auto eve = m_repo.as(QStringLiteral("eve"));
    const QString chain = QStringLiteral("u/alice/chain");
    BUTLER_COMPARE_ERRORS(eve.flattenCollections({chain}), chain, eve.flattenCollections({never}), never);
    QCOMPARE(alice.getCollection(never).error().kind(), ErrorKind::NotFound);
    // The release collection before its proprietary date, for a user without data rights.
    BUTLER_COMPARE_ERRORS(eve.getCollection(QStringLiteral("HSC/new")), QStringLiteral("HSC/new"),
                          eve.getCollection(never), never);
    BUTLER_VERIFY_OK(m_repo.as(QStringLiteral("dora")).getCollection(QStringLiteral("HSC/new")));
}

void TestAuthorizedButler::hiddenDatasetIsUnknown()
{
    auto alice = m_repo.as(QStringLiteral("alice"));
    const QUuid hidden = m_repo.sky[QStringLiteral("u/bob/run")][0];
    const QUuid untagged = m_repo.sky[QStringLiteral("u/bob/private")][1];
    const QUuid unknown = QUuid::createUuid();
    const QString h = idText(hidden);
    const QString u = idText(unknown);
    BUTLER_COMPARE_ERRORS(alice.getDataset(unknown), u, m_repo.direct->getDataset(unknown), u);
    BUTLER_COMPARE_ERRORS(alice.getDataset(hidden), h, alice.getDataset(unknown), u);
    BUTLER_COMPARE_ERRORS(alice.getDataset(untagged), idText(untagged), alice.getDataset(unknown), u);
    BUTLER_COMPARE_ERRORS(alice.fileInfo({hidden}), h, alice.fileInfo({unknown}), u);
    BUTLER_COMPARE_ERRORS(alice.get(hidden), h, alice.get(unknown), u);
    // One hidden ID among visible ones fails the whole request.
    BUTLER_COMPARE_ERRORS(alice.fileInfo({m_repo.sky[QStringLiteral("u/alice/run")][0], hidden}), h,
                          alice.fileInfo({unknown}), u);
    QCOMPARE(alice.getDataset(hidden).error().kind(), ErrorKind::NotFound);
    // The owner reads them.
    auto bob = m_repo.as(QStringLiteral("bob"));
    BUTLER_VERIFY_OK(bob.getDataset(hidden));
    auto bytes = bob.get(hidden);
    BUTLER_VERIFY_OK(bytes);
    QVERIFY(bytes->contains("u/bob/run"));
}

void TestAuthorizedButler::groupTaggedCollectionPassesOnNothing()
{
    auto alice = m_repo.as(QStringLiteral("alice"));
    const QUuid pick = m_repo.sky[QStringLiteral("u/bob/private")][0];
    // alice reads g/cosmo/picks, but the dataset's run is bob's private one.
    BUTLER_VERIFY_OK(alice.getCollection(QStringLiteral("g/cosmo/picks")));
    BUTLER_VERIFY_ERROR(alice.getDataset(pick), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(alice.get(pick), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(alice.fileInfo({pick}), ErrorKind::NotFound);
    auto found = alice.findDataset(QStringLiteral("sky"), skyId(0), {QStringLiteral("g/cosmo/picks")});
    BUTLER_VERIFY_OK(found);
    QVERIFY(!found->has_value());
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("g/cosmo/picks")};
    auto page = alice.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QVERIFY(page->refs.isEmpty());
    auto count = alice.countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(0));
    // Admins read every run, so the collection shows them its member.
    auto adamPage = m_repo.as(QStringLiteral("adam")).queryDatasets(query);
    BUTLER_VERIFY_OK(adamPage);
    QCOMPARE(adamPage->refs.size(), 1);
    QCOMPARE(adamPage->refs.first().id(), pick);
    BUTLER_VERIFY_ERROR(m_repo.as(QStringLiteral("eve")).getDataset(pick), ErrorKind::NotFound);
}

void TestAuthorizedButler::groupCalibrationCollectionPassesOnNothing()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto adam = repo.as(QStringLiteral("adam"));
    auto bias = adam.put("b", QStringLiteral("bytes"), QStringLiteral("bias"), skyId(1),
                         QStringLiteral("u/bob/private"));
    BUTLER_VERIFY_OK(bias);
    const QUuid id = bias->id();
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("g/cosmo/calib"), CollectionType::Calibration));
    BUTLER_VERIFY_OK(adam.certify(QStringLiteral("g/cosmo/calib"), {id}, Timespan(0, 100)));
    auto alice = repo.as(QStringLiteral("alice"));
    BUTLER_VERIFY_ERROR(alice.getDataset(id), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(alice.fileInfo({id}), ErrorKind::NotFound);
    auto found = alice.findDataset(QStringLiteral("bias"), skyId(1), {QStringLiteral("g/cosmo/calib")}, 50);
    BUTLER_VERIFY_OK(found);
    QVERIFY(!found->has_value());
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("bias")};
    query.collections = {QStringLiteral("g/cosmo/calib")};
    auto count = alice.countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(0));
    // The admin, who reads every run, finds it.
    auto adamFound =
        adam.findDataset(QStringLiteral("bias"), skyId(1), {QStringLiteral("g/cosmo/calib")}, 50);
    BUTLER_VERIFY_OK(adamFound);
    QVERIFY(adamFound->has_value());
}

void TestAuthorizedButler::releaseCuratedCollectionsConferVisibility()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto adam = repo.as(QStringLiteral("adam"));
    // Admins publish a dataset of a private run through release TAGGED and CALIBRATION
    // collections whose proprietary period has ended.
    const QUuid pick = repo.sky[QStringLiteral("u/bob/private")][1];
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("HSC/picks"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(adam.setReleaseDates(QStringLiteral("HSC/picks"), Now - 800 * Day, std::nullopt));
    BUTLER_VERIFY_OK(adam.associate(QStringLiteral("HSC/picks"), {pick}));
    auto bias = adam.put("b", QStringLiteral("bytes"), QStringLiteral("bias"), skyId(1),
                         QStringLiteral("u/bob/private"));
    BUTLER_VERIFY_OK(bias);
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("HSC/calib"), CollectionType::Calibration));
    BUTLER_VERIFY_OK(adam.setReleaseDates(QStringLiteral("HSC/calib"), Now - 800 * Day, std::nullopt));
    BUTLER_VERIFY_OK(adam.certify(QStringLiteral("HSC/calib"), {bias->id()}, Timespan(0, 100)));

    auto eve = repo.as(QStringLiteral("eve"));
    BUTLER_VERIFY_OK(eve.getDataset(pick));
    BUTLER_VERIFY_OK(eve.fileInfo({pick}));
    auto found = eve.findDataset(QStringLiteral("sky"), skyId(1), {QStringLiteral("HSC/picks")});
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), pick);
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("HSC/picks")};
    auto count = eve.countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(1));
    auto calib = eve.findDataset(QStringLiteral("bias"), skyId(1), {QStringLiteral("HSC/calib")}, 50);
    BUTLER_VERIFY_OK(calib);
    QVERIFY(calib->has_value());
    QCOMPARE((*calib)->id(), bias->id());
}

void TestAuthorizedButler::hiddenTagRowDoesNotHideReleaseRow()
{
    // A search of several collections keeps one row per dataset; the row it keeps must be one
    // the user may see. bob's tag (registered first, so its row comes first) confers nothing,
    // the release tag does.
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    const QUuid pick = repo.sky[QStringLiteral("u/bob/private")][1];
    auto bob = repo.as(QStringLiteral("bob"));
    BUTLER_VERIFY_OK(bob.registerCollection(QStringLiteral("u/bob/shared"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(bob.associate(QStringLiteral("u/bob/shared"), {pick}));
    BUTLER_VERIFY_OK(bob.editAcl(QStringLiteral("u/bob/shared"), {QStringLiteral("partners")}, {}));
    auto adam = repo.as(QStringLiteral("adam"));
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("HSC/shown"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(adam.setReleaseDates(QStringLiteral("HSC/shown"), Now - 800 * Day, std::nullopt));
    BUTLER_VERIFY_OK(adam.associate(QStringLiteral("HSC/shown"), {pick}));

    auto carl = repo.as(QStringLiteral("carl"));
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("u/bob/shared"), QStringLiteral("HSC/shown")};
    auto page = carl.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(page->refs.size(), 1);
    QCOMPARE(page->refs.first().id(), pick);
    auto count = carl.countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(1));
    // Through bob's tag alone, nothing.
    query.collections = {QStringLiteral("u/bob/shared")};
    page = carl.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QVERIFY(page->refs.isEmpty());
}

void TestAuthorizedButler::taggingCannotReshareProprietaryData()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    // dora reads HSC/new while it is proprietary, tags one of its datasets into her own
    // collection and grants bob's group read on it.
    auto dora = repo.as(QStringLiteral("dora"));
    const QUuid secret = repo.sky[QStringLiteral("HSC/new")][0];
    BUTLER_VERIFY_OK(dora.registerCollection(QStringLiteral("u/dora/picks"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(dora.associate(QStringLiteral("u/dora/picks"), {secret}));
    BUTLER_VERIFY_OK(dora.editAcl(QStringLiteral("u/dora/picks"), {QStringLiteral("galaxy")}, {}));
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("u/dora/picks")};
    auto own = dora.queryDatasets(query);
    BUTLER_VERIFY_OK(own);
    QCOMPARE(own->refs.size(), 1);

    auto bob = repo.as(QStringLiteral("bob"));
    BUTLER_VERIFY_OK(bob.getCollection(QStringLiteral("u/dora/picks")));
    auto page = bob.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QVERIFY(page->refs.isEmpty());
    auto count = bob.countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(0));
    auto found = bob.findDataset(QStringLiteral("sky"), skyId(0), {QStringLiteral("u/dora/picks")});
    BUTLER_VERIFY_OK(found);
    QVERIFY(!found->has_value());
    BUTLER_VERIFY_ERROR(bob.getDataset(secret), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(bob.get(secret), ErrorKind::NotFound);
    // bob cannot pass it on either: to him it does not exist.
    BUTLER_VERIFY_OK(bob.registerCollection(QStringLiteral("u/bob/copies"), CollectionType::Tagged));
    BUTLER_VERIFY_ERROR(bob.associate(QStringLiteral("u/bob/copies"), {secret}), ErrorKind::NotFound);

    // Once the proprietary period ends, everyone reads the run and so the tag.
    repo.now = Now + 3 * 365 * Day;
    auto later = repo.as(QStringLiteral("bob")).queryDatasets(query);
    BUTLER_VERIFY_OK(later);
    QCOMPARE(later->refs.size(), 1);
    QCOMPARE(later->refs.first().id(), secret);
}

void TestAuthorizedButler::revokedGrantReachesTags()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto bob = repo.as(QStringLiteral("bob"));
    BUTLER_VERIFY_OK(bob.editAcl(QStringLiteral("u/bob/run"), {QStringLiteral("cosmo")}, {}));
    auto alice = repo.as(QStringLiteral("alice"));
    const QUuid borrowed = repo.sky[QStringLiteral("u/bob/run")][1];
    BUTLER_VERIFY_OK(alice.associate(QStringLiteral("u/alice/tags"), {borrowed}));
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("u/alice/tags")};
    auto before = alice.queryDatasets(query);
    BUTLER_VERIFY_OK(before);
    QCOMPARE(before->refs.size(), 1);

    BUTLER_VERIFY_OK(bob.editAcl(QStringLiteral("u/bob/run"), {}, {QStringLiteral("cosmo")}));
    auto after = repo.as(QStringLiteral("alice")).queryDatasets(query);
    BUTLER_VERIFY_OK(after);
    QVERIFY(after->refs.isEmpty());
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("alice")).getDataset(borrowed), ErrorKind::NotFound);
}

void TestAuthorizedButler::hiddenTagDoesNotShadowFindFirst()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    // u/alice/tags holds bob's private detector-0 dataset (put there by an admin); u/alice/run
    // has alice's own. Searching the tags first must fall through to her run.
    BUTLER_VERIFY_OK(
        repo.as(QStringLiteral("adam"))
            .associate(QStringLiteral("u/alice/tags"), {repo.sky[QStringLiteral("u/bob/private")][0]}));
    auto alice = repo.as(QStringLiteral("alice"));
    const QStringList search{QStringLiteral("u/alice/tags"), QStringLiteral("u/alice/run")};
    auto found = alice.findDataset(QStringLiteral("sky"), skyId(0), search);
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), repo.sky[QStringLiteral("u/alice/run")][0]);
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = search;
    query.findFirst = true;
    auto page = alice.queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QSet<QUuid> ids;
    for (const DatasetRef& ref : page->refs)
        ids.insert(ref.id());
    QCOMPARE(ids, (QSet<QUuid>{repo.sky[QStringLiteral("u/alice/run")][0],
                               repo.sky[QStringLiteral("u/alice/run")][1]}));
    auto count = alice.countDatasets(query);
    BUTLER_VERIFY_OK(count);
    QCOMPARE(*count, qint64(2));
}

void TestAuthorizedButler::chainingOrTaggingHiddenIsUnknown()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    const QString hidden = QStringLiteral("u/bob/run");
    const QString never = QStringLiteral("u/bob/never-registered");
    const QString chain = QStringLiteral("u/alice/new-chain");
    BUTLER_COMPARE_ERRORS(alice.setCollectionChain(chain, {hidden}, ChainMode::Redefine), hidden,
                          alice.setCollectionChain(chain, {never}, ChainMode::Redefine), never);
    BUTLER_COMPARE_ERRORS(
        alice.setCollectionChain(chain, {QStringLiteral("u/alice/run"), hidden}, ChainMode::Extend), hidden,
        alice.setCollectionChain(chain, {never}, ChainMode::Extend), never);
    // Nothing was created on the way.
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("adam")).getCollection(chain), ErrorKind::NotFound);
    // The registry says the same for an unknown child.
    BUTLER_COMPARE_ERRORS(alice.setCollectionChain(chain, {hidden}, ChainMode::Redefine), hidden,
                          repo.direct->setCollectionChain(chain, {never}, ChainMode::Redefine), never);

    // Tagging a hidden dataset, or into a hidden TAGGED collection.
    const QUuid hiddenId = repo.sky[hidden][0];
    const QUuid unknownId = QUuid::createUuid();
    const QString tags = QStringLiteral("u/alice/tags");
    BUTLER_COMPARE_ERRORS(alice.associate(tags, {hiddenId}), idText(hiddenId),
                          alice.associate(tags, {unknownId}), idText(unknownId));
    BUTLER_COMPARE_ERRORS(alice.associate(tags, {unknownId}), idText(unknownId),
                          repo.direct->associate(tags, {unknownId}), idText(unknownId));
    const QString hiddenTagged = QStringLiteral("u/bob/tagged");
    const QUuid visibleId = repo.sky[QStringLiteral("u/alice/run")][0];
    BUTLER_COMPARE_ERRORS(alice.associate(hiddenTagged, {visibleId}), hiddenTagged,
                          alice.associate(never, {visibleId}), never);
    BUTLER_COMPARE_ERRORS(alice.certify(QStringLiteral("u/bob/tagged"), {repo.bias}, Timespan(0, 10)),
                          hiddenTagged, alice.certify(never, {repo.bias}, Timespan(0, 10)), never);
    // Visible datasets tag fine, and the tagged one stays readable through the tag.
    BUTLER_VERIFY_OK(alice.associate(tags, {visibleId, repo.sky[QStringLiteral("HSC/old")][1]}));
    BUTLER_VERIFY_OK(
        alice.certify(QStringLiteral("u/alice/calib"), {repo.bias}, Timespan(0, Now * 1'000'000'000LL)));
}

void TestAuthorizedButler::chainEditsSeeOnlyVisibleChildren()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    auto adam = repo.as(QStringLiteral("adam"));
    const QString chain = QStringLiteral("u/alice/chain");
    // Alice sees u/alice/run, g/cosmo/picks, g/cosmo/run, HSC/old; position 1 is g/cosmo/picks.
    BUTLER_VERIFY_OK(alice.setCollectionChain(chain, {QStringLiteral("1")}, ChainMode::Pop));
    auto all = adam.getCollection(chain);
    BUTLER_VERIFY_OK(all);
    QCOMPARE(all->children, split("u/alice/run u/bob/run g/cosmo/run HSC/new HSC/old"));
    BUTLER_VERIFY_ERROR(alice.setCollectionChain(chain, {QStringLiteral("3")}, ChainMode::Pop),
                        ErrorKind::InvalidInput);
    // Removing a hidden child by name is refused like an unknown name.
    BUTLER_COMPARE_ERRORS(alice.setCollectionChain(chain, {QStringLiteral("u/bob/run")}, ChainMode::Remove),
                          QStringLiteral("u/bob/run"),
                          alice.setCollectionChain(chain, {QStringLiteral("u/bob/none")}, ChainMode::Remove),
                          QStringLiteral("u/bob/none"));
    // Flattening copies only what the user reads.
    BUTLER_VERIFY_OK(
        alice.setCollectionChain(QStringLiteral("u/alice/flat"), {chain}, ChainMode::Redefine, true));
    auto flat = adam.getCollection(QStringLiteral("u/alice/flat"));
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(flat->children, split("u/alice/run g/cosmo/run HSC/old"));
    // Registering an existing chain again keeps its children.
    BUTLER_VERIFY_OK(alice.registerCollection(QStringLiteral("u/alice/flat"), CollectionType::Chained));
    QCOMPARE(adam.getCollection(QStringLiteral("u/alice/flat"))->children,
             split("u/alice/run g/cosmo/run HSC/old"));
}

void TestAuthorizedButler::collectionWrites()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    BUTLER_VERIFY_OK(alice.registerCollection(QStringLiteral("u/alice/new"), CollectionType::Run));
    BUTLER_VERIFY_OK(alice.registerCollection(QStringLiteral("g/cosmo/new"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(alice.setCollectionChain(QStringLiteral("g/cosmo/chain"),
                                              split("g/cosmo/new u/alice/new HSC/old"), ChainMode::Redefine));
    for (const char* name : {"u/bob/new", "g/galaxy/new", "HSC/new2", "u/alice2/x"})
        BUTLER_VERIFY_ERROR(alice.registerCollection(QString::fromLatin1(name), CollectionType::Run),
                            ErrorKind::PermissionDenied);
    // Where the user may not write, an existing hidden name answers like a free one.
    BUTLER_COMPARE_ERRORS(alice.registerCollection(QStringLiteral("u/bob/private"), CollectionType::Run),
                          QStringLiteral("u/bob/private"),
                          alice.registerCollection(QStringLiteral("u/bob/free"), CollectionType::Run),
                          QStringLiteral("u/bob/free"));
    BUTLER_COMPARE_ERRORS(alice.setCollectionChain(QStringLiteral("u/bob/private"), {}, ChainMode::Redefine),
                          QStringLiteral("u/bob/private"),
                          alice.setCollectionChain(QStringLiteral("u/bob/free"), {}, ChainMode::Redefine),
                          QStringLiteral("u/bob/free"));
    // Data rights do not open release space for writing.
    auto dora = repo.as(QStringLiteral("dora"));
    BUTLER_VERIFY_ERROR(dora.registerCollection(QStringLiteral("HSC/dora"), CollectionType::Run),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(dora.setCollectionChain(QStringLiteral("HSC/defaults"), {QStringLiteral("HSC/new")},
                                                ChainMode::Prepend),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(dora.removeRuns({QStringLiteral("HSC/new")}), ErrorKind::PermissionDenied);
    auto denied = dora.removeRuns({QStringLiteral("HSC/new")});
    QVERIFY2(denied.error().message().contains(QLatin1String("release")),
             qPrintable(denied.error().message()));

    // Removing: own collections yes; readable release ones 403; hidden ones 404.
    BUTLER_VERIFY_OK(alice.removeCollections({QStringLiteral("u/alice/tags")}));
    BUTLER_VERIFY_ERROR(alice.removeRuns({QStringLiteral("HSC/old")}), ErrorKind::PermissionDenied);
    BUTLER_COMPARE_ERRORS(alice.removeRuns({QStringLiteral("g/galaxy/run")}), QStringLiteral("g/galaxy/run"),
                          alice.removeRuns({QStringLiteral("g/galaxy/none")}),
                          QStringLiteral("g/galaxy/none"));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob")).removeRuns({QStringLiteral("g/galaxy/run")}));
    // Admins write release space; a run that chains hold goes to the trash, and they skip it.
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("adam")).removeRuns({QStringLiteral("HSC/old")}));
    QCOMPARE(repo.as(QStringLiteral("adam")).getCollection(QStringLiteral("HSC/defaults"))->children,
             split("u/bob/run HSC/new"));
    BUTLER_VERIFY_OK(
        repo.as(QStringLiteral("adam")).registerCollection(QStringLiteral("HSC/admin"), CollectionType::Run));
}

void TestAuthorizedButler::datasetWrites()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    const QString sky = QStringLiteral("sky");
    BUTLER_VERIFY_OK(alice.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("u/alice/run")));
    BUTLER_VERIFY_OK(alice.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("g/cosmo/run")));
    BUTLER_VERIFY_ERROR(alice.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("HSC/old")),
                        ErrorKind::PermissionDenied);
    BUTLER_COMPARE_ERRORS(
        alice.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("g/galaxy/run")),
        QStringLiteral("g/galaxy/run"),
        alice.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("g/galaxy/none")),
        QStringLiteral("g/galaxy/none"));
    IngestFile entry{{}, sky, skyId(3), {}, {}};
    BUTLER_VERIFY_OK(alice.registerDatasets(QStringLiteral("u/alice/run"), {entry}));
    BUTLER_VERIFY_ERROR(alice.registerDatasets(QStringLiteral("HSC/old"), {entry}),
                        ErrorKind::PermissionDenied);
    // Ingest reads server-side paths: admins only.
    BUTLER_VERIFY_ERROR(alice.ingest(QStringLiteral("u/alice/run"), {}, TransferMode::Copy),
                        ErrorKind::PermissionDenied);
    // A granted group reads but does not write.
    BUTLER_VERIFY_OK(
        repo.as(QStringLiteral("bob")).editAcl(QStringLiteral("u/bob/run"), {QStringLiteral("cosmo")}, {}));
    auto readOnly = alice.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("u/bob/run"));
    BUTLER_VERIFY_ERROR(readOnly, ErrorKind::PermissionDenied);
    QVERIFY2(readOnly.error().message().contains(QLatin1String("u/bob/run")),
             qPrintable(readOnly.error().message()));
    // Data rights and release space.
    auto dora = repo.as(QStringLiteral("dora"));
    BUTLER_VERIFY_ERROR(dora.put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("HSC/new")),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(dora.pruneDatasets({repo.sky[QStringLiteral("HSC/new")][0]}, true, true),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("adam"))
                         .put("a", QStringLiteral("bytes"), sky, skyId(2), QStringLiteral("HSC/new")));
    // Pruning follows the dataset's RUN.
    BUTLER_VERIFY_OK(alice.pruneDatasets({repo.sky[QStringLiteral("u/alice/run")][1]}, true, true));
    BUTLER_VERIFY_ERROR(alice.getDataset(repo.sky[QStringLiteral("u/alice/run")][1]), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(alice.pruneDatasets({repo.sky[QStringLiteral("HSC/old")][0]}, true, true),
                        ErrorKind::PermissionDenied);
    // In g/cosmo/picks, which alice reads, but of bob's private run: unknown to her.
    BUTLER_VERIFY_ERROR(alice.pruneDatasets({repo.sky[QStringLiteral("u/bob/private")][0]}, true, true),
                        ErrorKind::NotFound);
    const QUuid hidden = repo.sky[QStringLiteral("g/galaxy/run")][0];
    const QUuid unknown = QUuid::createUuid();
    BUTLER_COMPARE_ERRORS(alice.pruneDatasets({hidden}, true, true), idText(hidden),
                          alice.pruneDatasets({unknown}, true, true), idText(unknown));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob")).getDataset(hidden));
    // TAGGED and CALIBRATION curation in one's own namespace.
    BUTLER_VERIFY_OK(
        alice.associate(QStringLiteral("g/cosmo/picks"), {repo.sky[QStringLiteral("HSC/old")][1]}));
    BUTLER_VERIFY_OK(
        alice.disassociate(QStringLiteral("g/cosmo/picks"), {repo.sky[QStringLiteral("HSC/old")][1]}));
    BUTLER_VERIFY_OK(alice.certify(QStringLiteral("u/alice/calib"), {repo.bias}, Timespan(0, 100)));
    BUTLER_VERIFY_OK(
        alice.decertify(QStringLiteral("u/alice/calib"), QStringLiteral("bias"), Timespan(0, 50)));
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("eve")).disassociate(QStringLiteral("g/cosmo/picks"), {}),
                        ErrorKind::NotFound);
}

void TestAuthorizedButler::removalSkipsChainsSeenOrNot()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto adam = repo.as(QStringLiteral("adam"));
    BUTLER_VERIFY_OK(adam.registerCollection(QStringLiteral("g/cosmo/extra"), CollectionType::Tagged));
    BUTLER_VERIFY_OK(
        adam.associate(QStringLiteral("g/cosmo/extra"), {repo.sky[QStringLiteral("g/cosmo/run")][0]}));
    BUTLER_VERIFY_OK(adam.setCollectionChain(QStringLiteral("u/bob/secret-chain"),
                                             {QStringLiteral("g/cosmo/extra"), QStringLiteral("u/bob/run")},
                                             ChainMode::Redefine));
    // A collection in a chain its owner cannot see may go: the chain skips it while it is in the
    // trash, and nothing about the chain is told.
    auto alice = repo.as(QStringLiteral("alice"));
    BUTLER_VERIFY_OK(alice.removeCollections({QStringLiteral("g/cosmo/extra")}));
    QCOMPARE(adam.getCollection(QStringLiteral("u/bob/secret-chain"))->children,
             QStringList{QStringLiteral("u/bob/run")});
    auto entries = alice.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->first().name(), QStringLiteral("g/cosmo/extra"));
    QCOMPARE(entries->first().removedBy, QStringLiteral("alice"));
    // Restoring puts it back in place.
    BUTLER_VERIFY_OK(alice.restoreFromTrash({QStringLiteral("g/cosmo/extra")}));
    QCOMPARE(adam.getCollection(QStringLiteral("u/bob/secret-chain"))->children,
             (QStringList{QStringLiteral("g/cosmo/extra"), QStringLiteral("u/bob/run")}));
}

void TestAuthorizedButler::trashFollowsReadAndWriteRules()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    auto bob = repo.as(QStringLiteral("bob"));
    auto adam = repo.as(QStringLiteral("adam"));
    BUTLER_VERIFY_OK(bob.editAcl(QStringLiteral("u/bob/run"), {QStringLiteral("cosmo")}, {}));
    BUTLER_VERIFY_OK(bob.removeRuns({QStringLiteral("u/bob/private"), QStringLiteral("u/bob/run")}));
    BUTLER_VERIFY_OK(adam.removeRuns({QStringLiteral("HSC/new")}));
    const auto entryNames = [](AuthorizedButler& butler) {
        auto entries = butler.trashEntries();
        QStringList result;
        if (entries)
            for (const TrashEntry& entry : *entries)
                result << entry.name();
        return sorted(result);
    };
    // Who may read the collection sees the entry; nobody else learns it was there.
    QCOMPARE(entryNames(bob), split("u/bob/private u/bob/run"));
    QCOMPARE(entryNames(alice), split("u/bob/run"));
    QCOMPARE(entryNames(adam), split("HSC/new u/bob/private u/bob/run"));
    auto dora = repo.as(QStringLiteral("dora"));
    QCOMPARE(entryNames(dora), split("HSC/new"));
    auto eve = repo.as(QStringLiteral("eve"));
    QCOMPARE(entryNames(eve), QStringList());
    // A hidden entry answers exactly as a name never removed.
    BUTLER_COMPARE_ERRORS(
        alice.restoreFromTrash({QStringLiteral("u/bob/private")}), QStringLiteral("u/bob/private"),
        alice.restoreFromTrash({QStringLiteral("u/bob/never")}), QStringLiteral("u/bob/never"));
    BUTLER_COMPARE_ERRORS(alice.emptyTrash({QStringLiteral("u/bob/private")}),
                          QStringLiteral("u/bob/private"), alice.emptyTrash({QStringLiteral("u/bob/never")}),
                          QStringLiteral("u/bob/never"));
    BUTLER_VERIFY_ERROR(alice.restoreFromTrash({QStringLiteral("u/bob/private")}), ErrorKind::NotFound);
    // Readers who are not owners see, but neither restore nor empty.
    BUTLER_VERIFY_ERROR(alice.restoreFromTrash({QStringLiteral("u/bob/run")}), ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(alice.emptyTrash({QStringLiteral("u/bob/run")}), ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(dora.restoreFromTrash({QStringLiteral("HSC/new")}), ErrorKind::PermissionDenied);
    // Emptying everything one may: nothing of others'.
    auto none = alice.emptyTrash({});
    BUTLER_VERIFY_OK(none);
    QVERIFY(none->isEmpty());
    QCOMPARE(entryNames(adam).size(), 3);
    // The owner restores; an admin restores and empties anyone's.
    auto restored = bob.restoreFromTrash({QStringLiteral("u/bob/run")});
    BUTLER_VERIFY_OK(restored);
    QCOMPARE(restored->first().datasets, qint64(2));
    BUTLER_VERIFY_OK(alice.getCollection(QStringLiteral("u/bob/run")));
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("sky")};
    query.collections = {QStringLiteral("u/bob/run")};
    QCOMPARE(alice.queryDatasets(query)->refs.size(), qsizetype(2));
    BUTLER_VERIFY_OK(adam.restoreFromTrash({QStringLiteral("HSC/new")}));
    auto emptied = adam.emptyTrash({QStringLiteral("u/bob/private")});
    BUTLER_VERIFY_OK(emptied);
    QCOMPARE(emptied->size(), 1);
    QVERIFY(entryNames(adam).isEmpty());
    // Purged: the name is free for its owner again.
    BUTLER_VERIFY_OK(bob.registerCollection(QStringLiteral("u/bob/private"), CollectionType::Run));
}

void TestAuthorizedButler::trashedCollectionsKeepTheirAcl()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    auto bob = repo.as(QStringLiteral("bob"));
    const QString target = QStringLiteral("u/bob/private");
    BUTLER_VERIFY_OK(bob.editAcl(target, {QStringLiteral("cosmo")}, {}));
    BUTLER_VERIFY_OK(bob.removeRuns({target}));
    BUTLER_VERIFY_ERROR(alice.getCollection(target), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(alice.getDataset(repo.sky[target][1]), ErrorKind::NotFound);
    // Its name stays taken, for its owner too.
    BUTLER_VERIFY_ERROR(bob.registerCollection(target, CollectionType::Run), ErrorKind::Conflict);
    BUTLER_VERIFY_OK(bob.restoreFromTrash({target}));
    // The grant came back with it.
    BUTLER_VERIFY_OK(alice.getCollection(target));
    BUTLER_VERIFY_OK(alice.getDataset(repo.sky[target][1]));
    // Emptied, it is gone with its grants.
    BUTLER_VERIFY_OK(bob.removeRuns({target}));
    BUTLER_VERIFY_OK(bob.emptyTrash({target}));
    BUTLER_VERIFY_OK(bob.registerCollection(target, CollectionType::Run));
    auto acl = bob.acl(target);
    BUTLER_VERIFY_OK(acl);
    QVERIFY(acl->readers.isEmpty());
}

void TestAuthorizedButler::prunedDatasetsAreTrashedPerRun()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto alice = repo.as(QStringLiteral("alice"));
    auto adam = repo.as(QStringLiteral("adam"));
    const QUuid own = repo.sky[QStringLiteral("u/alice/run")][0];
    const QUuid group = repo.sky[QStringLiteral("g/cosmo/run")][0];
    BUTLER_VERIFY_OK(alice.pruneDatasets({own, group}, true, true));
    auto entries = alice.trashEntries();
    BUTLER_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 2);
    QCOMPARE(entries->at(0).collection, QStringLiteral("u/alice/run"));
    QCOMPARE(entries->at(1).collection, QStringLiteral("g/cosmo/run"));
    QCOMPARE(entries->at(0).kind, TrashEntry::Kind::Datasets);
    // Other users' queries do not see them; bob sees neither the datasets nor the entries.
    BUTLER_VERIFY_ERROR(adam.getDataset(own), ErrorKind::NotFound);
    QVERIFY(repo.as(QStringLiteral("bob")).trashEntries()->isEmpty());
    BUTLER_VERIFY_OK(alice.restoreFromTrash({entries->at(1).name()}));
    BUTLER_VERIFY_OK(adam.getDataset(group));
    BUTLER_VERIFY_ERROR(adam.getDataset(own), ErrorKind::NotFound);
}

void TestAuthorizedButler::aclGrantAndRevoke()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    const QString target = QStringLiteral("u/bob/private");
    const QUuid untagged = repo.sky[target][1];
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("alice")).getDataset(untagged), ErrorKind::NotFound);

    auto granted = repo.as(QStringLiteral("bob")).editAcl(target, {QStringLiteral("cosmo")}, {});
    BUTLER_VERIFY_OK(granted);
    QCOMPARE(granted->readers, QStringList{QStringLiteral("cosmo")});
    QCOMPARE(granted->ownerText(), QStringLiteral("u/bob"));

    auto alice = repo.as(QStringLiteral("alice"));
    BUTLER_VERIFY_OK(alice.getCollection(target));
    BUTLER_VERIFY_OK(alice.getDataset(untagged));
    CollectionQuery query;
    query.globs = {QStringLiteral("u/bob/*")};
    QCOMPARE(names(*alice.queryCollections(query)), QStringList{target});
    auto acl = alice.acl(target);
    BUTLER_VERIFY_OK(acl);
    QCOMPARE(acl->readers, QStringList{QStringLiteral("cosmo")});
    // Reading is not owning: the ACL stays the owner's (403), and stays hidden from others (404).
    BUTLER_VERIFY_ERROR(alice.editAcl(target, {QStringLiteral("partners")}, {}), ErrorKind::PermissionDenied);
    const QString never = QStringLiteral("u/bob/never");
    BUTLER_COMPARE_ERRORS(repo.as(QStringLiteral("eve")).editAcl(target, {QStringLiteral("misc")}, {}),
                          target, repo.as(QStringLiteral("eve")).editAcl(never, {QStringLiteral("misc")}, {}),
                          never);
    // Another member of the granted group reads too; another group does not.
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("carl")).getCollection(target), ErrorKind::NotFound);
    // Admins edit any ACL; release collections have none to edit.
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("adam")).editAcl(target, {QStringLiteral("partners")}, {}));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("carl")).getCollection(target));
    BUTLER_VERIFY_ERROR(
        repo.as(QStringLiteral("adam")).editAcl(QStringLiteral("HSC/old"), {QStringLiteral("x")}, {}),
        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(
        repo.as(QStringLiteral("dora")).editAcl(QStringLiteral("HSC/new"), {QStringLiteral("x")}, {}),
        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("bob")).editAcl(target, {QStringLiteral(" ")}, {}),
                        ErrorKind::InvalidInput);
    // Group members edit their group's ACLs.
    BUTLER_VERIFY_OK(alice.editAcl(QStringLiteral("g/cosmo/run"), {QStringLiteral("galaxy")}, {}));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob")).getCollection(QStringLiteral("g/cosmo/run")));

    // Revoking takes the collection away again, from lists too.
    auto revoked = repo.as(QStringLiteral("bob")).editAcl(target, {}, {QStringLiteral("cosmo")});
    BUTLER_VERIFY_OK(revoked);
    QCOMPARE(revoked->readers, QStringList{QStringLiteral("partners")});
    BUTLER_VERIFY_ERROR(alice.getCollection(target), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(alice.getDataset(untagged), ErrorKind::NotFound);
    QVERIFY(alice.queryCollections(query)->isEmpty());
}

void TestAuthorizedButler::aclSurvivesReopenAndDiesWithCollection()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    const QString target = QStringLiteral("u/bob/tagged");
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob")).editAcl(target, {QStringLiteral("cosmo")}, {}));

    // A second store on the same registry (as in another server process) reads the grant, and
    // with no recheck interval sees a change made through the first at once.
    auto other = AclStore::open(repo.direct->registry());
    BUTLER_VERIFY_OK(other);
    (*other)->setRecheckInterval(std::chrono::milliseconds(0));
    AuthorizedButler aliceElsewhere(*repo.direct, **other, *repo.policy,
                                    Repo::identity(QStringLiteral("alice")));
    BUTLER_VERIFY_OK(aliceElsewhere.getCollection(target));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob")).editAcl(target, {}, {QStringLiteral("cosmo")}));
    BUTLER_VERIFY_ERROR(aliceElsewhere.getCollection(target), ErrorKind::NotFound);
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("bob")).editAcl(target, {QStringLiteral("cosmo")}, {}));
    BUTLER_VERIFY_OK(aliceElsewhere.getCollection(target));

    // Removing the collection drops its grants: a new collection of that name starts closed.
    auto bob = repo.as(QStringLiteral("bob"));
    BUTLER_VERIFY_OK(bob.removeCollections({target}));
    BUTLER_VERIFY_OK(bob.registerCollection(target, CollectionType::Tagged));
    auto acl = bob.acl(target);
    BUTLER_VERIFY_OK(acl);
    QVERIFY(acl->readers.isEmpty());
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("alice")).getCollection(target), ErrorKind::NotFound);

    // Grants left behind by a removal outside the server are cleared when the name comes back.
    BUTLER_VERIFY_OK(bob.editAcl(target, {QStringLiteral("cosmo")}, {}));
    BUTLER_VERIFY_OK(repo.direct->removeCollections({target}));
    BUTLER_VERIFY_OK(bob.registerCollection(target, CollectionType::Tagged));
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("alice")).getCollection(target), ErrorKind::NotFound);
}

void TestAuthorizedButler::releaseDatesAndProprietaryPeriod()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    // Registered through the server: released now, proprietary for the default period.
    BUTLER_VERIFY_OK(
        repo.as(QStringLiteral("adam")).registerCollection(QStringLiteral("LSST/DP1"), CollectionType::Run));
    // Registered behind the server's back: the first time the server sees it counts. A change
    // in this process shows at once, however long the store trusts its snapshot.
    repo.acls->setRecheckInterval(std::chrono::hours(1));
    BUTLER_VERIFY_OK(repo.direct->registerCollection(QStringLiteral("LSST/legacy"), CollectionType::Run));
    for (const char* name : {"LSST/DP1", "LSST/legacy"}) {
        const QString collection = QString::fromLatin1(name);
        BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("eve")).getCollection(collection), ErrorKind::NotFound);
        auto acl = repo.as(QStringLiteral("dora")).acl(collection);
        BUTLER_VERIFY_OK(acl);
        QCOMPARE(acl->releaseDate, Now);
        QVERIFY(!acl->proprietaryUntil.has_value());
    }
    repo.now = Now + 730 * Day - 1;
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("eve")).getCollection(QStringLiteral("LSST/DP1")),
                        ErrorKind::NotFound);
    repo.now = Now + 730 * Day;
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("eve")).getCollection(QStringLiteral("LSST/DP1")));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("eve")).getCollection(QStringLiteral("LSST/legacy")));
    // After the period data rights still read, but never write.
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("dora")).getCollection(QStringLiteral("LSST/DP1")));
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("dora")).removeRuns({QStringLiteral("LSST/DP1")}),
                        ErrorKind::PermissionDenied);

    // An explicit proprietary date extends or shortens the period.
    auto adam = repo.as(QStringLiteral("adam"));
    auto extended = adam.setReleaseDates(QStringLiteral("LSST/DP1"), Now, repo.now + 10 * Day);
    BUTLER_VERIFY_OK(extended);
    QCOMPARE(extended->proprietaryUntil, std::optional<qint64>(repo.now + 10 * Day));
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("eve")).getCollection(QStringLiteral("LSST/DP1")),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_OK(adam.setReleaseDates(QStringLiteral("HSC/new"), Now, Now + Day));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("eve")).getCollection(QStringLiteral("HSC/new")));
    // Only admins set dates, and only on release collections.
    BUTLER_VERIFY_ERROR(
        repo.as(QStringLiteral("dora")).setReleaseDates(QStringLiteral("HSC/new"), Now, std::nullopt),
        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(adam.setReleaseDates(QStringLiteral("u/alice/run"), Now, std::nullopt),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(adam.setReleaseDates(QStringLiteral("HSC/new"), Now, Now - 1),
                        ErrorKind::InvalidInput);
}

void TestAuthorizedButler::datasetTypeRules()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    auto type = [&](const char* name) {
        return DatasetType::make(repo.direct->universe(), QString::fromLatin1(name),
                                 {QStringLiteral("instrument")}, QStringLiteral("StructuredDataDict"))
            .valueOr({});
    };
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("alice")).registerDatasetType(type("alice_type")),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("eve")).registerDatasetType(type("eve_type")),
                        ErrorKind::PermissionDenied);
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("dora")).registerDatasetType(type("dora_type")));
    BUTLER_VERIFY_OK(repo.as(QStringLiteral("adam")).registerDatasetType(type("adam_type")));
    // Everyone reads them.
    auto eve = repo.as(QStringLiteral("eve"));
    BUTLER_VERIFY_OK(eve.getDatasetType(QStringLiteral("dora_type")));
    auto all = eve.queryDatasetTypes({QStringLiteral("*_type")});
    BUTLER_VERIFY_OK(all);
    QCOMPARE(all->size(), 2);
    // Removal is for admins.
    BUTLER_VERIFY_ERROR(repo.as(QStringLiteral("dora")).removeDatasetTypes({QStringLiteral("dora_type")}),
                        ErrorKind::PermissionDenied);
    auto removed = repo.as(QStringLiteral("adam")).removeDatasetTypes({QStringLiteral("*_type")});
    BUTLER_VERIFY_OK(removed);
    QCOMPARE(sorted(*removed), split("adam_type dora_type"));
}

void TestAuthorizedButler::dimensionRecordRules()
{
    Repo repo;
    BUTLER_VERIFY_OK(repo.build());
    const DimensionRecord record(QStringLiteral("detector"),
                                 {{QStringLiteral("instrument"), QStringLiteral("Cam")},
                                  {QStringLiteral("id"), 9},
                                  {QStringLiteral("full_name"), QStringLiteral("D9")}});
    for (const char* user : {"alice", "dora", "eve"})
        BUTLER_VERIFY_ERROR(
            repo.as(QString::fromLatin1(user)).insertDimensionRecords(QStringLiteral("detector"), {record}),
            ErrorKind::PermissionDenied);
    DimensionRecordQuery query;
    query.element = QStringLiteral("detector");
    auto before = repo.as(QStringLiteral("eve")).queryDimensionRecords(query);
    BUTLER_VERIFY_OK(before);
    QCOMPARE(before->records.size(), 4);
    BUTLER_VERIFY_OK(
        repo.as(QStringLiteral("adam")).insertDimensionRecords(QStringLiteral("detector"), {record}));
    auto after = repo.as(QStringLiteral("eve")).queryDimensionRecords(query);
    BUTLER_VERIFY_OK(after);
    QCOMPARE(after->records.size(), 5);
}

QTEST_GUILESS_MAIN(TestAuthorizedButler)
#include "tst_authorizedbutler.moc"
