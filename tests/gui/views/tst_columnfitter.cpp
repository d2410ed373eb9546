// ColumnFitter: a table's columns take the width of a query's first rows when they arrive (not
// the header's default), are capped at a third of the view, keep the user's widths as more
// rows arrive, and columns inserted later are fitted when their rows come.

#include "ColumnFitter.h"

#include <QApplication>
#include <QHeaderView>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

using namespace butler;

class TestColumnFitter : public QObject
{
    Q_OBJECT

private slots:
    void fitsTheFirstRows();
    void capsAtAThirdOfTheView();
    void keepsTheUsersWidthAsRowsArrive();
    void fitsColumnsInsertedLater();
    void fitsAgainAfterAReset();
};

namespace {

struct Table
{
    QTableView view;
    QStandardItemModel model;
    ColumnFitter* fitter;

    Table()
        : fitter(new ColumnFitter(&view))
    {
        view.resize(900, 300);
        model.setColumnCount(2);
        model.setHorizontalHeaderLabels({QStringLiteral("run"), QStringLiteral("detector")});
        view.setModel(&model);
        fitter->watchModel();
    }

    void appendRow(const QString& run, int detector)
    {
        model.appendRow({new QStandardItem(run), new QStandardItem(QString::number(detector))});
    }

    int textWidth(const QString& text) const { return view.fontMetrics().horizontalAdvance(text); }
};

const QString kRun = QStringLiteral("LSSTCam/runs/nightly/20250615");

} // namespace

void TestColumnFitter::fitsTheFirstRows()
{
    Table table;
    const int before = table.view.columnWidth(0);
    table.appendRow(kRun, 90);
    QVERIFY2(
        table.view.columnWidth(0) > table.textWidth(kRun),
        qPrintable(QStringLiteral("%1 <= %2").arg(table.view.columnWidth(0)).arg(table.textWidth(kRun))));
    QVERIFY(table.view.columnWidth(0) != before);
    // A short column is as wide as its header needs, not narrower.
    QVERIFY(table.view.columnWidth(1) >= table.view.horizontalHeader()->sectionSizeHint(1));
    QVERIFY(table.view.columnWidth(1) < table.view.columnWidth(0));
}

void TestColumnFitter::capsAtAThirdOfTheView()
{
    Table table;
    table.appendRow(QString(400, QLatin1Char('x')), 1);
    QCOMPARE(table.view.columnWidth(0), table.view.viewport()->width() / 3);
}

void TestColumnFitter::keepsTheUsersWidthAsRowsArrive()
{
    Table table;
    table.appendRow(kRun, 90);
    table.view.setColumnWidth(0, 77);
    table.appendRow(kRun + QStringLiteral("/and/longer"), 91);
    QCOMPARE(table.view.columnWidth(0), 77);
}

void TestColumnFitter::fitsColumnsInsertedLater()
{
    Table table;
    table.appendRow(kRun, 90);
    table.view.setColumnWidth(0, 77);
    // A page with a new dimension: its column comes before its rows.
    table.model.insertColumn(1);
    table.model.setHorizontalHeaderItem(1, new QStandardItem(QStringLiteral("physical_filter")));
    const QString filter = QStringLiteral("a-rather-long-filter-name");
    table.model.appendRow(
        {new QStandardItem(kRun), new QStandardItem(filter), new QStandardItem(QStringLiteral("91"))});
    QVERIFY(table.view.columnWidth(1) > table.textWidth(filter));
    QCOMPARE(table.view.columnWidth(0), 77); // the user's width stays
}

void TestColumnFitter::fitsAgainAfterAReset()
{
    Table table;
    table.appendRow(QStringLiteral("r"), 1);
    const int narrow = table.view.columnWidth(0);
    table.model.removeRows(0, table.model.rowCount());
    // A model reset (a new query), then its first rows.
    table.model.clear();
    table.model.setColumnCount(2);
    QVERIFY(table.model.rowCount() == 0);
    table.appendRow(kRun, 90);
    QVERIFY(table.view.columnWidth(0) > narrow);
    QVERIFY(table.view.columnWidth(0) > table.textWidth(kRun));
}

QTEST_MAIN(TestColumnFitter)
#include "tst_columnfitter.moc"
