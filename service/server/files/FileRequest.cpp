#include "FileRequest.h"

#include "HexDigit.h"
#include "PathSealer.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QStringDecoder>
#include <QUrl>

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

Q_LOGGING_CATEGORY(lcRequest, "butler.files.serve")

namespace butler {

namespace {

constexpr char kPrefix[] = "/files/";
constexpr QLatin1String kOpaquePrefix("o/");
constexpr qsizetype kMaxPathChars = 4096;

Error badPath(const QString& why)
{
    return invalidInput(QStringLiteral("bad file path: ") + why);
}

bool isControl(uchar c)
{
    return c < 0x20 || c == 0x7f;
}

// One round of percent-decoding of a path segment list. Encoded '/', '\', '%' and control
// characters are refused here: they can only be attempts to smuggle a separator or a second
// decoding round past the checks.
Result<QByteArray> percentDecode(const QByteArray& in)
{
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size())
                return badPath(QStringLiteral("invalid percent-encoding"));
            const int hi = hexDigitValue(in[i + 1]);
            const int lo = hexDigitValue(in[i + 2]);
            if (hi < 0 || lo < 0)
                return badPath(QStringLiteral("invalid percent-encoding"));
            const uchar decoded = uchar(hi * 16 + lo);
            if (decoded == '/' || decoded == '\\')
                return badPath(QStringLiteral("encoded path separator"));
            if (decoded == '%')
                return badPath(QStringLiteral("double percent-encoding"));
            if (isControl(decoded))
                return badPath(QStringLiteral("encoded control character"));
            out.append(char(decoded));
            i += 2;
            continue;
        }
        if (isControl(uchar(c)) || c == ' ')
            return badPath(QStringLiteral("control character or space"));
        if (c == '\\')
            return badPath(QStringLiteral("backslash"));
        if (c == '?' || c == '#')
            return badPath(QStringLiteral("query or fragment inside the path"));
        out.append(c);
    }
    return out;
}

Result<QString> decodeUtf8(const QByteArray& bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return badPath(QStringLiteral("not UTF-8"));
    return text;
}

QByteArray realPath(const QByteArray& path, int* error)
{
    char buffer[PATH_MAX];
    if (!::realpath(path.constData(), buffer)) {
        *error = errno;
        return {};
    }
    *error = 0;
    return QByteArray(buffer);
}

} // namespace

FileRequest::FileRequest(QString label, QString relativePath)
    : m_label(std::move(label))
    , m_relativePath(std::move(relativePath))
{
}

Status FileRequest::checkLabel(const QString& label)
{
    if (label.isEmpty() || label.size() > 64)
        return badPath(QStringLiteral("repository label must have 1 to 64 characters"));
    for (qsizetype i = 0; i < label.size(); ++i) {
        const QChar c = label[i];
        const bool alnum = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                           (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                           (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
        const bool punct = c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.');
        if (!alnum && !(punct && i > 0))
            return badPath(QStringLiteral("repository label '%1' has a character other than "
                                          "letters, digits, '_', '-' and '.' (not first)")
                               .arg(label));
    }
    return {};
}

Status FileRequest::checkRelativePath(const QString& path)
{
    if (path.isEmpty())
        return badPath(QStringLiteral("empty"));
    if (path.size() > kMaxPathChars)
        return badPath(QStringLiteral("longer than %1 characters").arg(kMaxPathChars));
    if (path.startsWith(QLatin1Char('/')))
        return badPath(QStringLiteral("absolute"));
    for (QChar c : path) {
        if (c == QLatin1Char('\\'))
            return badPath(QStringLiteral("backslash"));
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return badPath(QStringLiteral("NUL or control character"));
        // A '%' here means the path was encoded twice, or a decoder upstream was bypassed.
        if (c == QLatin1Char('%'))
            return badPath(QStringLiteral("percent sign"));
    }
    for (const QStringView segment : QStringView(path).split(QLatin1Char('/'))) {
        if (segment.isEmpty())
            return badPath(QStringLiteral("empty segment"));
        if (segment == QLatin1String(".") || segment == QLatin1String(".."))
            return badPath(QStringLiteral("'.' or '..' segment"));
    }
    return {};
}

Result<FileRequest> FileRequest::fromParts(const QString& label, const QString& relativePath)
{
    BUTLER_TRY(checkLabel(label));
    BUTLER_TRY(checkRelativePath(relativePath));
    return FileRequest(label, relativePath);
}

bool FileRequest::isOpaqueForm(const QString& relativePath)
{
    return relativePath.startsWith(kOpaquePrefix) &&
           PathSealer::looksLikeToken(QStringView(relativePath).sliced(kOpaquePrefix.size()));
}

Result<FileRequest> FileRequest::sealed(const QString& label, const QString& relativePath,
                                        const PathSealer& sealer)
{
    BUTLER_TRY(checkLabel(label));
    BUTLER_TRY(checkRelativePath(relativePath));
    BUTLER_ASSIGN_OR_RETURN(const QString token, sealer.seal(label, relativePath));
    return FileRequest(label, QString(kOpaquePrefix) + token);
}

Result<FileRequest> FileRequest::unsealed(const PathSealer& sealer) const
{
    if (!isOpaque())
        return *this;
    BUTLER_ASSIGN_OR_RETURN(const QString path,
                            sealer.open(m_label, m_relativePath.mid(kOpaquePrefix.size())));
    // Only what this server sealed opens, and it sealed only checked paths; checked again all
    // the same. A sealed path that looks opaque itself is not unsealed twice.
    if (!checkRelativePath(path).ok())
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("signed URL refused: the file token is not valid"));
    return FileRequest(m_label, path);
}

Result<FileRequest> FileRequest::parse(const QByteArray& encodedPath)
{
    if (!encodedPath.startsWith(kPrefix))
        return badPath(QStringLiteral("not under /files/"));
    const QByteArray rest = encodedPath.mid(qsizetype(sizeof kPrefix) - 1);
    const qsizetype slash = rest.indexOf('/');
    if (slash <= 0)
        return badPath(QStringLiteral("expected /files/<label>/<path>"));
    BUTLER_ASSIGN_OR_RETURN(const QByteArray labelBytes, percentDecode(rest.left(slash)));
    BUTLER_ASSIGN_OR_RETURN(const QByteArray pathBytes, percentDecode(rest.mid(slash + 1)));
    BUTLER_ASSIGN_OR_RETURN(const QString label, decodeUtf8(labelBytes));
    BUTLER_ASSIGN_OR_RETURN(const QString path, decodeUtf8(pathBytes));
    if (auto st = fromParts(label, path); !st.ok()) {
        qCDebug(lcRequest) << "refused" << encodedPath << st.error().message();
        return st.error();
    }
    return FileRequest(label, path);
}

QString FileRequest::signedPath() const
{
    return QLatin1String(kPrefix) + m_label + QLatin1Char('/') + m_relativePath;
}

QByteArray FileRequest::encodedPath() const
{
    // '/' stays literal between segments; everything outside the unreserved set is encoded.
    QByteArray out = kPrefix;
    out += QUrl::toPercentEncoding(m_label);
    out += '/';
    out += QUrl::toPercentEncoding(m_relativePath, "/");
    return out;
}

Result<QString> FileRequest::resolve(const QString& datastoreRoot) const
{
    int error = 0;
    const QByteArray root = realPath(QFile::encodeName(datastoreRoot), &error);
    if (root.isEmpty())
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("datastore root '%1' is not reachable").arg(datastoreRoot));
    const QByteArray candidate = root + '/' + QFile::encodeName(m_relativePath);
    const QByteArray real = realPath(candidate, &error);
    if (real.isEmpty()) {
        if (error == ENOENT || error == ENOTDIR)
            return notFound(QStringLiteral("no file '%1' in repository '%2'").arg(m_relativePath, m_label));
        return ioError(QStringLiteral("cannot resolve '%1': %2")
                           .arg(m_relativePath, QString::fromLocal8Bit(strerror(error))));
    }
    // The root itself is never a servable file, so the prefix must include the separator.
    if (!real.startsWith(root == "/" ? root : root + '/')) {
        qCWarning(lcRequest) << "refused" << m_relativePath << "in" << m_label
                             << ": resolves outside the datastore root";
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("'%1' leads outside the datastore").arg(m_relativePath));
    }
    struct stat st
    {
    };
    if (::stat(real.constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return notFound(QStringLiteral("no file '%1' in repository '%2'").arg(m_relativePath, m_label));
    return QFile::decodeName(real);
}

Result<QString> FileRequest::resolveForWrite(const QString& datastoreRoot) const
{
    int error = 0;
    const QByteArray root = realPath(QFile::encodeName(datastoreRoot), &error);
    if (root.isEmpty())
        return Error(ErrorKind::Unavailable,
                     QStringLiteral("datastore root '%1' is not reachable").arg(datastoreRoot));
    const qsizetype slash = m_relativePath.lastIndexOf(u'/');
    const QString folder = slash < 0 ? QString() : m_relativePath.left(slash);
    const QString name = m_relativePath.mid(slash + 1);
    QByteArray parent = root;
    if (!folder.isEmpty()) {
        const QByteArray wanted = root + '/' + QFile::encodeName(folder);
        // Usually there already: made by the first file of its batch.
        parent = realPath(wanted, &error);
        if (parent.isEmpty() && (error == ENOENT || error == ENOTDIR)) {
            if (!QDir().mkpath(QFile::decodeName(wanted)))
                return ioError(QStringLiteral("cannot create the folder of '%1'").arg(m_relativePath));
            parent = realPath(wanted, &error);
        }
        if (parent.isEmpty())
            return ioError(QStringLiteral("cannot resolve the folder of '%1': %2")
                               .arg(m_relativePath, QString::fromLocal8Bit(strerror(error))));
        if (!parent.startsWith(root == "/" ? root : root + '/')) {
            qCWarning(lcRequest) << "refused upload to" << m_relativePath << "in" << m_label
                                 << ": its folder resolves outside the datastore root";
            return Error(ErrorKind::PermissionDenied,
                         QStringLiteral("'%1' leads outside the datastore").arg(m_relativePath));
        }
    }
    const QByteArray full = parent + '/' + QFile::encodeName(name);
    struct stat st
    {
    };
    if (::lstat(full.constData(), &st) == 0 && S_ISDIR(st.st_mode))
        return conflict(QStringLiteral("'%1' is a folder").arg(m_relativePath));
    return QFile::decodeName(full);
}

} // namespace butler
