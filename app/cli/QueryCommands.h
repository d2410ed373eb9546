#pragma once

#include "CommandRegistry.h"

namespace butler {

// The listing commands: query-dataset-types, query-datasets, query-data-ids,
// query-dimension-records. Each prints a table, JSON or CSV (--format).
//
// query-datasets prints, as a table, one table per dataset type (like daf_butler), each with the
// columns type, run, id, then one column per data ID dimension of that type in universe order,
// then uri with --show-uri. CSV prints a single table whose dimension columns are the union over
// the types, so that it has one header. JSON prints objects
// {"id", "dataset_type", "run", "data_id": {...}, "uri"?}.
class QueryCommands
{
public:
    static void registerCommands(CommandRegistry& registry);

    static Status queryDatasetTypes(CommandContext& context);
    static Status queryDatasets(CommandContext& context);
    static Status queryDataIds(CommandContext& context);
    static Status queryDimensionRecords(CommandContext& context);

    // The columns query-dimension-records prints for an element: required dimensions, keys,
    // implied dimensions, metadata, then timespan_begin/timespan_end when it has a timespan.
    static QStringList recordColumns(const DimensionElement& element);
};

} // namespace butler
