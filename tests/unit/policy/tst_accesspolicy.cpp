// The decision matrix of AccessPolicy: every namespace kind x every role x read, write and
// ACL edit, with the expected answers written out row by row.

#include "AccessPolicy.h"

#include <QJsonArray>
#include <QTest>

using namespace butler;

namespace {

constexpr qint64 Now = 1'750'000'000; // 2025-06-15T15:06:40Z
constexpr qint64 Day = 86400;

PolicyConfig config()
{
    PolicyConfig c;
    c.adminGroup = QStringLiteral("admins");
    c.dataRightsGroup = QStringLiteral("data-rights");
    return c;
}

// The roles of the matrix, in the order of the expectation columns.
const QStringList& roles()
{
    static const QStringList r{QStringLiteral("owner"),   QStringLiteral("member"),
                               QStringLiteral("granted"), QStringLiteral("data-rights"),
                               QStringLiteral("other"),   QStringLiteral("admin")};
    return r;
}

Identity identityFor(const QString& role)
{
    const AccessPolicy policy(config());
    Identity id;
    if (role == QLatin1String("owner"))
        id = {QStringLiteral("alice"), {QStringLiteral("cosmo")}};
    else if (role == QLatin1String("member"))
        id = {QStringLiteral("gina"), {QStringLiteral("cosmo")}};
    else if (role == QLatin1String("granted"))
        id = {QStringLiteral("carl"), {QStringLiteral("partners")}};
    else if (role == QLatin1String("data-rights"))
        id = {QStringLiteral("dora"), {QStringLiteral("data-rights")}};
    else if (role == QLatin1String("other"))
        id = {QStringLiteral("eve"), {QStringLiteral("misc")}};
    else if (role == QLatin1String("admin"))
        id = {QStringLiteral("adam"), {QStringLiteral("admins")}};
    return policy.withRoles(id);
}

} // namespace

class TestAccessPolicy : public QObject
{
    Q_OBJECT

private slots:
    void matrix_data();
    void matrix();
    void proprietaryBoundary();
    void namespaceParsing_data();
    void namespaceParsing();
    void withRolesUsesConfiguredGroups();
    void datasetTypeAndDimensionPermissions_data();
    void datasetTypeAndDimensionPermissions();
    void deniedMessagesSayWhy();
    void aclJson();
};

void TestAccessPolicy::matrix_data()
{
    QTest::addColumn<QString>("collection");
    QTest::addColumn<QStringList>("readers");
    QTest::addColumn<qint64>("releaseDate");
    QTest::addColumn<qint64>("proprietaryUntil"); // 0: none
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("expected"); // read, write, ACL edit: "rwe" with '-' for no

    struct Case
    {
        const char* tag;
        const char* collection;
        QStringList readers;
        qint64 releaseDate;
        qint64 proprietaryUntil;
        // owner (alice, cosmo), member (gina, cosmo), granted (carl, partners),
        // data-rights (dora), other (eve), admin (adam)
        QStringList expected;
    };
    const QStringList partners{QStringLiteral("partners")};
    const QList<Case> cases{
        {"u/own", "u/alice/run", partners, Now, 0, {"rwe", "---", "r--", "---", "---", "rwe"}},
        {"u/own-nested", "u/alice/a/b/c", {}, Now, 0, {"rwe", "---", "---", "---", "---", "rwe"}},
        {"u/own-root", "u/alice", {}, Now, 0, {"rwe", "---", "---", "---", "---", "rwe"}},
        {"u/other", "u/bob/run", partners, Now, 0, {"---", "---", "r--", "---", "---", "rwe"}},
        {"u/other-ungranted", "u/bob/private", {}, Now, 0, {"---", "---", "---", "---", "---", "rwe"}},
        {"u/prefix-of-owner", "u/alicex/run", {}, Now, 0, {"---", "---", "---", "---", "---", "rwe"}},
        {"g/member", "g/cosmo/run", partners, Now, 0, {"rwe", "rwe", "r--", "---", "---", "rwe"}},
        {"g/member-ungranted", "g/cosmo/private", {}, Now, 0, {"rwe", "rwe", "---", "---", "---", "rwe"}},
        {"g/other", "g/galaxy/run", partners, Now, 0, {"---", "---", "r--", "---", "---", "rwe"}},
        {"g/other-ungranted", "g/galaxy/private", {}, Now, 0, {"---", "---", "---", "---", "---", "rwe"}},
        {"g/prefix-of-group", "g/cosmology/run", {}, Now, 0, {"---", "---", "---", "---", "---", "rwe"}},
        {"release/before", "HSC/runs/new", {}, Now - 10 * Day, 0, {"---", "---", "---", "r--", "---", "rwe"}},
        {"release/after", "HSC/runs/old", {}, Now - 800 * Day, 0, {"r--", "r--", "r--", "r--", "r--", "rwe"}},
        // An explicit date wins over the default period, in both directions.
        {"release/explicit-embargo",
         "HSC/runs/embargo",
         {},
         Now - 800 * Day,
         Now + 30 * Day,
         {"---", "---", "---", "r--", "---", "rwe"}},
        {"release/explicit-early",
         "HSC/runs/early",
         {},
         Now - 10 * Day,
         Now - Day,
         {"r--", "r--", "r--", "r--", "r--", "rwe"}},
        // Grants do not open release collections; names that only look like namespaces are release.
        {"release/grant-ignored",
         "HSC/runs/granted",
         partners,
         Now - 10 * Day,
         0,
         {"---", "---", "---", "r--", "---", "rwe"}},
        {"release/u-alone", "u", {}, Now - 10 * Day, 0, {"---", "---", "---", "r--", "---", "rwe"}},
        {"release/users-prefix",
         "users/alice/run",
         {},
         Now - 10 * Day,
         0,
         {"---", "---", "---", "r--", "---", "rwe"}},
        {"release/capital-U",
         "U/alice/run",
         {},
         Now - 10 * Day,
         0,
         {"---", "---", "---", "r--", "---", "rwe"}},
    };
    for (const Case& c : cases) {
        for (int i = 0; i < roles().size(); ++i)
            QTest::addRow("%s x %s", c.tag, qPrintable(roles()[i]))
                << QString::fromLatin1(c.collection) << c.readers << c.releaseDate << c.proprietaryUntil
                << roles()[i] << c.expected[i];
    }
}

void TestAccessPolicy::matrix()
{
    QFETCH(QString, collection);
    QFETCH(QStringList, readers);
    QFETCH(qint64, releaseDate);
    QFETCH(qint64, proprietaryUntil);
    QFETCH(QString, role);
    QFETCH(QString, expected);

    const AccessPolicy policy(config(), [] { return Now; });
    CollectionAcl acl = CollectionAcl::forCollection(collection, releaseDate);
    acl.readers = readers;
    if (proprietaryUntil)
        acl.proprietaryUntil = proprietaryUntil;
    const Identity identity = identityFor(role);

    QString actual;
    actual += policy.canRead(identity, collection, acl) ? QLatin1Char('r') : QLatin1Char('-');
    actual += policy.canWrite(identity, collection) ? QLatin1Char('w') : QLatin1Char('-');
    actual += policy.canEditAcl(identity, collection) ? QLatin1Char('e') : QLatin1Char('-');
    QCOMPARE(actual, expected);
    // Whoever may write may read: writes never need a hidden collection.
    if (policy.canWrite(identity, collection))
        QVERIFY(policy.canRead(identity, collection, acl));
}

void TestAccessPolicy::proprietaryBoundary()
{
    qint64 now = Now;
    const AccessPolicy policy(config(), [&now] { return now; });
    const Identity eve = identityFor(QStringLiteral("other"));
    const Identity dora = identityFor(QStringLiteral("data-rights"));
    const CollectionAcl acl = CollectionAcl::forCollection(QStringLiteral("LSST/DP1"), Now);
    QCOMPARE(acl.proprietaryEnd(730), Now + 730 * Day);

    now = Now + 730 * Day - 1;
    QVERIFY(!policy.canRead(eve, acl.collection, acl));
    QVERIFY(policy.canRead(dora, acl.collection, acl));
    now = Now + 730 * Day;
    QVERIFY(policy.canRead(eve, acl.collection, acl));
    QVERIFY(policy.canRead(dora, acl.collection, acl));
    QVERIFY(!policy.canWrite(dora, acl.collection));

    // The explicit time of the decision overrides the clock.
    QVERIFY(!policy.canRead(eve, acl.collection, acl, Now));

    // A shorter configured period ends sooner.
    PolicyConfig shortPeriod = config();
    shortPeriod.proprietaryPeriodDays = 30;
    const AccessPolicy shortPolicy(shortPeriod, [] { return Now + 31 * Day; });
    QVERIFY(shortPolicy.canRead(eve, acl.collection, acl));
}

void TestAccessPolicy::namespaceParsing_data()
{
    QTest::addColumn<QString>("collection");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("owner");
    QTest::addColumn<QString>("ownerText");
    const int user = int(CollectionAcl::OwnerKind::User);
    const int group = int(CollectionAcl::OwnerKind::Group);
    const int release = int(CollectionAcl::OwnerKind::Release);
    QTest::newRow("user") << "u/alice/run/1" << user << "alice"
                          << "u/alice";
    QTest::newRow("user root") << "u/alice" << user << "alice"
                               << "u/alice";
    QTest::newRow("group") << "g/cosmo/x" << group << "cosmo"
                           << "g/cosmo";
    QTest::newRow("release") << "HSC/raw/all" << release << ""
                             << "release";
    QTest::newRow("u alone") << "u" << release << ""
                             << "release";
    QTest::newRow("empty user") << "u//x" << release << ""
                                << "release";
    QTest::newRow("other letter") << "x/alice/run" << release << ""
                                  << "release";
    QTest::newRow("long prefix") << "ug/alice/run" << release << ""
                                 << "release";
}

void TestAccessPolicy::namespaceParsing()
{
    QFETCH(QString, collection);
    QFETCH(int, kind);
    QFETCH(QString, owner);
    QFETCH(QString, ownerText);
    const CollectionAcl acl = CollectionAcl::forCollection(collection);
    QCOMPARE(int(acl.ownerKind), kind);
    QCOMPARE(acl.ownerName, owner);
    QCOMPARE(acl.ownerText(), ownerText);
}

void TestAccessPolicy::withRolesUsesConfiguredGroups()
{
    const AccessPolicy policy(config());
    const Identity both =
        policy.withRoles({QStringLiteral("x"), {QStringLiteral("admins"), QStringLiteral("data-rights")}});
    QVERIFY(both.admin);
    QVERIFY(both.dataRights);
    const Identity none = policy.withRoles({QStringLiteral("x"), {QStringLiteral("Admins")}, true, true});
    QVERIFY(!none.admin);
    QVERIFY(!none.dataRights);
    // An unset group name makes nobody a member, not everybody.
    const AccessPolicy unset{PolicyConfig{}};
    const Identity empty = unset.withRoles({QStringLiteral("x"), {QString()}});
    QVERIFY(!empty.admin);
    QVERIFY(!empty.dataRights);
}

void TestAccessPolicy::datasetTypeAndDimensionPermissions_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("expected"); // register type, remove types, insert records
    QTest::newRow("owner") << "owner"
                           << "---";
    QTest::newRow("member") << "member"
                            << "---";
    QTest::newRow("granted") << "granted"
                             << "---";
    QTest::newRow("data-rights") << "data-rights"
                                 << "r--";
    QTest::newRow("other") << "other"
                           << "---";
    QTest::newRow("admin") << "admin"
                           << "rdi";
}

void TestAccessPolicy::datasetTypeAndDimensionPermissions()
{
    QFETCH(QString, role);
    QFETCH(QString, expected);
    const AccessPolicy policy(config());
    const Identity identity = identityFor(role);
    QString actual;
    actual += policy.canRegisterDatasetType(identity) ? QLatin1Char('r') : QLatin1Char('-');
    actual += policy.canRemoveDatasetTypes(identity) ? QLatin1Char('d') : QLatin1Char('-');
    actual += policy.canInsertDimensionRecords(identity) ? QLatin1Char('i') : QLatin1Char('-');
    QCOMPARE(actual, expected);
    QVERIFY(policy.canReadDatasetTypes(identity));
    QVERIFY(policy.canReadDimensionRecords(identity));
}

void TestAccessPolicy::deniedMessagesSayWhy()
{
    const AccessPolicy policy(config());
    const Identity alice = identityFor(QStringLiteral("owner"));
    const Error release = policy.writeDenied(alice, QStringLiteral("HSC/raw"));
    QCOMPARE(release.kind(), ErrorKind::PermissionDenied);
    QVERIFY2(release.message().contains(QLatin1String("release")), qPrintable(release.message()));
    QVERIFY2(release.message().contains(QLatin1String("u/alice/")), qPrintable(release.message()));
    const Error user = policy.writeDenied(alice, QStringLiteral("u/bob/run"));
    QVERIFY2(user.message().contains(QLatin1String("user bob")), qPrintable(user.message()));
    const Error acl = policy.aclEditDenied(alice, QStringLiteral("g/galaxy/x"));
    QCOMPARE(acl.kind(), ErrorKind::PermissionDenied);
    QVERIFY2(acl.message().contains(QLatin1String("group galaxy")), qPrintable(acl.message()));
    QVERIFY2(acl.message().contains(QLatin1String("'admins'")), qPrintable(acl.message()));
}

void TestAccessPolicy::aclJson()
{
    CollectionAcl acl = CollectionAcl::forCollection(QStringLiteral("u/alice/run"), Now);
    acl.readers = {QStringLiteral("cosmo"), QStringLiteral("partners")};
    QJsonObject json = acl.toJson(730);
    QCOMPARE(json.value(QLatin1String("collection")).toString(), QStringLiteral("u/alice/run"));
    QCOMPARE(json.value(QLatin1String("owner")).toString(), QStringLiteral("u/alice"));
    QCOMPARE(json.value(QLatin1String("readers")).toArray().size(), 2);
    QCOMPARE(json.value(QLatin1String("release_date")).toString(), QStringLiteral("2025-06-15T15:06:40Z"));
    QVERIFY(!json.contains(QLatin1String("proprietary_until")));

    CollectionAcl release = CollectionAcl::forCollection(QStringLiteral("HSC/raw"), Now);
    json = release.toJson(730);
    QCOMPARE(json.value(QLatin1String("owner")).toString(), QStringLiteral("release"));
    QCOMPARE(json.value(QLatin1String("proprietary_until")).toString(),
             QStringLiteral("2027-06-15T15:06:40Z"));
    release.proprietaryUntil = Now + Day;
    QCOMPARE(release.toJson(730).value(QLatin1String("proprietary_until")).toString(),
             QStringLiteral("2025-06-16T15:06:40Z"));
}

QTEST_GUILESS_MAIN(TestAccessPolicy)
#include "tst_accesspolicy.moc"
