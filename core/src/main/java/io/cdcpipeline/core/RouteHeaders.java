package io.cdcpipeline.core;

import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;

/**
 * The headers a router ({@code CdcRoute}) sets to send a change to another target table than its source table. The
 * record's value stays as Debezium wrote it (it still names its source), and everything that asks a change for its
 * table ({@link ChangeEvent#table()}, the transforms) gets the target instead.
 */
public final class RouteHeaders {

    public static final String TARGET_SCHEMA = "cdc.target.schema";
    public static final String TARGET_TABLE = "cdc.target.table";

    private RouteHeaders() {
    }

    /** The target a router set, or null when the record is not routed. */
    public static TableId target(ConnectRecord<?> record) {
        Headers headers = record.headers();
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        Header table = headers.lastWithName(TARGET_TABLE);
        Header schema = headers.lastWithName(TARGET_SCHEMA);
        return table == null || schema == null ? null
                : new TableId(String.valueOf(schema.value()), String.valueOf(table.value()));
    }

    /** Sets the target, replacing any earlier router's. */
    public static void set(Headers headers, TableId target) {
        headers.remove(TARGET_SCHEMA).remove(TARGET_TABLE);
        headers.addString(TARGET_SCHEMA, target.schema()).addString(TARGET_TABLE, target.table());
    }
}
