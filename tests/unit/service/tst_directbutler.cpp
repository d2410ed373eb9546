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
};

QTEST_GUILESS_MAIN(TestDirectButler)
#include "tst_directbutler.moc"
