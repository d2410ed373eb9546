#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>

#include <functional>
#include <memory>

namespace butler {

class RequestGroup;

// The long operations of the browser (downloads, dataset loads and counts, curation commands),
// one row each, newest last: what it is, how far it got, and whether it still runs. A row that
// was given a canceller can be cancelled; the operation ends itself through finish() once the
// work has really stopped, and shows as Cancelled. Finished rows stay (up to kKeepFinished)
// until clearFinished().
class OperationsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        TitleColumn,
        ProgressColumn,
        StateColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role
    {
        IdRole = Qt::UserRole + 1, // quint64
        StateRole,                 // int: State
        ProgressRole,              // int: per mille, or -1 while the total is unknown
        DoneRole,                  // qint64: units done (bytes for transfers, else items)
        TotalRole,                 // qint64: units in all, or -1
        CancellableRole,           // bool: running and given a canceller
        MessageRole,               // QString: why it failed
    };
    Q_ENUM(Role)

    enum class State
    {
        Running,
        Cancelling, // asked to stop, not stopped yet
        Succeeded,
        Failed,
        Cancelled,
    };
    Q_ENUM(State)

    // What progress counts.
    enum class Unit
    {
        Bytes,
        Items,
    };

    using Canceller = std::function<void()>;
    static constexpr int kKeepFinished = 100;

    explicit OperationsModel(QObject* parent = nullptr);
    ~OperationsModel() override;

    // Adds a running operation; returns its id (never 0).
    quint64 start(const QString& title, Canceller cancel = {});
    // An operation whose work goes through the group (RemoteButler::withRequestGroup): its
    // progress follows the group's transfers, and cancelling cancels the group.
    quint64 startWithGroup(const QString& title, const std::shared_ptr<RequestGroup>& group);
    void setTitle(quint64 id, const QString& title);
    // total <= 0: unknown.
    void setProgress(quint64 id, qint64 done, qint64 total, Unit unit = Unit::Bytes);
    // The operation ended: Succeeded, or Failed with the message; Cancelled when cancel() was
    // asked for, whatever the outcome. Unknown or already finished ids are ignored.
    void finish(quint64 id, const QString& error = {});
    // Asks a running operation to stop; false when it cannot be cancelled.
    bool cancel(quint64 id);
    void cancelAll();
    void clearFinished();
    // The language changed: the headers, states and progress texts are said again (titles are
    // kept as they were given).
    void retranslate();

    bool contains(quint64 id) const { return rowOf(id) >= 0; }
    State state(quint64 id) const;
    bool isCancelRequested(quint64 id) const;
    int rowOf(quint64 id) const;
    quint64 idAt(int row) const;
    int runningCount() const { return m_running; }
    // The title of the newest running operation, empty when none runs.
    QString currentTitle() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    static QString stateText(State state);

signals:
    void runningCountChanged(int running);
    void finished(quint64 id, butler::OperationsModel::State state, const QString& message);

private:
    struct Operation
    {
        quint64 id = 0;
        QString title;
        State state = State::Running;
        qint64 done = 0;
        qint64 total = -1;
        Unit unit = Unit::Bytes;
        QString message;
        Canceller cancel;
        QDateTime started;
    };

    void changed(int row, int firstColumn = TitleColumn, int lastColumn = StateColumn);
    void setRunning(int running);
    void dropOldFinished();

    QList<Operation> m_operations;
    quint64 m_nextId = 1;
    int m_running = 0;
};

} // namespace butler
