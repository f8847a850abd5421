package io.cdcpipeline.bench;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** The little of a Connect worker a sink task needs in a benchmark: a dead-letter path that must stay unused. */
final class BenchTaskContext implements SinkTaskContext {

    private final Metrics metrics = new Metrics();

    /** The sink records its metrics as in a worker, so their cost is part of the figures. */
    @Override
    public PluginMetrics pluginMetrics() {
        return new PluginMetricsImpl(metrics, Map.of("connector", "bench", "task", "0"));
    }

    /** A metric the sink recorded, e.g. batches-written-total. */
    double metric(String name) {
        return metrics.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(Double.NaN);
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        return (record, error) -> {
            throw new IllegalStateException("a benchmark record was dead-lettered: " + error.getMessage(), error);
        };
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
    }

    @Override
    public void timeout(long timeoutMs) {
    }

    @Override
    public Set<TopicPartition> assignment() {
        return Set.of();
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
    }
}
