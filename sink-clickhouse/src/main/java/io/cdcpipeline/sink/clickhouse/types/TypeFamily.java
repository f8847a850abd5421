package io.cdcpipeline.sink.clickhouse.types;

import org.apache.kafka.connect.data.Schema;

/**
 * Maps one family of Connect/Debezium schemas (by logical name or physical type) to a ClickHouse type. The
 * {@link TypeRegistry} asks each family in turn; a family answers null for schemas that are not its own.
 */
public interface TypeFamily {

    /** The non-Nullable ClickHouse type for {@code schema}, or null if this family does not handle it. */
    ClickHouseType map(Schema schema, TypeContext context);
}
