#pragma once

#include "DimensionGroup.h"
#include "DimensionUniverse.h"
#include "WhereNode.h"

#include <QHash>
#include <QSet>
#include <QVariantList>
#include <QVariantMap>

namespace butler {

// Builds one SELECT over the registry: a base relation (a dataset tags table, or dimension
// tables for data-ID queries), the element joins that identifiers need (found through the
// dimension graph: implied dimensions, then relationship tables such as visit_definition), and
// where-expressions compiled to parameterised SQL. Values are always bound, never spliced.
class QueryBuilder
{
public:
    enum class ValueType
    {
        Int,
        Float,
        String,
        Bool,
        Time,
        Timespan,
        Null,
        Unknown
    };
    struct Expr
    {
        QString sql;
        ValueType type = ValueType::Unknown;
        QString end; // Timespan only: the end column; sql holds the begin
        QString label;
    };
    struct OrderTerm
    {
        QString sql;
        bool descending = false;
    };

    explicit QueryBuilder(const DimensionUniverse& universe);

    // A base relation (e.g. a tags table) that provides these dimension columns.
    void setBase(const QString& tableSql, const QString& alias, const QStringList& dimensions);
    // Joins element tables so every required dimension of the group has a source (data-ID
    // queries, dimension-record queries).
    Status addDimensionSources(const DimensionGroup& group);
    // A join that the caller writes itself (the dataset table under a tags table).
    void addRawJoin(const QString& sql) { m_joins << sql; }
    // Joins the given element by its required dimensions.
    Result<QString> joinElement(const QString& element);

    // "alias"."column" of a dimension value, joining what is needed.
    Result<QString> dimensionColumn(const QString& dimension);
    Result<Expr> identifier(const QStringList& parts, int position);

    Status addWhere(const WhereNodePtr& node, const QVariantMap& bind);
    // Whether a failure came from a dimension that no table of the query relates to (the
    // expression is fine, it just does not apply to these dimensions).
    bool hitUnrelatedDimension() const { return m_unrelated; }
    void addCondition(const QString& sql, const QVariantList& binds = {});
    // "visit", "-exposure.day_obs", "exposure.timespan.begin".
    Result<OrderTerm> orderTerm(const QString& spec);
    // Rows after the given key values in the order of the terms.
    void addKeysetCondition(const QList<OrderTerm>& terms, const QVariantList& lastValues);
    // The condition and its binds for rows strictly after lastValues, NULL sorting first
    // ascending and last descending (orderBySql() says so explicitly).
    static std::pair<QString, QVariantList> keysetCondition(const QList<OrderTerm>& terms,
                                                            const QVariantList& lastValues);
    // "sql [DESC] NULLS FIRST|LAST": the NULL placement that keysetCondition() assumes.
    static QString orderBySql(const OrderTerm& term);

    // Joins made from now on are LEFT JOINs (expanding implied values must not drop rows).
    void setLeftJoins(bool left) { m_leftJoins = left; }
    // True when a relationship table (visit_definition, ...) was joined: rows may repeat.
    bool mayDuplicate() const;

    QString fromSql() const;
    QString whereSql() const; // "" or " WHERE ..."
    const QVariantList& binds() const { return m_binds; }

private:
    bool m_unrelated = false;
    Result<Expr> compile(const WhereNode& node, int depth);
    Result<Expr> compileBoolean(const WhereNode& node, int depth);
    Result<Expr> compileIn(const WhereNode& node, int depth);
    Result<Expr> compileOverlaps(const WhereNode& node, int depth);
    Result<Expr> timespanOperand(const WhereNode& node, int depth);
    Result<Expr> bindValue(const QVariant& value, int position, const QString& name);
    Result<QString> resolveDimension(const QString& dimension, int depth);
    Result<QString> resolveUnguarded(const QString& dimension, int depth);
    Result<QString> joinElementAt(const QString& element, int depth);
    // Joins an element so that one of its implied dimensions gets a column.
    Result<QString> joinForImplied(const QString& element, const QString& implied, int depth);
    // Resolves a dimension element's own key before its table is joined for a field, so the
    // table joins on it instead of bringing in every row.
    void resolveKeyOf(const DimensionElement& element);
    // True when another of the query's own dimensions with a known key implies this dimension.
    bool impliedByOwnDimension(const QString& dimension, const QString& except) const;
    QString addBind(const QVariant& value);

    const DimensionUniverse& m_universe;
    QString m_baseSql;
    QString m_baseAlias;
    QHash<QString, QString> m_dimensionColumns; // dimension -> "alias"."col"
    QHash<QString, QString> m_elementAliases;   // element -> alias
    // The dimensions of the base relation (a dataset type's, or the data-ID query's): their
    // implied values come from their own records, not from another element joined on the way.
    QSet<QString> m_ownDimensions;
    QSet<QString> m_resolving; // dimensions being resolved, against re-entering them
    QStringList m_joins;
    QStringList m_conditions;
    QVariantList m_binds;
    QVariantList m_pendingBinds;
    QVariantMap m_bind;
    bool m_leftJoins = false;
};

} // namespace butler
