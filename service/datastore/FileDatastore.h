#pragma once

#include "DatasetRef.h"
#include "Queries.h"
#include "Result.h"

namespace butler {

// Files on a POSIX file system under one root. The datastore decides where each file lives
// from a template (run, dataset type, data ID, UUID) and never writes outside its root. It
// records size and sha256 of every file and verifies them on read.
class FileDatastore
{
public:
    // {run}/{datasetType}/{dataId}/{datasetType}_{dataId}_{id}: "{name:?}" fields are left
    // out when the data ID lacks them.
    static QString defaultTemplate();

    FileDatastore(QString root, QString fileTemplate);

    const QString& root() const { return m_root; }
    // The relative path for a dataset, sanitized and confined to the root.
    Result<QString> pathFor(const DatasetRef& ref, const QString& extension) const;
    // Absolute path of a stored relative (or direct-ingested absolute) path, refusing any
    // path that would leave the root.
    Result<QString> absolutePath(const QString& storedPath) const;

    struct Written
    {
        QString path; // as recorded
        qint64 size = 0;
        QString checksum;
        bool created = false; // the datastore made a new file (to delete on rollback)
    };

    // Writes bytes to a new file (made with O_EXCL: refuses to overwrite). A failed write
    // leaves no file; the caller removes it again if its registry transaction fails.
    Result<Written> write(const QString& relativePath, const QByteArray& bytes);
    // Brings an outside file in with the transfer mode; Direct records its absolute path.
    Result<Written> transfer(const QString& source, const QString& relativePath, TransferMode mode);
    Result<QByteArray> read(const QString& storedPath, qint64 size, const QString& checksum) const;
    // Removes a stored file (not direct-ingested ones outside the root) and empty parents.
    Status remove(const QString& storedPath);

    static QString extensionFor(const QString& formatter);
    static QString formatterForPath(const QString& path);

private:
    // The template as literal text and fields, parsed once rather than for every path.
    struct TemplatePart
    {
        QString literal; // when field is empty
        QString field;
        bool optional = false;
    };
    static QList<TemplatePart> parseTemplate(const QString& fileTemplate, bool* ok);

    QString m_root;
    QString m_template;
    bool m_templateOk = true;
    QList<TemplatePart> m_parts;
};

} // namespace butler
