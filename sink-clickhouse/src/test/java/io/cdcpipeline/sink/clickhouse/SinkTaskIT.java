package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.sink.StandaloneSinkTaskContext;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The task as Connect runs it, against the 18.16 server: batches bounded by rows, the rest flushed by the linger
 * timer with no commit asked for, and the metrics a worker would expose over JMX (rows, batches, per-table
 * watermark = newest source commit time applied).
 */
@RealStack
class SinkTaskIT {

    @Test
    void batchesAreBoundedByRowsAndTheRestIsFlushedOnTime(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = WritesIT.captureItems(stack, pg).subList(0, 1000);
        Metrics metrics = new Metrics();
        ClickHouseSinkTask task = new ClickHouseSinkTask();
        task.initialize(new StandaloneSinkTaskContext(Map.of(), (record, error) -> {
            throw new AssertionError("unexpected dead letter: " + error.getMessage(), error);
        }, new PluginMetricsImpl(metrics, Map.of("connector", "it", "task", "0"))));
        task.start(Map.of(ClickHouseSinkConfig.URL, ch.url(), ClickHouseSinkConfig.DATABASE, ch.name(),
                ClickHouseSinkConfig.BATCH_MAX_ROWS, "300", ClickHouseSinkConfig.BATCH_LINGER_MS, "4000"));
        try (SinkHarness reader = SinkHarness.legacy(ch)) {
            long putAt = System.currentTimeMillis();
            task.put(records.subList(0, 700));
            // Two full batches of 300 go at once (the second may still be in flight); 100 rows wait for the linger.
            long deadline = System.currentTimeMillis() + 10_000;
            while (count(reader) < 600 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(System.currentTimeMillis() - putAt).as("the full batches arrived before the linger time")
                    .isLessThan(4000);
            assertThat(count(reader)).isEqualTo(600);
            assertThat(value(metrics, "batches-written-total", Map.of())).isEqualTo(2.0);

            while (count(reader) < 700 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(count(reader)).as("rows visible without a commit, once the linger time passed").isEqualTo(700);

            task.put(records.subList(700, 1000));
            task.preCommit(Map.of(new TopicPartition(records.get(0).topic(), 0),
                    new OffsetAndMetadata(1000)));
            assertThat(count(reader)).isEqualTo(1000);
            assertThat(value(metrics, "records-written-total", Map.of())).isEqualTo(1000.0);
            long newestCommit = records.stream().mapToLong(r -> ChangeEvent.of(r).sourceCommitTime().toEpochMilli())
                    .max().orElseThrow();
            assertThat(value(metrics, "table-source-watermark-ms", Map.of("table", ch.name() + ".items")))
                    .isEqualTo((double) newestCommit);
        } finally {
            task.stop();
            metrics.close();
        }
    }

    private static long count(SinkHarness reader) {
        return Long.parseLong(reader.scalar("SELECT count() FROM " + reader.table("items")));
    }

    private static double value(Metrics metrics, String name, Map<String, String> tags) {
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.metrics().entrySet()) {
            if (metric.getKey().name().equals(name) && metric.getKey().tags().entrySet().containsAll(tags.entrySet())) {
                return ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name + " " + tags + " among " + metrics.metrics().keySet());
    }
}
