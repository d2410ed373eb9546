#include "OperationsModel.h"

#include "RequestGroup.h"

#include <QLocale>
#include <QLoggingCategory>

namespace butler {

Q_LOGGING_CATEGORY(lcOperations, "butler.views.operations")

namespace {

bool isRunning(OperationsModel::State state)
{
    return state == OperationsModel::State::Running || state == OperationsModel::State::Cancelling;
}

} // namespace

OperationsModel::OperationsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

OperationsModel::~OperationsModel() = default;

quint64 OperationsModel::start(const QString& title, Canceller cancel)
{
    dropOldFinished();
    Operation operation;
    operation.id = m_nextId++;
    operation.title = title;
    operation.cancel = std::move(cancel);
    operation.started = QDateTime::currentDateTimeUtc();
    const int row = int(m_operations.size());
    beginInsertRows({}, row, row);
    m_operations.append(std::move(operation));
    endInsertRows();
    qCDebug(lcOperations) << "started" << m_operations.last().id << title;
    setRunning(m_running + 1);
    return m_operations.last().id;
}

quint64 OperationsModel::startWithGroup(const QString& title, const std::shared_ptr<RequestGroup>& group)
{
    const std::weak_ptr<RequestGroup> weak = group;
    const quint64 id = start(title, [weak] {
        if (const auto g = weak.lock())
            g->cancel();
    });
    connect(group.get(), &RequestGroup::requestProgress, this,
            [this, id](quint64, qint64 bytes, qint64 total) { setProgress(id, bytes, total); });
    return id;
}

void OperationsModel::setTitle(quint64 id, const QString& title)
{
    const int row = rowOf(id);
    if (row < 0 || m_operations[row].title == title)
        return;
    m_operations[row].title = title;
    changed(row, TitleColumn, TitleColumn);
}

void OperationsModel::setProgress(quint64 id, qint64 done, qint64 total, Unit unit)
{
    const int row = rowOf(id);
    if (row < 0 || !isRunning(m_operations[row].state))
        return;
    Operation& operation = m_operations[row];
    operation.done = done;
    operation.total = total > 0 ? total : -1;
    operation.unit = unit;
    changed(row, ProgressColumn, ProgressColumn);
}

void OperationsModel::finish(quint64 id, const QString& error)
{
    const int row = rowOf(id);
    if (row < 0 || !isRunning(m_operations[row].state))
        return;
    Operation& operation = m_operations[row];
    if (operation.state == State::Cancelling)
        operation.state = State::Cancelled;
    else
        operation.state = error.isEmpty() ? State::Succeeded : State::Failed;
    if (operation.state == State::Failed)
        operation.message = error;
    if (operation.state == State::Succeeded && operation.total > 0)
        operation.done = operation.total;
    // The canceller may hold the operation's work alive: let it go now.
    operation.cancel = {};
    qCDebug(lcOperations) << "finished" << id << operation.state << error;
    const State state = operation.state;
    const QString message = operation.message;
    changed(row);
    setRunning(m_running - 1);
    emit finished(id, state, message);
}

bool OperationsModel::cancel(quint64 id)
{
    const int row = rowOf(id);
    if (row < 0 || m_operations[row].state != State::Running || !m_operations[row].cancel)
        return false;
    m_operations[row].state = State::Cancelling;
    changed(row);
    // The canceller may finish the operation right away (an aborted reply answers at once), so
    // it runs on a copy, after the state says Cancelling.
    const Canceller cancel = m_operations[row].cancel;
    qCDebug(lcOperations) << "cancelling" << id;
    cancel();
    return true;
}

void OperationsModel::cancelAll()
{
    QList<quint64> ids;
    for (const Operation& operation : std::as_const(m_operations))
        if (operation.state == State::Running)
            ids << operation.id;
    for (quint64 id : ids)
        cancel(id);
}

void OperationsModel::clearFinished()
{
    for (int row = int(m_operations.size()) - 1; row >= 0; --row) {
        if (isRunning(m_operations[row].state))
            continue;
        beginRemoveRows({}, row, row);
        m_operations.removeAt(row);
        endRemoveRows();
    }
}

void OperationsModel::dropOldFinished()
{
    int finishedCount = 0;
    for (const Operation& operation : std::as_const(m_operations))
        if (!isRunning(operation.state))
            ++finishedCount;
    // The oldest finished rows go first.
    for (int row = 0; row < m_operations.size() && finishedCount >= kKeepFinished;) {
        if (isRunning(m_operations[row].state)) {
            ++row;
            continue;
        }
        beginRemoveRows({}, row, row);
        m_operations.removeAt(row);
        endRemoveRows();
        --finishedCount;
    }
}

OperationsModel::State OperationsModel::state(quint64 id) const
{
    const int row = rowOf(id);
    return row < 0 ? State::Succeeded : m_operations[row].state;
}

bool OperationsModel::isCancelRequested(quint64 id) const
{
    const State s = state(id);
    return s == State::Cancelling || s == State::Cancelled;
}

int OperationsModel::rowOf(quint64 id) const
{
    for (int row = 0; row < m_operations.size(); ++row)
        if (m_operations[row].id == id)
            return row;
    return -1;
}

quint64 OperationsModel::idAt(int row) const
{
    return row >= 0 && row < m_operations.size() ? m_operations[row].id : 0;
}

QString OperationsModel::currentTitle() const
{
    for (auto it = m_operations.crbegin(); it != m_operations.crend(); ++it)
        if (isRunning(it->state))
            return it->title;
    return {};
}

int OperationsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_operations.size());
}

int OperationsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString OperationsModel::stateText(State state)
{
    switch (state) {
    case State::Running:
        return tr("Running");
    case State::Cancelling:
        return tr("Cancelling…");
    case State::Succeeded:
        return tr("Done");
    case State::Failed:
        return tr("Failed");
    case State::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

QVariant OperationsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Operation& operation = m_operations[index.row()];
    const int permille = operation.total > 0
                             ? int(1000 * qMin(operation.done, operation.total) / operation.total)
                         : operation.state == State::Succeeded ? 1000
                                                               : -1;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TitleColumn:
            return operation.title;
        case ProgressColumn: {
            const auto amount = [&operation](qint64 value) {
                return operation.unit == Unit::Bytes ? QLocale().formattedDataSize(value)
                                                     : QLocale().toString(value);
            };
            if (operation.total > 0 && operation.done < operation.total && isRunning(operation.state))
                return tr("%1 of %2").arg(amount(operation.done), amount(operation.total));
            if (permille >= 0)
                return QStringLiteral("%1%").arg(permille / 10);
            return operation.done > 0 ? amount(operation.done) : QString();
        }
        case StateColumn:
            return stateText(operation.state);
        }
        return {};
    case Qt::ToolTipRole:
        if (operation.state == State::Failed)
            return operation.message;
        return tr("%1, started %2")
            .arg(operation.title, QLocale().toString(operation.started.toLocalTime(), QLocale::ShortFormat));
    case Qt::AccessibleTextRole:
        return QStringLiteral("%1: %2").arg(operation.title, stateText(operation.state));
    case IdRole:
        return operation.id;
    case StateRole:
        return int(operation.state);
    case ProgressRole:
        return permille;
    case DoneRole:
        return operation.done;
    case TotalRole:
        return operation.total;
    case CancellableRole:
        return operation.state == State::Running && bool(operation.cancel);
    case MessageRole:
        return operation.message;
    default:
        return {};
    }
}

QVariant OperationsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TitleColumn:
        return tr("Operation");
    case ProgressColumn:
        return tr("Progress");
    case StateColumn:
        return tr("State");
    }
    return {};
}

void OperationsModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, TitleColumn, StateColumn);
    if (!m_operations.isEmpty())
        emit dataChanged(index(0, ProgressColumn), index(int(m_operations.size()) - 1, StateColumn),
                         {Qt::DisplayRole, Qt::ToolTipRole, Qt::AccessibleTextRole});
}

QHash<int, QByteArray> OperationsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(IdRole, "operationId");
    names.insert(StateRole, "state");
    names.insert(ProgressRole, "progress");
    names.insert(DoneRole, "done");
    names.insert(TotalRole, "total");
    names.insert(CancellableRole, "cancellable");
    names.insert(MessageRole, "message");
    return names;
}

void OperationsModel::changed(int row, int firstColumn, int lastColumn)
{
    emit dataChanged(index(row, firstColumn), index(row, lastColumn));
}

void OperationsModel::setRunning(int running)
{
    if (running == m_running)
        return;
    m_running = running;
    emit runningCountChanged(running);
}

} // namespace butler
