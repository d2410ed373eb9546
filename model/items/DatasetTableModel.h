#pragma once

#include "DatasetRef.h"
#include "Queries.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QMetaType>
#include <QUuid>
#include <deque>
#include <optional>

class QMimeData;

namespace butler {

class RemoteButler;

// The datasets a query finds, one row per dataset, loaded a page at a time.
//
// Columns: dataset type, run, one column per data-ID dimension (the union of the required
// dimensions of the dataset types in the loaded rows, in universe order; columns are inserted
// as new types arrive), UUID, size and ingest date (UTC). Sizes come with each page (from a
// server that does not send them, from one file-info call per page, blank until it answers);
// they stay blank for a dataset without a file.
//
// setQuery() fetches the first page; canFetchMore()/fetchMore() fetch the next one with the
// page token. With read-ahead (the default) the model asks for the next page as soon as one
// arrives, from the second page on (a glance at a collection costs the server one page), and
// keeps it until fetchMore() is called, so that scrolling on shows it at once
// instead of after a round trip to the server; an error in it is reported then, as if asked
// for then. sort() asks the server for a new order ("run", "-ingest_date", "exposure", ...)
// and loads again from the first page; the size column cannot be sorted, and the server
// always returns dataset types in name order whatever the direction. Every query or sort
// starts a new generation; answers to an older generation are dropped.
//
// Drag and drop carries dataset UUIDs, never rows or pointers:
//   application/x-butler-dataset-ids  a compact JSON array of UUID strings without braces,
//                                     ["3f2c...", ...], in row order
//   text/plain                        the same UUIDs, one per line
//
// The RemoteButler is not owned and must outlive the model and its requests
// (hasPendingRequests()).
class DatasetTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role
    {
        DatasetRefRole = Qt::UserRole + 1, // butler::DatasetRef (registered metatype)
        IdRole,                            // QUuid
        SizeRole,                          // qint64 bytes once known, invalid before
        IngestDateRole,                    // qint64 TAI ns
        SortKeyRole,                       // QString: the order term of the column ("run", "exposure")
    };
    Q_ENUM(Role)

    enum class ColumnKind
    {
        DatasetType,
        Run,
        Dimension,
        Id,
        Size,
        IngestDate
    };
    Q_ENUM(ColumnKind)

    static constexpr int kDefaultPageSize = 200;
    static QString mimeType() { return QStringLiteral("application/x-butler-dataset-ids"); }
    // The UUIDs of a drag made by mimeData() (the vendor type, else the text lines).
    static QList<QUuid> idsFromMimeData(const QMimeData* mime);

    explicit DatasetTableModel(RemoteButler* butler, QObject* parent = nullptr);

    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows); // applies to the next page
    bool readAhead() const { return m_readAhead; }
    void setReadAhead(bool on); // applies from the next page that arrives

    // Replaces the rows with the first page of the new query. bind gives values for :name
    // parameters of the where-expression. A sort by dimension is dropped (the new types may
    // lack it); a sort by type, run, UUID or ingest date is kept.
    void setQuery(const QStringList& collections, const QStringList& datasetTypeGlobs, const QString& where,
                  const QVariantMap& bind = {});
    // Removes every row and forgets the query.
    void clear();
    const DatasetQuery& query() const { return m_query; }
    bool isLoading() const { return m_loading; }
    // Requests still in flight (pages, sizes). They run inside the RemoteButler even after the
    // model is gone, so whoever deletes the butler waits for this to turn false first.
    bool hasPendingRequests() const { return m_pendingRequests > 0; }
    QString lastError() const { return m_lastError; }

    DatasetRef refAt(int row) const;
    QStringList dimensionColumns() const { return m_dimensions; }
    ColumnKind columnKind(int column) const;
    // The column of a dimension, or -1.
    int dimensionColumn(const QString& dimension) const;
    // The first column of a kind (Dimension: the first dimension column), or -1.
    int column(ColumnKind kind) const;

    // QAbstractItemModel
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    Qt::DropActions supportedDragActions() const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    void loadingChanged(bool loading);
    void errorOccurred(const QString& message);
    // A page of the current query was applied; canFetchMore() says whether more remain.
    void queryFinished();

private:
    // A row in 48 bytes, so that a million rows fit the app's memory budget: dataset types,
    // runs and string data-ID values are interned, data-ID values share one pool, and refs are
    // rebuilt on demand (refAt(), DatasetRefRole).
    struct Row
    {
        QUuid id;
        qint64 ingestDate = 0;
        qint64 size = -1;   // -1: unknown
        quint32 type = 0;   // in m_types
        quint32 run = 0;    // in m_runs
        quint32 values = 0; // the first of the data ID's values in m_values
        quint8 valueCount = 0;
    };
    struct TypeInfo
    {
        DatasetType type;
        QList<bool> stringAt; // per data-ID position: the pool holds an index into m_strings
    };

    QString orderTerm(int column) const;
    // A new generation: rows (and with dropColumns the dimension columns) dropped, first page requested.
    void restart(bool dropColumns = false);
    enum class PageUse
    {
        Show,     // asked for by fetchMore() or a new query: loading until it arrives
        ReadAhead // kept until fetchMore() asks for it
    };
    void requestPage(PageUse use = PageUse::Show);
    void dropReadAhead();
    void applyPage(quint64 generation, Result<DatasetPage> page);
    void applySizes(int firstRow, const QList<QUuid>& ids, const QList<FileInfo>& files);
    void clearRows();
    void appendRow(const DatasetRef& ref, qint64 ingestDate, qint64 size);
    QVariant valueAt(const Row& row, int position) const;
    DatasetRef makeRef(const Row& row) const;
    void addDimensions(const QList<DatasetRef>& refs);
    void setLoading(bool loading);

    RemoteButler* m_butler;
    DatasetQuery m_query;
    bool m_hasQuery = false;
    QString m_sortTerm; // "" for the server's default order
    int m_pageSize = kDefaultPageSize;
    QList<Row> m_rows;
    // In blocks, not one array: a million rows hold several million values, and an array
    // doubling under them copied tens of MB in the middle of one page (30 ms).
    std::deque<qint64> m_values;
    QList<TypeInfo> m_types;
    QHash<QString, quint32> m_typeIndex;
    QStringList m_runs;
    QHash<QString, quint32> m_runIndex;
    QStringList m_strings;
    QHash<QString, quint32> m_stringIndex;
    QStringList m_dimensions; // universe order
    QString m_nextPageToken;  // of the page after the rows and the read-ahead page
    bool m_readAhead = true;
    std::optional<Result<DatasetPage>> m_ahead; // arrived, not shown yet
    bool m_aheadInFlight = false;
    bool m_aheadWanted = false; // fetchMore() came while it was in flight
    bool m_atEnd = true;
    bool m_loading = false;
    bool m_applying = false; // rows of a page going in
    quint64 m_generation = 0;
    int m_pendingRequests = 0;
    QString m_lastError;
};

} // namespace butler

Q_DECLARE_METATYPE(butler::DatasetRef)
