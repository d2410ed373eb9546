// CollectionTreeModel against the real butler-server: what each user sees, chains expanded in
// search order (nested too), namespace folders, lazily fetched counts and fetch states.
#include "CollectionTreeModel.h"
#include "ModelTestSupport.h"
#include "RemoteButler.h"
#include "ServerFixture.h"

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace butler;
using butler::test::Settle;
using butler::test::waitForRequests;

namespace {

constexpr int kTimeout = 30000;
using FetchState = CollectionTreeModel::FetchState;

QStringList rowNames(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QStringList names;
    for (int row = 0; row < model.rowCount(parent); ++row)
        names << model.index(row, 0, parent).data(CollectionTreeModel::NameRole).toString();
    return names;
}

int stateOf(const QModelIndex& index)
{
    return index.data(CollectionTreeModel::FetchStateRole).toInt();
}

// A model with its tester; the butler outlives both and their requests.
struct Tree
{
    ~Tree()
    {
        if (model)
            QVERIFY(waitForRequests(*model));
    }

    std::unique_ptr<RemoteButler> butler;
    std::unique_ptr<CollectionTreeModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;

    void attachTester()
    {
        tester = std::make_unique<QAbstractItemModelTester>(
            model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
};

} // namespace

class TestCollectionTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void topLevelListsWhatTheServerLists();
    void hiddenCollectionsAbsentForFrank();
    void chainChildrenInSearchOrder_data();
    void chainChildrenInSearchOrder();
    void nestedChainExpandsAgain();
    void fetchStateTransitions();
    void namespaceGrouping_data();
    void namespaceGrouping();
    void groupingSwitchesBack();
    void datasetCountsFetchedLazily();
    void refreshReloads();
    void unreachableServerReportsError();

private:
    std::unique_ptr<RemoteButler> connectAs(const QString& user);
    // A tree for the user with its tester attached, top level loaded.
    std::unique_ptr<Tree>
    loadedTree(const QString& user,
               CollectionTreeModel::Grouping grouping = CollectionTreeModel::Grouping::Flat);
    // What the server lists for this butler's user, by name.
    QStringList serverNames(RemoteButler& butler);

    ServerFixture m_fixture;
};

std::unique_ptr<RemoteButler> TestCollectionTreeModel::connectAs(const QString& user)
{
    auto butler = RemoteButler::connect(m_fixture.repoUrl(), m_fixture.token(user));
    if (!butler) {
        qWarning() << "cannot connect as" << user << ":" << butler.error().message();
        return nullptr;
    }
    return std::move(butler).value();
}

std::unique_ptr<Tree> TestCollectionTreeModel::loadedTree(const QString& user,
                                                          CollectionTreeModel::Grouping grouping)
{
    auto tree = std::make_unique<Tree>();
    tree->butler = connectAs(user);
    if (!tree->butler)
        return nullptr;
    tree->model = std::make_unique<CollectionTreeModel>(tree->butler.get());
    tree->model->setGrouping(grouping);
    tree->attachTester(); // its first pass calls fetchMore() on the top level
    tree->model->fetchMore({});
    if (!QTest::qWaitFor([&] { return tree->model->fetchState({}) == FetchState::Fetched; }, kTimeout)) {
        qWarning() << "the top level did not load for" << user;
        return nullptr;
    }
    return tree;
}

QStringList TestCollectionTreeModel::serverNames(RemoteButler& butler)
{
    const auto listed = butler.queryCollections(CollectionQuery{});
    if (!listed) {
        qWarning() << listed.error().message();
        return {};
    }
    QStringList names;
    for (const CollectionInfo& info : listed.value())
        names << info.name;
    names.sort();
    return names;
}

void TestCollectionTreeModel::initTestCase()
{
    QVERIFY2(m_fixture.prepare(), qPrintable(m_fixture.lastError()));
    QVERIFY2(m_fixture.start(), qPrintable(m_fixture.lastError()));
    // A chain whose first child is a chain, for nesting.
    auto alice = connectAs(QStringLiteral("alice"));
    QVERIFY(alice);
    const Status outer = alice->setCollectionChain(
        QStringLiteral("u/alice/outer"), {QStringLiteral("u/alice/chain"), QStringLiteral("g/alpha/run")},
        ChainMode::Redefine);
    QVERIFY2(outer.ok(), qPrintable(outer.ok() ? QString() : outer.error().message()));
}

void TestCollectionTreeModel::cleanupTestCase()
{
    m_fixture.stop();
}

void TestCollectionTreeModel::topLevelListsWhatTheServerLists()
{
    auto tree = loadedTree(QStringLiteral("alice"));
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    const QStringList expected = serverNames(*tree->butler);
    QCOMPARE(rowNames(model), expected);
    for (const QString& name :
         {QStringLiteral("u/alice/run"), QStringLiteral("u/alice/chain"), QStringLiteral("u/alice/tagged"),
          QStringLiteral("g/alpha/run"), QStringLiteral("DR1/public")})
        QVERIFY2(expected.contains(name), qPrintable(name));
    QVERIFY(!expected.contains(QStringLiteral("u/bob/run")));

    const QModelIndex chain = model.indexForCollection(QStringLiteral("u/alice/chain"));
    QVERIFY(chain.isValid());
    QCOMPARE(chain.parent(), QModelIndex());
    QCOMPARE(chain.data(Qt::DisplayRole).toString(), QStringLiteral("u/alice/chain"));
    QCOMPARE(chain.data(CollectionTreeModel::TypeRole).toInt(), int(CollectionType::Chained));
    QVERIFY(chain.data(Qt::ToolTipRole).toString().contains(QStringLiteral("CHAINED")));
    QVERIFY(!chain.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(model.hasChildren(chain));

    const QModelIndex run = model.indexForCollection(QStringLiteral("u/alice/run"));
    QCOMPARE(run.data(CollectionTreeModel::TypeRole).toInt(), int(CollectionType::Run));
    QVERIFY(!model.hasChildren(run));
    QVERIFY(!model.canFetchMore(run));
    QCOMPARE(model.headerData(CollectionTreeModel::DatasetCountColumn, Qt::Horizontal).toString(),
             QStringLiteral("Datasets"));
}

void TestCollectionTreeModel::hiddenCollectionsAbsentForFrank()
{
    auto tree = loadedTree(QStringLiteral("frank"));
    QVERIFY(tree);
    const QStringList names = rowNames(*tree->model);
    QCOMPARE(names, serverNames(*tree->butler));
    QVERIFY(names.contains(QStringLiteral("DR1/public")));
    for (const QString& name : names) {
        QVERIFY2(!name.startsWith(QLatin1String("u/")), qPrintable(name));
        QVERIFY2(!name.startsWith(QLatin1String("g/")), qPrintable(name));
        QVERIFY2(!name.startsWith(QLatin1String("LSSTCam/")), qPrintable(name)); // still proprietary
    }
    QVERIFY(!tree->model->indexForCollection(QStringLiteral("u/alice/chain")).isValid());
}

void TestCollectionTreeModel::chainChildrenInSearchOrder_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("chain");
    QTest::addColumn<QStringList>("children");
    QTest::newRow("admin sees every child")
        << QStringLiteral("dave") << QStringLiteral("u/alice/chain")
        << QStringList{QStringLiteral("u/alice/run"), QStringLiteral("u/bob/run"),
                       QStringLiteral("LSSTCam/raw/all")};
    // u/bob/run belongs to bob and LSSTCam/raw/all is still proprietary: both hidden.
    QTest::newRow("owner without the hidden ones")
        << QStringLiteral("alice") << QStringLiteral("u/alice/chain")
        << QStringList{QStringLiteral("u/alice/run")};
    QTest::newRow("demo defaults") << QStringLiteral("carol") << QStringLiteral("LSSTCam/defaults")
                                   << QStringList{QStringLiteral("LSSTCam/raw/all"),
                                                  QStringLiteral("LSSTCam/calib"), QStringLiteral("skymaps")};
    QTest::newRow("processing chain") << QStringLiteral("carol") << QStringLiteral("LSSTCam/runs/DM-00001")
                                      << QStringList{QStringLiteral("LSSTCam/runs/DM-00001/calexp"),
                                                     QStringLiteral("LSSTCam/runs/DM-00001/coadd")};
}

void TestCollectionTreeModel::chainChildrenInSearchOrder()
{
    QFETCH(QString, user);
    QFETCH(QString, chain);
    QFETCH(QStringList, children);
    auto tree = loadedTree(user);
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    const QModelIndex index = model.indexForCollection(chain);
    QVERIFY(index.isValid());
    model.fetchMore(index);
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState(index), FetchState::Fetched, kTimeout);
    QCOMPARE(rowNames(model, index), children);
    // Exactly what the server says the chain holds for this user.
    const auto info = tree->butler->getCollection(chain);
    QVERIFY(info.ok());
    QCOMPARE(rowNames(model, index), info->children);
    for (int row = 0; row < model.rowCount(index); ++row) {
        const QModelIndex child = model.index(row, 0, index);
        QCOMPARE(child.parent(), index);
        QVERIFY(child.data(CollectionTreeModel::TypeRole).isValid());
    }
}

void TestCollectionTreeModel::nestedChainExpandsAgain()
{
    auto tree = loadedTree(QStringLiteral("alice"));
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    const QModelIndex outer = model.indexForCollection(QStringLiteral("u/alice/outer"));
    QVERIFY(outer.isValid());
    model.fetchMore(outer);
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState(outer), FetchState::Fetched, kTimeout);
    QCOMPARE(rowNames(model, outer),
             (QStringList{QStringLiteral("u/alice/chain"), QStringLiteral("g/alpha/run")}));

    const QModelIndex inner = model.index(0, 0, outer);
    QCOMPARE(inner.data(CollectionTreeModel::TypeRole).toInt(), int(CollectionType::Chained));
    QVERIFY(model.hasChildren(inner));
    model.fetchMore(inner);
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState(inner), FetchState::Fetched, kTimeout);
    QCOMPARE(rowNames(model, inner), QStringList{QStringLiteral("u/alice/run")});
    QCOMPARE(model.index(0, 0, inner).parent(), inner);
    QCOMPARE(inner.parent(), outer);

    const QModelIndex leaf = model.index(1, 0, outer);
    QCOMPARE(leaf.data(CollectionTreeModel::TypeRole).toInt(), int(CollectionType::Run));
    QVERIFY(!model.hasChildren(leaf));
}

void TestCollectionTreeModel::fetchStateTransitions()
{
    auto butler = connectAs(QStringLiteral("alice"));
    QVERIFY(butler);
    CollectionTreeModel model(butler.get());
    Settle<CollectionTreeModel> settle{model};
    const QString chainName = QStringLiteral("u/alice/chain");
    QCOMPARE(model.fetchState({}), FetchState::NotFetched);
    QVERIFY(model.canFetchMore({}));
    QVERIFY(model.hasChildren({}));

    // Connected before the tester, so the first state is seen before anything fetches it.
    QList<int> states;
    auto record = [&](int state) {
        if (states.isEmpty() || states.last() != state)
            states << state;
    };
    connect(&model, &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex& parent, int first, int last) {
                if (parent.isValid())
                    return;
                for (int row = first; row <= last; ++row) {
                    const QModelIndex index = model.index(row, 0);
                    if (index.data(CollectionTreeModel::NameRole).toString() == chainName) {
                        QVERIFY(model.hasChildren(index));
                        QCOMPARE(model.rowCount(index), 0);
                        QVERIFY(model.canFetchMore(index));
                        record(stateOf(index));
                    }
                }
            });
    connect(&model, &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex& topLeft, const QModelIndex&, const QList<int>& roles) {
                if (topLeft.column() != 0 || topLeft.parent().isValid() ||
                    topLeft.data(CollectionTreeModel::NameRole).toString() != chainName)
                    return;
                if (roles.isEmpty() || roles.contains(CollectionTreeModel::FetchStateRole))
                    record(stateOf(topLeft));
            });
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState({}), FetchState::Fetched, kTimeout);
    const QModelIndex chain = model.indexForCollection(chainName);
    QVERIFY(chain.isValid());
    model.fetchMore(chain);
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState(chain), FetchState::Fetched, kTimeout);
    QCOMPARE(states,
             (QList<int>{int(FetchState::NotFetched), int(FetchState::Fetching), int(FetchState::Fetched)}));
    QVERIFY(!model.canFetchMore(chain));
    QVERIFY(!model.canFetchMore({}));
    QCOMPARE(chain.data(CollectionTreeModel::ErrorRole).toString(), QString());
}

void TestCollectionTreeModel::namespaceGrouping_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("folders");
    QTest::newRow("alice") << QStringLiteral("alice")
                           << QStringList{QStringLiteral("u/"), QStringLiteral("g/"),
                                          QStringLiteral("release")};
    QTest::newRow("bob") << QStringLiteral("bob")
                         << QStringList{QStringLiteral("u/"), QStringLiteral("release")};
    QTest::newRow("frank") << QStringLiteral("frank") << QStringList{QStringLiteral("release")};
}

void TestCollectionTreeModel::namespaceGrouping()
{
    QFETCH(QString, user);
    QFETCH(QStringList, folders);
    auto tree = loadedTree(user, CollectionTreeModel::Grouping::ByNamespace);
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    QCOMPARE(rowNames(model), folders);
    const QStringList all = serverNames(*tree->butler);

    // Every collection exactly once, in the folder its namespace says, in name order.
    QStringList placed;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex folder = model.index(row, 0);
        QVERIFY(folder.data(CollectionTreeModel::IsFolderRole).toBool());
        QVERIFY(!folder.data(CollectionTreeModel::TypeRole).isValid());
        QVERIFY(!model.canFetchMore(folder));
        const QString prefix = folder.data(CollectionTreeModel::NameRole).toString();
        if (prefix == QLatin1String("release")) {
            const QStringList members = rowNames(model, folder);
            for (const QString& name : members) {
                QVERIFY2(!name.startsWith(QLatin1String("u/")) && !name.startsWith(QLatin1String("g/")),
                         qPrintable(name));
                QVERIFY(!model.index(int(members.indexOf(name)), 0, folder)
                             .data(CollectionTreeModel::IsFolderRole)
                             .toBool());
            }
            placed << members;
            continue;
        }
        for (int sub = 0; sub < model.rowCount(folder); ++sub) {
            const QModelIndex owner = model.index(sub, 0, folder);
            QVERIFY(owner.data(CollectionTreeModel::IsFolderRole).toBool());
            const QString ownerPrefix = owner.data(CollectionTreeModel::NameRole).toString();
            QVERIFY2(ownerPrefix.startsWith(prefix), qPrintable(ownerPrefix));
            QVERIFY(QRegularExpression(QStringLiteral("^[ug]/[^/]+/$")).match(ownerPrefix).hasMatch());
            const QStringList members = rowNames(model, owner);
            QVERIFY(!members.isEmpty());
            for (const QString& name : members)
                QVERIFY2(name.startsWith(ownerPrefix), qPrintable(name));
            QStringList sorted = members;
            sorted.sort();
            QCOMPARE(members, sorted);
            placed << members;
        }
    }
    placed.sort();
    QCOMPARE(placed, all);

    if (user == QLatin1String("alice")) {
        const QModelIndex chain = model.indexForCollection(QStringLiteral("u/alice/chain"));
        QVERIFY(chain.isValid());
        QCOMPARE(chain.parent().data(CollectionTreeModel::NameRole).toString(), QStringLiteral("u/alice/"));
        model.fetchMore(chain);
        QTRY_COMPARE_WITH_TIMEOUT(model.fetchState(chain), FetchState::Fetched, kTimeout);
        QCOMPARE(rowNames(model, chain), QStringList{QStringLiteral("u/alice/run")});
        QCOMPARE(rowNames(model, model.indexForCollection(QStringLiteral("u/alice/chain")).parent().parent()),
                 QStringList{QStringLiteral("u/alice/")});
    }
}

void TestCollectionTreeModel::groupingSwitchesBack()
{
    auto tree = loadedTree(QStringLiteral("alice"));
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    const QStringList flat = rowNames(model);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setGrouping(CollectionTreeModel::Grouping::ByNamespace);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(rowNames(model),
             (QStringList{QStringLiteral("u/"), QStringLiteral("g/"), QStringLiteral("release")}));
    model.setGrouping(CollectionTreeModel::Grouping::ByNamespace); // no change, no reset
    QCOMPARE(resets.count(), 1);
    model.setGrouping(CollectionTreeModel::Grouping::Flat);
    QCOMPARE(resets.count(), 2);
    QCOMPARE(rowNames(model), flat);
}

void TestCollectionTreeModel::datasetCountsFetchedLazily()
{
    auto tree = loadedTree(QStringLiteral("alice"));
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    for (const QString& name : {QStringLiteral("u/alice/run"), QStringLiteral("u/alice/chain"),
                                QStringLiteral("u/alice/tagged"), QStringLiteral("DR1/public")}) {
        DatasetQuery query;
        query.collections = {name};
        const auto expected = tree->butler->countDatasets(query);
        QVERIFY2(expected.ok(), qPrintable(name));
        const QModelIndex row = model.indexForCollection(name);
        const QModelIndex countCell = row.siblingAtColumn(CollectionTreeModel::DatasetCountColumn);
        // Asking for the count starts it (the tester may have asked already).
        countCell.data(Qt::DisplayRole);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(countCell), int(FetchState::Fetched), kTimeout);
        QCOMPARE(countCell.data(CollectionTreeModel::DatasetCountRole).toLongLong(), expected.value());
        QCOMPARE(row.data(CollectionTreeModel::DatasetCountRole).toLongLong(), expected.value());
        QCOMPARE(countCell.data(Qt::DisplayRole).toString(), QLocale().toString(expected.value()));
        // One dataset each for alice: the chain counts through its readable children only.
        QCOMPARE(expected.value(), qint64(1));
    }
}

void TestCollectionTreeModel::refreshReloads()
{
    auto tree = loadedTree(QStringLiteral("alice"));
    QVERIFY(tree);
    CollectionTreeModel& model = *tree->model;
    const QString fresh = QStringLiteral("u/alice/fresh");
    QVERIFY(!rowNames(model).contains(fresh));
    QVERIFY(tree->butler->registerCollection(fresh, CollectionType::Run).ok());
    QVERIFY(!rowNames(model).contains(fresh)); // nothing changes until asked

    // Two refreshes in a row: the first answer belongs to a dropped generation.
    model.refresh();
    QCOMPARE(model.fetchState({}), FetchState::Fetching);
    QCOMPARE(model.rowCount(), 0);
    model.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState({}), FetchState::Fetched, kTimeout);
    const QStringList names = rowNames(model);
    QCOMPARE(names, serverNames(*tree->butler));
    QVERIFY(names.contains(fresh));
    QCOMPARE(QSet<QString>(names.begin(), names.end()).size(), names.size());
    QVERIFY(tree->butler->removeRuns({fresh}).ok());
}

void TestCollectionTreeModel::unreachableServerReportsError()
{
    // A second server on the same repository, stopped once the client has connected.
    QProcess server;
    server.setProgram(QStringLiteral(BUTLER_SERVER_BIN));
    server.setArguments({QStringLiteral("--config"), m_fixture.configPath()});
    server.start();
    QVERIFY(server.waitForStarted(10000));
    QByteArray out;
    static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
    QRegularExpressionMatch match;
    const bool listens = QTest::qWaitFor(
        [&] {
            out += server.readAllStandardOutput();
            match = listening.match(QString::fromUtf8(out));
            return match.hasMatch();
        },
        kTimeout);
    QVERIFY2(listens, out.constData());
    const QString url = QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(match.captured(1));
    auto connected = RemoteButler::connect(url, m_fixture.token(QStringLiteral("alice")));
    QVERIFY(connected.ok());
    std::unique_ptr<RemoteButler> butler = std::move(connected).value();
    server.terminate();
    QVERIFY(server.waitForFinished(15000));

    CollectionTreeModel model(butler.get());
    Settle<CollectionTreeModel> settle{model};
    QSignalSpy errors(&model, &CollectionTreeModel::errorOccurred);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(model.fetchState({}), FetchState::Failed, kTimeout);
    QCOMPARE(errors.count(), 1);
    QVERIFY(!errors.first().first().toString().isEmpty());
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.hasChildren({}));
    QVERIFY(!model.canFetchMore({})); // no retry loop; refresh() tries again
}

QTEST_MAIN(TestCollectionTreeModel)
#include "tst_collectiontreemodel.moc"
