package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

/** Per-target figures the lag monitor reads: watermark, and the changes pending with the oldest one's time. */
class SinkMetricsTest {

    @Test
    void pendingChangesPerTargetWithTheOldestSourceTime() {
        try (Metrics registry = new Metrics();
             SinkMetrics metrics = new SinkMetrics(new PluginMetricsImpl(registry, Map.of("connector", "c", "task", "0")),
                     "table", "batches-written", "insert")) {
            metrics.applied("shop.orders", 10, 1_000);
            metrics.pending(new PendingChanges().add("shop.orders", 2_000).add("shop.orders", 1_500)
                    .add("shop.quiet", 3, 5_000));
            assertThat(value(registry, "table-pending-records", "shop.orders")).isEqualTo(2L);
            assertThat(value(registry, "table-oldest-pending-source-ms", "shop.orders")).isEqualTo(1_500L);
            assertThat(value(registry, "table-source-watermark-ms", "shop.orders")).isEqualTo(1_000L);
            assertThat(value(registry, "table-pending-records", "shop.quiet")).isEqualTo(3L);
            assertThat(value(registry, "table-oldest-pending-source-ms", "shop.quiet")).isEqualTo(5_000L);

            metrics.applied("shop.orders", 2, 2_000);
            metrics.pending(new PendingChanges().add("shop.quiet", 3, 5_000));
            assertThat(value(registry, "table-pending-records", "shop.orders")).as("acknowledged: none left").isEqualTo(0L);
            assertThat(value(registry, "table-oldest-pending-source-ms", "shop.orders")).isEqualTo(0L);
            assertThat(value(registry, "table-source-watermark-ms", "shop.orders")).isEqualTo(2_000L);
        }
    }

    /**
     * Two tasks of one connector in one worker keep their own counts (sensor names are global in a registry), and a
     * task started again while its earlier instance has not stopped (its metrics still registered) starts anyway.
     */
    @Test
    void tasksKeepTheirOwnCountsAndARestartBesideAnUnstoppedInstanceStarts() throws Exception {
        try (Metrics registry = new Metrics()) {
            SinkMetrics task0 = new SinkMetrics(new PluginMetricsImpl(registry, Map.of("connector", "c", "task", "0")),
                    "table", "batches-written", "insert");
            SinkMetrics task1 = new SinkMetrics(new PluginMetricsImpl(registry, Map.of("connector", "c", "task", "1")),
                    "table", "batches-written", "insert");
            task0.request(1_000_000);
            task0.request(1_000_000);
            task1.request(1_000_000);
            assertThat(taskValue(registry, "batches-written-total", "0")).isEqualTo(2.0);
            assertThat(taskValue(registry, "batches-written-total", "1")).isEqualTo(1.0);

            SinkMetrics again = new SinkMetrics(new PluginMetricsImpl(registry, Map.of("connector", "c", "task", "0")),
                    "table", "batches-written", "insert");
            again.applied("shop.orders", 1, 5);
            again.counter("stale-skipped", "Writes refused as stale").increment();
            again.close();
            task0.close();
            task1.close();
        }
    }

    private static double taskValue(Metrics registry, String name, String task) {
        return registry.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name)
                && task.equals(e.getKey().tags().get("task"))).mapToDouble(e -> ((Number) e.getValue().metricValue())
                .doubleValue()).sum();
    }

    @Test
    void aChangeWithoutSourceTimeCountsButLeavesTheOldestUnknown() {
        Map<String, PendingChanges.Pending> tally = new PendingChanges().add("a", 0).add("a", 0).add("b", 0, 7).toMap();
        assertThat(tally.get("a")).isEqualTo(new PendingChanges.Pending(2, 0));
        assertThat(tally).doesNotContainKey("b").as("no records: nothing pending");
    }

    private static Object value(Metrics registry, String name, String table) {
        List<MetricName> names = registry.metrics().keySet().stream()
                .filter(n -> n.name().equals(name) && table.equals(n.tags().get("table"))).toList();
        assertThat(names).as("metric %s of %s", name, table).hasSize(1);
        return registry.metrics().get(names.get(0)).metricValue();
    }
}
