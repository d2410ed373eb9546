#include "SqliteRows.h"

#include "Database.h"

#include <QDateTime>

#include <sqlite3.h>

namespace butler {

Result<std::unique_ptr<SqliteRows>> SqliteRows::prepare(sqlite3* connection, const QString& sql)
{
    sqlite3_stmt* statement = nullptr;
    const int code = sqlite3_prepare16_v3(connection, sql.utf16(), int(sql.size() * sizeof(char16_t)),
                                          SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (code != SQLITE_OK) {
        sqlite3_finalize(statement);
        return Database::errorFor(QString::fromUtf8(sqlite3_errmsg(connection)), QStringLiteral("prepare"));
    }
    return std::unique_ptr<SqliteRows>(new SqliteRows(connection, statement));
}

SqliteRows::SqliteRows(sqlite3* connection, sqlite3_stmt* statement)
    : m_connection(connection)
    , m_statement(statement)
{
}

SqliteRows::~SqliteRows()
{
    sqlite3_finalize(m_statement);
}

Status SqliteRows::run(const QVariantList& binds)
{
    sqlite3_reset(m_statement);
    m_lastCode = SQLITE_OK;
    if (binds.size() != sqlite3_bind_parameter_count(m_statement))
        return internalError(QStringLiteral("registry query failed: %1 values for %2 parameters")
                                 .arg(binds.size())
                                 .arg(sqlite3_bind_parameter_count(m_statement)));
    for (int i = 0; i < binds.size(); ++i) {
        const QVariant& v = binds[i];
        const int index = i + 1;
        int code = SQLITE_OK;
        if (v.isNull()) {
            code = sqlite3_bind_null(m_statement, index);
        } else {
            switch (v.typeId()) {
            case QMetaType::Bool:
            case QMetaType::Int:
            case QMetaType::UInt:
            case QMetaType::Short:
            case QMetaType::UShort:
            case QMetaType::Long:
            case QMetaType::ULong:
            case QMetaType::LongLong:
            case QMetaType::ULongLong:
                code = sqlite3_bind_int64(m_statement, index, v.toLongLong());
                break;
            case QMetaType::Double:
            case QMetaType::Float:
                code = sqlite3_bind_double(m_statement, index, v.toDouble());
                break;
            case QMetaType::QByteArray: {
                const QByteArray bytes = v.toByteArray();
                code = sqlite3_bind_blob64(m_statement, index, bytes.constData(),
                                           sqlite3_uint64(bytes.size()), SQLITE_TRANSIENT);
                break;
            }
            case QMetaType::QDateTime:
                // As QSQLITE binds it.
                code = sqlite3_bind_text16(m_statement, index,
                                           v.toDateTime().toString(Qt::ISODateWithMs).utf16(), -1,
                                           SQLITE_TRANSIENT);
                break;
            default: {
                const QString text = v.toString();
                code = sqlite3_bind_text16(m_statement, index, text.utf16(),
                                           int(text.size() * sizeof(char16_t)), SQLITE_TRANSIENT);
                break;
            }
            }
        }
        if (code != SQLITE_OK)
            return lastError(QStringLiteral("bind"));
    }
    return {};
}

bool SqliteRows::next()
{
    if (m_lastCode == SQLITE_DONE || (m_lastCode != SQLITE_OK && m_lastCode != SQLITE_ROW))
        return false;
    m_lastCode = sqlite3_step(m_statement);
    if (m_lastCode == SQLITE_ROW)
        return true;
    // Done or failed: either way the read snapshot goes now, not at the next run.
    const int code = m_lastCode;
    sqlite3_reset(m_statement);
    m_lastCode = code;
    return false;
}

Status SqliteRows::status() const
{
    if (m_lastCode == SQLITE_OK || m_lastCode == SQLITE_ROW || m_lastCode == SQLITE_DONE)
        return {};
    return lastError(QStringLiteral("query"));
}

void SqliteRows::finish()
{
    sqlite3_reset(m_statement);
    m_lastCode = SQLITE_DONE;
}

bool SqliteRows::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

qint64 SqliteRows::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

QString SqliteRows::text(int column) const
{
    // The database's own UTF-8: asking SQLite for UTF-16 has it convert and keep a second copy.
    const auto* utf8 = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    const int bytes = sqlite3_column_bytes(m_statement, column);
    return utf8 ? QString::fromUtf8(utf8, bytes) : QString();
}

QUuid SqliteRows::uuid(int column) const
{
    const auto* utf8 = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    const int bytes = sqlite3_column_bytes(m_statement, column);
    return utf8 ? QUuid::fromString(QAnyStringView(QUtf8StringView(utf8, bytes))) : QUuid();
}

QVariant SqliteRows::value(int column) const
{
    switch (sqlite3_column_type(m_statement, column)) {
    case SQLITE_INTEGER:
        return QVariant(qint64(sqlite3_column_int64(m_statement, column)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(m_statement, column));
    case SQLITE_BLOB: {
        const void* data = sqlite3_column_blob(m_statement, column);
        return QVariant(
            QByteArray(static_cast<const char*>(data), sqlite3_column_bytes(m_statement, column)));
    }
    case SQLITE_NULL:
        return QVariant(QMetaType::fromType<QString>()); // as QSQLITE gives it: null, typed
    default:
        return QVariant(text(column));
    }
}

Error SqliteRows::lastError(const QString& what) const
{
    return Database::errorFor(QString::fromUtf8(sqlite3_errmsg(m_connection)), what);
}

} // namespace butler
