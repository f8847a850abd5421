package io.cdcpipeline.core.snapshot;

import io.cdcpipeline.core.TableId;
import java.util.Map;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A Debezium notification (its {@code sink} notification channel, {@code notification.enabled.channels=sink}): a
 * record with {@code aggregate_type}, {@code type} and {@code additional_data}. The ones the sinks act on are the
 * initial snapshot's {@code TABLE_SCAN_COMPLETED}, which Debezium sends for every table it scanned, empty ones too,
 * and an incremental snapshot's, which ends a table's scan with a {@code status}.
 * <p>
 * A notification does not say where in the stream it was sent; its source offset does, and only the source side
 * sees that. {@link #stampLsn} copies the offset's LSN into the {@value #LSN_HEADER} header, so that a sink can read
 * it: the embedded runner stamps every notification. (It is not turned on for Connect: the first notification of a
 * snapshot has an empty offset, which Connect would store as the position, and Debezium started on an empty offset
 * skips its snapshot. The runner never stores an empty offset.)
 *
 * @param id            the notification's id: for an incremental snapshot, the id of the signal that asked for it
 *                      (Debezium's correlation id), so a sink can tell which snapshot ended
 * @param aggregateType {@code Initial Snapshot}, {@code Incremental Snapshot}, ...
 * @param type          {@code STARTED}, {@code TABLE_SCAN_COMPLETED}, {@code COMPLETED}, ...
 * @param table         the scanned table of a table notification, else null
 * @param rowsScanned   rows the scan sent, or -1 when not said
 * @param status        how an incremental table scan ended ({@code SUCCEEDED}, {@code EMPTY}, {@code SKIPPED}, ...),
 *                      or null
 * @param lsn           the stamped LSN, or null
 */
public record SnapshotNotification(String id, String aggregateType, String type, TableId table, long rowsScanned, String status,
        Long lsn) {

    public static final String LSN_HEADER = "cdc.source.lsn";
    public static final String INITIAL_SNAPSHOT = "Initial Snapshot";
    public static final String INCREMENTAL_SNAPSHOT = "Incremental Snapshot";
    public static final String TABLE_SCAN_COMPLETED = "TABLE_SCAN_COMPLETED";

    /** Whether a record is a Debezium notification rather than a change. */
    public static boolean isNotification(ConnectRecord<?> record) {
        if (!(record.value() instanceof Struct value)) {
            return false;
        }
        Schema schema = value.schema();
        return schema.field("aggregate_type") != null && schema.field("type") != null
                && schema.field("additional_data") != null && schema.field("op") == null;
    }

    /** Reads a notification record (see {@link #isNotification}). */
    public static SnapshotNotification of(ConnectRecord<?> record) {
        Struct value = (Struct) record.value();
        @SuppressWarnings("unchecked")
        Map<String, String> data = (Map<String, String>) value.get("additional_data");
        TableId table = null;
        long rows = -1;
        String status = null;
        if (data != null) {
            status = data.get("status");
            table = tableOf(data.get("scanned_collection"));
            String scanned = data.get("total_rows_scanned");
            if (scanned != null && scanned.matches("\\d+")) {
                rows = Long.parseLong(scanned);
            }
        }
        Long lsn = null;
        Header header = record.headers() == null ? null : record.headers().lastWithName(LSN_HEADER);
        if (header != null && header.value() instanceof Number number) {
            lsn = number.longValue();
        }
        return new SnapshotNotification(value.schema().field("id") == null ? null : value.getString("id"),
                value.getString("aggregate_type"), value.getString("type"), table, rows, status,
                lsn);
    }

    /** Whether this says that the blocking (initial) snapshot of one table is complete. */
    public boolean isInitialTableScanCompleted() {
        return INITIAL_SNAPSHOT.equals(aggregateType) && TABLE_SCAN_COMPLETED.equals(type) && table != null;
    }

    /**
     * Whether this says that an incremental snapshot read the whole of one table: its scan succeeded or found the
     * table empty (not skipped or failed).
     */
    public boolean isIncrementalTableScanCompleted() {
        return INCREMENTAL_SNAPSHOT.equals(aggregateType) && TABLE_SCAN_COMPLETED.equals(type) && table != null
                && ("SUCCEEDED".equals(status) || "EMPTY".equals(status));
    }

    /** Adds the LSN of a notification's source offset as the {@value #LSN_HEADER} header; other records unchanged. */
    public static SourceRecord stampLsn(SourceRecord record) {
        if (!isNotification(record) || record.sourceOffset() == null
                || !(record.sourceOffset().get("lsn") instanceof Number lsn)) {
            return record;
        }
        record.headers().remove(LSN_HEADER).addLong(LSN_HEADER, lsn.longValue());
        return record;
    }

    /** Debezium names a Postgres table {@code schema.table} (a catalog may stand before them). */
    private static TableId tableOf(String identifier) {
        if (identifier == null || identifier.isBlank()) {
            return null;
        }
        String[] parts = identifier.split("\\.");
        return parts.length < 2 ? null : new TableId(parts[parts.length - 2], parts[parts.length - 1]);
    }
}
