#include "RegistryFixture.h"

#include <algorithm>
#include <memory>

using namespace butler;

namespace {

QStringList names(const QList<CollectionInfo>& infos)
{
    QStringList result;
    for (const CollectionInfo& info : infos)
        result << info.name;
    return result;
}

// Validity range boundaries for the calibration tests (UTC).
qint64 t0()
{
    return RegistryFixture::utc("2025-06-01T00:00:00");
}
qint64 t1()
{
    return RegistryFixture::utc("2025-06-10T00:00:00");
}
qint64 t2()
{
    return RegistryFixture::utc("2025-06-20T00:00:00");
}
qint64 t3()
{
    return RegistryFixture::utc("2025-06-30T00:00:00");
}
constexpr qint64 NoBegin = Timespan::UnboundedBegin;
constexpr qint64 NoEnd = Timespan::Unbounded;

} // namespace

class TestRegistryCollections : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // Names and types.
    void registerCollectionNames_data();
    void registerCollectionNames();
    void registerExistingName();

    // RUN and TAGGED uniqueness.
    void runUniqueness();
    void taggedUniqueness();
    void associateErrors();

    // CHAINED.
    void chainModes_data();
    void chainModes();
    void chainCreatedByExtendAndPrepend();
    void chainChildrenStayUnique();
    void chainErrors();
    void nestedChainsAndFlatten();
    void cyclesRejected_data();
    void cyclesRejected();
    void diamondIsNotACycle();

    // Globs.
    void globSearches_data();
    void globSearches();
    void flattenGlobs();
    void badGlob();
    void datasetQueryWithGlobCollections();

    // Removal.
    void removeChildOfChainRefused();
    void removeWrongKind();
    void removeRunRemovesDatasets();
    void removeTaggedKeepsDatasets();

    // CALIBRATION.
    void certifyOverlap_data();
    void certifyOverlap();
    void certifyErrors();
    void certifyBatchIsAtomic();
    void decertify_data();
    void decertify();
    void decertifyOnlyGivenDataIds();
    void decertifyThenCertifyIntoTheHole();
    void calibrationQueryListsEachDatasetOnce();

private:
    Registry& registry() { return m_f->registry(); }
    Status makeRuns(const QStringList& runs) { return m_f->registerRuns(runs); }
    Status chain(const QString& parent, const QStringList& children, ChainMode mode = ChainMode::Redefine)
    {
        return registry().setCollectionChain(parent, children, mode, false, {});
    }
    QStringList childrenOf(const QString& chainName)
    {
        auto info = registry().getCollection(chainName);
        return info ? info->children : QStringList{QStringLiteral("<error: %1>").arg(info.error().message())};
    }
    // Bias datasets for the calibration tests: A = detector 0 in calib/run1, B = detector 0 in
    // calib/run2, C = detector 1 in calib/run1; CALIBRATION collection calib/cal.
    Status makeBiases();
    // The bias for detector 0 valid at t in calib/cal, or a null UUID.
    QUuid biasAt(qint64 t, qint64 detector = 0);

    std::unique_ptr<RegistryFixture> m_f;
    DatasetRef m_a;
    DatasetRef m_b;
    DatasetRef m_c;
};

void TestRegistryCollections::init()
{
    m_f = std::make_unique<RegistryFixture>();
    BUTLER_VERIFY_OK(m_f->createStandard());
}

void TestRegistryCollections::cleanup()
{
    m_f.reset();
}

Status TestRegistryCollections::makeBiases()
{
    BUTLER_TRY(makeRuns({QStringLiteral("calib/run1"), QStringLiteral("calib/run2")}));
    BUTLER_TRY(registry().registerCollection(QStringLiteral("calib/cal"), CollectionType::Calibration, {}));
    BUTLER_ASSIGN_OR_RETURN(m_a, m_f->insertOne(QStringLiteral("calib/run1"), QStringLiteral("bias"),
                                                RegistryFixture::detectorDataId(0)));
    BUTLER_ASSIGN_OR_RETURN(m_b, m_f->insertOne(QStringLiteral("calib/run2"), QStringLiteral("bias"),
                                                RegistryFixture::detectorDataId(0)));
    BUTLER_ASSIGN_OR_RETURN(m_c, m_f->insertOne(QStringLiteral("calib/run1"), QStringLiteral("bias"),
                                                RegistryFixture::detectorDataId(1)));
    return {};
}

QUuid TestRegistryCollections::biasAt(qint64 t, qint64 detector)
{
    auto found = registry().findDataset(QStringLiteral("bias"), RegistryFixture::detectorDataId(detector),
                                        {QStringLiteral("calib/cal")}, t);
    if (!found || !found->has_value())
        return {};
    return (*found)->id();
}

void TestRegistryCollections::registerCollectionNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("user run") << QStringLiteral("u/someone/run-1") << true;
    QTest::newRow("instrument path") << QStringLiteral("HSC/raw/all") << true;
    QTest::newRow("dots inside a segment") << QStringLiteral("a.b..c") << true;
    QTest::newRow("parent segment") << QStringLiteral("../x") << false;
    QTest::newRow("parent segment inside") << QStringLiteral("a/../b") << false;
    QTest::newRow("current segment") << QStringLiteral("a/./b") << false;
    QTest::newRow("empty segment") << QStringLiteral("a//b") << false;
    QTest::newRow("leading slash") << QStringLiteral("/a") << false;
    QTest::newRow("trailing slash") << QStringLiteral("a/") << false;
    QTest::newRow("star") << QStringLiteral("a*") << false;
    QTest::newRow("question mark") << QStringLiteral("a?") << false;
    QTest::newRow("bracket") << QStringLiteral("a[1]") << false;
    QTest::newRow("comma") << QStringLiteral("a,b") << false;
    QTest::newRow("space") << QStringLiteral("a b") << false;
    QTest::newRow("tab") << QStringLiteral("a\tb") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("too long") << QString(257, QLatin1Char('a')) << false;
}

void TestRegistryCollections::registerCollectionNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);

    for (CollectionType type : {CollectionType::Run, CollectionType::Tagged, CollectionType::Calibration}) {
        const Status status = registry().registerCollection(name, type, {});
        if (valid) {
            BUTLER_VERIFY_OK(status);
            BUTLER_VERIFY_OK(registry().getCollection(name));
            return;
        }
        BUTLER_VERIFY_ERROR(status, ErrorKind::InvalidInput);
    }
    BUTLER_VERIFY_ERROR(registry().setCollectionChain(name, {}, ChainMode::Redefine, false, {}),
                        ErrorKind::InvalidInput);
    auto all = registry().queryCollections({});
    BUTLER_VERIFY_OK(all);
    QVERIFY(all->isEmpty());
}

void TestRegistryCollections::registerExistingName()
{
    BUTLER_VERIFY_OK(
        registry().registerCollection(QStringLiteral("x"), CollectionType::Tagged, QStringLiteral("first")));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("x"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_ERROR(registry().registerCollection(QStringLiteral("x"), CollectionType::Run, {}),
                        ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(registry().registerCollection(QStringLiteral("x"), CollectionType::Calibration, {}),
                        ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(chain(QStringLiteral("x"), {}), ErrorKind::Conflict);
    auto info = registry().getCollection(QStringLiteral("x"));
    BUTLER_VERIFY_OK(info);
    QCOMPARE(info->type, CollectionType::Tagged);
    QCOMPARE(info->doc, QStringLiteral("first"));

    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("c"), {QStringLiteral("r")}));
    BUTLER_VERIFY_ERROR(registry().registerCollection(QStringLiteral("c"), CollectionType::Run, {}),
                        ErrorKind::Conflict);
}

void TestRegistryCollections::runUniqueness()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1"), QStringLiteral("r2")}));
    auto first =
        m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0));
    BUTLER_VERIFY_OK(first);
    BUTLER_VERIFY_ERROR(
        m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0)),
        ErrorKind::Conflict);
    // Another data ID in the same run, and the same data ID in another run, are fine.
    BUTLER_VERIFY_OK(
        m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 1)));
    auto second =
        m_f->insertOne(QStringLiteral("r2"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0));
    BUTLER_VERIFY_OK(second);
    QVERIFY(second->id() != first->id());
    // The same data ID with another instrument is another data ID.
    BUTLER_VERIFY_OK(m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"),
                                    RegistryFixture::rawDataId(101, 0, QStringLiteral("Other"))));

    auto found = registry().findDataset(QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0),
                                        {QStringLiteral("r1")}, {});
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), first->id());
    auto inRun = registry().datasetsInRun(QStringLiteral("r1"));
    BUTLER_VERIFY_OK(inRun);
    QCOMPARE(inRun->size(), 3);

    // Datasets go into RUN collections only.
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_ERROR(
        m_f->insertOne(QStringLiteral("t"), QStringLiteral("raw"), RegistryFixture::rawDataId(102, 0)),
        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(
        m_f->insertOne(QStringLiteral("nope"), QStringLiteral("raw"), RegistryFixture::rawDataId(102, 0)),
        ErrorKind::NotFound);
}

void TestRegistryCollections::taggedUniqueness()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1"), QStringLiteral("r2")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    auto a = m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0));
    auto b = m_f->insertOne(QStringLiteral("r2"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0));
    auto c = m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 1));
    auto d = m_f->insertOne(QStringLiteral("r2"), QStringLiteral("raw"), RegistryFixture::rawDataId(102, 0));
    BUTLER_VERIFY_OK(a);
    BUTLER_VERIFY_OK(b);
    BUTLER_VERIFY_OK(c);
    BUTLER_VERIFY_OK(d);

    BUTLER_VERIFY_OK(registry().associate(QStringLiteral("t"), {a->id()}));
    // The same dataset again is fine, also together with a new one.
    BUTLER_VERIFY_OK(registry().associate(QStringLiteral("t"), {a->id()}));
    BUTLER_VERIFY_OK(registry().associate(QStringLiteral("t"), {a->id(), c->id()}));
    // Another dataset with the same type and data ID is not; the batch goes whole or not at all.
    BUTLER_VERIFY_ERROR(registry().associate(QStringLiteral("t"), {b->id()}), ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(registry().associate(QStringLiteral("t"), {d->id(), b->id()}), ErrorKind::Conflict);

    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("raw")};
    query.collections = {QStringLiteral("t")};
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QList<QUuid> got = RegistryFixture::ids(page->refs);
    std::sort(got.begin(), got.end());
    QList<QUuid> expected{a->id(), c->id()};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(got, expected);
    // Tagged datasets keep their RUN.
    for (const DatasetRef& ref : page->refs)
        QCOMPARE(ref.run(), QStringLiteral("r1"));

    // After disassociating A, B may take its place.
    BUTLER_VERIFY_OK(registry().disassociate(QStringLiteral("t"), {a->id()}));
    BUTLER_VERIFY_OK(registry().associate(QStringLiteral("t"), {b->id(), d->id()}));
    auto found = registry().findDataset(QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0),
                                        {QStringLiteral("t")}, {});
    BUTLER_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id(), b->id());
    QCOMPARE((*found)->run(), QStringLiteral("r2"));
}

void TestRegistryCollections::associateErrors()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("cal"), CollectionType::Calibration, {}));
    auto a = m_f->insertOne(QStringLiteral("r1"), QStringLiteral("raw"), RegistryFixture::rawDataId(101, 0));
    BUTLER_VERIFY_OK(a);
    BUTLER_VERIFY_ERROR(registry().associate(QStringLiteral("r1"), {a->id()}), ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().associate(QStringLiteral("cal"), {a->id()}), ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().associate(QStringLiteral("nope"), {a->id()}), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().associate(QStringLiteral("t"), {QUuid::createUuid()}),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().disassociate(QStringLiteral("r1"), {a->id()}), ErrorKind::InvalidInput);
}

void TestRegistryCollections::chainModes_data()
{
    QTest::addColumn<QStringList>("initial");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("errorKind"); // empty: success

    const QString r1 = QStringLiteral("r1"), r2 = QStringLiteral("r2"), r3 = QStringLiteral("r3"),
                  r4 = QStringLiteral("r4");
    const QString ok;
    const QString invalid = errorKindName(ErrorKind::InvalidInput);
    const QString notFound = errorKindName(ErrorKind::NotFound);
    QTest::newRow("redefine") << QStringList{r1, r2} << int(ChainMode::Redefine) << QStringList{r3, r1}
                              << QStringList{r3, r1} << ok;
    QTest::newRow("redefine to empty")
        << QStringList{r1, r2} << int(ChainMode::Redefine) << QStringList{} << QStringList{} << ok;
    QTest::newRow("extend") << QStringList{r1, r2} << int(ChainMode::Extend) << QStringList{r3, r4}
                            << QStringList{r1, r2, r3, r4} << ok;
    QTest::newRow("prepend") << QStringList{r1, r2} << int(ChainMode::Prepend) << QStringList{r3, r4}
                             << QStringList{r3, r4, r1, r2} << ok;
    QTest::newRow("remove") << QStringList{r1, r2, r3} << int(ChainMode::Remove) << QStringList{r2}
                            << QStringList{r1, r3} << ok;
    QTest::newRow("remove two") << QStringList{r1, r2, r3} << int(ChainMode::Remove) << QStringList{r3, r1}
                                << QStringList{r2} << ok;
    QTest::newRow("remove absent") << QStringList{r1, r2} << int(ChainMode::Remove) << QStringList{r3}
                                   << QStringList{r1, r2} << notFound;
    QTest::newRow("pop default") << QStringList{r1, r2, r3} << int(ChainMode::Pop) << QStringList{}
                                 << QStringList{r2, r3} << ok;
    QTest::newRow("pop index") << QStringList{r1, r2, r3} << int(ChainMode::Pop)
                               << QStringList{QStringLiteral("2")} << QStringList{r1, r2} << ok;
    QTest::newRow("pop two") << QStringList{r1, r2, r3} << int(ChainMode::Pop)
                             << QStringList{QStringLiteral("0"), QStringLiteral("2")} << QStringList{r2}
                             << ok;
    QTest::newRow("pop out of range") << QStringList{r1, r2} << int(ChainMode::Pop)
                                      << QStringList{QStringLiteral("2")} << QStringList{r1, r2} << invalid;
    QTest::newRow("pop negative") << QStringList{r1, r2} << int(ChainMode::Pop)
                                  << QStringList{QStringLiteral("-1")} << QStringList{r1, r2} << invalid;
    QTest::newRow("pop by name") << QStringList{r1, r2} << int(ChainMode::Pop) << QStringList{r1}
                                 << QStringList{r1, r2} << invalid;
    QTest::newRow("unknown child") << QStringList{r1} << int(ChainMode::Extend)
                                   << QStringList{QStringLiteral("nope")} << QStringList{r1} << notFound;
    QTest::newRow("glob child") << QStringList{r1} << int(ChainMode::Extend)
                                << QStringList{QStringLiteral("r*")} << QStringList{r1} << invalid;
}

void TestRegistryCollections::chainModes()
{
    QFETCH(QStringList, initial);
    QFETCH(int, mode);
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, expected);
    QFETCH(QString, errorKind);

    BUTLER_VERIFY_OK(
        makeRuns({QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("r3"), QStringLiteral("r4")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("c"), initial));
    QCOMPARE(childrenOf(QStringLiteral("c")), initial);
    const Status status =
        registry().setCollectionChain(QStringLiteral("c"), arguments, ChainMode(mode), false, {});
    if (errorKind.isEmpty()) {
        BUTLER_VERIFY_OK(status);
    } else {
        QVERIFY(!status.ok());
        QCOMPARE(status.error().kindName(), errorKind);
    }
    QCOMPARE(childrenOf(QStringLiteral("c")), expected);
    auto info = registry().getCollection(QStringLiteral("c"));
    BUTLER_VERIFY_OK(info);
    QCOMPARE(info->type, CollectionType::Chained);
}

void TestRegistryCollections::chainCreatedByExtendAndPrepend()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1"), QStringLiteral("r2")}));
    BUTLER_VERIFY_OK(registry().setCollectionChain(QStringLiteral("e"), {QStringLiteral("r1")},
                                                   ChainMode::Extend, false,
                                                   QStringLiteral("made by extend")));
    BUTLER_VERIFY_OK(
        chain(QStringLiteral("p"), {QStringLiteral("r2"), QStringLiteral("r1")}, ChainMode::Prepend));
    QCOMPARE(childrenOf(QStringLiteral("e")), QStringList{QStringLiteral("r1")});
    QCOMPARE(childrenOf(QStringLiteral("p")), (QStringList{QStringLiteral("r2"), QStringLiteral("r1")}));
    auto info = registry().getCollection(QStringLiteral("e"));
    BUTLER_VERIFY_OK(info);
    QCOMPARE(info->doc, QStringLiteral("made by extend"));
    // Remove and pop need an existing chain.
    BUTLER_VERIFY_ERROR(chain(QStringLiteral("x"), {QStringLiteral("r1")}, ChainMode::Remove),
                        ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(chain(QStringLiteral("y"), {}, ChainMode::Pop), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().getCollection(QStringLiteral("x")), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().getCollection(QStringLiteral("y")), ErrorKind::NotFound);
}

void TestRegistryCollections::chainChildrenStayUnique()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("r3")}));
    BUTLER_VERIFY_OK(
        chain(QStringLiteral("c"), {QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("r1")}));
    QCOMPARE(childrenOf(QStringLiteral("c")), (QStringList{QStringLiteral("r1"), QStringLiteral("r2")}));
    for (ChainMode mode : {ChainMode::Extend, ChainMode::Prepend}) {
        BUTLER_VERIFY_OK(chain(QStringLiteral("c"), {QStringLiteral("r2"), QStringLiteral("r3")}, mode));
        const QStringList children = childrenOf(QStringLiteral("c"));
        QCOMPARE(QSet<QString>(children.begin(), children.end()).size(), children.size());
        QCOMPARE(RegistryFixture::sorted(children),
                 (QStringList{QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("r3")}));
    }
}

void TestRegistryCollections::chainErrors()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    // A chain over an existing collection of another type.
    BUTLER_VERIFY_ERROR(chain(QStringLiteral("r1"), {}), ErrorKind::Conflict);
    auto info = registry().getCollection(QStringLiteral("r1"));
    BUTLER_VERIFY_OK(info);
    QCOMPARE(info->type, CollectionType::Run);
}

void TestRegistryCollections::nestedChainsAndFlatten()
{
    BUTLER_VERIFY_OK(
        makeRuns({QStringLiteral("r1"), QStringLiteral("r2"), QStringLiteral("r3"), QStringLiteral("r4")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("c1"), {QStringLiteral("r1"), QStringLiteral("r2")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("c2"), {QStringLiteral("r3"), QStringLiteral("c1")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("c3"), {QStringLiteral("c2"), QStringLiteral("r1"),
                                                  QStringLiteral("t"), QStringLiteral("r4")}));
    QCOMPARE(childrenOf(QStringLiteral("c3")), (QStringList{QStringLiteral("c2"), QStringLiteral("r1"),
                                                            QStringLiteral("t"), QStringLiteral("r4")}));

    // Depth first, in order, each leaf once (its first place wins).
    const QStringList leaves{QStringLiteral("r3"), QStringLiteral("r1"), QStringLiteral("r2"),
                             QStringLiteral("t"), QStringLiteral("r4")};
    auto flat = registry().flattenCollections({QStringLiteral("c3")});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(*flat, leaves);

    BUTLER_VERIFY_OK(registry().setCollectionChain(QStringLiteral("flat"), {QStringLiteral("c3")},
                                                   ChainMode::Redefine, true, {}));
    QCOMPARE(childrenOf(QStringLiteral("flat")), leaves);

    // A flattened chain is a copy: changing c1 afterwards changes c3's search, not flat's.
    BUTLER_VERIFY_OK(chain(QStringLiteral("c1"), {QStringLiteral("r2")}));
    QCOMPARE(childrenOf(QStringLiteral("flat")), leaves);
    flat = registry().flattenCollections({QStringLiteral("c3")});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(*flat, (QStringList{QStringLiteral("r3"), QStringLiteral("r2"), QStringLiteral("r1"),
                                 QStringLiteral("t"), QStringLiteral("r4")}));

    // queryCollections can list what chains reach.
    CollectionQuery query;
    query.globs = {QStringLiteral("c2")};
    query.flattenChains = true;
    auto listed = registry().queryCollections(query);
    BUTLER_VERIFY_OK(listed);
    QCOMPARE(names(*listed), (QStringList{QStringLiteral("c2"), QStringLiteral("r3"), QStringLiteral("r2")}));
}

void TestRegistryCollections::cyclesRejected_data()
{
    QTest::addColumn<QString>("parent");
    QTest::addColumn<QStringList>("children");
    QTest::addColumn<int>("mode");

    // Chains: a = [r1], b = [a], c = [b, r2].
    QTest::newRow("self, redefine") << QStringLiteral("a")
                                    << QStringList{QStringLiteral("r1"), QStringLiteral("a")}
                                    << int(ChainMode::Redefine);
    QTest::newRow("self, extend") << QStringLiteral("a") << QStringList{QStringLiteral("a")}
                                  << int(ChainMode::Extend);
    QTest::newRow("self, prepend") << QStringLiteral("b") << QStringList{QStringLiteral("b")}
                                   << int(ChainMode::Prepend);
    QTest::newRow("through one chain")
        << QStringLiteral("a") << QStringList{QStringLiteral("b")} << int(ChainMode::Extend);
    QTest::newRow("through two chains")
        << QStringLiteral("a") << QStringList{QStringLiteral("c")} << int(ChainMode::Prepend);
    QTest::newRow("through two chains, redefine")
        << QStringLiteral("a") << QStringList{QStringLiteral("r2"), QStringLiteral("c")}
        << int(ChainMode::Redefine);
    QTest::newRow("through one chain, from the middle")
        << QStringLiteral("b") << QStringList{QStringLiteral("c")} << int(ChainMode::Extend);
}

void TestRegistryCollections::cyclesRejected()
{
    QFETCH(QString, parent);
    QFETCH(QStringList, children);
    QFETCH(int, mode);

    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1"), QStringLiteral("r2")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("a"), {QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("b"), {QStringLiteral("a")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("c"), {QStringLiteral("b"), QStringLiteral("r2")}));
    const QStringList before = childrenOf(parent);

    BUTLER_VERIFY_ERROR(registry().setCollectionChain(parent, children, ChainMode(mode), false, {}),
                        ErrorKind::Conflict);
    QCOMPARE(childrenOf(parent), before);
    // Searches still end.
    auto flat = registry().flattenCollections({QStringLiteral("c")});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(*flat, (QStringList{QStringLiteral("r1"), QStringLiteral("r2")}));

    // Flattened, the same children are the leaves they reach now: no chain refers back, so
    // the change may go through, but it must not leave a cycle behind.
    (void)registry().setCollectionChain(parent, children, ChainMode(mode), true, {});
    for (const char* name : {"a", "b", "c"}) {
        auto leaves = registry().flattenCollections({QString::fromLatin1(name)});
        BUTLER_VERIFY_OK(leaves);
        QVERIFY(!leaves->contains(QString::fromLatin1(name)));
    }
}

void TestRegistryCollections::diamondIsNotACycle()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("a"), {QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("b"), {QStringLiteral("a")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("d"), {QStringLiteral("a"), QStringLiteral("b")}));
    BUTLER_VERIFY_OK(
        chain(QStringLiteral("e"), {QStringLiteral("d"), QStringLiteral("b"), QStringLiteral("a")}));
    auto flat = registry().flattenCollections({QStringLiteral("e")});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(*flat, QStringList{QStringLiteral("r1")});
}

void TestRegistryCollections::globSearches_data()
{
    QTest::addColumn<QStringList>("globs");
    QTest::addColumn<QList<int>>("types");
    QTest::addColumn<bool>("includeChains");
    QTest::addColumn<QStringList>("expected");

    const QList<int> all;
    QTest::newRow("everything") << QStringList{} << all << true
                                << QStringList{
                                       QStringLiteral("calib/x"),      QStringLiteral("u/alice/chain"),
                                       QStringLiteral("u/alice/run1"), QStringLiteral("u/alice/run2"),
                                       QStringLiteral("u/alice/tag"),  QStringLiteral("u/bob/run1")};
    QTest::newRow("star") << QStringList{QStringLiteral("u/alice/*")} << all << true
                          << QStringList{QStringLiteral("u/alice/chain"), QStringLiteral("u/alice/run1"),
                                         QStringLiteral("u/alice/run2"), QStringLiteral("u/alice/tag")};
    QTest::newRow("star in the middle")
        << QStringList{QStringLiteral("u/*/run1")} << all << true
        << QStringList{QStringLiteral("u/alice/run1"), QStringLiteral("u/bob/run1")};
    QTest::newRow("question mark") << QStringList{QStringLiteral("u/alice/run?")} << all << true
                                   << QStringList{QStringLiteral("u/alice/run1"),
                                                  QStringLiteral("u/alice/run2")};
    QTest::newRow("class") << QStringList{QStringLiteral("u/[ab]*/run1")} << all << true
                           << QStringList{QStringLiteral("u/alice/run1"), QStringLiteral("u/bob/run1")};
    QTest::newRow("two globs, sorted once")
        << QStringList{QStringLiteral("u/bob/*"), QStringLiteral("u/*/run1")} << all << true
        << QStringList{QStringLiteral("u/alice/run1"), QStringLiteral("u/bob/run1")};
    QTest::newRow("exact name") << QStringList{QStringLiteral("calib/x")} << all << true
                                << QStringList{QStringLiteral("calib/x")};
    QTest::newRow("runs only") << QStringList{QStringLiteral("u/*")} << QList<int>{int(CollectionType::Run)}
                               << true
                               << QStringList{QStringLiteral("u/alice/run1"), QStringLiteral("u/alice/run2"),
                                              QStringLiteral("u/bob/run1")};
    QTest::newRow("tagged and calibration")
        << QStringList{} << QList<int>{int(CollectionType::Tagged), int(CollectionType::Calibration)} << true
        << QStringList{QStringLiteral("calib/x"), QStringLiteral("u/alice/tag")};
    QTest::newRow("without chains") << QStringList{QStringLiteral("u/alice/*")} << all << false
                                    << QStringList{QStringLiteral("u/alice/run1"),
                                                   QStringLiteral("u/alice/run2"),
                                                   QStringLiteral("u/alice/tag")};
    QTest::newRow("no match") << QStringList{QStringLiteral("nomatch*")} << all << true << QStringList{};
    // A regular expression is just a glob that matches nothing here.
    QTest::newRow("regex is not a regex")
        << QStringList{QStringLiteral("u/.*")} << all << true << QStringList{};
}

void TestRegistryCollections::globSearches()
{
    QFETCH(QStringList, globs);
    QFETCH(QList<int>, types);
    QFETCH(bool, includeChains);
    QFETCH(QStringList, expected);

    BUTLER_VERIFY_OK(makeRuns(
        {QStringLiteral("u/alice/run1"), QStringLiteral("u/alice/run2"), QStringLiteral("u/bob/run1")}));
    BUTLER_VERIFY_OK(
        registry().registerCollection(QStringLiteral("u/alice/tag"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_OK(
        registry().registerCollection(QStringLiteral("calib/x"), CollectionType::Calibration, {}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("u/alice/chain"),
                           {QStringLiteral("u/alice/run2"), QStringLiteral("u/alice/run1")}));

    CollectionQuery query;
    query.globs = globs;
    for (int t : types)
        query.types << CollectionType(t);
    query.includeChains = includeChains;
    auto result = registry().queryCollections(query);
    BUTLER_VERIFY_OK(result);
    QCOMPARE(names(*result), expected);
}

void TestRegistryCollections::flattenGlobs()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("u/alice/run1"), QStringLiteral("u/alice/run2")}));
    BUTLER_VERIFY_OK(
        registry().registerCollection(QStringLiteral("u/alice/tag"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("u/alice/chain"),
                           {QStringLiteral("u/alice/run2"), QStringLiteral("u/alice/run1")}));
    // Matches in name order; the chain comes first and contributes run2, run1.
    auto flat = registry().flattenCollections({QStringLiteral("u/alice/*")});
    BUTLER_VERIFY_OK(flat);
    QCOMPARE(*flat, (QStringList{QStringLiteral("u/alice/run2"), QStringLiteral("u/alice/run1"),
                                 QStringLiteral("u/alice/tag")}));
    flat = registry().flattenCollections({QStringLiteral("nomatch*")});
    BUTLER_VERIFY_OK(flat);
    QVERIFY(flat->isEmpty());
    BUTLER_VERIFY_ERROR(registry().flattenCollections({QStringLiteral("u/alice/nope")}), ErrorKind::NotFound);
}

void TestRegistryCollections::badGlob()
{
    CollectionQuery query;
    query.globs = {QStringLiteral("u/[ab")};
    BUTLER_VERIFY_ERROR(registry().queryCollections(query), ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().flattenCollections({QStringLiteral("u/[ab")}), ErrorKind::InvalidInput);
}

void TestRegistryCollections::datasetQueryWithGlobCollections()
{
    BUTLER_VERIFY_OK(makeRuns(
        {QStringLiteral("u/alice/run1"), QStringLiteral("u/bob/run1"), QStringLiteral("u/bob/run2")}));
    BUTLER_VERIFY_OK(m_f->insertRaws(QStringLiteral("u/alice/run1"), {101}, {0}));
    BUTLER_VERIFY_OK(m_f->insertRaws(QStringLiteral("u/bob/run1"), {102}, {0}));
    BUTLER_VERIFY_OK(m_f->insertRaws(QStringLiteral("u/bob/run2"), {103}, {0}));
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("raw")};
    query.collections = {QStringLiteral("u/*/run1")};
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::sorted(RegistryFixture::rawKeys(page->refs)),
             RegistryFixture::sorted(RegistryFixture::rawKeys({101, 102}, {0})));
}

void TestRegistryCollections::removeChildOfChainRefused()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("cal"), CollectionType::Calibration, {}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("inner"), {QStringLiteral("t"), QStringLiteral("cal")}));
    BUTLER_VERIFY_OK(chain(QStringLiteral("outer"), {QStringLiteral("inner"), QStringLiteral("r1")}));

    BUTLER_VERIFY_ERROR(registry().removeCollection(QStringLiteral("t")), ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(registry().removeCollection(QStringLiteral("cal")), ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(registry().removeCollection(QStringLiteral("inner")), ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(registry().removeRun(QStringLiteral("r1")), ErrorKind::Conflict);
    for (const char* name : {"t", "cal", "inner", "outer", "r1"})
        BUTLER_VERIFY_OK(registry().getCollection(QString::fromLatin1(name)));

    // Out of the chain, they can go; removing a chain leaves its children.
    BUTLER_VERIFY_OK(chain(QStringLiteral("inner"), {QStringLiteral("t")}, ChainMode::Remove));
    BUTLER_VERIFY_OK(registry().removeCollection(QStringLiteral("t")));
    BUTLER_VERIFY_OK(registry().removeCollection(QStringLiteral("outer")));
    BUTLER_VERIFY_OK(registry().removeCollection(QStringLiteral("inner")));
    BUTLER_VERIFY_OK(registry().removeRun(QStringLiteral("r1")));
    auto left = registry().queryCollections({});
    BUTLER_VERIFY_OK(left);
    QCOMPARE(names(*left), QStringList{QStringLiteral("cal")});
}

void TestRegistryCollections::removeWrongKind()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_ERROR(registry().removeCollection(QStringLiteral("r1")), ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().removeRun(QStringLiteral("t")), ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().removeRun(QStringLiteral("nope")), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().removeCollection(QStringLiteral("nope")), ErrorKind::NotFound);
}

void TestRegistryCollections::removeRunRemovesDatasets()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1"), QStringLiteral("r2")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("cal"), CollectionType::Calibration, {}));
    auto doomed = m_f->insertRaws(QStringLiteral("r1"), {101, 102}, {0, 1});
    auto kept = m_f->insertRaws(QStringLiteral("r2"), {103}, {0, 1});
    auto bias =
        m_f->insertOne(QStringLiteral("r1"), QStringLiteral("bias"), RegistryFixture::detectorDataId(0));
    BUTLER_VERIFY_OK(doomed);
    BUTLER_VERIFY_OK(kept);
    BUTLER_VERIFY_OK(bias);
    BUTLER_VERIFY_OK(registry().associate(QStringLiteral("t"),
                                          {doomed->at(0).id(), doomed->at(3).id(), kept->at(1).id()}));
    BUTLER_VERIFY_OK(registry().certify(QStringLiteral("cal"), {bias->id()}, Timespan(t0(), t1())));
    BUTLER_VERIFY_OK(registry().insertFileRecords(
        {StoredFileRecord{doomed->at(0).id(), QStringLiteral("r1/raw/x.fits"), QStringLiteral("fits"),
                          QStringLiteral("Exposure"), 10, QStringLiteral("sha256:00")}}));

    BUTLER_VERIFY_OK(registry().removeRun(QStringLiteral("r1")));

    BUTLER_VERIFY_ERROR(registry().getCollection(QStringLiteral("r1")), ErrorKind::NotFound);
    for (const DatasetRef& ref : *doomed)
        BUTLER_VERIFY_ERROR(registry().getDataset(ref.id()), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().getDataset(bias->id()), ErrorKind::NotFound);
    auto records = registry().fileRecords({doomed->at(0).id()});
    BUTLER_VERIFY_OK(records);
    QVERIFY(records->isEmpty());

    // Their TAGGED and CALIBRATION memberships went with them.
    DatasetQuery query;
    query.collections = {QStringLiteral("t"), QStringLiteral("cal")};
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QCOMPARE(RegistryFixture::ids(page->refs), QList<QUuid>{kept->at(1).id()});
    QVERIFY(biasAt(t0()).isNull());

    // The other run is untouched, and the name can be used again.
    auto inR2 = registry().datasetsInRun(QStringLiteral("r2"));
    BUTLER_VERIFY_OK(inR2);
    QCOMPARE(inR2->size(), 2);
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(m_f->insertRaws(QStringLiteral("r1"), {101, 102}, {0, 1}));
}

void TestRegistryCollections::removeTaggedKeepsDatasets()
{
    BUTLER_VERIFY_OK(makeRuns({QStringLiteral("r1")}));
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    auto refs = m_f->insertRaws(QStringLiteral("r1"), {101}, {0, 1});
    BUTLER_VERIFY_OK(refs);
    BUTLER_VERIFY_OK(registry().associate(QStringLiteral("t"), RegistryFixture::ids(*refs)));
    BUTLER_VERIFY_OK(registry().removeCollection(QStringLiteral("t")));
    auto inRun = registry().datasetsInRun(QStringLiteral("r1"));
    BUTLER_VERIFY_OK(inRun);
    QCOMPARE(inRun->size(), 2);
    // A new TAGGED collection of the same name starts empty.
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    DatasetQuery query;
    query.collections = {QStringLiteral("t")};
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QVERIFY(page->refs.isEmpty());
}

void TestRegistryCollections::certifyOverlap_data()
{
    QTest::addColumn<qint64>("existingBegin");
    QTest::addColumn<qint64>("existingEnd");
    QTest::addColumn<qint64>("newBegin");
    QTest::addColumn<qint64>("newEnd");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("disjoint, after") << t0() << t1() << t2() << t3() << true;
    QTest::newRow("disjoint, before") << t2() << t3() << t0() << t1() << true;
    QTest::newRow("adjacent, after") << t0() << t1() << t1() << t2() << true;
    QTest::newRow("adjacent, before") << t1() << t2() << t0() << t1() << true;
    QTest::newRow("adjacent, unbounded both ways") << NoBegin << t1() << t1() << NoEnd << true;
    QTest::newRow("overlaps the end") << t0() << t2() << t1() << t3() << false;
    QTest::newRow("overlaps the begin") << t1() << t3() << t0() << t2() << false;
    QTest::newRow("inside") << t0() << t3() << t1() << t2() << false;
    QTest::newRow("contains") << t1() << t2() << t0() << t3() << false;
    QTest::newRow("identical") << t0() << t1() << t0() << t1() << false;
    QTest::newRow("one nanosecond") << t0() << t1() << t1() - 1 << t2() << false;
    QTest::newRow("existing unbounded") << NoBegin << NoEnd << t1() << t2() << false;
    QTest::newRow("new unbounded") << t1() << t2() << NoBegin << NoEnd << false;
    QTest::newRow("both unbounded at the end") << t0() << NoEnd << t3() << NoEnd << false;
}

void TestRegistryCollections::certifyOverlap()
{
    QFETCH(qint64, existingBegin);
    QFETCH(qint64, existingEnd);
    QFETCH(qint64, newBegin);
    QFETCH(qint64, newEnd);
    QFETCH(bool, accepted);

    BUTLER_VERIFY_OK(makeBiases());
    BUTLER_VERIFY_OK(
        registry().certify(QStringLiteral("calib/cal"), {m_a.id()}, Timespan(existingBegin, existingEnd)));
    const Status status =
        registry().certify(QStringLiteral("calib/cal"), {m_b.id()}, Timespan(newBegin, newEnd));
    if (accepted) {
        BUTLER_VERIFY_OK(status);
        QCOMPARE(biasAt(newBegin == NoBegin ? newEnd - 1 : newBegin), m_b.id());
        QCOMPARE(biasAt(existingBegin == NoBegin ? existingEnd - 1 : existingBegin), m_a.id());
    } else {
        BUTLER_VERIFY_ERROR(status, ErrorKind::Conflict);
        const qint64 probe = newBegin == NoBegin ? newEnd - 1 : newBegin;
        QVERIFY(biasAt(probe) != m_b.id());
    }
    // Overlap is per data ID: detector 1 takes the same range as A without trouble.
    BUTLER_VERIFY_OK(
        registry().certify(QStringLiteral("calib/cal"), {m_c.id()}, Timespan(existingBegin, existingEnd)));
}

void TestRegistryCollections::certifyErrors()
{
    BUTLER_VERIFY_OK(makeBiases());
    BUTLER_VERIFY_OK(registry().registerCollection(QStringLiteral("t"), CollectionType::Tagged, {}));
    const Timespan range(t0(), t1());
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("t"), {m_a.id()}, range), ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/run1"), {m_a.id()}, range),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("nope"), {m_a.id()}, range), ErrorKind::NotFound);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/cal"), {m_a.id()}, Timespan(t1(), t1())),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/cal"), {m_a.id()}, Timespan(t1(), t0())),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/cal"), {QUuid::createUuid()}, range),
                        ErrorKind::NotFound);
    auto raw = m_f->insertOne(QStringLiteral("calib/run1"), QStringLiteral("raw"),
                              RegistryFixture::rawDataId(101, 0));
    BUTLER_VERIFY_OK(raw);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/cal"), {raw->id()}, range),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().decertify(QStringLiteral("t"), QStringLiteral("bias"), range, {}),
                        ErrorKind::InvalidInput);
    BUTLER_VERIFY_ERROR(registry().decertify(QStringLiteral("calib/cal"), QStringLiteral("nope"), range, {}),
                        ErrorKind::NotFound);
    QVERIFY(biasAt(t0()).isNull());
}

void TestRegistryCollections::certifyBatchIsAtomic()
{
    BUTLER_VERIFY_OK(makeBiases());
    // A and B have the same data ID: certifying both for one range fails as a whole.
    BUTLER_VERIFY_ERROR(
        registry().certify(QStringLiteral("calib/cal"), {m_c.id(), m_a.id(), m_b.id()}, Timespan(t0(), t1())),
        ErrorKind::Conflict);
    QVERIFY(biasAt(t0(), 0).isNull());
    QVERIFY(biasAt(t0(), 1).isNull());
    // The same dataset may hold several disjoint ranges.
    BUTLER_VERIFY_OK(
        registry().certify(QStringLiteral("calib/cal"), {m_a.id(), m_c.id()}, Timespan(t0(), t1())));
    BUTLER_VERIFY_OK(registry().certify(QStringLiteral("calib/cal"), {m_a.id()}, Timespan(t2(), t3())));
    QCOMPARE(biasAt(t0()), m_a.id());
    QVERIFY(biasAt(t1()).isNull());
    QCOMPARE(biasAt(t2()), m_a.id());
    QCOMPARE(biasAt(t0(), 1), m_c.id());
}

void TestRegistryCollections::decertify_data()
{
    QTest::addColumn<qint64>("begin");
    QTest::addColumn<qint64>("end");
    QTest::addColumn<QList<qint64>>("present");
    QTest::addColumn<QList<qint64>>("absent");

    // A is certified for [t0, t3) before each row.
    const QList<qint64> inside{t0(), t1() - 1, t1(), t2() - 1, t2(), t3() - 1};
    const QList<qint64> outside{t0() - 1, t3()};
    QTest::newRow("the whole range") << t0() << t3() << QList<qint64>{} << inside + outside;
    QTest::newRow("more than the range") << NoBegin << NoEnd << QList<qint64>{} << inside + outside;
    QTest::newRow("middle: split in two") << t1() << t2() << QList<qint64>{t0(), t1() - 1, t2(), t3() - 1}
                                          << QList<qint64>{t1(), t2() - 1, t3(), t0() - 1};
    QTest::newRow("trim the end") << t2() << NoEnd << QList<qint64>{t0(), t1(), t2() - 1}
                                  << QList<qint64>{t2(), t3() - 1, t3()};
    QTest::newRow("trim the end, exactly")
        << t2() << t3() << QList<qint64>{t0(), t2() - 1} << QList<qint64>{t2(), t3() - 1};
    QTest::newRow("trim the begin") << NoBegin << t1() << QList<qint64>{t1(), t2(), t3() - 1}
                                    << QList<qint64>{t0(), t1() - 1, t0() - 1};
    QTest::newRow("adjacent before: nothing") << NoBegin << t0() << inside << outside;
    QTest::newRow("adjacent after: nothing") << t3() << NoEnd << inside << outside;
}

void TestRegistryCollections::decertify()
{
    QFETCH(qint64, begin);
    QFETCH(qint64, end);
    QFETCH(QList<qint64>, present);
    QFETCH(QList<qint64>, absent);

    BUTLER_VERIFY_OK(makeBiases());
    BUTLER_VERIFY_OK(registry().certify(QStringLiteral("calib/cal"), {m_a.id()}, Timespan(t0(), t3())));
    BUTLER_VERIFY_OK(
        registry().decertify(QStringLiteral("calib/cal"), QStringLiteral("bias"), Timespan(begin, end), {}));
    for (qint64 t : present)
        QVERIFY2(biasAt(t) == m_a.id(),
                 qPrintable(QStringLiteral("A missing at %1").arg(TaiTime::toIsoUtc(t))));
    for (qint64 t : absent)
        QVERIFY2(biasAt(t).isNull(),
                 qPrintable(QStringLiteral("something certified at %1").arg(TaiTime::toIsoUtc(t))));
    // Decertifying the same range again changes nothing.
    BUTLER_VERIFY_OK(
        registry().decertify(QStringLiteral("calib/cal"), QStringLiteral("bias"), Timespan(begin, end), {}));
    for (qint64 t : present)
        QCOMPARE(biasAt(t), m_a.id());
}

void TestRegistryCollections::decertifyOnlyGivenDataIds()
{
    BUTLER_VERIFY_OK(makeBiases());
    BUTLER_VERIFY_OK(
        registry().certify(QStringLiteral("calib/cal"), {m_a.id(), m_c.id()}, Timespan(t0(), t3())));
    auto detector0 = DataCoordinate::fromMap(m_f->universe(), RegistryFixture::biasType().dimensions(),
                                             RegistryFixture::detectorDataId(0));
    BUTLER_VERIFY_OK(detector0);
    BUTLER_VERIFY_OK(registry().decertify(QStringLiteral("calib/cal"), QStringLiteral("bias"),
                                          Timespan(t1(), t2()), {*detector0}));
    QVERIFY(biasAt(t1(), 0).isNull());
    QCOMPARE(biasAt(t0(), 0), m_a.id());
    QCOMPARE(biasAt(t2(), 0), m_a.id());
    QCOMPARE(biasAt(t1(), 1), m_c.id());
}

void TestRegistryCollections::decertifyThenCertifyIntoTheHole()
{
    BUTLER_VERIFY_OK(makeBiases());
    BUTLER_VERIFY_OK(registry().certify(QStringLiteral("calib/cal"), {m_a.id()}, Timespan(t0(), t3())));
    BUTLER_VERIFY_OK(
        registry().decertify(QStringLiteral("calib/cal"), QStringLiteral("bias"), Timespan(t1(), t2()), {}));
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/cal"), {m_b.id()}, Timespan(t1() - 1, t2())),
                        ErrorKind::Conflict);
    BUTLER_VERIFY_ERROR(registry().certify(QStringLiteral("calib/cal"), {m_b.id()}, Timespan(t1(), t2() + 1)),
                        ErrorKind::Conflict);
    BUTLER_VERIFY_OK(registry().certify(QStringLiteral("calib/cal"), {m_b.id()}, Timespan(t1(), t2())));
    QCOMPARE(biasAt(t1() - 1), m_a.id());
    QCOMPARE(biasAt(t1()), m_b.id());
    QCOMPARE(biasAt(t2() - 1), m_b.id());
    QCOMPARE(biasAt(t2()), m_a.id());
}

void TestRegistryCollections::calibrationQueryListsEachDatasetOnce()
{
    // After a split, A holds two validity ranges; a (non find-first) query lists each dataset
    // once, as it does for every other kind of collection.
    BUTLER_VERIFY_OK(makeBiases());
    BUTLER_VERIFY_OK(
        registry().certify(QStringLiteral("calib/cal"), {m_a.id(), m_c.id()}, Timespan(t0(), t3())));
    BUTLER_VERIFY_OK(
        registry().decertify(QStringLiteral("calib/cal"), QStringLiteral("bias"), Timespan(t1(), t2()), {}));
    DatasetQuery query;
    query.datasetTypes = {QStringLiteral("bias")};
    query.collections = {QStringLiteral("calib/cal")};
    auto page = registry().queryDatasets(query);
    BUTLER_VERIFY_OK(page);
    QList<QUuid> got = RegistryFixture::ids(page->refs);
    std::sort(got.begin(), got.end());
    QList<QUuid> expected{m_a.id(), m_c.id()};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(got, expected);
}

QTEST_GUILESS_MAIN(TestRegistryCollections)
#include "tst_registrycollections.moc"
