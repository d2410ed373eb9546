// The access rules over HTTP against the real butler-server: every namespace x role x operation,
// with the expected outcome derived from the written rules (DESIGN §5, docs/server-api.md) by a
// small oracle, never from what the server happens to do. Whatever a caller may not read must
// answer byte for byte like a name that was never registered.
#include "ServerFixture.h"

#include <QJsonArray>
#include <QTest>
#include <QUuid>

using namespace butler;

namespace {

const QString kAdminGroup = QStringLiteral("butler-admins");
const QString kDataRightsGroup = QStringLiteral("data-rights");
const QString kProbeGroup = QStringLiteral("acl-probe");

// The operations of the matrix, in the order the rows run: reads first, then the writes that
// leave the facts of the rules unchanged, deletes last (each on a fresh dataset).
enum class Op
{
    List,    // GET /collections: listed or not
    Glob,    // GET /collections?glob=<namespace>* and ?glob=<name with a wildcard>
    Get,     // GET /collection?name=
    AclRead, // GET /acl?collection=
    Find,    // POST /datasets/find in the collection
    Query,   // POST /datasets/query in the collection
    Dataset, // GET /dataset?id= of the collection's dataset
    FileUrl, // POST /datasets/file-info of the collection's dataset
    Chain,   // POST /collections/chain: u/<caller>/c-<n> = [collection]
    Tag,     // POST /datasets/associate: the collection's dataset into a TAGGED u/<caller>/tag-<n>
    Write,   // POST /datasets/put into the collection
    AclEdit, // POST /acl: grant, then revoke, a probe group
    Delete,  // POST /datasets/prune of a fresh dataset in the collection
};

const QList<Op> kOps{Op::List,    Op::Glob,  Op::Get, Op::AclRead, Op::Find,    Op::Query, Op::Dataset,
                     Op::FileUrl, Op::Chain, Op::Tag, Op::Write,   Op::AclEdit, Op::Delete};

QString opName(Op op)
{
    static const QStringList names{
        QStringLiteral("list"),    QStringLiteral("glob"),      QStringLiteral("get"),
        QStringLiteral("acl"),     QStringLiteral("find"),      QStringLiteral("query"),
        QStringLiteral("dataset"), QStringLiteral("file-info"), QStringLiteral("chain"),
        QStringLiteral("tag"),     QStringLiteral("write"),     QStringLiteral("acl-edit"),
        QStringLiteral("delete")};
    return names.value(int(op));
}

enum class Outcome
{
    Ok,              // 2xx and the effect happened
    Hidden,          // exactly the answer for a never-registered name; no effect
    Denied,          // 403 permission_denied; no effect
    Invalid,         // 400 invalid_input; no effect
    Unauthenticated, // 401 with WWW-Authenticate; no effect
};

QString outcomeName(Outcome outcome)
{
    static const QStringList names{QStringLiteral("ok"), QStringLiteral("hidden"), QStringLiteral("denied"),
                                   QStringLiteral("invalid"), QStringLiteral("unauthenticated")};
    return names.value(int(outcome));
}

// The facts the rules work on: a collection, the groups its ACL grants, and for release
// collections whether the proprietary period is still running (fixture: LSSTCam/* until two
// years after today, DR1/public ended in 2020).
struct Target
{
    QString name;
    QStringList readers;
    bool proprietary = false;
};

const QList<Target> kTargets{
    {QStringLiteral("u/alice/run"), {}, false},
    {QStringLiteral("u/bob/run"), {}, false},
    {QStringLiteral("g/alpha/run"), {}, false},
    {QStringLiteral("u/alice/shared"), {QStringLiteral("gamma")}, false},
    {QStringLiteral("LSSTCam/raw/all"), {}, true},
    {QStringLiteral("DR1/public"), {}, false},
};

// Callers: owner and group member (alice), other users (bob, frank), granted group (erin),
// data rights (carol), admin (dave), and no token at all ("").
const QStringList kCallers{QStringLiteral("alice"),
                           QStringLiteral("bob"),
                           QStringLiteral("erin"),
                           QStringLiteral("carol"),
                           QStringLiteral("dave"),
                           QStringLiteral("frank"),
                           QString()};

// ---------------------------------------------------------------- the oracle

enum class Space
{
    User,
    Group,
    Release,
};

Space spaceOf(const QString& collection, QString* owner = nullptr)
{
    const QStringList parts = collection.split(QLatin1Char('/'));
    if (parts.size() >= 3 && (parts[0] == QLatin1String("u") || parts[0] == QLatin1String("g"))) {
        if (owner)
            *owner = parts[1];
        return parts[0] == QLatin1String("u") ? Space::User : Space::Group;
    }
    return Space::Release;
}

bool isAdmin(const QString& user)
{
    return ServerFixture::groupsOf(user).contains(kAdminGroup);
}

// u/<user>/ belongs to the user, g/<group>/ to the group's members, release space to nobody.
bool owns(const QString& user, const QString& collection)
{
    QString owner;
    switch (spaceOf(collection, &owner)) {
    case Space::User:
        return owner == user;
    case Space::Group:
        return ServerFixture::groupsOf(user).contains(owner);
    case Space::Release:
        break;
    }
    return false;
}

// Admins read everything; release collections: data rights during the proprietary period,
// everyone after; user and group collections: their owners and the groups granted read.
bool mayRead(const QString& user, const Target& target)
{
    const QStringList groups = ServerFixture::groupsOf(user);
    if (isAdmin(user))
        return true;
    if (spaceOf(target.name) == Space::Release)
        return groups.contains(kDataRightsGroup) || !target.proprietary;
    if (owns(user, target.name))
        return true;
    for (const QString& reader : target.readers)
        if (groups.contains(reader))
            return true;
    return false;
}

// Users write only their own u/ and their groups' g/ namespaces; release space is admins' only.
bool mayWrite(const QString& user, const Target& target)
{
    return isAdmin(user) || owns(user, target.name);
}

// Only owners and admins edit an ACL, and ACLs exist for u/ and g/ collections only.
Outcome expected(Op op, const QString& user, const Target& target)
{
    if (user.isEmpty())
        return Outcome::Unauthenticated;
    // Reading comes first: what one may not read does not exist.
    if (!mayRead(user, target))
        return Outcome::Hidden;
    switch (op) {
    case Op::Write:
    case Op::Delete:
        return mayWrite(user, target) ? Outcome::Ok : Outcome::Denied;
    case Op::AclEdit:
        if (!isAdmin(user) && !owns(user, target.name))
            return Outcome::Denied;
        return spaceOf(target.name) == Space::Release ? Outcome::Invalid : Outcome::Ok;
    default:
        return Outcome::Ok;
    }
}

// ---------------------------------------------------------------- helpers

QString uuidText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

QStringList names(const QJsonArray& collections)
{
    QStringList result;
    for (const QJsonValue& value : collections)
        result << (value.isObject() ? value.toObject().value(QStringLiteral("name")).toString()
                                    : value.toString());
    return result;
}

QStringList ids(const QJsonArray& refs)
{
    QStringList result;
    for (const QJsonValue& value : refs)
        result << value.toObject().value(QStringLiteral("id")).toString();
    return result;
}

// A body with one name (collection or dataset ID) replaced, so that answers about two
// different names compare byte for byte.
QByteArray normalized(QByteArray body, const QString& name)
{
    return body.replace(name.toUtf8(), QByteArrayLiteral("<NAME>"));
}

// A name that was never registered, in the namespace of collection.
QString ghostOf(const QString& collection, int serial)
{
    const qsizetype slash = collection.lastIndexOf(QLatin1Char('/'));
    return collection.left(slash + 1) + QStringLiteral("never-registered-%1").arg(serial);
}

// A copy of a detector record ({"element","values":{...}}) with another ID and names.
QJsonObject detectorRecord(QJsonObject record, int id)
{
    QJsonObject values = record.value(QStringLiteral("values")).toObject();
    values.insert(QStringLiteral("id"), id);
    values.insert(QStringLiteral("full_name"), QStringLiteral("SEC_%1").arg(id));
    values.insert(QStringLiteral("name_in_raft"), QStringLiteral("S%1").arg(id));
    record.insert(QStringLiteral("values"), values);
    return record;
}

QString describeTyped(const ServerFixture::Reply& reply)
{
    return QStringLiteral("%1 %2 %3")
        .arg(reply.status)
        .arg(QString::fromLatin1(reply.header("Content-Type")), QString::fromUtf8(reply.body.left(400)));
}

} // namespace

class TestServerAcl : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void matrix_data();
    void matrix();

    void chainExpansionHidesChildren();
    void grantReadAndRevoke();
    void aclEditByNonOwnersIsDenied();
    void datasetTypeRegistration();
    void dimensionRecordInsertion();

private:
    struct Sample
    {
        QString datasetType;
        QJsonObject dataId;
        QUuid id;
    };

    // One call of an operation about a collection (or, for tag and delete, a dataset ID).
    ServerFixture::Reply perform(Op op, const QString& caller, const QString& collection,
                                 const QUuid& dataset, int detector);
    // Puts a secnote dataset into run as dave and returns its ID.
    QUuid putAsAdmin(const QString& run, int detector);
    // The dataset of run with that detector, as dave sees it (null when there is none).
    QUuid findAsAdmin(const QString& run, int detector);
    int nextDetector();
    void verifyHidden(const ServerFixture::Reply& reply, const ServerFixture::Reply& ghost,
                      const QString& name, const QString& ghostName);

    ServerFixture m_server;
    QHash<QString, Sample> m_samples; // collection -> its dataset
    QList<int> m_detectors;
    int m_nextDetector = 0;
    int m_serial = 0;
    QString m_lastParent; // of the last chain call
    QString m_tagged;     // the TAGGED collection of the current tag row
};

void TestServerAcl::initTestCase()
{
    // High limits: the matrix sends over a thousand requests per user in a row.
    QVERIFY2(m_server.prepare(QStringLiteral("limits: { requests_per_second_per_user: 1000000, "
                                             "concurrent_queries_per_user: 64 }\n")),
             qPrintable(m_server.lastError()));
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));

    // secnote {instrument, detector}: every write of the matrix gets a data ID of its own.
    const auto type =
        m_server.post(QStringLiteral("/dataset-types"), QStringLiteral("dave"),
                      QJsonObject{{QStringLiteral("name"), QStringLiteral("secnote")},
                                  {QStringLiteral("dimensions"),
                                   QJsonArray{QStringLiteral("instrument"), QStringLiteral("detector")}},
                                  {QStringLiteral("storage_class"), QStringLiteral("StructuredDataDict")},
                                  {QStringLiteral("is_calibration"), false}});
    QVERIFY2(type.status == 201, qPrintable(describeTyped(type)));
    // Data IDs to spare: detector records 1000..1249 made from a real one (the small demo
    // repository has nine).
    const auto model = m_server.post(
        QStringLiteral("/dimension-records/query"), QStringLiteral("dave"),
        QJsonObject{{QStringLiteral("element"), QStringLiteral("detector")}, {QStringLiteral("limit"), 1}});
    QVERIFY2(model.status == 200, qPrintable(describeTyped(model)));
    const QJsonObject first = model.json().value(QStringLiteral("records")).toArray().first().toObject();
    QJsonArray records;
    for (int id = 1000; id < 1250; ++id) {
        records.append(detectorRecord(first, id));
        m_detectors << id;
    }
    const auto inserted = m_server.post(QStringLiteral("/dimension-records"), QStringLiteral("dave"),
                                        QJsonObject{{QStringLiteral("element"), QStringLiteral("detector")},
                                                    {QStringLiteral("records"), records}});
    QVERIFY2(inserted.status == 200, qPrintable(describeTyped(inserted)));

    // The sample dataset of each collection: the fixture's notes, and one raw of LSSTCam/raw/all.
    const QJsonObject noteId{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}};
    for (const Target& target : kTargets) {
        if (target.name == QLatin1String("LSSTCam/raw/all"))
            continue;
        m_samples.insert(target.name, {QStringLiteral("note"), noteId, m_server.datasetIn(target.name)});
        QVERIFY(!m_samples.value(target.name).id.isNull());
    }
    const auto raws = m_server.post(
        QStringLiteral("/datasets/query"), QStringLiteral("dave"),
        QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("raw")}},
                    {QStringLiteral("collections"), QJsonArray{QStringLiteral("LSSTCam/raw/all")}},
                    {QStringLiteral("limit"), 1}});
    QVERIFY2(raws.status == 200, qPrintable(describeTyped(raws)));
    const QJsonObject raw = raws.json().value(QStringLiteral("datasets")).toArray().first().toObject();
    m_samples.insert(QStringLiteral("LSSTCam/raw/all"),
                     {QStringLiteral("raw"), raw.value(QStringLiteral("data_id")).toObject(),
                      QUuid::fromString(raw.value(QStringLiteral("id")).toString())});
    QVERIFY(!m_samples.value(QStringLiteral("LSSTCam/raw/all")).id.isNull());
}

void TestServerAcl::cleanupTestCase()
{
    if (m_server.process().state() != QProcess::NotRunning)
        QCOMPARE(m_server.stop(), 0);
}

int TestServerAcl::nextDetector()
{
    return m_detectors.value(m_nextDetector++, -1);
}

QUuid TestServerAcl::putAsAdmin(const QString& run, int detector)
{
    const QJsonObject dataId{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                             {QStringLiteral("detector"), detector}};
    const auto reply = m_server.request(
        "POST",
        m_server.api(QStringLiteral("/datasets/put?dataset_type=secnote&formatter=json&run=%1&data_id=%2")
                         .arg(ServerFixture::enc(run),
                              ServerFixture::enc(
                                  QString::fromUtf8(QJsonDocument(dataId).toJson(QJsonDocument::Compact))))),
        QStringLiteral("dave"), QByteArrayLiteral("{\"fresh\": true}"));
    if (reply.status != 201) {
        qWarning().noquote() << "admin put into" << run << "failed:" << describeTyped(reply);
        return {};
    }
    return QUuid::fromString(reply.json().value(QStringLiteral("id")).toString());
}

QUuid TestServerAcl::findAsAdmin(const QString& run, int detector)
{
    const auto reply =
        m_server.post(QStringLiteral("/datasets/find"), QStringLiteral("dave"),
                      QJsonObject{{QStringLiteral("dataset_type"), QStringLiteral("secnote")},
                                  {QStringLiteral("data_id"),
                                   QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                               {QStringLiteral("detector"), detector}}},
                                  {QStringLiteral("collections"), QJsonArray{run}}});
    return QUuid::fromString(
        reply.json().value(QStringLiteral("dataset")).toObject().value(QStringLiteral("id")).toString());
}

ServerFixture::Reply TestServerAcl::perform(Op op, const QString& caller, const QString& collection,
                                            const QUuid& dataset, int detector)
{
    const Sample sample = m_samples.value(collection);
    switch (op) {
    case Op::List:
        return m_server.get(QStringLiteral("/collections"), caller);
    case Op::Glob:
        return m_server.get(QStringLiteral("/collections?glob=") + ServerFixture::enc(collection), caller);
    case Op::Get:
        return m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(collection), caller);
    case Op::AclRead:
        return m_server.get(QStringLiteral("/acl?collection=") + ServerFixture::enc(collection), caller);
    case Op::Find:
        return m_server.post(QStringLiteral("/datasets/find"), caller,
                             QJsonObject{{QStringLiteral("dataset_type"), sample.datasetType},
                                         {QStringLiteral("data_id"), sample.dataId},
                                         {QStringLiteral("collections"), QJsonArray{collection}}});
    case Op::Query:
        return m_server.post(QStringLiteral("/datasets/query"), caller,
                             QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{sample.datasetType}},
                                         {QStringLiteral("collections"), QJsonArray{collection}},
                                         {QStringLiteral("limit"), 10000}});
    case Op::Dataset:
        return m_server.get(QStringLiteral("/dataset?id=") + uuidText(dataset), caller);
    case Op::FileUrl:
        return m_server.post(QStringLiteral("/datasets/file-info"), caller,
                             QJsonObject{{QStringLiteral("ids"), QJsonArray{uuidText(dataset)}}});
    case Op::Chain:
        return m_server.post(
            QStringLiteral("/collections/chain"), caller,
            QJsonObject{{QStringLiteral("parent"),
                         m_lastParent = QStringLiteral("u/%1/c-%2").arg(caller).arg(++m_serial)},
                        {QStringLiteral("children"), QJsonArray{collection}},
                        {QStringLiteral("mode"), QStringLiteral("redefine")}});
    case Op::Tag:
        return m_server.post(QStringLiteral("/datasets/associate"), caller,
                             QJsonObject{{QStringLiteral("collection"), m_tagged},
                                         {QStringLiteral("ids"), QJsonArray{uuidText(dataset)}}});
    case Op::Write: {
        const QJsonObject dataId{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                                 {QStringLiteral("detector"), detector}};
        return m_server.request(
            "POST",
            m_server.api(QStringLiteral("/datasets/put?dataset_type=secnote&formatter=json&run=%1&data_id=%2")
                             .arg(ServerFixture::enc(collection),
                                  ServerFixture::enc(QString::fromUtf8(
                                      QJsonDocument(dataId).toJson(QJsonDocument::Compact))))),
            caller, QByteArrayLiteral("{\"written_by\": \"") + caller.toUtf8() + "\"}");
    }
    case Op::AclEdit:
        return m_server.post(QStringLiteral("/acl"), caller,
                             QJsonObject{{QStringLiteral("collection"), collection},
                                         {QStringLiteral("grant"), QJsonArray{kProbeGroup}}});
    case Op::Delete:
        return m_server.post(QStringLiteral("/datasets/prune"), caller,
                             QJsonObject{{QStringLiteral("ids"), QJsonArray{uuidText(dataset)}},
                                         {QStringLiteral("purge"), true},
                                         {QStringLiteral("unstore"), true}});
    }
    return {};
}

void TestServerAcl::verifyHidden(const ServerFixture::Reply& reply, const ServerFixture::Reply& ghost,
                                 const QString& name, const QString& ghostName)
{
    // The documented answer for an unknown name...
    QVERIFY2(ghost.status == 404 && ghost.errorType() == QLatin1String("not_found"),
             qPrintable(describeTyped(ghost)));
    // ...and not a bit more or less for a hidden one.
    QVERIFY2(reply.status == ghost.status,
             qPrintable(describeTyped(reply) + QStringLiteral(" vs ") + describeTyped(ghost)));
    QCOMPARE(reply.header("Content-Type"), ghost.header("Content-Type"));
    QCOMPARE(normalized(reply.body, name), normalized(ghost.body, ghostName));
    // The same headers too (values such as the request ID differ per request anyway).
    const auto headerNames = [](const ServerFixture::Reply& r) {
        QStringList list;
        for (const auto& header : r.headers)
            list << QString::fromLatin1(header.first.toLower());
        list.sort();
        return list;
    };
    QCOMPARE(headerNames(reply), headerNames(ghost));
}

void TestServerAcl::matrix_data()
{
    QTest::addColumn<int>("op");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<int>("target");
    QTest::addColumn<int>("expected");
    for (const Op op : kOps) {
        for (const QString& caller : kCallers) {
            for (int t = 0; t < kTargets.size(); ++t) {
                const Outcome outcome = expected(op, caller, kTargets[t]);
                QTest::addRow("%s %s %s -> %s", qPrintable(opName(op)),
                              caller.isEmpty() ? "(no token)" : qPrintable(caller),
                              qPrintable(kTargets[t].name), qPrintable(outcomeName(outcome)))
                    << int(op) << caller << t << int(outcome);
            }
        }
    }
}

void TestServerAcl::matrix()
{
    QFETCH(int, op);
    QFETCH(QString, caller);
    QFETCH(int, target);
    QFETCH(int, expected);
    const Op operation = Op(op);
    const Outcome outcome = Outcome(expected);
    const QString collection = kTargets[target].name;
    const Sample sample = m_samples.value(collection);

    // Delete works on a dataset made for this row alone, so the matrix stays valid.
    QUuid dataset = sample.id;
    if (operation == Op::Delete) {
        dataset = putAsAdmin(collection, nextDetector());
        QVERIFY(!dataset.isNull());
    }
    // A TAGGED collection holds one dataset per type and data ID: one of its own per row.
    if (operation == Op::Tag) {
        m_tagged = QStringLiteral("u/%1/tag-%2")
                       .arg(caller.isEmpty() ? QStringLiteral("nobody") : caller)
                       .arg(++m_serial);
        if (!caller.isEmpty()) {
            const auto made = m_server.post(QStringLiteral("/collections"), caller,
                                            QJsonObject{{QStringLiteral("name"), m_tagged},
                                                        {QStringLiteral("type"), QStringLiteral("TAGGED")}});
            QVERIFY2(made.status == 201, qPrintable(describeTyped(made)));
        }
    }
    const int detector = operation == Op::Write ? nextDetector() : -1;
    if (operation == Op::Write)
        QVERIFY(detector >= 0);

    const ServerFixture::Reply reply = perform(operation, caller, collection, dataset, detector);
    const QString context = describeTyped(reply);
    const QString parent = m_lastParent;

    if (outcome == Outcome::Unauthenticated) {
        QVERIFY2(reply.status == 401, qPrintable(context));
        QVERIFY2(reply.header("WWW-Authenticate").startsWith("Bearer"), qPrintable(context));
        QCOMPARE(reply.errorType(), QStringLiteral("unauthenticated"));
    }

    // Listings: the collection is there exactly when it may be read.
    if (operation == Op::List || operation == Op::Glob) {
        if (outcome == Outcome::Unauthenticated)
            return;
        QVERIFY2(reply.status == 200, qPrintable(context));
        const bool readable = outcome == Outcome::Ok;
        QCOMPARE(names(reply.json().value(QStringLiteral("collections")).toArray()).contains(collection),
                 readable);
        if (operation == Op::Glob) {
            // The namespace glob (u/*, g/*, LSSTCam/*, DR1/*) and a one-name wildcard.
            const QString space =
                collection.left(collection.indexOf(QLatin1Char('/')) + 1) + QLatin1Char('*');
            const QString oneName = collection.chopped(1) + QLatin1Char('?');
            for (const QString& glob : {space, oneName}) {
                const auto globbed =
                    m_server.get(QStringLiteral("/collections?glob=") + ServerFixture::enc(glob), caller);
                QVERIFY2(globbed.status == 200, qPrintable(describeTyped(globbed)));
                QVERIFY2(names(globbed.json().value(QStringLiteral("collections")).toArray())
                                 .contains(collection) == readable,
                         qPrintable(glob + QStringLiteral(": ") + describeTyped(globbed)));
            }
            // A dataset query over the namespace glob reaches the sample only when readable.
            const auto query =
                m_server.post(QStringLiteral("/datasets/query"), caller,
                              QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{sample.datasetType}},
                                          {QStringLiteral("collections"), QJsonArray{space}},
                                          {QStringLiteral("limit"), 10000}});
            QVERIFY2(query.status == 200, qPrintable(describeTyped(query)));
            QVERIFY2(
                ids(query.json().value(QStringLiteral("datasets")).toArray()).contains(uuidText(sample.id)) ==
                    readable,
                qPrintable(describeTyped(query)));
        }
        return;
    }

    // For every refused read: the same call about a never-registered name (or dataset ID).
    if (outcome == Outcome::Hidden) {
        const bool aboutDataset = operation == Op::Tag || operation == Op::Delete ||
                                  operation == Op::Dataset || operation == Op::FileUrl;
        const QString ghostCollection = ghostOf(collection, ++m_serial);
        const QUuid ghostId = QUuid::createUuid();
        const ServerFixture::Reply ghost =
            perform(operation, caller, aboutDataset ? collection : ghostCollection, ghostId,
                    aboutDataset ? detector : nextDetector());
        if (aboutDataset)
            verifyHidden(reply, ghost, uuidText(dataset), uuidText(ghostId));
        else
            verifyHidden(reply, ghost, collection, ghostCollection);
        if (QTest::currentTestFailed())
            return;
    } else if (outcome == Outcome::Denied) {
        QVERIFY2(reply.status == 403, qPrintable(context));
        QCOMPARE(reply.errorType(), QStringLiteral("permission_denied"));
    } else if (outcome == Outcome::Invalid) {
        QVERIFY2(reply.status == 400, qPrintable(context));
        QCOMPARE(reply.errorType(), QStringLiteral("invalid_input"));
    }

    if (outcome == Outcome::Ok) {
        switch (operation) {
        case Op::Get:
            QVERIFY2(reply.status == 200, qPrintable(context));
            QCOMPARE(reply.json().value(QStringLiteral("name")).toString(), collection);
            break;
        case Op::AclRead:
            QVERIFY2(reply.status == 200, qPrintable(context));
            QCOMPARE(reply.json().value(QStringLiteral("collection")).toString(), collection);
            break;
        case Op::Find:
            QVERIFY2(reply.status == 200, qPrintable(context));
            QCOMPARE(reply.json()
                         .value(QStringLiteral("dataset"))
                         .toObject()
                         .value(QStringLiteral("id"))
                         .toString(),
                     uuidText(sample.id));
            break;
        case Op::Query:
            QVERIFY2(reply.status == 200, qPrintable(context));
            QVERIFY2(
                ids(reply.json().value(QStringLiteral("datasets")).toArray()).contains(uuidText(sample.id)),
                qPrintable(context));
            break;
        case Op::Dataset:
            QVERIFY2(reply.status == 200, qPrintable(context));
            QCOMPARE(reply.json().value(QStringLiteral("run")).toString(), collection);
            break;
        case Op::FileUrl: {
            QVERIFY2(reply.status == 200, qPrintable(context));
            const QJsonObject file = reply.json().value(QStringLiteral("files")).toArray().first().toObject();
            QCOMPARE(file.value(QStringLiteral("id")).toString(), uuidText(sample.id));
            QVERIFY2(file.value(QStringLiteral("uri")).toString().contains(QStringLiteral("signature=")),
                     qPrintable(context));
            break;
        }
        case Op::Chain:
            QVERIFY2(reply.status == 200, qPrintable(context));
            QCOMPARE(names(reply.json().value(QStringLiteral("children")).toArray()),
                     QStringList{collection});
            break;
        case Op::Tag: {
            QVERIFY2(reply.status == 200, qPrintable(context));
            const auto tagged =
                m_server.post(QStringLiteral("/datasets/query"), caller,
                              QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{sample.datasetType}},
                                          {QStringLiteral("collections"), QJsonArray{m_tagged}},
                                          {QStringLiteral("limit"), 10000}});
            QVERIFY2(
                ids(tagged.json().value(QStringLiteral("datasets")).toArray()).contains(uuidText(sample.id)),
                qPrintable(describeTyped(tagged)));
            break;
        }
        case Op::Write:
            QVERIFY2(reply.status == 201, qPrintable(context));
            QCOMPARE(reply.json().value(QStringLiteral("run")).toString(), collection);
            QCOMPARE(uuidText(findAsAdmin(collection, detector)),
                     reply.json().value(QStringLiteral("id")).toString());
            break;
        case Op::AclEdit: {
            QVERIFY2(reply.status == 200, qPrintable(context));
            QVERIFY2(reply.json().value(QStringLiteral("readers")).toArray().contains(kProbeGroup),
                     qPrintable(context));
            // Back to the facts the rest of the matrix relies on.
            const auto revoked =
                m_server.post(QStringLiteral("/acl"), caller,
                              QJsonObject{{QStringLiteral("collection"), collection},
                                          {QStringLiteral("revoke"), QJsonArray{kProbeGroup}}});
            QVERIFY2(revoked.status == 200, qPrintable(describeTyped(revoked)));
            QCOMPARE(names(revoked.json().value(QStringLiteral("readers")).toArray()),
                     kTargets[target].readers);
            break;
        }
        case Op::Delete: {
            QVERIFY2(reply.status == 200, qPrintable(context));
            const auto gone =
                m_server.get(QStringLiteral("/dataset?id=") + uuidText(dataset), QStringLiteral("dave"));
            QVERIFY2(gone.status == 404, qPrintable(describeTyped(gone)));
            break;
        }
        case Op::List:
        case Op::Glob:
            break;
        }
        return;
    }

    // No effect of a refused call.
    switch (operation) {
    case Op::Write:
        QVERIFY2(findAsAdmin(collection, detector).isNull(), "a refused put stored a dataset");
        break;
    case Op::Delete: {
        const auto still =
            m_server.get(QStringLiteral("/dataset?id=") + uuidText(dataset), QStringLiteral("dave"));
        QVERIFY2(still.status == 200,
                 qPrintable(QStringLiteral("a refused prune removed the dataset: ") + describeTyped(still)));
        break;
    }
    case Op::AclEdit: {
        const auto acl = m_server.get(QStringLiteral("/acl?collection=") + ServerFixture::enc(collection),
                                      QStringLiteral("dave"));
        QVERIFY2(acl.status == 200, qPrintable(describeTyped(acl)));
        QCOMPARE(names(acl.json().value(QStringLiteral("readers")).toArray()), kTargets[target].readers);
        break;
    }
    case Op::Chain: {
        if (!caller.isEmpty()) {
            const auto made = m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(parent),
                                           QStringLiteral("dave"));
            QVERIFY2(made.status == 404 ||
                         names(made.json().value(QStringLiteral("children")).toArray()).isEmpty(),
                     qPrintable(QStringLiteral("a refused chain holds a child: ") + describeTyped(made)));
        }
        break;
    }
    default:
        break;
    }
}

void TestServerAcl::chainExpansionHidesChildren()
{
    const QString chain = QStringLiteral("u/alice/chain");
    const QStringList all{QStringLiteral("u/alice/run"), QStringLiteral("u/bob/run"),
                          QStringLiteral("LSSTCam/raw/all")};

    // The admin sees the whole chain; alice only the child she may read.
    const auto adminView =
        m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(chain), QStringLiteral("dave"));
    QCOMPARE(adminView.status, 200);
    QCOMPARE(names(adminView.json().value(QStringLiteral("children")).toArray()), all);
    const auto view = m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(chain),
                                   QStringLiteral("alice"));
    QCOMPARE(view.status, 200);
    QCOMPARE(names(view.json().value(QStringLiteral("children")).toArray()),
             QStringList{QStringLiteral("u/alice/run")});

    const auto flat = m_server.post(QStringLiteral("/collections/flatten"), QStringLiteral("alice"),
                                    QJsonObject{{QStringLiteral("collections"), QJsonArray{chain}}});
    QCOMPARE(flat.status, 200);
    QCOMPARE(names(flat.json().value(QStringLiteral("collections")).toArray()),
             QStringList{QStringLiteral("u/alice/run")});
    const auto adminFlat = m_server.post(QStringLiteral("/collections/flatten"), QStringLiteral("dave"),
                                         QJsonObject{{QStringLiteral("collections"), QJsonArray{chain}}});
    QCOMPARE(names(adminFlat.json().value(QStringLiteral("collections")).toArray()), all);

    // Listing with flatten=1 does not reach the hidden children either.
    const auto listed =
        m_server.get(QStringLiteral("/collections?glob=u/alice/chain&flatten=1"), QStringLiteral("alice"));
    QCOMPARE(listed.status, 200);
    QCOMPARE(names(listed.json().value(QStringLiteral("collections")).toArray()),
             (QStringList{chain, QStringLiteral("u/alice/run")}));

    // Through the chain alice finds her note, never bob's nor the proprietary raw.
    const auto notes =
        m_server.post(QStringLiteral("/datasets/query"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("note")}},
                                  {QStringLiteral("collections"), QJsonArray{chain}}});
    QCOMPARE(notes.status, 200);
    QCOMPARE(ids(notes.json().value(QStringLiteral("datasets")).toArray()),
             QStringList{uuidText(m_server.datasetIn(QStringLiteral("u/alice/run")))});
    const Sample raw = m_samples.value(QStringLiteral("LSSTCam/raw/all"));
    const QJsonObject findRaw{{QStringLiteral("dataset_type"), QStringLiteral("raw")},
                              {QStringLiteral("data_id"), raw.dataId},
                              {QStringLiteral("collections"), QJsonArray{chain}}};
    const auto hiddenRaw = m_server.post(QStringLiteral("/datasets/find"), QStringLiteral("alice"), findRaw);
    QCOMPARE(hiddenRaw.status, 200);
    QVERIFY2(hiddenRaw.json().value(QStringLiteral("dataset")).isNull(), hiddenRaw.body.constData());
    const auto rawCount =
        m_server.post(QStringLiteral("/datasets/count"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("dataset_types"), QJsonArray{QStringLiteral("raw")}},
                                  {QStringLiteral("collections"), QJsonArray{chain}}});
    QCOMPARE(rawCount.status, 200);
    QCOMPARE(rawCount.json().value(QStringLiteral("count")).toInteger(), 0);
    // The admin finds the raw through the same chain, so the chain really holds it.
    const auto adminRaw = m_server.post(QStringLiteral("/datasets/find"), QStringLiteral("dave"), findRaw);
    QCOMPARE(
        adminRaw.json().value(QStringLiteral("dataset")).toObject().value(QStringLiteral("id")).toString(),
        uuidText(raw.id));
    // Bob's note is found by bob through his run, not by alice through her chain.
    const QJsonObject findNote{
        {QStringLiteral("dataset_type"), QStringLiteral("note")},
        {QStringLiteral("data_id"), QJsonObject{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}}},
        {QStringLiteral("collections"), QJsonArray{chain}}};
    const auto note = m_server.post(QStringLiteral("/datasets/find"), QStringLiteral("alice"), findNote);
    QCOMPARE(note.json().value(QStringLiteral("dataset")).toObject().value(QStringLiteral("run")).toString(),
             QStringLiteral("u/alice/run"));

    // Carol (data rights) sees the raw child but not the user runs; bob sees nothing of the chain.
    const auto carolView = m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(chain),
                                        QStringLiteral("carol"));
    QCOMPARE(carolView.status, 404);
    const auto bobView =
        m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(chain), QStringLiteral("bob"));
    QCOMPARE(bobView.status, 404);

    // A chain of her own cannot make a hidden collection a child.
    const auto sneaky =
        m_server.post(QStringLiteral("/collections/chain"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("parent"), QStringLiteral("u/alice/sneaky")},
                                  {QStringLiteral("children"), QJsonArray{QStringLiteral("u/alice/chain")}},
                                  {QStringLiteral("flatten"), true}});
    QCOMPARE(sneaky.status, 200);
    QCOMPARE(names(sneaky.json().value(QStringLiteral("children")).toArray()),
             QStringList{QStringLiteral("u/alice/run")});
    const auto sneakyAdmin =
        m_server.get(QStringLiteral("/collection?name=u/alice/sneaky"), QStringLiteral("dave"));
    QCOMPARE(names(sneakyAdmin.json().value(QStringLiteral("children")).toArray()),
             QStringList{QStringLiteral("u/alice/run")});
}

void TestServerAcl::grantReadAndRevoke()
{
    const QString name = QStringLiteral("u/alice/acltest");
    const auto made = m_server.post(
        QStringLiteral("/collections"), QStringLiteral("alice"),
        QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("type"), QStringLiteral("RUN")}});
    QVERIFY2(made.status == 201, qPrintable(describeTyped(made)));
    const int detector = nextDetector();
    const QJsonObject dataId{{QStringLiteral("instrument"), QStringLiteral("LSSTCam")},
                             {QStringLiteral("detector"), detector}};
    const auto put = m_server.request(
        "POST",
        m_server.api(QStringLiteral("/datasets/put?dataset_type=secnote&formatter=json&run=%1&data_id=%2")
                         .arg(ServerFixture::enc(name),
                              ServerFixture::enc(
                                  QString::fromUtf8(QJsonDocument(dataId).toJson(QJsonDocument::Compact))))),
        QStringLiteral("alice"), QByteArrayLiteral("{\"for\": \"gamma\"}"));
    QVERIFY2(put.status == 201, qPrintable(describeTyped(put)));
    const QString id = put.json().value(QStringLiteral("id")).toString();
    const QJsonObject find{{QStringLiteral("dataset_type"), QStringLiteral("secnote")},
                           {QStringLiteral("data_id"), dataId},
                           {QStringLiteral("collections"), QJsonArray{name}}};

    const auto canSee = [&](const QString& user) {
        const auto get = m_server.get(QStringLiteral("/collection?name=") + ServerFixture::enc(name), user);
        const auto listed = m_server.get(QStringLiteral("/collections?glob=u/alice/*"), user);
        const auto found = m_server.post(QStringLiteral("/datasets/find"), user, find);
        const auto dataset = m_server.get(QStringLiteral("/dataset?id=") + id, user);
        const auto info = m_server.post(QStringLiteral("/datasets/file-info"), user,
                                        QJsonObject{{QStringLiteral("ids"), QJsonArray{id}}});
        const bool listedIn =
            names(listed.json().value(QStringLiteral("collections")).toArray()).contains(name);
        const int seen = int(get.status == 200) + int(listedIn) + int(found.status == 200) +
                         int(dataset.status == 200) + int(info.status == 200);
        if (seen != 0 && seen != 5)
            qWarning().noquote() << user << "sees" << name << "only partly:" << get.status << listedIn
                                 << found.status << dataset.status << info.status;
        return seen == 5 ? 1 : seen == 0 ? 0 : -1;
    };

    QCOMPARE(canSee(QStringLiteral("alice")), 1);
    QCOMPARE(canSee(QStringLiteral("erin")), 0);
    QCOMPARE(canSee(QStringLiteral("bob")), 0);

    const auto grant =
        m_server.post(QStringLiteral("/acl"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("collection"), name},
                                  {QStringLiteral("grant"), QJsonArray{QStringLiteral("gamma")}}});
    QVERIFY2(grant.status == 200, qPrintable(describeTyped(grant)));
    QCOMPARE(names(grant.json().value(QStringLiteral("readers")).toArray()),
             QStringList{QStringLiteral("gamma")});
    QCOMPARE(grant.json().value(QStringLiteral("owner")).toString(), QStringLiteral("u/alice"));
    QCOMPARE(canSee(QStringLiteral("erin")), 1);
    QCOMPARE(canSee(QStringLiteral("bob")), 0);
    QCOMPARE(canSee(QStringLiteral("frank")), 0);
    // Read only: the granted group neither writes nor deletes nor re-grants.
    const auto erinPrune =
        m_server.post(QStringLiteral("/datasets/prune"), QStringLiteral("erin"),
                      QJsonObject{{QStringLiteral("ids"), QJsonArray{id}}, {QStringLiteral("purge"), true}});
    QCOMPARE(erinPrune.status, 403);
    const auto erinGrant =
        m_server.post(QStringLiteral("/acl"), QStringLiteral("erin"),
                      QJsonObject{{QStringLiteral("collection"), name},
                                  {QStringLiteral("grant"), QJsonArray{QStringLiteral("beta")}}});
    QCOMPARE(erinGrant.status, 403);
    QCOMPARE(canSee(QStringLiteral("bob")), 0);

    const auto revoke =
        m_server.post(QStringLiteral("/acl"), QStringLiteral("alice"),
                      QJsonObject{{QStringLiteral("collection"), name},
                                  {QStringLiteral("revoke"), QJsonArray{QStringLiteral("gamma")}}});
    QVERIFY2(revoke.status == 200, qPrintable(describeTyped(revoke)));
    QVERIFY(revoke.json().value(QStringLiteral("readers")).toArray().isEmpty());
    QCOMPARE(canSee(QStringLiteral("erin")), 0);
    QCOMPARE(canSee(QStringLiteral("alice")), 1);
    QCOMPARE(canSee(QStringLiteral("dave")), 1);
}

void TestServerAcl::aclEditByNonOwnersIsDenied()
{
    struct Case
    {
        QString user;
        QString collection;
        int status;
    };
    // Readers who do not own: 403. Those who cannot read: the 404 of an unknown name.
    const QList<Case> cases{
        {QStringLiteral("erin"), QStringLiteral("u/alice/shared"), 403},
        {QStringLiteral("bob"), QStringLiteral("u/alice/shared"), 404},
        {QStringLiteral("frank"), QStringLiteral("u/alice/run"), 404},
        {QStringLiteral("carol"), QStringLiteral("LSSTCam/raw/all"), 403},
        {QStringLiteral("frank"), QStringLiteral("DR1/public"), 403},
        {QStringLiteral("bob"), QStringLiteral("g/alpha/run"), 404},
    };
    for (const Case& c : cases) {
        for (const QString& field : {QStringLiteral("grant"), QStringLiteral("revoke")}) {
            const QJsonArray groups = field == QLatin1String("grant") ? QJsonArray{QStringLiteral("beta")}
                                                                      : QJsonArray{QStringLiteral("gamma")};
            const auto reply =
                m_server.post(QStringLiteral("/acl"), c.user,
                              QJsonObject{{QStringLiteral("collection"), c.collection}, {field, groups}});
            QVERIFY2(reply.status == c.status, qPrintable(c.user + u' ' + field + u' ' + c.collection +
                                                          QStringLiteral(": ") + describeTyped(reply)));
        }
    }
    const auto acl = m_server.get(QStringLiteral("/acl?collection=u/alice/shared"), QStringLiteral("dave"));
    QCOMPARE(names(acl.json().value(QStringLiteral("readers")).toArray()),
             QStringList{QStringLiteral("gamma")});
    // A group member edits the group's collection; the admin edits anyone's.
    for (const QString& user : {QStringLiteral("alice"), QStringLiteral("dave")}) {
        const auto granted =
            m_server.post(QStringLiteral("/acl"), user,
                          QJsonObject{{QStringLiteral("collection"), QStringLiteral("g/alpha/run")},
                                      {QStringLiteral("grant"), QJsonArray{QStringLiteral("beta")}}});
        QVERIFY2(granted.status == 200, qPrintable(user + QStringLiteral(": ") + describeTyped(granted)));
        QCOMPARE(m_server.get(QStringLiteral("/collection?name=g/alpha/run"), QStringLiteral("bob")).status,
                 200);
        const auto revoked =
            m_server.post(QStringLiteral("/acl"), user,
                          QJsonObject{{QStringLiteral("collection"), QStringLiteral("g/alpha/run")},
                                      {QStringLiteral("revoke"), QJsonArray{QStringLiteral("beta")}}});
        QVERIFY2(revoked.status == 200, qPrintable(describeTyped(revoked)));
        QCOMPARE(m_server.get(QStringLiteral("/collection?name=g/alpha/run"), QStringLiteral("bob")).status,
                 404);
    }
}

void TestServerAcl::datasetTypeRegistration()
{
    // Data rights or admin; everyone else is refused and nothing is registered.
    for (const QString& user : kCallers) {
        const QString name =
            QStringLiteral("sectype_%1").arg(user.isEmpty() ? QStringLiteral("anonymous") : user);
        const auto reply = m_server.post(
            QStringLiteral("/dataset-types"), user,
            QJsonObject{{QStringLiteral("name"), name},
                        {QStringLiteral("dimensions"), QJsonArray{QStringLiteral("instrument")}},
                        {QStringLiteral("storage_class"), QStringLiteral("StructuredDataDict")},
                        {QStringLiteral("is_calibration"), false}});
        const QStringList groups = ServerFixture::groupsOf(user);
        const int expectedStatus = user.isEmpty()                                                      ? 401
                                   : groups.contains(kAdminGroup) || groups.contains(kDataRightsGroup) ? 201
                                                                                                       : 403;
        QVERIFY2(reply.status == expectedStatus,
                 qPrintable(user + QStringLiteral(": ") + describeTyped(reply)));
        const auto stored =
            m_server.get(QStringLiteral("/dataset-type?name=") + name, QStringLiteral("dave"));
        QCOMPARE(stored.status, expectedStatus == 201 ? 200 : 404);
    }
    // Removing dataset types is the admin's alone.
    const auto carolRemove =
        m_server.post(QStringLiteral("/dataset-types/remove"), QStringLiteral("carol"),
                      QJsonObject{{QStringLiteral("globs"), QJsonArray{QStringLiteral("sectype_carol")}}});
    QCOMPARE(carolRemove.status, 403);
    const auto daveRemove =
        m_server.post(QStringLiteral("/dataset-types/remove"), QStringLiteral("dave"),
                      QJsonObject{{QStringLiteral("globs"), QJsonArray{QStringLiteral("sectype_carol")}}});
    QVERIFY2(daveRemove.status == 200, qPrintable(describeTyped(daveRemove)));
}

void TestServerAcl::dimensionRecordInsertion()
{
    // A copy of an existing detector record with an ID nobody uses.
    const auto existing = m_server.post(
        QStringLiteral("/dimension-records/query"), QStringLiteral("dave"),
        QJsonObject{{QStringLiteral("element"), QStringLiteral("detector")}, {QStringLiteral("limit"), 1}});
    QCOMPARE(existing.status, 200);
    const QJsonObject model = existing.json().value(QStringLiteral("records")).toArray().first().toObject();
    QVERIFY(!model.isEmpty());
    int id = 900;
    for (const QString& user : kCallers) {
        const QJsonObject record = detectorRecord(model, ++id);
        const auto reply = m_server.post(QStringLiteral("/dimension-records"), user,
                                         QJsonObject{{QStringLiteral("element"), QStringLiteral("detector")},
                                                     {QStringLiteral("records"), QJsonArray{record}}});
        const int expectedStatus = user.isEmpty() ? 401 : isAdmin(user) ? 200 : 403;
        QVERIFY2(reply.status == expectedStatus,
                 qPrintable(user + QStringLiteral(": ") + describeTyped(reply)));
        const auto stored =
            m_server.post(QStringLiteral("/dimension-records/query"), QStringLiteral("dave"),
                          QJsonObject{{QStringLiteral("element"), QStringLiteral("detector")},
                                      {QStringLiteral("where"), QStringLiteral("detector = %1").arg(id)}});
        QVERIFY2(stored.status == 200, qPrintable(describeTyped(stored)));
        QCOMPARE(stored.json().value(QStringLiteral("records")).toArray().size(),
                 expectedStatus == 200 ? 1 : 0);
    }
}

QTEST_GUILESS_MAIN(TestServerAcl)
#include "tst_serveracl.moc"
