// DatasetTableView's layout after rows arrive: a page appended below the last row it shows
// takes the new scroll range without a repaint of the viewport; rows that arrive in sight, a
// reset, a change of columns or of shown data repaint as usual.

#include "DatasetTableView.h"

#include <QApplication>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTest>

#include <functional>

using namespace butler;

class TestDatasetTableView : public QObject
{
    Q_OBJECT

private slots:
    void appendOutOfSightSkipsTheRepaint();
    void rowsScrolledIntoViewArePainted();
    void appendIntoAViewNotFullRepaints();
    void insertAboveRepaints();
    void removalAfterAnAppendRepaints();
    void resetAfterAnAppendRepaints();
    void columnsAfterAnAppendRepaint();
    void shownDataChangedWithAnAppendRepaints();
};

namespace {

// Paint events of the view's viewport.
struct PaintCounter : QObject
{
    int paints = 0;
    bool eventFilter(QObject*, QEvent* event) override
    {
        paints += event->type() == QEvent::Paint;
        return false;
    }
};

struct Table
{
    QStandardItemModel model;
    DatasetTableView view;
    PaintCounter counter;

    explicit Table(int rows)
    {
        model.setColumnCount(2);
        appendRows(rows);
        view.setModel(&model);
        view.resize(500, 300);
        view.viewport()->installEventFilter(&counter);
        view.show();
        settle();
        counter.paints = 0;
    }

    void appendRows(int n)
    {
        for (int i = 0; i < n; ++i) {
            const int row = model.rowCount();
            model.appendRow({new QStandardItem(QStringLiteral("run/%1").arg(row)),
                             new QStandardItem(QString::number(row))});
        }
    }

    // The view's delayed layout (a zero timer) and the paints it posts.
    static void settle()
    {
        for (int i = 0; i < 3; ++i) {
            QTest::qWait(20);
            QCoreApplication::sendPostedEvents();
        }
    }

    int lastShownRow() const { return view.rowAt(view.viewport()->height() - 1); }
};

} // namespace

void TestDatasetTableView::appendOutOfSightSkipsTheRepaint()
{
    Table table(100);
    QVERIFY(table.lastShownRow() > 0);
    QVERIFY(table.lastShownRow() < 99);
    const int maximumBefore = table.view.verticalScrollBar()->maximum();

    table.appendRows(200);
    Table::settle();
    QCOMPARE(table.counter.paints, 0);
    // The layout ran: the scroll range covers the new rows.
    QVERIFY(table.view.verticalScrollBar()->maximum() > maximumBefore);
}

void TestDatasetTableView::rowsScrolledIntoViewArePainted()
{
    Table table(100);
    table.appendRows(200);
    Table::settle();
    table.view.scrollToBottom();
    Table::settle();
    QVERIFY(table.counter.paints > 0);
    QCOMPARE(table.lastShownRow(), 299);

    // At the bottom, a further page still lands below the last row shown.
    table.counter.paints = 0;
    table.appendRows(200);
    Table::settle();
    QCOMPARE(table.counter.paints, 0);
    table.view.scrollToBottom();
    Table::settle();
    QVERIFY(table.counter.paints > 0);
    QCOMPARE(table.lastShownRow(), 499);
}

void TestDatasetTableView::appendIntoAViewNotFullRepaints()
{
    Table table(2);
    QCOMPARE(table.lastShownRow(), -1); // empty space below the rows
    table.appendRows(3);
    Table::settle();
    QVERIFY(table.counter.paints > 0);
}

namespace {

// Appends a page out of sight, then changes the model before the view's next layout: the
// change must not lose its repaint to the append.
bool repaintsWithAnAppend(const std::function<void(Table&)>& change)
{
    Table table(100);
    table.appendRows(50);
    change(table);
    Table::settle();
    return table.counter.paints > 0;
}

} // namespace

void TestDatasetTableView::insertAboveRepaints()
{
    QVERIFY(repaintsWithAnAppend([](Table& table) {
        table.model.insertRow(
            0, {new QStandardItem(QStringLiteral("first")), new QStandardItem(QStringLiteral("0"))});
    }));
}

void TestDatasetTableView::removalAfterAnAppendRepaints()
{
    QVERIFY(repaintsWithAnAppend([](Table& table) { table.model.setRowCount(80); }));
}

void TestDatasetTableView::resetAfterAnAppendRepaints()
{
    QVERIFY(repaintsWithAnAppend([](Table& table) {
        table.model.clear();
        table.model.setColumnCount(2);
        table.appendRows(100);
    }));
}

void TestDatasetTableView::columnsAfterAnAppendRepaint()
{
    QVERIFY(repaintsWithAnAppend([](Table& table) { table.model.insertColumn(0); }));
}

void TestDatasetTableView::shownDataChangedWithAnAppendRepaints()
{
    QVERIFY(repaintsWithAnAppend(
        [](Table& table) { table.model.item(0, 0)->setText(QStringLiteral("renamed")); }));
}

QTEST_MAIN(TestDatasetTableView)
#include "tst_datasettableview.moc"
