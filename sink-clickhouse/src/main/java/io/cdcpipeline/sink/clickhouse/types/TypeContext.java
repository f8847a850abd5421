package io.cdcpipeline.sink.clickhouse.types;

import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;

/**
 * What a {@link TypeFamily} needs beyond the schema.
 *
 * @param dialect    the server's dialect
 * @param registry   for families whose types hold other types (arrays)
 */
public record TypeContext(ClickHouseDialect dialect, TypeRegistry registry) {
}
