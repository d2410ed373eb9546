#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

namespace butler {

class PathSealer;

// The target of a file-endpoint request, `/files/<label>/<path>`: a repository label and a
// datastore-relative path, both validated. Anything that could name a file outside the
// datastore root is refused: absolute paths, empty, `.` and `..` segments, backslashes, NUL
// and control characters, encoded slashes, and any `%` left after one round of decoding
// (double encoding). resolve() then follows symlinks and refuses what lands outside the root.
//
// Opaque form, `/files/<label>/o/<token>`: a URL that does not name its file; the token is the
// datastore path sealed by PathSealer. The signature covers the opaque path as it is, and
// unsealed() turns the request into the one for the datastore path. A datastore path that has
// this form itself is only ever handed out sealed, so the form never means two things.
class FileRequest
{
public:
    // Parses the path exactly as it came on the request line (still percent-encoded).
    static Result<FileRequest> parse(const QByteArray& encodedPath);
    // Builds a request from its parts, as the server does when it signs a URL.
    static Result<FileRequest> fromParts(const QString& label, const QString& relativePath);

    // The request for `relativePath` (checked as fromParts() does) in opaque form.
    static Result<FileRequest> sealed(const QString& label, const QString& relativePath,
                                      const PathSealer& sealer);

    static Status checkLabel(const QString& label);
    static Status checkRelativePath(const QString& relativePath);
    // Whether a relative path has the opaque form "o/<token>".
    static bool isOpaqueForm(const QString& relativePath);

    bool isOpaque() const { return isOpaqueForm(m_relativePath); }
    // The opaque form: the request for the datastore path it stands for, or PermissionDenied
    // (the refusal of a bad signature) when the token does not open for this label. A plain
    // request comes back as it is.
    Result<FileRequest> unsealed(const PathSealer& sealer) const;

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
