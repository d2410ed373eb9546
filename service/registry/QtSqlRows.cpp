#include "QtSqlRows.h"

#include "Database.h"

#include <QSqlError>

namespace butler {

QtSqlRows::QtSqlRows(Database& db, QSqlQuery* query)
    : m_db(db)
    , m_query(query)
{
}

Status QtSqlRows::run(const QVariantList& binds)
{
    m_query->finish();
    for (int i = 0; i < binds.size(); ++i)
        m_query->bindValue(i, binds[i]);
    if (!m_query->exec())
        return m_db.sqlError(*m_query, QStringLiteral("query"));
    return {};
}

bool QtSqlRows::next()
{
    return m_query->next();
}

Status QtSqlRows::status() const
{
    if (m_query->lastError().isValid())
        return m_db.sqlError(*m_query, QStringLiteral("query"));
    return {};
}

void QtSqlRows::finish()
{
    m_query->finish();
}

bool QtSqlRows::isNull(int column) const
{
    return m_query->isNull(column);
}

qint64 QtSqlRows::integer(int column) const
{
    return m_query->value(column).toLongLong();
}

QString QtSqlRows::text(int column) const
{
    return m_query->value(column).toString();
}

QVariant QtSqlRows::value(int column) const
{
    return m_query->value(column);
}

} // namespace butler
