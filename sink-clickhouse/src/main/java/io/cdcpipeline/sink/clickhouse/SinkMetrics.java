package io.cdcpipeline.sink.clickhouse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Rate;

/**
 * The sink task's metrics, registered through Connect's {@link PluginMetrics} (KIP-877), so a worker exposes them
 * over JMX as {@code kafka.connect:type=plugins,connector=...,task=...} beside its own, and the embedded runner
 * the same way. Per table: rows written and the watermark (newest source commit time applied), which the lag
 * monitor reads to name a table that is behind.
 */
final class SinkMetrics implements AutoCloseable {

    private final PluginMetrics metrics;
    private final Sensor written;
    private final Sensor batches;
    private final Sensor retries;
    private final Sensor deadLettered;
    private final Map<String, TableMetrics> tables = new ConcurrentHashMap<>();
    private final AtomicLong buffered = new AtomicLong();

    SinkMetrics(PluginMetrics metrics) {
        this.metrics = metrics;
        if (metrics == null) {
            written = batches = retries = deadLettered = null;
            return;
        }
        written = sensor("records-written", "Rows (changes and delete markers) written to ClickHouse");
        batches = metrics.addSensor("batches-written");
        batches.add(name("batches-written-total", "Inserts sent to ClickHouse"), new CumulativeCount());
        batches.add(name("insert-latency-avg-ms", "Average time of one insert, retries included"), new Avg());
        batches.add(name("insert-latency-max-ms", "Longest time of one insert, retries included"), new Max());
        retries = sensor("retries", "Calls to ClickHouse retried after a retriable failure");
        deadLettered = sensor("dead-lettered", "Records sent to the dead-letter queue");
        metrics.addMetric(name("buffered-records", "Records buffered and not yet written"),
                (Gauge<Long>) (config, now) -> buffered.get());
    }

    private Sensor sensor(String sensorName, String description) {
        Sensor sensor = metrics.addSensor(sensorName);
        sensor.add(name(sensorName + "-total", description), new CumulativeSum());
        sensor.add(name(sensorName + "-rate", description + ", per second"), new Rate());
        return sensor;
    }

    private MetricName name(String metric, String description) {
        return metrics.metricName(metric, description, new LinkedHashMap<>());
    }

    void inserted(String table, List<EncodedRow> rows, long nanos) {
        long newest = 0;
        for (EncodedRow row : rows) {
            newest = Math.max(newest, row.sourceTsMs());
        }
        TableMetrics metricsOfTable = tables.computeIfAbsent(table, this::register);
        metricsOfTable.rows.addAndGet(rows.size());
        metricsOfTable.watermark.accumulateAndGet(newest, Math::max);
        if (metrics != null) {
            written.record(rows.size());
            batches.record(nanos / 1_000_000.0);
        }
    }

    void retried() {
        if (retries != null) {
            retries.record();
        }
    }

    void deadLettered() {
        if (deadLettered != null) {
            deadLettered.record();
        }
    }

    void buffered(long records) {
        buffered.set(records);
    }

    /** Newest source commit time (epoch ms) applied to a table, 0 if none yet; for tests and logs. */
    long watermarkMs(String table) {
        TableMetrics t = tables.get(table);
        return t == null ? 0 : t.watermark.get();
    }

    private TableMetrics register(String table) {
        TableMetrics t = new TableMetrics();
        if (metrics != null) {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("table", table.replace("`", ""));
            add(metrics.metricName("table-records-written-total", "Rows written to this table", tags), t.rows::get);
            add(metrics.metricName("table-source-watermark-ms",
                    "Newest source commit time (epoch ms) applied to this table", tags), t.watermark::get);
            t.names = List.of(metrics.metricName("table-records-written-total", "", tags),
                    metrics.metricName("table-source-watermark-ms", "", tags));
        }
        return t;
    }

    private void add(MetricName name, LongSupplier value) {
        metrics.addMetric(name, (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    @Override
    public void close() {
        if (metrics == null) {
            return;
        }
        for (String sensor : List.of("records-written", "batches-written", "retries", "dead-lettered")) {
            metrics.removeSensor(sensor);
        }
        metrics.removeMetric(name("buffered-records", ""));
        tables.values().forEach(t -> t.names.forEach(metrics::removeMetric));
    }

    private static final class TableMetrics {
        final AtomicLong rows = new AtomicLong();
        final AtomicLong watermark = new AtomicLong();
        List<MetricName> names = List.of();
    }
}
