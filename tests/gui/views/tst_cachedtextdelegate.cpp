// CachedTextDelegate, the dataset table's delegate: cells painted pixel for pixel as Qt's
// QStyledItemDelegate paints them (alignment, elision, selection, alternating rows, right to
// left, disabled, another font), from a cache that fills once per text and width and is
// dropped when the font changes; cells it does not handle (icons, check boxes, wrapped words)
// go to the stock delegate. DatasetTableView paints with it.

#include "CachedTextDelegate.h"
#include "DatasetTableView.h"

#include <QApplication>
#include <QHeaderView>
#include <QPixmap>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

using namespace butler;

namespace {

// A table of the dataset view's kinds of cells: short texts, long ones (elided), numbers and
// right-aligned sizes; values repeat down the columns.
void fill(QStandardItemModel& model, int rows)
{
    model.setColumnCount(4);
    model.setRowCount(rows);
    for (int row = 0; row < rows; ++row) {
        model.setData(model.index(row, 0), QStringLiteral("raw"));
        model.setData(model.index(row, 1),
                      QStringLiteral("LSSTCam/runs/nightly/20250615/a-long-run-name-%1").arg(row % 3));
        model.setData(model.index(row, 2), row % 5);
        model.setData(model.index(row, 3),
                      QLocale::c().formattedDataSize(18'000'000 + (row % 2) * 1'000'000));
        model.setData(model.index(row, 3), int(Qt::AlignRight | Qt::AlignVCenter), Qt::TextAlignmentRole);
    }
}

void setUp(QTableView& view, QAbstractItemModel& model)
{
    view.setModel(&model);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    view.setAlternatingRowColors(true);
    view.setWordWrap(false);
    view.verticalHeader()->hide();
    view.resize(640, 300);
    view.setColumnWidth(1, 180); // too narrow for the run names
    view.setColumnWidth(3, 120);
}

// Sets both views up on the model and shows them; false when a window was not exposed.
bool showBoth(QTableView& stock, QTableView& cached, QAbstractItemModel& model)
{
    for (QTableView* view : {&stock, &cached}) {
        setUp(*view, model);
        view->show();
        if (!QTest::qWaitForWindowExposed(view))
            return false;
    }
    return true;
}

// The views painted, as images.
std::pair<QImage, QImage> paint(QTableView& a, QTableView& b)
{
    return {a.grab().toImage().convertToFormat(QImage::Format_RGB32),
            b.grab().toImage().convertToFormat(QImage::Format_RGB32)};
}

int differingPixels(const QImage& a, const QImage& b)
{
    if (a.size() != b.size())
        return -1;
    int count = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            count += a.pixel(x, y) != b.pixel(x, y);
    return count;
}

} // namespace

class TestCachedTextDelegate : public QObject
{
    Q_OBJECT

private slots:
    void paintsAsTheStockDelegate_data();
    void paintsAsTheStockDelegate();
    void cacheFillsOncePerTextAndWidth();
    void otherCellsGoToTheStockDelegate();
    void datasetTableViewPaintsWithIt();
};

void TestCachedTextDelegate::paintsAsTheStockDelegate_data()
{
    QTest::addColumn<Qt::LayoutDirection>("direction");
    QTest::addColumn<Qt::TextElideMode>("elide");
    QTest::addColumn<int>("pointSize"); // 0: the application's font
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<int>("alignment"); // of the first column; 0: the default

    QTest::newRow("plain") << Qt::LeftToRight << Qt::ElideRight << 0 << true << 0;
    QTest::newRow("elide middle") << Qt::LeftToRight << Qt::ElideMiddle << 0 << true << 0;
    QTest::newRow("elide left") << Qt::LeftToRight << Qt::ElideLeft << 0 << true << 0;
    QTest::newRow("no elision") << Qt::LeftToRight << Qt::ElideNone << 0 << true << 0;
    QTest::newRow("right to left") << Qt::RightToLeft << Qt::ElideRight << 0 << true << 0;
    QTest::newRow("bigger font") << Qt::LeftToRight << Qt::ElideRight << 15 << true << 0;
    QTest::newRow("disabled") << Qt::LeftToRight << Qt::ElideRight << 0 << false << 0;
    QTest::newRow("centred") << Qt::LeftToRight << Qt::ElideRight << 0 << true << int(Qt::AlignCenter);
    QTest::newRow("bottom right") << Qt::LeftToRight << Qt::ElideRight << 0 << true
                                  << int(Qt::AlignBottom | Qt::AlignRight);
}

void TestCachedTextDelegate::paintsAsTheStockDelegate()
{
    QFETCH(Qt::LayoutDirection, direction);
    QFETCH(Qt::TextElideMode, elide);
    QFETCH(int, pointSize);
    QFETCH(bool, enabled);
    QFETCH(int, alignment);

    QStandardItemModel model;
    fill(model, 40);
    if (alignment)
        for (int row = 0; row < model.rowCount(); ++row)
            model.setData(model.index(row, 0), alignment, Qt::TextAlignmentRole);
    QTableView stock;
    QTableView cached;
    CachedTextDelegate delegate;
    cached.setItemDelegate(&delegate);
    for (QTableView* view : {&stock, &cached}) {
        setUp(*view, model);
        view->setLayoutDirection(direction);
        view->setTextElideMode(elide);
        if (pointSize) {
            QFont font = view->font();
            font.setPointSize(pointSize);
            view->setFont(font);
        }
        view->setEnabled(enabled);
        view->selectRow(2);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view));
    }
    const auto [a, b] = paint(stock, cached);
    QCOMPARE(differingPixels(a, b), 0);
    QVERIFY(delegate.cachedTexts() > 0); // it painted, not the stock delegate
}

void TestCachedTextDelegate::cacheFillsOncePerTextAndWidth()
{
    QStandardItemModel model;
    fill(model, 40);
    QTableView stock;
    QTableView cached;
    CachedTextDelegate delegate;
    cached.setItemDelegate(&delegate);
    QVERIFY(showBoth(stock, cached, model));
    cached.grab();
    // "raw", 3 run names, 5 numbers, 2 sizes: each laid out once however many rows show them.
    QCOMPARE(delegate.cachedTexts(), 11);
    cached.grab();
    QCOMPARE(delegate.cachedTexts(), 11);

    // Another width lays the column's texts out again (elided differently), beside the old.
    for (QTableView* view : {&stock, &cached})
        view->setColumnWidth(1, 120);
    QCOMPARE(differingPixels(stock.grab().toImage().convertToFormat(QImage::Format_RGB32),
                             cached.grab().toImage().convertToFormat(QImage::Format_RGB32)),
             0);
    QCOMPARE(delegate.cachedTexts(), 14);

    // Another font: the texts laid out in the old one are dropped.
    for (QTableView* view : {&stock, &cached}) {
        QFont font = view->font();
        font.setPointSize(font.pointSize() + 3);
        view->setFont(font);
    }
    const auto [a, b] = paint(stock, cached);
    QCOMPARE(differingPixels(a, b), 0);
    QCOMPARE(delegate.cachedTexts(), 11);
}

void TestCachedTextDelegate::otherCellsGoToTheStockDelegate()
{
    QStandardItemModel model(6, 2);
    QPixmap icon(12, 12);
    icon.fill(Qt::darkGreen);
    for (int row = 0; row < model.rowCount(); ++row) {
        auto* checked = new QStandardItem(QStringLiteral("checked %1").arg(row));
        checked->setCheckable(true);
        checked->setCheckState(row % 2 ? Qt::Checked : Qt::Unchecked);
        model.setItem(row, 0, checked);
        model.setItem(row, 1, new QStandardItem(QIcon(icon), QStringLiteral("with an icon %1").arg(row)));
    }
    QTableView stock;
    QTableView cached;
    CachedTextDelegate delegate;
    cached.setItemDelegate(&delegate);
    QVERIFY(showBoth(stock, cached, model));
    const auto [a, b] = paint(stock, cached);
    QCOMPARE(differingPixels(a, b), 0);
    QCOMPARE(delegate.cachedTexts(), 0);

    // A view that wraps words keeps the stock layout of several lines.
    QStandardItemModel text;
    fill(text, 10);
    for (QTableView* view : {&stock, &cached}) {
        setUp(*view, text);
        view->setWordWrap(true);
        view->verticalHeader()->setDefaultSectionSize(60); // room for two lines
    }
    const auto [c, d] = paint(stock, cached);
    QCOMPARE(differingPixels(c, d), 0);
    QCOMPARE(delegate.cachedTexts(), 0);
}

void TestCachedTextDelegate::datasetTableViewPaintsWithIt()
{
    DatasetTableView view;
    QVERIFY(view.textDelegate());
    QCOMPARE(view.itemDelegate(), view.textDelegate());
    QVERIFY(!view.wordWrap());
    QStandardItemModel model;
    fill(model, 20);
    view.setModel(&model);
    view.resize(640, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.grab();
    QVERIFY(view.textDelegate()->cachedTexts() > 0);
}

QTEST_MAIN(TestCachedTextDelegate)
#include "tst_cachedtextdelegate.moc"
