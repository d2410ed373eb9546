#pragma once

#include "Queries.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <QVariantMap>

namespace butler {

class RemoteButler;

// The records of one dimension element, loaded a page at a time.
//
// Columns are the element's fields from the universe, in the registry's column order: the
// required dimensions (the element's own key in a column named after it), alternate keys, implied
// dimensions, metadata, then the timespan's begin and end (UTC) when the element has one.
// Hash fields and regions are opaque and not shown.
//
// setElement() and setFilter() start a new query from the first page; canFetchMore()/
// fetchMore() fetch the next page with the page token. Answers to an older query are dropped.
// whereForRow() turns a record into the where-expression that selects the datasets of that
// record, so that selecting a record can filter a DatasetTableModel.
//
// The RemoteButler is not owned and must outlive the model and its requests
// (hasPendingRequests()).
class DimensionRecordModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role
    {
        ValueRole =
            Qt::UserRole + 1, // the field's raw value (qint64, double, bool, QString; TAI ns for times)
        FieldRole,            // QString: the column's field name (also in headerData)
    };
    Q_ENUM(Role)

    static constexpr int kDefaultPageSize = 200;

    explicit DimensionRecordModel(RemoteButler* butler, QObject* parent = nullptr);

    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows); // applies to the next page

    // Lists the element's records; an unknown element leaves the model empty and reports an error.
    void setElement(const QString& element);
    QString element() const { return m_element; }
    // Restricts the records with a where-expression (empty: all) and queries again.
    void setFilter(const QString& where, const QVariantMap& bind = {});
    QString filter() const { return m_where; }
    // Queries again from the first page.
    void refresh();

    bool isLoading() const { return m_loading; }
    // Requests still in flight. They run inside the RemoteButler even after the model is gone,
    // so whoever deletes the butler waits for this to turn false first.
    bool hasPendingRequests() const { return m_pendingRequests > 0; }
    QString lastError() const { return m_lastError; }
    QStringList fields() const { return m_fields; }
    DimensionRecord recordAt(int row) const;
    // "instrument = 'LSSTCam' AND exposure = 2025061500001": the record's required dimension
    // values; empty for a row that does not exist.
    QString whereForRow(int row) const;

    // QAbstractItemModel
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    void loadingChanged(bool loading);
    void errorOccurred(const QString& message);
    // A page of the current query was applied; canFetchMore() says whether more remain.
    void queryFinished();

private:
    void restart(bool newColumns);
    void requestPage();
    void applyPage(quint64 generation, Result<DimensionRecordPage> page);
    void setLoading(bool loading);
    QVariant rawValue(const DimensionRecord& record, const QString& field) const;

    RemoteButler* m_butler;
    QString m_element;
    QString m_where;
    QVariantMap m_bind;
    QStringList m_fields;
    QStringList m_keyDimensions; // what whereForRow() constrains
    int m_pageSize = kDefaultPageSize;
    QList<DimensionRecord> m_records;
    QString m_nextPageToken;
    bool m_atEnd = true;
    bool m_loading = false;
    quint64 m_generation = 0;
    int m_pendingRequests = 0;
    QString m_lastError;
};

} // namespace butler
