package io.cdcpipeline.core.snapshot;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/** Debezium's snapshot notifications, as the records its sink channel sends, for tests. */
public final class Notifications {

    private static final Schema NOTIFICATION = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA)
            .field("aggregate_type", Schema.STRING_SCHEMA).field("type", Schema.STRING_SCHEMA)
            .field("additional_data", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).optional().build())
            .field("timestamp", SchemaBuilder.int64().optional().build()).build();

    private Notifications() {
    }

    /** An initial (blocking) snapshot read public.{@code table}: {@code rows} rows, stamped with its LSN if given. */
    public static SnapshotNotification tableScanned(String table, long rows, Long lsn) {
        return notification("Initial Snapshot", Map.of("scanned_collection", "public." + table, "total_rows_scanned",
                Long.toString(rows)), lsn);
    }

    /** An incremental snapshot finished public.{@code table} with {@code status} (SUCCEEDED, SKIPPED, ...). */
    public static SnapshotNotification incrementalScanned(String table, String status) {
        return notification("Incremental Snapshot", Map.of("scanned_collection", "public." + table,
                "total_rows_scanned", "7", "status", status), null);
    }

    private static SnapshotNotification notification(String aggregateType, Map<String, String> data, Long lsn) {
        Struct value = new Struct(NOTIFICATION).put("id", "n").put("aggregate_type", aggregateType)
                .put("type", "TABLE_SCAN_COMPLETED").put("additional_data", data);
        SinkRecord record = new SinkRecord("p.cdc_notifications", 0, null, null, NOTIFICATION, value, 0);
        if (lsn != null) {
            record.headers().addLong(SnapshotNotification.LSN_HEADER, lsn);
        }
        if (!SnapshotNotification.isNotification(record)) {
            throw new AssertionError("not taken for a notification: " + record);
        }
        return SnapshotNotification.of(record);
    }
}
