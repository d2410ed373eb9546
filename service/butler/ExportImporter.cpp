#include "ExportImporter.h"

#include "FileDatastore.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QUrl>

#include <algorithm>

namespace butler {

Q_LOGGING_CATEGORY(lcImport, "butler.service.import")

namespace {

// Datasets per registry call: large enough to be fast, small enough for a moving progress bar.
constexpr qsizetype DatasetChunk = 5000;
// Key values per existence query, well below SQLite's bind parameter limit.
constexpr qsizetype KeyChunk = 500;
constexpr QChar KeySeparator(0x1f);

QString quotedValue(const QVariant& value)
{
    if (value.typeId() == QMetaType::QString)
        return QLatin1Char('\'') + value.toString() + QLatin1Char('\'');
    return value.toString();
}

QString describeKey(const QStringList& dimensions, const QVariantList& values)
{
    QStringList parts;
    for (qsizetype i = 0; i < dimensions.size() && i < values.size(); ++i)
        parts << dimensions[i] + QStringLiteral(": ") + quotedValue(values[i]);
    return QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
}

QString describeType(const DatasetType& type)
{
    return QStringLiteral("dimensions %1, storage class %2%3")
        .arg(type.dimensions().toString(), type.storageClass(),
             type.isCalibration() ? QStringLiteral(", calibration") : QString());
}

QString datasetKey(const QString& scope, const QString& type, const DataCoordinate& dataId)
{
    return scope + KeySeparator + type + KeySeparator + dataId.requiredOnly().key();
}

} // namespace

ExportImporter::ExportImporter(Butler& butler, const ExportFile& file, QString baseDirectory,
                               const ImportOptions& options)
    : m_butler(butler)
    , m_file(file)
    , m_universe(butler.universe())
    , m_baseDirectory(std::move(baseDirectory))
    , m_options(options)
{
}

Result<ImportSummary> ExportImporter::importFile(Butler& butler, const QString& exportPath,
                                                 const ImportOptions& options)
{
    BUTLER_ASSIGN_OR_RETURN(const ExportFile file, ExportFile::read(exportPath));
    return importExport(butler, file, QFileInfo(exportPath).absolutePath(), options);
}

Result<ImportSummary> ExportImporter::importExport(Butler& butler, const ExportFile& file,
                                                   const QString& baseDirectory, const ImportOptions& options)
{
    ExportImporter importer(butler, file, options.directory.isEmpty() ? baseDirectory : options.directory,
                            options);
    // Everything is checked before the first write.
    BUTLER_TRY(importer.checkUniverse());
    BUTLER_TRY(importer.planRecords());
    BUTLER_TRY(importer.planDatasetTypes());
    BUTLER_TRY(importer.planCollections());
    BUTLER_TRY(importer.planDatasets());
    BUTLER_TRY(importer.planAssociations());
    BUTLER_TRY(importer.checkReferencedRecords());
    return importer.apply();
}

QString ExportImporter::formatterLabel(const QString& formatterClass, const QString& path)
{
    // The class name's last part says what it writes:
    // lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter.
    const QString name = formatterClass.section(QLatin1Char('.'), -1).toLower();
    static const QList<std::pair<QLatin1String, QLatin1String>> byClass = {
        {QLatin1String("fits"), QLatin1String("fits")},
        {QLatin1String("json"), QLatin1String("json")},
        {QLatin1String("yaml"), QLatin1String("yaml")},
        {QLatin1String("parquet"), QLatin1String("parquet")},
        {QLatin1String("pickle"), QLatin1String("pickle")},
        {QLatin1String("csv"), QLatin1String("csv")},
        {QLatin1String("png"), QLatin1String("png")},
    };
    for (const auto& [needle, label] : byClass) {
        if (name.contains(needle))
            return label;
    }
    const QString lower = path.toLower();
    if (lower.endsWith(QLatin1String(".pickle")) || lower.endsWith(QLatin1String(".pkl")))
        return QStringLiteral("pickle");
    return FileDatastore::formatterForPath(path);
}

Error ExportImporter::at(int line, const Error& error) const
{
    return error.withContext(m_file.location(line));
}

Status ExportImporter::checkUniverse() const
{
    if (m_file.universeNamespace() != m_universe.nameSpace())
        return invalidInput(
            QStringLiteral("%1: the export is for dimension universe '%2', but the repository uses '%3'")
                .arg(m_file.fileName(), m_file.universeNamespace(), m_universe.nameSpace()));
    // Exports without universe_version (read as 0) predate versioning; daf_butler reads them too.
    const int version = m_file.universeVersion();
    if (version != 0 && !m_universe.isCompatibleVersion(version)) {
        QStringList readable;
        for (int v = 0; v <= std::max(version, m_universe.version()); ++v) {
            if (m_universe.isCompatibleVersion(v))
                readable << QString::number(v);
        }
        return invalidInput(
            QStringLiteral("%1: the export was written with dimension universe %2 version %3, which "
                           "this repository (version %4) cannot read; it reads versions %5")
                .arg(m_file.fileName(), m_file.universeNamespace())
                .arg(version)
                .arg(m_universe.version())
                .arg(readable.join(QStringLiteral(", "))));
    }
    return {};
}

const QStringList& ExportImporter::keyDimensions(const QString& dimension)
{
    auto it = m_keyDimensions.constFind(dimension);
    if (it == m_keyDimensions.constEnd()) {
        // The closed set of required dimensions, with the dimension itself last.
        QStringList keys;
        if (const Result<DimensionGroup> group = m_universe.group({dimension}); group.ok())
            keys = group->required();
        keys.removeAll(dimension);
        keys.append(dimension);
        it = m_keyDimensions.insert(dimension, keys);
    }
    return *it;
}

QString ExportImporter::keyOf(const QString& dimension, const QVariantList& values) const
{
    QString key = dimension;
    for (const QVariant& value : values)
        key += KeySeparator + value.toString();
    return key;
}

QVariantList ExportImporter::keyValuesIn(const QString& dimension, const QVariantMap& values)
{
    QVariantList result;
    for (const QString& d : keyDimensions(dimension)) {
        const QVariant value = values.value(d);
        if (!value.isValid() || value.isNull())
            return {};
        result << value;
    }
    return result;
}

void ExportImporter::requireRecord(const QString& dimension, const QVariantList& values, int line)
{
    if (values.isEmpty())
        return;
    const QString key = keyOf(dimension, values);
    if (m_fileKeys.contains(key) || m_references.contains(key))
        return;
    m_references.insert(key, KeyReference{dimension, values, line});
}

Status ExportImporter::planRecords()
{
    if (m_options.skipDimensions)
        return {};
    struct Pending
    {
        DimensionRecord record;
        int line = 0;
    };
    QHash<QString, qsizetype> batchOf;
    QList<QList<Pending>> pending;
    for (const ExportFile::DimensionRecords& item : m_file.dimensions()) {
        const DimensionElement* element = m_universe.element(item.element);
        if (!element)
            return at(item.line,
                      invalidInput(QStringLiteral("unknown dimension element '%1' (universe %2 version %3)")
                                       .arg(item.element, m_universe.nameSpace())
                                       .arg(m_universe.version())));
        auto index = batchOf.constFind(item.element);
        if (index == batchOf.constEnd()) {
            index = batchOf.insert(item.element, m_records.size());
            m_records.append(RecordBatch{item.element, {}});
            pending.append(QList<Pending>());
        }
        for (const ExportFile::Record& input : item.records) {
            Result<DimensionRecord> record = DimensionRecord::validated(
                m_universe, item.element, input.values, input.timespan, input.region);
            if (!record.ok()) {
                Error error = record.error();
                if (m_file.universeVersion() > m_universe.version())
                    error =
                        Error(error.kind(),
                              error.message() + QStringLiteral(" (the export is from universe version %1; "
                                                               "this repository uses version %2)")
                                                    .arg(m_file.universeVersion())
                                                    .arg(m_universe.version()));
                return at(input.line, error);
            }
            QVariantMap values = record->values();
            if (element->isDimension()) {
                values.insert(element->name, values.value(element->primaryKey().name));
                m_fileKeys.insert(keyOf(element->name, keyValuesIn(element->name, values)));
            }
            // A view (band) comes into being with the records of the element it is a view of.
            for (const QString& implied : element->implies) {
                const DimensionElement* view = m_universe.element(implied);
                if (view && view->viewOf == element->name) {
                    const QVariantList key = keyValuesIn(implied, values);
                    if (!key.isEmpty())
                        m_fileKeys.insert(keyOf(implied, key));
                }
            }
            pending[*index].append(Pending{
                DimensionRecord(item.element, values, record->timespan(), record->region()), input.line});
            m_records[*index].records.append(*record);
        }
    }
    // References are checked once every record of the export is known, whatever the file order.
    for (const QList<Pending>& list : std::as_const(pending)) {
        for (const Pending& p : list) {
            const DimensionElement* element = m_universe.element(p.record.element());
            for (const QString& dimension : element->required + element->implies) {
                if (m_universe.isDimension(dimension))
                    requireRecord(dimension, keyValuesIn(dimension, p.record.values()), p.line);
            }
        }
    }
    // Dependencies first: the universe lists every element after those it refers to.
    std::stable_sort(m_records.begin(), m_records.end(), [this](const RecordBatch& a, const RecordBatch& b) {
        return m_universe.index(a.element) < m_universe.index(b.element);
    });
    return {};
}

Status ExportImporter::planDatasetTypes()
{
    for (const ExportFile::DatasetTypeEntry& entry : m_file.datasetTypes()) {
        Result<DatasetType> type = DatasetType::make(m_universe, entry.name, entry.dimensions,
                                                     entry.storageClass, entry.isCalibration);
        if (!type.ok())
            return at(entry.line, type.error());
        if (const auto seen = m_typesByName.constFind(entry.name); seen != m_typesByName.constEnd()) {
            if (*seen != *type)
                return at(
                    entry.line,
                    conflict(
                        QStringLiteral("dataset type '%1' is defined twice, differently").arg(entry.name)));
            continue;
        }
        const Result<DatasetType> registered = m_butler.getDatasetType(entry.name);
        if (registered.ok()) {
            if (*registered != *type)
                return at(
                    entry.line,
                    conflict(QStringLiteral("dataset type '%1' is registered with %2; the export has %3")
                                 .arg(entry.name, describeType(*registered), describeType(*type))));
        } else if (registered.error().kind() != ErrorKind::NotFound) {
            return registered.error();
        }
        m_typesByName.insert(entry.name, *type);
        m_datasetTypes.append(*type);
    }
    return {};
}

Result<DatasetType> ExportImporter::datasetType(const QString& name)
{
    if (const auto it = m_typesByName.constFind(name); it != m_typesByName.constEnd())
        return *it;
    const Result<DatasetType> registered = m_butler.getDatasetType(name);
    if (!registered.ok()) {
        if (registered.error().kind() == ErrorKind::NotFound)
            return notFound(
                QStringLiteral("dataset type '%1' is neither defined in the export nor registered in the "
                               "repository")
                    .arg(name));
        return registered.error();
    }
    m_typesByName.insert(name, *registered);
    return *registered;
}

Result<std::optional<CollectionType>> ExportImporter::repositoryCollectionType(const QString& name)
{
    if (const auto it = m_repoCollections.constFind(name); it != m_repoCollections.constEnd())
        return *it;
    std::optional<CollectionType> type;
    const Result<CollectionInfo> info = m_butler.getCollection(name);
    if (info.ok())
        type = info->type;
    else if (info.error().kind() != ErrorKind::NotFound)
        return info.error();
    m_repoCollections.insert(name, type);
    return type;
}

Result<std::optional<CollectionType>> ExportImporter::collectionType(const QString& name)
{
    if (const auto it = m_fileCollections.constFind(name); it != m_fileCollections.constEnd())
        return std::optional<CollectionType>(*it);
    return repositoryCollectionType(name);
}

Status ExportImporter::planCollections()
{
    QHash<QString, const ExportFile::CollectionEntry*> chainEntries;
    QStringList chainOrder;
    for (const ExportFile::CollectionEntry& entry : m_file.collections()) {
        if (const Status valid = CollectionInfo::validateName(entry.name); !valid.ok())
            return at(entry.line, valid.error());
        const Result<CollectionType> type = parseCollectionType(entry.type);
        if (!type.ok())
            return at(entry.line, type.error());
        if (const auto seen = m_fileCollections.constFind(entry.name); seen != m_fileCollections.constEnd()) {
            if (*seen != *type)
                return at(entry.line,
                          conflict(QStringLiteral("collection '%1' is defined twice, as %2 and %3")
                                       .arg(entry.name, collectionTypeName(*seen), entry.type)));
            continue;
        }
        BUTLER_ASSIGN_OR_RETURN(const std::optional<CollectionType> existing,
                                repositoryCollectionType(entry.name));
        if (existing && *existing != *type)
            return at(entry.line,
                      conflict(QStringLiteral("collection '%1' already exists as a %2 collection; the "
                                              "export has it as %3")
                                   .arg(entry.name, collectionTypeName(*existing), entry.type)));
        m_fileCollections.insert(entry.name, *type);
        ++m_collectionCount;
        if (*type == CollectionType::Chained) {
            chainEntries.insert(entry.name, &entry);
            chainOrder << entry.name;
        } else if (!existing) {
            m_newCollections.append(NewCollection{entry.name, *type, entry.doc});
        }
    }
    for (const QString& name : std::as_const(chainOrder)) {
        const ExportFile::CollectionEntry* entry = chainEntries.value(name);
        for (const QString& child : entry->children) {
            BUTLER_ASSIGN_OR_RETURN(const std::optional<CollectionType> type, collectionType(child));
            if (!type)
                return at(entry->line,
                          notFound(QStringLiteral("chain '%1' includes '%2', which is neither in the "
                                                  "export nor in the repository")
                                       .arg(name, child)));
        }
    }
    // Chains whose children are chains of this export are defined after those children.
    QSet<QString> done;
    QSet<QString> visiting;
    std::function<Status(const QString&)> visit = [&](const QString& name) -> Status {
        if (done.contains(name))
            return {};
        const ExportFile::CollectionEntry* entry = chainEntries.value(name);
        if (visiting.contains(name))
            return at(
                entry->line,
                invalidInput(QStringLiteral("chain '%1' includes itself through its children").arg(name)));
        visiting.insert(name);
        for (const QString& child : entry->children) {
            if (chainEntries.contains(child))
                BUTLER_TRY(visit(child));
        }
        visiting.remove(name);
        done.insert(name);
        m_chains.append(Chain{name, entry->children, entry->doc});
        return {};
    };
    for (const QString& name : std::as_const(chainOrder))
        BUTLER_TRY(visit(name));
    return {};
}

Status ExportImporter::planDatasets()
{
    // What the repository already holds in the runs the export fills: identical datasets are
    // skipped, so that importing an export twice is harmless; differing ones are conflicts.
    QHash<QString, QSet<QString>> typesByRun;
    for (const ExportFile::DatasetEntry& entry : m_file.datasets())
        typesByRun[entry.run].insert(entry.datasetType);
    QHash<QUuid, DatasetRef> existingById;
    QHash<QString, QUuid> existingByKey;
    for (auto it = typesByRun.constBegin(); it != typesByRun.constEnd(); ++it) {
        BUTLER_ASSIGN_OR_RETURN(const std::optional<CollectionType> inRepo,
                                repositoryCollectionType(it.key()));
        if (inRepo != CollectionType::Run)
            continue;
        QStringList registeredTypes;
        for (const QString& type : it.value()) {
            if (m_butler.getDatasetType(type).ok())
                registeredTypes << type;
        }
        if (registeredTypes.isEmpty())
            continue;
        DatasetQuery query;
        query.datasetTypes = registeredTypes;
        query.collections = {it.key()};
        query.limit = DatasetChunk;
        do {
            BUTLER_ASSIGN_OR_RETURN(const DatasetPage page, m_butler.queryDatasets(query));
            for (const DatasetRef& ref : page.refs) {
                existingById.insert(ref.id(), ref);
                existingByKey.insert(datasetKey(ref.run(), ref.datasetType().name(), ref.dataId()), ref.id());
            }
            query.pageToken = page.nextPageToken;
        } while (!query.pageToken.isEmpty());
    }

    QHash<QString, qsizetype> batchOf;
    QHash<QString, int> seenKeys; // run + type + data ID -> line
    qint64 skipped = 0;
    for (const ExportFile::DatasetEntry& entry : m_file.datasets()) {
        Result<DatasetType> type = datasetType(entry.datasetType);
        if (!type.ok())
            return at(entry.line, type.error());
        BUTLER_ASSIGN_OR_RETURN(const std::optional<CollectionType> runType, collectionType(entry.run));
        if (!runType)
            return at(entry.line,
                      notFound(QStringLiteral("run '%1' is neither in the export nor in the repository")
                                   .arg(entry.run)));
        if (*runType != CollectionType::Run)
            return at(entry.line,
                      invalidInput(QStringLiteral("'%1' is a %2 collection; datasets belong to RUN "
                                                  "collections")
                                       .arg(entry.run, collectionTypeName(*runType))));
        Result<DataCoordinate> dataId = DataCoordinate::fromMap(m_universe, type->dimensions(), entry.dataId);
        if (!dataId.ok())
            return at(entry.line,
                      dataId.error().withContext(QStringLiteral("%1 data ID").arg(entry.datasetType)));
        const QVariantMap values = dataId->toMap();
        for (const QString& dimension : type->dimensions().required())
            requireRecord(dimension, keyValuesIn(dimension, values), entry.line);

        const QString key = datasetKey(entry.run, entry.datasetType, *dataId);
        if (const auto seen = seenKeys.constFind(key); seen != seenKeys.constEnd())
            return at(entry.line,
                      conflict(QStringLiteral("run '%1' gets two %2 datasets for %3 (the other on line %4)")
                                   .arg(entry.run, entry.datasetType, dataId->requiredOnly().toString())
                                   .arg(*seen)));
        seenKeys.insert(key, entry.line);

        if (const auto existing = existingById.constFind(entry.id); existing != existingById.constEnd()) {
            if (existing->datasetType().name() != entry.datasetType ||
                existing->dataId().requiredOnly() != dataId->requiredOnly())
                return at(entry.line, conflict(QStringLiteral("dataset %1 already exists in '%2' as %3 %4")
                                                   .arg(existing->idString(), existing->run(),
                                                        existing->datasetType().name(),
                                                        existing->dataId().requiredOnly().toString())));
            m_knownDatasets.insert(entry.id, KnownDataset{*type, *dataId});
            ++skipped;
            continue;
        }
        if (const auto other = existingByKey.constFind(key); other != existingByKey.constEnd())
            return at(entry.line,
                      conflict(QStringLiteral("run '%1' already has a %2 dataset for %3 (%4)")
                                   .arg(entry.run, entry.datasetType, dataId->requiredOnly().toString(),
                                        other->toString(QUuid::WithoutBraces))));
        m_knownDatasets.insert(entry.id, KnownDataset{*type, *dataId});

        const QString path = entry.path.isEmpty() ? QString() : resolvePath(entry.path);
        const bool withFile = !path.isEmpty() && QFileInfo(path).isFile();
        const QString batchKey = entry.run + KeySeparator + (withFile ? QLatin1Char('f') : QLatin1Char('r'));
        auto index = batchOf.constFind(batchKey);
        if (index == batchOf.constEnd()) {
            index = batchOf.insert(batchKey, m_datasetBatches.size());
            m_datasetBatches.append(DatasetBatch{entry.run, withFile, {}});
        }
        IngestFile file;
        file.datasetType = entry.datasetType;
        file.dataId = entry.dataId;
        file.id = entry.id;
        if (withFile) {
            file.path = path;
            file.formatter = formatterLabel(entry.formatter, path);
        }
        m_datasetBatches[*index].datasets.append(file);
        ++m_datasetCount;
    }
    if (skipped > 0)
        qCInfo(lcImport) << skipped << "datasets of" << m_file.fileName() << "are already in the repository";
    return {};
}

Result<ExportImporter::KnownDataset> ExportImporter::knownDataset(const QUuid& id)
{
    if (const auto it = m_knownDatasets.constFind(id); it != m_knownDatasets.constEnd())
        return *it;
    const Result<DatasetRef> ref = m_butler.getDataset(id);
    if (!ref.ok()) {
        if (ref.error().kind() == ErrorKind::NotFound)
            return notFound(QStringLiteral("dataset %1 is neither in the export nor in the repository")
                                .arg(id.toString(QUuid::WithoutBraces)));
        return ref.error();
    }
    const KnownDataset known{ref->datasetType(), ref->dataId()};
    m_knownDatasets.insert(id, known);
    return known;
}

Status ExportImporter::planAssociations()
{
    QHash<QString, QUuid> tagged;              // collection + type + data ID -> dataset
    QHash<QString, QList<Timespan>> certified; // collection + type + data ID -> ranges
    for (const ExportFile::AssociationEntry& entry : m_file.associations()) {
        const Result<CollectionType> wanted = parseCollectionType(entry.collectionType);
        if (!wanted.ok())
            return at(entry.line, wanted.error());
        BUTLER_ASSIGN_OR_RETURN(const std::optional<CollectionType> type, collectionType(entry.collection));
        if (!type)
            return at(entry.line,
                      notFound(QStringLiteral("collection '%1' is neither in the export nor in the "
                                              "repository")
                                   .arg(entry.collection)));
        if (*type != *wanted)
            return at(entry.line, invalidInput(QStringLiteral("'%1' is a %2 collection, not %3")
                                                   .arg(entry.collection, collectionTypeName(*type),
                                                        entry.collectionType)));
        if (entry.datasetIds.isEmpty())
            continue;
        Association association{entry.collection, *type, entry.datasetIds, Timespan(), entry.line};
        if (*type == CollectionType::Calibration) {
            if (!entry.timespan || entry.timespan->isEmpty())
                return at(entry.line,
                          invalidInput(QStringLiteral("datasets certified in '%1' need a non-empty "
                                                      "validity range")
                                           .arg(entry.collection)));
            association.timespan = *entry.timespan;
        }
        for (const QUuid& id : entry.datasetIds) {
            Result<KnownDataset> known = knownDataset(id);
            if (!known.ok())
                return at(entry.line, known.error());
            const QString key = datasetKey(entry.collection, known->type.name(), known->dataId);
            if (*type == CollectionType::Tagged) {
                const auto other = tagged.constFind(key);
                if (other != tagged.constEnd() && *other != id)
                    return at(entry.line, conflict(QStringLiteral("'%1' gets two %2 datasets for %3")
                                                       .arg(entry.collection, known->type.name(),
                                                            known->dataId.requiredOnly().toString())));
                tagged.insert(key, id);
                continue;
            }
            if (!known->type.isCalibration())
                return at(entry.line,
                          invalidInput(QStringLiteral("dataset %1 is a %2, which is not a calibration "
                                                      "dataset type; only those go into '%3'")
                                           .arg(id.toString(QUuid::WithoutBraces), known->type.name(),
                                                entry.collection)));
            QList<Timespan>& ranges = certified[key];
            for (const Timespan& range : std::as_const(ranges)) {
                if (range.overlaps(association.timespan))
                    return at(entry.line,
                              conflict(QStringLiteral("%1 %2 is certified in '%3' for both %4 and %5, "
                                                      "which overlap")
                                           .arg(known->type.name(), known->dataId.requiredOnly().toString(),
                                                entry.collection, range.toString(),
                                                association.timespan.toString())));
            }
            ranges.append(association.timespan);
        }
        m_associations.append(association);
    }
    return {};
}

Status ExportImporter::checkReferencedRecords()
{
    // Group what the repository must hold by dimension and by the values before the last key,
    // so that one query answers many keys: "instrument = :p0 AND detector IN (:values)".
    QHash<QString, QHash<QString, QList<const KeyReference*>>> groups;
    for (const KeyReference& reference : std::as_const(m_references)) {
        const QString prefix =
            keyOf(reference.dimension, reference.values.mid(0, reference.values.size() - 1));
        groups[reference.dimension][prefix].append(&reference);
    }
    QList<const KeyReference*> missing;
    for (auto byDimension = groups.constBegin(); byDimension != groups.constEnd(); ++byDimension) {
        const QString& dimension = byDimension.key();
        const QStringList& keys = keyDimensions(dimension);
        const DimensionElement* element = m_universe.element(dimension);
        for (const QList<const KeyReference*>& references : byDimension.value()) {
            QSet<QString> found;
            for (qsizetype start = 0; start < references.size(); start += KeyChunk) {
                const QList<const KeyReference*> chunk = references.mid(start, KeyChunk);
                DimensionRecordQuery query;
                query.element = dimension;
                QStringList terms;
                for (qsizetype i = 0; i + 1 < keys.size(); ++i) {
                    const QString bind = QStringLiteral("p%1").arg(i);
                    terms << keys[i] + QStringLiteral(" = :") + bind;
                    query.bind.insert(bind, chunk.first()->values[i]);
                }
                QVariantList values;
                for (const KeyReference* reference : chunk)
                    values << reference->values.last();
                terms << dimension + QStringLiteral(" IN (:values)");
                query.bind.insert(QStringLiteral("values"), values);
                query.where = terms.join(QStringLiteral(" AND "));
                BUTLER_ASSIGN_OR_RETURN(const DimensionRecordPage page,
                                        m_butler.queryDimensionRecords(query));
                for (const DimensionRecord& record : page.records) {
                    QVariantMap recordValues = record.values();
                    recordValues.insert(dimension, record.value(element->primaryKey().name));
                    found.insert(keyOf(dimension, keyValuesIn(dimension, recordValues)));
                }
            }
            for (const KeyReference* reference : references) {
                if (!found.contains(keyOf(dimension, reference->values)))
                    missing << reference;
            }
        }
    }
    if (missing.isEmpty())
        return {};
    std::sort(missing.begin(), missing.end(),
              [](const KeyReference* a, const KeyReference* b) { return a->line < b->line; });
    const KeyReference* first = missing.first();
    QString message = QStringLiteral("%1: %2 %3 is neither in the export nor in the repository")
                          .arg(m_file.location(first->line), first->dimension,
                               describeKey(keyDimensions(first->dimension), first->values));
    if (missing.size() > 1)
        message += QStringLiteral(" (and %1 more missing dimension records)").arg(missing.size() - 1);
    if (m_options.skipDimensions)
        message += QStringLiteral("; the export's own dimension records were skipped");
    return notFound(message);
}

QString ExportImporter::resolvePath(const QString& path) const
{
    if (path.startsWith(QLatin1String("file:")))
        return QUrl(path).toLocalFile();
    // Other URI schemes (s3://, https://) name no local file.
    if (path.contains(QLatin1String("://")))
        return {};
    if (QDir::isAbsolutePath(path))
        return QDir::cleanPath(path);
    return QDir::cleanPath(QDir(m_baseDirectory).filePath(path));
}

Result<ImportSummary> ExportImporter::apply()
{
    ImportSummary summary;
    const auto failed = [this](const Error& error, const QString& step) {
        return error.withContext(QStringLiteral("%1: import stopped while %2 (earlier steps were written)")
                                     .arg(m_file.fileName(), step));
    };
    for (const RecordBatch& batch : std::as_const(m_records)) {
        if (const Status s = m_butler.insertDimensionRecords(batch.element, batch.records, true); !s.ok())
            return failed(s.error(), QStringLiteral("inserting %1 records").arg(batch.element));
        summary.records += batch.records.size();
    }
    for (const DatasetType& type : std::as_const(m_datasetTypes)) {
        if (const Status s = m_butler.registerDatasetType(type); !s.ok())
            return failed(s.error(), QStringLiteral("registering dataset type '%1'").arg(type.name()));
    }
    summary.datasetTypes = m_datasetTypes.size();
    for (const NewCollection& collection : std::as_const(m_newCollections)) {
        if (const Status s = m_butler.registerCollection(collection.name, collection.type, collection.doc);
            !s.ok())
            return failed(s.error(), QStringLiteral("registering collection '%1'").arg(collection.name));
    }
    for (const Chain& chain : std::as_const(m_chains)) {
        if (const Status s = m_butler.setCollectionChain(chain.name, chain.children, ChainMode::Redefine,
                                                         false, chain.doc);
            !s.ok())
            return failed(s.error(), QStringLiteral("defining chain '%1'").arg(chain.name));
    }
    summary.collections = m_collectionCount;

    if (m_options.progress)
        m_options.progress(0, m_datasetCount);
    for (const DatasetBatch& batch : std::as_const(m_datasetBatches)) {
        for (qsizetype start = 0; start < batch.datasets.size(); start += DatasetChunk) {
            const QList<IngestFile> chunk = batch.datasets.mid(start, DatasetChunk);
            const Result<QList<DatasetRef>> refs = batch.withFiles
                                                       ? m_butler.ingest(batch.run, chunk, m_options.transfer)
                                                       : m_butler.registerDatasets(batch.run, chunk);
            if (!refs.ok())
                return failed(refs.error(), QStringLiteral("%1 datasets in run '%2'")
                                                .arg(batch.withFiles ? QStringLiteral("ingesting")
                                                                     : QStringLiteral("registering"),
                                                     batch.run));
            summary.datasets += chunk.size();
            if (batch.withFiles)
                summary.files += chunk.size();
            if (m_options.progress)
                m_options.progress(summary.datasets, m_datasetCount);
        }
    }

    for (const Association& association : std::as_const(m_associations)) {
        const Status s =
            association.type == CollectionType::Tagged
                ? m_butler.associate(association.collection, association.ids)
                : m_butler.certify(association.collection, association.ids, association.timespan);
        if (!s.ok())
            return failed(s.error(), QStringLiteral("adding datasets to '%1' (%2)")
                                         .arg(association.collection, m_file.location(association.line)));
        summary.associations += association.ids.size();
    }
    return summary;
}

} // namespace butler
