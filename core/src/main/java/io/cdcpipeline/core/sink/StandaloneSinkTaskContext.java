package io.cdcpipeline.core.sink;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * What a sink task sees of its runtime outside a Kafka Connect worker (the embedded runner, benchmarks): its config,
 * a dead-letter reporter and plugin metrics. There are no Kafka partitions to rewind or pause: the caller hands the
 * task every record once per batch and retries the batch itself.
 */
public final class StandaloneSinkTaskContext implements SinkTaskContext {

    private final Map<String, String> config;
    private final ErrantRecordReporter deadLetters;
    private final PluginMetrics metrics;

    public StandaloneSinkTaskContext(Map<String, String> config, ErrantRecordReporter deadLetters, PluginMetrics metrics) {
        this.config = config;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return metrics;
    }

    @Override
    public Map<String, String> configs() {
        return config;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        // The source position lives with the caller, not in Kafka offsets.
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

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        return deadLetters;
    }
}
