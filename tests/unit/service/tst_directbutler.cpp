// DirectButler rules that sit above the registry.
#include "DirectButler.h"
#include "RegistryFixture.h"

#include <QTemporaryDir>
#include <QTest>

using namespace butler;

class TestDirectButler : public QObject
{
    Q_OBJECT

private slots:
    void registeringAnExistingChainKeepsItsChildren()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("repo"));
        BUTLER_VERIFY_OK(DirectButler::create(path));
        auto opened = DirectButler::open(path);
        BUTLER_VERIFY_OK(opened);
        DirectButler& butler = *opened.value();
        BUTLER_VERIFY_OK(butler.registerCollection(QStringLiteral("run"), CollectionType::Run));
        BUTLER_VERIFY_OK(
            butler.setCollectionChain(QStringLiteral("chain"), {QStringLiteral("run")}, ChainMode::Redefine));

        BUTLER_VERIFY_OK(butler.registerCollection(QStringLiteral("chain"), CollectionType::Chained));
        auto chain = butler.getCollection(QStringLiteral("chain"));
        BUTLER_VERIFY_OK(chain);
        QCOMPARE(chain->children, QStringList{QStringLiteral("run")});

        // Another type under the name of an existing collection is a conflict, either way round.
        BUTLER_VERIFY_ERROR(butler.registerCollection(QStringLiteral("run"), CollectionType::Chained),
                            ErrorKind::Conflict);
        BUTLER_VERIFY_ERROR(butler.registerCollection(QStringLiteral("chain"), CollectionType::Run),
                            ErrorKind::Conflict);
        // A new chain starts empty.
        BUTLER_VERIFY_OK(butler.registerCollection(QStringLiteral("fresh"), CollectionType::Chained));
        auto fresh = butler.getCollection(QStringLiteral("fresh"));
        BUTLER_VERIFY_OK(fresh);
        QVERIFY(fresh->children.isEmpty());
        QCOMPARE(fresh->type, CollectionType::Chained);
    }

    void pagesCarrySizesWhenAsked()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("repo"));
        BUTLER_VERIFY_OK(DirectButler::create(path));
        auto opened = DirectButler::open(path);
        BUTLER_VERIFY_OK(opened);
        DirectButler& butler = *opened.value();
        const auto s = [](const char* text) { return QString::fromLatin1(text); };
        BUTLER_VERIFY_OK(butler.insertDimensionRecords(
            s("instrument"),
            {DimensionRecord(s("instrument"), {{s("name"), s("Cam")}, {s("detector_max"), 4}})}));
        QList<DimensionRecord> detectors;
        for (qint64 d = 0; d < 3; ++d)
            detectors << DimensionRecord(
                s("detector"),
                {{s("instrument"), s("Cam")}, {s("id"), d}, {s("full_name"), QStringLiteral("D%1").arg(d)}});
        BUTLER_VERIFY_OK(butler.insertDimensionRecords(s("detector"), detectors));
        auto note = DatasetType::make(butler.universe(), s("note"), {s("instrument"), s("detector")},
                                      s("StructuredDataDict"));
        BUTLER_VERIFY_OK(note);
        BUTLER_VERIFY_OK(butler.registerDatasetType(note.value()));
        BUTLER_VERIFY_OK(butler.registerCollection(s("run"), CollectionType::Run));
        QHash<QUuid, qint64> expected;
        for (qint64 d = 0; d < 2; ++d) {
            const QByteArray bytes =
                QByteArray("{\"detector\": ") + QByteArray::number(d) + QByteArray(int(d) * 100, ' ') + "}";
            auto ref = butler.put(bytes, s("json"), s("note"),
                                  {{s("instrument"), s("Cam")}, {s("detector"), d}}, s("run"));
            BUTLER_VERIFY_OK(ref);
            expected.insert(ref->id(), bytes.size());
        }
        // A dataset without a file (an import whose files are absent).
        IngestFile fileless;
        fileless.datasetType = s("note");
        fileless.dataId = {{s("instrument"), s("Cam")}, {s("detector"), 2}};
        auto registered = butler.registerDatasets(s("run"), {fileless});
        BUTLER_VERIFY_OK(registered);
        expected.insert(registered->first().id(), -1);

        DatasetQuery query;
        query.collections = {s("run")};
        auto plain = butler.queryDatasets(query);
        BUTLER_VERIFY_OK(plain);
        QCOMPARE(plain->refs.size(), 3);
        QVERIFY(plain->sizes.isEmpty());

        query.withSizes = true;
        query.limit = 2; // sizes follow the page, not the whole result
        auto page = butler.queryDatasets(query);
        BUTLER_VERIFY_OK(page);
        QCOMPARE(page->sizes.size(), page->refs.size());
        for (qsizetype i = 0; i < page->refs.size(); ++i)
            QCOMPARE(page->sizes[i], expected.value(page->refs[i].id()));
        query.pageToken = page->nextPageToken;
        auto rest = butler.queryDatasets(query);
        BUTLER_VERIFY_OK(rest);
        QCOMPARE(rest->refs.size(), 1);
        QCOMPARE(rest->sizes, QList<qint64>{expected.value(rest->refs[0].id())});
    }
};

QTEST_GUILESS_MAIN(TestDirectButler)
#include "tst_directbutler.moc"
