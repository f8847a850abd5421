package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.SinkMetrics;
import java.util.List;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The ClickHouse sink's metrics: {@code records-written}, {@code retries}, {@code dead-lettered},
 * {@code snapshot-stale-removed} (totals and rates), {@code batches-written-total} with {@code insert-latency-*},
 * {@code buffered-records}, and per table
 * {@code table-records-written-total}, {@code table-source-watermark-ms}, {@code table-pending-records} and
 * {@code table-oldest-pending-source-ms}, and per table and column {@code table-values-clamped-total}.
 */
final class ClickHouseSinkMetrics implements AutoCloseable {

    private final SinkMetrics metrics;
    private final SinkMetrics.Counter written;
    private final SinkMetrics.Counter retries;
    private final SinkMetrics.Counter staleRemoved;

    ClickHouseSinkMetrics(PluginMetrics pluginMetrics) {
        metrics = new SinkMetrics(pluginMetrics, "table", "batches-written", "insert");
        written = metrics.counter("records-written", "Rows (changes and delete markers) written to ClickHouse");
        retries = metrics.counter("retries", "Calls to ClickHouse retried after a retriable failure");
        staleRemoved = metrics.counter("snapshot-stale-removed", "Rows removed after a snapshot because it did not "
                + "send them again (deleted in Postgres while no position was kept)");
    }

    SinkMetrics sinkMetrics() {
        return metrics;
    }

    /** An update or delete of a keyless table whose old row was not sent (no REPLICA IDENTITY FULL). */
    void keylessOldRowUnknown(String table) {
        metrics.targetCounter(table, "keyless-old-row-unknown", "Updates and deletes of this keyless table whose old "
                + "row Debezium did not send (no REPLICA IDENTITY FULL): the old row stays in the copy");
    }

    void staleRemoved(long rows) {
        staleRemoved.add(rows);
    }

    void inserted(String table, List<EncodedRow> rows, long nanos) {
        long newest = 0;
        for (EncodedRow row : rows) {
            newest = Math.max(newest, row.sourceTsMs());
        }
        metrics.applied(target(table), rows.size(), newest);
        written.add(rows.size());
        metrics.request(nanos);
    }

    void retried() {
        retries.increment();
    }

    /** A table as its metrics name it: database.table, unquoted. */
    static String target(String table) {
        return table.replace("`", "");
    }

    @Override
    public void close() {
        metrics.close();
    }
}
