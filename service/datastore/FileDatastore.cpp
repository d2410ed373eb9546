#include "FileDatastore.h"

#include "FormatterLabel.h"
#include "Sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDatastore, "butler.datastore.file")

namespace butler {

namespace {

// One path component made of safe characters only: no separators, no "..".
QString sanitize(const QString& text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        const bool ok = (c.unicode() < 128 && c.isLetterOrNumber()) || c == QLatin1Char('-') ||
                        c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char('+');
        out += ok ? c : QLatin1Char('_');
    }
    while (out.contains(QLatin1String("..")))
        out.replace(QLatin1String(".."), QLatin1String("_"));
    if (out.isEmpty() || out == QLatin1String("."))
        out = QStringLiteral("_");
    return out;
}

QString checksumText(const QByteArray& digest)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(digest.toHex());
}

Error ioFailure(const QString& what, const QString& path)
{
    return ioError(QStringLiteral("%1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(errno))));
}

} // namespace

QString FileDatastore::defaultTemplate()
{
    return QStringLiteral("{run}/{datasetType}/{day_obs:?}/{band:?}/{datasetType}_{dataId}_{id}");
}

FileDatastore::FileDatastore(QString root, QString fileTemplate)
    : m_root(QDir::cleanPath(QFileInfo(root).absoluteFilePath()))
    , m_template(fileTemplate.isEmpty() ? defaultTemplate() : std::move(fileTemplate))
    , m_parts(parseTemplate(m_template, &m_templateOk))
{
}

QString FileDatastore::extensionFor(const QString& formatter)
{
    static const QHash<QString, QString> map = {
        {QStringLiteral("fits"), QStringLiteral("fits")},
        {QStringLiteral("json"), QStringLiteral("json")},
        {QStringLiteral("yaml"), QStringLiteral("yaml")},
        {QStringLiteral("csv"), QStringLiteral("csv")},
        {QStringLiteral("parquet"), QStringLiteral("parq")},
        {QStringLiteral("png"), QStringLiteral("png")},
        {QStringLiteral("text"), QStringLiteral("txt")},
        {QStringLiteral("pickle"), QStringLiteral("pickle")},
    };
    return map.value(formatter, QStringLiteral("bin"));
}

QString FileDatastore::formatterForPath(const QString& path)
{
    return FormatterLabel::forPath(path);
}

QList<FileDatastore::TemplatePart> FileDatastore::parseTemplate(const QString& t, bool* ok)
{
    QList<TemplatePart> parts;
    *ok = true;
    int i = 0;
    while (i < t.size()) {
        if (t[i] != QLatin1Char('{')) {
            const int open = t.indexOf(QLatin1Char('{'), i);
            const int end = open < 0 ? int(t.size()) : open;
            parts.append({t.mid(i, end - i), {}, false});
            i = end;
            continue;
        }
        const int close = t.indexOf(QLatin1Char('}'), i);
        if (close < 0) {
            *ok = false;
            return parts;
        }
        QString field = t.mid(i + 1, close - i - 1);
        const bool optional = field.endsWith(QLatin1String(":?"));
        if (optional)
            field.chop(2);
        parts.append({{}, field, optional});
        i = close + 1;
    }
    return parts;
}

Result<QString> FileDatastore::pathFor(const DatasetRef& ref, const QString& extension) const
{
    if (!m_templateOk)
        return invalidInput(QStringLiteral("file template has an unclosed '{': %1").arg(m_template));
    QString out;
    out.reserve(128);
    for (qsizetype p = 0; p < m_parts.size(); ++p) {
        const TemplatePart& part = m_parts[p];
        if (part.field.isEmpty()) {
            out += part.literal;
            continue;
        }
        const QString& field = part.field;
        QString value;
        if (field == QLatin1String("run")) {
            // Run names keep their '/' structure, each segment sanitized.
            QStringList segments;
            for (const QString& s : ref.run().split(QLatin1Char('/'), Qt::SkipEmptyParts))
                segments << sanitize(s);
            value = segments.join(QLatin1Char('/'));
        } else if (field == QLatin1String("datasetType")) {
            value = sanitize(ref.datasetType().name());
        } else if (field == QLatin1String("id")) {
            value = ref.idString();
        } else if (field == QLatin1String("dataId")) {
            QStringList parts;
            for (const QVariant& v : ref.dataId().requiredValues())
                parts << sanitize(v.toString());
            value = parts.join(QLatin1Char('_'));
        } else {
            const QVariant v = ref.dataId().value(field);
            if (v.isValid())
                value = sanitize(v.toString());
            else if (!part.optional)
                return invalidInput(QStringLiteral("file template field '%1' is not in the data ID of %2")
                                        .arg(field, ref.datasetType().name()));
        }
        if (value.isEmpty() && part.optional) {
            // Drop the separator that would follow the empty field.
            if (p + 1 < m_parts.size() && m_parts[p + 1].field.isEmpty()) {
                const QString& next = m_parts[p + 1].literal;
                if (next.startsWith(QLatin1Char('/')) || next.startsWith(QLatin1Char('_'))) {
                    out += QStringView(next).mid(1);
                    ++p;
                }
            }
            continue;
        }
        out += value;
    }
    if (!extension.isEmpty())
        out += QLatin1Char('.') + extension;
    const QString clean = QDir::cleanPath(out);
    if (clean.startsWith(QLatin1Char('/')) || clean.startsWith(QLatin1String("..")) ||
        clean.contains(QLatin1String("/../")))
        return invalidInput(QStringLiteral("file path '%1' would leave the datastore").arg(out));
    return clean;
}

Result<QString> FileDatastore::absolutePath(const QString& storedPath) const
{
    if (QDir::isAbsolutePath(storedPath))
        return QDir::cleanPath(storedPath); // direct ingest: the file stays where it was
    const QString full = QDir::cleanPath(m_root + QLatin1Char('/') + storedPath);
    if (!full.startsWith(m_root + QLatin1Char('/')))
        return invalidInput(QStringLiteral("path '%1' is outside the datastore").arg(storedPath));
    return full;
}

Result<FileDatastore::Written> FileDatastore::write(const QString& relativePath, const QByteArray& bytes)
{
    BUTLER_ASSIGN_OR_RETURN(QString full, absolutePath(relativePath));
    const QByteArray name = QFile::encodeName(full);
    // Straight to the final name: O_EXCL refuses an existing file, so a concurrent writer is
    // never clobbered, and nothing refers to the file before the caller's registry row commits.
    // The directory is made only when missing: most puts land in one that exists.
    const auto create = [&name] {
        return ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    };
    int fd = create();
    if (fd < 0 && errno == ENOENT) {
        if (!QDir().mkpath(QFileInfo(full).absolutePath()))
            return ioError(QStringLiteral("cannot create directory for %1").arg(full));
        fd = create();
    }
    if (fd < 0)
        return errno == EEXIST
                   ? conflict(QStringLiteral("datastore file %1 already exists").arg(relativePath))
                   : ioFailure(QStringLiteral("cannot create"), full);
    qint64 done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            Error e = ioFailure(QStringLiteral("cannot write"), full);
            ::close(fd);
            ::unlink(name.constData());
            return e;
        }
        done += n;
    }
    if (::close(fd) != 0) {
        Error e = ioFailure(QStringLiteral("cannot write"), full);
        ::unlink(name.constData());
        return e;
    }
    return Written{relativePath, bytes.size(), checksumText(Sha256::hash(bytes)), true};
}

Result<FileDatastore::Written> FileDatastore::transfer(const QString& source, const QString& relativePath,
                                                       TransferMode mode)
{
    const QFileInfo info(source);
    if (!info.exists() || !info.isFile())
        return notFound(QStringLiteral("file to ingest %1 does not exist").arg(source));
    // Checksum by streaming, so large files never sit in memory whole.
    auto hashFile = [](const QString& path) -> Result<QString> {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
        Sha256 hash;
        if (!hash.addData(&f))
            return ioError(QStringLiteral("cannot read %1").arg(path));
        return checksumText(hash.result());
    };
    if (mode == TransferMode::Direct) {
        BUTLER_ASSIGN_OR_RETURN(QString sum, hashFile(info.absoluteFilePath()));
        return Written{QDir::cleanPath(info.absoluteFilePath()), info.size(), sum, false};
    }
    BUTLER_ASSIGN_OR_RETURN(QString full, absolutePath(relativePath));
    if (QFileInfo::exists(full))
        return conflict(QStringLiteral("datastore file %1 already exists").arg(relativePath));
    if (!QDir().mkpath(QFileInfo(full).absolutePath()))
        return ioError(QStringLiteral("cannot create directory for %1").arg(full));
    const QByteArray src = QFile::encodeName(info.absoluteFilePath());
    const QByteArray dst = QFile::encodeName(full);
    switch (mode) {
    case TransferMode::Symlink:
        if (::symlink(src.constData(), dst.constData()) != 0)
            return ioFailure(QStringLiteral("cannot symlink to"), full);
        break;
    case TransferMode::Hardlink:
        if (::link(src.constData(), dst.constData()) != 0)
            return ioFailure(QStringLiteral("cannot hard-link to"), full);
        break;
    case TransferMode::Move:
        if (::rename(src.constData(), dst.constData()) == 0)
            break;
        if (errno != EXDEV)
            return ioFailure(QStringLiteral("cannot move to"), full);
        [[fallthrough]];
    case TransferMode::Copy: {
        // Copy and hash in one pass over the data.
        const int in = ::open(src.constData(), O_RDONLY | O_CLOEXEC);
        if (in < 0)
            return ioFailure(QStringLiteral("cannot read"), source);
        const int out = ::open(dst.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (out < 0) {
            ::close(in);
            return ioFailure(QStringLiteral("cannot create"), full);
        }
        Sha256 hash;
        QByteArray buffer(1 << 20, Qt::Uninitialized);
        qint64 total = 0;
        for (;;) {
            const ssize_t n = ::read(in, buffer.data(), size_t(buffer.size()));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                Error e = ioFailure(QStringLiteral("cannot read"), source);
                ::close(in);
                ::close(out);
                ::unlink(dst.constData());
                return e;
            }
            if (n == 0)
                break;
            hash.addData(QByteArrayView(buffer.constData(), n));
            ssize_t off = 0;
            while (off < n) {
                const ssize_t w = ::write(out, buffer.constData() + off, size_t(n - off));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w < 0) {
                    Error e = ioFailure(QStringLiteral("cannot write"), full);
                    ::close(in);
                    ::close(out);
                    ::unlink(dst.constData());
                    return e;
                }
                off += w;
            }
            total += n;
        }
        ::close(in);
        ::close(out);
        if (mode == TransferMode::Move)
            ::unlink(src.constData());
        return Written{relativePath, total, checksumText(hash.result()), true};
    }
    case TransferMode::Direct:
        break;
    }
    BUTLER_ASSIGN_OR_RETURN(QString sum, hashFile(full));
    return Written{relativePath, QFileInfo(full).size(), sum, true};
}

Result<QByteArray> FileDatastore::read(const QString& storedPath, qint64 size, const QString& checksum) const
{
    BUTLER_ASSIGN_OR_RETURN(QString full, absolutePath(storedPath));
    QFile f(full);
    if (!f.open(QIODevice::ReadOnly))
        return notFound(QStringLiteral("dataset file %1 is missing: %2").arg(storedPath, f.errorString()));
    const QByteArray bytes = f.readAll();
    if (bytes.size() != size)
        return ioError(QStringLiteral("dataset file %1 has %2 bytes, %3 recorded")
                           .arg(storedPath)
                           .arg(bytes.size())
                           .arg(size));
    if (!checksum.isEmpty() && checksumText(Sha256::hash(bytes)) != checksum)
        return ioError(
            QStringLiteral("dataset file %1 does not match its recorded checksum").arg(storedPath));
    return bytes;
}

Status FileDatastore::remove(const QString& storedPath)
{
    if (QDir::isAbsolutePath(storedPath))
        return {}; // direct-ingested files belong to their owner
    BUTLER_ASSIGN_OR_RETURN(QString full, absolutePath(storedPath));
    const QByteArray name = QFile::encodeName(full);
    if (::unlink(name.constData()) != 0 && errno != ENOENT)
        return ioFailure(QStringLiteral("cannot remove"), full);
    // Prune directories that became empty, up to the root.
    QDir dir = QFileInfo(full).dir();
    while (dir.absolutePath().startsWith(m_root + QLatin1Char('/')) && dir.isEmpty()) {
        const QString path = dir.absolutePath();
        if (!dir.cdUp() || !dir.rmdir(path))
            break;
    }
    return {};
}

} // namespace butler
