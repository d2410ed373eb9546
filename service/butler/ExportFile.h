#pragma once

#include "Result.h"
#include "Timespan.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUuid>
#include <QVariantMap>
#include <optional>

namespace butler {

// The contents of a daf_butler YAML export file (what `butler export` / Butler.export writes and
// `butler import` reads), checked for structure and value syntax but not against a dimension
// universe or a registry: the importer does that. Each per-kind list keeps file order; the importer
// inserts dimensions, then dataset types, collections, datasets and finally associations.
//
// Every entry carries the 1-based line it starts on, so that the importer can point at the file
// (see location()) when the registry rejects it.
//
// Plain (unquoted, untagged) scalars resolve the way PyYAML resolves them (YAML 1.1), since
// daf_butler writes and reads these files with PyYAML: 42, 0x1F, 0123 (octal) -> qint64,
// 30.0 -> double, true/yes/on -> bool, null/~/empty -> invalid QVariant, anything else -> QString
// (timestamps too, outside the time fields). Quoted scalars are always strings. Tags understood:
// !uuid, !butler_time/tai/iso, !<lsst.sphgeom.*> regions, !lsst.daf.butler.Timespan, !!binary
// (-> QByteArray) and the YAML core !!str/!!int/!!float/!!bool/!!null; any other tag is an error.
//
// Items are not checked against each other (a dataset's run or dataset type may already be in the
// registry), except that a dataset ID may appear only once in the file.
class ExportFile
{
public:
    // Larger inputs are refused before parsing: yaml-cpp needs many times the file size in memory.
    static constexpr qint64 MaxInputSize = qint64(1) << 30;

    // One dimension record. The record's split timespan (datetime_begin/datetime_end, null meaning
    // unbounded) or `timespan` goes to `timespan`, its `region` to the opaque sphgeom encoding in
    // `region` (empty when absent or null); every other field is in `values`. These map one to
    // one onto DimensionRecord::validated().
    struct Record
    {
        QVariantMap values;
        std::optional<Timespan> timespan;
        QByteArray region;
        int line = 0;
    };
    // The records of one `type: dimension` item. An element may appear in several items.
    struct DimensionRecords
    {
        QString element;
        QList<Record> records;
        int line = 0;
    };
    struct DatasetTypeEntry
    {
        QString name;
        QStringList dimensions;
        QString storageClass;
        bool isCalibration = false;
        int line = 0;
    };
    // A `collection` item, or an old-style `run` item (type RUN, no host or timespan).
    struct CollectionEntry
    {
        QString name;
        QString type; // RUN, TAGGED, CHAINED or CALIBRATION
        QString doc;
        QString host;                     // RUN only; empty when null
        std::optional<Timespan> timespan; // RUN only; unset when both bounds are null or absent
        QStringList children;             // CHAINED only, in search order
        int line = 0;
    };
    // One dataset. A record whose dataset_id and data_id are parallel lists (several datasets in
    // one file) yields one entry per pair, all with the same path and formatter.
    struct DatasetEntry
    {
        QUuid id;
        QString datasetType;
        QString run;
        QVariantMap dataId; // values are qint64 or QString (as written; not checked against dimensions)
        QString path;       // empty when absent
        QString formatter;  // empty when absent
        int line = 0;
    };
    // A TAGGED association is one entry without a timespan; a CALIBRATION association yields one
    // entry per validity range, each with its timespan.
    struct AssociationEntry
    {
        QString collection;
        QString collectionType; // TAGGED or CALIBRATION
        QList<QUuid> datasetIds;
        std::optional<Timespan> timespan;
        int line = 0;
    };

    // Reads and parses a file. Io error when it cannot be read; InvalidInput (with file name, line
    // and column) when it is too large, not YAML, or not a valid export.
    static Result<ExportFile> read(const QString& path);
    // Parses export YAML held in memory; nameForMessages prefixes every error message.
    static Result<ExportFile> parse(const QByteArray& yaml, const QString& nameForMessages);

    const QString& fileName() const { return m_fileName; }
    // "base.yaml:42", for messages about an entry.
    QString location(int line) const;

    const QString& description() const { return m_description; }
    // The export format version as "major.minor.patch"; the legacy `version: 0` reads as 1.0.0.
    const QString& formatVersion() const { return m_formatVersion; }
    // 0 when absent, as daf_butler assumes.
    int universeVersion() const { return m_universeVersion; }
    // "daf_butler" when absent, as daf_butler assumes.
    const QString& universeNamespace() const { return m_universeNamespace; }

    const QList<DimensionRecords>& dimensions() const { return m_dimensions; }
    const QList<DatasetTypeEntry>& datasetTypes() const { return m_datasetTypes; }
    const QList<CollectionEntry>& collections() const { return m_collections; }
    const QList<DatasetEntry>& datasets() const { return m_datasets; }
    const QList<AssociationEntry>& associations() const { return m_associations; }

private:
    QString m_fileName;
    QString m_description;
    QString m_formatVersion;
    int m_universeVersion = 0;
    QString m_universeNamespace;
    QList<DimensionRecords> m_dimensions;
    QList<DatasetTypeEntry> m_datasetTypes;
    QList<CollectionEntry> m_collections;
    QList<DatasetEntry> m_datasets;
    QList<AssociationEntry> m_associations;
};

} // namespace butler
