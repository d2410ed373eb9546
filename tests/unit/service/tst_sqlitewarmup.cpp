// A server's registry is read into the system's file cache when it is opened: checked with
// mincore() on the database file after its pages were dropped from the cache.

#include "SqliteDatabase.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace butler;

namespace {

// Share of the file's pages in the system's file cache, or -1 when that cannot be told.
double residentShare(const QString& path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    const off_t size = ::lseek(fd, 0, SEEK_END);
    void* map = size > 0 ? ::mmap(nullptr, size_t(size), PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    ::close(fd);
    if (map == MAP_FAILED)
        return -1;
    const long page = ::sysconf(_SC_PAGESIZE);
    const size_t pages = size_t((size + page - 1) / page);
    std::vector<unsigned char> resident(pages);
    double share = -1;
    if (::mincore(map, size_t(size), resident.data()) == 0)
        share =
            double(std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; })) /
            double(pages);
    ::munmap(map, size_t(size));
    return share;
}

// Drops the file's pages from the cache (written out first: dirty pages would stay).
bool dropFromCache(const QString& path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ::fdatasync(fd);
    const bool ok = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
    ::close(fd);
    return ok;
}

} // namespace

class tst_SqliteWarmUp : public QObject
{
    Q_OBJECT

    // Next to the test binary, in the build tree: a temporary folder may be on tmpfs, whose
    // pages cannot be dropped from the cache.
    QTemporaryDir m_dir{QCoreApplication::applicationDirPath() + QStringLiteral("/sqlitewarmup-XXXXXX")};

    // A database of about 24 MB, made with its own connection, closed.
    QString makeDatabase(const QString& name)
    {
        const QString path = m_dir.filePath(name);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            if (!db.open())
                return {};
            QSqlQuery q(db);
            q.exec(QStringLiteral("CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB)"));
            db.transaction();
            q.prepare(QStringLiteral("INSERT INTO filler (data) VALUES (?)"));
            for (int i = 0; i < 6000; ++i) {
                q.addBindValue(QByteArray(4000, char('a' + i % 26)));
                q.exec();
            }
            db.commit();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void openedDatabaseIsReadAhead()
    {
        const QString path = makeDatabase(QStringLiteral("warm.sqlite3"));
        QVERIFY(!path.isEmpty());
        QVERIFY(QFileInfo(path).size() > 20 << 20);
        QVERIFY(dropFromCache(path));
        const double before = residentShare(path);
        QVERIFY2(before >= 0 && before < 0.5, qPrintable(QString::number(before)));

        SqliteDatabase::setWarmFileCache(true);
        auto db = SqliteDatabase::open(path);
        SqliteDatabase::setWarmFileCache(false);
        QVERIFY(db.ok());
        QTRY_VERIFY_WITH_TIMEOUT(residentShare(path) > 0.95, 20000);
    }

    void notReadAheadUnlessAsked()
    {
        const QString path = makeDatabase(QStringLiteral("cold.sqlite3"));
        QVERIFY(!path.isEmpty());
        QVERIFY(dropFromCache(path));
        auto db = SqliteDatabase::open(path);
        QVERIFY(db.ok());
        QTest::qWait(300);
        const double after = residentShare(path);
        QVERIFY2(after >= 0 && after < 0.5, qPrintable(QString::number(after)));
    }
};

QTEST_GUILESS_MAIN(tst_SqliteWarmUp)
#include "tst_sqlitewarmup.moc"
