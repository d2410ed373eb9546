// The browser against a real butler-server (ServerFixture): signing in is shared with the
// command line both ways (`butler login`, then the browser opens the repository without asking;
// File > Connect to server with a pasted token, then `butler whoami` works), the status bar
// shows the user, groups and quota and follows uploads and curation, and cancelling in the
// operations panel really stops the work: with the server stopped (SIGSTOP), a curation
// request, a dataset load and a dataset count are cancelled and nothing waits for the server.

#include "CollectionTreeModel.h"
#include "CurationController.h"
#include "DatasetTableModel.h"
#include "LoginDialog.h"
#include "MainWindow.h"
#include "OperationsModel.h"
#include "OperationsPanel.h"
#include "QuotaBar.h"
#include "RecentRepositories.h"
#include "RemoteLocation.h"
#include "ServerFixture.h"
#include "TokenSource.h"
#include "TokenStore.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <csignal>
#include <sys/types.h>

using namespace butler;

namespace {

constexpr int kTimeout = 30000;
using State = OperationsModel::State;

struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// The command line, with the test's XDG_CONFIG_HOME and no token in the environment.
CliRun runCli(const QStringList& args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QString::fromLatin1(TokenSource::EnvironmentVariable));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(BUTLER_BIN_DIR "/butler"), args);
    CliRun run;
    if (!process.waitForFinished(60000))
        return run;
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

// Stops the server process while in scope: connections are accepted by the kernel, answers never come.
class PausedServer
{
public:
    explicit PausedServer(QProcess& process)
        : m_pid(pid_t(process.processId()))
    {
        ::kill(m_pid, SIGSTOP);
    }
    ~PausedServer() { ::kill(m_pid, SIGCONT); }
    PausedServer(const PausedServer&) = delete;
    PausedServer& operator=(const PausedServer&) = delete;

private:
    pid_t m_pid;
};

// The operation whose title starts with the text, newest first; 0 when none.
quint64 findOperation(const OperationsModel& model, const QString& title)
{
    for (int row = model.rowCount() - 1; row >= 0; --row)
        if (model.index(row, OperationsModel::TitleColumn).data().toString().startsWith(title))
            return model.idAt(row);
    return 0;
}

} // namespace

class TestBrowserConnect : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void opensWithTheTokenOfButlerLogin();
    void connectDialogSignsInForTheCommandLineToo();
    void quotaFollowsUploadsAndCuration();
    void cancelStopsACurationRequest();
    void cancelStopsADatasetLoad();
    void cancelStopsADatasetCount();
    void rejectedTokenAsksAgain();

private:
    bool openAs(const QString& token);
    QString serverBase() const { return RemoteLocation::parse(m_server.repoUrl())->serverBase(); }
    QString tokenFile() const { return TokenSource::defaultStoreFile(); }

    ServerFixture m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_operationsTester;
};

void TestBrowserConnect::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("ButlerTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_browserconnect"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       m_dir.filePath(QStringLiteral("settings")));
    // The command line and the browser both keep tokens under here.
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
    qunsetenv(TokenSource::EnvironmentVariable);
    QVERIFY(m_server.prepare());
    QVERIFY(m_server.start());

    m_window = std::make_unique<MainWindow>(LocalServerFactory{});
    m_window->resize(1300, 850);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QCOMPARE(m_window->tokenStore()->filePath(), m_dir.filePath(QStringLiteral("config/butler/tokens.json")));
    m_operationsTester = std::make_unique<QAbstractItemModelTester>(
        m_window->operations(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestBrowserConnect::cleanupTestCase()
{
    m_operationsTester.reset();
    m_window.reset();
    m_server.stop();
}

bool TestBrowserConnect::openAs(const QString& token)
{
    QSignalSpy opened(m_window.get(), &MainWindow::sessionOpened);
    m_window->openRemote(m_server.repoUrl(), token);
    return opened.wait(kTimeout);
}

void TestBrowserConnect::opensWithTheTokenOfButlerLogin()
{
    const QString file = m_dir.filePath(QStringLiteral("alice.token"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(m_server.token(QStringLiteral("alice")).toUtf8());
    out.close();
    const CliRun login =
        runCli({QStringLiteral("login"), m_server.repoUrl(), QStringLiteral("--token-file"), file});
    QVERIFY2(login.exitCode == 0, qPrintable(login.err));
    QVERIFY(QFile::exists(tokenFile()));

    // No dialog: the stored token is used.
    QSignalSpy opened(m_window.get(), &MainWindow::sessionOpened);
    m_window->connectToServer(m_server.repoUrl());
    QVERIFY(opened.wait(kTimeout));
    QVERIFY(!m_window->findChild<LoginDialog*>());
    QCOMPARE(m_window->session()->identity().user, QStringLiteral("alice"));

    // The status bar: user, groups, quota.
    QCOMPARE(m_window->userLabel()->text(), QStringLiteral("alice (alpha)"));
    QVERIFY(m_window->userLabel()->toolTip().contains(QLatin1String("Groups: alpha")));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->quotaBar()->quota().has_value(), kTimeout);
    QCOMPARE(m_window->quotaBar()->quota()->user, QStringLiteral("alice"));
    QCOMPARE(m_window->quotaBar()->quota()->limitBytes, 10LL * 1024 * 1024 * 1024);
    QVERIFY(!m_window->quotaBar()->isHidden());
    QVERIFY(m_window->quotaBar()->toolTip().contains(QLatin1String("Limit:")));

    // It is a recent repository now.
    QCOMPARE(m_window->recentRepositories()->entries().first().location, m_server.repoUrl());
}

void TestBrowserConnect::connectDialogSignsInForTheCommandLineToo()
{
    auto* connectAction = m_window->findChild<QAction*>(QStringLiteral("connectAction"));
    QVERIFY(connectAction);
    QVERIFY(connectAction->text().contains(QLatin1Char('&')));
    connectAction->trigger();
    LoginDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<LoginDialog*>()) && dialog->isVisible());
    QVERIFY(dialog->repositoryRequired());
    // It starts from the server opened last.
    QCOMPARE(dialog->serverUrl(), m_server.repoUrl());

    QLineEdit* tokenEdit = nullptr;
    for (QLineEdit* edit : dialog->findChildren<QLineEdit*>())
        if (edit->accessibleName() == QLatin1String("Access token"))
            tokenEdit = edit;
    QVERIFY(tokenEdit);
    tokenEdit->setText(m_server.token(QStringLiteral("bob")));
    QPushButton* open = nullptr;
    for (QPushButton* button : dialog->findChildren<QPushButton*>())
        if (button->accessibleName() == QLatin1String("Open"))
            open = button;
    QVERIFY(open && open->isEnabled());
    QSignalSpy opened(m_window.get(), &MainWindow::sessionOpened);
    QTest::mouseClick(open, Qt::LeftButton);
    QVERIFY(opened.wait(kTimeout));
    QCOMPARE(m_window->session()->identity().user, QStringLiteral("bob"));
    QCOMPARE(m_window->userLabel()->text(), QStringLiteral("bob (beta)"));

    // The token went where `butler` looks: the command line is signed in as bob now.
    QCOMPARE(TokenSource::storedToken(serverBase(), tokenFile()).valueOr({}),
             m_server.token(QStringLiteral("bob")));
    const CliRun whoami = runCli({QStringLiteral("whoami"), m_server.repoUrl()});
    QVERIFY2(whoami.exitCode == 0, qPrintable(whoami.err));
    QVERIFY2(whoami.out.contains(QLatin1String("bob")), qPrintable(whoami.out));
    QCOMPARE(m_window->recentRepositories()->entries().size(), 1);
}

void TestBrowserConnect::quotaFollowsUploadsAndCuration()
{
    QCOMPARE(m_window->session()->identity().user, QStringLiteral("bob"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->quotaBar()->quota().has_value(), kTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->quotaBar()->quota()->user, QStringLiteral("bob"), kTimeout);
    const qint64 before = m_window->quotaBar()->quota()->usedBytes;

    RemoteButler& butler = m_window->session()->butler();
    QVERIFY(butler.registerCollection(QStringLiteral("u/bob/quota"), CollectionType::Run).ok());
    const QByteArray bytes = QByteArray("{\"payload\": \"") + QByteArray(4000, 'x') + "\"}";
    const auto put = butler.put(bytes, QStringLiteral("json"), QStringLiteral("note"),
                                {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}},
                                QStringLiteral("u/bob/quota"));
    QVERIFY2(put.ok(), put.ok() ? "" : qPrintable(put.error().message()));
    QSignalSpy refreshed(m_window.get(), &MainWindow::quotaRefreshed);
    m_window->refreshQuota();
    QVERIFY(refreshed.wait(kTimeout));
    QCOMPARE(m_window->quotaBar()->quota()->usedBytes, before + bytes.size());
    QVERIFY(m_window->quotaBar()->text().contains(QLatin1String("used")));

    // Curation asks again.
    refreshed.clear();
    m_window->curation()->createCollection(QStringLiteral("u/bob/picks"), CollectionType::Tagged, QString());
    QVERIFY(refreshed.wait(kTimeout));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->curation()->pending(), 0, kTimeout);
}

void TestBrowserConnect::cancelStopsACurationRequest()
{
    RemoteButler& butler = m_window->session()->butler();
    QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, kTimeout);
    OperationsModel* operations = m_window->operations();
    const int undoCount = m_window->undoStack()->count();
    {
        const PausedServer paused(m_server.process());
        m_window->curation()->createCollection(QStringLiteral("u/bob/stuck"), CollectionType::Tagged,
                                               QString());
        const quint64 id = findOperation(*operations, QStringLiteral("Create collection u/bob/stuck"));
        QVERIFY(id != 0);
        QCOMPARE(operations->state(id), State::Running);
        QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 1, kTimeout);
        QCOMPARE(m_window->curation()->pending(), 1);
        QVERIFY(!m_window->operationsButton()->text().isEmpty());

        // The panel's Cancel button, with the operation current.
        m_window->focusPane(MainWindow::Pane::Operations);
        OperationsPanel* panel = m_window->operationsPanel();
        panel->view()->setCurrentIndex(operations->index(operations->rowOf(id), 0));
        QVERIFY(panel->cancelButton()->isEnabled());
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);

        // Stopped while the server is still frozen: the request was aborted and the action ended.
        QTRY_COMPARE_WITH_TIMEOUT(operations->state(id), State::Cancelled, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->curation()->pending(), 0, 5000);
        QCOMPARE(m_window->undoStack()->count(), undoCount);
        // The server may have made the collection before it stopped: the list is asked for again.
        QVERIFY(m_window->collectionModel()->hasPendingRequests());
        QVERIFY2(m_window->lastMessage().startsWith(QLatin1String("Cancelled: create u/bob/stuck")),
                 qPrintable(m_window->lastMessage()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, kTimeout);
}

void TestBrowserConnect::cancelStopsADatasetLoad()
{
    RemoteButler& butler = m_window->session()->butler();
    QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, kTimeout);
    OperationsModel* operations = m_window->operations();
    {
        const PausedServer paused(m_server.process());
        m_window->showCollection(QStringLiteral("u/bob/run"));
        QVERIFY(m_window->datasetModel()->isLoading());
        const quint64 id = findOperation(*operations, QStringLiteral("Load datasets of u/bob/run"));
        QVERIFY(id != 0);
        QTRY_VERIFY_WITH_TIMEOUT(butler.pendingRequests() >= 1, kTimeout);
        QVERIFY(operations->cancel(id));
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->datasetModel()->isLoading(), 5000);
        QCOMPARE(operations->state(id), State::Cancelled);
        QCOMPARE(m_window->lastMessage(), QStringLiteral("Loading the datasets was cancelled."));
        QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, 5000);
    }
    // Once the server answers again, the collection loads.
    m_window->showCollection(QStringLiteral("u/bob/run"));
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->datasetModel()->isLoading(), kTimeout);
    QCOMPARE(m_window->datasetModel()->rowCount(), 1);
    QCOMPARE(operations->state(findOperation(*operations, QStringLiteral("Load datasets of u/bob/run"))),
             State::Succeeded);
}

void TestBrowserConnect::cancelStopsADatasetCount()
{
    RemoteButler& butler = m_window->session()->butler();
    QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, kTimeout);
    OperationsModel* operations = m_window->operations();
    CollectionTreeModel* tree = m_window->collectionModel();
    QTRY_VERIFY_WITH_TIMEOUT(tree->indexForCollection(QStringLiteral("u/bob/run")).isValid(), kTimeout);
    {
        const PausedServer paused(m_server.process());
        // Asking for the count again makes the tree count when it next shows the row.
        tree->invalidateCount(QStringLiteral("u/bob/run"));
        const QModelIndex row = tree->indexForCollection(QStringLiteral("u/bob/run"));
        (void)tree->index(row.row(), CollectionTreeModel::DatasetCountColumn, row.parent())
            .data(CollectionTreeModel::DatasetCountRole);
        quint64 id = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            (id = findOperation(*operations, QStringLiteral("Count datasets in u/bob/run"))) != 0, kTimeout);
        QCOMPARE(operations->state(id), State::Running);
        QVERIFY(operations->cancel(id));
        QTRY_COMPARE_WITH_TIMEOUT(operations->state(id), State::Cancelled, 5000);
        const QModelIndex count =
            tree->index(row.row(), CollectionTreeModel::DatasetCountColumn, row.parent());
        QTRY_COMPARE_WITH_TIMEOUT(count.data(CollectionTreeModel::FetchStateRole).toInt(),
                                  int(CollectionTreeModel::FetchState::Failed), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, 5000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(butler.pendingRequests(), 0, kTimeout);
}

void TestBrowserConnect::rejectedTokenAsksAgain()
{
    // A token the server no longer takes, as left behind by an old `butler login`.
    QVERIFY(TokenSource::storeToken(serverBase(), QStringLiteral("revoked-token"), tokenFile()).ok());
    QSignalSpy failed(m_window.get(), &MainWindow::sessionFailed);
    m_window->connectToServer(m_server.repoUrl());
    QVERIFY(failed.wait(kTimeout));
    LoginDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<LoginDialog*>()) && dialog->isVisible());
    QCOMPARE(dialog->serverUrl(), m_server.repoUrl());
    dialog->reject();
    // The session that was open stays.
    QCOMPARE(m_window->session()->identity().user, QStringLiteral("bob"));
}

QTEST_MAIN(TestBrowserConnect)
#include "tst_browserconnect.moc"
