#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

namespace butler {

// The target of a file-endpoint request, `/files/<label>/<path>`: a repository label and a
// datastore-relative path, both validated. Anything that could name a file outside the
// datastore root is refused: absolute paths, empty, `.` and `..` segments, backslashes, NUL
// and control characters, encoded slashes, and any `%` left after one round of decoding
// (double encoding). resolve() then follows symlinks and refuses what lands outside the root.
class FileRequest
{
public:
    // Parses the path exactly as it came on the request line (still percent-encoded).
    static Result<FileRequest> parse(const QByteArray& encodedPath);
    // Builds a request from its parts, as the server does when it signs a URL.
    static Result<FileRequest> fromParts(const QString& label, const QString& relativePath);

    static Status checkLabel(const QString& label);
    static Status checkRelativePath(const QString& relativePath);

    const QString& label() const { return m_label; }
    const QString& relativePath() const { return m_relativePath; }
    // "/files/<label>/<path>", decoded: what UrlSigner signs and verifies.
    QString signedPath() const;
    // The same, percent-encoded for a URL.
    QByteArray encodedPath() const;

    // The canonical absolute path of the file (symlinks resolved) if it is a regular file
    // inside the canonical datastore root. NotFound when missing or not a regular file,
    // PermissionDenied when it resolves outside the root.
    Result<QString> resolve(const QString& datastoreRoot) const;
    // For an upload: the absolute path the file is to have, after creating its missing parent
    // folders. PermissionDenied when the folder resolves outside the root, Conflict when the
    // path names a folder.
    Result<QString> resolveForWrite(const QString& datastoreRoot) const;

private:
    FileRequest(QString label, QString relativePath);

    QString m_label;
    QString m_relativePath;
};

} // namespace butler
