// The background operations: OperationsModel (rows, states, cancel, pruning) under
// QAbstractItemModelTester, the OperationsPanel's cancel button and Delete key, the quota bar,
// and RequestGroup aborting a request that a server never answers (a loopback socket that
// accepts and stays silent), which is what "cancel" does to the browser's network work.

#include "OperationsModel.h"
#include "OperationsPanel.h"
#include "QuotaBar.h"
#include "RemoteTransport.h"
#include "RequestGroup.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTreeView>

#include <optional>

using namespace butler;

namespace {

using State = OperationsModel::State;

QString rowText(const OperationsModel& model, int row)
{
    return QStringLiteral("%1|%2").arg(model.index(row, OperationsModel::TitleColumn).data().toString(),
                                       model.index(row, OperationsModel::StateColumn).data().toString());
}

template <typename T> QCoro::Task<> storeResult(QCoro::Task<T> task, std::optional<T>& out)
{
    out.emplace(co_await task);
}

// Accepts connections and reads what they send, and never answers.
class SilentServer : public QTcpServer
{
public:
    SilentServer()
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
                m_sockets << socket;
            }
        });
    }
    int connections() const { return int(m_sockets.size()); }

private:
    QList<QTcpSocket*> m_sockets;
};

} // namespace

class TestOperationsModel : public QObject
{
    Q_OBJECT

private slots:
    void startsAndFinishes();
    void cancelRunsTheCancellerOnce();
    void cancellerMayFinishAtOnce();
    void uncancellableStaysRunning();
    void keepsFinishedRowsBounded();
    void progressAsText();
    void panelCancelsTheCurrentRow();
    void quotaBarShowsUsedReservedAndLimit();
    void quotaBarHidesWithoutQuota();
    void groupAbortsARequestTheServerNeverAnswers();
    void cancelledGroupSendsNothing();
    void groupProgressReachesTheOperation();
};

void TestOperationsModel::startsAndFinishes()
{
    OperationsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy running(&model, &OperationsModel::runningCountChanged);
    QSignalSpy finished(&model, &OperationsModel::finished);

    const quint64 a = model.start(QStringLiteral("Load datasets"));
    const quint64 b = model.start(QStringLiteral("Download raw.fits"));
    QVERIFY(a != 0 && b != 0 && a != b);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.runningCount(), 2);
    QCOMPARE(model.currentTitle(), QStringLiteral("Download raw.fits"));
    QCOMPARE(rowText(model, 0), QStringLiteral("Load datasets|Running"));

    model.finish(a);
    model.finish(b, QStringLiteral("server went away"));
    QCOMPARE(model.runningCount(), 0);
    QVERIFY(model.currentTitle().isEmpty());
    QCOMPARE(model.state(a), State::Succeeded);
    QCOMPARE(model.state(b), State::Failed);
    QCOMPARE(model.index(1, 0).data(OperationsModel::MessageRole).toString(),
             QStringLiteral("server went away"));
    QCOMPARE(model.index(1, 0).data(Qt::ToolTipRole).toString(), QStringLiteral("server went away"));
    QCOMPARE(rowText(model, 1), QStringLiteral("Download raw.fits|Failed"));
    QCOMPARE(running.size(), 4);
    QCOMPARE(running.last().first().toInt(), 0);
    QCOMPARE(finished.size(), 2);

    // Finishing twice changes nothing.
    model.finish(a, QStringLiteral("late"));
    QCOMPARE(model.state(a), State::Succeeded);
    QCOMPARE(finished.size(), 2);

    model.clearFinished();
    QCOMPARE(model.rowCount(), 0);
}

void TestOperationsModel::cancelRunsTheCancellerOnce()
{
    OperationsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int calls = 0;
    const quint64 id = model.start(QStringLiteral("Count datasets"), [&calls] { ++calls; });
    QVERIFY(model.index(0, 0).data(OperationsModel::CancellableRole).toBool());
    QVERIFY(model.cancel(id));
    QCOMPARE(calls, 1);
    QCOMPARE(model.state(id), State::Cancelling);
    QVERIFY(!model.index(0, 0).data(OperationsModel::CancellableRole).toBool());
    QVERIFY(!model.cancel(id)); // already asked
    QCOMPARE(calls, 1);
    QCOMPARE(model.runningCount(), 1); // still running until the work has stopped

    // However the work ends, a cancelled operation shows as cancelled.
    model.finish(id, QStringLiteral("cancelled: aborted"));
    QCOMPARE(model.state(id), State::Cancelled);
    QVERIFY(model.isCancelRequested(id));
    QCOMPARE(model.runningCount(), 0);
    QCOMPARE(rowText(model, 0), QStringLiteral("Count datasets|Cancelled"));
}

void TestOperationsModel::cancellerMayFinishAtOnce()
{
    OperationsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    quint64 id = 0;
    // An aborted reply answers inside abort(): the canceller ends the operation itself.
    id = model.start(QStringLiteral("Preview"),
                     [&model, &id] { model.finish(id, QStringLiteral("aborted")); });
    const quint64 other = model.start(QStringLiteral("Other"), [] {});
    model.cancelAll();
    QCOMPARE(model.state(id), State::Cancelled);
    QCOMPARE(model.state(other), State::Cancelling);
    QCOMPARE(model.runningCount(), 1);
}

void TestOperationsModel::uncancellableStaysRunning()
{
    OperationsModel model;
    const quint64 id = model.start(QStringLiteral("Opening /data/repo…"));
    QVERIFY(!model.index(0, 0).data(OperationsModel::CancellableRole).toBool());
    QVERIFY(!model.cancel(id));
    model.cancelAll();
    QCOMPARE(model.state(id), State::Running);
}

void TestOperationsModel::keepsFinishedRowsBounded()
{
    OperationsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const quint64 longRunning = model.start(QStringLiteral("long"));
    for (int i = 0; i < OperationsModel::kKeepFinished + 5; ++i)
        model.finish(model.start(QStringLiteral("op %1").arg(i)));
    // The oldest finished rows went; the running one stayed.
    QVERIFY(model.rowCount() <= OperationsModel::kKeepFinished + 1);
    QVERIFY(model.contains(longRunning));
    QCOMPARE(model.index(model.rowCount() - 1, 0).data().toString(),
             QStringLiteral("op %1").arg(OperationsModel::kKeepFinished + 4));
    QVERIFY(model.rowOf(longRunning) == 0);
    model.clearFinished();
    QCOMPARE(model.rowCount(), 1);
}

void TestOperationsModel::progressAsText()
{
    QLocale::setDefault(QLocale::c());
    OperationsModel model;
    const quint64 id = model.start(QStringLiteral("Download"));
    QCOMPARE(model.index(0, OperationsModel::ProgressColumn).data(OperationsModel::ProgressRole).toInt(), -1);
    model.setProgress(id, 512, 2048);
    QCOMPARE(model.index(0, OperationsModel::ProgressColumn).data(OperationsModel::ProgressRole).toInt(),
             250);
    QVERIFY2(
        model.index(0, OperationsModel::ProgressColumn).data().toString().contains(QLatin1String(" of ")),
        qPrintable(model.index(0, OperationsModel::ProgressColumn).data().toString()));
    model.finish(id);
    QCOMPARE(model.index(0, OperationsModel::ProgressColumn).data(OperationsModel::ProgressRole).toInt(),
             1000);
    QCOMPARE(model.index(0, OperationsModel::ProgressColumn).data().toString(), QStringLiteral("100%"));
}

void TestOperationsModel::panelCancelsTheCurrentRow()
{
    OperationsModel model;
    OperationsPanel panel(&model);
    panel.resize(600, 200);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.view()->accessibleName(), QStringLiteral("Operations"));
    QVERIFY(!panel.cancelButton()->isEnabled());

    int firstCancelled = 0;
    int secondCancelled = 0;
    const quint64 first = model.start(QStringLiteral("first"), [&] { ++firstCancelled; });
    const quint64 second = model.start(QStringLiteral("second"), [&] { ++secondCancelled; });
    // The newest operation is current, so the button stops what was just started.
    QCOMPARE(panel.view()->currentIndex().row(), 1);
    QVERIFY(panel.cancelButton()->isEnabled());
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QCOMPARE(secondCancelled, 1);
    QCOMPARE(firstCancelled, 0);
    QCOMPARE(model.state(second), State::Cancelling);
    QVERIFY(!panel.cancelButton()->isEnabled());

    // From the keyboard: move up, press Delete.
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    panel.view()->setFocus();
    QTest::keyClick(panel.view(), Qt::Key_Up);
    QCOMPARE(panel.view()->currentIndex().row(), 0);
    QTest::keyClick(panel.view(), Qt::Key_Delete);
    QCOMPARE(firstCancelled, 1);
    QCOMPARE(model.state(first), State::Cancelling);
}

void TestOperationsModel::quotaBarShowsUsedReservedAndLimit()
{
    QLocale::setDefault(QLocale::c());
    QuotaBar bar;
    QCOMPARE(bar.accessibleName(), QStringLiteral("Storage quota"));
    QVERIFY(bar.isHidden());
    RemoteQuota quota;
    quota.user = QStringLiteral("alice");
    quota.limitBytes = 10LL << 30;
    quota.usedBytes = 1LL << 30;
    quota.reservedBytes = 512LL << 20;
    quota.availableBytes = quota.limitBytes - quota.usedBytes - quota.reservedBytes;
    bar.setQuota(quota);
    QVERIFY(!bar.isHidden());
    QCOMPARE(bar.text(), QStringLiteral("1.00 GiB of 10.00 GiB used"));
    QVERIFY2(bar.toolTip().contains(QLatin1String("Reserved by uploads in progress: 512.00 MiB")),
             qPrintable(bar.toolTip()));
    QVERIFY(bar.toolTip().contains(QLatin1String("alice")));
    QCOMPARE(bar.accessibleDescription(), bar.toolTip());
    QVERIFY(!bar.grab().isNull());
}

void TestOperationsModel::quotaBarHidesWithoutQuota()
{
    QuotaBar bar;
    RemoteQuota quota;
    quota.user = QStringLiteral("bob");
    quota.limitBytes = 100;
    bar.setQuota(quota);
    QVERIFY(!bar.isHidden());
    bar.setUnavailable(QStringLiteral("This server keeps no storage quota."));
    QVERIFY(bar.isHidden());
    QVERIFY(!bar.quota().has_value());
    QCOMPARE(bar.toolTip(), QStringLiteral("This server keeps no storage quota."));
}

void TestOperationsModel::groupAbortsARequestTheServerNeverAnswers()
{
    SilentServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const auto location = RemoteLocation::parse(
        QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(server.serverPort()));
    QVERIFY(location.ok());
    RemoteTransport transport(*location, QStringLiteral("token"), RemoteOptions{});
    auto group = std::make_shared<RequestGroup>();
    transport.setRequestGroup(group);
    QSignalSpy started(group.get(), &RequestGroup::requestStarted);
    QSignalSpy ended(group.get(), &RequestGroup::requestFinished);

    RemoteTransport::Request request;
    request.url = location->apiUrl(QStringLiteral("/quota"));
    std::optional<Result<RemoteTransport::Answer>> answer;
    QCoro::Task<> waiting = storeResult(transport.send(request), answer);
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.first().at(2).toUrl().path(), QStringLiteral("/api/butler/repo/main/v1/quota"));
    QTRY_COMPARE_WITH_TIMEOUT(server.connections(), 1, 10000);
    QCOMPARE(group->inFlight(), 1);
    QCOMPARE(transport.inFlight(), 1);
    QVERIFY(!answer.has_value());

    group->abortAll();
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QVERIFY(!answer->ok());
    QVERIFY2(RequestGroup::isCancellation(answer->error()), qPrintable(answer->error().message()));
    QVERIFY(RequestGroup::isCancellationMessage(answer->error().message()));
    QCOMPARE(ended.size(), 1);
    QCOMPARE(group->inFlight(), 0);
    QCOMPARE(transport.inFlight(), 0);

    // abortAll() is not sticky: the next request goes out (and is aborted one by one).
    answer.reset();
    QCoro::Task<> again = storeResult(transport.send(request), answer);
    QCOMPARE(started.size(), 2);
    group->abort(started.last().first().toULongLong());
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QVERIFY(RequestGroup::isCancellation(answer->error()));
}

void TestOperationsModel::cancelledGroupSendsNothing()
{
    SilentServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const auto location = RemoteLocation::parse(
        QStringLiteral("http://127.0.0.1:%1/api/butler/repo/main").arg(server.serverPort()));
    RemoteTransport transport(*location, QStringLiteral("token"), RemoteOptions{});
    auto group = std::make_shared<RequestGroup>();
    transport.setRequestGroup(group);
    group->cancel();
    QVERIFY(group->isCancelled());
    QSignalSpy started(group.get(), &RequestGroup::requestStarted);
    RemoteTransport::Request request;
    request.url = location->apiUrl(QStringLiteral("/quota"));
    std::optional<Result<RemoteTransport::Answer>> answer;
    QCoro::Task<> waiting = storeResult(transport.send(request), answer);
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QVERIFY(RequestGroup::isCancellation(answer->error()));
    QCOMPARE(started.size(), 0);
    QCOMPARE(server.connections(), 0);
}

void TestOperationsModel::groupProgressReachesTheOperation()
{
    OperationsModel model;
    auto group = std::make_shared<RequestGroup>();
    const quint64 id = model.startWithGroup(QStringLiteral("Preview"), group);
    emit group->requestProgress(7, 300, 1200);
    QCOMPARE(model.index(0, 0).data(OperationsModel::DoneRole).toLongLong(), 300);
    QCOMPARE(model.index(0, 0).data(OperationsModel::TotalRole).toLongLong(), 1200);
    // Cancelling the operation cancels the group.
    QVERIFY(model.cancel(id));
    QVERIFY(group->isCancelled());
}

QTEST_MAIN(TestOperationsModel)
#include "tst_operationsmodel.moc"
