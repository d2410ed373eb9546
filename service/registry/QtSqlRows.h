#pragma once

#include "SqlRows.h"

#include <QSqlQuery>

namespace butler {

class Database;

// SqlRows through a prepared QSqlQuery: any Qt SQL driver.
class QtSqlRows : public SqlRows
{
public:
    QtSqlRows(Database& db, QSqlQuery* query); // the query stays owned by the database

    Status run(const QVariantList& binds) override;
    bool next() override;
    Status status() const override;
    void finish() override;
    bool isNull(int column) const override;
    qint64 integer(int column) const override;
    QString text(int column) const override;
    QVariant value(int column) const override;

private:
    Database& m_db;
    QSqlQuery* m_query;
};

} // namespace butler
