package io.cdcpipeline.sink.clickhouse;

import java.util.Map;

/**
 * A ClickHouse table the sink writes, with the type of every source column it holds.
 *
 * @param qualifiedName {@code database.table}, quoted for SQL
 * @param columns       source column name to its type, for the columns the table has
 */
record TargetTable(String qualifiedName, Map<String, ColumnType> columns) {
}
