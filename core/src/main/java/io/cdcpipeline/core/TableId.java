package io.cdcpipeline.core;

import java.util.Objects;

/** A source table: Postgres schema and table name. */
public record TableId(String schema, String table) {

    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
