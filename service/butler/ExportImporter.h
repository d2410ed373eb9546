#pragma once

#include "Butler.h"
#include "ExportFile.h"

#include <QHash>
#include <QSet>
#include <functional>

namespace butler {

// How `butler import` treats an export.
struct ImportOptions
{
    QString directory; // where the export's relative dataset paths start; empty: the export's folder
    TransferMode transfer = TransferMode::Copy;
    bool skipDimensions = false; // leave the export's dimension records out (they must already exist)
    // Called with (0, total) before the first dataset batch and after every batch.
    std::function<void(qint64 done, qint64 total)> progress;
};

// What an import wrote.
struct ImportSummary
{
    qint64 records = 0;      // dimension records given to the registry (existing ones are skipped there)
    qint64 datasetTypes = 0; // dataset types in the export (identical existing ones included)
    qint64 collections = 0;  // collections in the export (existing ones of the same type included)
    qint64 datasets = 0;     // datasets added (the export's datasets the repository already held are not)
    qint64 files = 0;        // of those, the datasets whose file was found and ingested
    qint64 associations = 0; // dataset memberships added to TAGGED and CALIBRATION collections
};

// Loads a daf_butler YAML export (see ExportFile) into a repository, in the order daf_butler's
// import uses: dimension records, dataset types, collections, datasets, associations.
//
// The whole export is checked against the universe, itself and the repository before anything is
// written, so that a bad file leaves the repository as it was: unknown elements and fields,
// dataset types with unknown dimensions or differing from registered ones, datasets whose type,
// run or dimension records are neither in the export nor in the repository, clashing data IDs,
// chains over unknown collections. The writes that follow are each transactional, so a failure
// among them (a full disk, a concurrent writer) leaves what earlier steps wrote and says which
// step failed.
//
// A dataset whose `path` names an existing file is ingested with the chosen transfer mode;
// otherwise (exports of registry content only, placeholder paths) it is registered without a
// file. Dataset UUIDs are kept either way.
class ExportImporter
{
public:
    static Result<ImportSummary> importFile(Butler& butler, const QString& exportPath,
                                            const ImportOptions& options);
    // The same, for an export already parsed; relative paths start at options.directory, else
    // at baseDirectory.
    static Result<ImportSummary> importExport(Butler& butler, const ExportFile& file,
                                              const QString& baseDirectory, const ImportOptions& options);

    // The datastore formatter label for a daf_butler formatter class name and file path: by
    // the class name where it tells (FitsExposureFormatter -> fits), else by the extension.
    static QString formatterLabel(const QString& formatterClass, const QString& path);

private:
    struct RecordBatch
    {
        QString element;
        QList<DimensionRecord> records;
    };
    struct DatasetBatch
    {
        QString run;
        bool withFiles = false;
        QList<IngestFile> datasets;
    };
    struct KnownDataset
    {
        DatasetType type;
        DataCoordinate dataId;
    };
    struct NewCollection
    {
        QString name;
        CollectionType type = CollectionType::Run;
        QString doc;
    };
    struct Chain
    {
        QString name;
        QStringList children;
        QString doc;
    };
    struct Association
    {
        QString collection;
        CollectionType type = CollectionType::Tagged;
        QList<QUuid> ids;
        Timespan timespan;
        int line = 0;
    };
    // A dimension record that must exist: its key values in the dimension's key order.
    struct KeyReference
    {
        QString dimension;
        QVariantList values;
        int line = 0; // where the export first refers to it
    };

    ExportImporter(Butler& butler, const ExportFile& file, QString baseDirectory,
                   const ImportOptions& options);

    Status checkUniverse() const;
    Status planRecords();
    Status planDatasetTypes();
    Status planCollections();
    Status planDatasets();
    Status planAssociations();
    Status checkReferencedRecords();
    Result<ImportSummary> apply();

    Error at(int line, const Error& error) const;
    const QStringList& keyDimensions(const QString& dimension);
    QString keyOf(const QString& dimension, const QVariantList& values) const;
    // The key values of `dimension` as found in a map of dimension values; empty when one is
    // missing or null.
    QVariantList keyValuesIn(const QString& dimension, const QVariantMap& values);
    void requireRecord(const QString& dimension, const QVariantList& values, int line);
    Result<DatasetType> datasetType(const QString& name);
    Result<std::optional<CollectionType>> repositoryCollectionType(const QString& name);
    Result<std::optional<CollectionType>> collectionType(const QString& name);
    Result<KnownDataset> knownDataset(const QUuid& id);
    QString resolvePath(const QString& path) const;

    Butler& m_butler;
    const ExportFile& m_file;
    const DimensionUniverse& m_universe;
    QString m_baseDirectory;
    const ImportOptions& m_options;

    QList<RecordBatch> m_records;
    QSet<QString> m_fileKeys; // keyOf() of every record the export inserts
    QHash<QString, KeyReference> m_references;
    QHash<QString, QStringList> m_keyDimensions;

    QList<DatasetType> m_datasetTypes;
    QHash<QString, DatasetType> m_typesByName; // the export's and the repository's, as looked up

    QList<NewCollection> m_newCollections;
    QList<Chain> m_chains;
    qint64 m_collectionCount = 0;
    QHash<QString, CollectionType> m_fileCollections;
    QHash<QString, std::optional<CollectionType>> m_repoCollections;

    QList<DatasetBatch> m_datasetBatches;
    QHash<QUuid, KnownDataset> m_knownDatasets;
    qint64 m_datasetCount = 0;

    QList<Association> m_associations;
};

} // namespace butler
